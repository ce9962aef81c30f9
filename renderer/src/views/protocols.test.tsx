// @vitest-environment jsdom
import type { ObjectRow } from '../../../shared/model.js';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import type { RecordRow } from '../../../shared/api.js';
import { DnsView, HttpView, SmbView, TlsView, pairHttp, pairTls, toRec } from './protocols.js';
import { HierarchyView, flattenHierarchy } from './hierarchy.js';
import { CredentialsView } from './credentials.js';
import { ObjectsView } from './objects.js';
import { fakeApi, viewProps, type FakeCalls } from './test-support.js';

afterEach(cleanup);

let nextId = 1;
function rec(kind: string, frame: number, stream: number | null, data: Record<string, unknown>): RecordRow {
  return { id: nextId++, frame, stream, kind, data: { kind, frame, ...(stream === null ? {} : { stream }), ...data } };
}

/** records.list over a fixed set, paged by afterId like the engine. */
function recordsApi(all: RecordRow[], extra: FakeCalls = {}) {
  return fakeApi({
    'records.list': (r) => all.filter((x) => x.kind === r.kind && x.id > r.afterId).slice(0, r.limit),
    ...extra,
  });
}

describe('HTTP view', () => {
  const req = rec('http.request', 10, 2, { method: 'POST', host: 'evil.example', uri: '/login?a=1&b=<x>', userAgent: 'curl/8', params: [{ source: 'query', name: 'a', value: '1' }, { source: 'query', name: 'b', value: '<x>' }] });
  const req2 = rec('http.request', 20, 3, { method: 'GET', uri: '/' });
  const res = rec('http.response', 12, 2, { requestFrame: 10, code: 302, phrase: 'Found', contentType: 'text/html', body: { length: 2048, wireLength: 2100 } });

  it('pairs responses to requests by requestFrame', () => {
    const rows = pairHttp([toRec(req), toRec(req2)], [toRec(res)]);
    expect(rows.map((r) => r.res?.frame ?? null)).toEqual([12, null]);
  });

  it('renders requests with their responses, missing fields as —, and pivots', async () => {
    const f = recordsApi([req, req2, res]);
    const props = viewProps(f.api);
    render(<HttpView {...props} />);
    const rows = await screen.findAllByTestId('http-row');
    expect(rows).toHaveLength(2);
    const c0 = [...rows[0]!.querySelectorAll('td')].map((td) => td.textContent);
    expect(c0).toEqual(['10', '2⋯', 'POST⋯', 'evil.example⋯', '/login?a=1&b=<x>⋯', 'curl/8⋯', '2', '302 Found⋯', 'text/html⋯', '2.00 KiB']);
    const c1 = [...rows[1]!.querySelectorAll('td')].map((td) => td.textContent);
    expect(c1.slice(3)).toEqual(['—', '/⋯', '—', '0', '—', '—', '—']);
    fireEvent.click(within(rows[0]!).getAllByTestId('pivot-button')[3]!);
    fireEvent.click(screen.getByTestId('pivot-filter'));
    fireEvent.click(within(rows[0]!).getAllByTestId('pivot-button')[3]!);
    fireEvent.click(screen.getByTestId('pivot-follow'));
    fireEvent.click(within(rows[0]!).getByTestId('frame-link'));
    expect(props.pivots).toEqual([
      { kind: 'filter', filter: 'http.request.uri == "/login?a=1&b=<x>"', mode: 'replace' },
      { kind: 'follow', stream: 2 },
      { kind: 'frame', frame: 10 },
    ]);
  });

  it('pages records.list by afterId', async () => {
    const many = Array.from({ length: 5003 }, (_, i) => rec('http.request', i + 1, 1, { method: 'GET', uri: `/${i}` }));
    const f = recordsApi(many);
    render(<HttpView {...viewProps(f.api)} />);
    await screen.findAllByTestId('http-row');
    const reqs = f.calls.filter((c) => (c.req as { kind: string }).kind === 'http.request').map((c) => c.req as { afterId: number; limit: number });
    expect(reqs.map((r) => r.afterId)).toEqual([0, many[4999]!.id]);
    expect(screen.getByTestId('http-requests-count').textContent).toBe('5,003 rows');
  });
});

