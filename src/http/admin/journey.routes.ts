/**
 * The customer journey: funnels, paths, exit pages before a lapse and lifecycle stages, one GET
 * each, with the query validated against the journey service's own schema (4xx naming the field).
 */
import type { z } from 'zod';
import { snakeKeys, type SnakeKeys } from '../../lib/json-case.js';
import {
  journeyQuerySchemas, journeyReports, type ExitsResult, type FunnelsResult, type JourneyReport, type JourneyResult, type LifecycleResult, type PathsResult,
} from '../../modules/analytics/index.js';
import { route } from '../route.js';
import { journeySchemas } from '../schemas/journey.schemas.js';

const tag = 'Analytics';

const summaries: Record<JourneyReport, string> = {
  funnels: 'Funnel conversion and drop-off per step, time to convert, first vs returning customers, trend, and where those who dropped went',
  paths: 'The most common steps after (or before) a page or event, as paths and Sankey links',
  exits: 'Exit pages of sessions without a purchase, and the pages seen before customers lapsed, ranked by lift with 95 % intervals',
  lifecycle: "Each customer's lifecycle stage per month, with counts, revenue and the movements between stages",
};

const operationIds: Record<JourneyReport, string> = {
  funnels: 'getFunnelReport', paths: 'getPathReport', exits: 'getExitReport', lifecycle: 'getLifecycleReport',
};

/** The route's typing sees the union of the reports; each report's own result is checked against its schema below. */
const schemaOf = (report: JourneyReport) => journeySchemas[report] as z.ZodType<SnakeKeys<JourneyResult>, unknown>;
// The service parses the query itself (so the CLI gets the same errors); the route publishes the same schema.
const querySchemaOf = (report: JourneyReport) => journeyQuerySchemas[report] as z.ZodType<Record<string, unknown>>;

const journeyRoute = (report: JourneyReport) => route({
  method: 'GET', url: `/api/v1/analytics/${report}`, operationId: operationIds[report], permission: 'read', tag, summary: summaries[report],
  query: querySchemaOf(report), response: schemaOf(report),
  handler: async ({ services, storeId, query }) => snakeKeys(await services.analytics.journey.run(report, storeId, query, 'query.')),
});

export const journeyRoutes = journeyReports.map(journeyRoute);

/** Compile-time: each report's result type fits its published schema (`never` where it does not). */
type Fits<Result, Schema extends z.ZodType> = [Result] extends [z.output<Schema>] ? true : never;
const _resultsFitSchemas: [
  Fits<SnakeKeys<FunnelsResult>, typeof journeySchemas.funnels>, Fits<SnakeKeys<PathsResult>, typeof journeySchemas.paths>,
  Fits<SnakeKeys<ExitsResult>, typeof journeySchemas.exits>, Fits<SnakeKeys<LifecycleResult>, typeof journeySchemas.lifecycle>,
] = [true, true, true, true];
