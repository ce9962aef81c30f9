/**
 * The engine's implementation of the API contract (shared/api.ts). Every host — Electron
 * IPC, `tracehound serve`, tests — calls these handlers after validating the request with
 * `checkRequest`; nothing here knows how the call arrived.
 *
 * Opened cases are held in a session table: the `captureId` the renderer sees is a handle
 * into it (two cases may both hold capture 1). Errors become `{ok: false, error}` with a
 * stable code; a filter error carries Wireshark-style diagnostics.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ApiError, ApiEvent, ApiHandlers, ApiName, ApiRequest, ApiResponses, ConnectionGraph, GraphEdge, GraphNode, IoGraph, ProtocolNode, RecentCase, Result } from '../../shared/api.js';
import { checkRequest } from '../../shared/api.js';
import type { FlowRow } from '../../shared/model.js';
import { exportObjects, followStream, hashObjects, listObjects, StreamNotFoundError } from './analyze/replay.js';
import { CaptureFormatError } from './capture/types.js';
import { cacheDir, openTarget } from './case/resolve.js';
import { countBefore, countMatches, FilterError, pageMatches, prepareFilter } from './filter/run.js';
import { IngestError } from './ingest/pipeline.js';
import { listPackets, packetsByFrames } from './query/packets.js';
import { frameDetail } from './query/frame.js';
import { CaseError, type CaseStore } from './store/case-store.js';
import { packetId, PF_IP4, PF_IP6, PF_IS_TCP } from './store/schema.js';

interface Session {
  store: CaseStore;
  captureId: number;
  path: string;
}

export interface EngineApiOptions {
  /** Where events (ingest progress) go. */
  onEvent?: (e: ApiEvent) => void;
  /** The recent-cases list file (default: <cache>/recent.json). */
  recentFile?: string;
}

/** Frames a statistics pass over a filter looks at before it stops (bounded work per call). */
const MAX_STAT_FRAMES = 2_000_000;
/** Recent cases remembered. */
const MAX_RECENT = 20;

const IP_PROTO_NAMES: Record<number, string> = { 1: 'icmp', 6: 'tcp', 17: 'udp', 58: 'icmpv6', 47: 'gre', 50: 'esp', 51: 'ah', 132: 'sctp' };

function toError(e: unknown): ApiError {
  if (e instanceof FilterError) {
    return { code: 'bad-filter', message: e.message, diagnostics: e.diagnostics.map((d) => ({ message: d.message, start: d.start, length: d.length, ...(d.hint ? { hint: d.hint } : {}) })) };
  }
  if (e instanceof IngestError) return { code: e.kind === 'cancelled' ? 'cancelled' : 'bad-capture', message: e.message, offset: e.offset };
  if (e instanceof CaptureFormatError) return { code: 'bad-capture', message: e.message, offset: e.offset };
  if (e instanceof StreamNotFoundError) return { code: 'not-found', message: e.message };
  if (e instanceof CaseError) return { code: 'io', message: e.message };
  if (e instanceof Error && 'code' in e && typeof (e as NodeJS.ErrnoException).code === 'string') return { code: 'io', message: e.message };
  return { code: 'internal', message: e instanceof Error ? e.message : String(e) };
}

export class EngineApi {
  private readonly sessions = new Map<number, Session>();
  private nextHandle = 1;
  private ingest: AbortController | null = null;
  readonly handlers: ApiHandlers;

  constructor(private readonly opts: EngineApiOptions = {}) {
    const h = {} as Record<ApiName, (req: unknown) => Promise<Result<unknown>>>;
    for (const [name, fn] of Object.entries(this.impl()) as [ApiName, (req: never) => Promise<unknown>][]) {
      h[name] = async (req: unknown) => {
        const checked = checkRequest(name, req);
        if (!checked.ok) return checked;
        try {
          return { ok: true, value: await fn(checked.value as never) };
        } catch (e) {
          return { ok: false, error: toError(e) };
        }
      };
    }
    this.handlers = h as unknown as ApiHandlers;
  }

  /** Open a capture or case outside a request (command line, `serve TARGET`). */
  async open(path: string): Promise<ApiResponses['capture.open']> {
    return this.impl()['capture.open']({ path });
  }

  close(): void {
    this.ingest?.abort();
    for (const s of this.sessions.values()) s.store.close();
    this.sessions.clear();
  }

  private session(handle: number): Session {
    const s = this.sessions.get(handle);
    if (!s) throw new StreamNotFoundError(`no open capture ${handle}: open it first`);
    return s;
  }

