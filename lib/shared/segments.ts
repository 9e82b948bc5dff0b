import { Kind, native, type NativeSegment } from '../binding.js';
import { MultiprocError } from '../errors.js';
import { describe } from '../validate.js';
import { invalidHandle } from '../travel.js';

/**
 * How another process finds a segment: anonymous arenas are reopened through a live process
 * that holds them (`/proc/<pid>/fd/<fd>`, checked against the segment's random id); named
 * segments by name.
 */
export type SegmentSource =
  | { kind: 'anon'; id: string; holders: Array<[pid: number, fd: number]> }
  | { kind: 'named'; name: string; spec: NamedSpec };

/** What a named object was opened as: kind, two parameters, element size, embedded lock. */
export type NamedSpec = [kind: number, a: number, b: number, elementSize: number, withLock: boolean];

/** A segment mapped in this thread, with the views every object in it shares. */
export interface MappedSegment {
  readonly native: NativeSegment;
  readonly i32: Int32Array;
  readonly source: SegmentSource;
  /**
   * This mapping's lease id (native/core/lease.h): what this thread writes into the segment as
   * the holder of a lock or a slot, and what others check the liveness of.
   */
  readonly lease: number;
}

/** One object's place: its segment, its offset and the offset of its embedded lock, if any. */
export interface Placement {
  readonly seg: MappedSegment;
  readonly offset: number;
  readonly lockOffset: number | null;
  /** Set on a lock embedded in another object's block: that object owns the block's reference. */
  readonly embeddedIn?: object;
}

/** The placement of the RLock embedded before `p`'s object, kept alive with `owner`. */
export function embeddedLock(p: Placement, owner: object): Placement {
  return { seg: p.seg, offset: p.lockOffset!, lockOffset: null, embeddedIn: owner };
}

/** The plain-data form of a Placement, for travel to another process. */
export interface PlacementHandle {
  source: SegmentSource;
  offset: number;
  lockOffset: number | null;
}

const mapped = new Map<string, WeakRef<MappedSegment>>();
// Named objects this thread has open, by name and spec: every object of one name shares one
// mapping, and so one lease, so that a thread is one holder of a named lock however many times
// it opened it.
const namedMapped = new Map<string, { seg: WeakRef<MappedSegment>; offset: number; lockOffset: number | null }>();
let arena: MappedSegment | undefined;
const LARGEST_BLOCK = 128 * 1024;
/** The embedded RLock's bytes: an object that has one starts this far after it. */
const EMBEDDED_LOCK_BYTES = 24;
/** A handle names at most this many processes holding an anonymous segment. */
const MAX_HOLDERS = 3;

// Blocks in arenas are reference counted across processes; this process drops its reference
// when the last JavaScript object using the block is collected.
const blocks = new FinalizationRegistry<{ seg: MappedSegment; first: number }>(({ seg, first }) => {
  seg.native.release(first);
});

function wrap(segment: NativeSegment, source: SegmentSource): MappedSegment {
  return { native: segment, i32: new Int32Array(segment.buffer), source, lease: segment.lease };
}

function remember(seg: MappedSegment): MappedSegment {
  if (seg.source.kind === 'anon') mapped.set(seg.source.id, new WeakRef(seg));
  return seg;
}

function anonSource(segment: NativeSegment, holders: Array<[number, number]> = []): SegmentSource {
  const own: [number, number] = [process.pid, segment.fd];
  return {
    kind: 'anon',
    id: segment.id.toString('hex'),
    holders: [own, ...holders.filter(([pid]) => pid !== process.pid)].slice(0, MAX_HOLDERS),
  };
}

/** Allocates an object in this process's arena (or a segment of its own when large). */
export function allocate(kind: number, a: number, b: number, elementSize: number,
  withLock: boolean, initial?: Uint8Array): Placement {
  const bytes = 16 + 24 + 16 + elementSize * b;
  let seg: MappedSegment;
  let placed;
  if (bytes > LARGEST_BLOCK) {
    const segment = native.createArena(bytes + 64);
    seg = remember(wrap(segment, anonSource(segment)));
    placed = segment.allocate(kind, a, b, elementSize, withLock, initial);
  } else {
    arena ??= newArena();
    placed = arena.native.allocate(kind, a, b, elementSize, withLock, initial);
    if (placed === null) {
      arena = newArena();
      placed = arena.native.allocate(kind, a, b, elementSize, withLock, initial);
    }
    seg = arena;
  }
  if (placed === null) throw new MultiprocError('could not allocate shared memory', 'ENOMEM');
  return { seg, offset: placed.offset, lockOffset: placed.lockOffset };
}

function newArena(): MappedSegment {
  const segment = native.createArena();
  return remember(wrap(segment, anonSource(segment)));
}

/** Ties the block's reference to the lifetime of `owner`. */
export function track(owner: object, p: Placement): void {
  if (p.seg.source.kind === 'anon' && p.embeddedIn === undefined) {
    blocks.register(owner, { seg: p.seg, first: p.lockOffset ?? p.offset });
  }
}

