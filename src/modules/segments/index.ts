/** The segments module's public door: what other modules, the HTTP layer, the CLI and the jobs may use. */
export { SegmentsService, type OrderSummaries, type SegmentView } from './segments.service.js';
export { segmentsSubscriber } from './segments.subscriber.js';
