import { sql } from 'kysely';
import type { Database } from '../../platform/db/database.ts';
import type { JobDefinition } from '../../platform/jobs/jobs.ts';

export function messagingHousekeepingJob(db: Database): JobDefinition {
  return {
    name: 'messaging.housekeeping',
    description: 'Creates message partitions ahead; drops expired idempotency keys and stale receipts',
    schedule: { cron: '45 1 * * *', tz: 'Europe/Paris' },
    handler: async () => {
      const { rows } = await sql<{ result: Record<string, number> }>`select messaging_housekeeping() as result`.execute(db);
      return rows[0]?.result ?? {};
    },
  };
}
