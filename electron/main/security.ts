/**
 * The shell's security rules, one place, each citing the item of Electron's security
 * checklist (https://www.electronjs.org/docs/latest/tutorial/security, "Checklist: Security
 * Recommendations", items numbered as there) it implements. The renderer shows strings taken
 * from hostile captures, so it is treated like a web page from an untrusted origin: no Node,
 * no navigation, no network, no permissions.
 */
import type { App, Session, WebContents, WebPreferences } from 'electron';

/** The renderer's origin: a custom privileged scheme, never file:// (checklist item 18). */
export const APP_SCHEME = 'app';
export const APP_HOST = 'tracehound';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_START_URL = `${APP_ORIGIN}/index.html`;

/**
 * Content-Security-Policy sent with every app:// response (checklist item 7). `style-src
 * 'self'` still lets React and vis-network set styles through the CSSOM (element.style),
 * which CSP does not govern; it refuses `<style>` blocks and `style="..."` markup. Images may
 * be data:/blob: because vis-network and canvas exports produce them locally.
 */
export const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; " +
  "font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** webPreferences of every window the shell opens. */
export function secureWebPreferences(preload: string): WebPreferences {
  return {
    // Item 3: context isolation, so page scripts never share globals with the preload.
    contextIsolation: true,
    // Item 4: process sandboxing; the preload gets only Electron's sandboxed module subset.
    sandbox: true,
    // Item 2: no Node.js integration for remote-or-hostile content, in frames and workers.
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    // Item 6: never disable webSecurity (also in development).
    webSecurity: true,
    // Item 8: no mixed content.
    allowRunningInsecureContent: false,
    // Item 12: no <webview> at all (will-attach-webview is refused as well).
    webviewTag: false,
    // Not a checklist item: the spellchecker may download dictionaries; we are offline.
    spellcheck: false,
    preload,
  };
}

/** Parses a URL, or null: hostile or broken URLs must never throw inside a handler. */
function parseUrl(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/**
 * True when `url` belongs to our renderer origin. `URL.origin` is "null" for non-special
 * schemes such as app:, so scheme and host are compared directly.
 */
export function isAppUrl(url: string): boolean {
  const u = parseUrl(url);
  return u !== null && u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST && u.username === '' && u.password === '';
}

export interface RequestDecision {
  cancel: boolean;
}

export interface RequestFilterOptions {
  /** Dev tools are open (unpackaged builds only): their devtools:// pages must load. */
  devToolsOpen: () => boolean;
  /** Records a refused request; the URL is given without query or fragment. */
  onRefused: (what: { url: string; method: string; resourceType: string }) => void;
}

/** A URL for the refusal log: scheme, host and path only (queries may carry captured data). */
export function redactUrl(url: string): string {
  const u = parseUrl(url);
  if (!u) return '(unparseable url)';
  if (u.protocol === 'data:' || u.protocol === 'blob:') return `${u.protocol}…`;
  // MAX_LOGGED_URL: a path can be made arbitrarily long; the log line stays bounded.
  const MAX_LOGGED_URL = 512;
  const s = `${u.protocol}//${u.host}${u.pathname}`;
  return s.length > MAX_LOGGED_URL ? `${s.slice(0, MAX_LOGGED_URL)}…` : s;
}

/**
 * The offline guarantee: every request whose scheme is not app: is cancelled (checklist
 * item 1, "only load secure content", taken to its end for an air-gapped tool). Exceptions:
 * devtools: while dev tools are open, and data:/blob: images (CSP img-src allows them).
 */
export function decideRequest(
  details: { url: string; method: string; resourceType: string },
  opts: RequestFilterOptions,
): RequestDecision {
  const u = parseUrl(details.url);
  const scheme = u?.protocol ?? '';
  let allow = false;
  if (u && scheme === `${APP_SCHEME}:`) allow = isAppUrl(details.url);
  else if (scheme === 'devtools:') allow = opts.devToolsOpen();
  else if (scheme === 'data:' || scheme === 'blob:') allow = details.resourceType === 'image';
  if (!allow) opts.onRefused({ url: redactUrl(details.url), method: details.method, resourceType: details.resourceType });
  return { cancel: !allow };
}

/** Installs the request filter and denies every permission on a session. */
export function hardenSession(session: Session, opts: RequestFilterOptions): void {
  session.webRequest.onBeforeRequest({ urls: ['<all_urls>'] }, (details, callback) => {
    callback(decideRequest(details, opts));
  });
  // Item 5: handle session permission requests — the workbench needs none of them.
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.setDevicePermissionHandler(() => false);
}

/**
 * Navigation and window rules for every WebContents (checklist items 12–14). Installed from
 * app 'web-contents-created' so no WebContents escapes them.
 */
export function hardenWebContents(contents: WebContents): void {
  // Item 13: disable or limit navigation — only within our own origin.
  contents.on('will-navigate', (event) => {
    if (!isAppUrl(event.url)) event.preventDefault();
  });
  contents.on('will-redirect', (event) => {
    if (!isAppUrl(event.url)) event.preventDefault();
  });
  // Item 14: disable or limit creation of new windows — never any.
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  // Item 12: verify WebView options before creation — we refuse every webview.
  contents.on('will-attach-webview', (event) => event.preventDefault());
}

/** Applies hardenWebContents to every WebContents the app ever creates. */
export function hardenApp(app: App): void {
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents));
}
