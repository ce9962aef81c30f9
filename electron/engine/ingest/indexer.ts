import type { CaptureRecord } from '../capture/types.js';
import { dissectFrame, DissectState } from '../dissect/frame.js';
import { tcpInfo, type TcpInfoOptions } from '../dissect/tcp.js';
import { newSummary, resetSummary, type FrameSummary, type InnerSummary } from '../dissect/types.js';
import { NUM_COLS, type FlowRecord, type HostRecord, type PacketBatch } from '../store/case-store.js';
import { PF_ETH, PF_IP4, PF_IP6, PF_MULTI, PF_ANOMALY, PF_COMMENT, PF_IP_FRAGMENT, PF_IP_REASSEMBLED, PF_IS_TCP, PF_TCP_MASK, PF_APP, TS_FIN, TS_RST, TS_SYN, TS_SYNACK, packetId } from '../store/schema.js';
import { formatIp4, formatMac } from '../util/format.js';
import { AppSession, InnerView, OuterView, type AppFlowSlot } from '../analyze/session.js';
import type { AppRecord } from '../analyze/types.js';
import type { HashAlgo } from '../analyze/http-body.js';
import type { BatchRecord, ObjectMeta } from '../store/case-store.js';

/** Rows per batch handed to the writer: one SQLite transaction each. */
export const BATCH_ROWS = 8192;
/** Object digests computed while indexing; the others are filled on demand. */
export const INGEST_OBJECT_HASHES: readonly HashAlgo[] = ['sha256'];
/** MAC addresses remembered per host: enough to show a NAT/router, bounded against spoofing floods. */
const MAX_MACS_PER_HOST = 8;

/** Wireshark's relative-sequence base: the ISN on a SYN; otherwise the first segment
 * seen counts as if it followed a SYN (its relative Seq is 1). */
/** ICMP/ICMPv6 errors quote the offending packet's headers: more ip.src, ports, ... */
function isIcmpError(s: FrameSummary): boolean {
  const t = s.icmpType;
  if (t < 0) return false;
  return s.ipProto === 58 ? t < 128 : t === 3 || t === 4 || t === 5 || t === 11 || t === 12;
}

/** Equality that treats NaN (unknown) as equal to itself. */
function same(a: number, b: number): boolean {
  return a === b || (a !== a && b !== b);
}

function firstSeqBase(seq: number, flags: number): number {
  return flags & TCP_SYN ? seq : (seq - 1) >>> 0;
}

/** Echo requests remembered for "(request in N)": one per outstanding id/seq, bounded. */
const MAX_PENDING_ECHOES = 65536;

/** Dotted quad → unsigned 32-bit (the dissector produced it, so it is well formed). */
function parseIp4(t: string): number {
  const p = t.split('.');
  return ((Number(p[0]) << 24) >>> 0) + ((Number(p[1]) << 16) | (Number(p[2]) << 8) | Number(p[3]));
}

const NO_BATCHES: IndexerBatch[] = [];
const TCP_FIN = 0x01;
const TCP_SYN = 0x02;
const TCP_RST = 0x04;
const TCP_ACK = 0x10;

interface HostState extends HostRecord {
  /** MACs as 48-bit numbers (formatted once, when the hosts are written). */
  macNums: number[];
}

interface FlowState extends FlowRecord, AppFlowSlot {
  /** Its keys in flowMap. */
  pairKey: number;
  portKey: number;
  /** Relative-sequence bases per direction (A→B, B→A), NaN until known. */
  baseAB: number;
  baseBA: number;
  /** Window-scale shift from each direction's SYN: -2 SYN not seen, -1 seen without WS. */
  wsAB: number;
  wsBA: number;
  /** The last state written to flow_states. */
  snapBaseAB: number;
  snapBaseBA: number;
  snapWsAB: number;
  snapWsBA: number;
  /** Frame number of the conversation's last packet (eviction). */
  lastFrame: number;
}

/**
 * What an evicted conversation leaves in the flow map: enough to resume it (same flow id,
 * tcp.stream, orientation, relative-sequence bases and window scales) if another of its
 * packets comes, so eviction never changes what is indexed. ~10x smaller than a FlowState.
 */
