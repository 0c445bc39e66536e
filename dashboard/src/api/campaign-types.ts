/** Campaigns, their audience and results, as the server's schemas define them. */
export type { Campaign, CampaignAudience, CampaignResults, CampaignStart } from '../../../src/http/schemas/campaigns.schemas';
