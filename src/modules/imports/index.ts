/** The imports module's public door: what other modules, the HTTP layer, the CLI and the jobs may use. */
import type { HearthModule } from '../../module.js';
import { importJobKind, runImportJob } from './imports.job.js';
export { ImportsService } from './imports.service.js';
export { importJobKind, runImportJob } from './imports.job.js';

/** Imports uploaded over HTTP run as jobs. */
export const importsModule: HearthModule = {
  name: 'imports',
  jobs: [{ kind: importJobKind, run: async (services, { payload, progress }) => runImportJob(services.imports, payload, progress) }],
};
export { checkMapping, readMapping } from './column-mapping.js';
export { formatNames } from './formats/index.js';
export { type ImportJobPayload } from './imports.job.js';
export { checkImportRequest, type ImportRequest, type ImportSummary } from './imports.service.js';
