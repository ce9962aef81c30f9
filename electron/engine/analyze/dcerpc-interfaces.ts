/**
 * DCE/RPC interfaces that matter to a responder: their UUIDs, Wireshark's names, operation
 * tables and the NDR argument decoders of the operations attackers use (service creation,
 * scheduled tasks, DCSync, Zerologon, account and SID lookups, share/session enumeration,
 * endpoint mapping).
 *
 * Specs:
 *  - C706 (DCE 1.1 RPC) ch. 14 (NDR): primitive alignment to the type's size (§14.2.2),
 *    conformant and varying arrays (max_count, offset, actual_count before the elements,
 *    §14.3.3), strings as conformant varying arrays (§14.3.4), unique/full pointers as a
 *    referent id with the pointee deferred after the enclosing construct (§14.3.12), top-level
 *    [ref] pointers carry no referent; conformant structures carry their conformance first.
 *    Appendix L (protocol towers: floor count, then per floor LHS/RHS length-prefixed, little
 *    endian lengths, port and address big endian).
 *  - [MS-RPCE] 2.2.5 (NDR64: pointers, conformance and counts are 8 bytes and 8-aligned;
 *    enums are 4 bytes; a structure holding a pointer is 8-aligned).
 *  - [MS-SCMR] 3.1.4 (svcctl opnums; RCreateServiceW 3.1.4.12, RStartServiceW 3.1.4.30,
 *    RChangeServiceConfigW 3.1.4.11, ROpenSCManagerW 3.1.4.15, ROpenServiceW 3.1.4.16,
 *    RCreateServiceWOW64W opnum 45 with RCreateServiceW's arguments).
 *  - [MS-TSCH] 3.2.5.2.1 (NetrJobAdd, AT_INFO), 3.2.5.4.2 (SchRpcRegisterTask), 2.5 (task XML:
 *    Actions/Exec/Command, Arguments).
 *  - [MS-DRSR] 4.1.10 (IDL_DRSGetNCChanges, DRS_MSG_GETCHGREQ_V5/V8/V10, DSNAME 5.50).
 *  - [MS-NRPC] 3.5.4.4.1 (NetrServerReqChallenge), 3.5.4.4.2 (NetrServerAuthenticate3),
 *    3.5.4.4.5 (NetrServerPasswordSet2). CVE-2020-1472 (Zerologon) shows as repeated
 *    ReqChallenge/Authenticate3 with an all-zero client challenge and credential.
 *  - [MS-SAMR] 3.1.5 (opnums; RPC_UNICODE_STRING 2.2.2.2 of [MS-DTYP], RPC_SID 2.4.2.3).
 *  - [MS-LSAT] 3.1.4 (LsarLookupNames/Sids, LsarOpenPolicy2), [MS-SRVS] 3.1.4 (NetrShareEnum,
 *    NetrSessionEnum, NetrShareGetInfo), [MS-RPCE] 2.2.1.2 / C706 appendix O (ept_map).
 * Operation names, Protocol columns and field names are Wireshark 4.0's (tshark -G values,
 * -G protocols); operations Wireshark does not name get their spec name in records only.
 */

// ---- Limits -------------------------------------------------------------------------------

/** UTF-16 code units kept of one NDR string: a task XML is the largest real string (tens of KiB). */
export const MAX_NDR_STRING = 64 * 1024;
/** Elements decoded from one NDR array of names, SIDs or RIDs (lookups carry a handful; the protocol allows 1000+). */
export const MAX_NDR_ARRAY = 64;
/** Characters kept of one decoded argument in a record (a command line or a path; task XML commands are short). */
export const MAX_ARG_TEXT = 4096;
/** Tower floors parsed ([MS-RPCE] towers have 5; C706 allows more but nothing real uses them). */
const MAX_TOWER_FLOORS = 16;
/** SID sub-authorities ([MS-DTYP] 2.4.2: at most 15). */
const MAX_SUB_AUTHORITIES = 15;

// ---- NDR reader ---------------------------------------------------------------------------

/** The stub ran out or a length lied: the decoder stops, what it produced so far stays. */
export class NdrError extends Error {}

/**
 * A bounds-checked cursor over one stub with the PDU's byte order ([MS-RPCE] 2.2.2.1 drep)
 * and transfer syntax (NDR or NDR64). Alignment is relative to the stub's start, which the
 * PDU keeps 8-aligned.
 */
export class Ndr {
  pos = 0;
  private readonly view: DataView;

  constructor(
    readonly b: Uint8Array,
    readonly le: boolean,
    readonly ndr64: boolean,
  ) {
    this.view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  }

  get remaining(): number {
    return this.b.length - this.pos;
  }

  align(n: number): void {
    const p = Math.ceil(this.pos / n) * n;
    if (p > this.b.length) throw new NdrError('alignment past the end of the stub');
    this.pos = p;
  }

  private need(n: number): void {
    if (n < 0 || this.pos + n > this.b.length) throw new NdrError(`needs ${n} bytes at ${this.pos}, stub has ${this.b.length}`);
  }

  u8(): number {
    this.need(1);
    return this.b[this.pos++]!;
  }

  u16(): number {
    this.align(2);
    this.need(2);
    const v = this.view.getUint16(this.pos, this.le);
    this.pos += 2;
    return v;
  }

  u32(): number {
    this.align(4);
    this.need(4);
    const v = this.view.getUint32(this.pos, this.le);
    this.pos += 4;
    return v;
  }

  /** A hyper as a number (exact below 2^53; counts and referents never come close). */
  u64(): number {
    this.align(8);
    this.need(8);
    const hi = this.view.getUint32(this.pos + (this.le ? 4 : 0), this.le);
    const lo = this.view.getUint32(this.pos + (this.le ? 0 : 4), this.le);
    this.pos += 8;
    return hi * 2 ** 32 + lo;
  }

