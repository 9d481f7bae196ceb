export { WebhookDeliverer } from './deliverer.ts';
export { webhookRoutes } from './routes.ts';
export { signWebhook, verifyWebhook, webhookHeaders, WEBHOOK_EVENT_TYPES } from './rules.ts';
export { enqueueWebhookEvent, WebhooksService } from './service.ts';
