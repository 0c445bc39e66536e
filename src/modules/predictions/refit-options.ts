/**
 * The options of a refit, defined once: the API's refit request, the refit job's payload and the
 * `hearth models fit` flags are all checked against these.
 */
import { z } from 'zod';
import { isCalendarDay } from '../../lib/time.js';
import { countModelKinds, timeUnits } from './predictions.table.js';

export const modelChoices = ['auto', ...countModelKinds] as const;

export const refitFields = {
  asOf: z.string().refine(isCalendarDay, 'must be a date YYYY-MM-DD that exists'),
  timeUnit: z.enum(timeUnits),
  model: z.enum(modelChoices),
} as const;

export const refitOptionsSchema = z.object({
  asOf: refitFields.asOf.optional(),
  timeUnit: refitFields.timeUnit.optional(),
  model: refitFields.model.optional(),
  /** The store's currency (sets the spend model's minor-unit scale); looked up when absent. */
  currency: z.string().length(3).optional(),
}).strict();

export type RefitOptions = z.infer<typeof refitOptionsSchema>;
