/**
 * The workbench UI end to end: the built renderer served by the browser host (in-process,
 * 127.0.0.1:0), driven in Debian's Chromium by playwright-core.
 *
 *  1. The drill (../shared/scenarios): filter counts against tshark run live, detail tree and
 *     hex pane, Follow stream on the Spring4Shell request, the SMB view's successful brute
 *     force, the connections graph from the exploited server, the Chinese UI.
 *  2. Hostile strings: a capture whose URIs, headers, DNS names, SNI and SMB names are markup
 *     and script, visited through every view that shows them; nothing may run, no element
 *     from a payload may exist, and the payload text must still be shown.
 *  3. The keyboard: Ctrl+F and '/', Enter, Ctrl+G, F1, Esc.
 *
 * The describes run one after another in this one file: one Chromium at a time on a 2-core
 * machine. Each ends by checking that the page logged no error or CSP violation, opened no
 * dialog and requested nothing but the server's own origin. Screenshots: test-output/e2e/.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeT } from '../../renderer/src/i18n/index.js';
import { SCENARIO_DIR, hasTshark, tmpDir } from '../support/shared.js';
import {
  appliedCount,
  applyFilter,
  injected,
  launchBrowser,
  SKIP_BROWSER,
  startWorkbench,
  tsharkCount,
  UI_TIMEOUT,
  type Browser,
  type Workbench,
} from './harness.js';
import { DNS_NAME, HOSTS, PAYLOAD, SMB, SNI, URI, writeHostileCapture } from './hostile-capture.js';

const DRILL = join(SCENARIO_DIR, 'spring4shell-smb-c2-drill.pcapng');
const DRILL_TRUTH = join(SCENARIO_DIR, 'spring4shell-smb-c2-drill.truth.json');
const SKIP_DRILL =
  SKIP_BROWSER ||
  (existsSync(DRILL) && existsSync(DRILL_TRUTH) ? '' : `skipped: ${DRILL} (and its .truth.json) is absent; it is in ../shared on CI`);
const SKIP_TSHARK = hasTshark ? '' : '(skipped: tshark is not installed)';

/** What the end-of-describe check reports: everything the page should never have done. */
function misbehaviour(b: Browser): { foreign: string[]; problems: string[]; dialogs: string[] } {
  return { foreign: b.foreign, problems: b.problems, dialogs: b.dialogs };
}

/** All text of the elements `l` matches (none: ''); never waits, so it suits polling. */
const textOf = (l: Locator) => l.evaluateAll((els) => els.map((e) => e.textContent ?? '').join('\n'));

/** Waits until `l` shows `text` (as text: a payload rendered as markup would not match). */
async function shows(l: Locator, text: string): Promise<void> {
  await expect.poll(() => textOf(l), { timeout: UI_TIMEOUT, message: `text ${JSON.stringify(text)}` }).toContain(text);
}

async function hasAttr(l: Locator, name: string, value: string): Promise<void> {
  await expect
    .poll(() => l.evaluateAll((els, n) => els.map((e) => e.getAttribute(n)), name), { timeout: UI_TIMEOUT, message: `${name}=${value}` })
    .toEqual([value]);
}

async function counts(l: Locator, n: number, what = ''): Promise<void> {
  await expect.poll(() => l.count(), { timeout: UI_TIMEOUT, message: `count ${what}` }).toBe(n);
}

async function openTab(page: Page, id: string): Promise<void> {
  await page.getByTestId(`tab-${id}`).click();
  await page.getByTestId(`view-${id}`).waitFor({ state: 'visible', timeout: UI_TIMEOUT });
}

/** Coloured pixels on the graph canvas (vis-network draws only there). */
async function canvasInk(page: Page): Promise<number> {
  return page.evaluate(() => {
    const c = document.querySelector<HTMLCanvasElement>('[data-testid="graph-canvas"] canvas');
    const g = c?.getContext('2d');
    if (!c || !g || c.width === 0 || c.height === 0) return 0;
    const px = g.getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < px.length; i += 4) if (px[i + 3]! > 0 && (px[i]! < 200 || px[i + 1]! < 200 || px[i + 2]! < 200)) n++;
    return n;
  });
}

