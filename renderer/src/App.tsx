/**
 * The workbench shell: start screen until a capture is open, then the top bar (open, filter,
 * language, theme, help), the tab strip (Packets + the views in views/index.ts), the packet
 * list over the detail tree and hex pane, and the status bar. Every cross-view action is a
 * Pivot (views/types.ts). View state lives here; bulk data stays in the host and is paged.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { ApiError, ApiEvent, ShellEvent } from '../../shared/api.js';
import type { CaptureInfo, FrameDetail, IngestProgress, PacketRow, TreeNode } from '../../shared/model.js';
import { field as registryField } from '../../shared/fields.js';
import type { Host } from './api/client.js';
import { ContextMenu, type MenuItem } from './components/ContextMenu.js';
import { DetailTree, findField } from './components/DetailTree.js';
import { CommentDialog, GotoDialog, HelpPanel } from './components/Dialogs.js';
import { FilterBar, type FilterBarHandle } from './components/FilterBar.js';
import { HexPane } from './components/HexPane.js';
import { PacketList, type PacketListHandle } from './components/PacketList.js';
import { ErrorBanner, IngestProgressView, StartScreen } from './components/StartScreen.js';
import { formatNumber, isLang, makeT } from './i18n/index.js';
import { cellAddress, cellExpression, combineFilter, PF_IS_TCP, treeNodeExpression, type ColumnId } from './lib/filter-expr.js';
import { readPref, writePref } from './lib/storage.js';
import { parseEpochText, type TimeMode } from './lib/time-format.js';
import { PacketSource } from './state/packet-source.js';
import { VIEWS } from './views/index.js';
import { PIVOT_VIEW_IDS, type Lang, type Pivot, type ViewDef } from './views/types.js';

export type Theme = 'light' | 'dark';
const isTheme = (v: unknown): v is Theme => v === 'light' || v === 'dark';
const isTimeMode = (v: unknown): v is TimeMode => v === 'absolute' || v === 'relative' || v === 'delta';

interface OpenCapture {
  id: number;
  info: CaptureInfo;
}

interface MenuState {
  x: number;
  y: number;
  items: MenuItem[];
}

interface OpenView {
  id: string;
  initial?: unknown;
  /** Bumped on each pivot so the view remounts with its new `initial`. */
  nonce: number;
}

/** Picks the view answering a pivot: one that declares it, else a conventional id. */
export function viewForPivot(views: readonly ViewDef[], kind: 'follow' | 'host'): ViewDef | undefined {
  return views.find((v) => v.handles?.includes(kind)) ?? views.find((v) => PIVOT_VIEW_IDS[kind].includes(v.id));
}

export interface AppProps {
  host: Host;
  /** A capture the host already opened (page URL `capture=`). */
  initialCapture?: number | null;
  views?: readonly ViewDef[];
}