  bytes(n: number): Uint8Array {
    this.need(n);
    const v = this.b.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  /** A unique/full pointer's referent id (0 = null): 4 bytes in NDR, 8 in NDR64. */
  ptr(): number {
    return this.ndr64 ? this.u64() : this.u32();
  }

  /** A conformance, offset or actual count: 4 bytes in NDR, 8 in NDR64. */
  size(): number {
    return this.ndr64 ? this.u64() : this.u32();
  }

  /** An enum: 2 bytes in NDR (C706 14.2.5), 4 in NDR64. */
  enum16(): number {
    return this.ndr64 ? this.u32() : this.u16();
  }

  /** Alignment of a structure holding a pointer or a 4-byte member. */
  structAlign(): void {
    this.align(this.ndr64 ? 8 : 4);
  }

  /** A 20-byte context handle ([MS-RPCE] 2.2.5.2.3: attributes u32 + GUID). */
  handle(): Uint8Array {
    this.align(4);
    return this.bytes(20);
  }

  guid(): string {
    this.align(4);
    return guidText(this.bytes(16), this.le);
  }

  /** A conformant varying UTF-16 string (max_count, offset, actual_count, code units); a trailing NUL is dropped. */
  wstr(): string {
    const max = this.size();
    const offset = this.size();
    const actual = this.size();
    if (offset > max || actual > max - offset) throw new NdrError(`string counts lie (max ${max}, offset ${offset}, actual ${actual})`);
    const take = Math.min(actual, MAX_NDR_STRING);
    this.need(actual * 2);
    const s = utf16(this.b.subarray(this.pos, this.pos + take * 2), this.le);
    this.pos += actual * 2;
    return s.endsWith('\0') ? s.slice(0, -1) : s;
  }

  /** A [unique] string pointer and its string (deferred right behind at top level), or null. */
  uniqueWstr(): string | null {
    return this.ptr() === 0 ? null : this.wstr();
  }

  /** RPC_UNICODE_STRING / lsa_String inline part: Length, MaximumLength, Buffer referent. */
  lsaStringHead(): { len: number; ref: number } {
    this.structAlign();
    const len = this.u16();
    this.u16();
    return { len, ref: this.ptr() };
  }

  /** The deferred buffer of an lsa_String (conformant varying u16 array). */
  lsaStringBody(head: { ref: number }): string | null {
    return head.ref === 0 ? null : this.wstr();
  }

  lsaString(): string | null {
    return this.lsaStringBody(this.lsaStringHead());
  }

  /** RPC_SID as a conformant structure (conformance = SubAuthorityCount first), in S-1-... form. */
  sid(): string {
    this.size();
    const rev = this.u8();
    const count = this.u8();
    if (count > MAX_SUB_AUTHORITIES) throw new NdrError(`SID with ${count} sub-authorities`);
    const auth = this.bytes(6);
    let authority = 0;
    for (const x of auth) authority = authority * 256 + x;
    const subs: number[] = [];
    for (let i = 0; i < count; i++) subs.push(this.u32());
    return `S-${rev}-${authority}${subs.map((s) => `-${s}`).join('')}`;
  }
}

/** UTF-16 in the PDU's byte order. */
export function utf16(b: Uint8Array, le: boolean): string {
  const units = Math.floor(b.length / 2);
  let out = '';
  for (let i = 0; i < units; i += 4096) {
    const chunk: number[] = [];
    for (let j = i; j < Math.min(units, i + 4096); j++) chunk.push(le ? b[2 * j]! | (b[2 * j + 1]! << 8) : (b[2 * j]! << 8) | b[2 * j + 1]!);
    out += String.fromCharCode(...chunk);
  }
  return out;
}

/** A GUID in its registry text form: the first three groups are integers in the PDU's byte order. */
export function guidText(b: Uint8Array, le: boolean): string {
  const h = (i: number): string => b[i]!.toString(16).padStart(2, '0');
  const g = (idx: number[]): string => (le ? [...idx].reverse() : idx).map(h).join('');
  return `${g([0, 1, 2, 3])}-${g([4, 5])}-${g([6, 7])}-${h(8)}${h(9)}-${[10, 11, 12, 13, 14, 15].map(h).join('')}`;
}

function hex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}

function allZero(b: Uint8Array): boolean {
  return b.every((x) => x === 0);
}

function clip(s: string): string {
  return s.length > MAX_ARG_TEXT ? s.slice(0, MAX_ARG_TEXT) : s;
}

// ---- Decoder plumbing ---------------------------------------------------------------------

/** What a decoder produced for one stub: fields in tree order, record arguments, Info additions. */
export class DecodeOut {
  readonly fields: [string, number | string | Uint8Array][] = [];
  readonly args: Record<string, string> = {};
  /** Appended to the Info column, each after ", ". */
  readonly info: string[] = [];
  /** A context handle the response returned (for the handle table), with its display name. */
  newHandle: { handle: string; name: string | null; service: string | null } | null = null;
  field(name: string, v: number | string | Uint8Array): void {
    this.fields.push([name, v]);
  }
  arg(name: string, v: string | null): void {
    if (v !== null) this.args[name] = clip(v);
  }
}

/** What a handle stands for: Wireshark's display name (CloseServiceHandle Info) and the service it opens. */
export interface HandleInfo {
  name: string | null;
  service: string | null;
}

/** State a decoder may consult: the parser's handle table and, for a response, its request's arguments. */
export interface DecodeCtx {
  handles: { get(h: string): HandleInfo | undefined };
  requestArgs: Record<string, string>;
}

type Decoder = (n: Ndr, out: DecodeOut, c: DecodeCtx) => void;

export interface InterfaceDef {
  uuid: string;
  /** Record name (interfaceName). */
  name: string;
  /** Wireshark's name for the UUID (bind Info and EPM Info), null when Wireshark shows the UUID. */
  wsName: string | null;
  /**
   * The Wireshark sub-dissector: its Protocol column, protocol field and opnum field, and the
   * interface versions it is registered for. Null when Wireshark 4.0 has none (the call then
   * shows as plain DCERPC).
   */
  dissector: { column: string; proto: string; opnum: string; versions: readonly number[] } | null;
  /** Wireshark's operation names. */
  ops: Readonly<Record<number, string>>;
  /** Spec names of operations Wireshark does not name (records only). */
  specOps?: Readonly<Record<number, string>>;
  /** How Wireshark appends a non-zero return status to a response's Info. */
  statusInfo: 'status' | 'status+error' | null;
  requests?: Readonly<Record<number, Decoder>>;
  responses?: Readonly<Record<number, Decoder>>;
}

function table(names: string): Record<number, string> {
  const out: Record<number, string> = {};
  names.split(' ').forEach((n, i) => {
    if (n !== '-') out[i] = n;
  });
  return out;
}

// ---- svcctl ([MS-SCMR]) --------------------------------------------------------------------

