/**
 * The demo's customer service and surveys (docs/listen.md): tickets a few days after a
 * customer's first order, through the API and, for every fifth one, as Zendesk's event webhooks
 * deliver them; NPS answers a fortnight after the first order; CSAT answers about the first
 * order's delivery about ten days after it; order-status page views after the latest one. All go through the services' own paths, so the profile, the results and the retention
 * tables have figures on first sign-in. One association is built in on purpose: NPS scores lean
 * higher for customers who went on to order more, so the repeat rate by NPS category differs as
 * stores report it does. Response and resolution times are drawn independently of the orders, so
 * the support tables show no real difference.
 */
import { sql } from 'kysely';
import type { Services } from '../../services.js';
import { Random } from './random.js';

const DAY = 86_400_000;
const HOUR = 3_600_000;
/** Enough for every table to show figures; each answer and ticket is its own transaction, so the demo stays quick. */
const MAX_CUSTOMERS = 200;

const QUESTIONS: readonly { subject: string; body: string }[] = [
  { subject: 'Where is my order?', body: 'Hi, where is my order? It has not arrived yet.' },
  { subject: 'Tracking not updating', body: 'The tracking has not changed for three days, when will my order arrive?' },
  { subject: 'Return request', body: 'The jacket is too small, how do I return it for a refund?' },
  { subject: 'Damaged item', body: 'My bottle arrived damaged, the lid is cracked.' },
  { subject: 'Sizing question', body: 'Which size of the trail shoes should I take if I am usually a 42?' },
  { subject: 'Charged twice', body: 'I was charged twice for my last order.' },
];
const CHANNELS = ['email', 'email', 'chat', 'web', 'phone'] as const;
const COMMENTS: Record<'promoter' | 'passive' | 'detractor', readonly string[]> = {
  promoter: ['Great quality and fast shipping', 'Love the gear, fast shipping every time', 'Friendly customer service and great quality', 'Great quality, will buy again'],
  passive: ['Good products but shipping was slow', 'Decent quality, prices a bit high', 'Fine, nothing special'],
  detractor: ['Shipping was slow and the item arrived damaged', 'Customer service was slow to answer', 'Poor quality for the price', 'The return took weeks, customer service was slow'],
};

const CSAT_COMMENTS: Record<'satisfied' | 'neutral' | 'dissatisfied', readonly string[]> = {
  satisfied: ['Arrived quickly and well packed', 'Exactly as described, great quality', 'Fast delivery, thank you'],
  neutral: ['Delivery took a little longer than promised', 'Fine, the box was a bit battered'],
  dissatisfied: ['The parcel arrived late and damaged', 'Wrong size sent, slow to sort out'],
};

interface Buyer { customer_id: number; email: string | null; external_id: string | null; orders: number; first_order_id: number; first_order_at: Date; last_order_id: number; last_order_at: Date }

export interface DemoListening {
  tickets: number;
  /** NPS answers. */
  answers: number;
  csat_answers: number;
  views: number;
}

