import Database from 'better-sqlite3';
import { rmSync, writeFileSync } from 'node:fs';
import type { Database as Db, Statement } from 'better-sqlite3';
import type { CaptureInfo, CaptureStats, CaptureStatus, FlowRow, HostRow, PacketRow } from '../../../shared/model.js';
import { FRAME_BITS, MIGRATIONS, POST_LOAD_INDEXES, SCHEMA_VERSION, TS_FIN, TS_RST, TS_SYN, TS_SYNACK, packetId } from './schema.js';
import { formatEpoch, formatIp4, formatMac } from '../util/format.js';

export class CaseError extends Error {
  override readonly name = 'CaseError';
  constructor(
    readonly code: 'not-a-case' | 'newer-schema' | 'locked' | 'io',
    message: string,
  ) {
    super(message);
  }
}

/** Columns of one packet row, in insertion order. `info` is the only text column. */
export const PACKET_COLUMNS = [
  'id', 'off', 'caplen', 'origlen', 'ts_sec', 'ts_nsec', 'iface', 'src', 'dst', 'sport', 'dport',
  'ipproto', 'proto', 'flow', 'flags', 'eth_src', 'eth_dst', 'vlan', 'info',
] as const;
export const PACKET_COLS = PACKET_COLUMNS.length;
/** The numeric columns (all but `info`), stored per row in a batch's Float64Array. */
export const NUM_COLS = PACKET_COLS - 1;
/** Rows per multi-row INSERT: large enough to amortise the statement call, small enough
 * to stay far below SQLite's 32766 bound-parameter limit (256 × 19 = 4864). */
export const ROWS_PER_INSERT = 256;
/** Rows per multi-row INSERT into app_fields (3 parameters each). */
export const APP_ROWS_PER_INSERT = 512;

export type SqlValue = number | string | null;

/**
 * A batch of resolved rows produced by the indexer. Numbers travel in one Float64Array
 * (transferable between threads without copying; NaN stands for SQL NULL) and the Info
 * column as an array of strings.
 */
export interface PacketBatch {
  captureId: number;
  rows: number;
  /** rows × NUM_COLS numbers in PACKET_COLUMNS order (without info). */
  nums: Float64Array;
  /** Info column values; null where it is rebuilt on read from the frame's bytes. */
  infos: (string | null)[];
  anomalies: [number, string, string, number, string][];
  comments: [number, string, string][];
  reassembly: [number, string, string][];
  newProtocols: [number, string][];
  /** Further conversations a packet belongs to (tunnelled packets): [packet id, flow id]. */
  extraFlows: [number, number][];
  /** TCP state snapshots: [flow, packet id, base A→B, base B→A, ws A→B, ws B→A] (NaN base = unknown). */
  flowStates: [number, number, number, number, number, number][];
  /** Application field occurrences, packed (no tuple per row to allocate, clone and collect):
   * two numbers per occurrence, packet id then field id ... */
  appFieldKeys: number[];
  /** ... and its value (typed as in app_fields), one per occurrence. */
  appFieldValues: (number | string | Uint8Array)[];
  /** Field names first used in this batch: [id, name]. */
  newFieldNames: [number, string][];
  /** Analyzer records with the objects they carry. */
  records: BatchRecord[];
  /** Conversations evicted from the parser's memory: their rows so far (merged into any
   * row of the same id; an evicted conversation that resumes is written again). */
  flows: FlowRecord[];
}

/** One analyzer record (JSON) and the extracted objects (bodies, files) it describes. */
export interface BatchRecord {
  captureId: number;
  kind: string;
  packetId: number;
  stream: number | null;
  json: string;
  objects: ObjectMeta[];
}

export interface ObjectMeta {
  source: string;
  /** Which object of the record (request body 0, response body 0, multipart parts 1..). */
  part: number;
  filename: string | null;
  mime: string;
  size: number;
  complete: boolean;
  md5: string | null;
  sha1: string | null;
  sha256: string | null;
}

export interface FlowRecord {
  id: number;
  ipproto: number;
  a: number;
  b: number;
  aPort: number | null;
  bPort: number | null;
  firstSec: number; firstNsec: number;
  lastSec: number; lastNsec: number;
  pktsAB: number; pktsBA: number;
  bytesAB: number; bytesBA: number;
  tcpSeen: number;
  /** Packets whose own (outer) conversation this is, per direction (pkts* also count tunnelled ones). */
  directAB: number; directBA: number;
  /** Wireshark's tcp.stream, or null for non-TCP flows. */
  tcpStream: number | null;
  /** Application protocol recognised on the flow, or null. */
  app: string | null;
}

