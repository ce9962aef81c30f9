/**
 * The application layer's driver: per conversation, it reassembles TCP (tcp-reassembly.ts),
 * picks the application parser from the first bytes (ports only as a hint), hands it the
 * bytes in stream order, and collects what the parser reports for the current frame.
 *
 * The same driver runs in the ingest (every frame, in capture order) and on demand for one
 * stream (follow stream, object export), so the two can never disagree.
 *
 * Containment: a parser that throws loses its stream (anomaly "dissector error"), never the
 * ingest. Memory: reassembly buffers are capped per direction and in total
 * (MAX_TOTAL_BUFFERED); a stream for which no parser fits drops its reassembly state at once.
 */
import type { FrameSummary, InnerSummary } from '../dissect/types.js';
import { DnsTcpParser, DnsUdpParser } from './dns.js';
import { HttpParser, looksLikeHttp } from './http.js';
import type { HashAlgo } from './http-body.js';
import { QuicParser, looksLikeQuic } from './quic.js';
import { TcpDirectionReassembler, type ReassemblyOutput } from './tcp-reassembly.js';
import { TlsHandshakeStream, TlsParser, looksLikeTls } from './tls.js';
import { SmbParser, SMB_PORTS, looksLikeSmb } from './smb.js';
import { DcerpcParser, DCERPC_PORTS, looksLikeDcerpc } from './dcerpc.js';
import { KerberosTcpParser, KerberosUdpParser, KERBEROS_PORTS } from './kerberos.js';
import { FtpParser, ImapParser, Pop3Parser, SmtpParser, FTP_PORTS, IMAP_PORTS, POP3_PORTS, SMTP_PORTS, looksLikeFtp, looksLikeImap, looksLikePop3, looksLikeSmtp } from './textproto.js';
import { DhcpParser, DHCP_PORTS } from './dhcp.js';
import { NtpParser, NTP_PORTS } from './ntp.js';
import { SshParser, SSH_PORTS } from './ssh.js';
import type { AppRecord, AppSink, AppValue, Dir, FrameCtx, StreamInfo, TcpParser, UdpParser } from './types.js';

/** Out-of-order bytes held across all streams: beyond it the largest holders skip their holes. */
export const MAX_TOTAL_BUFFERED = 256 * 2 ** 20;
/** Per direction: a few TCP windows of out-of-order data (a 1 MiB hole is not coming back). */
const PER_DIR_BUFFERED = 4 * 2 ** 20;
/** Segments of a stream no parser took that are checked for a STARTTLS-style switch to TLS. */
const MAX_TLS_SWITCH_PROBES = 16;

const TCP_SYN = 0x02;
const TCP_RST = 0x04;
const TCP_ACK = 0x10;

/** Well-known ports: a hint when the first bytes are not conclusive (and what Wireshark uses). */
const HTTP_PORTS = new Set([80, 3128, 3132, 5985, 8080, 8088, 11371, 1900, 2869, 2710]);
const TLS_PORTS = new Set([443, 465, 563, 585, 636, 853, 989, 990, 992, 993, 994, 995, 3389, 5061, 8443]);
const DNS_PORTS = new Set([53, 5353, 5355]);
const QUIC_PORTS = new Set([443, 4433, 8443]);
/** SSDP: HTTP-formatted datagrams (Wireshark hands them to its HTTP dissector as "SSDP"). */
const SSDP_PORT = 1900;
const SMB = new Set(SMB_PORTS);
const KRB = new Set(KERBEROS_PORTS);
const FTP = new Set(FTP_PORTS);
const SMTP = new Set(SMTP_PORTS);
const POP3 = new Set(POP3_PORTS);
const IMAP = new Set(IMAP_PORTS);
const SSH = new Set(SSH_PORTS);
const DHCP = new Set(DHCP_PORTS);
const NTP = new Set(NTP_PORTS);
/** Named pipes carried per SMB stream, each with its own DCE/RPC parser (bounded). */
const MAX_PIPES_PER_STREAM = 256;
const SSH_BANNER = [0x53, 0x53, 0x48, 0x2d]; // "SSH-"

