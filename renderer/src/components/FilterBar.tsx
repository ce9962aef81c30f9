/**
 * The display-filter bar: checked on every keystroke (green valid, red invalid, yellow
 * accepted-with-warning, as Wireshark colours it), the first diagnostic with a caret under
 * its position, field-name completion, Enter to apply, history and saved filters.
 */
import { forwardRef, useEffect, useImperativeHandle, useMemo, useRef, useState } from 'react';
import type { ApiError } from '../../../shared/api.js';
import { applyCompletion, caretLine, checkFilterText, completions, type FilterCheck } from '../lib/filter-check.js';
import { deleteSavedFilter, filterHistory, rememberFilter, saveFilter, savedFilters, type SavedFilter } from '../lib/storage.js';
import type { TFunction } from '../views/types.js';

export interface FilterBarProps {
  /** The applied filter (the bar's text follows it when a pivot changes it). */
  applied: string;
  /** Changes whenever the owner sets the text (a pivot), even to the same string. */
  nonce?: number;
  onApply: (filter: string) => void;
  /** The host's verdict on a filter it refused ('bad-filter' with diagnostics), and that filter. */
  serverError: { filter: string; error: ApiError } | null;
  t: TFunction;
  disabled?: boolean;
}

export interface FilterBarHandle {
  focus(): void;
}

