/** The analytics module's public door: what other modules, the HTTP layer, the CLI and the jobs may use. */
export { AnalyticsService } from './analytics.service.js';
export { segmentRules, segments } from './rfm-segments.js';
export { SUMMARIES_SUBSCRIBER, summariesSubscriber } from './summaries.subscriber.js';
