/** The campaigns module's public door: campaigns to segments with a holdout, and their results. */
import type { HearthModule } from '../../module.js';
import { CAMPAIGN_START_JOB, CAMPAIGN_WINNER_JOB } from './campaigns.service.js';
export { CampaignsService, type AudienceCount, type CampaignDelivery } from './campaigns.service.js';
export type { CampaignView } from './campaign.view.js';
export type { CampaignResults, GroupResult, Lift } from './campaign-results.js';
export { abTestSchema, campaignInputSchema, campaignPatchSchema, deliverySchema, type CampaignInput, type CampaignPatch, type Delivery } from './campaign.input.js';
export { campaignChannels, campaignStatuses, type CampaignChannel, type CampaignStatus } from './campaigns.table.js';

/** Scheduled starts and the end of A/B tests run as jobs. */
export const campaignsModule: HearthModule = {
  name: 'campaigns',
  jobs: [
    { kind: CAMPAIGN_START_JOB, run: async (services, { payload }) => services.campaigns.runStartJob(payload as { storeId: string; campaignId: string; sendAt: string }) },
    {
      kind: CAMPAIGN_WINNER_JOB,
      run: async (services, { payload }) => {
        const { storeId, campaignId } = payload as { storeId: string; campaignId: string };
        const picked = await services.campaigns.pickWinner(storeId, campaignId);
        return { winner: picked.winner_variant, reason: picked.winner_reason };
      },
    },
  ],
};
