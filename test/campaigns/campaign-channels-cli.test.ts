/**
 * `hearth campaigns create --channel sms|webhook` on a data directory: the text from `--text` or
 * `--text-file` is stored as written, `show` and `list` say the channel and the text, `send` is
 * refused naming `channel` until the store has set up SMS and then texts those with a phone and
 * SMS consent; a wrong channel, a missing text, email-only flags and a text that does not compile
 * exit 2 naming the option and the reason.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { Storage } from '../../src/db/database.js';
import { silentLogger } from '../../src/lib/logger.js';
import { createServices } from '../../src/services.js';
import { runCliInProcess as cli } from '../helpers/cli.js';
import { tempDir } from '../helpers/store.js';

const dir = tempDir('hearth-campaign-channels-cli-');
const common = ['--data-dir', dir.path];
let storeId: string;
let templateId: string;

/** Opens the data directory's services for a moment (the CLI has closed it). */
async function withServices<T>(work: (services: ReturnType<typeof createServices>) => Promise<T>): Promise<T> {
  const storage = await Storage.open({ dataDir: dir.path, readers: 1, memoryLimit: '512MB', threads: 2 });
  await storage.migrate();
  const services = createServices(loadConfig({ HEARTH_DATA_DIR: dir.path, HEARTH_LOG_LEVEL: 'silent' }), storage, silentLogger);
  try {
    return await work(services);
  } finally {
    await services.shutdown();
    await storage.close();
  }
}

beforeAll(async () => {
  await withServices(async (services) => {
    storeId = (await services.accounts.createStore({ name: 'Shop', slug: 'shop', currency: 'EUR' })).id;
    // 30 members: 0–4 without a phone, 5–9 never asked for SMS, 10–29 subscribed to SMS; all subscribed to email.
    await services.commerce.write(storeId, {
      customers: Array.from({ length: 30 }, (_, i) => ({
        external_id: `m-${i}`, email: `m${i}@example.com`, first_name: `Name${i}`, phone: i < 5 ? null : `+1415556${1000 + i}`,
        email_consent: { status: 'subscribed' as const }, sms_consent: { status: i < 10 ? 'never_asked' as const : 'subscribed' as const },
      })),
    });
    await services.segments.create(storeId, { name: 'Members', rule: { kind: 'profile', field: 'email', op: 'starts_with', value: 'm' } });
    templateId = (await services.templates.createFromStarter(storeId, 'win_back')).id;
  });
});
afterAll(() => dir.remove());

