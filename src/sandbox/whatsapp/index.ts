export {
  SANDBOX_DISPLAY_NUMBER,
  SANDBOX_PHONE_NUMBER_ID,
  SANDBOX_WABA_ID,
  SandboxWhatsAppCloud,
  type SandboxTemplate,
  type SandboxWhatsAppOptions,
  type SentWhatsApp,
  type TemplateStatus,
  type WebhookDelivery,
} from './server.ts';
