export {
  MAGIC_NUMBERS,
  SandboxSmsc,
  type SandboxEncoding,
  type SandboxMessage,
  type SandboxOutcome,
  type SandboxSmscLogger,
  type SandboxSmscOptions,
  type SandboxSmscStats,
  type SandboxSubmitFields,
  type SendMoOptions,
} from './server.ts';