const SVCCTL_OPS = table(
  'CloseServiceHandle ControlService DeleteService LockServiceDatabase QueryServiceObjectSecurity SetServiceObjectSecurity QueryServiceStatus SetServiceStatus UnlockServiceDatabase NotifyBootConfigStatus ScSetServiceBitsW ChangeServiceConfigW CreateServiceW EnumDependentServicesW EnumServicesStatusW OpenSCManagerW OpenServiceW QueryServiceConfigW QueryServiceLockStatusW StartServiceW GetServiceDisplayNameW GetServiceKeyNameW ScSetServiceBitsA ChangeServiceConfigA CreateServiceA EnumDependentServicesA EnumServicesStatusA OpenSCManagerA OpenServiceA QueryServiceConfigA QueryServiceLockStatusA StartServiceA GetServiceDisplayNameA GetServiceKeyNameA ScGetCurrentGroupStateW EnumServiceGroupW ChangeServiceConfig2A ChangeServiceConfig2W QueryServiceConfig2A QueryServiceConfig2W QueryServiceStatusEx EnumServicesStatusExA EnumServicesStatusExW ScSendTSMessage',
);
const SVCCTL_SPEC_OPS: Record<number, string> = {
  44: 'RCreateServiceWOW64A', 45: 'RCreateServiceWOW64W', 47: 'RNotifyServiceStatusChange', 48: 'RGetNotifyResults',
  49: 'RCloseNotifyHandle', 50: 'RControlServiceExA', 51: 'RControlServiceExW', 56: 'RQueryServiceConfigEx', 60: 'RCreateWowService',
};

/** The service a handle opens, into the record (so StartServiceW/DeleteService name it). */
function handleService(h: Uint8Array, out: DecodeOut, c: DecodeCtx): HandleInfo | undefined {
  const info = c.handles.get(hex(h));
  out.arg('serviceName', info?.service ?? null);
  return info;
}

/** RCreateServiceW and RCreateServiceWOW64W share their arguments; only opnum 12 has Wireshark fields. */
function createService(withFields: boolean): Decoder {
  return (n, out) => {
    const f = (name: string, v: number | string | Uint8Array): void => {
      if (withFields) out.field(name, v);
    };
    f('svcctl.hnd', n.handle());
    const service = n.wstr();
    f('svcctl.servicename', service);
    out.arg('serviceName', service);
    const display = n.uniqueWstr();
    if (display !== null) f('svcctl.displayname', display);
    out.arg('displayName', display);
    f('svcctl.access_mask', n.u32());
    const type = n.u32();
    f('svcctl.service_type', type);
    const start = n.u32();
    f('svcctl.service_start_type', start);
    f('svcctl.service_error_control', n.u32());
    const path = n.wstr();
    f('svcctl.binarypathname', path);
    out.arg('binaryPath', path);
    out.arg('serviceType', `0x${type.toString(16).padStart(8, '0')}`);
    out.arg('startType', String(start));
    const group = n.uniqueWstr();
    out.arg('loadOrderGroup', group);
    if (n.ptr() !== 0) n.u32(); // lpdwTagId
    if (n.ptr() !== 0) n.bytes(n.size()); // lpDependencies
    n.u32(); // dwDependSize
    out.arg('serviceStartName', n.uniqueWstr());
  };
}

const SVCCTL: InterfaceDef = {
  uuid: '367abb81-9844-35f1-ad32-98f038001003',
  name: 'svcctl',
  wsName: 'SVCCTL',
  dissector: { column: 'SVCCTL', proto: 'svcctl', opnum: 'svcctl.opnum', versions: [2] },
  ops: SVCCTL_OPS,
  specOps: SVCCTL_SPEC_OPS,
  statusInfo: null,
  requests: {
    0: (n, out, c) => {
      const h = n.handle();
      out.field('svcctl.hnd', h);
      const info = c.handles.get(hex(h));
      // Wireshark prints the handle's stored name with "%s": unknown or unnamed handles read "(null)".
      out.info.push(info?.name ?? '(null)');
      out.arg('serviceName', info?.service ?? null);
    },
    1: (n, out, c) => {
      handleService(n.handle(), out, c);
      out.arg('control', String(n.u32()));
    },
    2: (n, out, c) => {
      handleService(n.handle(), out, c);
    },
    11: (n, out, c) => {
      handleService(n.handle(), out, c);
      out.arg('serviceType', `0x${n.u32().toString(16).padStart(8, '0')}`);
      out.arg('startType', String(n.u32()));
      n.u32();
      out.arg('binaryPath', n.uniqueWstr());
      out.arg('loadOrderGroup', n.uniqueWstr());
      if (n.ptr() !== 0) n.u32();
      if (n.ptr() !== 0) n.bytes(n.size());
      n.u32();
      out.arg('serviceStartName', n.uniqueWstr());
      if (n.ptr() !== 0) n.bytes(n.size()); // lpPassword: never decoded into a record
      n.u32();
      out.arg('displayName', n.uniqueWstr());
    },
    12: createService(true),
    45: createService(false),
    15: (n, out) => {
      const machine = n.uniqueWstr();
      if (machine !== null) out.field('svcctl.machinename', machine);
      const db = n.uniqueWstr();
      if (db !== null) out.field('svcctl.database', db);
      out.field('svcctl.access_mask', n.u32());
      if (machine !== null) out.info.push(machine);
      if (db !== null) out.info.push(db);
      out.arg('machineName', machine);
      out.arg('database', db);
    },
    16: (n, out) => {
      out.field('svcctl.hnd', n.handle());
      const service = n.wstr();
      out.field('svcctl.servicename', service);
      out.field('svcctl.access_mask', n.u32());
      out.arg('serviceName', service);
    },
    19: (n, out, c) => {
      handleService(n.handle(), out, c);
      const argc = n.u32();
      out.arg('argc', String(argc));
      if (n.ptr() === 0) return;
      const count = n.size();
      const refs: number[] = [];
      for (let i = 0; i < count && i < MAX_NDR_ARRAY; i++) refs.push(n.ptr());
      if (count > MAX_NDR_ARRAY) return;
      const argv: string[] = [];
      for (const r of refs) if (r !== 0) argv.push(n.wstr());
      out.arg('arguments', argv.join(' '));
    },
  },
  responses: {
    0: (n, out) => {
      out.field('svcctl.hnd', n.handle());
      out.field('svcctl.rc', n.u32());
    },
    12: (n, out, c) => {
      if (n.ptr() !== 0) out.field('svcctl.tagid', n.u32());
      const h = n.handle();
      out.field('svcctl.hnd', h);
      out.field('svcctl.rc', n.u32());
      out.newHandle = { handle: hex(h), name: null, service: c.requestArgs['serviceName'] ?? null };
    },
    15: (n, out, c) => {
      const h = n.handle();
      out.field('svcctl.hnd', h);
      out.field('svcctl.rc', n.u32());
      // Wireshark names the SCM handle "OpenSCManagerW(<machine>\)" (its format leaves the database out).
      out.newHandle = { handle: hex(h), name: `OpenSCManagerW(${c.requestArgs['machineName'] ?? ''}\\)`, service: null };
    },
    16: (n, out, c) => {
      const h = n.handle();
      out.field('svcctl.hnd', h);
      out.field('svcctl.rc', n.u32());
      out.newHandle = { handle: hex(h), name: null, service: c.requestArgs['serviceName'] ?? null };
    },
  },
};

