/**
 * `hearth offers`: the store's offers and their results, creating one, importing codes from a
 * Shopify discount code export, and issuing a code to a customer under an idempotency key (docs/offers.md).
 * Works on the data directory, or through the server when one runs on it.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { z } from 'zod';
import type { offerDetailSchema, offerImportSchema, offerIssueSchema, offerListSchema, offerPushSchema, offerSchema } from '../http/schemas/offers.schemas.js';
import { formatDateTime, formatNumber } from '../lib/format.js';
import { formatMoney } from '../lib/money.js';
import { valueKinds, type OfferInput } from '../modules/offers/index.js';
import { CliError, formatTable, printJson, toWire, withDataDir, withStoreBackend, type CommonOptions } from './context.js';

type Offer = z.input<typeof offerSchema>;
type OfferDetail = z.input<typeof offerDetailSchema>;
type OfferList = z.input<typeof offerListSchema>;
type Issued = z.input<typeof offerIssueSchema>;
type Imported = z.input<typeof offerImportSchema>;
type Pushed = z.input<typeof offerPushSchema>;

const run = withStoreBackend;

/** A customer as the API names them: an id, `ext:<external id>`, or a bare external id. */
const customerRef = (text: string): string => (/^\d+$/.test(text) || text.startsWith('ext:') ? text : `ext:${text}`);

function whole(flag: string, text: string | undefined, min: number, max: number): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!/^-?\d+$/.test(text.trim()) || value < min || value > max) throw new CliError(`${flag}: a whole number from ${min} to ${max}, got "${text}"`, 2);
  return value;
}

function describeValue(o: Pick<Offer, 'value_kind' | 'value' | 'currency' | 'minimum_spend'>): string {
  const value = o.value_kind === 'fixed' ? `${formatMoney(o.value, o.currency)} off` : o.value_kind === 'percent' ? `${o.value} % off` : 'free shipping';
  return o.minimum_spend > 0 ? `${value} from ${formatMoney(o.minimum_spend, o.currency)}` : value;
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new CliError(`<file>: cannot read ${file}: ${(error as Error).message}`, 2);
  }
}

interface CreateOptions extends CommonOptions {
  name?: string; kind?: string; value?: string; minimumSpend?: string; validDays?: string; expiresAt?: string; pattern?: string;
  imported?: boolean; poolSize?: string; segment?: string; maxOffers?: string; perDays?: string; holdout?: string; shopifyDiscount?: string;
}

/** The create request from the flags; usage mistakes exit 2 naming the flag, the rest is checked by the service. */
function createInput(o: CreateOptions): OfferInput {
  if (!o.name) throw new CliError('--name is required', 2);
  if (!o.kind || !(valueKinds as readonly string[]).includes(o.kind)) throw new CliError(`--kind: ${valueKinds.join(', ')}${o.kind ? `, got "${o.kind}"` : ' is required'}`, 2);
  if ((o.maxOffers === undefined) !== (o.perDays === undefined)) throw new CliError('--max-offers and --per-days go together', 2);
  let holdout: number | undefined;
  if (o.holdout !== undefined) {
    holdout = Number(o.holdout);
    if (!Number.isFinite(holdout) || holdout < 0 || holdout > 0.5) throw new CliError(`--holdout: a share from 0 to 0.5, got "${o.holdout}"`, 2);
  }
  const value = whole('--value', o.value, 0, 100_000_000) ?? (o.kind === 'free_shipping' ? 0 : undefined);
  if (value === undefined) throw new CliError('--value is required (minor units for fixed, 1–100 for percent)', 2);
  const validDays = whole('--valid-days', o.validDays, 1, 3650);
  const poolSize = whole('--pool-size', o.poolSize, 1, 10_000);
  const minimum = whole('--minimum-spend', o.minimumSpend, 0, 100_000_000);
  return {
    name: o.name, value_kind: o.kind as OfferInput['value_kind'], value, source: o.imported ? 'import' : 'pattern',
    ...(minimum !== undefined && { minimum_spend: minimum }), ...(validDays !== undefined && { valid_days: validDays }),
    ...(o.expiresAt !== undefined && { expires_at: o.expiresAt }), ...(o.pattern !== undefined && { pattern: o.pattern }),
    ...(poolSize !== undefined && { pool_size: poolSize }), ...(o.segment !== undefined && { segment_id: o.segment }),
    ...(o.maxOffers !== undefined && { guardrail: { max_offers: whole('--max-offers', o.maxOffers, 1, 1000)!, days: whole('--per-days', o.perDays, 1, 3650)! } }),
    ...(holdout !== undefined && { holdout_share: holdout }), ...(o.shopifyDiscount !== undefined && { shopify_discount_id: o.shopifyDiscount }),
  };
}