export async function addDemoListening(services: Services, storeId: string, end: Date): Promise<DemoListening> {
  const { rows } = await sql<Buyer>`
    select o.customer_id, c.email, c.external_id, count(*) as orders, arg_min(o.id, o.placed_at) as first_order_id, min(o.placed_at) as first_order_at,
      arg_max(o.id, o.placed_at) as last_order_id, max(o.placed_at) as last_order_at
    from orders o join customers c on c.store_id = o.store_id and c.id = o.customer_id
    where o.store_id = ${storeId} and o.status <> 'cancelled' and o.customer_id is not null
    group by o.customer_id, c.email, c.external_id order by o.customer_id limit ${MAX_CUSTOMERS}`.execute(services.storage.read);
  const rng = new Random(18, 7);
  // Its own stream, so the tickets and NPS answers stay those of the other draws.
  const csatRng = new Random(18, 9);
  const token = await services.support.webhookToken(storeId);
  let tickets = 0;
  let answers = 0;
  let csatAnswers = 0;
  let views = 0;
  for (const b of rows) {
    const buyer = { ...b, customer_id: Number(b.customer_id), orders: Number(b.orders), first_order_id: Number(b.first_order_id), last_order_id: Number(b.last_order_id) };
    const firstAt = new Date(buyer.first_order_at).getTime();
    const lastAt = new Date(buyer.last_order_at).getTime();
    if (rng.chance(0.3)) {
      const opened = firstAt + rng.int(2, 9) * DAY + rng.int(0, 12) * HOUR;
      if (opened < end.getTime() - DAY) {
        tickets += 1;
        const q = rng.pick(QUESTIONS);
        const responded = rng.chance(0.92) ? opened + rng.exponential(1 / 7) * HOUR : null;
        const resolved = responded !== null && rng.chance(0.85) ? responded + rng.exponential(1 / 20) * HOUR : null;
        const score = resolved !== null && rng.chance(0.5) ? Math.min(5, Math.max(1, Math.round(5 - (resolved - opened) / (24 * HOUR) - rng.next()))) : undefined;
        const iso = (t: number) => new Date(Math.min(t, end.getTime())).toISOString();
        if (tickets % 5 === 0 && buyer.email) {
          // As Zendesk's event webhooks deliver it: who the requester is, the ticket, its solving.
          const zendeskId = String(90_000 + tickets);
          const receive = (body: unknown, at: number) => services.support.receiveWebhook('zendesk', storeId, token, { body: JSON.stringify(body), headers: {} }, new Date(at));
          await receive({ type: 'zen:event-type:user.created', id: `u${zendeskId}`, time: iso(opened), subject: `zen:user:${zendeskId}`, detail: { id: `7${zendeskId}`, email: buyer.email, external_id: buyer.external_id, role: 'end-user' } }, opened);
          const detail = (status: string, at: number) => ({ id: zendeskId, status, subject: q.subject, description: q.body, requester_id: `7${zendeskId}`, created_at: iso(opened), updated_at: iso(at), via: { channel: 'email' } });
          await receive({ type: 'zen:event-type:ticket.created', id: `c${zendeskId}`, time: iso(opened), subject: `zen:ticket:${zendeskId}`, detail: detail('NEW', opened) }, opened);
          if (responded !== null) await receive({ type: 'zen:event-type:ticket.comment_added', id: `r${zendeskId}`, time: iso(responded), subject: `zen:ticket:${zendeskId}`, detail: detail('PENDING', responded), event: { comment: { body: 'Thanks for writing, we are on it.', is_public: true, author: { id: '1', is_staff: true, name: 'Support' } } } }, responded);
          if (resolved !== null) await receive({ type: 'zen:event-type:ticket.status_changed', id: `s${zendeskId}`, time: iso(resolved), subject: `zen:ticket:${zendeskId}`, detail: detail('SOLVED', resolved), event: { current: 'SOLVED', previous: 'PENDING' } }, resolved);
        } else {
          await services.support.createTicket(storeId, {
            external_id: `demo-${tickets}`, customer_id: buyer.customer_id, channel: rng.pick(CHANNELS), subject: q.subject, body: q.body, opened_at: iso(opened),
            ...(responded !== null && { first_response_at: iso(responded) }), ...(resolved !== null && { status: 'resolved', resolved_at: iso(resolved) }),
            ...(score !== undefined && { satisfaction_score: score }), order_id: String(buyer.first_order_id),
          }, new Date(Math.min(resolved ?? responded ?? opened, end.getTime())));
        }
      }
    }
    const answeredAt = firstAt + 14 * DAY + rng.int(0, 48) * HOUR;
    if (rng.chance(0.6) && answeredAt < end.getTime()) {
      // Customers who went on to order more recommend more (the association built in on purpose).
      const score = Math.max(0, Math.min(10, Math.round(5.5 + 0.9 * Math.min(buyer.orders, 4) + rng.normal() * 2.2)));
      const category = score >= 9 ? 'promoter' : score >= 7 ? 'passive' : 'detractor';
      const at = new Date(answeredAt);
      const { url } = await services.surveys.link(storeId, { customer_id: buyer.customer_id, kind: 'nps', key: `demo-order-${buyer.first_order_id}` }, at);
      await services.surveys.answer(new URL(url).pathname.slice(3), { score: String(score), ...(rng.chance(0.6) && { comment: rng.pick(COMMENTS[category]) }) }, at);
      answers += 1;
    }
    const deliveryAnswerAt = firstAt + csatRng.int(8, 12) * DAY + csatRng.int(0, 24) * HOUR;
    if (csatRng.chance(0.35) && deliveryAnswerAt < end.getTime()) {
      const score = Math.max(1, Math.min(5, Math.round(4.2 + csatRng.normal() * 0.9)));
      const mood = score >= 4 ? 'satisfied' : score <= 2 ? 'dissatisfied' : 'neutral';
      const at = new Date(deliveryAnswerAt);
      const { url } = await services.surveys.link(storeId, { customer_id: buyer.customer_id, kind: 'csat', key: `demo-delivery-${buyer.first_order_id}` }, at);
      await services.surveys.answer(new URL(url).pathname.slice(3), { score: String(score), ...(csatRng.chance(0.5) && { comment: csatRng.pick(CSAT_COMMENTS[mood]) }) }, at);
      csatAnswers += 1;
    }
    const viewedAt = lastAt + rng.int(2, 6) * DAY;
    if (rng.chance(0.2) && viewedAt < end.getTime()) {
      const at = new Date(viewedAt);
      const { url } = await services.support.orderStatusUrl(storeId, String(buyer.last_order_id), at);
      await services.support.orderStatusPage(new URL(url).pathname.slice(3), at);
      views += 1;
    }
  }
  return { tickets, answers, csat_answers: csatAnswers, views };
}
