import type { AddressInfo } from 'node:net';
import { createMessagingRuntime, startSandbox } from '../../src/app.ts';
import type { Clock } from '../../src/platform/clock.ts';
import type { MessagingRuntime } from '../../src/modules/messaging/index.ts';
import type { Sandbox } from '../../src/sandbox/index.ts';
import { createTestPlatform, type TestPlatform } from './platform.ts';

export interface MessagingHarness {
  platform: TestPlatform;
  sandbox: Sandbox;
  runtime: MessagingRuntime;
  /** The API over real HTTP (provider webhooks call it). */
  url: string;
  close(): Promise<void>;
}

const FREE_PORTS = { SOFY_SANDBOX_SMPP_PORT: '0', SOFY_SANDBOX_SMTP_PORT: '0', SOFY_SANDBOX_WHATSAPP_PORT: '0', SOFY_SANDBOX_RCS_PORT: '0' };

/**
 * The whole messaging path in one process, as `sofy start` runs it: the API listening on loopback,
 * the provider simulators, the dispatcher and the receipt and inbound handlers, over a fresh
 * PostgreSQL database.
 */
export async function startMessaging(options: { clock?: Clock; sandboxClock?: Clock; env?: Record<string, string>; dispatch?: boolean } = {}): Promise<MessagingHarness> {
  const env = { ...FREE_PORTS, SOFY_WEBHOOKS_ALLOW_PRIVATE_NETWORKS: 'true', ...options.env };
  // The API must exist before the simulators post to it: create the sandbox, then the app with it.
  const bootstrap = await createTestPlatform({ ...(options.clock ? { clock: options.clock } : {}), env });
  await bootstrap.app.close();
  const { sandbox, endpoints } = await startSandbox(bootstrap.config, 'http://127.0.0.1:1', options.sandboxClock ?? options.clock);
  const runtime = createMessagingRuntime(bootstrap, {
    endpoints,
    dispatch: options.dispatch ?? true,
    workerId: 'test-worker',
    log: () => {},
    dispatcherOptions: { pollMs: 25, leaseSeconds: 2 },
  });
  const { createApiServer } = await import('../../src/app.ts');
  const app = await createApiServer(bootstrap, { logger: false, runtime, sandbox });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  sandbox.whatsapp.setCallbackUrl(`${url}/webhooks/whatsapp`);
  sandbox.rcs.setCallbackUrl(`${url}/webhooks/rcs`);
  runtime.start();
  const platform: TestPlatform = { ...bootstrap, app };
  return {
    platform,
    sandbox,
    runtime,
    url,
    async close() {
      await app.close();
      await runtime.stop();
      await sandbox.stop();
      await bootstrap.database.close();
    },
  };
}

/** Polls until `check` returns a value (bounded; never a timing assertion). */
export async function eventually<T>(check: () => Promise<T | undefined | false>, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
