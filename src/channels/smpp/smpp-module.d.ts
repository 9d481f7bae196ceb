/**
 * Minimal typings for `smpp@0.5.1` (the package ships none), covering only what the SOFY
 * connector and the sandbox SMSC use. The package is CommonJS: import it as
 * `import smpp from 'smpp'`.
 *
 * Facts about the package that shape these types (read from its source, pinned version):
 * - a received `short_message` (and `message_payload`) is decoded by the package into
 *   `{ udh?: Buffer[]; message: string | Buffer }`: `message` is a string for data_coding
 *   0/1 (its GSM 03.38 table), 3 (Latin-1) and 8 (UCS-2), a Buffer for the others; `udh` is the
 *   list of information elements (`[iei, length, ...data]`) when esm_class has 0x40;
 * - a `short_message` given as a Buffer is sent as is (esm_class and data_coding untouched);
 * - `sequence_number` given in the options is kept (else the session numbers it);
 * - a PDU with a non-zero `command_status` is encoded without a body.
 */
declare module 'smpp' {
  import type { EventEmitter } from 'node:events';
  import type { Server as NetServer, Socket } from 'node:net';

  namespace smpp {
    /** A decoded short message, as the package hands it over. */
    interface DecodedMessage {
      udh?: Buffer[];
      message: string | Buffer;
    }

    /** Fields of the PDUs we build or read (header, mandatory parameters, TLVs). */
    interface PduFields {
      command_status?: number;
      sequence_number?: number;
      // bind_*
      system_id?: string;
      password?: string;
      system_type?: string;
      interface_version?: number;
      addr_ton?: number;
      addr_npi?: number;
      address_range?: string;
      // submit_sm / deliver_sm
      service_type?: string;
      source_addr_ton?: number;
      source_addr_npi?: number;
      source_addr?: string;
      dest_addr_ton?: number;
      dest_addr_npi?: number;
      destination_addr?: string;
      esm_class?: number;
      protocol_id?: number;
      priority_flag?: number;
      schedule_delivery_time?: string | Date;
      validity_period?: string | Date;
      registered_delivery?: number;
      replace_if_present_flag?: number;
      data_coding?: number;
      sm_default_msg_id?: number;
      short_message?: Buffer | string | DecodedMessage;
      // *_resp
      message_id?: string;
      // TLVs
      receipted_message_id?: string;
      message_state?: number;
      network_error_code?: Buffer;
      message_payload?: Buffer | string | DecodedMessage;
      sar_msg_ref_num?: number;
      sar_total_segments?: number;
      sar_segment_seqnum?: number;
    }

    class PDU implements PduFields {
      constructor(command: string, options?: PduFields);
      command: string;
      command_id: number;
      command_length: number;
      command_status: number;
      sequence_number: number;
      isResponse(): boolean;
      response(options?: PduFields): PDU;
      toBuffer(): Buffer;

      system_id?: string;
      password?: string;
      system_type?: string;
      interface_version?: number;
      addr_ton?: number;
      addr_npi?: number;
      address_range?: string;
      service_type?: string;
      source_addr_ton?: number;
      source_addr_npi?: number;
      source_addr?: string;
      dest_addr_ton?: number;
      dest_addr_npi?: number;
      destination_addr?: string;
      esm_class?: number;
      protocol_id?: number;
      priority_flag?: number;
      schedule_delivery_time?: string | Date;
      validity_period?: string | Date;
      registered_delivery?: number;
      replace_if_present_flag?: number;
      data_coding?: number;
      sm_default_msg_id?: number;
      short_message?: Buffer | string | DecodedMessage;
      message_id?: string;
      receipted_message_id?: string;
      message_state?: number;
      network_error_code?: Buffer;
      message_payload?: Buffer | string | DecodedMessage;
      sar_msg_ref_num?: number;
      sar_total_segments?: number;
      sar_segment_seqnum?: number;
    }

    /** One SMPP session over one socket. Emits `connect`, `pdu`, `<command>`, `error`, `close`. */
    class Session extends EventEmitter {
      socket: Socket;
      /** Writes the PDU; false (and nothing written) when the socket is not writable. */
      send(pdu: PDU, responseCallback?: (resp: PDU) => void, sendCallback?: (pdu: PDU) => void): boolean;
      /** Ends the socket (FIN). */
      close(callback?: () => void): void;
      destroy(callback?: () => void): void;
      on(event: 'pdu', listener: (pdu: PDU) => void): this;
      on(event: 'connect' | 'close', listener: () => void): this;
      on(event: 'error', listener: (error: Error) => void): this;
    }

    class Server extends NetServer {
      sessions: Session[];
    }

    interface ConnectOptions {
      host: string;
      port: number;
      /** Package-driven enquire_link; we run our own, so never set. */
      auto_enquire_link_period?: number;
    }

    function connect(options: ConnectOptions, listener?: () => void): Session;
    function createServer(options: Record<string, never>, listener?: (session: Session) => void): Server;

    /** The package's own text codecs (used by the sandbox, an independent decoder). */
    const encodings: {
      ASCII: { match(value: string): boolean; encode(value: string): Buffer; decode(value: Buffer): string };
      UCS2: { encode(value: string): Buffer; decode(value: Buffer): string };
      LATIN1: { encode(value: string): Buffer; decode(value: Buffer): string };
    };

    /** The package's filter on short_message (exposed so tests can check our inverse of it). */
    const filters: {
      message: {
        decode(this: { data_coding?: number; esm_class?: number }, value: Buffer, skipUdh?: boolean): DecodedMessage;
      };
    };
  }

  export = smpp;
}