export interface HostRecord {
  id: number;
  addr: string;
  family: 4 | 6;
  ip4: number | null;
  firstSec: number; firstNsec: number;
  lastSec: number; lastNsec: number;
  pktsOut: number; pktsIn: number;
  bytesOut: number; bytesIn: number;
  macs: string[];
}

export interface CaptureStart {
  path: string;
  dataPath: string;
  size: number;
  mtimeMs: number | null;
  sha256: string;
  format: string | null;
  compression: string | null;
}

export interface CaptureFinish {
  status: CaptureStatus;
  format: string | null;
  linkTypes: number[];
  packets: number;
  bytes: number;
  bytesRead: number;
  firstTs: [number, number] | null;
  lastTs: [number, number] | null;
  stopOffset: number | null;
  stopReason: string | null;
  sha256: string;
  interfaces: { id: number; linktype: number; snaplen: number; name: string | null; description: string | null; tsResolution: number; received?: number | undefined; dropped?: number | undefined }[];
  names: { addr: string; name: string }[];
}

/** Recorded with every capture; a cache case from another version is indexed again. */
export const ENGINE_VERSION = '0.2.0';

/**
 * One SQLite case file. Writer methods are used by the ingest; readers by hosts, CLI and
 * (later) detectors. All SQL uses bound parameters.
 */
export class CaseStore {
  readonly db: Db;
  private insertFull: Statement | null = null;
  private insertOne: Statement | null = null;
  private protoIds = new Map<string, number>();

  private constructor(db: Db, readonly path: string) {
    this.db = db;
  }

  static open(path: string, opts: { readonly?: boolean; create?: boolean } = {}): CaseStore {
    let db: Db;
    try {
      db = new Database(path, { readonly: opts.readonly ?? false, fileMustExist: !(opts.create ?? true) });
    } catch (e) {
      throw new CaseError('io', `cannot open case ${path}: ${(e as Error).message}`);
    }
    // Two processes may open one case (a CLI beside the app): WAL + a busy timeout keep it safe.
    db.pragma('busy_timeout = 5000');
    const store = new CaseStore(db, path);
    try {
      if (!opts.readonly) {
        // 16 KiB pages: ~25% faster bulk inserts of packet rows than the 4 KiB default.
        // Only takes effect on a new, empty file.
        if ((db.pragma('page_count', { simple: true }) as number) === 0) db.pragma('page_size = 16384');
        db.pragma('journal_mode = WAL');
        store.migrate();
      } else {
        store.checkVersion();
      }
    } catch (e) {
      db.close();
      if (e instanceof CaseError) throw e;
      const msg = (e as Error).message;
      if (/file is not a database|file is encrypted/.test(msg)) throw new CaseError('not-a-case', `${path} is not a Tracehound case (SQLite says: ${msg})`);
      throw e;
    }
    return store;
  }

  close(): void {
    this.db.close();
  }

  private checkVersion(): number {
    const v = this.db.pragma('user_version', { simple: true }) as number;
    if (v > SCHEMA_VERSION) throw new CaseError('newer-schema', `${this.path} was written by a newer Tracehound (schema ${v}, this build reads up to ${SCHEMA_VERSION})`);
    return v;
  }

  private migrate(): void {
    const v = this.checkVersion();
    if (v === 0) {
      const n = this.db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type='table'").get() as { n: number };
      if (n.n > 0) throw new CaseError('not-a-case', `${this.path} is an SQLite file but not a Tracehound case`);
    }
    for (let i = v; i < MIGRATIONS.length; i++) {
      this.db.transaction(() => {
        this.db.exec(MIGRATIONS[i]!);
        this.db.pragma(`user_version = ${i + 1}`);
      })();
    }
  }

  // ---------------------------------------------------------------- writing

  /** Marker present while a case is bulk-loaded without a journal: if it survives (the
   * process was killed), the case is incomplete and must be re-ingested. */
  get bulkMarker(): string {
    return `${this.path}.ingesting`;
  }

  private unjournaled = false;

