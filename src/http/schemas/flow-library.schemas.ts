/** Answers of the ready-flow library and the backtest (docs/flows.md "Ready flows", "Backtest"). */
import { z } from 'zod';
import { stepTypes, triggerSchema } from '../../modules/flows/index.js';
import { component, count, list, timestamp } from './common.schemas.js';
import { flowSchema } from './flows.schemas.js';

const triggerKinds = triggerSchema.options.map((o) => o.shape.kind.value) as [string, ...string[]];

export const readyFlowSchema = component('ReadyFlow', z.strictObject({
  key: z.string().meta({ description: 'What to install it by: POST /api/v1/flows/library/{key}/install' }),
  name: z.string(),
  summary: z.string().meta({ description: 'What it does' }),
  why: z.string().meta({ description: 'Why it works' }),
  note: z.string().nullable().meta({ description: 'Where its trigger stands in for the ideal one, what it does instead' }),
  trigger: z.enum(triggerKinds),
  steps: z.array(z.strictObject({ id: z.string(), type: z.enum(stepTypes), name: z.string().nullable() })),
  templates: z.array(z.strictObject({ starter: z.string(), name: z.string() })).meta({ description: 'Starter templates copied into the store on install (found again by starter and name)' }),
  segment: z.strictObject({ name: z.string(), description: z.string() }).nullable().meta({ description: 'The segment its trigger listens to, created on install (found again by name)' }),
  installed_flow_id: z.string().nullable().meta({ description: 'The draft or flow this store installed from it' }),
}));
export const readyFlowListSchema = list(readyFlowSchema);

export const flowInstallSchema = z.strictObject({
  created: z.boolean().meta({ description: 'False when the ready flow was installed before: the answer is that flow' }),
  flow: flowSchema,
});

export const flowBacktestSchema = component('FlowBacktest', z.strictObject({
  flow_id: z.string(),
  days: z.number().int().min(1),
  from: timestamp,
  to: timestamp,
  entrants: count.meta({ description: 'Distinct customers the trigger and entry rule would have enrolled in the window' }),
  entries: count.meta({ description: 'Entries (more than entrants when customers may enter again)' }),
  steps: z.array(z.strictObject({
    id: z.string(),
    type: z.enum(stepTypes),
    name: z.string().nullable(),
    reached: count.meta({ description: 'Would have arrived at the step and run it' }),
    waiting: count.meta({ description: 'Would still be on their way to it today' }),
    exited: z.record(z.string(), count).meta({ description: 'Would have left just before it, by reason: ordered, unsubscribed, an exit rule\'s name' }),
    outcomes: z.record(z.string(), count).meta({ description: 'Where those who ran it went: yes / no, event / timed_out, branch n' }),
  })),
  completed: count.meta({ description: 'Would have finished the flow' }),
  messages: count.meta({ description: 'Messages the send steps (send_email, send_sms, send_webhook) would have sent, less the holdout share' }),
  summary: z.string(),
  approximations: z.array(z.string()).meta({ description: 'Where the backtest differs from the live engine' }),
}));

/** The wire shapes, for the dashboard. */
export type ReadyFlow = z.input<typeof readyFlowSchema>;
export type FlowInstall = z.input<typeof flowInstallSchema>;
export type FlowBacktest = z.input<typeof flowBacktestSchema>;
