// @vitest-environment jsdom
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import type { FlowRow } from '../../../shared/model.js';
import { ConversationsView } from './conversations.js';
import { EndpointsView, HostsView, namesFromFacts } from './endpoints.js';
import { fakeApi, viewProps } from './test-support.js';

afterEach(cleanup);

function flow(id: number, over: Partial<FlowRow>): FlowRow {
  return {
    id, proto: 'tcp', ipProto: 6, addrA: '10.0.0.1', portA: 1000 + id, addrB: '10.0.0.2', portB: 80,
    firstTsSec: 100, firstTsNsec: 0, lastTsSec: 101, lastTsNsec: 500_000_000,
    packetsAtoB: 3, packetsBtoA: 2, bytesAtoB: 300, bytesBtoA: 200, tcpState: { syn: true, synAck: true, fin: true, rst: false },
    tcpStream: null, app: null,
    ...over,
  } as FlowRow;
}

const flows = [flow(1, { bytesAtoB: 5000, packetsAtoB: 1234567 }), flow(2, { proto: 'udp', ipProto: 17, portB: 53, tcpState: null, addrA: '<b>x</b>' }), flow(3, {})];

describe('Conversations view', () => {
  it('renders rows from stats.conversations with formatted numbers, sorted by bytes', async () => {
    const f = fakeApi({ 'stats.conversations': () => flows });
    render(<ConversationsView {...viewProps(f.api)} />);
    const rows = await screen.findAllByTestId('conversation-row');
    expect(rows).toHaveLength(3);
    expect(rows[0]!.textContent).toContain('1,234,567');
    expect(rows[0]!.textContent).toContain('5.08 KiB');
    expect(rows[0]!.textContent).toContain('1.500 s');
    expect(rows[0]!.textContent).toContain('SYN SYN-ACK FIN');
    // A non-address in an address column stays text and gets no filter pivot.
    expect(screen.getByText('<b>x</b>')).toBeTruthy();
    expect(f.calls[0]).toEqual({ name: 'stats.conversations', req: { captureId: 1, proto: 'all', limit: 10_000 } });
  });

  it('switches tabs and passes the display filter when limited to it', async () => {
    const f = fakeApi({ 'stats.conversations': (req) => flows.filter((r) => req.proto === 'all' || r.proto === req.proto) });
    render(<ConversationsView {...viewProps(f.api)} />);
    await screen.findAllByTestId('conversation-row');
    fireEvent.click(screen.getByTestId('conversations-tab-udp'));
    await waitFor(() => expect(screen.getAllByTestId('conversation-row')).toHaveLength(1));
    fireEvent.change(screen.getByTestId('conversations-display-filter'), { target: { value: 'dns' } });
    fireEvent.click(screen.getByTestId('conversations-display-filter-apply'));
    fireEvent.click(screen.getByTestId('conversations-use-filter'));
    await waitFor(() => expect(f.calls.at(-1)!.req).toEqual({ captureId: 1, proto: 'udp', limit: 10_000, filter: 'dns' }));
  });

  it('refuses a bad display filter', async () => {
    const f = fakeApi({ 'stats.conversations': () => [] });
    render(<ConversationsView {...viewProps(f.api)} />);
    fireEvent.change(screen.getByTestId('conversations-display-filter'), { target: { value: 'ip.addr ==' } });
    expect((screen.getByTestId('conversations-display-filter-apply') as HTMLButtonElement).disabled).toBe(true);
  });

  it('pivots from an address cell and a conversation cell', async () => {
    const f = fakeApi({ 'stats.conversations': () => [flows[2]!] });
    const props = viewProps(f.api);
    render(<ConversationsView {...props} />);
    const row = await screen.findByTestId('conversation-row');
    const buttons = within(row).getAllByTestId('pivot-button');
    fireEvent.click(buttons[0]!);
    fireEvent.click(screen.getByTestId('pivot-host'));
    fireEvent.click(buttons.at(-1)!);
    fireEvent.click(screen.getByTestId('pivot-and'));
    expect(props.pivots).toEqual([
      { kind: 'host', addr: '10.0.0.1' },
      { kind: 'filter', filter: 'ip.addr == 10.0.0.1 && tcp.port == 1003 && ip.addr == 10.0.0.2 && tcp.port == 80', mode: 'and' },
    ]);
  });

  it('shows an API error as text', async () => {
    const f = fakeApi({ 'stats.conversations': () => ({ ok: false, error: { code: 'bad-filter', message: '<i>nope</i>' } }) });
    render(<ConversationsView {...viewProps(f.api)} />);
    expect((await screen.findByTestId('view-error')).textContent).toBe('Error: <i>nope</i>');
  });
});

const host = (id: number, addr: string, bytes: number) => ({ id, addr, firstTsSec: 0, lastTsSec: 1, packetsOut: 10, packetsIn: 5, bytesOut: bytes, bytesIn: 100, peers: 2, macs: ['00:11:22:33:44:55'] });

describe('Endpoints and Hosts views', () => {
  it('lists endpoints, busiest first, with sortable columns', async () => {
    const f = fakeApi({ 'stats.endpoints': () => [host(1, '10.0.0.1', 100), host(2, '10.0.0.9', 90_000)] });
    render(<EndpointsView {...viewProps(f.api)} />);
    const rows = await screen.findAllByTestId('endpoint-row');
    expect(rows[0]!.textContent).toContain('10.0.0.9');
    fireEvent.click(screen.getByTestId('endpoints-table-sort-addr'));
    expect(screen.getAllByTestId('endpoint-row')[0]!.textContent).toContain('10.0.0.1');
    expect(rows[0]!.textContent).toContain('00:11:22:33:44:55');
  });

  it('adds names from host.fact records', async () => {
    const facts = [
      { id: 1, frame: 3, stream: null, kind: 'host.fact', data: { addr: '10.0.0.1', fact: 'name.dns', value: 'files.corp' } },
      { id: 2, frame: 4, stream: null, kind: 'host.fact', data: { addr: '10.0.0.1', fact: 'mac', value: 'zz' } },
      { id: 3, frame: 5, stream: null, kind: 'host.fact', data: { addr: '10.0.0.1', fact: 'name.netbios', value: 'FILES' } },
    ];
    expect(namesFromFacts(facts).get('10.0.0.1')).toEqual(['files.corp', 'FILES']);
    const f = fakeApi({ 'hosts.list': () => [host(1, '10.0.0.1', 100)], 'records.list': (r) => (r.kind === 'host.fact' && r.afterId === 0 ? facts : []) });
    render(<HostsView {...viewProps(f.api)} />);
    const row = await screen.findByTestId('host-row');
    expect(row.textContent).toContain('files.corp');
    expect(row.textContent).toContain('FILES');
  });
});
