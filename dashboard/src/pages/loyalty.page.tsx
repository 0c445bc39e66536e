/**
 * Loyalty: the programme as it stands — what the points customers hold are worth, how points are
 * earned and spent, the tiers — with its editor for those who may change it, the members with
 * their balances and tiers, and the referrals with the fraud check that rejected each rejected one.
 */
import { useState } from 'react';
import { http } from '../api/client';
import type { LoyaltyAnalytics, LoyaltyLiability, LoyaltyMember, LoyaltyReward, LoyaltySettings, Referral, ReferralState } from '../api/loyalty-types';
import { useApi } from '../api/use-api';
import { useApp } from '../components/app-context';
import type { Formatter } from '../components/format';
import { LoyaltySettingsForm } from '../components/loyalty-settings-form';
import { Link } from '../components/router';
import { Async, Empty } from '../components/states';
import { DataTable, PageHeader, Panel } from '../components/ui';

const stateWords: Record<ReferralState, string> = { clicked: 'clicked', signed_up: 'signed up', ordered: 'ordered', rewarded: 'rewarded', rejected: 'rejected' };

const reasonWords: Record<string, string> = {
  same_customer: 'the friend is the referrer', same_email: 'same email as the referrer', same_address: 'same address as the referrer',
  same_payment: 'same payment card as the referrer', same_device: 'same device as the referrer', existing_customer: 'already a customer',
  too_many_referrals: 'too many referrals in the period', order_refunded: 'first order refunded', order_cancelled: 'first order cancelled',
};

function rewardValue(fmt: Formatter, reward: LoyaltyReward): string {
  return reward.kind === 'amount_off' ? `${fmt.money(reward.value)} off` : reward.kind === 'percent_off' ? `${fmt.number(reward.value)} % off` : 'Free shipping';
}

function Programme({ settings, liability }: { settings: LoyaltySettings['settings']; liability: LoyaltyLiability }) {
  const { fmt } = useApp();
  const earning = settings.earning;
  const basis = settings.tiers.basis === 'points_earned' ? 'points earned' : 'spent';
  return (
    <>
      <div className="kpis" data-testid="loyalty-figures">
        <div className="kpi"><div className="kpi-label">Members</div><div className="kpi-value">{fmt.number(liability.members)}</div></div>
        <div className="kpi"><div className="kpi-label">Points held</div><div className="kpi-value">{fmt.number(liability.available_points)}</div><div className="muted">{fmt.number(liability.pending_points)} more pending</div></div>
        <div className="kpi"><div className="kpi-label">Points liability</div><div className="kpi-value">{fmt.money(liability.value)}</div><div className="muted">{fmt.money(liability.pending_value)} more once pending points clear</div></div>
      </div>
      <p>
        {settings.enabled ? <span className="badge">on</span> : <span className="badge">off</span>}
        {' '}Customers earn {fmt.number(earning.points_per_currency_unit, { digits: 2 })} {earning.points_per_currency_unit === 1 ? 'point' : 'points'} per unit spent
        {earning.points_per_order > 0 && <> plus {fmt.number(earning.points_per_order)} per order</>}
        {earning.signup_points > 0 && <>, {fmt.number(earning.signup_points)} for signing up</>}
        {earning.birthday_points > 0 && <>, {fmt.number(earning.birthday_points)} on their birthday</>}
        {earning.survey_points > 0 && <>, {fmt.number(earning.survey_points)} for answering a survey</>}
        {earning.review_points > 0 && <>, {fmt.number(earning.review_points)} for a review</>}
        {earning.review_photo_points > 0 && <> ({fmt.number(earning.review_photo_points)} more with a photo)</>}.
        {' '}Order points clear {fmt.number(settings.pending.days)} days after {settings.pending.from === 'delivery' ? 'delivery' : 'the order'};
        {' '}{settings.expiry.mode === 'never' ? 'points never lapse' : settings.expiry.mode === 'per_award' ? `each award lapses after ${fmt.number(settings.expiry.months)} months` : `points lapse after ${fmt.number(settings.expiry.months)} months without activity`}.
        {' '}A point is worth {fmt.money(settings.point_value)}.
      </p>
      <div className="grid grid-2">
        {settings.tiers.levels.length === 0 ? <Empty>No tiers.</Empty> : (
          <DataTable
            caption={`Tiers (by ${basis} in the last 12 months)`}
            rows={settings.tiers.levels}
            rowKey={(t) => t.name}
            columns={[
              { key: 'name', label: 'Tier', render: (t) => t.name },
              { key: 'threshold', label: 'From', numeric: true, render: (t) => (settings.tiers.basis === 'points_earned' ? `${fmt.number(t.threshold)} points` : fmt.money(t.threshold)) },
              { key: 'multiplier', label: 'Earning', numeric: true, render: (t) => `× ${fmt.number(t.multiplier, { digits: 2 })}` },
            ]}
          />
        )}
        {settings.rewards.length === 0 ? <Empty>No rewards.</Empty> : (
          <DataTable
            caption="Rewards"
            rows={settings.rewards}
            rowKey={(r) => r.id}
            columns={[
              { key: 'name', label: 'Reward', render: (r) => r.name },
              { key: 'value', label: 'Gives', render: (r) => rewardValue(fmt, r) },
              { key: 'points', label: 'Costs', numeric: true, render: (r) => `${fmt.number(r.points)} points` },
            ]}
          />
        )}
      </div>
    </>
  );
}

