import type { FastifyInstance } from 'fastify';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

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

/** Prometheus metrics at /metrics and a duration histogram per route. */
export function httpMetrics(app: FastifyInstance): void {
  app.addHook('onResponse', async (request, reply) => {
    requests.observe(
      { method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });
  app.get('/metrics', async (_request, reply) => reply.type(registry.contentType).send(await registry.metrics()));
}
