export { RbmConnector, buildAgentMessage, type CapabilityResult, type RbmConnectorOptions, type RevokeResult } from './connector.ts';
export { classifyGoogleError, googleErrorOf, type GoogleApiError } from './errors.ts';
export {
  decodeRbmEvent,
  parseWebhook,
  signRbm,
  verifyRegistration,
  verifySignature,
  type RbmPushEnvelope,
  type RbmServerEvent,
  type RbmSubscriptionChange,
  type RbmUserEvent,
  type RbmUserMessage,
} from './webhook.ts';
