/**
 * What this process created in /dev/shm and must not leave behind (Python's resource
 * tracker). At a normal exit the names are unlinked here. For the exits that run no code
 * (SIGKILL, a fatal signal) a tracker process, started with the first name, holds the list: it
 * reads "+name" / "-name" lines on its stdin and, at end-of-file (this process is gone, however),
 * unlinks what is left. It runs in its own process group so that a signal sent to ours spares it.
 */
import type { Writable } from 'node:stream';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { native, packageRoot } from '../binding.js';

const names = new Set<string>();
let tracker: Writable | null = null;
let exitHookInstalled = false;
const require = createRequire(import.meta.url);

function unlinkAllAtExit(): void {
  for (const name of names) {
    try {
      native.unlinkNamed(name);
    } catch {
      // Already gone: someone else unlinked it.
    }
  }
  names.clear();
}

function tell(line: string): void {
  if (!tracker) {
    const { spawn } = require('node:child_process') as typeof import('node:child_process');
    const child = spawn(process.execPath, [join(packageRoot, 'dist', 'tracker_main.js')], {
      stdio: ['pipe', 'ignore', 'inherit'], detached: true,
    });
    child.unref();
    child.stdin!.on('error', () => { tracker = null; });
    (child.stdin as unknown as { unref?: () => void }).unref?.();
    tracker = child.stdin!;
  }
  tracker.write(`${line}\n`);
}

/** Unlinks `name` when this process ends, however it ends. */
export function trackName(name: string): void {
  names.add(name);
  tell(`+${name}`);
  if (!exitHookInstalled) {
    process.on('exit', unlinkAllAtExit);
    exitHookInstalled = true;
  }
}

/** Someone unlinked `name`: nothing to do for it any more. */
export function untrackName(name: string): void {
  if (!names.delete(name)) return;
  tell(`-${name}`);
}
