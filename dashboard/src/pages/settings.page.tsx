import { useState, type FormEvent } from 'react';
import { http } from '../api/client';
import { roles, type Member, type Role, type StoreSettings } from '../api/types';

const roleLabels: Record<Role, string> = { owner: 'Owner', admin: 'Admin', analyst: 'Analyst (read-only)' };
import { useAction, useApi } from '../api/use-api';
import { useApp } from '../components/app-context';
import { ChannelsPanel } from '../components/channel-settings';
import { TopicsPanel } from '../components/email-topics';
import { SendingPanel } from '../components/sending-settings';
import { Async } from '../components/states';
import { DataTable, Field, PageHeader, Panel } from '../components/ui';

const currencies = ['USD', 'EUR', 'GBP', 'CAD', 'AUD', 'JPY', 'CHF', 'SEK', 'NOK', 'DKK', 'PLN', 'CZK', 'NZD', 'INR', 'BRL', 'MXN'];

function timeZones(current: string): string[] {
  const zones = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  return zones.includes(current) ? zones : [current, ...zones];
}

function StoreForm() {
  const { store, isOwner, reloadStore } = useApp();
  const [name, setName] = useState(store.name);
  const [timezone, setTimezone] = useState(store.timezone);
  const [currency, setCurrency] = useState(store.currency);
  const [origins, setOrigins] = useState((store.tracking_origins ?? []).join('\n'));
  const [inactivity, setInactivity] = useState(store.inactivity_days === null ? '' : String(store.inactivity_days));
  const [website, setWebsite] = useState(store.website_url ?? '');
  const [logo, setLogo] = useState(store.logo_url ?? '');
  const [address, setAddress] = useState(store.postal_address ?? '');
  const [colors, setColors] = useState({ primary: '#2f5d50', background: '#f4f1ec', text: '#1f2328', ...store.brand_colors });
  const [saved, setSaved] = useState(false);
  const save = useAction((changes: Partial<StoreSettings>) => http.patch<StoreSettings>('/api/v1/store', changes));
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSaved(false);
    const listed = origins.split(/\s+/).filter(Boolean);
    const days = inactivity.trim() === '' ? null : Number(inactivity);
    if (await save.run({
      name, timezone, currency, tracking_origins: listed.length > 0 ? listed : null, inactivity_days: days,
      website_url: website.trim() || null, logo_url: logo.trim() || null, postal_address: address.trim() || null, brand_colors: colors,
    })) {
      setSaved(true);
      reloadStore();
    }
  };
  return (
    <Panel title="Store">
      <form onSubmit={submit} className="stack" aria-label="Store settings">
        <div className="form-grid">
          <Field label="Name">
            <input name="store-name" value={name} onChange={(e) => setName(e.target.value)} disabled={!isOwner} required />
          </Field>
          <Field label="Time zone" hint="Reports bucket days and months in this zone.">
            <select name="timezone" value={timezone} onChange={(e) => setTimezone(e.target.value)} disabled={!isOwner}>
              {timeZones(store.timezone).map((zone) => <option key={zone}>{zone}</option>)}
            </select>
          </Field>
          <Field label="Currency" hint="Reports show money in this currency.">
            <select name="currency" value={currency} onChange={(e) => setCurrency(e.target.value)} disabled={!isOwner}>
              {(currencies.includes(store.currency) ? currencies : [store.currency, ...currencies]).map((code) => <option key={code}>{code}</option>)}
            </select>
          </Field>
          <Field label="Inactivity threshold (days)" hint="A customer who goes this many days without ordering counts as churned (the Churn figure on Overview). Empty: derived from how long your customers usually take to order again.">
            <input name="inactivity-days" type="number" min={1} max={3650} step={1} inputMode="numeric" placeholder="derived" value={inactivity}
              onChange={(e) => setInactivity(e.target.value)} disabled={!isOwner} />
          </Field>
          <Field label="Tracking origins" hint="Pages allowed to send events with the write key, one per line (https://shop.example, https://*.shop.example). Empty: any.">
            <textarea name="tracking-origins" rows={3} value={origins} onChange={(e) => setOrigins(e.target.value)} disabled={!isOwner} />
          </Field>
        </div>
        <h3 style={{ margin: '8px 0 0' }}>Branding of messages</h3>
        <div className="form-grid">
          <Field label="Website" hint="Linked from your emails (https://shop.example).">
            <input name="website-url" type="url" value={website} onChange={(e) => setWebsite(e.target.value)} disabled={!isOwner} placeholder="https://" />
          </Field>
          <Field label="Logo address" hint="An image shown at the top of your emails; empty: the store name.">
            <input name="logo-url" type="url" value={logo} onChange={(e) => setLogo(e.target.value)} disabled={!isOwner} placeholder="https://" />
          </Field>
          <Field label="Postal address" hint="Shown in the footer of marketing emails, as the law in most countries requires.">
            <textarea name="postal-address" rows={2} maxLength={500} value={address} onChange={(e) => setAddress(e.target.value)} disabled={!isOwner} />
          </Field>
          <div className="row">
            {(['primary', 'background', 'text'] as const).map((key) => (
              <Field key={key} label={{ primary: 'Buttons', background: 'Background', text: 'Text' }[key]}>
                <input type="color" name={`brand-${key}`} value={colors[key]} onChange={(e) => setColors({ ...colors, [key]: e.target.value })} disabled={!isOwner} style={{ width: 56, height: 34, padding: 2 }} />
              </Field>
            ))}
          </div>
        </div>
        {save.error && <p className="form-error" role="alert">{save.error.describe()}</p>}
        {saved && <p className="notice" role="status">Saved.</p>}
        {isOwner ? (
          <div><button type="submit" className="primary" disabled={save.pending}>Save store settings</button></div>
        ) : (
          <p className="muted">Only the store's owners change these settings.</p>
        )}
      </form>
    </Panel>
  );
}

