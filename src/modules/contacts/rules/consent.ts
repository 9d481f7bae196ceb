/**
 * R-CONSENT (§17, DPA 5): marketing goes only to contacts with a recorded opt-in (source, date,
 * proof), and every change is kept. R-OPTOUT: a STOP / unsubscribe withdraws it at once.
 * These functions decide whether a consent change may be recorded; they never do I/O.
 */

export const CONSENT_CHANNELS = ['sms', 'email', 'whatsapp', 'rcs'] as const;
export type ConsentChannel = (typeof CONSENT_CHANNELS)[number];

/** `unknown` is only the state of a contact nobody asked: no change can set it. */
export const CONSENT_STATUSES = ['unknown', 'granted', 'refused', 'withdrawn'] as const;
export type ConsentStatus = (typeof CONSENT_STATUSES)[number];
export type ConsentDecision = Exclude<ConsentStatus, 'unknown'>;

/** How a consent was obtained. `opt_out` is set by the platform only (STOP, unsubscribe link). */
export const CONSENT_SOURCES = ['form', 'import', 'api', 'in_store', 'console', 'opt_out'] as const;
export type ConsentSource = (typeof CONSENT_SOURCES)[number];
/** The sources a caller (API, console, import) may name; `opt_out` is the platform's. */
export const CALLER_CONSENT_SOURCES = ['form', 'import', 'api', 'in_store', 'console'] as const;

/** What proves a consent: the text shown, the IP and user agent, the operator, an import or a document reference. */
export interface ConsentProof {
  text?: string;
  ip?: string;
  userAgent?: string;
  operator?: string;
  importId?: string;
  reference?: string;
  [key: string]: unknown;
}

export interface ConsentChange {
  status: ConsentDecision;
  source: ConsentSource;
  proof?: ConsentProof | undefined;
}

export type ConsentProblemCode = 'consent_proof_required' | 'consent_reactivation_not_allowed' | 'invalid_consent_change';

export type ConsentTransition =
  | { kind: 'change' }
  /** Same status already recorded: nothing to write (an import resumed after a crash adds no duplicate event). */
  | { kind: 'unchanged' }
  | { kind: 'refused'; code: ConsentProblemCode; message: string };

/** Proof members that identify how an opt-in was collected; one of them must be present to grant. */
const PROOF_EVIDENCE = ['text', 'ip', 'operator', 'importId', 'reference'] as const;

export function hasConsentEvidence(proof: ConsentProof | undefined): boolean {
  if (!proof) return false;
  return PROOF_EVIDENCE.some((key) => {
    const value = proof[key];
    return typeof value === 'string' && value.trim().length > 0;
  });
}

/**
 * May `change` be recorded over `current`?
 * - Granting needs proof (R-CONSENT: "recorded opt-in (source, date, proof)").
 * - The platform's `opt_out` source only withdraws.
 * - An import never turns a refusal or a withdrawal back into a consent: a stale file must not
 *   re-subscribe someone who said STOP. Only an individual action (form, in store, API call or
 *   console, each with its proof) can.
 * - Recording the status already in force changes nothing.
 */
export function consentTransition(current: ConsentStatus, change: ConsentChange): ConsentTransition {
  if (!(CONSENT_SOURCES as readonly string[]).includes(change.source)) {
    return { kind: 'refused', code: 'invalid_consent_change', message: `unknown consent source "${change.source}"` };
  }
  if (change.source === 'opt_out' && change.status !== 'withdrawn') {
    return { kind: 'refused', code: 'invalid_consent_change', message: 'an opt-out can only withdraw consent' };
  }
  if (change.status === current) return { kind: 'unchanged' };
  if (change.status === 'granted') {
    if (!hasConsentEvidence(change.proof)) {
      return { kind: 'refused', code: 'consent_proof_required', message: 'granting consent needs proof: the text shown, the IP, the operator or a reference (R-CONSENT)' };
    }
    if (change.source === 'import' && (current === 'withdrawn' || current === 'refused')) {
      return {
        kind: 'refused',
        code: 'consent_reactivation_not_allowed',
        message: `an import cannot turn a ${current} consent back into granted; only the person can, through a form, in store or the console with proof`,
      };
    }
  }
  return { kind: 'change' };
}

/**
 * R-CONSENT for the send path: a known contact whose consent for the channel is refused or
 * withdrawn gets no marketing (the message is `suppressed`). `unknown` is not blocking here: a
 * contact the tenant sends to through the API without a recorded decision is the API caller's
 * responsibility; campaigns select `granted` only.
 */
export const consentBlocksMarketing = (status: ConsentStatus | string): boolean => status === 'refused' || status === 'withdrawn';

/** Campaign audiences: only a recorded opt-in lets marketing through (R-CONSENT). */
export const consentAllowsCampaign = (status: ConsentStatus | string): boolean => status === 'granted';

/** Which contact address a channel reaches. */
export const channelAddressKind = (channel: ConsentChannel): 'phone' | 'email' => (channel === 'email' ? 'email' : 'phone');

export const isConsentChannel = (value: string): value is ConsentChannel => (CONSENT_CHANNELS as readonly string[]).includes(value);

/** The contacts column that carries the current status of a channel. */
export const consentColumn = (channel: ConsentChannel): `consent_${ConsentChannel}` => `consent_${channel}`;
