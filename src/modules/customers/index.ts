/** The customers module's public door: what other modules, the HTTP layer, the CLI and the jobs may use. */
export { CustomersService } from './customers.service.js';
export { type ConsentStatus, consentStatuses, type CustomerAliasTable, type CustomerTable } from './customers.table.js';
export { type CustomerRow } from './customers.repository.js';
export { type ChannelConsent, consentOf, customerView, type CustomerView } from './customers.service.js';
export { customerSchema } from './customers.schemas.js';
export { birthdaysOn, fallsYearlyOn } from './yearly-days.js';
