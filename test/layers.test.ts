/**
 * The import rules are the architecture (docs/ARCHITECTURE.md). They are enforced by the
 * per-layer tsconfigs and ESLint zones; this test proves the ESLint zones really fail on a
 * forbidden import, and scans the tree for the rules that matter most.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');

function sources(dir: string): string[] {
  const out: string[] = [];
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const e of entries) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) out.push(...sources(p));
    // Tests may drive Node tools (tshark as the oracle); the rules are for the code.
    else if (/\.(ts|tsx)$/.test(e) && !e.endsWith('.d.ts') && !/\.test\.tsx?$/.test(e) && e !== 'test-helpers.ts') out.push(p);
  }
  return out;
}

const importsOf = (file: string): string[] =>
  [...readFileSync(file, 'utf8').matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1] ?? m[2]!);

describe('layer rules', () => {
  it('electron/engine/ and shared/ never import electron; shared/ and renderer/ never import node:*', () => {
    const bad: string[] = [];
    for (const f of [...sources(join(root, 'electron/engine')), ...sources(join(root, 'shared')), ...sources(join(root, 'renderer'))]) {
      const rel = relative(root, f);
      for (const spec of importsOf(f)) {
        if (spec === 'electron' || spec.startsWith('electron/')) bad.push(`${rel} imports ${spec}`);
        if (!rel.startsWith('electron/') && (spec.startsWith('node:') || spec === 'fs' || spec === 'path')) bad.push(`${rel} imports ${spec}`);
        if (rel.startsWith('shared/') && /(^|\/)(electron|renderer)\//.test(spec)) bad.push(`${rel} imports ${spec}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('the ESLint zones reject a forbidden import in each layer', async () => {
    const eslint = new ESLint({ cwd: root });
    const cases: [string, string][] = [
      ['electron/engine/__probe.ts', "import { app } from 'electron';\nexport const x = app;\n"],
      ['shared/__probe.ts', "import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n"],
      ['electron/cli/__probe.ts', "import { CaseStore } from '../engine/store/case-store.js';\nexport const x = CaseStore;\n"],
      ['renderer/__probe.ts', "import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n"],
      // The Electron shell: only the engine's public entry, never the renderer.
      ['electron/engine/__probe2.ts', "import { ipcMain } from 'electron';\nexport const x = ipcMain;\n"],
      ['renderer/__probe2.ts', "import { ipcRenderer } from 'electron';\nexport const x = ipcRenderer;\n"],
      ['renderer/src/__probe.tsx', "import { contextBridge } from 'electron';\nexport const x = contextBridge;\n"],
      ['renderer/src/__probe3.ts', "import { promises } from 'node:fs';\nexport const x = promises;\n"],
      ['electron/main/__probe.ts', "import { CaseStore } from '../engine/store/case-store.js';\nexport const x = CaseStore;\n"],
      ['electron/preload/__probe.ts', "import { x as y } from '../../renderer/src/app.js';\nexport const x = y;\n"],
    ];
    for (const [path, code] of cases) {
      const [r] = await eslint.lintText(code, { filePath: join(root, path) });
      const rules = (r?.messages ?? []).map((m) => m.ruleId);
      expect(rules, path).toContain('no-restricted-imports');
    }
  }, 60_000);
});
