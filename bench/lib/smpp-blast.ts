// The raw SMPP baseline of the dispatch benchmark: SOFY's own SmppConnector (src/channels/smpp)
// sending N SMS straight to a SandboxSmsc in another process, with delivery receipts, no database.
//   node bin/run-ts.js bench/lib/smpp-blast.ts
// Env: SMSC_PORT (required), BLAST_N (default 50000), BLAST_WINDOW (submit_sm in flight, default
// 100 like SOFY_SMPP_WINDOW), BLAST_OUTSTANDING (send() calls pending at once, default 1000: the
// dispatcher's 2 batches of 500), BLAST_THROUGHPUT (token bucket, default 0 = unpaced),
// BLAST_CODE_BASE (first verification code). Prints one JSON line (BlastResult) and exits.
import { SmppConnector } from '../../src/channels/smpp/index.ts';
import { BENCH_SENDER, benchRecipient, benchText } from './messages.ts';

export interface BlastResult {
  n: number;
  sent: number;
  failed: number;
  firstError?: string;
  receipts: number;
  /** Date.now() instants (ms, sub-ms precision). */
  startedAt: number;
  lastAckAt: number;
  lastReceiptAt: number;
  /** When the 10 % and 90 % receipt arrived (steady-state window). */
  receipt10At: number;
  receipt90At: number;
  cpuSeconds: number;
  bindMs: number;
}

const env = (name: string, fallback: number) => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a number`);
  return value;
};
const port = env('SMSC_PORT', 0);
if (!port) throw new Error('SMSC_PORT is required');
const n = env('BLAST_N', 50_000);
const window = env('BLAST_WINDOW', 100);
const outstanding = env('BLAST_OUTSTANDING', 1000);
const throughput = env('BLAST_THROUGHPUT', 0);
const codeBase = env('BLAST_CODE_BASE', 0);

const now = () => performance.timeOrigin + performance.now();
const receiptTimes = new Float64Array(n);
let receipts = 0;
let allReceipts: () => void = () => {};
const receiptsDone = new Promise<void>((resolve) => {
  allReceipts = resolve;
});

const connector = new SmppConnector({
  host: '127.0.0.1',
  port,
  systemId: 'sofy',
  password: 'sandbox',
  window,
  ...(throughput ? { throughput } : {}),
  handlers: {
    onDeliveryReport: (report) => {
      if (report.status !== 'delivered') return;
      if (receipts < n) receiptTimes[receipts] = now();
      receipts++;
      if (receipts === n) allReceipts();
    },
    onInbound: () => {},
  },
});

const bindStart = now();
await connector.start();
const bindMs = now() - bindStart;

const startedAt = now();
let next = 0;
let sent = 0;
let failed = 0;
let firstError: string | undefined;
let lastAckAt = startedAt;

async function lane(): Promise<void> {
  while (next < n) {
    const i = next++;
    const result = await connector.send({
      id: `blast-${i}`,
      from: BENCH_SENDER,
      to: benchRecipient(i),
      text: benchText(codeBase + i),
      encoding: 'GSM-7',
      receipt: true,
      validitySeconds: 3600,
    });
    lastAckAt = now();
    if (result.ok) sent++;
    else {
      failed++;
      firstError ??= `${result.error.code}: ${result.error.message}`;
    }
  }
}

await Promise.all(Array.from({ length: Math.min(outstanding, n) }, () => lane()));
const timeout = setTimeout(allReceipts, 60_000);
await receiptsDone;
clearTimeout(timeout);
const lastReceiptAt = receipts ? (receiptTimes[Math.min(receipts, n) - 1] as number) : 0;
await connector.stop();
const usage = process.cpuUsage();
const result: BlastResult = {
  n,
  sent,
  failed,
  ...(firstError ? { firstError } : {}),
  receipts,
  startedAt,
  lastAckAt,
  lastReceiptAt,
  receipt10At: receiptTimes[Math.floor(n * 0.1)] ?? 0,
  receipt90At: receiptTimes[Math.floor(n * 0.9)] ?? 0,
  cpuSeconds: (usage.user + usage.system) / 1e6,
  bindMs,
};
console.log(JSON.stringify(result));
process.exit(0);
