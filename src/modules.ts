/**
 * The module list: what each module adds to the running server (jobs, schedules, domain-event
 * subscribers). The composition root, the worker's job registry, the scheduler and the dispatcher
 * loop over it, so a new module is added here and nowhere else.
 */
import type { HearthModule } from './module.js';
import { analyticsModule } from './modules/analytics/index.js';
import { campaignsModule } from './modules/campaigns/index.js';
import { experimentsModule } from './modules/experiments/index.js';
import { flowsModule } from './modules/flows/index.js';
import { importsModule } from './modules/imports/index.js';
import { loyaltyModule } from './modules/loyalty/index.js';
import { recommendationsModule } from './modules/recommendations/index.js';
import { offersModule } from './modules/offers/index.js';
import { messagingModule } from './modules/messaging/index.js';
import { predictionsModule } from './modules/predictions/index.js';
import { reviewsModule } from './modules/reviews/index.js';
import { segmentsModule } from './modules/segments/index.js';
import { supportModule } from './modules/support/index.js';
import { surveysModule } from './modules/surveys/index.js';

export const modules: readonly HearthModule[] = [analyticsModule, segmentsModule, importsModule, predictionsModule, messagingModule, campaignsModule, flowsModule, loyaltyModule, offersModule, recommendationsModule, experimentsModule, supportModule, surveysModule, reviewsModule];
