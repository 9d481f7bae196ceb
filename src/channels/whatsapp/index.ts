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
