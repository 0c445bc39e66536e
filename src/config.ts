/**
 * The only reader of the environment. Parsed once with zod, frozen, and fails fast with a message
 * that names the variable and points to docs/configuration.md.
 */
import { resolve } from 'node:path';
import { z } from 'zod';
import { isTimeZone } from './lib/time.js';

const levels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const schema = z.object({
  HEARTH_DATA_DIR: z.string().min(1).default('./data'),
  HEARTH_HOST: z.string().min(1).default('127.0.0.1'),
  HEARTH_PORT: z.coerce.number().int().min(0).max(65_535).default(7600),
  HEARTH_LOG_LEVEL: z.enum(levels).default('info'),
  HEARTH_PUBLIC_URL: z.url().optional(),
  HEARTH_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  HEARTH_DB_READERS: z.coerce.number().int().min(1).max(32).default(2),
  HEARTH_DB_MEMORY_LIMIT: z
    .string()
    .regex(/^\d+(\.\d+)?\s*(KB|MB|GB|KiB|MiB|GiB)$/i, 'must look like 1GB or 512MB')
    .default('1GB'),
  HEARTH_DB_THREADS: z.coerce.number().int().min(1).max(64).optional(),
  HEARTH_DEFAULT_TIMEZONE: z.string().refine(isTimeZone, 'must be an IANA time zone such as Europe/London').default('UTC'),
  HEARTH_SECURE_COOKIES: z.enum(['true', 'false', 'auto']).default('auto'),
  HEARTH_SMTP_URL: z.string().regex(/^smtps?:\/\/[^\s]+$/, 'must look like smtp://user:password@host:587 or smtps://host:465').optional(),
  HEARTH_SMTP_MAX_CONNECTIONS: z.coerce.number().int().min(1).max(100).default(5),
  HEARTH_SNS_CERT_HOSTS: z.string().regex(/^[\w.-]+(:\d+)?(,[\w.-]+(:\d+)?)*$/, 'must be a comma-separated list of host or host:port').optional(),
  HEARTH_SHOPIFY_ADMIN_URL: z.string().regex(/^https?:\/\/\S*\{shop\}\S*$/, 'must be an http(s) URL with {shop} where the shop\'s domain goes').optional(),
});

export interface Config {
  readonly dataDir: string;
  readonly host: string;
  readonly port: number;
  readonly logLevel: (typeof levels)[number];
  readonly publicUrl: string;
  readonly secret: string | undefined;
  readonly db: { readonly readers: number; readonly memoryLimit: string; readonly threads: number | undefined };
  readonly defaultTimeZone: string;
  readonly secureCookies: boolean;
  /** The operator's SMTP server; none: mail stays on the machine (the built-in catcher). */
  readonly smtpUrl: string | undefined;
  /** SMTP connections per store at once: messages in a conversation at once, and at most this many `uncertain` after a crash. */
  readonly smtpMaxConnections: number;
  /** Hosts besides Amazon's SNS hosts whose certificates may sign SES notifications (a private endpoint, a test stand-in). */
  readonly snsCertHosts: readonly string[];
  /** Shopify's Admin GraphQL endpoint, `{shop}` standing for the shop's domain (another: a private proxy, a test stand-in). */
  readonly shopifyAdminUrl: string | undefined;
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Values given on the command line win over the environment. */
export interface ConfigOverrides {
  dataDir?: string | undefined;
  host?: string | undefined;
  port?: number | undefined;
  logLevel?: string | undefined;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: ConfigOverrides = {}): Config {
  const input: Record<string, string | undefined> = {};
  for (const key of Object.keys(schema.shape)) input[key] = env[key] === '' ? undefined : env[key];
  if (overrides.dataDir !== undefined) input.HEARTH_DATA_DIR = overrides.dataDir;
  if (overrides.host !== undefined) input.HEARTH_HOST = overrides.host;
  if (overrides.port !== undefined) input.HEARTH_PORT = String(overrides.port);
  if (overrides.logLevel !== undefined) input.HEARTH_LOG_LEVEL = overrides.logLevel;

  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}\nSee docs/configuration.md.`);
  }
  const values = parsed.data;
  const publicUrl = values.HEARTH_PUBLIC_URL ?? `http://${values.HEARTH_HOST === '0.0.0.0' ? 'localhost' : values.HEARTH_HOST}:${values.HEARTH_PORT}`;
  return Object.freeze({
    dataDir: resolve(values.HEARTH_DATA_DIR),
    host: values.HEARTH_HOST,
    port: values.HEARTH_PORT,
    logLevel: values.HEARTH_LOG_LEVEL,
    publicUrl: publicUrl.replace(/\/$/, ''),
    secret: values.HEARTH_SECRET,
    db: Object.freeze({
      readers: values.HEARTH_DB_READERS,
      memoryLimit: values.HEARTH_DB_MEMORY_LIMIT,
      threads: values.HEARTH_DB_THREADS,
    }),
    defaultTimeZone: values.HEARTH_DEFAULT_TIMEZONE,
    secureCookies:
      values.HEARTH_SECURE_COOKIES === 'auto' ? publicUrl.startsWith('https:') : values.HEARTH_SECURE_COOKIES === 'true',
    smtpUrl: values.HEARTH_SMTP_URL,
    smtpMaxConnections: values.HEARTH_SMTP_MAX_CONNECTIONS,
    snsCertHosts: Object.freeze(values.HEARTH_SNS_CERT_HOSTS?.split(',') ?? []),
    shopifyAdminUrl: values.HEARTH_SHOPIFY_ADMIN_URL,
  });
}
