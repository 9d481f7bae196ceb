/**
 * How far an import is, as the console shows it: percentage, rate and time left. The fraction
 * done is the share of the file's bytes read (exact for CSV, the compressed bytes for XLSX),
 * so it needs no first pass to count rows.
 */

export interface ProgressInput {
  status: string;
  sizeBytes: number;
  /** Bytes of the file behind the checkpoint. */
  bytesDone: number;
  processedRows: number;
  startedAt: Date | null;
  finishedAt: Date | null;
  now: Date;
}

export interface Progress {
  percent: number;
  rowsPerSecond: number | null;
  etaSeconds: number | null;
}

export function importProgress(input: ProgressInput): Progress {
  if (input.status === 'completed') {
    return { percent: 100, rowsPerSecond: rate(input.processedRows, input.startedAt, input.finishedAt ?? input.now), etaSeconds: 0 };
  }
  const fraction = input.sizeBytes > 0 ? Math.min(1, Math.max(0, input.bytesDone / input.sizeBytes)) : 0;
  // 100 % only once the import says it has finished (the last batch may still be committing).
  const percent = Math.min(99.9, Math.floor(fraction * 1000) / 10);
  const end = input.finishedAt ?? input.now;
  const rowsPerSecond = rate(input.processedRows, input.startedAt, end);
  if (input.status !== 'running' || !input.startedAt || fraction <= 0) return { percent, rowsPerSecond, etaSeconds: null };
  const elapsed = (end.getTime() - input.startedAt.getTime()) / 1000;
  return { percent, rowsPerSecond, etaSeconds: Math.max(0, Math.round((elapsed * (1 - fraction)) / fraction)) };
}

function rate(rows: number, from: Date | null, to: Date): number | null {
  if (!from) return null;
  const seconds = (to.getTime() - from.getTime()) / 1000;
  return seconds > 0 ? Math.round(rows / seconds) : null;
}
