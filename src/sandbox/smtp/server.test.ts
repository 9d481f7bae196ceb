import { connect, type Socket } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SandboxSmtpServer } from './index.ts';

/** A bare SMTP client: sends one line at a time and returns the server's complete reply. */
class RawSmtp {
  #buffer = '';
  #waiting: ((reply: string) => void) | undefined;
  constructor(private readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      this.#buffer += chunk;
      const lines = this.#buffer.split('\r\n');
      const last = lines.findLast((l, i) => i < lines.length - 1 && /^\d{3} /.test(l));
      if (last && this.#waiting) {
        const reply = this.#buffer;
        this.#buffer = '';
        const w = this.#waiting;
        this.#waiting = undefined;
        w(reply.trim());
      }
    });
  }
  static async open(port: number): Promise<{ client: RawSmtp; greeting: string }> {
    const socket = connect(port, '127.0.0.1');
    const client = new RawSmtp(socket);
    const greeting = await client.#next();
    return { client, greeting };
  }
  #next(): Promise<string> {
    return new Promise((resolve) => {
      this.#waiting = resolve;
    });
  }
  send(line: string): Promise<string> {
    const reply = this.#next();
    this.socket.write(`${line}\r\n`);
    return reply;
  }
  close(): void {
    this.socket.destroy();
  }
}

describe('SandboxSmtpServer (raw SMTP)', () => {
  let server: SandboxSmtpServer;
  beforeEach(async () => {
    server = new SandboxSmtpServer();
    await server.start();
  });
  afterEach(async () => {
    await server.stop();
  });

  it('speaks SMTP, applies the magic recipients at RCPT TO and stores mail per recipient', async () => {
    const { client, greeting } = await RawSmtp.open(server.port);
    try {
      expect(greeting).toMatch(/^220 /);
      expect(await client.send('EHLO test.local')).toMatch(/^250/);
      expect(await client.send('MAIL FROM:<shop@example.fr>')).toMatch(/^250/);
      expect(await client.send('RCPT TO:<Bounce.me@example.org>')).toMatch(/^550 5\.1\.1/);
      expect(await client.send('RCPT TO:<someone.tempfail@example.org>')).toMatch(/^451 4\.3\.0/);
      expect(await client.send('RCPT TO:<alice@example.org>')).toMatch(/^250/);
      expect(await client.send('RCPT TO:<bob@example.org>')).toMatch(/^250/);
      expect(await client.send('DATA')).toMatch(/^354/);
      const reply = await client.send(
        ['From: Shop <shop@example.fr>', 'To: alice@example.org, bob@example.org', 'Subject: =?UTF-8?Q?Bient=C3=B4t?=',
          'Message-ID: <raw-1@example.fr>', 'Content-Type: text/plain; charset=utf-8', '', 'Hello', '.'].join('\r\n'),
      );
      expect(reply).toMatch(/^250/);
      expect(await client.send('QUIT')).toMatch(/^221/);
    } finally {
      client.close();
    }
    const [alice] = server.inbox('ALICE@example.org');
    expect(alice?.subject).toBe('Bientôt');
    expect(alice?.messageId).toBe('<raw-1@example.fr>');
    expect(alice?.envelope).toEqual({ from: 'shop@example.fr', to: ['alice@example.org', 'bob@example.org'] });
    expect(alice?.to).toEqual(['alice@example.org', 'bob@example.org']);
    expect(server.inbox('bob@example.org')[0]).toBe(alice);
    expect(server.inbox('bounce.me@example.org')).toEqual([]);
    expect(server.all()).toHaveLength(1);
    server.clear();
    expect(server.all()).toHaveLength(0);
    expect(server.inbox('alice@example.org')).toHaveLength(0);
  });

  it('requires authentication when configured', async () => {
    const secured = new SandboxSmtpServer({ auth: { user: 'u', pass: 'p' } });
    await secured.start();
    const { client } = await RawSmtp.open(secured.port);
    try {
      expect(await client.send('EHLO test.local')).toContain('AUTH PLAIN LOGIN');
      expect(await client.send('MAIL FROM:<shop@example.fr>')).toMatch(/^530/);
      expect(await client.send(`AUTH PLAIN ${Buffer.from('\0u\0wrong').toString('base64')}`)).toMatch(/^535/);
      expect(await client.send(`AUTH PLAIN ${Buffer.from('\0u\0p').toString('base64')}`)).toMatch(/^235/);
      expect(await client.send('MAIL FROM:<shop@example.fr>')).toMatch(/^250/);
    } finally {
      client.close();
      await secured.stop();
    }
  });

  it('lets a caller wait for mail that is still on its way', async () => {
    const waiting = server.waitForMail('late@example.org');
    const { client } = await RawSmtp.open(server.port);
    try {
      await client.send('HELO x');
      await client.send('MAIL FROM:<a@b.c>');
      await client.send('RCPT TO:<late@example.org>');
      await client.send('DATA');
      await client.send('Subject: later\r\n\r\nbody\r\n.');
    } finally {
      client.close();
    }
    const mails = await waiting;
    expect(mails[0]?.subject).toBe('later');
    await expect(server.waitForMail('nobody@example.org', 1, 50)).rejects.toThrow(/no mail/);
  });
});