export function registerOffersCommand(program: Command): void {
  const offers = program.command('offers').description('offers with unique discount codes: list, show with results, create, import codes, push codes to Shopify, issue a code');

  withDataDir(offers.command('list').description('the store\'s offers, newest first')).option('--json', 'print JSON')
    .action(async (options: CommonOptions) => {
      const list = await run(options, async (b): Promise<OfferList> => ('services' in b
        ? toWire({ data: await b.services.offers.list(b.storeId) }) as OfferList
        : b.server.json<OfferList>('GET', '/api/v1/offers', { store: b.storeId })));
      if (options.json) return printJson(list);
      if (!list.data.length) return void process.stdout.write('No offers yet: create one with hearth offers create.\n');
      process.stdout.write(`${formatTable(['id', 'name', 'value', 'status', 'codes', 'available'], list.data.map((o) => [o.id, o.name, describeValue(o), o.status, o.pool.codes, o.pool.available]))}\n`);
    });

  withDataDir(offers.command('show <offer>').description('an offer and its results: issued, redeemed, revenue, discount cost, incremental orders, revenue and margin')).option('--json', 'print JSON')
    .action(async (id: string, options: CommonOptions) => {
      const { offer, store } = await run(options, async (b) => ({
        store: b.store,
        offer: 'services' in b ? toWire(await b.services.offers.show(b.storeId, id)) as OfferDetail : await b.server.json<OfferDetail>('GET', `/api/v1/offers/${encodeURIComponent(id)}`, { store: b.storeId }),
      }));
      if (options.json) return printJson(offer);
      const r = offer.results;
      const money = (v: number) => formatMoney(v, r.currency);
      const lines = [
        `${offer.name} (${offer.id}): ${describeValue(offer)}, ${offer.status}.`,
        `Codes: ${offer.source === 'pattern' ? `pattern ${offer.pattern}` : 'imported'}, ${formatNumber(offer.pool.codes)} in the pool, ${formatNumber(offer.pool.available)} not handed out; ${offer.expires_at ? `valid until ${formatDateTime(offer.expires_at, store.timezone)}` : `valid ${offer.valid_days} days from issue`}.`,
        `Issued ${formatNumber(r.issued)}, held out ${formatNumber(r.held_out)}, redeemed ${formatNumber(r.redeemed)} (${(r.redemption_rate * 100).toFixed(1)} %). Revenue ${money(r.revenue)}, discounts ${money(r.discount_cost)}.`,
      ];
      const measured = r.incremental.filter((w) => w.people > 0);
      if (measured.length) {
        lines.push('', formatTable(['window', 'offered', 'holdout', 'incr. orders', 'incr. revenue', 'incr. margin', 'verdict'], measured.map((w) => [
          `${w.days} days`, w.people, w.control_people, `${w.orders.value.toFixed(1)} (${w.orders.low.toFixed(1)} … ${w.orders.high.toFixed(1)})`,
          `${money(w.revenue.value)} (${money(w.revenue.low)} … ${money(w.revenue.high)})`, `${money(w.margin.value)} (${money(w.margin.low)} … ${money(w.margin.high)})`, w.verdict,
        ])));
      } else lines.push('No window has elapsed yet for anyone eligible: no comparison with the holdout yet.');
      process.stdout.write(`${lines.join('\n')}\n`);
    });

  withDataDir(offers.command('create').description('create an offer (codes from --pattern, or --import them later)'))
    .option('--name <name>', 'the offer\'s name').option('--kind <kind>', valueKinds.join(', ')).option('--value <n>', 'fixed: minor units; percent: 1–100')
    .option('--minimum-spend <n>', 'minor units the order must reach').option('--valid-days <n>', 'each code lapses this many days after issue')
    .option('--expires-at <time>', 'every code lapses at this ISO 8601 time').option('--pattern <pattern>', 'e.g. WB-????-???? (each ? a random character)')
    .option('--import', 'codes come from a CSV (hearth offers import)').option('--pool-size <n>', 'codes a pattern makes at a time')
    .option('--segment <id>', 'only members of this segment get a code').option('--max-offers <n>', 'guardrail: at most this many offers per customer …')
    .option('--per-days <n>', '… in this many days').option('--holdout <share>', 'share held out, 0 to 0.5 (default 0.1)')
    .option('--shopify-discount <id>', 'add the codes to this Shopify code discount (gid://shopify/DiscountCodeNode/…) before handing them out').option('--json', 'print JSON')
    .action(async (options: CreateOptions & { import?: boolean }) => {
      const input = createInput({ ...options, imported: options.import ?? false });
      const offer = await run(options, async (b): Promise<Offer> => ('services' in b
        ? toWire(await b.services.offers.create(b.storeId, input)) as Offer
        : b.server.json<Offer>('POST', '/api/v1/offers', { store: b.storeId, body: input })));
      if (options.json) return printJson(offer);
      process.stdout.write(`Created ${offer.id}: ${offer.name}, ${describeValue(offer)}; ${formatNumber(offer.pool.codes)} codes in the pool.\n`);
    });

  withDataDir(offers.command('import <offer> <file>').description('add codes from a CSV with a Code column (Shopify\'s discount code export)')).option('--json', 'print JSON')
    .action(async (id: string, file: string, options: CommonOptions) => {
      const csv = readText(file);
      const result = await run(options, async (b): Promise<Imported> => ('services' in b
        ? toWire(await b.services.offers.importCodes(b.storeId, id, csv)) as Imported
        : b.server.json<Imported>('POST', `/api/v1/offers/${encodeURIComponent(id)}/codes/import`, { store: b.storeId, body: { csv } })));
      if (options.json) return printJson(result);
      process.stdout.write(`Imported ${formatNumber(result.imported)} codes (${formatNumber(result.already)} already there); ${formatNumber(result.pool.available)} of ${formatNumber(result.pool.codes)} not handed out.\n`);
    });

  withDataDir(offers.command('push <offer>').description('add the offer\'s unsent codes to its Shopify discount now (the server does it every few minutes)')).option('--json', 'print JSON')
    .action(async (id: string, options: CommonOptions) => {
      const result = await run(options, async (b): Promise<Pushed> => ('services' in b
        ? toWire({ data: await b.services.offers.pushToShopify(b.storeId, id) }) as Pushed
        : b.server.json<Pushed>('POST', `/api/v1/offers/${encodeURIComponent(id)}/shopify/push`, { store: b.storeId })));
      if (options.json) return printJson(result);
      for (const { offer_id, discount_id, state } of result.data) {
        process.stdout.write(`${offer_id} → ${discount_id}: ${formatNumber(state.confirmed)} confirmed by Shopify, ${formatNumber(state.pending)} pending, ${formatNumber(state.refused)} refused, ${formatNumber(state.unsent)} not sent.\n`);
      }
    });

  withDataDir(offers.command('issue <offer> <customer>').description('issue a code to a customer (id or external id); the same --key always gets the same code'))
    .option('--key <key>', 'the idempotency key (e.g. the send key)').option('--json', 'print JSON')
    .action(async (id: string, customer: string, options: CommonOptions & { key?: string }) => {
      const key = options.key;
      if (!key || !/^[\x21-\x7e]{1,200}$/.test(key)) throw new CliError('--key: required, printable ASCII without spaces, up to 200 characters', 2);
      const ref = customerRef(customer);
      const issued = await run(options, async (b): Promise<Issued> => {
        if ('services' in b) {
          const found = await b.services.customers.get(b.storeId, ref);
          return toWire((await b.services.offers.issue(b.storeId, id, found.id, key)).issue) as Issued;
        }
        return b.server.json<Issued>('POST', `/api/v1/offers/${encodeURIComponent(id)}/issue`, { store: b.storeId, body: { customer_id: ref }, headers: { 'idempotency-key': key } });
      });
      if (options.json) return printJson(issued);
      const why = { holdout: 'in the offer\'s holdout (measured, gets no code)', not_in_segment: 'not in the offer\'s segment', guardrail: 'got the most offers the guardrail allows lately' } as const;
      process.stdout.write(issued.code ? `${issued.code} (customer ${issued.customer_id}, valid until ${issued.expires_at})\n` : `No code: customer ${issued.customer_id} is ${why[issued.outcome as keyof typeof why]}.\n`);
    });
}
