/**
 * NPS and CSAT surveys by signed link: the hosted page, one answer per link, the follow-up
 * question, the detractor event once, refusals naming the field, forged and expired links, the
 * email over real SMTP, the profile, and the results against a computation written here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmtpSink, type SmtpSink } from '../messaging/smtp-sink.js';
import { supportHarness, type SupportHarness } from '../support/harness.js';

const DAY = 86_400_000;
let h: SupportHarness;
let sink: SmtpSink;
let ids: number[];

beforeAll(async () => {
  h = await supportHarness('Tea & <Cups>');
  sink = await startSmtpSink();
  await h.t.services.messages.updateSettings(h.storeId, { smtp_url: sink.url, from_address: 'hello@tea.test', frequency_cap_hours: 0 });
  const customers = Array.from({ length: 41 }, (_, i) => ({ external_id: `c${i}`, email: `c${i}@example.com` }));
  await h.t.services.commerce.write(h.storeId, { customers });
  ids = await Promise.all(customers.map(async (c) => (await h.t.services.customers.get(h.storeId, `ext:${c.external_id}`)).id));
});
afterAll(async () => {
  await h.t.close();
  await sink.close();
});

async function tokenFor(customerId: number, kind: 'nps' | 'csat', key: string, now?: Date): Promise<string> {
  return new URL((await h.t.services.surveys.link(h.storeId, { customer_id: customerId, kind, key }, now)).url).pathname.slice(3);
}
const form = (token: string, body: string, headers: Record<string, string> = {}) =>
  h.t.app.inject({ method: 'POST', url: `/s/${token}`, payload: body, headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html,application/xhtml+xml', ...headers } });

describe('the survey page', () => {
  it('asks, takes the answer and the follow-up, emits survey.detractor once, and shows on the profile', async () => {
    const customer = ids[40]!;
    const token = await tokenFor(customer, 'nps', 'order-9');
    const page = await h.t.app.inject({ method: 'GET', url: `/s/${token}?score=9` });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('How likely are you to recommend Tea &amp; &lt;Cups&gt; to a friend or colleague?');
    expect(page.body).toContain('value="9" required checked');
    expect(page.body.match(/type="radio"/g)).toHaveLength(11);
    expect((await h.request('GET', `/api/v1/surveys/answers?customer_id=${customer}`)).json().data).toEqual([]);

    const answered = await form(token, 'score=3&comment=' + encodeURIComponent('Terrible delivery <b>and</b> a broken lid'));
    expect(answered.statusCode).toBe(200);
    expect(answered.body).toContain('What is the one thing we should do better?');
    expect((await form(token, 'score=3&follow_up=' + encodeURIComponent('Pack it properly'))).statusCode).toBe(200);
    expect((await form(token, 'score=3&follow_up=' + encodeURIComponent('Pack it properly'))).statusCode).toBe(200);

    const answers = (await h.request('GET', `/api/v1/surveys/answers?customer_id=${customer}`)).json().data;
    expect(answers).toHaveLength(1);
    expect(answers[0]).toMatchObject({ kind: 'nps', score: 3, category: 'detractor', comment: 'Terrible delivery <b>and</b> a broken lid', follow_up: 'Pack it properly' });
    expect(answers[0].sentiment).toBeLessThan(0);
    expect(await h.domainEvents('survey.detractor')).toEqual([{ customer_id: customer, data: { answer_id: answers[0].id, kind: 'nps', score: 3, comment: 'Terrible delivery <b>and</b> a broken lid' } }]);

    const profile = (await h.request('GET', `/api/v1/customers/${customer}/profile`)).json();
    expect(profile.survey_answers.map((a: { score: number }) => a.score)).toEqual([3]);
    expect(profile.timeline.filter((i: { type: string }) => i.type === 'survey_answer')).toEqual([expect.objectContaining({ kind: 'nps', score: 3, category: 'detractor' })]);
    // The thank-you page escapes the answer it shows back.
    expect((await h.t.app.inject({ method: 'GET', url: `/s/${token}` })).body).toContain('Pack it properly');
  });

  it('refuses a score out of range or not a number naming the field, a forged link, an expired one, and a foreign origin', async () => {
    const nps = await tokenFor(ids[39]!, 'nps', 'x');
    const csat = await tokenFor(ids[39]!, 'csat', 'x');
    for (const [token, body, reason] of [[nps, 'score=11', 'from 0 to 10'], [csat, 'score=0', 'from 1 to 5'], [nps, 'score=abc', 'a whole number'], [nps, 'score=4.5', 'a whole number']] as const) {
      const response = await form(token, body);
      expect(response.statusCode, body).toBe(422);
      expect(response.body).toContain(`score: ${reason}`);
    }
    const [b, s] = nps.split('.') as [string, string];
    const claims = JSON.parse(Buffer.from(b, 'base64url').toString()) as unknown[];
    claims[2] = ids[0];
    expect((await form(`${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${s}`, 'score=10')).statusCode).toBe(404);
    expect((await h.t.app.inject({ method: 'GET', url: `/s/${b}.${s.slice(0, -2)}xx` })).statusCode).toBe(404);
    const expired = await tokenFor(ids[39]!, 'nps', 'old', new Date(Date.now() - 31 * DAY));
    const page = await h.t.app.inject({ method: 'GET', url: `/s/${expired}` });
    expect(page.statusCode).toBe(404);
    expect(page.body).toContain('This survey has closed');
    expect((await form(nps, 'score=10', { origin: 'https://elsewhere.example' })).statusCode).toBe(403);
    expect((await h.request('GET', `/api/v1/surveys/answers?customer_id=${ids[39]}`)).json().data).toEqual([]);
  });

  it('emails the survey over SMTP once per send key, and its link opens the page', async () => {
    const body = { customer_id: ids[38], kind: 'csat', key: 'order-77' };
    const sent = await h.request('POST', '/api/v1/surveys/send', body);
    expect(sent.json()).toMatchObject({ send_key: `survey:csat:order-77:${ids[38]}`, created: true });
    expect((await h.request('POST', '/api/v1/surveys/send', body)).json()).toMatchObject({ created: false });
    await h.t.services.messages.sendBatch(h.storeId, [sent.json().message_id as number]);
    const mails = await sink.parsed();
    expect(mails).toHaveLength(1);
    expect((Array.isArray(mails[0]!.to) ? mails[0]!.to[0] : mails[0]!.to)!.value[0]!.address).toBe(`c38@example.com`);
    const link = /http\S+\/s\/[\w.-]+/.exec(mails[0]!.text ?? '')![0];
    const page = await h.t.app.inject({ method: 'GET', url: new URL(link).pathname });
    expect(page.statusCode).toBe(200);
    expect(page.body.match(/type="radio"/g)).toHaveLength(5);
  });
});

describe('results', () => {
  it('computes NPS (promoters − detractors) with its interval, CSAT, themes and sentiment as computed here', async () => {
    // Deterministic scores 0–10 for 38 customers, answered through the service.
    const scores = Array.from({ length: 38 }, (_, i) => (i * 7 + 3) % 11);
    const comments = scores.map((s, i) => (s >= 9 ? 'Fast shipping and lovely tea' : s <= 6 ? (i % 2 ? 'Customer service was slow' : 'The tea arrived broken, customer service slow') : null));
    for (const [i, score] of scores.entries()) {
      await h.t.services.surveys.answer(await tokenFor(ids[i]!, 'nps', 'q4'), { score: String(score), ...(comments[i] && { comment: comments[i] }) });
    }
    const all = [...scores, 3]; // with the first test's detractor
    const n = all.length;
    const promoters = all.filter((s) => s === 9 || s === 10).length;
    const detractors = all.filter((s) => s <= 6).length;
    const pp = promoters / n;
    const pd = detractors / n;
    const half = 1.959963984540054 * Math.sqrt((pp + pd - (pp - pd) ** 2) / n) * 100;

    const today = new Date().toISOString().slice(0, 10);
    const results = (await h.request('GET', `/api/v1/surveys/results?kind=nps&from=${today}&to=${today}`)).json();
    expect(results.nps).toMatchObject({ answers: n, promoters, detractors, passives: n - promoters - detractors });
    expect(results.nps.nps).toBeCloseTo((pp - pd) * 100, 9);
    expect(results.nps.low).toBeCloseTo((pp - pd) * 100 - half, 9);
    expect(results.nps.high).toBeCloseTo((pp - pd) * 100 + half, 9);
    expect(results.trend).toEqual([expect.objectContaining({ month: today.slice(0, 7), answers: n })]);

    const withText = comments.filter(Boolean) as string[];
    const countOf = (term: string) => withText.filter((c) => c.toLowerCase().includes(term)).length;
    // Every theme's count is the number of answers using it (each answer counted once); most used first.
    const texts = [...withText, 'Terrible delivery <b>and</b> a broken lid\nPack it properly'].map((c) => ` ${c.toLowerCase().replace(/[^a-z]+/g, ' ')} `);
    for (const theme of results.themes as { term: string; answers: number }[]) {
      if (!theme.term.includes(' ')) expect(theme.answers, theme.term).toBe(texts.filter((t) => t.includes(` ${theme.term} `)).length);
    }
    expect(results.themes[0]).toEqual({ term: 'customer', answers: countOf('customer service') });
    expect(results.themes).toContainEqual({ term: 'customer service', answers: countOf('customer service') });
    expect(results.themes.map((t: { answers: number }) => t.answers)).toEqual([...results.themes.map((t: { answers: number }) => t.answers)].sort((a, b) => b - a));
    expect(results.themes.map((t: { term: string }) => t.term)).not.toContain('the');
    expect(results.detractor_themes.map((t: { term: string }) => t.term)).not.toContain('fast shipping');
    expect(results.sentiment.with_text).toBe(withText.length + 1);
    expect(results.sentiment.language_note).toContain('English only');

    const happy = await tokenFor(ids[0]!, 'csat', 'c');
    await h.t.services.surveys.answer(happy, { score: '5', comment: 'I love it, great quality' });
    const csat = (await h.request('GET', `/api/v1/surveys/results?kind=csat&from=${today}&to=${today}`)).json();
    expect(csat.csat).toMatchObject({ answers: 1, satisfied: 1, share: 1, mean: 5 });
    expect(csat.sentiment.mean).toBeGreaterThan(0);
  });
});