/** The last year: points in and out, the rates, members against other buyers, tiers. */
function Analytics({ data }: { data: LoyaltyAnalytics }) {
  const { fmt } = useApp();
  const rate = (value: number | null) => (value === null ? '—' : fmt.percent(value));
  const cohorts = [{ key: 'members', label: 'Members', ...data.comparison.members }, { key: 'others', label: 'Other customers who ordered', ...data.comparison.others }];
  return (
    <div className="stack">
      <div className="kpis" data-testid="loyalty-rates">
        <div className="kpi"><div className="kpi-label">Points issued</div><div className="kpi-value">{fmt.number(data.points.issued)}</div><div className="muted">{fmt.number(data.points.taken_back)} taken back on refunds and by hand</div></div>
        <div className="kpi"><div className="kpi-label">Redemption rate</div><div className="kpi-value">{rate(data.redemption_rate)}</div><div className="muted">{fmt.number(data.points.redeemed)} points on {fmt.number(data.redemptions.count)} rewards by {fmt.number(data.redemptions.members)} members</div></div>
        <div className="kpi"><div className="kpi-label">Breakage</div><div className="kpi-value">{rate(data.breakage)}</div><div className="muted">{fmt.number(data.points.expired)} points expired unspent</div></div>
      </div>
      <DataTable
        caption="Members against other customers who ordered (a comparison, not the programme's effect)"
        rows={cohorts}
        rowKey={(c) => c.key}
        columns={[
          { key: 'label', label: 'Customers', render: (c) => c.label },
          { key: 'customers', label: 'With an order', numeric: true, render: (c) => fmt.number(c.customers) },
          { key: 'repeat', label: 'Ordered again', numeric: true, render: (c) => rate(c.repeat_rate) },
          { key: 'orders', label: 'Orders each', numeric: true, render: (c) => (c.orders_per_customer === null ? '—' : fmt.number(c.orders_per_customer, { digits: 2 })) },
          { key: 'revenue', label: 'Net revenue each', numeric: true, render: (c) => (c.revenue_per_customer === null ? '—' : fmt.money(c.revenue_per_customer)) },
        ]}
      />
      <p className="muted" data-testid="loyalty-tiers">
        Members by tier: {data.tiers.map((t) => `${t.tier ?? 'no tier'} ${fmt.number(t.members)}`).join(' · ') || 'none'}.
        {data.movements.length > 0 && <> Tier changes this year: {data.movements.map((m) => `${m.from ?? 'none'} → ${m.to ?? 'none'} ${fmt.number(m.customers)}`).join(' · ')}.</>}
      </p>
    </div>
  );
}

