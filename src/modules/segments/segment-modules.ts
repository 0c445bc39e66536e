/**
 * The segments, personas and customer-profile services, built together because personas save
 * segments and the profile reads both.
 */
import type { Store } from '../../db/database.js';
import type { JobQueue } from '../../jobs/queue.js';
import { PersonasService } from '../personas/personas.service.js';
import { ProfilesService } from '../profiles/profiles.service.js';
import { SegmentsService, type OrderSummaries } from './segments.service.js';

export interface SegmentModules {
  segments: SegmentsService;
  personas: PersonasService;
  profiles: ProfilesService;
}

/** `summaries` gives the analytics module's summaries (looked up late, as services are built together). */
export function segmentModules(store: Store, jobs: JobQueue, summaries?: () => OrderSummaries | undefined): SegmentModules {
  const segments = new SegmentsService(store, jobs, summaries);
  const personas = new PersonasService(store, segments);
  return { segments, personas, profiles: new ProfilesService(store, segments, personas) };
}
