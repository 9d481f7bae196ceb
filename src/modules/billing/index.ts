/** The billing module's public face (issue 5): other modules and the composition root import from here only. */
export { billingJobs, type MailerFactory } from './jobs.ts';
export { billingPublicRoutes, billingRoutes } from './routes.ts';
export { Billing, type BillingOptions } from './service.ts';
export type { ContractView, OrderFormInput, OrderFormView } from './contracts.ts';
export type { DunningCaseView, Mailer } from './dunning.ts';
export type { InvoiceView, RunView } from './invoicing.ts';
export type { PaymentView } from './payments.ts';
export { HttpViesClient, noVies, type ViesAnswer, type ViesClient } from './vies.ts';
