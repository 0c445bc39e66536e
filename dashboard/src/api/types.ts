/**
 * Shapes of the admin API's answers, as the server's response schemas define them (`src/http/schemas`):
 * one definition, read by the server, the OpenAPI document and the dashboard. Type-only imports.
 */
export type { ApiKey, ApiKeyKind, CreatedKey, CurrentSession, Member, Role, Session, StoreSettings } from '../../../src/http/schemas/accounts.schemas';
export type { Job, JobList, ImportRun, QueuedJob } from '../../../src/http/schemas/jobs.schemas';
export type { IngestStatus } from '../../../src/http/schemas/ingest.schemas';
export type { Customer, CustomerListItem, CustomerListPage, Order, WriteSummary } from '../../../src/http/schemas/data.schemas';
export type { CustomerSort } from '../../../src/modules/profiles/index';

/** The closed lists the dashboard shows or checks, from where the server defines them. */
export { roles, writerRoles } from '../../../src/modules/accounts/accounts.table';
export { apiKeyKinds } from '../../../src/modules/accounts/accounts.table';
