/** The SMPP gateway for clients (wholesale offer): credentials, server, routes. See docs/smpp.md. */
export {
  type IssueSmppCredentialInput,
  lookupSmppCredential,
  type QuietHoursMode,
  type SmppCredentialView,
  SmppCredentialsService,
  systemIdForPrefix,
} from './credentials.ts';
export { smppGatewayHousekeepingJob } from './jobs.ts';
export { smppCredentialRoutes } from './routes.ts';
export { SMPP_STATUS, submitStatusForError } from './rules.ts';
export { SMPP_RECEIPTS_CHANNEL, SmppGateway, type SmppGatewayLogger, type SmppGatewayOptions, type SmppGatewayStats, type SubmitService } from './server.ts';
