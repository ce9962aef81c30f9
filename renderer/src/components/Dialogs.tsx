/** Modal dialogs: go to frame (Ctrl+G), frame comment, and the help panel (F1 / Ctrl+/). */
import { useEffect, useRef, useState, type ReactNode } from 'react';
import type { TFunction } from '../views/types.js';

function Modal({ testid, title, onClose, children, t }: { testid: string; title: string; onClose: () => void; children: ReactNode; t: TFunction }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    // The first field, not the title bar's close button: Ctrl+G then typing a number must reach the input.
    const el = ref.current?.querySelector<HTMLElement>('input, textarea') ?? ref.current?.querySelector<HTMLElement>('button');
    el?.focus();
  }, []);
  return (
    <div className="modal-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div
        className="modal"
        role="dialog"
        aria-modal="true"
        aria-label={title}
        data-testid={testid}
        ref={ref}
        onKeyDown={(e) => {
          if (e.key === 'Escape') {
            e.stopPropagation();
            onClose();
          }
        }}
      >
        <div className="modal-title">
          <span>{title}</span>
          <button type="button" aria-label={t('common.close')} onClick={onClose}>
            ✕
          </button>
        </div>
        {children}
      </div>
    </div>
  );
}

export function GotoDialog({ t, onGo, onClose, error }: { t: TFunction; onGo: (frame: number) => void; onClose: () => void; error: string | null }) {
  const [text, setText] = useState('');
  const n = Number(text);
  const valid = /^\d+$/.test(text.trim()) && n >= 1 && Number.isSafeInteger(n);
  return (
    <Modal testid="goto-dialog" title={t('goto.title')} onClose={onClose} t={t}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (valid) onGo(n);
        }}
      >
        <input data-testid="goto-input" aria-label={t('goto.label')} placeholder={t('goto.label')} value={text} onChange={(e) => setText(e.target.value)} inputMode="numeric" />
        <button type="submit" data-testid="goto-submit" disabled={!valid}>
          {t('goto.go')}
        </button>
      </form>
      {error && <div className="error-text" role="alert">{error}</div>}
    </Modal>
  );
}

export function CommentDialog({ t, frame, initial, onSave, onClose, error }: { t: TFunction; frame: number; initial: string; onSave: (text: string) => void; onClose: () => void; error: string | null }) {
  const [text, setText] = useState(initial);
  return (
    <Modal testid="comment-dialog" title={t('comment.title', { frame })} onClose={onClose} t={t}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          onSave(text);
        }}
      >
        <textarea data-testid="comment-input" aria-label={t('comment.label')} rows={4} maxLength={10_000} value={text} onChange={(e) => setText(e.target.value)} />
        <button type="submit" data-testid="comment-save">
          {t('comment.save')}
        </button>
      </form>
      {error && <div className="error-text" role="alert">{error}</div>}
    </Modal>
  );
}

export const SHORTCUTS: { keys: string; key: string }[] = [
  { keys: 'Ctrl+/  F1', key: 'help.help' },
  { keys: 'Ctrl+F  /', key: 'help.focusFilter' },
  { keys: 'Enter', key: 'help.apply' },
  { keys: 'Ctrl+G', key: 'help.goto' },
  { keys: 'Ctrl+↑  Ctrl+↓', key: 'help.prevNext' },
  { keys: '↑ ↓ PgUp PgDn Home End', key: 'help.listNav' },
  { keys: '← →', key: 'help.treeNav' },
  { keys: 'Ctrl+M', key: 'help.mark' },
  { keys: 'Ctrl+Alt+C', key: 'help.comment' },
  { keys: 'Ctrl+T  Ctrl+Alt+Shift+T', key: 'help.follow' },
  { keys: 'Esc', key: 'help.close' },
];

export function HelpPanel({ t, onClose }: { t: TFunction; onClose: () => void }) {
  return (
    <Modal testid="help-panel" title={t('help.title')} onClose={onClose} t={t}>
      <table className="shortcuts">
        <tbody>
          {SHORTCUTS.map((s) => (
            <tr key={s.key}>
              <td>
                <kbd>{s.keys}</kbd>
              </td>
              <td>{t(s.key)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted">{t('help.pivots')}</p>
    </Modal>
  );
}