  private get recentFile(): string {
    return this.opts.recentFile ?? join(cacheDir(), 'recent.json');
  }

  private readRecent(): RecentCase[] {
    try {
      const v = JSON.parse(readFileSync(this.recentFile, 'utf8')) as unknown;
      return Array.isArray(v) ? (v as RecentCase[]).filter((r) => r && typeof r.casePath === 'string').slice(0, MAX_RECENT) : [];
    } catch {
      return [];
    }
  }

  private remember(r: RecentCase): void {
    const list = [r, ...this.readRecent().filter((x) => x.casePath !== r.casePath)].slice(0, MAX_RECENT);
    mkdirSync(dirname(this.recentFile), { recursive: true });
    const tmp = `${this.recentFile}.tmp-${process.pid}`;
    writeFileSync(tmp, JSON.stringify(list, null, 2));
    renameSync(tmp, this.recentFile);
  }

  private impl(): { [K in ApiName]: (req: ApiRequest<K>) => Promise<ApiResponses[K]> } {
    return {
      'capture.open': async ({ path }) => {
        const ac = new AbortController();
        this.ingest?.abort();
        this.ingest = ac;
        try {
          const t = await openTarget(path, {
            signal: ac.signal,
            onProgress: (progress) => this.opts.onEvent?.({ type: 'ingest.progress', path, progress }),
          });
          const handle = this.nextHandle++;
          this.sessions.set(handle, { store: t.store, captureId: t.captureId, path });
          const capture = t.store.capture(t.captureId)!;
          this.opts.onEvent?.({ type: 'ingest.done', path, captureId: handle });
          try {
            this.remember({ casePath: t.store.path, capturePath: capture.path, sha256: capture.sha256, packets: capture.packets, openedAt: new Date().toISOString() });
          } catch {
            // The recent list is a convenience: a read-only home must not stop an investigation.
          }
          return { captureId: handle, casePath: t.store.path, capture: { ...capture, id: handle }, reused: t.ingest === null };
        } catch (e) {
          this.opts.onEvent?.({ type: 'ingest.error', path, error: toError(e) });
          throw e;
        } finally {
          if (this.ingest === ac) this.ingest = null;
        }
      },
      'capture.recent': async () => this.readRecent().filter((r) => existsSync(r.casePath)),
      'capture.info': async ({ captureId }) => {
        const s = this.session(captureId);
        return { ...s.store.capture(s.captureId)!, id: captureId };
      },
      'capture.cancel': async () => {
        const had = this.ingest !== null;
        this.ingest?.abort();
        return { cancelled: had };
      },
      'stats.summary': async ({ captureId }) => {
        const s = this.session(captureId);
        return s.store.stats(s.captureId);
      },
      'packets.page': async ({ captureId, filter, after, limit }) => {
        const s = this.session(captureId);
        if (filter.trim() === '') {
          const rows = listPackets(s.store, s.captureId, after, limit);
          return { rows, done: rows.length < limit };
        }
        const f = prepareFilter(s.store, s.captureId, filter);
        const frames = await pageMatches(s.store, s.captureId, f, after, limit);
        return { rows: packetsByFrames(s.store, s.captureId, frames), done: frames.length < limit };
      },
      'packets.count': async ({ captureId, filter }) => {
        const s = this.session(captureId);
        if (filter.trim() === '') return { count: s.store.capture(s.captureId)?.packets ?? 0 };
        return { count: await countMatches(s.store, s.captureId, prepareFilter(s.store, s.captureId, filter)) };
      },
      'packets.rank': async ({ captureId, filter, frame }) => {
        const s = this.session(captureId);
        if (filter.trim() === '') return { rank: Math.max(0, frame - 1) };
        return { rank: await countBefore(s.store, s.captureId, prepareFilter(s.store, s.captureId, filter), frame) };
      },
      'frame.detail': async ({ captureId, frame }) => {
        const s = this.session(captureId);
        const d = await frameDetail(s.store, s.captureId, frame);
        if (!d) throw new StreamNotFoundError(`no frame ${frame}`);
        return d;
      },
      'frame.comment': async ({ captureId, frame, text }) => {
        const s = this.session(captureId);
        const id = packetId(s.captureId, frame);
        s.store.db.transaction(() => {
          s.store.db.prepare("DELETE FROM comments WHERE packet_id = ? AND source = 'user'").run(id);
          if (text.trim() !== '') s.store.db.prepare("INSERT INTO comments(packet_id, source, text) VALUES (?, 'user', ?)").run(id, text);
        })();
        return { ok: true as const };
      },
      'stream.follow': async ({ captureId, stream, maxBytes, skipBytes }) => {
        const s = this.session(captureId);
        return followStream(s.store, s.captureId, stream, { ...(maxBytes !== undefined ? { maxBytes } : {}), ...(skipBytes !== undefined ? { skipBytes } : {}) });
      },
      'stats.conversations': async ({ captureId, proto, filter, limit }) => {
        const s = this.session(captureId);
        let rows = s.store.flows(s.captureId, 1_000_000);
        if (proto === 'tcp') rows = rows.filter((r) => r.ipProto === 6 && r.portA !== null);
        else if (proto === 'udp') rows = rows.filter((r) => r.ipProto === 17 && r.portA !== null);
        if (filter && filter.trim() !== '') {
          const flows = await this.flowsMatching(s, filter);
          rows = rows.filter((r) => flows.has(r.id));
        }
        rows = rows.filter((r) => r.packetsAtoB + r.packetsBtoA > 0);
        rows.sort((a, b) => b.bytesAtoB + b.bytesBtoA - (a.bytesAtoB + a.bytesBtoA));
        return rows.slice(0, limit);
      },
      'stats.endpoints': async ({ captureId, limit }) => this.session(captureId).store.hosts(limit),
      'hosts.list': async ({ captureId, limit }) => this.session(captureId).store.hosts(limit),
      'stats.hierarchy': async ({ captureId }) => this.hierarchy(this.session(captureId)),
      'stats.io': async ({ captureId, interval, filters }) => this.io(this.session(captureId), interval, filters),
      'records.list': async ({ captureId, kind, afterId, limit, reveal }) => {
        const s = this.session(captureId);
        const base = packetId(s.captureId, 0);
        const rows = s.store.db
          .prepare('SELECT id, packet_id, stream, kind, data FROM records WHERE capture_id = ? AND kind = ? AND id > ? ORDER BY id LIMIT ?')
          .all(s.captureId, kind, afterId, limit) as { id: number; packet_id: number; stream: number | null; kind: string; data: string }[];
        return rows.map((r) => ({ id: r.id, frame: r.packet_id - base, stream: r.stream, kind: r.kind, data: mask(JSON.parse(r.data) as Record<string, unknown>, reveal === true) }));
      },
      'objects.list': async ({ captureId }) => {
        const s = this.session(captureId);
        return listObjects(s.store, s.captureId);
      },
      'objects.export': async ({ captureId, ids, dir }) => {
        const s = this.session(captureId);
        return { files: exportObjects(s.store, s.captureId, dir, ids) };
      },
      'objects.hash': async ({ captureId, ids }) => {
        const s = this.session(captureId);
        return hashObjects(s.store, s.captureId, ids);
      },
      'graph.neighbors': async ({ captureId, addr, filter, maxEdges }) => this.neighbors(this.session(captureId), addr, filter, maxEdges ?? 50),
    };
  }

