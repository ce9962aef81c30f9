/**
 * The start screen: open a capture (or a case) by path, the recent cases, drag and drop of a
 * file (desktop app only: a browser page never learns a dropped file's path), the ingest
 * progress with Cancel, and the error banner of a failed open.
 */
import { useEffect, useState } from 'react';
import type { ApiError, RecentCase } from '../../../shared/api.js';
import type { IngestProgress } from '../../../shared/model.js';
import type { ApiClient } from '../api/client.js';
import { formatNumber } from '../i18n/index.js';
import type { Lang, TFunction } from '../views/types.js';

export interface StartScreenProps {
  api: ApiClient;
  t: TFunction;
  lang: Lang;
  opening: string | null;
  progress: IngestProgress | null;
  error: ApiError | null;
  onOpen: (path: string) => void;
  onCancel: () => void;
}

export function formatBytes(lang: Lang, n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${new Intl.NumberFormat(lang, { maximumFractionDigits: u === 0 ? 0 : 1 }).format(v)} ${units[u]}`;
}

export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${String(r).padStart(2, '0')}` : `${m}:${String(r).padStart(2, '0')}`;
}

export function ErrorBanner({ error, t, onClose }: { error: ApiError; t: TFunction; onClose?: () => void }) {
  return (
    <div className="banner banner-error" role="alert" data-testid="error-banner">
      <strong>{t(`error.${error.code}`) === `error.${error.code}` ? t('error.generic') : t(`error.${error.code}`)}</strong> <span>{error.message}</span>
      {typeof error.offset === 'number' && <span data-testid="error-offset"> {t('error.atOffset', { offset: error.offset })}</span>}
      {onClose && (
        <button type="button" className="banner-close" aria-label={t('common.close')} onClick={onClose}>
          ✕
        </button>
      )}
    </div>
  );
}

export function IngestProgressView({ progress, path, t, lang, onCancel }: { progress: IngestProgress | null; path: string; t: TFunction; lang: Lang; onCancel: () => void }) {
  const pct = progress && progress.totalBytes > 0 ? Math.min(100, (progress.bytesRead / progress.totalBytes) * 100) : 0;
  return (
    <div className="ingest-progress" data-testid="ingest-progress" role="status" aria-live="polite">
      <div className="ingest-title">{t('ingest.opening', { path })}</div>
      <progress max={100} value={pct} aria-label={t('ingest.progress')} />
      {progress && (
        <div className="ingest-stats">
          <span>{t(`ingest.phase.${progress.phase}`)}</span>
          <span data-testid="ingest-bytes">{t('ingest.bytes', { read: formatBytes(lang, progress.bytesRead), total: formatBytes(lang, progress.totalBytes) })}</span>
          <span data-testid="ingest-packets">{t('ingest.packets', { n: formatNumber(lang, progress.packets) })}</span>
          <span data-testid="ingest-rate">{t('ingest.rate', { rate: formatBytes(lang, progress.rate) })}</span>
          <span data-testid="ingest-eta">{progress.etaSeconds == null ? t('ingest.etaUnknown') : t('ingest.eta', { eta: formatDuration(progress.etaSeconds) })}</span>
        </div>
      )}
      <button type="button" data-testid="ingest-cancel" aria-label={t('ingest.cancel')} onClick={onCancel}>
        {t('ingest.cancel')}
      </button>
    </div>
  );
}

export function StartScreen({ api, t, lang, opening, progress, error, onOpen, onCancel }: StartScreenProps) {
  const [path, setPath] = useState('');
  const [recent, setRecent] = useState<RecentCase[] | null>(null);
  const [recentError, setRecentError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    void api['capture.recent']({}).then((r) => {
      if (!live) return;
      if (r.ok) setRecent(r.value);
      else setRecentError(r.error.message);
    });
    return () => {
      live = false;
    };
  }, [api]);

  return (
    <div className="start-screen" data-testid="start-screen">
      <h1>{t('app.title')}</h1>
      <p className="muted">{t('start.tagline')}</p>
      <form
        className="open-form"
        data-testid="open-capture"
        onSubmit={(e) => {
          e.preventDefault();
          if (path.trim()) onOpen(path.trim());
        }}
      >
        <label htmlFor="open-path">{t('start.pathLabel')}</label>
        <input
          id="open-path"
          data-testid="open-path"
          aria-label={t('start.pathLabel')}
          placeholder={t('start.pathPlaceholder')}
          value={path}
          onChange={(e) => setPath(e.target.value)}
          spellCheck={false}
          disabled={opening !== null}
        />
        <button type="submit" data-testid="open-submit" aria-label={t('start.open')} disabled={opening !== null || !path.trim()}>
          {t('start.open')}
        </button>
      </form>
      <p className="muted drop-hint">{t('start.dropHint')}</p>
      {error && <ErrorBanner error={error} t={t} />}
      {opening !== null && <IngestProgressView progress={progress} path={opening} t={t} lang={lang} onCancel={onCancel} />}
      <section className="recent" data-testid="recent-cases" aria-label={t('start.recent')}>
        <h2>{t('start.recent')}</h2>
        {recentError && <div className="error-text">{recentError}</div>}
        {recent && recent.length === 0 && <div className="muted">{t('start.noRecent')}</div>}
        <ul>
          {recent?.map((r) => (
            <li key={r.casePath}>
              <button type="button" className="linklike" data-testid="recent-case" disabled={opening !== null} onClick={() => onOpen(r.casePath)} title={r.casePath}>
                {r.capturePath}
              </button>
              <span className="muted">
                {' '}
                {t('start.recentMeta', { packets: formatNumber(lang, r.packets), when: r.openedAt.replace('T', ' ').slice(0, 19) })}
              </span>
            </li>
          ))}
        </ul>
      </section>
    </div>
  );
}
