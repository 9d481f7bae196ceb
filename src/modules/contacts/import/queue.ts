import PgBoss from 'pg-boss';

/**
 * Enqueues import jobs from any process, an `api` one included (it runs no job runner): a
 * pg-boss client that only sends, started on first use. The queue is created with the same
 * options as the job definition (jobs.ts), so whichever process comes first makes it right.
 */

export const IMPORT_JOB = 'contacts.import.process';
export const IMPORT_RECOVER_JOB = 'contacts.import.recover';
/** A 1,000,000-row import takes about a minute here; the expiry only bounds a worker that hangs. */
export const IMPORT_JOB_EXPIRY_SECONDS = 4 * 3600;
export const IMPORT_JOB_RETRIES = 3;

export interface ImportJobData {
  tenantId: string;
  importId: string;
}

export interface ImportQueue {
  enqueue(data: ImportJobData): Promise<void>;
  close(): Promise<void>;
}

export class PgBossImportQueue implements ImportQueue {
  #boss: Promise<PgBoss> | undefined;

  constructor(private readonly connectionString: string) {}

  #start(): Promise<PgBoss> {
    this.#boss ??= (async () => {
      const boss = new PgBoss({ connectionString: this.connectionString, application_name: 'sofy-jobs-client', schema: 'pgboss', max: 2, migrate: true, supervise: false, schedule: false });
      boss.on('error', () => {});
      await boss.start();
      await boss.createQueue(IMPORT_JOB, { name: IMPORT_JOB, retryLimit: IMPORT_JOB_RETRIES, retryBackoff: true, expireInSeconds: IMPORT_JOB_EXPIRY_SECONDS });
      return boss;
    })().catch((error: unknown) => {
      this.#boss = undefined;
      throw error;
    });
    return this.#boss;
  }

  async enqueue(data: ImportJobData): Promise<void> {
    const boss = await this.#start();
    await boss.send(IMPORT_JOB, { ...data });
  }

  async close(): Promise<void> {
    const started = this.#boss;
    this.#boss = undefined;
    if (started) await (await started.catch(() => undefined))?.stop({ graceful: false, wait: true });
  }
}
