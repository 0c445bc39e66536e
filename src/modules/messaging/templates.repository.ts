/**
 * Rows of message templates and their versions. Plain functions taking the db first; every query is
 * scoped by store. Versions are only ever inserted.
 */
import { sql } from 'kysely';
import type { MessageTemplateTable, MessageTemplateVersionTable, TemplatesDb } from './templates.table.js';

export async function listTemplateRows(db: TemplatesDb, storeId: string, options: { archived?: boolean } = {}): Promise<(MessageTemplateTable & { subject: string })[]> {
  let query = db.selectFrom('message_templates as t')
    .innerJoin('message_template_versions as v', (join) => join.onRef('v.template_id', '=', 't.id').onRef('v.version', '=', 't.current_version').on('v.store_id', '=', storeId))
    .selectAll('t').select('v.subject')
    .where('t.store_id', '=', storeId);
  if (!options.archived) query = query.where('t.archived_at', 'is', null);
  return query.orderBy('t.created_at').orderBy('t.id').execute();
}

export async function countTemplateRows(db: TemplatesDb, storeId: string): Promise<number> {
  const row = await db.selectFrom('message_templates').select((eb) => eb.fn.countAll<number>().as('n')).where('store_id', '=', storeId).executeTakeFirst();
  return Number(row?.n ?? 0);
}

export async function findTemplateRow(db: TemplatesDb, storeId: string, id: string): Promise<MessageTemplateTable | undefined> {
  return db.selectFrom('message_templates').selectAll().where('store_id', '=', storeId).where('id', '=', id).executeTakeFirst();
}

export async function findVersionRow(db: TemplatesDb, storeId: string, templateId: string, version: number): Promise<MessageTemplateVersionTable | undefined> {
  return db.selectFrom('message_template_versions').selectAll()
    .where('store_id', '=', storeId).where('template_id', '=', templateId).where('version', '=', version).executeTakeFirst();
}

export async function listVersionRows(db: TemplatesDb, storeId: string, templateId: string): Promise<Pick<MessageTemplateVersionTable, 'version' | 'subject' | 'created_by' | 'created_at'>[]> {
  return db.selectFrom('message_template_versions').select(['version', 'subject', 'created_by', 'created_at'])
    .where('store_id', '=', storeId).where('template_id', '=', templateId).orderBy('version', 'desc').execute();
}

/** A new template with its first version, in one transaction. */
export async function insertTemplate(db: TemplatesDb, template: MessageTemplateTable, version: MessageTemplateVersionTable): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx.insertInto('message_templates').values(template).execute();
    await trx.insertInto('message_template_versions').values(version).execute();
  });
}

/**
 * Appends a version and makes it current. The new number is the template's current one plus one,
 * read in the same transaction; the single writer connection serialises saves.
 */
export async function appendVersion(
  db: TemplatesDb, storeId: string, templateId: string,
  content: Omit<MessageTemplateVersionTable, 'store_id' | 'template_id' | 'version'>,
  changes: Partial<Pick<MessageTemplateTable, 'name' | 'purpose'>>,
): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const row = await trx.selectFrom('message_templates').select('current_version')
      .where('store_id', '=', storeId).where('id', '=', templateId).executeTakeFirstOrThrow();
    const version = row.current_version + 1;
    await trx.insertInto('message_template_versions').values({ ...content, store_id: storeId, template_id: templateId, version }).execute();
    await trx.updateTable('message_templates').set({ ...changes, current_version: version, updated_at: content.created_at })
      .where('store_id', '=', storeId).where('id', '=', templateId).execute();
    return version;
  });
}

export async function updateTemplateRow(db: TemplatesDb, storeId: string, templateId: string, changes: Partial<Pick<MessageTemplateTable, 'name' | 'purpose' | 'archived_at' | 'updated_at'>>): Promise<void> {
  await db.updateTable('message_templates').set(changes).where('store_id', '=', storeId).where('id', '=', templateId).execute();
}

/** A customer's order count and net spend, from the analytics module's published summary. */
export async function customerSummary(db: TemplatesDb, storeId: string, customerId: number): Promise<{ orders: number; revenue: number } | undefined> {
  const result = await sql<{ orders: number; revenue: number }>`
    select orders, revenue from customer_summary where store_id = ${storeId} and customer_id = ${customerId}`.execute(db);
  const row = result.rows[0];
  return row ? { orders: Number(row.orders), revenue: Number(row.revenue) } : undefined;
}

/** Order count and net spend of each of the given customers that has a summary, a thousand per query. */
export async function customerSummaries(db: TemplatesDb, storeId: string, customerIds: readonly number[]): Promise<Map<number, { orders: number; revenue: number }>> {
  const found = new Map<number, { orders: number; revenue: number }>();
  const unique = [...new Set(customerIds)];
  for (let i = 0; i < unique.length; i += 1000) {
    const { rows } = await sql<{ customer_id: number; orders: number; revenue: number }>`
      select customer_id, orders, revenue from customer_summary where store_id = ${storeId} and customer_id in (${sql.join(unique.slice(i, i + 1000))})`.execute(db);
    for (const row of rows) found.set(Number(row.customer_id), { orders: Number(row.orders), revenue: Number(row.revenue) });
  }
  return found;
}
