/**
 * Protocol views over the analyzers' records (`records.list`): HTTP, DNS, TLS and SMB. Record
 * shapes are those of electron/engine/analyze/types.ts, but `data` is read as unknown JSON: a
 * missing or mistyped field shows '—'. Every captured string is React text.
 */
import type { RecordRow, Result } from '../../../shared/api.js';
import type { Lang, Pivot, ViewProps } from './types.js';
import { vt, type VT } from './strings.js';
import { addrFilter, numberFilter, stringFilter } from './filters.js';
import {
  DASH, arr, asData, bool, dnsRcodeName, dnsTypeName, fmtBytes, fmtInt, num, str, strs, text, tlsVersionName, type Data,
} from './format.js';
import { CopyButton, DataTable, FrameLink, LoadStatus, PivotCell, type Column } from './ui.js';
import { useLoad } from './use-load.js';
import { fetchRecordKinds, type RecordList } from './records.js';

/** A record row with its data read once. */
export interface Rec {
  id: number;
  frame: number;
  stream: number | null;
  d: Data;
}

export function toRec(r: RecordRow): Rec {
  const d = asData(r.data);
  return { id: r.id, frame: r.frame, stream: r.stream ?? num(d, 'stream'), d };
}

function recs(lists: Record<string, RecordList>, kind: string): Rec[] {
  return (lists[kind]?.rows ?? []).map(toRec);
}

function anyTruncated(lists: Record<string, RecordList>): boolean {
  return Object.values(lists).some((l) => l.truncated);
}

/** A cell for a captured string with a filter pivot on `field` (and follow when the stream is known). */
function strCell(v: string | null, field: string | null, r: Rec, pivot: (p: Pivot) => void, t: VT) {
  if (v === null || v === '') return DASH;
  return <PivotCell label={v} targets={{ filter: field ? stringFilter(field, v) : null, stream: r.stream }} pivot={pivot} t={t} />;
}

function frameCol(t: VT, pivot: (p: Pivot) => void): Column<Rec> {
  return { id: 'frame', title: t('views.col.frame'), sort: (r) => r.frame, text: (r) => String(r.frame), render: (r) => <FrameLink frame={r.frame} pivot={pivot} t={t} />, numeric: true };
}

function streamCol(t: VT, pivot: (p: Pivot) => void): Column<Rec> {
  return {
    id: 'stream',
    title: t('views.col.stream'),
    sort: (r) => r.stream,
    text: (r) => text(r.stream),
    render: (r) => (r.stream === null ? DASH : <PivotCell label={String(r.stream)} targets={{ stream: r.stream }} pivot={pivot} t={t} />),
    numeric: true,
  };
}

function RecordsShell(props: { testId: string; load: ReturnType<typeof useLoad<Record<string, RecordList>>>[0]; t: VT; children: React.ReactNode }) {
  const { load, t } = props;
  return (
    <section className="thv-view" data-testid={props.testId}>
      <LoadStatus load={load} t={t} />
      {load.state === 'ok' && anyTruncated(load.value) && <div className="thv-note">{t('views.common.recordsCapped')}</div>}
      {props.children}
    </section>
  );
}

function useRecords(props: ViewProps, kinds: readonly string[], reveal = false) {
  return useLoad<Record<string, RecordList>>(JSON.stringify([props.captureId, kinds, reveal]), (): Promise<Result<Record<string, RecordList>>> =>
    fetchRecordKinds(props.api, props.captureId, kinds, { reveal }),
  );
}

// ---- HTTP ----------------------------------------------------------------------------------

export interface HttpRow {
  req: Rec;
  res: Rec | null;
}

/** Requests with their responses, paired by the response's requestFrame. */
export function pairHttp(requests: readonly Rec[], responses: readonly Rec[]): HttpRow[] {
  const byReq = new Map<number, Rec>();
  for (const r of responses) {
    const f = num(r.d, 'requestFrame');
    if (f !== null && !byReq.has(f)) byReq.set(f, r);
  }
  return requests.map((req) => ({ req, res: byReq.get(num(req.d, 'frame') ?? req.frame) ?? null }));
}

