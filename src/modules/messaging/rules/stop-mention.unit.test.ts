import { describe, expect, it } from 'vitest';
import { analyseSms } from './encoding.ts';
import { applyStopMention, defaultStopMention, hasStopMention, STOP_MENTION_SEPARATOR } from './stop-mention.ts';

describe('hasStopMention', () => {
  it.each([
    'Soldes -30% ce week-end. STOP SMS au 36111',
    'Soldes -30% ce week-end. Stop SMS au 36111',
    'Soldes -30% ce week-end. stop sms',
    'Soldes -30% ce week-end.\nSTOP SMS au 36111',
    'STOP SMS au 36111 : soldes -30% ce week-end',
    'Soldes -30% ce week-end (STOP SMS 36111)',
    'Soldes -30% ce week-end. STOP\u00A0SMS\u00A0au\u00A036111',
    'Soldes -30% ce week-end. STOP  SMS',
    'Soldes -30% ce week-end. STOP au 36111',
    'Soldes -30% ce week-end. Stop au 36 111',
    'Soldes -30% ce week-end. STOP au 06 12 34 56 78',
    'Soldes -30% ce week-end. STOP au +33 6 12 34 56 78',
    'Soldes -30% ce week-end. STOP au 06.12.34.56.78',
    'Soldes -30% ce week-end, STOP au 38111.',
  ])('accepts %j', (text) => {
    expect(hasStopMention(text)).toBe(true);
  });

  it.each([
    ['Soldes -30% ce week-end.', 'no mention'],
    ['Soldes -30% ce week-end. STOP', 'STOP alone'],
    ['Soldes -30% ce week-end. Répondez STOP', 'STOP alone'],
    ['Stop au gaspillage : -30% sur les fruits moches', 'STOP au without a number'],
    ['Stop aux prix élevés ! 36111', '"aux" is not "au"'],
    ['Soldes. STOP au 3611', 'number too short for a short code'],
    ['Soldes. STOPSMS au 36111', 'glued words'],
    ['Soldes. NONSTOP SMS', 'STOP inside a word'],
    ['Soldes. STOP SMSS', 'SMS inside a word'],
    ['Soldes. STOPPEZ au 36111', 'STOP inside a word'],
    ['Soldes. STOP-SMS au 36111', 'hyphen'],
    ['Soldes. STOP au 36111abc', 'number glued to letters'],
  ])('refuses %j (%s)', (text) => {
    expect(hasStopMention(text)).toBe(false);
  });
});

describe('defaultStopMention', () => {
  it('builds the carriers’ wording around the short code', () => {
    expect(defaultStopMention('36111')).toBe('STOP SMS au 36111');
    expect(hasStopMention(defaultStopMention('36111'))).toBe(true);
  });
});

describe('applyStopMention', () => {
  const mention = defaultStopMention('36111');

  it('appends the mention on a line of its own when absent', () => {
    expect(applyStopMention('Soldes -30% ce week-end !', mention, 'append')).toEqual({
      text: 'Soldes -30% ce week-end !\nSTOP SMS au 36111',
      appended: true,
    });
    expect(STOP_MENTION_SEPARATOR).toBe('\n');
  });

  it('leaves a text that already carries a mention untouched, under either policy', () => {
    const text = 'Soldes -30% ce week-end ! Stop au 36180';
    expect(applyStopMention(text, mention, 'append')).toEqual({ text, appended: false });
    expect(applyStopMention(text, mention, 'require')).toEqual({ text, appended: false });
  });

  it('rejects a text without mention under the require policy', () => {
    expect(applyStopMention('Soldes -30% ce week-end !', mention, 'require')).toEqual({ error: 'stop_mention_missing' });
  });

  it('drops trailing spaces and line breaks before appending, so they are not paid for', () => {
    expect(applyStopMention('Soldes !  \n\n', mention, 'append')).toEqual({ text: 'Soldes !\nSTOP SMS au 36111', appended: true });
    expect(applyStopMention('', mention, 'append')).toEqual({ text: 'STOP SMS au 36111', appended: true });
  });

  it('trims the mention and refuses one that is not an accepted form', () => {
    expect(applyStopMention('Soldes !', '  STOP au 36111 ', 'append')).toEqual({ text: 'Soldes !\nSTOP au 36111', appended: true });
    expect(applyStopMention('Soldes !', 'Désinscription : 36111', 'append')).toEqual({ error: 'stop_mention_invalid' });
    expect(applyStopMention('Soldes !', 'STOP', 'append')).toEqual({ error: 'stop_mention_invalid' });
  });

  it('keeps a GSM-7 text in GSM-7 and costs separator plus mention in septets', () => {
    const body = 'a'.repeat(142);
    const result = applyStopMention(body, mention, 'append');
    if (!('text' in result)) throw new Error('expected a text');
    expect(analyseSms(result.text)).toMatchObject({ encoding: 'GSM-7', units: 142 + 1 + 17, segments: 1 });
    // One more character in the body and the mention pushes the SMS to two parts: re-count after appending.
    const longer = applyStopMention(`${body}a`, mention, 'append');
    if (!('text' in longer)) throw new Error('expected a text');
    expect(analyseSms(`${body}a`).segments).toBe(1);
    expect(analyseSms(longer.text).segments).toBe(2);
  });
});
