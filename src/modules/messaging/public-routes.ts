import type { Clock } from '../../platform/clock.ts';
import type { Database } from '../../platform/db/database.ts';
import { withTenant } from '../../platform/db/tenant-context.ts';
import type { App } from '../../platform/http/server.ts';
import { recordOptOut } from '../contacts/index.ts';
import { addSuppression, type UnsubscribeTokens } from './inbound.ts';

const page = (title: string, body: string) =>
  `<!doctype html><html lang="fr"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${title}</title>` +
  `<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#111827}button{font:inherit;padding:.6rem 1.2rem;border-radius:.5rem;border:0;background:#4338ca;color:#fff;cursor:pointer}</style>` +
  `</head><body>${body}</body></html>`;

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * Email unsubscribe links (R-OPTOUT, RFC 8058). Mail clients POST `List-Unsubscribe=One-Click`
 * to the link; a person who clicks it gets a page with one button. Either way the address joins
 * the tenant's suppression list at once.
 */
export function unsubscribeRoutes(app: App, deps: { db: Database; clock: Clock; tokens: UnsubscribeTokens }): void {
  void app.register(async (scope) => routes(scope as unknown as App, deps));
}

function routes(app: App, deps: { db: Database; clock: Clock; tokens: UnsubscribeTokens }): void {
  // Mail clients send the one-click POST as a form (only these routes accept forms).
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 4096 }, (_request, body, done) => done(null, body));
  app.get('/unsubscribe/:token', { config: { auth: 'public' }, schema: { hide: true } }, async (request, reply) => {
    const { token } = request.params as { token: string };
    const target = deps.tokens.read(token);
    if (!target) return reply.status(404).type('text/html').send(page('Lien invalide', '<h1>Lien invalide</h1><p>Ce lien de désinscription n’est pas valide.</p>'));
    return reply
      .type('text/html')
      .send(
        page(
          'Se désinscrire',
          `<h1>Se désinscrire</h1><p>Vous ne recevrez plus d’e-mails promotionnels à l’adresse <strong>${escapeHtml(target.address)}</strong>.</p>` +
            `<form method="post"><input type="hidden" name="List-Unsubscribe" value="One-Click"><button type="submit">Confirmer la désinscription</button></form>`,
        ),
      );
  });

  app.post('/unsubscribe/:token', { config: { auth: 'public', csrf: false }, schema: { hide: true } }, async (request, reply) => {
    const { token } = request.params as { token: string };
    const target = deps.tokens.read(token);
    if (!target) return reply.status(404).send({ error: 'invalid link' });
    const now = deps.clock.now();
    await withTenant(deps.db, target.tenantId, async (tx) => {
      await addSuppression(tx, target.tenantId, target.address, 'email_unsubscribe', 'email', 'one-click unsubscribe', now);
      await recordOptOut(tx, target.tenantId, target.address, 'email', 'email_unsubscribe', now); // R-CONSENT: withdraw the contact's email consent
    });
    return reply.type('text/html').send(page('Désinscription confirmée', '<h1>C’est fait</h1><p>Votre désinscription est enregistrée.</p>'));
  });

}
