export { SmtpConnector, buildMessageId, type SmtpConnectorOptions, type SmtpDkimOptions } from './connector.ts';
export { classifySmtpError, parseEnhancedStatus, type SmtpFailure } from './errors.ts';
