import { hostname } from 'node:os';
import type { Clock } from '../../platform/clock.ts';
import type { Database } from '../../platform/db/database.ts';
import type { JobDefinition } from '../../platform/jobs/jobs.ts';
import { CampaignFanout, type FanoutOptions } from './fanout.ts';
import type { CampaignSendingSettings } from './sending.ts';
import type { CampaignsService } from './service.ts';

export const TICK_JOB = 'campaigns.tick';
export const FANOUT_JOB = 'campaigns.fanout';

/**
 * The campaigns' background work on pg-boss: `campaigns.tick` (every minute, and on demand when a
 * campaign becomes due) starts due campaigns, decides A/B winners, completes finished campaigns
 * and enqueues `campaigns.fanout` for each campaign whose fan-out must run; `campaigns.fanout`
 * fans one campaign out (any worker; the campaign's lease keeps it to one at a time).
 */
export function campaignJobs(
  deps: { db: Database; clock: Clock; campaigns: CampaignsService; settings: CampaignSendingSettings; fanout?: Partial<FanoutOptions> },
  enqueue: (name: string, data: object) => Promise<unknown>,
): [JobDefinition, JobDefinition<{ tenantId: string; campaignId: string }>] {
  const fanout = new CampaignFanout(deps.db, deps.clock, deps.settings, { workerId: `${hostname()}:${process.pid}`, ...deps.fanout });
  return [
    {
      name: TICK_JOB,
      description: 'Starts due campaigns, picks A/B winners, completes finished campaigns, enqueues fan-outs',
      schedule: { cron: '* * * * *', tz: 'Europe/Paris' },
      retryLimit: 0,
      expireInSeconds: 120,
      handler: async () => {
        const result = await deps.campaigns.tick();
        for (const item of result.fanouts) await enqueue(FANOUT_JOB, item);
        return { ...result, fanouts: result.fanouts.length };
      },
    },
    {
      name: FANOUT_JOB,
      description: 'Fans a campaign out into the messaging outbox (batches, checkpoints, resumable)',
      retryLimit: 5,
      expireInSeconds: 3600,
      handler: async (data) => fanout.run(data.tenantId, data.campaignId),
    },
  ];
}
