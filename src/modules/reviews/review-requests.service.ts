/**
 * Review requests (review-requests.ts has the rules): scheduled by a flow's `review_request` step,
 * sent and reminded by the `reviews.requests` job, opened and reviewed through the hosted page.
 */
import { invalid } from '../../lib/errors.js';
import type { ReviewClaims } from './review-token.js';
import { checkRules, dueAt, fulfilledOrder, isInternational, requestEmail, requestIdOf, type ScheduleOutcome } from './review-requests.js';
import { loadSettings } from './review-writer.js';
import type { ReviewDependencies } from './reviews.service.js';
import type { RequestStatus, ReviewRequestTable, ReviewsDb } from './reviews.table.js';

const DAY = 86_400_000;

export interface RequestView {
  id: string;
  customer_id: number;
  order_id: string;
  products: { id: string; title: string }[];
  status: RequestStatus;
  reason: string | null;
  due_at: Date;
  sent_at: Date | null;
  opened_at: Date | null;
  reviewed_at: Date | null;
  reminders: number;
  created_at: Date;
}

const view = (row: ReviewRequestTable): RequestView => ({
  id: row.id, customer_id: Number(row.customer_id), order_id: row.order_external_id, products: JSON.parse(row.products) as RequestView['products'], status: row.status,
  reason: row.reason, due_at: row.due_at, sent_at: row.sent_at, opened_at: row.opened_at, reviewed_at: row.reviewed_at, reminders: Number(row.reminders), created_at: row.created_at,
});

export class ReviewRequests {
  constructor(
    private readonly write: ReviewsDb,
    private readonly read: ReviewsDb,
    private readonly dependencies: ReviewDependencies,
    /** A signed link for the request's products. */
    private readonly link: (storeId: string, customerId: number, orderId: string, products: string[], requestId: string) => Promise<string>,
  ) {}

  /**
   * Schedules the request for a delivered (or fulfilled) order, by its row id — or one per product
   * with the store's `per_product` mode: the flow step's effect. An order (or an order's product)
   * has one request: a second call answers `already_requested`.
   */
  async schedule(storeId: string, customerId: number, orderId: number | null): Promise<ScheduleOutcome> {
    if (orderId === null) return { outcome: 'stopped', detail: 'no order: the flow is not triggered by a delivery' };
    const order = await fulfilledOrder(this.read, storeId, orderId);
    if (!order) return { outcome: 'stopped', detail: 'the order has no fulfilment yet' };
    if (order.customerId !== customerId) return { outcome: 'stopped', detail: 'the order of the delivery is not this customer\'s' };
    if (order.products.length === 0) return { outcome: 'stopped', detail: 'the order has no products' };
    const now = this.dependencies.clock.now();
    return this.write.transaction().execute(async (tx) => {
      const settings = await loadSettings(tx, storeId);
      const planned = settings.request_mode === 'per_product'
        ? order.products.map((p) => ({ id: requestIdOf(storeId, order.orderId, p.id), products: [p] }))
        : [{ id: requestIdOf(storeId, order.orderId), products: order.products }];
      const existing = new Set((await tx.selectFrom('review_requests').select('id').where('store_id', '=', storeId).where('id', 'in', planned.map((r) => r.id)).execute()).map((r) => r.id));
      const fresh = planned.filter((r) => !existing.has(r.id));
      if (fresh.length === 0) return { outcome: 'already_requested', detail: planned.map((r) => r.id).join(', ') };
      const due = dueAt(settings, order.deliveredAt, order.fulfilledAt, isInternational(settings, order.country));
      await tx.insertInto('review_requests').values(fresh.map((r) => ({
        store_id: storeId, id: r.id, customer_id: customerId, order_external_id: order.orderId, products: JSON.stringify(r.products), status: 'scheduled' as const, reason: null,
        due_at: due, sent_at: null, opened_at: null, reviewed_at: null, reminders: 0, created_at: now, updated_at: now,
      }))).execute();
      return { outcome: 'scheduled', detail: fresh.map((r) => r.id).join(', ') };
    });
  }

