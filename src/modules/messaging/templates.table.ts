import type { Kysely } from 'kysely';
import type { Database } from '../../db/database.js';
import type { MessageChannel, MessagePurpose } from './message.types.js';

/** A message template of a store; its content lives in append-only versions. */
export interface MessageTemplateTable {
  store_id: string;
  id: string;
  name: string;
  channel: MessageChannel;
  purpose: MessagePurpose;
  /** The starter it was copied from (welcome, abandoned_cart, …), if any. */
  starter_key: string | null;
  /** The newest version, the one a new send uses. */
  current_version: number;
  archived_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

/** One saved version: never changed, so a sent message can name the exact version it used. */
export interface MessageTemplateVersionTable {
  store_id: string;
  template_id: string;
  version: number;
  subject: string;
  preheader: string;
  /** MJML with Liquid. */
  body: string;
  /** The user or key that saved it. */
  created_by: string | null;
  created_at: Date;
}

export type TemplateTables = {
  message_templates: MessageTemplateTable;
  message_template_versions: MessageTemplateVersionTable;
};

export type TemplatesDb = Kysely<Database & TemplateTables>;

/** The shared Database map lists the foundation tables; this module adds its own to its view. */
export function templatesDb(db: Kysely<Database>): TemplatesDb {
  return db.withTables<TemplateTables>();
}
