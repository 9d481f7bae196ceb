/**
 * Provider settings that do not fit one environment variable each: the SMPP routes (several
 * operators, per route and destination, with failover) and the DKIM key of outgoing email.
 * Read once at boot; every problem is reported with the variable it comes from.
 */
import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** One SMPP connection the dispatcher can send through (issue 3 "Routes per channel/route/destination"). */
export interface SmppRouteConfig {
  /** Stable id: receipts are matched per connector, so it must not change while messages are in flight. */
  id: string;
  /** smpp://system_id:password@host:port; undefined = the sandbox SMSC. */
  url: string | undefined;
  /** Submissions per second (token bucket) and in flight on the bind. */
  throughput: number;
  window: number;
  /** Which traffic: `marketing`, `alert` or both (`*`). */
  route: 'marketing' | 'alert' | '*';
  /** ISO 3166-1 regions served (as phone numbers resolve: FR, RE, GP…), or every one. */
  countries: string[] | '*';
  /** Lower first; the next ones that match are the failover. */
  priority: number;
}

export interface DkimConfig {
  domainName: string;
  keySelector: string;
  privateKey: string;
}

const ROUTE_ID = /^[a-z0-9][a-z0-9_-]{0,31}$/;
const REGION = /^[A-Z]{2}$/;
const ROUTE_KEYS = new Set(['id', 'url', 'throughput', 'window', 'route', 'countries', 'priority']);

/**
 * `SOFY_SMPP_ROUTES`: a JSON array of routes. Unset: one route `smpp` from `SOFY_SMPP_URL` (or the
 * sandbox SMSC) with `SOFY_SMPP_THROUGHPUT` / `SOFY_SMPP_WINDOW`, for all traffic.
 */
export function readSmppRoutes(
  json: string | undefined,
  defaults: { url: string | undefined; throughput: number; window: number },
  problems: string[],
): SmppRouteConfig[] {
  const fallback: SmppRouteConfig = { id: 'smpp', url: defaults.url, throughput: defaults.throughput, window: defaults.window, route: '*', countries: '*', priority: 0 };
  if (json === undefined) return [fallback];
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    problems.push('SOFY_SMPP_ROUTES: not valid JSON (expected an array of routes, see docs/operations.md)');
    return [fallback];
  }
  if (!Array.isArray(parsed) || parsed.length === 0) {
    problems.push('SOFY_SMPP_ROUTES: must be a non-empty JSON array of routes');
    return [fallback];
  }
  const routes = parsed.map((item, index) => readRoute(item, index, defaults, problems));
  const ids = routes.map((r) => r.id);
  for (const id of new Set(ids)) {
    if (ids.filter((other) => other === id).length > 1) problems.push(`SOFY_SMPP_ROUTES: route id "${id}" is used twice`);
  }
  return routes;
}

function readRoute(item: unknown, index: number, defaults: { throughput: number; window: number }, problems: string[]): SmppRouteConfig {
  const at = `SOFY_SMPP_ROUTES[${index}]`;
  const route: SmppRouteConfig = { id: `route${index}`, url: undefined, throughput: defaults.throughput, window: defaults.window, route: '*', countries: '*', priority: index };
  if (typeof item !== 'object' || item === null || Array.isArray(item)) {
    problems.push(`${at}: must be an object`);
    return route;
  }
  const fields = item as Record<string, unknown>;
  for (const key of Object.keys(fields)) if (!ROUTE_KEYS.has(key)) problems.push(`${at}.${key}: unknown setting`);
  if (typeof fields.id === 'string' && ROUTE_ID.test(fields.id)) route.id = fields.id;
  else problems.push(`${at}.id: required, 1–32 of a-z 0-9 _ - (it names the connector in receipts and logs)`);
  if (fields.url !== undefined) {
    if (typeof fields.url === 'string' && isSmppUrl(fields.url)) route.url = fields.url;
    else problems.push(`${at}.url: must be smpp://system_id:password@host:port`);
  }
  route.throughput = readInteger(fields.throughput, `${at}.throughput`, 1, 1_000_000, defaults.throughput, problems);
  route.window = readInteger(fields.window, `${at}.window`, 1, 10_000, defaults.window, problems);
  route.priority = readInteger(fields.priority, `${at}.priority`, 0, 1000, index, problems);
  if (fields.route !== undefined) {
    if (fields.route === 'marketing' || fields.route === 'alert' || fields.route === '*') route.route = fields.route;
    else problems.push(`${at}.route: must be "marketing", "alert" or "*"`);
  }
  if (fields.countries !== undefined && fields.countries !== '*') {
    if (Array.isArray(fields.countries) && fields.countries.length > 0 && fields.countries.every((c) => typeof c === 'string' && REGION.test(c))) {
      route.countries = fields.countries as string[];
    } else {
      problems.push(`${at}.countries: must be "*" or a non-empty array of ISO 3166-1 codes such as ["FR", "RE"]`);
    }
  }
  return route;
}

