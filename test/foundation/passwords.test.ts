/** Passwords: a policy against trivially weak ones and over-long ones, and changing one's own. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { passwordProblem } from '../../src/modules/accounts/password-policy.js';
import { createTestApp, type TestApp } from '../helpers/app.js';

let t: TestApp;
let store: Awaited<ReturnType<TestApp['newStore']>>;
beforeAll(async () => {
  t = await createTestApp();
  store = await t.newStore('Password Store');
});
afterAll(async () => t.close());

describe('password policy', () => {
  it('refuses short, over-long, repeated, sequential, common and email-like passwords', () => {
    expect(passwordProblem('short')).toMatch(/at least 10/);
    expect(passwordProblem('x'.repeat(257))).toMatch(/at most 256/);
    for (const weak of ['aaaaaaaaaaaa', 'abcabcabcabc', '1234567890', 'qwertyuiop', 'abcdefghijkl', 'Password123', 'iloveyou12']) expect(passwordProblem(weak), weak).toBeDefined();
    expect(passwordProblem('ann.smith1', 'ann.smith1@example.com')).toMatch(/email/);
    expect(passwordProblem('correct horse battery')).toBeUndefined();
  });
});

describe('changing one\'s own password', () => {
  it('needs the current password, refuses a weak new one naming it, then signs in with the new one only', async () => {
    const { cookie, csrf } = await t.signIn(store.ownerEmail, store.ownerPassword);
    const change = (body: Record<string, string>) => t.app.inject({ method: 'PUT', url: '/api/v1/session/password', headers: { cookie, 'x-csrf-token': csrf }, payload: body });
    const wrong = await change({ current_password: 'not my password at all', new_password: 'a fresher passphrase 42' });
    expect(wrong.statusCode).toBe(422);
    expect(wrong.json().error.details).toEqual([expect.objectContaining({ path: 'current_password' })]);
    const weak = await change({ current_password: store.ownerPassword, new_password: 'qwertyuiop' });
    expect(weak.statusCode).toBe(422);
    expect(weak.json().error.details).toEqual([expect.objectContaining({ path: 'new_password' })]);
    expect((await change({ current_password: store.ownerPassword, new_password: 'a fresher passphrase 42' })).statusCode).toBe(204);
    const login = (password: string) => t.app.inject({ method: 'POST', url: '/api/v1/session', payload: { email: store.ownerEmail, password } });
    expect((await login(store.ownerPassword)).statusCode).toBe(401);
    expect((await login('a fresher passphrase 42')).statusCode).toBe(200);
    // An over-long password is a 422 naming it, not minutes of hashing.
    expect((await login('x'.repeat(5000))).statusCode).toBe(422);
  });

  it('is for signed-in users: an API key gets 403', async () => {
    const response = await t.app.inject({ method: 'PUT', url: '/api/v1/session/password', headers: { authorization: `Bearer ${store.secretKey}` }, payload: { current_password: 'x', new_password: 'a fresher passphrase 42' } });
    expect(response.statusCode).toBe(403);
  });
});

describe('sign-in attempts', () => {
  it('back off per account after 5 wrong passwords, with a 429 in the API\'s error shape and Retry-After; the right password works again after the wait', async () => {
    const other = await t.newStore('Second Store');
    const login = (email: string, password = 'not the password at all') => t.app.inject({ method: 'POST', url: '/api/v1/session', payload: { email, password } });
    for (let i = 0; i < 5; i += 1) expect((await login(other.ownerEmail)).statusCode).toBe(401);
    const limited = await login(other.ownerEmail, other.ownerPassword);
    expect(limited.statusCode).toBe(429);
    expect(limited.json().error).toMatchObject({ code: 'rate_limited', message: expect.stringMatching(/this account/) });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(29);
    // Another account is not held back by this one's failures.
    expect((await login(store.ownerEmail, 'a fresher passphrase 42')).statusCode).toBe(200);
  });

  it('are limited per address: 30 per 15 minutes, then 429', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 31; i += 1) statuses.push((await t.app.inject({ method: 'POST', url: '/api/v1/session', payload: { email: `nobody${i}@example.com`, password: 'wrong wrong wrong' } })).statusCode);
    expect(statuses.at(-1)).toBe(429);
    expect(statuses.filter((code) => code === 401).length).toBeGreaterThan(15);
  });
});
