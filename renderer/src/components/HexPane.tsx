/** The bytes of the selected frame: offset, hex and ASCII columns, the selected field highlighted. */
import { useEffect, useMemo, useRef } from 'react';
import { hexRows, hexToBytes, highlightRange } from '../lib/hex.js';
import type { TFunction } from '../views/types.js';

export interface HexPaneProps {
  hex: string | null;
  /** The selected tree node's bytes (offset −1 = none). */
  offset: number;
  length: number;
  t: TFunction;
}

export function HexPane({ hex, offset, length, t }: HexPaneProps) {
  const bytes = useMemo(() => (hex ? hexToBytes(hex) : new Uint8Array(0)), [hex]);
  const range = useMemo(() => highlightRange(offset, length, bytes.length), [offset, length, bytes.length]);
  const rows = useMemo(() => hexRows(bytes, range), [bytes, range]);
  const pane = useRef<HTMLDivElement>(null);
  useEffect(() => {
    pane.current?.querySelector('.hl')?.scrollIntoView?.({ block: 'nearest' });
  }, [range]);
  return (
    <div className="hex-pane" data-testid="hex-pane" aria-label={t('hex.label')} role="region" ref={pane} tabIndex={0}>
      {!hex && <div className="muted">{t('hex.none')}</div>}
      {rows.map((r) => (
        <div key={r.offset} className="hex-row" data-offset={r.offset}>
          <span className="hex-offset">{r.offsetText}</span>
          <span className="hex-bytes">
            {r.hex.map((run, i) => (
              <span key={i} className={run.highlight ? 'hl' : undefined} data-testid={run.highlight ? 'hex-highlight' : undefined}>
                {run.text}
              </span>
            ))}
          </span>
          <span className="hex-ascii">
            {r.ascii.map((run, i) => (
              <span key={i} className={run.highlight ? 'hl' : undefined}>
                {run.text}
              </span>
            ))}
          </span>
        </div>
      ))}
    </div>
  );
}