function bodySize(d: Data | null): number | null {
  if (!d) return null;
  const b = asData(d.body);
  const len = num(b, 'length');
  return len !== null && len >= 0 ? len : num(b, 'wireLength');
}

export function httpColumns(t: VT, lang: Lang, pivot: (p: Pivot) => void): Column<HttpRow>[] {
  return [
    { ...mapCol(frameCol(t, pivot)) },
    { ...mapCol(streamCol(t, pivot)) },
    { id: 'method', title: t('views.http.method'), sort: (r) => str(r.req.d, 'method'), text: (r) => text(str(r.req.d, 'method')), render: (r) => strCell(str(r.req.d, 'method'), 'http.request.method', r.req, pivot, t) },
    { id: 'host', title: t('views.http.host'), sort: (r) => str(r.req.d, 'host'), text: (r) => text(str(r.req.d, 'host')), render: (r) => strCell(str(r.req.d, 'host'), 'http.host', r.req, pivot, t) },
    { id: 'uri', title: t('views.http.uri'), sort: (r) => str(r.req.d, 'uri'), text: (r) => text(str(r.req.d, 'uri')), render: (r) => strCell(str(r.req.d, 'uri'), 'http.request.uri', r.req, pivot, t) },
    { id: 'ua', title: t('views.http.userAgent'), sort: (r) => str(r.req.d, 'userAgent'), text: (r) => text(str(r.req.d, 'userAgent')), render: (r) => strCell(str(r.req.d, 'userAgent'), 'http.user_agent', r.req, pivot, t) },
    { id: 'params', title: t('views.http.params'), sort: (r) => arr(r.req.d, 'params').length, text: (r) => fmtInt(arr(r.req.d, 'params').length, lang), numeric: true },
    {
      id: 'status',
      title: t('views.http.status'),
      sort: (r) => (r.res ? num(r.res.d, 'code') : null),
      text: (r) => (r.res ? `${text(num(r.res.d, 'code'))} ${str(r.res.d, 'phrase') ?? ''}`.trim() : DASH),
      render: (r) => {
        if (!r.res) return DASH;
        const code = num(r.res.d, 'code');
        const label = `${text(code)} ${str(r.res.d, 'phrase') ?? ''}`.trim();
        return <PivotCell label={label} targets={{ filter: numberFilter('http.response.code', code), stream: r.res.stream }} pivot={pivot} t={t} />;
      },
    },
    {
      id: 'ctype',
      title: t('views.http.contentType'),
      sort: (r) => (r.res ? str(r.res.d, 'contentType') : null),
      text: (r) => text(r.res ? str(r.res.d, 'contentType') : null),
      render: (r) => (r.res ? strCell(str(r.res.d, 'contentType'), 'http.content_type', r.res, pivot, t) : DASH),
    },
    { id: 'size', title: t('views.http.size'), sort: (r) => bodySize(r.res?.d ?? null), text: (r) => fmtBytes(bodySize(r.res?.d ?? null)), numeric: true },
  ];
}

/** A Rec column lifted to HttpRow (by its request). */
function mapCol(c: Column<Rec>): Column<HttpRow> {
  return {
    id: c.id,
    title: c.title,
    ...(c.sort ? { sort: (r: HttpRow) => c.sort!(r.req) } : {}),
    text: (r) => c.text(r.req),
    ...(c.render ? { render: (r: HttpRow) => c.render!(r.req) } : {}),
    ...(c.numeric ? { numeric: true } : {}),
  };
}

export function HttpView(props: ViewProps) {
  const t = vt(props.t);
  const [load] = useRecords(props, ['http.request', 'http.response']);
  const rows = load.state === 'ok' ? pairHttp(recs(load.value, 'http.request'), recs(load.value, 'http.response')) : [];
  return (
    <RecordsShell testId="http" load={load} t={t}>
      <DataTable testId="http-requests" rowTestId="http-row" rows={rows} columns={httpColumns(t, props.lang, props.pivot)} rowKey={(r) => r.req.id} initialSort={{ col: 'frame', dir: 'asc' }} t={t} />
    </RecordsShell>
  );
}

// ---- DNS -----------------------------------------------------------------------------------

