/** The personas module's public door: what other modules, the HTTP layer, the CLI and the jobs may use. */
export { PersonasService } from './personas.service.js';
