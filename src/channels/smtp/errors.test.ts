import { describe, expect, it } from 'vitest';
import { classifySmtpError, parseEnhancedStatus } from './errors.ts';

describe('classifySmtpError', () => {
  const cases: Array<[string, Parameters<typeof classifySmtpError>[0], boolean, Record<string, unknown>]> = [
    ['550 mailbox unavailable', { code: 'EENVELOPE', responseCode: 550, response: '550 5.1.1 <x@y>: Mailbox unavailable', command: 'RCPT TO' }, false,
      { code: 'mailbox_unavailable', retryable: false, attribution: 'recipient', providerCode: '550 5.1.1' }],
    ['550 without enhanced code', { code: 'EENVELOPE', responseCode: 550, response: '550 No such user' }, false,
      { code: 'mailbox_unavailable', attribution: 'recipient', providerCode: '550' }],
    ['552 mailbox full (5.2.2)', { code: 'EENVELOPE', responseCode: 552, response: '552 5.2.2 Mailbox full' }, false,
      { code: 'mailbox_unavailable', attribution: 'recipient' }],
    ['550 policy (5.7.1) is the operator\'s', { code: 'EMESSAGE', responseCode: 550, response: '550 5.7.1 Message rejected as spam' }, true,
      { code: 'smtp_rejected', retryable: false, attribution: 'operator', providerCode: '550 5.7.1' }],
    ['554 transaction failed', { code: 'EMESSAGE', responseCode: 554, response: '554 Transaction failed' }, true,
      { code: 'smtp_rejected', retryable: false, attribution: 'operator' }],
    ['535 bad credentials', { code: 'EAUTH', responseCode: 535, response: '535 5.7.8 Authentication credentials invalid' }, false,
      { code: 'auth_failed', retryable: false, attribution: 'platform' }],
    ['451 greylisting', { code: 'EENVELOPE', responseCode: 451, response: '451 4.7.1 Greylisted' }, false,
      { code: 'smtp_tempfail', retryable: true, attribution: 'operator', providerCode: '451 4.7.1' }],
    ['421 at end of DATA is still a known outcome', { code: 'EMESSAGE', responseCode: 421, response: '421 4.3.2 Shutting down' }, true,
      { code: 'smtp_tempfail', retryable: true }],
    ['503 bad sequence is transient', { code: 'EPROTOCOL', responseCode: 503, response: '503 5.5.1 Bad sequence' }, false,
      { code: 'smtp_tempfail', retryable: true }],
    ['connection refused', { code: 'ESOCKET', originalCode: 'ECONNREFUSED', message: 'connect ECONNREFUSED' }, false,
      { code: 'connection_failed', retryable: true, attribution: 'operator', providerCode: 'ECONNREFUSED' }],
    ['connection lost during DATA', { code: 'ECONNECTION', message: 'Connection closed unexpectedly' }, true,
      { code: 'connection_lost', retryable: true, outcomeUnknown: true }],
    ['timeout waiting for the final reply', { code: 'ETIMEDOUT', message: 'Timeout' }, true,
      { code: 'timeout', retryable: true, outcomeUnknown: true }],
    ['timeout while connecting', { code: 'ETIMEDOUT', message: 'Connection timeout' }, false,
      { code: 'timeout', retryable: true }],
    ['DNS failure', { code: 'EDNS', originalCode: 'ENOTFOUND' }, false, { code: 'dns_failed', retryable: true, attribution: 'platform' }],
    ['untrusted certificate', { code: 'ESOCKET', originalCode: 'SELF_SIGNED_CERT_IN_CHAIN' }, false,
      { code: 'tls_failed', retryable: false, attribution: 'platform' }],
    ['STARTTLS refused', { code: 'ETLS', responseCode: 500, response: '500 command not recognized' }, false,
      { code: 'tls_failed', retryable: false }],
    ['invalid address', { code: 'EENVELOPE', message: 'No recipients defined' }, false,
      { code: 'invalid_message', retryable: false, attribution: 'platform' }],
  ];
  for (const [name, err, dataStarted, expected] of cases) {
    it(name, () => {
      const classified = classifySmtpError(err, dataStarted);
      expect(classified).toMatchObject(expected);
      if (!('outcomeUnknown' in expected)) expect(classified.outcomeUnknown).toBeUndefined();
    });
  }

  it('parses enhanced status codes', () => {
    expect(parseEnhancedStatus('550 5.1.1 <x>: unknown')).toEqual({ cls: 5, subject: 1, detail: 1 });
    expect(parseEnhancedStatus('250-2.0.0 OK')).toEqual({ cls: 2, subject: 0, detail: 0 });
    expect(parseEnhancedStatus('550 No such user')).toBeUndefined();
  });
});
