/** The status module's public door: what other modules, the HTTP layer, the CLI and the jobs may use. */
export { storeStatus } from './status.service.js';
export { type Status } from './status.service.js';