  /**
   * Sends the store's due requests and reminders (the `reviews.requests` job): each request is
   * checked against the rules when it is due, and stopped with the reason when one says no.
   */
  async runDue(storeId: string): Promise<{ sent: number; reminded: number; stopped: number }> {
    const now = this.dependencies.clock.now();
    const settings = await loadSettings(this.read, storeId);
    const result = { sent: 0, reminded: 0, stopped: 0 };
    const due = await this.read.selectFrom('review_requests').selectAll().where('store_id', '=', storeId)
      .where('due_at', '<=', now).where((eb) => eb.or([eb('status', '=', 'scheduled'), eb.and([eb('status', 'in', ['sent', 'opened']), eb('reminders', '<', settings.max_reminders)])]))
      .orderBy('due_at').limit(5000).execute();
    for (const request of due) {
      const reminder = request.status === 'scheduled' ? 0 : Number(request.reminders) + 1;
      const rules = await checkRules(this.read, storeId, request, settings, now);
      if ('stop' in rules) {
        // A reminder finding everything reviewed is no failure: the request is reviewed.
        if (reminder > 0 && rules.stop === 'already_reviewed') await this.update(storeId, request.id, { status: 'reviewed', reviewed_at: request.reviewed_at ?? now });
        // Not now (unsubscribed, suppressed, asked enough): looked at again a reminder period later.
        else if (reminder > 0) await this.update(storeId, request.id, { due_at: new Date(now.getTime() + settings.reminder_days * DAY) });
        else await this.update(storeId, request.id, { status: 'stopped', reason: rules.stop });
        result.stopped += reminder === 0 ? 1 : 0;
        continue;
      }
      const url = await this.link(storeId, Number(request.customer_id), request.order_external_id, rules.products.map((p) => p.id), request.id);
      const customer = await this.read.selectFrom('customers').select('first_name').where('store_id', '=', storeId).where('id', '=', request.customer_id).executeTakeFirst();
      const email = requestEmail((await this.dependencies.storeName(storeId)) ?? 'The store', customer?.first_name ?? null, rules.products, url, reminder);
      await this.dependencies.mail(storeId, { sendKey: `review-request:${request.id}:${reminder}`, customerId: Number(request.customer_id), to: rules.address, ...email });
      const nextDue = new Date(now.getTime() + settings.reminder_days * DAY);
      await this.write.transaction().execute(async (tx) => {
        if (reminder === 0) {
          await tx.insertInto('review_asked_products').values(rules.products.map((p) => ({ store_id: storeId, customer_id: Number(request.customer_id), product_external_id: p.id, request_id: request.id, asked_at: now })))
            .onConflict((oc) => oc.doNothing()).execute();
          await tx.updateTable('review_requests').set({ status: 'sent', sent_at: now, due_at: nextDue, products: JSON.stringify(rules.products), updated_at: now })
            .where('store_id', '=', storeId).where('id', '=', request.id).execute();
        } else {
          await tx.updateTable('review_requests').set({ reminders: reminder, due_at: nextDue, updated_at: now }).where('store_id', '=', storeId).where('id', '=', request.id).execute();
        }
      });
      if (reminder === 0) result.sent += 1;
      else result.reminded += 1;
    }
    return result;
  }

  /** The hosted page of a request's link was opened. */
  async opened(claims: ReviewClaims): Promise<void> {
    if (!claims.request) return;
    const now = this.dependencies.clock.now();
    await this.write.updateTable('review_requests').set({ status: 'opened', opened_at: now, updated_at: now })
      .where('store_id', '=', claims.store).where('id', '=', claims.request).where('status', '=', 'sent').execute();
  }

  /** A review was written through a request's link: no more reminders. */
  async reviewed(claims: ReviewClaims): Promise<void> {
    if (!claims.request) return;
    const now = this.dependencies.clock.now();
    await this.write.updateTable('review_requests').set({ status: 'reviewed', reviewed_at: now, updated_at: now })
      .where('store_id', '=', claims.store).where('id', '=', claims.request).where('status', 'in', ['scheduled', 'sent', 'opened']).execute();
  }

  async list(storeId: string, filter: { status?: RequestStatus | undefined; customer_id?: number | undefined; limit?: number | undefined } = {}): Promise<{ data: RequestView[] }> {
    let query = this.read.selectFrom('review_requests').selectAll().where('store_id', '=', storeId);
    if (filter.status) query = query.where('status', '=', filter.status);
    if (filter.customer_id !== undefined) query = query.where('customer_id', '=', filter.customer_id);
    const limit = filter.limit ?? 100;
    if (!(limit >= 1 && limit <= 1000)) throw invalid('Invalid query', [{ path: 'limit', reason: '1 to 1000' }]);
    return { data: (await query.orderBy('created_at', 'desc').orderBy('id').limit(limit).execute()).map(view) };
  }

  private async update(storeId: string, id: string, changes: Partial<ReviewRequestTable>): Promise<void> {
    await this.write.updateTable('review_requests').set({ ...changes, updated_at: this.dependencies.clock.now() }).where('store_id', '=', storeId).where('id', '=', id).execute();
  }
}
