/** The requests of the experiments API, one schema for the API and the CLI. */
import { z } from 'zod';
import { WINDOWS } from './outcomes.query.js';

const day = z.iso.date('must be a day, YYYY-MM-DD');

export const impactQuerySchema = z.strictObject({
  from: day.optional().meta({ description: 'First day of eligibility (UTC); default 90 days before `to`' }),
  to: day.optional().meta({ description: 'Last day of eligibility (UTC); default today' }),
  window: z.coerce.number().int().refine((w) => (WINDOWS as readonly number[]).includes(w), `must be one of ${WINDOWS.join(', ')}`).default(30),
});

export const powerRequestSchema = z.strictObject({
  kind: z.enum(['proportion', 'mean']).meta({ description: 'proportion: conversion (with a source); mean: net revenue per person in minor units (with a source)' }),
  baseline_mean: z.number().finite().min(0).optional().meta({ description: 'The control arm\'s expected mean; required without a source' }),
  baseline_sd: z.number().finite().positive().optional().meta({ description: 'Required for a mean without a source' }),
  holdout_share: z.number().gt(0, 'must be more than 0').max(0.5),
  eligible_per_day: z.number().finite().positive().optional().meta({ description: 'People becoming eligible per day; required without a source' }),
  minimum_effect: z.number().finite().positive().meta({ description: 'The smallest absolute difference worth detecting' }),
  window_days: z.number().int().min(1).max(365),
  power: z.number().gt(0).lt(1).optional(),
  alpha: z.number().gt(0).lt(1).optional(),
  source: z.union([z.strictObject({ flow_id: z.string().min(1) }), z.strictObject({ segment_id: z.string().min(1) })]).optional()
    .meta({ description: 'Take the baseline and the people per day from a flow\'s recent entries or a segment' }),
}).superRefine((b, ctx) => {
  if (b.kind === 'proportion' && b.baseline_mean !== undefined && b.baseline_mean > 1) ctx.addIssue({ code: 'custom', path: ['baseline_mean'], message: 'must be at most 1 for a proportion' });
});
