/**
 * The segments module's rules (issue 4) as pure functions: no I/O, "now" always a parameter.
 * One file per rule in rules/, each with its unit tests beside it.
 *
 *   validateDefinition(input, { attributes, segments, selfId? }, pathPrefix?) → normalised tree | errors with JSON pointers
 *   ATTRIBUTE_OPERATORS / FIELD_OPERATORS / operandOf: what each field or attribute type accepts
 *   referencesOf(definition), findCycle(start, uses, graph), expansionOf(definition, lookup, rootId?)
 *   civilDayOf / startOfCivilDay / boundsOf: Europe/Paris days of date conditions
 */
export * from './rules/dates.ts';
export * from './rules/operators.ts';
export * from './rules/references.ts';
export * from './rules/validate.ts';