// ---- atsvc ([MS-TSCH] ATSvc) -----------------------------------------------------------------

const ATSVC: InterfaceDef = {
  uuid: '1ff70682-0a51-30e8-076d-740be8cee98b',
  name: 'atsvc',
  wsName: 'ATSVC',
  dissector: { column: 'ATSVC', proto: 'atsvc', opnum: 'atsvc.opnum', versions: [1] },
  ops: table('JobAdd JobDel JobEnum JobGetInfo'),
  statusInfo: null,
  requests: {
    0: (n, out) => {
      const server = n.uniqueWstr();
      if (server !== null) out.field('atsvc.server', server);
      out.arg('server', server);
      // AT_INFO: JobTime, DaysOfMonth, DaysOfWeek, Flags, Command (embedded unique pointer, deferred).
      n.structAlign();
      const time = n.u32();
      out.field('atsvc.atsvc_JobInfo.job_time', time);
      out.field('atsvc.atsvc_JobInfo.days_of_month', n.u32());
      out.field('atsvc.atsvc_JobInfo.days_of_week', n.u8());
      out.field('atsvc.atsvc_JobInfo.flags', n.u8());
      const ref = n.ptr();
      if (ref !== 0) {
        const cmd = n.wstr();
        out.field('atsvc.atsvc_JobInfo.command', cmd);
        out.arg('command', cmd);
      }
      out.arg('jobTime', String(time));
    },
    1: (n, out) => {
      out.arg('server', n.uniqueWstr());
      out.arg('minJobId', String(n.u32()));
      out.arg('maxJobId', String(n.u32()));
    },
  },
  responses: {
    0: (n, out) => {
      const id = n.u32();
      out.field('atsvc.job_id', id);
      out.field('atsvc.status', n.u32());
      out.arg('jobId', String(id));
    },
  },
};

// ---- ITaskSchedulerService ([MS-TSCH] SchRpc*; no Wireshark 4.0 dissector) -----------------------

/** The first element's text in an XML document, entities decoded (enough for a task's Exec action). */
function xmlElement(xml: string, name: string): string | null {
  const m = new RegExp(`<${name}(?:\\s[^>]*)?>([^<]*)</${name}>`).exec(xml);
  if (m === null) return null;
  return m[1]!
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&#(\d+);/g, (_, d: string) => String.fromCharCode(Number(d) & 0xffff))
    .replace(/&amp;/g, '&')
    .trim();
}

const TSCH: InterfaceDef = {
  uuid: '86d35949-83c9-4044-b424-db363231fd0c',
  name: 'ITaskSchedulerService',
  wsName: null,
  dissector: null,
  ops: {},
  specOps: table(
    'SchRpcHighestVersion SchRpcRegisterTask SchRpcRetrieveTask SchRpcCreateFolder SchRpcSetSecurity SchRpcGetSecurity SchRpcEnumFolders SchRpcEnumTasks SchRpcEnumInstances SchRpcGetInstanceInfo SchRpcStopInstance SchRpcStop SchRpcRun SchRpcDelete SchRpcRename SchRpcScheduledRuntimes SchRpcGetLastRunInfo SchRpcGetTaskInfo SchRpcGetNumberOfMissedRuns SchRpcEnableTask',
  ),
  statusInfo: null,
  requests: {
    1: (n, out) => {
      out.arg('path', n.uniqueWstr());
      const xml = n.wstr();
      out.arg('command', xmlElement(xml, 'Command'));
      out.arg('arguments', xmlElement(xml, 'Arguments'));
      out.arg('userId', xmlElement(xml, 'UserId'));
      out.arg('flags', String(n.u32()));
    },
    12: (n, out) => {
      out.arg('path', n.wstr());
    },
    13: (n, out) => {
      out.arg('path', n.wstr());
    },
    19: (n, out) => {
      out.arg('path', n.wstr());
      out.arg('enabled', String(n.u32()));
    },
  },
};

// ---- drsuapi ([MS-DRSR]) -------------------------------------------------------------------

const DRSUAPI: InterfaceDef = {
  uuid: 'e3514235-4b06-11d1-ab04-00c04fc2dcd2',
  name: 'drsuapi',
  wsName: 'DRSUAPI',
  dissector: { column: 'DRSUAPI', proto: 'drsuapi', opnum: 'drsuapi.opnum', versions: [4] },
  ops: table(
    'DsBind DsUnbind DsReplicaSync DsGetNCChanges DsReplicaUpdateRefs DRSUAPI_REPLICA_ADD DRSUAPI_REPLICA_DEL DRSUAPI_REPLICA_MODIFY DRSUAPI_VERIFY_NAMES DRSUAPI_GET_MEMBERSHIPS DRSUAPI_INTER_DOMAIN_MOVE DRSUAPI_GET_NT4_CHANGELOG DsCrackNames DsWriteAccountSpn DRSUAPI_REMOVE_DS_SERVER DRSUAPI_REMOVE_DS_DOMAIN DsGetDomainControllerInfo DsAddEntry DRSUAPI_EXECUTE_KCC DsReplicaGetInfo DRSUAPI_ADD_SID_HISTORY DRSUAPI_GET_MEMBERSHIPS2 DRSUAPI_REPLICA_VERIFY_OBJECTS DRSUAPI_GET_OBJECT_EXISTENCE DRSUAPI_QUERY_SITES_BY_COST',
  ),
  statusInfo: null,
  requests: {
    3: (n, out) => {
      // DCSync: a replication request for naming-context changes, from whoever asks.
      out.arg('dcsync', 'true');
      n.handle();
      const version = n.u32();
      out.arg('version', String(version));
      if (version !== 5 && version !== 8 && version !== 10) return;
      n.u32(); // union discriminant ([switch_is(dwInVersion)])
      n.structAlign();
      n.align(8); // the request holds hypers (usnvecFrom)
      out.arg('destinationDsa', n.guid());
      n.guid(); // uuidInvocIdSrc
      const ncRef = n.ptr();
      n.u64();
      n.u64();
      n.u64(); // usnvecFrom
      n.ptr(); // pUpToDateVecDest
      n.u32(); // ulFlags
      n.u32(); // cMaxObjects
      n.u32(); // cMaxBytes
      out.arg('extendedOp', String(n.u32()));
      n.u64(); // liFsmoInfo
      if (version >= 8) {
        n.ptr();
        n.ptr();
        n.u32();
        n.ptr(); // pPartialAttrSet, pPartialAttrSetEx, PrefixTableDest
        if (version === 10) n.u32();
      }
      if (ncRef === 0) return;
      // DSNAME (conformant structure): conformance, structLen, SidLen, Guid, Sid[28], NameLen, StringName.
      n.size();
      n.u32();
      n.u32();
      out.arg('ncGuid', n.guid());
      n.bytes(28);
      const nameLen = n.u32();
      const units = Math.min(nameLen, MAX_NDR_STRING);
      const b = n.bytes(units * 2);
      out.arg('nc', utf16(b, n.le));
    },
  },
};

