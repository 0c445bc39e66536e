/** The analytics module's public door: what other modules, the HTTP layer, the CLI and the jobs may use. */
import type { HearthModule } from '../../module.js';
import { SUMMARIES_SUBSCRIBER, summariesSubscriber } from './summaries.subscriber.js';
export { AnalyticsService } from './analytics.service.js';
export { segmentRules, segments } from './rfm-segments.js';
export { SUMMARIES_SUBSCRIBER, summariesSubscriber };

/** The summaries follow commerce changes; a full rebuild runs as a job. */
export const analyticsModule: HearthModule = {
  name: 'analytics',
  jobs: [{
    kind: 'analytics.refresh',
    run: async (services, { job, payload }) => services.analytics.refreshSummaries(job.store_id ?? (payload as { storeId: string }).storeId)
      .then((state) => ({ lastDay: state.last_day })),
  }],
  subscribers: (services) => [summariesSubscriber(services.analytics)],
};
export type { CustomerSummaryTable } from './summaries.table.js';
export { breakdowns, clvDimensions, compares, periods, rawQuerySchema } from './analytics.query.js';
export { type ClvResult, type CohortsReport, type KpisResult, type ProductsResult, type Report, type ReportResult, reports, type RfmReport } from './analytics.service.js';
export { displayHeaders, displayRows, tablesOf, toCsv } from './analytics.tables.js';
export { returningRevenue, returningRevenueSeries } from './queries/kpi-returning-revenue.query.js';
export { JourneyService, type ExitsResult, type FunnelsResult, type JourneyResult, type LifecycleResult, type PathsResult } from './journey.service.js';
export { funnelBreakdowns, funnelUnits, journeyQuerySchemas, journeyReports, pageGroupings, readyFunnels, type JourneyReport } from './journey.query.js';
export { reactivationCauses, REACTIVATION_LOOKBACK_DAYS, stages as lifecycleStages } from './queries/lifecycle.query.js';
export { touchpoints as exitTouchpoints } from './queries/exit-touchpoints.query.js';
export { PAGE_GROUPS } from './queries/journey-events.sql.js';
