import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJobRunner } from '../../src/app.ts';
import { FixedClock } from '../../src/platform/clock.ts';
import { withTenant } from '../../src/platform/db/tenant-context.ts';
import { ImportProcessor } from '../../src/modules/contacts/import/index.ts';
import { parseFields } from '../../src/modules/contacts/import/rules.ts';
import { bearer, createTenant, createTestPlatform, json, type TenantFixture, type TestPlatform } from '../support/platform.ts';

/**
 * Contact imports end to end (issue 4) over a real PostgreSQL: upload through the API, preview
 * and detection, configuration, the import job, error reports, consent records, and the
 * resume after a crash between batches.
 */

let platform: TestPlatform;
const clock = new FixedClock('2026-06-01T09:00:00Z');

interface ImportView {
  id: string;
  status: string;
  format: string;
  encoding: string | null;
  delimiter: string | null;
  hasHeader: boolean;
  columns: string[];
  preview: string[][];
  suggestedMapping: Record<string, string>;
  counters: { estimatedRows: number | null; processed: number; inserted: number; updated: number; skipped: number; failed: number; warnings: number };
  progress: { percent: number };
}

beforeAll(async () => {
  platform = await createTestPlatform({ clock });
});

afterAll(async () => {
  await platform?.close();
});

async function defineAttributes(tenant: TenantFixture): Promise<void> {
  await withTenant(platform.database.db, tenant.tenantId, async (tx) => {
    await tx
      .insertInto('contact_attribute_definitions' as never)
      .values([
        { tenant_id: tenant.tenantId, key: 'ville', label: 'Ville', type: 'text' },
        { tenant_id: tenant.tenantId, key: 'points', label: 'Points fidélité', type: 'number' },
      ] as never)
      .execute();
  });
}

async function upload(tenant: TenantFixture, body: Buffer, filename: string, contentType = 'text/csv'): Promise<ImportView> {
  const response = await platform.app.inject({ method: 'POST', url: `/v1/contacts/imports?filename=${encodeURIComponent(filename)}`, headers: { ...bearer(tenant.apiKey), 'content-type': contentType }, payload: body });
  expect(response.statusCode, response.body).toBe(201);
  return json<ImportView>(response);
}

const CONSENT = { channels: ['sms', 'email'], status: 'granted', source: 'form', proof: { text: 'J’accepte de recevoir les offres de Optique Martin par SMS et email' } };

async function configure(tenant: TenantFixture, id: string, body: Record<string, unknown>) {
  return platform.app.inject({ method: 'PUT', url: `/v1/contacts/imports/${id}`, headers: bearer(tenant.apiKey), payload: body });
}

async function start(tenant: TenantFixture, id: string) {
  return platform.app.inject({ method: 'POST', url: `/v1/contacts/imports/${id}/start`, headers: bearer(tenant.apiKey) });
}

async function view(tenant: TenantFixture, id: string): Promise<ImportView> {
  return json<ImportView>(await platform.app.inject({ url: `/v1/contacts/imports/${id}`, headers: bearer(tenant.apiKey) }));
}

async function contacts(tenant: TenantFixture): Promise<Array<{ id: string; phone: string | null; email: string | null; first_name: string | null; last_name: string | null; attributes: Record<string, unknown>; consent_sms: string; consent_email: string }>> {
  return withTenant(platform.database.db, tenant.tenantId, (tx) => tx.selectFrom('contacts' as never).selectAll().orderBy('phone' as never).execute()) as never;
}

async function errorsCsv(tenant: TenantFixture, id: string): Promise<string[][]> {
  const response = await platform.app.inject({ url: `/v1/contacts/imports/${id}/errors.csv`, headers: bearer(tenant.apiKey) });
  expect(response.statusCode).toBe(200);
  expect(response.headers['content-type']).toContain('text/csv');
  const lines = response.body.replace(/^\ufeff/, '').trim().split('\r\n');
  return lines.slice(1).map((line) => parseFields(line, ';').fields);
}

