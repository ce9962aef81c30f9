/**
 * Capture-reader contract. Readers are push parsers: the ingest loop feeds them
 * decompressed byte chunks of any size, in order, and they call back once per packet
 * record. Nothing here allocates per packet except what the callback keeps.
 */

/** One packet record as read from the capture file. */
export interface CaptureRecord {
  /** Byte offset of the packet data (not the record header) in the capture stream
   * (the decompressed stream for .gz/.zst), so details can be re-read later. */
  dataOffset: number;
  /** Byte offset of the record header / block start, for error messages. */
  recordOffset: number;
  caplen: number;
  origlen: number;
  /** Whole seconds since the Unix epoch (may exceed 2^32; unsigned, as Wireshark reads them). */
  tsSec: number;
  /** Nanoseconds within the second, 0..999_999_999. */
  tsNsec: number;
  /** pcap LINKTYPE_* value of the interface that captured it. */
  linktype: number;
  /** pcapng interface id (0 for classic pcap). */
  interfaceId: number;
  /** Packet comments (pcapng opt_comment), if any. */
  comments: string[] | null;
  /** View of the packet bytes; valid only during the callback. Length == caplen. */
  data: Uint8Array;
}

export interface InterfaceInfo {
  id: number;
  linktype: number;
  snaplen: number;
  name: string | null;
  description: string | null;
  /** Timestamp units per second (1e6 for usec, 1e9 for nsec, or 2^n). */
  tsResolution: number;
  tsOffsetSec: number;
  /** Interface statistics from pcapng ISB, when present. */
  stats: { received?: number; dropped?: number } | null;
}

export type CaptureFormat = 'pcap' | 'pcapng';

export interface CaptureHeaderInfo {
  format: CaptureFormat;
  /** 'little' | 'big' (for pcapng: the first section's). */
  byteOrder: 'little' | 'big';
  /** For classic pcap: 'usec' | 'nsec'. */
  tsPrecision: 'usec' | 'nsec' | null;
  versionMajor: number;
  versionMinor: number;
}

/** Name resolution (pcapng NRB) entries. */
export interface NameRecord {
  address: string;
  names: string[];
}

/**
 * Raised for damage that stops reading. `offset` is the byte offset in the capture
 * stream where the damage starts; every record before it has already been delivered.
 */
export class CaptureFormatError extends Error {
  override readonly name = 'CaptureFormatError';
  constructor(
    /** Machine-readable kind. */
    readonly kind:
      | 'empty'
      | 'unknown-magic'
      | 'truncated-header'
      | 'truncated-record'
      | 'bad-record-length'
      | 'bad-block-length'
      | 'bad-block'
      | 'unsupported-version'
      | 'decompress',
    readonly offset: number,
    message: string,
  ) {
    super(message);
  }
}

export interface CaptureParser {
  /** Feed the next chunk. May call onRecord many times. Throws CaptureFormatError on damage. */
  push(chunk: Uint8Array): void;
  /** Signal end of input. Throws CaptureFormatError('truncated-*') if input ended mid-record. */
  end(): void;
  readonly header: CaptureHeaderInfo | null;
  readonly interfaces: readonly InterfaceInfo[];
  readonly names: readonly NameRecord[];
  /** Number of packet records delivered so far. */
  readonly records: number;
  /** Stream offset just after the last complete record/block consumed. */
  readonly consumed: number;
}

export type RecordCallback = (rec: CaptureRecord) => void;
