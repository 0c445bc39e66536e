/**
 * The segments, personas and customer-profile services, built together because personas save
 * segments and the profile reads both.
 */
import type { Storage } from '../../db/database.js';
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
export function segmentModules(storage: Storage, jobs: JobQueue, summaries?: () => OrderSummaries | undefined): SegmentModules {
  const segments = new SegmentsService(storage, jobs, summaries);
  const personas = new PersonasService(storage, segments);
  return { segments, personas, profiles: new ProfilesService(storage, segments, personas) };
}