/**
 * The must-hold file: UTF-8 with a line saved in Windows-1252, lines written with `,`, a broken
 * quote, a row with too many columns, 10 % invalid phones, an invalid email, a bad number, a
 * blank line. Returns the file and what each line should become.
 */
function malformedCsv(): { bytes: Buffer; valid: number; errors: Map<number, string>; warnings: Map<number, string>; dataLines: number } {
  const parts: Buffer[] = [Buffer.from('Téléphone;Email;Prénom;Nom;Ville;Points\r\n')];
  const errors = new Map<number, string>();
  const warnings = new Map<number, string>();
  let line = 1;
  let valid = 0;
  let dataLines = 0;
  const add = (text: string | Buffer, outcome: { error?: string; warning?: string } = {}) => {
    line++;
    dataLines++;
    parts.push(typeof text === 'string' ? Buffer.from(`${text}\r\n`) : Buffer.concat([text, Buffer.from('\r\n')]));
    if (outcome.error) errors.set(line, outcome.error);
    else valid++;
    if (outcome.warning) warnings.set(line, outcome.warning);
  };
  for (let i = 0; i < 40; i++) {
    const n = String(i).padStart(2, '0');
    if (i % 10 === 3) add(`12${n};bad-phone-${n}@example.com;Jean;Faux;Paris;1`, { error: 'invalid_phone_number' });
    else add(`06 12 00 00 ${n};client${n}@example.com;Prénom${n};Nom${n};Paris;${i}`);
  }
  // Hélène Lefèvre, saved by a Windows tool: é = 0xE9, è = 0xE8.
  add(Buffer.concat([Buffer.from('0612009901;helene@example.com;H'), Buffer.from([0xe9]), Buffer.from('l'), Buffer.from([0xe8]), Buffer.from('ne;Lef'), Buffer.from([0xe8]), Buffer.from('vre;Lyon;5')]), { warning: 'encoding_repaired' });
  add('0612009902,virgule@example.com,Paul,Virgule,Nantes,7', { warning: 'delimiter_repaired' });
  add('0612009903;"cassé@example.com;Jean;Quote;Nice;1', { error: 'unclosed_quote' });
  add('0612009904;apres-quote@example.com;Marie;Suivante;Nice;2');
  add('0612009905;trop@example.com;A;B;C;1;extra;encore', { error: 'column_count' });
  add(';pas-un-email;Sans;Adresse;Metz;1', { error: 'invalid_email_address' });
  add('0612009906;points@example.com;Max;Points;Metz;beaucoup', { error: 'invalid_attribute' });
  add('=HYPERLINK("http://x");formule@example.com;Formule;Excel;Metz;1', { error: 'invalid_phone_number' });
  parts.push(Buffer.from('\r\n'));
  line++;
  add('"0612009907";"guillemets@example.com";"Anne; Marie";"D\'Arc";Orléans;3');
  return { bytes: Buffer.concat(parts), valid, errors, warnings, dataLines };
}

