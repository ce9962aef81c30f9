/**
 * electron-builder.yml, read with js-yaml (a dependency of electron-builder, so present
 * wherever packaging is possible) and checked against the packaging rules: targets for every
 * OS, better-sqlite3's native module outside the asar, the fuses, the file associations, and
 * no publish target. electron-builder itself cannot run here (it downloads Electron).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../..');
const yaml = createRequire(import.meta.url)('js-yaml') as { load: (s: string) => unknown };
const cfg = yaml.load(readFileSync(join(root, 'electron-builder.yml'), 'utf8')) as Record<string, unknown>;
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string>; main: string };

const targets = (os: string): string[] =>
  ((cfg[os] as { target: (string | { target: string })[] }).target ?? []).map((t) => (typeof t === 'string' ? t : t.target));

describe('electron-builder.yml', () => {
  it("passes electron-builder's own schema validation", async () => {
    const req = createRequire(import.meta.url);
    const { validateConfiguration } = req('app-builder-lib/out/util/config/config.js') as {
      validateConfiguration: (c: unknown, log: unknown) => Promise<void>;
    };
    const { DebugLogger } = req('builder-util') as { DebugLogger: new (enabled: boolean) => unknown };
    await expect(validateConfiguration(structuredClone(cfg), new DebugLogger(false))).resolves.toBeUndefined();
  }, 60_000);

  it('names the app', () => {
    expect(cfg['productName']).toBe('Tracehound');
    expect(typeof cfg['appId']).toBe('string');
  });

  it('has targets for Linux, Windows and macOS', () => {
    expect(targets('linux')).toEqual(expect.arrayContaining(['AppImage', 'deb']));
    expect(targets('win')).toEqual(expect.arrayContaining(['nsis', 'portable']));
    expect(targets('mac')).toEqual(expect.arrayContaining(['dmg']));
  });

  it('packs into an asar with native modules unpacked', () => {
    expect(cfg['asar']).toBe(true);
    expect(cfg['asarUnpack']).toContain('**/*.node');
    expect(cfg['files']).toEqual(expect.arrayContaining(['dist/**', 'package.json']));
  });

  it('sets the fuses', () => {
    expect(cfg['electronFuses']).toEqual({
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      loadBrowserProcessSpecificV8Snapshot: false,
      grantFileProtocolExtraPrivileges: false,
    });
  });

  it('associates the capture extensions', () => {
    const exts = (cfg['fileAssociations'] as { ext: string | string[] }[]).flatMap((a) => a.ext);
    expect(exts.sort()).toEqual(['cap', 'pcap', 'pcap.gz', 'pcapng', 'pcapng.gz']);
  });

  it('publishes nowhere', () => {
    expect('publish' in cfg).toBe(true);
    expect(cfg['publish']).toBeNull();
    expect(JSON.stringify(cfg)).not.toMatch(/"provider"|autoUpdate/i);
  });

  it('ships the licences file it names', () => {
    const extra = cfg['extraResources'] as { from: string; to: string }[];
    expect(extra).toContainEqual({ from: 'build/licenses.txt', to: 'licenses.txt' });
    expect(readFileSync(join(root, 'build/licenses.txt'), 'utf8')).toMatch(/better-sqlite3[\s\S]*MIT/);
  });
});

describe('package.json for the desktop app', () => {
  it('points main at the compiled shell and has the dist script', () => {
    expect(pkg.main).toBe('dist/electron/main/main.js');
    expect(pkg.scripts['dist']).toBe('npm run build && electron-builder');
  });

  it('never rebuilds native modules for Electron on install or in tests', () => {
    for (const [name, script] of Object.entries(pkg.scripts)) {
      if (name === 'dist') continue;
      expect(script, name).not.toMatch(/install-app-deps|electron-rebuild|@electron\/rebuild/);
    }
  });

  it('type-checks the shell as its own layer', () => {
    expect(pkg.scripts['typecheck']).toContain('tsc -p electron/tsconfig.json');
  });
});