// ---- netlogon ([MS-NRPC]) --------------------------------------------------------------------

/** The prefix NetrServerAuthenticate*, NetrServerPasswordSet* share: server, account, channel, computer. */
function nrpcPrefix(n: Ndr, out: DecodeOut): void {
  const server = n.uniqueWstr();
  if (server !== null) out.field('netlogon.handle', server);
  const account = n.wstr();
  out.field('netlogon.acct_name', account);
  const chan = n.enum16();
  out.field('netlogon.sec_chan_type', chan);
  const computer = n.wstr();
  out.field('netlogon.computer_name', computer);
  out.arg('server', server);
  out.arg('accountName', account);
  out.arg('secureChannelType', String(chan));
  out.arg('computerName', computer);
}

function nrpcAuthenticate(withFlags: boolean): Decoder {
  return (n, out) => {
    nrpcPrefix(n, out);
    const cred = n.bytes(8);
    out.field('netlogon.clientcred', cred);
    // Zerologon (CVE-2020-1472): an all-zero credential computed from an all-zero challenge.
    out.arg('clientCredentialZero', String(allZero(cred)));
    if (withFlags) {
      const flags = n.u32();
      out.field('netlogon.neg_flags', flags);
      out.arg('negotiateFlags', `0x${flags.toString(16).padStart(8, '0')}`);
    }
  };
}

const NETLOGON: InterfaceDef = {
  uuid: '12345678-1234-abcd-ef00-01234567cffb',
  name: 'netlogon',
  wsName: 'RPC_NETLOGON',
  dissector: { column: 'RPC_NETLOGON', proto: 'rpc_netlogon', opnum: 'netlogon.opnum', versions: [1] },
  ops: table(
    'NetrLogonUasLogon NetrLogonUasLogoff NetrLogonSamLogon NetrLogonSamLogoff NetrServerReqChallenge NetrServerAuthenticate NetrServerPasswordSet NetrDatabaseDeltas NetrDatabaseSync NetrAccountDeltas NetrAccountSync NetrGetDCName NetrLogonControl NetrGetAnyDCName NetrLogonControl2 NetrServerAuthenticate2 NetrDatabaseSync2 NetrDatabaseRedo NetrLogonControl2Ex NetrEnumerateTrustedDomains DsrGetDcName NetrLogonDummyRoutine1 NetrLogonSetServiceBits NetrLogonGetTrustRid NetrLogonComputeServerDigest NetrLogonComputeClientDigest NetrServerAuthenticate3 DsrGetDcNameEx DsrGetSiteName NetrLogonGetDomainInfo NetrServerPasswordSet2 NetrServerPasswordGet NetrLogonSendToSam DsrAddressToSiteNamesW DsrGetDcNameEx2 NetrLogonGetTimeServiceParentDomain NetrEnumerateTrustedDomainsEx DsrAddressToSiteNamesExW DsrGetDcSiteCoverageW NetrLogonSamLogonEx DsrEnumerateDomainTrusts DsrDeregisterDnsHostRecords NetrServerTrustPasswordsGet DsrGetForestTrustInformation NetrGetForestTrustInformation NetrLogonSamLogonWithFlags NetrServerGetTrustInfo',
  ),
  statusInfo: 'status',
  requests: {
    4: (n, out) => {
      const server = n.uniqueWstr();
      if (server !== null) out.field('netlogon.handle', server);
      const computer = n.wstr();
      out.field('netlogon.computer_name', computer);
      const challenge = n.bytes(8);
      out.field('netlogon.clientchallenge', challenge);
      out.info.push(computer);
      out.arg('server', server);
      out.arg('computerName', computer);
      out.arg('clientChallengeZero', String(allZero(challenge)));
    },
    5: nrpcAuthenticate(false),
    15: nrpcAuthenticate(true),
    26: nrpcAuthenticate(true),
    30: (n, out) => {
      nrpcPrefix(n, out);
      const auth = n.bytes(8);
      n.u32(); // Authenticator.Timestamp
      out.arg('authenticatorZero', String(allZero(auth)));
      // NL_TRUST_PASSWORD (516 bytes): only whether it is all zeros (Zerologon resets the machine password to empty).
      out.arg('newPasswordZero', String(allZero(n.bytes(516))));
    },
  },
  responses: {
    4: (n, out) => {
      out.field('netlogon.serverchallenge', n.bytes(8));
      out.field('netlogon.rc', n.u32());
    },
    26: (n, out) => {
      out.field('netlogon.servercred', n.bytes(8));
      out.field('netlogon.neg_flags', n.u32());
      out.field('netlogon.serverrid', n.u32());
      out.field('netlogon.rc', n.u32());
    },
  },
};

// ---- samr ([MS-SAMR]) ------------------------------------------------------------------------

/** A conformant (varying when `varying`) array of lsa_String: heads first, then the deferred buffers. */
function lsaStringArray(n: Ndr, varying: boolean): string[] {
  const max = n.size();
  let count = max;
  if (varying) {
    n.size();
    count = n.size();
  }
  if (count > MAX_NDR_ARRAY) count = MAX_NDR_ARRAY;
  const heads = [];
  for (let i = 0; i < count; i++) heads.push(n.lsaStringHead());
  const names: string[] = [];
  for (const h of heads) {
    const s = n.lsaStringBody(h);
    if (s !== null) names.push(s);
  }
  return names;
}

