import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

/** A mapped multiproc segment: an arena of small objects or one named or large object. */
export interface NativeSegment {
  readonly buffer: ArrayBuffer;
  readonly fd: number;
  readonly id: Buffer;
  readonly size: number;
  allocate(kind: number, a: number, b: number, elementSize: number, withLock: boolean,
    initial?: Uint8Array): NativePlacement | null;
  retain(offset: number): boolean;
  release(offset: number): boolean;
  dataInfo(offset: number): [typecode: number, length: number];
  holds(offset: number, kind: number): boolean;
  /** A new shared WebAssembly.Memory whose first bytes are this segment (lib/sync/word_ops.ts). */
  wasmMemory(): object;
  /** This mapping's lease id: what it writes as the holder of the segment's locks and slots. */
  readonly lease: number;
  /** False only when no live mapping holds lease `id` of this segment. */
  leaseAlive(id: number): boolean;
  /** A new lease id held by this process until dropSpareLease(id). */
  takeSpareLease(): number;
  dropSpareLease(id: number): boolean;
  /** Whether `name` (in the shm namespace) still names this segment. */
  isNamed(name: string): boolean;
}

/** Where an object landed: its segment, its offset and the offset of its embedded lock. */
export interface NativePlacement {
  segment: NativeSegment;
  offset: number;
  lockOffset: number | null;
  created: boolean;
}

/** A mapping of a plain named segment, as Python's shared_memory makes them. */
export interface NativeSharedMemory {
  readonly buffer: ArrayBuffer | null;
  readonly size: number;
  close(): void;
}

/** The addon's exports; every function validates its arguments again. */
export interface NativeBinding {
  createArena(bytes?: number): NativeSegment;
  reopenArena(pid: number, fd: number, id: Buffer): NativeSegment;
  openNamed(name: string, kind: number, a: number, b: number, elementSize: number,
    withLock: boolean, initial?: Uint8Array): NativePlacement;
  unlinkNamed(name: string): void;
  createSharedMemory(name: string, size: number): NativeSharedMemory;
  openSharedMemory(name: string): NativeSharedMemory;
  waitSync(op: number, segment: NativeSegment, offset: number, arg: number, timeoutMs: number): number;
  init(onResults: (batch: number[]) => void): void;
  waitAsync(id: number, op: number, segment: NativeSegment, offset: number, arg: number,
    timeoutMs: number): void;
  lockRelease(segment: NativeSegment, offset: number, recursive: boolean): boolean;
  semaphoreRelease(segment: NativeSegment, offset: number, bounded: boolean): boolean;
  eventSet(segment: NativeSegment, offset: number): void;
  eventClear(segment: NativeSegment, offset: number): void;
  conditionEnqueue(segment: NativeSegment, offset: number): number;
  conditionNotify(segment: NativeSegment, offset: number, n: number): number;
  conditionWithdraw(segment: NativeSegment, offset: number, ticket: number): boolean;
  barrierArrive(segment: NativeSegment, offset: number, hasAction: boolean): [number, number, number];
  barrierRelease(segment: NativeSegment, offset: number, generation: number): void;
  barrierAbort(segment: NativeSegment, offset: number): void;
  barrierReset(segment: NativeSegment, offset: number): void;
  barrierState(segment: NativeSegment, offset: number): [number, number, boolean];
  setAffinity(pid: number, cpus: number[]): void;
  getAffinity(pid: number): number[];
  setPriority(pid: number, nice: number): void;
  getPriority(pid: number): number;
  readParentFrame(fd: number): Buffer | null;
  writeParentFrame(fd: number, bytes: Uint8Array): void;
  startLifeline(fd: number, graceMs: number): void;
  processAlive(pid: number): boolean;
  currentThreadId(): number;
}

// The directory holding package.json: where build/ and prebuilds/ are, however deep the
// bundler put this code under dist/.
function findPackageRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`multiproc: no package.json above ${from}`);
  }
}

/** The package's root directory. */
export const packageRoot = findPackageRoot(dirname(fileURLToPath(import.meta.url)));

/** Names the addon file for children, so that they load it without searching for it. */
export const ADDON_PATH_ENV = 'MULTIPROC_ADDON_PATH';

// A child is told which file its parent loaded: opening it directly spares every child start
// node-gyp-build's search (and the CommonJS loader it needs).
function loadBinding(): { native: NativeBinding; path: string } {
  const known = process.env[ADDON_PATH_ENV];
  if (known) {
    try {
      const module = { exports: {} };
      process.dlopen(module, known);
      return { native: module.exports as NativeBinding, path: known };
    } catch {
      // Moved or built for another runtime: search as usual.
    }
  }
  const require = createRequire(import.meta.url);
  const path = (require('node-gyp-build') as { path(dir: string): string }).path(packageRoot);
  return { native: require(path) as NativeBinding, path };
}

const loaded = loadBinding();
/** The native addon: a local build, or the prebuild matching this platform. */
export const native: NativeBinding = loaded.native;
/** The file the addon was loaded from. */
export const addonPath: string = loaded.path;

/** Object kinds, as native/core/layout.h numbers them. */
export const Kind = {
  Lock: 1,
  RLock: 2,
  Semaphore: 3,
  BoundedSemaphore: 4,
  Event: 5,
  Condition: 6,
  Barrier: 7,
  Data: 8,
} as const;

/** Wait operations, as native/binding/waitables.h numbers them. */
export const WaitOp = {
  Lock: 0,
  RLock: 1,
  Semaphore: 2,
  BoundedSemaphore: 3,
  Event: 4,
  Condition: 5,
  Barrier: 6,
} as const;

/** Word offsets of the state after an object's 8-byte header. */
export const STATE_WORD = 2;
/** The low bits of a lock word hold the holder's lease id (bit 30 says a sleeper may exist). */
export const LOCK_OWNER_MASK = 0x3fffffff;
