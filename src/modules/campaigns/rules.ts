/**
 * The campaigns module's rules (issue 4, SoReach), as pure functions: templates and merge fields,
 * A/B groups and the winner, the throttle timeline under R-QUIET, the campaign life cycle,
 * content checks and recipient classes, and how reports count. One file per rule in rules/, each
 * with its unit tests beside it. Message rules (R-STOP, R-ENCODING, R-QUIET per recipient, prices)
 * are the messaging module's, never repeated here.
 */
export * from './rules/ab.ts';
export * from './rules/content.ts';
export * from './rules/lifecycle.ts';
export * from './rules/report.ts';
export * from './rules/schedule.ts';
export * from './rules/template.ts';
