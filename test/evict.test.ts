/**
 * Conversation eviction (memory bounded by the conversations in progress): a case indexed
 * with aggressive eviction is identical, table by table, to one indexed with none: packets,
 * flows (ids, tcp.stream, counters merged), flow states, application fields, records and
 * objects. The capture exercises what eviction must survive: a closed TCP stream that gets
 * a late retransmission after it was evicted, TCP port reuse after eviction, a UDP
 * conversation silent long enough to be evicted that speaks again, and an open TCP
 * stream that must not lose its parser while idle.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PcapWriter } from '../electron/engine/capture/writer.js';
import { ingestCapture } from '../electron/engine/ingest/pipeline.js';
import { CaseStore } from '../electron/engine/store/case-store.js';
import { TCP_ACK, TCP_FIN, TCP_PSH, TCP_SYN, tcpFrame, udpFrame } from '../electron/engine/synth/packet.js';
import { dnsQuery, dnsResponse, httpRequest, httpResponse } from '../electron/engine/synth/traffic.js';
import { tmpDir } from './support/shared.js';

const T0 = 1_700_000_000;

/** Writes frames at increasing times (seconds after T0). */
class Timeline {
  constructor(private readonly w: PcapWriter) {}
  at(t: number, frame: Uint8Array): void {
    const sec = Math.floor(t);
    this.w.packet(T0 + sec, Math.round((t - sec) * 1e9), frame);
  }
}

/** A TCP exchange: handshake, request, response, both FINs; returns the next sequence numbers. */
function httpExchange(tl: Timeline, t: number, c: string, cp: number, s: string, isnC: number, isnS: number, path: string, body: string): number {
  const req = httpRequest('GET', path, 'intranet.example', []);
  const res = httpResponse(200, 'OK', [['Content-Type', 'text/plain'], ['Content-Length', String(body.length)]], body);
  const cs = (seq: number, ack: number, flags: number, payload?: Uint8Array) =>
    tcpFrame({ srcIp: c, dstIp: s, sport: cp, dport: 80, seq: seq >>> 0, ack: ack >>> 0, flags, ...(payload ? { payload } : {}) });
  const sc = (seq: number, ack: number, flags: number, payload?: Uint8Array) =>
    tcpFrame({ srcIp: s, dstIp: c, sport: 80, dport: cp, seq: seq >>> 0, ack: ack >>> 0, flags, ...(payload ? { payload } : {}) });
  tl.at(t, cs(isnC, 0, TCP_SYN));
  tl.at(t + 0.001, sc(isnS, isnC + 1, TCP_SYN | TCP_ACK));
  tl.at(t + 0.002, cs(isnC + 1, isnS + 1, TCP_ACK));
  tl.at(t + 0.003, cs(isnC + 1, isnS + 1, TCP_PSH | TCP_ACK, req));
  tl.at(t + 0.004, sc(isnS + 1, isnC + 1 + req.length, TCP_PSH | TCP_ACK, res));
  tl.at(t + 0.005, cs(isnC + 1 + req.length, isnS + 1 + res.length, TCP_FIN | TCP_ACK));
  tl.at(t + 0.006, sc(isnS + 1 + res.length, isnC + 2 + req.length, TCP_FIN | TCP_ACK));
  tl.at(t + 0.007, cs(isnC + 2 + req.length, isnS + 2 + res.length, TCP_ACK));
  return isnS + 1 + res.length;
}

function buildCapture(path: string): void {
  const w = new PcapWriter({ path });
  const tl = new Timeline(w);
  const C = '10.9.0.10';
  const S = '10.9.0.20';
  const DNS = '10.9.0.53';
  // A: closed at once; B: opened and left idle (its parser must survive); a DNS query answered.
  const finSeq = httpExchange(tl, 0, C, 40000, S, 1000, 5000, '/a', 'first body');
  const b = (seq: number, ack: number, flags: number, payload?: Uint8Array) =>
    tcpFrame({ srcIp: C, dstIp: S, sport: 40001, dport: 80, seq, ack, flags, ...(payload ? { payload } : {}) });
  const bs = (seq: number, ack: number, flags: number, payload?: Uint8Array) =>
    tcpFrame({ srcIp: S, dstIp: C, sport: 80, dport: 40001, seq, ack, flags, ...(payload ? { payload } : {}) });
  const reqB = httpRequest('GET', '/b', 'intranet.example', []);
  tl.at(0.1, b(7000, 0, TCP_SYN));
  tl.at(0.101, bs(9000, 7001, TCP_SYN | TCP_ACK));
  tl.at(0.102, b(7001, 9001, TCP_ACK));
  tl.at(0.103, b(7001, 9001, TCP_PSH | TCP_ACK, reqB));
  tl.at(0.2, udpFrame({ srcIp: C, dstIp: DNS, sport: 53000, dport: 53, payload: dnsQuery(0x1234, 'intranet.example') }));
  tl.at(0.25, udpFrame({ srcIp: DNS, dstIp: C, sport: 53, dport: 53000, payload: dnsResponse(0x1234, 'intranet.example', ['10.9.0.20']) }));
  // Filler: another conversation, long enough for the others to go idle past the threshold.
  for (let i = 0; i < 3000; i++) {
    tl.at(0.3 + i * 0.001, udpFrame({ srcIp: '10.9.1.1', dstIp: '10.9.1.2', sport: 9999, dport: 9999, payload: new Uint8Array([i & 255, i >> 8]) }));
  }
  // A's server retransmits its FIN (A was evicted, closed): the same tcp.stream, nothing analysed.
  tl.at(3.5, tcpFrame({ srcIp: S, dstIp: C, sport: 80, dport: 40000, seq: finSeq, ack: 1000 + 2 + 40, flags: TCP_FIN | TCP_ACK }));
  // B's response after the pause: parsed with its request (B was open, so never evicted).
  const resB = httpResponse(200, 'OK', [['Content-Length', '6']], 'b body');
  tl.at(3.6, bs(9001, 7001 + reqB.length, TCP_PSH | TCP_ACK, resB));
  // The DNS client speaks again after > 2 s of silence (evicted, resumed under its flow id).
  tl.at(4.0, udpFrame({ srcIp: C, dstIp: DNS, sport: 53000, dport: 53, payload: dnsQuery(0x4321, 'files.example') }));
  tl.at(4.01, udpFrame({ srcIp: DNS, dstIp: C, sport: 53, dport: 53000, payload: dnsResponse(0x4321, 'files.example', ['10.9.0.21']) }));
  // A's ports again with a new ISN: port reuse, a new conversation and tcp.stream.
  httpExchange(tl, 5.0, C, 40000, S, 900_000, 800_000, '/again', 'second body');
  w.close();
}