const shopifyTopics = [
  'orders/create', 'orders/updated', 'orders/cancelled', 'orders/fulfilled', 'refunds/create', 'customers/create', 'customers/update',
  'fulfillments/create', 'fulfillments/update', 'checkouts/create', 'checkouts/update', 'checkouts/delete',
];

/** Where Shopify sends its webhooks, and the shared secret their signatures are checked with. */
function ShopifyPanel() {
  const { store, isOwner, reloadStore } = useApp();
  const [secret, setSecret] = useState('');
  const [saved, setSaved] = useState<string | undefined>();
  const save = useAction((changes: { shopify_secret: string | null }) => http.patch<StoreSettings>('/api/v1/store', changes));
  const url = `${window.location.origin}/webhooks/shopify/${store.slug}`;
  const apply = async (value: string | null) => {
    setSaved(undefined);
    if (await save.run({ shopify_secret: value })) {
      setSecret('');
      setSaved(value === null ? 'Secret removed: Shopify deliveries are refused until a new one is set.' : 'Secret saved.');
      reloadStore();
    }
  };
  return (
    <Panel title="Shopify" definition="Shopify sends orders, refunds and customers as webhooks. Each delivery is signed with the shop's webhook secret; deliveries that do not match it are refused, and repeated deliveries are stored once.">
      <div className="stack">
        <dl className="dl">
          <dt>Webhook URL</dt><dd><code data-testid="shopify-url">{url}</code></dd>
          <dt>Topics</dt><dd>{shopifyTopics.join(', ')} (format JSON)</dd>
          <dt>Secret</dt><dd data-testid="shopify-secret-state">{store.shopify_secret_set ? <span className="badge good">set</span> : <span className="badge warn">not set</span>}</dd>
        </dl>
        {isOwner ? (
          <form onSubmit={(event) => { event.preventDefault(); void apply(secret); }} className="form-grid" aria-label="Shopify webhook secret">
            <Field label="Webhook secret" hint="Shopify admin → Settings → Notifications → Webhooks: the key shown there (used to sign every webhook).">
              <input name="shopify-secret" type="password" autoComplete="off" value={secret} onChange={(e) => setSecret(e.target.value)} required />
            </Field>
            <div style={{ display: 'flex', gap: 8, flexWrap: 'wrap' }}>
              <button type="submit" className="primary" disabled={save.pending}>Save secret</button>
              {store.shopify_secret_set && <button type="button" className="danger" disabled={save.pending} onClick={() => void apply(null)}>Remove secret</button>}
            </div>
          </form>
        ) : <p className="muted">Only the store's owners set the Shopify secret.</p>}
        {save.error && <p className="form-error" role="alert">{save.error.describe()}</p>}
        {saved && <p className="notice" role="status">{saved}</p>}
      </div>
    </Panel>
  );
}

/** Every signed-in user changes their own password here (the start-up message sends the first owner here). */
function PasswordPanel() {
  const { session } = useApp();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [saved, setSaved] = useState(false);
  const change = useAction((body: { current_password: string; new_password: string }) => http.put('/api/v1/session/password', body).then(() => true));
  if (!session) return null;
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSaved(false);
    if (await change.run({ current_password: current, new_password: next })) {
      setCurrent('');
      setNext('');
      setSaved(true);
    }
  };
  return (
    <Panel title="Your password" definition="At least 10 characters, at most 256; not a common password, a keyboard run or your email address.">
      <form onSubmit={(event) => void submit(event)} className="form-grid" aria-label="Change your password">
        <Field label="Current password">
          <input name="current-password" type="password" autoComplete="current-password" value={current} onChange={(e) => setCurrent(e.target.value)} required />
        </Field>
        <Field label="New password">
          <input name="new-password" type="password" autoComplete="new-password" minLength={10} maxLength={256} value={next} onChange={(e) => setNext(e.target.value)} required />
        </Field>
        <div><button type="submit" className="primary" disabled={change.pending}>Change password</button></div>
      </form>
      {change.error && <p className="form-error" role="alert">{change.error.describe()}</p>}
      {saved && <p className="notice" role="status">Password changed.</p>}
    </Panel>
  );
}

