import type { Command } from 'commander';
import { formatMoney } from '../lib/money.js';
import type { CustomerProfile } from '../modules/profiles/index.js';
import { formatTable, printJson, resolveStoreId, toWire, withContextOrServer, withDataDir, type CommonOptions, type Wire } from './context.js';

type Profile = Wire<CustomerProfile>;

const date = (d: string | null | undefined) => (d ? d.slice(0, 10) : '—');

function money(units: number | null, currency: string | null): string {
  if (units === null) return '—';
  return currency ? formatMoney(units, currency) : String(units);
}

function render(p: Profile): string {
  const { identity: id, kpis: k } = p;
  const lines = [
    `${[id.first_name, id.last_name].filter(Boolean).join(' ') || '(no name)'} <${id.email ?? 'no email'}>  id ${id.id}, external ${id.external_id ?? '—'}`,
    `${id.country ?? '—'}${id.city ? `, ${id.city}` : ''}; customer since ${date(id.created_at)}; marketing ${p.consent.accepts_marketing ? 'accepted' : 'not accepted'}${id.tags.length ? `; tags ${id.tags.join(', ')}` : ''}`,
    '',
    `orders ${k.orders}, revenue ${money(k.revenue, k.currency)}, AOV ${money(k.average_order_value, k.currency)}, first ${date(k.first_order_at)}, last ${date(k.last_order_at)}, every ${k.average_days_between_orders ?? '—'} days on average`,
    `returns ${k.returns} (${money(k.returned_amount, k.currency)})`,
    p.predictions ? `prediction: ${p.predictions.explanation}` : 'prediction: none yet (fit the models first)',
    p.rfm ? `RFM: ${JSON.stringify(p.rfm)}` : 'RFM: not computed yet',
    `segments: ${p.segments.map((s) => `${s.name} (since ${date(s.entered_at)})`).join(', ') || 'none'}`,
    `personas: ${p.personas.map((s) => (s.motivators.length ? `${s.name} (responds to ${s.motivators.slice(0, 2).join('; ')})` : s.name)).join(', ') || 'none'}`,
    '',
    `top categories: ${p.top_categories.map((c) => `${c.name} ${money(c.spend, k.currency)}`).join(', ') || '—'}`,
    `top products: ${p.top_products.map((c) => `${c.name} ×${c.quantity}`).join(', ') || '—'}`,
    '',
    formatTable(['when', 'what', 'detail'], p.timeline.slice(0, 30).map((t) => {
      switch (t.type) {
        case 'order': return [t.at.slice(0, 16), 'order', `${t.external_id} ${money(t.total, t.currency)} ${t.status}, ${t.items} items`];
        case 'return': return [t.at.slice(0, 16), 'return', `${money(t.amount, t.currency)}${t.reason ? ` (${t.reason})` : ''}`];
        case 'browsing_session': return [t.at.slice(0, 16), 'browsing', `${t.events} events: ${Object.entries(t.names).map(([n, c]) => `${n} ×${c}`).join(', ')}`];
        case 'segment': return [t.at.slice(0, 16), 'segment', `${t.change} ${t.name}`];
      }
    })),
  ];
  return lines.join('\n');
}

export function registerCustomerCommand(program: Command): void {
  withDataDir(program.command('customer <customer>').description('a customer\'s profile by id, email or external id'))
    .option('--json', 'print JSON')
    .action(async (key: string, options: CommonOptions) => {
      // Both paths print the profile as JSON carries it, so their output is the same.
      const profile = await withContextOrServer(options, async ({ services }) => {
        const storeId = await resolveStoreId(services, options.store);
        const id = await services.profiles.resolve(storeId, key);
        return toWire(await services.profiles.profile(storeId, id));
      }, async (server) => {
        const storeId = await resolveStoreId(server, options.store);
        const { id } = await server.json<{ id: number }>('GET', `/api/v1/customers/lookup?key=${encodeURIComponent(key)}`, { store: storeId });
        return server.json<Profile>('GET', `/api/v1/customers/${id}/profile`, { store: storeId });
      });
      if (options.json) return printJson(profile);
      process.stdout.write(`${render(profile)}\n`);
    });
}
