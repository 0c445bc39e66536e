/**
 * Repeat rate within 90 days by NPS category: each customer's first NPS answer given at least 90
 * days before `asOf`, and whether they placed a (not cancelled) order within 90 days after it, with
 * sample sizes and Wilson's 95 % intervals. An association in the store's data, not an effect.
 */
import { sql } from 'kysely';
import type { Db } from '../../db/database.js';
import { wilson } from '../../lib/statistics/index.js';
import { npsCategory } from './survey-scores.js';

export const NPS_REPEAT_WINDOW_DAYS = 90;

export interface NpsRetentionRow { group: string; customers: number; repeaters: number; rate: number | null; low: number | null; high: number | null }

export async function npsRetention(db: Db, storeId: string, asOf: Date): Promise<NpsRetentionRow[]> {
  const cutoff = new Date(asOf.getTime() - NPS_REPEAT_WINDOW_DAYS * 86_400_000);
  const { rows } = await sql<{ score: number; repeated: boolean }>`
    with firsts as (
      select customer_id, score, answered_at from (
        select customer_id, score, answered_at, row_number() over (partition by customer_id order by answered_at, id) as n
        from survey_answers where store_id = ${storeId} and kind = 'nps' and answered_at <= ${cutoff}) a where n = 1)
    select f.score, exists (select 1 from orders o where o.store_id = ${storeId} and o.customer_id = f.customer_id and o.status <> 'cancelled'
      and o.placed_at > f.answered_at and o.placed_at <= f.answered_at + ${`${NPS_REPEAT_WINDOW_DAYS} days`}::interval) as repeated
    from firsts f`.execute(db);
  return (['promoter', 'passive', 'detractor'] as const).map((group) => {
    const inGroup = rows.filter((r) => npsCategory(Number(r.score)) === group);
    const repeaters = inGroup.filter((r) => r.repeated).length;
    const ci = inGroup.length ? wilson(repeaters, inGroup.length) : null;
    return { group, customers: inGroup.length, repeaters, rate: inGroup.length ? repeaters / inGroup.length : null, low: ci?.low ?? null, high: ci?.high ?? null };
  });
}
