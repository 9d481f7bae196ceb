import argon2 from 'argon2';
import { authenticator } from 'otplib';
import QRCode from 'qrcode';
import { randomString } from '../../platform/crypto.ts';

/**
 * Password hashing (argon2id, OWASP parameters) and TOTP (RFC 6238 via otplib): thin wrappers
 * so the rest of the module speaks in use cases, and tests can see the parameters in one place.
 */
const ARGON2_OPTIONS = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export const hashPassword = (password: string): Promise<string> => argon2.hash(password, ARGON2_OPTIONS);

/** A hash to verify against when the email is unknown, so both paths take the same time. */
let decoyHash: Promise<string> | undefined;

export async function verifyPassword(hash: string | null, password: string): Promise<boolean> {
  if (hash === null) {
    decoyHash ??= hashPassword(randomString(24));
    await argon2.verify(await decoyHash, password).catch(() => false);
    return false;
  }
  return argon2.verify(hash, password).catch(() => false);
}

/** One-time passwords given to new users: 16 characters from an unambiguous alphabet. */
export const generateOneTimePassword = (): string => randomString(16);

export const TOTP_STEP_SECONDS = 30;
const ISSUER = 'SOFY';

export const generateTotpSecret = (): string => authenticator.generateSecret(20);

export function totpUri(email: string, secret: string): string {
  return authenticator.keyuri(email, ISSUER, secret);
}

export const qrCodeDataUrl = (text: string): Promise<string> => QRCode.toDataURL(text, { errorCorrectionLevel: 'M', margin: 1, width: 240 });

/**
 * Checks a 6-digit code at `now` with one step of drift either way, and returns the time step it
 * matched, so the caller can refuse any step at or before the last one accepted (no replay).
 */
export function matchTotp(secret: string, code: string, now: Date): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const checker = authenticator.clone({ epoch: now.getTime(), window: 1, step: TOTP_STEP_SECONDS });
  const delta = checker.checkDelta(code, secret);
  if (delta === null) return null;
  return Math.floor(now.getTime() / 1000 / TOTP_STEP_SECONDS) + delta;
}

/** The current code for a secret (tests, and the CLI's enrolment helper). */
export function currentTotp(secret: string, now: Date): string {
  return authenticator.clone({ epoch: now.getTime(), step: TOTP_STEP_SECONDS }).generate(secret);
}

/** Ten recovery codes, `xxxxx-xxxxx`, each usable once. */
export function generateRecoveryCodes(): string[] {
  return Array.from({ length: 10 }, () => `${randomString(5, 'abcdefghjkmnpqrstuvwxyz23456789')}-${randomString(5, 'abcdefghjkmnpqrstuvwxyz23456789')}`);
}

export const normaliseRecoveryCode = (code: string): string => code.trim().toLowerCase().replace(/\s+/g, '');
