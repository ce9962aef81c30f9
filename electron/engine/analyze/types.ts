/**
 * The application-layer analyzers' contract (HTTP, DNS, TLS, QUIC now; SMB, NTLM,
 * DCE/RPC, Kerberos, ... next). Analyzers run on the parse side of the ingest, after the
 * L2–L4 dissectors, and again on demand (follow stream, object export, frame detail).
 *
 * Rules every analyzer keeps (see ../../../shared/CONVENTIONS.md, "Parsing hostile bytes"):
 *  - Pure over its input: no I/O, no clock, no globals; all state lives in the parser object
 *    the framework created for one stream (TCP) or one conversation (UDP).
 *  - Bounded: every buffer, list and loop has a named cap. A stream that breaks a cap is
 *    given up (an anomaly, then `data` ignored) — never unbounded memory.
 *  - Never throws out of `data`/`gap`/`end`/`datagram`: malformed bytes become an anomaly
 *    through the sink; the framework still wraps every call and records a thrown error as a
 *    "dissector error" anomaly, so a bug costs one stream, never the ingest.
 *  - Byte arrays handed in are views valid only during the call: copy what you keep.
 */

/**
 * A field value, normalised exactly as the display-filter evaluator holds it
 * (filter/frame-fields.ts): uint/int/framenum → number; bool → 0 or 1; string → string;
 * bytes → Uint8Array; ipv4 → unsigned 32-bit number; ipv6 → Uint8Array(16);
 * float → number. Names must be registry names (shared/fields.ts).
 */
export type AppValue = number | string | Uint8Array;

/** Where an analyzer reports what it found for the frame being processed. */
export interface AppSink {
  /** One occurrence of a registry field on the current frame (the frame where Wireshark shows it). Order matters: tree order. */
  field(name: string, value: AppValue): void;
  /**
   * The current frame's Protocol and Info columns, as Wireshark shows them for the PDU(s)
   * completed in it. Several calls in one frame join their Info with ", " (the last protocol wins).
   */
  columns(protocol: string, info: string): void;
  /** A problem in the application data (offset: within the PDU, or -1). */
  anomaly(layer: string, detail: string, offset?: number): void;
  /** A structured record for the protocol views, detectors and exports. */
  record(rec: AppRecord): void;
}

/** Direction within a conversation: 0 = client → server (the SYN's sender, else the first sender), 1 = server → client. */
export type Dir = 0 | 1;

export interface Endpoint {
  /** Address text (dotted quad or RFC 5952). */
  addr: string;
  port: number;
}

/** What the framework tells a parser about the current frame. */
export interface FrameCtx {
  frame: number;
  tsSec: number;
  tsNsec: number;
  sink: AppSink;
}

export interface StreamInfo {
  /** Wireshark's tcp.stream (or, for UDP, the conversation index). */
  stream: number;
  client: Endpoint;
  server: Endpoint;
}

/**
 * A TCP application parser for one stream (both directions). The framework reassembles
 * each direction (out-of-order, retransmissions, overlaps) and hands bytes over in stream
 * order; `ctx.frame` is the frame whose arrival made them contiguous, so a PDU completed
 * by this call belongs to that frame, as in Wireshark.
 */
export interface TcpParser {
  data(dir: Dir, bytes: Uint8Array, ctx: FrameCtx): void;
  /** `length` bytes are missing in `dir` (lost, or beyond the reassembly cap); resync or give up. */
  gap(dir: Dir, length: number, ctx: FrameCtx): void;
  /** The direction ended (FIN, RST, or end of capture when ctx is null). Flush what a close completes (e.g. a body delimited by close). */
  end(dir: Dir, ctx: FrameCtx | null): void;
}

/** A UDP application parser for one conversation (e.g. DNS, QUIC). */
export interface UdpParser {
  datagram(dir: Dir, bytes: Uint8Array, ctx: FrameCtx): void;
}

// ---- Records (stored in the case; shown by the protocol views; read by the detectors) ------

export interface HttpRequestRecord {
  kind: 'http.request';
  stream: number;
  /** Frame that completed the request (where http.request.* fields are). */
  frame: number;
  /** First frame carrying bytes of the request. */
  firstFrame: number;
  method: string;
  uri: string;
  version: string;
  host: string | null;
  /** http.request.full_uri: `http://` + host + uri (absolute-form URIs kept as sent). */
  fullUri: string;
  userAgent: string | null;
  /** Header names and values in order (capped; values cut at MAX_HEADER_VALUE). */
  headers: [string, string][];
  /** Query parameters (from the URI) and form parameters (urlencoded or multipart field names/values, capped). */
  params: { source: 'query' | 'form' | 'multipart'; name: string; value: string; filename?: string }[];
  body: BodyInfo | null;
}

