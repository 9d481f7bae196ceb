/** SoReach campaigns (issue 4): editor, audience, schedule, fan-out, tracking, A/B, approval, analytics. */
export * from './rules.ts';
export { type CampaignTables, campaignsTx } from './db.ts';
export { CampaignFanout, DEFAULT_FANOUT_OPTIONS, type FanoutOptions, type FanoutResult } from './fanout.ts';
export { campaignJobs, FANOUT_JOB, TICK_JOB } from './jobs.ts';
export { campaignRoutes, trackingRoutes } from './routes.ts';
export { type CampaignSendingSettings, campaignSendingSettings } from './sending.ts';
export { type CampaignInput, CampaignsService, type CampaignView, type Estimate } from './service.ts';
