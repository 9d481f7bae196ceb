import { createHash, generateKeyPairSync, verify as verifySignature } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SandboxSmtpServer } from '../../sandbox/smtp/index.ts';
import type { OutboundEmail } from '../types.ts';
import { SmtpConnector } from './index.ts';

function email(overrides: Partial<OutboundEmail> = {}): OutboundEmail {
  return {
    id: 'msg-0001',
    from: 'Boulangerie Martin <bonjour@boulangerie-martin.fr>',
    to: 'client@example.org',
    subject: 'Votre commande est prête',
    text: 'Bonjour, votre commande vous attend.',
    html: '<p>Bonjour, votre commande vous attend.</p>',
    ...overrides,
  };
}

function tcpHandles(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap' || r === 'TCPServerWrap').length;
}

/** The handle count once it has stopped moving (sockets of earlier tests finish closing). */
async function settledHandles(): Promise<number> {
  let last = tcpHandles();
  for (let stable = 0, i = 0; stable < 5 && i < 100; i++) {
    await new Promise((r) => setTimeout(r, 20));
    const now = tcpHandles();
    stable = now === last ? stable + 1 : 0;
    last = now;
  }
  return last;
}

async function until(check: () => boolean, timeoutMs = 5_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}

describe('SmtpConnector against the sandbox SMTP server', () => {
  let server: SandboxSmtpServer;
  let connector: SmtpConnector;

  beforeEach(async () => {
    server = new SandboxSmtpServer();
    await server.start();
    connector = new SmtpConnector({ host: '127.0.0.1', port: server.port, maxConnections: 2, maxMessages: 3 });
  });

  afterEach(async () => {
    await connector.close();
    await server.stop();
  });

  it('delivers a mail and answers its Message-ID as the provider id', async () => {
    const result = await connector.send(email());
    expect(result).toEqual({ ok: true, providerId: '<msg-0001@boulangerie-martin.fr>' });
    const [mail] = server.inbox('Client@Example.org');
    expect(mail?.messageId).toBe('<msg-0001@boulangerie-martin.fr>');
    expect(mail?.subject).toBe('Votre commande est prête');
    expect(mail?.text?.trim()).toBe('Bonjour, votre commande vous attend.');
    expect(mail?.html).toContain('<p>Bonjour');
    expect(mail?.envelope).toEqual({ from: 'bonjour@boulangerie-martin.fr', to: ['client@example.org'] });
    expect(mail?.headers['list-unsubscribe']).toBeUndefined();
  });

  it('adds RFC 8058 one-click unsubscribe headers to marketing mail, and keeps custom headers', async () => {
    const result = await connector.send(
      email({ unsubscribeUrl: 'https://sofy.example/u/abc123?t=x', headers: { 'X-Campaign': 'printemps', 'Message-ID': '<spoof@x>' } }),
    );
    expect(result.ok).toBe(true);
    const [mail] = server.inbox('client@example.org');
    expect(mail?.headers['list-unsubscribe']).toBe('<https://sofy.example/u/abc123?t=x>');
    expect(mail?.headers['list-unsubscribe-post']).toBe('List-Unsubscribe=One-Click');
    expect(mail?.headers['x-campaign']).toBe('printemps');
    expect(mail?.messageId).toBe('<msg-0001@boulangerie-martin.fr>');
  });

  it('refuses an unsubscribe URL that is not http(s) without touching the network', async () => {
    const result = await connector.send(email({ unsubscribeUrl: 'mailto:stop@example.org' }));
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid_message', retryable: false, attribution: 'platform' } });
    expect(server.all()).toHaveLength(0);
  });

  it('maps 550 on a magic "bounce" recipient to a permanent recipient failure', async () => {
    const result = await connector.send(email({ to: 'bounce-1@example.org' }));
    expect(result).toMatchObject({
      ok: false,
      error: { code: 'mailbox_unavailable', retryable: false, attribution: 'recipient', providerCode: '550 5.1.1' },
    });
    expect(result.ok === false && result.error.outcomeUnknown).toBeFalsy();
  });

  it('maps 451 on a magic "tempfail" recipient to a retryable operator failure', async () => {
    const result = await connector.send(email({ to: 'tempfail@example.org' }));
    expect(result).toMatchObject({
      ok: false,
      error: { code: 'smtp_tempfail', retryable: true, attribution: 'operator', providerCode: '451 4.3.0' },
    });
  });

  it('reports an unknown outcome when the connection is lost during DATA', async () => {
    const result = await connector.send(email({ to: 'disconnect@example.org' }));
    expect(result).toMatchObject({ ok: false, error: { code: 'connection_lost', retryable: true, outcomeUnknown: true } });
    // The pool is still usable afterwards.
    expect((await connector.send(email({ id: 'after', to: 'ok@example.org' }))).ok).toBe(true);
  });

  it('sends many messages in parallel through a small pool', async () => {
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) => connector.send(email({ id: `bulk-${i}`, to: `client${i % 3}@example.org` }))),
    );
    expect(results.every((r) => r.ok)).toBe(true);
    expect(server.all()).toHaveLength(12);
    expect(server.inbox('client0@example.org')).toHaveLength(4);
    expect(new Set(results.map((r) => (r.ok ? r.providerId : ''))).size).toBe(12);
  });

  it('signs with DKIM, covering the unsubscribe headers, with a signature that verifies', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const signing = new SmtpConnector({
      host: '127.0.0.1',
      port: server.port,
      dkim: { domainName: 'boulangerie-martin.fr', keySelector: 'sofy1', privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() },
    });
    try {
      const result = await signing.send(email({ unsubscribeUrl: 'https://sofy.example/u/1' }));
      expect(result.ok).toBe(true);
    } finally {
      await signing.close();
    }
    const [mail] = server.inbox('client@example.org');
    const raw = mail!.raw.toString('utf8');
    const headerEnd = raw.indexOf('\r\n\r\n');
    const headerLines = raw
      .slice(0, headerEnd)
      .split(/\r\n(?![ \t])/)
      .map((line) => ({ name: line.slice(0, line.indexOf(':')).toLowerCase(), line }));
    const dkimLine = headerLines.find((h) => h.name === 'dkim-signature')!.line;
    const tags = Object.fromEntries(
      dkimLine
        .slice(dkimLine.indexOf(':') + 1)
        .replace(/\s+/g, '')
        .split(';')
        .filter(Boolean)
        .map((t) => [t.slice(0, t.indexOf('=')), t.slice(t.indexOf('=') + 1)]),
    );
    expect(tags.d).toBe('boulangerie-martin.fr');
    expect(tags.s).toBe('sofy1');
    expect(tags.c).toBe('relaxed/relaxed');
    const signed = (tags.h as string).toLowerCase().split(':');
    expect(signed).toEqual(expect.arrayContaining(['from', 'subject', 'message-id', 'list-unsubscribe', 'list-unsubscribe-post']));

    // Relaxed body canonicalisation (RFC 6376 §3.4.4) and the body hash.
    const body = raw
      .slice(headerEnd + 4)
      .split('\r\n')
      .map((l) => l.replace(/[ \t]+/g, ' ').replace(/ $/, ''));
    while (body.length && body[body.length - 1] === '') body.pop();
    const bh = createHash('sha256').update(`${body.join('\r\n')}\r\n`).digest('base64');
    expect(tags.bh).toBe(bh);

    // Relaxed header canonicalisation (§3.4.2) of the signed fields, then the signature itself.
    const relax = (line: string) => {
      const colon = line.indexOf(':');
      return `${line.slice(0, colon).toLowerCase().trim()}:${line.slice(colon + 1).replace(/\r\n/g, '').replace(/[ \t]+/g, ' ').trim()}`;
    };
    const used = new Map<string, number>();
    const canon: string[] = [];
    for (const name of signed) {
      const all = headerLines.filter((h) => h.name === name);
      const n = used.get(name) ?? 0;
      const pick = all[all.length - 1 - n];
      used.set(name, n + 1);
      if (pick) canon.push(`${relax(pick.line)}\r\n`);
    }
    canon.push(relax(dkimLine).replace(/b=[^;]*$/, 'b='));
    const ok = verifySignature('sha256', Buffer.from(canon.join('')), publicKey, Buffer.from(tags.b as string, 'base64'));
    expect(ok).toBe(true);
  });
});