/** What the app layer found in one frame. Reused between frames: copy what you keep. */
export class FrameResult {
  protocol: string | null = null;
  info: string | null = null;
  readonly fields: [string, AppValue][] = [];
  readonly records: AppRecord[] = [];
  readonly anomalies: { layer: string; detail: string; offset: number }[] = [];

  reset(): void {
    this.protocol = null;
    this.info = null;
    this.fields.length = 0;
    this.records.length = 0;
    this.anomalies.length = 0;
  }

  get empty(): boolean {
    return this.protocol === null && this.fields.length === 0 && this.records.length === 0 && this.anomalies.length === 0;
  }
}

class Sink implements AppSink {
  constructor(readonly r: FrameResult) {}
  field(name: string, value: AppValue): void {
    this.r.fields.push([name, value]);
  }
  columns(protocol: string, info: string): void {
    this.r.protocol = protocol;
    this.r.info = this.r.info === null || this.r.info === '' ? info : `${this.r.info}, ${info}`;
  }
  anomaly(layer: string, detail: string, offset = -1): void {
    this.r.anomalies.push({ layer, detail, offset });
  }
  record(rec: AppRecord): void {
    this.r.records.push(rec);
  }
}

/** Hooks for the on-demand uses (follow stream, export). */
export interface SessionHooks {
  /** A TCP conversation started (client/server as the session decided them). */
  onStreamInfo?(info: StreamInfo): void;
  /** Every in-order byte run of a TCP stream, as delivered to the parser. */
  onStreamData?(stream: number, dir: Dir, bytes: Uint8Array, frame: number): void;
  onStreamGap?(stream: number, dir: Dir, length: number, frame: number): void;
  /** Passed to the HTTP parser: decoded bodies (object export). */
  onHttpBody?(stream: number, b: { frame: number; dir: Dir; index: number }, bytes: Uint8Array): void;
  /** Only analyse these TCP streams (others are skipped entirely). */
  onlyStreams?: ReadonlySet<number>;
  /** Digests of HTTP bodies computed while streaming (default all three). */
  objectHashes?: readonly HashAlgo[];
}

/** Per-conversation state the indexer keeps on its flow object. */
export interface AppFlowSlot {
  conv: AppConv | null;
}

interface TcpConv {
  kind: 'tcp';
  info: StreamInfo;
  /** The client is the flow's `a` side (the indexer's direction flag tells the rest). */
  clientIsA: boolean;
  /** Initial sequence numbers from SYNs seen before any payload (-1: none). */
  isn: [number, number];
  reasm: [TcpDirectionReassembler, TcpDirectionReassembler] | null;
  parser: TcpParser | null;
  /** Chosen protocol name, 'none' when no parser fits, '' while undecided. */
  proto: string;
  ended: [boolean, boolean];
  dead: boolean;
  /** Last frame of the stream (what a close at the end of the capture is attributed to). */
  lastFrame: number;
  /** Payload segments of an unparsed stream checked for a STARTTLS-style switch to TLS. */
  switches: number;
}

interface UdpConv {
  kind: 'udp';
  info: StreamInfo;
  clientIsA: boolean;
  parser: UdpParser | null;
  proto: string;
}

type AppConv = TcpConv | UdpConv;

/** The transport layer of a packet as the app layer needs it: the frame's own, a tunnelled one, or one an ICMP error quotes. */
export interface L4View {
  readonly payloadData: Uint8Array | null;
  readonly payloadOffset: number;
  readonly payloadLen: number;
  readonly l3: 0 | 4 | 6;
  readonly ipProto: number;
  readonly srcPort: number;
  readonly dstPort: number;
  /** -1 when not TCP. */
  readonly tcpFlags: number;
  readonly tcpSeq: number;
  readonly tcpAck: number;
  /** tcp.len / UDP payload length on the wire (-1 unknown). */
  readonly l4Len: number;
  readonly ipFragment: boolean;
  /** Address text, computed only when a conversation starts. */
  srcText(): string;
  dstText(): string;
}

