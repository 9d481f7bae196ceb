import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { type DkimConfig, readDkim, readSmppRoutes, type SmppRouteConfig } from './messaging-providers-config.ts';

/**
 * Configuration comes from the environment only, is validated once at boot, and every problem
 * is reported at once with the variable's name, so a mistyped deployment fails before it serves.
 */
export interface Config {
  port: number;
  host: string;
  /** Where the embedded PostgreSQL cluster, the secret key and the lock live. */
  dataDir: string;
  /** External PostgreSQL (≥ 15) for migrations and, unless `appDatabaseUrl` is set, the app. */
  databaseUrl: string | undefined;
  /** Optional separate login for the application role (non-superuser, RLS applies). */
  appDatabaseUrl: string | undefined;
  /** 32-byte key (base64 or hex); generated into the data dir on first start when absent. */
  secretKey: string | undefined;
  tls: { certPath: string; keyPath: string } | undefined;
  publicUrl: string;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  trustProxy: boolean;
  dbPoolSize: number;
  embeddedPgPort: number | undefined;
  rateLimit: { perApiKeyPerMinute: number; perIpPerMinute: number; loginPerIpPerMinute: number };
  /** Create the demo tenant on the first start of an empty database. */
  demo: boolean;
  messaging: MessagingConfig;
  billing: BillingConfig;
}

/** Billing (issue 5): VIES, the sender of billing emails, SOFY's bank and SEPA creditor ids. */
export interface BillingConfig {
  /** VIES REST base URL; unset: the sandbox simulator in sandbox mode, the European Commission's otherwise. */
  viesUrl: string | undefined;
  /** Port of the VIES simulator that `sofy start` runs in sandbox mode (0: any free port). */
  sandboxViesPort: number;
  /** From: of formal notices and SEPA pre-notifications. */
  emailFrom: string;
  /** Overrides of SOFY's payment details printed on invoices and used in SEPA files. */
  iban: string | undefined;
  bic: string | undefined;
  sepaCreditorId: string | undefined;
}

/**
 * Providers. In sandbox mode (the default) `sofy start` runs a simulator of each provider on
 * loopback (SMSC, SMTP server, WhatsApp Cloud API, RCS Business Messaging) and routes to it;
 * otherwise each provider is configured by URL and credentials.
 */
