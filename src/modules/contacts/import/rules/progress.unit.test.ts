import { describe, expect, it } from 'vitest';
import { importProgress } from './progress.ts';

const at = (s: number) => new Date(Date.UTC(2026, 5, 1, 9, 0, s));

describe('importProgress', () => {
  it('gives the share of bytes read, the rate and the time left', () => {
    expect(importProgress({ status: 'running', sizeBytes: 1000, bytesDone: 250, processedRows: 2500, startedAt: at(0), finishedAt: null, now: at(10) })).toEqual({ percent: 25, rowsPerSecond: 250, etaSeconds: 30 });
  });
  it('says 100 % only when completed, and no ETA before the first batch', () => {
    expect(importProgress({ status: 'running', sizeBytes: 1000, bytesDone: 1000, processedRows: 10, startedAt: at(0), finishedAt: null, now: at(1) }).percent).toBe(99.9);
    expect(importProgress({ status: 'completed', sizeBytes: 1000, bytesDone: 1000, processedRows: 100, startedAt: at(0), finishedAt: at(4), now: at(50) })).toEqual({ percent: 100, rowsPerSecond: 25, etaSeconds: 0 });
    expect(importProgress({ status: 'queued', sizeBytes: 1000, bytesDone: 0, processedRows: 0, startedAt: null, finishedAt: null, now: at(1) })).toEqual({ percent: 0, rowsPerSecond: null, etaSeconds: null });
  });
});
