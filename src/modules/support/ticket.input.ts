/** The requests of the support API, one schema for the API, the CLI and the service (docs/listen.md). */
import { z } from 'zod';
import { ticketChannels, ticketStatuses } from './support.table.js';
import { topicRuleSchema } from './ticket-topics.js';

const time = z.iso.datetime({ offset: true, error: 'an ISO 8601 time, such as 2026-11-30T09:15:00Z' });

export const ticketInputSchema = z.strictObject({
  external_id: z.string().trim().min(1).max(200).regex(/^[\w.:-]+$/, 'letters, digits, _ . : -')
    .meta({ description: 'Your id of the ticket: posting the same id again updates that ticket (status, response, resolution)' }),
  customer_id: z.union([z.number().int().min(1), z.string().min(1).max(300)]).optional().meta({ description: 'Customer id, or ext:<external id>' }),
  email: z.email({ error: 'an email address' }).max(320).optional().meta({ description: 'The requester\'s address, matched to a customer when no customer_id is given' }),
  status: z.enum(ticketStatuses).default('open'),
  channel: z.enum(ticketChannels).default('api'),
  topic: z.string().trim().min(1).max(60).regex(/^[a-z0-9_]+$/, 'lower-case letters, digits and _').optional()
    .meta({ description: 'Default: from the topic rules over subject and body' }),
  subject: z.string().max(300).optional(),
  body: z.string().max(20_000).optional().meta({ description: 'The customer\'s first message (kept to 2,000 characters)' }),
  order_id: z.string().min(1).max(200).optional().meta({ description: 'The order asked about: id or ext:<external id>' }),
  opened_at: time.optional().meta({ description: 'Default: now' }),
  first_response_at: time.optional(),
  resolved_at: time.optional().meta({ description: 'With status resolved; default: now' }),
  updated_at: time.optional().meta({ description: 'The time of this state: an older state posted late is ignored' }),
  satisfaction_score: z.number().int().min(1).max(5).optional().meta({ description: 'CSAT 1–5' }),
}).superRefine((t, ctx) => {
  if (t.customer_id === undefined && t.email === undefined) ctx.addIssue({ code: 'custom', path: ['customer_id'], message: 'give customer_id or email' });
  if (t.resolved_at !== undefined && t.status !== 'resolved') ctx.addIssue({ code: 'custom', path: ['resolved_at'], message: 'only with status resolved' });
  if (t.first_response_at && t.opened_at && new Date(t.first_response_at) < new Date(t.opened_at)) ctx.addIssue({ code: 'custom', path: ['first_response_at'], message: 'before opened_at' });
  if (t.resolved_at && t.opened_at && new Date(t.resolved_at) < new Date(t.opened_at)) ctx.addIssue({ code: 'custom', path: ['resolved_at'], message: 'before opened_at' });
});
export type TicketInput = z.input<typeof ticketInputSchema>;

export const supportSettingsSchema = z.strictObject({
  zendesk_signing_secret: z.string().trim().min(8).max(200).nullable().optional()
    .meta({ description: 'The signing secret Zendesk shows on the webhook\'s page; null removes it' }),
  topic_rules: z.array(topicRuleSchema).max(50).optional().meta({ description: 'Your keyword rules, tried before the built-in ones' }),
  high_value_clv: z.number().int().min(0).nullable().optional().meta({ description: 'Predicted 12-month CLV (minor units) from which a new ticket is escalated; null: never' }),
});
export type SupportSettingsInput = z.input<typeof supportSettingsSchema>;

export const contactFormSchema = z.strictObject({
  message: z.string().trim().min(5, 'at least 5 characters').max(4000, 'at most 4,000 characters'),
});
