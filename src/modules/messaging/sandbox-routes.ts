import { Type } from 'typebox';
import type { Sandbox } from '../../sandbox/index.ts';
import { errorResponses } from '../../platform/http/schemas.ts';
import { type App, contextOf } from '../../platform/http/server.ts';
import { AppError } from '../../platform/errors.ts';
import { normalisePhoneNumber } from './rules.ts';

export interface SandboxItem {
  channel: 'sms' | 'whatsapp' | 'rcs' | 'email';
  direction: 'received' | 'sent';
  from: string;
  to: string;
  text: string;
  subject?: string;
  at: string;
  outcome?: string;
}

/**
 * The "sandbox phones" of the console: what each simulated handset or mailbox received, and a way
 * to answer (STOP included) as the recipient would. Only in sandbox mode; the simulators are
 * shared by every tenant of this installation, so this is a development tool, not tenant data.
 */
export function sandboxRoutes(app: App, sandbox: Sandbox, defaults: { shortCode: string }): void {
  const tags = ['Sandbox'];
  const phoneOf = (raw: string) => {
    const phone = normalisePhoneNumber(raw);
    if ('error' in phone) throw new AppError('invalid_phone_number', phone.message, { errors: [{ path: '/params/number', message: phone.message }] });
    return phone.e164;
  };

  app.get('/v1/sandbox/phones', { config: { auth: 'console' }, schema: { tags, summary: 'Simulated handsets that received something' } }, async (request) => {
    contextOf(request);
    const counts = new Map<string, number>();
    const add = (number: string) => counts.set(number, (counts.get(number) ?? 0) + 1);
    for (const m of sandbox.smsc.allMessages()) if (m.direction === 'mt') add(`+${m.to.replace(/^\+/, '')}`);
    for (const m of sandbox.whatsapp.all()) add(`+${String(m.to).replace(/^\+/, '')}`);
    for (const m of sandbox.rcs.all()) add(`+${String(m.to).replace(/^\+/, '')}`);
    return { data: [...counts].map(([number, messages]) => ({ number, messages })).sort((a, b) => b.messages - a.messages) };
  });

  app.get(
    '/v1/sandbox/phones/:number',
    { config: { auth: 'console' }, schema: { tags, summary: 'What a simulated handset received and sent', params: Type.Object({ number: Type.String({ maxLength: 30 }) }) } },
    async (request) => {
      contextOf(request);
      const number = phoneOf(request.params.number);
      const digits = number.slice(1);
      const items: SandboxItem[] = [];
      for (const m of sandbox.smsc.allMessages()) {
        const to = m.to.replace(/^\+/, '');
        const from = m.from.replace(/^\+/, '');
        if (m.direction === 'mt' && to === digits) items.push({ channel: 'sms', direction: 'received', from: m.from, to: number, text: m.text, at: m.receivedAt.toISOString(), ...(m.outcome ? { outcome: String(m.outcome) } : {}) });
        if (m.direction === 'mo' && from === digits) items.push({ channel: 'sms', direction: 'sent', from: number, to: m.to, text: m.text, at: m.receivedAt.toISOString() });
      }
      for (const m of sandbox.whatsapp.inbox(digits)) items.push({ channel: 'whatsapp', direction: 'received', from: String(m.phoneNumberId), to: number, text: m.text ?? `[template ${m.template?.name ?? ''}]`, at: m.at.toISOString() });
      for (const m of sandbox.rcs.inbox(number)) items.push({ channel: 'rcs', direction: 'received', from: m.agentId, to: number, text: m.text ?? '', at: m.at.toISOString(), outcome: m.state });
      items.sort((a, b) => a.at.localeCompare(b.at));
      return { number, data: items };
    },
  );

  app.post(
    '/v1/sandbox/phones/:number/reply',
    {
      config: { auth: 'console' },
      schema: {
        tags,
        summary: 'Answer as the handset (e.g. STOP)',
        params: Type.Object({ number: Type.String({ maxLength: 30 }) }),
        body: Type.Object(
          { channel: Type.Union([Type.Literal('sms'), Type.Literal('whatsapp'), Type.Literal('rcs')]), text: Type.String({ minLength: 1, maxLength: 1000 }), to: Type.Optional(Type.String({ maxLength: 20 })) },
          { additionalProperties: false },
        ),
        response: { 202: Type.Object({ sent: Type.Boolean() }), ...errorResponses },
      },
    },
    async (request, reply) => {
      contextOf(request);
      const number = phoneOf(request.params.number);
      const { channel, text } = request.body;
      if (channel === 'sms') await sandbox.smsc.sendMo({ from: number.slice(1), to: request.body.to ?? defaults.shortCode, text });
      else if (channel === 'whatsapp') await sandbox.whatsapp.simulateInbound({ from: number.slice(1), text });
      else await sandbox.rcs.simulateInbound({ from: number, text });
      return reply.status(202).send({ sent: true });
    },
  );

  app.post(
    '/v1/sandbox/phones/:number/rcs-unsubscribe',
    {
      config: { auth: 'console' },
      schema: {
        tags,
        summary: 'Unsubscribe the handset from the RCS agent, as in Google Messages (the keyword, then the UNSUBSCRIBE event)',
        params: Type.Object({ number: Type.String({ maxLength: 30 }) }),
        body: Type.Object(
          { keyword: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 40 }), Type.Literal(false)], { description: 'The keyword Google Messages sends with the event (default STOP); false: the event alone' })) },
          { additionalProperties: false },
        ),
        response: { 202: Type.Object({ sent: Type.Boolean() }), ...errorResponses },
      },
    },
    async (request, reply) => {
      contextOf(request);
      const number = phoneOf(request.params.number);
      await sandbox.rcs.simulateUnsubscribe({ from: number, ...(request.body.keyword !== undefined ? { keyword: request.body.keyword } : {}) });
      return reply.status(202).send({ sent: true });
    },
  );

  app.get(
    '/v1/sandbox/mailboxes/:address',
    { config: { auth: 'console' }, schema: { tags, summary: 'What a simulated mailbox received', params: Type.Object({ address: Type.String({ maxLength: 254 }) }) } },
    async (request) => {
      contextOf(request);
      const mails = sandbox.smtp.inbox(request.params.address);
      return {
        address: request.params.address,
        data: mails.map((m) => ({ from: m.envelope.from, subject: m.subject, text: m.text, html: m.html, at: m.receivedAt.toISOString(), unsubscribe: m.headers['list-unsubscribe'] ?? null })),
      };
    },
  );
}
