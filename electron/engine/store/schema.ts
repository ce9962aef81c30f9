/**
 * Case-file schema. A case is one SQLite file holding the index of one or more
 * captures; packet bytes are never copied into it (details are decoded on demand
 * from the capture at `packets.off`).
 *
 * Layout decisions (driven by the ingest target of ~100 MB/s of capture):
 *  - packets.id = capture_id * 2^32 + frame number. It is the rowid, so frame lookup and
 *    keyset paging need no extra index, and several captures can share a case.
 *  - Addresses are host ids (hosts table), ports and protocols are integers, the protocol
 *    column is an id into `protocols`: a packet row is ~60–100 bytes.
 *  - Exactly one per-packet index (packets.flow). Address and port lookups go through the
 *    much smaller flows table: `ip.addr == X` → flows of X → their packets.
 *  - Indexes are created after the bulk load (building them first makes it ~5× slower).
 *  - Timestamps are integer seconds + integer nanoseconds: exact for every capture,
 *    including pcapng timestamps near 2^64 µs that overflow int64 nanoseconds.
 */

export const SCHEMA_VERSION = 2;

/** Migration n brings a case from user_version n-1 to n. Append only; never edit a shipped one. */
export const MIGRATIONS: readonly string[] = [
  // 0 → 1
  `
  CREATE TABLE captures(
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL,
    data_path TEXT NOT NULL,
    size INTEGER NOT NULL,
    mtime_ms INTEGER,
    sha256 TEXT NOT NULL,
    format TEXT,
    compression TEXT,
    link_types TEXT NOT NULL DEFAULT '[]',
    packets INTEGER NOT NULL DEFAULT 0,
    bytes INTEGER NOT NULL DEFAULT 0,
    first_ts_sec INTEGER, first_ts_nsec INTEGER,
    last_ts_sec INTEGER, last_ts_nsec INTEGER,
    status TEXT NOT NULL,
    stop_offset INTEGER,
    stop_reason TEXT,
    bytes_read INTEGER NOT NULL DEFAULT 0,
    ingested_at TEXT NOT NULL,
    engine_version TEXT NOT NULL
  );
  CREATE UNIQUE INDEX captures_sha ON captures(sha256);

  CREATE TABLE interfaces(
    capture_id INTEGER NOT NULL,
    id INTEGER NOT NULL,
    linktype INTEGER NOT NULL,
    snaplen INTEGER,
    name TEXT,
    description TEXT,
    ts_resolution REAL,
    received INTEGER,
    dropped INTEGER,
    PRIMARY KEY(capture_id, id)
  ) WITHOUT ROWID;

  CREATE TABLE protocols(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);

  CREATE TABLE packets(
    id INTEGER PRIMARY KEY,
    off INTEGER NOT NULL,
    caplen INTEGER NOT NULL,
    origlen INTEGER NOT NULL,
    ts_sec INTEGER NOT NULL,
    ts_nsec INTEGER NOT NULL,
    iface INTEGER NOT NULL,
    src INTEGER,
    dst INTEGER,
    sport INTEGER,
    dport INTEGER,
    ipproto INTEGER,
    proto INTEGER NOT NULL,
    -- NULL when the Info column follows from the frame's own bytes (+ flow_states): it is
    -- then rebuilt on read. Stored only when it needs context the frame lacks.
    info TEXT,
    flow INTEGER,
    flags INTEGER NOT NULL,
    eth_src INTEGER,
    eth_dst INTEGER,
    vlan INTEGER
  );

  CREATE TABLE flows(
    id INTEGER PRIMARY KEY,
    capture_id INTEGER NOT NULL,
    ipproto INTEGER NOT NULL,
    a INTEGER NOT NULL,
    b INTEGER NOT NULL,
    a_port INTEGER,
    b_port INTEGER,
    first_sec INTEGER NOT NULL, first_nsec INTEGER NOT NULL,
    last_sec INTEGER NOT NULL, last_nsec INTEGER NOT NULL,
    pkts_ab INTEGER NOT NULL, pkts_ba INTEGER NOT NULL,
    bytes_ab INTEGER NOT NULL, bytes_ba INTEGER NOT NULL,
    tcp_seen INTEGER NOT NULL DEFAULT 0
  );

  CREATE TABLE hosts(
    id INTEGER PRIMARY KEY,
    addr TEXT NOT NULL UNIQUE,
    family INTEGER NOT NULL,
    ip4 INTEGER,
    first_sec INTEGER, first_nsec INTEGER,
    last_sec INTEGER, last_nsec INTEGER,
    pkts_out INTEGER NOT NULL DEFAULT 0, pkts_in INTEGER NOT NULL DEFAULT 0,
    bytes_out INTEGER NOT NULL DEFAULT 0, bytes_in INTEGER NOT NULL DEFAULT 0,
    peers INTEGER NOT NULL DEFAULT 0,
    macs TEXT NOT NULL DEFAULT '[]'
  );

  CREATE TABLE anomalies(
    packet_id INTEGER NOT NULL,
    kind TEXT NOT NULL,
    layer TEXT NOT NULL,
    offset INTEGER NOT NULL,
    detail TEXT NOT NULL
  );

  CREATE TABLE comments(
    packet_id INTEGER NOT NULL,
    source TEXT NOT NULL,
    text TEXT NOT NULL
  );

  -- TCP relative-sequence bases and window-scale shifts of a flow, from packet_id on
  -- (Wireshark's per-direction state, which changes on the first packets and SYNs).
  CREATE TABLE flow_states(
    flow INTEGER NOT NULL,
    packet_id INTEGER NOT NULL,
    base_ab INTEGER NOT NULL,
    base_ba INTEGER NOT NULL,
    ws_ab INTEGER NOT NULL,
    ws_ba INTEGER NOT NULL
  );

  -- Further conversations of tunnelled packets (packets.flow is the outer one).
  CREATE TABLE packet_flows(
    packet_id INTEGER NOT NULL,
    flow INTEGER NOT NULL
  );

  -- Frames whose dissection needs earlier frames (IP fragments now; TCP PDUs later).
  CREATE TABLE reassembly(
    packet_id INTEGER NOT NULL,
    kind TEXT NOT NULL,
    parts TEXT NOT NULL
  );

  CREATE TABLE names(
    capture_id INTEGER NOT NULL,
    addr TEXT NOT NULL,
    name TEXT NOT NULL,
    source TEXT NOT NULL
  );
  `,
  // 1 → 2: application analyzers (TCP streams, HTTP, DNS, TLS, QUIC) and flow-level filtering.
  `
  -- Packets whose packets.flow is this flow, per direction (pkts_* also count the packets a
  -- tunnel carries for its inner conversation). A filter on addresses and ports alone is
  -- decided per direction of a flow (a "half-flow") and counted from these columns.
  ALTER TABLE flows ADD COLUMN direct_ab INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE flows ADD COLUMN direct_ba INTEGER NOT NULL DEFAULT 0;
  -- Same direction test as the indexer: src is a (and, for a flow with ports, sport is a_port).
  UPDATE flows SET direct_ab = (SELECT count(*) FROM packets p WHERE p.flow = flows.id AND p.src = flows.a
      AND (flows.a_port IS NULL OR p.sport IS flows.a_port));
  UPDATE flows SET direct_ba = (SELECT count(*) FROM packets p WHERE p.flow = flows.id) - direct_ab;
  -- Wireshark's tcp.stream for TCP conversations (a reused port pair starts a new flow).
  ALTER TABLE flows ADD COLUMN tcp_stream INTEGER;
  -- Application protocol the analyzers recognised on the flow (http, tls, dns, quic, ...).
  ALTER TABLE flows ADD COLUMN app TEXT;

  -- Registry names of application fields stored in app_fields.
  CREATE TABLE field_names(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
  -- Application-layer field occurrences on the frame where Wireshark shows them (the frame
  -- that completed the PDU), in tree order (rowid). Values typed as the evaluator holds
  -- them: INTEGER (uint/int/bool/ipv4), TEXT (string), BLOB (bytes/ipv6/labels).
  CREATE TABLE app_fields(packet_id INTEGER NOT NULL, field INTEGER NOT NULL, value);
  -- Structured analyzer records (http.request, http.response, dns, tls.*, x509, ...) as JSON.
  CREATE TABLE records(
    id INTEGER PRIMARY KEY,
    capture_id INTEGER NOT NULL,
    kind TEXT NOT NULL,
    packet_id INTEGER NOT NULL,
    stream INTEGER,
    data TEXT NOT NULL
  );
  -- Extracted objects (message bodies, files): metadata and hashes; bytes are re-read from
  -- the capture when the user exports them.
  CREATE TABLE objects(
    id INTEGER PRIMARY KEY,
    capture_id INTEGER NOT NULL,
    record_id INTEGER NOT NULL,
    packet_id INTEGER NOT NULL,
    stream INTEGER,
    source TEXT NOT NULL,
    part INTEGER NOT NULL DEFAULT 0,
    filename TEXT,
    mime TEXT NOT NULL,
    size INTEGER NOT NULL,
    complete INTEGER NOT NULL,
    md5 TEXT, sha1 TEXT, sha256 TEXT
  );
  `,
];

