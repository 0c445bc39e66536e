/**
 * The loyalty programme's editor (docs/loyalty.md, "Settings"): switched on or off, the earning
 * rules, the pending period, expiry, the value of a point, the tiers, the rewards and whether
 * redemptions go to the shop's webhook. What the form does not show (referrals, tracked-event
 * rules, claw-back policy, reminder days) is kept as saved.
 * Saving writes a new version; the API names any field it refuses, and nothing is half-saved.
 */
import { useState, type FormEvent } from 'react';
import { http } from '../api/client';
import type { LoyaltyReward, LoyaltySettings, LoyaltyTier } from '../api/loyalty-types';
import { useAction } from '../api/use-api';
import { Field } from './ui';

type Settings = LoyaltySettings['settings'] & Record<string, unknown>;

const earningFields = [
  ['points_per_currency_unit', 'Points per unit spent', 'On the net of discounts; up to two decimals.'],
  ['points_per_order', 'Points per order', ''],
  ['signup_points', 'For signing up', ''],
  ['subscribe_points', 'For subscribing to email', ''],
  ['review_points', 'For a review', ''],
  ['review_photo_points', 'More for a review with a photo', ''],
  ['survey_points', 'For answering a survey', ''],
] as const;

/** A reward's id from its name: lower case, dashes, unique among the others. */
function idFor(name: string, taken: ReadonlySet<string>): string {
  const base = name.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40) || 'reward';
  let id = base;
  for (let i = 2; taken.has(id); i += 1) id = `${base}-${i}`;
  return id;
}

const num = (value: string): number => (value.trim() === '' ? Number.NaN : Number(value));

/** Whether a reward of this kind has a value (free shipping and a free product have none). */
const valued = (kind: LoyaltyReward['kind']): boolean => kind === 'amount_off' || kind === 'percent_off';

/** The reward with another kind: value 0 where the kind has none, a product id only for a free product. */
function withKind(reward: LoyaltyReward, kind: LoyaltyReward['kind']): LoyaltyReward {
  const { product_id: productId, ...rest } = reward;
  return { ...rest, kind, ...(!valued(kind) && { value: 0 }), ...(kind === 'free_product' && { product_id: productId ?? '' }) };
}

