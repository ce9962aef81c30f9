/**
 * Host labels: what the traffic says about each address — names (passive DNS, DHCP, NTLM
 * workstation, Kerberos principal, TLS SNI it served, pcapng name records), MACs, services
 * seen open, OS and software hints — and, offline, country for public addresses from the
 * bundled DB-IP Lite table (CC BY 4.0, attribution in the About box and README).
 *
 * Labels are built once after an ingest from the analyzers' records (buildHostLabels) into
 * the `names` table (source = how the fact was learnt), and read per host (hostLabels).
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { GeoIp, reservedRange, type GeoIpPaths } from '../analyze/geoip.js';
import type { CaseStore } from '../store/case-store.js';
import { TS_SYNACK } from '../store/schema.js';

/** Names kept per host and source: enough to recognise it, bounded against floods of fake answers. */
const MAX_PER_SOURCE = 16;

interface RecordRow {
  kind: string;
  packet_id: number;
  data: string;
}

/** Fills `names` for a capture from its records (idempotent: replaces what an earlier run wrote). */
export function buildHostLabels(store: CaseStore, captureId: number): void {
  const db = store.db;
  const seen = new Map<string, number>();
  const rows: [string, string, string][] = [];
  const add = (addr: string | null | undefined, name: string | null | undefined, source: string) => {
    if (!addr || !name) return;
    const k = `${addr}\u0000${source}`;
    const n = seen.get(k) ?? 0;
    if (n >= MAX_PER_SOURCE) return;
    const key = `${k}\u0000${name}`;
    if (seen.has(key)) return;
    seen.set(key, 1);
    seen.set(k, n + 1);
    rows.push([addr, name, source]);
  };
  const dstOf = db.prepare('SELECT h.addr FROM packets p JOIN hosts h ON h.id = p.dst WHERE p.id = ?').pluck();
  for (const r of db
    .prepare("SELECT kind, packet_id, data FROM records WHERE capture_id = ? AND kind IN ('dns', 'host.fact', 'tls.client_hello')")
    .iterate(captureId) as IterableIterator<RecordRow>) {
    let d: Record<string, unknown>;
    try {
      d = JSON.parse(r.data) as Record<string, unknown>;
    } catch {
      continue;
    }
    if (r.kind === 'dns' && d.response === true && Array.isArray(d.answers)) {
      const q = Array.isArray(d.questions) ? (d.questions[0] as { name?: string } | undefined)?.name : undefined;
      for (const a of d.answers as { type?: number; name?: string; data?: string }[]) {
        if (a.type === 1 || a.type === 28) {
          add(a.data, a.name, 'name.dns');
          if (q && q !== a.name) add(a.data, q, 'name.dns');
        }
      }
    } else if (r.kind === 'host.fact' && typeof d.addr === 'string' && typeof d.fact === 'string' && typeof d.value === 'string') {
      add(d.addr, d.value, d.fact);
    } else if (r.kind === 'tls.client_hello' && typeof d.sni === 'string' && d.sni) {
      // The ClientHello goes to the server: the SNI names the host that served it.
      add(dstOf.get(r.packet_id) as string | undefined, d.sni, 'name.sni');
    }
  }
  db.transaction(() => {
    db.prepare("DELETE FROM names WHERE capture_id = ? AND source != 'pcapng-nrb'").run(captureId);
    const ins = db.prepare('INSERT INTO names(capture_id, addr, name, source) VALUES (?,?,?,?)');
    for (const [addr, name, source] of rows) ins.run(captureId, addr, name, source);
  })();
}

export interface HostLabels {
  addr: string;
  names: { name: string; source: string }[];
  macs: string[];
  /** Services the host answered (`tcp/445`) or protocols it served (`http`), most used first. */
  services: string[];
  os: string[];
  software: string[];
  /** ISO country code and name, 'private' for reserved ranges, null when unknown. */
  country: { cc: string; name: string } | null;
  packets: number;
  bytes: number;
}

let geo: GeoIp | null | undefined;

/** The bundled country table, located through Node's resolver; null when not installed. */
function geoIp(): GeoIp | null {
  if (geo !== undefined) return geo;
  try {
    const req = createRequire(import.meta.url);
    const dir = dirname(req.resolve('@ip-location-db/dbip-country/package.json'));
    // Country only: the AS table (@ip-location-db/asn) is 65 MB installed, left out for size.
    const paths: GeoIpPaths = { countryV4: join(dir, 'dbip-country-ipv4.csv'), countryV6: join(dir, 'dbip-country-ipv6.csv') };
    geo = existsSync(join(dir, 'dbip-country-ipv4.csv')) ? new GeoIp(paths) : null;
  } catch {
    geo = null;
  }
  return geo;
}

/** Labels of the busiest hosts of a capture (or of `addrs`). */
export function hostLabels(store: CaseStore, captureId: number, opts: { limit?: number; addrs?: string[] } = {}): HostLabels[] {
  const db = store.db;
  const hosts = (opts.addrs
    ? opts.addrs.map((a) => db.prepare('SELECT id, addr, macs, pkts_in + pkts_out AS p, bytes_in + bytes_out AS b FROM hosts WHERE addr = ?').get(a)).filter(Boolean)
    : db
        .prepare(
          `SELECT id, addr, macs, pkts_in + pkts_out AS p, bytes_in + bytes_out AS b FROM hosts
           WHERE id IN (SELECT a FROM flows WHERE capture_id = ? UNION SELECT b FROM flows WHERE capture_id = ?)
           ORDER BY b DESC LIMIT ?`,
        )
        .all(captureId, captureId, opts.limit ?? 1000)) as { id: number; addr: string; macs: string; p: number; b: number }[];
  const names = db.prepare('SELECT name, source FROM names WHERE capture_id = ? AND addr = ? ORDER BY source, rowid');
  const services = db.prepare(
    `SELECT coalesce(app, CASE ipproto WHEN 6 THEN 'tcp/' WHEN 17 THEN 'udp/' ELSE 'ip/' END || b_port) AS svc, sum(bytes_ab + bytes_ba) AS n
     FROM flows WHERE capture_id = ? AND b = ? AND b_port IS NOT NULL AND ((tcp_seen & ${TS_SYNACK}) != 0 OR app IS NOT NULL)
     GROUP BY svc ORDER BY n DESC LIMIT 16`,
  );
  const g = geoIp();
  return hosts.map((h) => {
    const all = names.all(captureId, h.addr) as { name: string; source: string }[];
    const country = reservedRange(h.addr) !== null ? { cc: 'private', name: reservedRange(h.addr)! } : (g?.lookupCountry(h.addr) ?? null);
    return {
      addr: h.addr,
      names: all.filter((n) => n.source.startsWith('name.') || n.source === 'pcapng-nrb'),
      macs: [...new Set([...(JSON.parse(h.macs) as string[]), ...all.filter((n) => n.source === 'mac').map((n) => n.name)])],
      services: (services.all(captureId, h.id) as { svc: string }[]).map((r) => r.svc),
      os: all.filter((n) => n.source === 'os').map((n) => n.name),
      software: all.filter((n) => n.source === 'software').map((n) => n.name),
      country,
      packets: h.p,
      bytes: h.b,
    };
  });
}