export interface HttpResponseRecord {
  kind: 'http.response';
  stream: number;
  frame: number;
  firstFrame: number;
  /** Frame of the request this answers (pipelining order), or null. */
  requestFrame: number | null;
  version: string;
  code: number;
  phrase: string;
  contentType: string | null;
  headers: [string, string][];
  body: BodyInfo | null;
}

/** A message body as seen (and decoded) during analysis. */
export interface BodyInfo {
  /** Bytes on the wire (after the headers, chunk framing included). */
  wireLength: number;
  /** Decoded length (de-chunked and decompressed), or -1 when it could not be decoded in full. */
  length: number;
  /** Transfer-Encoding / Content-Encoding applied, in order (e.g. ['chunked', 'gzip']). */
  encodings: string[];
  /** Sniffed MIME type of the decoded bytes (magic numbers), else the declared Content-Type, else 'application/octet-stream'. */
  mime: string;
  /** Hashes of the decoded body, lower-case hex; null when incomplete (gap, cap, truncated). */
  md5: string | null;
  sha1: string | null;
  sha256: string | null;
  /** Suggested file name (Content-Disposition, multipart filename, or the URI's last segment), unsanitised. */
  filename: string | null;
  /** Body complete and decoded in full. */
  complete: boolean;
}

export interface DnsRecord {
  kind: 'dns';
  frame: number;
  /** Conversation (UDP/TCP stream index). */
  stream: number;
  transport: 'udp' | 'tcp';
  id: number;
  response: boolean;
  opcode: number;
  rcode: number;
  questions: { name: string; type: number; class: number }[];
  /** Answers, authority and additional records (section marks which), capped. */
  answers: { section: 'an' | 'ns' | 'ar'; name: string; type: number; class: number; ttl: number; data: string }[];
}

export interface TlsHelloRecord {
  kind: 'tls.client_hello' | 'tls.server_hello';
  frame: number;
  stream: number;
  transport: 'tcp' | 'quic';
  /** Legacy record/handshake version (e.g. 0x0303) and, when present, the negotiated/offered supported_versions. */
  version: number;
  supportedVersions: number[];
  sni: string | null;
  alpn: string[];
  ciphers: number[];
  extensions: number[];
  ja3: string | null;
  ja3Full: string | null;
  ja3s: string | null;
  ja3sFull: string | null;
  ja4: string | null;
}

export interface X509Record {
  kind: 'x509';
  frame: number;
  stream: number;
  /** Position in the Certificate message (0 = leaf). */
  index: number;
  subject: string;
  issuer: string;
  serial: string;
  notBefore: string;
  notAfter: string;
  sha1: string;
  sha256: string;
  /** subjectAltName dNSName entries. */
  dnsNames: string[];
}

// ---- Windows and authentication protocols (SMB, NTLMSSP, DCE/RPC, Kerberos) ---------------

/** An SMB session setup outcome (one per SESSION_SETUP exchange that finished). */
export interface SmbSessionRecord {
  kind: 'smb.session';
  frame: number;
  stream: number;
  /** 'SMB2' with the negotiated dialect (e.g. 'SMB 3.1.1'), or 'SMB1'. */
  dialect: string;
  /** SMB2 SessionId (16 hex digits) or SMB1 UID. */
  sessionId: string;
  /** From the NTLMSSP AUTHENTICATE message (null when not NTLM, e.g. Kerberos). */
  user: string | null;
  domain: string | null;
  host: string | null;
  /** Kerberos principal when the session used Kerberos. */
  principal: string | null;
  anonymous: boolean;
  guest: boolean;
  /** 'NTLMv1' | 'NTLMv2' | 'Kerberos' | null. */
  auth: string | null;
  /** NT status of the final response (0 = STATUS_SUCCESS) and its name. */
  status: number;
  statusName: string;
  success: boolean;
}

export interface SmbTreeRecord {
  kind: 'smb.tree';
  frame: number;
  stream: number;
  sessionId: string;
  /** UNC path as sent (`\\host\ADMIN$`). */
  path: string;
  /** 'disk' | 'pipe' | 'print' | null when the connect failed. */
  shareType: string | null;
  status: number;
  statusName: string;
  success: boolean;
}

