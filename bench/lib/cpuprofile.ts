// Summarises a V8 .cpuprofile (from `node --cpu-prof`): where the samples fall, by function
// (self and inclusive time) and by area (a package of node_modules, SOFY's src/, Node's internals).
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  totalMs: number;
  idleMs: number;
  self: Array<{ name: string; ms: number }>;
  inclusive: Array<{ name: string; ms: number }>;
  areas: Array<{ area: string; ms: number }>;
}

function shortUrl(url: string): string {
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) return url.slice(nm + '/node_modules/'.length);
  const src = url.indexOf('/src/');
  if (src >= 0) return url.slice(src + 1);
  return url.replace(/^file:\/\//, '');
}

export function areaOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:')) return 'node: internals';
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const parts = url.slice(nm + '/node_modules/'.length).split('/');
    return (parts[0]?.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]) ?? url;
  }
  if (url.includes('/src/')) return 'SOFY src/';
  return shortUrl(url);
}

function nameOf(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  return `${functionName || '(anonymous)'}${url ? ` ${shortUrl(url)}:${lineNumber + 1}` : ''}`;
}

/**
 * `window`: only the samples taken between these instants, in µs of the monotonic clock
 * (V8's profile timestamps and `process.hrtime.bigint() / 1000n` share it on Linux), e.g. the
 * load test only, without the server's start.
 */
export function summariseProfile(file: string, top = 20, window?: { fromUs: number; toUs: number }): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const areas = new Map<string, number>();
  let totalUs = 0;
  let idleUs = 0;
  let at = profile.startTime;
  profile.samples.forEach((id, i) => {
    const us = profile.timeDeltas[i] ?? 0;
    at += us;
    if (window && (at < window.fromUs || at > window.toUs)) return;
    const node = byId.get(id);
    if (!node) return;
    totalUs += us;
    const name = nameOf(node);
    if (node.callFrame.functionName === '(idle)') idleUs += us;
    self.set(name, (self.get(name) ?? 0) + us);
    const area = areaOf(node.callFrame.url, node.callFrame.functionName);
    areas.set(area, (areas.get(area) ?? 0) + us);
    const seen = new Set<string>();
    for (let current: number | undefined = id; current !== undefined; current = parent.get(current)) {
      const frame = byId.get(current);
      if (!frame) break;
      const frameName = nameOf(frame);
      if (seen.has(frameName)) continue;
      seen.add(frameName);
      inclusive.set(frameName, (inclusive.get(frameName) ?? 0) + us);
    }
  });
  const sorted = (map: Map<string, number>) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([name, us]) => ({ name, ms: us / 1000 }));
  const boring = /^\((root|program|idle|garbage collector)\)$|^processTicksAndRejections |^runMicrotasks$|^\(anonymous\)$/;
  return {
    totalMs: totalUs / 1000,
    idleMs: idleUs / 1000,
    self: sorted(self).slice(0, top),
    inclusive: sorted(inclusive)
      .filter((e) => !boring.test(e.name))
      .slice(0, top),
    areas: sorted(areas).map(({ name, ms }) => ({ area: name, ms })),
  };
}
