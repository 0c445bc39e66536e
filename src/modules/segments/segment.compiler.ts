/**
 * Compiles a validated rule into a Kysely SQL expression over `customers c`. Every leaf is a
 * boolean that is never NULL (so `not` means "everyone the condition does not hold for"). Order,
 * return and event conditions share one grouped pass per table: each condition becomes one
 * filtered aggregate (`count(*) filter (where ...)`) in a LEFT JOINed subquery, which keeps a
 * many-condition segment to one scan of each fact table. Identifiers come from the field
 * registry; every value is a bound parameter.
 */
import { sql, type RawBuilder } from 'kysely';
import { AppError } from '../../lib/errors.js';
import { DAY_MS } from '../../lib/time.js';
import { compare, type Sql } from './segment-compare.js';
import { orderMetrics, predictionFields, profileFields, returnMetrics, rfmFields, summaryMetrics, type FieldDef, type FieldType } from './segment-fields.js';
import { rfmScores } from './segment-rfm.js';
import type { EventRule, Operator, Rule, RuleValue } from './segment-rule.schema.js';

export interface CompileContext {
  storeId: string;
  asOf: Date;
  /** Rules of the segments this rule may refer to, by id (loaded by the service). */
  segments: ReadonlyMap<string, Rule>;
  /** The saved segment being compiled, so a rule that leads back to it is caught as a loop. */
  selfId?: string;
  /** Whether the analytics per-customer summary is fresh, so lifetime order metrics can be read from it. */
  summaryFresh?: boolean;
  /**
   * Evaluate the rule on the data as it stood at `asOf`: only customers, orders, returns and events
   * recorded by then count. Predictions, RFM scores and personas exist only for the present, so a
   * rule using them cannot be evaluated in the past and is refused.
   */
  historical?: boolean;
}

export interface CompiledRule {
  /** `customers c` and the joins the conditions need. */
  from: RawBuilder<unknown>;
  where: RawBuilder<boolean>;
  /** Values behind the conditions, for showing why a customer is in the segment. */
  explain: { label: string; value: Sql }[];
  readsClock: boolean;
  uses: { predictions: boolean; rfm: boolean; summary: boolean };
}

interface Aggregate { alias: string; expr: Sql }

const MAX_SEGMENT_DEPTH = 5;

export function compileRule(rule: Rule, context: CompileContext): CompiledRule {
  return new RuleCompiler(context).compile(rule);
}

class RuleCompiler {
  private readonly orderAggs = new Map<string, Aggregate>();
  /** The window of each order aggregate (undefined: all time). */
  private readonly orderWindows: (Date | undefined)[] = [];
  private readonly returnAggs = new Map<string, Aggregate>();
  private readonly eventAggs = new Map<string, Aggregate>();
  private readonly eventNames = new Set<string>();
  private readonly explain = new Map<string, Sql>();
  private readonly visiting: string[] = [];
  private readsClock = false;
  private readonly uses = { predictions: false, rfm: false, summary: false };

  constructor(private readonly context: CompileContext) {
    if (context.selfId) this.visiting.push(context.selfId);
  }

  compile(rule: Rule): CompiledRule {
    const where = this.node(rule, 'rule');
    const s = this.context.storeId;
    const joins: Sql[] = [];
    const columns = (aggs: Map<string, Aggregate>) => sql.join([...aggs.values()].map((a) => sql`${a.expr} as ${sql.raw(a.alias)}`));
    if (this.orderAggs.size) {
      // When every order condition is windowed, only orders inside the widest window are read
      // (orders arrive in time order, so older row groups are skipped).
      const windows = this.orderWindows;
      const since = windows.every((w) => w !== undefined) ? new Date(Math.min(...windows.map((w) => w!.getTime()))) : undefined;
      joins.push(sql`left join (select o.customer_id, ${columns(this.orderAggs)} from orders o
        where o.store_id = ${s} and o.customer_id is not null and o.status <> 'cancelled'${since ? sql` and o.placed_at >= ${since}` : sql``}${this.until('o.placed_at')}
        group by o.customer_id) oa on oa.customer_id = c.id`);
    }
    if (this.returnAggs.size) {
      joins.push(sql`left join (select r.customer_id, ${columns(this.returnAggs)} from returns r
        where r.store_id = ${s} and r.customer_id is not null${this.until('r.returned_at')} group by r.customer_id) ra on ra.customer_id = c.id`);
    }
    if (this.eventAggs.size) {
      joins.push(sql`left join (select e.customer_id, ${columns(this.eventAggs)} from events e
        where e.store_id = ${s} and e.customer_id is not null and list_contains(${[...this.eventNames]}::varchar[], e.name)${this.until('e.occurred_at')}
        group by e.customer_id) ea on ea.customer_id = c.id`);
    }
    if (this.uses.summary) joins.push(sql`left join customer_summary cs on cs.store_id = ${s} and cs.customer_id = c.id`);
    if (this.uses.predictions) joins.push(sql`left join customer_predictions cp on cp.store_id = ${s} and cp.customer_id = c.id`);
    if (this.uses.rfm) joins.push(sql`left join ${rfmScores(s)} rfm on rfm.customer_id = c.id`);
    const from = sql`customers c ${sql.join(joins, sql` `)}`;
    return {
      from, where: this.context.historical ? sql<boolean>`(c.created_at <= ${this.context.asOf} and ${where})` : where,
      explain: [...this.explain].map(([label, value]) => ({ label, value })),
      readsClock: this.readsClock, uses: this.uses,
    };
  }