/** Built once the bulk load of a capture is finished. */
export const POST_LOAD_INDEXES: readonly string[] = [
  'CREATE INDEX IF NOT EXISTS packets_flow ON packets(flow)',
  'CREATE INDEX IF NOT EXISTS flows_a ON flows(a)',
  'CREATE INDEX IF NOT EXISTS flows_b ON flows(b)',
  'CREATE INDEX IF NOT EXISTS flows_a_port ON flows(a_port)',
  'CREATE INDEX IF NOT EXISTS flows_b_port ON flows(b_port)',
  'CREATE INDEX IF NOT EXISTS anomalies_packet ON anomalies(packet_id)',
  'CREATE INDEX IF NOT EXISTS comments_packet ON comments(packet_id)',
  'CREATE INDEX IF NOT EXISTS reassembly_packet ON reassembly(packet_id)',
  'CREATE INDEX IF NOT EXISTS packet_flows_flow ON packet_flows(flow)',
  'CREATE INDEX IF NOT EXISTS flow_states_flow ON flow_states(flow, packet_id)',
  'CREATE INDEX IF NOT EXISTS packet_flows_packet ON packet_flows(packet_id)',
  // Frames the filter back end must re-dissect: few, so a partial index lists them cheaply.
  'CREATE INDEX IF NOT EXISTS packets_multi ON packets(id) WHERE (flags & 65536) != 0',
  'CREATE INDEX IF NOT EXISTS flows_tcp_stream ON flows(tcp_stream) WHERE tcp_stream IS NOT NULL',
  'CREATE INDEX IF NOT EXISTS app_fields_packet ON app_fields(packet_id)',
  'CREATE INDEX IF NOT EXISTS app_fields_value ON app_fields(field, value)',
  'CREATE INDEX IF NOT EXISTS records_kind ON records(kind, packet_id)',
  'CREATE INDEX IF NOT EXISTS records_packet ON records(packet_id)',
];

