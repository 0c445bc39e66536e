/**
 * Retention analytics: one GET per report with the same validated query (range, comparison,
 * period, breakdown, filters). `format=csv` returns one of the report's tables as CSV
 * (`table=` names it; the first by default).
 */
import { z } from 'zod';
import { AppError } from '../../lib/errors.js';
import { snakeKeys, type SnakeKeys } from '../../lib/json-case.js';
import { rawQuerySchema } from '../../modules/analytics/index.js';
import {
  reports, type ClvResult, type CohortsReport, type KpisResult, type ProductsResult, type Report, type ReportResult, type RfmReport,
} from '../../modules/analytics/index.js';
import { tablesOf, toCsv } from '../../modules/analytics/index.js';
import { route } from '../route.js';
import { reportSchemas } from '../schemas/analytics.schemas.js';
import { queuedJobSchema } from '../schemas/jobs.schemas.js';

const tag = 'Analytics';

const querySchema = rawQuerySchema.extend({
  format: z.enum(['json', 'csv']).optional(),
  table: z.string().regex(/^[a-z-]+$/).optional(),
}).strict();

const summaries: Record<Report, string> = {
  kpis: 'Customers, orders, revenue, repeat, retention and churn rates for a range, with a comparison range',
  cohorts: 'Cohort matrix by first-order week, month or quarter: retained customers, orders, revenue, LTV curve',
  rfm: 'RFM scores and named segments with counts, revenue share and movement since an earlier date',
  products: 'Retention by first product or category: repeat rate, time to second order, 12-month value, next products',
  clv: 'Historical revenue per customer by cohort, channel, first product, category, discount or country',
};

const operationIds: Record<Report, string> = {
  kpis: 'getKpiReport', cohorts: 'getCohortReport', rfm: 'getRfmReport', products: 'getProductReport', clv: 'getClvReport',
};

/** The route's typing sees the union of the reports; each report's own result is checked against its schema below. */
const reportSchemaOf = (report: Report) => reportSchemas[report] as z.ZodType<SnakeKeys<ReportResult>, unknown>;

const reportRoute = (report: Report) => route({
  method: 'GET', url: `/api/v1/analytics/${report}`, operationId: operationIds[report], permission: 'read', tag, summary: summaries[report],
  query: querySchema, response: reportSchemaOf(report), produces: ['text/csv'],
  handler: async ({ services, storeId, query, reply }) => {
    const { format, table, ...raw } = query;
    const result = await services.analytics.run(report, storeId, raw, 'query.');
    if (format !== 'csv') return snakeKeys(result);
    const tables = tablesOf(report, result);
    const chosen = table === undefined ? tables[0] : tables.find((t) => t.name === table);
    if (!chosen) {
      throw new AppError('validation_failed', 'Invalid query', [{ path: 'query.table', reason: `must be one of ${tables.map((t) => t.name).join(', ')}` }]);
    }
    return reply.header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="${report}-${chosen.name}.csv"`)
      .send(toCsv(chosen, result.store.currency));
  },
});

export const analyticsRoutes = [
  ...reports.map(reportRoute),
  route({
    method: 'POST', url: '/api/v1/analytics/refresh', operationId: 'refreshAnalytics', permission: 'write', tag, status: 202, response: queuedJobSchema,
    summary: 'Rebuild the analytics summaries from all orders and returns (runs as a job)',
    handler: async ({ services, storeId }) => {
      const job = await services.jobs.enqueue('analytics.refresh', { storeId }, { storeId, dedupeKey: `analytics.refresh:${storeId}` });
      return { job_id: job };
    },
  }),
];

/** Compile-time: each report's result type fits its published schema (`never` where it does not). */
type Fits<Result, Schema extends z.ZodType> = [Result] extends [z.output<Schema>] ? true : never;
const _resultsFitSchemas: [
  Fits<SnakeKeys<KpisResult>, typeof reportSchemas.kpis>, Fits<SnakeKeys<CohortsReport>, typeof reportSchemas.cohorts>,
  Fits<SnakeKeys<RfmReport>, typeof reportSchemas.rfm>, Fits<SnakeKeys<ProductsResult>, typeof reportSchemas.products>,
  Fits<SnakeKeys<ClvResult>, typeof reportSchemas.clv>,
] = [true, true, true, true, true];
