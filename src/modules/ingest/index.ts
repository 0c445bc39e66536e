/** The ingest module's public door: what other modules, the HTTP layer, the CLI and the jobs may use. */
export { IngestService } from './ingest.service.js';
