import type { Command } from 'commander';
import { formatDateIn, formatDateTime, formatNumber, plural, words } from '../lib/format.js';
import { formatMoney } from '../lib/money.js';
import type { CustomerProfile } from '../modules/profiles/index.js';
import { formatTable, printJson, resolveStore, toWire, withContextOrServer, withDataDir, type CommonOptions, type StoreRef, type Wire } from './context.js';

type Profile = Wire<CustomerProfile>;

function money(units: number | null, currency: string | null): string {
  if (units === null) return '—';
  return currency ? formatMoney(units, currency, 'en-US') : formatNumber(units);
}

/** The profile for a person: names, not ids; times in the store's time zone; figures formatted. */
function render(p: Profile, store: StoreRef): string {
  const { identity: id, kpis: k } = p;
  const zone = store.timezone;
  const day = (instant: string | null) => formatDateIn(instant, zone);
  const every = k.average_days_between_orders === null ? '' : `, every ${plural(Math.round(k.average_days_between_orders), 'day')} on average`;
  const lines = [
    `${[id.first_name, id.last_name].filter(Boolean).join(' ') || '(no name)'} <${id.email ?? 'no email'}>, customer ${id.external_id ?? id.id} of ${store.name}`,
    `${id.country ?? '—'}${id.city ? `, ${id.city}` : ''}; customer since ${day(id.created_at)}; marketing ${p.consent.accepts_marketing ? 'accepted' : 'not accepted'}${id.tags.length ? `; tags ${id.tags.join(', ')}` : ''}`,
    '',
    `${plural(k.orders, 'order')}, revenue ${money(k.revenue, k.currency)}, average order ${money(k.average_order_value, k.currency)}; first ${day(k.first_order_at)}, last ${day(k.last_order_at)}${every}`,
    `${plural(k.returns, 'return')}${k.returns ? ` (${money(k.returned_amount, k.currency)})` : ''}`,
    p.predictions ? `prediction: ${p.predictions.explanation}` : 'prediction: none yet (fit the models first)',
    p.rfm ? `RFM: ${p.rfm.segment} (recency ${p.rfm.r}, frequency ${p.rfm.f}, monetary ${p.rfm.m} of 5)` : 'RFM: not computed yet',
    `segments: ${p.segments.map((s) => `${s.name} (since ${day(s.entered_at)})`).join(', ') || 'none'}`,
    `personas: ${p.personas.map((s) => (s.motivators.length ? `${s.name} (responds to ${s.motivators.slice(0, 2).join('; ')})` : s.name)).join(', ') || 'none'}`,
    '',
    `top categories: ${p.top_categories.map((c) => `${c.name} ${money(c.spend, k.currency)}`).join(', ') || '—'}`,
    `top products: ${p.top_products.map((c) => `${c.name} ×${formatNumber(c.quantity)}`).join(', ') || '—'}`,
    '',
    formatTable([`when (${zone})`, 'what', 'detail'], p.timeline.slice(0, 30).map((t) => {
      const when = formatDateTime(t.at, zone);
      switch (t.type) {
        case 'order': return [when, 'order', `${t.external_id} ${money(t.total, t.currency)} ${words(t.status)}, ${plural(t.items, 'item')}`];
        case 'return': return [when, 'return', `${money(t.amount, t.currency)}${t.reason ? ` (${t.reason})` : ''}`];
        case 'browsing_session': return [when, 'browsing', `${plural(t.events, 'event')}: ${Object.entries(t.names).map(([n, c]) => `${n} ×${formatNumber(c)}`).join(', ')}`];
        case 'segment': return [when, 'segment', `${words(t.change)} ${t.name}`];
        case 'message': return [when, t.channel, `${t.subject} — ${t.state}${t.reason ? ` (${words(t.reason)})` : ''}${t.opened ? ', opened' : ''}${t.clicked ? ', clicked' : ''} (message ${t.id})`];
        case 'topic': return [when, 'topic', `${t.subscribed ? 'kept' : 'dropped'} ${t.name} (${t.source})`];
        case 'ticket': return [when, 'ticket', `${t.subject ?? '(no subject)'} — ${t.status}, ${t.channel}${t.topic ? `, ${words(t.topic)}` : ''} (${t.source} ${t.id})`];
        case 'survey_answer': return [when, t.kind, `${t.score} (${t.category})${t.comment ? `: ${t.comment.slice(0, 80)}` : ''}`];
        case 'review': return [when, 'review', `${t.rating}/5 on ${t.product_title ?? t.product_id}${t.title ? `: ${t.title.slice(0, 60)}` : ''} — ${t.status}${t.verified ? ', verified buyer' : ''}`];
      }
    })),
  ];
  return lines.join('\n');
}

export function registerCustomerCommand(program: Command): void {
  withDataDir(program.command('customer <customer>').description('a customer\'s profile by id, email or external id'))
    .option('--json', 'print the JSON the API returns (GET /api/v1/customers/{id}/profile)')
    .action(async (key: string, options: CommonOptions) => {
      // Both paths print the profile as JSON carries it, so their output is the same.
      const { profile, store } = await withContextOrServer(options, async ({ services }) => {
        const store = await resolveStore(services, options.store);
        const id = await services.profiles.resolve(store.id, key);
        return { profile: toWire(await services.profiles.profile(store.id, id)), store };
      }, async (server) => {
        const store = await resolveStore(server, options.store);
        const { id } = await server.json<{ id: number }>('GET', `/api/v1/customers/lookup?key=${encodeURIComponent(key)}`, { store: store.id });
        return { profile: await server.json<Profile>('GET', `/api/v1/customers/${id}/profile`, { store: store.id }), store };
      });
      if (options.json) return printJson(profile);
      process.stdout.write(`${render(profile, store)}\n`);
    });
}
