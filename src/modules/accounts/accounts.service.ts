import { hash, verify } from '@node-rs/argon2';
import { SignInBackoff } from './sign-in-backoff.js';
import { PASSWORD_MAX, passwordProblem } from './password-policy.js';
import type { Db } from '../../db/database.js';
import { AppError, invalid, notFound } from '../../lib/errors.js';
import { newId, randomToken, sha256 } from '../../lib/ids.js';
import { isCurrency } from '../../lib/money.js';
import { isTimeZone } from '../../lib/time.js';
import * as repo from './accounts.repository.js';
import { apiKeyKinds, roles, type ApiKeyKind, type ApiKeyTable, type BrandColors, type Role, type StoreTable } from './accounts.table.js';
import { brandingProblems } from './store-branding.js';
import { originProblem } from './tracking-origins.js';

export { apiKeyKinds, roles };
const SESSION_DAYS = 14;
const KEY_PREFIX: Record<ApiKeyKind, string> = { write: 'hk_write_', server: 'hk_server_', secret: 'hk_secret_' };

export interface StoreInput {
  name: string;
  slug?: string | undefined;
  timezone?: string | undefined;
  currency?: string | undefined;
}

export interface Principal {
  kind: 'user' | 'key';
  /** User id or key id. */
  id: string;
  storeId: string;
  role: Role;
  /** Write keys may only send tracking data. */
  keyKind?: ApiKeyKind;
}

export interface SessionInfo {
  userId: string;
  email: string;
  csrfToken: string;
  mustChangePassword: boolean;
  stores: { id: string; slug: string; name: string; role: Role }[];
}

function slugify(name: string): string {
  return name.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40) || 'store';
}

/** Stores, users, memberships, sessions and API keys. */
export class AccountsService {
  private readonly keyCache = new Map<string, { key: ApiKeyTable | undefined; until: number }>();
  /** When each key's last use was last written (epoch ms), so a busy key writes once a minute. */
  private readonly keyUseWritten = new Map<string, number>();
  /** Wrong passwords per account, for the sign-in back-off. */
  readonly failures = new SignInBackoff();

  constructor(
    private readonly write: Db,
    private readonly read: Db,
    private readonly defaultTimeZone = 'UTC',
  ) {}

  async createStore(input: StoreInput): Promise<StoreTable> {
    const timezone = input.timezone ?? this.defaultTimeZone;
    const currency = (input.currency ?? 'USD').toUpperCase();
    const problems = [];
    if (!input.name.trim()) problems.push({ path: 'name', reason: 'must not be empty' });
    if (!isTimeZone(timezone)) problems.push({ path: 'timezone', reason: `unknown time zone "${timezone}"` });
    if (!isCurrency(currency)) problems.push({ path: 'currency', reason: `unknown ISO 4217 currency "${currency}"` });
    const slug = input.slug ?? slugify(input.name);
    if (!/^[a-z0-9][a-z0-9-]{0,39}$/.test(slug)) problems.push({ path: 'slug', reason: 'must be 1-40 lower-case letters, digits or dashes' });
    if (problems.length) throw invalid('Invalid store', problems);
    if (await repo.findStore(this.read, slug)) throw new AppError('conflict', `A store with slug "${slug}" already exists`, [{ path: 'slug', reason: 'taken' }]);
    const store: StoreTable = {
      id: newId('st'), slug, name: input.name.trim(), timezone, currency,
      shopify_secret: null, inactivity_days: null, tracking_origins: null,
      website_url: null, logo_url: null, postal_address: null, brand_colors: null, created_at: new Date(),
    };
    await repo.insertStore(this.write, store);
    return store;
  }

  async getStore(idOrSlug: string): Promise<StoreTable> {
    const store = await repo.findStore(this.read, idOrSlug);
    if (!store) throw notFound(`Store "${idOrSlug}"`);
    return store;
  }

  findStore(idOrSlug: string): Promise<StoreTable | undefined> {
    return repo.findStore(this.read, idOrSlug);
  }

  listStores(): Promise<StoreTable[]> {
    return repo.listStores(this.read);
  }

