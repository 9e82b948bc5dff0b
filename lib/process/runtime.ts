/**
 * A Node runtime started for a child process: the OS process, its channel (descriptor 3, a
 * socket pair the parent keeps one end of), and what it reported. A runtime starts either
 * with its job written at once, or as a standby that loads and then waits for one.
 */
import type { ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { ADDON_PATH_ENV, addonPath, packageRoot } from '../binding.js';
import type { PackedError } from '../remote_error.js';
import { CHANNEL_FD, encodeFrame, FrameReader, type ChildMessage, type Job } from './frames.js';

// The bundle's second entry point (see scripts/bundle.mjs).
const require = createRequire(import.meta.url);

const CHILD_MAIN = join(packageRoot, 'dist', 'child_main.js');

// Options that would make the child do something other than run our bootstrap, or fight the
// parent for a resource (a debugger port): dropped from the inherited execArgv.
const WITH_VALUE = new Set(['-e', '--eval', '-p', '--print', '-r', '--require', '--import']);
const DROPPED = /^(-e|--eval|-p|--print|-i|--interactive|--test|--watch|--watch-path|--inspect|--inspect-brk|--inspect-port|--debug-port)(=|$)/;

/** The parent's execArgv minus what a child must not inherit (loaders such as tsx are kept). */
export function childExecArgv(execArgv: readonly string[] = process.execArgv): string[] {
  const out: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const arg = execArgv[i]!;
    const dropped = DROPPED.test(arg);
    if (!dropped) out.push(arg);
    if (WITH_VALUE.has(arg) && i + 1 < execArgv.length) {
      if (!dropped) out.push(execArgv[i + 1]!);
      i++;
    }
  }
  return out;
}

/** How a runtime ended: exit code, or the signal that killed it. */
export interface RuntimeExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export type RuntimeMode = 'spawn' | 'standby';

export class Runtime {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly mode: RuntimeMode;
  /** Resolves when the OS process has exited. */
  readonly exited: Promise<RuntimeExit>;
  /** Resolves once the child's end of the channel is closed (all its reports are in). */
  readonly channelClosed: Promise<void>;
  /** Resolves when a standby has loaded and waits for a job; rejects if it died first. */
  readonly ready: Promise<void>;
  /** The error the target (or the bootstrap) reported, if any. */
  reported: PackedError | undefined;
  exit: RuntimeExit | undefined;
  /** Whether `ready` has resolved. */
  isReady = false;
  private readonly channel: Socket;

  constructor(mode: RuntimeMode, env: NodeJS.ProcessEnv | undefined, preload: readonly string[]) {
    this.mode = mode;
    // Loaded on first use: a child that starts no children of its own never pays for it.
    const { spawn } = require('node:child_process') as typeof import('node:child_process');
    this.child = spawn(process.execPath,
      [...childExecArgv(), CHILD_MAIN, mode, JSON.stringify(preload), ...process.argv.slice(1)],
      { stdio: ['ignore', 'inherit', 'inherit', 'pipe'],
        env: { ...(env ?? process.env), [ADDON_PATH_ENV]: addonPath } });
    if (this.child.pid === undefined) {
      // spawn() reports ENOENT and similar asynchronously; surface them here instead.
      throw Object.assign(new Error('failed to start a Node.js child process'), { code: 'ERR_SPAWN' });
    }
    this.pid = this.child.pid;
    this.channel = this.child.stdio[CHANNEL_FD] as Socket;
    this.channel.on('error', () => { /* the child went away; its exit is reported by 'exit' */ });
    let markReady!: () => void;
    let failReady!: (e: Error) => void;
    this.ready = new Promise<void>((resolve, reject) => { markReady = resolve; failReady = reject; });
    this.ready.catch(() => { /* observed by whoever takes the standby */ });
    const reader = new FrameReader();
    this.channel.on('data', (chunk: Buffer) => {
      for (const m of reader.push(chunk) as ChildMessage[]) {
        if (m.kind === 'ready') {
          this.isReady = true;
          markReady();
        }
        else if (m.kind === 'error') this.reported = m.error;
      }
    });
    this.channelClosed = new Promise((resolve) => this.channel.once('close', () => resolve()));
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        this.exit = { code, signal };
        failReady(new Error('the standby runtime exited before it was ready'));
        resolve(this.exit);
      });
    });
  }

  /** Hands the runtime its job. */
  send(job: Job): void {
    this.channel.write(encodeFrame(job));
  }

  /** Whether this runtime (process and channel) keeps the parent's event loop alive. */
  setRef(ref: boolean): void {
    if (ref) {
      this.child.ref();
      this.channel.ref();
    } else {
      this.child.unref();
      this.channel.unref();
    }
  }

  signal(sig: NodeJS.Signals): boolean {
    if (this.exit !== undefined) return false;
    try {
      return this.child.kill(sig);
    } catch {
      return false;
    }
  }
}
