export { tenantRoutes, TenantSchema } from './routes.ts';
export { TenantAdministration, TenantsService, tenantView, type CreatedTenant, type NewTenant, type TenantView } from './service.ts';
export { DEFAULT_SETTINGS, settingsOf, type TenantSettings } from './rules.ts';
