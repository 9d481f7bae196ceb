/** The messaging services (issue 3): send API, dispatch, receipts, inbound, opt-outs. */
export { type ConnectorStatus, Router } from './connectors.ts';
export { Dispatcher } from './dispatcher.ts';
export { InboundHandler, UnsubscribeTokens } from './inbound.ts';
export { messagingHousekeepingJob } from './jobs.ts';
export { OptOutsService } from './optouts.ts';
export { providerWebhookRoutes } from './provider-webhooks.ts';
export { unsubscribeRoutes } from './public-routes.ts';
export { ReceiptSink } from './receipts.ts';
export { messagingRoutes } from './routes.ts';
export { endpointsFromConfig, MessagingRuntime, type ProviderEndpoints } from './runtime.ts';
export { sandboxRoutes } from './sandbox-routes.ts';
export { MessagingService } from './service.ts';
export { SmppCredentialsService, SmppGateway, smppCredentialRoutes, smppGatewayHousekeepingJob } from './smpp-gateway/index.ts';
export { SendersService } from './senders.ts';
export { whatsappTemplateRoutes } from './whatsapp-template-routes.ts';
export { type TemplateApi, type TemplateView, WhatsAppTemplatesService } from './whatsapp-templates.ts';
