/**
 * Overview figures the analytics report does not carry: revenue from returning customers for a
 * range and its comparison range, with a per-period trend. The dashboard passes the ranges the
 * KPI report answered with, so both describe the same periods.
 */
import { z } from 'zod';
import { AppError } from '../../lib/errors.js';
import { snakeKeys } from '../../lib/json-case.js';
import { returningRevenue, returningRevenueSeries } from '../../modules/analytics/index.js';
import { periods } from '../../modules/analytics/index.js';
import { route } from '../route.js';
import { returningRevenueSchema } from '../schemas/analytics.schemas.js';

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD');

export const overviewRoutes = [
  route({
    method: 'GET', url: '/api/v1/overview/returning-revenue', operationId: 'getReturningRevenue', response: returningRevenueSchema, permission: 'read', tag: 'Analytics',
    summary: 'Revenue from customers whose first order was before the range, for a range and a comparison range, with a per-period trend',
    query: z.object({
      from: day, to: day, compare_from: day.optional(), compare_to: day.optional(),
      period: z.enum(periods).default('month'),
    }).strict(),
    handler: async ({ services, storeId, query }) => {
      const bad = [['from', query.from, query.to], ['compare_from', query.compare_from, query.compare_to]]
        .filter(([, from, to]) => from !== undefined && to !== undefined && from > to)
        .map(([path]) => ({ path: `query.${path}`, reason: 'must not be after the end of its range' }));
      if ((query.compare_from === undefined) !== (query.compare_to === undefined)) bad.push({ path: 'query.compare_to', reason: 'compare_from and compare_to go together' });
      if (bad.length) throw new AppError('validation_failed', 'Invalid query', bad);
      await services.analytics.summaries.ensureFresh(storeId);
      const db = services.storage.read;
      return snakeKeys({
        current: await returningRevenue(db, storeId, { from: query.from, to: query.to }),
        comparison: query.compare_from && query.compare_to ? await returningRevenue(db, storeId, { from: query.compare_from, to: query.compare_to }) : null,
        series: await returningRevenueSeries(db, storeId, { from: query.from, to: query.to }, query.period),
      });
    },
  }),
];