const SAMR: InterfaceDef = {
  uuid: '12345778-1234-abcd-ef00-0123456789ac',
  name: 'samr',
  wsName: 'SAMR',
  dissector: { column: 'SAMR', proto: 'samr', opnum: 'samr.opnum', versions: [1] },
  ops: table(
    'Connect Close SetSecurity QuerySecurity Shutdown LookupDomain EnumDomains OpenDomain QueryDomainInfo SetDomainInfo CreateDomainGroup EnumDomainGroups CreateUser EnumDomainUsers CreateDomAlias EnumDomainAliases GetAliasMembership LookupNames LookupRids OpenGroup QueryGroupInfo SetGroupInfo AddGroupMember DeleteDomainGroup DeleteGroupMember QueryGroupMember SetMemberAttributesOfGroup OpenAlias QueryAliasInfo SetAliasInfo DeleteDomAlias AddAliasMember DeleteAliasMember GetMembersInAlias OpenUser DeleteUser QueryUserInfo SetUserInfo ChangePasswordUser GetGroupsForUser QueryDisplayInfo GetDisplayEnumerationIndex TestPrivateFunctionsDomain TestPrivateFunctionsUser GetUserPwInfo RemoveMemberFromForeignDomain QueryDomainInfo2 QueryUserInfo2 QueryDisplayInfo2 GetDisplayEnumerationIndex2 CreateUser2 QueryDisplayInfo3 AddMultipleMembersToAlias RemoveMultipleMembersFromAlias OemChangePasswordUser2 ChangePasswordUser2 GetDomPwInfo Connect2 SetUserInfo2 SetBootKeyInformation GetBootKeyInformation Connect3 Connect4 ChangePasswordUser3 Connect5 RidToSid SetDsrmPassword ValidatePassword',
  ),
  statusInfo: 'status+error',
  requests: {
    5: (n, out) => {
      n.handle();
      out.arg('domain', n.lsaString());
    },
    7: (n, out) => {
      n.handle();
      n.u32();
      out.arg('sid', n.sid());
    },
    12: (n, out) => {
      n.handle();
      out.arg('user', n.lsaString());
    },
    50: (n, out) => {
      n.handle();
      out.arg('user', n.lsaString());
      out.arg('accountFlags', `0x${n.u32().toString(16).padStart(8, '0')}`);
    },
    17: (n, out) => {
      n.handle();
      n.u32();
      out.arg('names', lsaStringArray(n, true).join(', '));
    },
    18: (n, out) => {
      n.handle();
      const num = n.u32();
      n.size();
      n.size();
      const count = Math.min(n.size(), num, MAX_NDR_ARRAY);
      const rids: number[] = [];
      for (let i = 0; i < count; i++) rids.push(n.u32());
      out.arg('rids', rids.join(', '));
    },
    22: (n, out) => {
      n.handle();
      out.arg('rid', String(n.u32()));
    },
    31: (n, out) => {
      n.handle();
      out.arg('sid', n.sid());
    },
    34: (n, out) => {
      n.handle();
      n.u32();
      out.arg('rid', String(n.u32()));
    },
    37: (n, out) => {
      n.handle();
      out.arg('level', String(n.u16()));
    },
    58: (n, out) => {
      n.handle();
      out.arg('level', String(n.u16()));
    },
    57: (n, out) => {
      out.arg('server', n.uniqueWstr());
    },
    62: (n, out) => {
      out.arg('server', n.uniqueWstr());
    },
    64: (n, out) => {
      out.arg('server', n.uniqueWstr());
    },
  },
};

// ---- lsarpc ([MS-LSAT], [MS-LSAD]) -------------------------------------------------------------

/** lsa_SidArray: count, unique pointer to a conformant array of SID pointers, then the SIDs. */
function sidArray(n: Ndr): string[] {
  n.structAlign();
  n.u32();
  if (n.ptr() === 0) return [];
  const max = n.size();
  const count = Math.min(max, MAX_NDR_ARRAY);
  const refs: number[] = [];
  for (let i = 0; i < count; i++) {
    n.structAlign();
    refs.push(n.ptr());
  }
  if (max > MAX_NDR_ARRAY) return [];
  const sids: string[] = [];
  for (const r of refs) if (r !== 0) sids.push(n.sid());
  return sids;
}

function lsaLookupNames(withHandle: boolean): Decoder {
  return (n, out) => {
    if (withHandle) n.handle();
    n.u32();
    out.arg('names', lsaStringArray(n, false).join(', '));
  };
}

function lsaLookupSids(withHandle: boolean): Decoder {
  return (n, out) => {
    if (withHandle) n.handle();
    out.arg('sids', sidArray(n).join(', '));
  };
}

const LSARPC: InterfaceDef = {
  uuid: '12345778-1234-abcd-ef00-0123456789ab',
  name: 'lsarpc',
  wsName: 'LSARPC',
  dissector: { column: 'LSARPC', proto: 'lsarpc', opnum: 'lsarpc.opnum', versions: [0] },
  ops: table(
    'lsa_Close lsa_Delete lsa_EnumPrivs lsa_QuerySecurity lsa_SetSecObj lsa_ChangePassword lsa_OpenPolicy lsa_QueryInfoPolicy lsa_SetInfoPolicy lsa_ClearAuditLog lsa_CreateAccount lsa_EnumAccounts lsa_CreateTrustedDomain lsa_EnumTrustDom lsa_LookupNames lsa_LookupSids lsa_CreateSecret lsa_OpenAccount lsa_EnumPrivsAccount lsa_AddPrivilegesToAccount lsa_RemovePrivilegesFromAccount lsa_GetQuotasForAccount lsa_SetQuotasForAccount lsa_GetSystemAccessAccount lsa_SetSystemAccessAccount lsa_OpenTrustedDomain lsa_QueryTrustedDomainInfo lsa_SetInformationTrustedDomain lsa_OpenSecret lsa_SetSecret lsa_QuerySecret lsa_LookupPrivValue lsa_LookupPrivName lsa_LookupPrivDisplayName lsa_DeleteObject lsa_EnumAccountsWithUserRight lsa_EnumAccountRights lsa_AddAccountRights lsa_RemoveAccountRights lsa_QueryTrustedDomainInfoBySid lsa_SetTrustedDomainInfo lsa_DeleteTrustedDomain lsa_StorePrivateData lsa_RetrievePrivateData lsa_OpenPolicy2 lsa_GetUserName lsa_QueryInfoPolicy2 lsa_SetInfoPolicy2 lsa_QueryTrustedDomainInfoByName lsa_SetTrustedDomainInfoByName lsa_EnumTrustedDomainsEx lsa_CreateTrustedDomainEx lsa_CloseTrustedDomainEx lsa_QueryDomainInformationPolicy lsa_SetDomainInformationPolicy lsa_OpenTrustedDomainByName lsa_TestCall lsa_LookupSids2 lsa_LookupNames2 lsa_CreateTrustedDomainEx2 lsa_CREDRWRITE lsa_CREDRREAD lsa_CREDRENUMERATE lsa_CREDRWRITEDOMAINCREDENTIALS lsa_CREDRREADDOMAINCREDENTIALS lsa_CREDRDELETE lsa_CREDRGETTARGETINFO lsa_CREDRPROFILELOADED lsa_LookupNames3 lsa_CREDRGETSESSIONTYPES lsa_LSARREGISTERAUDITEVENT lsa_LSARGENAUDITEVENT lsa_LSARUNREGISTERAUDITEVENT lsa_lsaRQueryForestTrustInformation lsa_LSARSETFORESTTRUSTINFORMATION lsa_CREDRRENAME lsa_LookupSids3 lsa_LookupNames4 lsa_LSAROPENPOLICYSCE lsa_LSARADTREGISTERSECURITYEVENTSOURCE lsa_LSARADTUNREGISTERSECURITYEVENTSOURCE lsa_LSARADTREPORTSECURITYEVENT',
  ),
  statusInfo: 'status+error',
  requests: {
    14: lsaLookupNames(true),
    58: lsaLookupNames(true),
    68: lsaLookupNames(true),
    77: lsaLookupNames(false),
    15: lsaLookupSids(true),
    57: lsaLookupSids(true),
    76: lsaLookupSids(false),
    44: (n, out) => {
      // system_name is a unique pointer to a single wide character in the IDL ([MS-LSAD] 3.1.4.4.1).
      out.arg('server', n.uniqueWstr());
    },
  },
};

