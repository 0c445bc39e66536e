import { describe, expect, it } from 'vitest';
import { collapseSessions } from './profile-timeline.js';
import { kpisOf } from './profiles.service.js';

const event = (iso: string, name: string, session: string | null = null, type = 'track') =>
  ({ type, name, session_id: session, url: null, properties: '{}', occurred_at: new Date(iso) });

describe('customer timeline', () => {
  it('collapses browsing into sessions by session id, or by 30-minute gaps without one', () => {
    const sessions = collapseSessions([
      event('2026-05-01T10:00:00Z', 'Product Viewed'),
      event('2026-05-01T10:20:00Z', 'Product Viewed'),
      event('2026-05-01T10:45:00Z', 'Cart Viewed'),
      event('2026-05-01T11:30:00Z', 'Product Viewed'),
      event('2026-05-02T09:00:00Z', 'Home', 's9', 'page'),
      event('2026-05-02T09:50:00Z', 'Checkout', 's9', 'page'),
    ]);
    expect(sessions.map((s) => s.type === 'browsing_session' && [s.events, s.pages, s.names])).toEqual([
      [3, 0, { 'Product Viewed': 2, 'Cart Viewed': 1 }],
      [1, 0, { 'Product Viewed': 1 }],
      [2, 2, { Home: 1, Checkout: 1 }],
    ]);
  });

  it('computes KPIs over orders that were not cancelled', () => {
    const order = (iso: string, total: number, status = 'paid') => ({ id: 1, external_id: iso, placed_at: new Date(iso), total, discount: 0, discount_codes: [], currency: 'EUR', status, channel: null, items: 1 });
    const kpis = kpisOf([order('2026-01-01', 1000), order('2026-01-11', 3000, 'cancelled'), order('2026-01-31', 2000)], [], new Date('2026-02-10'));
    expect(kpis).toMatchObject({ orders: 2, revenue: 3000, average_order_value: 1500, average_days_between_orders: 30, days_since_last_order: 10, currency: 'EUR' });
  });

  it('counts revenue net of returns, as the analytics do: a cancelled order\'s return does not count', () => {
    const order = (id: number, total: number, status = 'paid') => ({ id, external_id: `o${id}`, placed_at: new Date(`2026-01-0${id}`), total, discount: 0, discount_codes: [], currency: 'EUR', status, channel: null, items: 1 });
    const ret = (orderId: number | null, amount: number) => ({ id: amount, external_id: `r${amount}`, order_id: orderId, returned_at: new Date('2026-01-20'), amount, currency: 'EUR', reason: null });
    const kpis = kpisOf([order(1, 1000), order(2, 3000, 'cancelled'), order(3, 2000)], [ret(1, 400), ret(2, 3000), ret(null, 100)], new Date('2026-02-10'));
    expect(kpis).toMatchObject({ orders: 2, gross_revenue: 3000, revenue: 2500, average_order_value: 1250, returns: 3 });
  });
});
