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
});
