/**
 * The contacts module's rules (issue 4; R-CONSENT, R-OPTOUT) as pure functions: no I/O.
 * One file per rule in rules/, each with its unit tests beside it.
 *
 * For the import (src/modules/contacts/import/) and the API alike:
 *   normaliseContactInput(input: ContactInput, { mode: 'create' | 'patch', definitions, pathPrefix?, defaultRegion?, defaultConsentSource? })
 *     → { ok: true, contact: NormalisedContact, warnings } | { ok: false, problems: ContactProblem[] }
 *   consentTransition(current: ConsentStatus, change: ConsentChange) → { kind: 'change' | 'unchanged' } | { kind: 'refused', code, message }
 *   mergeContact(existing: ContactFields, incoming: NormalisedContact, policy: 'skip' | 'update' | 'overwrite') → MergeOutcome
 *   applyPatch(existing: ContactFields, patch: NormalisedContact) → MergeOutcome
 *   validateAttributes(values, definitions: Map<key, AttributeDefinition>, pathPrefix?) → { values, errors }
 */
export * from './rules/attributes.ts';
export * from './rules/consent.ts';
export * from './rules/contact-input.ts';
export * from './rules/merge.ts';