export function dnsQuestion(d: Data): { name: string | null; type: number | null } {
  const q = asData(arr(d, 'questions')[0]);
  return { name: str(q, 'name'), type: num(q, 'type') };
}

export function dnsAnswers(d: Data): string[] {
  return arr(d, 'answers')
    .map(asData)
    .filter((a) => (str(a, 'section') ?? 'an') === 'an')
    .map((a) => str(a, 'data'))
    .filter((x): x is string => x !== null && x !== '');
}

export function dnsColumns(t: VT, lang: Lang, pivot: (p: Pivot) => void): Column<Rec>[] {
  return [
    frameCol(t, pivot),
    {
      id: 'kind',
      title: t('views.dns.kind'),
      sort: (r) => (bool(r.d, 'response') ? 1 : 0),
      text: (r) => (bool(r.d, 'response') === null ? DASH : bool(r.d, 'response') ? t('views.dns.response') : t('views.dns.query')),
    },
    { id: 'id', title: t('views.dns.id'), sort: (r) => num(r.d, 'id'), text: (r) => (num(r.d, 'id') === null ? DASH : `0x${num(r.d, 'id')!.toString(16).padStart(4, '0')}`) },
    { id: 'name', title: t('views.dns.name'), sort: (r) => dnsQuestion(r.d).name, text: (r) => text(dnsQuestion(r.d).name), render: (r) => strCell(dnsQuestion(r.d).name, 'dns.qry.name', r, pivot, t) },
    { id: 'type', title: t('views.dns.type'), sort: (r) => dnsTypeName(dnsQuestion(r.d).type), text: (r) => dnsTypeName(dnsQuestion(r.d).type) },
    {
      id: 'answers',
      title: t('views.dns.answers'),
      sort: (r) => dnsAnswers(r.d)[0] ?? null,
      text: (r) => dnsAnswers(r.d).join(', '),
      render: (r) => {
        const a = dnsAnswers(r.d);
        if (!a.length) return DASH;
        return (
          <span className="thv-list">
            {a.slice(0, 16).map((x, i) => (
              <PivotCell key={i} label={x} targets={{ filter: addrFilter(x) ?? stringFilter('dns.resp.name', x), addr: x }} pivot={pivot} t={t} />
            ))}
            {a.length > 16 ? ` … (+${fmtInt(a.length - 16, lang)})` : null}
          </span>
        );
      },
    },
    {
      id: 'rcode',
      title: t('views.dns.rcode'),
      sort: (r) => (bool(r.d, 'response') ? num(r.d, 'rcode') : null),
      text: (r) => (bool(r.d, 'response') ? dnsRcodeName(num(r.d, 'rcode')) : DASH),
    },
  ];
}

export function DnsView(props: ViewProps) {
  const t = vt(props.t);
  const [load] = useRecords(props, ['dns']);
  const rows = load.state === 'ok' ? recs(load.value, 'dns') : [];
  return (
    <RecordsShell testId="dns" load={load} t={t}>
      <DataTable testId="dns-table" rowTestId="dns-row" rows={rows} columns={dnsColumns(t, props.lang, props.pivot)} rowKey={(r) => r.id} initialSort={{ col: 'frame', dir: 'asc' }} t={t} />
    </RecordsShell>
  );
}

// ---- TLS -----------------------------------------------------------------------------------

export interface TlsRow {
  client: Rec;
  server: Rec | null;
}

/** Each client hello with the first server hello on its stream after it. */
export function pairTls(clients: readonly Rec[], servers: readonly Rec[]): TlsRow[] {
  const byStream = new Map<number, Rec[]>();
  for (const s of servers) {
    if (s.stream === null) continue;
    let l = byStream.get(s.stream);
    if (!l) byStream.set(s.stream, (l = []));
    l.push(s);
  }
  return clients.map((c) => ({ client: c, server: c.stream === null ? null : (byStream.get(c.stream)?.find((s) => s.frame >= c.frame) ?? null) }));
}

