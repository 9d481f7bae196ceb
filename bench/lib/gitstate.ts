// Which code a benchmark measured: the commit, and a digest of the uncommitted changes to the
// code (src/, migrations/), since benchmarks run against the working tree.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './harness.ts';

export function codeState(): string {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: REPO_ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, stdio: ['ignore', 'pipe', 'ignore'] });
  try {
    const commit = git('rev-parse', '--short', 'HEAD').trim();
    const changed = git('status', '--porcelain', '--', 'src', 'migrations')
      .split('\n')
      .filter(Boolean)
      .map((l) => l.slice(3));
    if (!changed.length) return `commit ${commit}, clean src/ and migrations/`;
    const digest = createHash('sha256').update(git('diff', 'HEAD', '--', 'src', 'migrations'));
    for (const file of git('ls-files', '--others', '--exclude-standard', '--', 'src', 'migrations').split('\n').filter(Boolean).sort()) {
      digest.update(file).update(readFileSync(join(REPO_ROOT, file)));
    }
    return `commit ${commit} + uncommitted changes (digest ${digest.digest('hex').slice(0, 10)}) to ${changed.join(', ')}`;
  } catch (error) {
    return `git state unknown (${(error as Error).message.split('\n')[0]})`;
  }
}
