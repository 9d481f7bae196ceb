import { type Condition, groupItems, isGroup, type SegmentDefinition, type SegmentRule } from '../definition.ts';

/**
 * Segments that use other segments: which ones a definition names, whether saving one would
 * close a loop (A uses B uses A: no query could ever be written for it), and how big a
 * definition becomes once the segments it uses are inlined.
 */

/** The ids of the segments and lists a definition names, each once. */
export function referencesOf(definition: SegmentDefinition): string[] {
  const found = new Set<string>();
  walk(definition, (condition) => {
    if (condition.type === 'segment') found.add(condition.segmentId);
  });
  return [...found];
}

/** Visits every condition of a tree, depth first. */
export function walk(rule: SegmentRule, visit: (condition: Condition, depth: number) => void, depth = 0): void {
  if (isGroup(rule)) {
    for (const item of groupItems(rule)) walk(item, visit, depth + 1);
  } else visit(rule, depth);
}

/**
 * With `start` about to use `uses`, a path of references that leads from `start` back to itself
 * (`[start, …, start]`), or null. `graph` holds what every other dynamic segment uses now.
 */
export function findCycle(start: string, uses: readonly string[], graph: ReadonlyMap<string, readonly string[]>): string[] | null {
  const seen = new Set<string>();
  const path: string[] = [start];
  const visit = (id: string): boolean => {
    path.push(id);
    if (id === start) return true;
    if (!seen.has(id)) {
      seen.add(id);
      for (const next of graph.get(id) ?? []) if (visit(next)) return true;
    }
    path.pop();
    return false;
  };
  for (const id of uses) if (visit(id)) return path;
  return null;
}

export interface Expansion {
  /** Conditions once every referenced dynamic segment is inlined (a static list counts as one). */
  conditions: number;
  /** Longest chain of segments using segments below this one. */
  referenceDepth: number;
  /** A loop found on the way (segments saved before this check existed, or edited concurrently). */
  cycle: string[] | null;
  /** Referenced ids that no longer exist. */
  missing: string[];
}

/**
 * Measures a definition with its references inlined. `lookup` gives a referenced segment's
 * definition (null for a static list, undefined when it does not exist).
 */
export function expansionOf(definition: SegmentDefinition, lookup: (id: string) => SegmentDefinition | null | undefined, rootId?: string): Expansion {
  const missing = new Set<string>();
  let cycle: string[] | null = null;
  let deepest = 0;
  const base = rootId ? 1 : 0;
  const measure = (rule: SegmentDefinition, stack: string[]): number => {
    deepest = Math.max(deepest, stack.length - base);
    let count = 0;
    walk(rule, (condition) => {
      count++;
      if (condition.type !== 'segment' || cycle) return;
      const id = condition.segmentId;
      if (stack.includes(id)) {
        cycle = [...stack.slice(stack.indexOf(id)), id];
        return;
      }
      const nested = lookup(id);
      if (nested === undefined) missing.add(id);
      else if (nested !== null) count += measure(nested, [...stack, id]);
    });
    return count;
  };
  const conditions = measure(definition, rootId ? [rootId] : []);
  return { conditions, referenceDepth: deepest, cycle, missing: [...missing] };
}
