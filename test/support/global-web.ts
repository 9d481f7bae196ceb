import { spawnSync } from 'node:child_process';
import { existsSync, statSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './sofy-process.ts';

/** The system tests serve the built console: build it when missing or older than its sources. */
export default function setup(): void {
  if (process.env.SOFY_SKIP_WEB_BUILD === '1') return; // serve the console built last time
  const dist = join(REPO_ROOT, 'web/dist/index.html');
  if (existsSync(dist) && statSync(dist).mtimeMs > newest(join(REPO_ROOT, 'web/src'))) return;
  const result = spawnSync('npm', ['run', 'build:web'], { cwd: REPO_ROOT, stdio: 'inherit' });
  if (result.status !== 0) throw new Error('building the console failed');
}

function newest(dir: string): number {
  if (!existsSync(dir)) return 0;
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}