/** Negotiated version: the server's supported_versions choice, else its legacy version. */
export function tlsVersion(r: TlsRow): string {
  const d = r.server?.d ?? r.client.d;
  const sv = arr(d, 'supportedVersions').filter((x): x is number => typeof x === 'number');
  return tlsVersionName(r.server ? (sv[0] ?? num(d, 'version')) : (sv.length ? Math.max(...sv) : num(d, 'version')));
}

function hashCell(v: string | null, field: string | null, r: Rec, pivot: (p: Pivot) => void, t: VT) {
  if (!v) return DASH;
  return (
    <span className="thv-hash">
      <PivotCell label={v} targets={{ filter: field ? stringFilter(field, v) : null, stream: r.stream }} pivot={pivot} t={t} />
      <CopyButton value={v} t={t} />
    </span>
  );
}

export function tlsColumns(t: VT, pivot: (p: Pivot) => void): Column<TlsRow>[] {
  const c = (row: TlsRow) => row.client;
  return [
    { id: 'frame', title: t('views.col.frame'), sort: (r) => r.client.frame, text: (r) => String(r.client.frame), render: (r) => <FrameLink frame={r.client.frame} pivot={pivot} t={t} />, numeric: true },
    { id: 'stream', title: t('views.col.stream'), sort: (r) => r.client.stream, text: (r) => text(r.client.stream), render: (r) => (r.client.stream === null ? DASH : <PivotCell label={String(r.client.stream)} targets={{ stream: str(r.client.d, 'transport') === 'quic' ? null : r.client.stream }} pivot={pivot} t={t} />), numeric: true },
    { id: 'transport', title: t('views.tls.transport'), sort: (r) => str(c(r).d, 'transport'), text: (r) => text(str(c(r).d, 'transport')) },
    { id: 'sni', title: t('views.tls.sni'), sort: (r) => str(c(r).d, 'sni'), text: (r) => text(str(c(r).d, 'sni')), render: (r) => strCell(str(c(r).d, 'sni'), 'tls.handshake.extensions_server_name', c(r), pivot, t) },
    { id: 'alpn', title: t('views.tls.alpn'), sort: (r) => strs(r.server?.d ?? c(r).d, 'alpn')[0] ?? null, text: (r) => strs(r.server?.d ?? c(r).d, 'alpn').join(', ') || DASH },
    { id: 'version', title: t('views.tls.version'), sort: (r) => tlsVersion(r), text: (r) => tlsVersion(r) },
    { id: 'ja3', title: 'JA3', sort: (r) => str(c(r).d, 'ja3'), text: (r) => text(str(c(r).d, 'ja3')), render: (r) => hashCell(str(c(r).d, 'ja3'), 'tls.handshake.ja3', c(r), pivot, t) },
    { id: 'ja3s', title: 'JA3S', sort: (r) => (r.server ? str(r.server.d, 'ja3s') : null), text: (r) => text(r.server ? str(r.server.d, 'ja3s') : null), render: (r) => (r.server ? hashCell(str(r.server.d, 'ja3s'), 'tls.handshake.ja3s', r.server, pivot, t) : DASH) },
    // JA4 has no field in Wireshark 4.0 (tls.handshake.ja4 arrived in 4.2): copy only.
    { id: 'ja4', title: 'JA4', sort: (r) => str(c(r).d, 'ja4'), text: (r) => text(str(c(r).d, 'ja4')), render: (r) => hashCell(str(c(r).d, 'ja4'), null, c(r), pivot, t) },
  ];
}