  private node(rule: Rule, path: string): RawBuilder<boolean> {
    switch (rule.kind) {
      case 'all': return sql<boolean>`(${sql.join(rule.rules.map((r, i) => this.node(r, `${path}.rules.${i}`)), sql` and `)})`;
      case 'any': return sql<boolean>`(${sql.join(rule.rules.map((r, i) => this.node(r, `${path}.rules.${i}`)), sql` or `)})`;
      case 'not': return sql<boolean>`(not ${this.node(rule.rule, `${path}.rule`)})`;
      default: return sql<boolean>`coalesce(${this.leaf(rule, path)}, false)`;
    }
  }

  private leaf(rule: Exclude<Rule, { kind: 'all' | 'any' | 'not' }>, path: string): RawBuilder<boolean> {
    const s = this.context.storeId;
    switch (rule.kind) {
      case 'profile': {
        const def = profileFields[rule.field]!;
        return this.compare(sql.raw(def.sql), def, rule.op, rule.value, def.label);
      }
      case 'attribute': {
        const type: FieldType = rule.type ?? (typeof (Array.isArray(rule.value) ? rule.value[0] : rule.value) === 'number' ? 'number'
          : typeof rule.value === 'boolean' ? 'boolean' : 'string');
        const text = sql`json_extract_string(c.attributes, ${`$.${rule.name}`})`;
        const cast = { string: text, number: sql`try_cast(${text} as double)`, boolean: sql`try_cast(${text} as boolean)`, date: sql`try_cast(${text} as timestamp)` };
        const target = cast[type as 'string' | 'number' | 'boolean' | 'date'] ?? text;
        return this.compare(target, { type, label: `attribute ${rule.name}`, sql: '' }, rule.op, rule.value, `attribute ${rule.name}`);
      }
      case 'orders': return this.orderMetric(rule.metric, rule.op, rule.value, rule.within_days);
      case 'discount_code': {
        const window = this.windowStart(rule.within_days);
        const filter = rule.code === undefined ? sql`(o.discount > 0 or len(o.discount_codes) > 0)` : sql`list_contains(o.discount_codes, ${rule.code})`;
        this.orderWindows.push(window);
        const alias = this.aggregate(this.orderAggs, 'm', `discount:${rule.code ?? ''}:${rule.within_days ?? ''}`, sql`count(*) filter (where ${filter}${window ? sql` and o.placed_at >= ${window}` : sql``})`);
        return sql<boolean>`oa.${sql.raw(alias)} > 0`;
      }
      case 'purchased': {
        const window = this.windowStart(rule.within_days);
        const conditions: Sql[] = [sql`o.store_id = ${s}`, sql`o.customer_id is not null`, sql`o.status <> 'cancelled'`];
        if (rule.category !== undefined) conditions.push(sql`p.category = ${rule.category}`);
        if (rule.product !== undefined) conditions.push(sql`p.external_id = ${rule.product}`);
        if (window) conditions.push(sql`o.placed_at >= ${window}`);
        if (this.context.historical) conditions.push(sql`o.placed_at <= ${this.context.asOf}`);
        if (rule.first_order_only) {
          conditions.push(sql`o.id in (select arg_min(f.id, f.placed_at) from orders f
            where f.store_id = ${s} and f.customer_id is not null and f.status <> 'cancelled'${this.until('f.placed_at')} group by f.customer_id)`);
        }
        return sql<boolean>`c.id in (select o.customer_id from orders o
          join order_lines l on l.store_id = o.store_id and l.order_id = o.id
          left join products p on p.store_id = l.store_id and p.id = l.product_id
          where ${sql.join(conditions, sql` and `)})`;
      }
      case 'event': return this.event(rule);
      case 'prediction': {
        this.presentOnly(path, 'predictions');
        this.uses.predictions = true;
        const def = predictionFields[rule.field]!;
        if (rule.op === 'top_percent') {
          const threshold = sql`(select quantile_cont(${sql.raw(def.sql)}, ${1 - Number(rule.value) / 100}) from customer_predictions cp where cp.store_id = ${s})`;
          return sql<boolean>`${sql.raw(def.sql)} >= ${threshold}`;
        }
        return this.compare(sql.raw(def.sql), def, rule.op, rule.value, def.label);
      }
      case 'rfm': {
        this.presentOnly(path, 'RFM scores');
        this.uses.rfm = true;
        const def = rfmFields[rule.field]!;
        return this.compare(sql.raw(def.sql), def, rule.op, rule.value, def.label);
      }
      case 'persona':
        this.presentOnly(path, 'personas');
        return sql<boolean>`c.id in (select pm.customer_id from persona_members pm where pm.store_id = ${s} and pm.persona_id = ${rule.persona_id})`;
      case 'segment': {
        const referenced = this.context.segments.get(rule.segment_id);
        if (!referenced) throw new AppError('validation_failed', 'Invalid segment rule', [{ path: `${path}.segment_id`, reason: `no segment "${rule.segment_id}" in this store` }]);
        if (this.visiting.includes(rule.segment_id)) {
          throw new AppError('validation_failed', 'Invalid segment rule', [{ path: `${path}.segment_id`, reason: `segments refer to each other in a loop (${[...this.visiting, rule.segment_id].join(' → ')})` }]);
        }
        if (this.visiting.length >= MAX_SEGMENT_DEPTH) throw new AppError('validation_failed', 'Invalid segment rule', [{ path, reason: `segments nest deeper than ${MAX_SEGMENT_DEPTH}` }]);
        // The referenced segment's rule is inlined, so membership is always as fresh as the data.
        this.visiting.push(rule.segment_id);
        try {
          return this.node(referenced, `${path}(${rule.segment_id})`);
        } finally {
          this.visiting.pop();
        }
      }
    }
  }

