/** Answers of the message templates API. */
import { z } from 'zod';
import { component, list, timestamp } from './common.schemas.js';

export const messagePurpose = z.enum(['marketing', 'transactional']).meta({ description: 'Marketing mail needs consent and a legal footer; transactional follows the store policy' });
export const messageChannel = z.enum(['email', 'sms', 'webhook']);

const summaryFields = {
  id: z.string(),
  name: z.string(),
  channel: messageChannel,
  purpose: messagePurpose,
  starter_key: z.string().nullable().meta({ description: 'The starter template it was copied from' }),
  version: z.number().int().min(1).meta({ description: 'The current version: each save adds one' }),
  subject: z.string(),
  archived_at: timestamp.nullable(),
  created_at: timestamp,
  updated_at: timestamp,
};

export const templateSummarySchema = component('MessageTemplateSummary', z.strictObject(summaryFields));
export const templateListSchema = list(templateSummarySchema);

export const templateSchema = component('MessageTemplate', z.strictObject({
  ...summaryFields,
  preheader: z.string(),
  body: z.string().meta({ description: 'MJML with Liquid' }),
  versions: z.array(z.strictObject({ version: z.number().int().min(1), subject: z.string(), created_by: z.string().nullable(), created_at: timestamp }))
    .meta({ description: 'Every saved version, newest first' }),
}));

export const templateVersionSchema = z.strictObject({
  name: z.string(),
  version: z.number().int().min(1),
  purpose: messagePurpose,
  subject: z.string(),
  preheader: z.string(),
  body: z.string(),
  created_at: timestamp,
});

export const starterListSchema = list(z.strictObject({
  key: z.string(),
  name: z.string(),
  description: z.string(),
  purpose: messagePurpose,
  subject: z.string(),
}));

export const templatePreviewSchema = component('MessagePreview', z.strictObject({
  subject: z.string(),
  preheader: z.string(),
  html: z.string(),
  text: z.string().meta({ description: 'The plain-text part, generated from the HTML' }),
  version: z.number().int().min(1).nullable().meta({ description: 'The version previewed; null for unsaved content' }),
  customer: z.strictObject({
    id: z.number().int().nullable(),
    name: z.string(),
    email: z.string().nullable(),
    sample: z.boolean().meta({ description: 'True when the sample customer was used' }),
  }),
}));

export const templateTestSendSchema = component('TemplateTestSend', z.strictObject({
  send_id: z.number().int().meta({ description: 'The test message in the ledger: GET /api/v1/messages/{id}, the Outbox' }),
  message_id: z.string().nullable().meta({ description: 'Its Message-ID, once the SMTP server accepted it' }),
  state: z.string().meta({ description: 'sent, failed, suppressed (an address that must not get mail), uncertain' }),
  reason: z.string().nullable(),
  to: z.string(),
}));

export type TemplateTestSend = z.input<typeof templateTestSendSchema>;
export type MessageTemplate = z.input<typeof templateSchema>;
export type MessageTemplateSummary = z.input<typeof templateSummarySchema>;
export type MessagePreview = z.input<typeof templatePreviewSchema>;
export type StarterList = z.input<typeof starterListSchema>;