/** A file or named pipe opened over SMB, with what was read and written. */
export interface SmbFileRecord {
  kind: 'smb.file';
  /** Frame of the CREATE response (or request when unanswered). */
  frame: number;
  stream: number;
  sessionId: string;
  tree: string;
  name: string;
  pipe: boolean;
  /** CREATE disposition name (FILE_OPEN, FILE_CREATE, FILE_OVERWRITE_IF, ...) and the action taken. */
  disposition: string | null;
  status: number;
  statusName: string;
  bytesRead: number;
  bytesWritten: number;
  /** Set when the file was deleted (delete-on-close or SET_INFO disposition). */
  deleted: boolean;
  /** Written (or read) content reassembled in full from offset 0 without holes: its hashes. */
  object: BodyInfo | null;
}

/** One DCE/RPC request (with its response's status when seen). */
export interface DcerpcCallRecord {
  kind: 'dcerpc.call';
  frame: number;
  stream: number;
  transport: 'smb' | 'tcp';
  /** Named pipe for SMB transport (`svcctl`, `atsvc`, ...). */
  pipe: string | null;
  interfaceUuid: string;
  /** Well-known interface name (svcctl, atsvc, samr, lsarpc, drsuapi, netlogon, srvsvc, epmapper, ...) or null. */
  interfaceName: string | null;
  opnum: number;
  /** Operation name (`CreateServiceW`, `StartServiceW`, `DRSGetNCChanges`, ...) or null. */
  operation: string | null;
  /** Decoded arguments that matter to a responder (serviceName, binaryPath, taskName, command, user, ...). */
  args: Record<string, string>;
  /** Response status (DCE fault or the operation's return code) when the response was seen. */
  status: number | null;
}

export interface KerberosRecord {
  kind: 'kerberos';
  frame: number;
  stream: number;
  transport: 'udp' | 'tcp';
  /** AS-REQ, AS-REP, TGS-REQ, TGS-REP, KRB-ERROR, AP-REQ, ... */
  msgType: string;
  cname: string | null;
  crealm: string | null;
  sname: string | null;
  realm: string | null;
  /** Requested encryption types (requests) and the ticket's / enc-part's etype (replies). */
  etypes: number[];
  ticketEtype: number | null;
  errorCode: number | null;
  errorName: string | null;
}

/**
 * A credential seen in the clear or as a crackable challenge-response. Views mask `secret`
 * and `crackable` until the user reveals them; exports include them only when asked.
 */
export interface CredentialRecord {
  kind: 'credential';
  frame: number;
  stream: number;
  /** 'ntlm' | 'http-basic' | 'ftp' | 'pop3' | 'imap' | 'smtp' | 'kerberos' | ... */
  protocol: string;
  client: string;
  server: string;
  user: string;
  domain: string | null;
  /** Clear-text password, or null for challenge-response. */
  secret: string | null;
  /** Hashcat-style string for authorised cracking (NetNTLMv2 `user::domain:challenge:proof:blob`, Kerberos TGS-REP `$krb5tgs$23$...`). */
  crackable: string | null;
  /** Login outcome when known. */
  success: boolean | null;
}

/** A fact about a host for its labels (names, MACs, OS hints, services). */
export interface HostFactRecord {
  kind: 'host.fact';
  frame: number;
  addr: string;
  /** 'name.dns' | 'name.dhcp' | 'name.ntlm' | 'name.kerberos' | 'name.sni' | 'name.netbios' | 'mac' | 'os' | 'service' | 'software' */
  fact: string;
  value: string;
  /** Where it came from, human-readable (e.g. 'DHCP request option 12'). */
  source: string;
}

/** Other application events worth a row (DHCP lease, FTP/SMTP/POP3/IMAP commands, SSH banner, NTP). */
export interface AppEventRecord {
  kind: 'app.event';
  frame: number;
  stream: number;
  /** Protocol abbreviation (dhcp, ftp, smtp, pop3, imap, ssh, ntp, arp). */
  protocol: string;
  client: string;
  server: string;
  /** Short event name (e.g. 'command', 'lease', 'banner', 'hassh'). */
  event: string;
  /** Text of the event (command line, banner, ...). Captured text: render as text only. */
  text: string;
  details: Record<string, string>;
}

export type AppRecord =
  | HttpRequestRecord
  | HttpResponseRecord
  | DnsRecord
  | TlsHelloRecord
  | X509Record
  | SmbSessionRecord
  | SmbTreeRecord
  | SmbFileRecord
  | DcerpcCallRecord
  | KerberosRecord
  | CredentialRecord
  | HostFactRecord
  | AppEventRecord;
