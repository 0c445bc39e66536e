/**
 * Days that come back every year — a birthday, the anniversary of a first order — and the customers
 * whose day falls on a given calendar day. A birthday is stored as `YYYY-MM-DD` or, without the
 * year, `--MM-DD`: its last five characters are the month and day either way. Someone born on
 * 29 February celebrates on 28 February in a year without one.
 */
import { sql, type QueryExecutorProvider, type RawBuilder } from 'kysely';

/** Whether a yearly day given as its month and day (`MM-DD` text) comes back on the date `on` (a SQL date). */
export function fallsYearlyOn(monthDay: RawBuilder<unknown>, on: RawBuilder<unknown>): RawBuilder<boolean> {
  return sql<boolean>`(${monthDay} = strftime(${on}, '%m-%d') or (${monthDay} = '02-29' and strftime(${on}, '%m-%d') = '02-28' and day(last_day(${on})) = 28))`;
}

/** The customers (ids, ascending) whose birthday is on `day` (YYYY-MM-DD). */
export async function birthdaysOn(db: QueryExecutorProvider, storeId: string, day: string): Promise<number[]> {
  const { rows } = await sql<{ id: number }>`
    select id from customers where store_id = ${storeId} and birthday is not null and ${fallsYearlyOn(sql`right(birthday, 5)`, sql`${day}::date`)} order by id`.execute(db);
  return rows.map((r) => Number(r.id));
}
