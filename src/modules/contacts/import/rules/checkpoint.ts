/**
 * Where an import is, so that a crash resumes it with no duplicate and no gap.
 *
 * Every row of the file has a key that grows along the file: the byte offset where it ends (CSV)
 * or its row number (XLSX). A batch covers the keys (from, to]: `from` is the key of the last row
 * of the batch before it. Batches commit in their own transactions, two at a time, so they may
 * commit out of order: the checkpoint is the contiguous prefix of committed batches (`pos`,
 * everything up to it is done) plus the committed batches beyond it (`done`). A resumed import
 * reads from `pos` and skips the rows inside `done`.
 */

export interface Checkpoint {
  /** Key of the last row of the committed prefix (0: nothing yet). */
  pos: number;
  /** CSV: the line number of the row after `pos` (where reading resumes). */
  line: number;
  /** Bytes of the file read when the latest batch was taken (progress). */
  bytes: number;
  /** Committed batches after a gap: (from, to], with the line after `to`. */
  done: Array<{ from: number; to: number; line: number }>;
}

export interface BatchRange {
  from: number;
  to: number;
  /** Line number after the batch's last row. */
  line: number;
  bytes: number;
}

export const START: Checkpoint = { pos: 0, line: 1, bytes: 0, done: [] };

/** The checkpoint once `batch` is committed too. */
export function advanceCheckpoint(current: Checkpoint, batch: BatchRange): Checkpoint {
  const done = [...current.done, { from: batch.from, to: batch.to, line: batch.line }].sort((a, b) => a.from - b.from);
  let { pos, line } = current;
  const rest: Checkpoint['done'] = [];
  // Sorted by start: each range that begins inside the prefix extends it (ranges may overlap a
  // done range when a resumed run's batch spans rows it skipped).
  for (const range of done) {
    if (range.to <= pos) continue;
    if (range.from <= pos) {
      pos = range.to;
      line = range.line;
    } else rest.push(range);
  }
  return { pos, line, bytes: Math.max(current.bytes, batch.bytes), done: rest };
}

/** Whether the row with this key was committed already (a resumed import skips it). */
export function isCommitted(checkpoint: Checkpoint, key: number): boolean {
  if (key <= checkpoint.pos) return true;
  return checkpoint.done.some((range) => key > range.from && key <= range.to);
}

/** Reads a stored checkpoint (null: the import has not committed anything). */
export function checkpointOf(stored: Record<string, unknown> | null): Checkpoint {
  if (!stored) return START;
  const num = (value: unknown, fallback: number) => (typeof value === 'number' && Number.isFinite(value) ? value : fallback);
  const done = Array.isArray(stored.done) ? (stored.done as Array<Record<string, unknown>>).map((r) => ({ from: num(r.from, 0), to: num(r.to, 0), line: num(r.line, 1) })) : [];
  return { pos: num(stored.pos, 0), line: num(stored.line, 1), bytes: num(stored.bytes, 0), done };
}
