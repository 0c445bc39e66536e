import { useState, type FormEvent } from 'react';
import { http } from '../api/client';
import type { LoyaltyBalance, LoyaltyEntry } from '../api/loyalty-types';
import { useAction, useApi } from '../api/use-api';
import { useApp } from './app-context';
import { Async } from './states';
import { Field, Panel } from './ui';

const HISTORY = 10;

const kinds: Record<LoyaltyEntry['kind'], string> = { earn: 'earned', redeem: 'redeemed', expire: 'expired', adjust: 'adjusted', reverse: 'taken back' };

/** "earned", "adjusted: Welcome gift", "redeemed": what a ledger row is. */
function origin(entry: LoyaltyEntry): string {
  return entry.reason ? `${kinds[entry.kind]}: ${entry.reason}` : kinds[entry.kind];
}

/**
 * A customer's loyalty points on their profile: the balance and tier as the ledger gives them, the
 * latest ledger rows, and (owners and admins) a hand adjustment with its reason, sent once however
 * often the button is pressed.
 */
export function CustomerLoyalty({ customerId }: { customerId: number }) {
  const { fmt, canWrite } = useApp();
  const path = `/api/v1/loyalty/customers/${customerId}`;
  const { result, reload } = useApi(`loyalty:${customerId}`, async () => {
    const [balance, history] = await Promise.all([http.get<LoyaltyBalance>(path), http.get<{ data: LoyaltyEntry[] }>(`${path}/history?limit=${HISTORY}`)]);
    return { balance, history: history.data };
  });
  const [form, setForm] = useState({ points: '', reason: '' });
  // One key per adjustment typed: a double click or a retry after a lost answer records it once.
  const [key, setKey] = useState(() => crypto.randomUUID());
  const adjust = useAction((body: { points: number; reason: string }) => http.post<LoyaltyEntry>(`${path}/adjustments`, body, { 'idempotency-key': key }));
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (await adjust.run({ points: Number(form.points), reason: form.reason })) {
      setForm({ points: '', reason: '' });
      setKey(crypto.randomUUID());
      reload();
    }
  };
  return (
    <Panel title="Loyalty" testId="profile-loyalty"
      definition="Points from the store's programme: available to spend now, pending until the pending period has passed, and what the available points are worth. The ledger lists every award, redemption, expiry and adjustment; the balance is its sum.">
      <Async result={result} onRetry={reload}>
        {({ balance, history }) => (
          <div className="stack">
            <dl className="dl">
              <dt>Available</dt><dd data-testid="loyalty-available">{fmt.number(balance.available)} points · {fmt.money(balance.value)}</dd>
              <dt>Pending</dt><dd>{fmt.number(balance.pending)} points</dd>
              {balance.owed > 0 && <><dt>Owed</dt><dd>{fmt.number(balance.owed)} points</dd></>}
              <dt>Tier</dt>
              <dd>
                {balance.tier ?? 'none'}
                {balance.next_tier && <span className="muted"> · {fmt.number(balance.next_tier.missing)} to {balance.next_tier.name}</span>}
              </dd>
            </dl>
            {history.length ? (
              <div className="table-wrap"><table className="table" data-testid="loyalty-ledger">
                <caption className="sr-only">Latest points</caption>
                <thead><tr><th scope="col">When</th><th scope="col">What</th><th scope="col" className="num">Points</th><th scope="col">Now</th></tr></thead>
                <tbody>
                  {history.map((entry) => (
                    <tr key={entry.id}>
                      <td>{fmt.date(entry.created_at)}</td>
                      <td className="wrap">{origin(entry)}</td>
                      <td className="num">{entry.points > 0 ? '+' : ''}{fmt.number(entry.points)}</td>
                      <td>{entry.standing}</td>
                    </tr>
                  ))}
                </tbody>
              </table></div>
            ) : <p className="muted">No points yet.</p>}
            {canWrite && (
              <form className="filters" onSubmit={submit} aria-label="Adjust points">
                <Field label="Points" hint="negative to take away">
                  <input type="number" step={1} value={form.points} onChange={(e) => setForm({ ...form, points: e.target.value })} required />
                </Field>
                <Field label="Reason" hint="kept on the ledger">
                  <input value={form.reason} onChange={(e) => setForm({ ...form, reason: e.target.value })} required maxLength={500} />
                </Field>
                <div><button type="submit" disabled={adjust.pending}>Adjust points</button></div>
                {adjust.error && <p className="form-error" role="alert">{adjust.error.describe()}</p>}
              </form>
            )}
          </div>
        )}
      </Async>
    </Panel>
  );
}
