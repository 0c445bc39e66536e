/** The orders module's public door: what other modules, the HTTP layer, the CLI and the jobs may use. */
export { OrdersService, type FulfillmentView, type OrderView, type StoredOrder } from './orders.service.js';
export { CheckoutsService, DEFAULT_IDLE_MINUTES, type CheckoutListQuery, type CheckoutView } from './checkouts.service.js';
export type { CheckoutState } from './lifecycle.repository.js';
export { orderStatuses, type OrderLineTable, type OrderStatus, type OrderTable, type ReturnLineTable, type ReturnTable } from './orders.table.js';
export { decodeCursor, type Page, parseEntityRef, toPage } from './page-cursor.js';
export { fulfillmentStatuses, type CheckoutOrderTable, type CheckoutTable, type FulfillmentStatus, type FulfillmentTable } from './lifecycle.table.js';