export interface MessagingConfig {
  sandbox: boolean;
  sandboxPorts: { smpp: number; smtp: number; whatsapp: number; rcs: number };
  /** smpp://system_id:password@host:port */
  smppUrl: string | undefined;
  /** The SMPP connections and what each carries (`SOFY_SMPP_ROUTES`, or one route from `SOFY_SMPP_URL`). */
  smppRoutes: SmppRouteConfig[];
  /** DKIM signing of outgoing email, when configured. */
  dkim: DkimConfig | undefined;
  /** Submissions per second to the SMSC (token bucket) and in-flight window. */
  smppThroughput: number;
  smppWindow: number;
  /**
   * A dispatcher that claimed messages and died is replaced after this long: its messages go to
   * another dispatcher (duplicate policy). Longer than the slowest batch (submit timeouts).
   */
  dispatchLeaseSeconds: number;
  /**
   * Whether `sofy worker` and `sofy start` send messages from the outbox (true), or a worker only
   * runs background jobs (imports, fan-outs, billing) while other processes dispatch.
   */
  dispatch: boolean;
  /** smtp(s)://user:password@host:port */
  smtpUrl: string | undefined;
  emailFrom: string;
  whatsapp: {
    baseUrl: string | undefined;
    token: string | undefined;
    phoneNumberId: string;
    appSecret: string | undefined;
    verifyToken: string | undefined;
    /** The WhatsApp Business Account (WABA) whose message templates SOFY manages. */
    businessAccountId: string;
  };
  rcs: { baseUrl: string | undefined; token: string | undefined; agentId: string; clientToken: string | undefined };
  /** The short code in the default STOP mention (R-STOP). */
  stopShortCode: string;
  /** Let webhook endpoints be on loopback or private networks (development, sandbox). */
  webhooksAllowPrivateNetworks: boolean;
  /** SOFY as an SMSC for tenants' own SMPP clients (docs/smpp.md). */
  smppGateway: { enabled: boolean; host: string; port: number; throughput: number; window: number };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

export function loadConfig(env: Env = process.env, cwd = process.cwd()): Config {
  const problems: string[] = [];
  const read = new EnvReader(env, problems);

  const port = read.int('PORT', 3000, 0, 65535);
  const tlsCert = read.str('SOFY_TLS_CERT');
  const tlsKey = read.str('SOFY_TLS_KEY');
  let tls: Config['tls'];
  if (tlsCert || tlsKey) {
    if (!tlsCert || !tlsKey) problems.push('SOFY_TLS_CERT and SOFY_TLS_KEY go together: set both or neither');
    else {
      for (const [name, path] of [['SOFY_TLS_CERT', tlsCert], ['SOFY_TLS_KEY', tlsKey]] as const) {
        if (!existsSync(resolve(cwd, path))) problems.push(`${name}: file not found (${path})`);
      }
      tls = { certPath: resolve(cwd, tlsCert), keyPath: resolve(cwd, tlsKey) };
    }
  }
  const databaseUrl = read.url('DATABASE_URL', ['postgres:', 'postgresql:']);
  const appDatabaseUrl = read.url('SOFY_APP_DATABASE_URL', ['postgres:', 'postgresql:']);
  if (appDatabaseUrl && !databaseUrl) problems.push('SOFY_APP_DATABASE_URL needs DATABASE_URL (the migration login) too');
  const secretKey = read.str('SOFY_SECRET_KEY');
  if (secretKey !== undefined && decodeSecretKey(secretKey) === undefined) {
    problems.push('SOFY_SECRET_KEY: must be 32 bytes, base64 or hex (e.g. `openssl rand -base64 32`)');
  }
  const host = read.str('HOST') ?? '127.0.0.1';
  const scheme = tls ? 'https' : 'http';
  const publicUrl = read.url('SOFY_PUBLIC_URL', ['http:', 'https:']) ?? `${scheme}://localhost:${port}`;
  const logLevel = read.oneOf('SOFY_LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], 'info');

  const config: Config = {
    port,
    host,
    dataDir: resolve(cwd, read.str('SOFY_DATA_DIR') ?? './data'),
    databaseUrl,
    appDatabaseUrl,
    secretKey,
    tls,
    publicUrl: publicUrl.replace(/\/$/, ''),
    logLevel,
    trustProxy: read.bool('SOFY_TRUST_PROXY', false),
    dbPoolSize: read.int('SOFY_DB_POOL_SIZE', 10, 1, 500),
    embeddedPgPort: read.optionalInt('SOFY_EMBEDDED_PG_PORT', 1024, 65535),
    rateLimit: {
      perApiKeyPerMinute: read.int('SOFY_RATE_LIMIT_API_KEY', 6000, 1, 10_000_000),
      perIpPerMinute: read.int('SOFY_RATE_LIMIT_IP', 1200, 1, 10_000_000),
      loginPerIpPerMinute: read.int('SOFY_RATE_LIMIT_LOGIN', 20, 1, 100_000),
    },
    demo: read.bool('SOFY_DEMO', true),
    messaging: readMessagingConfig(read, problems),
    billing: {
      viesUrl: read.url('SOFY_VIES_URL', ['http:', 'https:']),
      sandboxViesPort: read.int('SOFY_SANDBOX_VIES_PORT', 0, 0, 65535),
      emailFrom: read.str('SOFY_BILLING_EMAIL_FROM') ?? 'SOFY Facturation <facturation@sofy.localhost>',
      iban: read.str('SOFY_BILLING_IBAN'),
      bic: read.str('SOFY_BILLING_BIC'),
      sepaCreditorId: read.str('SOFY_SEPA_CREDITOR_ID'),
    },
  };
  if (problems.length) throw new ConfigError(problems);
  return config;
}

function readMessagingConfig(read: EnvReader, problems: string[]): MessagingConfig {
  const sandbox = read.bool('SOFY_SANDBOX', true);
  const smppUrl = read.url('SOFY_SMPP_URL', ['smpp:']);
  const smtpUrl = read.url('SOFY_SMTP_URL', ['smtp:', 'smtps:']);
  const smppThroughput = read.int('SOFY_SMPP_THROUGHPUT', 10_000, 1, 1_000_000);
  const smppWindow = read.int('SOFY_SMPP_WINDOW', 100, 1, 10_000);
  const smppRoutes = readSmppRoutes(read.str('SOFY_SMPP_ROUTES'), { url: smppUrl, throughput: smppThroughput, window: smppWindow }, problems);
  if (!sandbox && smppRoutes.some((route) => !route.url)) {
    problems.push('SOFY_SMPP_URL: required when SOFY_SANDBOX=false (smpp://system_id:password@host:port), or a url on every route of SOFY_SMPP_ROUTES');
  }
  const stopShortCode = read.str('SOFY_STOP_SHORT_CODE') ?? '36111';
  if (!/^\d{4,6}$/.test(stopShortCode)) problems.push('SOFY_STOP_SHORT_CODE: must be a short code of 4 to 6 digits');
  return {
    sandbox,
    sandboxPorts: {
      smpp: read.int('SOFY_SANDBOX_SMPP_PORT', 2775, 0, 65535),
      smtp: read.int('SOFY_SANDBOX_SMTP_PORT', 2525, 0, 65535),
      whatsapp: read.int('SOFY_SANDBOX_WHATSAPP_PORT', 3101, 0, 65535),
      rcs: read.int('SOFY_SANDBOX_RCS_PORT', 3102, 0, 65535),
    },
    smppUrl,
    smppRoutes,
    dkim: readDkim(
      { domain: read.str('SOFY_DKIM_DOMAIN'), selector: read.str('SOFY_DKIM_SELECTOR'), key: read.str('SOFY_DKIM_PRIVATE_KEY'), keyFile: read.str('SOFY_DKIM_PRIVATE_KEY_FILE') },
      problems,
    ),
    smppThroughput,
    smppWindow,
    dispatchLeaseSeconds: read.int('SOFY_DISPATCH_LEASE_SECONDS', 60, 2, 3600),
    dispatch: read.bool('SOFY_DISPATCH', true),
    smtpUrl,
    emailFrom: read.str('SOFY_EMAIL_FROM') ?? 'SOFY <no-reply@sofy.localhost>',
    whatsapp: {
      baseUrl: read.url('SOFY_WHATSAPP_BASE_URL', ['http:', 'https:']),
      token: read.str('SOFY_WHATSAPP_TOKEN'),
      phoneNumberId: read.str('SOFY_WHATSAPP_PHONE_NUMBER_ID') ?? '109876543210987',
      appSecret: read.str('SOFY_WHATSAPP_APP_SECRET'),
      verifyToken: read.str('SOFY_WHATSAPP_VERIFY_TOKEN'),
      businessAccountId: read.str('SOFY_WHATSAPP_BUSINESS_ACCOUNT_ID') ?? '100000000000001',
    },
    rcs: {
      baseUrl: read.url('SOFY_RCS_BASE_URL', ['http:', 'https:']),
      token: read.str('SOFY_RCS_TOKEN'),
      agentId: read.str('SOFY_RCS_AGENT_ID') ?? 'sofy_sandbox_agent',
      clientToken: read.str('SOFY_RCS_CLIENT_TOKEN'),
    },
    stopShortCode,
    webhooksAllowPrivateNetworks: read.bool('SOFY_WEBHOOKS_ALLOW_PRIVATE_NETWORKS', sandbox),
    smppGateway: {
      enabled: read.bool('SOFY_SMPP_GATEWAY', true),
      host: read.str('SOFY_SMPP_GATEWAY_HOST') ?? '127.0.0.1',
      port: read.int('SOFY_SMPP_GATEWAY_PORT', 2776, 0, 65535),
      throughput: read.int('SOFY_SMPP_GATEWAY_THROUGHPUT', 200, 0, 100_000),
      window: read.int('SOFY_SMPP_GATEWAY_WINDOW', 100, 1, 10_000),
    },
  };
}

/** Accepts 32 bytes as base64 (std or url) or 64 hex chars. */
export function decodeSecretKey(text: string): Buffer | undefined {
  const trimmed = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) return Buffer.from(trimmed, 'hex');
  if (!/^[A-Za-z0-9+/_-]{43}={0,1}$/.test(trimmed)) return undefined;
  const bytes = Buffer.from(trimmed, 'base64');
  return bytes.length === 32 ? bytes : undefined;
}

class EnvReader {
  constructor(
    private readonly env: Env,
    private readonly problems: string[],
  ) {}