export function App({ host, initialCapture = null, views = VIEWS }: AppProps) {
  const api = host.api;
  const [lang, setLang] = useState<Lang>(() => readPref('lang', isLang, navigatorLang()));
  const [theme, setTheme] = useState<Theme>(() => readPref('theme', isTheme, prefersDark() ? 'dark' : 'light'));
  const t = useMemo(() => makeT(lang), [lang]);
  useEffect(() => {
    writePref('lang', lang);
    document.documentElement.lang = lang;
  }, [lang]);
  useEffect(() => {
    writePref('theme', theme);
    document.documentElement.dataset.theme = theme;
  }, [theme]);

  // ---- capture lifecycle ----
  const [capture, setCapture] = useState<OpenCapture | null>(null);
  const [opening, setOpening] = useState<string | null>(null);
  const [progress, setProgress] = useState<IngestProgress | null>(null);
  const [openError, setOpenError] = useState<ApiError | null>(null);
  const [bannerClosed, setBannerClosed] = useState(false);
  const [showStart, setShowStart] = useState(false);
  const [dropMessage, setDropMessage] = useState<string | null>(null);
  const openingRef = useRef<string | null>(null);

  // Host events (ingest progress; in Electron also menus and files opened from the system)
  // are handled by one subscription below, once the handlers it calls exist.

  const openPath = useCallback(
    async (path: string) => {
      openingRef.current = path;
      setOpening(path);
      setProgress(null);
      setOpenError(null);
      const r = await api['capture.open']({ path });
      openingRef.current = null;
      setOpening(null);
      if (!r.ok) {
        setOpenError(r.error);
        return;
      }
      setCapture({ id: r.value.captureId, info: r.value.capture });
      setShowStart(false);
      setBannerClosed(false);
    },
    [api],
  );

  useEffect(() => {
    if (initialCapture === null) return;
    void api['capture.info']({ captureId: initialCapture }).then((r) => {
      if (r.ok) setCapture({ id: initialCapture, info: r.value });
      else setOpenError(r.error);
    });
  }, [api, initialCapture]);

  // ---- filter and packet source ----
  const [filter, setFilter] = useState('');
  const [barNonce, setBarNonce] = useState(0);
  const [filterError, setFilterError] = useState<{ filter: string; error: ApiError } | null>(null);
  const [source, setSource] = useState<PacketSource | null>(null);
  const [version, setVersion] = useState(0);
  const [counting, setCounting] = useState(false);
  const [selected, setSelected] = useState<number | null>(null);
  const [selectedFrame, setSelectedFrame] = useState<number | null>(null);
  const list = useRef<PacketListHandle>(null);
  const filterBar = useRef<FilterBarHandle>(null);
  const selectedFrameRef = useRef<number | null>(null);
  selectedFrameRef.current = selectedFrame;

  const applyFilter = useCallback(
    async (f: string, cap: OpenCapture | null = capture) => {
      if (!cap) return;
      setCounting(true);
      const r = await api['packets.count']({ captureId: cap.id, filter: f });
      setCounting(false);
      if (!r.ok) {
        setFilterError({ filter: f, error: r.error });
        return;
      }
      setFilterError(null);
      setFilter(f);
      const src = new PacketSource(api, cap.id, f, r.value.count, cap.info.packets, () => setVersion((v) => v + 1));
      setSource((old) => {
        old?.dispose();
        return src;
      });
      setSelected(null);
      // Keep the selected frame selected when it still matches, as Wireshark does.
      const keep = selectedFrameRef.current;
      if (keep !== null && r.value.count > 0) {
        const at = await src.indexOfFrame(keep);
        if (!('code' in at) && at.index !== null) {
          setSelected(at.index);
          requestAnimationFrame(() => list.current?.scrollTo(at.index!));
        }
      }
    },
    [api, capture],
  );

  useEffect(() => {
    if (!capture) return;
    setFilter('');
    setSelectedFrame(null);
    selectedFrameRef.current = null;
    setMarked(new Set());
    void applyFilter('', capture);
    // Only a new capture resets the list (applyFilter changes with every capture object).
  }, [capture?.id]);

  const setBarFilter = (f: string) => {
    setBarNonce((n) => n + 1);
    void applyFilter(f);
  };

  // ---- selection and detail ----
  const [detail, setDetail] = useState<FrameDetail | null>(null);
  const [detailLoading, setDetailLoading] = useState(false);
  const [detailError, setDetailError] = useState<string | null>(null);
  const [expanded, setExpanded] = useState<Set<string>>(new Set());
  const [nodeKey, setNodeKey] = useState<string | null>(null);
  const [node, setNode] = useState<TreeNode | null>(null);
  const [marked, setMarked] = useState<Set<number>>(new Set());

  const selectedRow: PacketRow | undefined = selected !== null ? source?.row(selected) : undefined;
  useEffect(() => {
    if (selectedRow && selectedRow.frame !== selectedFrame) setSelectedFrame(selectedRow.frame);
  }, [selectedRow, selectedFrame]);
  useEffect(() => {
    if (selected !== null && source && !selectedRow) source.ensure(selected, selected);
  }, [selected, source, selectedRow]);

  useEffect(() => {
    if (!capture || selectedFrame === null) {
      setDetail(null);
      return;
    }
    let live = true;
    setDetailLoading(true);
    setDetailError(null);
    void api['frame.detail']({ captureId: capture.id, frame: selectedFrame }).then((r) => {
      if (!live) return;
      setDetailLoading(false);
      if (r.ok) setDetail(r.value);
      else {
        setDetail(null);
        setDetailError(r.error.message);
      }
      setNode(null);
      setNodeKey(null);
    });
    return () => {
      live = false;
    };
  }, [api, capture, selectedFrame]);

  const selectIndex = useCallback((i: number) => setSelected(i), []);
  const step = (dir: 1 | -1) => {
    if (!source || source.count === 0) return;
    const i = Math.max(0, Math.min(source.count - 1, (selected ?? -1) + dir));
    setSelected(i);
    list.current?.scrollTo(i);
  };

  // ---- go to frame, marks, comments ----
  const [dialog, setDialog] = useState<'none' | 'help' | 'goto' | 'comment'>('none');
  const [dialogError, setDialogError] = useState<string | null>(null);

  const gotoFrame = useCallback(
    async (frame: number) => {
      if (!source || !capture) return false;
      if (frame < 1 || frame > capture.info.packets) {
        setDialogError(t('goto.outOfRange', { frame, max: capture.info.packets }));
        return false;
      }
      const at = await source.indexOfFrame(frame);
      if ('code' in at) {
        setDialogError(at.message);
        return false;
      }
      if (at.index === null) {
        setDialogError(t('goto.filteredOut', { frame }));
        return false;
      }
      setSelected(at.index);
      list.current?.scrollTo(at.index);
      return true;
    },
    [source, capture, t],
  );

  const toggleMark = () => {
    if (selectedFrame === null) return;
    setMarked((m) => toggled(m, selectedFrame));
  };

  const saveComment = async (text: string) => {
    if (!capture || selectedFrame === null) return;
    const r = await api['frame.comment']({ captureId: capture.id, frame: selectedFrame, text });
    if (!r.ok) {
      setDialogError(r.error.message);
      return;
    }
    setDialog('none');
    const d = await api['frame.detail']({ captureId: capture.id, frame: selectedFrame });
    if (d.ok) setDetail(d.value);
  };

  // ---- views and pivots ----
  const [openViews, setOpenViews] = useState<OpenView[]>([]);
  const [activeTab, setActiveTab] = useState<string>('packets');
  const [notice, setNotice] = useState<string | null>(null);

  const openView = useCallback((id: string, initial?: unknown) => {
    setOpenViews((vs) => {
      const existing = vs.find((v) => v.id === id);
      if (!existing) return [...vs, { id, initial, nonce: 0 }];
      if (initial === undefined) return vs;
      return vs.map((v) => (v.id === id ? { id, initial, nonce: v.nonce + 1 } : v));
    });
    setActiveTab(id);
  }, []);

  // One subscription for every host event: ingest progress, and the desktop shell's menus and
  // opened files (Electron only).
  useEffect(
    () =>
      host.onEvent((raw) => {
        const e = raw as ApiEvent | ShellEvent;
        switch (e.type) {
          case 'ingest.progress':
            if (openingRef.current !== null) setProgress(e.progress);
            break;
          case 'shell.open':
            void openPath(e.path);
            break;
          case 'shell.close':
            setCapture(null);
            break;
          case 'shell.view':
            openView(e.view === 'hierarchy' ? 'protocol-hierarchy' : e.view);
            break;
          case 'shell.theme':
            setTheme((th) => (th === 'dark' ? 'light' : 'dark'));
            break;
          case 'shell.lang':
            setLang(e.lang);
            break;
          case 'shell.shortcuts':
            setDialog('help');
            break;
          default:
            break;
        }
      }),
    [host, openPath, openView],
  );

  const pivot = useCallback(
    (p: Pivot) => {
      switch (p.kind) {
        case 'filter':
          setActiveTab('packets');
          setBarFilter(combineFilter(filter, p.filter, p.mode));
          return;
        case 'frame':
          setActiveTab('packets');
          void gotoFrame(p.frame).then((ok) => !ok && setNotice(t('goto.filteredOut', { frame: p.frame })));
          return;
        case 'follow':
        case 'host': {
          const v = viewForPivot(views, p.kind);
          if (!v) {
            setNotice(t('pivot.noView'));
            return;
          }
          openView(v.id, p.kind === 'follow' ? { stream: p.stream } : { addr: p.addr });
        }
      }
    },
    [filter, gotoFrame, views, openView, t, applyFilter],
  );

  /** The TCP stream of a frame, from its detail tree (tcp.stream). */
  const streamOf = useCallback(
    async (frame: number): Promise<number | null> => {
      let d = detail?.frame === frame ? detail : null;
      if (!d && capture) {
        const r = await api['frame.detail']({ captureId: capture.id, frame });
        d = r.ok ? r.value : null;
      }
      const n = d ? findField(d.tree, 'tcp.stream') : null;
      return typeof n?.value === 'number' ? n.value : null;
    },
    [api, capture, detail],
  );

  const followSelected = async (frame: number | null) => {
    if (frame === null) return;
    const s = await streamOf(frame);
    if (s === null) setNotice(t('pivot.notTcp'));
    else pivot({ kind: 'follow', stream: s });
  };

  const [menu, setMenu] = useState<MenuState | null>(null);
  const filterItems = (expr: string | null): MenuItem[] => [
    { id: 'filter-replace', label: t('menu.filterOn'), disabled: !expr, onSelect: () => expr && pivot({ kind: 'filter', filter: expr, mode: 'replace' }) },
    { id: 'filter-and', label: t('menu.addAnd'), disabled: !expr, onSelect: () => expr && pivot({ kind: 'filter', filter: expr, mode: 'and' }) },
    { id: 'filter-or', label: t('menu.addOr'), disabled: !expr, onSelect: () => expr && pivot({ kind: 'filter', filter: expr, mode: 'or' }) },
    { id: 'filter-and-not', label: t('menu.addAndNot'), disabled: !expr, onSelect: () => expr && pivot({ kind: 'filter', filter: expr, mode: 'and-not' }) },
  ];
  const onCellMenu = (e: React.MouseEvent, row: PacketRow, column: ColumnId, index: number) => {
    e.preventDefault();
    setSelected(index);
    const addr = cellAddress(row, column);
    const tcp = (row.flags & PF_IS_TCP) !== 0;
    setMenu({
      x: e.clientX,
      y: e.clientY,
      items: [
        ...filterItems(cellExpression(row, column)),
        { id: 'follow', label: t('menu.follow'), disabled: !tcp, onSelect: () => void followSelected(row.frame) },
        { id: 'host', label: t('menu.showHost'), disabled: !addr, onSelect: () => addr && pivot({ kind: 'host', addr }) },
        { id: 'mark', label: marked.has(row.frame) ? t('menu.unmark') : t('menu.mark'), onSelect: () => setMarked((m) => toggled(m, row.frame)) },
        {
          id: 'comment',
          label: t('menu.comment'),
          onSelect: () => {
            setDialogError(null);
            setDialog('comment');
          },
        },
      ],
    });
  };
  const onNodeMenu = (e: React.MouseEvent, n: TreeNode) => {
    e.preventDefault();
    const expr = treeNodeExpression(n);
    const def = n.field ? registryField(n.field) : undefined;
    const addr = def && (def.type === 'ipv4' || def.type === 'ipv6') && typeof n.value === 'string' ? n.value : null;
    const stream = detail ? findField(detail.tree, 'tcp.stream') : null;
    setMenu({
      x: e.clientX,
      y: e.clientY,
      items: [
        ...filterItems(expr),
        { id: 'follow', label: t('menu.follow'), disabled: typeof stream?.value !== 'number', onSelect: () => typeof stream?.value === 'number' && pivot({ kind: 'follow', stream: stream.value }) },
        { id: 'host', label: t('menu.showHost'), disabled: !addr, onSelect: () => addr && pivot({ kind: 'host', addr }) },
      ],
    });
  };

  // ---- time column ----
  const [timeMode, setTimeMode] = useState<TimeMode>(() => readPref('timeMode', isTimeMode, 'relative'));
  useEffect(() => writePref('timeMode', timeMode), [timeMode]);
  const first = useMemo(() => parseEpochText(capture?.info.firstTs), [capture]);

  // ---- splits ----
  const [listHeight, setListHeight] = useState(() =>
    readPref('listHeight', (v): v is number => typeof v === 'number' && v > 60 && v < 4000, Math.max(200, Math.round((typeof window !== 'undefined' ? window.innerHeight : 800) * 0.45))),
  );
  const [detailWidth, setDetailWidth] = useState(() => readPref('detailWidth', (v): v is number => typeof v === 'number' && v > 10 && v < 90, 55));
  const drag = (kind: 'h' | 'v') => (e: React.PointerEvent) => {
    e.preventDefault();
    const startY = e.clientY;
    const startX = e.clientX;
    const h0 = listHeight;
    const w0 = detailWidth;
    const width = (e.currentTarget.parentElement?.clientWidth ?? window.innerWidth) || 1;
    const move = (m: PointerEvent) => {
      if (kind === 'h') setListHeight(Math.max(80, Math.min(window.innerHeight - 160, h0 + m.clientY - startY)));
      else setDetailWidth(Math.max(15, Math.min(85, w0 + ((m.clientX - startX) / width) * 100)));
    };
    const up = () => {
      window.removeEventListener('pointermove', move);
      window.removeEventListener('pointerup', up);
    };
    window.addEventListener('pointermove', move);
    window.addEventListener('pointerup', up);
  };
  useEffect(() => writePref('listHeight', listHeight), [listHeight]);
  useEffect(() => writePref('detailWidth', detailWidth), [detailWidth]);

  // ---- keyboard ----
  const keyState = useRef({ dialog, menu, selectedFrame, step, toggleMark, followSelected, activeTab });
  keyState.current = { dialog, menu, selectedFrame, step, toggleMark, followSelected, activeTab };
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const s = keyState.current;
      const ctrl = e.ctrlKey || e.metaKey;
      const target = e.target as HTMLElement | null;
      const typing = !!target && (target.tagName === 'INPUT' || target.tagName === 'TEXTAREA' || target.tagName === 'SELECT' || target.isContentEditable);
      const done = () => {
        e.preventDefault();
        e.stopPropagation();
      };
      if (e.key === 'F1' || (ctrl && e.key === '/')) {
        done();
        setDialog((d) => (d === 'help' ? 'none' : 'help'));
      } else if (e.key === 'Escape') {
        if (s.menu) setMenu(null);
        else if (s.dialog !== 'none') setDialog('none');
        else return;
        done();
      } else if ((ctrl && e.key.toLowerCase() === 'f') || (!typing && !ctrl && e.key === '/')) {
        done();
        setActiveTab('packets');
        filterBar.current?.focus();
      } else if (ctrl && e.key.toLowerCase() === 'g') {
        done();
        setDialogError(null);
        setDialog('goto');
      } else if (ctrl && e.key === 'ArrowDown') {
        done();
        s.step(1);
      } else if (ctrl && e.key === 'ArrowUp') {
        done();
        s.step(-1);
      } else if (ctrl && !e.altKey && e.key.toLowerCase() === 'm') {
        done();
        s.toggleMark();
      } else if (ctrl && e.altKey && e.key.toLowerCase() === 'c') {
        done();
        if (s.selectedFrame !== null) {
          setDialogError(null);
          setDialog('comment');
        }
      } else if (ctrl && e.key.toLowerCase() === 't') {
        // Ctrl+T, and Wireshark's Ctrl+Alt+Shift+T (a browser keeps plain Ctrl+T for itself).
        done();
        void s.followSelected(s.selectedFrame);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  // ---- drag and drop ----
  const onDrop = (e: React.DragEvent) => {
    e.preventDefault();
    const file = e.dataTransfer.files[0];
    if (!file) return;
    const path = host.pathForFile(file);
    if (path) {
      setDropMessage(null);
      void openPath(path);
    } else setDropMessage(t('start.dropBrowser'));
  };

  const visibleViews = views.filter((v) => openViews.some((o) => o.id === v.id));
  const commentNode = detail ? findField(detail.tree, 'frame.comment') : null;
  const capStatus = capture?.info.status;
  const damaged = capStatus === 'truncated' || capStatus === 'damaged' || capStatus === 'cancelled';

  const topBar = (
    <header className="top-bar">
      <button
        type="button"
        data-testid="open-button"
        aria-label={t('top.open')}
        title={t('top.open')}
        onClick={() => {
          setOpenError(null);
          setShowStart(true);
        }}
      >
        {t('top.open')}
      </button>
      <div className="top-filter">
        {capture && !showStart && <FilterBar ref={filterBar} applied={filter} nonce={barNonce} onApply={(f) => void applyFilter(f)} serverError={filterError} t={t} disabled={counting} />}
      </div>
      <select data-testid="lang-switch" aria-label={t('top.language')} value={lang} onChange={(e) => isLang(e.target.value) && setLang(e.target.value)}>
        <option value="en">English</option>
        <option value="zh-CN">简体中文</option>
      </select>
      <button type="button" data-testid="theme-switch" aria-label={t('top.theme')} title={t('top.theme')} onClick={() => setTheme(theme === 'dark' ? 'light' : 'dark')}>
        {theme === 'dark' ? '☀' : '☾'}
      </button>
      <button type="button" data-testid="help-button" aria-label={t('top.help')} title={t('top.help')} onClick={() => setDialog('help')}>
        ?
      </button>
    </header>
  );

  return (
    <div className="app" onDragOver={(e) => e.preventDefault()} onDrop={onDrop} data-testid="app">
      {topBar}
      {dropMessage && (
        <div className="banner banner-warn" role="alert" data-testid="drop-message">
          {dropMessage}
          <button type="button" className="banner-close" aria-label={t('common.close')} onClick={() => setDropMessage(null)}>
            ✕
          </button>
        </div>
      )}
      {notice && (
        <div className="banner banner-info" role="status" data-testid="notice">
          {notice}
          <button type="button" className="banner-close" aria-label={t('common.close')} onClick={() => setNotice(null)}>
            ✕
          </button>
        </div>
      )}
      {!capture || showStart ? (
        <main className="start-main">
          {showStart && capture && (
            <button type="button" className="linklike back" onClick={() => setShowStart(false)}>
              {t('start.back')}
            </button>
          )}
          <StartScreen api={api} t={t} lang={lang} opening={opening} progress={progress} error={openError} onOpen={(p) => void openPath(p)} onCancel={() => void api['capture.cancel']({})} />
        </main>
      ) : (
        <>
          {damaged && !bannerClosed && (
            <div className="banner banner-warn" role="alert" data-testid="capture-banner">
              <strong>{t(`capture.status.${capStatus}`)}</strong> {capture.info.stopReason ?? ''}
              {capture.info.stopOffset !== null && <span> {t('error.atOffset', { offset: capture.info.stopOffset })}</span>}
              <button type="button" className="banner-close" aria-label={t('common.close')} onClick={() => setBannerClosed(true)}>
                ✕
              </button>
            </div>
          )}
          {opening !== null && <IngestProgressView progress={progress} path={opening} t={t} lang={lang} onCancel={() => void api['capture.cancel']({})} />}
          {openError && <ErrorBanner error={openError} t={t} onClose={() => setOpenError(null)} />}
          {source?.error && <ErrorBanner error={source.error} t={t} />}
          <nav className="tab-strip" role="tablist" aria-label={t('tabs.label')} data-testid="view-tabs">
            <button type="button" role="tab" data-testid="tab-packets" aria-selected={activeTab === 'packets'} className={activeTab === 'packets' ? 'active' : ''} onClick={() => setActiveTab('packets')}>
              {t('tabs.packets')}
            </button>
            {views.map((v) => (
              <button key={v.id} type="button" role="tab" data-testid={`tab-${v.id}`} aria-selected={activeTab === v.id} className={activeTab === v.id ? 'active' : ''} onClick={() => openView(v.id)}>
                {t(v.titleKey)}
              </button>
            ))}
          </nav>
          <main className="main-area">
            <section className="packets-tab" hidden={activeTab !== 'packets'} aria-label={t('tabs.packets')}>
              <div className="list-pane" style={{ height: listHeight }}>
                <PacketList
                  ref={list}
                  source={source}
                  version={version}
                  selected={selected}
                  onSelect={selectIndex}
                  marked={marked}
                  timeMode={timeMode}
                  onTimeMode={setTimeMode}
                  first={first}
                  onCellMenu={onCellMenu}
                  t={t}
                />
              </div>
              <div className="splitter-h" role="separator" aria-orientation="horizontal" aria-label={t('layout.resize')} onPointerDown={drag('h')} />
              <div className="lower-panes">
                <div className="detail-wrap" style={{ width: `${detailWidth}%` }}>
                  <DetailTree
                    detail={detail}
                    loading={detailLoading}
                    error={detailError}
                    expanded={expanded}
                    onExpanded={setExpanded}
                    selectedKey={nodeKey}
                    onSelectNode={(k, n) => {
                      setNodeKey(k);
                      setNode(n);
                    }}
                    onNodeMenu={onNodeMenu}
                    t={t}
                  />
                </div>
                <div className="splitter-v" role="separator" aria-orientation="vertical" aria-label={t('layout.resize')} onPointerDown={drag('v')} />
                <div className="hex-wrap">
                  <HexPane hex={detail?.hex ?? null} offset={node?.offset ?? -1} length={node?.length ?? 0} t={t} />
                </div>
              </div>
            </section>
            {visibleViews.map((v) => {
              const o = openViews.find((x) => x.id === v.id)!;
              const View = v.component;
              return (
                <section key={`${v.id}:${o.nonce}`} className="view-tab" hidden={activeTab !== v.id} data-testid={`view-${v.id}`} aria-label={t(v.titleKey)}>
                  <View api={api} captureId={capture.id} t={t} lang={lang} pivot={pivot} initial={o.initial} />
                </section>
              );
            })}
          </main>
          <footer className="status-bar" data-testid="status-bar">
            <span className="status-file" title={capture.info.path}>
              {capture.info.path}
            </span>
            <span>{t('status.packets', { n: formatNumber(lang, capture.info.packets) })}</span>
            <span>
              {t('status.displayed')}{' '}
              <span data-testid="packet-count" data-count={counting || !source ? undefined : source.count}>
                {counting || !source ? '…' : formatNumber(lang, source.count)}
              </span>
            </span>
            {marked.size > 0 && <span data-testid="marked-count">{t('status.marked', { n: marked.size })}</span>}
            {selectedFrame !== null && <span data-testid="selected-frame">{t('status.selected', { frame: selectedFrame })}</span>}
            {filter && <span className="status-filter">{t('status.filter', { filter })}</span>}
          </footer>
        </>
      )}
      {menu && <ContextMenu x={menu.x} y={menu.y} items={menu.items} label={t('menu.label')} onClose={() => setMenu(null)} />}
      {dialog === 'help' && <HelpPanel t={t} onClose={() => setDialog('none')} />}
      {dialog === 'goto' && capture && (
        <GotoDialog
          t={t}
          error={dialogError}
          onClose={() => setDialog('none')}
          onGo={(n) =>
            void gotoFrame(n).then((ok) => {
              if (ok) setDialog('none');
            })
          }
        />
      )}
      {dialog === 'comment' && selectedFrame !== null && (
        <CommentDialog
          t={t}
          frame={selectedFrame}
          initial={typeof commentNode?.value === 'string' ? commentNode.value : ''}
          error={dialogError}
          onClose={() => setDialog('none')}
          onSave={(text) => void saveComment(text)}
        />
      )}
    </div>
  );
}

function toggled(s: ReadonlySet<number>, v: number): Set<number> {
  const next = new Set(s);
  if (next.has(v)) next.delete(v);
  else next.add(v);
  return next;
}

function navigatorLang(): Lang {
  const l = typeof navigator !== 'undefined' ? navigator.language : 'en';
  return l.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}

function prefersDark(): boolean {
  try {
    return typeof matchMedia === 'function' && matchMedia('(prefers-color-scheme: dark)').matches;
  } catch {
    return false;
  }
}
