/**
 * Model types shared by the engine, every host and the renderer.
 * Plain data only: no functions, no Node or DOM types.
 */

/** Problems found while dissecting one frame (Wireshark's expert info, roughly). */
export interface Anomaly {
  kind: 'truncated' | 'malformed' | 'unsupported' | 'note';
  /** Protocol layer that found it, by Wireshark abbreviation (`ip`, `tcp`, `pcapng`, ...). */
  layer: string;
  /** Byte offset within the frame (or within the file for capture-level anomalies). */
  offset: number;
  detail: string;
}

/** One line of the packet-detail tree. Captured strings in `label`/`value` are plain text. */
export interface TreeNode {
  /** Display line, as Wireshark would show it. */
  label: string;
  /** Field abbreviation from the registry (`ip.src`), absent for text-only lines. */
  field?: string;
  /** Byte offset and length within the frame data (for hex highlighting). */
  offset: number;
  length: number;
  /** Machine value: number, string or boolean. Bytes values are lower-case hex strings. */
  value?: string | number | boolean;
  children?: TreeNode[];
  /** Set on nodes that report an anomaly. */
  anomaly?: Anomaly['kind'];
}

export type CaptureStatus = 'ingesting' | 'complete' | 'truncated' | 'damaged' | 'cancelled';

export interface CaptureInfo {
  id: number;
  path: string;
  size: number;
  sha256: string;
  format: 'pcap' | 'pcapng';
  compression: 'gzip' | 'zstd' | null;
  linkTypes: number[];
  packets: number;
  bytes: number;
  /** Epoch time of the first and last frame in file order, as decimal text with 9 fraction digits. */
  firstTs: string | null;
  lastTs: string | null;
  status: CaptureStatus;
  /** For truncated/damaged/cancelled: byte offset where reading stopped, and why. */
  stopOffset: number | null;
  stopReason: string | null;
  ingestedAt: string;
}

export interface PacketRow {
  frame: number;
  /** Seconds since the epoch (integer part) and nanoseconds. */
  tsSec: number;
  tsNsec: number;
  src: string;
  dst: string;
  srcPort: number | null;
  dstPort: number | null;
  protocol: string;
  length: number;
  caplen: number;
  info: string;
  flowId: number | null;
  flags: number;
}

export interface FrameDetail {
  frame: number;
  tree: TreeNode[];
  /** Captured bytes as lower-case hex (caplen bytes). */
  hex: string;
  anomalies: Anomaly[];
}

export interface FlowRow {
  id: number;
  /** 'tcp' | 'udp' | 'icmp' | ... by IP protocol name, or 'ip' for others. */
  proto: string;
  ipProto: number;
  addrA: string;
  portA: number | null;
  addrB: string;
  portB: number | null;
  firstTsSec: number;
  firstTsNsec: number;
  lastTsSec: number;
  lastTsNsec: number;
  packetsAtoB: number;
  packetsBtoA: number;
  bytesAtoB: number;
  bytesBtoA: number;
  /** TCP only: SYN, SYN-ACK, FIN and RST seen. */
  tcpState: { syn: boolean; synAck: boolean; fin: boolean; rst: boolean } | null;
}

export interface HostRow {
  id: number;
  addr: string;
  firstTsSec: number;
  lastTsSec: number;
  packetsOut: number;
  packetsIn: number;
  bytesOut: number;
  bytesIn: number;
  peers: number;
  macs: string[];
}

export interface CaptureStats {
  sha256: string;
  packets: number;
  bytes: number;
  firstTs: string | null;
  lastTs: string | null;
  linkTypes: number[];
  tcpConversations: number;
  udpConversations: number;
  ipHosts: number;
  truncated: boolean;
  status: CaptureStatus;
  stopOffset: number | null;
  stopReason: string | null;
}

export interface IngestProgress {
  bytesRead: number;
  totalBytes: number;
  packets: number;
  /** Bytes per second over the run so far. */
  rate: number;
  /** Seconds left at the current rate, or null when unknown. */
  etaSeconds: number | null;
  phase: 'hashing' | 'reading' | 'indexing' | 'done';
}
