import { describe, expect, it } from 'vitest';
import {
  currentTotp,
  generateOneTimePassword,
  generateRecoveryCodes,
  generateTotpSecret,
  hashPassword,
  matchTotp,
  normaliseRecoveryCode,
  TOTP_STEP_SECONDS,
  totpUri,
  verifyPassword,
} from './secrets.ts';

/** RFC 6238 test secret "12345678901234567890", in base32. */
const RFC_SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
const SECRET = 'JBSWY3DPEHPK3PXP';
/** 10:00:10Z, 10 s into a 30-second step. */
const NOW = new Date('2026-03-10T10:00:10Z');
const STEP = 59_104_560; // floor(1773136810 / 30)
const STEP_MS = TOTP_STEP_SECONDS * 1000;
const at = (steps: number, base = NOW): Date => new Date(base.getTime() + steps * STEP_MS);

describe('TOTP', () => {
  it('uses 30-second steps', () => {
    expect(TOTP_STEP_SECONDS).toBe(30);
    expect(Math.floor(NOW.getTime() / STEP_MS)).toBe(STEP);
  });

  it('generates the RFC 6238 SHA-1 reference codes (6 digits)', () => {
    // RFC 6238 appendix B, truncated to 6 digits.
    expect(currentTotp(RFC_SECRET, new Date(59_000))).toBe('287082');
    expect(currentTotp(RFC_SECRET, new Date(1_111_111_109_000))).toBe('081804');
    expect(currentTotp(RFC_SECRET, new Date(1_234_567_890_000))).toBe('005924');
    expect(currentTotp(RFC_SECRET, new Date(2_000_000_000_000))).toBe('279037');
  });

  describe('matchTotp', () => {
    const codes = new Map([-2, -1, 0, 1, 2].map((offset) => [offset, currentTotp(SECRET, at(offset))]));

    it('uses five distinct codes around now for this secret (sanity of the fixture)', () => {
      expect(new Set(codes.values()).size).toBe(5);
      for (const code of codes.values()) expect(code).toMatch(/^\d{6}$/);
    });

    it('accepts the current code and returns the current step', () => {
      expect(matchTotp(SECRET, codes.get(0) ?? '', NOW)).toBe(STEP);
    });

    it('accepts the previous and the next code and returns their steps', () => {
      expect(matchTotp(SECRET, codes.get(-1) ?? '', NOW)).toBe(STEP - 1);
      expect(matchTotp(SECRET, codes.get(1) ?? '', NOW)).toBe(STEP + 1);
    });

    it('rejects codes two steps away', () => {
      expect(matchTotp(SECRET, codes.get(-2) ?? '', NOW)).toBeNull();
      expect(matchTotp(SECRET, codes.get(2) ?? '', NOW)).toBeNull();
    });

    it('counts steps from the epoch, not from now, at step boundaries', () => {
      const boundary = new Date('2026-03-10T10:00:00Z');
      const step = Math.floor(boundary.getTime() / STEP_MS);
      expect(matchTotp(SECRET, currentTotp(SECRET, boundary), boundary)).toBe(step);
      expect(matchTotp(SECRET, currentTotp(SECRET, new Date(boundary.getTime() - 1)), boundary)).toBe(step - 1);
      expect(matchTotp(SECRET, currentTotp(SECRET, new Date(boundary.getTime() + STEP_MS - 1)), boundary)).toBe(step);
    });

    it('returns the same step for the same code anywhere within the accepted window', () => {
      const code = codes.get(0) ?? '';
      expect(matchTotp(SECRET, code, at(1))).toBe(STEP);
      expect(matchTotp(SECRET, code, at(-1))).toBe(STEP);
      expect(matchTotp(SECRET, code, at(2))).toBeNull();
    });

    it('rejects a code for another secret', () => {
      const other = RFC_SECRET;
      const code = currentTotp(other, NOW);
      expect([-1, 0, 1].map((o) => currentTotp(SECRET, at(o)))).not.toContain(code);
      expect(matchTotp(SECRET, code, NOW)).toBeNull();
      expect(matchTotp(other, code, NOW)).toBe(STEP);
    });

    it.each([
      ['empty', ''],
      ['5 digits', '12345'],
      ['7 digits', '1234567'],
      ['letters', 'abcdef'],
      ['a letter among digits', '12345a'],
      ['a leading space', ' 123456'],
      ['a trailing newline', '123456\n'],
      ['an inner space', '123 456'],
      ['a dash', '123-456'],
      ['a sign', '+12345'],
      ['full-width digits', '１２３４５６'],
    ])('rejects %s', (_label, code) => {
      expect(matchTotp(SECRET, code, NOW)).toBeNull();
    });

    it('rejects the current code with surrounding whitespace (callers trim)', () => {
      expect(matchTotp(SECRET, ` ${codes.get(0)}`, NOW)).toBeNull();
    });
  });

  it('generates base32 secrets of 20 bytes, different each time', () => {
    const secret = generateTotpSecret();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(generateTotpSecret()).not.toBe(secret);
  });

  it('builds an otpauth URI for the SOFY issuer', () => {
    const uri = totpUri('jean.dupont@example.fr', SECRET);
    const url = new URL(uri);
    expect(url.protocol).toBe('otpauth:');
    expect(uri).toContain('totp/');
    expect(decodeURIComponent(uri)).toContain('SOFY:jean.dupont@example.fr');
    expect(url.searchParams.get('secret')).toBe(SECRET);
    expect(url.searchParams.get('issuer')).toBe('SOFY');
  });
});

