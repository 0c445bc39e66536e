/** Small SQL helpers the analytics queries share. */
import { sql, type RawBuilder } from 'kysely';
import type { Period } from '../analytics.query.js';

/** A YYYY-MM-DD string as a DATE parameter. */
export const date = (value: string): RawBuilder<string> => sql<string>`cast(${value} as date)`;

/** date_trunc with the period from the closed list (never from raw input). */
export const trunc = (period: Period, column: RawBuilder<unknown>): RawBuilder<string> =>
  sql<string>`cast(date_trunc(${sql.lit(period)}, ${column}) as date)`;

/** A fraction, or null when the denominator is zero. */
export const ratio = (numerator: number, denominator: number): number | null => (denominator > 0 ? numerator / denominator : null);
