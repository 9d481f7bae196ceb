export { auditRoutes, AuditEntrySchema } from './routes.ts';
export { AuditService, queryAuditLog, auditEntryView, type AuditEntryView } from './service.ts';
