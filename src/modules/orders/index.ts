/** The orders module's public door: what other modules, the HTTP layer, the CLI and the jobs may use. */
export { OrdersService } from './orders.service.js';
export { orderStatuses, type OrderLineTable, type OrderStatus, type OrderTable, type ReturnLineTable, type ReturnTable } from './orders.table.js';
export { decodeCursor, type Page, parseEntityRef, toPage } from './page-cursor.js';
export { fulfillmentStatuses, type CheckoutOrderTable, type CheckoutTable, type FulfillmentStatus, type FulfillmentTable } from './lifecycle.table.js';
