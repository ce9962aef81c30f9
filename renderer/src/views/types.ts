/**
 * The contract between the workbench shell (App.tsx) and the secondary views registered in
 * views/index.ts (statistics, follow stream, protocol views, connections graph).
 *
 * A view gets the API client, the open capture, the translation function and a `pivot`
 * callback through which it asks the shell to change the packet list (apply a filter), open
 * another view (follow a stream, show a host) or select a frame. Views never reach into the
 * shell's state directly: every cross-view action is a Pivot.
 */
import type { ComponentType } from 'react';
import type { ApiHandlers } from '../../../shared/api.js';

/** The API a view talks to: one async function per contract entry (see shared/api.ts). */
export type ApiClient = ApiHandlers;

export type Lang = 'en' | 'zh-CN';

/** Translates a dictionary key; `{name}` placeholders are filled from `vars`. */
export type TFunction = (key: string, vars?: Record<string, string | number>) => string;

/** A request from a view (or a context menu) to the shell. */
export type Pivot =
  /** Change the display filter: replace it, or combine the expression with the current one. */
  | { kind: 'filter'; filter: string; mode: 'replace' | 'and' | 'or' | 'and-not' }
  /** Open the follow-stream view on a TCP stream (tcp.stream). */
  | { kind: 'follow'; stream: number }
  /** Open the connections graph centred on an address. */
  | { kind: 'host'; addr: string }
  /** Select a frame in the packet list (and show its detail). */
  | { kind: 'frame'; frame: number };

export interface ViewProps {
  api: ApiClient;
  captureId: number;
  t: TFunction;
  lang: Lang;
  pivot: (p: Pivot) => void;
  /**
   * Set when the shell opened the view through a pivot: `{ stream }` for 'follow',
   * `{ addr }` for 'host'. Views must accept undefined (opened from the tab strip).
   */
  initial?: unknown;
}

export interface ViewDef {
  id: string;
  /** i18n key of the tab title (in VIEW_STRINGS). */
  titleKey: string;
  component: ComponentType<ViewProps>;
  /**
   * Which pivots this view answers: the shell opens it with `initial = { stream }` for a
   * 'follow' pivot and `initial = { addr }` for a 'host' pivot. When no view declares it,
   * the shell falls back to the ids in PIVOT_VIEW_IDS.
   */
  handles?: readonly ('follow' | 'host')[];
}

/** Fallback view ids for pivots when no ViewDef declares `handles`. */
export const PIVOT_VIEW_IDS: { follow: readonly string[]; host: readonly string[] } = {
  follow: ['follow', 'follow-stream'],
  host: ['graph', 'connections', 'connections-graph'],
};