  str(name: string): string | undefined {
    const value = this.env[name]?.trim();
    return value === '' ? undefined : value;
  }

  int(name: string, fallback: number, min: number, max: number): number {
    return this.optionalInt(name, min, max) ?? fallback;
  }

  optionalInt(name: string, min: number, max: number): number | undefined {
    const raw = this.str(name);
    if (raw === undefined) return undefined;
    const value = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
    if (!Number.isInteger(value) || value < min || value > max) {
      this.problems.push(`${name}: must be a whole number from ${min} to ${max} (got "${raw}")`);
      return undefined;
    }
    return value;
  }

  bool(name: string, fallback: boolean): boolean {
    const raw = this.str(name)?.toLowerCase();
    if (raw === undefined) return fallback;
    if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
    if (['0', 'false', 'no', 'off'].includes(raw)) return false;
    this.problems.push(`${name}: must be true or false (got "${raw}")`);
    return fallback;
  }

  url(name: string, protocols: string[]): string | undefined {
    const raw = this.str(name);
    if (raw === undefined) return undefined;
    try {
      const url = new URL(raw);
      if (!protocols.includes(url.protocol)) {
        this.problems.push(`${name}: must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`);
        return undefined;
      }
      return raw;
    } catch {
      this.problems.push(`${name}: not a valid URL`);
      return undefined;
    }
  }

  oneOf<T extends string>(name: string, values: readonly T[], fallback: T): T {
    const raw = this.str(name);
    if (raw === undefined) return fallback;
    if ((values as readonly string[]).includes(raw)) return raw as T;
    this.problems.push(`${name}: must be one of ${values.join(', ')} (got "${raw}")`);
    return fallback;
  }
}
