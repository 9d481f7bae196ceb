import type { FastifyReply } from 'fastify';
import { Type } from 'typebox';
import { errorResponses, IdParams, Nullable } from '../../platform/http/schemas.ts';
import { type App, contextOf } from '../../platform/http/server.ts';
import {
  BankLine,
  Charge,
  ChargeBody,
  Contract,
  DunningCase,
  Invoice,
  InvoicePage,
  LiabilityCap,
  OrderForm,
  OrderFormBody,
  Payment,
  PaymentBody,
  PriceList,
  PriceListBody,
  Run,
  SepaBatch,
  StatementImport,
  ViesProof,
} from './schemas.ts';
import type { Billing } from './service.ts';

const IsoDate = Type.String({ format: 'date' });
const Page = Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }), cursor: Type.Optional(Type.String({ maxLength: 500 })) }, { additionalProperties: false });
const Reason = Type.String({ minLength: 3, maxLength: 500 });
const console = { auth: 'console' as const };

const sendPdf = (reply: FastifyReply, file: { filename: string; bytes: Uint8Array }) =>
  reply.type('application/pdf').header('content-disposition', `attachment; filename="${file.filename}"`).send(Buffer.from(file.bytes));
const sendXml = (reply: FastifyReply, file: { filename: string; xml: string }) =>
  reply.type('application/xml; charset=utf-8').header('content-disposition', `attachment; filename="${file.filename}"`).send(file.xml);

/**
 * The billing API (issue 5). Client side under /v1/billing: contracts, invoices (PDF, Factur-X)
 * and payments for the tenant's owners and admins (R-CONFID; console sessions only, no API key
 * scope gives access to tariffs). Operator side under /v1/operator/billing for `billing:manage`.
 */
