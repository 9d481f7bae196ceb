// A SandboxSmsc in its own process, for the messaging benchmarks:
//   node bin/run-ts.js bench/lib/smsc-process.ts      (spawned with an IPC channel)
// Env: SMSC_RECEIPT_DELAY_MS (default 50, the sandbox's default), SMSC_DELIVER_WINDOW (deliver_sm
// unacknowledged per session, default 100, the sandbox's default), SMSC_PORT (default: a free port). Listens on 127.0.0.1. Without an IPC channel (run by hand) it prints its port and its
// counters every 2 s.
// IPC: sends { type: 'ready', port } once listening; answers { type: 'stats' } with the SMSC's
// counters plus what it saw of the messages: every stored MT message's verification code (see
// bench/lib/messages.ts) is counted, so a message submitted twice shows up as a duplicate.
// Exits on SIGINT/SIGTERM or when the parent goes away.
import { SandboxSmsc } from '../../src/sandbox/smsc/index.ts';
import { codeOf } from './messages.ts';

export interface SmscReport {
  type: 'stats';
  stats: SandboxSmsc['stats'];
  /** Stored MT messages whose text carried a bench code. */
  coded: number;
  distinctCodes: number;
  /** Codes received more than once, and how many extra copies in all. */
  duplicatedCodes: number;
  extraCopies: number;
  duplicateSample: string[];
  /** Date.now() when the first and the last MT message was stored (≈ its submit_sm). */
  firstMessageAt: number | null;
  lastMessageAt: number | null;
  cpuSeconds: number;
}

const receiptDelayMs = Number(process.env.SMSC_RECEIPT_DELAY_MS ?? 50);
const deliverWindow = Number(process.env.SMSC_DELIVER_WINDOW ?? 100);
const smsc = new SandboxSmsc({ host: '127.0.0.1', port: Number(process.env.SMSC_PORT ?? 0), receiptDelayMs, deliverWindow, inboxSize: 1 });
const codes = new Map<string, number>();
let coded = 0;
let firstMessageAt: number | null = null;
let lastMessageAt: number | null = null;

smsc.onMessage((message) => {
  if (message.direction !== 'mt') return;
  const now = Date.now();
  firstMessageAt ??= now;
  lastMessageAt = now;
  const code = codeOf(message.text);
  if (!code) return;
  coded++;
  codes.set(code, (codes.get(code) ?? 0) + 1);
});

function report(): SmscReport {
  let duplicatedCodes = 0;
  let extraCopies = 0;
  const duplicateSample: string[] = [];
  for (const [code, count] of codes) {
    if (count > 1) {
      duplicatedCodes++;
      extraCopies += count - 1;
      if (duplicateSample.length < 5) duplicateSample.push(`${code}×${count}`);
    }
  }
  const usage = process.cpuUsage();
  return {
    type: 'stats',
    stats: smsc.stats,
    coded,
    distinctCodes: codes.size,
    duplicatedCodes,
    extraCopies,
    duplicateSample,
    firstMessageAt,
    lastMessageAt,
    cpuSeconds: (usage.user + usage.system) / 1e6,
  };
}

const { port } = await smsc.start();
process.on('message', (msg: { type?: string }) => {
  if (msg?.type === 'stats') process.send?.(report());
});
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await smsc.stop().catch(() => {});
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
process.on('disconnect', () => void stop());
if (process.send) process.send({ type: 'ready', port });
else {
  console.log(`sandbox SMSC listening on 127.0.0.1:${port}`);
  let last = '';
  setInterval(() => {
    const { stats: s, distinctCodes, extraCopies } = report();
    const line = `submits ${s.submits}, messages ${s.messages}, receipts acked ${s.receiptsDelivered}, distinct codes ${distinctCodes}, duplicates ${extraCopies}, binds ${s.binds}`;
    if (line !== last) console.log(line);
    last = line;
  }, 2000);
}