  /**
   * Fast settings for the bulk load; `endBulk` restores durability. A case that holds no
   * other capture is loaded without a journal (WAL writes every page twice); a kill then
   * leaves the marker file, and `openTarget` re-ingests instead of trusting the case.
   */
  beginBulk(): void {
    this.db.pragma('synchronous = OFF');
    this.db.pragma('cache_size = -32768');
    const others = (this.db.prepare("SELECT count(*) AS n FROM captures WHERE status != 'ingesting'").get() as { n: number }).n;
    if (others === 0 && this.path !== ':memory:') {
      writeFileSync(this.bulkMarker, String(process.pid));
      this.db.pragma('journal_mode = OFF');
      this.unjournaled = true;
    }
  }

  endBulk(): void {
    if (this.unjournaled) {
      this.db.pragma('journal_mode = WAL');
      this.unjournaled = false;
      rmSync(this.bulkMarker, { force: true });
    }
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('wal_checkpoint(TRUNCATE)');
  }

  findCaptureBySha(sha256: string): CaptureInfo | null {
    const row = this.db.prepare('SELECT * FROM captures WHERE sha256 = ?').get(sha256) as CaptureDbRow | undefined;
    return row ? toCaptureInfo(row) : null;
  }

  /** Registers a capture being ingested; returns its id. Removes an earlier, unfinished attempt. */
  beginCapture(c: CaptureStart): number {
    const existing = this.db.prepare('SELECT id FROM captures WHERE sha256 = ?').get(c.sha256) as { id: number } | undefined;
    if (existing) this.deleteCapture(existing.id);
    const r = this.db
      .prepare(
        `INSERT INTO captures(path, data_path, size, mtime_ms, sha256, format, compression, status, ingested_at, engine_version)
         VALUES (?, ?, ?, ?, ?, ?, ?, 'ingesting', ?, ?)`,
      )
      .run(c.path, c.dataPath, c.size, c.mtimeMs, c.sha256, c.format, c.compression, new Date().toISOString(), ENGINE_VERSION);
    return Number(r.lastInsertRowid);
  }

  /** A placeholder sha256 is used while hashing runs in the same pass; set the real one here. */
  setCaptureSha(captureId: number, sha256: string): void {
    const other = this.db.prepare('SELECT id FROM captures WHERE sha256 = ? AND id != ?').get(sha256, captureId) as { id: number } | undefined;
    if (other) this.deleteCapture(other.id);
    this.db.prepare('UPDATE captures SET sha256 = ? WHERE id = ?').run(sha256, captureId);
  }

