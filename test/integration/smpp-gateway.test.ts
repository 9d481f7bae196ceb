import { sql } from 'kysely';
import smpp from 'smpp';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { encodeGsm7 } from '../../src/channels/smpp/index.ts';
import { FixedClock } from '../../src/platform/clock.ts';
import { withTenant } from '../../src/platform/db/tenant-context.ts';
import { actorOf, type ApiKeyPrincipal, type ServiceContext } from '../../src/platform/http/principal.ts';
import { buildServer, type App } from '../../src/platform/http/server.ts';
import { smppCredentialRoutes, SmppCredentialsService, SmppGateway } from '../../src/modules/messaging/smpp-gateway/index.ts';
import { eventually, type MessagingHarness, startMessaging } from '../support/messaging.ts';
import { bearer, createTenant, json, systemContext, type TenantFixture } from '../support/platform.ts';

/**
 * The SMPP gateway for clients over a real PostgreSQL, real SMPP on loopback (the `smpp`
 * package as the client) and a real dispatch to the sandbox SMSC: binds, submit_sm through the
 * send pipeline's rules, deliver_sm receipts, tenant isolation.
 */

// A fixed "now" in the past (the dispatcher's due times follow the database's clock), at 13:00 or
// 14:00 in Paris: marketing may leave. Tests only ever move it forward (message ids are UUIDv7).
const base = new Date();
base.setUTCDate(base.getUTCDate() - 3);
base.setUTCHours(12, 0, 0, 0);
const clock = new FixedClock(base);

let h: MessagingHarness;
let gateway: SmppGateway;
let routesApp: App;
let credentials: SmppCredentialsService;

interface Account {
  tenant: TenantFixture;
  admin: ServiceContext;
  keyId: string;
  keySecret: string;
  systemId: string;
  password: string;
}

const accounts: Record<'a' | 'b', Account> = {} as Record<'a' | 'b', Account>;

async function adminContext(tenant: TenantFixture): Promise<ServiceContext> {
  const principal = (await h.platform.services.auth.authenticateApiKey(`Bearer ${tenant.apiKey}`, '127.0.0.1')) as ApiKeyPrincipal;
  return { principal, actor: actorOf(principal), ip: '127.0.0.1', requestId: null };
}

async function sendingKey(
  admin: ServiceContext,
  options: { scopes?: string[]; allowedIps?: string[]; quietHours?: 'defer' | 'reject' } = {},
): Promise<{ keyId: string; keySecret: string; systemId: string; password: string }> {
  const created = await h.platform.services.apiKeys.create(admin, {
    name: `smpp ${Math.random().toString(36).slice(2, 7)}`,
    scopes: options.scopes ?? ['messages:marketing', 'messages:alert'],
    ...(options.allowedIps ? { allowedIps: options.allowedIps } : {}),
  });
  const issued = await credentials.issue(admin, created.apiKey.id, options.quietHours ? { quietHours: options.quietHours } : {});
  return { keyId: created.apiKey.id, keySecret: created.secret, systemId: issued.credential.systemId, password: issued.password };
}

async function account(name: string): Promise<Account> {
  const tenant = await createTenant(h.platform, name);
  const admin = await adminContext(tenant);
  return { tenant, admin, ...(await sendingKey(admin)) };
}

// ------------------------------------------------------------------------------ SMPP client

class Client {
  readonly deliveries: smpp.PDU[] = [];
  readonly unbinds: smpp.PDU[] = [];
  closed = false;
  private constructor(readonly session: smpp.Session) {
    session.on('pdu', (pdu) => {
      if (pdu.command === 'deliver_sm') {
        this.deliveries.push(pdu);
        session.send(pdu.response());
      } else if (pdu.command === 'unbind') {
        this.unbinds.push(pdu);
        session.send(pdu.response());
      } else if (pdu.command === 'enquire_link') {
        session.send(pdu.response());
      }
    });
    session.on('close', () => {
      this.closed = true;
    });
    session.on('error', () => {});
  }

