/** A small context menu at the pointer: keyboard (↑/↓/Enter/Esc) and mouse, closed on outside click. */
import { useEffect, useRef, useState } from 'react';

export interface MenuItem {
  id: string;
  label: string;
  disabled?: boolean;
  onSelect: () => void;
}

export interface ContextMenuProps {
  x: number;
  y: number;
  items: MenuItem[];
  label: string;
  onClose: () => void;
}

export function ContextMenu({ x, y, items, label, onClose }: ContextMenuProps) {
  const ref = useRef<HTMLUListElement>(null);
  const [active, setActive] = useState(() => items.findIndex((i) => !i.disabled));
  useEffect(() => {
    ref.current?.focus();
    const close = (e: MouseEvent) => {
      if (ref.current && !ref.current.contains(e.target as Node)) onClose();
    };
    window.addEventListener('mousedown', close);
    return () => window.removeEventListener('mousedown', close);
  }, [onClose]);

  const step = (dir: 1 | -1) => {
    if (items.every((i) => i.disabled)) return;
    let i = active;
    do i = (i + dir + items.length) % items.length;
    while (items[i]!.disabled);
    setActive(i);
  };
  const choose = (item: MenuItem | undefined) => {
    if (!item || item.disabled) return;
    onClose();
    item.onSelect();
  };

  // Keep the menu inside the window.
  const left = Math.max(0, Math.min(x, (typeof window !== 'undefined' ? window.innerWidth : 1000) - 260));
  const top = Math.max(0, Math.min(y, (typeof window !== 'undefined' ? window.innerHeight : 800) - items.length * 26 - 8));
  return (
    <ul
      ref={ref}
      className="context-menu"
      data-testid="context-menu"
      role="menu"
      aria-label={label}
      tabIndex={-1}
      style={{ left, top }}
      onKeyDown={(e) => {
        if (e.key === 'ArrowDown') step(1);
        else if (e.key === 'ArrowUp') step(-1);
        else if (e.key === 'Enter') choose(items[active]);
        else if (e.key === 'Escape') onClose();
        else return;
        e.preventDefault();
        e.stopPropagation();
      }}
    >
      {items.map((item, i) => (
        <li
          key={item.id}
          role="menuitem"
          data-testid={`menu-${item.id}`}
          aria-disabled={item.disabled || undefined}
          className={`${i === active ? 'active' : ''}${item.disabled ? ' disabled' : ''}`}
          onMouseEnter={() => !item.disabled && setActive(i)}
          onClick={() => choose(item)}
        >
          {item.label}
        </li>
      ))}
    </ul>
  );
}
