/** `hearth flows library`, `install` and `backtest` on a data directory. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readyFlows } from '../../src/modules/flows/index.js';
import { runCliInProcess as cli } from '../helpers/cli.js';
import { tempDir } from '../helpers/store.js';

const dir = tempDir('hearth-flow-library-cli-');
const common = () => ['--data-dir', dir.path];

beforeAll(async () => {
  expect((await cli(['migrate', ...common()])).code).toBe(0);
  expect((await cli(['stores', 'create', '--name', 'Linen & Co', '--slug', 'linen', ...common()])).code).toBe(0);
});
afterAll(() => dir.remove());

describe('hearth flows library', () => {
  it('lists the ready flows, installs one once, and backtests it', async () => {
    const listed = await cli(['flows', 'library', ...common()]);
    expect(listed.code, listed.err).toBe(0);
    for (const flow of readyFlows) expect(listed.out).toContain(flow.key);

    const first = await cli(['flows', 'install', 'win_back', '--json', ...common()]);
    expect(first.code, first.err).toBe(0);
    const installed = JSON.parse(first.out) as { created: boolean; flow: { id: string; status: string } };
    expect(installed).toMatchObject({ created: true, flow: { status: 'draft' } });
    expect((await cli(['flows', 'install', 'win_back', ...common()])).out).toContain(`Already installed: Win-back (${installed.flow.id})`);
    expect((await cli(['flows', 'library', ...common()])).out).toMatch(new RegExp(`win_back\\s+Win-back\\s+segment_entered\\s+4\\s+${installed.flow.id}`));

    const backtest = await cli(['flows', 'backtest', installed.flow.id, '--days', '30', ...common()]);
    expect(backtest.code, backtest.err).toBe(0);
    expect(backtest.out).toContain('In the last 30 days, 0 customers would have entered; 0 messages would have been sent.');
    expect(backtest.out).toMatch(/1\. miss\s+send_email\s+0\s+0\s+–/);
    expect(backtest.out).toMatch(/the segment "Slipping away" was created on \d{4}-\d{2}-\d{2}: its members then count as entering that day/);
    const bad = await cli(['flows', 'backtest', installed.flow.id, '--days', 'many', ...common()]);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--days');
    expect((await cli(['flows', 'install', 'nope', ...common()])).code).not.toBe(0);
  });
});