  deleteCapture(captureId: number): void {
    const lo = packetId(captureId, 0);
    const hi = packetId(captureId + 1, 0);
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM packets WHERE id >= ? AND id < ?').run(lo, hi);
      for (const t of ['anomalies', 'comments', 'reassembly', 'packet_flows', 'flow_states']) {
        this.db.prepare(`DELETE FROM ${t} WHERE packet_id >= ? AND packet_id < ?`).run(lo, hi);
      }
      this.db.prepare('DELETE FROM flows WHERE capture_id = ?').run(captureId);
      this.db.prepare('DELETE FROM interfaces WHERE capture_id = ?').run(captureId);
      this.db.prepare('DELETE FROM names WHERE capture_id = ?').run(captureId);
      this.db.prepare('DELETE FROM captures WHERE id = ?').run(captureId);
    })();
  }

  protocolId(name: string): number {
    let id = this.protoIds.get(name);
    if (id === undefined) {
      const row = this.db.prepare('SELECT id FROM protocols WHERE name = ?').get(name) as { id: number } | undefined;
      id = row ? row.id : Number(this.db.prepare('INSERT INTO protocols(name) VALUES (?)').run(name).lastInsertRowid);
      this.protoIds.set(name, id);
    }
    return id;
  }

  /** Parameter arrays for the multi-row INSERT, reused across batches. */
  private readonly chunk: SqlValue[] = new Array<SqlValue>(ROWS_PER_INSERT * PACKET_COLS).fill(null);
  private insertAppFull: Statement | null = null;
  private insertAppOne: Statement | null = null;
  private readonly appChunk: (SqlValue | Uint8Array)[] = new Array<SqlValue | Uint8Array>(APP_ROWS_PER_INSERT * 3).fill(null);

  /** Writes one batch in one transaction. */
  writeBatch(b: PacketBatch): void {
    if (!this.insertFull) {
      const row = `(${PACKET_COLUMNS.map(() => '?').join(',')})`;
      const head = `INSERT INTO packets(${PACKET_COLUMNS.join(',')}) VALUES `;
      this.insertFull = this.db.prepare(head + Array(ROWS_PER_INSERT).fill(row).join(','));
      this.insertOne = this.db.prepare(head + row);
    }
    const full = this.insertFull;
    const one = this.insertOne!;
    const nums = b.nums;
    const infos = b.infos;
    const chunk = this.chunk;
    const rowVals: SqlValue[] = new Array<SqlValue>(PACKET_COLS);
    this.db.transaction(() => {
      if (b.newProtocols.length) {
        const st = this.db.prepare('INSERT OR IGNORE INTO protocols(id, name) VALUES (?, ?)');
        for (const p of b.newProtocols) st.run(p);
      }
      let r = 0;
      for (; r + ROWS_PER_INSERT <= b.rows; r += ROWS_PER_INSERT) {
        let j = 0;
        for (let k = r; k < r + ROWS_PER_INSERT; k++) {
          let n = k * NUM_COLS;
          for (let c = 0; c < NUM_COLS; c++) {
            const v = nums[n++]!;
            chunk[j++] = v === v ? v : null;
          }
          chunk[j++] = infos[k]!;
        }
        full.run(chunk);
      }
      for (; r < b.rows; r++) {
        let n = r * NUM_COLS;
        for (let c = 0; c < NUM_COLS; c++) {
          const v = nums[n++]!;
          rowVals[c] = v === v ? v : null;
        }
        rowVals[NUM_COLS] = infos[r]!;
        one.run(rowVals);
      }
      if (b.anomalies.length) {
        const st = this.db.prepare('INSERT INTO anomalies(packet_id, kind, layer, offset, detail) VALUES (?,?,?,?,?)');
        for (const a of b.anomalies) st.run(a);
      }
      if (b.comments.length) {
        const st = this.db.prepare('INSERT INTO comments(packet_id, source, text) VALUES (?,?,?)');
        for (const c of b.comments) st.run(c);
      }
      if (b.flowStates.length) {
        const st = this.db.prepare('INSERT INTO flow_states(flow, packet_id, base_ab, base_ba, ws_ab, ws_ba) VALUES (?,?,?,?,?,?)');
        for (const x of b.flowStates) st.run(x[0], x[1], x[2] === x[2] ? x[2] : -1, x[3] === x[3] ? x[3] : -1, x[4], x[5]);
      }
      if (b.extraFlows.length) {
        const st = this.db.prepare('INSERT INTO packet_flows(packet_id, flow) VALUES (?,?)');
        for (const x of b.extraFlows) st.run(x);
      }
      if (b.reassembly.length) {
        const st = this.db.prepare('INSERT INTO reassembly(packet_id, kind, parts) VALUES (?,?,?)');
        for (const x of b.reassembly) st.run(x);
      }
      if (b.newFieldNames.length) {
        const st = this.db.prepare('INSERT OR IGNORE INTO field_names(id, name) VALUES (?, ?)');
        for (const x of b.newFieldNames) st.run(x);
      }
      const nApp = b.appFieldValues.length;
      if (nApp) {
        // Multi-row statements, as for packets: one call per APP_ROWS_PER_INSERT rows.
        if (!this.insertAppFull) {
          const head = 'INSERT INTO app_fields(packet_id, field, value) VALUES ';
          this.insertAppFull = this.db.prepare(head + Array(APP_ROWS_PER_INSERT).fill('(?,?,?)').join(','));
          this.insertAppOne = this.db.prepare(head + '(?,?,?)');
        }
        const keys = b.appFieldKeys;
        const vals = b.appFieldValues;
        const ch = this.appChunk;
        let r = 0;
        for (; r + APP_ROWS_PER_INSERT <= nApp; r += APP_ROWS_PER_INSERT) {
          let j = 0;
          for (let k = r; k < r + APP_ROWS_PER_INSERT; k++) {
            ch[j++] = keys[2 * k]!;
            ch[j++] = keys[2 * k + 1]!;
            ch[j++] = vals[k]!;
          }
          this.insertAppFull.run(ch);
        }
        for (; r < nApp; r++) this.insertAppOne!.run(keys[2 * r]!, keys[2 * r + 1]!, vals[r]!);
      }
      if (b.flows.length) this.writeFlows(b.captureId, b.flows);
      if (b.records.length) {
        const rs = this.db.prepare('INSERT INTO records(capture_id, kind, packet_id, stream, data) VALUES (?,?,?,?,?)');
        const os = this.db.prepare(
          `INSERT INTO objects(capture_id, record_id, packet_id, stream, source, part, filename, mime, size, complete, md5, sha1, sha256)
           VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)`,
        );
        for (const x of b.records) {
          const id = rs.run(x.captureId, x.kind, x.packetId, x.stream, x.json).lastInsertRowid;
          for (const o of x.objects) {
            os.run(x.captureId, id, x.packetId, x.stream, o.source, o.part, o.filename, o.mime, o.size, o.complete ? 1 : 0, o.md5, o.sha1, o.sha256);
          }
        }
      }
    })();
  }

  /**
   * Conversation rows. A conversation the parser evicted and then saw again arrives more
   * than once (in order): counters add up, the first packet's time stays, the last is the
   * latest, TCP flags seen accumulate, the application protocol is the first one named.
   */
  private writeFlows(captureId: number, flows: Iterable<FlowRecord>): void {
    const fs = (this.upsertFlow ??= this.db.prepare(
      `INSERT INTO flows(id, capture_id, ipproto, a, b, a_port, b_port, first_sec, first_nsec, last_sec, last_nsec,
         pkts_ab, pkts_ba, bytes_ab, bytes_ba, tcp_seen, direct_ab, direct_ba, tcp_stream, app) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
       ON CONFLICT(id) DO UPDATE SET last_sec = excluded.last_sec, last_nsec = excluded.last_nsec,
         pkts_ab = pkts_ab + excluded.pkts_ab, pkts_ba = pkts_ba + excluded.pkts_ba,
         bytes_ab = bytes_ab + excluded.bytes_ab, bytes_ba = bytes_ba + excluded.bytes_ba,
         direct_ab = direct_ab + excluded.direct_ab, direct_ba = direct_ba + excluded.direct_ba,
         tcp_seen = tcp_seen | excluded.tcp_seen, tcp_stream = coalesce(tcp_stream, excluded.tcp_stream), app = coalesce(app, excluded.app)`,
    ));
    for (const f of flows) {
      fs.run(f.id, captureId, f.ipproto, f.a, f.b, f.aPort, f.bPort, f.firstSec, f.firstNsec, f.lastSec, f.lastNsec, f.pktsAB, f.pktsBA, f.bytesAB, f.bytesBA, f.tcpSeen, f.directAB, f.directBA, f.tcpStream, f.app);
    }
  }

  private upsertFlow: Statement | null = null;

  writeFlowsAndHosts(captureId: number, flows: Iterable<FlowRecord>, hosts: Iterable<HostRecord>): void {
    this.db.transaction(() => {
      this.writeFlows(captureId, flows);
      // Hosts are shared by the captures of a case: merge counters on conflict.
      const hs = this.db.prepare(
        `INSERT INTO hosts(id, addr, family, ip4, first_sec, first_nsec, last_sec, last_nsec, pkts_out, pkts_in, bytes_out, bytes_in, macs)
         VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)
         ON CONFLICT(id) DO UPDATE SET pkts_out = pkts_out + excluded.pkts_out, pkts_in = pkts_in + excluded.pkts_in,
           bytes_out = bytes_out + excluded.bytes_out, bytes_in = bytes_in + excluded.bytes_in,
           last_sec = excluded.last_sec, last_nsec = excluded.last_nsec, macs = excluded.macs`,
      );
      for (const h of hosts) {
        hs.run(h.id, h.addr, h.family, h.ip4, h.firstSec, h.firstNsec, h.lastSec, h.lastNsec, h.pktsOut, h.pktsIn, h.bytesOut, h.bytesIn, JSON.stringify(h.macs));
      }
    })();
  }

  /** Existing host ids of the case, so a second capture reuses them. */
  loadHostIds(): Map<string, number> {
    const m = new Map<string, number>();
    for (const r of this.db.prepare('SELECT id, addr FROM hosts').iterate() as IterableIterator<{ id: number; addr: string }>) m.set(r.addr, r.id);
    return m;
  }

  maxFlowId(): number {
    return (this.db.prepare('SELECT coalesce(max(id), 0) AS m FROM flows').get() as { m: number }).m;
  }

  buildIndexes(): void {
    for (const sql of POST_LOAD_INDEXES) this.db.exec(sql);
    this.db.exec(
      `UPDATE hosts SET peers = (SELECT count(*) FROM (SELECT b AS p FROM flows WHERE a = hosts.id UNION SELECT a FROM flows WHERE b = hosts.id))`,
    );
    // Sampled statistics: a full ANALYZE reads every row of every index (~15 % of ingest).
    this.db.pragma('analysis_limit = 1000');
    this.db.exec('ANALYZE');
  }

  finishCapture(captureId: number, f: CaptureFinish): void {
    this.db.transaction(() => {
      this.db
        .prepare(
          `UPDATE captures SET status = ?, format = ?, link_types = ?, packets = ?, bytes = ?, bytes_read = ?,
             first_ts_sec = ?, first_ts_nsec = ?, last_ts_sec = ?, last_ts_nsec = ?, stop_offset = ?, stop_reason = ?, sha256 = ?
           WHERE id = ?`,
        )
        .run(
          f.status, f.format, JSON.stringify(f.linkTypes), f.packets, f.bytes, f.bytesRead,
          f.firstTs?.[0] ?? null, f.firstTs?.[1] ?? null, f.lastTs?.[0] ?? null, f.lastTs?.[1] ?? null,
          f.stopOffset, f.stopReason, f.sha256, captureId,
        );
      const is = this.db.prepare(
        'INSERT OR REPLACE INTO interfaces(capture_id, id, linktype, snaplen, name, description, ts_resolution, received, dropped) VALUES (?,?,?,?,?,?,?,?,?)',
      );
      for (const i of f.interfaces) is.run(captureId, i.id, i.linktype, i.snaplen, i.name, i.description, i.tsResolution, i.received ?? null, i.dropped ?? null);
      const ns = this.db.prepare("INSERT INTO names(capture_id, addr, name, source) VALUES (?,?,?,'pcapng-nrb')");
      for (const n of f.names) ns.run(captureId, n.addr, n.name);
    })();
  }

  // ---------------------------------------------------------------- reading

  captures(): CaptureInfo[] {
    return (this.db.prepare('SELECT * FROM captures ORDER BY id').all() as CaptureDbRow[]).map(toCaptureInfo);
  }

  capture(captureId: number): CaptureInfo | null {
    const row = this.db.prepare('SELECT * FROM captures WHERE id = ?').get(captureId) as CaptureDbRow | undefined;
    return row ? toCaptureInfo(row) : null;
  }

  stats(captureId: number): CaptureStats {
    const c = this.capture(captureId);
    if (!c) throw new CaseError('io', `no capture ${captureId} in ${this.path}`);
    const conv = (p: number) =>
      (this.db.prepare('SELECT count(*) AS n FROM flows WHERE capture_id = ? AND ipproto = ? AND a_port IS NOT NULL').get(captureId, p) as { n: number }).n;
    const hosts = (this.db.prepare(
      'SELECT count(*) AS n FROM (SELECT a AS h FROM flows WHERE capture_id = ? UNION SELECT b FROM flows WHERE capture_id = ?)',
    ).get(captureId, captureId) as { n: number }).n;
    return {
      sha256: c.sha256,
      packets: c.packets,
      bytes: c.bytes,
      firstTs: c.firstTs,
      lastTs: c.lastTs,
      linkTypes: c.linkTypes,
      tcpConversations: conv(6),
      udpConversations: conv(17),
      ipHosts: hosts,
      truncated: c.status === 'truncated' || c.status === 'damaged',
      status: c.status,
      stopOffset: c.stopOffset,
      stopReason: c.stopReason,
    };
  }

  /**
   * Keyset-paged packet rows as stored: frames after `afterFrame`, in frame order. `info`
   * is null where it is rebuilt from the frame's bytes (see query/packets.ts).
   */
  storedPackets(captureId: number, afterFrame: number, limit: number): StoredPacketRow[] {
    const rows = this.db
      .prepare(
        `SELECT p.*, pr.name AS proto_name, hs.addr AS src_addr, hd.addr AS dst_addr
         FROM packets p JOIN protocols pr ON pr.id = p.proto
         LEFT JOIN hosts hs ON hs.id = p.src LEFT JOIN hosts hd ON hd.id = p.dst
         WHERE p.id > ? AND p.id < ? ORDER BY p.id LIMIT ?`,
      )
      .all(packetId(captureId, afterFrame), packetId(captureId + 1, 0), limit) as PacketDbRow[];
    return rows.map(toStoredRow);
  }

  /** Link type per interface of a capture. */
  linkTypes(captureId: number): Map<number, number> {
    const rows = this.db.prepare('SELECT id, linktype FROM interfaces WHERE capture_id = ?').raw().all(captureId) as [number, number][];
    return new Map(rows);
  }

  dataPath(captureId: number): string | null {
    return (this.db.prepare('SELECT data_path FROM captures WHERE id = ?').pluck().get(captureId) as string | undefined) ?? null;
  }

  /** A flow's endpoints and its TCP state snapshots (oldest first). */
  flowTcpStates(flowIds: readonly number[]): Map<number, { a: number; aPort: number | null; states: { packetId: number; baseAB: number; baseBA: number; wsAB: number; wsBA: number }[] }> {
    const out = new Map<number, { a: number; aPort: number | null; states: { packetId: number; baseAB: number; baseBA: number; wsAB: number; wsBA: number }[] }>();
    if (!flowIds.length) return out;
    const ids = JSON.stringify([...new Set(flowIds)]);
    for (const f of this.db.prepare('SELECT id, a, a_port FROM flows WHERE id IN (SELECT value FROM json_each(?))').raw().iterate(ids) as IterableIterator<[number, number, number | null]>) {
      out.set(f[0], { a: f[1], aPort: f[2], states: [] });
    }
    const st = this.db.prepare(
      'SELECT flow, packet_id, base_ab, base_ba, ws_ab, ws_ba FROM flow_states WHERE flow IN (SELECT value FROM json_each(?)) ORDER BY flow, packet_id',
    );
    for (const r of st.raw().iterate(ids) as IterableIterator<[number, number, number, number, number, number]>) {
      out.get(r[0])?.states.push({ packetId: r[1], baseAB: r[2], baseBA: r[3], wsAB: r[4], wsBA: r[5] });
    }
    return out;
  }

  /** Location of one frame's bytes, for on-demand decoding. */
  frameLocation(captureId: number, frame: number): { off: number; caplen: number; origlen: number; tsSec: number; tsNsec: number; iface: number; linktype: number; dataPath: string } | null {
    const r = this.db
      .prepare(
        `SELECT p.off, p.caplen, p.origlen, p.ts_sec, p.ts_nsec, p.iface, i.linktype, c.data_path
         FROM packets p JOIN captures c ON c.id = ? LEFT JOIN interfaces i ON i.capture_id = c.id AND i.id = p.iface
         WHERE p.id = ?`,
      )
      .get(captureId, packetId(captureId, frame)) as
      | { off: number; caplen: number; origlen: number; ts_sec: number; ts_nsec: number; iface: number; linktype: number | null; data_path: string }
      | undefined;
    if (!r) return null;
    return { off: r.off, caplen: r.caplen, origlen: r.origlen, tsSec: r.ts_sec, tsNsec: r.ts_nsec, iface: r.iface, linktype: r.linktype ?? -1, dataPath: r.data_path };
  }

  frameAnomalies(captureId: number, frame: number): { kind: string; layer: string; offset: number; detail: string }[] {
    return this.db.prepare('SELECT kind, layer, offset, detail FROM anomalies WHERE packet_id = ?').all(packetId(captureId, frame)) as {
      kind: string; layer: string; offset: number; detail: string;
    }[];
  }

  frameComments(captureId: number, frame: number): string[] {
    return (this.db.prepare('SELECT text FROM comments WHERE packet_id = ?').all(packetId(captureId, frame)) as { text: string }[]).map((r) => r.text);
  }

  frameReassembly(captureId: number, frame: number): { kind: string; parts: number[] }[] {
    return (this.db.prepare('SELECT kind, parts FROM reassembly WHERE packet_id = ?').all(packetId(captureId, frame)) as { kind: string; parts: string }[]).map(
      (r) => ({ kind: r.kind, parts: JSON.parse(r.parts) as number[] }),
    );
  }

  flows(captureId: number, limit = 1000): FlowRow[] {
    const rows = this.db
      .prepare(
        `SELECT f.*, ha.addr AS a_addr, hb.addr AS b_addr FROM flows f JOIN hosts ha ON ha.id = f.a JOIN hosts hb ON hb.id = f.b
         WHERE f.capture_id = ? ORDER BY f.id LIMIT ?`,
      )
      .all(captureId, limit) as FlowDbRow[];
    return rows.map(toFlowRow);
  }

  hosts(limit = 1000): HostRow[] {
    return (this.db.prepare('SELECT * FROM hosts ORDER BY (bytes_in + bytes_out) DESC LIMIT ?').all(limit) as HostDbRow[]).map((h) => ({
      id: h.id,
      addr: h.addr,
      firstTsSec: h.first_sec,
      lastTsSec: h.last_sec,
      packetsOut: h.pkts_out,
      packetsIn: h.pkts_in,
      bytesOut: h.bytes_out,
      bytesIn: h.bytes_in,
      peers: h.peers,
      macs: JSON.parse(h.macs) as string[],
    }));
  }
}

