import type { Clock } from '../platform/clock.ts';
import { SandboxRbm } from './rcs/index.ts';
import { SandboxSmsc } from './smsc/index.ts';
import { SandboxSmtpServer } from './smtp/index.ts';
import { SandboxWhatsAppCloud } from './whatsapp/index.ts';
import { SandboxVies } from './vies.ts';

/** Credentials the simulators accept; the platform uses them in sandbox mode. */
export const SANDBOX_CREDENTIALS = {
  smpp: { systemId: 'sofy', password: 'sandbox' },
  whatsapp: { accessToken: 'sandbox-whatsapp-token', appSecret: 'sandbox-app-secret', verifyToken: 'sandbox-verify-token' },
  rcs: { token: 'sandbox-rbm-token', clientToken: 'sandbox-client-token' },
} as const;

export interface SandboxOptions {
  ports: { smpp: number; smtp: number; whatsapp: number; rcs: number };
  /** Where the WhatsApp and RCS simulators post their webhooks (the SOFY API). */
  apiUrl: string;
  rcsAgentId: string;
  /** The VIES REST simulator's port (billing, R-VAT); 0 or absent: any free port. */
  viesPort?: number;
  clock?: Clock;
}

/**
 * Every outside party, simulated on loopback with its real protocol: an SMSC (SMPP 3.4), an SMTP
 * server, the WhatsApp Cloud API and RCS Business Messaging, each with "magic" numbers that
 * trigger faults. `sofy start` runs them so the whole platform works offline.
 */
export class Sandbox {
  readonly smsc: SandboxSmsc;
  readonly smtp: SandboxSmtpServer;
  readonly whatsapp: SandboxWhatsAppCloud;
  readonly rcs: SandboxRbm;
  readonly vies: SandboxVies;

  constructor(options: SandboxOptions) {
    this.smsc = new SandboxSmsc({ host: '127.0.0.1', port: options.ports.smpp, ...SANDBOX_CREDENTIALS.smpp });
    this.smtp = new SandboxSmtpServer({ host: '127.0.0.1', port: options.ports.smtp });
    this.whatsapp = new SandboxWhatsAppCloud({
      host: '127.0.0.1',
      port: options.ports.whatsapp,
      accessToken: SANDBOX_CREDENTIALS.whatsapp.accessToken,
      appSecret: SANDBOX_CREDENTIALS.whatsapp.appSecret,
      callbackUrl: `${options.apiUrl}/webhooks/whatsapp`,
      ...(options.clock ? { clock: options.clock } : {}),
    });
    this.vies = new SandboxVies({ host: '127.0.0.1', port: options.viesPort ?? 0, ...(options.clock ? { clock: options.clock } : {}) });
    this.rcs = new SandboxRbm({
      host: '127.0.0.1',
      port: options.ports.rcs,
      token: SANDBOX_CREDENTIALS.rcs.token,
      clientToken: SANDBOX_CREDENTIALS.rcs.clientToken,
      callbackUrl: `${options.apiUrl}/webhooks/rcs`,
      agentId: options.rcsAgentId,
      ...(options.clock ? { clock: options.clock } : {}),
    });
  }

  async start(): Promise<SandboxEndpoints> {
    const [smsc, smtp, whatsapp, rcs, vies] = await Promise.all([this.smsc.start(), this.smtp.start(), this.whatsapp.start(), this.rcs.start(), this.vies.start()]);
    return {
      smpp: { host: smsc.host, port: smsc.port },
      smtp: { host: smtp.host, port: smtp.port },
      whatsappUrl: whatsapp,
      rcsUrl: rcs,
      viesUrl: vies,
    };
  }

  async stop(): Promise<void> {
    await Promise.allSettled([this.smsc.stop(), this.smtp.stop(), this.whatsapp.stop(), this.rcs.stop(), this.vies.stop()]);
  }
}

export interface SandboxEndpoints {
  smpp: { host: string; port: number };
  smtp: { host: string; port: number };
  whatsappUrl: string;
  rcsUrl: string;
  /** VIES REST base URL (billing). */
  viesUrl: string;
}
