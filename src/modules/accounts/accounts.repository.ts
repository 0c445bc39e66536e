import type { Db, Tx } from '../../db/database.js';
import type { ApiKeyTable, MembershipTable, Role, StoreTable, UserTable } from './accounts.table.js';

export function findStore(db: Db, idOrSlug: string): Promise<StoreTable | undefined> {
  return db.selectFrom('stores').selectAll().where((eb) => eb.or([eb('id', '=', idOrSlug), eb('slug', '=', idOrSlug)])).executeTakeFirst();
}

/** A store's settings, for modules that work per store (currency, time zone, inactivity threshold). */
export function storeSettings(db: Db | Tx, storeId: string): Promise<Pick<StoreTable, 'id' | 'slug' | 'name' | 'currency' | 'timezone' | 'inactivity_days'> | undefined> {
  return db.selectFrom('stores').select(['id', 'slug', 'name', 'currency', 'timezone', 'inactivity_days']).where('id', '=', storeId).executeTakeFirst();
}

export function listStores(db: Db): Promise<StoreTable[]> {
  return db.selectFrom('stores').selectAll().orderBy('created_at').execute();
}

export async function insertStore(db: Db, store: StoreTable): Promise<void> {
  await db.insertInto('stores').values(store).execute();
}

export async function updateStore(db: Db, id: string, changes: Partial<Omit<StoreTable, 'id' | 'created_at'>>): Promise<void> {
  await db.updateTable('stores').set(changes).where('id', '=', id).execute();
}

export function findUserByEmail(db: Db, email: string): Promise<UserTable | undefined> {
  return db.selectFrom('users').selectAll().where('email', '=', email.toLowerCase()).executeTakeFirst();
}

export function findUser(db: Db, id: string): Promise<UserTable | undefined> {
  return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function countUsers(db: Db): Promise<number> {
  const row = await db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function insertUser(db: Db, user: UserTable): Promise<void> {
  await db.insertInto('users').values(user).execute();
}

export async function setPassword(db: Db, userId: string, passwordHash: string, mustChange: boolean): Promise<void> {
  await db.updateTable('users').set({ password_hash: passwordHash, must_change_password: mustChange }).where('id', '=', userId).execute();
}

export async function upsertMembership(db: Db, membership: MembershipTable): Promise<void> {
  await db
    .insertInto('memberships')
    .values(membership)
    .onConflict((oc) => oc.columns(['store_id', 'user_id']).doUpdateSet({ role: membership.role }))
    .execute();
}

export async function deleteMembership(db: Db, storeId: string, userId: string): Promise<void> {
  await db.deleteFrom('memberships').where('store_id', '=', storeId).where('user_id', '=', userId).execute();
}

export function membershipsOfUser(db: Db, userId: string): Promise<{ store_id: string; role: Role; slug: string; name: string }[]> {
  return db
    .selectFrom('memberships')
    .innerJoin('stores', 'stores.id', 'memberships.store_id')
    .select(['memberships.store_id', 'memberships.role', 'stores.slug', 'stores.name'])
    .where('memberships.user_id', '=', userId)
    .orderBy('stores.created_at')
    .execute();
}

export function membersOfStore(db: Db, storeId: string): Promise<{ user_id: string; email: string; name: string | null; role: Role; created_at: Date }[]> {
  return db
    .selectFrom('memberships')
    .innerJoin('users', 'users.id', 'memberships.user_id')
    .select(['memberships.user_id', 'users.email', 'users.name', 'memberships.role', 'memberships.created_at'])
    .where('memberships.store_id', '=', storeId)
    .orderBy('users.email')
    .execute();
}

export async function insertSession(db: Db, session: { id: string; user_id: string; csrf_token: string; created_at: Date; expires_at: Date }): Promise<void> {
  await db.insertInto('sessions').values(session).execute();
}

export function findSession(db: Db, id: string): Promise<{ id: string; user_id: string; csrf_token: string; expires_at: Date } | undefined> {
  return db.selectFrom('sessions').select(['id', 'user_id', 'csrf_token', 'expires_at']).where('id', '=', id).executeTakeFirst();
}

export async function deleteSession(db: Db, id: string): Promise<void> {
  await db.deleteFrom('sessions').where('id', '=', id).execute();
}

export async function insertApiKey(db: Db, key: ApiKeyTable): Promise<void> {
  await db.insertInto('api_keys').values(key).execute();
}

export function findApiKeyByHash(db: Db, keyHash: string): Promise<ApiKeyTable | undefined> {
  return db.selectFrom('api_keys').selectAll().where('key_hash', '=', keyHash).executeTakeFirst();
}

export function listApiKeys(db: Db, storeId: string): Promise<ApiKeyTable[]> {
  return db.selectFrom('api_keys').selectAll().where('store_id', '=', storeId).orderBy('created_at', 'desc').execute();
}

export async function touchApiKey(db: Db, id: string, at: Date): Promise<void> {
  await db.updateTable('api_keys').set({ last_used_at: at }).where('id', '=', id).execute();
}

export async function revokeApiKey(db: Db, storeId: string, id: string, at: Date): Promise<boolean> {
  const result = await db
    .updateTable('api_keys')
    .set({ revoked_at: at })
    .where('store_id', '=', storeId)
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}
