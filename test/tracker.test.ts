import { describe, expect, it } from 'vitest';
import * as mp from 'multiproc';
import { shmExists, shmName, sleep, spawnChild, useChildren, useShmCleanup } from './helpers/children.js';

useChildren();
useShmCleanup();

async function gone(entry: string, withinMs: number): Promise<boolean> {
  const deadline = Date.now() + withinMs;
  while (Date.now() < deadline) {
    if (!shmExists(entry)) return true;
    await sleep(50);
  }
  return !shmExists(entry);
}

describe('SharedMemory tracking', () => {
  for (const signal of ['SIGKILL', 'SIGTERM'] as const) {
    it(`a segment's creator killed by ${signal}: its tracker unlinks it; track: false keeps one`, async () => {
      const name = shmName('kept');
      const child = spawnChild('shm_holder.mjs', { name });
      const line = JSON.parse(await child.waitLine((l) => l.startsWith('{'), 20_000)) as { tracked: string; kept: string };
      expect(shmExists(line.tracked)).toBe(true);
      child.kill(signal);
      await child.exited();
      expect(await gone(line.tracked, 5000)).toBe(true);
      expect(shmExists(line.kept)).toBe(true);
      mp.SharedMemory.unlink(name);
    });
  }
});
