import type pg from 'pg';

/**
 * PostgreSQL LISTEN on one channel, on a connection held from the pool, reconnecting on failure.
 * `onReset` runs after a reconnection, since notifications sent meanwhile were missed.
 */
export class NotificationListener {
  #client: pg.PoolClient | undefined;
  #stopped = false;
  #retry: NodeJS.Timeout | undefined;

  constructor(
    private readonly pool: pg.Pool,
    private readonly channel: string,
    private readonly onNotify: (payload: string) => void,
    private readonly onReset: () => void,
  ) {}

  async start(): Promise<void> {
    this.#stopped = false;
    try {
      const client = await this.pool.connect();
      client.on('notification', (message) => {
        if (message.channel === this.channel) this.onNotify(message.payload ?? '');
      });
      client.on('error', () => this.#reconnect(client));
      await client.query(`LISTEN ${this.channel}`);
      this.#client = client;
    } catch {
      this.#scheduleRetry();
    }
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#retry) clearTimeout(this.#retry);
    const client = this.#client;
    this.#client = undefined;
    if (client) {
      await client.query(`UNLISTEN ${this.channel}`).catch(() => {});
      client.release();
    }
  }

  #reconnect(client: pg.PoolClient): void {
    if (this.#client !== client) return;
    this.#client = undefined;
    client.release(true);
    this.onReset();
    this.#scheduleRetry();
  }

  #scheduleRetry(): void {
    if (this.#stopped) return;
    this.#retry = setTimeout(() => {
      this.onReset();
      void this.start();
    }, 1000);
  }
}
