/** The segments module's public door: what other modules, the HTTP layer, the CLI and the jobs may use. */
import type { HearthModule } from '../../module.js';
import { SUMMARIES_SUBSCRIBER } from '../analytics/index.js';
import { SEGMENT_REFRESH_JOB } from './segments.service.js';
import { segmentsSubscriber } from './segments.subscriber.js';
export { SegmentsService, type OrderSummaries, type SegmentView } from './segments.service.js';
export { membersOfAny } from './segments.repository.js';
export { segmentsSubscriber };

/** Segments refresh as a job, queued by their subscriber after the summaries caught up. */
export const segmentsModule: HearthModule = {
  name: 'segments',
  jobs: [{ kind: SEGMENT_REFRESH_JOB, run: async (services, { payload }) => services.segments.runRefreshJob(payload as { storeId: string; mode?: 'on_change' | 'scheduled' }) }],
  subscribers: (services) => [segmentsSubscriber(services.segments, [SUMMARIES_SUBSCRIBER])],
};
export { operators, ruleSchema } from './segment-rule.schema.js';