// ---- 1. the drill --------------------------------------------------------------------------

interface Truth {
  capture: { packets: number };
  roles: { attacker: string; exploited_server: string; c2: string; lateral_compromised: string[] };
  key_frames: { exploit_request: { frame: number; src: string; dst: string; dport: number; params: Record<string, string> } };
  smb_auth_attempts: {
    src: string;
    dst: string;
    user: string;
    domain: string;
    result: string;
    auth_request_frame: number;
    response_frame: number;
  }[];
}

describe.skipIf(SKIP_DRILL !== '')(`workbench e2e: the Spring4Shell drill ${SKIP_DRILL}`, () => {
  let truth: Truth;
  let wb: Workbench;
  let b: Browser;
  let page: Page;
  let server: string;
  let expected: { dst: Promise<number>; src: Promise<number> } | null = null;

  beforeAll(async () => {
    truth = JSON.parse(readFileSync(DRILL_TRUTH, 'utf8')) as Truth;
    server = truth.roles.exploited_server;
    if (hasTshark) {
      // tshark runs while the engine ingests and Chromium starts; the promises are awaited later.
      expected = { dst: tsharkCount(DRILL, `ip.dst == ${server}`), src: tsharkCount(DRILL, `ip.src == ${server}`) };
      expected.dst.catch(() => undefined);
      expected.src.catch(() => undefined);
    }
    wb = await startWorkbench(DRILL);
    b = await launchBrowser(wb.origin, 'drill');
    page = b.page;
  }, 120_000);

  afterAll(async () => {
    await b?.close();
    await wb?.close();
  }, 30_000);

  it('opens the drill from its capture= handle and lists every frame', async () => {
    expect(wb.server.captureId).toBeGreaterThan(0);
    await page.goto(wb.url);
    await page.getByTestId('packet-row').first().waitFor({ timeout: UI_TIMEOUT });
    expect(await appliedCount(page, '')).toBe(truth.capture.packets);
    expect(await page.getByTestId('packet-row').first().getAttribute('data-frame')).toBe('1');
    await b.shot('01-opened');
  }, 60_000);

  it.skipIf(!hasTshark)(
    `ip.dst and ip.src of the exploited server display tshark's counts ${SKIP_TSHARK}`,
    async () => {
      const dst = await applyFilter(page, `ip.dst == ${server}`);
      expect(await page.getByTestId('filter-status').getAttribute('class')).toMatch(/filter-status-valid/);
      await b.shot('02-ip-dst');
      expect(dst).toBe(await expected!.dst);
      const src = await applyFilter(page, `ip.src == ${server}`);
      await b.shot('03-ip-src');
      expect(src).toBe(await expected!.src);
      // Every listed row really is from the server.
      const sources = await page.locator('[data-testid="packet-row"][data-frame] .col-src').allTextContents();
      expect(sources.length).toBeGreaterThan(0);
      expect(new Set(sources)).toEqual(new Set([server]));
    },
    60_000,
  );

  it('a selected packet shows its detail tree and hex bytes, and a field highlights its bytes', async () => {
    await page.locator('[data-testid="packet-row"][data-frame]').nth(1).click();
    const detail = page.getByTestId('packet-detail');
    await detail.getByTestId('detail-node').first().waitFor({ timeout: UI_TIMEOUT });
    const ipNode = detail.locator('[data-testid="detail-node"][data-field="ip"]');
    await ipNode.dblclick();
    const src = detail.locator('[data-testid="detail-node"][data-field="ip.src"]');
    await src.click();
    await shows(src, server);
    const hex = page.getByTestId('hex-pane');
    await hex.locator('.hex-row').first().waitFor({ state: 'visible' });
    // ip.src is 4 bytes: the hex pane highlights exactly those.
    await hex.getByTestId('hex-highlight').first().waitFor({ state: 'visible' });
    const octets = server.split('.').map((o) => Number(o).toString(16).padStart(2, '0'));
    const lit = (await hex.getByTestId('hex-highlight').allTextContents()).join(' ');
    for (const o of octets) expect(lit).toContain(o);
    await b.shot('04-detail-hex');
  }, 60_000);

  it("follows the exploit request's TCP stream and shows the Spring4Shell parameters", async () => {
    const ex = truth.key_frames.exploit_request;
    const posts = await applyFilter(page, `http.request.method == "POST" && ip.dst == ${server}`);
    expect(posts).toBeGreaterThan(0);
    // Go to the exploit frame (Ctrl+G), then Follow from its context menu.
    await page.getByTestId('packet-list').focus();
    await page.keyboard.press('Control+g');
    await page.getByTestId('goto-input').fill(String(ex.frame));
    await page.getByTestId('goto-input').press('Enter');
    await page.getByTestId('goto-dialog').waitFor({ state: 'detached', timeout: UI_TIMEOUT });
    await shows(page.getByTestId('selected-frame'), String(ex.frame));
    const row = page.locator(`[data-testid="packet-row"][data-frame="${ex.frame}"]`);
    await hasAttr(row, 'aria-selected', 'true');
    await shows(row.locator('.col-info'), 'POST');
    await row.locator('.col-info').click({ button: 'right' });
    await page.getByTestId('context-menu').waitFor({ timeout: UI_TIMEOUT });
    await b.shot('05-context-menu');
    await page.getByTestId('menu-follow').click();
    const view = page.getByTestId('view-follow-stream');
    await view.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    const text = view.getByTestId('follow-stream-text');
    await shows(text, 'class.module.classLoader');
    const body = (await text.textContent()) ?? '';
    for (const name of Object.keys(ex.params)) expect(body).toContain(name);
    await shows(view.getByTestId('follow-stream-header'), `${ex.dst}:${ex.dport}`);
    await shows(view.getByTestId('follow-stream-header'), ex.src);
    await b.shot('06-follow-exploit');
  }, 60_000);

  it("the SMB view shows the compromised account's logon as a success among the failures", async () => {
    const hit = truth.smb_auth_attempts.find((a) => a.result === 'STATUS_SUCCESS' && truth.roles.lateral_compromised.includes(a.dst));
    expect(hit).toBeDefined();
    await openTab(page, 'smb');
    const rows = page.getByTestId('smb-session-row');
    await rows.first().waitFor({ timeout: UI_TIMEOUT });
    const success = rows.filter({ hasText: hit!.user }).and(page.locator('.thv-success'));
    await success.first().waitFor({ state: 'visible' });
    expect(await success.count()).toBe(1);
    const frame = await success.getByTestId('frame-link').textContent();
    expect([hit!.auth_request_frame, hit!.response_frame].map(String)).toContain(frame);
    // The brute force: every failed attempt on the account is a failure row.
    const failure = rows.filter({ hasText: hit!.user }).and(page.locator('.thv-failure'));
    expect(await failure.count()).toBe(truth.smb_auth_attempts.filter((a) => a.user === hit!.user && a.result !== 'STATUS_SUCCESS').length);
    // Highlighted: the success row is coloured differently from a failed attempt.
    const colour = (l: typeof success) => l.first().evaluate((e) => getComputedStyle(e).backgroundColor + getComputedStyle(e).color);
    expect(await colour(success)).not.toBe(await colour(failure));
    await success.first().scrollIntoViewIfNeeded();
    await b.shot('07-smb-success');
  }, 60_000);

  it('Show host on the server opens the connections graph with the C2 and the lateral host', async () => {
    await page.getByTestId('tab-packets').click();
    await applyFilter(page, `ip.src == ${server}`);
    const cell = page.locator('[data-testid="packet-row"][data-frame] .col-src').first();
    await shows(cell, server);
    await cell.click({ button: 'right' });
    await page.getByTestId('menu-host').click();
    const view = page.getByTestId('view-connections-graph');
    await view.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    expect(await view.getByTestId('graph-addr').inputValue()).toBe(server);
    const nodes = view.getByTestId('graph-node');
    await counts(view.locator(`[data-testid="graph-node"][data-addr="${server}"]`), 1);
    for (const addr of [truth.roles.c2, ...truth.roles.lateral_compromised]) {
      await counts(view.locator(`[data-testid="graph-node"][data-addr="${addr}"]`), 1, addr);
    }
    expect(await nodes.count()).toBeGreaterThanOrEqual(3);
    // vis-network has drawn the graph once its layout settled.
    await expect.poll(() => canvasInk(page), { timeout: UI_TIMEOUT }).toBeGreaterThan(200);
    await b.shot('08-graph');
  }, 60_000);

  it('switches the UI to Chinese', async () => {
    const zh = makeT('zh-CN');
    await page.getByTestId('tab-packets').click();
    await page.getByTestId('lang-switch').selectOption('zh-CN');
    await hasAttr(page.getByTestId('filter-input'), 'aria-label', zh('filter.label'));
    await shows(page.getByTestId('tab-packets'), zh('tabs.packets'));
    await shows(page.getByTestId('tab-connections-graph'), zh('views.title.graph'));
    await hasAttr(page.locator('html'), 'lang', 'zh-CN');
    expect(zh('filter.label')).not.toBe(makeT('en')('filter.label'));
    await b.shot('09-zh-CN');
  }, 30_000);

  it('logged no error or CSP violation, opened no dialog, and requested nothing but its own origin', () => {
    expect(b.requests.length).toBeGreaterThan(0);
    expect(misbehaviour(b)).toEqual({ foreign: [], problems: [], dialogs: [] });
  }, 5_000);
});