describe('DNS view', () => {
  it('shows query name, type, answers and rcode', async () => {
    const q = rec('dns', 1, 0, { id: 0x1234, response: false, rcode: 0, questions: [{ name: 'a.example', type: 1, class: 1 }], answers: [] });
    const r = rec('dns', 2, 0, { id: 0x1234, response: true, rcode: 3, questions: [{ name: 'a.example', type: 28, class: 1 }], answers: [{ section: 'an', name: 'a.example', type: 1, class: 1, ttl: 60, data: '10.1.2.3' }, { section: 'ns', name: 'x', type: 2, class: 1, ttl: 1, data: 'ns.example' }] });
    const bad = rec('dns', 3, 0, { questions: 'nope', answers: [null, 5] });
    const f = recordsApi([q, r, bad]);
    render(<DnsView {...viewProps(f.api)} />);
    const rows = await screen.findAllByTestId('dns-row');
    expect([...rows[0]!.querySelectorAll('td')].map((td) => td.textContent)).toEqual(['1', 'query', '0x1234', 'a.example⋯', 'A', '—', '—']);
    expect([...rows[1]!.querySelectorAll('td')].map((td) => td.textContent)).toEqual(['2', 'response', '0x1234', 'a.example⋯', 'AAAA', '10.1.2.3⋯', 'No such name']);
    expect([...rows[2]!.querySelectorAll('td')].map((td) => td.textContent)).toEqual(['3', '—', '—', '—', '—', '—', '—']);
  });
});

describe('TLS view', () => {
  it('pairs hellos per stream and lists certificates', async () => {
    const ch = rec('tls.client_hello', 5, 9, { transport: 'tcp', version: 0x0303, supportedVersions: [0x0304, 0x0303], sni: 'bank.example', alpn: ['h2', 'http/1.1'], ja3: 'aaa', ja4: 't13d1516h2_x_y' });
    const sh = rec('tls.server_hello', 6, 9, { transport: 'tcp', version: 0x0303, supportedVersions: [0x0304], alpn: ['h2'], ja3s: 'bbb' });
    const cert = rec('x509', 7, 9, { index: 0, subject: 'CN=bank.example', issuer: 'CN=Evil CA', notBefore: '2024-01-01', notAfter: '2025-01-01', sha256: 'ff'.repeat(32), dnsNames: ['bank.example'] });
    expect(pairTls([toRec(ch)], [toRec(sh)])[0]!.server!.frame).toBe(6);
    const f = recordsApi([ch, sh, cert]);
    render(<TlsView {...viewProps(f.api)} />);
    const row = await screen.findByTestId('tls-row');
    const cells = [...row.querySelectorAll('td')].map((td) => td.textContent);
    expect(cells.slice(2, 6)).toEqual(['tcp', 'bank.example⋯', 'h2', 'TLS 1.3']);
    expect(cells[6]).toContain('aaa');
    expect(cells[7]).toContain('bbb');
    expect(cells[8]).toContain('t13d1516h2_x_y');
    const c = await screen.findByTestId('x509-row');
    expect(c.textContent).toContain('CN=Evil CA');
    expect(c.textContent).toContain('2024-01-01 – 2025-01-01');
    expect(c.textContent).toContain('ff'.repeat(32));
  });
});

