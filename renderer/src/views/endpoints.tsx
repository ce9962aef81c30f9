/**
 * Endpoints (Wireshark's Statistics → Endpoints, IP level) from `stats.endpoints`, and the
 * Hosts view: the same rows from `hosts.list` with the names the analyzers learnt for each
 * address (host.fact records: DNS, DHCP, NTLM, Kerberos, SNI, NetBIOS).
 */
import type { HostRow } from '../../../shared/model.js';
import type { Lang, Pivot, ViewProps } from './types.js';
import { vt, type VT } from './strings.js';
import { addrFilter } from './filters.js';
import { asData, fmtBytes, fmtInt, str } from './format.js';
import { DataTable, LoadStatus, PivotCell, type Column } from './ui.js';
import { useLoad } from './use-load.js';
import { fetchRecords } from './records.js';
import type { RecordRow, Result } from '../../../shared/api.js';

/** Hosts asked for at once (the contract's cap is 100,000; the table shows the busiest). */
export const ENDPOINT_LIMIT = 20_000;
/** Names kept per host: a host with hundreds of SNI names would otherwise swamp its row. */
export const MAX_NAMES_PER_HOST = 8;

function hostColumns(t: VT, lang: Lang, pivot: (p: Pivot) => void, names: Map<string, string[]> | null): Column<HostRow>[] {
  const cols: Column<HostRow>[] = [
    {
      id: 'addr',
      title: t('views.ep.addr'),
      sort: (r) => r.addr,
      text: (r) => r.addr,
      render: (r) => <PivotCell label={r.addr} targets={{ filter: addrFilter(r.addr), addr: r.addr }} pivot={pivot} t={t} />,
    },
  ];
  if (names) {
    cols.push({
      id: 'names',
      title: t('views.hosts.names'),
      sort: (r) => names.get(r.addr)?.[0] ?? null,
      text: (r) => (names.get(r.addr) ?? []).join(', '),
      render: (r) => {
        const ns = names.get(r.addr) ?? [];
        if (!ns.length) return '—';
        return (
          <span className="thv-list">
            {ns.map((n) => (
              <PivotCell key={n} label={n} targets={{ filter: addrFilter(r.addr) }} pivot={pivot} t={t} />
            ))}
          </span>
        );
      },
    });
  }
  cols.push(
    { id: 'packets', title: t('views.ep.packets'), sort: (r) => r.packetsIn + r.packetsOut, text: (r) => fmtInt(r.packetsIn + r.packetsOut, lang), numeric: true },
    { id: 'bytes', title: t('views.ep.bytes'), sort: (r) => r.bytesIn + r.bytesOut, text: (r) => fmtBytes(r.bytesIn + r.bytesOut), numeric: true },
    { id: 'pktsOut', title: t('views.ep.packetsOut'), sort: (r) => r.packetsOut, text: (r) => fmtInt(r.packetsOut, lang), numeric: true },
    { id: 'bytesOut', title: t('views.ep.bytesOut'), sort: (r) => r.bytesOut, text: (r) => fmtBytes(r.bytesOut), numeric: true },
    { id: 'pktsIn', title: t('views.ep.packetsIn'), sort: (r) => r.packetsIn, text: (r) => fmtInt(r.packetsIn, lang), numeric: true },
    { id: 'bytesIn', title: t('views.ep.bytesIn'), sort: (r) => r.bytesIn, text: (r) => fmtBytes(r.bytesIn), numeric: true },
    { id: 'peers', title: t('views.ep.peers'), sort: (r) => r.peers, text: (r) => fmtInt(r.peers, lang), numeric: true },
    {
      id: 'macs',
      title: t('views.ep.macs'),
      sort: (r) => r.macs[0] ?? null,
      text: (r) => r.macs.join(', '),
      render: (r) =>
        r.macs.length ? (
          <span className="thv-list">
            {r.macs.map((m) => (
              <PivotCell key={m} label={m} targets={{ filter: addrFilter(m) }} pivot={pivot} t={t} />
            ))}
          </span>
        ) : (
          '—'
        ),
    },
  );
  return cols;
}

export function EndpointsView(props: ViewProps) {
  const t = vt(props.t);
  const [load] = useLoad(String(props.captureId), () => props.api['stats.endpoints']({ captureId: props.captureId, limit: ENDPOINT_LIMIT }));
  const rows = load.state === 'ok' ? load.value : [];
  return (
    <section className="thv-view" data-testid="endpoints">
      <LoadStatus load={load} t={t} />
      <DataTable
        testId="endpoints-table"
        rowTestId="endpoint-row"
        rows={rows}
        columns={hostColumns(t, props.lang, props.pivot, null)}
        rowKey={(r) => r.id}
        initialSort={{ col: 'bytes', dir: 'desc' }}
        t={t}
      />
    </section>
  );
}

/** addr → distinct names (first seen first) from host.fact records whose fact is a name. */
export function namesFromFacts(rows: readonly RecordRow[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const r of rows) {
    const d = asData(r.data);
    const fact = str(d, 'fact');
    const addr = str(d, 'addr');
    const value = str(d, 'value');
    if (!fact?.startsWith('name.') || !addr || !value) continue;
    let list = out.get(addr);
    if (!list) out.set(addr, (list = []));
    if (list.length < MAX_NAMES_PER_HOST && !list.includes(value)) list.push(value);
  }
  return out;
}

interface HostsData {
  hosts: HostRow[];
  names: Map<string, string[]>;
}

async function loadHosts(props: ViewProps): Promise<Result<HostsData>> {
  const h = await props.api['hosts.list']({ captureId: props.captureId, limit: ENDPOINT_LIMIT });
  if (!h.ok) return h;
  // Names are a bonus: a failure to read them still shows the hosts.
  const f = await fetchRecords(props.api, props.captureId, 'host.fact');
  return { ok: true, value: { hosts: h.value, names: f.ok ? namesFromFacts(f.value.rows) : new Map() } };
}

export function HostsView(props: ViewProps) {
  const t = vt(props.t);
  const [load] = useLoad(String(props.captureId), () => loadHosts(props));
  const data = load.state === 'ok' ? load.value : { hosts: [], names: new Map<string, string[]>() };
  return (
    <section className="thv-view" data-testid="hosts">
      <LoadStatus load={load} t={t} />
      <DataTable
        testId="hosts-table"
        rowTestId="host-row"
        rows={data.hosts}
        columns={hostColumns(t, props.lang, props.pivot, data.names)}
        rowKey={(r) => r.id}
        initialSort={{ col: 'bytes', dir: 'desc' }}
        t={t}
      />
    </section>
  );
}
