/**
 * Credentials seen in the traffic (clear-text passwords and crackable challenge-responses).
 * Secrets stay masked — in the engine's answer and again here — until the user presses
 * "Reveal", which asks the engine again with `reveal: true`; "Hide" drops the revealed rows.
 */
import { useState } from 'react';
import type { Pivot, ViewProps } from './types.js';
import { vt, type VT } from './strings.js';
import { addrFilter, stringFilter } from './filters.js';
import { DASH, bool, str, text } from './format.js';
import { CopyButton, DataTable, FrameLink, LoadStatus, PivotCell, type Column } from './ui.js';
import { useLoad } from './use-load.js';
import { fetchRecords } from './records.js';
import { toRec, type Rec } from './protocols.js';

export const MASK = '••••';

/** Username fields by protocol, for the "Filter on this" pivot where Wireshark has one. */
const USER_FIELDS: Record<string, string> = { ntlm: 'ntlmssp.auth.username', kerberos: 'kerberos.CNameString' };

function secretCell(v: string | null, revealed: boolean, t: VT, testId: string) {
  if (v === null || v === '') return DASH;
  if (!revealed) return <span data-testid={testId} className="thv-masked">{MASK}</span>;
  return (
    <span className="thv-secret">
      <span data-testid={testId}>{v}</span>
      <CopyButton value={v} t={t} />
    </span>
  );
}

export function credentialColumns(t: VT, pivot: (p: Pivot) => void, revealed: boolean): Column<Rec>[] {
  const addrCell = (a: string | null, r: Rec) => (a ? <PivotCell label={a} targets={{ filter: addrFilter(a), addr: a, stream: r.stream }} pivot={pivot} t={t} /> : DASH);
  return [
    { id: 'frame', title: t('views.col.frame'), sort: (r) => r.frame, text: (r) => String(r.frame), render: (r) => <FrameLink frame={r.frame} pivot={pivot} t={t} />, numeric: true },
    { id: 'protocol', title: t('views.cred.protocol'), sort: (r) => str(r.d, 'protocol'), text: (r) => text(str(r.d, 'protocol')) },
    {
      id: 'user',
      title: t('views.cred.user'),
      sort: (r) => str(r.d, 'user'),
      text: (r) => text(str(r.d, 'user')),
      render: (r) => {
        const u = str(r.d, 'user');
        if (!u) return DASH;
        const f = USER_FIELDS[str(r.d, 'protocol') ?? ''];
        return <PivotCell label={u} targets={{ filter: f ? stringFilter(f, u) : null, stream: r.stream }} pivot={pivot} t={t} />;
      },
    },
    { id: 'domain', title: t('views.cred.domain'), sort: (r) => str(r.d, 'domain'), text: (r) => text(str(r.d, 'domain')) },
    { id: 'client', title: t('views.cred.client'), sort: (r) => str(r.d, 'client'), text: (r) => text(str(r.d, 'client')), render: (r) => addrCell(str(r.d, 'client'), r) },
    { id: 'server', title: t('views.cred.server'), sort: (r) => str(r.d, 'server'), text: (r) => text(str(r.d, 'server')), render: (r) => addrCell(str(r.d, 'server'), r) },
    // Masked columns match the filter box on the mask only: a search must not reveal by elimination.
    { id: 'secret', title: t('views.cred.secret'), text: (r) => (revealed ? text(str(r.d, 'secret')) : MASK), render: (r) => secretCell(str(r.d, 'secret'), revealed, t, 'credential-secret') },
    { id: 'crackable', title: t('views.cred.crackable'), text: (r) => (revealed ? text(str(r.d, 'crackable')) : MASK), render: (r) => secretCell(str(r.d, 'crackable'), revealed, t, 'credential-crackable') },
    {
      id: 'success',
      title: t('views.cred.outcome'),
      sort: (r) => (bool(r.d, 'success') === null ? null : bool(r.d, 'success') ? 1 : 0),
      text: (r) => (bool(r.d, 'success') === null ? DASH : bool(r.d, 'success') ? t('views.cred.success') : t('views.cred.failure')),
    },
  ];
}

export function CredentialsView(props: ViewProps) {
  const t = vt(props.t);
  const [revealed, setRevealed] = useState(false);
  const [load] = useLoad(JSON.stringify([props.captureId, revealed]), () => fetchRecords(props.api, props.captureId, 'credential', { reveal: revealed }));
  const rows = load.state === 'ok' ? load.value.rows.map(toRec) : [];
  // Show clear text only once the revealed answer is in: never the masked/revealed mix of a reload.
  const showClear = revealed && load.state === 'ok';
  return (
    <section className="thv-view" data-testid="credentials">
      <div className="thv-warning" role="note" data-testid="credentials-warning">
        {t('views.cred.warning')}
      </div>
      <div className="thv-toolbar">
        {revealed ? (
          <button type="button" data-testid="credentials-hide" onClick={() => setRevealed(false)}>
            {t('views.cred.hide')}
          </button>
        ) : (
          <button type="button" data-testid="credentials-reveal" onClick={() => setRevealed(true)}>
            {t('views.cred.reveal')}
          </button>
        )}
      </div>
      <LoadStatus load={load} t={t} />
      {load.state === 'ok' && load.value.truncated && <div className="thv-note">{t('views.common.recordsCapped')}</div>}
      <DataTable
        key={String(showClear)}
        testId="credentials-table"
        rowTestId="credential-row"
        rows={rows}
        columns={credentialColumns(t, props.pivot, showClear)}
        rowKey={(r) => r.id}
        initialSort={{ col: 'frame', dir: 'asc' }}
        t={t}
      />
    </section>
  );
}