interface Tomb {
  tomb: true;
  id: number;
  tcpStream: number | null;
  ipproto: number;
  a: number;
  b: number;
  aPort: number | null;
  bPort: number | null;
  baseAB: number;
  baseBA: number;
  wsAB: number;
  wsBA: number;
  /** A TCP stream whose analysis was over: later segments are not analysed either. */
  over: boolean;
  /** What the analyzers keep of it (a UDP conversation's identity), or null. */
  conv: AppFlowSlot['conv'];
}

/**
 * Conversations idle for this many frames may be evicted (their state written out and
 * dropped), so memory follows the conversations in progress, not all there ever were...
 */
export const EVICT_IDLE_FRAMES = 65536;
/** ... when their analysis is over (a closed TCP stream), or UDP idle this long (s) ... */
export const EVICT_UDP_IDLE_SECONDS = 2;
/** ... or anything idle this long (s): a TCP session silent for 5 minutes loses its parser state. */
export const EVICT_IDLE_SECONDS = 300;

export interface IndexerOptions {
  captureId: number;
  /** Host ids already in the case (second capture of a case), by address text. */
  hostIds?: Map<string, number>;
  firstFlowId?: number;
  /** Protocol-name ids already in the case. */
  protocolIds?: Map<string, number>;
  batchRows?: number;
  /** Run the application analyzers (default true). */
  analyzers?: boolean;
  /** Application field-name ids already in the case. */
  fieldIds?: Map<string, number>;
  /** Idle frames before a conversation may be evicted (default EVICT_IDLE_FRAMES). */
  evictIdleFrames?: number;
}

export type IndexerBatch = PacketBatch;

/**
 * Turns capture records into packet rows, flows and hosts: the parse side of the ingest.
 * Holds per-flow and per-host state only (bounded by the number of conversations),
 * never packet bytes.
 */
export class PacketIndexer {
  readonly captureId: number;
  private readonly s: FrameSummary = newSummary();
  readonly dissect = new DissectState();
  private readonly infoOpts: TcpInfoOptions = { windowScale: -1 };
  private readonly outerView = new OuterView();
  private frame = 0;
  private batch: IndexerBatch;
  private readonly batchRows: number;
  private readonly evictIdleFrames: number;

  private readonly hosts4 = new Map<number, HostState>();
  private readonly hosts6 = new Map<string, HostState>();
  private readonly knownHostIds: Map<string, number>;
  private nextHostId: number;
  /** Conversations by (lower host id, higher host id), then by (proto, ports): two numeric
   * lookups instead of building a string key per packet. */
  private readonly flowMap = new Map<number, Map<number, FlowState | Tomb>>();
  /** Conversations in memory (not evicted), in creation order. */
  private flowList: FlowState[] = [];
  /** Conversations created in all (evicted ones included). */
  private flowsCreated = 0;
  /** Conversations evicted so far (their rows went out in batches). */
  flowsEvicted = 0;
  private nextFlowId: number;
  private readonly protoIds: Map<string, number>;
  private nextProtoId: number;
  /** Application analyzers (TCP reassembly, HTTP, DNS, TLS, QUIC); null when disabled. */
  private readonly app: AppSession | null;
  private nextTcpStream = 0;
  private readonly fieldIds: Map<string, number>;
  private nextFieldId: number;

  packets = 0;
  bytes = 0;
  firstTs: [number, number] | null = null;
  private lastSec = 0;
  private lastNsec = 0;
  get lastTs(): [number, number] | null {
    return this.packets ? [this.lastSec, this.lastNsec] : null;
  }
  readonly linkTypes = new Set<number>();

  constructor(opts: IndexerOptions) {
    this.captureId = opts.captureId;
    this.knownHostIds = opts.hostIds ?? new Map();
    let maxHost = 0;
    for (const id of this.knownHostIds.values()) maxHost = Math.max(maxHost, id);
    this.nextHostId = maxHost + 1;
    this.nextFlowId = (opts.firstFlowId ?? 0) + 1;
    this.protoIds = opts.protocolIds ?? new Map();
    let maxProto = 0;
    for (const id of this.protoIds.values()) maxProto = Math.max(maxProto, id);
    this.nextProtoId = maxProto + 1;
    this.batchRows = opts.batchRows ?? BATCH_ROWS;
    this.evictIdleFrames = opts.evictIdleFrames ?? EVICT_IDLE_FRAMES;
    // SHA-256 only while indexing (MD5 alone costs ~0.6 s per GiB of bodies): MD5 and SHA-1
    // are computed on demand from the re-extracted body (replay.ts hashObjects).
    this.app = opts.analyzers === false ? null : new AppSession({ objectHashes: INGEST_OBJECT_HASHES });
    this.fieldIds = opts.fieldIds ?? new Map();
    let maxField = 0;
    for (const id of this.fieldIds.values()) maxField = Math.max(maxField, id);
    this.nextFieldId = maxField + 1;
    // The TCP Info column is built here, with relative sequence numbers: skip the dissector's.
    this.dissect.deferTcpInfo = true;
    this.batch = this.newBatch();
  }

