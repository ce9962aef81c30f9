// @vitest-environment jsdom
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import type { FollowedStream } from '../../../shared/model.js';
import { FollowStreamView, FOLLOW_INITIAL_BYTES, initialStream } from './follow-stream.js';
import { asciiText, decodeBase64, endpointText, hexDump, streamText } from './follow-model.js';
import { b64, fakeApi, viewProps } from './test-support.js';

afterEach(cleanup);

const payload = 'GET /<script>alert(1)</script> HTTP/1.1\r\nHost: x\r\n\r\n';
const stream: FollowedStream = {
  stream: 7,
  transport: 'tcp',
  client: { addr: '10.0.0.1', port: 51000 },
  server: { addr: 'fe80::2', port: 80 },
  protocol: 'http',
  segments: [
    { dir: 0, frame: 4, offset: 0, data: b64(payload) },
    { dir: 1, frame: 6, offset: 0, data: '', gap: 1460 },
    { dir: 1, frame: 7, offset: 1460, data: b64('HTTP/1.1 200 OK\r\n\r\n<img src=x onerror=alert(2)>\x00\x01') },
  ],
  bytes: [payload.length, 1500],
  truncated: true,
  frames: 9,
};

describe('follow-stream model', () => {
  it('decodes base64 and renders ASCII with line breaks and dots', () => {
    expect(asciiText(decodeBase64(b64('a\r\nb\tc\x00\xff\rd')))).toBe('a\nb\tc...d');
    expect(decodeBase64('!!!').length).toBe(0);
  });
  it('renders a hex dump with offsets, hex and ASCII columns', () => {
    const lines = hexDump(new Uint8Array([...'ABCDEFGHIJKLMNOPQ'].map((c) => c.charCodeAt(0))), 0x20);
    expect(lines).toEqual([
      '00000020  41 42 43 44 45 46 47 48  49 4a 4b 4c 4d 4e 4f 50  |ABCDEFGHIJKLMNOP|',
      '00000030  51                                                |Q|',
    ]);
  });
  it('copies the visible direction as text with gaps marked', () => {
    expect(streamText(stream.segments, 'server', (n) => `[${n} missing]`)).toBe('[1460 missing]\nHTTP/1.1 200 OK\n\n<img src=x onerror=alert(2)>..');
    expect(endpointText('fe80::2', 80)).toBe('[fe80::2]:80');
    expect(initialStream({ stream: 3 })).toBe(3);
    expect(initialStream(5)).toBe(5);
    expect(initialStream({ stream: -1 })).toBeNull();
    expect(initialStream(undefined)).toBeNull();
  });
});

describe('Follow stream view', () => {
  it('shows both directions as text, HTML payloads never become elements', async () => {
    const f = fakeApi({ 'stream.follow': () => stream });
    const { container } = render(<FollowStreamView {...viewProps(f.api, { initial: { stream: 7 } })} />);
    const text = await screen.findByTestId('follow-stream-text');
    expect(text.textContent).toContain('GET /<script>alert(1)</script> HTTP/1.1\nHost: x\n\n');
    expect(text.textContent).toContain('[1,460 bytes missing]');
    expect(text.textContent).toContain('<img src=x onerror=alert(2)>..');
    expect(container.querySelector('script')).toBeNull();
    expect(container.querySelector('img')).toBeNull();
    const segs = screen.getAllByTestId('follow-segment');
    expect(segs.map((s) => s.className)).toEqual(['thv-client', 'thv-server']);
    expect(screen.getByTestId('follow-stream-header').textContent).toContain('10.0.0.1:51000 ⇄ [fe80::2]:80 · TCP / http');
    expect(f.calls[0]).toEqual({ name: 'stream.follow', req: { captureId: 1, stream: 7, maxBytes: FOLLOW_INITIAL_BYTES } });
  });

  it('switches to a hex dump and filters by direction', async () => {
    const f = fakeApi({ 'stream.follow': () => stream });
    render(<FollowStreamView {...viewProps(f.api, { initial: { stream: 7 } })} />);
    await screen.findByTestId('follow-stream-text');
    fireEvent.click(screen.getByTestId('follow-mode-hex'));
    const text = screen.getByTestId('follow-stream-text').textContent!;
    expect(text).toContain('00000000  47 45 54 20 2f 3c 73 63  72 69 70 74 3e 61 6c 65  |GET /<script>ale|');
    expect(text).toContain('000005b4  48 54 54 50');
    fireEvent.change(screen.getByTestId('follow-direction'), { target: { value: 'client' } });
    expect(screen.getAllByTestId('follow-segment')).toHaveLength(1);
    expect(screen.queryByTestId('follow-gap')).toBeNull();
    fireEvent.change(screen.getByTestId('follow-direction'), { target: { value: 'server' } });
    expect(screen.getAllByTestId('follow-segment').map((s) => s.getAttribute('data-dir'))).toEqual(['1']);
    expect(screen.getByTestId('follow-gap')).toBeTruthy();
  });

  it('raises maxBytes on "Show more" and pivots to the stream filter', async () => {
    const f = fakeApi({ 'stream.follow': () => stream });
    const props = viewProps(f.api, { initial: { stream: 7 } });
    render(<FollowStreamView {...props} />);
    fireEvent.click(await screen.findByTestId('follow-more'));
    await waitFor(() => expect(f.calls.at(-1)!.req).toEqual({ captureId: 1, stream: 7, maxBytes: FOLLOW_INITIAL_BYTES * 4 }));
    fireEvent.click(screen.getByTestId('follow-filter'));
    expect(props.pivots).toEqual([{ kind: 'filter', filter: 'tcp.stream eq 7', mode: 'replace' }]);
  });

  it('asks for a stream number when opened without one', async () => {
    const f = fakeApi({ 'stream.follow': (r) => ({ ...stream, stream: r.stream }) });
    render(<FollowStreamView {...viewProps(f.api)} />);
    expect(f.calls).toHaveLength(0);
    fireEvent.change(screen.getByTestId('follow-stream-input'), { target: { value: '12' } });
    fireEvent.click(screen.getByTestId('follow-stream-go'));
    await screen.findByTestId('follow-stream-text');
    expect(f.calls[0]!.req).toMatchObject({ stream: 12 });
  });
});
