import { sql } from 'kysely';
import type { Database } from '../../../platform/db/database.ts';
import type { JobDefinition } from '../../../platform/jobs/jobs.ts';

/** Drops receipts done over 3 days ago and rows of messages older than any schedule allows. */
export function smppGatewayHousekeepingJob(db: Database): JobDefinition {
  return {
    name: 'messaging.smpp_gateway.housekeeping',
    description: 'Drops SMPP receipt records done over 3 days ago',
    schedule: { cron: '55 1 * * *', tz: 'Europe/Paris' },
    handler: async () => {
      const { rows } = await sql<{ result: Record<string, number> }>`select smpp_gateway_housekeeping() as result`.execute(db);
      return rows[0]?.result ?? {};
    },
  };
}
