import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestApp, errorOf, type TestApp } from '../helpers/app.js';

describe('authentication, roles and store isolation', () => {
  let t: TestApp;
  let a: Awaited<ReturnType<TestApp['newStore']>>;
  let b: Awaited<ReturnType<TestApp['newStore']>>;

  beforeAll(async () => {
    t = await createTestApp();
    a = await t.newStore('Store A');
    b = await t.newStore('Store B');
  });
  afterAll(async () => t.close());

  it('signs in with the right password and sets an httpOnly SameSite cookie', async () => {
    const response = await t.app.inject({ method: 'POST', url: '/api/v1/session', payload: { email: a.ownerEmail, password: a.ownerPassword } });
    expect(response.statusCode).toBe(200);
    const cookie = response.cookies.find((c) => c.name === 'hearth_session');
    expect(cookie?.httpOnly).toBe(true);
    expect(String(cookie?.sameSite).toLowerCase()).toBe('strict');
    expect(response.json().stores.map((s: { id: string }) => s.id)).toEqual([a.storeId]);
  });

  it('rejects a wrong password and an unknown user alike', async () => {
    for (const payload of [{ email: a.ownerEmail, password: 'wrong password!' }, { email: 'nobody@example.com', password: 'whatever123' }]) {
      const response = await t.app.inject({ method: 'POST', url: '/api/v1/session', payload });
      expect(response.statusCode).toBe(401);
      expect(errorOf(response).code).toBe('unauthorized');
    }
  });

  it('requires credentials for admin routes and rejects unknown keys', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/store' })).statusCode).toBe(401);
    const response = await t.app.inject({ method: 'GET', url: '/api/v1/store', headers: bearer('hk_secret_not-a-real-key') });
    expect(response.statusCode).toBe(401);
    expect(errorOf(response).message).toMatch(/Unknown or revoked API key/);
  });

  it('scopes a secret key to its own store', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/api/v1/store', headers: bearer(a.secretKey) });
    expect(response.json().id).toBe(a.storeId);
    const keysOfB = await t.app.inject({ method: 'GET', url: '/api/v1/keys', headers: bearer(b.secretKey) });
    const keysOfA = await t.app.inject({ method: 'GET', url: '/api/v1/keys', headers: bearer(a.secretKey) });
    const idsA = keysOfA.json().data.map((k: { id: string }) => k.id);
    const idsB = keysOfB.json().data.map((k: { id: string }) => k.id);
    expect(idsA.filter((id: string) => idsB.includes(id))).toEqual([]);
    // Revoking B's key with A's key finds nothing.
    const revoke = await t.app.inject({ method: 'DELETE', url: `/api/v1/keys/${idsB[0]}`, headers: bearer(a.secretKey) });
    expect(revoke.statusCode).toBe(404);
  });

  it('does not let a session of store A pick store B', async () => {
    const session = await t.signIn(a.ownerEmail, a.ownerPassword);
    const response = await t.app.inject({ method: 'GET', url: '/api/v1/store', headers: { cookie: session.cookie, 'x-hearth-store': b.storeId } });
    expect(response.statusCode).toBe(403);
  });

  it('never lists key hashes, and a write key cannot use the admin API', async () => {
    const list = await t.app.inject({ method: 'GET', url: '/api/v1/keys', headers: bearer(a.secretKey) });
    expect(list.body).not.toMatch(/key_hash/);
    const response = await t.app.inject({ method: 'GET', url: '/api/v1/store', headers: bearer(a.writeKey) });
    expect(response.statusCode).toBe(403);
  });

  it('requires the CSRF token for cookie-authenticated writes', async () => {
    const session = await t.signIn(a.ownerEmail, a.ownerPassword);
    const without = await t.app.inject({ method: 'POST', url: '/api/v1/keys', headers: { cookie: session.cookie }, payload: { kind: 'write', name: 'site' } });
    expect(without.statusCode).toBe(403);
    expect(errorOf(without).message).toMatch(/CSRF/);
    const withToken = await t.app.inject({ method: 'POST', url: '/api/v1/keys', headers: { cookie: session.cookie, 'x-csrf-token': session.csrf }, payload: { kind: 'write', name: 'site' } });
    expect(withToken.statusCode).toBe(201);
    expect(withToken.json().key).toMatch(/^hk_write_/);
  });

  it('lets an analyst read but not write, and only owners manage users', async () => {
    await t.services.accounts.addUser(a.storeId, { email: 'analyst@example.com', password: 'analyst password', role: 'analyst' });
    const session = await t.signIn('analyst@example.com', 'analyst password');
    const headers = { cookie: session.cookie, 'x-csrf-token': session.csrf };
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/store', headers })).statusCode).toBe(200);
    const write = await t.app.inject({ method: 'POST', url: '/api/v1/keys', headers, payload: { kind: 'write' } });
    expect(write.statusCode).toBe(403);
    expect(errorOf(write).message).toMatch(/analyst/);
    const addUser = await t.app.inject({ method: 'POST', url: '/api/v1/users', headers: bearer(a.secretKey), payload: { email: 'x@example.com', password: 'long enough pw', role: 'admin' } });
    expect(addUser.statusCode).toBe(403);
  });

  it('shows when each key was last used', async () => {
    const created = await t.services.accounts.createApiKey(a.storeId, 'write', 'storefront');
    const lastUsed = async () => {
      const list = await t.app.inject({ method: 'GET', url: '/api/v1/keys', headers: bearer(a.secretKey) });
      return list.json().data.find((k: { id: string }) => k.id === created.id).last_used_at as string | null;
    };
    expect(await lastUsed()).toBeNull();
    const before = Date.now();
    const sent = await t.app.inject({ method: 'POST', url: '/v1/track', headers: bearer(created.key), payload: { anonymousId: 'v-1', event: 'Viewed' } });
    expect(sent.statusCode).toBe(200);
    // Written beside the request, not before its answer: wait for it (bounded).
    let used: string | null = null;
    for (let i = 0; i < 150 && !used; i += 1) {
      used = await lastUsed();
      if (!used) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(used).not.toBeNull();
    expect(Date.parse(used!)).toBeGreaterThanOrEqual(before - 1000);
    expect(Date.parse(used!)).toBeLessThanOrEqual(Date.now());
  });

  it('stops accepting a revoked key at once', async () => {
    const created = await t.services.accounts.createApiKey(a.storeId, 'secret', 'temporary');
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/store', headers: bearer(created.key) })).statusCode).toBe(200);
    const revoke = await t.app.inject({ method: 'DELETE', url: `/api/v1/keys/${created.id}`, headers: bearer(a.secretKey) });
    expect(revoke.statusCode).toBe(204);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/store', headers: bearer(created.key) })).statusCode).toBe(401);
  });

  it('answers malformed JSON and bad fields with a 4xx naming the problem', async () => {
    const malformed = await t.app.inject({ method: 'PATCH', url: '/api/v1/store', headers: { ...bearer(a.secretKey), 'content-type': 'application/json' }, payload: '{"name": ' });
    expect(malformed.statusCode).toBe(400);
    expect(errorOf(malformed).code).toBe('bad_request');
    const session = await t.signIn(a.ownerEmail, a.ownerPassword);
    const bad = await t.app.inject({ method: 'PATCH', url: '/api/v1/store', headers: { cookie: session.cookie, 'x-csrf-token': session.csrf }, payload: { timezone: 'Mars/Olympus', currency: 'XYZ' } });
    expect(bad.statusCode).toBe(422);
    expect(errorOf(bad).details.map((d) => d.path).sort()).toEqual(['currency', 'timezone']);
  });

  it('answers unknown routes with a JSON 404 and serves the OpenAPI document', async () => {
    const missing = await t.app.inject({ method: 'GET', url: '/api/v1/nothing-here' });
    expect(missing.statusCode).toBe(404);
    expect(errorOf(missing).code).toBe('not_found');
    const doc = await t.app.inject({ method: 'GET', url: '/api/openapi.json' });
    expect(doc.json().paths['/api/v1/keys/{id}'].delete['x-permission']).toBe('write');
  });
});
