/**
 * Message templates: saved with every change as a new version, validated on save (Liquid and MJML
 * errors with line and column, unknown variables named, the legal footer of marketing mail),
 * compiled once per version and cached, previewed with a chosen or sample customer, and rendered
 * per recipient for the sender.
 */
import type { Storage } from '../../db/database.js';
import { AppError, invalid, notFound } from '../../lib/errors.js';
import { newId } from '../../lib/ids.js';
import { brandColorsOf, type AccountsService } from '../accounts/index.js';
import type { CustomersService } from '../customers/index.js';
import { customerPrediction, customerPredictions } from '../predictions/index.js';
import {
  type CustomerFacts, customerVariables, defaultColors, type MessageExtras, type MessageVariables, sampleLinks, sampleVariables, type StoreVariables,
} from './message-context.js';
import type { MessageChannel, MessageLinks, MessagePurpose, RenderedEmail } from './message.types.js';
import { starterTemplate, starterTemplates, type StarterTemplate } from './starter-templates/index.js';
import { compileTemplate, renderEmail, type CompiledEmail, type TemplateProblem, type TemplateSource } from './template-render.js';
import * as repo from './templates.repository.js';
import { templatesDb, type MessageTemplateTable, type TemplatesDb } from './templates.table.js';

export interface TemplateSummary {
  id: string;
  name: string;
  channel: MessageChannel;
  purpose: MessagePurpose;
  starter_key: string | null;
  version: number;
  subject: string;
  archived_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export interface TemplateView extends TemplateSummary {
  preheader: string;
  body: string;
  versions: { version: number; subject: string; created_by: string | null; created_at: Date }[];
}

export interface TemplateInput {
  name: string;
  purpose: MessagePurpose;
  subject: string;
  preheader?: string;
  body: string;
}

export interface PreviewResult extends RenderedEmail {
  /** The version previewed, or null for unsaved content. */
  version: number | null;
  customer: { id: number | null; name: string; email: string | null; sample: boolean };
}

/** Sends a rendered message to an address as a test; the sending half of messaging provides it. */
export type TestSender = (storeId: string, to: string, message: RenderedEmail, template: { id: string; version: number | null }) => Promise<TestSendResult>;

/** A test message's place in the ledger (`send_id`), its Message-ID once the server accepted it, and its state. */
export interface TestSendResult {
  send_id: number;
  message_id: string | null;
  state: string;
  reason: string | null;
}

/** A recipient's top products with their reasons, as the recommendations module serves them. */
interface ServedRecommendations {
  items: { product_id: number; external_id: string; title: string; price: number | null; currency: string | null; image_url: string | null; reason: string; explanation: string }[];
}

/** What a render needs of the recommendations: one recipient's, or many recipients' at once. */
export interface RecommendationSource {
  forCustomer(storeId: string, customerId: number, options: { k: number }): Promise<ServedRecommendations>;
  forCustomers(storeId: string, customers: readonly { customerId: number; segment?: string | undefined }[], options: { k: number }): Promise<ReadonlyMap<number, ServedRecommendations>>;
}

/** What templates need from other modules, given by the composition root. */
export interface TemplateDependencies {
  accounts: () => AccountsService;
  customers: () => CustomersService;
  /** Fills `recommendations` for a real recipient when the template reads them. */
  recommendations?: () => RecommendationSource;
}

/** How many products a message's `recommendations` holds. */
const recommendationsPerMessage = 4;

const CACHE_LIMIT = 500;

const summaryOf = (row: MessageTemplateTable & { subject: string }): TemplateSummary => ({
  id: row.id, name: row.name, channel: row.channel, purpose: row.purpose, starter_key: row.starter_key, version: row.current_version,
  subject: row.subject, archived_at: row.archived_at, created_at: row.created_at, updated_at: row.updated_at,
});

export class TemplatesService {
  private readonly write: TemplatesDb;
  private readonly read: TemplatesDb;
  /** Compiled versions by `template id@version`: a version never changes, so an entry never goes stale. */
  private readonly compiledCache = new Map<string, CompiledEmail>();
  private readonly seeding = new Map<string, Promise<void>>();
  /** Set by the sending half of messaging; until then a test send answers 503. */
  private testSender: TestSender | undefined;

  constructor(private readonly storage: Storage, private readonly deps: TemplateDependencies) {
    this.write = templatesDb(storage.write);
    this.read = templatesDb(storage.read);
  }

  /** The sending half plugs in here, so "send a test" goes through the real transport. */
  useTestSender(sender: TestSender | undefined): void {
    this.testSender = sender;
  }

  starters(): readonly StarterTemplate[] {
    return starterTemplates();
  }

