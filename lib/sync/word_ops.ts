import type { MappedSegment } from '../shared/segments.js';

/** Atomic operations on the 32-bit words of one segment, addressed by byte offset. */
export interface WordOps {
  /** Stores `replacement` if the word is `expected`; returns the word as it was. */
  cas(offset: number, expected: number, replacement: number): number;
  load(offset: number): number;
}

// V8 (11.x) does not inline Atomics.*: each is a builtin call of 8-14 ns, which puts an
// uncontended acquire/release pair at 17-36 ns. A call into WebAssembly costs about half, so
// the locks may reach their words through an instance whose memory is the segment itself: the
// binding maps the segment's file over the start of a fresh shared WebAssembly.Memory.
//
// Only while a call site always calls the same function, though: called on the functions of two
// instances, V8 makes each call a generic one, slower than Atomics. So one segment per thread
// gets WebAssembly: the first one a lock is made on (an arena holds thousands of objects), and
// never another, even once it is gone. The locks of every other segment use Atomics, as do all
// where WebAssembly cannot be had (disabled, no address space left for a memory, a segment of
// odd size). This also bounds what the memories cost: each reserves ~10 GiB of address space.

/** The slice of the WebAssembly API used here (this package compiles without DOM types). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: WordOps };
}

/**
 * Imports shared memory e.m of 1 to 65536 pages; exports cas (i32.atomic.rmw.cmpxchg) and load
 * (i32.atomic.load), both on the 4-byte-aligned word at a byte offset.
 */
const MODULE_BYTES = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  // types: (i32 i32 i32) -> i32, (i32) -> i32
  0x01, 0x0d, 0x02, 0x60, 0x03, 0x7f, 0x7f, 0x7f, 0x01, 0x7f, 0x60, 0x01, 0x7f, 0x01, 0x7f,
  // import "e" "m": memory, shared, min 1, max 65536
  0x02, 0x0b, 0x01, 0x01, 0x65, 0x01, 0x6d, 0x02, 0x03, 0x01, 0x80, 0x80, 0x04,
  // functions: 0 of type 0, 1 of type 1
  0x03, 0x03, 0x02, 0x00, 0x01,
  // exports: "cas" = function 0, "load" = function 1
  0x07, 0x0e, 0x02, 0x03, 0x63, 0x61, 0x73, 0x00, 0x00, 0x04, 0x6c, 0x6f, 0x61, 0x64, 0x00, 0x01,
  // code: local.get 0..2, i32.atomic.rmw.cmpxchg align=4; local.get 0, i32.atomic.load align=4
  0x0a, 0x17, 0x02,
  0x0c, 0x00, 0x20, 0x00, 0x20, 0x01, 0x20, 0x02, 0xfe, 0x48, 0x02, 0x00, 0x0b,
  0x08, 0x00, 0x20, 0x00, 0xfe, 0x10, 0x02, 0x00, 0x0b,
]);

const wasm = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
let module: object | null | undefined;
/** The segment that got WebAssembly in this thread; its operations go when it goes. */
let chosen: WeakRef<MappedSegment> | undefined;
const chosenOps = new WeakMap<MappedSegment, WordOps>();

/** The module, compiled on first use; null when this process cannot run it. */
function compiled(): object | null {
  if (module === undefined) {
    try {
      module = wasm === undefined ? null : new wasm.Module(MODULE_BYTES);
    } catch {
      module = null;
    }
  }
  return module;
}

/** WebAssembly operations on `seg`'s words, or null where its locks are to use Atomics. */
export function wasmWordOps(seg: MappedSegment): WordOps | null {
  if (chosen !== undefined) return chosen.deref() === seg ? chosenOps.get(seg)! : null;
  const mod = compiled();
  if (mod === null) return null;
  try {
    // The instance keeps the memory, and so the mapping, alive for as long as a lock uses it.
    const ops = new wasm!.Instance(mod, { e: { m: seg.native.wasmMemory() } }).exports;
    chosen = new WeakRef(seg);
    chosenOps.set(seg, ops);
    return ops;
  } catch {
    return null;
  }
}

/** Compare-and-swap on word `idx` of `i32` (through `ops` if set); returns the word as it was. */
export function casWord(ops: WordOps | null, i32: Int32Array, idx: number, expected: number,
  replacement: number): number {
  return ops !== null ? ops.cas(idx * 4, expected, replacement)
    : Atomics.compareExchange(i32, idx, expected, replacement);
}

/** Loads word `idx` of `i32` (through `ops` if set). */
export function loadWord(ops: WordOps | null, i32: Int32Array, idx: number): number {
  return ops !== null ? ops.load(idx * 4) : Atomics.load(i32, idx);
}
