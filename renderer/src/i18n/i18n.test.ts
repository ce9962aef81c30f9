import { describe, expect, it } from 'vitest';
import { DICTIONARIES, interpolate, LANGS, makeT } from './index.js';
import { en } from './en.js';
import { zhCN } from './zh-CN.js';
import { VIEW_STRINGS } from '../views/strings.js';
import { SHORTCUTS } from '../components/Dialogs.js';
import { COLUMNS } from '../components/PacketList.js';

// The shell's sources, read by Vite at transform time (no node:fs in the renderer layer).
const sources = import.meta.glob(['../**/*.tsx', '../**/*.ts', '!../**/*.test.ts', '!../**/*.test.tsx', '!../views/**'], { query: '?raw', import: 'default', eager: true }) as Record<string, string>;

describe('i18n', () => {
  it('every key exists in both languages, non-empty, with the same placeholders', () => {
    const pairs: [Record<string, string>, Record<string, string>][] = [[en, zhCN], [VIEW_STRINGS.en, VIEW_STRINGS['zh-CN']]];
    for (const [a, b] of pairs) {
      expect(Object.keys(b).sort()).toEqual(Object.keys(a).sort());
      for (const k of Object.keys(a)) {
        expect(a[k]!.trim(), k).not.toBe('');
        expect(b[k]!.trim(), k).not.toBe('');
        const ph = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
        expect(ph(b[k]!), k).toEqual(ph(a[k]!));
      }
    }
    for (const lang of LANGS) expect(Object.keys(DICTIONARIES[lang]).length).toBe(Object.keys(DICTIONARIES.en).length);
  });

  it('every literal key the shell translates is in the dictionaries', () => {
    const used = new Set<string>();
    for (const text of Object.values(sources)) {
      for (const m of text.matchAll(/\bt\(\s*'([a-zA-Z][\w.-]*)'/g)) used.add(m[1]!);
    }
    for (const c of COLUMNS) used.add(c.key);
    for (const s of SHORTCUTS) used.add(s.key);
    // Keys built at run time from a closed set of values.
    for (const code of ['bad-request', 'bad-filter', 'not-found', 'bad-capture', 'io', 'cancelled', 'internal']) used.add(`error.${code}`);
    for (const phase of ['hashing', 'reading', 'indexing', 'done']) used.add(`ingest.phase.${phase}`);
    for (const st of ['truncated', 'damaged', 'cancelled']) used.add(`capture.status.${st}`);
    expect(used.size).toBeGreaterThan(50);
    const missing = [...used].filter((k) => !(k in en) || !(k in zhCN));
    expect(missing).toEqual([]);
  });

  it('interpolates placeholders and falls back to English, then the key', () => {
    expect(interpolate('{n} of {m}', { n: 1, m: 'two' })).toBe('1 of two');
    expect(interpolate('{n} {missing}', { n: 1 })).toBe('1 {missing}');
    const zh = makeT('zh-CN');
    expect(zh('status.marked', { n: 3 })).toBe('已标记：3');
    expect(makeT('en')('status.marked', { n: 3 })).toBe('Marked: 3');
    expect(zh('no.such.key')).toBe('no.such.key');
  });
});
