import { describe, expect, it } from 'vitest';
import { spawnChild, useChildren } from './helpers/children.js';

useChildren();

describe('logger', () => {
  it("logs 'process shutting down' at INFO at a normal exit, in a child before its exiting line and in the main process", async () => {
    const parent = spawnChild('logger_exit.mjs', { level: 'INFO' });
    expect(await parent.result()).toEqual({ exitCode: 0 });
    const lines = parent.stderr().split('\n');
    const child = lines.filter((l) => l.startsWith('[INFO/Process-1]'));
    expect(child).toEqual([
      '[INFO/Process-1] child process calling target()',
      '[INFO/Process-1] process shutting down',
      '[INFO/Process-1] process exiting with exitcode 0',
    ]);
    expect(lines.filter((l) => l === '[INFO/MainProcess] process shutting down')).toHaveLength(1);
  });

  it('prints nothing of it above INFO or before logToStderr()', async () => {
    for (const level of ['WARNING', null]) {
      const parent = spawnChild('logger_exit.mjs', { level });
      expect(await parent.result()).toEqual({ exitCode: 0 });
      expect(parent.stderr()).toBe('');
    }
  });
});