interface CaptureDbRow {
  id: number; path: string; data_path: string; size: number; sha256: string; format: string | null; compression: string | null;
  link_types: string; packets: number; bytes: number; first_ts_sec: number | null; first_ts_nsec: number | null;
  last_ts_sec: number | null; last_ts_nsec: number | null; status: CaptureStatus; stop_offset: number | null; stop_reason: string | null; ingested_at: string;
}
interface PacketDbRow {
  id: number; caplen: number; origlen: number; ts_sec: number; ts_nsec: number; sport: number | null; dport: number | null;
  info: string | null; flow: number | null; flags: number; eth_src: number | null; eth_dst: number | null; off: number; iface: number; src: number | null;
  proto_name: string; src_addr: string | null; dst_addr: string | null;
}
interface FlowDbRow {
  id: number; ipproto: number; a_addr: string; b_addr: string; a_port: number | null; b_port: number | null;
  first_sec: number; first_nsec: number; last_sec: number; last_nsec: number; pkts_ab: number; pkts_ba: number; bytes_ab: number; bytes_ba: number; tcp_seen: number;
  tcp_stream: number | null; app: string | null;
}
interface HostDbRow {
  id: number; addr: string; first_sec: number; last_sec: number; pkts_out: number; pkts_in: number; bytes_out: number; bytes_in: number; peers: number; macs: string;
}

