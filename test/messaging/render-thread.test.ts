/**
 * The render thread: a batch of emails queued from a template renders in a worker thread, and what
 * the ledger keeps, and the SMTP server receives, is exactly what rendering on the main thread
 * gives — two template versions in one batch, dates that stay dates across the thread, tracked
 * links signed with the store's key. A batch that cannot be rendered queues nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { startSmtpSink, type SmtpSink } from './smtp-sink.js';
import { RENDER_THREAD_MIN, renderForLedger, renderThreadCount, renderThreadIdle } from '../../src/modules/messaging/email-render.js';
import { linksFor } from '../../src/modules/messaging/message-links.js';
import { unpackBodies } from '../../src/modules/messaging/message-bodies.js';
import { bodiesByIds } from '../../src/modules/messaging/sends.repository.js';
import { recipientVariables, sampleVariables, type RecipientVariables } from '../../src/modules/messaging/index.js';

let t: TestApp;
let sink: SmtpSink;
beforeAll(async () => {
  t = await createTestApp();
  sink = await startSmtpSink();
});
afterAll(async () => {
  await t.close();
  await sink.close();
});

const COUNT = 120;
/** Where the test app's links point (its default setting). */
const publicUrl = loadConfig({}).publicUrl;

async function storeWithCustomers(count: number) {
  const store = await t.newStore('Render Thread Store');
  await t.services.commerce.write(store.storeId, {
    customers: Array.from({ length: count }, (_, i) => ({
      external_id: `c${i}`, email: `c${i}@example.com`, first_name: i % 7 === 0 ? `Zoë <b>${i}</b> & co` : `Name${i}`, email_consent: { status: 'subscribed' },
    })),
  });
  await t.services.messages.updateSettings(store.storeId, { smtp_url: sink.url, from_address: 'shop@hearth.test', from_name: 'Render Thread Store', frequency_cap_hours: 0 });
  const ids = (await t.services.storage.read.selectFrom('customers').select('id').where('store_id', '=', store.storeId).orderBy('id').execute()).map((r) => Number(r.id));
  return { ...store, ids };
}

/** A store of RENDER_THREAD_MIN subscribers, the win-back starter compiled, and each one's variables. */
async function winBackStore() {
  const store = await storeWithCustomers(RENDER_THREAD_MIN);
  const template = await t.services.templates.createFromStarter(store.storeId, 'win_back');
  const { compiled } = await t.services.templates.compiled(store.storeId, template.id);
  const storeVars = await t.services.templates.storeVariables(store.storeId);
  const facts = await t.services.templates.customerFacts(store.storeId, store.ids);
  return { store, compiled, variablesOf: (id: number) => recipientVariables(storeVars, facts.get(id)!, {}) };
}