  private newBatch(): IndexerBatch {
    return {
      captureId: this.captureId,
      rows: 0,
      nums: new Float64Array(this.batchRows * NUM_COLS),
      infos: new Array<string | null>(this.batchRows),
      anomalies: [],
      comments: [],
      reassembly: [],
      newProtocols: [],
      extraFlows: [],
      flowStates: [],
      appFieldKeys: [],
      appFieldValues: [],
      newFieldNames: [],
      records: [],
      flows: [],
    };
  }

  get framesIndexed(): number {
    return this.frame;
  }

  private readonly full: IndexerBatch[] = [];

  /** Batches that reached BATCH_ROWS rows since the last call. */
  takeFullBatches(): IndexerBatch[] {
    return this.full.length ? this.full.splice(0) : NO_BATCHES;
  }

  /** The partly filled batch (after the last full one), or null when empty. */
  takeBatch(): IndexerBatch | null {
    const b0 = this.batch;
    if (b0.rows === 0 && b0.newProtocols.length === 0 && b0.records.length === 0 && b0.newFieldNames.length === 0 && b0.appFieldValues.length === 0 && b0.flows.length === 0) return null;
    const b = this.batch;
    this.batch = this.newBatch();
    b.infos.length = b.rows;
    return b;
  }

  private protoId(name: string): number {
    let id = this.protoIds.get(name);
    if (id === undefined) {
      id = this.nextProtoId++;
      this.protoIds.set(name, id);
      this.batch.newProtocols.push([id, name]);
    }
    return id;
  }

  private host4(ip: number, tsSec: number, tsNsec: number): HostState {
    let h = this.hosts4.get(ip);
    if (!h) {
      const addr = formatIp4(ip);
      h = this.newHost(addr, 4, ip, tsSec, tsNsec);
      this.hosts4.set(ip, h);
    }
    return h;
  }

  private host6(ip: string, tsSec: number, tsNsec: number): HostState {
    let h = this.hosts6.get(ip);
    if (!h) {
      h = this.newHost(ip, 6, null, tsSec, tsNsec);
      this.hosts6.set(ip, h);
    }
    return h;
  }

  private newHost(addr: string, family: 4 | 6, ip4: number | null, tsSec: number, tsNsec: number): HostState {
    const id = this.knownHostIds.get(addr) ?? this.nextHostId++;
    return { id, addr, family, ip4, firstSec: tsSec, firstNsec: tsNsec, lastSec: tsSec, lastNsec: tsNsec, pktsOut: 0, pktsIn: 0, bytesOut: 0, bytesIn: 0, macs: [], macNums: [] };
  }

