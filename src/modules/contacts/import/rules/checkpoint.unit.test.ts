import { describe, expect, it } from 'vitest';
import { advanceCheckpoint, checkpointOf, isCommitted, START } from './checkpoint.ts';

describe('advanceCheckpoint', () => {
  it('moves the prefix when batches commit in order', () => {
    const one = advanceCheckpoint(START, { from: 0, to: 100, line: 11, bytes: 100 });
    expect(one).toEqual({ pos: 100, line: 11, bytes: 100, done: [] });
    expect(advanceCheckpoint(one, { from: 100, to: 250, line: 21, bytes: 250 })).toEqual({ pos: 250, line: 21, bytes: 250, done: [] });
  });
  it('keeps a batch committed ahead of a gap, and closes the gap when the missing one commits', () => {
    const ahead = advanceCheckpoint(START, { from: 100, to: 250, line: 21, bytes: 250 });
    expect(ahead).toEqual({ pos: 0, line: 1, bytes: 250, done: [{ from: 100, to: 250, line: 21 }] });
    expect(isCommitted(ahead, 50)).toBe(false);
    expect(isCommitted(ahead, 100)).toBe(false);
    expect(isCommitted(ahead, 101)).toBe(true);
    expect(isCommitted(ahead, 250)).toBe(true);
    expect(isCommitted(ahead, 251)).toBe(false);
    expect(advanceCheckpoint(ahead, { from: 0, to: 100, line: 11, bytes: 100 })).toEqual({ pos: 250, line: 21, bytes: 250, done: [] });
  });
  it('absorbs a done range that a resumed batch spans', () => {
    const resumed = { pos: 100, line: 11, bytes: 300, done: [{ from: 200, to: 300, line: 31 }] };
    expect(advanceCheckpoint(resumed, { from: 100, to: 400, line: 41, bytes: 400 })).toEqual({ pos: 400, line: 41, bytes: 400, done: [] });
  });
  it('reads stored checkpoints defensively', () => {
    expect(checkpointOf(null)).toEqual(START);
    expect(checkpointOf({ pos: 5, line: 2, bytes: 5, done: [{ from: 7, to: 9, line: 4 }] })).toEqual({ pos: 5, line: 2, bytes: 5, done: [{ from: 7, to: 9, line: 4 }] });
  });
});
