/**
 * Objects carried by the traffic (HTTP bodies, SMB files) from `objects.list`, with their
 * hashes; "Save…" asks for a directory (an inline form: Electron has no window.prompt) and
 * calls `objects.export`, which sanitises names on the engine side.
 */
import { useState } from 'react';
import type { ObjectRow } from '../../../shared/model.js';
import type { ExportedObjects } from '../../../shared/api.js';
import type { Lang, Pivot, ViewProps } from './types.js';
import { vt, type VT } from './strings.js';
import { DASH, fmtBytes, fmtInt, text } from './format.js';
import { CopyButton, DataTable, FrameLink, LoadStatus, PivotCell, type Column } from './ui.js';
import { useLoad } from './use-load.js';
import { stringFilter } from './filters.js';

function hashCell(v: string | null, t: VT) {
  if (!v) return DASH;
  return (
    <span className="thv-hash">
      <span className="thv-mono">{v}</span>
      <CopyButton value={v} t={t} />
    </span>
  );
}

export function objectColumns(t: VT, _lang: Lang, pivot: (p: Pivot) => void, save: (ids: number[]) => void): Column<ObjectRow>[] {
  return [
    { id: 'frame', title: t('views.col.frame'), sort: (r) => r.frame, text: (r) => String(r.frame), render: (r) => <FrameLink frame={r.frame} pivot={pivot} t={t} />, numeric: true },
    { id: 'stream', title: t('views.col.stream'), sort: (r) => r.stream, text: (r) => text(r.stream), render: (r) => (r.stream === null ? DASH : <PivotCell label={String(r.stream)} targets={{ stream: r.stream }} pivot={pivot} t={t} />), numeric: true },
    { id: 'source', title: t('views.obj.source'), sort: (r) => r.source, text: (r) => r.source },
    {
      id: 'name',
      title: t('views.obj.name'),
      sort: (r) => r.filename,
      text: (r) => text(r.filename),
      render: (r) => (r.filename ? <PivotCell label={r.filename} targets={{ filter: r.source === 'smb.file' ? stringFilter('smb2.filename', r.filename) : null, stream: r.stream }} pivot={pivot} t={t} /> : DASH),
    },
    { id: 'mime', title: t('views.obj.mime'), sort: (r) => r.mime, text: (r) => r.mime },
    { id: 'size', title: t('views.obj.size'), sort: (r) => r.size, text: (r) => fmtBytes(r.size), numeric: true },
    { id: 'complete', title: t('views.obj.complete'), sort: (r) => (r.complete ? 1 : 0), text: (r) => (r.complete ? t('views.common.yes') : t('views.common.no')) },
    { id: 'md5', title: 'MD5', sort: (r) => r.md5, text: (r) => text(r.md5), render: (r) => hashCell(r.md5, t) },
    { id: 'sha1', title: 'SHA-1', sort: (r) => r.sha1, text: (r) => text(r.sha1), render: (r) => hashCell(r.sha1, t) },
    { id: 'sha256', title: 'SHA-256', sort: (r) => r.sha256, text: (r) => text(r.sha256), render: (r) => hashCell(r.sha256, t) },
    {
      id: 'save',
      title: '',
      text: () => '',
      render: (r) => (
        <button type="button" data-testid="object-save" onClick={() => save([r.id])}>
          {t('views.obj.save')}
        </button>
      ),
    },
  ];
}

type SaveState = { ids: number[]; dir: string; busy: boolean; result: ExportedObjects | null; error: string | null };

/** Objects per `objects.hash` call (the contract's limit). */
const HASH_BATCH = 1000;

type HashState = { done: number; total: number; busy: boolean; mismatched: number; error: string | null };

