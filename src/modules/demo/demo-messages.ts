/**
 * A few realistic emails in the demo's Outbox: order confirmations (transactional) for recent
 * orders, a welcome and a win-back offer (marketing) to subscribed customers, and one marketing
 * message to a customer who never subscribed, which the consent check suppresses. Sent through the
 * product's own sender to its built-in mail catcher; never when an SMTP server is configured, as
 * the demo's addresses are made up.
 */
import { formatMoney } from '../../lib/money.js';
import type { Services } from '../../services.js';

const escape = (value: string) => value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function layout(storeName: string, heading: string, body: string, footer: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"></head>
<body style="margin:0;background:#f4f1ec;font-family:Helvetica,Arial,sans-serif;color:#2b2b2b">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0"><tr><td align="center" style="padding:24px 12px">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="max-width:560px;background:#ffffff;border-radius:8px">
<tr><td style="padding:20px 28px;background:#2f4b3a;color:#fff;font-size:20px;font-weight:bold;border-radius:8px 8px 0 0">${escape(storeName)}</td></tr>
<tr><td style="padding:28px"><h1 style="font-size:22px;margin:0 0 16px">${heading}</h1>${body}</td></tr>
<tr><td style="padding:16px 28px;font-size:12px;color:#777;border-top:1px solid #eee">${footer}</td></tr>
</table></td></tr></table></body></html>`;
}

const button = (label: string) => `<p style="margin:24px 0"><a href="https://demo-outfitters.example/shop" style="background:#b4432a;color:#fff;padding:12px 22px;border-radius:6px;text-decoration:none;display:inline-block">${label}</a></p>`;

export async function sendDemoMessages(services: Services, storeId: string, storeName: string, currency: string): Promise<number> {
  if (services.config.smtpUrl) return 0;
  const read = services.storage.read;
  await services.messages.updateSettings(storeId, { from_address: 'hello@demo-outfitters.example', from_name: storeName });
  // The store's address and website: the legal footer and links of its marketing mail.
  await services.accounts.updateStore(storeId, { postalAddress: '12 Harbour Street, Bristol BS1 4RN, United Kingdom', websiteUrl: 'https://demo-outfitters.example' });
  const recent = await read.selectFrom('orders').innerJoin('customers', (j) => j.onRef('customers.id', '=', 'orders.customer_id').onRef('customers.store_id', '=', 'orders.store_id'))
    .select(['orders.external_id as order', 'orders.total', 'orders.placed_at', 'customers.id', 'customers.first_name'])
    .where('orders.store_id', '=', storeId).where('customers.email', 'is not', null).orderBy('orders.placed_at', 'desc').limit(4).execute();
  const subscribed = await read.selectFrom('customers').select(['id', 'first_name']).where('store_id', '=', storeId).where('email_consent', '=', 'subscribed')
    .where('email', 'is not', null).orderBy('id').limit(3).execute();
  const notAsked = await read.selectFrom('customers').select(['id', 'first_name']).where('store_id', '=', storeId).where('email_consent', '<>', 'subscribed')
    .where('email', 'is not', null).orderBy('id').limit(1).execute();
  const address = '12 Harbour Street, Bristol BS1 4RN, United Kingdom';
  const name = (first: string | null) => escape(first ?? 'there');
  const result = await services.messages.queueEmails(storeId, [
    ...recent.map((o) => ({
      sendKey: `demo:order:${o.order}`, purpose: 'transactional' as const, customerId: Number(o.id),
      build: () => ({
        subject: `Your order ${o.order} is confirmed`, preheader: 'Thank you for shopping with us',
        html: layout(storeName, `Thank you, ${name(o.first_name)}!`, `<p>We have received your order <strong>${escape(o.order)}</strong> of ${escape(formatMoney(Number(o.total), currency))} and will let you know when it ships.</p>`, escape(address)),
        text: `Thank you, ${o.first_name ?? 'there'}! We have received your order ${o.order} of ${formatMoney(Number(o.total), currency)} and will let you know when it ships.\n\n${address}`,
      }),
    })),
    ...[...subscribed.map((c, i) => ({ c, kind: i === 0 ? 'welcome' : 'winback' })), ...notAsked.map((c) => ({ c, kind: 'winback' }))].map(({ c, kind }) => ({
      sendKey: `demo:${kind}:${c.id}`, purpose: 'marketing' as const, customerId: Number(c.id), source: `demo:${kind}`,
      build: (links: { unsubscribe_url: string; view_in_browser_url: string }) => {
        const footer = `${escape(address)}<br>You receive this because you subscribed to our news. <a href="${links.unsubscribe_url}">Unsubscribe</a> · <a href="${links.view_in_browser_url}">View in your browser</a>`;
        return kind === 'welcome'
          ? {
            subject: `Welcome to ${storeName}, ${c.first_name ?? 'friend'}`, preheader: 'Here is 10% off your next order',
            html: layout(storeName, `Welcome, ${name(c.first_name)}`, `<p>Good to have you with us. Here is 10% off your next order with the code <strong>WELCOME10</strong>.</p>${button('Shop the new season')}`, footer),
            text: `Welcome, ${c.first_name ?? 'friend'}! Here is 10% off your next order with the code WELCOME10.\n\n${address}\nUnsubscribe: ${links.unsubscribe_url}`,
          }
          : {
            subject: `We miss you, ${c.first_name ?? 'friend'}`, preheader: 'Something new since your last visit',
            html: layout(storeName, `It has been a while, ${name(c.first_name)}`, `<p>A lot is new since your last order. Come and see — delivery is free this week.</p>${button('See what is new')}`, footer),
            text: `It has been a while, ${c.first_name ?? 'friend'}. A lot is new since your last order; delivery is free this week.\n\n${address}\nUnsubscribe: ${links.unsubscribe_url}`,
          };
      },
    })),
  ]);
  const ids = result.sends.filter((s) => s.created).map((s) => s.id);
  await services.messages.sendBatch(storeId, ids);
  return ids.length;
}
