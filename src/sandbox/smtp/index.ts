export { SandboxSmtpServer, type ReceivedMail, type SandboxSmtpOptions } from './server.ts';
