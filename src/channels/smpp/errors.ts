/**
 * SMPP 3.4 command_status (§5.1.3) → the channel contract's ChannelError, plus the connector's
 * own errors (timeouts, lost links, local refusals).
 */
import type { Attribution, ChannelError } from '../types.ts';

export const ESME_ROK = 0x00;
export const ESME_RINVBNDSTS = 0x04;
export const ESME_RSYSERR = 0x08;
export const ESME_RINVSRCADR = 0x0a;
export const ESME_RINVDSTADR = 0x0b;
export const ESME_RBINDFAIL = 0x0d;
export const ESME_RINVPASWD = 0x0e;
export const ESME_RINVSYSID = 0x0f;
export const ESME_RMSGQFUL = 0x14;
export const ESME_RINVSRCTON = 0x48;
export const ESME_RINVSRCNPI = 0x49;
export const ESME_RTHROTTLED = 0x58;
export const ESME_RX_T_APPN = 0x64;
export const ESME_RINVCMDID = 0x03;

/** `0x00000058`: how the provider code is kept for support. */
export function hexStatus(status: number): string {
  return `0x${status.toString(16).toUpperCase().padStart(8, '0')}`;
}

export interface StatusMappingOptions {
  /** Suggested wait after ESME_RTHROTTLED (default 1 s). */
  throttledRetryAfterMs?: number;
  /** Suggested wait after ESME_RMSGQFUL (default 5 s). */
  queueFullRetryAfterMs?: number;
}

interface Rule {
  code: string;
  message: string;
  retryable: boolean;
  attribution: Attribution;
}

const RULES: ReadonlyMap<number, Rule> = new Map<number, Rule>([
  [ESME_RTHROTTLED, { code: 'smpp_throttled', message: 'SMSC throttling: submit rate exceeded (ESME_RTHROTTLED)', retryable: true, attribution: 'operator' }],
  [ESME_RMSGQFUL, { code: 'smpp_queue_full', message: 'SMSC message queue full (ESME_RMSGQFUL)', retryable: true, attribution: 'operator' }],
  [ESME_RSYSERR, { code: 'smpp_system_error', message: 'SMSC system error (ESME_RSYSERR)', retryable: true, attribution: 'operator' }],
  [ESME_RX_T_APPN, { code: 'smpp_temporary_error', message: 'SMSC temporary application error (ESME_RX_T_APPN)', retryable: true, attribution: 'operator' }],
  [ESME_RINVBNDSTS, { code: 'smpp_not_bound', message: 'SMSC says the session is not bound for submits (ESME_RINVBNDSTS)', retryable: true, attribution: 'platform' }],
  [ESME_RINVDSTADR, { code: 'smpp_invalid_destination', message: 'invalid destination address (ESME_RINVDSTADR)', retryable: false, attribution: 'recipient' }],
  [ESME_RINVSRCADR, { code: 'smpp_invalid_source', message: 'invalid source address (ESME_RINVSRCADR)', retryable: false, attribution: 'platform' }],
  [ESME_RINVSRCTON, { code: 'smpp_invalid_source', message: 'invalid source address TON (ESME_RINVSRCTON)', retryable: false, attribution: 'platform' }],
  [ESME_RINVSRCNPI, { code: 'smpp_invalid_source', message: 'invalid source address NPI (ESME_RINVSRCNPI)', retryable: false, attribution: 'platform' }],
  [ESME_RBINDFAIL, { code: 'smpp_bind_rejected', message: 'bind failed (ESME_RBINDFAIL)', retryable: false, attribution: 'platform' }],
  [ESME_RINVPASWD, { code: 'smpp_bind_rejected', message: 'invalid password (ESME_RINVPASWD)', retryable: false, attribution: 'platform' }],
  [ESME_RINVSYSID, { code: 'smpp_bind_rejected', message: 'invalid system_id (ESME_RINVSYSID)', retryable: false, attribution: 'platform' }],
]);

/** The ChannelError for a non-zero command_status of a submit_sm_resp (or generic_nack). */
export function errorForStatus(status: number, options: StatusMappingOptions = {}): ChannelError {
  const rule = RULES.get(status);
  const providerCode = hexStatus(status);
  if (!rule) {
    return { code: 'smpp_rejected', message: `SMSC rejected the message (command_status ${providerCode})`, retryable: false, attribution: 'operator', providerCode };
  }
  const error: ChannelError = { ...rule, providerCode };
  if (status === ESME_RTHROTTLED) error.retryAfterMs = options.throttledRetryAfterMs ?? 1_000;
  if (status === ESME_RMSGQFUL) error.retryAfterMs = options.queueFullRetryAfterMs ?? 5_000;
  return error;
}

/** True for bind rejections that retrying with the same credentials cannot fix. */
export function isFatalBindStatus(status: number): boolean {
  return status === ESME_RINVPASWD || status === ESME_RINVSYSID;
}

export function timeoutError(timeoutMs: number): ChannelError {
  return {
    code: 'smpp_timeout',
    message: `no submit_sm_resp within ${timeoutMs} ms`,
    retryable: true,
    outcomeUnknown: true,
    attribution: 'operator',
  };
}

export function connectionLostError(): ChannelError {
  return {
    code: 'smpp_connection_lost',
    message: 'SMPP connection lost before the submit_sm_resp',
    retryable: true,
    outcomeUnknown: true,
    attribution: 'operator',
  };
}

export function stoppedInFlightError(): ChannelError {
  return {
    code: 'smpp_closed',
    message: 'connector stopped before the submit_sm_resp',
    retryable: true,
    outcomeUnknown: true,
    attribution: 'platform',
  };
}

/** Never written to the wire: safe to retry, no duplicate possible. */
export function notSentError(code: string, message: string, attribution: Attribution, retryable = true): ChannelError {
  return { code, message, retryable, attribution, outcomeUnknown: false };
}