function toCaptureInfo(r: CaptureDbRow): CaptureInfo {
  return {
    id: r.id,
    path: r.path,
    size: r.size,
    sha256: r.sha256,
    format: (r.format ?? 'pcap') as 'pcap' | 'pcapng',
    compression: r.compression as CaptureInfo['compression'],
    linkTypes: JSON.parse(r.link_types) as number[],
    packets: r.packets,
    bytes: r.bytes,
    firstTs: r.first_ts_sec === null ? null : formatEpoch(r.first_ts_sec, r.first_ts_nsec ?? 0),
    lastTs: r.last_ts_sec === null ? null : formatEpoch(r.last_ts_sec, r.last_ts_nsec ?? 0),
    status: r.status,
    stopOffset: r.stop_offset,
    stopReason: r.stop_reason,
    ingestedAt: r.ingested_at,
  };
}

const IPPROTO_NAMES: Record<number, string> = { 1: 'icmp', 6: 'tcp', 17: 'udp', 58: 'icmpv6', 47: 'gre', 132: 'sctp' };

function toFlowRow(r: FlowDbRow): FlowRow {
  return {
    id: r.id,
    proto: IPPROTO_NAMES[r.ipproto] ?? 'ip',
    ipProto: r.ipproto,
    addrA: r.a_addr,
    portA: r.a_port,
    addrB: r.b_addr,
    portB: r.b_port,
    firstTsSec: r.first_sec, firstTsNsec: r.first_nsec, lastTsSec: r.last_sec, lastTsNsec: r.last_nsec,
    packetsAtoB: r.pkts_ab, packetsBtoA: r.pkts_ba, bytesAtoB: r.bytes_ab, bytesBtoA: r.bytes_ba,
    tcpState: r.ipproto === 6 ? { syn: !!(r.tcp_seen & TS_SYN), synAck: !!(r.tcp_seen & TS_SYNACK), fin: !!(r.tcp_seen & TS_FIN), rst: !!(r.tcp_seen & TS_RST) } : null,
    tcpStream: r.tcp_stream ?? null,
    app: r.app ?? null,
  };
}

/** A packet row as stored, with what rebuilding its Info column needs. */
export interface StoredPacketRow extends Omit<PacketRow, 'info'> {
  id: number;
  info: string | null;
  off: number;
  iface: number;
  srcHost: number | null;
}

function toStoredRow(r: PacketDbRow): StoredPacketRow {
  const frame = r.id % FRAME_BITS;
  return {
    id: r.id,
    off: r.off,
    iface: r.iface,
    srcHost: r.src,
    frame,
    tsSec: r.ts_sec,
    tsNsec: r.ts_nsec,
    src: r.src_addr ?? (r.eth_src !== null ? formatMac(r.eth_src) : ''),
    dst: r.dst_addr ?? (r.eth_dst !== null ? formatMac(r.eth_dst) : ''),
    srcPort: r.sport,
    dstPort: r.dport,
    protocol: r.proto_name,
    length: r.origlen,
    caplen: r.caplen,
    info: r.info,
    flowId: r.flow,
    flags: r.flags,
  };
}

export { formatIp4 };
