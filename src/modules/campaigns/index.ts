/** The campaigns module's public door: campaigns to segments with a holdout, and their results. */
export { CampaignsService, type AudienceCount, type CampaignDelivery } from './campaigns.service.js';
export type { CampaignView } from './campaign.view.js';
export type { CampaignResults, GroupResult, Lift } from './campaign-results.js';
export { abTestSchema, campaignInputSchema, campaignPatchSchema, type CampaignInput, type CampaignPatch } from './campaign.input.js';
export { campaignStatuses, type CampaignStatus } from './campaigns.table.js';
