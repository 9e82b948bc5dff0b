/** A reader's and a writer's progress through one message, kept across waits. */
import type { Encoded } from './codec.js';

/** What a read step found when there was nothing this thread may take now. */
export const NOTHING = Symbol('multiproc.nothing');

/** A reader's progress through a stream. */
export interface ReadState {
  stream: Buffer | null;
  filled: number;
  /** Bytes of the last message read (its encoding). */
  size: number;
}

/** A writer's progress through a message. */
export interface WriteState {
  /** Detached (see Encoded.detach()) once it waits in an outbox. */
  enc: Encoded;
  /** For streams: the bytes written so far. */
  written: number;
  /** For streams: the exact bytes (enc.size is only a bound), made at the first write. */
  parts?: readonly Uint8Array[];
  total?: number;
  /** In an outbox, not yet all written (see outbox.ts). */
  queued?: boolean;
  /** Taken back from its outbox before any of it was written (a put() that timed out). */
  withdrawn?: boolean;
}
