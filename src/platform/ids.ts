import { randomBytes } from 'node:crypto';

/**
 * UUIDv7 (RFC 9562): 48 bits of Unix milliseconds, then randomness. Time-ordered ids keep
 * B-tree inserts at the right edge, and carry the creation time: the monthly partition of a
 * message is found from its id alone.
 */
let lastMs = 0;
let sequence = 0;

export function uuidv7(at: Date | number = Date.now()): string {
  let ms = typeof at === 'number' ? at : at.getTime();
  // Monotonic within a process: same millisecond → the 12-bit counter in rand_a increases.
  if (ms <= lastMs) {
    sequence++;
    if (sequence > 0xfff) {
      lastMs++;
      sequence = 0;
    }
    ms = Math.max(ms, lastMs);
  } else {
    lastMs = ms;
    sequence = nextRandom16().readUInt16BE(0) & 0x3ff;
  }
  const bytes = Buffer.from(nextRandom16());
  bytes.writeUIntBE(ms, 0, 6);
  bytes[6] = 0x70 | ((sequence >> 8) & 0x0f);
  bytes[7] = sequence & 0xff;
  bytes[8] = 0x80 | ((bytes[8] ?? 0) & 0x3f);
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Random bytes drawn 4 KiB at a time: one system call per 256 ids instead of one per id. */
let pool = Buffer.alloc(0);
let poolOffset = 0;
function nextRandom16(): Buffer {
  if (poolOffset + 16 > pool.length) {
    pool = randomBytes(4096);
    poolOffset = 0;
  }
  const slice = pool.subarray(poolOffset, poolOffset + 16);
  poolOffset += 16;
  return slice;
}

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

export const isUuidV7 = (id: string): boolean => UUID_V7.test(id);

/** The creation instant a UUIDv7 carries (millisecond precision). */
export function uuidv7Time(id: string): Date {
  if (!isUuidV7(id)) throw new Error('not a UUIDv7');
  return new Date(Number.parseInt(id.replace(/-/g, '').slice(0, 12), 16));
}