export function LoyaltySettingsForm({ saved, onSaved, onCancel }: { saved: LoyaltySettings['settings']; onSaved: () => void; onCancel: () => void }) {
  const [draft, setDraft] = useState<Settings>(() => structuredClone(saved) as Settings);
  const save = useAction((settings: Settings) => http.put<LoyaltySettings>('/api/v1/loyalty/settings', settings));
  const set = <K extends keyof Settings>(key: K, value: Settings[K]) => setDraft({ ...draft, [key]: value });
  const setTier = (i: number, change: Partial<LoyaltyTier>) => set('tiers', { ...draft.tiers, levels: draft.tiers.levels.map((t, k) => (k === i ? { ...t, ...change } : t)) });
  const setReward = (i: number, change: Partial<LoyaltyReward>) => set('rewards', draft.rewards.map((r, k) => (k === i ? { ...r, ...change } : r)));
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const taken = new Set(draft.rewards.map((r) => r.id).filter(Boolean));
    const rewards = draft.rewards.map((r) => (r.id ? r : { ...r, id: idFor(r.name, taken) }));
    if (await save.run({ ...draft, rewards })) onSaved();
  };
  return (
    <form onSubmit={(event) => void submit(event)} className="stack" aria-label="Loyalty programme settings">
      <label className="row"><input type="checkbox" name="enabled" checked={draft.enabled} onChange={(e) => set('enabled', e.target.checked)} /> Programme on: orders and rules award points</label>
      <h3 style={{ margin: '8px 0 0' }}>Earning</h3>
      <div className="form-grid">
        {earningFields.map(([key, label, hint]) => (
          <Field key={key} label={label} {...(hint && { hint })}>
            <input name={`earning.${key}`} type="number" min={0} step={key === 'points_per_currency_unit' ? 0.01 : 1} inputMode="decimal" required
              value={Number.isNaN(draft.earning[key]) ? '' : draft.earning[key]} onChange={(e) => set('earning', { ...draft.earning, [key]: num(e.target.value) })} />
          </Field>
        ))}
      </div>
      <h3 style={{ margin: '8px 0 0' }}>Pending, expiry and value</h3>
      <div className="form-grid">
        <Field label="Order points pending for (days)" hint="The return window: points cannot be spent before a refund is no longer possible.">
          <input name="pending.days" type="number" min={0} step={1} required value={Number.isNaN(draft.pending.days) ? '' : draft.pending.days} onChange={(e) => set('pending', { ...draft.pending, days: num(e.target.value) })} />
        </Field>
        <Field label="Counted from">
          <select name="pending.from" value={draft.pending.from} onChange={(e) => set('pending', { ...draft.pending, from: e.target.value as 'delivery' | 'payment' })}>
            <option value="delivery">delivery</option>
            <option value="payment">payment</option>
          </select>
        </Field>
        <Field label="Points lapse">
          <select name="expiry.mode" value={draft.expiry.mode} onChange={(e) => set('expiry', { ...draft.expiry, mode: e.target.value as Settings['expiry']['mode'] })}>
            <option value="never">never</option>
            <option value="per_award">each award after some months</option>
            <option value="inactivity">all after months without activity</option>
          </select>
        </Field>
        <Field label="Months">
          <input name="expiry.months" type="number" min={1} step={1} required disabled={draft.expiry.mode === 'never'} value={Number.isNaN(draft.expiry.months) ? '' : draft.expiry.months} onChange={(e) => set('expiry', { ...draft.expiry, months: num(e.target.value) })} />
        </Field>
        <Field label="Value of a point (minor units)" hint="In cents (or the store currency's smallest unit): 1 makes 500 points worth 5.00.">
          <input name="point_value" type="number" min={0} step={0.01} required value={Number.isNaN(draft.point_value) ? '' : draft.point_value} onChange={(e) => set('point_value', num(e.target.value))} />
        </Field>
      </div>
      <h3 style={{ margin: '8px 0 0' }}>Tiers</h3>
      <Field label="Reached by">
        <select name="tiers.basis" value={draft.tiers.basis} onChange={(e) => set('tiers', { ...draft.tiers, basis: e.target.value as Settings['tiers']['basis'] })}>
          <option value="points_earned">points earned in 12 months</option>
          <option value="amount_spent">amount spent in 12 months (minor units)</option>
        </select>
      </Field>
      {draft.tiers.levels.map((tier, i) => (
        <div className="row" key={i} data-testid="tier-row">
          <Field label="Tier"><input name={`tiers.levels.${i}.name`} value={tier.name} required maxLength={40} onChange={(e) => setTier(i, { name: e.target.value })} /></Field>
          <Field label="From"><input name={`tiers.levels.${i}.threshold`} type="number" min={0} step={1} required value={Number.isNaN(tier.threshold) ? '' : tier.threshold} onChange={(e) => setTier(i, { threshold: num(e.target.value) })} /></Field>
          <Field label="Multiplier"><input name={`tiers.levels.${i}.multiplier`} type="number" min={1} step={0.01} required value={Number.isNaN(tier.multiplier) ? '' : tier.multiplier} onChange={(e) => setTier(i, { multiplier: num(e.target.value) })} /></Field>
          <button type="button" onClick={() => set('tiers', { ...draft.tiers, levels: draft.tiers.levels.filter((_, k) => k !== i) })} aria-label={`Remove tier ${tier.name || i + 1}`}>Remove</button>
        </div>
      ))}
      <div><button type="button" onClick={() => set('tiers', { ...draft.tiers, levels: [...draft.tiers.levels, { name: '', threshold: Number.NaN, multiplier: 1 }] })}>Add a tier</button></div>
      <h3 style={{ margin: '8px 0 0' }}>Rewards</h3>
      {draft.rewards.map((reward, i) => (
        <div className="row" key={i} data-testid="reward-row">
          <Field label="Reward"><input name={`rewards.${i}.name`} value={reward.name} required maxLength={80} onChange={(e) => setReward(i, { name: e.target.value })} /></Field>
          <Field label="Kind">
            <select name={`rewards.${i}.kind`} value={reward.kind} onChange={(e) => set('rewards', draft.rewards.map((r, k) => (k === i ? withKind(r, e.target.value as LoyaltyReward['kind']) : r)))}>
              <option value="amount_off">amount off</option>
              <option value="percent_off">percent off</option>
              <option value="free_shipping">free shipping</option>
              <option value="free_product">free product</option>
            </select>
          </Field>
          {reward.kind === 'free_product' && (
            <Field label="Product id"><input name={`rewards.${i}.product_id`} required maxLength={200} value={reward.product_id ?? ''} onChange={(e) => setReward(i, { product_id: e.target.value })} /></Field>
          )}
          <Field label="Points"><input name={`rewards.${i}.points`} type="number" min={1} step={1} required value={Number.isNaN(reward.points) ? '' : reward.points} onChange={(e) => setReward(i, { points: num(e.target.value) })} /></Field>
          <Field label={reward.kind === 'percent_off' ? 'Percent' : 'Value (minor units)'}>
            <input name={`rewards.${i}.value`} type="number" min={0} step={1} required disabled={!valued(reward.kind)} value={Number.isNaN(reward.value) ? '' : reward.value} onChange={(e) => setReward(i, { value: num(e.target.value) })} />
          </Field>
          <button type="button" onClick={() => set('rewards', draft.rewards.filter((_, k) => k !== i))} aria-label={`Remove reward ${reward.name || i + 1}`}>Remove</button>
        </div>
      ))}
      <div><button type="button" onClick={() => set('rewards', [...draft.rewards, { id: '', name: '', kind: 'amount_off', points: Number.NaN, value: Number.NaN }])}>Add a reward</button></div>
      <label className="row">
        <input type="checkbox" name="fulfilment.webhook" checked={(draft.fulfilment as { webhook?: boolean } | undefined)?.webhook === true} onChange={(e) => set('fulfilment', { webhook: e.target.checked })} />
        <span style={{ flex: '1 1 0', minWidth: 0 }}>Send redemptions and cancelled rewards to the shop&apos;s webhook, to create or disable their discounts (needs the webhook channel)</span>
      </label>
      {save.error && <p className="form-error" role="alert">{save.error.describe()}</p>}
      <div className="row">
        <button type="submit" className="primary" disabled={save.pending}>Save the programme</button>
        <button type="button" onClick={onCancel}>Cancel</button>
      </div>
    </form>
  );
}
