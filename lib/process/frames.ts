/**
 * The frames a parent and its child exchange on the child's descriptor 3: a 4-byte
 * little-endian length, then a v8-serialized value. The parent sends one job; the child sends
 * "ready" (standby runtimes only) and at most one report.
 */
import v8 from 'node:v8';
import type { StartMethod } from './start_method.js';
import type { PackedError } from '../remote_error.js';

/** Descriptor 3 of every child carries its channel to the parent. */
export const CHANNEL_FD = 3;

/** Everything a child needs to run a target. */
export interface Job {
  module: string;
  name: string;
  /** The arguments, as mp.serialize made them. */
  args: Uint8Array;
  procName: string;
  daemon: boolean;
  identity: number[];
  parentPid: number;
  parentName: string;
  affinity: number[] | null;
  priority: number | null;
  /** The parent logger's level, and whether it logged to stderr. */
  logLevel: number;
  logToStderr: boolean;
  /** The parent's start method, the child's default too (as in Python). */
  startMethod: StartMethod;
}

/** What a child tells its parent. */
export type ChildMessage =
  | { kind: 'ready' }
  | { kind: 'error'; error: PackedError };

export function encodeFrame(value: unknown): Buffer {
  const body = v8.serialize(value);
  const header = Buffer.alloc(4);
  header.writeUInt32LE(body.length, 0);
  return Buffer.concat([header, body]);
}

/** Splits a byte stream into decoded frames. */
export class FrameReader {
  private pending: Buffer = Buffer.alloc(0);

  /** Feeds bytes; returns the frames they completed. */
  push(chunk: Buffer): unknown[] {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const out: unknown[] = [];
    while (this.pending.length >= 4) {
      const n = this.pending.readUInt32LE(0);
      if (this.pending.length < 4 + n) break;
      out.push(v8.deserialize(this.pending.subarray(4, 4 + n)));
      this.pending = this.pending.subarray(4 + n);
    }
    return out;
  }
}