/** Opens or creates the named object `name` (already prefixed with its kind). */
export function openNamed(name: string, kind: number, a: number, b: number, elementSize: number,
  withLock: boolean, initial?: Uint8Array): Placement & { created: boolean } {
  const spec: NamedSpec = [kind, a, b, elementSize, withLock];
  const key = `${name}\0${spec.join()}`;
  const known = namedMapped.get(key);
  const knownSeg = known?.seg.deref();
  // The name may have been unlinked and made anew since: that is another object.
  if (knownSeg !== undefined && knownSeg.native.isNamed(name)) {
    return { seg: knownSeg, offset: known!.offset, lockOffset: known!.lockOffset, created: false };
  }
  const placed = native.openNamed(name, kind, a, b, elementSize, withLock, initial);
  const seg = wrap(placed.segment, { kind: 'named', name, spec });
  namedMapped.set(key, { seg: new WeakRef(seg), offset: placed.offset, lockOffset: placed.lockOffset });
  return { seg, offset: placed.offset, lockOffset: placed.lockOffset, created: placed.created };
}

/**
 * The handle another process rebuilds the object from. For arena blocks it takes a reference
 * on behalf of the receiver, so the block outlives this process's own reference while the
 * handle is in flight.
 */
export function toHandle(p: Placement): PlacementHandle {
  const src = p.seg.source;
  if (src.kind === 'anon') {
    p.seg.native.retain(p.lockOffset ?? p.offset);
    return { source: anonSource(p.seg.native, src.holders), offset: p.offset, lockOffset: p.lockOffset };
  }
  return { source: src, offset: p.offset, lockOffset: p.lockOffset };
}

/**
 * Maps the segment a handle names (once per process) and adopts the handle's reference. The
 * handle may come from any bytes given to deserialize(): it must name an object of `kind`.
 */
export function fromHandle(handle: unknown, kind: number): Placement {
  const h = checkHandle(handle);
  const seg = h.source.kind === 'anon' ? reopen(h.source) : openNamedSegment(h.source);
  if (!seg.native.holds(h.offset, kind)) {
    const name = Object.keys(Kind).find((k) => Kind[k as keyof typeof Kind] === kind);
    throw invalidHandle(`there is no ${name} at offset ${h.offset} of its segment`);
  }
  if (h.lockOffset !== null && (h.lockOffset + EMBEDDED_LOCK_BYTES !== h.offset ||
      !seg.native.holds(h.lockOffset, Kind.RLock))) {
    throw invalidHandle(`there is no embedded RLock at offset ${h.lockOffset} of its segment`);
  }
  return { seg, offset: h.offset, lockOffset: h.lockOffset };
}

function isOffset(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= 0 && (value as number) <= 0xffffffff;
}

function isSource(value: unknown): value is SegmentSource {
  const s = value as Record<string, unknown> | null;
  if (typeof s !== 'object' || s === null) return false;
  if (s.kind === 'named') return typeof s.name === 'string' && Array.isArray(s.spec) && s.spec.length === 5;
  return s.kind === 'anon' && typeof s.id === 'string' && /^[0-9a-f]{32}$/.test(s.id) &&
    Array.isArray(s.holders) && s.holders.length >= 1 && s.holders.length <= MAX_HOLDERS &&
    s.holders.every((x) => Array.isArray(x) && x.length === 2 && Number.isInteger(x[0]) &&
      x[0] > 0 && Number.isInteger(x[1]) && x[1] >= 0);
}

function checkHandle(value: unknown): PlacementHandle {
  const h = value as Partial<PlacementHandle> | null;
  if (typeof h !== 'object' || h === null || !isOffset(h.offset) || !isSource(h.source) ||
      !(h.lockOffset === null || isOffset(h.lockOffset))) {
    throw invalidHandle(`not a placement: ${describe(value)}`);
  }
  return h as PlacementHandle;
}

function reopen(source: Extract<SegmentSource, { kind: 'anon' }>): MappedSegment {
  const known = mapped.get(source.id)?.deref();
  if (known) return known;
  const id = Buffer.from(source.id, 'hex');
  let last: unknown;
  for (const [pid, fd] of source.holders) {
    try {
      const segment = native.reopenArena(pid, fd, id);
      return remember(wrap(segment, anonSource(segment, source.holders)));
    } catch (err) {
      last = err;
    }
  }
  throw new MultiprocError(
    'the shared object is gone: no process that held it is still running', 'ESTALE', { cause: last });
}

function openNamedSegment(source: Extract<SegmentSource, { kind: 'named' }>): MappedSegment {
  // Open-or-create, like the constructor: if the name was unlinked meanwhile, both ends of the
  // handle would otherwise disagree on which object they share.
  return openNamed(source.name, ...source.spec).seg;
}