  /** Indexes one record. The record's bytes are not kept. */
  add(rec: CaptureRecord): void {
    const frame = ++this.frame;
    const s = this.s;
    resetSummary(s);
    this.linkTypes.add(rec.linktype);
    this.dissect.now = rec.tsSec;
    dissectFrame(rec.data, rec.linktype, s, null, this.dissect, frame, rec.origlen);

    const tsSec = rec.tsSec;
    const tsNsec = rec.tsNsec;
    const origlen = rec.origlen;
    this.packets++;
    this.bytes += origlen;
    if (this.firstTs === null) this.firstTs = [tsSec, tsNsec];
    this.lastSec = tsSec;
    this.lastNsec = tsNsec;

    const id = packetId(this.captureId, frame);
    let src: HostState | null = null;
    let dst: HostState | null = null;
    if (s.l3 === 4) {
      src = this.host4(s.ip4Src, tsSec, tsNsec);
      dst = this.host4(s.ip4Dst, tsSec, tsNsec);
    } else if (s.l3 === 6) {
      src = this.host6(s.ip6Src, tsSec, tsNsec);
      dst = this.host6(s.ip6Dst, tsSec, tsNsec);
    }

    let flags = 0;
    let flowId: number | null = null;
    let flow: FlowState | null = null;
    let flowAB = false;
    // The Info column is stored only where the frame's own bytes cannot rebuild it
    // (cross-frame context: reassembly, echo pairing); otherwise query/packets.ts
    // re-dissects the frame when a page is shown.
    let info: string | null = s.ipReassembled ? s.info : null;
    if (src && dst) {
      src.pktsOut++;
      src.bytesOut += origlen;
      src.lastSec = tsSec;
      src.lastNsec = tsNsec;
      dst.pktsIn++;
      dst.bytesIn += origlen;
      dst.lastSec = tsSec;
      dst.lastNsec = tsNsec;
      if (s.ethSrc >= 0 && src.macNums.length < MAX_MACS_PER_HOST && !src.macNums.includes(s.ethSrc)) src.macNums.push(s.ethSrc);
      let f = this.flow(s.ipProto, src.id, dst.id, s.srcPort, s.dstPort, tsSec, tsNsec, false);
      let ab = f.a === src.id && (f.aPort === null || f.aPort === s.srcPort);
      if (s.tcpFlags >= 0) {
        // Port reuse, as Wireshark decides it: a SYN (without ACK) whose sequence number is
        // not the one this direction started with opens a new conversation (tcp.stream).
        const base = ab ? f.baseAB : f.baseBA;
        if ((s.tcpFlags & (TCP_SYN | TCP_ACK)) === TCP_SYN && !Number.isNaN(base) && s.tcpSeq !== base) {
          f = this.flow(s.ipProto, src.id, dst.id, s.srcPort, s.dstPort, tsSec, tsNsec, true);
          ab = true;
        }
        if (f.tcpStream === null) f.tcpStream = this.nextTcpStream++;
      }
      flowId = f.id;
      flow = f;
      flowAB = ab;
      if (ab) {
        f.pktsAB++;
        f.directAB++;
        f.bytesAB += origlen;
      } else {
        f.pktsBA++;
        f.directBA++;
        f.bytesBA += origlen;
      }
      f.lastSec = tsSec;
      f.lastNsec = tsNsec;
      if (s.tcpFlags >= 0) {
        const tf = s.tcpFlags;
        flags |= PF_IS_TCP | (tf & PF_TCP_MASK);
        if (tf & TCP_SYN) f.tcpSeen |= tf & TCP_ACK ? TS_SYNACK : TS_SYN;
        if (tf & TCP_FIN) f.tcpSeen |= TS_FIN;
        if (tf & TCP_RST) f.tcpSeen |= TS_RST;
        // Relative sequence numbers as Wireshark shows them: the base is the ISN from
        // the SYN, else the first sequence number seen in that direction.
        if (ab) {
          if (Number.isNaN(f.baseAB) || tf & TCP_SYN) f.baseAB = firstSeqBase(s.tcpSeq, tf);
          if (Number.isNaN(f.baseBA) && tf & TCP_ACK) f.baseBA = s.tcpAck - 1;
        } else {
          if (Number.isNaN(f.baseBA) || tf & TCP_SYN) f.baseBA = firstSeqBase(s.tcpSeq, tf);
          if (Number.isNaN(f.baseAB) && tf & TCP_ACK) f.baseAB = s.tcpAck - 1;
        }
        if (tf & TCP_SYN) {
          // The dissector deferred the options; tcpInfo reads them and records the WS shift.
          tcpInfo(s, 0, 0);
          if (ab) f.wsAB = s.tcpWsShift;
          else f.wsBA = s.tcpWsShift;
        }
        // Window scaling as Wireshark applies it: a direction's own SYN shift, unless the
        // peer's SYN was seen without the option. A SYN's own window is never scaled.
        const wsAB = f.wsAB >= 0 && f.wsBA !== -1 ? f.wsAB : -1;
        const wsBA = f.wsBA >= 0 && f.wsAB !== -1 ? f.wsBA : -1;
        if (!same(f.snapBaseAB, f.baseAB) || !same(f.snapBaseBA, f.baseBA) || f.snapWsAB !== wsAB || f.snapWsBA !== wsBA) {
          f.snapBaseAB = f.baseAB;
          f.snapBaseBA = f.baseBA;
          f.snapWsAB = wsAB;
          f.snapWsBA = wsBA;
          this.batch.flowStates.push([f.id, id, f.baseAB, f.baseBA, wsAB, wsBA]);
        }
        if (s.ipReassembled) {
          this.infoOpts.windowScale = ab ? wsAB : wsBA;
          info = ab ? tcpInfo(s, f.baseAB, f.baseBA, this.infoOpts) : tcpInfo(s, f.baseBA, f.baseAB, this.infoOpts);
        }
      }
    }
    let protocol = s.protocol;
    // Anomalies of the L2–L4 dissection make the stored columns unreliable (PF_MULTI);
    // application-layer ones (added below) do not.
    const l4Anomalies = s.anomalies.length;
    const inner = s.inner;
    const innerFlow = inner !== null && inner.l3 !== 0 ? this.addInner(id, inner, origlen, tsSec, tsNsec) : null;
    if (this.app !== null && flow !== null) {
      const app = this.app;
      app.result.reset();
      if (s.tcpFlags >= 0 || s.ipProto === 17) {
        this.outerView.s = s;
        app.add(this.outerView, flow, flowAB, flow.tcpStream ?? -1, frame, tsSec, tsNsec);
      }
      // A tunnelled conversation is analysed like any other (HTTP inside VXLAN, GRE, IP-in-IP).
      if (innerFlow !== null && inner !== null && (inner.tcpFlags >= 0 || inner.ipProto === 17)) {
        app.add(new InnerView(inner, s.payloadData ?? rec.data), innerFlow.f, innerFlow.ab, innerFlow.f.tcpStream ?? -1, frame, tsSec, tsNsec);
      }
      const q = s.quote;
      if (q !== null && q.l3 !== 0 && q.srcPort >= 0) {
        // The conversation an ICMP error is about: Wireshark gives the error its tcp.stream.
        const qs = this.quotedStream(q, tsSec, tsNsec);
        if (qs !== null) app.result.fields.push(['tcp.stream', qs]);
        app.quoted(new InnerView(q, s.payloadData ?? rec.data), frame, tsSec, tsNsec);
      }
      const r = app.result;
      if (!r.empty) {
        if (r.protocol !== null) {
          protocol = r.protocol;
          info = r.info ?? '';
          if (s.infoTail && !info.endsWith(s.infoTail)) info += ` ${s.infoTail}`;
        }
        if (r.fields.length) {
          flags |= PF_APP;
          // A byte value is a view of the capture's read chunk: copied, so the batch neither keeps
          // the chunk alive nor drags all of it through postMessage to the writer thread.
          const b = this.batch;
          for (const [name, value] of r.fields) {
            b.appFieldKeys.push(id, this.fieldId(name));
            b.appFieldValues.push(value instanceof Uint8Array ? new Uint8Array(value) : value);
          }
        }
        for (const a of r.anomalies) {
          s.anomalies.push({ kind: 'malformed', layer: a.layer, offset: a.offset < 0 ? 0 : a.offset, detail: a.detail });
        }
        for (const rec of r.records) this.batch.records.push(this.record(rec, id));
        flow.app ??= AppSession.protocolOf(flow);
      }
    }
    if (s.icmpType >= 0 && src && dst && s.payloadData !== null) info = this.echo(s, src.id, dst.id, frame, info);
    if (s.anomalies.length) {
      flags |= PF_ANOMALY;
      for (const a of s.anomalies) this.batch.anomalies.push([id, a.kind, a.layer, a.offset, a.detail]);
    }
    if (s.ipFragment) flags |= PF_IP_FRAGMENT;
    if (s.l3 === 4) flags |= PF_IP4;
    else if (s.l3 === 6) flags |= PF_IP6;
    if (s.layers.startsWith('eth')) flags |= PF_ETH;
    if (inner !== null || l4Anomalies > 0 || isIcmpError(s)) flags |= PF_MULTI;
    if (s.ipReassembled) {
      flags |= PF_IP_REASSEMBLED;
      const parts = this.dissect.lastReassemblyFrames;
      if (parts && parts.length) this.batch.reassembly.push([id, 'ip', JSON.stringify(parts)]);
    }
    if (rec.comments) {
      flags |= PF_COMMENT;
      for (const c of rec.comments) this.batch.comments.push([id, 'capture', c]);
    }

    const b = this.batch;
    const v = b.nums;
    let i = b.rows * NUM_COLS;
    v[i++] = id;
    v[i++] = rec.dataOffset;
    v[i++] = rec.caplen;
    v[i++] = origlen;
    v[i++] = tsSec;
    v[i++] = tsNsec;
    v[i++] = rec.interfaceId;
    v[i++] = src ? src.id : NaN;
    v[i++] = dst ? dst.id : NaN;
    v[i++] = s.srcPort >= 0 ? s.srcPort : NaN;
    v[i++] = s.dstPort >= 0 ? s.dstPort : NaN;
    v[i++] = s.ipProto >= 0 ? s.ipProto : NaN;
    v[i++] = this.protoId(protocol);
    v[i++] = flowId ?? NaN;
    v[i++] = flags;
    v[i++] = s.ethSrc >= 0 ? s.ethSrc : NaN;
    v[i++] = s.ethDst >= 0 ? s.ethDst : NaN;
    v[i] = s.vlanId >= 0 ? s.vlanId : NaN;
    b.infos[b.rows] = info;
    if (++b.rows === this.batchRows) {
      this.full.push(b);
      this.batch = this.newBatch();
      this.evictIdle();
    }
  }