export function certColumns(t: VT, pivot: (p: Pivot) => void): Column<Rec>[] {
  return [
    frameCol(t, pivot),
    { id: 'index', title: t('views.x509.index'), sort: (r) => num(r.d, 'index'), text: (r) => text(num(r.d, 'index')), numeric: true },
    { id: 'subject', title: t('views.x509.subject'), sort: (r) => str(r.d, 'subject'), text: (r) => text(str(r.d, 'subject')) },
    { id: 'issuer', title: t('views.x509.issuer'), sort: (r) => str(r.d, 'issuer'), text: (r) => text(str(r.d, 'issuer')) },
    {
      id: 'names',
      title: t('views.x509.names'),
      sort: (r) => strs(r.d, 'dnsNames')[0] ?? null,
      text: (r) => strs(r.d, 'dnsNames').join(', ') || DASH,
      render: (r) => {
        const ns = strs(r.d, 'dnsNames');
        if (!ns.length) return DASH;
        return (
          <span className="thv-list">
            {ns.slice(0, 16).map((n, i) => (
              <PivotCell key={i} label={n} targets={{ filter: stringFilter('x509ce.dNSName', n) }} pivot={pivot} t={t} />
            ))}
          </span>
        );
      },
    },
    { id: 'validity', title: t('views.x509.validity'), sort: (r) => str(r.d, 'notAfter'), text: (r) => `${text(str(r.d, 'notBefore'))} – ${text(str(r.d, 'notAfter'))}` },
    { id: 'sha256', title: 'SHA-256', sort: (r) => str(r.d, 'sha256'), text: (r) => text(str(r.d, 'sha256')), render: (r) => hashCell(str(r.d, 'sha256'), null, r, pivot, t) },
  ];
}

export function TlsView(props: ViewProps) {
  const t = vt(props.t);
  const [load] = useRecords(props, ['tls.client_hello', 'tls.server_hello', 'x509']);
  const ok = load.state === 'ok' ? load.value : null;
  const rows = ok ? pairTls(recs(ok, 'tls.client_hello'), recs(ok, 'tls.server_hello')) : [];
  const certs = ok ? recs(ok, 'x509') : [];
  return (
    <RecordsShell testId="tls" load={load} t={t}>
      <h3>{t('views.tls.handshakes')}</h3>
      <DataTable testId="tls-handshakes" rowTestId="tls-row" rows={rows} columns={tlsColumns(t, props.pivot)} rowKey={(r) => r.client.id} initialSort={{ col: 'frame', dir: 'asc' }} t={t} />
      <h3>{t('views.x509.title')}</h3>
      <DataTable testId="tls-certificates" rowTestId="x509-row" rows={certs} columns={certColumns(t, props.pivot)} rowKey={(r) => r.id} initialSort={{ col: 'frame', dir: 'asc' }} t={t} />
    </RecordsShell>
  );
}

// ---- SMB -----------------------------------------------------------------------------------

function statusText(d: Data): string {
  const name = str(d, 'statusName');
  const code = num(d, 'status');
  return name ?? (code === null ? DASH : `0x${(code >>> 0).toString(16).padStart(8, '0')}`);
}

export function smbSessionColumns(t: VT, pivot: (p: Pivot) => void): Column<Rec>[] {
  return [
    frameCol(t, pivot),
    streamCol(t, pivot),
    { id: 'dialect', title: t('views.smb.dialect'), sort: (r) => str(r.d, 'dialect'), text: (r) => text(str(r.d, 'dialect')) },
    { id: 'user', title: t('views.smb.user'), sort: (r) => str(r.d, 'user') ?? str(r.d, 'principal'), text: (r) => text(str(r.d, 'user') ?? str(r.d, 'principal')), render: (r) => (str(r.d, 'user') !== null ? strCell(str(r.d, 'user'), 'ntlmssp.auth.username', r, pivot, t) : strCell(str(r.d, 'principal'), null, r, pivot, t)) },
    { id: 'domain', title: t('views.smb.domain'), sort: (r) => str(r.d, 'domain'), text: (r) => text(str(r.d, 'domain')), render: (r) => strCell(str(r.d, 'domain'), 'ntlmssp.auth.domain', r, pivot, t) },
    { id: 'host', title: t('views.smb.host'), sort: (r) => str(r.d, 'host'), text: (r) => text(str(r.d, 'host')), render: (r) => strCell(str(r.d, 'host'), 'ntlmssp.auth.hostname', r, pivot, t) },
    {
      id: 'auth',
      title: t('views.smb.auth'),
      sort: (r) => str(r.d, 'auth'),
      text: (r) => [str(r.d, 'auth'), bool(r.d, 'anonymous') ? t('views.smb.anonymous') : null, bool(r.d, 'guest') ? t('views.smb.guest') : null].filter(Boolean).join(' · ') || DASH,
    },
    { id: 'status', title: t('views.smb.status'), sort: (r) => statusText(r.d), text: (r) => statusText(r.d) },
  ];
}