export const FilterBar = forwardRef<FilterBarHandle, FilterBarProps>(function FilterBar({ applied, nonce, onApply, serverError, t, disabled }, ref) {
  const [text, setText] = useState(applied);
  const [cursor, setCursor] = useState(applied.length);
  const [active, setActive] = useState(-1);
  const [suggestOpen, setSuggestOpen] = useState(false);
  const [menu, setMenu] = useState<'none' | 'history' | 'saved' | 'save'>('none');
  const [history, setHistory] = useState<string[]>(() => filterHistory());
  const [saved, setSaved] = useState<SavedFilter[]>(() => savedFilters());
  const [saveName, setSaveName] = useState('');
  const input = useRef<HTMLInputElement>(null);

  useImperativeHandle(ref, () => ({ focus: () => input.current?.focus() }), []);
  useEffect(() => {
    setText(applied);
    setCursor(applied.length);
  }, [applied, nonce]);

  const check: FilterCheck = useMemo(() => checkFilterText(text), [text]);
  const comp = useMemo(() => (suggestOpen ? completions(text, cursor) : null), [text, cursor, suggestOpen]);
  // The host's diagnostics describe the text it refused; show them while the text is unchanged.
  const serverDiags =
    serverError && text.trim() === serverError.filter.trim() ? serverError.error.diagnostics ?? [{ message: serverError.error.message, start: 0, length: 0 }] : null;
  const status = serverDiags ? 'invalid' : check.status;
  const diag = serverDiags?.[0] ?? check.diagnostics[0];

  const apply = (f: string) => {
    const c = checkFilterText(f);
    if (c.status === 'invalid') return;
    setHistory(rememberFilter(f));
    setMenu('none');
    setSuggestOpen(false);
    onApply(f.trim());
  };

  const accept = (name: string) => {
    if (!comp) return;
    const next = applyCompletion(text, comp, name);
    setText(next.text);
    setCursor(next.cursor);
    setActive(-1);
    setSuggestOpen(false);
    requestAnimationFrame(() => input.current?.setSelectionRange(next.cursor, next.cursor));
  };

  const onKeyDown = (e: React.KeyboardEvent<HTMLInputElement>) => {
    if (comp && comp.items.length > 0) {
      if (e.key === 'ArrowDown') {
        e.preventDefault();
        setActive((a) => (a + 1) % comp.items.length);
        return;
      }
      if (e.key === 'ArrowUp') {
        e.preventDefault();
        setActive((a) => (a <= 0 ? comp.items.length - 1 : a - 1));
        return;
      }
      if (e.key === 'Tab' || (e.key === 'Enter' && active >= 0)) {
        e.preventDefault();
        accept(comp.items[Math.min(Math.max(active, 0), comp.items.length - 1)]!.name);
        return;
      }
      if (e.key === 'Escape') {
        e.preventDefault();
        e.stopPropagation();
        setSuggestOpen(false);
        return;
      }
    }
    if (e.key === 'Enter') {
      e.preventDefault();
      apply(text);
    } else if (e.key === 'Escape' && menu !== 'none') {
      e.stopPropagation();
      setMenu('none');
    }
  };

  return (
    <div className="filter-bar" data-testid="filter-bar">
      <div className="filter-row">
        <div className="filter-input-wrap">
          <input
            ref={input}
            data-testid="filter-input"
            className={`filter-input filter-${status}`}
            aria-label={t('filter.label')}
            aria-invalid={status === 'invalid'}
            aria-autocomplete="list"
            aria-expanded={!!comp}
            aria-controls="filter-suggestions"
            placeholder={t('filter.placeholder')}
            spellCheck={false}
            autoComplete="off"
            value={text}
            disabled={disabled}
            onChange={(e) => {
              setText(e.target.value);
              setCursor(e.target.selectionStart ?? e.target.value.length);
              setActive(-1);
              setSuggestOpen(true);
            }}
            onSelect={(e) => setCursor(e.currentTarget.selectionStart ?? 0)}
            onKeyDown={onKeyDown}
            onBlur={() => setTimeout(() => setSuggestOpen(false), 150)}
          />
          {comp && (
            <ul className="filter-suggestions" id="filter-suggestions" role="listbox" data-testid="filter-suggestions" aria-label={t('filter.suggestions')}>
              {comp.items.map((item, i) => (
                <li
                  key={item.name}
                  role="option"
                  aria-selected={i === active}
                  className={i === active ? 'active' : ''}
                  data-testid="filter-suggestion"
                  onMouseDown={(e) => {
                    e.preventDefault();
                    accept(item.name);
                  }}
                >
                  <span className="suggest-name">{item.name}</span>
                  <span className="suggest-desc">{item.description}</span>
                </li>
              ))}
            </ul>
          )}
        </div>
        <button type="button" data-testid="filter-apply" aria-label={t('filter.apply')} title={t('filter.apply')} disabled={disabled || check.status === 'invalid'} onClick={() => apply(text)}>
          {t('filter.apply')}
        </button>
        <button
          type="button"
          data-testid="filter-clear"
          aria-label={t('filter.clear')}
          title={t('filter.clear')}
          disabled={disabled}
          onClick={() => {
            setText('');
            onApply('');
          }}
        >
          ✕
        </button>
        <button type="button" data-testid="filter-history-button" aria-label={t('filter.history')} title={t('filter.history')} aria-expanded={menu === 'history'} onClick={() => setMenu(menu === 'history' ? 'none' : 'history')}>
          ▼
        </button>
        <button type="button" data-testid="filter-saved-button" aria-label={t('filter.saved')} title={t('filter.saved')} aria-expanded={menu === 'saved'} onClick={() => setMenu(menu === 'saved' ? 'none' : 'saved')}>
          ★
        </button>
        <button
          type="button"
          data-testid="filter-save-button"
          aria-label={t('filter.save')}
          title={t('filter.save')}
          disabled={check.status === 'invalid' || check.status === 'empty'}
          onClick={() => setMenu(menu === 'save' ? 'none' : 'save')}
        >
          +
        </button>
      </div>
      <div className={`filter-status filter-status-${status}`} data-testid="filter-status" role="status" aria-live="polite">
        {diag ? (
          <>
            <span className="filter-message">{diag.message}</span>
            {diag.hint && <span className="filter-hint"> {diag.hint}</span>}
            <pre className="filter-caret" data-testid="filter-caret" aria-hidden="true">
              {text + '\n' + caretLine(text, diag)}
            </pre>
          </>
        ) : status === 'valid' ? (
          <span>{t('filter.valid')}</span>
        ) : null}
      </div>
      {menu === 'history' && (
        <ul className="dropdown" role="menu" data-testid="filter-history" aria-label={t('filter.history')}>
          {history.length === 0 && <li className="muted">{t('filter.historyEmpty')}</li>}
          {history.map((h) => (
            <li key={h} role="menuitem" tabIndex={0} onClick={() => apply(h)} onKeyDown={(e) => e.key === 'Enter' && apply(h)}>
              {h}
            </li>
          ))}
        </ul>
      )}
      {menu === 'saved' && (
        <ul className="dropdown" role="menu" data-testid="filter-saved" aria-label={t('filter.saved')}>
          {saved.length === 0 && <li className="muted">{t('filter.savedEmpty')}</li>}
          {saved.map((s) => (
            <li key={s.name} role="menuitem" tabIndex={0} onClick={() => apply(s.filter)} onKeyDown={(e) => e.key === 'Enter' && apply(s.filter)}>
              <strong>{s.name}</strong> <code>{s.filter}</code>
              <button
                type="button"
                aria-label={t('filter.deleteSaved', { name: s.name })}
                onClick={(e) => {
                  e.stopPropagation();
                  setSaved(deleteSavedFilter(s.name));
                }}
              >
                ✕
              </button>
            </li>
          ))}
        </ul>
      )}
      {menu === 'save' && (
        <form
          className="dropdown save-form"
          data-testid="filter-save-form"
          onSubmit={(e) => {
            e.preventDefault();
            setSaved(saveFilter(saveName, text));
            setSaveName('');
            setMenu('none');
          }}
        >
          <input aria-label={t('filter.saveName')} placeholder={t('filter.saveName')} value={saveName} onChange={(e) => setSaveName(e.target.value)} autoFocus />
          <button type="submit" disabled={!saveName.trim()}>
            {t('filter.save')}
          </button>
        </form>
      )}
    </div>
  );
});
