import { sql, type DatabaseIntrospector, type DatabaseMetadata, type Kysely, type SchemaMetadata, type TableMetadata } from 'kysely';

/** Reads DuckDB's information_schema (Kysely's Postgres introspector relies on pg_catalog functions). */
export class DuckDBIntrospector implements DatabaseIntrospector {
  constructor(private readonly db: Kysely<unknown>) {}

  async getSchemas(): Promise<SchemaMetadata[]> {
    const { rows } = await sql<{ name: string }>`select distinct schema_name as name from information_schema.schemata`.execute(this.db);
    return rows.map((row) => ({ name: row.name }));
  }

  async getTables(): Promise<TableMetadata[]> {
    const { rows } = await sql<{ schema: string; table: string; type: string; column: string; data_type: string; nullable: string; default: string | null }>`
      select t.table_schema as schema, t.table_name as "table", t.table_type as type,
             c.column_name as "column", c.data_type, c.is_nullable as nullable, c.column_default as "default"
      from information_schema.tables t
      join information_schema.columns c on c.table_schema = t.table_schema and c.table_name = t.table_name
      where t.table_schema = 'main'
      order by t.table_name, c.ordinal_position`.execute(this.db);
    const tables = new Map<string, TableMetadata>();
    for (const row of rows) {
      let table = tables.get(row.table);
      if (!table) {
        table = { name: row.table, schema: row.schema, isView: row.type === 'VIEW', columns: [] };
        tables.set(row.table, table);
      }
      (table.columns as unknown[]).push({
        name: row.column,
        dataType: row.data_type,
        isNullable: row.nullable === 'YES',
        isAutoIncrementing: false,
        hasDefaultValue: row.default !== null,
      });
    }
    return [...tables.values()];
  }

  async getMetadata(): Promise<DatabaseMetadata> {
    return { tables: await this.getTables() };
  }
}
