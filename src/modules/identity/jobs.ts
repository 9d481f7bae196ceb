import { sql } from 'kysely';
import type { Clock } from '../../platform/clock.ts';
import type { Database } from '../../platform/db/database.ts';
import type { JobDefinition } from '../../platform/jobs/jobs.ts';

/** Ended sessions are kept a week (for investigations), then deleted every night. */
export const SESSION_RETENTION_DAYS = 7;

export function sessionPurgeJob(db: Database, clock: Clock): JobDefinition<{ retentionDays?: number }> {
  return {
    name: 'identity.sessions.purge',
    description: 'Deletes console sessions that ended more than 7 days ago',
    schedule: { cron: '15 3 * * *', tz: 'Europe/Paris' },
    handler: async ({ retentionDays = SESSION_RETENTION_DAYS }) => {
      const before = new Date(clock.now().getTime() - retentionDays * 86_400_000);
      const { rows } = await sql<{ purged: number }>`select purge_ended_sessions(${before}) as purged`.execute(db);
      return { purged: rows[0]?.purged ?? 0, before: before.toISOString() };
    },
  };
}
