import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';

/** ../shared beside the project root: the corpus, the drill scenario and the team's notes. */
export const SHARED_DIR = resolve(import.meta.dirname, '../../../shared');
export const CORPUS_DIR = join(SHARED_DIR, 'corpus');
export const SCENARIO_DIR = join(SHARED_DIR, 'scenarios');

export const hasCorpus = existsSync(join(CORPUS_DIR, 'MANIFEST.md'));
export const hasScenarios = existsSync(SCENARIO_DIR);
export const SKIP_CORPUS = hasCorpus ? '' : `skipped: ${CORPUS_DIR} is absent (it is present in CI)`;

export function corpusFiles(): string[] {
  if (!hasCorpus) return [];
  return readdirSync(CORPUS_DIR)
    .filter((f) => !f.endsWith('.tshark.json') && !f.endsWith('.md'))
    .sort();
}

export const hasTshark = spawnSync('tshark', ['--version'], { stdio: 'ignore' }).status === 0;

export function tmpDir(prefix = 'th-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
