// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { VIEW_STRINGS } from './strings.js';
import { VIEWS } from './index.js';

// The views' sources as text (Vite's import.meta.glob: the renderer has no file system).
const sources = import.meta.glob(['./*.ts', './*.tsx', '!./*.test.ts', '!./*.test.tsx'], { query: '?raw', import: 'default', eager: true }) as Record<string, string>;

describe('view strings', () => {
  const en = Object.keys(VIEW_STRINGS.en).sort();
  const zh = Object.keys(VIEW_STRINGS['zh-CN']).sort();

  it('have the same keys in both languages, none empty, same placeholders', () => {
    expect(zh).toEqual(en);
    for (const k of en) {
      const a = (VIEW_STRINGS.en as Record<string, string>)[k]!;
      const b = (VIEW_STRINGS['zh-CN'] as Record<string, string>)[k]!;
      expect(a.trim(), k).not.toBe('');
      expect(b.trim(), k).not.toBe('');
      const ph = (s: string) => (s.match(/\{\w+\}/g) ?? []).sort();
      expect(ph(b), k).toEqual(ph(a));
    }
  });

  it('cover every key the views use', () => {
    expect(Object.keys(sources).length).toBeGreaterThan(10);
    const used = new Set<string>();
    for (const src of Object.values(sources)) for (const m of src.matchAll(/'(views\.[A-Za-z0-9_.]+)'/g)) used.add(m[1]!);
    expect(used.size).toBeGreaterThan(100);
    for (const k of used) {
      expect(VIEW_STRINGS.en, k).toHaveProperty([k]);
      expect(VIEW_STRINGS['zh-CN'], k).toHaveProperty([k]);
    }
    for (const v of VIEWS) expect(en).toContain(v.titleKey);
  });

  it('registers each view once with its fixed id', () => {
    const ids = VIEWS.map((v) => v.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ['conversations', 'endpoints', 'io-graph', 'follow-stream', 'connections-graph', 'smb', 'credentials', 'objects', 'hosts']) expect(ids).toContain(id);
    expect(VIEWS.find((v) => v.id === 'follow-stream')!.handles).toEqual(['follow']);
    expect(VIEWS.find((v) => v.id === 'connections-graph')!.handles).toEqual(['host']);
  });
});
