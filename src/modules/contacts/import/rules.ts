/**
 * The contact import's rules (issue 4) as pure functions: file detection (format, encoding,
 * delimiter, header), the streaming CSV reader, column mapping, row evaluation, consent
 * configuration (R-CONSENT) and progress. One file per rule in rules/, unit-tested beside it.
 */
export * from './rules/checkpoint.ts';
export * from './rules/consent.ts';
export * from './rules/csv.ts';
export * from './rules/detect.ts';
export * from './rules/mapping.ts';
export * from './rules/preview.ts';
export * from './rules/progress.ts';
export * from './rules/rows.ts';
