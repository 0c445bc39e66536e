/**
 * Importing reviews from a Judge.me or Yotpo CSV export. Header names are matched without case,
 * spaces or underscores, under each export's names (below). The whole file is checked first: any
 * bad line refuses it whole (422 naming the line and column, up to 50). Each review is keyed by
 * its source and its id (the export's review id, else its line's content), so importing the same
 * file again adds nothing. The export's published/hidden state is kept; flags are still noted.
 */
import { createHash } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import { invalid, type ErrorDetail } from '../../lib/errors.js';
import type { ReviewCandidate } from './review-writer.js';
import { MAX_BODY, MAX_TITLE } from './review.input.js';

export const importSources = ['judgeme', 'yotpo'] as const;
export type ImportSource = (typeof importSources)[number];

type Column = 'id' | 'product' | 'productTitle' | 'rating' | 'title' | 'body' | 'date' | 'name' | 'email' | 'published' | 'reply' | 'verified';

/** The columns of each export (normalised: lower case, no spaces or underscores). */
const sourceColumns: Record<ImportSource, Record<Column, string[]>> = {
  judgeme: {
    id: ['id', 'reviewid'], product: ['productid', 'producthandle'], productTitle: ['producttitle', 'productname'], rating: ['rating'], title: ['title'], body: ['body'],
    date: ['reviewdate', 'createdat'], name: ['reviewername'], email: ['revieweremail'], published: ['curated', 'published'], reply: ['reply'], verified: ['verified', 'verifiedbuyer'],
  },
  yotpo: {
    id: ['reviewid', 'id'], product: ['productid', 'sku', 'productsku'], productTitle: ['producttitle', 'productname'], rating: ['reviewscore', 'score', 'rating'],
    title: ['reviewtitle', 'title'], body: ['reviewcontent', 'content'], date: ['date', 'reviewdate', 'createdat'], name: ['displayname', 'reviewername', 'name'],
    email: ['email', 'revieweremail'], published: ['published', 'status'], reply: ['commentcontent', 'storereply', 'reply'], verified: ['verifiedbuyer', 'verified'],
  },
};
const required: Column[] = ['product', 'rating', 'body'];
const sourceNames: Record<ImportSource, string> = { judgeme: 'Judge.me', yotpo: 'Yotpo' };
const MAX_PROBLEMS = 50;
const normalise = (name: string) => name.trim().toLowerCase().replace(/[\s_-]+/g, '');

export interface ImportedReview extends ReviewCandidate {
  line: number;
  reply: string | null;
}

const truthy = (value: string) => ['true', 'yes', '1', 'published', 'ok', 'approved'].includes(value.trim().toLowerCase());
const falsy = (value: string) => ['false', 'no', '0', 'hidden', 'unpublished', 'rejected', 'spam', 'archived'].includes(value.trim().toLowerCase());

/** Reads and checks the whole file: the reviews it holds, or a 422 naming each bad line. */
export function readReviewExport(text: string, from: ImportSource, now: Date): ImportedReview[] {
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, { info: true, skip_empty_lines: true, bom: true, relax_column_count: true }) as unknown as { record: string[]; info: { lines: number } }[];
  } catch (error) {
    const e = error as { lines?: number; message: string };
    throw invalid(`The file is not valid CSV (line ${e.lines ?? '?'})`, [{ path: `line ${e.lines ?? 1}`, reason: e.message }]);
  }
  if (records.length < 2) throw invalid('The file holds no reviews', [{ path: 'line 1', reason: 'a header row and at least one review are needed' }]);
  const header = records[0]!.record.map(normalise);
  const columns = sourceColumns[from];
  const at = Object.fromEntries((Object.keys(columns) as Column[]).map((c) => [c, columns[c].map((n) => header.indexOf(n)).find((i) => i >= 0)])) as Record<Column, number | undefined>;
  const missing = required.filter((c) => at[c] === undefined);
  if (missing.length) {
    throw invalid(`The header of this ${sourceNames[from]} export lacks ${missing.join(', ')}`, missing.map((c) => ({ path: 'line 1', reason: `no ${c} column (one of: ${columns[c].join(', ')})` })));
  }
  const problems: ErrorDetail[] = [];
  const reviews: ImportedReview[] = [];
  for (const { record, info } of records.slice(1)) {
    const line = info.lines;
    const cell = (c: Column) => (at[c] === undefined ? '' : (record[at[c]!] ?? '').trim());
    const problem = (c: Column, reason: string) => {
      if (problems.length < MAX_PROBLEMS) problems.push({ path: `line ${line}, column ${records[0]!.record[at[c] ?? 0]?.trim() ?? c}`, reason });
    };
    const product = cell('product');
    const rating = Number(cell('rating'));
    const body = cell('body');
    const title = cell('title');
    const dateText = cell('date');
    const date = dateText ? new Date(dateText) : now;
    if (!product) problem('product', 'the product is missing');
    else if (product.length > 255) problem('product', 'longer than 255 characters');
    if (!Number.isInteger(rating) || rating < 1 || rating > 5) problem('rating', `"${cell('rating')}" is not a whole number of stars from 1 to 5`);
    if (body.length > MAX_BODY) problem('body', `longer than ${MAX_BODY} characters`);
    if (title.length > MAX_TITLE) problem('title', `longer than ${MAX_TITLE} characters`);
    if (Number.isNaN(date.getTime())) problem('date', `"${dateText}" is not a date`);
    else if (date.getTime() > now.getTime() + 86_400_000) problem('date', 'is in the future');
    const email = cell('email').toLowerCase();
    if (email && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) problem('email', `"${email}" is not an email address`);
    const published = cell('published');
    const id = cell('id') || createHash('sha256').update(JSON.stringify([product, cell('rating'), title, body, dateText, cell('name'), email])).digest('hex').slice(0, 24);
    reviews.push({
      line, externalId: `${from}:${id}`, source: from, productId: product, productTitle: cell('productTitle') || null, customerId: null, orderId: null,
      authorName: cell('name').slice(0, 100) || null, authorEmail: email || null, rating, title: title || null, body, verified: truthy(cell('verified')),
      reviewedAt: date, status: published ? (falsy(published) ? 'rejected' : truthy(published) ? 'published' : 'pending') : 'published', reply: cell('reply') || null,
    });
  }
  if (problems.length) throw invalid(`${problems.length === MAX_PROBLEMS ? 'At least ' : ''}${problems.length} problem${problems.length === 1 ? '' : 's'} in the file; nothing was imported`, problems);
  const seen = new Map<string, number>();
  for (const review of reviews) {
    const first = seen.get(review.externalId);
    if (first !== undefined) throw invalid('The same review appears twice; nothing was imported', [{ path: `line ${review.line}`, reason: `the same review id as line ${first}` }]);
    seen.set(review.externalId, review.line);
  }
  return reviews;
}
