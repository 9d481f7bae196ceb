// CPU used by a process tree over a time window, counting processes that appear and exit within
// the window (PostgreSQL backends of short-lived clients): sample() often, read total() at the end.
// `/proc` only knows live processes, so a process's CPU is its last sampled value.
import { readdirSync, readFileSync } from 'node:fs';

const CLOCK_TICKS = 100; // USER_HZ

interface Stat {
  ppid: number;
  ticks: number;
  starttime: number;
}

function readStat(pid: number): Stat | undefined {
  try {
    const raw = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = raw.slice(raw.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]), starttime: Number(fields[19]) };
  } catch {
    return undefined;
  }
}

export class TreeCpu {
  /** Keyed by pid + start time (pids are reused). */
  readonly #first = new Map<string, number>();
  readonly #last = new Map<string, number>();
  #started = false;

  constructor(
    private readonly rootPid: number,
    /** Leave the root process itself out (e.g. to count only a server's PostgreSQL). */
    private readonly excludeRoot = false,
  ) {}

  sample(): void {
    const all = new Map<number, Stat>();
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      const stat = readStat(Number(entry));
      if (stat) all.set(Number(entry), stat);
    }
    const inTree = new Set([this.rootPid]);
    let grew = true;
    while (grew) {
      grew = false;
      for (const [pid, stat] of all) {
        if (!inTree.has(pid) && inTree.has(stat.ppid)) {
          inTree.add(pid);
          grew = true;
        }
      }
    }
    if (this.excludeRoot) inTree.delete(this.rootPid);
    for (const pid of inTree) {
      const stat = all.get(pid);
      if (!stat) continue;
      const key = `${pid}@${stat.starttime}`;
      // A process seen at the first sample starts from its ticks then; one born later from 0.
      if (!this.#first.has(key)) this.#first.set(key, this.#started ? 0 : stat.ticks);
      this.#last.set(key, stat.ticks);
    }
    this.#started = true;
  }

  /** CPU seconds used in the window so far. */
  total(): number {
    let ticks = 0;
    for (const [key, last] of this.#last) ticks += last - (this.#first.get(key) ?? 0);
    return ticks / CLOCK_TICKS;
  }
}
