import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../src/platform/db/embedded.ts';

/** Tests never take the sandbox's fixed ports: a developer's `npm start` may be using them. */
const FREE_SANDBOX_PORTS = { SOFY_SANDBOX_SMPP_PORT: '0', SOFY_SANDBOX_SMTP_PORT: '0', SOFY_SANDBOX_WHATSAPP_PORT: '0', SOFY_SANDBOX_RCS_PORT: '0', SOFY_SMPP_GATEWAY_PORT: '0' };

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = fileURLToPath(new URL('../../bin/sofy.js', import.meta.url));

export interface SofyProcess {
  child: ChildProcess;
  url: string;
  port: number;
  output(): string;
  waitReady(timeoutMs?: number): Promise<void>;
  exited: Promise<number | null>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Runs the real `sofy` binary, as a user would, with its own data dir and port. */
export async function startSofy(dataDir: string, env: Record<string, string> = {}, command = 'start'): Promise<SofyProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [BIN, command], {
    cwd: REPO_ROOT,
    env: { ...process.env, SOFY_DATA_DIR: dataDir, PORT: String(port), SOFY_LOG_LEVEL: 'warn', ...FREE_SANDBOX_PORTS, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  return {
    child,
    url,
    port,
    output: () => output,
    exited,
    async waitReady(timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      let done = false;
      void exited.then(() => (done = true));
      while (Date.now() < deadline) {
        if (done) throw new Error(`sofy exited before it was ready:\n${output}`);
        try {
          const response = await fetch(`${url}/readyz`);
          // Ready, and the start banner (with the demo credentials) is out.
          if (response.status === 200 && (command !== 'start' || output.includes('SOFY is running'))) return;
        } catch {
          // not listening yet
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error(`sofy was not ready within ${timeoutMs} ms:\n${output}`);
    },
    async stop(signal: NodeJS.Signals = 'SIGINT') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** Runs a CLI command to completion. */
export function sofyCli(dataDir: string, args: string[], env: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [BIN, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, SOFY_DATA_DIR: dataDir, SOFY_LOG_LEVEL: 'warn', ...env },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

export const apiKeyIn = (text: string): string | undefined => /sofy_[a-z2-7]{8}_[A-Za-z0-9]{40}/.exec(text)?.[0];