function readInteger(value: unknown, name: string, min: number, max: number, fallback: number, problems: string[]): number {
  if (value === undefined) return fallback;
  if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) return value;
  problems.push(`${name}: must be a whole number from ${min} to ${max}`);
  return fallback;
}

function isSmppUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'smpp:' && url.hostname !== '' && url.username !== '';
  } catch {
    return false;
  }
}

/**
 * DKIM for outgoing email: `SOFY_DKIM_DOMAIN`, `SOFY_DKIM_SELECTOR` and the private key as PEM,
 * in `SOFY_DKIM_PRIVATE_KEY` or a file named by `SOFY_DKIM_PRIVATE_KEY_FILE`. All or none.
 */
export function readDkim(env: { domain?: string | undefined; selector?: string | undefined; key?: string | undefined; keyFile?: string | undefined }, problems: string[]): DkimConfig | undefined {
  const given = [env.domain, env.selector, env.key ?? env.keyFile].filter((v) => v !== undefined).length;
  if (given === 0) return undefined;
  if (given < 3) {
    problems.push('SOFY_DKIM_DOMAIN, SOFY_DKIM_SELECTOR and SOFY_DKIM_PRIVATE_KEY (or SOFY_DKIM_PRIVATE_KEY_FILE): set all of them, or none');
    return undefined;
  }
  if (env.key !== undefined && env.keyFile !== undefined) {
    problems.push('SOFY_DKIM_PRIVATE_KEY and SOFY_DKIM_PRIVATE_KEY_FILE: set only one');
    return undefined;
  }
  if (!/^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i.test(env.domain as string)) {
    problems.push('SOFY_DKIM_DOMAIN: must be a domain name such as example.com');
    return undefined;
  }
  if (!/^[a-z0-9](?:[a-z0-9._-]{0,62})$/i.test(env.selector as string)) {
    problems.push('SOFY_DKIM_SELECTOR: must be a DNS label such as sofy1');
    return undefined;
  }
  let pem = env.key?.replace(/\\n/g, '\n');
  if (env.keyFile !== undefined) {
    try {
      pem = readFileSync(env.keyFile, 'utf8');
    } catch (error) {
      problems.push(`SOFY_DKIM_PRIVATE_KEY_FILE: cannot read ${env.keyFile} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
      return undefined;
    }
  }
  try {
    const key = createPrivateKey(pem as string);
    // RSA: what every receiver verifies (RFC 6376); Ed25519 (RFC 8463) is not universal yet.
    if (key.asymmetricKeyType !== 'rsa') {
      problems.push('SOFY_DKIM_PRIVATE_KEY: must be an RSA private key');
      return undefined;
    }
  } catch {
    problems.push('SOFY_DKIM_PRIVATE_KEY: not a PEM private key');
    return undefined;
  }
  return { domainName: (env.domain as string).toLowerCase(), keySelector: env.selector as string, privateKey: pem as string };
}