export function smbTreeColumns(t: VT, pivot: (p: Pivot) => void): Column<Rec>[] {
  return [
    frameCol(t, pivot),
    streamCol(t, pivot),
    { id: 'path', title: t('views.smb.path'), sort: (r) => str(r.d, 'path'), text: (r) => text(str(r.d, 'path')), render: (r) => strCell(str(r.d, 'path'), 'smb2.tree', r, pivot, t) },
    { id: 'type', title: t('views.smb.shareType'), sort: (r) => str(r.d, 'shareType'), text: (r) => text(str(r.d, 'shareType')) },
    { id: 'status', title: t('views.smb.status'), sort: (r) => statusText(r.d), text: (r) => statusText(r.d) },
  ];
}

export function smbFileColumns(t: VT, pivot: (p: Pivot) => void): Column<Rec>[] {
  const sha = (r: Rec) => str(asData(r.d.object), 'sha256');
  return [
    frameCol(t, pivot),
    streamCol(t, pivot),
    { id: 'tree', title: t('views.smb.tree'), sort: (r) => str(r.d, 'tree'), text: (r) => text(str(r.d, 'tree')), render: (r) => strCell(str(r.d, 'tree'), 'smb2.tree', r, pivot, t) },
    { id: 'name', title: t('views.smb.file'), sort: (r) => str(r.d, 'name'), text: (r) => text(str(r.d, 'name')), render: (r) => strCell(str(r.d, 'name'), 'smb2.filename', r, pivot, t) },
    { id: 'kind', title: t('views.smb.kind'), sort: (r) => (bool(r.d, 'pipe') ? 1 : 0), text: (r) => (bool(r.d, 'pipe') ? t('views.smb.pipe') : t('views.smb.fileKind')) + (bool(r.d, 'deleted') ? ` · ${t('views.smb.deleted')}` : '') },
    { id: 'read', title: t('views.smb.read'), sort: (r) => num(r.d, 'bytesRead'), text: (r) => fmtBytes(num(r.d, 'bytesRead')), numeric: true },
    { id: 'written', title: t('views.smb.written'), sort: (r) => num(r.d, 'bytesWritten'), text: (r) => fmtBytes(num(r.d, 'bytesWritten')), numeric: true },
    { id: 'status', title: t('views.smb.status'), sort: (r) => statusText(r.d), text: (r) => statusText(r.d) },
    { id: 'sha256', title: 'SHA-256', sort: (r) => sha(r), text: (r) => text(sha(r)), render: (r) => hashCell(sha(r), null, r, pivot, t) },
  ];
}

function successClass(r: Rec): string | undefined {
  const s = bool(r.d, 'success');
  return s === true ? 'thv-success' : s === false ? 'thv-failure' : undefined;
}

export function SmbView(props: ViewProps) {
  const t = vt(props.t);
  const [load] = useRecords(props, ['smb.session', 'smb.tree', 'smb.file']);
  const ok = load.state === 'ok' ? load.value : null;
  return (
    <RecordsShell testId="smb" load={load} t={t}>
      <h3>{t('views.smb.sessions')}</h3>
      <DataTable testId="smb-sessions" rowTestId="smb-session-row" rows={ok ? recs(ok, 'smb.session') : []} columns={smbSessionColumns(t, props.pivot)} rowKey={(r) => r.id} rowClass={successClass} initialSort={{ col: 'frame', dir: 'asc' }} t={t} />
      <h3>{t('views.smb.trees')}</h3>
      <DataTable testId="smb-trees" rowTestId="smb-tree-row" rows={ok ? recs(ok, 'smb.tree') : []} columns={smbTreeColumns(t, props.pivot)} rowKey={(r) => r.id} rowClass={successClass} initialSort={{ col: 'frame', dir: 'asc' }} t={t} />
      <h3>{t('views.smb.files')}</h3>
      <DataTable testId="smb-files" rowTestId="smb-file-row" rows={ok ? recs(ok, 'smb.file') : []} columns={smbFileColumns(t, props.pivot)} rowKey={(r) => r.id} initialSort={{ col: 'frame', dir: 'asc' }} t={t} />
    </RecordsShell>
  );
}
