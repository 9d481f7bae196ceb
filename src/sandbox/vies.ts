import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { type Clock, systemClock } from '../platform/clock.ts';

/**
 * A stand-in for the European Commission's VIES REST API on loopback (R-VAT): the JSON the public
 * service speaks at `https://ec.europa.eu/taxation_customs/vies/rest-api`.
 *
 * - `POST /taxation_customs/vies/rest-api/check-vat-number` with `{countryCode, vatNumber}`
 *   (optionally `requesterMemberStateCode`, `requesterNumber`) answers `{countryCode, vatNumber,
 *   requestDate, valid, requestIdentifier, name, address, traderName, …}`, or, when a member
 *   state's system is down, `200 {actionSucceed: false, errorWrappers: [{error, message}]}` as the
 *   real service does; malformed input gets `400 {actionSucceed: false, errorWrappers:
 *   [{error: 'INVALID_INPUT'}]}`.
 * - `GET /taxation_customs/vies/rest-api/check-status`: which member states answer.
 *
 * VIES says whether a number is REGISTERED; the format and check digits are the platform's own
 * check (rules/vat-number.ts), done before asking. The simulator registers every well-shaped
 * number, except the magic ones (digits anywhere in the number, after the country code):
 * - containing `666` → `valid: false` (not registered), name and address `---`;
 * - containing `503` → `MS_UNAVAILABLE` (the member state does not answer);
 * - containing `429` → `MS_MAX_CONCURRENT_REQ`.
 * Tests may also `register` a number's answer or take a whole country down.
 */
export interface SandboxViesOptions {
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  clock?: Clock;
}

export interface ViesCheckRequest {
  countryCode?: unknown;
  vatNumber?: unknown;
  requesterMemberStateCode?: unknown;
  requesterNumber?: unknown;
}

export interface ViesRecord {
  valid: boolean;
  name?: string;
  address?: string;
}

export interface ViesLogEntry {
  countryCode: string;
  vatNumber: string;
  at: Date;
  outcome: 'valid' | 'invalid' | 'error';
  error?: string;
}

export const VIES_BASE_PATH = '/taxation_customs/vies/rest-api';

/** VIES prefixes: the 27 member states (Greece is EL) and Northern Ireland (XI). */
const MEMBER_STATES = ['AT', 'BE', 'BG', 'CY', 'CZ', 'DE', 'DK', 'EE', 'EL', 'ES', 'FI', 'FR', 'HR', 'HU', 'IE', 'IT', 'LT', 'LU', 'LV', 'MT', 'NL', 'PL', 'PT', 'RO', 'SE', 'SI', 'SK', 'XI'];

export class SandboxVies {
  readonly #options: SandboxViesOptions;
  readonly #clock: Clock;
  readonly #records = new Map<string, ViesRecord>();
  readonly #down = new Set<string>();
  readonly #log: ViesLogEntry[] = [];
  #app: FastifyInstance | undefined;
  #url: string | undefined;

