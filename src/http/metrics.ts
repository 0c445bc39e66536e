import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Db } from '../db/database.js';

export const registry = new Registry();
collectDefaultMetrics({ register: registry, prefix: 'hearth_' });

const requests = new Histogram({
  name: 'hearth_http_request_duration_seconds',
  help: 'HTTP request duration by route and status',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  registers: [registry],
});

export const rowsWritten = new Counter({
  name: 'hearth_rows_written_total',
  help: 'Rows written to the store, by table',
  labelNames: ['table'] as const,
  registers: [registry],
});

/** Seconds from a domain event's commit to the end of its handling, per subscriber. */
export const domainEventLag = new Histogram({
  name: 'hearth_domain_event_lag_seconds',
  help: "Time from a domain event's commit to its delivery to a subscriber (stage delivered) and to the end of its handling (stage handled)",
  labelNames: ['subscriber', 'stage'] as const,
  buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
  registers: [registry],
});

/**
 * Gauges read from the store at each scrape (one small query each): the job queue, what ingest
 * accepted and rejected, how old each store's model is, how far the summaries trail the orders,
 * and how many domain events each subscriber has still to handle. Per app, since they read its store.
 */
function stateMetrics(db: Db): Registry {
  const state = new Registry();
  const gauge = (name: string, help: string, labelNames: string[], read: (set: (labels: Record<string, string>, value: number) => void) => Promise<void>) =>
    new Gauge({
      name, help, labelNames, registers: [state],
      async collect() {
        this.reset();
        await read((labels, value) => this.set(labels, value));
      },
    });
  gauge('hearth_jobs', 'Jobs in the queue by kind and state (queued, running, failed waiting for a retry, dead, done)', ['kind', 'state'], async (set) => {
    const { rows } = await sql<{ kind: string; state: string; n: number }>`select kind, state, count(*) as n from jobs group by kind, state`.execute(db);
    for (const row of rows) set({ kind: row.kind, state: row.state }, Number(row.n));
  });
  gauge('hearth_ingest_events_24h', 'Tracked events and webhooks over the last 24 hours by source and outcome (received, stored, rejected, deduplicated), all stores; counted within a second of each commit', ['source', 'outcome'], async (set) => {
    const { rows } = await sql<{ source: string; received: number; stored: number; rejected: number; deduplicated: number }>`
      select source, sum(received) as received, sum(stored) as stored, sum(rejected) as rejected, sum(deduplicated) as deduplicated
      from ingest_stats where hour >= now()::timestamp - interval 24 hour group by source`.execute(db);
    for (const row of rows) {
      for (const outcome of ['received', 'stored', 'rejected', 'deduplicated'] as const) set({ source: row.source, outcome }, Number(row[outcome]));
    }
  });
  gauge('hearth_model_age_seconds', "Seconds since each store's last successful model fit", ['store'], async (set) => {
    const { rows } = await sql<{ store_id: string; age: number }>`
      select store_id, epoch(now()::timestamp) - epoch(max(created_at)) as age from prediction_fits where status = 'ok' group by store_id`.execute(db);
    for (const row of rows) set({ store: row.store_id }, Number(row.age));
  });
  gauge('hearth_summary_lag_seconds', "How far each store's report summaries trail its latest order change (0: up to date)", ['store'], async (set) => {
    const { rows } = await sql<{ store_id: string; lag: number }>`
      select a.store_id, greatest(0, coalesce(epoch(o.latest) - epoch(a.orders_updated_max), 0)) as lag
      from analytics_state a join (select store_id, max(updated_at) as latest from orders group by store_id) o on o.store_id = a.store_id`.execute(db);
    for (const row of rows) set({ store: row.store_id }, Number(row.lag));
  });
  gauge('hearth_domain_event_backlog', 'Domain events recorded but not yet handled, per subscriber', ['subscriber'], async (set) => {
    const { rows } = await sql<{ name: string; backlog: number }>`
      select s.name, (select count(*) from domain_events e where e.id > s.position) as backlog from event_subscriptions s`.execute(db);
    for (const row of rows) set({ subscriber: row.name }, Number(row.backlog));
  });
  return state;
}

/** Prometheus metrics at /metrics (process, HTTP, writes, domain-event lag, and the store's state) and a duration histogram per route. */
export function httpMetrics(app: FastifyInstance, db: Db): void {
  const state = stateMetrics(db);
  app.addHook('onResponse', async (request, reply) => {
    requests.observe(
      { method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });
  app.get('/metrics', async (_request, reply) => reply.type(registry.contentType).send(await Registry.merge([registry, state]).metrics()));
}
