import { createRequire } from 'node:module';
import { native, type NativeSharedMemory } from '../binding.js';
import { trackName, untrackName } from './tracker.js';
import { MultiprocError } from '../errors.js';
import { kReduce, registerRebuild, type Handle, type Reducible } from '../travel.js';
import { checkBoolean, checkInteger, checkName, checkObject } from '../validate.js';

/** Options of SharedMemory, as in Python's multiprocessing.shared_memory.SharedMemory. */
export interface SharedMemoryOptions {
  /** System-wide name (without the leading '/'); Python attaches with the same name. */
  name?: string;
  /** Create a new segment (fails with EEXIST if the name is taken); default: attach. */
  create?: boolean;
  /** Bytes, when creating. */
  size?: number;
  /** Unlink at exit if this process created it and nobody unlinked it (default true, as
   * Python's resource tracker does). */
  track?: boolean;
}

/** The largest segment the addon can map: Node's limit on a Buffer. */
const MAX_SIZE = 2 ** 32;
const require = createRequire(import.meta.url);

// Python's naming; node:crypto loads only when a name is needed (it slows every child's start).
function randomName(): string {
  const { randomBytes } = require('node:crypto') as typeof import('node:crypto');
  return `psm_${randomBytes(4).toString('hex')}`;
}


/**
 * A named block of shared memory in the namespace Python's shared_memory uses, so either
 * language can create it and the other attach. `buf` is a zero-copy Buffer over it.
 */
export class SharedMemory implements Reducible {
  readonly #name: string;
  #mapping: NativeSharedMemory | null;
  #buf: Buffer | null;

  constructor(options?: SharedMemoryOptions) {
    const opts = checkObject(options, 'options');
    const create = checkBoolean(opts.create, 'create', opts.name === undefined);
    // Without a name there is nothing to attach to: checkName() says so.
    const name = opts.name === undefined && create ? randomName() : checkName(opts.name);
    if (create) {
      const size = checkInteger(opts.size, 'size', 1, MAX_SIZE);
      const track = checkBoolean(opts.track, 'track', true);
      this.#mapping = native.createSharedMemory(name, size);
      if (track) trackName(name);
    } else {
      if (opts.size !== undefined) checkInteger(opts.size, 'size', 0, MAX_SIZE);
      this.#mapping = native.openSharedMemory(name);
    }
    this.#name = name;
    this.#buf = Buffer.from(this.#mapping.buffer!, 0, this.#mapping.size);
  }

  /** The system-wide name. */
  get name(): string {
    return this.#name;
  }

  /** Bytes mapped. */
  get size(): number {
    return this.#mapping?.size ?? 0;
  }

  /** The memory, zero copy; throws after close(). */
  get buf(): Buffer {
    if (this.#buf === null) throw new MultiprocError('the SharedMemory is closed', 'ERR_SHM_CLOSED');
    return this.#buf;
  }

  /** Unmaps it from this process; views of `buf` become empty instead of dangling. */
  close(): void {
    this.#mapping?.close();
    this.#mapping = null;
    this.#buf = null;
  }

  /** Removes the name; processes that have it mapped keep their mapping. */
  unlink(): void {
    SharedMemory.unlink(this.#name);
  }

  /** Removes the name `name`. */
  static unlink(name: string): void {
    native.unlinkNamed(checkName(name));
    untrackName(name);
  }

  [kReduce](): Handle {
    return { type: 'SharedMemory', data: this.#name };
  }
}

registerRebuild('SharedMemory', (name) => new SharedMemory({ name: name as string }));
