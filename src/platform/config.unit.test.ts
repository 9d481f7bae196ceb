import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Config, ConfigError, decodeSecretKey, loadConfig } from './config.ts';

const CWD = '/srv/sofy';
const KEY_BYTES = Buffer.from(Array.from({ length: 32 }, (_, i) => i));
const KEY_BASE64 = KEY_BYTES.toString('base64');
const KEY_HEX = KEY_BYTES.toString('hex');

/** The problems loadConfig reports for an environment (fails the test if it does not throw). */
function problemsOf(env: Record<string, string | undefined>, cwd = CWD): string[] {
  try {
    loadConfig(env, cwd);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected loadConfig to throw a ConfigError');
}

describe('loadConfig defaults', () => {
  it('gives a complete default configuration for an empty environment', () => {
    const expected: Config = {
      port: 3000,
      host: '127.0.0.1',
      dataDir: '/srv/sofy/data',
      databaseUrl: undefined,
      appDatabaseUrl: undefined,
      secretKey: undefined,
      tls: undefined,
      publicUrl: 'http://localhost:3000',
      logLevel: 'info',
      trustProxy: false,
      dbPoolSize: 10,
      embeddedPgPort: undefined,
      rateLimit: { perApiKeyPerMinute: 6000, perIpPerMinute: 1200, loginPerIpPerMinute: 20 },
      demo: true,
      messaging: {
        sandbox: true,
        sandboxPorts: { smpp: 2775, smtp: 2525, whatsapp: 3101, rcs: 3102 },
        smppUrl: undefined,
        smppRoutes: [{ id: 'smpp', url: undefined, throughput: 10_000, window: 100, route: '*', countries: '*', priority: 0 }],
        dkim: undefined,
        smppThroughput: 10_000,
        smppWindow: 100,
        dispatchLeaseSeconds: 60,
        dispatch: true,
        smtpUrl: undefined,
        emailFrom: 'SOFY <no-reply@sofy.localhost>',
        whatsapp: { baseUrl: undefined, token: undefined, phoneNumberId: '109876543210987', appSecret: undefined, verifyToken: undefined, businessAccountId: '100000000000001' },
        rcs: { baseUrl: undefined, token: undefined, agentId: 'sofy_sandbox_agent', clientToken: undefined },
        stopShortCode: '36111',
        webhooksAllowPrivateNetworks: true,
        smppGateway: { enabled: true, host: '127.0.0.1', port: 2776, throughput: 200, window: 100 },
      },
      billing: {
        viesUrl: undefined,
        sandboxViesPort: 0,
        emailFrom: 'SOFY Facturation <facturation@sofy.localhost>',
        iban: undefined,
        bic: undefined,
        sepaCreditorId: undefined,
      },
    };
    expect(loadConfig({}, CWD)).toEqual(expected);
  });

  it('lets a worker run jobs without dispatching (SOFY_DISPATCH)', () => {
    expect(loadConfig({}, CWD).messaging.dispatch).toBe(true);
    expect(loadConfig({ SOFY_DISPATCH: 'false' }, CWD).messaging.dispatch).toBe(false);
    expect(() => loadConfig({ SOFY_DISPATCH: 'sometimes' }, CWD)).toThrow(/SOFY_DISPATCH/);
  });

  it('treats empty and blank variables as unset', () => {
    const config = loadConfig({ PORT: '', HOST: '   ', SOFY_DEMO: '', DATABASE_URL: ' ', SOFY_SECRET_KEY: '', SOFY_LOG_LEVEL: '' }, CWD);
    expect(config.port).toBe(3000);
    expect(config.host).toBe('127.0.0.1');
    expect(config.demo).toBe(true);
    expect(config.databaseUrl).toBeUndefined();
    expect(config.secretKey).toBeUndefined();
    expect(config.logLevel).toBe('info');
  });

  it('reads every variable', () => {
    const config = loadConfig(
      {
        PORT: '8080',
        HOST: '0.0.0.0',
        SOFY_DATA_DIR: '/var/lib/sofy',
        DATABASE_URL: 'postgres://sofy:pw@db:5432/sofy',
        SOFY_APP_DATABASE_URL: 'postgresql://app:pw@db:5432/sofy',
        SOFY_SECRET_KEY: KEY_BASE64,
        SOFY_PUBLIC_URL: 'https://app.sofy.fr/',
        SOFY_LOG_LEVEL: 'debug',
        SOFY_TRUST_PROXY: 'true',
        SOFY_DB_POOL_SIZE: '25',
        SOFY_EMBEDDED_PG_PORT: '54329',
        SOFY_RATE_LIMIT_API_KEY: '100',
        SOFY_RATE_LIMIT_IP: '200',
        SOFY_RATE_LIMIT_LOGIN: '5',
        SOFY_DEMO: 'false',
      },
      CWD,
    );
    expect(config).toEqual({
      port: 8080,
      host: '0.0.0.0',
      dataDir: '/var/lib/sofy',
      databaseUrl: 'postgres://sofy:pw@db:5432/sofy',
      appDatabaseUrl: 'postgresql://app:pw@db:5432/sofy',
      secretKey: KEY_BASE64,
      tls: undefined,
      publicUrl: 'https://app.sofy.fr',
      logLevel: 'debug',
      trustProxy: true,
      dbPoolSize: 25,
      embeddedPgPort: 54329,
      rateLimit: { perApiKeyPerMinute: 100, perIpPerMinute: 200, loginPerIpPerMinute: 5 },
      demo: false,
      messaging: loadConfig({}, CWD).messaging,
      billing: loadConfig({}, CWD).billing,
    } satisfies Config);
  });

  it('resolves a relative data dir against cwd and trims values', () => {
    expect(loadConfig({ SOFY_DATA_DIR: './state' }, CWD).dataDir).toBe('/srv/sofy/state');
    expect(loadConfig({ SOFY_DATA_DIR: '../shared' }, CWD).dataDir).toBe('/srv/shared');
    expect(loadConfig({ PORT: ' 4000 ', HOST: ' ::1 ' }, CWD)).toMatchObject({ port: 4000, host: '::1' });
  });

  it('derives the default public URL from the port', () => {
    expect(loadConfig({ PORT: '8443' }, CWD).publicUrl).toBe('http://localhost:8443');
  });

  it('strips one trailing slash from the public URL', () => {
    expect(loadConfig({ SOFY_PUBLIC_URL: 'https://sofy.example.fr/console/' }, CWD).publicUrl).toBe('https://sofy.example.fr/console');
    expect(loadConfig({ SOFY_PUBLIC_URL: 'http://sofy.example.fr' }, CWD).publicUrl).toBe('http://sofy.example.fr');
  });

  it('accepts every log level', () => {
    for (const level of ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const) {
      expect(loadConfig({ SOFY_LOG_LEVEL: level }, CWD).logLevel).toBe(level);
    }
  });
});

describe('loadConfig validation', () => {
  it('throws a ConfigError whose message lists each problem', () => {
    let caught: unknown;
    try {
      loadConfig({ PORT: 'abc', SOFY_DEMO: 'maybe' }, CWD);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const error = caught as ConfigError;
    expect(error.name).toBe('ConfigError');
    expect(error.problems).toEqual(['PORT: must be a whole number from 0 to 65535 (got "abc")', 'SOFY_DEMO: must be true or false (got "maybe")']);
    expect(error.message).toBe(
      'Invalid configuration:\n  - PORT: must be a whole number from 0 to 65535 (got "abc")\n  - SOFY_DEMO: must be true or false (got "maybe")',
    );
  });

  it('reports every problem together, each naming its variable', () => {
    const env = {
      PORT: '70000',
      DATABASE_URL: 'mysql://db/sofy',
      SOFY_SECRET_KEY: 'too-short',
      SOFY_PUBLIC_URL: 'not a url',
      SOFY_LOG_LEVEL: 'verbose',
      SOFY_TRUST_PROXY: 'perhaps',
      SOFY_DB_POOL_SIZE: '0',
      SOFY_EMBEDDED_PG_PORT: '80',
      SOFY_RATE_LIMIT_API_KEY: '-1',
      SOFY_RATE_LIMIT_IP: '1.5',
      SOFY_RATE_LIMIT_LOGIN: '100001',
      SOFY_DEMO: 'nope',
      SOFY_TLS_CERT: 'cert.pem',
    };
    const problems = problemsOf(env);
    const names = [
      'PORT',
      'SOFY_TLS_CERT',
      'DATABASE_URL',
      'SOFY_SECRET_KEY',
      'SOFY_PUBLIC_URL',
      'SOFY_LOG_LEVEL',
      'SOFY_TRUST_PROXY',
      'SOFY_DB_POOL_SIZE',
      'SOFY_EMBEDDED_PG_PORT',
      'SOFY_RATE_LIMIT_API_KEY',
      'SOFY_RATE_LIMIT_IP',
      'SOFY_RATE_LIMIT_LOGIN',
      'SOFY_DEMO',
    ];
    expect(problems).toHaveLength(names.length);
    for (const name of names) expect(problems.some((p) => p.startsWith(name)), name).toBe(true);
  });

  describe('integers', () => {
    it.each([
      ['PORT', '-1', 'PORT: must be a whole number from 0 to 65535 (got "-1")'],
      ['PORT', '65536', 'PORT: must be a whole number from 0 to 65535 (got "65536")'],
      ['PORT', '80.5', 'PORT: must be a whole number from 0 to 65535 (got "80.5")'],
      ['PORT', 'eighty', 'PORT: must be a whole number from 0 to 65535 (got "eighty")'],
      ['SOFY_DB_POOL_SIZE', '0', 'SOFY_DB_POOL_SIZE: must be a whole number from 1 to 500 (got "0")'],
      ['SOFY_DB_POOL_SIZE', '501', 'SOFY_DB_POOL_SIZE: must be a whole number from 1 to 500 (got "501")'],
      ['SOFY_EMBEDDED_PG_PORT', '1023', 'SOFY_EMBEDDED_PG_PORT: must be a whole number from 1024 to 65535 (got "1023")'],
      ['SOFY_EMBEDDED_PG_PORT', '65536', 'SOFY_EMBEDDED_PG_PORT: must be a whole number from 1024 to 65535 (got "65536")'],
      ['SOFY_RATE_LIMIT_API_KEY', '0', 'SOFY_RATE_LIMIT_API_KEY: must be a whole number from 1 to 10000000 (got "0")'],
      ['SOFY_RATE_LIMIT_IP', '10000001', 'SOFY_RATE_LIMIT_IP: must be a whole number from 1 to 10000000 (got "10000001")'],
      ['SOFY_RATE_LIMIT_LOGIN', '100001', 'SOFY_RATE_LIMIT_LOGIN: must be a whole number from 1 to 100000 (got "100001")'],
    ])('%s=%s is refused', (name, value, message) => {
      expect(problemsOf({ [name]: value })).toEqual([message]);
    });

    it('accepts the bounds of each range', () => {
      expect(loadConfig({ PORT: '0' }, CWD).port).toBe(0);
      expect(loadConfig({ PORT: '65535' }, CWD).port).toBe(65535);
      expect(loadConfig({ SOFY_DB_POOL_SIZE: '1' }, CWD).dbPoolSize).toBe(1);
      expect(loadConfig({ SOFY_DB_POOL_SIZE: '500' }, CWD).dbPoolSize).toBe(500);
      expect(loadConfig({ SOFY_EMBEDDED_PG_PORT: '1024' }, CWD).embeddedPgPort).toBe(1024);
      expect(loadConfig({ SOFY_EMBEDDED_PG_PORT: '65535' }, CWD).embeddedPgPort).toBe(65535);
      expect(loadConfig({ SOFY_RATE_LIMIT_LOGIN: '100000' }, CWD).rateLimit.loginPerIpPerMinute).toBe(100000);
    });
  });

  describe('booleans', () => {
    it.each(['1', 'true', 'TRUE', 'True', 'yes', 'YES', 'on', ' On '])('%s is true', (value) => {
      expect(loadConfig({ SOFY_TRUST_PROXY: value }, CWD).trustProxy).toBe(true);
      expect(loadConfig({ SOFY_DEMO: value }, CWD).demo).toBe(true);
    });

    it.each(['0', 'false', 'FALSE', 'no', 'No', 'off', 'OFF'])('%s is false', (value) => {
      expect(loadConfig({ SOFY_TRUST_PROXY: value }, CWD).trustProxy).toBe(false);
      expect(loadConfig({ SOFY_DEMO: value }, CWD).demo).toBe(false);
    });

    it.each(['2', 'y', 'n', 'enabled', 'truee'])('%s is refused with the variable name', (value) => {
      expect(problemsOf({ SOFY_TRUST_PROXY: value })).toEqual([`SOFY_TRUST_PROXY: must be true or false (got "${value}")`]);
    });
  });

  it('refuses an unknown log level', () => {
    expect(problemsOf({ SOFY_LOG_LEVEL: 'INFO' })).toEqual(['SOFY_LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent (got "INFO")']);
  });

  describe('database URLs', () => {
    it('accepts postgres: and postgresql: URLs', () => {
      expect(loadConfig({ DATABASE_URL: 'postgres://u:p@h/db' }, CWD).databaseUrl).toBe('postgres://u:p@h/db');
      expect(loadConfig({ DATABASE_URL: 'postgresql://u:p@h:5433/db?sslmode=require' }, CWD).databaseUrl).toBe('postgresql://u:p@h:5433/db?sslmode=require');
    });

    it.each(['mysql://u:p@h/db', 'http://h/db', 'postgress://h/db', 'file:///tmp/db'])('refuses the protocol of %s', (url) => {
      const problems = problemsOf({ DATABASE_URL: url });
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(/^DATABASE_URL: must be a URL starting with postgres:\/\/ or postgresql:\/\//);
    });

    it('refuses a value that is not a URL', () => {
      expect(problemsOf({ DATABASE_URL: '//db:5432/sofy' })).toEqual(['DATABASE_URL: not a valid URL']);
      expect(problemsOf({ DATABASE_URL: 'sofy' })).toEqual(['DATABASE_URL: not a valid URL']);
    });

    it('checks SOFY_APP_DATABASE_URL the same way', () => {
      const problems = problemsOf({ DATABASE_URL: 'postgres://h/db', SOFY_APP_DATABASE_URL: 'redis://h' });
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(/^SOFY_APP_DATABASE_URL: must be a URL starting with postgres:\/\/ or postgresql:\/\//);
    });

    it('requires DATABASE_URL alongside SOFY_APP_DATABASE_URL', () => {
      expect(problemsOf({ SOFY_APP_DATABASE_URL: 'postgres://app@h/db' })).toEqual(['SOFY_APP_DATABASE_URL needs DATABASE_URL (the migration login) too']);
    });
  });

  it('refuses a public URL that is not http(s)', () => {
    const problems = problemsOf({ SOFY_PUBLIC_URL: 'ftp://sofy.example.fr' });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^SOFY_PUBLIC_URL: must be a URL starting with http:\/\/ or https:\/\//);
    expect(problemsOf({ SOFY_PUBLIC_URL: 'sofy.example.fr' })).toEqual(['SOFY_PUBLIC_URL: not a valid URL']);
  });

  describe('SOFY_SECRET_KEY', () => {
    const message = 'SOFY_SECRET_KEY: must be 32 bytes, base64 or hex (e.g. `openssl rand -base64 32`)';

    it('accepts 32 bytes in standard base64, base64url, unpadded base64 or hex', () => {
      const urlSafe = Buffer.alloc(32, 0xfb).toString('base64url');
      expect(urlSafe).toMatch(/[-_]/);
      for (const key of [KEY_BASE64, KEY_BASE64.replace(/=+$/, ''), urlSafe, KEY_HEX, KEY_HEX.toUpperCase()]) {
        expect(loadConfig({ SOFY_SECRET_KEY: key }, CWD).secretKey, key).toBe(key);
      }
    });

    it.each([
      ['16 bytes of base64', Buffer.alloc(16, 1).toString('base64')],
      ['31 bytes of base64', Buffer.alloc(31, 1).toString('base64')],
      ['33 bytes of base64', Buffer.alloc(33, 1).toString('base64')],
      ['64 bytes of base64', Buffer.alloc(64, 1).toString('base64')],
      ['62 hex characters', KEY_HEX.slice(2)],
      ['a passphrase', 'correct horse battery staple'],
    ])('refuses %s', (_label, key) => {
      expect(problemsOf({ SOFY_SECRET_KEY: key })).toEqual([message]);
    });

    it('does not echo the key in the message', () => {
      const key = Buffer.alloc(16, 7).toString('base64');
      const [problem] = problemsOf({ SOFY_SECRET_KEY: key });
      expect(problem).not.toContain(key);
    });
  });

  describe('TLS', () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'sofy-config-'));
      writeFileSync(join(dir, 'cert.pem'), 'cert');
      writeFileSync(join(dir, 'key.pem'), 'key');
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('resolves both files against cwd and switches the default public URL to https', () => {
      const config = loadConfig({ SOFY_TLS_CERT: 'cert.pem', SOFY_TLS_KEY: './key.pem', PORT: '8443' }, dir);
      expect(config.tls).toEqual({ certPath: join(dir, 'cert.pem'), keyPath: join(dir, 'key.pem') });
      expect(config.publicUrl).toBe('https://localhost:8443');
    });

    it('accepts absolute paths', () => {
      const config = loadConfig({ SOFY_TLS_CERT: join(dir, 'cert.pem'), SOFY_TLS_KEY: join(dir, 'key.pem') }, '/');
      expect(config.tls).toEqual({ certPath: join(dir, 'cert.pem'), keyPath: join(dir, 'key.pem') });
    });

    it('keeps an explicit public URL with TLS', () => {
      expect(loadConfig({ SOFY_TLS_CERT: 'cert.pem', SOFY_TLS_KEY: 'key.pem', SOFY_PUBLIC_URL: 'https://sofy.example.fr' }, dir).publicUrl).toBe(
        'https://sofy.example.fr',
      );
    });

    it('requires both or neither', () => {
      const message = 'SOFY_TLS_CERT and SOFY_TLS_KEY go together: set both or neither';
      expect(problemsOf({ SOFY_TLS_CERT: 'cert.pem' }, dir)).toEqual([message]);
      expect(problemsOf({ SOFY_TLS_KEY: 'key.pem' }, dir)).toEqual([message]);
      expect(problemsOf({ SOFY_TLS_CERT: 'cert.pem', SOFY_TLS_KEY: '  ' }, dir)).toEqual([message]);
    });

    it('names each missing file', () => {
      expect(problemsOf({ SOFY_TLS_CERT: 'missing-cert.pem', SOFY_TLS_KEY: 'key.pem' }, dir)).toEqual(['SOFY_TLS_CERT: file not found (missing-cert.pem)']);
      expect(problemsOf({ SOFY_TLS_CERT: 'cert.pem', SOFY_TLS_KEY: 'missing-key.pem' }, dir)).toEqual(['SOFY_TLS_KEY: file not found (missing-key.pem)']);
      expect(problemsOf({ SOFY_TLS_CERT: 'a.pem', SOFY_TLS_KEY: 'b.pem' }, dir)).toEqual([
        'SOFY_TLS_CERT: file not found (a.pem)',
        'SOFY_TLS_KEY: file not found (b.pem)',
      ]);
    });

    it('looks for relative files in cwd, not elsewhere', () => {
      expect(problemsOf({ SOFY_TLS_CERT: 'cert.pem', SOFY_TLS_KEY: 'key.pem' }, join(dir, 'elsewhere'))).toEqual([
        'SOFY_TLS_CERT: file not found (cert.pem)',
        'SOFY_TLS_KEY: file not found (key.pem)',
      ]);
    });
  });
});

describe('decodeSecretKey', () => {
  it('decodes hex and base64 to the same 32 bytes', () => {
    expect(decodeSecretKey(KEY_HEX)).toEqual(KEY_BYTES);
    expect(decodeSecretKey(KEY_BASE64)).toEqual(KEY_BYTES);
    expect(decodeSecretKey(`  ${KEY_BASE64}\n`)).toEqual(KEY_BYTES);
    expect(decodeSecretKey(KEY_BYTES.toString('base64url'))).toEqual(KEY_BYTES);
  });

  it('prefers hex for 64 hex characters', () => {
    const hexLooking = 'ab'.repeat(32);
    expect(decodeSecretKey(hexLooking)).toEqual(Buffer.alloc(32, 0xab));
  });

  it('returns undefined for anything that is not 32 bytes', () => {
    expect(decodeSecretKey('')).toBeUndefined();
    expect(decodeSecretKey(KEY_HEX.slice(1))).toBeUndefined();
    expect(decodeSecretKey(Buffer.alloc(24).toString('base64'))).toBeUndefined();
    expect(decodeSecretKey(`${KEY_HEX}00`)).toBeUndefined();
  });
});

describe('messaging providers', () => {
  it('requires an SMSC outside the sandbox, and a sane STOP short code', () => {
    const problems = problemsOf({ SOFY_SANDBOX: 'false', SOFY_STOP_SHORT_CODE: '12' });
    expect(problems).toContain('SOFY_SMPP_URL: required when SOFY_SANDBOX=false (smpp://system_id:password@host:port), or a url on every route of SOFY_SMPP_ROUTES');
    expect(problems).toContain('SOFY_STOP_SHORT_CODE: must be a short code of 4 to 6 digits');
  });

  it('refuses private webhook targets by default outside the sandbox', () => {
    const config = loadConfig({ SOFY_SANDBOX: 'false', SOFY_SMPP_URL: 'smpp://sofy:secret@smsc.example:2775' }, CWD);
    expect(config.messaging).toMatchObject({ sandbox: false, smppUrl: 'smpp://sofy:secret@smsc.example:2775', webhooksAllowPrivateNetworks: false });
  });
});