  /** The store's templates; a store that never had one gets editable copies of the starters first. */
  async list(storeId: string, options: { archived?: boolean } = {}): Promise<TemplateSummary[]> {
    await this.ensureStarters(storeId);
    return (await repo.listTemplateRows(this.read, storeId, options)).map(summaryOf);
  }

  /** Two first visits at once (a dashboard and the CLI) copy the starters once: the second waits for the first. */
  private ensureStarters(storeId: string): Promise<void> {
    let pending = this.seeding.get(storeId);
    if (!pending) {
      pending = (async () => {
        if ((await repo.countTemplateRows(this.read, storeId)) > 0) return;
        for (const starter of starterTemplates()) await this.createFromStarter(storeId, starter.key);
      })().finally(() => this.seeding.delete(storeId));
      this.seeding.set(storeId, pending);
    }
    return pending;
  }

  async get(storeId: string, id: string): Promise<TemplateView> {
    const row = await repo.findTemplateRow(this.read, storeId, id);
    if (!row) throw notFound(`Template ${id}`);
    const version = await repo.findVersionRow(this.read, storeId, id, row.current_version);
    if (!version) throw notFound(`Template ${id} version ${row.current_version}`);
    const versions = await repo.listVersionRows(this.read, storeId, id);
    return { ...summaryOf({ ...row, subject: version.subject }), preheader: version.preheader, body: version.body, versions };
  }

  /** One saved version's content (a sent message names the version it used). */
  async version(storeId: string, id: string, version: number): Promise<TemplateSource & { name: string; version: number; created_at: Date }> {
    const row = await repo.findTemplateRow(this.read, storeId, id);
    const saved = row && (await repo.findVersionRow(this.read, storeId, id, version));
    if (!row || !saved) throw notFound(`Template ${id} version ${version}`);
    return { name: row.name, version, subject: saved.subject, preheader: saved.preheader, body: saved.body, purpose: row.purpose, created_at: saved.created_at };
  }

  /** Checks content without saving: the problems, empty when it would save. */
  async validate(storeId: string, source: TemplateSource): Promise<TemplateProblem[]> {
    const store = await this.storeVariables(storeId);
    const result = await compileTemplate(source, { storeHasAddress: Boolean(store.address) });
    return result.ok ? [] : result.problems;
  }

  async create(storeId: string, input: TemplateInput, options: { starterKey?: string; actor?: string | null } = {}): Promise<TemplateView> {
    const name = input.name.trim();
    if (!name) throw invalid('Invalid template', [{ path: 'name', reason: 'must not be empty' }]);
    const source: TemplateSource = { subject: input.subject, preheader: input.preheader ?? '', body: input.body, purpose: input.purpose };
    const compiled = await this.compileOrThrow(storeId, source);
    const now = new Date();
    const id = newId('tpl');
    await repo.insertTemplate(this.write, {
      store_id: storeId, id, name, channel: 'email', purpose: input.purpose, starter_key: options.starterKey ?? null,
      current_version: 1, archived_at: null, created_at: now, updated_at: now,
    }, { store_id: storeId, template_id: id, version: 1, subject: source.subject, preheader: source.preheader, body: source.body, created_by: options.actor ?? null, created_at: now });
    this.remember(id, 1, compiled);
    return this.get(storeId, id);
  }

  async createFromStarter(storeId: string, key: string, options: { name?: string; actor?: string | null } = {}): Promise<TemplateView> {
    const starter = starterTemplate(key);
    if (!starter) throw invalid('Unknown starter', [{ path: 'starter', reason: `no starter template "${key}"; see GET /api/v1/templates/starters` }]);
    return this.create(storeId, { name: options.name ?? starter.name, purpose: starter.purpose, subject: starter.subject, preheader: starter.preheader, body: starter.body }, { starterKey: key, actor: options.actor ?? null });
  }

  /** Saves a change as a new version (name and purpose change in place; content is versioned). */
  async update(storeId: string, id: string, patch: Partial<TemplateInput>, options: { actor?: string | null } = {}): Promise<TemplateView> {
    const current = await this.get(storeId, id);
    if (current.archived_at) throw new AppError('conflict', `Template ${id} is archived`, [{ path: 'id', reason: 'archived templates cannot be changed' }]);
    const name = patch.name?.trim();
    if (patch.name !== undefined && !name) throw invalid('Invalid template', [{ path: 'name', reason: 'must not be empty' }]);
    const source: TemplateSource = {
      subject: patch.subject ?? current.subject, preheader: patch.preheader ?? current.preheader, body: patch.body ?? current.body, purpose: patch.purpose ?? current.purpose,
    };
    const changes = { ...(name && { name }), ...(patch.purpose && { purpose: patch.purpose }) };
    const contentChanged = source.subject !== current.subject || source.preheader !== current.preheader || source.body !== current.body || source.purpose !== current.purpose;
    if (!contentChanged) {
      if (Object.keys(changes).length) await repo.updateTemplateRow(this.write, storeId, id, { ...changes, updated_at: new Date() });
      return this.get(storeId, id);
    }
    const compiled = await this.compileOrThrow(storeId, source);
    const version = await repo.appendVersion(this.write, storeId, id, {
      subject: source.subject, preheader: source.preheader, body: source.body, created_by: options.actor ?? null, created_at: new Date(),
    }, changes);
    this.remember(id, version, compiled);
    return this.get(storeId, id);
  }