export function LoyaltyPage() {
  const { fmt, canWrite } = useApp();
  const [editing, setEditing] = useState(false);
  const [saved, setSaved] = useState(false);
  const programme = useApi('loyalty-programme', async () => {
    const [settings, liability] = await Promise.all([http.get<LoyaltySettings>('/api/v1/loyalty/settings'), http.get<LoyaltyLiability>('/api/v1/loyalty/liability')]);
    return { settings, liability };
  });
  const analytics = useApi('loyalty-analytics', () => http.get<LoyaltyAnalytics>('/api/v1/loyalty/analytics?days=365'));
  const members = useApi('loyalty-members', () => http.get<{ data: LoyaltyMember[]; next_cursor: string | null }>('/api/v1/loyalty/members?limit=1000'));
  const referrals = useApi('loyalty-referrals', () => http.get<{ data: Referral[]; next_cursor: string | null }>('/api/v1/loyalty/referrals?limit=50'));
  return (
    <div className="page">
      <PageHeader title="Loyalty" subtitle="Points, tiers, rewards and referrals: what customers hold, what it is worth, and which referrals the fraud checks stopped." />
      <Panel title="Programme" testId="loyalty-programme" definition="Points liability: what the points customers hold would cost the store if every one were spent, at the point value."
        actions={canWrite && !editing ? <button type="button" onClick={() => { setSaved(false); setEditing(true); }}>Edit the programme</button> : undefined}>
        <Async result={programme.result} onRetry={programme.reload}>
          {({ settings, liability }) => (editing
            ? <LoyaltySettingsForm saved={settings.settings} onCancel={() => setEditing(false)} onSaved={() => { setEditing(false); setSaved(true); programme.reload(); analytics.reload(); }} />
            : (
              <>
                {saved && <p className="notice" role="status">Saved: version {fmt.number(settings.version)} of the programme.</p>}
                <Programme settings={settings.settings} liability={liability} />
              </>
            ))}
        </Async>
      </Panel>
      <Panel title="The last 12 months" testId="loyalty-analytics"
        definition="Redemption rate: points spent on rewards ÷ points issued. Breakage: points that expired unspent ÷ points issued. Members are customers with points; they are compared with the other customers who ordered — members join because they buy, so the gap is not what the programme caused (Impact measures that with holdouts).">
        <Async result={analytics.result} onRetry={analytics.reload}>{(data) => <Analytics data={data} />}</Async>
      </Panel>
      <Panel title="Members" testId="loyalty-members" definition="Customers with points, the highest balances first; open one for their ledger on their profile.">
        <Async result={members.result} onRetry={members.reload}>
          {(page) => (page.data.length === 0 ? <Empty>No member has points yet.</Empty> : (
            <DataTable<LoyaltyMember>
              caption="Members by balance"
              rows={[...page.data].sort((a, b) => b.available - a.available || a.customer_id - b.customer_id).slice(0, 50)}
              rowKey={(m) => String(m.customer_id)}
              rowHref={(m) => `/customers/${m.customer_id}`}
              columns={[
                { key: 'label', label: 'Customer', render: (m) => <Link to={`/customers/${m.customer_id}`}>{m.label}</Link> },
                { key: 'tier', label: 'Tier', render: (m) => m.tier ?? '—' },
                { key: 'available', label: 'Points', numeric: true, render: (m) => fmt.number(m.available), sortValue: (m) => m.available },
                { key: 'pending', label: 'Pending', numeric: true, render: (m) => fmt.number(m.pending), sortValue: (m) => m.pending },
              ]}
            />
          ))}
        </Async>
      </Panel>
      <Panel title="Referrals" testId="loyalty-referrals" definition="A referral is rewarded once the friend's first order is past the return window; a failed fraud check rejects it with its reason.">
        <Async result={referrals.result} onRetry={referrals.reload}>
          {(page) => (page.data.length === 0 ? <Empty>No referral yet.</Empty> : (
            <DataTable<Referral>
              caption="Latest referrals"
              rows={page.data}
              rowKey={(r) => r.id}
              columns={[
                { key: 'referrer', label: 'Referrer', render: (r) => <Link to={`/customers/${r.referrer_id}`}>{r.code}</Link> },
                { key: 'friend', label: 'Friend', render: (r) => r.friend_email ?? '—' },
                { key: 'state', label: 'State', render: (r) => <span className="badge">{stateWords[r.state]}</span> },
                { key: 'reason', label: 'Why rejected', render: (r) => (r.reason ? reasonWords[r.reason] ?? r.reason : '') },
                { key: 'clicked', label: 'Clicked', render: (r) => fmt.date(r.clicked_at) },
              ]}
            />
          ))}
        </Async>
      </Panel>
    </div>
  );
}