describe('SmtpConnector: authentication, TLS and connection failures', () => {
  it('authenticates when the relay requires it, and classifies bad credentials', async () => {
    const server = new SandboxSmtpServer({ auth: { user: 'sofy', pass: 's3cret' } });
    await server.start();
    const good = new SmtpConnector({ host: '127.0.0.1', port: server.port, auth: { user: 'sofy', pass: 's3cret' } });
    const bad = new SmtpConnector({ host: '127.0.0.1', port: server.port, auth: { user: 'sofy', pass: 'nope' } });
    const anonymous = new SmtpConnector({ host: '127.0.0.1', port: server.port });
    try {
      expect(await good.verify()).toEqual({ ok: true });
      expect((await good.send(email())).ok).toBe(true);
      expect(server.inbox('client@example.org')[0]?.user).toBe('sofy');
      expect(await bad.send(email())).toMatchObject({ ok: false, error: { code: 'auth_failed', retryable: false, attribution: 'platform' } });
      const refused = await anonymous.send(email());
      expect(refused.ok).toBe(false);
      expect(refused.ok === false && refused.error.retryable).toBe(false);
    } finally {
      await Promise.all([good.close(), bad.close(), anonymous.close()]);
      await server.stop();
    }
  });

  it('upgrades with STARTTLS when offered, and fails cleanly when TLS is required but missing', async () => {
    const tlsServer = new SandboxSmtpServer({ starttls: true });
    const plainServer = new SandboxSmtpServer();
    await Promise.all([tlsServer.start(), plainServer.start()]);
    const viaTls = new SmtpConnector({ host: '127.0.0.1', port: tlsServer.port, requireTLS: true, tls: { rejectUnauthorized: false } });
    const strict = new SmtpConnector({ host: '127.0.0.1', port: plainServer.port, requireTLS: true });
    const verifying = new SmtpConnector({ host: '127.0.0.1', port: tlsServer.port, requireTLS: true });
    try {
      expect((await viaTls.send(email())).ok).toBe(true);
      expect(tlsServer.inbox('client@example.org')).toHaveLength(1);
      // smtp-server's built-in test certificate is not trusted: a verifying client refuses it.
      expect(await verifying.send(email())).toMatchObject({ ok: false, error: { code: 'tls_failed', retryable: false, attribution: 'platform' } });
      expect(tlsServer.inbox('client@example.org')).toHaveLength(1);
      const refused = await strict.send(email());
      expect(refused).toMatchObject({ ok: false, error: { code: 'tls_failed', retryable: false, attribution: 'platform' } });
      expect(plainServer.all()).toHaveLength(0);
    } finally {
      await Promise.all([viaTls.close(), strict.close(), verifying.close()]);
      await Promise.all([tlsServer.stop(), plainServer.stop()]);
    }
  });

  it('reports a refused connection as retryable with a known (not sent) outcome', async () => {
    const server = new SandboxSmtpServer();
    const { port } = await server.start();
    await server.stop();
    const connector = new SmtpConnector({ host: '127.0.0.1', port, maxRequeues: 0 });
    try {
      const result = await connector.send(email());
      expect(result).toMatchObject({ ok: false, error: { code: 'connection_failed', retryable: true, attribution: 'operator' } });
      expect(result.ok === false && result.error.outcomeUnknown).toBeFalsy();
    } finally {
      await connector.close();
    }
  });

  it('leaves no open sockets or servers once closed and stopped', async () => {
    const before = await settledHandles();
    const server = new SandboxSmtpServer();
    await server.start();
    const connector = new SmtpConnector({ host: '127.0.0.1', port: server.port, maxConnections: 3 });
    await Promise.all(Array.from({ length: 6 }, (_, i) => connector.send(email({ id: `h-${i}` }))));
    expect(tcpHandles()).toBeGreaterThan(before);
    await connector.close();
    await server.stop();
    expect(await until(() => tcpHandles() <= before)).toBe(true);
    expect(await connector.send(email())).toMatchObject({ ok: false, error: { code: 'connector_closed' } });
  });
});