describe('SMB view', () => {
  it('lists sessions with success highlighted, trees and files', async () => {
    const ok = rec('smb.session', 20, 1, { dialect: 'SMB 3.1.1', user: 'alice', domain: 'CORP', host: 'WS01', auth: 'NTLMv2', status: 0, statusName: 'STATUS_SUCCESS', success: true, anonymous: false, guest: false });
    const bad = rec('smb.session', 25, 1, { dialect: 'SMB 3.1.1', user: 'admin', domain: 'CORP', auth: 'NTLMv2', status: 0xc000006d, statusName: 'STATUS_LOGON_FAILURE', success: false });
    const tree = rec('smb.tree', 30, 1, { path: '\\\\srv\\ADMIN$', shareType: 'disk', statusName: 'STATUS_SUCCESS', success: true });
    const file = rec('smb.file', 40, 1, { tree: '\\\\srv\\ADMIN$', name: 'evil.exe', pipe: false, bytesRead: 0, bytesWritten: 73802, statusName: 'STATUS_SUCCESS', deleted: true, object: { sha256: 'ab'.repeat(32) } });
    const f = recordsApi([ok, bad, tree, file]);
    const props = viewProps(f.api);
    render(<SmbView {...props} />);
    const rows = await screen.findAllByTestId('smb-session-row');
    expect(within(screen.getByTestId('smb-sessions')).getAllByTestId('smb-session-row')).toHaveLength(2);
    expect(rows.map((r) => r.className)).toEqual(['thv-success', 'thv-failure']);
    expect(rows[0]!.textContent).toContain('alice');
    expect(rows[1]!.textContent).toContain('STATUS_LOGON_FAILURE');
    expect(screen.getByTestId('smb-tree-row').textContent).toContain('\\\\srv\\ADMIN$');
    const fileRow = screen.getByTestId('smb-file-row');
    expect(fileRow.textContent).toContain('evil.exe');
    expect(fileRow.textContent).toContain('72.1 KiB');
    expect(fileRow.textContent).toContain('file · deleted');
    fireEvent.click(within(rows[0]!).getAllByTestId('pivot-button')[1]!);
    fireEvent.click(screen.getByTestId('pivot-filter'));
    expect(props.pivots).toEqual([{ kind: 'filter', filter: 'ntlmssp.auth.username == "alice"', mode: 'replace' }]);
  });
});

describe('Credentials view', () => {
  it('masks secrets until revealed, then refetches with reveal: true', async () => {
    const masked = rec('credential', 50, 3, { protocol: 'ftp', client: '10.0.0.5', server: '10.0.0.9', user: 'bob', domain: null, secret: '••••••••', crackable: null, success: true });
    const clear = { ...masked, data: { ...masked.data, secret: 'hunter2<b>' } };
    const f = fakeApi({ 'records.list': (r) => (r.afterId > 0 ? [] : [r.reveal ? clear : masked]) });
    const { container } = render(<CredentialsView {...viewProps(f.api)} />);
    const row = await screen.findByTestId('credential-row');
    expect(screen.getByTestId('credentials-warning').textContent).toMatch(/sensitive/);
    expect(within(row).getByTestId('credential-secret').textContent).toBe('••••');
    expect(row.textContent).not.toContain('hunter2');
    // The search box cannot find a masked secret.
    fireEvent.change(screen.getByTestId('credentials-table-filter'), { target: { value: '•' } });
    expect(screen.getAllByTestId('credential-row')).toHaveLength(1);
    fireEvent.change(screen.getByTestId('credentials-table-filter'), { target: { value: '' } });
    expect(f.calls.every((c) => !(c.req as { reveal?: boolean }).reveal)).toBe(true);

    fireEvent.click(screen.getByTestId('credentials-reveal'));
    await waitFor(() => expect(screen.getByTestId('credential-secret').textContent).toBe('hunter2<b>'));
    expect(f.calls.some((c) => (c.req as { reveal?: boolean }).reveal === true)).toBe(true);
    expect(container.querySelector('b')).toBeNull();

    fireEvent.click(screen.getByTestId('credentials-hide'));
    await waitFor(() => expect(screen.getByTestId('credential-secret').textContent).toBe('••••'));
    expect(container.textContent).not.toContain('hunter2');
  });
});

