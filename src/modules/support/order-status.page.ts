/**
 * The hosted order-status page: plain HTML that works without JavaScript and on a phone, every
 * value from outside escaped; a contact form posts back to the same signed URL.
 */
import { escapeHtml } from '../messaging/index.js';
import { day, describeStatus, type OrderStage, type OrderStatusView } from './order-status.view.js';

const style = `body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;background:#f6f5f2;color:#222;margin:0;padding:16px}
main{max-width:520px;margin:24px auto;background:#fff;border-radius:8px;padding:24px;box-shadow:0 1px 3px rgba(0,0,0,.1)}
h1{font-size:1.3rem;margin:0 0 8px}h2{font-size:1.05rem;margin:24px 0 8px}p{line-height:1.5}
ol.steps{list-style:none;padding:0;margin:16px 0;display:flex;gap:4px}ol.steps li{flex:1;font-size:.75rem;text-align:center;padding:8px 2px;border-radius:4px;background:#eee;color:#666}
ol.steps li.done{background:#2f6f4e;color:#fff}.parcel{border:1px solid #ddd;border-radius:6px;padding:12px;margin:8px 0}
.parcel dl{display:grid;grid-template-columns:auto 1fr;gap:4px 12px;margin:0}.parcel dt{color:#666}.parcel dd{margin:0;word-break:break-all}
textarea{width:100%;box-sizing:border-box;min-height:110px;font:inherit;padding:8px;border-radius:6px;border:1px solid #999}
button{display:block;width:100%;margin:12px 0 0;padding:12px;font-size:1rem;border-radius:6px;border:1px solid #2f6f4e;background:#2f6f4e;color:#fff;cursor:pointer}
.note{background:#eef6ee;padding:10px 12px;border-radius:6px;white-space:pre-line}a{color:#2f6f4e}`;

const steps: [OrderStage, string][] = [['received', 'Received'], ['shipped', 'Shipped'], ['out_for_delivery', 'Out for delivery'], ['delivered', 'Delivered']];
const reached: Record<OrderStage, number> = { cancelled: -1, received: 0, preparing: 0, shipped: 1, out_for_delivery: 2, delivered: 3 };

export function orderStatusPage(storeName: string, view: OrderStatusView, notice?: string): string {
  const store = escapeHtml(storeName);
  const progress = view.stage === 'cancelled' ? '' : `<ol class="steps" aria-label="Progress">${steps.map(([, label], i) => `<li${i <= reached[view.stage] ? ' class="done"' : ''}>${label}</li>`).join('')}</ol>`;
  const parcels = view.shipments.map((s, i) => `<div class="parcel" data-parcel="${i + 1}"><dl>
<dt>Carrier</dt><dd>${s.carrier ? escapeHtml(s.carrier) : 'not known yet'}</dd>
<dt>Tracking</dt><dd>${s.tracking_number ? (s.tracking_url ? `<a href="${escapeHtml(s.tracking_url)}" rel="noopener noreferrer">${escapeHtml(s.tracking_number)}</a>` : escapeHtml(s.tracking_number)) : '—'}</dd>
<dt>Shipped</dt><dd>${s.shipped_at ? day(s.shipped_at) : '—'}</dd>
<dt>${s.delivered_at ? 'Delivered' : 'Expected'}</dt><dd data-expected>${s.delivered_at ? day(s.delivered_at) : s.expected_delivery ? `around ${day(s.expected_delivery)}` : 'not known yet'}</dd>
</dl></div>`).join('');
  const headline = escapeHtml(describeStatus(view).split('\n')[0]!);
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex"><title>Order ${escapeHtml(view.external_id)} — ${store}</title><style>${style}</style></head>
<body><main><h1>Order ${escapeHtml(view.external_id)}</h1><p data-status="${view.stage}">${headline}</p>
<p>Placed ${day(view.placed_at)} at ${store}.</p>${progress}${parcels}
${notice ? `<p class="note" role="status">${escapeHtml(notice)}</p>` : ''}
<h2>Still need help?</h2>
<form method="post"><label for="message">Your message to ${store}</label><textarea id="message" name="message" required minlength="5" maxlength="4000"></textarea>
<button type="submit">Send</button></form></main></body></html>`;
}
