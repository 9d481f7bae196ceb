import { CALLER_CONSENT_SOURCES, type ConsentChannel, type ConsentDecision, type ConsentProof, type ConsentSource, consentTransition, isConsentChannel } from '../../rules.ts';

/**
 * R-CONSENT (§17, DPA 5): an import records, for the channels named, the consent its rows were
 * collected with — how (the source), and the proof. An import that does not say how the consent
 * was collected is refused (`consent_source_required`).
 *
 * What is written on each contact: source `import` (so the contacts rules never let an import
 * re-subscribe someone who withdrew, R-OPTOUT), and a proof holding the import id, the declared
 * collection source (`collectedVia`), the text the person was shown, the operator and the file.
 */

export interface ImportConsentInput {
  channels?: readonly string[] | undefined;
  status?: string | undefined;
  source?: string | undefined;
  proof?: { text?: string | undefined; reference?: string | undefined; collectedAt?: string | undefined } | undefined;
}

export interface ImportConsent {
  channels: ConsentChannel[];
  status: ConsentDecision;
  /** How the people gave it: form, in_store, api, console, import (a list bought or exported elsewhere). */
  source: (typeof CALLER_CONSENT_SOURCES)[number];
  proof: { text?: string; reference?: string; collectedAt?: string };
}

export type ConsentConfigResult = { ok: true; consent: ImportConsent } | { ok: false; code: 'consent_source_required' | 'validation_failed'; path: string; message: string };

export function importConsentConfig(input: ImportConsentInput | null | undefined): ConsentConfigResult {
  if (!input?.source || input.source.trim() === '') {
    return { ok: false, code: 'consent_source_required', path: '/consent/source', message: 'say how the consent of these contacts was collected (form, in_store, api, console, import): R-CONSENT' };
  }
  const source = input.source.trim();
  if (!(CALLER_CONSENT_SOURCES as readonly string[]).includes(source)) {
    return { ok: false, code: 'consent_source_required', path: '/consent/source', message: `the consent source must be one of ${CALLER_CONSENT_SOURCES.join(', ')}` };
  }
  const channels = [...new Set(input.channels ?? [])];
  if (channels.length === 0) return { ok: false, code: 'validation_failed', path: '/consent/channels', message: 'name the channels the consent covers (sms, email, whatsapp, rcs)' };
  const unknown = channels.find((channel) => !isConsentChannel(channel));
  if (unknown !== undefined) return { ok: false, code: 'validation_failed', path: '/consent/channels', message: `unknown channel "${unknown}" (sms, email, whatsapp, rcs)` };
  const status = input.status ?? 'granted';
  if (status !== 'granted' && status !== 'refused' && status !== 'withdrawn') return { ok: false, code: 'validation_failed', path: '/consent/status', message: 'must be granted, refused or withdrawn' };
  const proof: ImportConsent['proof'] = {};
  const text = input.proof?.text?.trim();
  if (text) proof.text = text;
  const reference = input.proof?.reference?.trim();
  if (reference) proof.reference = reference;
  const collectedAt = input.proof?.collectedAt?.trim();
  if (collectedAt) proof.collectedAt = collectedAt;
  if (status === 'granted' && !proof.text && !proof.reference) {
    return { ok: false, code: 'validation_failed', path: '/consent/proof', message: 'a granted consent needs its proof: the text the people were shown, or a reference to the document (R-CONSENT)' };
  }
  return { ok: true, consent: { channels: channels as ConsentChannel[], status, source: source as ImportConsent['source'], proof } };
}

/** The consent as written on each contact of the import (contacts repo BatchConsent). */
export function batchConsentOf(consent: ImportConsent, context: { importId: string; operator: string; filename: string }) {
  return {
    channels: consent.channels,
    status: consent.status,
    source: 'import' as const,
    proof: { ...consent.proof, importId: context.importId, collectedVia: consent.source, operator: context.operator, filename: context.filename },
  };
}

/**
 * The consent a contact created by the import starts with: the import's change on each channel,
 * as the contacts rules allow it from `unknown` (consentTransition), and why not where they refuse.
 */
export function newContactConsents(consent: { channels: readonly ConsentChannel[]; status: ConsentDecision; source: ConsentSource; proof: ConsentProof }): {
  changes: Array<{ channel: ConsentChannel; status: ConsentDecision }>;
  refused: string[];
} {
  const changes: Array<{ channel: ConsentChannel; status: ConsentDecision }> = [];
  const refused: string[] = [];
  for (const channel of consent.channels) {
    const transition = consentTransition('unknown', { status: consent.status, source: consent.source, proof: consent.proof });
    if (transition.kind === 'change') changes.push({ channel, status: consent.status });
    else if (transition.kind === 'refused') refused.push(`consent ${channel} not changed: ${transition.message}`);
  }
  return { changes, refused };
}
