import { Readable } from 'node:stream';
import { Type } from 'typebox';
import type { Clock } from '../../platform/clock.ts';
import type { Database } from '../../platform/db/database.ts';
import { errorResponses, IdParams, Nullable } from '../../platform/http/schemas.ts';
import { type App, contextOf } from '../../platform/http/server.ts';
import { recordClick, recordOpen } from './repo.ts';
import { parseShortCode } from './rules.ts';
import { CampaignBody, CampaignPatch, CampaignView, EstimateBody, EstimateView, ListQuery, PreviewBody, ReportView, TestSendBody, VariantPreviewView } from './schemas.ts';
import type { CampaignsService } from './service.ts';

/** `/v1/campaigns`: thin routes, the service decides (permissions, life cycle, rules). */
export function campaignRoutes(app: App, campaigns: CampaignsService): void {
  const tags = ['Campaigns'];
  const withId = { params: IdParams };

  app.get(
    '/v1/campaigns',
    { schema: { tags, summary: 'Campaigns, newest first (status filter; from/until for the calendar), with their counters', querystring: ListQuery, response: { 200: Type.Object({ data: Type.Array(CampaignView), nextCursor: Nullable(Type.String()) }), ...errorResponses } } },
    async (request) => campaigns.list(contextOf(request), request.query),
  );
  app.post(
    '/v1/campaigns',
    { schema: { tags, summary: 'Create a draft campaign (SMS, RCS with SMS fallback, email; up to 4 A/B variants)', body: CampaignBody, response: { 201: CampaignView, ...errorResponses } } },
    async (request, reply) => reply.status(201).send(await campaigns.create(contextOf(request), request.body)),
  );
  app.post(
    '/v1/campaigns/estimate',
    { schema: { tags, summary: 'Recipients (consent granted, not opted out) and cost of an audience before sending', body: EstimateBody, response: { 200: EstimateView, ...errorResponses } } },
    async (request) => campaigns.estimate(contextOf(request), request.body),
  );
  app.post(
    '/v1/campaigns/preview',
    {
      schema: {
        tags,
        summary: 'Each variant as a contact gets it: text with the STOP mention, encoding, characters, segments, price (the send path’s rules)',
        body: PreviewBody,
        response: { 200: Type.Object({ variants: Type.Array(VariantPreviewView), contact: Nullable(Type.Object({ id: Type.String(), name: Type.String(), address: Nullable(Type.String()) })) }), ...errorResponses },
      },
    },
    async (request) => campaigns.preview(contextOf(request), request.body),
  );
  app.get('/v1/campaigns/:id', { schema: { tags, summary: 'A campaign', ...withId, response: { 200: CampaignView, ...errorResponses } } }, async (request) => campaigns.get(contextOf(request), request.params.id));
  app.patch(
    '/v1/campaigns/:id',
    { schema: { tags, summary: 'Edit a campaign (a submitted or approved one goes back to draft)', ...withId, body: CampaignPatch, response: { 200: CampaignView, ...errorResponses } } },
    async (request) => campaigns.update(contextOf(request), request.params.id, request.body),
  );
  app.delete('/v1/campaigns/:id', { schema: { tags, summary: 'Delete a draft', ...withId } }, async (request, reply) => {
    await campaigns.remove(contextOf(request), request.params.id);
    return reply.status(204).send();
  });

  const action = (path: string, summary: string, run: (ctx: ReturnType<typeof contextOf>, id: string) => Promise<unknown>) =>
    app.post(`/v1/campaigns/:id/${path}`, { schema: { tags, summary, ...withId, response: { 200: CampaignView, ...errorResponses } } }, async (request) => run(contextOf(request), request.params.id));
  action('submit', 'Submit: scheduled, or waiting for an admin or owner when the account requires approval', (ctx, id) => campaigns.submit(ctx, id));
  action('approve', 'Approve a submitted campaign (admin, owner)', (ctx, id) => campaigns.approve(ctx, id));
  action('pause', 'Pause: the fan-out stops and waiting messages are held', (ctx, id) => campaigns.pause(ctx, id));
  action('resume', 'Resume a paused campaign', (ctx, id) => campaigns.resume(ctx, id));
  action('cancel', 'Cancel: messages that have not left are cancelled', (ctx, id) => campaigns.cancel(ctx, id));
  app.post(
    '/v1/campaigns/:id/reject',
    { schema: { tags, summary: 'Send a submitted campaign back to its author, with the reason', ...withId, body: Type.Object({ reason: Type.String({ minLength: 3, maxLength: 1000 }) }, { additionalProperties: false }), response: { 200: CampaignView, ...errorResponses } } },
    async (request) => campaigns.reject(contextOf(request), request.params.id, request.body.reason),
  );
  app.post(
    '/v1/campaigns/:id/test',
    { schema: { tags, summary: 'Send every variant to up to 5 addresses through the send path (billed like any message)', ...withId, body: TestSendBody } },
    async (request, reply) => reply.status(202).send(await campaigns.testSend(contextOf(request), request.params.id, request.body)),
  );
  app.get(
    '/v1/campaigns/:id/report',
    { schema: { tags, summary: 'Targeted, sent, delivered, failed (by reason and who failed), clicks, opens, opt-outs, cost; time series; A/B comparison', ...withId, response: { 200: ReportView, ...errorResponses } } },
    async (request) => campaigns.report(contextOf(request), request.params.id),
  );
  app.get('/v1/campaigns/:id/report.csv', { schema: { tags, summary: 'Every recipient with its outcome, as CSV (streamed)', ...withId } }, async (request, reply) => {
    const chunks = campaigns.exportCsv(contextOf(request), request.params.id);
    // The first chunk (the header) is read before answering, so an unknown campaign is a 404.
    const first = await chunks.next();
    async function* rest() {
      if (!first.done) yield first.value;
      yield* chunks;
    }
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="campaign-${request.params.id}.csv"`)
      .send(Readable.from(rest()));
  });
}

const PIXEL = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

/**
 * Public tracking routes (no authentication: the recipient's token is the key):
 * `GET /r/{token}{n}` records a click and redirects (302) to the campaign's n-th link;
 * `GET /o/{token}.gif` records an email open and answers a transparent pixel.
 */
export function trackingRoutes(app: App, deps: { db: Database; clock: Clock }): void {
  app.get('/r/:code', { config: { auth: 'public' }, schema: { hide: true, params: Type.Object({ code: Type.String({ maxLength: 20 }) }) } }, async (request, reply) => {
    const code = parseShortCode(request.params.code);
    const url = code ? await recordClick(deps.db, code.token, code.index, deps.clock.now(), request.headers['user-agent'] ?? null) : null;
    if (!url) return reply.status(404).type('text/html; charset=utf-8').send('<!doctype html><html lang="fr"><meta charset="utf-8"><title>Lien introuvable</title><h1>Lien introuvable</h1><p>Ce lien n’existe pas ou a expiré.</p></html>');
    return reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer').redirect(url, 302);
  });
  app.get('/o/:file', { config: { auth: 'public' }, schema: { hide: true, params: Type.Object({ file: Type.String({ maxLength: 20 }) }) } }, async (request, reply) => {
    const token = request.params.file.replace(/\.gif$/, '');
    if (/^[A-Za-z0-9_-]{8}$/.test(token)) await recordOpen(deps.db, token, deps.clock.now());
    // Always the pixel: a mail client must never show a broken image.
    return reply.header('cache-control', 'no-store, max-age=0').type('image/gif').send(PIXEL);
  });
}