export function ObjectsView(props: ViewProps) {
  const t = vt(props.t);
  const [load, reload] = useLoad(String(props.captureId), () => props.api['objects.list']({ captureId: props.captureId }));
  const rows = load.state === 'ok' ? load.value : [];
  const [saving, setSaving] = useState<SaveState | null>(null);
  const [hashing, setHashing] = useState<HashState | null>(null);
  // The ingest records SHA-256; MD5 and SHA-1 are computed on request (re-extracted bodies).
  const unhashed = rows.filter((r) => r.complete && r.md5 === null && r.source.startsWith('http.')).map((r) => r.id);
  const doHash = async () => {
    const ids = unhashed;
    let st: HashState = { done: 0, total: ids.length, busy: true, mismatched: 0, error: null };
    setHashing(st);
    for (let i = 0; i < ids.length; i += HASH_BATCH) {
      const r = await props.api['objects.hash']({ captureId: props.captureId, ids: ids.slice(i, i + HASH_BATCH) });
      if (!r.ok) {
        st = { ...st, busy: false, error: r.error.message };
        setHashing(st);
        reload();
        return;
      }
      st = { ...st, done: Math.min(ids.length, i + HASH_BATCH), mismatched: st.mismatched + r.value.mismatched.length };
      setHashing(st);
    }
    setHashing({ ...st, busy: false });
    reload();
  };

  const startSave = (ids: number[]) => setSaving({ ids, dir: saving?.dir ?? '', busy: false, result: null, error: null });
  const doSave = async () => {
    if (!saving || saving.dir.trim() === '') return;
    const req = { ...saving, busy: true };
    setSaving(req);
    const r = await props.api['objects.export']({ captureId: props.captureId, ids: saving.ids, dir: saving.dir.trim() });
    setSaving({ ...req, busy: false, result: r.ok ? r.value : null, error: r.ok ? null : r.error.message });
  };

  return (
    <section className="thv-view" data-testid="objects">
      <div className="thv-toolbar">
        <button type="button" data-testid="objects-save-all" disabled={rows.length === 0} onClick={() => startSave(rows.map((r) => r.id))}>
          {t('views.obj.saveAll')}
        </button>
        <button type="button" data-testid="objects-hash" disabled={unhashed.length === 0 || hashing?.busy === true} onClick={() => void doHash()}>
          {t('views.obj.hash', { n: fmtInt(unhashed.length, props.lang) })}
        </button>
        {hashing && (
          <span role="status" data-testid="objects-hash-status">
            {hashing.error
              ? t('views.common.error', { message: hashing.error })
              : t('views.obj.hashed', { done: fmtInt(hashing.done, props.lang), total: fmtInt(hashing.total, props.lang) })}
            {hashing.mismatched > 0 && ` ${t('views.obj.hashMismatch', { n: fmtInt(hashing.mismatched, props.lang) })}`}
          </span>
        )}
      </div>
      {saving && (
        <form
          className="thv-dialog"
          data-testid="objects-save-dialog"
          onSubmit={(e) => {
            e.preventDefault();
            void doSave();
          }}
        >
          <label>
            {t('views.obj.dirPrompt', { n: fmtInt(saving.ids.length, props.lang) })}{' '}
            <input
              type="text"
              data-testid="objects-save-dir"
              className="thv-input"
              value={saving.dir}
              onChange={(e) => setSaving({ ...saving, dir: e.target.value })}
              autoFocus
            />
          </label>
          <button type="submit" data-testid="objects-save-confirm" disabled={saving.busy || saving.dir.trim() === ''}>
            {t('views.obj.saveConfirm')}
          </button>
          <button type="button" onClick={() => setSaving(null)}>
            {t('views.common.close')}
          </button>
          {saving.busy && <span role="status">{t('views.common.loading')}</span>}
          {saving.error && (
            <div className="thv-error" role="alert">
              {t('views.common.error', { message: saving.error })}
            </div>
          )}
          {saving.result && (
            <div className="thv-note" data-testid="objects-save-result">
              {t('views.obj.saved', { n: fmtInt(saving.result.files.length, props.lang) })}
              <ul>
                {saving.result.files.slice(0, 50).map((f) => (
                  <li key={f.id}>{f.path}</li>
                ))}
              </ul>
            </div>
          )}
        </form>
      )}
      <LoadStatus load={load} t={t} />
      <DataTable
        testId="objects-table"
        rowTestId="object-row"
        rows={rows}
        columns={objectColumns(t, props.lang, props.pivot, startSave)}
        rowKey={(r) => r.id}
        initialSort={{ col: 'frame', dir: 'asc' }}
        t={t}
      />
    </section>
  );
}