// ---- 2. hostile strings --------------------------------------------------------------------

describe.skipIf(SKIP_BROWSER !== '')(`workbench e2e: captured markup stays text ${SKIP_BROWSER}`, () => {
  const tmp = tmpDir('th-e2e-hostile-');
  const file = join(tmp.dir, 'hostile.pcap');
  let wb: Workbench;
  let b: Browser;
  let page: Page;

  const clean = async (where: string) => {
    const got = await injected(page, wb.origin);
    expect(got, where).toEqual({ pwned: undefined, handlerAttrs: [], imgX: 0, svgOnload: 0, foreignScripts: [], jsUrls: [], frames: 0 });
    expect(b.dialogs, where).toEqual([]);
  };

  beforeAll(async () => {
    writeHostileCapture(file);
    wb = await startWorkbench();
    b = await launchBrowser(wb.origin, 'hostile');
    page = b.page;
  }, 60_000);

  afterAll(async () => {
    await b?.close();
    await wb?.close();
    tmp.cleanup();
  }, 30_000);

  it('opens the capture through the open form', async () => {
    await page.goto(wb.url);
    await page.getByTestId('open-capture').waitFor({ timeout: UI_TIMEOUT });
    await page.getByTestId('open-path').fill(file);
    await page.getByTestId('open-submit').click();
    await page.getByTestId('packet-row').first().waitFor({ timeout: 30_000 });
    expect(await appliedCount(page, '')).toBe(45);
    await b.shot('01-opened');
  }, 60_000);

  it('packet list and detail tree show the payloads as text', async () => {
    const list = page.getByTestId('packet-list');
    await shows(list, URI.script);
    await shows(list, URI.svg);
    await shows(list, DNS_NAME.img);
    await shows(list, DNS_NAME.script);
    await clean('packet list');
    const request = page.locator('[data-testid="packet-row"]').filter({ hasText: URI.script }).first();
    await request.click();
    const detail = page.getByTestId('packet-detail');
    await detail.locator('[data-testid="detail-node"][data-field="http"]').dblclick();
    await shows(detail, PAYLOAD.svg);
    await shows(detail, PAYLOAD.img);
    await shows(detail, PAYLOAD.js);
    await page.getByTestId('hex-pane').locator('.hex-row').first().waitFor({ state: 'visible' });
    await clean('detail tree');
    await b.shot('02-list-detail');
  }, 60_000);

  it('follow stream shows requests and the HTML response as text', async () => {
    await page
      .locator('[data-testid="packet-row"]')
      .filter({ hasText: URI.script })
      .first()
      .locator('.col-info')
      .click({ button: 'right' });
    await page.getByTestId('menu-follow').click();
    const text = page.getByTestId('view-follow-stream').getByTestId('follow-stream-text');
    await shows(text, `GET ${URI.script} HTTP/1.1`);
    await shows(text, `User-Agent: ${PAYLOAD.svg}`);
    await shows(text, `<html><body>${PAYLOAD.script}${PAYLOAD.img}${PAYLOAD.alert}</body></html>`);
    await shows(text, `Location: ${PAYLOAD.js}`);
    await clean('follow stream');
    await b.shot('03-follow');
  }, 60_000);

  it('HTTP, DNS, TLS, SMB, credentials and objects views show the payloads as text', async () => {
    await openTab(page, 'http');
    const http = page.getByTestId('view-http');
    await shows(http, URI.script);
    await shows(http, PAYLOAD.img);
    await shows(http, PAYLOAD.svg);
    await clean('http view');
    await b.shot('04-http');
    // "Filter on this" writes the hostile Host as a quoted literal: it matches exactly its own request.
    const hostCell = http.locator('.thv-pivot').filter({ hasText: PAYLOAD.img }).first();
    await hostCell.getByTestId('pivot-button').click();
    await hostCell.getByTestId('pivot-filter').click();
    await page.locator('.packets-tab').waitFor({ state: 'visible' });
    const pivotFilter = await page.getByTestId('filter-input').inputValue();
    expect(pivotFilter).toMatch(/^http\.host == "/);
    expect(await appliedCount(page, pivotFilter)).toBe(1);
    await shows(page.locator('[data-testid="packet-row"][data-frame]'), URI.script);
    await clean('pivot filter');

    await openTab(page, 'dns');
    const dns = page.getByTestId('view-dns');
    await shows(dns, DNS_NAME.img);
    await shows(dns, DNS_NAME.script);
    await clean('dns view');
    await b.shot('05-dns');

    await openTab(page, 'tls');
    await shows(page.getByTestId('view-tls'), SNI);
    await clean('tls view');

    await openTab(page, 'smb');
    const smb = page.getByTestId('view-smb');
    await shows(smb, SMB.user);
    await shows(smb, SMB.share);
    await clean('smb view');
    await b.shot('06-smb');

    await openTab(page, 'credentials');
    await shows(page.getByTestId('view-credentials'), SMB.user);
    await clean('credentials view');

    await openTab(page, 'objects');
    await page.getByTestId('view-objects').locator('table, .thv-empty').first().waitFor({ timeout: UI_TIMEOUT });
    await clean('objects view');
    await b.shot('07-objects');
  }, 90_000);

  it('hosts and the connections graph show captured host names (NTLM workstation) as text', async () => {
    await openTab(page, 'hosts');
    const hosts = page.getByTestId('view-hosts');
    await shows(hosts, HOSTS.web);
    await shows(hosts, SMB.workstation);
    await clean('hosts view');
    await b.shot('08-hosts');

    await openTab(page, 'connections-graph');
    const graph = page.getByTestId('view-connections-graph');
    await graph.getByTestId('graph-addr').fill(HOSTS.client);
    await graph.getByTestId('graph-addr').press('Enter');
    await counts(graph.getByTestId('graph-node'), 5);
    await shows(graph.getByTestId('graph-nodes'), SMB.workstation);
    await expect.poll(() => canvasInk(page), { timeout: UI_TIMEOUT }).toBeGreaterThan(200);
    await clean('connections graph');
    await b.shot('09-graph');
  }, 60_000);

  it('ran nothing, logged no error or CSP violation, opened no dialog, and requested nothing but its own origin', async () => {
    await clean('end');
    expect(misbehaviour(b)).toEqual({ foreign: [], problems: [], dialogs: [] });
    expect(b.requests.every((u) => u.startsWith(`${wb.origin}/`))).toBe(true);
  }, 10_000);
});

// ---- 3. the keyboard -----------------------------------------------------------------------

describe.skipIf(SKIP_BROWSER !== '')(`workbench e2e: keyboard ${SKIP_BROWSER}`, () => {
  const tmp = tmpDir('th-e2e-keys-');
  const file = join(tmp.dir, 'keys.pcap');
  let wb: Workbench;
  let b: Browser;
  let page: Page;
  const focused = () => page.evaluate(() => document.activeElement?.getAttribute('data-testid') ?? document.activeElement?.tagName ?? null);

  beforeAll(async () => {
    writeHostileCapture(file);
    wb = await startWorkbench(file);
    b = await launchBrowser(wb.origin, 'keys');
    page = b.page;
    await page.goto(wb.url);
    await page.getByTestId('packet-row').first().waitFor({ timeout: UI_TIMEOUT });
  }, 60_000);

  afterAll(async () => {
    await b?.close();
    await wb?.close();
    tmp.cleanup();
  }, 30_000);

  it('Ctrl+F and / focus the filter, Enter applies it', async () => {
    await page.getByTestId('packet-list').focus();
    await page.keyboard.press('Control+f');
    await expect.poll(focused, { timeout: UI_TIMEOUT }).toBe('filter-input');
    await page.getByTestId('packet-list').focus();
    await expect.poll(focused, { timeout: UI_TIMEOUT }).toBe('packet-list');
    await page.keyboard.press('/');
    await expect.poll(focused, { timeout: UI_TIMEOUT }).toBe('filter-input');
    // The '/' that focused the bar is not typed into it.
    expect(await page.getByTestId('filter-input').inputValue()).toBe('');
    await page.keyboard.type('dns');
    await page.keyboard.press('Enter');
    expect(await appliedCount(page, 'dns')).toBe(4);
    await b.shot('01-filter');
  }, 30_000);

  it('Ctrl+G goes to a frame', async () => {
    await page.getByTestId('filter-clear').click();
    expect(await appliedCount(page, '')).toBe(45);
    await page.getByTestId('packet-list').focus();
    await page.keyboard.press('Control+g');
    await page.getByTestId('goto-dialog').waitFor({ timeout: UI_TIMEOUT });
    await expect.poll(focused, { timeout: UI_TIMEOUT }).toBe('goto-input');
    await page.keyboard.type('37');
    await page.keyboard.press('Enter');
    await page.getByTestId('goto-dialog').waitFor({ state: 'detached', timeout: UI_TIMEOUT });
    await shows(page.getByTestId('selected-frame'), '37');
    await hasAttr(page.locator('[data-testid="packet-row"][data-frame="37"]'), 'aria-selected', 'true');
    await b.shot('02-goto');
  }, 30_000);

  it('F1 opens the help and Esc closes it', async () => {
    await page.keyboard.press('F1');
    const help = page.getByTestId('help-panel');
    await help.waitFor({ timeout: UI_TIMEOUT });
    await shows(help, 'Ctrl+G');
    await b.shot('03-help');
    await page.keyboard.press('Escape');
    await help.waitFor({ state: 'detached', timeout: UI_TIMEOUT });
  }, 30_000);

  it('logged no error or CSP violation, opened no dialog, and requested nothing but its own origin', () => {
    expect(misbehaviour(b)).toEqual({ foreign: [], problems: [], dialogs: [] });
  }, 5_000);
});
