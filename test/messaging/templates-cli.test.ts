import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Storage } from '../../src/db/database.js';
import { AccountsService } from '../../src/modules/accounts/index.js';
import { runCliInProcess } from '../helpers/cli.js';
import { tempDir } from '../helpers/store.js';

const cli = runCliInProcess;

const dir = tempDir('hearth-templates-cli-');
const common = () => ['--data-dir', dir.path];

beforeAll(async () => {
  const storage = await Storage.open({ dataDir: dir.path, readers: 1, memoryLimit: '512MB', threads: 2 });
  await storage.migrate();
  await new AccountsService(storage.write, storage.read).createStore({ name: 'Linen & Co', slug: 'linen', currency: 'EUR' });
  await storage.close();
});
afterAll(() => dir.remove());

describe('hearth templates', () => {
  it('lists the starters, shows one and previews it with the sample customer', async () => {
    const list = await cli(['templates', 'list', '--json', ...common()]);
    expect(list.code).toBe(0);
    const templates = JSON.parse(list.out) as { id: string; starter_key: string }[];
    const welcome = templates.find((t) => t.starter_key === 'welcome')!;
    const show = await cli(['templates', 'show', welcome.id, ...common()]);
    expect(show.out).toContain('Welcome — version 1 (marketing)');
    expect(show.out).toContain('<mjml>');
    const html = join(dir.path, 'welcome.html');
    const preview = await cli(['templates', 'preview', welcome.id, '--html', html, ...common()]);
    expect(preview.code).toBe(0);
    expect(preview.out).toContain('Subject: Welcome to Linen & Co, Ada');
    expect(preview.out).toContain('(sample customer)');
    expect(preview.out).toMatch(/Unsubscribe \(https?:\/\/\S+\)/);
  });

  it('validates a file and prints each problem at its line and column', async () => {
    const file = join(dir.path, 'bad.mjml');
    writeFileSync(file, '<mjml>\n  <mj-body>\n    <mj-section><mj-column>\n      <mj-text>{{ customer.frist_name }}</mj-text>\n    </mj-column></mj-section>\n  </mj-body>\n</mjml>\n');
    const result = await cli(['templates', 'validate', '--body', file, ...common()]);
    expect(result.code).toBe(2);
    expect(result.out).toContain('body:4:19  unknown variable "customer.frist_name"');
    expect(result.out).toContain('links.unsubscribe_url');
    const good = join(dir.path, 'good.mjml');
    writeFileSync(good, '<mjml><mj-body><mj-section><mj-column><mj-text>Hi {{ customer.first_name }}</mj-text></mj-column></mj-section></mj-body></mjml>');
    expect(await cli(['templates', 'validate', '--purpose', 'transactional', '--body', good, ...common()])).toMatchObject({ code: 0, out: 'ok\n' });
  });

  it('sends a test to an address: with no SMTP server, into the built-in catcher and the ledger', async () => {
    const templates = JSON.parse((await cli(['templates', 'list', '--json', ...common()])).out) as { id: string; starter_key: string }[];
    const welcome = templates.find((t) => t.starter_key === 'welcome')!;
    const sent = await cli(['templates', 'test', welcome.id, '--to', 'me@linen.example', ...common()]);
    expect(sent.code).toBe(0);
    expect(sent.out).toMatch(/^test message \d+ to me@linen\.example: sent, Message-ID <.+>\n$/);
    const listed = await cli(['messages', 'list', '--json', ...common()]);
    const id = Number(/test message (\d+)/.exec(sent.out)![1]);
    expect((JSON.parse(listed.out) as { data: { id: number; to: string; subject: string; state: string }[] }).data.find((m) => m.id === id))
      .toMatchObject({ to: 'me@linen.example', state: 'sent', subject: expect.stringMatching(/^\[Test\] Welcome to Linen & Co/) });
    const bad = await cli(['templates', 'test', welcome.id, '--to', 'nobody', ...common()]);
    expect(bad.code).toBe(2);
  });
});
