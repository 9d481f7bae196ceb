import { describe, expect, it } from 'vitest';
import { foldReply, isOptInKeyword, isOptOutKeyword } from './opt-out.ts';

describe('isOptOutKeyword (R-OPTOUT)', () => {
  it.each([
    'STOP',
    'stop',
    'Stop',
    '  STOP  ',
    'STOP.',
    'Stop !',
    'STOP!!!',
    '"STOP"',
    'stop 🙏',
    '🛑 STOP',
    'STOP SMS',
    'stop sms',
    'Stop   SMS',
    'STOPSMS',
    'ARRET',
    'Arrêt',
    'ARRÊT',
    'arret',
    'UNSUBSCRIBE',
    'Unsubscribe.',
    'DESABONNER',
    'désabonner',
    'DÉSABONNER',
    'STOP merci',
    'Stop, merci beaucoup',
    'STOP svp',
    'Bonjour, STOP',
    'Stop s’il vous plaît',
    "stop s'il vous plait",
    'STOP please',
    'STOP STOP STOP',
    'stop\nstop',
    'Stop sms merci',
  ])('recognises %j', (text) => {
    expect(isOptOutKeyword(text)).toBe(true);
  });

  it.each([
    '',
    '   ',
    'je ne veux pas que ça stop',
    'Stop ou encore ?',
    'Pouvez-vous arrêter de m’écrire',
    'STOP au 36111 et merci de ne plus écrire',
    'STOPPER',
    'stops',
    'NONSTOP',
    'START',
    'Oui',
    'Stop le spam SVP',
    'S T O P',
    'merci',
  ])('does not take %j for an opt-out', (text) => {
    expect(isOptOutKeyword(text)).toBe(false);
  });

  it('accepts a mix of opt-out keywords as the same request', () => {
    expect(isOptOutKeyword('STOP ARRET')).toBe(true);
  });
});

describe('isOptInKeyword', () => {
  it.each(['START', 'start', 'Start !', 'UNSTOP', 'unstop', 'REPRISE', 'Reprise merci', 'START START', 'Démarrer', 'DEMARRER'])('recognises %j', (text) => {
    expect(isOptInKeyword(text)).toBe(true);
  });

  it.each(['STOP', 'ARRET', 'Restart', 'start the engine', 'Je reprise', 'STARTER', ''])('does not take %j for an opt-in', (text) => {
    expect(isOptInKeyword(text)).toBe(false);
  });

  it('never takes the same reply for both', () => {
    for (const text of ['STOP', 'START', 'ARRÊT', 'UNSTOP', 'REPRISE', 'DÉMARRER', 'STOP START']) {
      expect(isOptOutKeyword(text) && isOptInKeyword(text), text).toBe(false);
    }
  });
});

describe('foldReply', () => {
  it('upper-cases, removes accents and collapses punctuation, emoji and spaces', () => {
    expect(foldReply('  Arrêt, s’il vous plaît !! 🙏 ')).toBe('ARRET S IL VOUS PLAIT');
    expect(foldReply('Désabonner')).toBe('DESABONNER');
  });
});
