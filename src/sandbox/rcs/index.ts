export {
  RBM_FEATURES,
  SandboxRbm,
  type RbmWebhookDelivery,
  type RcsMessageState,
  type SandboxRbmOptions,
  type SentRcs,
} from './server.ts';
