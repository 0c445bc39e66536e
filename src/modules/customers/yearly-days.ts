/**
 * Days that come back every year — a birthday, the anniversary of a first order — and the customers
 * whose day falls on a given calendar day. A birthday is stored as `YYYY-MM-DD` or, without the
 * year, `--MM-DD`: its last five characters are the month and day either way. Someone born on
 * 29 February celebrates on 28 February in a year without one.
 */
import { sql, type QueryExecutorProvider, type RawBuilder } from 'kysely';

const isLeapYear = (year: number): boolean => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;

/** The `MM-DD` values whose yearly day is `day` (YYYY-MM-DD): its own, and `02-29` on 28 February of a year without one. */
export function yearlyKeysOn(day: string): string[] {
  const monthDay = day.slice(5);
  return monthDay === '02-28' && !isLeapYear(Number(day.slice(0, 4))) ? ['02-28', '02-29'] : [monthDay];
}

/** Whether a date expression's month and day (`MM-DD`, from its text) make it come back on `day`. */
export function fallsYearlyOn(monthDay: RawBuilder<unknown>, day: string): RawBuilder<boolean> {
  return sql<boolean>`${monthDay} in (${sql.join(yearlyKeysOn(day))})`;
}

/** The customers (ids, ascending) whose birthday is on `day` (YYYY-MM-DD). */
export async function birthdaysOn(db: QueryExecutorProvider, storeId: string, day: string): Promise<number[]> {
  const { rows } = await sql<{ id: number }>`
    select id from customers where store_id = ${storeId} and birthday is not null and ${fallsYearlyOn(sql`right(birthday, 5)`, day)} order by id`.execute(db);
  return rows.map((r) => Number(r.id));
}
