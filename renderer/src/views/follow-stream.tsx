/**
 * Follow TCP stream (Wireshark's Analyze → Follow → TCP Stream) from `stream.follow`: the
 * reassembled bytes of both directions in conversation order, as ASCII or a hex dump, client
 * and server in two theme colours, holes shown as "[N bytes missing]". Payloads are captured
 * bytes: they become text nodes only (an HTML-looking request stays text).
 */
import { useEffect, useState } from 'react';
import type { StreamSegment } from '../../../shared/model.js';
import type { ViewProps } from './types.js';
import { vt, type VT } from './strings.js';
import { asData, fmtBytes, fmtInt, num } from './format.js';
import { CopyButton, LoadStatus } from './ui.js';
import { useLoad } from './use-load.js';
import { asciiText, decodeBase64, endpointText, hexDump, keepSegment, streamText, type Direction } from './follow-model.js';

/** First window asked for; "Show more" multiplies it by FOLLOW_GROWTH up to FOLLOW_MAX_BYTES. */
export const FOLLOW_INITIAL_BYTES = 256 * 1024;
export const FOLLOW_GROWTH = 4;
/** Largest window the view asks for: 16 MiB of text is about what a DOM text view handles (the contract allows 64). */
export const FOLLOW_MAX_BYTES = 16 * 1024 * 1024;

export function initialStream(initial: unknown): number | null {
  if (typeof initial === 'number') return Number.isInteger(initial) && initial >= 0 ? initial : null;
  const s = num(asData(initial), 'stream');
  return s !== null && Number.isInteger(s) && s >= 0 ? s : null;
}

export function SegmentsView(props: { segments: readonly StreamSegment[]; mode: 'ascii' | 'hex'; dir: Direction; t: VT }) {
  const { segments, mode, dir, t } = props;
  return (
    <pre className="thv-follow-text" data-testid="follow-stream-text">
      {segments.map((s, i) => {
        if (!keepSegment(s, dir)) return null;
        const cls = s.dir === 0 ? 'thv-client' : 'thv-server';
        if (s.gap) {
          return (
            <span key={i} className={`thv-gap ${cls}`} data-testid="follow-gap">
              {t('views.follow.gap', { n: fmtInt(s.gap) })}
              {'\n'}
            </span>
          );
        }
        const bytes = decodeBase64(s.data);
        const body = mode === 'ascii' ? asciiText(bytes) : hexDump(bytes, s.offset).join('\n') + '\n';
        return (
          <span key={i} className={cls} data-testid="follow-segment" data-dir={s.dir} title={t('views.follow.frame', { frame: s.frame })}>
            {body}
          </span>
        );
      })}
    </pre>
  );
}

export function FollowStreamView(props: ViewProps) {
  const t = vt(props.t);
  const start = initialStream(props.initial);
  const [stream, setStream] = useState<number | null>(start);
  const [input, setInput] = useState(start === null ? '' : String(start));
  const [maxBytes, setMaxBytes] = useState(FOLLOW_INITIAL_BYTES);
  const [mode, setMode] = useState<'ascii' | 'hex'>('ascii');
  const [dir, setDir] = useState<Direction>('both');
  const [load] = useLoad(stream === null ? null : JSON.stringify([props.captureId, stream, maxBytes]), () =>
    props.api['stream.follow']({ captureId: props.captureId, stream: stream ?? 0, maxBytes }),
  );
  const fs = load.state === 'ok' ? load.value : null;

  // A "Follow stream" pivot on the open view hands over a new stream.
  useEffect(() => {
    if (start !== null) {
      setStream(start);
      setInput(String(start));
      setMaxBytes(FOLLOW_INITIAL_BYTES);
    }
  }, [start]);

  const go = () => {
    const n = Number(input.trim());
    if (input.trim() !== '' && Number.isInteger(n) && n >= 0) {
      setStream(n);
      setMaxBytes(FOLLOW_INITIAL_BYTES);
    }
  };

  return (
    <section className="thv-view" data-testid="follow-stream">
      <div className="thv-toolbar">
        <label>
          {t('views.follow.stream')}{' '}
          <input
            type="number"
            min={0}
            data-testid="follow-stream-input"
            className="thv-input thv-narrow"
            value={input}
            onChange={(e) => setInput(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter') go();
            }}
          />
        </label>
        <button type="button" data-testid="follow-stream-go" onClick={go}>
          {t('views.follow.go')}
        </button>
        <span role="radiogroup" className="thv-tabs">
          {(['ascii', 'hex'] as const).map((m) => (
            <button key={m} type="button" role="radio" aria-checked={mode === m} data-testid={`follow-mode-${m}`} onClick={() => setMode(m)}>
              {t(m === 'ascii' ? 'views.follow.ascii' : 'views.follow.hex')}
            </button>
          ))}
        </span>
        <label>
          {t('views.follow.direction')}{' '}
          <select data-testid="follow-direction" value={dir} onChange={(e) => setDir(e.target.value as Direction)}>
            <option value="both">{t('views.follow.both')}</option>
            <option value="client">{t('views.follow.clientOnly')}</option>
            <option value="server">{t('views.follow.serverOnly')}</option>
          </select>
        </label>
        {stream !== null && (
          <button
            type="button"
            data-testid="follow-filter"
            onClick={() => props.pivot({ kind: 'filter', filter: `tcp.stream eq ${stream}`, mode: 'replace' })}
          >
            {t('views.follow.filterStream')}
          </button>
        )}
        {fs && <CopyButton value={streamText(fs.segments, dir, (n) => t('views.follow.gap', { n: fmtInt(n) }))} t={t} testId="follow-copy" />}
      </div>
      {stream === null && <div className="thv-empty">{t('views.follow.pick')}</div>}
      <LoadStatus load={load} t={t} />
      {fs && (
        <>
          <div className="thv-follow-head" data-testid="follow-stream-header">
            <span className="thv-client">{endpointText(fs.client.addr, fs.client.port)}</span>
            {' ⇄ '}
            <span className="thv-server">{endpointText(fs.server.addr, fs.server.port)}</span>
            {' · '}
            {fs.transport.toUpperCase()}
            {fs.protocol ? ` / ${fs.protocol}` : ''}
            {' · '}
            {t('views.follow.summary', { stream: fs.stream, frames: fmtInt(fs.frames, props.lang), client: fmtBytes(fs.bytes[0]), server: fmtBytes(fs.bytes[1]) })}
          </div>
          <SegmentsView segments={fs.segments} mode={mode} dir={dir} t={t} />
          {fs.truncated && (
            <div className="thv-note">
              {t('views.follow.truncated', { n: fmtBytes(maxBytes) })}{' '}
              {maxBytes < FOLLOW_MAX_BYTES && (
                <button type="button" data-testid="follow-more" onClick={() => setMaxBytes(Math.min(FOLLOW_MAX_BYTES, maxBytes * FOLLOW_GROWTH))}>
                  {t('views.follow.more')}
                </button>
              )}
            </div>
          )}
        </>
      )}
    </section>
  );
}
