/**
 * Conversations (Wireshark's Statistics → Conversations): one row per flow from
 * `stats.conversations`, tabs All / TCP / UDP, optionally narrowed to the flows that carry a
 * frame matching a display filter.
 */
import { useState } from 'react';
import type { FlowRow } from '../../../shared/model.js';
import type { ViewProps } from './types.js';
import { vt, type VT } from './strings.js';
import { addrFilter, conversationFilter, portFilter } from './filters.js';
import { asData, fmtBytes, fmtDuration, fmtInt, num, str } from './format.js';
import { DataTable, LoadStatus, PivotCell, type Column } from './ui.js';
import { FilterField } from './filter-field.js';
import { useLoad } from './use-load.js';
import type { Lang, Pivot } from './types.js';

/** Flows asked for at once; the engine returns the largest first, so a cut keeps the busiest. */
export const CONVERSATION_LIMIT = 10_000;

type Tab = 'all' | 'tcp' | 'udp';

function seconds(sec: number, nsec: number): number {
  return sec + nsec / 1e9;
}

export function flowDuration(r: FlowRow): number {
  return Math.max(0, seconds(r.lastTsSec, r.lastTsNsec) - seconds(r.firstTsSec, r.firstTsNsec));
}

export function tcpStateText(r: FlowRow): string {
  const s = r.tcpState;
  if (!s) return '—';
  const flags = [s.syn && 'SYN', s.synAck && 'SYN-ACK', s.fin && 'FIN', s.rst && 'RST'].filter((x): x is string => typeof x === 'string');
  return flags.length ? flags.join(' ') : '—';
}

/** tcp.stream of a flow when the engine provides it (FlowRow may carry `tcpStream`). */
export function flowStream(r: FlowRow): number | null {
  return r.proto === 'tcp' ? num(asData(r), 'tcpStream') : null;
}

export function conversationColumns(t: VT, lang: Lang, pivot: (p: Pivot) => void, tab: Tab): Column<FlowRow>[] {
  const addrCell = (addr: string, r: FlowRow) => (
    <PivotCell label={addr} targets={{ filter: addrFilter(addr), addr, stream: flowStream(r) }} pivot={pivot} t={t} />
  );
  const portCell = (port: number | null, r: FlowRow) =>
    port === null ? '—' : <PivotCell label={String(port)} targets={{ filter: portFilter(r.proto, port), stream: flowStream(r) }} pivot={pivot} t={t} />;
  const cols: Column<FlowRow>[] = [];
  if (tab === 'all') cols.push({ id: 'proto', title: t('views.conv.proto'), sort: (r) => r.proto, text: (r) => r.proto });
  cols.push(
    { id: 'a', title: t('views.conv.addrA'), sort: (r) => r.addrA, text: (r) => r.addrA, render: (r) => addrCell(r.addrA, r) },
    { id: 'portA', title: t('views.conv.portA'), sort: (r) => r.portA, text: (r) => (r.portA === null ? '' : String(r.portA)), render: (r) => portCell(r.portA, r), numeric: true },
    { id: 'b', title: t('views.conv.addrB'), sort: (r) => r.addrB, text: (r) => r.addrB, render: (r) => addrCell(r.addrB, r) },
    { id: 'portB', title: t('views.conv.portB'), sort: (r) => r.portB, text: (r) => (r.portB === null ? '' : String(r.portB)), render: (r) => portCell(r.portB, r), numeric: true },
    { id: 'pktsAB', title: t('views.conv.packetsAB'), sort: (r) => r.packetsAtoB, text: (r) => fmtInt(r.packetsAtoB, lang), numeric: true },
    { id: 'pktsBA', title: t('views.conv.packetsBA'), sort: (r) => r.packetsBtoA, text: (r) => fmtInt(r.packetsBtoA, lang), numeric: true },
    { id: 'bytes', title: t('views.conv.bytes'), sort: (r) => r.bytesAtoB + r.bytesBtoA, text: (r) => fmtBytes(r.bytesAtoB + r.bytesBtoA), numeric: true },
    { id: 'duration', title: t('views.conv.duration'), sort: (r) => flowDuration(r), text: (r) => fmtDuration(flowDuration(r)), numeric: true },
    { id: 'state', title: t('views.conv.state'), sort: (r) => (r.tcpState ? tcpStateText(r) : null), text: (r) => tcpStateText(r) },
    {
      id: 'actions',
      title: t('views.conv.conversation'),
      text: () => '',
      render: (r) => (
        <PivotCell
          label={t('views.conv.thisConversation')}
          targets={{ filter: conversationFilter(r.proto, r.addrA, r.portA, r.addrB, r.portB), stream: flowStream(r) }}
          pivot={pivot}
          t={t}
        />
      ),
    },
  );
  return cols;
}

export function ConversationsView(props: ViewProps) {
  const t = vt(props.t);
  const initialFilter = str(asData(props.initial), 'filter') ?? '';
  const [tab, setTab] = useState<Tab>('all');
  const [useFilter, setUseFilter] = useState(initialFilter !== '');
  const [filter, setFilter] = useState(initialFilter);
  const active = useFilter && filter !== '' ? filter : '';
  const [load] = useLoad(JSON.stringify([props.captureId, tab, active]), () =>
    props.api['stats.conversations']({ captureId: props.captureId, proto: tab, limit: CONVERSATION_LIMIT, ...(active ? { filter: active } : {}) }),
  );
  const rows = load.state === 'ok' ? load.value : [];
  const columns = conversationColumns(t, props.lang, props.pivot, tab);

  return (
    <section className="thv-view" data-testid="conversations">
      <div className="thv-toolbar">
        <div role="tablist" className="thv-tabs">
          {(['all', 'tcp', 'udp'] as const).map((k) => (
            <button key={k} type="button" role="tab" aria-selected={tab === k} data-testid={`conversations-tab-${k}`} onClick={() => setTab(k)}>
              {t(k === 'all' ? 'views.conv.tabAll' : k === 'tcp' ? 'views.conv.tabTcp' : 'views.conv.tabUdp')}
            </button>
          ))}
        </div>
        <label className="thv-check">
          <input type="checkbox" data-testid="conversations-use-filter" checked={useFilter} onChange={(e) => setUseFilter(e.target.checked)} />
          {t('views.conv.limitToFilter')}
        </label>
        <FilterField value={filter} onApply={setFilter} t={t} testId="conversations-display-filter" />
      </div>
      <LoadStatus load={load} t={t} />
      <DataTable
        key={tab}
        testId="conversations-table"
        rowTestId="conversation-row"
        rows={rows}
        columns={columns}
        rowKey={(r) => r.id}
        initialSort={{ col: 'bytes', dir: 'desc' }}
        t={t}
      />
      {rows.length >= CONVERSATION_LIMIT && <div className="thv-note">{t('views.common.truncated', { n: fmtInt(CONVERSATION_LIMIT, props.lang) })}</div>}
    </section>
  );
}