// ---- srvsvc ([MS-SRVS]) ----------------------------------------------------------------------

const SRVSVC: InterfaceDef = {
  uuid: '4b324fc8-1670-01d3-1278-5a47bf6ee188',
  name: 'srvsvc',
  wsName: 'SRVSVC',
  dissector: { column: 'SRVSVC', proto: 'srvsvc', opnum: 'srvsvc.opnum', versions: [3] },
  ops: table(
    'NetCharDevEnum NetCharDevGetInfo NetCharDevControl NetCharDevQEnum NetCharDevQGetInfo NetCharDevQSetInfo NetCharDevQPurge NetCharDevQPurgeSelf NetConnEnum NetFileEnum NetFileGetInfo NetFileClose NetSessEnum NetSessDel NetShareAdd NetShareEnumAll NetShareGetInfo NetShareSetInfo NetShareDel NetShareDelSticky NetShareCheck NetSrvGetInfo NetSrvSetInfo NetDiskEnum NetServerStatisticsGet NetTransportAdd NetTransportEnum NetTransportDel NetRemoteTOD NetSetServiceBits NetPathType NetPathCanonicalize NetPathCompare NetNameValidate NETRPRNAMECANONICALIZE NetPRNameCompare NetShareEnum NetShareDelStart NetShareDelCommit NetGetFileSecurity NetSetFileSecurity NetServerTransportAddEx NetServerSetServiceBitsEx NETRDFSGETVERSION NETRDFSCREATELOCALPARTITION NETRDFSDELETELOCALPARTITION NETRDFSSETLOCALVOLUMESTATE NETRDFSSETSERVERINFO NETRDFSCREATEEXITPOINT NETRDFSDELETEEXITPOINT NETRDFSMODIFYPREFIX NETRDFSFIXLOCALVOLUME NETRDFSMANAGERREPORTSITEINFO NETRSERVERTRANSPORTDELEX',
  ),
  statusInfo: null,
  requests: {
    12: (n, out) => {
      out.arg('server', n.uniqueWstr());
      out.arg('client', n.uniqueWstr());
      out.arg('user', n.uniqueWstr());
    },
    15: (n, out) => {
      out.arg('server', n.uniqueWstr());
    },
    36: (n, out) => {
      out.arg('server', n.uniqueWstr());
    },
    16: (n, out) => {
      out.arg('server', n.uniqueWstr());
      out.arg('share', n.wstr());
      out.arg('level', String(n.u32()));
    },
    18: (n, out) => {
      out.arg('server', n.uniqueWstr());
      out.arg('share', n.wstr());
    },
  },
};

// ---- epm (C706 appendix O, [MS-RPCE] 2.2.1.2) ---------------------------------------------------

const NDR_UUID = '8a885d04-1ceb-11c9-9fe8-08002b104860';
const NDR64_UUID = '71710533-beba-4937-8319-b5dbef9ccc36';
/** [MS-RPCE] 3.3.1.5.3: bind time feature negotiation uses this UUID prefix as a transfer syntax. */
export const BTFN_PREFIX = '6cb71c2c-9812-4540-';

/** Wireshark's name for a transfer syntax (bind Info), else the UUID. */
export function transferName(uuid: string): string {
  if (uuid === NDR_UUID) return '32bit NDR';
  if (uuid === NDR64_UUID) return '64bit NDR';
  return uuid;
}

export function isNdr64(uuid: string): boolean {
  return uuid === NDR64_UUID;
}

/**
 * One tower ([MS-RPCE] 2.2.1.2, C706 appendix L): floor count (u16 LE), then per floor a
 * length-prefixed LHS (protocol id + data) and RHS. Floors 1 and 2 are the interface and the
 * transfer syntax; TCP (0x07) carries the port and IP (0x09) the address, both big endian.
 */
function tower(b: Uint8Array, out: DecodeOut): { iface: string | null; transfer: string | null } {
  let p = 0;
  const u16 = (): number => {
    if (p + 2 > b.length) throw new NdrError('tower truncated');
    const v = b[p]! | (b[p + 1]! << 8);
    p += 2;
    return v;
  };
  const floors = u16();
  let iface: string | null = null;
  let transfer: string | null = null;
  for (let i = 0; i < floors && i < MAX_TOWER_FLOORS; i++) {
    const lhsLen = u16();
    if (p + lhsLen > b.length || lhsLen < 1) throw new NdrError('tower floor truncated');
    const lhs = b.subarray(p, p + lhsLen);
    p += lhsLen;
    const rhsLen = u16();
    if (p + rhsLen > b.length) throw new NdrError('tower floor truncated');
    const rhs = b.subarray(p, p + rhsLen);
    p += rhsLen;
    const proto = lhs[0]!;
    if (proto === 0x0d && lhs.length >= 17) {
      const uuid = guidText(lhs.subarray(1, 17), true);
      out.field('epm.uuid', uuid);
      if (i === 0) iface = uuid;
      else if (i === 1) transfer = uuid;
    } else if (proto === 0x07 && rhs.length >= 2) {
      const port = (rhs[0]! << 8) | rhs[1]!;
      out.field('epm.proto.tcp_port', port);
      out.arg('port', String(port));
    } else if (proto === 0x09 && rhs.length >= 4) {
      const ip = ((rhs[0]! << 24) | (rhs[1]! << 16) | (rhs[2]! << 8) | rhs[3]!) >>> 0;
      out.field('epm.proto.ip', ip);
      out.arg('ip', `${rhs[0]}.${rhs[1]}.${rhs[2]}.${rhs[3]}`);
    }
  }
  return { iface, transfer };
}

