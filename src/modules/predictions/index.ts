/** The predictions module's public door: what other modules, the HTTP layer, the CLI and the jobs may use. */
export { defaultRefitIntervalMs, refitJobKind } from './predictions.job.js';
export { fitAndScore } from './predictions.service.js';
export { runRefitJob } from './predictions.job.js';
