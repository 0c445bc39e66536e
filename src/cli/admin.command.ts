/** Store, user, key and migration management from the command line. */
import type { Command } from 'commander';
import { roles } from '../modules/accounts/index.js';
import { apiKeyKinds, type ApiKeyKind, type Role } from '../modules/accounts/index.js';
import { storeView } from '../http/admin/accounts.routes.js';
import { formatDateTime } from '../lib/format.js';
import { randomToken } from '../lib/ids.js';
import { CliError, formatTable, printJson, resolveStore, resolveStoreId, toWire, withContext, withDataDir, type CommonOptions } from './context.js';

export function registerAdminCommands(program: Command): void {
  withDataDir(program.command('migrate').description('apply pending database migrations'), { store: false })
    .action(async (options: CommonOptions) => {
      await withContext(options, async () => undefined, { migrate: true }).then(() => process.stdout.write('The store is up to date.\n'));
    });

  const stores = program.command('stores').description('create and list stores');
  withDataDir(stores.command('create').description('create a store'), { store: false })
    .requiredOption('--name <name>', 'store name')
    .option('--slug <slug>', 'short name used in URLs')
    .option('--timezone <zone>', 'IANA time zone, e.g. Europe/London')
    .option('--currency <code>', 'ISO 4217 currency, e.g. GBP', 'USD')
    .option('--json', 'print JSON')
    .action(async (options: CommonOptions & { name: string; slug?: string; timezone?: string; currency: string }) => {
      await withContext(options, async ({ services }) => {
        const store = await services.accounts.createStore(options);
        if (options.json) printJson(toWire(storeView(store)));
        else process.stdout.write(`Created store ${store.name} (${store.slug}, ${store.id})\n`);
      }, { migrate: true });
    });
  withDataDir(stores.command('list').description('list stores'), { store: false })
    .option('--json', 'print JSON')
    .action(async (options: CommonOptions) => {
      await withContext(options, async ({ services }) => {
        const list = await services.accounts.listStores();
        if (options.json) printJson({ data: toWire(list.map(storeView)) });
        else process.stdout.write(`${formatTable(['id', 'slug', 'name', 'timezone', 'currency'], list.map((s) => [s.id, s.slug, s.name, s.timezone, s.currency]))}\n`);
      });
    });

  const users = program.command('users').description('manage users and their roles');
  withDataDir(users.command('create').description('add a user to a store (prints a generated password unless --password is given)'))
    .requiredOption('--email <email>', 'email address used to sign in')
    .option('--role <role>', `one of ${roles.join(', ')}`, 'owner')
    .option('--name <name>', 'display name')
    .option('--password <password>', 'password (at least 10 characters)')
    .action(async (options: CommonOptions & { email: string; role: string; name?: string; password?: string }) => {
      if (!roles.includes(options.role as Role)) throw new CliError(`--role: must be one of ${roles.join(', ')}, not "${options.role}"`, 2);
      await withContext(options, async ({ services }) => {
        const storeId = await resolveStoreId(services, options.store);
        const password = options.password ?? randomToken(12);
        const { created } = await services.accounts.addUser(storeId, { email: options.email, name: options.name, password, role: options.role as Role, mustChangePassword: !options.password });
        process.stdout.write(created ? `Created ${options.email} (${options.role})${options.password ? '' : ` with password ${password}`}\n` : `${options.email} is now ${options.role} of this store (existing password kept)\n`);
      });
    });
  withDataDir(users.command('list').description('list the users of a store'))
    .option('--json', 'print JSON')
    .action(async (options: CommonOptions) => {
      await withContext(options, async ({ services }) => {
        const store = await resolveStore(services, options.store);
        const members = await services.accounts.listMembers(store.id);
        // The same body as GET /api/v1/users.
        if (options.json) printJson(toWire({ data: members }));
        else process.stdout.write(`${formatTable(['email', 'name', 'role', `added (${store.timezone})`], members.map((m) => [m.email, m.name, m.role, formatDateTime(m.created_at, store.timezone)]))}\n`);
      });
    });
  withDataDir(users.command('reset-password').description('set a new password for a user'), { store: false })
    .requiredOption('--email <email>', 'the user')
    .option('--password <password>', 'new password (default: a generated one, to change at next sign-in)')
    .action(async (options: CommonOptions & { email: string; password?: string }) => {
      await withContext(options, async ({ services }) => {
        const password = options.password ?? randomToken(12);
        await services.accounts.resetPassword(options.email, password, !options.password);
        process.stdout.write(options.password ? 'Password changed.\n' : `New password: ${password}\n`);
      });
    });

  const keys = program.command('keys').description('manage API keys');
  withDataDir(keys.command('create').description('create an API key (shown once)'))
    .option('--kind <kind>', 'write (public, browser behaviour only), server (tracking with orders and identity) or secret (admin API)', 'secret')
    .option('--name <name>', 'what the key is for', '')
    .option('--json', 'print JSON')
    .action(async (options: CommonOptions & { kind: string; name: string }) => {
      if (!(apiKeyKinds as readonly string[]).includes(options.kind)) throw new CliError(`--kind: must be one of ${apiKeyKinds.join(', ')}, not "${options.kind}"`, 2);
      await withContext(options, async ({ services }) => {
        const created = await services.accounts.createApiKey(await resolveStoreId(services, options.store), options.kind as ApiKeyKind, options.name);
        if (options.json) printJson(created);
        else process.stdout.write(`${created.key}\nKeep it now: only its hash is stored (id ${created.id}).\n`);
      });
    });
  withDataDir(keys.command('list').description('list API keys (never the keys themselves)'))
    .option('--json', 'print JSON')
    .action(async (options: CommonOptions) => {
      await withContext(options, async ({ services }) => {
        const store = await resolveStore(services, options.store);
        const list = await services.accounts.listApiKeys(store.id);
        const at = (instant: Date | null, none: string) => (instant ? formatDateTime(instant, store.timezone) : none);
        // The same body as GET /api/v1/keys.
        if (options.json) printJson(toWire({ data: list }));
        else process.stdout.write(`${formatTable(['id', 'kind', 'name', 'prefix', `created (${store.timezone})`, 'last used', 'revoked'], list.map((k) => [k.id, k.kind, k.name, `${k.prefix}…`, at(k.created_at, ''), at(k.last_used_at, 'never'), at(k.revoked_at, '')]))}\n`);
      });
    });
  withDataDir(keys.command('revoke').description('revoke an API key').argument('<id>', 'key id'))
    .action(async (id: string, options: CommonOptions) => {
      await withContext(options, async ({ services }) => {
        await services.accounts.revokeApiKey(await resolveStoreId(services, options.store), id);
        process.stdout.write(`Revoked ${id}\n`);
      });
    });
}