  /**
   * Writes out and forgets the conversations idle for EVICT_IDLE_FRAMES frames whose state
   * can go: analysis over (closed TCP), UDP idle EVICT_UDP_IDLE_SECONDS, anything idle
   * EVICT_IDLE_SECONDS. Their rows go in the batch (merged by the writer), their records
   * come out as at the end of the capture, and a Tomb keeps their identity.
   */
  private evictIdle(): void {
    const minFrame = this.frame - this.evictIdleFrames;
    if (minFrame <= 0) return;
    const now = this.lastSec;
    const keep: FlowState[] = [];
    for (const f of this.flowList) {
      const idle = now - f.lastSec;
      const over = f.ipproto === 6 ? AppSession.finished(f) : f.ipproto === 17 && idle >= EVICT_UDP_IDLE_SECONDS;
      if (f.lastFrame > minFrame || !(over || idle >= EVICT_IDLE_SECONDS)) {
        keep.push(f);
        continue;
      }
      if (this.app) {
        const lastId = packetId(this.captureId, f.lastFrame);
        for (const rec of this.app.retire(f)) {
          const frame = 'frame' in rec ? rec.frame : 0;
          this.batch.records.push(this.record(rec, frame > 0 ? packetId(this.captureId, frame) : lastId));
        }
      }
      this.batch.flows.push(flowRecord(f));
      const t: Tomb = {
        tomb: true, id: f.id, tcpStream: f.tcpStream, ipproto: f.ipproto, a: f.a, b: f.b, aPort: f.aPort, bPort: f.bPort,
        baseAB: f.baseAB, baseBA: f.baseBA, wsAB: f.wsAB, wsBA: f.wsBA, over: f.ipproto === 6 && AppSession.finished(f), conv: f.conv,
      };
      this.flowMap.get(f.pairKey)!.set(f.portKey, t);
      this.flowsEvicted++;
    }
    this.flowList = keep;
  }