type Digest = Record<string, string>;

function digest(store: CaseStore): Digest {
  const h = (sql: string) => {
    const x = createHash('sha256');
    let n = 0;
    for (const r of store.db.prepare(sql).raw().iterate() as IterableIterator<unknown[]>) {
      x.update(JSON.stringify(r.map((v) => (v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v))));
      n++;
    }
    return `${n} rows ${x.digest('hex').slice(0, 16)}`;
  };
  return {
    packets: h('SELECT * FROM packets ORDER BY id'),
    flows: h('SELECT * FROM flows ORDER BY id'),
    flowStates: h('SELECT * FROM flow_states ORDER BY flow, packet_id'),
    appFields: h('SELECT packet_id, field, value FROM app_fields ORDER BY packet_id, rowid'),
    records: h('SELECT kind, packet_id, stream, data FROM records ORDER BY packet_id, kind, data'),
    objects: h('SELECT packet_id, stream, source, size, complete, sha256 FROM objects ORDER BY packet_id, id'),
    hosts: h('SELECT * FROM hosts ORDER BY id'),
  };
}

describe('conversation eviction', () => {
  const tmp = tmpDir('th-evict-');
  afterAll(() => tmp.cleanup());

  it('changes nothing that is indexed, and does evict', { timeout: 60_000 }, async () => {
    const capture = join(tmp.dir, 'evict.pcap');
    buildCapture(capture);
    const cases: { digest: Digest; evicted: number; store: CaseStore; captureId: number }[] = [];
    for (const evictIdleFrames of [500, Number.POSITIVE_INFINITY]) {
      const store = CaseStore.open(join(tmp.dir, `e-${evictIdleFrames}.thcase`));
      const r = await ingestCapture({ capturePath: capture, store, threads: 'inline', evictIdleFrames, batchRows: 256 });
      cases.push({ digest: digest(store), evicted: r.flowsEvicted ?? 0, store, captureId: r.captureId });
    }
    const [evicting, keeping] = cases as [(typeof cases)[0], (typeof cases)[0]];
    try {
      // A (closed), the DNS conversation (silent > 2 s) and the first filler packets' peers go;
      // B (open, idle only briefly) stays.
      expect(evicting.evicted).toBeGreaterThanOrEqual(2);
      expect(keeping.evicted).toBe(0);
      expect(evicting.digest).toEqual(keeping.digest);

      // What the equal digests cover, spelled out: the late FIN kept A's stream, port reuse
      // opened a new one, B's response was parsed, the DNS conversation is one flow.
      const s = evicting.store;
      const streams = s.db.prepare("SELECT tcp_stream, pkts_ab + pkts_ba AS n FROM flows WHERE ipproto = 6 ORDER BY tcp_stream").raw().all();
      expect(streams).toEqual([[0, 9], [1, 5], [2, 8]]);
      const dnsFlows = s.db.prepare('SELECT pkts_ab + pkts_ba FROM flows WHERE ipproto = 17 AND (a_port = 53 OR b_port = 53)').pluck().all();
      expect(dnsFlows).toEqual([4]);
      const kinds = s.db.prepare("SELECT kind, count(*) FROM records WHERE kind IN ('http.request', 'http.response', 'dns') GROUP BY kind ORDER BY kind").raw().all();
      expect(kinds).toEqual([['dns', 4], ['http.request', 3], ['http.response', 3]]);
    } finally {
      for (const c of cases) c.store.close();
    }
  });
});
