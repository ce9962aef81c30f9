import { createHash } from 'node:crypto';
import { closeSync, mkdirSync, openSync, rmSync, writeSync } from 'node:fs';
import { basename, join } from 'node:path';
import { createParser, detectFormat, openCaptureStream } from '../capture/detect.js';
import { CaptureFormatError, type CaptureParser } from '../capture/types.js';
import type { CaptureFinish, FlowRecord, HostRecord, PacketBatch } from '../store/case-store.js';
import { PacketIndexer } from './indexer.js';

/**
 * The parse side of an ingest: read (hash, decompress) → parse → dissect → index.
 * It runs in a worker thread for large captures (the SQLite writer runs on the other
 * core) or in-line for small ones; it never touches the case file.
 */

export interface ParseSideInput {
  capturePath: string;
  /** Name used in messages (the path the user gave). */
  displayName: string;
  captureId: number;
  hostIds: [string, number][];
  firstFlowId: number;
  protocolIds: [string, number][];
  /** Application field-name ids already in the case. */
  fieldIds: [string, number][];
  /** Directory for the decompressed working copy of a compressed capture. */
  dataDir: string;
  /** Unique stem for the working copy's temporary name. */
  tmpStem: string;
  chunkSize: number;
  /** Hash the raw bytes here (false when the caller hashes them on another thread). */
  hash: boolean;
  /** See IndexerOptions.evictIdleFrames. */
  evictIdleFrames?: number;
  /** Rows per batch (default BATCH_ROWS; eviction is checked once per batch). */
  batchRows?: number;
}

export interface Damage {
  kind: string;
  offset: number;
  message: string;
}

export interface ParseSideResult {
  sha256: string;
  bytesRead: number;
  compression: 'gzip' | 'zstd' | null;
  format: string | null;
  /** Damage before any packet or header could be read: nothing to keep. */
  fatal: Damage | null;
  /** Damage after some packets: everything before it is kept. */
  problem: Damage | null;
  cancelled: boolean;
  /** Decompressed working copy (compressed captures only), still under its temporary name. */
  dataTmpPath: string | null;
  packets: number;
  bytes: number;
  /** Conversations evicted from memory while parsing (their rows went out in batches). */
  flowsEvicted: number;
  firstTs: [number, number] | null;
  lastTs: [number, number] | null;
  linkTypes: number[];
  flows: FlowRecord[];
  hosts: HostRecord[];
  interfaces: CaptureFinish['interfaces'];
  names: CaptureFinish['names'];
}

/** One line naming the file, the problem and the byte offset. */
export function describeDamage(name: string, e: CaptureFormatError): string {
  const where = new RegExp(`\\b${e.offset}\\b`).test(e.message) ? '' : ` (at byte ${e.offset})`;
  return `${basename(name)}: ${e.message}${where}`;
}

export type BatchSink = (b: PacketBatch, bytesRead: number) => void | Promise<void>;

export async function runParseSide(input: ParseSideInput, sink: BatchSink, signal?: AbortSignal): Promise<ParseSideResult> {
  const hash = createHash('sha256');
  let bytesRead = 0;
  const indexer = new PacketIndexer({
    captureId: input.captureId,
    hostIds: new Map(input.hostIds),
    firstFlowId: input.firstFlowId,
    protocolIds: new Map(input.protocolIds),
    fieldIds: new Map(input.fieldIds),
    ...(input.evictIdleFrames !== undefined ? { evictIdleFrames: input.evictIdleFrames } : {}),
    ...(input.batchRows !== undefined ? { batchRows: input.batchRows } : {}),
  });
  const result: ParseSideResult = {
    sha256: '', bytesRead: 0, compression: null, format: null, fatal: null, problem: null, cancelled: false, dataTmpPath: null,
    packets: 0, bytes: 0, flowsEvicted: 0, firstTs: null, lastTs: null, linkTypes: [], flows: [], hosts: [], interfaces: [], names: [],
  };
  const damage = (e: CaptureFormatError): Damage => ({ kind: e.kind, offset: e.offset, message: describeDamage(input.displayName, e) });

  let stream;
  try {
    stream = await openCaptureStream(input.capturePath, {
      chunkSize: input.chunkSize,
      onRawChunk: (c) => {
        if (input.hash) hash.update(c);
        bytesRead += c.length;
      },
      ...(signal ? { signal } : {}),
    });
  } catch (e) {
    if (e instanceof CaptureFormatError) {
      result.fatal = damage(e);
      return result;
    }
    throw e;
  }
  result.compression = stream.compression;

  let dataFd: number | null = null;
  if (stream.compression) {
    mkdirSync(input.dataDir, { recursive: true });
    result.dataTmpPath = join(input.dataDir, `${input.tmpStem}.tmp`);
    dataFd = openSync(result.dataTmpPath, 'w');
  }

  let parser: CaptureParser | null = null;
  try {
    for await (const chunk of stream.chunks) {
      if (signal?.aborted) {
        result.cancelled = true;
        break;
      }
      if (dataFd !== null) writeSync(dataFd, chunk);
      if (!parser) {
        const d = detectFormat(chunk);
        if ('format' in d) {
          result.format = d.format;
          parser = createParser(d.format, (rec) => indexer.add(rec));
        } else if ('unknown' in d) {
          throw new CaptureFormatError('unknown-magic', 0, d.unknown);
        } else {
          throw new CaptureFormatError('decompress', 0, 'a compressed file inside a compressed file is not supported');
        }
      }
      parser.push(chunk);
      for (const b of indexer.takeFullBatches()) await sink(b, bytesRead);
    }
    if (!result.cancelled) {
      if (!parser) throw new CaptureFormatError('empty', 0, 'the file is empty (0 bytes): not a capture');
      parser.end();
    }
  } catch (e) {
    if (e instanceof CaptureFormatError) {
      if (indexer.packets === 0 && (!parser || !parser.header)) result.fatal = damage(e);
      else result.problem = damage(e);
    } else if ((e as Error).name === 'AbortError') {
      result.cancelled = true;
    } else {
      if (dataFd !== null) closeSync(dataFd);
      if (result.dataTmpPath) rmSync(result.dataTmpPath, { force: true });
      throw e;
    }
  }
  if (dataFd !== null) closeSync(dataFd);
  if (result.fatal && result.dataTmpPath) {
    rmSync(result.dataTmpPath, { force: true });
    result.dataTmpPath = null;
  }
  if (!result.fatal) {
    indexer.finishApp();
    for (const b of indexer.takeFullBatches()) await sink(b, bytesRead);
    const last = indexer.takeBatch();
    if (last) await sink(last, bytesRead);
  }

  result.sha256 = input.hash ? hash.digest('hex') : '';
  result.bytesRead = bytesRead;
  result.packets = indexer.packets;
  result.bytes = indexer.bytes;
  result.firstTs = indexer.firstTs;
  result.lastTs = indexer.lastTs;
  result.linkTypes = [...indexer.linkTypes].sort((a, b) => a - b);
  result.flows = [...indexer.flows()];
  result.flowsEvicted = indexer.flowsEvicted;
  result.hosts = [...indexer.hosts()];
  result.interfaces = (parser?.interfaces ?? []).map((i) => ({
    id: i.id, linktype: i.linktype, snaplen: i.snaplen, name: i.name, description: i.description, tsResolution: i.tsResolution,
    received: i.stats?.received, dropped: i.stats?.dropped,
  }));
  result.names = (parser?.names ?? []).flatMap((n) => n.names.map((name) => ({ addr: n.address, name })));
  return result;
}
