import { useCallback, useEffect, useMemo, useState } from 'react';
import { ApiError, http, onUnauthorized, setSessionContext } from './api/client';
import { writerRoles, type CurrentSession, type Session, type StoreSettings } from './api/types';
import { AppContext, type AppState } from './components/app-context';
import { createFormatter } from './components/format';
import { Layout } from './components/layout';
import { navigate, useLocation } from './components/router';
import { ErrorState, Loading } from './components/states';
import { CampaignsPage } from './pages/campaigns.page';
import { CohortsPage } from './pages/cohorts.page';
import { CustomerPage } from './pages/customer.page';
import { CustomersPage } from './pages/customers.page';
import { DataPage } from './pages/data.page';
import { FlowPage } from './pages/flow.page';
import { FlowsPage, NewFlowPage } from './pages/flows.page';
import { ImpactPage } from './pages/impact.page';
import { OffersPage } from './pages/offers.page';
import { LoyaltyPage } from './pages/loyalty.page';
import { SupportPage } from './pages/support.page';
import { SurveysPage } from './pages/surveys.page';
import { ReviewsPage } from './pages/reviews.page';
import { MessagePage, OutboxPage } from './pages/outbox.page';
import { OverviewPage } from './pages/overview.page';
import { PredictionsPage } from './pages/predictions.page';
import { ProductsPage } from './pages/products.page';
import { JourneyMapPage } from './pages/journey-map.page';
import { JourneyPage } from './pages/journey.page';
import { RfmPage } from './pages/rfm.page';
import { SegmentsPage } from './pages/segments.page';
import { SettingsPage } from './pages/settings.page';
import { SignInPage } from './pages/sign-in.page';
import { TemplatesPage } from './pages/templates.page';

type Boot = { state: 'loading' } | { state: 'signed-out' } | { state: 'error'; error: ApiError } | { state: 'ready'; session: Session; store: StoreSettings };

async function boot(): Promise<Boot> {
  try {
    const session = await http.get<CurrentSession>('/api/v1/session');
    // An API key's principal has no stores to choose from: the dashboard is for signed-in users.
    if (!('stores' in session)) return { state: 'signed-out' };
    const chosen = window.localStorage.getItem('hearth.store');
    const storeId = session.stores.find((s) => s.id === chosen)?.id ?? session.stores[0]?.id;
    setSessionContext({ csrfToken: session.csrf_token, storeId });
    const store = await http.get<StoreSettings>('/api/v1/store');
    return { state: 'ready', session, store };
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return { state: 'signed-out' };
    return { state: 'error', error: error instanceof ApiError ? error : new ApiError(0, 'client', String(error)) };
  }
}

function Page({ path }: { path: string }) {
  const customer = /^\/customers\/([^/]+)$/.exec(path);
  if (customer?.[1]) return <CustomerPage id={decodeURIComponent(customer[1])} />;
  const flow = /^\/flows\/([^/]+)$/.exec(path);
  if (flow?.[1]) return flow[1] === 'new' ? <NewFlowPage /> : <FlowPage id={decodeURIComponent(flow[1])} />;
  const message = /^\/outbox\/(\d+)$/.exec(path);
  if (message?.[1]) return <MessagePage id={message[1]} />;
  switch (path) {
    case '/': return <OverviewPage />;
    case '/cohorts': return <CohortsPage />;
    case '/rfm': return <RfmPage />;
    case '/predictions': return <PredictionsPage />;
    case '/segments': return <SegmentsPage />;
    case '/campaigns': return <CampaignsPage />;
    case '/flows': return <FlowsPage />;
    case '/impact': return <ImpactPage />;
    case '/offers': return <OffersPage />;
    case '/loyalty': return <LoyaltyPage />;
    case '/support': return <SupportPage />;
    case '/surveys': return <SurveysPage />;
    case '/reviews': return <ReviewsPage />;
    case '/templates': return <TemplatesPage />;
    case '/customers': return <CustomersPage />;
    case '/products': return <ProductsPage />;
    case '/journey': return <JourneyPage />;
    case '/journey-map': return <JourneyMapPage />;
    case '/outbox': return <OutboxPage />;
    case '/data': return <DataPage />;
    case '/settings': return <SettingsPage />;
    default:
      return (
        <div className="page">
          <h1>Page not found</h1>
          <p>There is no page at {path}. Use the menu to find your way.</p>
        </div>
      );
  }
}

export function App() {
  const [state, setState] = useState<Boot>({ state: 'loading' });
  const location = useLocation();
  const load = useCallback(() => {
    boot().then(setState);
  }, []);
  useEffect(load, [load]);
  useEffect(() => onUnauthorized(() => setState({ state: 'signed-out' })), []);

  const signOut = useCallback(() => {
    http.delete('/api/v1/session').finally(() => {
      setSessionContext({});
      setState({ state: 'signed-out' });
      navigate('/sign-in');
    });
  }, []);

  const app = useMemo<AppState | null>(() => {
    if (state.state !== 'ready') return null;
    const membership = state.session.stores.find((s) => s.id === state.store.id) ?? state.session.stores[0];
    const role = membership?.role ?? 'analyst';
    return {
      session: state.session, store: state.store, role,
      canWrite: writerRoles.includes(role),
      isOwner: role === 'owner',
      fmt: createFormatter(state.store.currency, undefined, state.store.timezone),
      reloadStore: load,
      signOut,
    };
  }, [state, load, signOut]);

  if (state.state === 'loading') return <Loading label="Opening Hearth…" />;
  if (state.state === 'error') return <div className="page"><ErrorState error={state.error} onRetry={load} /></div>;
  if (state.state === 'signed-out' || !app) {
    return (
      <SignInPage
        onSignedIn={() => {
          if (location.path === '/sign-in') navigate('/', { replace: true });
          load();
        }}
      />
    );
  }
  return (
    <AppContext.Provider value={app}>
      <Layout path={location.path}>
        <Page key={location.path} path={location.path === '/sign-in' ? '/' : location.path} />
      </Layout>
    </AppContext.Provider>
  );
}
