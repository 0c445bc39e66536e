/**
 * Measurement against the truths the demo plants (src/modules/demo/planted-effects.ts): the
 * win-back flow raises its entrants' 30-day reorder by 3 points, the spring newsletter changes
 * nothing. The experiments built from the demo's own campaign and flow records recover each inside
 * its 95 % interval, and every campaign and flow of the demo has a result with an interval.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/lib/logger.js';
import { ensureDemoStore, type DemoResult } from '../../src/modules/demo/demo.service.js';
import { SPRING_NEWSLETTER_EFFECT, WIN_BACK_FLOW_EFFECT } from '../../src/modules/demo/planted-effects.js';
import { createServices, type Services } from '../../src/services.js';
import { openTestStore } from '../helpers/store.js';

const END = new Date('2026-11-23T00:00:00Z');
let services: Services;
let result: DemoResult;
let dispose: () => Promise<void>;

beforeAll(async () => {
  const store = await openTestStore();
  const dataDir = store.file.replace(/[\\/]hearth\.duckdb$/, '');
  services = createServices(loadConfig({ HEARTH_DATA_DIR: dataDir }), store, silentLogger);
  dispose = async () => {
    await services.shutdown();
    await store.dispose();
  };
  result = await ensureDemoStore(services, dataDir, { customers: 2_000, end: END, seed: 3 });
}, 900_000);
afterAll(async () => dispose?.());

const storeId = () => result.store.id;
const within = (interval: { low: number; high: number }, truth: number) => interval.low <= truth && truth <= interval.high;

async function resultsOf(kind: 'campaign' | 'flow', match: (name: string, sourceId: string) => boolean) {
  const experiment = (await services.experiments.list(storeId(), { kind })).find((e) => match(e.name, e.source_id));
  expect(experiment, `${kind} experiment`).toBeDefined();
  return services.experiments.results(storeId(), experiment!.id);
}

describe('planted effects, recovered', () => {
  it('finds the win-back flow\'s +3 points of 30-day reorder inside its interval', async () => {
    const results = await resultsOf('flow', (_, sourceId) => sourceId === 'flow_demo_win_back');
    const window = results.windows.find((w) => w.days === WIN_BACK_FLOW_EFFECT.window_days)!;
    const conversion = window.comparisons[0]!.metrics.find((m) => m.metric === 'conversion')!;
    expect(window.matured.entered).toBeGreaterThan(100);
    const interval = conversion.cuped?.interval ?? conversion.interval;
    expect(within(interval, WIN_BACK_FLOW_EFFECT.difference_points / 100), JSON.stringify(interval)).toBe(true);
    expect(within(conversion.always_valid.interval, WIN_BACK_FLOW_EFFECT.difference_points / 100)).toBe(true);
  });

  it('finds no effect of the spring newsletter in any window', async () => {
    const results = await resultsOf('campaign', (name) => name.startsWith(SPRING_NEWSLETTER_EFFECT.source.replace('campaign:', '')));
    for (const window of results.windows) {
      const conversion = window.comparisons[0]?.metrics.find((m) => m.metric === 'conversion');
      if (!conversion) continue;
      expect(within(conversion.cuped?.interval ?? conversion.interval, 0), `${window.days} days`).toBe(true);
    }
  });

  it('gives every campaign and flow of the demo a result with an interval, and the Impact page a total', async () => {
    const experiments = (await services.experiments.list(storeId())).filter((e) => e.kind === 'campaign' || e.kind === 'flow');
    expect(experiments.length).toBeGreaterThanOrEqual(7);
    for (const e of experiments) {
      const results = await services.experiments.results(storeId(), e.id);
      const shown = results.windows.flatMap((w) => w.comparisons.flatMap((c) => c.metrics)).filter((m) => Number.isFinite(m.interval.low) && Number.isFinite(m.interval.high));
      expect(shown.length, e.name).toBeGreaterThan(0);
    }
    const impact = await services.experiments.impact(storeId(), { from: '2026-08-01', to: '2026-11-23', window: 7 });
    expect(impact.programmes.length).toBeGreaterThanOrEqual(5);
    expect(Number.isFinite(impact.total.incremental_orders.low)).toBe(true);
  });
});
