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
  /** Wireshark's tcp.stream of a TCP conversation (for "Follow stream"), else null. */
  tcpStream: number | null;
  /** Application protocol the analyzers recognised (http, tls, smb, ...), or null. */
  app: string | null;
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

/** One run of bytes of a followed stream, in the order the conversation carried them. */
export interface StreamSegment {
  /** 0 = client → server, 1 = server → client. */
  dir: 0 | 1;
  /** Frame whose arrival made these bytes contiguous. */
  frame: number;
  /** Offset of the first byte within its direction's stream. */
  offset: number;
  /** The bytes, base64 (captured text: render as text only). */
  data: string;
  /** Bytes missing here (lost or not captured); data is empty then. */
  gap?: number;
}

export interface FollowedStream {
  stream: number;
  transport: 'tcp';
  client: { addr: string; port: number };
  server: { addr: string; port: number };
  /** Application protocol recognised on the stream (http, tls, ...), or null. */
  protocol: string | null;
  segments: StreamSegment[];
  /** Bytes each direction carried in the window, and in the whole stream when known. */
  bytes: [number, number];
  /** The window ended before the stream did. */
  truncated: boolean;
  frames: number;
}

/** An object carried by the traffic (an HTTP body, an SMB file), with its hashes. */
export interface ObjectRow {
  id: number;
  frame: number;
  stream: number | null;
  /** What carried it: 'http.request', 'http.response', 'smb.file', ... */
  source: string;
  /** Suggested name as sent (untrusted: sanitised before any file is written). */
  filename: string | null;
  mime: string;
  size: number;
  complete: boolean;
  md5: string | null;
  sha1: string | null;
  sha256: string | null;
}
