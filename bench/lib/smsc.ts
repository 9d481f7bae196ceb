// Starting the sandbox SMSC of the benchmarks in its own process (bench/lib/smsc-process.ts) and
// asking it for its counters over IPC. Shared by bench:dispatch and bench:campaign.
import type { ChildProcess } from 'node:child_process';
import { captureOutput, spawnTracked } from './harness.ts';
import type { SmscReport } from './smsc-process.ts';
import { cleanEnv } from './sofy.ts';

export interface Smsc {
  child: ChildProcess;
  port: number;
  report(): Promise<SmscReport>;
}

/** `env`: the process's settings (SMSC_DELIVER_WINDOW, SMSC_RECEIPT_DELAY_MS…); the sandbox's defaults otherwise. */
export async function startSmsc(env: Record<string, string> = {}): Promise<Smsc> {
  const child = spawnTracked(process.execPath, ['bin/run-ts.js', 'bench/lib/smsc-process.ts'], { env: cleanEnv(env), stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  const err = captureOutput(child);
  const waiters: Array<(r: SmscReport) => void> = [];
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the SMSC process did not start:\n${err.text()}`)), 30_000);
    child.on('message', (msg: { type: string; port?: number }) => {
      if (msg.type === 'ready') {
        clearTimeout(timer);
        resolve(msg.port as number);
      } else if (msg.type === 'stats') waiters.shift()?.(msg as unknown as SmscReport);
    });
    child.once('exit', (code) => reject(new Error(`the SMSC process exited (${code}):\n${err.text()}`)));
  });
  return {
    child,
    port,
    report: () =>
      new Promise<SmscReport>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('the SMSC process did not answer')), 10_000);
        waiters.push((r) => {
          clearTimeout(timer);
          resolve(r);
        });
        child.send({ type: 'stats' });
      }),
  };
}
