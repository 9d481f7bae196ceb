import type { Tx } from '../../platform/db/database.ts';
import * as repo from './repo.ts';
import type { ViesAnswer } from './vies.ts';

/** Keeps a VIES answer as the proof of a VAT treatment (R-VAT): the number, when, and the body as received. */
export async function storeViesProof(tx: Tx, tenantId: string, vatNumber: string, answer: ViesAnswer, by: string): Promise<repo.ViesCheckRow> {
  return repo.insertViesCheck(tx, {
    tenantId,
    countryCode: vatNumber.slice(0, 2),
    vatNumber: vatNumber.slice(2),
    checkedAt: answer.checkedAt,
    outcome: answer.outcome,
    requestIdentifier: answer.requestIdentifier,
    traderName: answer.traderName,
    traderAddress: answer.traderAddress,
    response: answer.response,
    createdBy: by,
  });
}
