export { WhatsAppCloudConnector, buildMessageBody, type WhatsAppCloudOptions } from './connector.ts';
export { META_ERRORS, classifyMetaError, graphErrorOf, metaAttribution, metaRule, type GraphError, type MetaErrorRule } from './errors.ts';
export {
  parseWebhook,
  signPayload,
  verifySignature,
  verifySubscription,
  type WaChangeValue,
  type WaError,
  type WaInboundMessage,
  type WaStatus,
  type WaWebhookPayload,
} from './webhook.ts';
export {
  parseTemplateStatusUpdates,
  TEMPLATE_EXISTS_SUBCODES,
  WhatsAppTemplatesClient,
  type TemplateResult,
  type TemplateStatusUpdate,
  type WaTemplate,
  type WaTemplateButton,
  type WaTemplateCategory,
  type WaTemplateComponent,
  type WaTemplateDefinition,
  type WaTemplateStatus,
  type WhatsAppTemplatesOptions,
} from './templates.ts';
