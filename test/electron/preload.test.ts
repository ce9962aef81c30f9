/**
 * The preload with `electron` mocked: it must expose exactly one fixed function per contract
 * entry plus onEvent / pathForFile / pickCapture on `window.tracehound`, no generic invoke,
 * and never hand the IpcRendererEvent to the page. It is compiled to CommonJS and run with a
 * sandbox-like `require` that offers only a fake 'electron' (vite does not load .cts, and
 * this is closer to how Electron runs a sandboxed preload anyway).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import ts from 'typescript';
import { API_NAMES } from '../../shared/api.js';

const h = {
  exposed: new Map<string, unknown>(),
  invoke: vi.fn(async (channel: string, req?: unknown) => ({ ok: true, value: { channel, req } })),
  listeners: new Map<string, ((event: unknown, ...args: unknown[]) => void)[]>(),
  paths: new Map<unknown, string>(),
};

/** The fake `electron` module: records what the preload exposes and invokes. */
const fakeElectron = {
  contextBridge: { exposeInMainWorld: (key: string, api: unknown) => h.exposed.set(key, api) },
  ipcRenderer: {
    invoke: h.invoke,
    on: (channel: string, fn: (event: unknown, ...args: unknown[]) => void) => {
      h.listeners.set(channel, [...(h.listeners.get(channel) ?? []), fn]);
    },
  },
  webUtils: { getPathForFile: (f: unknown) => h.paths.get(f) ?? '' },
};

const preloadSource = join(import.meta.dirname, '../../electron/preload/preload.cts');

/**
 * Runs the preload the way a sandboxed renderer does: compiled to CommonJS and evaluated as a
 * function of (require, module, exports) whose `require` knows only 'electron' (Electron's
 * sandboxed preload also offers events/timers/url, which this preload does not need). Any
 * other import would throw here exactly as it would in the app.
 */
function runSandboxed(): Record<string, unknown> {
  const js = ts.transpileModule(readFileSync(preloadSource, 'utf8'), {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
    fileName: 'preload.cts',
  }).outputText;
  const required: string[] = [];
  const sandboxRequire = (name: string): unknown => {
    required.push(name);
    if (name === 'electron') return fakeElectron;
    throw new Error(`Cannot find module '${name}' (not available to a sandboxed preload)`);
  };
  const module = { exports: {} as Record<string, unknown> };
  new Function('require', 'module', 'exports', js)(sandboxRequire, module, module.exports);
  expect(required).toEqual(['electron']);
  return module.exports;
}

type Bridge = Record<string, (...args: unknown[]) => unknown>;
let bridge: Bridge;
let mod: { CONTRACT_NAMES?: unknown };

/** Sends an event from "main", with a fake IpcRendererEvent carrying a sender. */
const push = (data: unknown) => {
  for (const l of h.listeners.get('th:event') ?? []) l({ sender: { send: () => {} }, ports: [] }, data);
};

beforeAll(() => {
  mod = runSandboxed();
  bridge = h.exposed.get('tracehound') as Bridge;
});

describe('preload bridge', () => {
  it('exposes only window.tracehound', () => {
    expect([...h.exposed.keys()]).toEqual(['tracehound']);
  });

  it('exposes exactly one function per contract entry plus onEvent, pathForFile and pickCapture', () => {
    expect(Object.keys(bridge).sort()).toEqual([...API_NAMES, 'onEvent', 'pathForFile', 'pickCapture'].sort());
    for (const [k, v] of Object.entries(bridge)) expect(typeof v, k).toBe('function');
    for (const generic of ['invoke', 'send', 'on', 'ipcRenderer', 'call', 'request']) expect(bridge).not.toHaveProperty(generic);
  });

  it("its contract list matches shared/api.ts's API_NAMES", () => {
    expect(mod.CONTRACT_NAMES).toEqual(API_NAMES);
  });

  it('each contract function invokes its own th:<name> channel with the request, and only that', async () => {
    for (const name of API_NAMES) {
      h.invoke.mockClear();
      const req = { captureId: 1, marker: name };
      const r = await bridge[name]!(req, 'ignored-second-argument');
      expect(h.invoke).toHaveBeenCalledTimes(1);
      expect(h.invoke).toHaveBeenCalledWith(`th:${name}`, req);
      expect(r).toEqual({ ok: true, value: { channel: `th:${name}`, req } });
    }
  });

  it('pickCapture invokes th:dialog.open; pathForFile uses webUtils.getPathForFile', async () => {
    h.invoke.mockClear();
    await bridge['pickCapture']!();
    expect(h.invoke).toHaveBeenCalledWith('th:dialog.open');
    const file = { name: 'a.pcap' };
    h.paths.set(file, '/evidence/a.pcap');
    expect(bridge['pathForFile']!(file)).toBe('/evidence/a.pcap');
    expect(bridge['pathForFile']!({ name: 'pasted' })).toBeNull();
  });

  it('buffers events that arrive before the first subscriber, then passes only the data', async () => {
    push({ type: 'shell.open', path: '/evidence/early.pcap' });
    const seen: unknown[][] = [];
    const off = bridge['onEvent']!((...args: unknown[]) => seen.push(args)) as () => void;
    expect(seen).toEqual([]);
    await new Promise((r) => setTimeout(r, 5));
    expect(seen).toEqual([[{ type: 'shell.open', path: '/evidence/early.pcap' }]]);
    push({ type: 'ingest.done', path: '/e.pcap', captureId: 2 });
    expect(seen.at(-1)).toEqual([{ type: 'ingest.done', path: '/e.pcap', captureId: 2 }]);
    off();
    const n = seen.length;
    const second: unknown[] = [];
    const off2 = bridge['onEvent']!((e: unknown) => second.push(e)) as () => void;
    push({ type: 'shell.theme' });
    expect(seen.length).toBe(n);
    expect(second).toEqual([{ type: 'shell.theme' }]);
    off2();
  });

  it('one throwing subscriber does not starve the others', () => {
    const got: unknown[] = [];
    const a = bridge['onEvent']!(() => {
      throw new Error('boom');
    }) as () => void;
    const b = bridge['onEvent']!((e: unknown) => got.push(e)) as () => void;
    push({ type: 'shell.close' });
    expect(got).toEqual([{ type: 'shell.close' }]);
    a();
    b();
  });

  it('has no runtime import but electron (a sandboxed preload cannot load other modules)', () => {
    const src = readFileSync(preloadSource, 'utf8');
    const runtime = [...src.matchAll(/^import\s+(?!type\b)[^;]*?from\s+'([^']+)'/gm)].map((m) => m[1]);
    expect(runtime).toEqual(['electron']);
    expect(src).not.toMatch(/\brequire\(/);
  });
});
