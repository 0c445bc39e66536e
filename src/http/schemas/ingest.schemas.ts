/** Answers of the tracking API, the Shopify webhook and the ingest status. */
import { z } from 'zod';
import { count, timestamp } from './common.schemas.js';

export const trackResultSchema = z.strictObject({
  success: z.literal(true),
  received: count,
  stored: count,
  duplicates: count.meta({ description: 'Events already stored under the same messageId' }),
  rejected: z.array(z.strictObject({
    index: z.number().int().meta({ description: 'Position of the event in the batch (0 for a single event)' }),
    path: z.string(),
    reason: z.string(),
  })),
});

export const shopifyOutcomeSchema = z.strictObject({
  status: z.enum(['stored', 'duplicate', 'ignored', 'rejected']),
  topic: z.string(),
  error: z.strictObject({ path: z.string(), reason: z.string() }).optional()
    .describe('Why a payload that can never be stored was rejected (acknowledged with 200 so Shopify does not retry it)'),
});

export const ingestStatusSchema = z.strictObject({
  since: timestamp.meta({ description: 'Start of the first hour counted: the last 24 hours' }),
  sources: z.array(z.strictObject({
    source: z.string(),
    received: count,
    stored: count,
    rejected: count,
    deduplicated: count,
    top_rejections: z.array(z.strictObject({ reason: z.string(), count })),
  })),
});

export type TrackResult = z.input<typeof trackResultSchema>;
export type IngestStatus = z.input<typeof ingestStatusSchema>;
