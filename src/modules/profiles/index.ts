/** The profiles module's public door: what other modules, the HTTP layer, the CLI and the jobs may use. */
export { ProfilesService } from './profiles.service.js';
export { type CustomerProfile, PROFILE_MESSAGES } from './profiles.service.js';
export { type CustomerListItem, type CustomerListQuery } from './profiles.service.js';
export { customerSortFields, customerSorts, type CustomerSort } from './customer-list.query.js';
