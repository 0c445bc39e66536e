/**
 * The demo's order lifecycle: each order is shipped one to three days after it is placed and
 * delivered one to three days after that (when those times have come by the demo's end), with a
 * carrier and tracking; and a few customers leave a cart in the last two weeks without ordering — the
 * open checkouts an abandoned-cart flow starts from. Drawn from a stream of their own, so the rest of
 * the simulation is as it was.
 */
import type { StagingSink } from '../commerce/index.js';
import { DEMO_STORE } from './calendar.js';
import type { DemoContext, SimCustomer } from './customer.js';
import { Random } from './random.js';

const DAY_MS = 86_400_000;
/** The random stream of the lifecycle (the customers' own is 1, their browsing 2). */
const STREAM = 5;
/** Share of customers with an abandoned cart in the last two weeks. */
const ABANDON_RATE = 0.03;
const CARRIERS = ['UPS', 'USPS', 'FedEx', 'DHL'] as const;

const at = (ms: number): Date => new Date(Math.round(ms));

export function stageLifecycle(sink: StagingSink, ctx: DemoContext, sim: SimCustomer): void {
  const rng = new Random(ctx.seed, STREAM, sim.index);
  const end = ctx.period.end;
  for (const order of sim.orders) {
    const shippedAt = order.placedAt + (1 + 2 * rng.next()) * DAY_MS;
    const deliveredAt = shippedAt + (1 + 2 * rng.next()) * DAY_MS;
    const carrier = rng.pick(CARRIERS);
    const tracking = `${carrier.slice(0, 2).toUpperCase()}${String(sim.index).padStart(7, '0')}${String(order.seq).padStart(3, '0')}`;
    if (shippedAt >= end) continue;
    const orderId = `HD-${sim.externalId.slice(1)}-${order.seq}`;
    const delivered = deliveredAt < end;
    sink.addFulfillment({
      external_id: `F-${orderId}`, order_external_id: orderId, status: 'success', shipment_status: delivered ? 'delivered' : 'in_transit',
      carrier, tracking_number: tracking, tracking_url: `${DEMO_STORE.site}/track/${tracking}`,
      shipped_at: at(shippedAt), delivered_at: delivered ? at(deliveredAt) : null, source_updated_at: at(delivered ? deliveredAt : shippedAt),
      lines: order.lines.map((line) => ({ product_external_id: line.product.externalId, variant_external_id: line.variant.externalId, sku: line.variant.sku, quantity: line.quantity })),
    });
  }
  if (!rng.chance(ABANDON_RATE)) return;
  const startedAt = end - (1 + 13 * rng.next()) * DAY_MS;
  const lastOrder = sim.orders[sim.orders.length - 1];
  if (startedAt < sim.createdAt || (lastOrder && lastOrder.placedAt > startedAt)) return;
  const variants = ctx.catalogue.variants;
  const items = Array.from({ length: rng.int(1, 2) }, () => {
    const variant = variants[rng.int(0, variants.length - 1)]!;
    const product = ctx.catalogue.products.find((p) => p.variants.includes(variant))!;
    return { product_external_id: product.externalId, variant_external_id: variant.externalId, sku: variant.sku, title: product.title, quantity: 1, unit_price: variant.price };
  });
  const id = `K-${sim.externalId.slice(1)}`;
  sink.addCheckout({
    external_id: id, customer_external_id: sim.externalId, email: sim.email, currency: DEMO_STORE.currency,
    value: items.reduce((sum, item) => sum + item.unit_price, 0), items, recovery_url: `${DEMO_STORE.site}/cart/recover/${id}`,
    started_at: at(startedAt), updated_at: at(startedAt + rng.int(1, 20) * 60_000),
  });
}
