/** Answers of the email topics API. */
import { z } from 'zod';
import { component, list, timestamp } from './common.schemas.js';

export const topicSchema = component('EmailTopic', z.strictObject({
  id: z.string().meta({ description: 'The key campaigns and messages name (`newsletter`, `offers`)' }),
  name: z.string(),
  description: z.string().nullable(),
  position: z.number().int().meta({ description: 'Order on the preference page' }),
  archived_at: timestamp.nullable(),
  created_at: timestamp,
  updated_at: timestamp,
}));

export const topicListSchema = list(topicSchema);

export type EmailTopic = z.input<typeof topicSchema>;