function towerInfo(t: { iface: string | null; transfer: string | null }, out: DecodeOut): void {
  if (t.iface === null) return;
  out.info.push(interfaceByUuid(t.iface)?.wsName ?? t.iface);
  if (t.transfer !== null) out.info.push(transferName(t.transfer));
}

/** twr_t: tower_length, then the conformant octet array (conformance, octets). */
function twr(n: Ndr): Uint8Array {
  n.align(4);
  const len = n.u32();
  n.size();
  return n.bytes(len);
}

const EPM: InterfaceDef = {
  uuid: 'e1af8308-5d1f-11c9-91a4-08002b14a0fa',
  name: 'epmapper',
  // The UUID is registered by Wireshark's EPM (v3) and EPMv4 dissectors; the name lookup finds EPMv4.
  wsName: 'EPMv4',
  dissector: { column: 'EPM', proto: 'epm', opnum: 'epm.opnum', versions: [3] },
  ops: table('Insert Delete Lookup Map LookupHandleFree InqObject MgmtDelete'),
  statusInfo: null,
  requests: {
    3: (n, out) => {
      if (n.ptr() !== 0) out.field('epm.uuid', n.guid());
      if (n.ptr() === 0) return;
      const t = tower(twr(n), out);
      towerInfo(t, out);
      if (t.iface !== null) {
        out.arg('interfaceUuid', t.iface);
        out.arg('interface', interfaceByUuid(t.iface)?.name ?? null);
      }
    },
  },
  responses: {
    3: (n, out) => {
      n.handle();
      const num = n.u32();
      n.size();
      n.size();
      const actual = n.size();
      const count = Math.min(actual, num, MAX_NDR_ARRAY);
      const refs: number[] = [];
      for (let i = 0; i < count; i++) refs.push(n.ptr());
      let first = true;
      for (const r of refs) {
        if (r === 0) continue;
        const t = tower(twr(n), out);
        if (first) towerInfo(t, out);
        first = false;
      }
      n.align(4);
      out.field('epm.rc', n.u32());
    },
  },
};

// ---- Names only (bind Info, Protocol column) ----------------------------------------------------

const DSSETUP: InterfaceDef = {
  uuid: '3919286a-b10c-11d0-9ba8-00c04fd92ef5',
  name: 'dssetup',
  wsName: 'DSSETUP',
  dissector: { column: 'DSSETUP', proto: 'dssetup', opnum: 'dssetup.opnum', versions: [0] },
  ops: table(
    'DsRoleGetPrimaryDomainInformation DsRoleDnsNameToFlatName DsRoleDcAsDc DsRoleDcAsReplica DsRoleDemoteDc DsRoleGetDcOperationProgress DsRoleGetDcOperationResults DsRoleCancel DsRoleServerSaveStateForUpgrade DsRoleUpgradeDownlevelServer DsRoleAbortDownlevelServerUpgrade',
  ),
  statusInfo: null,
};

/** Interfaces known by name only: Wireshark dissects them, Tracehound names them in binds and records. */
function nameOnly(uuid: string, name: string, wsName: string): InterfaceDef {
  return { uuid, name, wsName, dissector: null, ops: {}, statusInfo: null };
}

export const INTERFACES: readonly InterfaceDef[] = [
  SVCCTL,
  ATSVC,
  TSCH,
  DRSUAPI,
  NETLOGON,
  SAMR,
  LSARPC,
  SRVSVC,
  EPM,
  DSSETUP,
  nameOnly('338cd001-2244-31f1-aaaa-900038001003', 'winreg', 'WINREG'),
  nameOnly('6bffd098-a112-3610-9833-46c3f87e345a', 'wkssvc', 'WKSSVC'),
  nameOnly('12345678-1234-abcd-ef00-0123456789ab', 'spoolss', 'SPOOLSS'),
  nameOnly('82273fdc-e32a-18c3-3f78-827929dc23ea', 'eventlog', 'EVENTLOG'),
  nameOnly('894de0c0-0d55-11d3-a322-00c04fa321a1', 'initshutdown', 'INITSHUTDOWN'),
  nameOnly('afa8bd80-7d8a-11c9-bef4-08002b102989', 'mgmt', 'MGMT'),
  nameOnly('99fcfec4-5260-101b-bbcb-00aa0021347a', 'IObjectExporter', 'IOXIDResolver'),
  nameOnly('4d9f4ab8-7d1c-11cf-861e-0020af6e7c57', 'IActivation', 'REMACT'),
];

const BY_UUID = new Map(INTERFACES.map((i) => [i.uuid, i]));

export function interfaceByUuid(uuid: string): InterfaceDef | undefined {
  return BY_UUID.get(uuid);
}

/** Operation name for Info (Wireshark's) and for records (Wireshark's, else the spec's). */
export function operationName(def: InterfaceDef | undefined, opnum: number): { ws: string | null; record: string | null } {
  const ws = def?.ops[opnum] ?? null;
  return { ws, record: ws ?? def?.specOps?.[opnum] ?? null };
}

/** Wireshark's NT status names for the codes these interfaces return most. */
const NT_STATUS: Readonly<Record<number, string>> = {
  0x00000000: 'STATUS_SUCCESS',
  0x00000103: 'STATUS_PENDING',
  0x00000105: 'STATUS_MORE_ENTRIES',
  0x00000107: 'STATUS_SOME_NOT_MAPPED',
  0x80000005: 'STATUS_BUFFER_OVERFLOW',
  0x8000001a: 'STATUS_NO_MORE_ENTRIES',
  0xc0000001: 'STATUS_UNSUCCESSFUL',
  0xc0000008: 'STATUS_INVALID_HANDLE',
  0xc000000d: 'STATUS_INVALID_PARAMETER',
  0xc0000022: 'STATUS_ACCESS_DENIED',
  0xc0000023: 'STATUS_BUFFER_TOO_SMALL',
  0xc0000034: 'STATUS_OBJECT_NAME_NOT_FOUND',
  0xc0000062: 'STATUS_INVALID_ACCOUNT_NAME',
  0xc0000063: 'STATUS_USER_EXISTS',
  0xc0000064: 'STATUS_NO_SUCH_USER',
  0xc000006a: 'STATUS_WRONG_PASSWORD',
  0xc000006d: 'STATUS_LOGON_FAILURE',
  0xc0000073: 'STATUS_NONE_MAPPED',
  0xc00000bb: 'STATUS_NOT_SUPPORTED',
  0xc0000121: 'STATUS_CANNOT_DELETE',
};

export function ntStatusName(code: number): string {
  return NT_STATUS[code] ?? `Unknown error 0x${code.toString(16).padStart(8, '0')}`;
}