  static async connect(port = gateway.port): Promise<Client> {
    const session = smpp.connect({ host: '127.0.0.1', port });
    await new Promise<void>((resolve, reject) => {
      session.once('connect', () => resolve());
      session.once('error', reject);
    });
    session.socket.setNoDelay(true);
    const client = new Client(session);
    clients.push(client);
    return client;
  }

  static async bound(credential: { systemId: string; password: string }, type: 'transceiver' | 'transmitter' | 'receiver' = 'transceiver', port?: number): Promise<Client> {
    const client = await Client.connect(port);
    const status = await client.bind(type, credential.systemId, credential.password);
    if (status !== 0) throw new Error(`bind refused: 0x${status.toString(16)}`);
    return client;
  }

  request(command: string, fields: smpp.PduFields): Promise<smpp.PDU> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no answer to ${command}`)), 10_000);
      const sent = this.session.send(new smpp.PDU(command, fields), (resp) => {
        clearTimeout(timer);
        resolve(resp);
      });
      if (!sent) reject(new Error('socket not writable'));
    });
  }

  async bind(type: 'transceiver' | 'transmitter' | 'receiver', systemId: string, password: string): Promise<number> {
    return (await this.request(`bind_${type}`, { system_id: systemId, password, system_type: '', interface_version: 0x34 })).command_status;
  }

  submit(fields: smpp.PduFields): Promise<smpp.PDU> {
    return this.request('submit_sm', {
      source_addr_ton: 5,
      source_addr_npi: 0,
      source_addr: 'OPTIQUE',
      dest_addr_ton: 1,
      dest_addr_npi: 1,
      registered_delivery: 0,
      data_coding: 0,
      ...fields,
    });
  }

  /** A GSM-7 text (data_coding 0, unpacked septets). */
  submitText(to: string, text: string, fields: smpp.PduFields = {}): Promise<smpp.PDU> {
    return this.submit({ destination_addr: to, short_message: encodeGsm7(text), ...fields });
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      this.session.once('close', () => resolve());
      this.session.destroy();
    });
  }
}

const clients: Client[] = [];

function receiptsOf(client: Client, messageId: string): smpp.PDU[] {
  return client.deliveries.filter((d) => d.receipted_message_id === messageId);
}

const receiptText = (pdu: smpp.PDU): string => {
  const sm = pdu.short_message;
  if (typeof sm === 'string') return sm;
  if (Buffer.isBuffer(sm)) return sm.toString('latin1');
  return typeof sm?.message === 'string' ? sm.message : (sm?.message.toString('latin1') ?? '');
};

async function messageRow(tenantId: string, id: string) {
  return withTenant(h.platform.database.db, tenantId, (tx) => tx.selectFrom('messages').selectAll().where('id', '=', id).executeTakeFirst());
}

// ------------------------------------------------------------------------------ setup

beforeAll(async () => {
  h = await startMessaging({ clock });
  credentials = new SmppCredentialsService(h.platform.database.db, clock, () => h.platform.services.auth.clearCache());
  gateway = new SmppGateway({
    db: h.platform.database.db,
    messaging: h.platform.services.messaging,
    clock,
    pool: h.platform.database.pool,
    port: 0,
    receiptPollMs: 250,
    tickMs: 100,
  });
  await gateway.start();
  routesApp = await buildServer({
    config: h.platform.config,
    authenticator: h.platform.services.auth,
    logger: false,
    ready: async () => true,
    routes: (scope) => smppCredentialRoutes(scope, credentials),
  });
  await routesApp.ready();
  accounts.a = await account('Grossiste A');
  accounts.b = await account('Grossiste B');
});

// Receipts go to any receiving bind of the credential: each test starts with no session open.
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

afterAll(async () => {
  await gateway?.stop();
  await routesApp?.close();
  await h?.close();
});

// ------------------------------------------------------------------------------ credentials

describe('SMPP credentials', () => {
  it('issues system_id = the key’s visible id and an 8-character password shown once, hashed at rest, audited', async () => {
    const admin = accounts.a.admin;
    const key = await h.platform.services.apiKeys.create(admin, { name: 'grossiste http', scopes: ['messages:alert'] });
    const response = await routesApp.inject({ method: 'POST', url: `/v1/api-keys/${key.apiKey.id}/smpp-credentials`, headers: bearer(accounts.a.tenant.apiKey) });
    expect(response.statusCode).toBe(201);
    const body = json<{ credential: { systemId: string; status: string; quietHours: string }; password: string }>(response);
    expect(body.credential).toMatchObject({ systemId: key.apiKey.prefix.slice(5), status: 'active', quietHours: 'defer' });
    expect(body.password).toMatch(/^[A-Za-z0-9]{8}$/);

    const stored = await withTenant(h.platform.database.db, accounts.a.tenant.tenantId, (tx) =>
      sql<{ password_hash: string }>`select password_hash from smpp_credentials where api_key_id = ${key.apiKey.id}`.execute(tx),
    );
    expect(stored.rows[0]?.password_hash).toMatch(/^\$argon2id\$/);
    expect(stored.rows[0]?.password_hash).not.toContain(body.password);

    const list = json<{ data: Array<Record<string, unknown>> }>(await routesApp.inject({ url: '/v1/smpp-credentials', headers: bearer(accounts.a.tenant.apiKey) }));
    const listed = list.data.find((c) => c.apiKeyId === key.apiKey.id);
    expect(listed).toMatchObject({ systemId: body.credential.systemId, apiKeyPrefix: key.apiKey.prefix });
    expect(JSON.stringify(list)).not.toContain(body.password);

    const audit = await withTenant(h.platform.database.db, accounts.a.tenant.tenantId, (tx) =>
      tx.selectFrom('audit_log').select(['action', 'summary']).where('action', 'like', 'smpp_credential.%').where('target_id', '=', key.apiKey.id).execute(),
    );
    expect(audit.map((e) => e.action)).toEqual(['smpp_credential.issued']);
    expect(JSON.stringify(audit)).not.toContain(body.password);
  });

  it('refuses keys that cannot send, callers without apikeys:manage, and another tenant’s key', async () => {
    const admin = accounts.a.admin;
    const readOnly = await h.platform.services.apiKeys.create(admin, { name: 'lecture', scopes: ['messages:read'] });
    const refused = await routesApp.inject({ method: 'POST', url: `/v1/api-keys/${readOnly.apiKey.id}/smpp-credentials`, headers: bearer(accounts.a.tenant.apiKey), payload: {} });
    expect(json(refused)).toMatchObject({ status: 422, code: 'invalid_state' });
    const forbidden = await routesApp.inject({ method: 'POST', url: `/v1/api-keys/${accounts.a.keyId}/smpp-credentials`, headers: bearer(accounts.a.keySecret) });
    expect(json(forbidden)).toMatchObject({ status: 403, code: 'insufficient_scope' });
    const elsewhere = await routesApp.inject({ method: 'POST', url: `/v1/api-keys/${accounts.a.keyId}/smpp-credentials`, headers: bearer(accounts.b.tenant.apiKey) });
    expect(json(elsewhere)).toMatchObject({ status: 404 });
    const badBody = await routesApp.inject({ method: 'POST', url: `/v1/api-keys/${accounts.a.keyId}/smpp-credentials`, headers: bearer(accounts.a.tenant.apiKey), payload: { quietHours: 'never' } });
    expect(json(badBody)).toMatchObject({ status: 400, code: 'validation_failed' });
  });
});

// ------------------------------------------------------------------------------ bind

describe('bind', () => {
  it('binds as transceiver, transmitter and receiver with good credentials; a receiver cannot submit', async () => {
    const { systemId, password } = accounts.a;
    for (const type of ['transceiver', 'transmitter', 'receiver'] as const) {
      const client = await Client.connect();
      expect(await client.bind(type, systemId, password)).toBe(0);
      if (type === 'receiver') expect((await client.submitText('+33612345600', 'Code 1234')).command_status).toBe(0x04);
      await client.close();
    }
  });

  it('answers ESME_RINVPASWD (0x0E) alike to a wrong password, an unknown system_id and a second bind 0x05', async () => {
    const client = await Client.connect();
    expect(await client.bind('transceiver', accounts.a.systemId, 'wrong123')).toBe(0x0e);
    expect(await client.bind('transceiver', 'zzzzzzzz', 'wrong123')).toBe(0x0e);
    expect(await client.bind('transceiver', accounts.a.systemId.toUpperCase(), accounts.a.password)).toBe(0);
    expect(await client.bind('transceiver', accounts.a.systemId, accounts.a.password)).toBe(0x05);
    await client.close();
  });

  it('refuses a revoked credential, the old password after a rotation, and a revoked key (0x0E); closes their binds', async () => {
    const admin = accounts.a.admin;
    const key = await sendingKey(admin);
    const live = await Client.bound(key);

    // Rotation: the old password stops working and its bind is closed.
    const rotated = await credentials.issue(admin, key.keyId);
    await eventually(async () => live.closed, 'the bind made with the old password to close');
    expect(live.unbinds.length).toBe(1);
    expect(await (await Client.connect()).bind('transceiver', key.systemId, key.password)).toBe(0x0e);
    const again = await Client.bound({ systemId: key.systemId, password: rotated.password });

    // Revoked credential.
    await credentials.revoke(admin, key.keyId);
    await eventually(async () => again.closed, 'the bind of the revoked credential to close');
    expect(await (await Client.connect()).bind('transceiver', key.systemId, rotated.password)).toBe(0x0e);

    // Revoked key (credential re-issued first).
    const reissued = await credentials.issue(admin, key.keyId);
    const third = await Client.bound({ systemId: key.systemId, password: reissued.password });
    await h.platform.services.apiKeys.revoke(admin, key.keyId);
    await eventually(async () => third.closed, 'the bind of the revoked key to close');
    expect(await (await Client.connect()).bind('transceiver', key.systemId, reissued.password)).toBe(0x0e);
  });

  it('refuses a suspended tenant (0x0D) and closes its binds', async () => {
    const c = await account('Grossiste suspendu');
    const live = await Client.bound(c);
    await h.platform.services.tenantAdmin.suspend(systemContext, 'system:test', c.tenant.tenantId, 'nonpayment', 'impayé');
    await eventually(async () => live.closed, 'the bind of the suspended tenant to close');
    expect(await (await Client.connect()).bind('transceiver', c.systemId, c.password)).toBe(0x0d);
  });

  it('applies the key’s IP allowlist to the TCP peer (0x0D outside it)', async () => {
    const outside = await sendingKey(accounts.a.admin, { allowedIps: ['10.0.0.0/8'] });
    expect(await (await Client.connect()).bind('transceiver', outside.systemId, outside.password)).toBe(0x0d);
    const inside = await sendingKey(accounts.a.admin, { allowedIps: ['127.0.0.1'] });
    expect(await (await Client.connect()).bind('transceiver', inside.systemId, inside.password)).toBe(0);
  });
});

// ------------------------------------------------------------------------------ submit_sm

describe('submit_sm', () => {
  it('accepts an alert: the message belongs to the bind’s tenant and API key, its id is the submit_sm_resp message_id', async () => {
    const client = await Client.bound(accounts.a);
    const resp = await client.submitText('33612345611', 'Votre code : 482913 {ok} à 5€', { service_type: 'ALERT' });
    expect(resp.command_status).toBe(0);
    const id = resp.message_id!;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const row = await messageRow(accounts.a.tenant.tenantId, id);
    expect(row).toMatchObject({ tenant_id: accounts.a.tenant.tenantId, api_key_id: accounts.a.keyId, channel: 'sms', route: 'alert', recipient: '+33612345611', sender: 'OPTIQUE' });
    expect(row?.content).toEqual({ text: 'Votre code : 482913 {ok} à 5€' });
    // Another tenant sees nothing of it (RLS).
    expect(await messageRow(accounts.b.tenant.tenantId, id)).toBeUndefined();
  });

  it('decodes UCS-2 (data_coding 8) and Latin-1 (data_coding 3)', async () => {
    const client = await Client.bound(accounts.a);
    const ucs2Text = 'Ça marche très bien 👍 — merci';
    const ucs2 = await client.submit({ destination_addr: '33612345612', service_type: 'ALERT', data_coding: 8, short_message: Buffer.from(ucs2Text, 'utf16le').swap16() });
    expect(ucs2.command_status).toBe(0);
    expect((await messageRow(accounts.a.tenant.tenantId, ucs2.message_id!))?.content).toEqual({ text: ucs2Text });
    const latin = await client.submit({ destination_addr: '33612345612', service_type: 'ALERT', data_coding: 3, short_message: Buffer.from('Rendez-vous confirmé à 14h', 'latin1') });
    expect((await messageRow(accounts.a.tenant.tenantId, latin.message_id!))?.content).toEqual({ text: 'Rendez-vous confirmé à 14h' });
    // A long text in the message_payload TLV (short_message empty).
    const long = `Votre commande ${'1234567890'.repeat(25)} est prete`;
    const payload = await client.submit({ destination_addr: '33612345612', service_type: 'ALERT', short_message: Buffer.alloc(0), message_payload: encodeGsm7(long) });
    expect(payload.command_status).toBe(0);
    expect((await messageRow(accounts.a.tenant.tenantId, payload.message_id!))?.content).toEqual({ text: long });
  });

  it('reassembles a concatenated submit (UDH) into one message before the pipeline splits it again', async () => {
    const client = await Client.bound(accounts.a);
    const parts = [`${'a'.repeat(150)}{`, `}${'b'.repeat(150)}`, 'fin du message'];
    const udh = (i: number) => Buffer.from([0x05, 0x00, 0x03, 0x2a, parts.length, i + 1]);
    const resps = [];
    for (const [i, part] of parts.entries()) {
      resps.push(await client.submit({ destination_addr: '33612345613', service_type: 'ALERT', esm_class: 0x40, short_message: Buffer.concat([udh(i), encodeGsm7(part)]) }));
    }
    expect(resps.map((r) => r.command_status)).toEqual([0, 0, 0]);
    const ids = resps.map((r) => r.message_id!);
    expect(new Set(ids).size).toBe(3);
    const row = await messageRow(accounts.a.tenant.tenantId, ids[2]!);
    expect(row?.content).toEqual({ text: parts.join('') });
    expect(row?.segments).toBe(3);
    const count = await withTenant(h.platform.database.db, accounts.a.tenant.tenantId, (tx) =>
      tx.selectFrom('messages').select((eb) => eb.fn.countAll<number>().as('n')).where('recipient', '=', '+33612345613').executeTakeFirstOrThrow(),
    );
    expect(Number(count.n)).toBe(1);
  });

  it('marketing (default service_type) gets the STOP mention like the HTTP API', async () => {
    const client = await Client.bound(accounts.a);
    const resp = await client.submitText('33612345614', 'Nouvelle collection en boutique');
    expect(resp.command_status).toBe(0);
    const row = await messageRow(accounts.a.tenant.tenantId, resp.message_id!);
    expect(row).toMatchObject({ route: 'marketing', content: { text: 'Nouvelle collection en boutique\nSTOP SMS au 36111' } });
    expect(row?.warnings.join(' ')).toContain('STOP mention appended');
  });

  it('maps refusals: invalid number 0x0B, invalid sender 0x0A, unknown service_type and missing scope 0x15, rules 0x45', async () => {
    const client = await Client.bound(accounts.a);
    expect((await client.submitText('33612', 'Code 1234', { service_type: 'ALERT' })).command_status).toBe(0x0b);
    expect((await client.submitText('33612345615', 'Code 1234', { service_type: 'ALERT', source_addr: 'INFO' })).command_status).toBe(0x0a);
    expect((await client.submitText('33612345615', 'Code 1234', { service_type: 'XYZ' })).command_status).toBe(0x15);
    expect((await client.submitText('33612345615', 'SOLDES : -30 % sur toutes les montures, profitez-en !', { service_type: 'ALERT' })).command_status).toBe(0x45);
    const alertOnly = await sendingKey(accounts.a.admin, { scopes: ['messages:alert'] });
    const limited = await Client.bound(alertOnly);
    expect((await limited.submitText('33612345615', 'Nouvelle collection')).command_status).toBe(0x15);
    expect((await limited.submitText('33612345615', 'Code 1234', { service_type: 'ALERT' })).command_status).toBe(0);
  });

  it('refuses every part of a concatenation whose destination is invalid', async () => {
    const client = await Client.bound(accounts.a);
    const udh = (i: number) => Buffer.from([0x05, 0x00, 0x03, 0x07, 2, i + 1]);
    const first = await client.submit({ destination_addr: '12', service_type: 'ALERT', esm_class: 0x40, short_message: Buffer.concat([udh(0), encodeGsm7('a'.repeat(153))]) });
    const second = await client.submit({ destination_addr: '12', service_type: 'ALERT', esm_class: 0x40, short_message: Buffer.concat([udh(1), encodeGsm7('b')]) });
    expect([first.command_status, second.command_status]).toEqual([0x0b, 0x0b]);
  });

  it('throttles beyond the bind’s throughput (0x58)', async () => {
    const slow = new SmppGateway({ db: h.platform.database.db, messaging: h.platform.services.messaging, clock, port: 0, throughput: 1, throughputBurst: 1 });
    await slow.start();
    try {
      const client = await Client.bound(accounts.a, 'transmitter', slow.port);
      const [first, second] = await Promise.all([
        client.submitText('33612345616', 'Code 1', { service_type: 'ALERT' }),
        client.submitText('33612345616', 'Code 2', { service_type: 'ALERT' }),
      ]);
      expect([first.command_status, second.command_status]).toEqual([0, 0x58]);
      await client.close();
    } finally {
      await slow.stop();
    }
  });
});

// ------------------------------------------------------------------------------ receipts

describe('delivery receipts', () => {
  it('sends the bound client a deliver_sm receipt when the message is delivered, and none to another tenant', async () => {
    const other = await Client.bound(accounts.b, 'receiver');
    const client = await Client.bound(accounts.a);
    const resp = await client.submitText('33612345620', 'Votre colis est arrivé', { service_type: 'ALERT', registered_delivery: 1 });
    expect(resp.command_status).toBe(0);
    const id = resp.message_id!;
    const [receipt] = await eventually(async () => {
      const found = receiptsOf(client, id);
      return found.length ? found : undefined;
    }, 'the receipt');
    expect(receipt).toMatchObject({ esm_class: 0x04, receipted_message_id: id, message_state: 2, source_addr: '33612345620', destination_addr: 'OPTIQUE' });
    const text = receiptText(receipt!);
    expect(text).toContain(`id:${id} `);
    expect(text).toMatch(/ stat:DELIVRD err:000 text:Votre colis est arri$/);
    expect((await messageRow(accounts.a.tenant.tenantId, id))?.status).toBe('delivered');
    // Recorded as done: never sent again.
    await eventually(async () => {
      const rows = await withTenant(h.platform.database.db, accounts.a.tenant.tenantId, (tx) =>
        sql<{ receipt_outcome: string | null }>`select receipt_outcome from smpp_submits where message_id = ${id}`.execute(tx),
      );
      return rows.rows[0]?.receipt_outcome === 'acked';
    }, 'the receipt to be recorded');
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(receiptsOf(client, id)).toHaveLength(1);
    expect(other.deliveries).toHaveLength(0);
  });

  it('reports a failure: UNDELIV (message_state 5)', async () => {
    const client = await Client.bound(accounts.a);
    const resp = await client.submitText('33612340666', 'Code 9999', { service_type: 'ALERT', registered_delivery: 2 });
    const id = resp.message_id!;
    const [receipt] = await eventually(async () => {
      const found = receiptsOf(client, id);
      return found.length ? found : undefined;
    }, 'the failure receipt');
    expect(receipt?.message_state).toBe(5);
    expect(receiptText(receipt!)).toMatch(/ stat:UNDELIV /);
  });

  it('sends no receipt when registered_delivery is 0, and one per part id for a concatenated submit', async () => {
    const client = await Client.bound(accounts.a);
    const none = await client.submitText('33612345621', 'Sans accusé', { service_type: 'ALERT', registered_delivery: 0 });
    const udh = (i: number) => Buffer.from([0x05, 0x00, 0x03, 0x51, 2, i + 1]);
    const p1 = await client.submit({ destination_addr: '33612345621', service_type: 'ALERT', registered_delivery: 1, esm_class: 0x40, short_message: Buffer.concat([udh(0), encodeGsm7('x'.repeat(153))]) });
    const p2 = await client.submit({ destination_addr: '33612345621', service_type: 'ALERT', registered_delivery: 1, esm_class: 0x40, short_message: Buffer.concat([udh(1), encodeGsm7('y')]) });
    await eventually(async () => receiptsOf(client, p1.message_id!).length === 1 && receiptsOf(client, p2.message_id!).length === 1, 'a receipt for each part');
    expect(receiptText(receiptsOf(client, p1.message_id!)[0]!)).toContain(`id:${p1.message_id} `);
    await eventually(async () => (await messageRow(accounts.a.tenant.tenantId, none.message_id!))?.status === 'delivered', 'the unreceipted message delivered');
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(receiptsOf(client, none.message_id!)).toHaveLength(0);
  });

  it('answers marketing to an opted-out number at once with a REJECTD receipt (R-OPTOUT: never sent)', async () => {
    await h.platform.services.optOuts.add(accounts.a.admin, { address: '+33612345623' });
    const client = await Client.bound(accounts.a);
    const resp = await client.submitText('33612345623', 'Promo STOP SMS au 36111', { registered_delivery: 1 });
    expect(resp.command_status).toBe(0);
    expect((await messageRow(accounts.a.tenant.tenantId, resp.message_id!))?.status).toBe('suppressed');
    const [receipt] = await eventually(async () => {
      const found = receiptsOf(client, resp.message_id!);
      return found.length ? found : undefined;
    }, 'the REJECTD receipt');
    expect(receipt?.message_state).toBe(8);
    expect(receiptText(receipt!)).toMatch(/ stat:REJECTD err:004 /);
  });

  it('keeps receipts while no receiver is bound and delivers them at the next bind', async () => {
    const transmitter = await Client.bound(accounts.b, 'transmitter');
    const resp = await transmitter.submitText('33612345622', 'Code 4321', { service_type: 'ALERT', registered_delivery: 1 });
    const id = resp.message_id!;
    await eventually(async () => (await messageRow(accounts.b.tenant.tenantId, id))?.status === 'delivered', 'the message delivered');
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(transmitter.deliveries).toHaveLength(0);
    const receiver = await Client.bound(accounts.b, 'receiver');
    const [receipt] = await eventually(async () => {
      const found = receiptsOf(receiver, id);
      return found.length ? found : undefined;
    }, 'the stored receipt');
    expect(receipt?.message_state).toBe(2);
  });
});

// ------------------------------------------------------------------------------ quiet hours

describe('quiet hours (R-QUIET)', () => {
  it('holds marketing until 08:00 Paris by default, and refuses it (0x45) for a credential in reject mode', async () => {
    const evening = new Date(base);
    evening.setUTCHours(21, 30, 0, 0); // 22:30 or 23:30 in Paris
    clock.set(evening);
    const client = await Client.bound(accounts.a);
    const resp = await client.submitText('33612345630', 'Soirée privée demain');
    expect(resp.command_status).toBe(0);
    const row = await messageRow(accounts.a.tenant.tenantId, resp.message_id!);
    const paris = new Intl.DateTimeFormat('fr-FR', { timeZone: 'Europe/Paris', hour: '2-digit', minute: '2-digit' }).format(row!.send_at);
    expect(paris).toBe('08:00');
    expect(row!.send_at.getTime()).toBeGreaterThan(evening.getTime());
    expect(row!.warnings.join(' ')).toContain('R-QUIET');

    const strict = await sendingKey(accounts.a.admin, { quietHours: 'reject' });
    const strictClient = await Client.bound(strict);
    expect((await strictClient.submitText('33612345630', 'Soirée privée demain')).command_status).toBe(0x45);
    // Alerts are not bound by quiet hours.
    expect((await strictClient.submitText('33612345630', 'Code 1234', { service_type: 'ALERT' })).command_status).toBe(0);
  });
});
