import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestApp, errorOf, type TestApp } from '../helpers/app.js';
import { aCustomerJson } from '../builders/data.js';

let t: TestApp;
let auth: Record<string, string>;
let owner: Record<string, string>;

const body = (inner: string): string => `<mjml>
  <mj-body>
    <mj-section>
      <mj-column>
        ${inner}
      </mj-column>
    </mj-section>
  </mj-body>
</mjml>`;

const footer = '<mj-text><a href="{{ links.unsubscribe_url }}">Unsubscribe</a></mj-text>';

async function call(method: 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'PUT', url: string, payload?: unknown) {
  return t.app.inject({ method, url, headers: auth, ...(payload !== undefined && { payload: payload as object }) });
}

beforeAll(async () => {
  t = await createTestApp();
  const store = await t.newStore('Linen & Co', { currency: 'EUR', timezone: 'Europe/Paris' });
  auth = bearer(store.secretKey);
  const session = await t.signIn(store.ownerEmail, store.ownerPassword);
  owner = { cookie: session.cookie, 'x-csrf-token': session.csrf };
});
afterAll(async () => t.close());

describe('templates API', () => {
  it('gives a new store editable copies of the starters', async () => {
    const list = (await call('GET', '/api/v1/templates')).json().data as { starter_key: string; version: number }[];
    const starters = (await call('GET', '/api/v1/templates/starters')).json().data as { key: string }[];
    expect(list.map((template) => template.starter_key).sort()).toEqual(starters.map((starter) => starter.key).sort());
    expect(list.every((template) => template.version === 1)).toBe(true);
    // A second read does not add them again, nor do two first reads at once.
    expect((await call('GET', '/api/v1/templates')).json().data).toHaveLength(list.length);
    const other = await t.newStore('Twice');
    const both = await Promise.all([1, 2].map(() => t.app.inject({ method: 'GET', url: '/api/v1/templates', headers: bearer(other.secretKey) })));
    expect(both.map((r) => r.json().data.length)).toEqual([list.length, list.length]);
  });

  it('refuses Liquid and MJML errors with the field, line, column and reason', async () => {
    const response = await call('POST', '/api/v1/templates', {
      name: 'Broken', purpose: 'transactional', subject: 'Hi {% if customer.first_name %}',
      body: body(`<mj-text>{{ customer.first_name }}</mj-text>
        <mj-image src="x.png"></mj-image>
        <mj-spacer heigth="20px" />`),
    });
    expect(response.statusCode).toBe(422);
    const details = errorOf(response).details;
    expect(details).toContainEqual({ path: 'subject', line: 1, column: 4, reason: 'tag {% if customer.first_name %} not closed' });
    expect(details).toContainEqual(expect.objectContaining({ path: 'body', line: 7, column: 9, reason: expect.stringContaining('heigth') }));
  });

  it('names unknown variables and refuses marketing mail without an unsubscribe link', async () => {
    const response = await call('POST', '/api/v1/templates', {
      name: 'Typo', purpose: 'marketing', subject: 'For {{ customer.frist_name }}', body: body('<mj-text>{{ order.totl | money }}</mj-text>'),
    });
    expect(response.statusCode).toBe(422);
    expect(errorOf(response).details).toEqual([
      { path: 'subject', line: 1, column: 8, reason: 'unknown variable "customer.frist_name"' },
      { path: 'body', line: 5, column: 21, reason: 'unknown variable "order.totl"' },
      { path: 'body', reason: expect.stringContaining('links.unsubscribe_url') },
    ]);
  });

  it('keeps every save as a version; a preview can use any of them', async () => {
    const created = await call('POST', '/api/v1/templates', { name: 'Offer', purpose: 'marketing', subject: 'First', preheader: 'P1', body: body(`<mj-text>One</mj-text>${footer}`) });
    expect(created.statusCode).toBe(201);
    const id = created.json().id as string;
    const second = await call('PATCH', `/api/v1/templates/${id}`, { subject: 'Second', body: body(`<mj-text>Two</mj-text>${footer}`) });
    expect(second.json()).toMatchObject({ version: 2, subject: 'Second', preheader: 'P1' });
    // A rename alone is not new content.
    expect((await call('PATCH', `/api/v1/templates/${id}`, { name: 'Spring offer' })).json()).toMatchObject({ name: 'Spring offer', version: 2 });
    // A refused save leaves the current version as it was.
    expect((await call('PATCH', `/api/v1/templates/${id}`, { body: body('<mj-text>No footer</mj-text>') })).statusCode).toBe(422);
    const view = (await call('GET', `/api/v1/templates/${id}`)).json();
    expect(view.versions.map((v: { version: number; subject: string }) => [v.version, v.subject])).toEqual([[2, 'Second'], [1, 'First']]);
    expect((await call('GET', `/api/v1/templates/${id}/versions/1`)).json()).toMatchObject({ subject: 'First', body: expect.stringContaining('One') });
    const old = (await call('POST', `/api/v1/templates/${id}/preview`, { version: 1 })).json();
    expect(old).toMatchObject({ version: 1, subject: 'First', preheader: 'P1' });
    expect(old.text).toContain('One');
    const current = (await call('POST', `/api/v1/templates/${id}/preview`, {})).json();
    expect(current.version).toBe(2);
    expect(current.text).toContain('Two');

    expect((await call('DELETE', `/api/v1/templates/${id}`)).statusCode).toBe(204);
    expect((await call('GET', '/api/v1/templates')).json().data.map((x: { id: string }) => x.id)).not.toContain(id);
    expect((await call('GET', '/api/v1/templates?archived=true')).json().data.map((x: { id: string }) => x.id)).toContain(id);
    expect((await call('PATCH', `/api/v1/templates/${id}`, { subject: 'Third' })).statusCode).toBe(409);
  });

  it('previews with a chosen customer, escaping what came from outside', async () => {
    const hostile = '<img src=x onerror=alert(1)>';
    const put = await call('PUT', '/api/v1/customers/c-hostile', aCustomerJson('c-hostile', { first_name: hostile, email: 'Hostile@Example.com' }));
    expect(put.statusCode).toBeLessThan(300);
    const draft = { purpose: 'transactional', subject: 'Hi {{ customer.first_name }}', body: body('<mj-text>Hello {{ customer.first_name }} ({{ customer.email }})</mj-text>') };
    for (const customer of ['ext:c-hostile', 'hostile@example.com']) {
      const preview = (await call('POST', '/api/v1/templates/preview', { ...draft, customer })).json();
      expect(preview.customer).toMatchObject({ name: `${hostile} Lovelace`, email: 'hostile@example.com', sample: false });
      expect(preview.html).not.toContain(hostile);
      expect(preview.html).toContain('Hello &lt;img src=x onerror=alert(1)&gt;');
      expect(preview.subject).toBe(`Hi ${hostile}`);
      expect(preview.text).toContain(`Hello ${hostile} (hostile@example.com)`);
    }
    const sample = (await call('POST', '/api/v1/templates/preview', draft)).json();
    expect(sample.customer.sample).toBe(true);
    expect((await call('POST', '/api/v1/templates/preview', { ...draft, customer: 'nobody@example.com' })).statusCode).toBe(404);
  });

  it('sends a test through the sending half\'s hook, once there is one', async () => {
    const store = (await call('GET', '/api/v1/store')).json() as { id: string };
    const id = (await call('GET', '/api/v1/templates')).json().data[0].id as string;
    // The composition root plugs the ledger in; without a sender a test send is unavailable.
    t.services.templates.useTestSender(undefined);
    await expect(t.services.templates.sendTest(store.id, id, 'me@example.com')).rejects.toMatchObject({ code: 'unavailable' });
    const sent: { to: string; subject: string; text: string }[] = [];
    t.services.templates.useTestSender((_store, to, message) => {
      sent.push({ to, subject: message.subject, text: message.text });
      return Promise.resolve({ message_id: '<1@test>', send_id: 1, state: 'sent', reason: null });
    });
    await expect(t.services.templates.sendTest(store.id, id, 'me@example.com')).resolves.toEqual({ to: 'me@example.com', message_id: '<1@test>', send_id: 1, state: 'sent', reason: null });
    expect(sent).toHaveLength(1);
    expect(sent[0]!.subject).toMatch(/^\[Test\] /);
    expect(sent[0]!.text).toContain('Ada');
    t.services.templates.useTestSender(undefined);
  });

  it('uses the store branding from its settings, and then requires the postal address in marketing mail', async () => {
    const asOwner = (payload: object) => t.app.inject({ method: 'PATCH', url: '/api/v1/store', headers: owner, payload });
    const bad = await asOwner({ logo_url: 'javascript:alert(1)', brand_colors: { primary: 'red; x' } });
    expect(bad.statusCode).toBe(422);
    expect(errorOf(bad).details.map((d) => d.path)).toEqual(['logo_url', 'brand_colors.primary']);
    const branding = { website_url: 'https://linen.example', logo_url: 'https://cdn.linen.example/logo.png', postal_address: '1 Quay Street, Bristol', brand_colors: { primary: '#114477' } };
    const saved = await asOwner(branding);
    expect(saved.json()).toMatchObject(branding);
    const draft = {
      purpose: 'marketing', subject: 'News',
      body: body(`<mj-image src="{{ store.logo_url }}" alt="{{ store.name }}" /><mj-button background-color="{{ store.colors.primary }}" href="{{ store.url }}">Shop</mj-button>${footer}`),
    };
    const refused = await call('POST', '/api/v1/templates/preview', draft);
    expect(refused.statusCode).toBe(422);
    expect(errorOf(refused).details).toEqual([{ path: 'body', reason: expect.stringContaining('store.address') }]);
    const preview = (await call('POST', '/api/v1/templates/preview', { ...draft, body: draft.body.replace(footer, `<mj-text>{{ store.address }}</mj-text>${footer}`) })).json();
    expect(preview.html).toContain('src="https://cdn.linen.example/logo.png"');
    expect(preview.html).toContain('background:#114477');
    expect(preview.html).toContain('href="https://linen.example"');
    expect(preview.text).toContain('1 Quay Street, Bristol');
  });

  it('keeps one store out of another store\'s templates', async () => {
    const id = (await call('GET', '/api/v1/templates')).json().data[0].id as string;
    const other = await t.newStore('Other');
    const response = await t.app.inject({ method: 'GET', url: `/api/v1/templates/${id}`, headers: bearer(other.secretKey) });
    expect(response.statusCode).toBe(404);
  });
});
