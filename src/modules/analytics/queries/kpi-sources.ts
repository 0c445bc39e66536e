/**
 * Where range KPIs read from: the day-level tables, or — when the report filters on customer
 * attributes — the same aggregates computed on the fly over the matching customers' rows. The
 * KPI SQL is written once over either source.
 */
import { sql, type RawBuilder } from 'kysely';
import type { Filters } from '../analytics.query.js';
import { newAggregate, nextAggregate, totalsAggregate } from '../daily.repository.js';
import { attributeFilters, factFilters, hasFilters } from '../filters.sql.js';

export interface KpiSources {
  totals: RawBuilder<unknown>;
  next: RawBuilder<unknown>;
  fresh: RawBuilder<unknown>;
}

export function kpiSources(storeId: string, filters: Filters): KpiSources {
  if (!hasFilters(filters)) {
    return {
      totals: sql`(select * from daily_totals where store_id = ${storeId})`,
      next: sql`(select * from daily_next where store_id = ${storeId})`,
      fresh: sql`(select * from daily_new where store_id = ${storeId})`,
    };
  }
  const facts = sql`store_id = ${storeId} ${factFilters(filters, 'order_facts', storeId)}`;
  return {
    totals: sql`(${totalsAggregate(facts)})`,
    next: sql`(${nextAggregate(facts)})`,
    fresh: sql`(${newAggregate(sql`store_id = ${storeId} ${attributeFilters(filters, 'customer_summary', storeId)}`)})`,
  };
}

/** percentile_cont over a histogram of integer values. */
export function histogramPercentile(histogram: readonly { value: number; count: number }[], p: number): number | null {
  const sorted = histogram.filter((h) => h.count > 0).sort((a, b) => a.value - b.value);
  const total = sorted.reduce((sum, h) => sum + h.count, 0);
  if (total === 0) return null;
  const index = p * (total - 1);
  const at = (i: number) => {
    let seen = 0;
    for (const h of sorted) {
      seen += h.count;
      if (i < seen) return h.value;
    }
    return sorted[sorted.length - 1]!.value;
  };
  const low = at(Math.floor(index));
  return low + (at(Math.ceil(index)) - low) * (index - Math.floor(index));
}
