/** The customers module's public door: what other modules, the HTTP layer, the CLI and the jobs may use. */
export { CustomersService } from './customers.service.js';
export { type CustomerTable } from './customers.table.js';
export { customerSchema } from './customers.schemas.js';
