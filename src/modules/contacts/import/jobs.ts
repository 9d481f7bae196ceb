import type { Database } from '../../../platform/db/database.ts';
import type { JobDefinition } from '../../../platform/jobs/jobs.ts';
import type { ImportProcessor } from './processor.ts';
import { IMPORT_JOB, IMPORT_JOB_EXPIRY_SECONDS, IMPORT_JOB_RETRIES, IMPORT_RECOVER_JOB, type ImportJobData } from './queue.ts';
import { importsToResume } from './repo.ts';

/**
 * The import's background jobs:
 * - `contacts.import.process` runs one import (queued by POST …/start) from its checkpoint;
 *   pg-boss retries it after a failure, and it resumes where the last batch committed;
 * - `contacts.import.recover`, every minute, finds the imports no live worker holds (a worker
 *   killed mid-import: heartbeat stale; a job lost between the commit of /start and its send)
 *   and runs them here, from their checkpoint.
 */
export function contactImportJobs(db: Database, processor: ImportProcessor): JobDefinition<object>[] {
  return [
    {
      name: IMPORT_JOB,
      description: 'Imports the contacts of an uploaded CSV/XLSX file, in batches, from its checkpoint',
      retryLimit: IMPORT_JOB_RETRIES,
      expireInSeconds: IMPORT_JOB_EXPIRY_SECONDS,
      handler: async (data) => {
        const { tenantId, importId } = data as ImportJobData;
        return processor.run(tenantId, importId);
      },
    },
    {
      name: IMPORT_RECOVER_JOB,
      description: 'Resumes contact imports whose worker died (stale heartbeat) or whose job was lost',
      schedule: { cron: '* * * * *', tz: 'Europe/Paris' },
      expireInSeconds: IMPORT_JOB_EXPIRY_SECONDS,
      handler: async () => {
        const outcomes: string[] = [];
        for (const { tenantId, importId } of await importsToResume(db, processor.staleSeconds)) {
          outcomes.push(`${importId}: ${(await processor.run(tenantId, importId)).outcome}`);
        }
        return { resumed: outcomes };
      },
    },
  ];
}
