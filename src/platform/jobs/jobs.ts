import pg from 'pg';
import PgBoss from 'pg-boss';

/**
 * Background jobs on PostgreSQL (pg-boss): no other moving part. Modules declare jobs; which
 * process does what depends on its role:
 * - `worker` runs the handlers (as many worker processes as you like: pg-boss hands each job to one);
 * - `scheduler` turns cron schedules into jobs and runs pg-boss maintenance (expiry, archiving);
 * - `all` (`sofy start`) does both; `client` only enqueues.
 */
export type JobRole = 'all' | 'worker' | 'scheduler' | 'client';

export interface JobDefinition<T extends object = Record<string, never>> {
  name: string;
  description: string;
  handler: (data: T) => Promise<unknown>;
  /** Cron expression and IANA zone, e.g. `{ cron: '15 3 * * *', tz: 'Europe/Paris' }`. */
  schedule?: { cron: string; tz: string };
  retryLimit?: number;
  expireInSeconds?: number;
}

export interface JobRunnerOptions {
  /** Owner login: pg-boss keeps its tables in its own schema, created on first start. */
  connectionString: string;
  role: JobRole;
  log: (line: string, fields?: Record<string, unknown>) => void;
}

export class JobRunner {
  readonly #definitions: JobDefinition<object>[] = [];
  #boss: PgBoss | undefined;

  constructor(private readonly options: JobRunnerOptions) {}

  register<T extends object>(definition: JobDefinition<T>): void {
    this.#definitions.push(definition as unknown as JobDefinition<object>);
  }

  get definitions(): readonly JobDefinition<object>[] {
    return this.#definitions;
  }

  async start(): Promise<void> {
    const { role } = this.options;
    const boss = new PgBoss({
      connectionString: this.options.connectionString,
      application_name: `sofy-jobs-${role}`,
      schema: 'pgboss',
      max: 4,
      migrate: true,
      supervise: role === 'all' || role === 'scheduler',
      schedule: role === 'all' || role === 'scheduler',
    });
    boss.on('error', (error: Error) => this.options.log(`job system error: ${error.message}`));
    await boss.start();
    this.#boss = boss;
    await this.#createQueues(boss);
    for (const definition of this.#definitions) {
      if (definition.schedule && (role === 'all' || role === 'scheduler')) {
        await boss.schedule(definition.name, definition.schedule.cron, {}, { tz: definition.schedule.tz });
      }
      if (role === 'all' || role === 'worker') {
        // One job per call, so the handler's result becomes the job's recorded output.
        await boss.work<object>(definition.name, { batchSize: 1 }, async ([job]) => {
          if (!job) return undefined;
          const started = performance.now();
          const result = await definition.handler(job.data ?? {});
          this.options.log(`job ${definition.name} done`, { jobId: job.id, ms: Math.round(performance.now() - started), result });
          return result;
        });
      }
    }
  }

  /**
   * Creates the queues that do not exist yet, one process at a time: pg-boss's create_queue
   * attaches a partition per queue, and two processes creating the same new queues at once
   * deadlock (seen with two workers started together on a fresh database, bench:campaign).
   */
  async #createQueues(boss: PgBoss): Promise<void> {
    const client = new pg.Client({ connectionString: this.options.connectionString, application_name: `sofy-jobs-${this.options.role}-setup` });
    await client.connect();
    try {
      await client.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', ['sofy.jobs.create-queues']);
      for (const definition of this.#definitions) {
        await boss.createQueue(definition.name, {
          name: definition.name,
          retryLimit: definition.retryLimit ?? 3,
          retryBackoff: true,
          expireInSeconds: definition.expireInSeconds ?? 15 * 60,
        });
      }
    } finally {
      // Ending the session releases the lock, even when a createQueue failed.
      await client.end().catch(() => {});
    }
  }

  /** Enqueues a job now; returns its id (null when a singleton job is already queued). */
  async send(name: string, data: object = {}): Promise<string | null> {
    if (!this.#boss) throw new Error('the job runner is not started');
    return this.#boss.send(name, data);
  }

  /** Waits for a job to finish (CLI `jobs run`, tests). */
  async waitFor(name: string, jobId: string, timeoutMs = 60_000): Promise<{ state: string; output: unknown }> {
    if (!this.#boss) throw new Error('the job runner is not started');
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const job = await this.#boss.getJobById(name, jobId);
      if (job && (job.state === 'completed' || job.state === 'failed')) return { state: job.state, output: job.output };
      if (Date.now() > deadline) throw new Error(`job ${name} ${jobId} did not finish within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  async stop(): Promise<void> {
    await this.#boss?.stop({ graceful: true, timeout: 20_000, wait: true });
    this.#boss = undefined;
  }
}