/** The frame's own transport layer (the FrameSummary's outer fields). */
export class OuterView implements L4View {
  s!: FrameSummary;
  get payloadData(): Uint8Array | null { return this.s.payloadData; }
  get payloadOffset(): number { return this.s.payloadOffset; }
  get payloadLen(): number { return this.s.payloadLen; }
  get l3(): 0 | 4 | 6 { return this.s.l3; }
  get ipProto(): number { return this.s.ipProto; }
  get srcPort(): number { return this.s.srcPort; }
  get dstPort(): number { return this.s.dstPort; }
  get tcpFlags(): number { return this.s.tcpFlags; }
  get tcpSeq(): number { return this.s.tcpSeq; }
  get tcpAck(): number { return this.s.tcpAck; }
  get l4Len(): number { return this.s.l4Len; }
  get ipFragment(): boolean { return this.s.ipFragment; }
  srcText(): string { return this.s.l3 === 4 ? ip4(this.s.ip4Src) : this.s.ip6Src; }
  dstText(): string { return this.s.l3 === 4 ? ip4(this.s.ip4Dst) : this.s.ip6Dst; }
}

/** A tunnelled or quoted packet (InnerSummary) over the frame's payload bytes. */
export class InnerView implements L4View {
  constructor(
    readonly i: InnerSummary,
    readonly payloadData: Uint8Array | null,
  ) {}
  get payloadOffset(): number { return this.i.payloadOffset; }
  get payloadLen(): number { return this.i.payloadLen; }
  get l3(): 0 | 4 | 6 { return this.i.l3; }
  get ipProto(): number { return this.i.ipProto; }
  get srcPort(): number { return this.i.srcPort; }
  get dstPort(): number { return this.i.dstPort; }
  get tcpFlags(): number { return this.i.tcpFlags; }
  get tcpSeq(): number { return this.i.tcpSeq; }
  get tcpAck(): number { return this.i.tcpAck; }
  get l4Len(): number { return this.i.l4Len; }
  get ipFragment(): boolean { return false; }
  srcText(): string { return this.i.src; }
  dstText(): string { return this.i.dst; }
}

/**
 * Any TLS record header (a capture that begins mid-stream sees application data first):
 * content type 20–23, version 3.0–3.4, a length a record may have.
 */
function looksLikeTlsRecord(b: Uint8Array): boolean {
  if (b.length < 5) return false;
  const len = (b[3]! << 8) | b[4]!;
  return b[0]! >= 20 && b[0]! <= 23 && b[1] === 3 && b[2]! <= 4 && len > 0 && len <= 18432;
}