describe('upload and preview', () => {
  it('detects format, encoding, delimiter and header, and suggests a mapping from French headers', async () => {
    const tenant = await createTenant(platform);
    await defineAttributes(tenant);
    const { bytes } = malformedCsv();
    const created = await upload(tenant, bytes, 'clients.csv');
    expect(created).toMatchObject({ status: 'uploaded', format: 'csv', encoding: 'utf-8', delimiter: ';', hasHeader: true, columns: ['Téléphone', 'Email', 'Prénom', 'Nom', 'Ville', 'Points'] });
    expect(created.preview).toHaveLength(20);
    expect(created.preview[0]).toEqual(['06 12 00 00 00', 'client00@example.com', 'Prénom00', 'Nom00', 'Paris', '0']);
    expect(created.suggestedMapping).toEqual({ Téléphone: 'phone', Email: 'email', Prénom: 'firstName', Nom: 'lastName', Ville: 'attribute:ville', Points: 'attribute:points' });
    expect(created.counters.estimatedRows).toBe(50); // lines after the header, the blank one included
  });

  it('reads a Windows-1252 file with a comma and no header, and re-reads it when told otherwise', async () => {
    const tenant = await createTenant(platform);
    const bytes = Buffer.from([...Buffer.from('0612345678,'), 0xc9, ...Buffer.from('lodie,'), 0x80, ...Buffer.from('\n0698765432,Zo'), 0xe9, ...Buffer.from(',x\n')]);
    const created = await upload(tenant, bytes, 'export.csv');
    expect(created).toMatchObject({ encoding: 'windows-1252', delimiter: ',', hasHeader: false, columns: ['Colonne 1', 'Colonne 2', 'Colonne 3'] });
    expect(created.preview).toEqual([
      ['0612345678', 'Élodie', '€'],
      ['0698765432', 'Zoé', 'x'],
    ]);
    expect(created.suggestedMapping['Colonne 1']).toBe('phone');
    const reread = json<ImportView>(await configure(tenant, created.id, { hasHeader: true }));
    expect(reread.columns).toEqual(['0612345678', 'Élodie', '€']);
    expect(reread.preview).toEqual([['0698765432', 'Zoé', 'x']]);
  });

  it('accepts multipart uploads and refuses files that are neither CSV nor XLSX', async () => {
    const tenant = await createTenant(platform);
    const boundary = '----sofy-test';
    const body = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="contacts.csv"\r\nContent-Type: text/csv\r\n\r\nemail\nalice@example.com\n\r\n--${boundary}--\r\n`);
    const response = await platform.app.inject({ method: 'POST', url: '/v1/contacts/imports', headers: { ...bearer(tenant.apiKey), 'content-type': `multipart/form-data; boundary=${boundary}` }, payload: body });
    expect(response.statusCode, response.body).toBe(201);
    expect(json(response)).toMatchObject({ filename: 'contacts.csv', columns: ['email'], preview: [['alice@example.com']], suggestedMapping: { email: 'email' } });

    const pdf = await platform.app.inject({ method: 'POST', url: '/v1/contacts/imports?filename=x.pdf', headers: { ...bearer(tenant.apiKey), 'content-type': 'application/octet-stream' }, payload: Buffer.from([0x25, 0x50, 0x44, 0x46, 0x00, 0x01]) });
    expect(pdf.statusCode).toBe(422);
    expect(json(pdf)).toMatchObject({ code: 'unsupported_import_file', problem: 'not_a_text_file' });
  });
});

describe('configuration (R-CONSENT)', () => {
  it('refuses an import without a consent source, with a clear code', async () => {
    const tenant = await createTenant(platform);
    const created = await upload(tenant, Buffer.from('phone\n0612345678\n'), 'a.csv');
    const noSource = await configure(tenant, created.id, { mapping: { phone: 'phone' }, consent: { channels: ['sms'], status: 'granted', proof: { text: 'Oui' } } });
    expect(noSource.statusCode).toBe(422);
    expect(json(noSource)).toMatchObject({ code: 'consent_source_required', errors: [{ path: '/consent/source' }] });
    expect((await configure(tenant, created.id, { mapping: { phone: 'phone' } })).statusCode).toBe(200);
    const started = await start(tenant, created.id);
    expect(started.statusCode).toBe(422);
    expect(json(started)).toMatchObject({ code: 'consent_source_required' });
    expect((await view(tenant, created.id)).status).toBe('uploaded');
  });

  it('refuses a mapping without phone or email, with an unknown column or an undefined attribute', async () => {
    const tenant = await createTenant(platform);
    const created = await upload(tenant, Buffer.from('nom;tel;ville\nDupont;0612345678;Paris\n'), 'a.csv');
    const bad = await configure(tenant, created.id, { mapping: { nom: 'lastName', ville: 'attribute:ville', autre: 'email' } });
    expect(bad.statusCode).toBe(422);
    const problem = json<{ code: string; errors: Array<{ path: string; message: string }> }>(bad);
    expect(problem.code).toBe('invalid_import_mapping');
    expect(problem.errors.map((e) => e.path)).toEqual(['/mapping/ville', '/mapping/autre', '/mapping']);
  });
});

describe('the malformed CSV (must hold)', () => {
  it('imports the valid rows, reports each bad one with its line and reason, loses nothing', async () => {
    const tenant = await createTenant(platform);
    await defineAttributes(tenant);
    const file = malformedCsv();
    const created = await upload(tenant, file.bytes, 'clients.csv');
    const configured = await configure(tenant, created.id, { mapping: created.suggestedMapping, mergePolicy: 'update', consent: CONSENT });
    expect(configured.statusCode, configured.body).toBe(200);
    expect((await start(tenant, created.id)).statusCode).toBe(202);
    const outcome = await new ImportProcessor(platform.database.db, clock, { batchSize: 10 }).run(tenant.tenantId, created.id);
    expect(outcome).toMatchObject({ outcome: 'completed' });

    const done = await view(tenant, created.id);
    expect(done.status).toBe('completed');
    expect(done.progress.percent).toBe(100);
    // Nothing lost: every data line is counted once, as imported or as refused.
    const c = done.counters;
    expect(c.processed).toBe(file.dataLines);
    expect(c.inserted + c.updated + c.skipped + c.failed).toBe(c.processed);
    expect(c.failed).toBe(file.errors.size);
    expect(c.inserted).toBe(file.valid);
    expect(c.warnings).toBe(file.warnings.size);

    const stored = await contacts(tenant);
    expect(stored).toHaveLength(file.valid);
    const byEmail = new Map(stored.map((contact) => [contact.email, contact]));
    expect(byEmail.get('helene@example.com')).toMatchObject({ phone: '+33612009901', first_name: 'Hélène', last_name: 'Lefèvre', attributes: { ville: 'Lyon', points: 5 } });
    expect(byEmail.get('virgule@example.com')).toMatchObject({ phone: '+33612009902', last_name: 'Virgule' });
    expect(byEmail.get('apres-quote@example.com')).toMatchObject({ phone: '+33612009904', first_name: 'Marie' });
    expect(byEmail.get('guillemets@example.com')).toMatchObject({ first_name: 'Anne; Marie', last_name: "D'Arc" });
    expect(byEmail.get('client00@example.com')).toMatchObject({ phone: '+33612000000', consent_sms: 'granted', consent_email: 'granted' });

    // Each bad line, with its line number and reason, in the downloadable report.
    const report = await errorsCsv(tenant, created.id);
    const reported = new Map(report.filter((r) => r[1] === 'error').map((r) => [Number(r[0]), r[2]]));
    expect(reported).toEqual(file.errors);
    const remarks = new Map(report.filter((r) => r[1] === 'warning').map((r) => [Number(r[0]), r[2]]));
    expect(remarks).toEqual(file.warnings);
    const phoneError = report.find((r) => r[2] === 'invalid_phone_number');
    expect(phoneError?.[3]).toBe('Téléphone');
    expect(phoneError?.[5]).toBe('1203;bad-phone-03@example.com;Jean;Faux;Paris;1');
    // A cell a spreadsheet would run as a formula is neutralised in the report.
    expect(report.find((r) => r[5]?.includes('formule@example.com'))?.[5]).toMatch(/^'=HYPERLINK/);
    const quote = report.find((r) => r[2] === 'unclosed_quote');
    expect(quote?.join(';')).toContain('0612009903');
  });
});

describe('consent recorded with source and proof (R-CONSENT)', () => {
  it('writes contact_consents and one history event per channel, with the import as proof', async () => {
    const tenant = await createTenant(platform);
    const created = await upload(tenant, Buffer.from('mobile;courriel\n06 11 22 33 44;ana@example.com\n'), 'magasin.csv');
    expect(created.suggestedMapping).toEqual({ mobile: 'phone', courriel: 'email' });
    await configure(tenant, created.id, { mapping: created.suggestedMapping, consent: { ...CONSENT, source: 'in_store', proof: { text: 'Bulletin papier signé en magasin', reference: 'lot-2026-05' } } });
    await start(tenant, created.id);
    await new ImportProcessor(platform.database.db, clock).run(tenant.tenantId, created.id);
    const [contact] = await contacts(tenant);
    const { consents, events } = await withTenant(platform.database.db, tenant.tenantId, async (tx) => ({
      consents: (await tx.selectFrom('contact_consents' as never).selectAll().orderBy('channel' as never).execute()) as Array<Record<string, unknown>>,
      events: (await tx.selectFrom('contact_consent_events' as never).selectAll().orderBy('channel' as never).execute()) as Array<Record<string, unknown>>,
    }));
    const proof = { importId: created.id, collectedVia: 'in_store', text: 'Bulletin papier signé en magasin', reference: 'lot-2026-05', filename: 'magasin.csv' };
    expect(consents).toEqual([
      expect.objectContaining({ contact_id: contact?.id, channel: 'email', status: 'granted', source: 'import', at: clock.now(), proof: expect.objectContaining(proof) }),
      expect.objectContaining({ contact_id: contact?.id, channel: 'sms', status: 'granted', source: 'import', proof: expect.objectContaining(proof) }),
    ]);
    expect(events).toHaveLength(2);
    expect(events[0]).toMatchObject({ status: 'granted', source: 'import', actor: `import:${created.id}`, proof: expect.objectContaining(proof) });
  });
});

describe('resume after a crash', () => {
  function rows(n: number): Buffer {
    const lines = ['telephone;email;prenom'];
    for (let i = 0; i < n; i++) lines.push(i % 7 === 6 ? `0000;bad${i};X` : `06${String(10_000_000 + i).slice(-8)};u${i}@example.com;P${i}`);
    return Buffer.from(`${lines.join('\n')}\n`);
  }

  it('stops between batches and resumes from the last committed one: no duplicate, no gap', async () => {
    const tenant = await createTenant(platform);
    const created = await upload(tenant, rows(23), 'gros.csv');
    await configure(tenant, created.id, { mapping: created.suggestedMapping, consent: CONSENT });
    await start(tenant, created.id);
    const processor = new ImportProcessor(platform.database.db, clock, { batchSize: 5, staleSeconds: 0 });
    // The "crash": the worker dies right after the 2nd batch committed.
    await expect(
      processor.run(tenant.tenantId, created.id, {
        afterBatch: (batch) => {
          if (batch === 2) throw new Error('simulated crash');
        },
      }),
    ).rejects.toThrow('simulated crash');
    const halfway = await view(tenant, created.id);
    expect(halfway.status).toBe('running');
    // Batches 1 and 2 are in; the 3rd was in flight beside the 2nd (two commits at a time) and may be too.
    const done = halfway.counters.processed;
    expect([10, 15]).toContain(done);
    expect(halfway.progress.percent).toBeGreaterThan(0);
    expect(await contacts(tenant)).toHaveLength(done - Math.floor(done / 7)); // every 7th row is invalid

    expect(await processor.run(tenant.tenantId, created.id)).toMatchObject({ outcome: 'completed', processed: 23, inserted: 20, failed: 3 });
    const stored = await contacts(tenant);
    expect(stored).toHaveLength(20);
    expect(new Set(stored.map((c) => c.phone)).size).toBe(20);
    const { events, errors } = await withTenant(platform.database.db, tenant.tenantId, async (tx) => ({
      events: await tx.selectFrom('contact_consent_events' as never).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
      errors: await tx.selectFrom('contact_import_errors' as never).select(['line' as never]).where('severity' as never, '=', 'error' as never).orderBy('line' as never).execute(),
    }));
    expect(Number(events.n)).toBe(40); // 20 contacts × 2 channels, once each
    // Each refused line once per reason (`0000;bad6;X`: its phone and its email).
    expect(errors.map((e) => (e as { line: number }).line)).toEqual([8, 8, 15, 15, 22, 22]);
  });

  it('leaves an import alone while its worker is alive, and takes it over once the heartbeat is stale', async () => {
    const tenant = await createTenant(platform);
    const created = await upload(tenant, rows(12), 'b.csv');
    await configure(tenant, created.id, { mapping: created.suggestedMapping, consent: CONSENT });
    await start(tenant, created.id);
    const patient = new ImportProcessor(platform.database.db, clock, { batchSize: 5, staleSeconds: 3600 });
    let second: unknown;
    await expect(
      patient.run(tenant.tenantId, created.id, {
        afterBatch: async () => {
          second = await patient.run(tenant.tenantId, created.id);
          throw new Error('simulated kill -9');
        },
      }),
    ).rejects.toThrow();
    expect(second).toEqual({ outcome: 'busy' });
    // A killed process releases nothing: put the lease back as a dead worker leaves it.
    await withTenant(platform.database.db, tenant.tenantId, (tx) => tx.updateTable('contact_imports' as never).set({ run_id: 'dead-worker', heartbeat_at: new Date(Date.now() - 3_600_000) } as never).execute());
    expect(await new ImportProcessor(platform.database.db, clock, { batchSize: 5, staleSeconds: 60 }).run(tenant.tenantId, created.id)).toMatchObject({ outcome: 'completed', processed: 12 });
    expect(await contacts(tenant)).toHaveLength(11);
  });

  it('the recovery job resumes an import whose worker died', async () => {
    const tenant = await createTenant(platform);
    const created = await upload(tenant, rows(8), 'c.csv');
    await configure(tenant, created.id, { mapping: created.suggestedMapping, consent: CONSENT });
    await start(tenant, created.id);
    await withTenant(platform.database.db, tenant.tenantId, (tx) =>
      tx.updateTable('contact_imports' as never).set({ status: 'running', run_id: 'dead-worker', heartbeat_at: new Date(Date.now() - 3_600_000) } as never).execute(),
    );
    const runner = createJobRunner(platform, 'worker', () => {});
    try {
      await runner.start();
      const jobId = await runner.send('contacts.import.recover');
      const result = await runner.waitFor('contacts.import.recover', jobId as string);
      expect(result).toMatchObject({ state: 'completed', output: { resumed: expect.arrayContaining([`${created.id}: completed`]) } });
    } finally {
      await runner.stop();
    }
    expect((await view(tenant, created.id)).status).toBe('completed');
  });
});

describe('XLSX', () => {
  it('imports the first worksheet: numbers, dates and text cells', async () => {
    const tenant = await createTenant(platform);
    await withTenant(platform.database.db, tenant.tenantId, (tx) =>
      tx.insertInto('contact_attribute_definitions' as never).values({ tenant_id: tenant.tenantId, key: 'naissance', label: 'Date de naissance', type: 'date' } as never).execute(),
    );
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('Clients');
    sheet.addRow(['Portable', 'E-mail', 'Prénom', 'Naissance', 'Magasin']);
    sheet.addRow([612345678, 'lea@example.com', 'Léa', new Date(Date.UTC(1990, 4, 17)), 'PARIS-01']);
    sheet.addRow(['+33 6 98 76 54 32', 'tom@example.com', { richText: [{ text: 'To' }, { text: 'm' }] }, null, 'LYON-02']);
    sheet.addRow(['12', 'zoe@example.com', 'Zoé', null, null]);
    workbook.addWorksheet('Autre').addRow(['ignored']);
    const bytes = Buffer.from(await workbook.xlsx.writeBuffer());

    const created = await upload(tenant, bytes, 'clients.xlsx', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(created).toMatchObject({ format: 'xlsx', hasHeader: true, columns: ['Portable', 'E-mail', 'Prénom', 'Naissance', 'Magasin'] });
    expect(created.preview[0]).toEqual(['612345678', 'lea@example.com', 'Léa', '1990-05-17', 'PARIS-01']);
    expect(created.suggestedMapping).toEqual({ Portable: 'phone', 'E-mail': 'email', Prénom: 'firstName', Naissance: 'attribute:naissance', Magasin: 'pointOfSale' });
    await configure(tenant, created.id, { mapping: created.suggestedMapping, consent: CONSENT });
    await start(tenant, created.id);
    expect(await new ImportProcessor(platform.database.db, clock).run(tenant.tenantId, created.id)).toMatchObject({ outcome: 'completed', processed: 3, inserted: 2, failed: 1 });
    const stored = await contacts(tenant);
    expect(stored.map((c) => [c.phone, c.first_name, c.attributes])).toEqual([
      ['+33612345678', 'Léa', { naissance: '1990-05-17' }],
      ['+33698765432', 'Tom', {}],
    ]);
    const report = await errorsCsv(tenant, created.id);
    expect(report.map((r) => [r[0], r[2], r[3]])).toEqual([['4', 'invalid_phone_number', 'Portable']]);
  });
});

describe('XLSX resume', () => {
  it('re-reads the archive after a crash and skips the rows already committed', async () => {
    const tenant = await createTenant(platform);
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('Clients');
    sheet.addRow(['Email', 'Prénom']);
    for (let i = 0; i < 9; i++) sheet.addRow([`x${i}@example.com`, `P${i}`]);
    const created = await upload(tenant, Buffer.from(await workbook.xlsx.writeBuffer()), 'gros.xlsx', 'application/octet-stream');
    await configure(tenant, created.id, { mapping: created.suggestedMapping, consent: CONSENT });
    await start(tenant, created.id);
    const processor = new ImportProcessor(platform.database.db, clock, { batchSize: 2, staleSeconds: 0 });
    await expect(
      processor.run(tenant.tenantId, created.id, {
        afterBatch: (batch) => {
          if (batch === 2) throw new Error('simulated crash');
        },
      }),
    ).rejects.toThrow('simulated crash');
    expect(await processor.run(tenant.tenantId, created.id)).toMatchObject({ outcome: 'completed', processed: 9, inserted: 9, failed: 0 });
    const stored = await contacts(tenant);
    expect(stored.map((c) => c.email).sort()).toEqual(Array.from({ length: 9 }, (_, i) => `x${i}@example.com`));
  });
});

describe('through the job queue', () => {
  it('POST …/start queues a pg-boss job that a worker runs; cancel stops an import', async () => {
    const tenant = await createTenant(platform);
    const runner = createJobRunner(platform, 'worker', () => {});
    await runner.start();
    try {
      const created = await upload(tenant, Buffer.from('email;prenom\nalice@example.com;Alice\nbob@example.com;Bob\n'), 'a.csv');
      await configure(tenant, created.id, { mapping: created.suggestedMapping, mergePolicy: 'skip', consent: { channels: ['email'], source: 'form', proof: { reference: 'newsletter-form-v2' } } });
      const started = await start(tenant, created.id);
      expect(json(started)).toMatchObject({ status: 'queued' });
      let current = await view(tenant, created.id);
      for (let i = 0; i < 200 && current.status !== 'completed'; i++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        current = await view(tenant, created.id);
      }
      expect(current).toMatchObject({ status: 'completed', counters: { processed: 2, inserted: 2 } });

      const list = json<{ data: Array<{ id: string }> }>(await platform.app.inject({ url: '/v1/contacts/imports?limit=5', headers: bearer(tenant.apiKey) }));
      expect(list.data.map((i) => i.id)).toContain(created.id);

      const other = await upload(tenant, Buffer.from('email\ncarol@example.com\n'), 'b.csv');
      const cancelled = await platform.app.inject({ method: 'POST', url: `/v1/contacts/imports/${other.id}/cancel`, headers: bearer(tenant.apiKey) });
      expect(json(cancelled)).toMatchObject({ status: 'cancelled' });
      expect((await start(tenant, other.id)).statusCode).toBe(422);
    } finally {
      await runner.stop();
    }
  });
});