describe('the render thread', () => {
  it('renders a batch as the main thread would, two versions at once, and the SMTP server gets each message once', async () => {
    const store = await storeWithCustomers(COUNT);
    const winBack = await t.services.templates.createFromStarter(store.storeId, 'win_back');
    const shipping = await t.services.templates.createFromStarter(store.storeId, 'shipping_update');
    const versions = [await t.services.templates.compiled(store.storeId, winBack.id), await t.services.templates.compiled(store.storeId, shipping.id)];
    const storeVars = await t.services.templates.storeVariables(store.storeId);
    const facts = await t.services.templates.customerFacts(store.storeId, store.ids);
    const sample = sampleVariables(storeVars, new Date('2026-03-02T10:00:00Z'));
    // Each recipient's own shipment dates: a render that lost a Date would print them otherwise or not at all.
    const variablesOf = (id: number, i: number): RecipientVariables => recipientVariables(storeVars, facts.get(id)!, {
      order: { ...sample.order!, name: `#${2000 + i}` },
      fulfillment: { ...sample.fulfillment!, shipped_at: new Date(Date.UTC(2026, 2, 1 + (i % 28))), delivered_at: i % 3 === 0 ? new Date(Date.UTC(2026, 3, 1 + (i % 28))) : null },
      recommendations: sample.recommendations, discount_code: `CODE-${i}`,
    });
    const emails = store.ids.map((id, i) => ({ id, i, sendKey: `thread:${id}`, version: versions[i % 2]! }));

    const before = renderThreadCount.messages;
    const queued = await t.services.messages.queueEmails(store.storeId, emails.map((e) => ({
      sendKey: e.sendKey, purpose: 'marketing' as const, customerId: e.id, source: 'thread-test',
      template: { compiled: e.version.compiled, tracked: e.i % 2 === 0, variables: () => variablesOf(e.id, e.i) },
    })));
    expect(queued.queued).toBe(COUNT);
    expect(renderThreadCount.messages - before).toBe(COUNT);

    // What the ledger keeps is what the main thread renders for the same recipient and links.
    const key = await t.services.messages.linkKey(store.storeId);
    const ids = new Map(queued.sends.map((s) => [s.send_key, s.id]));
    const kept = await bodiesByIds(t.services.storage.read, store.storeId, [...ids.values()]);
    const headings = new Map((await t.services.storage.read.selectFrom('message_sends').select(['id', 'subject', 'preheader']).where('store_id', '=', store.storeId).execute()).map((r) => [Number(r.id), r]));
    for (const e of emails) {
      const links = linksFor(publicUrl, key, { storeId: store.storeId, customerId: e.id, address: `c${e.i}@example.com`, sendKey: e.sendKey });
      const tracking = e.i % 2 === 0 ? { publicUrl: publicUrl, key, storeId: store.storeId, sendKey: e.sendKey, customerId: e.id, links } : null;
      const expected = renderForLedger({ compiled: e.version.compiled, variables: { ...variablesOf(e.id, e.i), links }, tracking });
      const id = ids.get(e.sendKey)!;
      expect(kept.get(id)).toEqual(unpackBodies(expected.bodies));
      expect(headings.get(id)).toMatchObject({ subject: expected.subject, preheader: expected.preheader });
    }
    const shipped = kept.get(ids.get(emails[1]!.sendKey)!)!;
    expect(shipped.html).toContain('Your parcel left us on Monday 2 March');
    expect(kept.get(ids.get(emails[3]!.sendKey)!)!.html).toContain('Your parcel was delivered on Saturday 4 April');
    expect(kept.get(ids.get(emails[0]!.sendKey)!)!.html).toContain('/t/c/');
    expect(shipped.html).not.toContain('/t/c/');
    expect(kept.get(ids.get(emails[7]!.sendKey)!)!.html).toContain('Zoë &lt;b&gt;7&lt;/b&gt; &amp; co');

    const result = await t.services.messages.sendBatch(store.storeId, [...ids.values()]);
    expect(result).toMatchObject({ sent: COUNT, failed: 0, uncertain: 0 });
    const mails = (await sink.parsed()).filter((m) => (Array.isArray(m.to) ? m.to : [m.to]).some((a) => a?.text.endsWith('@example.com')));
    expect(mails).toHaveLength(COUNT);
    expect(new Set(mails.map((m) => (Array.isArray(m.to) ? m.to[0] : m.to)!.text)).size).toBe(COUNT);
    expect(mails.find((m) => (Array.isArray(m.to) ? m.to[0] : m.to)!.text === 'c3@example.com')?.subject).toBe('Delivered: your order #2003');
  });

  it('renders a small batch on the main thread, and queues nothing of a batch it cannot render', async () => {
    const { store, compiled, variablesOf } = await winBackStore();
    const before = renderThreadCount.messages;
    const few = await t.services.messages.queueEmails(store.storeId, store.ids.slice(0, 5).map((id) => ({
      sendKey: `few:${id}`, purpose: 'marketing' as const, customerId: id,
      template: { compiled, tracked: true, variables: () => variablesOf(id) },
    })));
    expect(few.queued).toBe(5);
    expect(renderThreadCount.messages).toBe(before);

    // A value that cannot cross to the thread (a function): the batch fails whole.
    const attempt = t.services.messages.queueEmails(store.storeId, store.ids.map((id, i) => ({
      sendKey: `bad:${id}`, purpose: 'marketing' as const, customerId: id,
      template: { compiled, tracked: true, variables: () => ({ ...variablesOf(id), ...(i === 30 && { discount_code: (() => 'x') as unknown as string }) }) },
    })));
    await expect(attempt).rejects.toThrow();
    const written = await t.services.storage.read.selectFrom('message_sends').select('send_key').where('store_id', '=', store.storeId).where('send_key', 'like', 'bad:%').execute();
    expect(written).toHaveLength(0);
  });

  it('ends after a while without work and starts again for the next batch', async () => {
    const { store, compiled, variablesOf } = await winBackStore();
    const batch = (name: string) => t.services.messages.queueEmails(store.storeId, store.ids.map((id) => ({
      sendKey: `${name}:${id}`, purpose: 'marketing' as const, customerId: id,
      template: { compiled, tracked: true, variables: () => variablesOf(id) },
    })));
    const idle = renderThreadIdle.ms;
    renderThreadIdle.ms = 300;
    try {
      await batch('first');
      const started = renderThreadCount.threads;
      await batch('soon-after');
      expect(renderThreadCount.threads).toBe(started);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      const after = await batch('after-a-pause');
      expect(after.queued).toBe(RENDER_THREAD_MIN);
      expect(renderThreadCount.threads).toBe(started + 1);
    } finally {
      renderThreadIdle.ms = idle;
    }
  });
});