  private fieldId(name: string): number {
    let id = this.fieldIds.get(name);
    if (id === undefined) {
      id = this.nextFieldId++;
      this.fieldIds.set(name, id);
      this.batch.newFieldNames.push([id, name]);
    }
    return id;
  }

  /** A record for the store, with the objects (bodies) it describes. */
  private record(rec: AppRecord, packetId: number): BatchRecord {
    const objects: ObjectMeta[] = [];
    if (rec.kind === 'http.request' || rec.kind === 'http.response') {
      const b = rec.body;
      if (b && (b.length > 0 || b.wireLength > 0)) {
        objects.push({ source: rec.kind, part: 0, filename: b.filename, mime: b.mime, size: b.length >= 0 ? b.length : b.wireLength, complete: b.complete, md5: b.md5, sha1: b.sha1, sha256: b.sha256 });
      }
    }
    if (rec.kind === 'smb.file' && rec.object && (rec.object.length > 0 || rec.object.wireLength > 0)) {
      const o = rec.object;
      const name = o.filename ?? rec.name.split(/[\\/]/).pop() ?? null;
      objects.push({ source: 'smb.file', part: 0, filename: name, mime: o.mime, size: o.length >= 0 ? o.length : o.wireLength, complete: o.complete, md5: o.md5, sha1: o.sha1, sha256: o.sha256 });
    }
    const stream = 'stream' in rec ? rec.stream : null;
    return { captureId: this.captureId, kind: rec.kind, packetId, stream, json: JSON.stringify(rec), objects };
  }

