/**
 * Recording domain events from SQL, for writers that work on the raw DuckDB connection (the
 * commerce merge reads its resolved tables; the ingest writer reads the events it appended).
 * DuckDB SQL: `json_object`, `strftime`, `list_filter`. Names below are constants, never input.
 */

/** `insert into domain_events … select` of `columns` (entity_id, customer_id, data, store_id, occurred_at) from `from`. */
export function insertDomainEvents(type: string, entity: string, select: { storeId: string; entityId: string; customerId: string; data: string; occurredAt: string }, from: string): string {
  return `insert into domain_events (id, store_id, type, entity, entity_id, customer_id, data, occurred_at)
    select nextval('domain_events_id_seq'), ${select.storeId}, '${type}', '${entity}', ${select.entityId}, ${select.customerId}, ${select.data}, ${select.occurredAt}
    from (${from}) order by ${select.entityId}`;
}

/** An ISO 8601 UTC text of a timestamp column, as JSON payloads carry times. */
export const isoTime = (column: string): string => `strftime(${column}, '%Y-%m-%dT%H:%M:%S.%gZ')`;

/** `json_object(...)::varchar` of name → SQL expression pairs. */
export const jsonPayload = (fields: Record<string, string>): string =>
  `json_object(${Object.entries(fields).map(([name, value]) => `'${name}', ${value}`).join(', ')})::varchar`;

/** The names of the fields whose `n_<f>` differs from `old_<f>` (a list of text). */
export const changedFields = (fields: readonly string[]): string =>
  `list_filter([${fields.map((f) => `case when n_${f} is distinct from old_${f} then '${f}' end`).join(', ')}], x -> x is not null)`;
