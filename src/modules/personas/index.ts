/** The personas module's public door: what other modules, the HTTP layer, the CLI and the jobs may use. */
export { PersonasService, type PersonaRun, type PersonaRunInfo, type PersonaView } from './personas.service.js';