  async updateStore(storeId: string, changes: {
    name?: string; timezone?: string; currency?: string; shopifySecret?: string | null; inactivityDays?: number | null; trackingOrigins?: string[] | null;
    websiteUrl?: string | null; logoUrl?: string | null; postalAddress?: string | null; brandColors?: BrandColors | null;
  }): Promise<StoreTable> {
    const problems = [];
    if (changes.timezone !== undefined && !isTimeZone(changes.timezone)) problems.push({ path: 'timezone', reason: `unknown time zone "${changes.timezone}"` });
    if (changes.currency !== undefined && !isCurrency(changes.currency)) problems.push({ path: 'currency', reason: `unknown ISO 4217 currency "${changes.currency}"` });
    if (changes.name !== undefined && !changes.name.trim()) problems.push({ path: 'name', reason: 'must not be empty' });
    changes.trackingOrigins?.forEach((origin, i) => {
      const problem = originProblem(origin);
      if (problem) problems.push({ path: `tracking_origins.${i}`, reason: problem });
    });
    problems.push(...brandingProblems(changes));
    if (problems.length) throw invalid('Invalid store settings', problems);
    await repo.updateStore(this.write, storeId, {
      ...(changes.name !== undefined && { name: changes.name.trim() }),
      ...(changes.timezone !== undefined && { timezone: changes.timezone }),
      ...(changes.currency !== undefined && { currency: changes.currency }),
      ...(changes.shopifySecret !== undefined && { shopify_secret: changes.shopifySecret }),
      ...(changes.inactivityDays !== undefined && { inactivity_days: changes.inactivityDays }),
      ...(changes.trackingOrigins !== undefined && { tracking_origins: changes.trackingOrigins === null ? null : JSON.stringify(changes.trackingOrigins) }),
      ...(changes.websiteUrl !== undefined && { website_url: changes.websiteUrl?.trim() || null }),
      ...(changes.logoUrl !== undefined && { logo_url: changes.logoUrl?.trim() || null }),
      ...(changes.postalAddress !== undefined && { postal_address: changes.postalAddress?.trim() || null }),
      ...(changes.brandColors !== undefined && { brand_colors: changes.brandColors === null ? null : JSON.stringify(changes.brandColors) }),
    });
    return this.getStore(storeId);
  }

  /**
   * First start: when nobody can sign in yet, creates the store (if there is none) and an owner
   * with a one-time password, and returns that login to print. Returns undefined otherwise.
   */
  async ensureFirstOwner(options: { email?: string; storeName?: string } = {}): Promise<{ email: string; password: string; storeId: string } | undefined> {
    if (await this.hasUsers()) return undefined;
    const stores = await this.listStores();
    const store = stores[0] ?? (await this.createStore({ name: options.storeName ?? 'My Store' }));
    const email = options.email ?? 'owner@hearth.local';
    const password = randomToken(12);
    await this.addUser(store.id, { email, password, role: 'owner', name: 'Owner' });
    return { email, password, storeId: store.id };
  }

  hasUsers(): Promise<boolean> {
    return repo.countUsers(this.read).then((n) => n > 0);
  }