describe('Objects view', () => {
  it('lists objects with hashes and saves them to a directory', async () => {
    const obj = { id: 4, frame: 12, stream: 2, source: 'http.response', filename: 'inv<oice>.pdf', mime: 'application/pdf', size: 12345, complete: true, md5: 'aa', sha1: null, sha256: 'cc' };
    const f = fakeApi({ 'objects.list': () => [obj], 'objects.export': (r) => ({ files: r.ids.map((id) => ({ id, path: `${r.dir}/4-invoice.pdf`, size: 12345, sha256: 'cc' })) }) });
    render(<ObjectsView {...viewProps(f.api)} />);
    const row = await screen.findByTestId('object-row');
    expect(row.textContent).toContain('inv<oice>.pdf');
    expect(row.textContent).toContain('12.1 KiB');
    expect(within(row).getAllByTestId('copy-button')).toHaveLength(2);
    fireEvent.click(within(row).getByTestId('object-save'));
    fireEvent.change(screen.getByTestId('objects-save-dir'), { target: { value: '/tmp/out' } });
    fireEvent.click(screen.getByTestId('objects-save-confirm'));
    expect((await screen.findByTestId('objects-save-result')).textContent).toContain('/tmp/out/4-invoice.pdf');
    expect(f.calls.at(-1)).toEqual({ name: 'objects.export', req: { captureId: 1, ids: [4], dir: '/tmp/out' } });
  });

  it('computes MD5 / SHA-1 on request for the complete HTTP objects that lack them', async () => {
    const base = { stream: 2, source: 'http.response', filename: null, mime: 'text/html', size: 10, sha256: 'cc' };
    let rows: ObjectRow[] = [
      { ...base, id: 1, frame: 5, complete: true, md5: null, sha1: null },
      { ...base, id: 2, frame: 6, complete: false, md5: null, sha1: null, sha256: null },
      { ...base, id: 3, frame: 7, complete: true, md5: 'ab', sha1: 'cd' },
    ];
    const f = fakeApi({
      'objects.list': () => rows,
      'objects.hash': (r) => {
        rows = rows.map((o) => (r.ids.includes(o.id) ? { ...o, md5: 'm'.repeat(32), sha1: 's'.repeat(40) } : o));
        return { objects: rows.filter((o) => r.ids.includes(o.id)), mismatched: [] };
      },
    });
    render(<ObjectsView {...viewProps(f.api)} />);
    const button = await screen.findByTestId('objects-hash');
    await waitFor(() => expect(button.textContent).toContain('(1)'));
    fireEvent.click(button);
    await waitFor(() => expect(screen.getByTestId('objects-hash-status').textContent).toContain('Hashed 1 of 1'));
    expect(f.calls.find((c) => c.name === 'objects.hash')).toEqual({ name: 'objects.hash', req: { captureId: 1, ids: [1] } });
    await waitFor(() => expect(screen.getAllByTestId('object-row').some((r) => r.textContent!.includes('m'.repeat(32)))).toBe(true));
    expect((screen.getByTestId('objects-hash') as HTMLButtonElement).disabled).toBe(true);
  });
});

describe('Protocol hierarchy', () => {
  const tree = [{ name: 'frame', packets: 10, bytes: 1000, children: [{ name: 'ip', packets: 8, bytes: 900, children: [{ name: 'tcp', packets: 6, bytes: 700, children: [] }] }, { name: 'arp', packets: 2, bytes: 100, children: [] }] }];
  it('flattens with depth and collapses', () => {
    expect(flattenHierarchy(tree, new Set()).map((n) => `${n.depth}:${n.name}`)).toEqual(['0:frame', '1:ip', '2:tcp', '1:arp']);
    expect(flattenHierarchy(tree, new Set(['/frame/ip'])).map((n) => n.name)).toEqual(['frame', 'ip', 'arp']);
  });
  it('renders percentages and pivots on a protocol', async () => {
    const f = fakeApi({ 'stats.hierarchy': () => tree });
    const props = viewProps(f.api);
    render(<HierarchyView {...props} />);
    const rows = await screen.findAllByTestId('hierarchy-row');
    expect([...rows[2]!.querySelectorAll('td')].map((td) => td.textContent)).toEqual(['tcp⋯', '60.0 %', '6', '70.0 %', '700 B', '']);
    fireEvent.click(within(rows[2]!).getByTestId('pivot-button'));
    fireEvent.click(screen.getByTestId('pivot-and-not'));
    expect(props.pivots).toEqual([{ kind: 'filter', filter: 'tcp', mode: 'and-not' }]);
    fireEvent.click(within(rows[1]!).getByRole('button', { name: 'Collapse' }));
    expect(screen.getAllByTestId('hierarchy-row')).toHaveLength(3);
  });
});
