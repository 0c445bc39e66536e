/**
 * Offers: unique discount codes handed out by campaigns and flows, and what each offer really
 * changed — codes issued and redeemed, the revenue and the discounts they cost, and the orders,
 * revenue and margin over the holdout that got no code, with 95 % intervals.
 */
import { useState, type FormEvent } from 'react';
import { http } from '../api/client';
import type { Offer, OfferCode, OfferDetail, OfferEstimate, OfferValueKind } from '../api/offer-types';
import type { Verdict } from '../api/experiment-types';
import { useAction, useApi } from '../api/use-api';
import { useApp } from '../components/app-context';
import { ExperimentDetail, verdictBadge } from '../components/experiment-results';
import type { Formatter } from '../components/format';
import { Link, setQueryParam, useLocation } from '../components/router';
import { Async, Empty } from '../components/states';
import { DataTable, Field, PageHeader, Panel } from '../components/ui';

const statusWords: Record<Offer['status'], string> = { active: 'active', paused: 'paused', ended: 'ended' };

const holdoutDefinition = 'A random share of the customers an offer would go to get the email without a code. Comparing the customers given a code with them shows what the discount itself changed — including the orders that would have come at full price.';

/** "15 % off", "£5.00 off", "Free shipping", with the minimum spend when there is one. */
export function offerValue(fmt: Formatter, offer: Pick<Offer, 'value_kind' | 'value' | 'minimum_spend'>): string {
  const value = offer.value_kind === 'percent' ? `${fmt.number(offer.value)} % off` : offer.value_kind === 'fixed' ? `${fmt.money(offer.value)} off` : 'Free shipping';
  return offer.minimum_spend > 0 ? `${value} over ${fmt.money(offer.minimum_spend)}` : value;
}

function Estimate({ value, render }: { value: OfferEstimate; render: (v: number) => string }) {
  return <span>{render(value.value)} <span className="muted">({render(value.low)} to {render(value.high)})</span></span>;
}

/** The windows that have closed for someone: a window nobody has finished yet has nothing to show. */
const closed = (offer: OfferDetail) => offer.results.incremental.filter((w) => w.people + w.control_people > 0);

function NewOffer({ onCreated }: { onCreated: (id: string) => void }) {
  const { fmt } = useApp();
  const [form, setForm] = useState({ name: '', kind: 'percent' as OfferValueKind, value: '15', minimum: '0', pattern: 'OFFER-????-????', days: '30', holdout: '10' });
  const set = (key: keyof typeof form) => (e: { target: { value: string } }) => setForm({ ...form, [key]: e.target.value });
  const create = useAction((body: unknown) => http.post<Offer>('/api/v1/offers', body));
  // Amounts are typed in the currency's main unit and sent in minor units.
  const minor = (text: string) => Math.round(Number(text) * 100);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const created = await create.run({
      name: form.name, value_kind: form.kind, value: form.kind === 'fixed' ? minor(form.value) : form.kind === 'percent' ? Number(form.value) : 0,
      minimum_spend: minor(form.minimum), pattern: form.pattern, valid_days: Number(form.days), holdout_share: Number(form.holdout) / 100,
    });
    if (created) {
      setForm({ ...form, name: '' });
      onCreated(created.id);
    }
  };
  return (
    <Panel title="New offer" testId="new-offer" definition={holdoutDefinition}>
      <form className="stack" onSubmit={submit}>
        <Field label="Offer name"><input value={form.name} onChange={set('name')} required maxLength={120} placeholder="Win-back 15 % off" /></Field>
        <div className="filters">
          <Field label="Discount">
            <select name="offer-kind" value={form.kind} onChange={set('kind')}>
              <option value="percent">Percentage off</option>
              <option value="fixed">Amount off</option>
              <option value="free_shipping">Free shipping</option>
            </select>
          </Field>
          {form.kind !== 'free_shipping' && (
            <Field label={form.kind === 'percent' ? 'Percent off' : 'Amount off'}><input type="number" min={form.kind === 'percent' ? 1 : 0.01} max={form.kind === 'percent' ? 100 : undefined} step={form.kind === 'percent' ? 1 : 0.01} value={form.value} onChange={set('value')} required /></Field>
          )}
          <Field label="Minimum spend" hint="0 for none"><input type="number" min={0} step={0.01} value={form.minimum} onChange={set('minimum')} /></Field>
        </div>
        <div className="filters">
          <Field label="Code pattern" hint="Each ? becomes a random letter or digit"><input value={form.pattern} onChange={set('pattern')} required maxLength={40} /></Field>
          <Field label="Valid for (days)" hint="after the code is issued"><input type="number" min={1} max={3650} value={form.days} onChange={set('days')} required /></Field>
          <Field label="Holdout (%)" hint="0 to 50; 10 is usual"><input type="number" min={0} max={50} step={1} value={form.holdout} onChange={set('holdout')} /></Field>
        </div>
        <p className="muted">Customers get: <strong>{offerValue(fmt, { value_kind: form.kind, value: form.kind === 'fixed' ? minor(form.value) : Number(form.value), minimum_spend: minor(form.minimum) })}</strong>, one unique code each. Name the offer on a campaign or a flow email step to send its codes.</p>
        <div><button type="submit" className="primary" disabled={create.pending}>Create offer</button></div>
        {create.error && <p className="form-error" role="alert">{create.error.describe()}</p>}
      </form>
    </Panel>
  );
}

