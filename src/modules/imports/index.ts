/** The imports module's public door: what other modules, the HTTP layer, the CLI and the jobs may use. */
export { ImportsService } from './imports.service.js';
export { importJobKind, runImportJob } from './imports.job.js';