  private compare(target: Sql, def: FieldDef, op: Operator, value: RuleValue, label: string): RawBuilder<boolean> {
    this.explain.set(label, target);
    return compare(target, def.type, op, value, { asOf: this.context.asOf, onClock: () => { this.readsClock = true; } });
  }

  /** In a historical evaluation, the filter keeping only what was recorded by `asOf`. */
  private until(column: string): Sql {
    return this.context.historical ? sql` and ${sql.raw(column)} <= ${this.context.asOf}` : sql``;
  }

  private presentOnly(path: string, what: string): void {
    if (this.context.historical) throw new AppError('validation_failed', 'Rule cannot be evaluated in the past', [{ path, reason: `${what} exist only for the present` }]);
  }

  private windowStart(days: number | undefined): Date | undefined {
    if (days === undefined) return undefined;
    this.readsClock = true;
    return new Date(this.context.asOf.getTime() - days * DAY_MS);
  }

  /** Adds a filtered aggregate once (same SQL, same column) and returns its column alias. */
  private aggregate(aggs: Map<string, Aggregate>, prefix: string, key: string, expr: Sql): string {
    let agg = aggs.get(key);
    if (!agg) {
      agg = { alias: `${prefix}${aggs.size}`, expr };
      aggs.set(key, agg);
    }
    return agg.alias;
  }