  /** Flows that carry at least one frame matching the filter (bounded by MAX_STAT_FRAMES). */
  private async flowsMatching(s: Session, filter: string): Promise<Set<number>> {
    const f = prepareFilter(s.store, s.captureId, filter);
    const out = new Set<number>();
    const flowOf = s.store.db.prepare('SELECT flow FROM packets WHERE id = ?').pluck();
    let after = 0;
    let seen = 0;
    for (;;) {
      const frames = await pageMatches(s.store, s.captureId, f, after, 10_000);
      for (const fr of frames) {
        const fl = flowOf.get(packetId(s.captureId, fr)) as number | null;
        if (fl !== null) out.add(fl);
      }
      seen += frames.length;
      if (frames.length < 10_000 || seen >= MAX_STAT_FRAMES) break;
      after = frames[frames.length - 1]!;
    }
    return out;
  }

  /** Protocol hierarchy from the stored columns: link → network → transport → application. */
  private hierarchy(s: Session): ProtocolNode[] {
    const lo = packetId(s.captureId, 0);
    const hi = packetId(s.captureId + 1, 0);
    const rows = s.store.db
      .prepare(
        `SELECT (p.flags & ${PF_IP4 | PF_IP6}) AS fam, (p.flags & ${PF_IS_TCP}) != 0 AS tcp, p.ipproto AS ipproto, pr.name AS proto,
                count(*) AS n, sum(p.origlen) AS b
         FROM packets p JOIN protocols pr ON pr.id = p.proto WHERE p.id > ? AND p.id < ? GROUP BY 1, 2, 3, 4`,
      )
      .all(lo, hi) as { fam: number; tcp: number; ipproto: number | null; proto: string; n: number; b: number }[];
    const root: ProtocolNode = { name: 'frame', packets: 0, bytes: 0, children: [] };
    const child = (parent: ProtocolNode, name: string): ProtocolNode => {
      let c = parent.children.find((x) => x.name === name);
      if (!c) parent.children.push((c = { name, packets: 0, bytes: 0, children: [] }));
      return c;
    };
    for (const r of rows) {
      const path: string[] = [];
      if (r.fam & PF_IP4) path.push('ip');
      else if (r.fam & PF_IP6) path.push('ipv6');
      if (r.ipproto !== null && path.length) path.push(IP_PROTO_NAMES[r.ipproto] ?? `ip.proto ${r.ipproto}`);
      const l4 = path.at(-1)?.toUpperCase();
      const top = r.proto;
      if (top && top.toUpperCase() !== l4 && top !== 'IPv4' && top !== 'IPv6') path.push(top.toLowerCase());
      let n = root;
      n.packets += r.n;
      n.bytes += r.b;
      for (const name of path) {
        n = child(n, name);
        n.packets += r.n;
        n.bytes += r.b;
      }
    }
    const sort = (n: ProtocolNode) => {
      n.children.sort((a, b) => b.bytes - a.bytes);
      n.children.forEach(sort);
    };
    sort(root);
    return [root];
  }

