/** The commerce module's public door: what other modules, the HTTP layer, the CLI and the jobs may use. */
export {
  type CheckoutInput, type CheckoutItemInput, type CommerceBatch, type ConsentInput, type CustomerInput, type FulfillmentInput, type FulfillmentLineInput,
  type FulfillmentStatusInput, type OrderFulfillmentInput, type OrderInput, type OrderLineInput, type OrderStatusInput, type ProductInput,
  type ReturnInput, type ReturnLineInput, type VariantInput, type WriteCounts, type WriteSummary,
} from './commerce.input.js';
export { externalId, isoInstant, minorUnits } from './commerce.schemas.js';
export { CommerceService, type StagedWriteOptions, type WriteOptions } from './commerce.service.js';
export { StagingSink } from './commerce.sink.js';
export { type Staged } from './commerce.staging.js';
export { isLanguageTag, normaliseBatch, orderStatuses, type NormalLine, type NormalOrder, type NormalReturn } from './commerce.validation.js';
export { fulfillmentSchema, orderSchema, returnSchema } from './commerce.schemas.js';