  constructor(options: SandboxViesOptions = {}) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
  }

  /** The base URL clients use (`…/taxation_customs/vies/rest-api`), once started. */
  get url(): string {
    if (!this.#url) throw new Error('the VIES simulator is not started');
    return this.#url;
  }

  async start(): Promise<string> {
    const app = Fastify({ logger: false });
    app.post(`${VIES_BASE_PATH}/check-vat-number`, async (request, reply) => {
      const answer = this.answer((request.body ?? {}) as ViesCheckRequest);
      return reply.status(answer.status).send(answer.body);
    });
    app.get(`${VIES_BASE_PATH}/check-status`, async () => ({
      vow: { available: true },
      countries: MEMBER_STATES.map((countryCode) => ({ countryCode, availability: this.#down.has(countryCode) ? 'Unavailable' : 'Available' })),
    }));
    await app.listen({ host: this.#options.host ?? '127.0.0.1', port: this.#options.port ?? 0 });
    const address = app.server.address() as AddressInfo;
    this.#app = app;
    this.#url = `http://${address.address}:${address.port}${VIES_BASE_PATH}`;
    return this.#url;
  }

  async stop(): Promise<void> {
    await this.#app?.close();
    this.#app = undefined;
  }

  /** Fixes the answer for one number (prefix + body, e.g. `DE123456788`). */
  register(vatNumber: string, record: ViesRecord): void {
    this.#records.set(vatNumber.toUpperCase().replace(/\s/g, ''), record);
  }

  /** Takes a member state's system down (MS_UNAVAILABLE) or back up. */
  setAvailable(countryCode: string, available: boolean): void {
    if (available) this.#down.delete(countryCode.toUpperCase());
    else this.#down.add(countryCode.toUpperCase());
  }

  /** Every request answered, oldest first. */
  requests(): readonly ViesLogEntry[] {
    return this.#log;
  }

  /** The HTTP answer to one check: the service's logic without the transport. */
  answer(request: ViesCheckRequest): { status: number; body: Record<string, unknown> } {
    const now = this.#clock.now();
    const countryCode = typeof request.countryCode === 'string' ? request.countryCode.toUpperCase() : '';
    const vatNumber = typeof request.vatNumber === 'string' ? request.vatNumber.toUpperCase().replace(/[\s.-]/g, '') : '';
    const failure = (status: number, error: string, message: string) => {
      this.#log.push({ countryCode, vatNumber, at: now, outcome: 'error', error });
      return { status, body: { actionSucceed: false, errorWrappers: [{ error, message }] } };
    };
    if (!MEMBER_STATES.includes(countryCode) || !/^[0-9A-Z+*]{2,12}$/.test(vatNumber)) {
      return failure(400, 'INVALID_INPUT', 'The provided CountryCode is invalid or the VAT number is empty');
    }
    if (this.#down.has(countryCode) || vatNumber.includes('503')) {
      return failure(200, 'MS_UNAVAILABLE', 'The application at the Member State is not replying or not available. Please refer to the Technical Information page to check the status of the requested Member State, try again later');
    }
    if (vatNumber.includes('429')) {
      return failure(200, 'MS_MAX_CONCURRENT_REQ', 'Your Request for VAT validation has not been processed; the maximum number of concurrent requests for this Member State has been reached');
    }
    const record = this.#records.get(`${countryCode}${vatNumber}`) ?? {
      valid: !vatNumber.includes('666'),
      name: `SANDBOX TRADER ${countryCode}${vatNumber}`,
      address: `1 SANDBOX STREET\n${countryCode}-00000 SANDBOX`,
    };
    const requester =
      typeof request.requesterMemberStateCode === 'string' && typeof request.requesterNumber === 'string'
        ? { requesterMemberStateCode: request.requesterMemberStateCode, requesterNumber: request.requesterNumber }
        : {};
    this.#log.push({ countryCode, vatNumber, at: now, outcome: record.valid ? 'valid' : 'invalid' });
    return {
      status: 200,
      body: {
        countryCode,
        vatNumber,
        requestDate: now.toISOString(),
        valid: record.valid,
        requestIdentifier: `WAPI${randomBytes(6).toString('hex').toUpperCase()}`,
        name: record.valid ? (record.name ?? '---') : '---',
        address: record.valid ? (record.address ?? '---') : '---',
        traderName: '',
        traderStreet: '',
        traderPostalCode: '',
        traderCity: '',
        traderCompanyType: '',
        traderNameMatch: 'NOT_PROCESSED',
        traderStreetMatch: 'NOT_PROCESSED',
        traderPostalCodeMatch: 'NOT_PROCESSED',
        traderCityMatch: 'NOT_PROCESSED',
        traderCompanyTypeMatch: 'NOT_PROCESSED',
        ...requester,
      },
    };
  }
}