  /** Archives: the template leaves the list and cannot change; its versions stay for the messages that used them. */
  async archive(storeId: string, id: string): Promise<void> {
    const row = await repo.findTemplateRow(this.read, storeId, id);
    if (!row) throw notFound(`Template ${id}`);
    if (!row.archived_at) await repo.updateTemplateRow(this.write, storeId, id, { archived_at: new Date(), updated_at: new Date() });
  }

  /** A version compiled (from the cache after the first time); the current one by default. */
  async compiled(storeId: string, id: string, version?: number): Promise<{ compiled: CompiledEmail; version: number; purpose: MessagePurpose }> {
    const row = await repo.findTemplateRow(this.read, storeId, id);
    if (!row) throw notFound(`Template ${id}`);
    const wanted = version ?? row.current_version;
    const cached = this.compiledCache.get(`${id}@${wanted}`);
    if (cached) return { compiled: cached, version: wanted, purpose: row.purpose };
    const source = await this.version(storeId, id, wanted);
    // A saved version compiled once already; it is compiled again here without the store-address rule,
    // which may have changed since (a store that adds an address does not break its old versions).
    const result = await compileTemplate(source);
    if (!result.ok) throw invalid(`Template ${id} version ${wanted} no longer compiles`, result.problems);
    this.remember(id, wanted, result.compiled);
    return { compiled: result.compiled, version: wanted, purpose: row.purpose };
  }

  /** The store's part of every message's variables. */
  async storeVariables(storeId: string): Promise<StoreVariables> {
    const store = await this.deps.accounts().getStore(storeId);
    const colors = brandColorsOf(store.brand_colors);
    return {
      name: store.name, url: store.website_url, logo_url: store.logo_url, address: store.postal_address, currency: store.currency, timezone: store.timezone,
      colors: { primary: colors.primary ?? defaultColors.primary, background: colors.background ?? defaultColors.background, text: colors.text ?? defaultColors.text },
    };
  }

  /** A customer's variables (by id, `ext:<external id>` or email), with the caller's order, links and blocks. */
  async variablesFor(storeId: string, ref: string, extras: MessageExtras = {}, store?: StoreVariables, options: { recommendations?: boolean } = {}): Promise<MessageVariables> {
    const storeVars = store ?? await this.storeVariables(storeId);
    const customer = await this.findCustomer(storeId, ref);
    const wantsRecommendations = options.recommendations !== false && extras.recommendations === undefined && this.deps.recommendations !== undefined;
    const [summary, prediction, recommendations] = await Promise.all([
      repo.customerSummary(this.read, storeId, customer.id),
      customerPrediction(this.storage, storeId, customer.id),
      wantsRecommendations ? this.recommendationsFor(storeId, customer.id, storeVars) : undefined,
    ]);
    const withBlocks = recommendations ? { ...extras, recommendations } : extras;
    return customerVariables(storeVars, { customer, summary, prediction }, withBlocks, extras.links ?? sampleLinks(storeVars.url ?? undefined));
  }

  /** The recipient's "for you" products, as the template's `recommendations`. */
  private async recommendationsFor(storeId: string, customerId: number, store: StoreVariables): Promise<Record<string, unknown>[]> {
    return recommendationVariables(await this.deps.recommendations!().forCustomer(storeId, customerId, { k: recommendationsPerMessage }), store);
  }

  /**
   * What the variables of many customers are made from (profile, order summary, prediction), three
   * queries per thousand customers: a campaign renders thousands of messages a second, one query per
   * recipient would bound it. With `recommendations` (the store's variables, for the products'
   * links), each customer's "for you" products too, served from the model held in memory; a
   * customer without orders starts from what is popular in their segment of `segments` (a
   * campaign's audience) when given. Customers that do not exist are left out.
   */
  async customerFacts(storeId: string, customerIds: readonly number[], options: { recommendations?: StoreVariables | undefined; segments?: ReadonlyMap<number, string> } = {}): Promise<Map<number, CustomerFacts>> {
    const [customers, summaries, predictions] = await Promise.all([
      this.deps.customers().getMany(storeId, customerIds),
      repo.customerSummaries(this.read, storeId, customerIds),
      customerPredictions(this.storage, storeId, customerIds),
    ]);
    const facts = new Map<number, CustomerFacts>();
    for (const [id, customer] of customers) facts.set(id, { customer, summary: summaries.get(id), prediction: predictions.get(id) });
    const store = options.recommendations;
    if (store && this.deps.recommendations) {
      const served = await this.deps.recommendations().forCustomers(storeId, [...facts.keys()].map((id) => ({ customerId: id, segment: options.segments?.get(id) })), { k: recommendationsPerMessage });
      for (const [id, fact] of facts) fact.recommendations = recommendationVariables(served.get(id)!, store);
    }
    return facts;
  }

