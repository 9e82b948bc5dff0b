/**
 * The tracker process (see tracker.ts): keeps the names its parent reports and unlinks those
 * still listed once its stdin reaches end-of-file, i.e. once the parent is gone.
 */
import { unlinkSync } from 'node:fs';

const names = new Set<string>();
let pending = '';

process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk: string) => {
  pending += chunk;
  const lines = pending.split('\n');
  pending = lines.pop()!;
  for (const line of lines) {
    if (line.startsWith('+')) names.add(line.slice(1));
    else if (line.startsWith('-')) names.delete(line.slice(1));
  }
});
process.stdin.on('end', () => {
  for (const name of names) {
    try {
      unlinkSync(`/dev/shm/${name}`);
    } catch {
      // Unlinked already (the parent's own exit hook usually does it).
    }
  }
  process.exit(0);
});