  /** Creates a user (or adds an existing one) as a member of a store. */
  async addUser(storeId: string, input: { email: string; name?: string | undefined; password: string; role: Role; mustChangePassword?: boolean }): Promise<{ userId: string; created: boolean }> {
    const email = input.email.trim().toLowerCase();
    const problems = [];
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) problems.push({ path: 'email', reason: 'is not an email address' });
    const weak = passwordProblem(input.password, email);
    if (weak) problems.push({ path: 'password', reason: weak });
    if (!(roles as readonly string[]).includes(input.role)) problems.push({ path: 'role', reason: `must be one of ${roles.join(', ')}` });
    if (problems.length) throw invalid('Invalid user', problems);
    let user = await repo.findUserByEmail(this.read, email);
    const created = !user;
    if (!user) {
      user = {
        id: newId('us'), email, name: input.name ?? null, password_hash: await hash(input.password),
        must_change_password: input.mustChangePassword ?? false, created_at: new Date(),
      };
      await repo.insertUser(this.write, user);
    }
    await repo.upsertMembership(this.write, { store_id: storeId, user_id: user.id, role: input.role, created_at: new Date() });
    return { userId: user.id, created };
  }

  async resetPassword(email: string, password: string, mustChange = false): Promise<void> {
    const user = await repo.findUserByEmail(this.read, email);
    if (!user) throw notFound(`User "${email}"`);
    const weak = passwordProblem(password, user.email);
    if (weak) throw invalid('Invalid password', [{ path: 'password', reason: weak }]);
    await repo.setPassword(this.write, user.id, await hash(password), mustChange);
  }

  /** A signed-in user changes their own password: the current one must match; the new one follows the policy. */
  async changePassword(userId: string, current: string, next: string): Promise<void> {
    const user = await repo.findUser(this.read, userId);
    if (!user) throw notFound('User');
    if (current.length > PASSWORD_MAX || !(await verify(user.password_hash, current))) {
      throw invalid('Invalid password', [{ path: 'current_password', reason: 'does not match your password' }]);
    }
    const weak = passwordProblem(next, user.email);
    if (weak) throw invalid('Invalid password', [{ path: 'new_password', reason: weak }]);
    if (next === current) throw invalid('Invalid password', [{ path: 'new_password', reason: 'must differ from the current password' }]);
    await repo.setPassword(this.write, user.id, await hash(next), false);
  }

  listMembers(storeId: string) {
    return repo.membersOfStore(this.read, storeId);
  }

  async removeMember(storeId: string, userId: string): Promise<void> {
    const members = await repo.membersOfStore(this.read, storeId);
    const target = members.find((member) => member.user_id === userId);
    if (!target) throw notFound('Member');
    if (target.role === 'owner' && members.filter((member) => member.role === 'owner').length === 1) {
      throw new AppError('conflict', 'A store must keep at least one owner');
    }
    await repo.deleteMembership(this.write, storeId, userId);
  }

  /** Checks a password; returns a new session token (the cookie value) or throws unauthorized. */
  async login(email: string, password: string): Promise<{ token: string; session: SessionInfo }> {
    const account = email.trim().toLowerCase();
    this.failures.check(account);
    const user = await repo.findUserByEmail(this.read, email.trim());
    // Verify against a fixed hash when the user is unknown so timing does not reveal accounts.
    // An over-long password cannot be right (none is accepted), and hashing it would only cost CPU.
    const ok = password.length <= PASSWORD_MAX
      && (user ? await verify(user.password_hash, password) : await verify(DUMMY_HASH, password).then(() => false));
    if (!user || !ok) {
      this.failures.failed(account);
      throw new AppError('unauthorized', 'Wrong email or password');
    }
    this.failures.succeeded(account);
    const token = randomToken(32);
    const now = new Date();
    await repo.insertSession(this.write, {
      id: sha256(token), user_id: user.id, csrf_token: randomToken(24),
      created_at: now, expires_at: new Date(now.getTime() + SESSION_DAYS * 86_400_000),
    });
    const session = await this.session(token);
    if (!session) throw new AppError('internal', 'Session could not be read back');
    return { token, session };
  }

  async session(token: string): Promise<SessionInfo | undefined> {
    const row = await repo.findSession(this.read, sha256(token));
    if (!row || row.expires_at.getTime() < Date.now()) return undefined;
    const user = await repo.findUser(this.read, row.user_id);
    if (!user) return undefined;
    const memberships = await repo.membershipsOfUser(this.read, user.id);
    return {
      userId: user.id, email: user.email, csrfToken: row.csrf_token, mustChangePassword: user.must_change_password,
      stores: memberships.map((m) => ({ id: m.store_id, slug: m.slug, name: m.name, role: m.role })),
    };
  }

  async logout(token: string): Promise<void> {
    await repo.deleteSession(this.write, sha256(token));
  }

  /** Creates a key; the plain key is returned once and only its hash is kept. */
  async createApiKey(storeId: string, kind: ApiKeyKind, name: string): Promise<{ key: string; id: string; prefix: string }> {
    if (!apiKeyKinds.includes(kind)) throw invalid('Invalid key', [{ path: 'kind', reason: `must be one of ${apiKeyKinds.join(', ')}` }]);
    const key = KEY_PREFIX[kind] + randomToken(24);
    const id = newId('key');
    const prefix = key.slice(0, KEY_PREFIX[kind].length + 6);
    await repo.insertApiKey(this.write, {
      id, store_id: storeId, kind, name: name.trim() || kind, prefix, key_hash: sha256(key),
      created_at: new Date(), last_used_at: null, revoked_at: null,
    });
    return { key, id, prefix };
  }

  async listApiKeys(storeId: string) {
    const keys = await repo.listApiKeys(this.read, storeId);
    return keys.map(({ key_hash: _hash, ...rest }) => rest);
  }

  async revokeApiKey(storeId: string, id: string): Promise<void> {
    if (!(await repo.revokeApiKey(this.write, storeId, id, new Date()))) throw notFound('Active API key');
    this.keyCache.clear();
  }

  /**
   * Resolves a presented key. Lookups are cached for a few seconds because tracking calls carry
   * the key on every request; revocation in this process clears the cache at once.
   */
  async authenticateKey(presented: string): Promise<Principal | undefined> {
    const keyHash = sha256(presented);
    const cached = this.keyCache.get(keyHash);
    let key: ApiKeyTable | undefined;
    if (cached && cached.until > Date.now()) key = cached.key;
    else {
      key = await repo.findApiKeyByHash(this.read, keyHash);
      if (this.keyCache.size > 10_000) this.keyCache.clear();
      this.keyCache.set(keyHash, { key, until: Date.now() + 5_000 });
    }
    if (!key || key.revoked_at) return undefined;
    this.recordKeyUse(key.id);
    return { kind: 'key', id: key.id, storeId: key.store_id, role: key.kind === 'secret' ? 'admin' : 'analyst', keyKind: key.kind };
  }

  /**
   * Records that a key was used ("last used" on the Data page), at most once a minute per key.
   * Not awaited: a request never waits for this write, and a failed write is retried on the
   * key's next use.
   */
  private recordKeyUse(id: string): void {
    const now = Date.now();
    if (now - (this.keyUseWritten.get(id) ?? 0) < KEY_USE_EVERY_MS) return;
    if (this.keyUseWritten.size > 10_000) this.keyUseWritten.clear();
    this.keyUseWritten.set(id, now);
    repo.touchApiKey(this.write, id, new Date(now)).catch(() => this.keyUseWritten.delete(id));
  }
}

const KEY_USE_EVERY_MS = 60_000;

const DUMMY_HASH = '$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$4mL5cxr+f+n0Yy0yZqkGvE0S3RrYgcb2a0nIivrfJZk';
