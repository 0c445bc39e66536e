/**
 * The customer list with each customer's figures: orders and net revenue from the analytics
 * summary (`customer_summary`), predicted CLV, P(alive) and churn band from the predictions
 * (`customer_predictions`), both published for set-based reads. One query per page, joined once;
 * sorted by an allow-listed expression with keyset pages on (sort value, id).
 */
import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../../db/database.js';
import { AppError } from '../../lib/errors.js';
import { parseInstant } from '../../lib/time.js';
import type { CustomerRow } from '../customers/index.js';
import { churnRisks } from '../predictions/index.js';

export const customerSortFields = ['created_at', 'orders', 'revenue', 'last_order_on', 'predicted_clv', 'p_alive'] as const;
export type CustomerSortField = (typeof customerSortFields)[number];
/** `revenue` is smallest first, `-revenue` largest first. */
export const customerSorts = customerSortFields.flatMap((field) => [field, `-${field}`] as const);
export type CustomerSort = (typeof customerSorts)[number];
export type ChurnRiskBand = (typeof churnRisks)[number];

interface SortDef {
  /** The value sorted by: the only SQL a `sort` parameter can choose. */
  expr: RawBuilder<unknown>;
  kind: 'number' | 'instant' | 'day';
  nullable: boolean;
  /** The joined table the value comes from. */
  table: Joined;
}

/** The published tables a query joins to the customers: the summary (cs) and the predictions (cp). */
type Joined = 'c' | 'cs' | 'cp';

const sortDefs: Record<CustomerSortField, SortDef> = {
  created_at: { expr: sql`c.created_at`, kind: 'instant', nullable: false, table: 'c' },
  orders: { expr: sql`coalesce(cs.orders, 0)`, kind: 'number', nullable: false, table: 'cs' },
  revenue: { expr: sql`coalesce(cs.revenue, 0)`, kind: 'number', nullable: false, table: 'cs' },
  last_order_on: { expr: sql`cs.last_day`, kind: 'day', nullable: true, table: 'cs' },
  predicted_clv: { expr: sql`cp.clv_12m`, kind: 'number', nullable: true, table: 'cp' },
  p_alive: { expr: sql`cp.p_alive`, kind: 'number', nullable: true, table: 'cp' },
};

export interface CustomerListFilter {
  email?: string | undefined;
  country?: string | undefined;
  createdAfter?: Date | undefined;
  createdBefore?: Date | undefined;
  updatedAfter?: Date | undefined;
  /** Substring of email, name or external id, case-insensitive. */
  q?: string | undefined;
  churnRisk?: ChurnRiskBand | undefined;
  minOrders?: number | undefined;
  /** Net revenue, minor units. */
  minRevenue?: number | undefined;
  /** Last order on or after this day (YYYY-MM-DD, the store's days). */
  lastOrderAfter?: string | undefined;
  /** Last order before this day. */
  lastOrderBefore?: string | undefined;
  /** Members of a segment, as the segments module selects them (`select customer_id …`). */
  members?: RawBuilder<unknown> | undefined;
}

export interface CustomerFigures {
  orders: number;
  revenue: number;
  last_order_on: string | null;
  predicted_clv: number | null;
  p_alive: number | null;
  churn_risk: ChurnRiskBand | null;
}

export type CustomerListRow = CustomerRow & CustomerFigures;

/** The last row's sort value and id, with the sort it belongs to (a cursor of another sort is refused). */
interface CursorKey { sort: CustomerSort; value: number | string | null; id: number }

export function encodeListCursor(sort: CustomerSort, row: CustomerListRow): string {
  const field = fieldOf(sort);
  const raw = field === 'created_at' ? row.created_at.toISOString() : row[field];
  return Buffer.from(JSON.stringify([sort, raw, row.id])).toString('base64url');
}

/** A damaged or forged cursor, or one of another sort, is a 400 naming the parameter. */
export function decodeListCursor(cursor: string | undefined, sort: CustomerSort): CursorKey | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  const { kind, nullable } = sortDefs[fieldOf(sort)];
  try {
    const key: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(key) && key.length === 3 && key[0] === sort && Number.isSafeInteger(key[2]) && (key[2] as number) >= 0) {
      const value: unknown = key[1];
      const valid = value === null ? nullable
        : kind === 'number' ? typeof value === 'number' && Number.isFinite(value)
          : kind === 'instant' ? typeof value === 'string' && parseInstant(value) !== undefined
            : typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value);
      if (valid) return { sort, value: value as number | string | null, id: key[2] as number };
    }
  } catch {
    // fall through to the error below
  }
  throw new AppError('bad_request', 'Invalid cursor', [{ path: 'query.cursor', reason: `is not a cursor returned by this list sorted by ${sort}` }]);
}

function fieldOf(sort: CustomerSort): CustomerSortField {
  return (sort.startsWith('-') ? sort.slice(1) : sort) as CustomerSortField;
}

/** The tables the filters read beyond the customers. */
function tablesOf(filter: CustomerListFilter): Set<Joined> {
  const tables = new Set<Joined>();
  if (filter.churnRisk) tables.add('cp');
  if (filter.minOrders !== undefined || filter.minRevenue !== undefined || filter.lastOrderAfter || filter.lastOrderBefore) tables.add('cs');
  return tables;
}

