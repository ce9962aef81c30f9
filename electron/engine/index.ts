/**
 * The engine's one public entry. Hosts (Electron main, CLI, browser host) import only this.
 * Never imports `electron`.
 */
export { CaseStore, CaseError, ENGINE_VERSION } from './store/case-store.js';
export { ingestCapture, IngestError, sha256File, type IngestOptions, type IngestResult } from './ingest/pipeline.js';
export { openTarget, cacheDir, isCaseFile, removeCase, sweepAbandoned, type OpenedTarget, type OpenTargetOptions } from './case/resolve.js';
export { frameDetail } from './query/frame.js';
export { listPackets, MAX_PAGE_ROWS } from './query/packets.js';
export { CaptureFormatError } from './capture/types.js';
export { PcapWriter, PcapngWriter } from './capture/writer.js';
export { formatEpoch, formatRelative, formatIp4, formatMac } from './util/format.js';
export { startIngestWorker, type IngestJob, type WorkerRequest } from './ingest/worker.js';
export { ingestInterrupted } from './case/resolve.js';
export { prepareFilter, countMatches, pageMatches, frameMatches, FilterError, type PreparedFilter } from './filter/run.js';
export { fieldValues } from './filter/field-values.js';
export { packetsByFrames } from './query/packets.js';
export { formatDiagnostic, checkFilter } from '../../shared/filter/index.js';
export { followStream, listObjects, exportObjects, hashObjects, MAX_HASH_OBJECTS, sanitizeFilename, StreamNotFoundError, DEFAULT_FOLLOW_BYTES, MAX_FOLLOW_BYTES, type ExportedObject } from './analyze/replay.js';
export { storedFields } from './filter/run.js';
export { EngineApi, createEngineApi, type EngineApiOptions } from './api.js';
export { verifyCapture, cachedCasesFor, capturesFromFile, type VerifyResult } from './case/verify.js';
export { hostLabels, buildHostLabels, type HostLabels } from './query/hosts.js';