  private orderMetric(metric: string, op: Operator, value: RuleValue, withinDays: number | undefined): RawBuilder<boolean> {
    const def = orderMetrics[metric]!;
    const fromSummary = this.context.summaryFresh && !this.context.historical && withinDays === undefined ? summaryMetrics[metric] : undefined;
    if (fromSummary) return this.summaryMetric(metric, op, value);
    const isReturn = returnMetrics.has(metric);
    const time = isReturn ? 'r.returned_at' : 'o.placed_at';
    const window = this.windowStart(withinDays);
    const filters: Sql[] = [];
    if (def.filter) filters.push(sql.raw(def.filter));
    if (window) filters.push(sql`${sql.raw(time)} >= ${window}`);
    const expr = filters.length ? sql`${sql.raw(def.sql)} filter (where ${sql.join(filters, sql` and `)})` : sql.raw(def.sql);
    if (!isReturn) this.orderWindows.push(window);
    const alias = this.aggregate(isReturn ? this.returnAggs : this.orderAggs, isReturn ? 'r' : 'm', `metric:${metric}:${withinDays ?? ''}`, expr);
    const raw = sql`${sql.raw(isReturn ? 'ra' : 'oa')}.${sql.raw(alias)}`;
    const label = withinDays === undefined ? def.label : `${def.label} (last ${withinDays} days)`;
    if (op === 'top_percent') {
      this.explain.set(label, raw);
      const s = this.context.storeId;
      const threshold = sql`(select quantile_cont(v, ${1 - Number(value) / 100}) from (select ${expr} as v from orders o
        where o.store_id = ${s} and o.customer_id is not null and o.status <> 'cancelled'${this.until('o.placed_at')} group by o.customer_id) t where v > 0)`;
      return sql<boolean>`(${raw} > 0 and ${raw} >= ${threshold})`;
    }
    // Customers without orders have 0 orders and 0 revenue, but no first or last order date.
    const target = def.emptyValue === 0 && op !== 'is_set' && op !== 'is_not_set' ? sql`coalesce(${raw}, 0)` : raw;
    return this.compare(target, def, op, value, label);
  }

  private summaryMetric(metric: string, op: Operator, value: RuleValue): RawBuilder<boolean> {
    this.uses.summary = true;
    const def = orderMetrics[metric]!;
    const raw = sql.raw(summaryMetrics[metric]!);
    if (op === 'top_percent') {
      this.explain.set(def.label, raw);
      const threshold = sql`(select quantile_cont(${raw}, ${1 - Number(value) / 100}) from customer_summary cs where cs.store_id = ${this.context.storeId} and ${raw} > 0)`;
      return sql<boolean>`(${raw} > 0 and ${raw} >= ${threshold})`;
    }
    const target = def.emptyValue === 0 && op !== 'is_set' && op !== 'is_not_set' ? sql`coalesce(${raw}, 0)` : raw;
    return this.compare(target, def, op, value, def.label);
  }

  private event(rule: EventRule): RawBuilder<boolean> {
    this.eventNames.add(rule.name);
    const filters: Sql[] = [sql`e.name = ${rule.name}`];
    const window = this.windowStart(rule.within_days);
    if (window) filters.push(sql`e.occurred_at >= ${window}`);
    for (const w of rule.where ?? []) {
      const text = sql`json_extract_string(e.properties, ${`$.${w.property}`})`;
      if (typeof w.value === 'number') {
        const ops: Record<string, string> = { eq: '=', neq: '<>', gt: '>', gte: '>=', lt: '<', lte: '<=' };
        filters.push(sql`try_cast(${text} as double) ${sql.raw(ops[w.op] ?? '=')} ${w.value}`);
      } else if (w.op === 'contains') filters.push(sql`strpos(lower(${text}), lower(${String(w.value)})) > 0`);
      else if (w.op === 'neq') filters.push(sql`${text} is distinct from ${String(w.value)}`);
      else filters.push(sql`${text} = ${String(w.value)}`);
    }
    const key = JSON.stringify([rule.name, rule.within_days, rule.where]);
    const alias = this.aggregate(this.eventAggs, 'e', key, sql`count(*) filter (where ${sql.join(filters, sql` and `)})`);
    const count = sql`coalesce(ea.${sql.raw(alias)}, 0)`;
    const wanted = rule.count ?? { op: 'gte' as const, value: 1 };
    this.explain.set(`${rule.name} events${rule.within_days ? ` (last ${rule.within_days} days)` : ''}`, count);
    const ops = { gte: '>=', lte: '<=', eq: '=' } as const;
    return sql<boolean>`${count} ${sql.raw(ops[wanted.op])} ${wanted.value}`;
  }
}
