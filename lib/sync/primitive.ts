import { native, STATE_WORD } from '../binding.js';
import { allocate, fromHandle, openNamed, toHandle, track, type Placement } from '../shared/segments.js';
import { handleRecord, kReduce, registerRebuild, type Handle, type Reducible } from '../travel.js';
import { checkName, checkObject } from '../validate.js';

/** This thread, as RLock records its holder (0 means none). */
export const THREAD = native.currentThreadId();

/** Passed instead of options when an object is rebuilt from a handle. */
export const kAttach = Symbol('multiproc.attach');
/** The constructor argument that rebuilds an object on an existing placement. */
export interface Attach {
  [kAttach]: Placement;
}

export function isAttach(value: unknown): value is Attach {
  return typeof value === 'object' && value !== null && kAttach in value;
}

/** What a primitive needs to place itself: kind, parameters and where its options are. */
export interface PlaceSpec {
  kind: number;
  prefix: string;
  a?: number;
  b?: number;
  withLock?: boolean;
}

/** Places a primitive: on an existing placement, under a system-wide name, or in the arena. */
export function place(options: unknown, spec: PlaceSpec): Placement {
  if (isAttach(options)) return options[kAttach];
  const opts = checkObject(options, 'options');
  if (opts.name !== undefined) {
    const name = checkName(opts.name);
    return openNamed(`mp.${spec.prefix}.${name}`, spec.kind, spec.a ?? 0, spec.b ?? 0, 0,
      spec.withLock ?? false);
  }
  return allocate(spec.kind, spec.a ?? 0, spec.b ?? 0, 0, spec.withLock ?? false);
}

/** Base of the process-shared primitives: where the state lives, and how it travels. */
export abstract class SharedPrimitive implements Reducible {
  /** The primitive's shared state. */
  protected readonly placement: Placement;
  /** All 32-bit words of the segment; the state starts at `idx`. */
  protected readonly i32: Int32Array;
  protected readonly idx: number;
  /** This thread as the holder of a lock in this segment: its lease id there. */
  protected readonly me: number;

  protected constructor(placement: Placement) {
    this.placement = placement;
    this.i32 = placement.seg.i32;
    this.idx = placement.offset / 4 + STATE_WORD;
    this.me = placement.seg.lease;
    track(this, placement);
  }

  abstract [kReduce](): Handle;

  protected handle(type: string, extra?: unknown): Handle {
    return { type, data: { p: toHandle(this.placement), extra } };
  }
}

/**
 * Makes `type` rebuildable from a handle naming an object of `kind`: `make` gets the placement
 * and the extra data given to handle().
 */
export function rebuildAs(type: string, kind: number,
  make: (attach: Attach, extra: unknown) => unknown): void {
  registerRebuild(type, (data) => {
    const { p, extra } = handleRecord(data);
    return make({ [kAttach]: fromHandle(p, kind) }, extra);
  });
}

/** Removes the system-wide name `prefix`.`name`; objects already open keep working. */
export function unlinkNamed(prefix: string, name: unknown): void {
  native.unlinkNamed(`mp.${prefix}.${checkName(name)}`);
}
