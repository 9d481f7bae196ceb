import { createCipheriv, createDecipheriv, createHash, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeSecretKey } from './config.ts';

/**
 * The platform's master secret (SOFY_SECRET_KEY, or `secret.key` in the data dir, generated on
 * first start). Purpose-specific keys are derived from it with HKDF so that one leak of a
 * derived key does not expose the others.
 */
export class SecretKeyring {
  readonly #master: Buffer;
  constructor(master: Buffer) {
    if (master.length !== 32) throw new Error('the master key must be 32 bytes');
    this.#master = master;
  }

  derive(purpose: string): Buffer {
    return Buffer.from(hkdfSync('sha256', this.#master, Buffer.alloc(0), `sofy:${purpose}`, 32));
  }

  /** R-CRYPTO: AES-256-GCM for secrets at rest (TOTP seeds, provider credentials). */
  encrypt(purpose: string, plaintext: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.derive(purpose), iv);
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return ['v1', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')].join('.');
  }

  decrypt(purpose: string, sealed: string): string {
    const [version, iv, tag, body] = sealed.split('.');
    if (version !== 'v1' || !iv || !tag || body === undefined) throw new Error('unsupported ciphertext');
    // A full 16-byte tag only: Node would otherwise accept truncated tags (forgeable).
    const decipher = createDecipheriv('aes-256-gcm', this.derive(purpose), Buffer.from(iv, 'base64url'), { authTagLength: 16 });
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
  }

  hmac(purpose: string, data: string): Buffer {
    return createHmac('sha256', this.derive(purpose)).update(data).digest();
  }
}

/** Loads SOFY_SECRET_KEY, or the data dir's key file, creating it (mode 600) when absent. */
export function loadOrCreateSecretKey(configured: string | undefined, dataDir: string): { key: Buffer; created: boolean } {
  if (configured) {
    const key = decodeSecretKey(configured);
    if (!key) throw new Error('SOFY_SECRET_KEY must be 32 bytes, base64 or hex');
    return { key, created: false };
  }
  const file = join(dataDir, 'secret.key');
  if (existsSync(file)) {
    const key = decodeSecretKey(readFileSync(file, 'utf8'));
    if (!key) throw new Error(`${file} does not hold a 32-byte key`);
    return { key, created: false };
  }
  mkdirSync(dataDir, { recursive: true });
  const key = randomBytes(32);
  writeFileSync(file, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  return { key, created: true };
}

export const sha256 = (data: string | Buffer): Buffer => createHash('sha256').update(data).digest();

export const sha256Hex = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

/** Compares two secrets in constant time, whatever their lengths. */
export function safeEqual(a: Buffer | string, b: Buffer | string): boolean {
  const left = sha256(a);
  const right = sha256(b);
  return timingSafeEqual(left, right);
}

/** URL-safe random token with `bytes` of entropy. */
export const randomToken = (bytes = 32): string => randomBytes(bytes).toString('base64url');

const ALPHANUMERIC = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';
const LOWER_BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

/** Random string over an alphabet, without modulo bias (rejection sampling). */
export function randomString(length: number, alphabet = ALPHANUMERIC): string {
  const limit = 256 - (256 % alphabet.length);
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < limit) out += alphabet[byte % alphabet.length];
      if (out.length === length) break;
    }
  }
  return out;
}

export const randomBase32 = (length: number): string => randomString(length, LOWER_BASE32);