function ip4(v: number): string {
  return `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
}

export class AppSession {
  readonly result = new FrameResult();
  private readonly sink = new Sink(this.result);
  private readonly ctx: FrameCtx = { frame: 0, tsSec: 0, tsNsec: 0, sink: this.sink };
  private readonly open = new Set<TcpConv>();
  private nextUdpConv = 0;
  /** Out-of-order bytes held across streams. */
  private buffered = 0;
  /** Application protocol chosen per flow, for flows.app. */

  constructor(private readonly hooks: SessionHooks = {}) {}

  /**
   * Analyse one frame's transport payload. `slot` is the conversation's state holder (the
   * indexer's flow), `tcpStream` Wireshark's tcp.stream for TCP. Returns the frame's result
   * (this.result, reset for every frame).
   */
  frame(s: L4View, slot: AppFlowSlot, ab: boolean, tcpStream: number, frame: number, tsSec: number, tsNsec: number): FrameResult {
    const r = this.result;
    r.reset();
    this.add(s, slot, ab, tcpStream, frame, tsSec, tsNsec);
    return r;
  }

  /** Like frame(), adding to the current result (a tunnelled packet after its outer one). */
  add(s: L4View, slot: AppFlowSlot, ab: boolean, tcpStream: number, frame: number, tsSec: number, tsNsec: number): FrameResult {
    this.ctx.frame = frame;
    this.ctx.tsSec = tsSec;
    this.ctx.tsNsec = tsNsec;
    if (s.payloadData === null || s.l3 === 0 || s.ipFragment) return this.result;
    if (s.tcpFlags >= 0) this.tcp(s, slot, ab, tcpStream);
    else if (s.ipProto === 17 && s.srcPort >= 0 && s.payloadLen > 0) this.udp(s, slot, ab);
    return this.result;
  }

  /**
   * The datagram an ICMP error quotes: Wireshark dissects a quoted DNS message (no
   * request/response tracking: a quote is not part of the conversation).
   */
  quoted(q: L4View, frame: number, tsSec: number, tsNsec: number): FrameResult {
    this.ctx.frame = frame;
    this.ctx.tsSec = tsSec;
    this.ctx.tsNsec = tsNsec;
    if (q.payloadData === null || q.ipProto !== 17 || q.payloadLen <= 0) return this.result;
    if (!(DNS_PORTS.has(q.srcPort) || DNS_PORTS.has(q.dstPort))) return this.result;
    const info: StreamInfo = { stream: -1, client: { addr: q.srcText(), port: q.srcPort }, server: { addr: q.dstText(), port: q.dstPort } };
    const saved = { protocol: this.result.protocol, info: this.result.info };
    try {
      new DnsUdpParser(info, 'udp').datagram(0, q.payloadData.subarray(q.payloadOffset, q.payloadOffset + q.payloadLen), this.ctx);
    } catch (e) {
      this.sink.anomaly('dns', `dissector error: ${e instanceof Error ? e.message : String(e)}`);
    }
    // The error's own columns stay (Wireshark freezes them while dissecting the quote).
    this.result.protocol = saved.protocol;
    this.result.info = saved.info;
    return this.result;
  }

  /**
   * True when a conversation's analysis is over: a TCP stream whose two directions ended
   * (FIN reached in sequence, or RST) or that broke, or one never analysed. Its state is
   * already released; only its (small) conversation object is left.
   */
  static finished(slot: AppFlowSlot): boolean {
    const c = slot.conv;
    if (c === null) return true;
    return c.kind === 'tcp' && (c.dead || (c.ended[0] && c.ended[1]));
  }

  /**
   * Ends a conversation's analysis early, as the end of the capture would (its flow is being
   * evicted from memory): open directions end, buffered bytes are delivered as far as they
   * go. Returns the records that came out; the slot keeps only a UDP conversation's
   * identity (nothing for TCP: the indexer keeps tcp.stream).
   */
  retire(slot: AppFlowSlot): AppRecord[] {
    const c = slot.conv;
    if (c === null) return [];
    const before = c.kind === 'tcp' ? held(c) : 0;
    const out = this.finish([slot]);
    if (c.kind === 'tcp') {
      this.buffered -= before;
      c.reasm = null;
      this.open.delete(c);
      slot.conv = null;
    } else {
      // A UDP conversation keeps its identity (udp stream number, client side) and chooses
      // its parser again if it speaks again.
      slot.conv = { kind: 'udp', info: c.info, clientIsA: c.clientIsA, parser: null, proto: '' };
    }
    return out;
  }

  /**
   * The state of a TCP stream whose analysis was over when it was evicted and which got
   * another segment (a late retransmission): nothing more is analysed, as before eviction.
   */
  static over(stream: number): AppConv {
    const none = { addr: '', port: 0 };
    return {
      kind: 'tcp', info: { stream, client: none, server: none }, clientIsA: true, isn: [-1, -1], reasm: null, parser: null,
      proto: 'none', ended: [true, true], dead: true, lastFrame: 0, switches: 0,
    };
  }

  /** Application protocol chosen for a flow ('http', 'tls', ...), or null. */
  static protocolOf(slot: AppFlowSlot): string | null {
    const p = slot.conv?.proto;
    return p && p !== 'none' ? p : null;
  }

  // ------------------------------------------------------------------ TCP

  private tcp(s: L4View, slot: AppFlowSlot, ab: boolean, stream: number): void {
    if (this.hooks.onlyStreams && !this.hooks.onlyStreams.has(stream)) return;
    const flags = s.tcpFlags;
    let c = slot.conv as TcpConv | null;
    if (c === null || c.kind !== 'tcp' || c.info.stream !== stream) {
      // First segment: the SYN's sender is the client; after a SYN-ACK, its receiver; a capture
      // that begins mid-stream: the side on the higher (ephemeral) port.
      const syn = (flags & (TCP_SYN | TCP_ACK)) === TCP_SYN;
      const synAck = (flags & (TCP_SYN | TCP_ACK)) === (TCP_SYN | TCP_ACK);
      const src = { addr: s.srcText(), port: s.srcPort };
      const dst = { addr: s.dstText(), port: s.dstPort };
      const swap = synAck || (!syn && s.srcPort < s.dstPort);
      const [client, server] = swap ? [dst, src] : [src, dst];
      c = {
        kind: 'tcp',
        info: { stream, client, server },
        clientIsA: swap ? !ab : ab,
        isn: [-1, -1],
        reasm: null,
        parser: null,
        proto: '',
        ended: [false, false],
        dead: false,
        lastFrame: 0,
        switches: 0,
      };
      slot.conv = c;
      this.hooks.onStreamInfo?.(c.info);
    }
    if (c.dead) return;
    c.lastFrame = this.ctx.frame;
    const dir: Dir = ab === c.clientIsA ? 0 : 1;
    const len = s.payloadLen;
    if (c.proto === '') {
      if (len === 0) {
        // No payload yet: remember the ISN, so reassembly starts at the SYN when data comes.
        if (flags & TCP_SYN) c.isn[dir] = s.tcpSeq;
        return;
      }
      this.choose(c, s, dir);
    }
    if (c.proto === 'none') {
      // STARTTLS and its kin (SMTP, IMAP, POP3, LDAP, MySQL): a plain-text protocol the
      // analyzers do not parse switches to TLS; the ClientHello starts a segment.
      if (len < 6 || c.switches >= MAX_TLS_SWITCH_PROBES) return;
      c.switches++;
      const first = s.payloadData!.subarray(s.payloadOffset, s.payloadOffset + len);
      if (!(dir === 0 && looksLikeTls(first) && first[5] === 1)) return;
      c.proto = 'tls';
      c.parser = new TlsParser(c.info);
      c.reasm = null;
      c.isn = [-1, -1];
    }
    this.ensureReasm(c);
    const reasm = c.reasm!;
    const out = this.outFor(c, dir);
    const before = reasm[0].buffered + reasm[1].buffered;
    try {
      const payload = s.payloadData!.subarray(s.payloadOffset, s.payloadOffset + len);
      const wire = s.l4Len >= len ? s.l4Len : len;
      reasm[dir].segment(s.tcpSeq, flags, payload, wire, out);
      // The peer acknowledged data: holes before it will not be filled from this capture.
      if (flags & TCP_ACK) reasm[dir === 0 ? 1 : 0].acked(s.tcpAck, this.outFor(c, (dir ^ 1) as Dir));
      // A direction ends when its FIN is reached in sequence (a FIN may arrive before the
      // data it follows); a RST ends its sender's direction, skipping what never came. The
      // peer may still send (and Wireshark still dissects) data after a RST it received.
      for (const d of [0, 1] as Dir[]) {
        const rst = flags & TCP_RST && d === dir;
        if (c.ended[d] || !(rst || reasm[d].finished)) continue;
        c.ended[d] = true;
        if (rst) reasm[d].flush(this.outFor(c, d));
        c.parser?.end(d, this.ctx);
      }
    } catch (e) {
      this.kill(c, e);
    }
    if (this.pipeColumns !== null) {
      this.result.protocol = this.pipeColumns[0];
      this.result.info = this.pipeColumns[1];
      this.pipeColumns = null;
    }
    this.buffered += reasm[0].buffered + reasm[1].buffered - before;
    if (reasm[0].buffered + reasm[1].buffered > 0) this.open.add(c);
    else this.open.delete(c);
    if (this.buffered > MAX_TOTAL_BUFFERED) this.shed();
    if (c.ended[0] && c.ended[1]) this.release(c);
  }

  private ensureReasm(c: TcpConv): void {
    if (c.reasm) return;
    c.reasm = [
      new TcpDirectionReassembler({ maxBufferedBytes: PER_DIR_BUFFERED, maxSegmentsBuffered: 4096 }),
      new TcpDirectionReassembler({ maxBufferedBytes: PER_DIR_BUFFERED, maxSegmentsBuffered: 4096 }),
    ];
    for (const d of [0, 1] as Dir[]) if (c.isn[d] >= 0) c.reasm[d].segment(c.isn[d], TCP_SYN, EMPTY, 0, NULL_OUT);
  }

  private readonly outs = new WeakMap<TcpConv, [ReassemblyOutput, ReassemblyOutput]>();

  private outFor(c: TcpConv, dir: Dir): ReassemblyOutput {
    let o = this.outs.get(c);
    if (!o) {
      const mk = (d: Dir): ReassemblyOutput => ({
        data: (bytes) => {
          if (c.dead) return;
          this.hooks.onStreamData?.(c.info.stream, d, bytes, this.ctx.frame);
          if (!c.parser) return;
          try {
            c.parser.data(d, bytes, this.ctx);
            // STARTTLS accepted by a line protocol: the rest of the stream is TLS.
            if ((c.parser as { tlsStarted?: boolean }).tlsStarted === true) {
              c.proto = 'tls';
              c.parser = new TlsParser(c.info);
            }
          } catch (e) {
            this.kill(c, e);
          }
        },
        gap: (length) => {
          if (c.dead) return;
          this.hooks.onStreamGap?.(c.info.stream, d, length, this.ctx.frame);
          try {
            c.parser?.gap(d, length, this.ctx);
          } catch (e) {
            this.kill(c, e);
          }
        },
      });
      o = [mk(0), mk(1)];
      this.outs.set(c, o);
    }
    return o[dir];
  }

  private choose(c: TcpConv, s: L4View, dir: Dir): void {
    const first = s.payloadData!.subarray(s.payloadOffset, s.payloadOffset + s.payloadLen);
    const sp = c.info.server.port;
    const cp = c.info.client.port;
    const hooks = this.hooks;
    const port = (set: ReadonlySet<number>) => set.has(sp) || set.has(cp);
    const banner = SSH_BANNER.every((b, i) => first[i] === b);
    if (looksLikeHttp(first, dir) || (HTTP_PORTS.has(sp) && !looksLikeTls(first))) {
      c.proto = 'http';
      c.parser = new HttpParser(c.info, {
        ...(hooks.onHttpBody ? { onBody: (b: { frame: number; dir: Dir; index: number }, bytes: Uint8Array) => hooks.onHttpBody!(c.info.stream, b, bytes) } : {}),
        ...(hooks.objectHashes ? { hashes: hooks.objectHashes } : {}),
      });
    } else if (looksLikeTls(first) || TLS_PORTS.has(sp) || looksLikeTlsRecord(first)) {
      c.proto = 'tls';
      c.parser = new TlsParser(c.info);
    } else if (looksLikeSmb(first) || port(SMB)) {
      c.proto = 'smb';
      c.parser = this.smb(c);
    } else if (banner || port(SSH)) {
      c.proto = 'ssh';
      c.parser = new SshParser(c.info);
    } else if (port(KRB)) {
      c.proto = 'kerberos';
      c.parser = new KerberosTcpParser(c.info);
    } else if (DNS_PORTS.has(sp) || DNS_PORTS.has(cp)) {
      c.proto = 'dns';
      c.parser = new DnsTcpParser(c.info, 'tcp');
    } else if (looksLikeDcerpc(first) || port(DCERPC_PORTS)) {
      c.proto = 'dcerpc';
      c.parser = new DcerpcParser(c.info, 'tcp');
    } else if ((dir === 1 && looksLikeFtp(first)) || port(FTP)) {
      c.proto = 'ftp';
      c.parser = new FtpParser(c.info);
    } else if ((dir === 1 && looksLikeSmtp(first)) || port(SMTP)) {
      c.proto = 'smtp';
      c.parser = new SmtpParser(c.info);
    } else if ((dir === 1 && looksLikePop3(first)) || port(POP3)) {
      c.proto = 'pop3';
      c.parser = new Pop3Parser(c.info);
    } else if ((dir === 1 && looksLikeImap(first)) || port(IMAP)) {
      c.proto = 'imap';
      c.parser = new ImapParser(c.info);
    } else {
      c.proto = 'none';
      this.release(c);
    }
  }

  /**
   * SMB with its named pipes: each pipe's bytes go to a DCE/RPC parser of its own. When the
   * pipe carries a DCE/RPC PDU, its columns win over SMB's, as in Wireshark (the frame shows
   * the RPC call, not the SMB2 Write that carried it).
   */
  private smb(c: TcpConv): TcpParser {
    const pipes = new Map<string, DcerpcParser>();
    const pipeSink: AppSink = {
      field: (n, v) => this.sink.field(n, v),
      columns: (protocol, info) => {
        this.pipeColumns = this.pipeColumns === null ? [protocol, info] : [protocol, `${this.pipeColumns[1]}, ${info}`];
      },
      anomaly: (l, d, o) => this.sink.anomaly(l, d, o),
      record: (r) => this.sink.record(r),
    };
    const smb = new SmbParser(c.info, {
      onPipe: (pipe, dir, bytes, ctx) => {
        const key = `${pipe.sessionId}:${pipe.fid}`;
        let p = pipes.get(key);
        if (!p) {
          if (pipes.size >= MAX_PIPES_PER_STREAM) return;
          pipes.set(key, (p = new DcerpcParser(c.info, 'smb', pipe.name)));
        }
        p.data(dir, bytes, { ...ctx, sink: pipeSink });
      },
    });
    return {
      data: (d, b, ctx) => smb.data(d, b, ctx),
      gap: (d, n, ctx) => smb.gap(d, n, ctx),
      // The stream's end ends its pipes: calls never answered are recorded then.
      end: (d, ctx) => {
        smb.end(d, ctx);
        for (const p of pipes.values()) p.end(d, ctx === null ? null : { ...ctx, sink: pipeSink });
      },
    };
  }

  /** Columns a DCE/RPC PDU inside an SMB pipe set in the current frame. */
  private pipeColumns: [string, string] | null = null;

  private kill(c: TcpConv, e: unknown): void {
    this.sink.anomaly(c.proto || 'tcp', `dissector error: ${e instanceof Error ? e.message : String(e)}`);
    c.dead = true;
    this.release(c);
  }

  private release(c: TcpConv): void {
    if (c.reasm) this.buffered -= c.reasm[0].buffered + c.reasm[1].buffered;
    c.reasm = null;
    this.open.delete(c);
    // A stream that is over (or broken) keeps no parser: memory stays bounded by open streams.
    if (c.dead || (c.ended[0] && c.ended[1])) c.parser = null;
  }

  /** Over the total budget: the streams holding the most skip their holes (as a gap). */
  private shed(): void {
    const byHeld = [...this.open].sort((a, b) => held(b) - held(a));
    for (const c of byHeld) {
      if (this.buffered <= MAX_TOTAL_BUFFERED / 2) break;
      const before = held(c);
      for (const d of [0, 1] as Dir[]) c.reasm?.[d].flush(this.outFor(c, d));
      this.buffered -= before - held(c);
      this.open.delete(c);
    }
  }

  // ------------------------------------------------------------------ UDP

  private udp(s: L4View, slot: AppFlowSlot, ab: boolean): void {
    let c = slot.conv as UdpConv | null;
    const bytes = s.payloadData!.subarray(s.payloadOffset, s.payloadOffset + s.payloadLen);
    if (c === null || c.kind !== 'udp') {
      const src = { addr: s.srcText(), port: s.srcPort };
      const dst = { addr: s.dstText(), port: s.dstPort };
      // The client sends to the well-known port.
      const srcWellKnown = DNS_PORTS.has(s.srcPort) && !DNS_PORTS.has(s.dstPort);
      const swap = srcWellKnown || (QUIC_PORTS.has(s.srcPort) && !QUIC_PORTS.has(s.dstPort));
      const [client, server] = swap ? [dst, src] : [src, dst];
      const info: StreamInfo = { stream: this.nextUdpConv++, client, server };
      c = { kind: 'udp', info, clientIsA: swap ? !ab : ab, parser: null, proto: '' };
      slot.conv = c;
    }
    if (c.proto === 'none') return;
    const dir: Dir = ab === c.clientIsA ? 0 : 1;
    if (c.proto === '') {
      if (DNS_PORTS.has(s.srcPort) || DNS_PORTS.has(s.dstPort)) {
        c.proto = 'dns';
        c.parser = new DnsUdpParser(c.info, 'udp');
      } else if (KRB.has(s.srcPort) || KRB.has(s.dstPort)) {
        c.proto = 'kerberos';
        c.parser = new KerberosUdpParser(c.info);
      } else if (DHCP.has(s.srcPort) && DHCP.has(s.dstPort)) {
        c.proto = 'dhcp';
        c.parser = new DhcpParser(c.info);
      } else if (NTP.has(s.srcPort) || NTP.has(s.dstPort)) {
        c.proto = 'ntp';
        c.parser = new NtpParser(c.info);
      } else if (s.srcPort === SSDP_PORT || s.dstPort === SSDP_PORT) {
        c.proto = 'ssdp';
        const info = c.info;
        // Every datagram is one HTTP-formatted message.
        c.parser = {
          datagram: (d, bytes, ctx) => {
            const n = this.result.fields.length;
            const h = new HttpParser(info);
            h.data(d, bytes, ctx);
            h.end(d, ctx);
            if (this.result.protocol === 'HTTP') this.result.protocol = 'SSDP';
            // The frame carries SSDP (which uses HTTP's fields), not the HTTP protocol itself.
            const i = this.result.fields.findIndex(([k], j) => j >= n && k === 'http');
            if (i >= 0) this.result.fields.splice(i, 1);
          },
        };
      } else if ((QUIC_PORTS.has(s.srcPort) || QUIC_PORTS.has(s.dstPort) || looksLikeQuic(bytes)) && looksLikeQuic(bytes)) {
        c.proto = 'quic';
        const hs = new TlsHandshakeStream(c.info, 'quic');
        c.parser = new QuicParser(c.info, {
          onCrypto: (d, b, ctx) => {
            // The TLS handshake inside CRYPTO frames shows under a `tls` protocol item, as in Wireshark.
            const n = this.result.fields.length;
            hs.data(d, b, ctx);
            if (this.result.fields.length > n && !this.result.fields.some(([k]) => k === 'tls')) this.result.fields.splice(n, 0, ['tls', EMPTY]);
          },
        });
      } else {
        // A QUIC conversation may start with short-header packets the capture caught mid-way: keep looking on the QUIC ports.
        if (!(QUIC_PORTS.has(s.srcPort) || QUIC_PORTS.has(s.dstPort))) c.proto = 'none';
        return;
      }
    }
    try {
      c.parser!.datagram(dir, bytes, this.ctx);
    } catch (e) {
      this.sink.anomaly(c.proto, `dissector error: ${e instanceof Error ? e.message : String(e)}`);
      c.proto = 'none';
      c.parser = null;
    }
  }

  /**
   * End of capture: every open direction ends (a body delimited by the close completes).
   * Only records come out: Wireshark never shows fields for a PDU the capture did not finish.
   */
  finish(slots: Iterable<AppFlowSlot>): AppRecord[] {
    const out: AppRecord[] = [];
    for (const slot of slots) {
      const c = slot.conv;
      if (!c || c.kind !== 'tcp' || c.dead || !c.parser) continue;
      for (const d of [0, 1] as Dir[]) {
        if (c.ended[d]) continue;
        c.ended[d] = true;
        this.result.reset();
        this.ctx.frame = c.lastFrame;
        try {
          c.reasm?.[d].flush(this.outFor(c, d));
          c.parser.end(d, this.ctx);
        } catch (e) {
          this.kill(c, e);
        }
        out.push(...this.result.records);
      }
    }
    return out;
  }
}

function held(c: TcpConv): number {
  return c.reasm ? c.reasm[0].buffered + c.reasm[1].buffered : 0;
}

const EMPTY = new Uint8Array(0);
const NULL_OUT: ReassemblyOutput = { data: () => {}, gap: () => {} };
