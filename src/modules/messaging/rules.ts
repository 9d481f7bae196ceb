/**
 * The messaging module's contract rules (R-ENCODING, R-QUIET, R-STOP, R-OPTOUT, R-ALERT, sender
 * IDs, prices), as pure functions: no I/O, and the current instant is always a parameter.
 * One file per rule in rules/, each with its unit tests beside it.
 */
export * from './rules/alert-classifier.ts';
export * from './rules/encoding.ts';
export * from './rules/opt-out.ts';
export * from './rules/phone.ts';
export * from './rules/pricing.ts';
export * from './rules/quiet-hours.ts';
export * from './rules/sender.ts';
export * from './rules/stop-mention.ts';
export * from './rules/zoned-time.ts';
export * from './rules/whatsapp-template.ts';