  /** End of capture: open TCP directions end (bodies delimited by the close); their records are stored. */
  finishApp(): void {
    if (!this.app) return;
    const lastId = packetId(this.captureId, this.frame);
    for (const rec of this.app.finish(this.flowList)) {
      const frame = 'frame' in rec ? rec.frame : this.frame;
      this.batch.records.push(this.record(rec, frame > 0 ? packetId(this.captureId, frame) : lastId));
    }
  }

  private readonly echoes = new Map<string, number>();

  /** Echo replies name their request's frame, as Wireshark's single pass does. */
  private echo(s: FrameSummary, srcId: number, dstId: number, frame: number, info: string | null): string | null {
    const v6 = s.ipProto === 58;
    const req = v6 ? 128 : 8;
    const rep = v6 ? 129 : 0;
    if (s.icmpType !== req && s.icmpType !== rep) return info;
    const d = s.payloadData!;
    const o = s.l4Offset;
    if (o < 0 || o + 8 > d.length) return info;
    const idseq = (d[o + 4]! << 24) | (d[o + 5]! << 16) | (d[o + 6]! << 8) | d[o + 7]!;
    if (s.icmpType === req) {
      if (this.echoes.size >= MAX_PENDING_ECHOES) this.echoes.clear();
      this.echoes.set(`${v6 ? 6 : 4}|${srcId}|${dstId}|${idseq}`, frame);
      return info;
    }
    const reqFrame = this.echoes.get(`${v6 ? 6 : 4}|${dstId}|${srcId}|${idseq}`);
    return reqFrame === undefined ? info : `${info ?? s.info} (request in ${reqFrame})`;
  }

  /** A tunnelled packet (VXLAN, GRE/ERSPAN, IP-in-IP) also belongs to its inner
   * conversation, as in Wireshark's conversation tables; its hosts are hosts too. */
  private addInner(id: number, inner: InnerSummary, origlen: number, tsSec: number, tsNsec: number): { f: FlowState; ab: boolean } {
    const src = inner.l3 === 4 ? this.host4(parseIp4(inner.src), tsSec, tsNsec) : this.host6(inner.src, tsSec, tsNsec);
    const dst = inner.l3 === 4 ? this.host4(parseIp4(inner.dst), tsSec, tsNsec) : this.host6(inner.dst, tsSec, tsNsec);
    src.pktsOut++;
    src.bytesOut += origlen;
    dst.pktsIn++;
    dst.bytesIn += origlen;
    const f = this.flow(inner.ipProto, src.id, dst.id, inner.srcPort, inner.dstPort, tsSec, tsNsec);
    if (inner.tcpFlags >= 0 && f.tcpStream === null) f.tcpStream = this.nextTcpStream++;
    const ab = f.a === src.id && (f.aPort === null || f.aPort === inner.srcPort);
    if (ab) {
      f.pktsAB++;
      f.bytesAB += origlen;
    } else {
      f.pktsBA++;
      f.bytesBA += origlen;
    }
    f.lastSec = tsSec;
    f.lastNsec = tsNsec;
    this.batch.extraFlows.push([id, f.id]);
    return { f, ab };
  }

  /** tcp.stream of the TCP conversation an ICMP error quotes (a new one if never seen, as in Wireshark). */
  private quotedStream(q: InnerSummary, tsSec: number, tsNsec: number): number | null {
    if (q.ipProto !== 6) return null;
    const src = q.l3 === 4 ? this.host4(parseIp4(q.src), tsSec, tsNsec) : this.host6(q.src, tsSec, tsNsec);
    const dst = q.l3 === 4 ? this.host4(parseIp4(q.dst), tsSec, tsNsec) : this.host6(q.dst, tsSec, tsNsec);
    const f = this.flow(6, src.id, dst.id, q.srcPort, q.dstPort, tsSec, tsNsec);
    if (f.tcpStream === null) f.tcpStream = this.nextTcpStream++;
    return f.tcpStream;
  }