function OfferPanel({ id, onChanged }: { id: string; onChanged: () => void }) {
  const { fmt, canWrite } = useApp();
  const { result, reload } = useApi(`offer:${id}`, () => http.get<OfferDetail>(`/api/v1/offers/${encodeURIComponent(id)}`));
  // Codes customers hold: the redeemed ones, then those still open (the pool's unused codes are not shown).
  const codes = useApi(`offer-codes:${id}`, async () => {
    const page = (status: OfferCode['status'], limit: number) => http.get<{ data: OfferCode[] }>(`/api/v1/offers/${encodeURIComponent(id)}/codes?limit=${limit}&status=${status}`).then((r) => r.data);
    return [...await page('redeemed', 10), ...await page('issued', 20), ...await page('expired', 10)];
  });
  const act = useAction((action: 'pause' | 'resume' | 'end') => http.post<Offer>(`/api/v1/offers/${encodeURIComponent(id)}/${action}`, {}));
  const run = async (action: 'pause' | 'resume' | 'end') => {
    if (await act.run(action)) {
      reload();
      onChanged();
    }
  };
  const signed = (render: (v: number) => string) => (v: number) => `${v > 0 ? '+' : ''}${render(v)}`;
  const orders = signed((v) => fmt.number(v, { digits: 1 }));
  const money = signed((v) => fmt.money(Math.round(v)));
  return (
    <Async result={result} onRetry={reload}>
      {(offer) => (
        <Panel
          title={offer.name}
          testId="offer-detail"
          actions={canWrite && offer.status !== 'ended' ? (
            <div className="row">
              {offer.status === 'active' ? <button type="button" className="secondary" onClick={() => run('pause')} disabled={act.pending}>Pause</button>
                : <button type="button" className="secondary" onClick={() => run('resume')} disabled={act.pending}>Resume</button>}
              <button type="button" className="secondary" onClick={() => window.confirm('End this offer for good? Codes already given stay valid.') && run('end')} disabled={act.pending}>End</button>
            </div>
          ) : undefined}
        >
          <div className="stack">
            <p>
              {offerValue(fmt, offer)}, {offer.valid_days ? `valid ${fmt.number(offer.valid_days)} days after issue` : `valid until ${fmt.dateTime(offer.expires_at)}`};
              {' '}{offer.source === 'pattern' ? <>codes like <code>{offer.pattern}</code></> : 'imported codes'}; {fmt.percent(offer.holdout_share, 0)} held out; <span className="badge">{statusWords[offer.status]}</span>
            </p>
            {offer.shopify && (
              <p data-testid="offer-shopify">
                Codes go to the Shopify discount <code>{offer.shopify.discount_id.replace('gid://shopify/DiscountCodeNode/', '')}</code> before they are given out:
                {' '}{fmt.number(offer.shopify.confirmed)} confirmed by Shopify, {fmt.number(offer.shopify.pending + offer.shopify.unsent)} waiting
                {offer.shopify.refused > 0 && <>, <strong>{fmt.number(offer.shopify.refused)} refused</strong> (never given out)</>}.
              </p>
            )}
            {act.error && <p className="form-error" role="alert">{act.error.describe()}</p>}
            <div className="kpis" data-testid="offer-figures">
              <div className="kpi"><div className="kpi-label">Codes issued</div><div className="kpi-value">{fmt.number(offer.results.issued)}</div><div className="muted">{fmt.number(offer.results.held_out)} held out</div></div>
              <div className="kpi"><div className="kpi-label">Redeemed</div><div className="kpi-value">{fmt.number(offer.results.redeemed)}</div><div className="muted">{fmt.percent(offer.results.redemption_rate, 1)} of issued</div></div>
              <div className="kpi"><div className="kpi-label">Revenue of redeeming orders</div><div className="kpi-value">{fmt.money(offer.results.revenue)}</div></div>
              <div className="kpi"><div className="kpi-label">Discounts given</div><div className="kpi-value">{fmt.money(offer.results.discount_cost)}</div></div>
            </div>
            <p className="muted">Redemptions count every order with the code, including those the customer would have placed anyway; what the offer changed is below, against the holdout.</p>
            {closed(offer).length === 0 ? <Empty>Not measured yet: results appear once customers given a code have had their window.</Empty> : (
              <DataTable
                caption="What the offer changed, against its holdout"
                rows={closed(offer)}
                rowKey={(r) => String(r.days)}
                columns={[
                  { key: 'days', label: 'Window', render: (r) => `${fmt.number(r.days)} days` },
                  { key: 'people', label: 'People: code / none', numeric: true, render: (r) => `${fmt.number(r.people)} / ${fmt.number(r.control_people)}` },
                  { key: 'orders', label: 'Extra orders (95 %)', numeric: true, render: (r) => <Estimate value={r.orders} render={orders} /> },
                  { key: 'revenue', label: 'Extra revenue (95 %)', numeric: true, render: (r) => <Estimate value={r.revenue} render={money} /> },
                  { key: 'margin', label: 'Extra margin (95 %)', numeric: true, render: (r) => <Estimate value={r.margin} render={money} /> },
                  { key: 'verdict', label: 'Verdict', render: (r) => <span className={verdictBadge[r.verdict as Verdict]?.className ?? 'badge'}>{verdictBadge[r.verdict as Verdict]?.label ?? r.verdict}</span> },
                ]}
              />
            )}
            {closed(offer).length > 0 && closed(offer).length < offer.results.incremental.length && (
              <p className="muted">Longer windows appear once they have closed for the customers given a code. Margin is the extra revenue after the discounts given.</p>
            )}
            {offer.results.experiment_id && (
              <details>
                <summary>Every outcome, window by window</summary>
                <ExperimentDetail id={offer.results.experiment_id} />
              </details>
            )}
            <h3>Codes given</h3>
            <Async result={codes.result} onRetry={codes.reload}>
              {(given) => (given.length === 0 ? <Empty>No code given yet.</Empty> : (
                <DataTable
                  caption="Codes given to customers"
                  rows={given}
                  rowKey={(c) => c.code}
                  columns={[
                    { key: 'code', label: 'Code', render: (c) => <code>{c.code}</code> },
                    { key: 'customer', label: 'Customer', render: (c) => (c.customer_id === null ? '—' : <Link to={`/customers/${c.customer_id}`}>#{c.customer_id}</Link>) },
                    { key: 'status', label: 'State', render: (c) => (c.status === 'redeemed' ? `redeemed ${fmt.dateTime(c.redeemed_at)}` : c.status) },
                    { key: 'issued', label: 'Given', render: (c) => fmt.dateTime(c.issued_at) },
                    { key: 'expires', label: 'Lapses', render: (c) => fmt.dateTime(c.expires_at) },
                  ]}
                />
              ))}
            </Async>
          </div>
        </Panel>
      )}
    </Async>
  );
}

export function OffersPage() {
  const { fmt, canWrite } = useApp();
  const { params } = useLocation();
  const chosen = params.get('offer');
  const { result, reload } = useApi('offers', () => http.get<{ data: Offer[] }>('/api/v1/offers'));
  return (
    <div className="page">
      <PageHeader title="Offers" subtitle="Unique discount codes, one per customer and email, and what each offer changed over customers who got no code." />
      <Panel title="Offers" testId="offers-list">
        <Async result={result} onRetry={reload}>
          {(list) => (list.data.length === 0 ? <Empty>No offer yet{canWrite ? ': create one below.' : '.'}</Empty> : (
            <DataTable<Offer>
              caption="The store's offers"
              rows={list.data}
              rowKey={(o) => o.id}
              onRowClick={(o) => setQueryParam('offer', o.id)}
              isSelected={(o) => o.id === chosen}
              columns={[
                { key: 'name', label: 'Offer', render: (o) => <strong>{o.name}</strong> },
                { key: 'value', label: 'Discount', render: (o) => offerValue(fmt, o) },
                { key: 'status', label: 'Status', render: (o) => statusWords[o.status] },
                { key: 'pool', label: 'Codes ready', numeric: true, render: (o) => `${fmt.number(o.pool.available)} of ${fmt.number(o.pool.codes)}` },
                { key: 'created', label: 'Created', render: (o) => fmt.date(o.created_at) },
              ]}
            />
          ))}
        </Async>
      </Panel>
      {chosen && <OfferPanel id={chosen} onChanged={reload} />}
      {canWrite && <NewOffer onCreated={(id) => { reload(); setQueryParam('offer', id); }} />}
    </div>
  );
}
