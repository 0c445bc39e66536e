import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobQueue } from '../../src/jobs/queue.js';
import { SegmentsService, SEGMENT_REFRESH_JOB } from '../../src/modules/segments/segments.service.js';
import { day } from '../helpers/segments-data.js';
import { openTestStore } from '../helpers/store.js';
import { AS_OF, buildKnownStore, OTHER_STORE, STORE, type KnownIds } from './known-store.js';

let store: Awaited<ReturnType<typeof openTestStore>>;
let service: SegmentsService;
let jobs: JobQueue;
let ids: KnownIds;
let builder: Awaited<ReturnType<typeof buildKnownStore>>['builder'];

beforeAll(async () => {
  store = await openTestStore();
  ({ ids, builder } = await buildKnownStore(store));
  jobs = new JobQueue(store.write, store.read);
  service = new SegmentsService(store, jobs);
});
afterAll(async () => store.dispose());

const t = (iso: string) => new Date(`${iso}T06:00:00Z`);

describe('saved segments across data changes', () => {
  it('records every entry and exit with its time, and the size over time', async () => {
    const segment = await service.create(STORE, { name: 'Repeat buyers', rule: { kind: 'orders', metric: 'count', op: 'gte', value: 2 } }, { asOf: t('2026-06-01') });
    expect(segment.member_count).toBe(2);
    expect(segment.refresh_mode).toBe('on_change');

    // Bob orders again: he enters.
    await builder.order(ids.bob, { external_id: 'o-bob-2', placed_at: day('2026-06-01'), total: 2_500 });
    expect(await service.refresh(STORE, segment.id, t('2026-06-02'))).toEqual({ size: 3, entered: 1, exited: 0 });

    // Fay's second order is cancelled: she leaves.
    await store.write.updateTable('orders').set({ status: 'cancelled' }).where('store_id', '=', STORE).where('external_id', '=', 'o-fay-2').execute();
    expect(await service.refresh(STORE, segment.id, t('2026-06-03'))).toEqual({ size: 2, entered: 0, exited: 1 });

    // Nothing changed: nothing recorded.
    expect(await service.refresh(STORE, segment.id, t('2026-06-04'))).toEqual({ size: 2, entered: 0, exited: 0 });

    // Fay orders again and comes back.
    await builder.order(ids.fay, { external_id: 'o-fay-3', placed_at: day('2026-06-04'), total: 1_000 });
    expect(await service.refresh(STORE, segment.id, t('2026-06-05'))).toEqual({ size: 3, entered: 1, exited: 0 });

    const { data } = await service.changes(STORE, segment.id);
    // History ids grow from one refresh to the next; within one refresh their order is not defined.
    const named = data.map((h) => [Object.entries(ids).find(([, id]) => id === h.customer_id)![0], h.change, h.changed_at.toISOString().slice(0, 10)])
      .sort((a, b) => a[2]!.localeCompare(b[2]!) || a[0]!.localeCompare(b[0]!));
    expect(named).toEqual([
      ['ann', 'entered', '2026-06-01'], ['fay', 'entered', '2026-06-01'],
      ['bob', 'entered', '2026-06-02'],
      ['fay', 'exited', '2026-06-03'],
      ['fay', 'entered', '2026-06-05'],
    ]);
    // Flows poll by the last history id they saw.
    const after = await service.changes(STORE, segment.id, { after: data[2]!.id });
    expect(after.data.map((h) => h.change)).toEqual(['exited', 'entered']);

    // The series starts when the segment began (its first members, on 1 June), not six days back.
    const sizes = await service.sizeOverTime(STORE, segment.id, 6, t('2026-06-05'));
    expect(sizes).toEqual([
      { day: '2026-06-01', size: 2 }, { day: '2026-06-02', size: 3 },
      { day: '2026-06-03', size: 2 }, { day: '2026-06-04', size: 2 }, { day: '2026-06-05', size: 3 },
    ]);
    expect((await service.sizeOverTime(STORE, segment.id, 3, t('2026-06-05'))).map((p) => p.day)).toEqual(['2026-06-03', '2026-06-04', '2026-06-05']);

    const members = await store.read.selectFrom('segment_members' as never).select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow();
    expect(members).toEqual({ n: 3 });
    const fay = await service.membershipsOf(STORE, ids.fay);
    expect(fay.current.map((m) => [m.name, m.entered_at.toISOString().slice(0, 10)])).toEqual([['Repeat buyers', '2026-06-05']]);
    expect(fay.history.map((h) => h.change)).toEqual(['entered', 'exited', 'entered']);
  });

  it('pages members by cursor and exports them as CSV', async () => {
    const segment = await service.create(STORE, { name: 'Everyone', rule: { kind: 'profile', field: 'external_id', op: 'is_set' } }, { asOf: AS_OF });
    const seen: number[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 10; page += 1) {
      const result = await service.members(STORE, segment.id, { limit: 2, ...(cursor && { cursor }) });
      seen.push(...result.data.map((m) => m.customer_id));
      if (!result.next_cursor) break;
      cursor = result.next_cursor;
    }
    expect(seen).toEqual(Object.values(ids).sort((a, b) => a - b));
    let csv = '';
    for await (const chunk of service.exportCsv(STORE, segment.id)) csv += chunk;
    const lines = csv.trim().split('\n');
    expect(lines[0]).toBe('customer_id,external_id,email,first_name,last_name,country,entered_at,orders,revenue,last_order_on,predicted_clv,p_alive,churn_risk');
    expect(lines).toHaveLength(6);
    expect(lines.find((l) => l.startsWith(`${ids.ann},`))).toMatch(new RegExp(`^${ids.ann},c-ann,ann@example.com,Ann,Archer,US,${AS_OF.toISOString().replace(/\./g, '\\.')},\\d+,-?\\d+,`));
    // The other store's copy of Ann is not here.
    expect(lines.filter((l) => l.includes('ann@example.com'))).toHaveLength(1);
  });

  it('gives a store its starting segments on first use, with the memberships their definitions imply', async () => {
    const all = await service.list(OTHER_STORE);
    expect(all.map((s) => s.builtin_key)).toEqual(['new_customers', 'one_time_buyers', 'repeat_buyers', 'vip', 'at_risk', 'lost', 'big_spenders_recent_return']);
    const known = 'st_builtins';
    const b = new (builder.constructor as typeof import('../helpers/segments-data.js').StoreBuilder)(store, known);
    // Revenue 100, 200, ..., 2000 for 20 buyers: the top 5 % is the last one, the top 20 % the last four.
    const buyers: number[] = [];
    for (let i = 1; i <= 20; i += 1) {
      const id = await b.customer({ external_id: `b${i}` });
      buyers.push(id);
      await b.order(id, { external_id: `o${i}`, placed_at: i <= 2 ? day('2026-05-20') : day('2025-01-10'), total: i * 10_000 });
      if (i === 3 || i === 4) await b.order(id, { external_id: `o${i}b`, placed_at: day('2025-11-01'), total: 10 });
    }
    const orderId = await b.order(buyers[19]!, { external_id: 'o20b', placed_at: day('2026-05-01'), total: 100 });
    await b.return(buyers[19]!, orderId, day('2026-05-25'), 100);
    await service.ensureBuiltins(known, AS_OF);
    const segments = await service.list(known);
    const membersOf = async (key: string) => {
      const segment = segments.find((s) => s.builtin_key === key)!;
      return (await service.members(known, segment.id)).data.map((m) => m.external_id).sort();
    };
    expect(await membersOf('new_customers')).toEqual(['b1', 'b2']);
    expect(await membersOf('repeat_buyers')).toEqual(['b20', 'b3', 'b4']);
    expect((await membersOf('one_time_buyers'))).toHaveLength(17);
    expect(await membersOf('vip')).toEqual(['b20']);
    expect(await membersOf('at_risk')).toEqual(['b3', 'b4']);
    expect(await membersOf('lost')).toHaveLength(15);
    expect(await membersOf('big_spenders_recent_return')).toEqual(['b20']);
    expect(segments.find((s) => s.builtin_key === 'vip')!.description).toMatch(/revenue/);
    // The clock-driven built-ins are refreshed on a schedule: one refresh is booked.
    const queued = await jobs.list({ storeId: known });
    expect(queued.filter((j) => j.kind === SEGMENT_REFRESH_JOB && j.state === 'queued')).toHaveLength(1);

    // Once predictions exist, VIP moves to predicted CLV (top 5 % of 20 scored customers: the highest).
    for (const [i, customerId] of buyers.entries()) {
      await store.write.insertInto('customer_predictions' as never).values({
        store_id: known, customer_id: customerId, fit_id: 'fit_1', p_alive: i < 10 ? 0.1 : 0.9, expected_orders_30d: 0, expected_orders_90d: 0, expected_orders_365d: 0,
        p_order_30d: 0, p_order_90d: 0, p_order_365d: 0, expected_order_value: null, clv_12m: (20 - i) * 1_000, next_order_on: null, churn_risk: i < 5 ? 'high' : 'low', scored_at: AS_OF,
      } as never).execute();
    }
    await service.ensureBuiltins(known, AS_OF);
    const upgraded = await service.list(known);
    const vip = upgraded.find((s) => s.builtin_key === 'vip')!;
    expect(vip.rule).toEqual({ kind: 'prediction', field: 'predicted_clv', op: 'top_percent', value: 5 });
    expect(vip.description).toMatch(/predicted 12-month CLV/);
    expect(await membersOf('vip')).toEqual(['b1']);
    // Lost: buyers with P(alive) below 0.2 — the first ten.
    expect(await membersOf('lost')).toHaveLength(10);
    // High churn risk follows the model's band: the five scored high, the same customers the at-risk list counts.
    expect(await membersOf('at_risk')).toEqual(['b1', 'b2', 'b3', 'b4', 'b5']);
    expect(upgraded.find((s) => s.builtin_key === 'at_risk')!.name).toBe('High churn risk');
    // A store that edited a built-in keeps its own rule.
    const oneTime = upgraded.find((s) => s.builtin_key === 'one_time_buyers')!;
    await service.update(known, oneTime.id, { rule: { kind: 'orders', metric: 'count', op: 'eq', value: 1, within_days: 365 } }, AS_OF);
    await service.ensureBuiltins(known, AS_OF);
    expect((await service.get(known, oneTime.id)).rule).toMatchObject({ within_days: 365 });
  });

  it('moves a built-in still holding an earlier definition or name to the current one, and leaves one the store changed', async () => {
    const old = 'st_old_builtins';
    const b = new (builder.constructor as typeof import('../helpers/segments-data.js').StoreBuilder)(store, old);
    const customerId = await b.customer({ external_id: 'p1' });
    await b.order(customerId, { external_id: 'po1', placed_at: day('2026-05-20'), total: 1_000 });
    await store.write.insertInto('customer_predictions' as never).values({
      store_id: old, customer_id: customerId, fit_id: 'fit_1', p_alive: 0.1, expected_orders_30d: 0, expected_orders_90d: 0, expected_orders_365d: 0,
      p_order_30d: 0, p_order_90d: 0, p_order_365d: 0.05, expected_order_value: null, clv_12m: 0, next_order_on: null, churn_risk: 'high', scored_at: AS_OF,
    } as never).execute();
    const oldRule = { kind: 'all', rules: [{ kind: 'orders', metric: 'count', op: 'gte', value: 2 }, { kind: 'orders', metric: 'last_order_at', op: 'within_last_days', value: 365 },
      { kind: 'prediction', field: 'p_alive', op: 'lt', value: 0.5 }] };
    const atRisk = await service.create(old, { name: 'At risk', description: 'old', rule: oldRule }, { builtinKey: 'at_risk', asOf: AS_OF });
    const lost = await service.create(old, { name: 'Our lapsed list', description: 'ours', rule: { kind: 'orders', metric: 'count', op: 'gte', value: 1 } }, { builtinKey: 'lost', asOf: AS_OF });
    await service.ensureBuiltins(old, AS_OF);
    expect(await service.get(old, atRisk.id)).toMatchObject({ name: 'High churn risk', rule: { kind: 'prediction', field: 'churn_risk', op: 'eq', value: 'high' }, member_count: 1 });
    // The store renamed and edited its copy of another built-in: it stays the store's own.
    expect(await service.get(old, lost.id)).toMatchObject({ name: 'Our lapsed list', description: 'ours' });
  });
});