/** packets.flags bits. Bits 0–8 are the TCP flags byte plus NS (bit 8). */
export const PF_TCP_MASK = 0x1ff;
export const PF_IS_TCP = 1 << 9;
export const PF_ANOMALY = 1 << 10;
export const PF_IP_FRAGMENT = 1 << 11;
export const PF_IP_REASSEMBLED = 1 << 12;
export const PF_COMMENT = 1 << 13;
/** Outermost network layer: IPv4 / IPv6 (the src/dst host columns are of that family). */
export const PF_IP4 = 1 << 14;
export const PF_IP6 = 1 << 15;
/** The frame may hold several occurrences of a stored field (tunnel, ICMP error quoting a
 * header, IP-in-IP) or was cut short / malformed: the stored columns do not tell the whole
 * story, so the filter back end re-dissects it for an exact answer. */
export const PF_MULTI = 1 << 16;
/** The frame starts with an Ethernet header (eth.* columns are Ethernet's, not SLL's). */
export const PF_ETH = 1 << 17;
/** The application analyzers stored fields for this frame (app_fields rows). */
export const PF_APP = 1 << 18;

/** flows.tcp_seen bits */
export const TS_SYN = 1;
export const TS_SYNACK = 2;
export const TS_FIN = 4;
export const TS_RST = 8;

export const FRAME_BITS = 2 ** 32;
export function packetId(captureId: number, frame: number): number {
  return captureId * FRAME_BITS + frame;
}
