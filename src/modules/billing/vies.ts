/**
 * The VIES adapter (R-VAT): asks the European Commission's VIES REST service whether an
 * intra-community VAT number is registered, and returns the answer as received, to be kept as
 * proof of the reverse charge. The format and check digits are checked before (rules/vat-number.ts):
 * VIES is asked only about well-formed numbers.
 *
 * `POST {base}/check-vat-number` `{countryCode, vatNumber}` → `{valid, requestDate,
 * requestIdentifier, name, address, …}`; a member state that does not answer gives
 * `{actionSucceed: false, errorWrappers: [{error: 'MS_UNAVAILABLE'}]}` (HTTP 200 or an error
 * status). Unavailability is an outcome, not an exception: the caller decides (R-VAT: without a
 * confirmed number, French VAT applies).
 */
import type { Clock } from '../../platform/clock.ts';

export type ViesOutcome = 'valid' | 'invalid' | 'unavailable';

export interface ViesAnswer {
  outcome: ViesOutcome;
  checkedAt: Date;
  requestIdentifier: string | null;
  traderName: string | null;
  traderAddress: string | null;
  /** The body as received (or the transport error), stored as proof. */
  response: Record<string, unknown>;
}

export interface ViesClient {
  /** `countryCode` is the VAT prefix (EL for Greece); `vatNumber` the body without it. */
  check(countryCode: string, vatNumber: string): Promise<ViesAnswer>;
}

/** The real service's base URL. */
export const VIES_PUBLIC_URL = 'https://ec.europa.eu/taxation_customs/vies/rest-api';

export class HttpViesClient implements ViesClient {
  constructor(
    private readonly baseUrl: string,
    private readonly clock: Clock,
    private readonly options: { timeoutMs?: number; requester?: { countryCode: string; vatNumber: string } } = {},
  ) {}

  async check(countryCode: string, vatNumber: string): Promise<ViesAnswer> {
    const checkedAt = this.clock.now();
    const unavailable = (response: Record<string, unknown>): ViesAnswer => ({ outcome: 'unavailable', checkedAt, requestIdentifier: null, traderName: null, traderAddress: null, response });
    const requester = this.options.requester ? { requesterMemberStateCode: this.options.requester.countryCode, requesterNumber: this.options.requester.vatNumber } : {};
    let status: number;
    let body: unknown;
    try {
      const response = await fetch(`${this.baseUrl.replace(/\/$/, '')}/check-vat-number`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ countryCode, vatNumber, ...requester }),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
      });
      status = response.status;
      const text = await response.text();
      try {
        body = JSON.parse(text) as unknown;
      } catch {
        return unavailable({ httpStatus: status, error: 'not_json', body: text.slice(0, 500) });
      }
    } catch (error) {
      return unavailable({ error: 'transport', message: (error as Error).message });
    }
    if (!body || typeof body !== 'object' || Array.isArray(body)) return unavailable({ httpStatus: status, body });
    const answer = body as Record<string, unknown>;
    if (answer.actionSucceed === false || Array.isArray(answer.errorWrappers)) {
      const errors = Array.isArray(answer.errorWrappers) ? (answer.errorWrappers as Array<{ error?: unknown }>).map((e) => String(e.error)) : [];
      // A number VIES refuses as input is not a registered number; anything else is an outage.
      if (errors.includes('INVALID_INPUT')) return { outcome: 'invalid', checkedAt, requestIdentifier: null, traderName: null, traderAddress: null, response: { httpStatus: status, ...answer } };
      return unavailable({ httpStatus: status, ...answer });
    }
    if (status !== 200 || typeof answer.valid !== 'boolean') return unavailable({ httpStatus: status, ...answer });
    const text = (value: unknown) => (typeof value === 'string' && value !== '' && value !== '---' ? value : null);
    return {
      outcome: answer.valid ? 'valid' : 'invalid',
      checkedAt,
      requestIdentifier: text(answer.requestIdentifier),
      traderName: text(answer.name) ?? text(answer.traderName),
      traderAddress: text(answer.address),
      response: answer,
    };
  }
}

/** No VIES configured (offline, no sandbox): every check is `unavailable`, and says why. */
export const noVies = (clock: Clock): ViesClient => ({
  async check() {
    return { outcome: 'unavailable', checkedAt: clock.now(), requestIdentifier: null, traderName: null, traderAddress: null, response: { error: 'not_configured', message: 'No VIES service is configured (SOFY_VIES_URL)' } };
  },
});
