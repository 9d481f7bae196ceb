/** SoReach contacts (issue 4): contacts, consent, attributes, activity, export. */
export * from './rules.ts';
export {
  attributeDefinitionMap,
  type BatchConsent,
  consentBlocksMarketingSql,
  consentSummaryOf,
  type ContactRow,
  listAttributeDefinitions,
  lockContactsAgainstErasure,
  recordContactActivity,
  recordOptOut,
  type UpsertResult,
  type UpsertRow,
  type UpsertStatus,
  upsertContacts,
} from './repo.ts';
export { type ContactTables, contactsTx, type CTx } from './db.ts';
export { ContactsService, type ContactDetail, type ContactView } from './service.ts';
export { contactRoutes } from './routes.ts';
