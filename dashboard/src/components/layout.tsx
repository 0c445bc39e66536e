import { useEffect, useState, type ReactNode } from 'react';
import { useApp } from './app-context';
import { Link } from './router';

/** The menu in the order the work goes: see, act, listen and measure, then the store's data. */
const groups: { label: string; items: { to: string; label: string }[] }[] = [
  {
    label: 'See',
    items: [
      { to: '/', label: 'Overview' },
      { to: '/customers', label: 'Customers' },
      { to: '/segments', label: 'Segments' },
      { to: '/cohorts', label: 'Cohorts' },
      { to: '/rfm', label: 'RFM' },
      { to: '/predictions', label: 'Predictions' },
      { to: '/journey', label: 'Journey' },
      { to: '/journey-map', label: 'Journey map' },
      { to: '/products', label: 'Products' },
    ],
  },
  {
    label: 'Act',
    items: [
      { to: '/campaigns', label: 'Campaigns' },
      { to: '/flows', label: 'Flows' },
      { to: '/templates', label: 'Templates' },
      { to: '/offers', label: 'Offers' },
      { to: '/loyalty', label: 'Loyalty' },
    ],
  },
  {
    label: 'Listen and measure',
    items: [
      { to: '/reviews', label: 'Reviews' },
      { to: '/support', label: 'Support' },
      { to: '/surveys', label: 'Surveys' },
      { to: '/impact', label: 'Impact' },
    ],
  },
  {
    label: 'Store',
    items: [
      { to: '/outbox', label: 'Outbox' },
      { to: '/data', label: 'Data' },
      { to: '/settings', label: 'Settings' },
    ],
  },
];
const nav = groups.flatMap((group) => group.items);

function isActive(to: string, path: string): boolean {
  return to === '/' ? path === '/' : path === to || path.startsWith(`${to}/`);
}

export function Layout({ path, children }: { path: string; children: ReactNode }) {
  const { store, session, role, signOut } = useApp();
  const [menuOpen, setMenuOpen] = useState(false);
  useEffect(() => setMenuOpen(false), [path]);
  const current = nav.find((item) => isActive(item.to, path));
  useEffect(() => {
    document.title = `${current?.label ?? 'Hearth'} · ${store.name} · Hearth`;
  }, [current, store.name]);
  return (
    <div className="shell">
      <a className="skip-link" href="#main">Skip to content</a>
      <aside className={`sidebar ${menuOpen ? 'open' : ''}`}>
        <div className="sidebar-top">
          <div className="brand">
            <span className="brand-mark" aria-hidden="true">◆</span> Hearth
          </div>
          <button type="button" className="menu-button" aria-expanded={menuOpen} aria-controls="main-nav" onClick={() => setMenuOpen((open) => !open)}>
            {menuOpen ? 'Close' : 'Menu'}
          </button>
        </div>
        <div className="store-name" title={`${store.name} (${store.currency}, ${store.timezone})`}>
          {store.name}
        </div>
        <nav id="main-nav" aria-label="Main">
          {groups.map((group) => (
            <div key={group.label} className="nav-group">
              <div className="nav-group-label" id={`nav-${group.label.split(' ')[0]!.toLowerCase()}`}>{group.label}</div>
              <ul aria-labelledby={`nav-${group.label.split(' ')[0]!.toLowerCase()}`}>
                {group.items.map((item) => (
                  <li key={item.to}>
                    <Link to={item.to} className={isActive(item.to, path) ? 'active' : ''} aria-current={isActive(item.to, path) ? 'page' : undefined}>
                      {item.label}
                    </Link>
                  </li>
                ))}
              </ul>
            </div>
          ))}
        </nav>
        <div className="user-box">
          <div className="user-email" title={session.email}>{session.email}</div>
          <div className="user-role">
            {role}
            {role === 'analyst' && ' · read-only'}
          </div>
          <button type="button" className="link-button" onClick={signOut}>
            Sign out
          </button>
        </div>
      </aside>
      <main id="main" className="content" tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}