  /** The conversation of a packet; `fresh` starts a new one for the same key (TCP port reuse). */
  private flow(ipProto: number, srcId: number, dstId: number, srcPort: number, dstPort: number, tsSec: number, tsNsec: number, fresh = false): FlowState {
    const hasPorts = srcPort >= 0 && dstPort >= 0;
    const sp = hasPorts ? srcPort : -1;
    const dp = hasPorts ? dstPort : -1;
    // Conversation key independent of direction. Host ids < 2^26 and proto/ports < 2^41
    // keep both keys exact in a double.
    const fwd = srcId < dstId || (srcId === dstId && sp <= dp);
    const pairKey = fwd ? srcId * 67108864 + dstId : dstId * 67108864 + srcId;
    const portKey = (ipProto + 1) * 4294967296 + (fwd ? (sp + 1) * 131072 + dp + 1 : (dp + 1) * 131072 + sp + 1);
    let byPorts = this.flowMap.get(pairKey);
    if (!byPorts) {
      byPorts = new Map();
      this.flowMap.set(pairKey, byPorts);
    }
    const got = fresh ? undefined : byPorts.get(portKey);
    let f: FlowState;
    if (got === undefined) {
      f = {
        id: this.nextFlowId++,
        ipproto: ipProto < 0 ? 0 : ipProto,
        a: srcId,
        b: dstId,
        aPort: hasPorts ? sp : null,
        bPort: hasPorts ? dp : null,
        firstSec: tsSec, firstNsec: tsNsec, lastSec: tsSec, lastNsec: tsNsec,
        pktsAB: 0, pktsBA: 0, bytesAB: 0, bytesBA: 0, tcpSeen: 0, directAB: 0, directBA: 0, tcpStream: null, app: null, conv: null,
        baseAB: NaN, baseBA: NaN, wsAB: -2, wsBA: -2, snapBaseAB: NaN, snapBaseBA: NaN, snapWsAB: -1, snapWsBA: -1,
        lastFrame: this.frame, pairKey, portKey,
      };
      byPorts.set(portKey, f);
      this.flowList.push(f);
      this.flowsCreated++;
    } else if ('tomb' in got) {
      // An evicted conversation resumes under its own identity; its counters start again
      // (the writer adds them to the row already written).
      f = {
        id: got.id, ipproto: got.ipproto, a: got.a, b: got.b, aPort: got.aPort, bPort: got.bPort,
        firstSec: tsSec, firstNsec: tsNsec, lastSec: tsSec, lastNsec: tsNsec,
        pktsAB: 0, pktsBA: 0, bytesAB: 0, bytesBA: 0, tcpSeen: 0, directAB: 0, directBA: 0,
        tcpStream: got.tcpStream, app: null,
        conv: got.over && got.tcpStream !== null ? AppSession.over(got.tcpStream) : got.conv,
        baseAB: got.baseAB, baseBA: got.baseBA, wsAB: got.wsAB, wsBA: got.wsBA,
        // flow_states already holds these: only later changes are written.
        snapBaseAB: got.baseAB, snapBaseBA: got.baseBA, snapWsAB: got.wsAB < 0 ? -1 : got.wsAB, snapWsBA: got.wsBA < 0 ? -1 : got.wsBA,
        lastFrame: this.frame, pairKey, portKey,
      };
      byPorts.set(portKey, f);
      this.flowList.push(f);
    } else {
      f = got;
    }
    f.lastFrame = this.frame;
    return f;
  }

  /** The conversations still in memory as plain records (no analyzer state: they cross a
   * worker boundary). Evicted ones went out in batches (PacketBatch.flows). */
  flows(): Iterable<FlowRecord> {
    return this.flowList.map(flowRecord);
  }

  hosts(): Iterable<HostRecord> {
    const all = [...this.hosts4.values(), ...this.hosts6.values()];
    for (const h of all) h.macs = h.macNums.map(formatMac);
    return all;
  }

  /** Conversations created (evicted ones included). */
  get flowCount(): number {
    return this.flowsCreated;
  }
}

function flowRecord(f: FlowState): FlowRecord {
  return {
    id: f.id, ipproto: f.ipproto, a: f.a, b: f.b, aPort: f.aPort, bPort: f.bPort,
    firstSec: f.firstSec, firstNsec: f.firstNsec, lastSec: f.lastSec, lastNsec: f.lastNsec,
    pktsAB: f.pktsAB, pktsBA: f.pktsBA, bytesAB: f.bytesAB, bytesBA: f.bytesBA, tcpSeen: f.tcpSeen,
    directAB: f.directAB, directBA: f.directBA, tcpStream: f.tcpStream, app: f.app,
  };
}
