/** The ingest module's public door: what other modules, the HTTP layer, the CLI and the jobs may use. */
export { IngestService } from './ingest.service.js';
export { type IngestResult, type Trust } from './ingest.service.js';
export { MAX_BATCH_BYTES, MAX_EVENT_BYTES } from './segment.validator.js';
