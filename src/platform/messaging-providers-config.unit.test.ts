import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.ts';
import { readDkim, readSmppRoutes } from './messaging-providers-config.ts';

const DEFAULTS = { url: undefined, throughput: 10_000, window: 100 };

function routes(json: string | undefined) {
  const problems: string[] = [];
  return { routes: readSmppRoutes(json, DEFAULTS, problems), problems };
}

describe('SOFY_SMPP_ROUTES', () => {
  it('defaults to one route for all traffic from SOFY_SMPP_URL', () => {
    const problems: string[] = [];
    expect(readSmppRoutes(undefined, { url: 'smpp://a:b@smsc.example:2775', throughput: 300, window: 20 }, problems)).toEqual([
      { id: 'smpp', url: 'smpp://a:b@smsc.example:2775', throughput: 300, window: 20, route: '*', countries: '*', priority: 0 },
    ]);
    expect(problems).toEqual([]);
  });

  it('reads several routes with their own settings, and fills the rest from the defaults', () => {
    const { routes: read, problems } = routes(
      JSON.stringify([
        { id: 'orange', url: 'smpp://sofy:pw@10.0.0.1:2775', countries: ['FR', 'RE'], route: 'alert', throughput: 250, window: 50, priority: 1 },
        { id: 'backup', url: 'smpp://sofy:pw@10.0.0.2' },
      ]),
    );
    expect(problems).toEqual([]);
    expect(read).toEqual([
      { id: 'orange', url: 'smpp://sofy:pw@10.0.0.1:2775', throughput: 250, window: 50, route: 'alert', countries: ['FR', 'RE'], priority: 1 },
      { id: 'backup', url: 'smpp://sofy:pw@10.0.0.2', throughput: 10_000, window: 100, route: '*', countries: '*', priority: 1 },
    ]);
  });

  it('names every problem with its place', () => {
    expect(routes('[{"id":"a"').problems).toEqual([expect.stringContaining('not valid JSON')]);
    expect(routes('[]').problems).toEqual([expect.stringContaining('non-empty JSON array')]);
    expect(routes('{"id":"a"}').problems).toEqual([expect.stringContaining('non-empty JSON array')]);
    const { problems } = routes(
      JSON.stringify([
        { id: 'A b', url: 'http://x', countries: ['fra'], route: 'promo', throughput: 0, window: 1.5, colour: 'red' },
        { id: 'twin' },
        { id: 'twin' },
      ]),
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        'SOFY_SMPP_ROUTES[0].colour: unknown setting',
        expect.stringMatching(/^SOFY_SMPP_ROUTES\[0\]\.id: required/),
        'SOFY_SMPP_ROUTES[0].url: must be smpp://system_id:password@host:port',
        'SOFY_SMPP_ROUTES[0].throughput: must be a whole number from 1 to 1000000',
        'SOFY_SMPP_ROUTES[0].window: must be a whole number from 1 to 10000',
        'SOFY_SMPP_ROUTES[0].route: must be "marketing", "alert" or "*"',
        expect.stringMatching(/^SOFY_SMPP_ROUTES\[0\]\.countries: must be/),
        'SOFY_SMPP_ROUTES: route id "twin" is used twice',
      ]),
    );
  });

  it('requires a URL on every route outside the sandbox', () => {
    expect(() => loadConfig({ SOFY_SANDBOX: 'false', SOFY_SMPP_ROUTES: '[{"id":"a","url":"smpp://u:p@h:1"},{"id":"b"}]' }, '/srv/sofy')).toThrow(
      /a url on every route of SOFY_SMPP_ROUTES/,
    );
    const config = loadConfig({ SOFY_SANDBOX: 'false', SOFY_SMPP_ROUTES: '[{"id":"a","url":"smpp://u:p@h:1"}]' }, '/srv/sofy');
    expect(config.messaging.smppRoutes.map((r) => r.id)).toEqual(['a']);
  });
});

describe('DKIM settings', () => {
  const pem = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

  it('is off when nothing is set', () => {
    const problems: string[] = [];
    expect(readDkim({}, problems)).toBeUndefined();
    expect(problems).toEqual([]);
  });

  it('reads the key from the variable (with escaped newlines) or from a file', () => {
    const problems: string[] = [];
    const inline = readDkim({ domain: 'Boulangerie-Martin.fr', selector: 'sofy1', key: pem.replace(/\n/g, '\\n') }, problems);
    expect(inline).toEqual({ domainName: 'boulangerie-martin.fr', keySelector: 'sofy1', privateKey: pem });
    const file = join(mkdtempSync(join(tmpdir(), 'sofy-dkim-')), 'dkim.pem');
    writeFileSync(file, pem);
    expect(readDkim({ domain: 'example.com', selector: 's1', keyFile: file }, problems)?.privateKey).toBe(pem);
    expect(problems).toEqual([]);
  });

  it('refuses half a configuration, a bad domain or selector, an unreadable file and a key that is not RSA', () => {
    const check = (env: Parameters<typeof readDkim>[0]) => {
      const problems: string[] = [];
      expect(readDkim(env, problems)).toBeUndefined();
      return problems;
    };
    expect(check({ domain: 'example.com' })).toEqual([expect.stringContaining('set all of them, or none')]);
    expect(check({ domain: 'example.com', selector: 's', key: pem, keyFile: '/x' })).toEqual([expect.stringContaining('set only one')]);
    expect(check({ domain: 'not a domain', selector: 's', key: pem })).toEqual([expect.stringContaining('SOFY_DKIM_DOMAIN')]);
    expect(check({ domain: 'example.com', selector: 'a b', key: pem })).toEqual([expect.stringContaining('SOFY_DKIM_SELECTOR')]);
    expect(check({ domain: 'example.com', selector: 's', keyFile: '/nonexistent/dkim.pem' })).toEqual([expect.stringContaining('cannot read')]);
    expect(check({ domain: 'example.com', selector: 's', key: 'not a key' })).toEqual([expect.stringContaining('not a PEM private key')]);
    const ed = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(check({ domain: 'example.com', selector: 's', key: ed })).toEqual([expect.stringContaining('must be an RSA private key')]);
  });
});