  /** Renders a saved template for one recipient: what the sender calls, with the recipient's signed links. */
  async render(storeId: string, templateId: string, recipient: { customer: string; links: MessageLinks; version?: number } & MessageExtras): Promise<RenderedEmail & { version: number }> {
    const { compiled, version } = await this.compiled(storeId, templateId, recipient.version);
    const variables = await this.variablesFor(storeId, recipient.customer, recipient, undefined, { recommendations: compiled.usesRecommendations });
    return { ...renderEmail(compiled, variables), version };
  }

  /** Preview of a saved template (current or given version) or of unsaved content, for a chosen or the sample customer. */
  async preview(storeId: string, target: { templateId: string; version?: number } | { source: TemplateSource }, options: { customer?: string } = {}): Promise<PreviewResult> {
    let compiled: CompiledEmail;
    let version: number | null = null;
    if ('templateId' in target) {
      ({ compiled, version } = await this.compiled(storeId, target.templateId, target.version));
    } else {
      compiled = await this.compileOrThrow(storeId, target.source);
    }
    const store = await this.storeVariables(storeId);
    const sample = sampleVariables(store);
    // A real customer keeps the sample's order, checkout and shipment, so every block has something to show.
    const variables = options.customer
      ? await this.variablesFor(storeId, options.customer, { order: sample.order ?? null, checkout: sample.checkout ?? null, fulfillment: sample.fulfillment ?? null, recommendations: sample.recommendations, discount_code: sample.discount_code, links: sample.links }, store)
      : sample;
    const rendered = renderEmail(compiled, variables);
    return {
      ...rendered, version,
      customer: { id: variables.customer.id, name: variables.customer.name, email: variables.customer.email, sample: !options.customer },
    };
  }

  /** Sends the preview to an address (`POST /api/v1/templates/:id/test`), through the sending half's hook. */
  async sendTest(storeId: string, id: string, to: string, options: { customer?: string; version?: number } = {}): Promise<TestSendResult & { to: string }> {
    const preview = await this.preview(storeId, { templateId: id, ...(options.version && { version: options.version }) }, options);
    const sender = this.testSender;
    if (!sender) throw new AppError('unavailable', 'Sending is not set up yet: test messages need the email transport');
    const sent = await sender(storeId, to, { subject: `[Test] ${preview.subject}`, preheader: preview.preheader, html: preview.html, text: preview.text }, { id, version: preview.version });
    return { ...sent, to };
  }

  private async compileOrThrow(storeId: string, source: TemplateSource): Promise<CompiledEmail> {
    const store = await this.storeVariables(storeId);
    const result = await compileTemplate(source, { storeHasAddress: Boolean(store.address) });
    if (!result.ok) throw invalid('Invalid template', result.problems);
    return result.compiled;
  }

  private remember(id: string, version: number, compiled: CompiledEmail): void {
    if (this.compiledCache.size >= CACHE_LIMIT) {
      const oldest = this.compiledCache.keys().next().value;
      if (oldest !== undefined) this.compiledCache.delete(oldest);
    }
    this.compiledCache.set(`${id}@${version}`, compiled);
  }

  private async findCustomer(storeId: string, ref: string): Promise<Awaited<ReturnType<CustomersService['get']>>> {
    if (ref.includes('@')) {
      const row = await this.read.selectFrom('customers').select('id').where('store_id', '=', storeId).where('email', '=', ref.trim().toLowerCase()).orderBy('id').executeTakeFirst();
      if (!row) throw notFound(`Customer "${ref}"`);
      return this.deps.customers().get(storeId, String(row.id));
    }
    return this.deps.customers().get(storeId, ref);
  }
}

/**
 * A recipient's "for you" products as a template loops over them: title, url (the store's address
 * + /products/ + the product's id in the store), image, price, and why.
 */
function recommendationVariables(list: ServedRecommendations, store: StoreVariables): Record<string, unknown>[] {
  const base = store.url?.replace(/\/+$/, '');
  return list.items.map((item) => ({
    product_id: item.product_id, title: item.title, url: base ? `${base}/products/${encodeURIComponent(item.external_id)}` : null,
    image: item.image_url, price: item.price, currency: item.currency ?? store.currency, reason: item.reason, explanation: item.explanation,
  }));
}