describe('hearth campaigns create --channel', () => {
  it('creates SMS and webhook campaigns with their text, shows them and sends once the store has set up SMS', async () => {
    const sms = await cli(['campaigns', 'create', ...common, '--name', 'Spring texts', '--segment', 'Members', '--channel', 'sms', '--holdout', '0',
      '--text', '{{ customer.first_name }}, spring sale: 20% off until Sunday', '--json']);
    expect([sms.code, sms.err]).toEqual([0, '']);
    const created = JSON.parse(sms.out) as { id: string; channel: string; text: string; template_id: string | null; status: string };
    expect(created).toMatchObject({ channel: 'sms', text: '{{ customer.first_name }}, spring sale: 20% off until Sunday', template_id: null, status: 'draft' });

    // A file's text, several lines, keeps its lines (the file's last line break is not part of it).
    const file = join(dir.path, 'hello.liquid');
    writeFileSync(file, 'Hello {{ customer.first_name }}\nfrom {{ store.name }}\n');
    const hook = await cli(['campaigns', 'create', ...common, '--name', 'WhatsApp hello', '--segment', 'Members', '--channel', 'Webhook', '--text-file', file, '--json']);
    expect(hook.code).toBe(0);
    const webhook = JSON.parse(hook.out) as { id: string };

    const stored = await withServices(async (services) => [await services.campaigns.get(storeId, created.id), await services.campaigns.get(storeId, webhook.id)]);
    expect(stored.map((c) => [c.channel, c.text])).toEqual([
      ['sms', '{{ customer.first_name }}, spring sale: 20% off until Sunday'],
      ['webhook', 'Hello {{ customer.first_name }}\nfrom {{ store.name }}'],
    ]);

    const shown = await cli(['campaigns', 'show', webhook.id, ...common]);
    expect(shown.out).toBe(`"WhatsApp hello" has not started: send it with \`hearth campaigns send ${webhook.id}\`.\nchannel: webhook\ntext: Hello {{ customer.first_name }}\n  from {{ store.name }}\n`);
    const list = await cli(['campaigns', 'list', ...common]);
    expect(list.out).toMatch(/Spring texts +SMS +draft/);
    expect(list.out).toMatch(/WhatsApp hello +webhook +draft/);

    // SMS is not set up: the start is refused naming the channel, and the campaign stays a draft.
    const refused = await cli(['campaigns', 'send', created.id, ...common]);
    expect(refused.code).toBe(2);
    expect(refused.err).toContain('channel: needs an account SID, an auth token and a sender');
    await withServices((services) => services.messages.updateSettings(storeId, { sms_account_sid: 'AC0001', sms_auth_token: 'secret-token', sms_from: '+14155550000' }));
    const sent = await cli(['campaigns', 'send', created.id, ...common, '--json']);
    expect(sent.code).toBe(0);
    // Members 10–29: a phone and SMS consent; no holdout.
    expect(JSON.parse(sent.out)).toMatchObject({ audience: 20, holdout: 0, recipients: 20 });
    const after = await cli(['campaigns', 'show', created.id, ...common]);
    expect(after.out).toContain('\nchannel: SMS\ntext: {{ customer.first_name }}, spring sale: 20% off until Sunday\n');
    expect(after.out).toMatch(/^messages: 0 sent, 20 queued, 0 suppressed, 0 failed or uncertain$/m);
  });

  it('counts the audience by the channel\'s address and consent', async () => {
    const sms = await cli(['campaigns', 'audience', ...common, '--segment', 'Members', '--channel', 'sms', '--holdout', '0']);
    expect(sms.code, sms.err).toBe(0);
    // 0–4 have no phone, 5–9 never agreed to texts.
    expect(sms.out).toBe('20 customers in the campaign: about 20 receive it, 0 held out.\nOf 30 in the chosen segments, left out: 5 without a phone number, 5 without SMS consent.\n');
    const email = await cli(['campaigns', 'audience', ...common, '--segment', 'Members', '--holdout', '0']);
    expect(email.out).toBe('30 customers in the campaign: about 30 receive it, 0 held out.\n');
    const wrong = await cli(['campaigns', 'audience', ...common, '--segment', 'Members', '--channel', 'pigeon']);
    expect(wrong.code).toBe(2);
    expect(wrong.err).toContain('--channel: email, sms or webhook, got "pigeon"');
  });

  it('exits 2 naming the option and the reason for a wrong channel, a missing text and what the channel does not send', async () => {
    const base = ['campaigns', 'create', ...common, '--name', 'X', '--segment', 'Members'];
    const fail = async (args: string[]) => {
      const result = await cli([...base, ...args]);
      return [result.code, result.err.trim()];
    };
    expect(await fail(['--channel', 'fax', '--text', 'Hi'])).toEqual([2, 'error: --channel: email, sms or webhook, got "fax"']);
    expect(await fail(['--channel', 'sms'])).toEqual([2, 'error: --text: an SMS campaign needs the text to send: give it with --text or --text-file']);
    expect(await fail(['--channel', 'webhook', '--text', '  '])).toEqual([2, 'error: --text: a webhook campaign needs the text to send: give it with --text or --text-file']);
    expect(await fail(['--text', 'Hi', '--template', templateId])).toEqual([2, 'error: --text: an email campaign sends its template (--template); the text is for --channel sms or webhook']);
    expect(await fail(['--channel', 'sms', '--text', 'Hi', '--template', templateId])).toEqual([2, 'error: --template: an SMS campaign sends its text; --template is for email campaigns']);
    expect(await fail(['--channel', 'sms', '--text', 'Hi', '--variant', templateId, '--variant', templateId])).toEqual([2, 'error: --variant: an SMS campaign sends its text; --variant is for email campaigns']);
    expect(await fail(['--channel', 'sms', '--text', 'Hi', '--text-file', 'x.liquid'])).toEqual([2, 'error: --text and --text-file: choose one']);
    const missing = join(dir.path, 'missing.liquid');
    expect(await fail(['--channel', 'sms', '--text-file', missing])).toEqual([2, `error: --text-file: cannot read ${missing}: no such file`]);
    expect(await fail(['--channel', 'sms', '--text', 'x'.repeat(1601)])).toEqual([2, 'error: --text: at most 1,600 characters, got 1,601']);
    // The server compiles the Liquid and names the line and column.
    const typo = await cli([...base, '--channel', 'sms', '--text', 'Hi\n{{ customer.frist_name }}']);
    expect(typo.code).toBe(2);
    expect(typo.err).toContain('text:2:4: line 2, column 4: unknown variable "customer.frist_name"');

    // Nothing was created by the refused commands.
    const list = await cli(['campaigns', 'list', ...common, '--json']);
    expect((JSON.parse(list.out) as { name: string }[]).map((c) => c.name).sort()).toEqual(['Spring texts', 'WhatsApp hello']);
  });
});
