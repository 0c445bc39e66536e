/** The accounts module's public door: what other modules, the HTTP layer, the CLI and the jobs may use. */
export { AccountsService } from './accounts.service.js';
export { type ApiKeyTable, type MembershipTable, type SessionTable, type StoreTable, type UserTable } from './accounts.table.js';
export { originAllowed } from './tracking-origins.js';
export { listStores, storeSettings } from './accounts.repository.js';
export { type Principal, type SessionInfo } from './accounts.service.js';
export { type ApiKeyKind, apiKeyKinds, type BrandColors, type Role, roles, writerRoles } from './accounts.table.js';
export { brandColorsOf } from './store-branding.js';