describe('recovery codes', () => {
  it('generates ten unique codes of the form xxxxx-xxxxx from an unambiguous alphabet', () => {
    const codes = generateRecoveryCodes();
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const code of codes) {
      expect(code).toMatch(/^[a-hjkmnp-z2-9]{5}-[a-hjkmnp-z2-9]{5}$/);
      expect(code).not.toMatch(/[ilo01]/);
    }
  });

  it('generates a new set each time', () => {
    const first = generateRecoveryCodes();
    const second = generateRecoveryCodes();
    expect(second.filter((code) => first.includes(code))).toEqual([]);
  });

  it('keeps a generated code unchanged when normalised', () => {
    for (const code of generateRecoveryCodes()) expect(normaliseRecoveryCode(code)).toBe(code);
  });

  it('normalises case and whitespace, keeping the dash', () => {
    expect(normaliseRecoveryCode('  ABCDE-FGHJK \n')).toBe('abcde-fghjk');
    expect(normaliseRecoveryCode('abcde - fghjk')).toBe('abcde-fghjk');
    expect(normaliseRecoveryCode('ab cde-fg\thjk')).toBe('abcde-fghjk');
    expect(normaliseRecoveryCode('AbCdE-fGhJk')).toBe('abcde-fghjk');
    expect(normaliseRecoveryCode('')).toBe('');
  });

  it('does not turn different codes into the same one', () => {
    expect(normaliseRecoveryCode('abcde-fghjk')).not.toBe(normaliseRecoveryCode('abcde-fghjm'));
  });
});

describe('one-time passwords', () => {
  it('are 16 unambiguous alphanumerics, different each time', () => {
    const password = generateOneTimePassword();
    expect(password).toMatch(/^[A-HJ-NP-Za-km-z2-9]{16}$/);
    expect(generateOneTimePassword()).not.toBe(password);
  });
});

describe('password hashing (argon2id)', () => {
  it('hashes with argon2id and the OWASP parameters, salted', async () => {
    const hash = await hashPassword('correct horse battery staple');
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,p=1,t=2\$/);
    expect(hash).not.toContain('correct horse battery staple');
    expect(await hashPassword('correct horse battery staple')).not.toBe(hash);
  });

  it('verifies the right password and rejects a wrong one', async () => {
    const hash = await hashPassword('Tr0ub4dor&3-long');
    expect(await verifyPassword(hash, 'Tr0ub4dor&3-long')).toBe(true);
    expect(await verifyPassword(hash, 'Tr0ub4dor&3-lonG')).toBe(false);
    expect(await verifyPassword(hash, 'Tr0ub4dor&3-long ')).toBe(false);
    expect(await verifyPassword(hash, '')).toBe(false);
  });

  it('round-trips non-ASCII passwords', async () => {
    const hash = await hashPassword('mot de passe très sûr 😀');
    expect(await verifyPassword(hash, 'mot de passe très sûr 😀')).toBe(true);
    expect(await verifyPassword(hash, 'mot de passe tres sur 😀')).toBe(false);
  });

  it('returns false for an unknown user (null hash), whatever the password', async () => {
    expect(await verifyPassword(null, 'anything at all')).toBe(false);
    expect(await verifyPassword(null, '')).toBe(false);
  });

  it('returns false instead of throwing for a malformed hash', async () => {
    expect(await verifyPassword('not-a-hash', 'password')).toBe(false);
    expect(await verifyPassword('', 'password')).toBe(false);
  });
});
