import { TIME_ZONE } from './i18n';

const partsFormatter = new Intl.DateTimeFormat('en-US', {
  timeZone: TIME_ZONE,
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});

function parisParts(ms: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of partsFormatter.formatToParts(new Date(ms))) {
    if (part.type !== 'literal') out[part.type] = Number(part.value);
  }
  return out;
}

/** Minutes Paris is ahead of UTC at that instant (60 in winter, 120 in summer). */
function parisOffsetMinutes(ms: number): number {
  const p = parisParts(ms);
  const asUtc = Date.UTC(
    p.year ?? 0,
    (p.month ?? 1) - 1,
    p.day ?? 1,
    p.hour ?? 0,
    p.minute ?? 0,
    p.second ?? 0,
  );
  return Math.round((asUtc - Math.floor(ms / 1000) * 1000) / 60000);
}

/** `2026-06-30` → the instant 2026-06-30T23:59:59 in Paris, as ISO UTC. */
export function parisEndOfDay(date: string): string {
  const [y, m, d] = date.split('-').map(Number);
  const guess = Date.UTC(y ?? 1970, (m ?? 1) - 1, d ?? 1, 23, 59, 59);
  const offset = parisOffsetMinutes(guess - 2 * 3600_000);
  return new Date(guess - offset * 60_000).toISOString();
}

/** Today's date in Paris as YYYY-MM-DD, shifted by `days`. */
export function parisDate(days = 0): string {
  const p = parisParts(Date.now() + days * 86_400_000);
  const pad = (n: number | undefined) => String(n ?? 0).padStart(2, '0');
  return `${p.year}-${pad(p.month)}-${pad(p.day)}`;
}

/** `2026-06-30` shifted by whole calendar days (no time zone involved). */
export function shiftDate(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(Date.UTC(y ?? 1970, (m ?? 1) - 1, (d ?? 1) + days)).toISOString().slice(0, 10);
}

/** `2026-06-30` → the instant 2026-06-30T00:00:00 in Paris, as ISO UTC. */
export function parisStartOfDay(date: string): string {
  return new Date(new Date(parisEndOfDay(shiftDate(date, -1))).getTime() + 1000).toISOString();
}

/** The Paris calendar date (YYYY-MM-DD) of an instant. */
export function parisDateOf(ms: number): string {
  const p = parisParts(ms);
  const pad = (n: number | undefined) => String(n ?? 0).padStart(2, '0');
  return `${p.year}-${pad(p.month)}-${pad(p.day)}`;
}
