import { describe, expect, it } from 'vitest';
import { checkSender, GENERIC_SENDER_WORDS, senderProblem } from './sender.ts';

describe('checkSender', () => {
  it.each(['SOFY', 'Lumiere', 'Boulangerie', 'A', 'B2B', 'Shop24', '2Freres', 'ABCDEFGHIJK', 'x1'])(
    'accepts the alphanumeric sender %j',
    (sender) => {
      expect(checkSender(sender)).toEqual({ ok: true, kind: 'alphanumeric' });
    },
  );

  it.each(['36111', '123', '+33612345678', '33612345678', '123456789012345', '+123456789012345'])('accepts the numeric sender %j', (sender) => {
    expect(checkSender(sender)).toEqual({ ok: true, kind: 'numeric' });
  });

  it.each([
    ['', 'the sender is empty'],
    ['ABCDEFGHIJKL', 'at most 11 characters; "ABCDEFGHIJKL" has 12'],
    ['Ma Boutique', 'only letters A–Z and digits'],
    ['Lumière', 'only letters A–Z and digits'],
    ['SOFY-FR', 'only letters A–Z and digits'],
    ['SOFY.fr', 'only letters A–Z and digits'],
    ['+SOFY', 'only letters A–Z and digits'],
    ['12', 'a numeric sender has 3 to 15 digits; "12" has 2'],
    ['+12', 'a numeric sender has 3 to 15 digits; "+12" has 2'],
    ['1234567890123456', 'a numeric sender has 3 to 15 digits; "1234567890123456" has 16'],
    ['INFO', 'generic word'],
    ['info', 'generic word'],
    ['Sms', 'generic word'],
    ['TEST', 'generic word'],
    ['NoReply', 'generic word'],
    ['OTP', 'generic word'],
    ['Alert', 'generic word'],
    ['VERIFY', 'generic word'],
    ['Message', 'generic word'],
    ['SERVICE', 'generic word'],
    ['NOTIFICATION', 'at most 11 characters'],
  ])('refuses %j', (sender, message) => {
    const check = checkSender(sender);
    expect(check).toMatchObject({ ok: false, error: 'invalid_sender' });
    expect(check.ok ? '' : check.message).toContain(message);
  });

  it('refuses every generic word whatever its case, and accepts it inside a brand', () => {
    for (const word of GENERIC_SENDER_WORDS.filter((w) => w.length <= 11)) {
      expect(checkSender(word.toLowerCase()).ok, word).toBe(false);
    }
    expect(checkSender('InfoTrafic')).toEqual({ ok: true, kind: 'alphanumeric' });
    expect(checkSender('SMSBOX')).toEqual({ ok: true, kind: 'alphanumeric' });
  });
});

describe('senderProblem', () => {
  it('is null for an accepted sender and the message for a refused one', () => {
    expect(senderProblem('SOFY')).toBeNull();
    expect(senderProblem('36111')).toBeNull();
    expect(senderProblem('INFO')).toBe('"INFO" is a generic word that carriers refuse: use your brand name');
  });
});