function whereOf(storeId: string, filter: CustomerListFilter): RawBuilder<unknown> {
  const conditions: RawBuilder<unknown>[] = [sql`c.store_id = ${storeId}`];
  if (filter.email !== undefined) conditions.push(sql`c.email = ${filter.email.trim().toLowerCase()}`);
  if (filter.country !== undefined) conditions.push(sql`c.country = ${filter.country}`);
  if (filter.createdAfter) conditions.push(sql`c.created_at >= ${filter.createdAfter}`);
  if (filter.createdBefore) conditions.push(sql`c.created_at < ${filter.createdBefore}`);
  if (filter.updatedAfter) conditions.push(sql`c.updated_at >= ${filter.updatedAfter}`);
  if (filter.q) {
    // strpos on lower-cased text: a substring search with no LIKE wildcards to escape.
    const q = filter.q.toLowerCase();
    conditions.push(sql`(strpos(lower(coalesce(c.email, '')), ${q}) > 0 or strpos(lower(coalesce(c.external_id, '')), ${q}) > 0
      or strpos(lower(concat_ws(' ', c.first_name, c.last_name)), ${q}) > 0)`);
  }
  if (filter.churnRisk) conditions.push(sql`cp.churn_risk = ${filter.churnRisk}`);
  if (filter.minOrders !== undefined) conditions.push(sql`coalesce(cs.orders, 0) >= ${filter.minOrders}`);
  if (filter.minRevenue !== undefined) conditions.push(sql`coalesce(cs.revenue, 0) >= ${filter.minRevenue}`);
  if (filter.lastOrderAfter) conditions.push(sql`cs.last_day >= cast(${filter.lastOrderAfter} as date)`);
  if (filter.lastOrderBefore) conditions.push(sql`cs.last_day < cast(${filter.lastOrderBefore} as date)`);
  if (filter.members) conditions.push(sql`c.id in (${filter.members})`);
  return sql.join(conditions, sql` and `);
}

/** The customers with the published tables a query needs (all of them for the page's figures). */
function from(storeId: string, tables: ReadonlySet<Joined>): RawBuilder<unknown> {
  return sql`customers c${tables.has('cs') ? sql` left join customer_summary cs on cs.store_id = ${storeId} and cs.customer_id = c.id` : sql``}${
    tables.has('cp') ? sql` left join customer_predictions cp on cp.store_id = ${storeId} and cp.customer_id = c.id` : sql``}`;
}

/** Rows after the cursor: sorted by (value is null, value, id), so empty values come last either way. */
function afterCursor(def: SortDef, descending: boolean, key: CursorKey): RawBuilder<unknown> {
  const cmp = sql.raw(descending ? '<' : '>');
  const id = sql`c.id ${cmp} ${key.id}`;
  if (key.value === null) return sql`(${def.expr} is null and ${id})`;
  const value = def.kind === 'instant' ? sql`${new Date(key.value as string)}` : def.kind === 'day' ? sql`cast(${key.value} as date)` : sql`${key.value}`;
  const after = sql`(${def.expr} ${cmp} ${value} or (${def.expr} = ${value} and ${id}))`;
  return def.nullable ? sql`(${def.expr} is null or ${after})` : after;
}

/**
 * One page: its ids are chosen reading only the id, the sort value and what the filters need (a
 * top-N over narrow rows), then the page's few rows are read whole with their figures.
 */
export async function listCustomerFigures(db: Db, storeId: string, filter: CustomerListFilter, sort: CustomerSort, cursor: CursorKey | undefined, limit: number): Promise<CustomerListRow[]> {
  const def = sortDefs[fieldOf(sort)];
  const descending = sort.startsWith('-');
  const direction = sql.raw(descending ? 'desc' : 'asc');
  const where = cursor ? sql`${whereOf(storeId, filter)} and ${afterCursor(def, descending, cursor)}` : whereOf(storeId, filter);
  const tables = new Set([...tablesOf(filter), def.table]);
  const result = await sql<CustomerListRow>`
    with page as (
      select c.id, (${def.expr} is null) as missing, ${def.expr} as value
      from ${from(storeId, tables)}
      where ${where}
      order by missing, value ${direction}, c.id ${direction}
      limit ${limit}
    )
    select c.*, coalesce(cs.orders, 0) as orders, coalesce(cs.revenue, 0) as revenue, cast(cs.last_day as varchar) as last_order_on,
      cp.clv_12m as predicted_clv, cp.p_alive, cp.churn_risk
    from page join customers c on c.store_id = ${storeId} and c.id = page.id
      left join customer_summary cs on cs.store_id = ${storeId} and cs.customer_id = c.id
      left join customer_predictions cp on cp.store_id = ${storeId} and cp.customer_id = c.id
    order by page.missing, page.value ${direction}, page.id ${direction}`.execute(db);
  return result.rows.map((row) => ({ ...row, orders: Number(row.orders), revenue: Number(row.revenue), predicted_clv: row.predicted_clv === null ? null : Number(row.predicted_clv) }));
}

export async function countCustomerFigures(db: Db, storeId: string, filter: CustomerListFilter): Promise<number> {
  const result = await sql<{ n: number | bigint }>`select count(*) as n from ${from(storeId, tablesOf(filter))} where ${whereOf(storeId, filter)}`.execute(db);
  return Number(result.rows[0]?.n ?? 0);
}