  private async io(s: Session, interval: number, filters: readonly string[]): Promise<IoGraph> {
    const lo = packetId(s.captureId, 0);
    const hi = packetId(s.captureId + 1, 0);
    const first = s.store.db.prepare('SELECT min(ts_sec + ts_nsec / 1e9) FROM packets WHERE id > ? AND id < ?').pluck().get(lo, hi) as number | null;
    const last = s.store.db.prepare('SELECT max(ts_sec + ts_nsec / 1e9) FROM packets WHERE id > ? AND id < ?').pluck().get(lo, hi) as number | null;
    const start = Math.floor((first ?? 0) / interval) * interval;
    // Bounded: at most 10,000 buckets, whatever the interval asked.
    const buckets = Math.min(10_000, Math.max(1, Math.floor(((last ?? start) - start) / interval) + 1));
    const series = [];
    for (const text of filters.length ? filters : ['']) {
      const packets = new Array<number>(buckets).fill(0);
      const bytes = new Array<number>(buckets).fill(0);
      const add = (t: number, len: number) => {
        const i = Math.min(buckets - 1, Math.max(0, Math.floor((t - start) / interval)));
        packets[i]! += 1;
        bytes[i]! += len;
      };
      if (text.trim() === '') {
        const rows = s.store.db
          .prepare(`SELECT CAST(((ts_sec + ts_nsec / 1e9) - ?) / ? AS INTEGER) AS k, count(*) AS n, sum(origlen) AS b FROM packets WHERE id > ? AND id < ? GROUP BY k`)
          .all(start, interval, lo, hi) as { k: number; n: number; b: number }[];
        for (const r of rows) {
          const i = Math.min(buckets - 1, Math.max(0, r.k));
          packets[i]! += r.n;
          bytes[i]! += r.b;
        }
      } else {
        const f = prepareFilter(s.store, s.captureId, text);
        const row = s.store.db.prepare('SELECT ts_sec + ts_nsec / 1e9 AS t, origlen FROM packets WHERE id = ?');
        let after = 0;
        let seen = 0;
        for (;;) {
          const frames = await pageMatches(s.store, s.captureId, f, after, 10_000);
          for (const fr of frames) {
            const r = row.get(packetId(s.captureId, fr)) as { t: number; origlen: number };
            add(r.t, r.origlen);
          }
          seen += frames.length;
          if (frames.length < 10_000 || seen >= MAX_STAT_FRAMES) break;
          after = frames[frames.length - 1]!;
        }
      }
      series.push({ filter: text, packets, bytes });
    }
    return { start, interval, series };
  }

