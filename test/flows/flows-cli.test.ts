/** `hearth flows` on a data directory: import a file as a draft, publish it, list, show and export it, and refuse a bad file naming the path. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliInProcess as cli } from '../helpers/cli.js';
import { tempDir } from '../helpers/store.js';

const dir = tempDir('hearth-flows-cli-');
const common = () => ['--data-dir', dir.path];
let templateId: string;

beforeAll(async () => {
  expect((await cli(['migrate', ...common()])).code).toBe(0);
  expect((await cli(['stores', 'create', '--name', 'Linen & Co', '--slug', 'linen', ...common()])).code).toBe(0);
  const templates = JSON.parse((await cli(['templates', 'list', '--json', ...common()])).out) as { id: string; starter_key: string }[];
  templateId = templates.find((t) => t.starter_key === 'abandoned_cart')!.id;
});
afterAll(() => dir.remove());

describe('hearth flows', () => {
  it('imports, publishes, lists, shows and exports a flow', async () => {
    const file = join(dir.path, 'abandoned.json');
    const document = {
      trigger: { kind: 'event', name: 'Checkout Started' }, exit_when: [{ kind: 'ordered' }],
      steps: [{ id: 'hour', type: 'wait', duration: { hours: 1 }, next: 'remind' }, { id: 'remind', type: 'send_email', template_id: templateId }],
    };
    writeFileSync(file, JSON.stringify({ name: 'Abandoned checkout', document }));
    const imported = await cli(['flows', 'import', file, '--json', ...common()]);
    expect(imported.code, imported.err).toBe(0);
    const flow = JSON.parse(imported.out) as { id: string; status: string };
    expect(flow.status).toBe('draft');
    expect((await cli(['flows', 'publish', flow.id, ...common()])).out).toContain('Abandoned checkout is live: version 1');

    const list = await cli(['flows', 'list', ...common()]);
    expect(list.out).toMatch(new RegExp(`${flow.id}\\s+Abandoned checkout\\s+live\\s+1\\s+event\\s+0\\s+0\\s+0\\s+–\\s+–`));
    expect(list.out).toContain('revenue (30 days)');
    const show = await cli(['flows', 'show', flow.id, ...common()]);
    expect(show.out).toContain('steps: hour (wait) → remind (send_email)');

    const out = join(dir.path, 'exported.json');
    expect((await cli(['flows', 'export', flow.id, '--out', out, ...common()])).code).toBe(0);
    const exported = JSON.parse(readFileSync(out, 'utf8')) as { name: string; document: typeof document };
    expect(exported.name).toBe('Abandoned checkout');
    expect(exported.document).toMatchObject(document);
    // The export imports again, into the same flow's draft.
    expect((await cli(['flows', 'import', out, '--into', flow.id, ...common()])).out).toContain(`Draft replaced: Abandoned checkout (${flow.id})`);
  });

  it('refuses a file with a bad document, naming the path', async () => {
    const file = join(dir.path, 'bad.json');
    writeFileSync(file, JSON.stringify({ name: 'Bad', document: { trigger: { kind: 'manual' }, steps: [{ id: 'm', type: 'send_email', template_id: 'tpl_gone' }] } }));
    const result = await cli(['flows', 'import', file, ...common()]);
    expect(result.code).not.toBe(0);
    expect(result.err).toContain('steps.0.template_id: no template "tpl_gone" in this store');
  });
});
