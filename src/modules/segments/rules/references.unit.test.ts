import { describe, expect, it } from 'vitest';
import type { SegmentDefinition } from '../definition.ts';
import { expansionOf, findCycle, referencesOf } from './references.ts';

const uses = (...ids: string[]): SegmentDefinition => ({ all: ids.map((segmentId) => ({ type: 'segment' as const, op: 'in' as const, segmentId })) });

describe('segments using segments', () => {
  it('lists each referenced segment once, however deep', () => {
    const definition: SegmentDefinition = { all: [{ type: 'segment', op: 'in', segmentId: 'a' }, { any: [{ type: 'segment', op: 'not_in', segmentId: 'b' }, { type: 'segment', op: 'in', segmentId: 'a' }] }] };
    expect(referencesOf(definition)).toEqual(['a', 'b']);
    expect(referencesOf({ all: [] })).toEqual([]);
  });

  it('finds the loop a new definition would close, and none otherwise', () => {
    const graph = new Map([
      ['b', ['c']],
      ['c', ['d']],
      ['d', []],
    ]);
    expect(findCycle('a', ['b'], graph)).toBeNull();
    expect(findCycle('a', ['a'], graph)).toEqual(['a', 'a']);
    const withLoop = new Map([...graph, ['d', ['a']]]);
    expect(findCycle('a', ['b'], withLoop)).toEqual(['a', 'b', 'c', 'd', 'a']);
    // A loop elsewhere that does not come back to `a` is not this segment's.
    const otherLoop = new Map([...graph, ['d', ['c']]]);
    expect(findCycle('a', ['b'], otherLoop)).toBeNull();
  });

  it('measures the inlined size and depth, and reports loops and missing segments', () => {
    const segments = new Map<string, SegmentDefinition | null>([
      ['list', null],
      ['small', { all: [{ type: 'tag', op: 'has', tags: ['vip'] }, { type: 'consent', channel: 'sms', op: 'is', status: 'granted' }] }],
      ['middle', uses('small', 'list')],
      ['loop1', uses('loop2')],
      ['loop2', uses('loop1')],
    ]);
    const lookup = (id: string) => segments.get(id);
    expect(expansionOf(uses('middle'), lookup)).toEqual({ conditions: 1 + 2 + 2, referenceDepth: 2, cycle: null, missing: [] });
    expect(expansionOf(uses('loop1'), lookup).cycle).toEqual(['loop1', 'loop2', 'loop1']);
    expect(expansionOf(uses('gone'), lookup).missing).toEqual(['gone']);
    // Saved as `middle`, a definition that uses `middle` again is a loop through its own id.
    expect(expansionOf(uses('small', 'middle'), lookup, 'middle').cycle).toEqual(['middle', 'middle']);
  });
});
