/**
 * Readers for the CDNOW benchmark files in test/fixtures/data/cdnow (see its README): the published
 * per-customer summary, and the raw purchase lines from which the same summary is rebuilt.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const cdnowDir = join(process.cwd(), 'test', 'fixtures', 'data', 'cdnow');

export interface CdnowSummaryRow { id: number; x: number; tx: number; T: number; zbar: number }

export function readCdnowSummary(): CdnowSummaryRow[] {
  const text = readFileSync(join(cdnowDir, 'cdnow_customers_summary_with_transactions.csv'), 'utf8');
  return text.trim().split(/\r?\n/).slice(1).map((line) => {
    const [id, x, tx, T, zbar] = line.split(',').map(Number);
    return { id: id!, x: x!, tx: tx!, T: T!, zbar: zbar! };
  });
}

export interface CdnowPurchase { customer: number; sampleId: number; date: string; cds: number; dollars: number }

export function readCdnowPurchases(): CdnowPurchase[] {
  const text = readFileSync(join(cdnowDir, 'CDNOW_sample.txt'), 'utf8');
  return text.trim().split(/\r?\n/).map((line) => {
    const [master, sample, ymd, cds, dollars] = line.trim().split(/\s+/);
    return {
      customer: Number(master),
      sampleId: Number(sample),
      date: `${ymd!.slice(0, 4)}-${ymd!.slice(4, 6)}-${ymd!.slice(6, 8)}`,
      cds: Number(cds),
      dollars: Number(dollars),
    };
  });
}