export function billingRoutes(app: App, billing: Billing): void {
  const tags = ['Billing'];
  const ops = ['Billing (operators)'];
  const { contracts, invoicing, payments, dunning, catalogue } = billing;

  // Client ------------------------------------------------------------------------------------
  app.get('/v1/billing/contracts', { config: console, schema: { tags, summary: 'Your contracts: term, notice deadline, licensed POI, prices (owners and admins)', response: { 200: Type.Object({ data: Type.Array(Contract) }), ...errorResponses } } }, async (request) => ({
    data: await contracts.clientContracts(contextOf(request)),
  }));
  app.get('/v1/billing/contracts/:id', { config: console, schema: { tags, summary: 'One of your contracts, with its history', params: IdParams, response: { 200: Contract, ...errorResponses } } }, async (request) =>
    contracts.clientContract(contextOf(request), request.params.id),
  );
  app.get('/v1/billing/invoices', { config: console, schema: { tags, summary: 'Your invoices and credit notes, newest first', querystring: Page, response: { 200: InvoicePage, ...errorResponses } } }, async (request) =>
    invoicing.clientInvoices(contextOf(request), request.query),
  );
  app.get('/v1/billing/invoices/:id', { config: console, schema: { tags, summary: 'An invoice with its lines', params: IdParams, response: { 200: Invoice, ...errorResponses } } }, async (request) =>
    invoicing.clientInvoice(contextOf(request), request.params.id),
  );
  app.get('/v1/billing/invoices/:id/pdf', { config: console, schema: { tags, summary: 'The invoice as PDF (Factur-X: the EN 16931 XML is embedded)', params: IdParams } }, async (request, reply) =>
    sendPdf(reply, await invoicing.pdf(contextOf(request), request.params.id)),
  );
  app.get('/v1/billing/invoices/:id/factur-x.xml', { config: console, schema: { tags, summary: 'The invoice as Factur-X / EN 16931 CII XML', params: IdParams } }, async (request, reply) =>
    sendXml(reply, await invoicing.facturX(contextOf(request), request.params.id)),
  );
  app.get(
    '/v1/billing/payments',
    { config: console, schema: { tags, summary: 'Your payments and the invoices they settled', querystring: Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }) }, { additionalProperties: false }), response: { 200: Type.Object({ data: Type.Array(Payment) }), ...errorResponses } } },
    async (request) => ({ data: await payments.clientPayments(contextOf(request), request.query.limit) }),
  );
  app.get('/v1/billing/dunning', { config: console, schema: { tags, summary: 'Payment reminders and their timeline (R-DUNNING)', response: { 200: Type.Object({ data: Type.Array(DunningCase) }), ...errorResponses } } }, async (request) => ({
    data: await dunning.clientCases(contextOf(request)),
  }));

  // Operators: order forms and contracts ----------------------------------------------------------
  app.get(
    '/v1/operator/billing/order-forms',
    {
      config: console,
      schema: {
        tags: ops,
        summary: 'Order forms',
        querystring: Type.Object({ tenantId: Type.Optional(Type.String({ format: 'uuid' })), status: Type.Optional(Type.Union([Type.Literal('draft'), Type.Literal('signed'), Type.Literal('cancelled')])) }, { additionalProperties: false }),
        response: { 200: Type.Object({ data: Type.Array(OrderForm) }), ...errorResponses },
      },
    },
    async (request) => ({ data: await contracts.listOrderForms(contextOf(request), request.query) }),
  );
  app.post('/v1/operator/billing/order-forms', { config: console, schema: { tags: ops, summary: 'Create an order form (bon de commande), VAT number checked with VIES', body: OrderFormBody, response: { 201: OrderForm, ...errorResponses } } }, async (request, reply) =>
    reply.status(201).send(await contracts.createOrderForm(contextOf(request), request.body)),
  );
  app.get('/v1/operator/billing/order-forms/:id', { config: console, schema: { tags: ops, summary: 'An order form', params: IdParams, response: { 200: OrderForm, ...errorResponses } } }, async (request) =>
    contracts.getOrderForm(contextOf(request), request.params.id),
  );
  app.post(
    '/v1/operator/billing/order-forms/:id/sign',
    {
      config: console,
      schema: {
        tags: ops,
        summary: 'Sign: creates the contract and issues the onboarding invoice in full (R-ONBOARD)',
        params: IdParams,
        body: Type.Object({ signedOn: IsoDate, signatoryName: Type.String({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false }),
        response: { 200: Type.Object({ contract: Contract, onboardingInvoiceId: Nullable(Type.String()) }), ...errorResponses },
      },
    },
    async (request) => contracts.signOrderForm(contextOf(request), request.params.id, request.body),
  );
  app.post('/v1/operator/billing/order-forms/:id/cancel', { config: console, schema: { tags: ops, summary: 'Cancel a draft order form', params: IdParams, response: { 200: OrderForm, ...errorResponses } } }, async (request) =>
    contracts.cancelOrderForm(contextOf(request), request.params.id),
  );
  app.get(
    '/v1/operator/billing/contracts',
    { config: console, schema: { tags: ops, summary: 'Contracts', querystring: Type.Object({ tenantId: Type.Optional(Type.String({ format: 'uuid' })) }, { additionalProperties: false }), response: { 200: Type.Object({ data: Type.Array(Contract) }), ...errorResponses } } },
    async (request) => ({ data: await contracts.listContracts(contextOf(request), request.query) }),
  );
  app.get('/v1/operator/billing/contracts/:id', { config: console, schema: { tags: ops, summary: 'A contract with its history', params: IdParams, response: { 200: Contract, ...errorResponses } } }, async (request) =>
    contracts.getContract(contextOf(request), request.params.id),
  );
  app.post(
    '/v1/operator/billing/contracts/:id/poi-licence',
    {
      config: console,
      schema: {
        tags: ops,
        summary: 'Amend the licensed POI count (R-POI: raise billed prorated from its date; reduction at the end of the period, no refund)',
        params: IdParams,
        body: Type.Object({ poiCount: Type.Integer({ minimum: 0, maximum: 100_000 }), signedOn: IsoDate, effectiveOn: Type.Optional(IsoDate) }, { additionalProperties: false }),
        response: { 200: Contract, ...errorResponses },
      },
    },
    async (request) => contracts.amendPoiLicence(contextOf(request), request.params.id, request.body),
  );
  app.post(
    '/v1/operator/billing/contracts/:id/notices',
    {
      config: console,
      schema: {
        tags: ops,
        summary: 'Record a termination notice (R-TERM: 45 days before an exit date, registered letter or email)',
        params: IdParams,
        body: Type.Object({ receivedOn: IsoDate, channel: Type.Union([Type.Literal('registered_letter'), Type.Literal('email')]), reference: Type.Optional(Type.String({ maxLength: 200 })) }, { additionalProperties: false }),
        response: { 200: Contract, ...errorResponses },
      },
    },
    async (request) => contracts.recordNotice(contextOf(request), request.params.id, request.body),
  );
  app.post('/v1/operator/billing/contracts/:id/vies-check', { config: console, schema: { tags: ops, summary: 'Check the client’s VAT number with VIES again (the answer is kept as proof)', params: IdParams, response: { 200: ViesProof, ...errorResponses } } }, async (request) =>
    catalogue.recheckVat(contextOf(request), request.params.id),
  );

  // Operators: invoice runs, invoices, credit notes, charges ----------------------------------------
  app.get('/v1/operator/billing/invoice-runs', { config: console, schema: { tags: ops, summary: 'Monthly invoice runs', response: { 200: Type.Object({ data: Type.Array(Run) }), ...errorResponses } } }, async (request) => ({
    data: await invoicing.listRuns(contextOf(request)),
  }));
  app.post(
    '/v1/operator/billing/invoice-runs',
    {
      config: console,
      schema: {
        tags: ops,
        summary: 'Prepare (or refresh) the preview of a month: one draft per client; issued invoices are never touched again',
        body: Type.Object({ period: Type.String({ pattern: '^[0-9]{4}-(0[1-9]|1[0-2])$', description: 'YYYY-MM' }) }, { additionalProperties: false }),
        response: { 200: Run, ...errorResponses },
      },
    },
    async (request) => invoicing.operatorPrepareRun(contextOf(request), `${request.body.period}-01`),
  );
  app.get('/v1/operator/billing/invoice-runs/:id', { config: console, schema: { tags: ops, summary: 'A run and its invoices (the preview)', params: IdParams, response: { 200: Type.Object({ run: Run, invoices: Type.Array(Invoice) }), ...errorResponses } } }, async (request) =>
    invoicing.getRun(contextOf(request), request.params.id),
  );
  app.post('/v1/operator/billing/invoice-runs/:id/issue', { config: console, schema: { tags: ops, summary: 'Issue every draft of the run (numbers assigned without gaps)', params: IdParams, response: { 200: Run, ...errorResponses } } }, async (request) =>
    invoicing.operatorIssueRun(contextOf(request), request.params.id),
  );
  app.get(
    '/v1/operator/billing/invoices',
    {
      config: console,
      schema: {
        tags: ops,
        summary: 'Invoices and credit notes of every client',
        querystring: Type.Object(
          {
            limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
            cursor: Type.Optional(Type.String({ maxLength: 500 })),
            tenantId: Type.Optional(Type.String({ format: 'uuid' })),
            status: Type.Optional(Type.Union([Type.Literal('draft'), Type.Literal('issued')])),
            paymentStatus: Type.Optional(Type.Union([Type.Literal('unpaid'), Type.Literal('partially_paid'), Type.Literal('paid')])),
            kind: Type.Optional(Type.Union([Type.Literal('invoice'), Type.Literal('credit_note')])),
            overdue: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false },
        ),
        response: { 200: InvoicePage, ...errorResponses },
      },
    },
    async (request) => invoicing.operatorInvoices(contextOf(request), request.query),
  );
  app.get('/v1/operator/billing/invoices/:id', { config: console, schema: { tags: ops, summary: 'An invoice or draft with its lines', params: IdParams, response: { 200: Invoice, ...errorResponses } } }, async (request) =>
    invoicing.operatorInvoice(contextOf(request), request.params.id),
  );
  app.post('/v1/operator/billing/invoices/:id/issue', { config: console, schema: { tags: ops, summary: 'Issue one draft', params: IdParams, response: { 200: Invoice, ...errorResponses } } }, async (request) =>
    invoicing.operatorIssue(contextOf(request), request.params.id),
  );
  app.get('/v1/operator/billing/invoices/:id/pdf', { config: console, schema: { tags: ops, summary: 'PDF (Factur-X) of an issued invoice', params: IdParams } }, async (request, reply) =>
    sendPdf(reply, await invoicing.pdf(contextOf(request), request.params.id)),
  );
  app.get('/v1/operator/billing/invoices/:id/factur-x.xml', { config: console, schema: { tags: ops, summary: 'Factur-X XML of an issued invoice', params: IdParams } }, async (request, reply) =>
    sendXml(reply, await invoicing.facturX(contextOf(request), request.params.id)),
  );
  app.post(
    '/v1/operator/billing/invoices/:id/credit-notes',
    {
      config: console,
      schema: {
        tags: ops,
        summary: 'Issue a credit note (avoir): in full, or for given amounts HT',
        params: IdParams,
        body: Type.Object(
          { reason: Reason, lines: Type.Optional(Type.Array(Type.Object({ description: Type.String({ minLength: 1, maxLength: 300 }), amountHtCents: Type.Integer({ minimum: 1 }) }, { additionalProperties: false }), { minItems: 1, maxItems: 50 })) },
          { additionalProperties: false },
        ),
        response: { 201: Invoice, ...errorResponses },
      },
    },
    async (request, reply) => reply.status(201).send(await invoicing.createCreditNote(contextOf(request), request.params.id, request.body)),
  );
  app.get(
    '/v1/operator/billing/charges',
    { config: console, schema: { tags: ops, summary: 'Lines waiting for the next invoice', querystring: Type.Object({ tenantId: Type.Optional(Type.String({ format: 'uuid' })) }, { additionalProperties: false }), response: { 200: Type.Object({ data: Type.Array(Charge) }), ...errorResponses } } },
    async (request) => ({ data: await invoicing.listCharges(contextOf(request), request.query.tenantId) }),
  );
  app.post(
    '/v1/operator/billing/charges',
    { config: console, schema: { tags: ops, summary: 'Add a manual line, a third-party tax at cost (R-PASSTHRU) or an AF2M fine + 15 % (R-AF2M) to the next invoice', body: ChargeBody, response: { 201: Type.Object({ data: Type.Array(Charge) }), ...errorResponses } } },
    async (request, reply) => reply.status(201).send({ data: await invoicing.addCharge(contextOf(request), request.body) }),
  );
  app.delete('/v1/operator/billing/charges/:id', { config: console, schema: { tags: ops, summary: 'Remove a charge not yet invoiced', params: IdParams } }, async (request, reply) => {
    await invoicing.removeCharge(contextOf(request), request.params.id);
    return reply.status(204).send();
  });
  app.post('/v1/operator/billing/tenants/:id/invoice-charges', { config: console, schema: { tags: ops, summary: 'Invoice the tenant’s pending charges now', params: IdParams, response: { 201: Invoice, ...errorResponses } } }, async (request, reply) =>
    reply.status(201).send(await invoicing.invoiceChargesNow(contextOf(request), request.params.id)),
  );
  app.get(
    '/v1/operator/billing/tenants/:id/liability-cap',
    { config: console, schema: { tags: ops, summary: 'R-CAP: the HT amount paid over the 12 months before a date', params: IdParams, querystring: Type.Object({ date: IsoDate }, { additionalProperties: false }), response: { 200: LiabilityCap, ...errorResponses } } },
    async (request) => payments.liabilityCap(contextOf(request), request.params.id, request.query.date),
  );

  // Operators: payments, bank statements, SEPA ----------------------------------------------------
  app.get(
    '/v1/operator/billing/payments',
    {
      config: console,
      schema: {
        tags: ops,
        summary: 'Payments received',
        querystring: Type.Object({ tenantId: Type.Optional(Type.String({ format: 'uuid' })), limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }) }, { additionalProperties: false }),
        response: { 200: Type.Object({ data: Type.Array(Payment) }), ...errorResponses },
      },
    },
    async (request) => ({ data: await payments.operatorPayments(contextOf(request), request.query) }),
  );
  app.post('/v1/operator/billing/payments', { config: console, schema: { tags: ops, summary: 'Record a payment (partial payments allowed; 1 % discount within 8 days)', body: PaymentBody, response: { 201: Payment, ...errorResponses } } }, async (request, reply) =>
    reply.status(201).send(await payments.recordPayment(contextOf(request), request.body)),
  );
  void app.register(async (scope) => {
    // The statement travels as the bank exported it (CSV bytes, any encoding).
    scope.addContentTypeParser(['text/csv', 'application/octet-stream'], { parseAs: 'buffer', bodyLimit: 10 * 1024 * 1024 }, (_request, body, done) => done(null, body));
    (scope as unknown as App).post(
      '/v1/operator/billing/bank-statements',
      {
        config: console,
        bodyLimit: 10 * 1024 * 1024,
        schema: {
          tags: ops,
          summary: 'Import a bank statement (CSV as exported by the bank): credits matched to invoices by reference; the same lines twice are refused',
          querystring: Type.Object({ filename: Type.Optional(Type.String({ maxLength: 200 })) }, { additionalProperties: false }),
          response: { 200: StatementImport, ...errorResponses },
        },
      },
      async (request) => {
        const body = request.body as unknown;
        const bytes = Buffer.isBuffer(body) ? body : Buffer.from(typeof body === 'string' ? body : '');
        return payments.importStatement(contextOf(request), { bytes, filename: request.query.filename ?? null });
      },
    );
  });
  app.get('/v1/operator/billing/bank-lines', { config: console, schema: { tags: ops, summary: 'Statement lines waiting for manual matching', response: { 200: Type.Object({ data: Type.Array(BankLine) }), ...errorResponses } } }, async (request) => ({
    data: await payments.unmatchedLines(contextOf(request)),
  }));
  app.post(
    '/v1/operator/billing/bank-lines/:fingerprint/resolve',
    {
      config: console,
      schema: {
        tags: ops,
        summary: 'Match a statement line to an invoice, or ignore it',
        params: Type.Object({ fingerprint: Type.String({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false }),
        body: Type.Object({ invoiceId: Type.Optional(Type.String({ format: 'uuid' })), ignore: Type.Optional(Type.Boolean()) }, { additionalProperties: false }),
        response: { 200: Type.Object({ payment: Nullable(Payment) }), ...errorResponses },
      },
    },
    async (request) => ({ payment: await payments.resolveBankLine(contextOf(request), request.params.fingerprint, request.body) }),
  );
  app.get('/v1/operator/billing/sepa-batches', { config: console, schema: { tags: ops, summary: 'SEPA direct-debit batches', response: { 200: Type.Object({ data: Type.Array(SepaBatch) }), ...errorResponses } } }, async (request) => ({
    data: await payments.listSepaBatches(contextOf(request)),
  }));
  app.post(
    '/v1/operator/billing/sepa-batches',
    {
      config: console,
      schema: {
        tags: ops,
        summary: 'Create a pain.008 batch of the SEPA invoices due by a date; debtors are pre-notified now (≥ 14 days ahead)',
        body: Type.Object({ collectionDate: IsoDate, dueBy: Type.Optional(IsoDate) }, { additionalProperties: false }),
        response: { 201: SepaBatch, ...errorResponses },
      },
    },
    async (request, reply) => reply.status(201).send(await payments.createSepaBatch(contextOf(request), request.body)),
  );
  app.get('/v1/operator/billing/sepa-batches/:id', { config: console, schema: { tags: ops, summary: 'A SEPA batch and its collections', params: IdParams, response: { 200: SepaBatch, ...errorResponses } } }, async (request) =>
    payments.sepaBatch(contextOf(request), request.params.id),
  );
  app.get('/v1/operator/billing/sepa-batches/:id/pain.008.xml', { config: console, schema: { tags: ops, summary: 'Download the pain.008 XML for the bank', params: IdParams } }, async (request, reply) =>
    sendXml(reply, await payments.sepaBatchXml(contextOf(request), request.params.id)),
  );
  app.post('/v1/operator/billing/sepa-batches/:id/settle', { config: console, schema: { tags: ops, summary: 'The bank debited the batch: record its payments', params: IdParams, response: { 200: SepaBatch, ...errorResponses } } }, async (request) =>
    payments.settleSepaBatch(contextOf(request), request.params.id),
  );

  // Operators: dunning -----------------------------------------------------------------------------
  app.get(
    '/v1/operator/billing/dunning',
    {
      config: console,
      schema: {
        tags: ops,
        summary: 'The dunning board: open cases, their step and timeline',
        querystring: Type.Object({ includeClosed: Type.Boolean({ default: false }), tenantId: Type.Optional(Type.String({ format: 'uuid' })) }, { additionalProperties: false }),
        response: { 200: Type.Object({ data: Type.Array(DunningCase) }), ...errorResponses },
      },
    },
    async (request) => ({ data: await dunning.board(contextOf(request), request.query) }),
  );
  app.post(
    '/v1/operator/billing/dunning/run',
    { config: console, schema: { tags: ops, summary: 'Run today’s dunning step now (the daily job does it at 06:30)', response: { 200: Type.Object({}, { additionalProperties: true }), ...errorResponses } } },
    async (request) => {
      const ctx = contextOf(request);
      await dunning.board(ctx, { includeClosed: false }); // permission check
      return dunning.run();
    },
  );
  app.get('/v1/operator/billing/dunning/:id', { config: console, schema: { tags: ops, summary: 'A dunning case', params: IdParams, response: { 200: DunningCase, ...errorResponses } } }, async (request) =>
    dunning.caseDetail(contextOf(request), request.params.id),
  );
  app.post('/v1/operator/billing/dunning/:id/suspend', { config: console, schema: { tags: ops, summary: 'Suspend now (only once the 5 business days after the notice have passed)', params: IdParams, response: { 200: DunningCase, ...errorResponses } } }, async (request) =>
    dunning.operatorSuspend(contextOf(request), request.params.id),
  );
  app.post(
    '/v1/operator/billing/dunning/:id/acknowledge',
    { config: console, schema: { tags: ops, summary: 'Record the acknowledgement of the formal notice', params: IdParams, body: Type.Object({ on: IsoDate, note: Type.Optional(Type.String({ maxLength: 500 })) }, { additionalProperties: false }), response: { 200: DunningCase, ...errorResponses } } },
    async (request) => dunning.operatorAcknowledge(contextOf(request), request.params.id, request.body),
  );
  app.post(
    '/v1/operator/billing/dunning/:id/notes',
    { config: console, schema: { tags: ops, summary: 'Add a note to the timeline', params: IdParams, body: Type.Object({ text: Type.String({ minLength: 1, maxLength: 2000 }) }, { additionalProperties: false }), response: { 200: DunningCase, ...errorResponses } } },
    async (request) => dunning.operatorNote(contextOf(request), request.params.id, request.body.text),
  );
  app.post(
    '/v1/operator/billing/downtimes',
    {
      config: console,
      schema: {
        tags: ops,
        summary: 'Record a downtime caused by SOFY alone: its days are not billed',
        body: Type.Object({ tenantId: Type.String({ format: 'uuid' }), from: IsoDate, to: IsoDate, reason: Reason }, { additionalProperties: false }),
        response: { 201: Type.Object({ id: Type.String() }), ...errorResponses },
      },
    },
    async (request, reply) => reply.status(201).send(await dunning.recordSofyDowntime(contextOf(request), request.body)),
  );

  // Operators: tables and catalogue ----------------------------------------------------------------
  const SyntecRow = Type.Object({ month: Type.String(), value: Type.String(), createdBy: Nullable(Type.String()), createdAt: Type.String() });
  app.get('/v1/operator/billing/syntec', { config: console, schema: { tags: ops, summary: 'The SYNTEC index table (R-PRICE)', response: { 200: Type.Object({ data: Type.Array(SyntecRow) }), ...errorResponses } } }, async (request) => ({
    data: await catalogue.syntec(contextOf(request)),
  }));
  app.post(
    '/v1/operator/billing/syntec',
    { config: console, schema: { tags: ops, summary: 'Set the SYNTEC value of a month', body: Type.Object({ month: Type.String({ pattern: '^[0-9]{4}-(0[1-9]|1[0-2])$' }), value: Type.String({ pattern: '^[0-9]+([.,][0-9])?$' }) }, { additionalProperties: false }), response: { 200: SyntecRow, ...errorResponses } } },
    async (request) => catalogue.setSyntec(contextOf(request), request.body.month, request.body.value.replace(',', '.')),
  );
  const RateRow = Type.Object({ effectiveFrom: Type.String(), ratePercent: Type.String(), createdBy: Nullable(Type.String()), createdAt: Type.String() });
  app.get('/v1/operator/billing/legal-rates', { config: console, schema: { tags: ops, summary: 'Legal interest rates for professional creditors, per semester (R-LATE)', response: { 200: Type.Object({ data: Type.Array(RateRow) }), ...errorResponses } } }, async (request) => ({
    data: await catalogue.legalRates(contextOf(request)),
  }));
  app.post(
    '/v1/operator/billing/legal-rates',
    { config: console, schema: { tags: ops, summary: 'Set the legal rate of a semester', body: Type.Object({ effectiveFrom: IsoDate, ratePercent: Type.String({ pattern: '^[0-9]{1,2}([.][0-9]{1,2})?$' }) }, { additionalProperties: false }), response: { 200: RateRow, ...errorResponses } } },
    async (request) => catalogue.setLegalRate(contextOf(request), request.body.effectiveFrom, request.body.ratePercent),
  );
  app.get(
    '/v1/operator/billing/products',
    { config: console, schema: { tags: ops, summary: 'The catalogue', response: { 200: Type.Object({ data: Type.Array(Type.Object({ code: Type.String(), name: Type.String(), unit: Type.String(), description: Type.String() })) }), ...errorResponses } } },
    async (request) => ({ data: await catalogue.products(contextOf(request)) }),
  );
  app.get('/v1/operator/billing/price-lists', { config: console, schema: { tags: ops, summary: 'Price lists and their versions', response: { 200: Type.Object({ data: Type.Array(PriceList) }), ...errorResponses } } }, async (request) => ({
    data: await catalogue.priceLists(contextOf(request)),
  }));
  app.post('/v1/operator/billing/price-lists', { config: console, schema: { tags: ops, summary: 'A new version of a price list, from its effective date', body: PriceListBody, response: { 201: PriceList, ...errorResponses } } }, async (request, reply) =>
    reply.status(201).send(await catalogue.createPriceList(contextOf(request), request.body)),
  );
}

const page = (title: string, body: string) =>
  `<!doctype html><html lang="fr"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${title}</title>` +
  '<style>body{font-family:system-ui,sans-serif;max-width:34rem;margin:4rem auto;padding:0 1rem;color:#111827}button{font:inherit;padding:.6rem 1.2rem;border-radius:.5rem;border:0;background:#4338ca;color:#fff;cursor:pointer}</style>' +
  `</head><body>${body}</body></html>`;
const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * The acknowledgement link of a formal notice (R-DUNNING: "mise en demeure par email avec accusé
 * de réception"). Opening the link shows the notice's subject and one button; the POST records
 * the acknowledgement on the case's timeline (a mail scanner that only GETs links records nothing).
 */
export function billingPublicRoutes(app: App, billing: Billing): void {
  void app.register(async (scope) => {
    scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 1024 }, (_request, body, done) => done(null, body));
    scope.get('/billing/acknowledge/:token', { config: { auth: 'public' }, schema: { hide: true } }, async (request, reply) => {
      const { token } = request.params as { token: string };
      const notice = await billing.dunning.describeAcknowledgement(token);
      if (!notice) return reply.status(404).type('text/html').send(page('Lien invalide', '<h1>Lien invalide</h1><p>Ce lien d’accusé de réception n’est pas valide.</p>'));
      if (notice.acknowledgedAt) return reply.type('text/html').send(page('Accusé de réception', `<h1>Déjà enregistré</h1><p>La réception de « ${escapeHtml(notice.subject)} » a été confirmée.</p>`));
      return reply
        .type('text/html')
        .send(page('Accusé de réception', `<h1>Accusé de réception</h1><p>${escapeHtml(notice.subject)}</p><form method="post"><button type="submit">Je confirme avoir reçu ce courrier</button></form>`));
    });
    scope.post('/billing/acknowledge/:token', { config: { auth: 'public', csrf: false }, schema: { hide: true } }, async (request, reply) => {
      const { token } = request.params as { token: string };
      const ok = await billing.dunning.acknowledgeByToken(token, { ip: request.ip, requestId: request.id });
      if (!ok) return reply.status(404).type('text/html').send(page('Lien invalide', '<h1>Lien invalide</h1>'));
      return reply.type('text/html').send(page('Accusé de réception enregistré', '<h1>Merci</h1><p>Votre accusé de réception est enregistré.</p>'));
    });
  });
}
