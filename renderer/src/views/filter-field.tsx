/**
 * A display-filter input for views that narrow their statistics by a filter (conversations,
 * I/O graph, connections graph). It checks the text with the shared front end on every
 * keystroke and applies only a filter that checks, so the engine never sees a known-bad one.
 */
import { useState } from 'react';
import { checkFilter } from '../../../shared/filter/index.js';
import type { VT } from './strings.js';

export function filterError(text: string): string | null {
  if (text.trim() === '') return null;
  const r = checkFilter(text);
  const d = r.diagnostics[0];
  return d ? d.message : null;
}

export function FilterField(props: {
  value: string;
  onApply: (filter: string) => void;
  t: VT;
  testId: string;
  placeholder?: string;
}) {
  const { t, testId } = props;
  const [text, setText] = useState(props.value);
  const err = filterError(text);
  const apply = () => {
    if (err === null) props.onApply(text.trim());
  };
  return (
    <span className="thv-filterfield">
      <input
        type="text"
        spellCheck={false}
        data-testid={testId}
        className={err ? 'thv-input thv-bad' : 'thv-input'}
        aria-invalid={err !== null}
        placeholder={props.placeholder ?? t('views.filter.placeholder')}
        aria-label={props.placeholder ?? t('views.filter.placeholder')}
        value={text}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter') apply();
        }}
      />
      <button type="button" data-testid={`${testId}-apply`} disabled={err !== null} onClick={apply}>
        {t('views.filter.apply')}
      </button>
      {err && (
        <span className="thv-error" role="alert">
          {err}
        </span>
      )}
    </span>
  );
}
