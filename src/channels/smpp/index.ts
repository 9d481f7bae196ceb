export {
  SmppConnector,
  type SmppConnectorOptions,
  type SmppConnectorState,
  type SmppConnectorStats,
  type SmppLogger,
} from './client.ts';
export { errorForStatus, hexStatus } from './errors.ts';
export { decodeGsm7, encodeGsm7, isGsmEncodable, unencodableChars } from './gsm.ts';
export { parseReceiptText, receiptOutcome, statusFromStat } from './receipt.ts';
export { concatInfo, decodeText, rawShortMessage } from './codec.ts';
