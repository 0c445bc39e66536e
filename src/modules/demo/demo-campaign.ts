/**
 * A campaign with results in the demo: a win-back email to the "Probably lost" customers, from the
 * Win-back starter template, started three weeks before the demo's last day with a 20 % holdout.
 * The demo simulates that it worked a little: about 6 % of the people sent it come back and order
 * within ten days, on top of what the simulated history already has them do — so the results page
 * shows a lift over the holdout, with its interval. The messages are queued in the send ledger and
 * delivered to the built-in mail catcher by the server's worker (never to an SMTP server: the
 * demo's addresses are made up).
 */
import { createHash } from 'node:crypto';
import { DAY_MS } from '../../lib/time.js';
import type { Services } from '../../services.js';
import { SPRING_NEWSLETTER_EFFECT } from './planted-effects.js';

const STARTED_DAYS_BEFORE_END = 21;
const RESPONSE_SHARE = 0.06;

/** A fixed number in [0, 1) per customer: the same customers respond on every build. */
const draw = (customerId: number) => createHash('sha256').update(`demo-win-back:${customerId}`).digest().readUIntBE(0, 6) / 2 ** 48;

export async function addDemoCampaign(services: Services, storeId: string, end: Date, currency: string): Promise<string | undefined> {
  if (services.config.smtpUrl) return undefined;
  const lost = (await services.segments.list(storeId)).find((s) => s.builtin_key === 'lost');
  if (!lost || lost.member_count === 0) return undefined;
  const template = await services.templates.createFromStarter(storeId, 'win_back', { name: 'We miss you (win-back)' });
  const campaign = await services.campaigns.create(storeId, {
    name: 'We miss you — spring win-back', segment_ids: [lost.id], template_id: template.id, holdout_share: 0.2, attribution_days: 14,
  });
  const startedAt = new Date(end.getTime() - STARTED_DAYS_BEFORE_END * DAY_MS);
  await services.campaigns.start(storeId, campaign.id, startedAt, { refreshSegments: false });

  const sent: number[] = [];
  for (let cursor: string | null = null; ;) {
    const page = await services.campaigns.recipients(storeId, campaign.id, { group: 'sent', limit: 1000, ...(cursor && { after: Number(cursor) }) });
    sent.push(...page.data.map((r) => r.customer_id));
    if (!page.next_cursor) break;
    cursor = page.next_cursor;
  }
  const responders = sent.filter((id) => draw(id) < RESPONSE_SHARE);
  if (!responders.length) return campaign.id;
  const customers = await services.storage.read.selectFrom('customers').select(['id', 'external_id']).where('store_id', '=', storeId).where('id', 'in', responders).execute();
  const products = await services.storage.read.selectFrom('products').select(['external_id', 'title', 'price']).where('store_id', '=', storeId)
    .where('price', 'is not', null).orderBy('external_id').limit(40).execute();
  await services.commerce.write(storeId, {
    orders: customers.filter((c) => c.external_id).map((c) => {
      const product = products[Number(c.id) % products.length]!;
      const u = draw(Number(c.id)) / RESPONSE_SHARE;
      return {
        external_id: `WB-${c.external_id}`, customer_external_id: c.external_id!, currency, discount_codes: ['COMEBACK15'],
        placed_at: new Date(startedAt.getTime() + (0.5 + u * 9.5) * DAY_MS), channel: 'email',
        lines: [{ product_external_id: product.external_id, title: product.title, quantity: 1, unit_price: Number(product.price) }],
      };
    }),
  }, { source: 'demo' });
  return campaign.id;
}

/** The spring newsletter went out this many days before the demo's last day. */
const NEWSLETTER_DAYS_BEFORE_END = 35;

/**
 * A newsletter to every customer who bought more than once, with a 10 % holdout, that changes
 * nothing: no order is added for anyone (planted-effects.ts, SPRING_NEWSLETTER_EFFECT), so its
 * results page shows what a campaign without effect looks like — a difference within its interval.
 */
export async function addDemoNewsletter(services: Services, storeId: string, end: Date): Promise<string | undefined> {
  if (services.config.smtpUrl) return undefined;
  const repeat = (await services.segments.list(storeId)).find((s) => s.builtin_key === 'repeat_buyers');
  if (!repeat || repeat.member_count === 0) return undefined;
  const template = await services.templates.createFromStarter(storeId, 'newsletter', { name: 'Spring newsletter' });
  const campaign = await services.campaigns.create(storeId, {
    name: SPRING_NEWSLETTER_EFFECT.source.replace(/^campaign:/, ''), segment_ids: [repeat.id], template_id: template.id,
    holdout_share: 0.1, attribution_days: SPRING_NEWSLETTER_EFFECT.window_days,
  });
  await services.campaigns.start(storeId, campaign.id, new Date(end.getTime() - NEWSLETTER_DAYS_BEFORE_END * DAY_MS), { refreshSegments: false });
  return campaign.id;
}