  /** Peers of one host: one edge per peer, weighted by bytes, labelled by services. */
  private async neighbors(s: Session, addr: string, filter: string | undefined, maxEdges: number): Promise<ConnectionGraph> {
    const host = s.store.db.prepare('SELECT id, addr, pkts_in + pkts_out AS p, bytes_in + bytes_out AS b FROM hosts WHERE addr = ?').get(addr) as
      { id: number; addr: string; p: number; b: number } | undefined;
    if (!host) throw new StreamNotFoundError(`no host ${addr} in this capture`);
    let flows: FlowRow[] = s.store.flows(s.captureId, 1_000_000).filter((f) => f.addrA === addr || f.addrB === addr);
    if (filter && filter.trim() !== '') {
      const keep = await this.flowsMatching(s, filter);
      flows = flows.filter((f) => keep.has(f.id));
    }
    const apps = new Map<number, string | null>(
      (s.store.db.prepare('SELECT id, app FROM flows WHERE capture_id = ? AND (a = ? OR b = ?)').all(s.captureId, host.id, host.id) as { id: number; app: string | null }[]).map((r) => [r.id, r.app]),
    );
    const byPeer = new Map<string, { packets: number; bytes: number; services: Map<string, number>; flows: number[]; out: boolean }>();
    for (const f of flows) {
      const peer = f.addrA === addr ? f.addrB : f.addrA;
      const peerPort = f.addrA === addr ? f.portB : f.portA;
      const myPort = f.addrA === addr ? f.portA : f.portB;
      let e = byPeer.get(peer);
      if (!e) byPeer.set(peer, (e = { packets: 0, bytes: 0, services: new Map(), flows: [], out: false }));
      const bytes = f.bytesAtoB + f.bytesBtoA;
      e.packets += f.packetsAtoB + f.packetsBtoA;
      e.bytes += bytes;
      e.flows.push(f.id);
      // The service is the lower (well-known) port's side.
      const svcPort = peerPort !== null && myPort !== null ? Math.min(peerPort, myPort) : null;
      const label = apps.get(f.id) ?? (svcPort !== null ? `${f.proto}/${svcPort}` : f.proto);
      e.services.set(label, (e.services.get(label) ?? 0) + bytes);
      if (peerPort !== null && myPort !== null && peerPort < myPort) e.out = true;
    }
    const peers = [...byPeer.entries()].sort((a, b) => b[1].bytes - a[1].bytes);
    const truncated = peers.length > maxEdges;
    const kept = peers.slice(0, maxEdges);
    const names = s.store.db.prepare("SELECT DISTINCT name FROM names WHERE addr = ? LIMIT 4").pluck();
    const hostRow = s.store.db.prepare('SELECT id, pkts_in + pkts_out AS p, bytes_in + bytes_out AS b FROM hosts WHERE addr = ?');
    const nodes: GraphNode[] = [{ id: host.id, addr, names: names.all(addr) as string[], packets: host.p, bytes: host.b }];
    const edges: GraphEdge[] = [];
    for (const [peer, e] of kept) {
      const h = hostRow.get(peer) as { id: number; p: number; b: number };
      nodes.push({ id: h.id, addr: peer, names: names.all(peer) as string[], packets: h.p, bytes: h.b });
      const [from, to] = e.out ? [host.id, h.id] : [h.id, host.id];
      const fam = addr.includes(':') ? 'ipv6' : 'ip';
      edges.push({
        id: `${Math.min(host.id, h.id)}-${Math.max(host.id, h.id)}`,
        from,
        to,
        packets: e.packets,
        bytes: e.bytes,
        services: [...e.services.entries()].sort((a, b) => b[1] - a[1]).map(([k]) => k),
        flows: e.flows,
        filter: `${fam}.addr == ${addr} && ${fam}.addr == ${peer}`,
      });
    }
    return { nodes, edges, truncated };
  }
}

/** Fields that hold secrets, masked unless the user asked to reveal them. */
const SECRET_KEYS = new Set(['secret', 'crackable', 'password', 'authbasic']);
const SECRET_HEADERS = /^(authorization|proxy-authorization|cookie|set-cookie)$/i;

function mask(rec: Record<string, unknown>, reveal: boolean): Record<string, unknown> {
  if (reveal) return rec;
  const out: Record<string, unknown> = { ...rec };
  for (const k of Object.keys(out)) if (SECRET_KEYS.has(k) && out[k] !== null && out[k] !== undefined) out[k] = '••••••••';
  if (Array.isArray(out.headers)) {
    out.headers = (out.headers as [string, string][]).map(([n, v]) => (SECRET_HEADERS.test(n) ? [n, '••••••••'] : [n, v]));
  }
  return out;
}

/** The handlers of an API with no host around them (tests, the CLI). */
export function createEngineApi(opts: EngineApiOptions = {}): EngineApi {
  return new EngineApi(opts);
}
