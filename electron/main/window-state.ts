/**
 * The main window's size, position and maximised state, remembered across runs in
 * `<userData>/window-state.json`. The file is written atomically (temporary file + rename)
 * so a crash mid-write leaves the previous state, and read defensively: anything odd falls
 * back to defaults, and a position that is off every current display is dropped (a monitor
 * was unplugged since).
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';

export interface WindowState {
  width: number;
  height: number;
  x?: number;
  y?: number;
  maximized: boolean;
}

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export const DEFAULT_STATE: WindowState = { width: 1280, height: 800, maximized: false };
/** Smallest usable workbench (packet list + detail); also the window's minimum size. */
export const MIN_WIDTH = 800;
export const MIN_HEIGHT = 500;
/** Larger than any real display arrangement: a bigger value is a corrupt file. */
const MAX_DIMENSION = 32_768;
/** Pixels of the title bar that must lie on a display for the window to be reachable. */
const MIN_VISIBLE = 64;

const isInt = (v: unknown, lo: number, hi: number): v is number => typeof v === 'number' && Number.isInteger(v) && v >= lo && v <= hi;

/** Validates a parsed state against the current displays' work areas. */
export function sanitizeState(raw: unknown, displays: readonly Rect[]): WindowState {
  if (typeof raw !== 'object' || raw === null) return { ...DEFAULT_STATE };
  const r = raw as Record<string, unknown>;
  const out: WindowState = {
    width: isInt(r['width'], MIN_WIDTH, MAX_DIMENSION) ? r['width'] : DEFAULT_STATE.width,
    height: isInt(r['height'], MIN_HEIGHT, MAX_DIMENSION) ? r['height'] : DEFAULT_STATE.height,
    maximized: r['maximized'] === true,
  };
  const x = r['x'];
  const y = r['y'];
  if (isInt(x, -MAX_DIMENSION, MAX_DIMENSION) && isInt(y, -MAX_DIMENSION, MAX_DIMENSION)) {
    const visible = displays.some(
      (d) => x + out.width - MIN_VISIBLE >= d.x && x + MIN_VISIBLE <= d.x + d.width && y >= d.y && y + MIN_VISIBLE <= d.y + d.height,
    );
    if (visible) {
      out.x = x;
      out.y = y;
    }
  }
  return out;
}

export function loadWindowState(file: string, displays: readonly Rect[]): WindowState {
  try {
    return sanitizeState(JSON.parse(readFileSync(file, 'utf8')) as unknown, displays);
  } catch {
    return { ...DEFAULT_STATE };
  }
}

/** Writes the state atomically; failure (read-only profile) is ignored. */
export function saveWindowState(file: string, state: WindowState): void {
  const tmp = `${file}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, JSON.stringify(state));
    renameSync(tmp, file);
  } catch {
    // Remembering the window is a convenience.
  }
}
