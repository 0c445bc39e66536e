/**
 * What the order-status page shows, from the order and its fulfilments: the stage, each shipment's
 * carrier and tracking, and the expected delivery. The store's fulfilment data has no promised
 * date, so an undelivered shipment's expected day is its ship time plus the median transit time
 * (shipped → delivered) of the store's last delivered shipments with the same carrier, or of all
 * carriers when that carrier has fewer than MIN_TRANSIT_SAMPLES; with fewer still, it is not shown.
 */
import type { FulfillmentView, OrderView } from '../orders/index.js';

export const MIN_TRANSIT_SAMPLES = 5;

export const orderStages = ['received', 'preparing', 'shipped', 'out_for_delivery', 'delivered', 'cancelled'] as const;
export type OrderStage = (typeof orderStages)[number];

export interface ShipmentView {
  carrier: string | null;
  tracking_number: string | null;
  /** Only an http(s) address is kept. */
  tracking_url: string | null;
  stage: OrderStage;
  shipped_at: Date | null;
  delivered_at: Date | null;
  expected_delivery: Date | null;
}

export interface OrderStatusView {
  order_id: number;
  external_id: string;
  placed_at: Date;
  stage: OrderStage;
  shipments: ShipmentView[];
}

export interface TransitSample { carrier: string | null; shipped_at: Date; delivered_at: Date }

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Median transit in ms per carrier (lower-case) and over all ('*'), where there are enough samples. */
export function transitMedians(samples: readonly TransitSample[]): Map<string, number> {
  const byCarrier = new Map<string, number[]>();
  for (const s of samples) {
    const ms = s.delivered_at.getTime() - s.shipped_at.getTime();
    if (ms < 0) continue;
    for (const key of [s.carrier?.toLowerCase() ?? null, '*']) {
      if (key === null) continue;
      const list = byCarrier.get(key) ?? [];
      list.push(ms);
      byCarrier.set(key, list);
    }
  }
  const medians = new Map<string, number>();
  for (const [key, list] of byCarrier) if (list.length >= MIN_TRANSIT_SAMPLES) medians.set(key, median(list)!);
  return medians;
}

function safeUrl(url: string | null): string | null {
  if (!url) return null;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.toString() : null;
  } catch {
    return null;
  }
}

function shipmentStage(f: FulfillmentView): OrderStage {
  if (f.delivered_at || f.shipment_status === 'delivered') return 'delivered';
  if (f.status === 'cancelled' || f.status === 'failure' || f.status === 'error') return 'preparing';
  if (f.shipment_status === 'out_for_delivery') return 'out_for_delivery';
  if (f.shipped_at || f.tracking_number || f.status === 'success') return 'shipped';
  return 'preparing';
}

const rank: Record<OrderStage, number> = { cancelled: -1, received: 0, preparing: 1, shipped: 2, out_for_delivery: 3, delivered: 4 };

export function orderStatusView(order: OrderView, medians: ReadonlyMap<string, number>): OrderStatusView {
  const shipments = (order.fulfillments ?? []).filter((f) => f.status !== 'cancelled').map((f): ShipmentView => {
    const stage = shipmentStage(f);
    const transit = medians.get(f.carrier?.toLowerCase() ?? '') ?? medians.get('*');
    const expected = stage === 'delivered' ? f.delivered_at : f.shipped_at && transit !== undefined ? new Date(f.shipped_at.getTime() + transit) : null;
    return { carrier: f.carrier, tracking_number: f.tracking_number, tracking_url: safeUrl(f.tracking_url), stage, shipped_at: f.shipped_at, delivered_at: f.delivered_at, expected_delivery: expected };
  });
  // The order is as far as its least advanced shipment (a split order is delivered when all parts are).
  let stage: OrderStage = order.status === 'cancelled' ? 'cancelled' : shipments.length === 0 ? (order.status === 'fulfilled' ? 'shipped' : 'received') : shipments.reduce<OrderStage>((s, x) => (rank[x.stage] < rank[s] ? x.stage : s), 'delivered');
  if (order.status === 'cancelled') stage = 'cancelled';
  return { order_id: order.id, external_id: order.external_id, placed_at: order.placed_at, stage, shipments };
}

const stageWords: Record<OrderStage, string> = {
  received: 'Your order has been received and is being prepared.',
  preparing: 'Your order is being prepared for shipping.',
  shipped: 'Your order is on its way.',
  out_for_delivery: 'Your order is out for delivery today.',
  delivered: 'Your order has been delivered.',
  cancelled: 'This order was cancelled.',
};

/** The status in plain words (the page's headline and the WISMO auto-reply). */
export function describeStatus(view: OrderStatusView): string {
  const lines = [`Order ${view.external_id}: ${stageWords[view.stage]}`];
  view.shipments.forEach((s, i) => {
    const parts = [view.shipments.length > 1 ? `Parcel ${i + 1}` : 'Parcel', s.carrier ? `with ${s.carrier}` : null, s.tracking_number ? `tracking ${s.tracking_number}` : null,
      s.delivered_at ? `delivered ${day(s.delivered_at)}` : s.expected_delivery ? `expected around ${day(s.expected_delivery)}` : null].filter(Boolean);
    lines.push(parts.join(', '));
    if (s.tracking_url) lines.push(`Track it: ${s.tracking_url}`);
  });
  return lines.join('\n');
}

export const day = (d: Date) => d.toISOString().slice(0, 10);
