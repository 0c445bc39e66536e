/**
 * The real engine under a movable clock: services over a migrated DuckDB file, the HTTP app
 * (in-process), the dispatcher with every module's subscribers, and a worker with every module's
 * jobs. `settle()` runs what is due now — domain events, then jobs, until neither has work —
 * and `advance()` moves the clock and settles, so a 30-day journey takes milliseconds.
 */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import { expect } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { buildApp } from '../../src/http/app.js';
import { registerJobs } from '../../src/jobs/handlers.js';
import { Worker } from '../../src/jobs/worker.js';
import { TestClock } from '../../src/lib/clock.js';
import { createLogger, silentLogger } from '../../src/lib/logger.js';
import { modules } from '../../src/modules.js';
import { Dispatcher } from '../../src/modules/domain-events/index.js';
import { createServices, type Services } from '../../src/services.js';
import { bearer } from '../helpers/app.js';
import { openTestStore } from '../helpers/store.js';
import { startSmtpSink, type SmtpSink } from '../messaging/smtp-sink.js';

export interface FlowHarness {
  app: FastifyInstance;
  services: Services;
  clock: TestClock;
  sink: SmtpSink;
  storeId: string;
  secretKey: string;
  writeKey: string;
  request: (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown) => Promise<LightMyRequestResponse>;
  settle: () => Promise<void>;
  /** Runs the next due job, if any (as the worker does): whether there was one. */
  tick: () => Promise<boolean>;
  advance: (ms: number) => Promise<void>;
  close: () => Promise<void>;
}

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

export async function flowHarness(name = 'Flow Store'): Promise<FlowHarness> {
  const store = await openTestStore();
  const config = loadConfig({ HEARTH_DATA_DIR: store.file.replace(/\/hearth\.duckdb$/, ''), HEARTH_LOG_LEVEL: 'silent' });
  const clock = new TestClock();
  const logger = process.env.FLOW_TEST_LOG ? createLogger('debug') : silentLogger;
  const services = createServices(config, store, logger, clock);
  const app = await buildApp(services, { logger: false });
  const sink = await startSmtpSink();
  const dispatcher = new Dispatcher(store, logger, { pollMs: 20 });
  for (const module of modules) for (const subscriber of module.subscribers?.(services) ?? []) dispatcher.subscribe(subscriber);
  services.commerce.onWritten(() => dispatcher.notify());
  const worker = new Worker(services.jobs, logger);
  registerJobs(worker, services);
  await dispatcher.start();

  const created = await services.accounts.createStore({ name, slug: `flows-${Date.now().toString(36)}` });
  const secretKey = (await services.accounts.createApiKey(created.id, 'secret', 'tests')).key;
  const writeKey = (await services.accounts.createApiKey(created.id, 'write', 'tests')).key;
  // Every message a flow sends goes over SMTP to the sink; no frequency cap between a flow's steps.
  await services.messages.updateSettings(created.id, { smtp_url: sink.url, from_address: 'hello@shop.test', from_name: name, frequency_cap_hours: 0 });
  await services.accounts.updateStore(created.id, { websiteUrl: 'https://shop.example', postalAddress: '1 Harbour Street, Bristol' });

  const settle = async () => {
    for (let round = 0; round < 50; round += 1) {
      await dispatcher.idle();
      let worked = false;
      while (await worker.tick()) worked = true;
      if (!worked) {
        await dispatcher.idle();
        if (!(await worker.tick())) return;
      }
    }
    throw new Error('the engine did not settle in 50 rounds');
  };

  return {
    app, services, clock, sink, storeId: created.id, secretKey, writeKey,
    request: (method, url, payload) => app.inject({ method, url, headers: bearer(secretKey), ...(payload !== undefined && { payload: payload as Record<string, unknown> }) }),
    settle,
    tick: () => worker.tick(),
    advance: async (ms) => {
      clock.advance(ms);
      await settle();
    },
    close: async () => {
      await dispatcher.stop();
      await worker.stop();
      await app.close();
      await services.shutdown();
      await store.dispose();
      await sink.close();
    },
  };
}

/** The recipient of a parsed message. */
export const addressOf = (mail: Awaited<ReturnType<SmtpSink['parsed']>>[number]): string => (Array.isArray(mail.to) ? mail.to[0] : mail.to)!.value[0]!.address!;

/** Creates a flow from its document and publishes it, as a store would through the API: the live flow. */
export async function liveFlow(h: FlowHarness, name: string, document: unknown): Promise<{ id: string }> {
  const created = await h.request('POST', '/api/v1/flows', { name, document });
  expect(created.statusCode, created.body).toBe(201);
  const flow = created.json() as { id: string };
  expect((await h.request('POST', `/api/v1/flows/${flow.id}/publish`)).statusCode).toBe(200);
  return flow;
}

/**
 * As if the engine had stopped after a step's effects and before the run's new state was stored:
 * the run is back at the step, and the engine runs it again.
 */
export async function rewindRun(h: FlowHarness, runId: number, stepId: string): Promise<void> {
  await sql`update flow_runs set status = 'active', step_id = ${stepId}, step_since = ${h.clock.now()}, due_at = ${h.clock.now()}, finished_at = null
    where store_id = ${h.storeId} and id = ${runId}`.execute(h.services.storage.write);
  await h.services.flows.runStepJob({ storeId: h.storeId });
  await h.settle();
}
