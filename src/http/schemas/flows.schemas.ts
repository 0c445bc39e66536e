/** Answers of the flows API. */
import { z } from 'zod';
import { flowDocumentSchema, flowStatuses, runStatuses, triggerSchema } from '../../modules/flows/index.js';
import { component, count, currency, list, minorUnits, timestamp } from './common.schemas.js';

export const flowDocument = component('FlowDocument', flowDocumentSchema.meta({ description: 'A flow: trigger, entry and exit rules, holdout share and steps (docs/flows.md)' }));
export const flowTrigger = component('FlowTrigger', triggerSchema);

export const flowSummarySchema = component('FlowSummary', z.strictObject({
  id: z.string(),
  name: z.string(),
  status: z.enum(flowStatuses),
  live_version: z.number().int().nullable().meta({ description: 'The published version new runs start on (null: never published)' }),
  trigger: flowTrigger,
  entrants: count.meta({ description: 'Runs ever started, holdout included' }),
  in_progress: count.meta({ description: 'Runs not yet completed or exited' }),
  holdout: count.meta({ description: 'Entrants held out: they follow the flow without receiving anything' }),
  messages: count.meta({ description: 'Messages the flow put in the send ledger' }),
  revenue: minorUnits.nullable().meta({
    description: 'Net revenue (orders not cancelled, less refunds) of the entrants who were not held out, each over measurement.window_days days from their first entry, '
      + 'counting those whose window has ended (measurement.people); null until one has (measurement.reason says why)',
  }),
  incremental_revenue: z.strictObject({ value: minorUnits, low: minorUnits, high: minorUnits }).nullable().meta({
    description: 'What the flow added over its holdout in that window, with the 95 % interval: the experiment\'s difference in net revenue per person '
      + '(CUPED-adjusted) × measurement.people, as on the Impact page; null without a comparison (measurement.reason says why)',
  }),
  measurement: z.strictObject({
    experiment_id: z.string().nullable().meta({ description: 'The flow\'s experiment (GET /api/v1/experiments/{id}); null until someone entered' }),
    currency,
    window_days: z.number().int().meta({ description: 'Days after each entrant\'s first entry that count (30)' }),
    people: count.meta({ description: 'Entrants not held out whose window has ended: those the figures count' }),
    holdout_people: count.meta({ description: 'Held-out entrants whose window has ended' }),
    still_open: count.meta({ description: 'Entrants still inside their window (not counted yet)' }),
    verdict: z.enum(['increase', 'decrease', 'too_early']).nullable().meta({ description: 'The experiment\'s verdict on net revenue per person; null without a comparison' }),
    reason: z.string().nullable().meta({ description: 'Why revenue or incremental_revenue is null; null when both are given' }),
    measured_at: timestamp.nullable().meta({ description: 'When the experiments module last made the sums the figures come from (every 15 minutes, and on reading the experiment); null until someone entered' }),
  }),
  created_at: timestamp,
  updated_at: timestamp,
}));
export const flowListSchema = list(flowSummarySchema);

export const flowSchema = component('Flow', z.strictObject({
  id: z.string(),
  name: z.string(),
  status: z.enum(flowStatuses),
  live_version: z.number().int().nullable(),
  document: flowDocument.meta({ description: 'The draft: what the next publish makes live' }),
  versions: z.array(z.strictObject({ version: z.number().int().min(1), published_at: timestamp })),
  created_at: timestamp,
  updated_at: timestamp,
}));

export const flowRunSchema = component('FlowRun', z.strictObject({
  id: z.number().int(),
  flow_id: z.string(),
  version: z.number().int().meta({ description: 'The version the run started on, which it keeps' }),
  customer_id: z.number().int(),
  trigger_kind: z.string(),
  holdout: z.boolean().meta({ description: 'Held out: follows the flow without receiving anything' }),
  status: z.enum(runStatuses),
  step_id: z.string().nullable().meta({ description: 'The step it is at (null once finished)' }),
  due_at: timestamp.nullable(),
  exit_reason: z.string().nullable().meta({ description: 'Why it left: ordered, unsubscribed, a rule\'s name, exit, error' }),
  entered_at: timestamp,
  finished_at: timestamp.nullable(),
  steps: z.array(z.strictObject({ step_id: z.string().nullable(), outcome: z.string(), detail: z.string().nullable(), at: timestamp })),
}));
export const flowRunPageSchema = z.strictObject({ data: z.array(flowRunSchema), next_after: z.number().int().nullable() });
export const flowRunListSchema = list(flowRunSchema);

export const flowEnrolmentSchema = z.strictObject({
  members: count.meta({ description: 'Members of the segment now' }),
  enrolled: count.meta({ description: 'Of those, enrolled (the others are in the flow or may not re-enter)' }),
});

export const flowStatsSchema = component('FlowStats', z.strictObject({
  version: z.number().int().nullable().meta({ description: 'The version whose steps and edges are listed (null: the draft of a flow never published)' }),
  runs: z.strictObject({
    entered: count.meta({ description: 'Runs started (holdout included)' }),
    in_progress: count,
    completed: count,
    exited: count.meta({ description: 'Runs that left on an exit condition or an error' }),
    holdout: count,
  }),
  steps: z.array(z.strictObject({
    step_id: z.string(),
    reached: count.meta({ description: 'Runs that arrived at the step, those still there included' }),
    waiting: count.meta({ description: 'Runs in progress at the step now' }),
    exited: z.array(z.strictObject({ reason: z.string().meta({ description: 'ordered, unsubscribed, a rule\'s name, error' }), runs: count }))
      .meta({ description: 'Runs that left the flow at this step, by reason' }),
  })),
  edges: z.array(z.strictObject({
    from: z.string(),
    field: z.string().meta({ description: 'The field of the step naming the edge: next, yes, no, timeout_next, branches.N.next' }),
    to: z.string().nullable().meta({ description: 'The step it leads to (null: the run completes)' }),
    taken: count.meta({ description: 'Runs that went along it' }),
  })),
}));

export type Flow = z.input<typeof flowSchema>;
export type FlowSummary = z.input<typeof flowSummarySchema>;
export type FlowRun = z.input<typeof flowRunSchema>;
export type FlowRunPage = z.input<typeof flowRunPageSchema>;
export type FlowStats = z.input<typeof flowStatsSchema>;
export type FlowEnrolment = z.input<typeof flowEnrolmentSchema>;