function Users() {
  const { isOwner, fmt, session } = useApp();
  const { result, reload } = useApi('users', () => http.get<{ data: Member[] }>('/api/v1/users'));
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState<Role>('analyst');
  const add = useAction((body: { email: string; password: string; role: Role }) => http.post('/api/v1/users', body));
  const remove = useAction((id: string) => http.delete(`/api/v1/users/${encodeURIComponent(id)}`).then(() => true));
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if ((await add.run({ email, password, role })) !== undefined) {
      setEmail('');
      setPassword('');
      reload();
    }
  };
  return (
    <Panel title="Users and roles" definition="Owners change everything, including settings and users. Admins manage data, keys and segments. Analysts only read.">
      <Async result={result} onRetry={reload} isEmpty={(d) => d.data.length === 0} empty="No users yet.">
        {(data) => (
          <DataTable
            caption="Users"
            rows={data.data}
            rowKey={(m) => m.user_id}
            columns={[
              { key: 'email', label: 'Email', render: (m) => m.email },
              { key: 'name', label: 'Name', render: (m) => m.name ?? '—' },
              { key: 'role', label: 'Role', render: (m) => <span className="badge">{m.role}</span> },
              { key: 'since', label: 'Member since', render: (m) => fmt.date(m.created_at) },
              ...(isOwner ? [{
                key: 'actions', label: '', render: (m: Member) => m.user_id === session.user_id ? <span className="muted">you</span> : (
                  <button type="button" className="danger" onClick={async () => { if (await remove.run(m.user_id)) reload(); }}>Remove</button>
                ),
              }] : []),
            ]}
          />
        )}
      </Async>
      {remove.error && <p className="form-error" role="alert">{remove.error.describe()}</p>}
      {isOwner && (
        <form onSubmit={submit} className="stack" aria-label="Add a user" style={{ marginTop: 14 }}>
          <div className="form-grid">
            <Field label="Email"><input name="new-email" type="email" value={email} onChange={(e) => setEmail(e.target.value)} required /></Field>
            <Field label="Password" hint="At least 10 characters; share it privately."><input name="new-password" type="password" value={password} onChange={(e) => setPassword(e.target.value)} required minLength={10} /></Field>
            <Field label="Role">
              <select name="new-role" value={role} onChange={(e) => setRole(e.target.value as Role)}>
                {[...roles].reverse().map((r) => <option key={r} value={r}>{roleLabels[r]}</option>)}
              </select>
            </Field>
            <div><button type="submit" className="primary" disabled={add.pending}>Add user</button></div>
          </div>
          {add.error && <p className="form-error" role="alert">{add.error.describe()}</p>}
        </form>
      )}
    </Panel>
  );
}

export function SettingsPage() {
  return (
    <div className="page">
      <PageHeader title="Settings" subtitle="The store's name, time zone and currency, its Shopify connection, and who may use this dashboard." />
      <div className="stack">
        <StoreForm />
        <ShopifyPanel />
        <SendingPanel />
        <ChannelsPanel />
        <TopicsPanel />
        <Users />
        <PasswordPanel />
      </div>
    </div>
  );
}
