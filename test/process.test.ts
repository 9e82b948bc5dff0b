import { describe, expect, it } from 'vitest';
import * as mp from 'multiproc';
import { isRunning, spawnChild, stillRunning, useChildren, useShmCleanup, type Child } from './helpers/children.js';

useChildren();
useShmCleanup();

function family(scenario: string, opts: Record<string, unknown> = {}): Child {
  return spawnChild('family.mjs', { scenario, ...opts });
}

function jsonLines(child: Child): Record<string, unknown>[] {
  return child.lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('Process', () => {
  it.each(['process', 'pool'])('a forgotten main guard: the child refuses to start more (%s)', async (use) => {
    const program = spawnChild('no_main_guard.mjs', { use });
    const r = await program.result(30_000);
    expect(r.code).toBe('ERR_NO_MAIN_GUARD');
    if (use === 'process') expect(r.exitCode).toBe(1);
    // The top level ran in the main program and once in the one child started, no more.
    expect(program.lines.filter((l) => l.startsWith('top level ran in'))).toEqual(
      ['top level ran in main', 'top level ran in child']);
    expect(r.message).toMatch(/if \(mp\.isMainProcess\(\)\)/);
  }, 40_000);

  it.each(['return', 'exit', 'throw'])('nothing a child writes to piped stdio is lost when it ends by %s', async (how) => {
    const parent = spawnChild('child_output.mjs', { how });
    const { code } = await parent.exited();
    expect(code).toBe(0);
    const line = 'x'.repeat(1023);
    expect(parent.lines.filter((l) => l === line).length).toBe(1024);
    expect(parent.lines.length).toBe(1024);
    const err = parent.stderr();
    expect(err.split('\n').filter((l) => l === line).length).toBe(256);
    expect(err).toContain(`exitCode ${how === 'return' ? 0 : how === 'exit' ? 3 : 1}`);
    if (how === 'throw') expect(err).toMatch(/Process Process-1:[\s\S]*thrown after writing/);
  }, 30_000);

  it('4 children count exactly under a shared Lock; names, pids, isAlive and exit codes', async () => {
    const parent = family('count');
    const r = await parent.result();
    expect(r.value).toBe(20_000);
    expect(r.names).toEqual(['Process-1', 'Process-2', 'Process-3', 'Process-4']);
    expect(new Set(r.pids).size).toBe(4);
    expect(r.aliveAfterStart).toBe(true);
    expect(r.exitCodes).toEqual([0, 0, 0, 0]);
    expect(r.aliveAfterJoin).toBe(false);
    // The entry's guarded code ran once, in the parent only.
    expect(jsonLines(parent).filter((l) => 'mainRan' in l)).toHaveLength(1);
  });

  for (const startMethod of ['spawn', 'standby']) {
    it(`the child knows itself and its parent; affinity and priority apply first (${startMethod})`, async () => {
      const parent = family('describe', { startMethod });
      const r = await parent.result();
      expect(r.exitCode).toBe(0);
      expect(r.out).toBe(1);
      const child = jsonLines(parent).find((l) => 'child' in l)!.child as Record<string, unknown>;
      expect(child).toMatchObject({ name: 'worker-x', daemon: false, identity: [1], isMain: false,
        parentPid: r.parentPid, parentName: 'MainProcess', parentAlive: true, affinity: [0],
        priority: 5, argv2: true });
    });
  }

  it('an exception in the target: stack printed in the child, exit code 1, error readable in the parent', async () => {
    const parent = family('fails');
    const r = await parent.result();
    expect(r.exitCode).toBe(1);
    expect(r.error).toEqual({ name: 'RangeError', message: 'value out of range in child', code: 'E_CHILD',
      isRangeError: true, stackHasTarget: true });
    expect(parent.stderr()).toMatch(/Process Process-1:\nRangeError: value out of range in child\n\s+at fails/);
    expect(r.packageError).toEqual({ name: 'TimeoutError', code: 'ETIMEDOUT', isTimeoutError: true,
      isMultiprocError: true, message: 'gave up waiting in the child' });
  });

  it('targets from other modules: ESM export, CommonJS export, registered, explicit { module, name }', async () => {
    const r = await family('modules').result();
    expect(r.modules).toEqual({
      double: { exitCode: 0, value: 10 },
      triple: { exitCode: 0, value: 15 },
      registered: { exitCode: 0, value: 42 },
      ref: { exitCode: 0, value: 10 },
      missing: { exitCode: 1, code: 'ERR_TARGET_NOT_FOUND' },
    });
  });

  it('exit codes: process.exit(7), terminate() -> -15, kill() -> -9; join(timeout) returns while running', async () => {
    const r = await family('exitcodes').result();
    expect(r).toEqual({ exit7: 7, aliveAfterTimedJoin: true, codeWhileRunning: null, terminated: -15,
      killed: -9, afterClose: 'ERR_PROCESS_CLOSED' });
  });

  it('bad input: clear errors at start(), naming the argument', async () => {
    const r = await family('badStart').result();
    const e = r.errors as Record<string, string>;
    expect(e.arrow).toMatch(/^TypeError:ERR_INVALID_ARG_TYPE:.*"target".*named and exported/);
    expect(e.bound).toMatch(/^TypeError:ERR_INVALID_ARG_TYPE:.*bound/);
    expect(e.notFunction).toMatch(/^TypeError:ERR_INVALID_ARG_TYPE:.*"target"/);
    expect(e.functionArg).toMatch(/^TypeError:ERR_INVALID_ARG_TYPE:.*"args\[1\]".*function/);
    expect(e.symbolArg).toMatch(/^TypeError:ERR_INVALID_ARG_TYPE:.*"args\[0\]".*symbol/);
    expect(e.badAffinity).toMatch(/^RangeError:ERR_OUT_OF_RANGE:.*"affinity\[0\]"/);
    expect(e.badPriority).toMatch(/^RangeError:ERR_OUT_OF_RANGE:.*"priority"/);
    expect(e.badArgs).toMatch(/^TypeError:ERR_INVALID_ARG_TYPE:.*"args"/);
    expect(e.joinBeforeStart).toBe('ERR_PROCESS_NOT_STARTED');
    expect(e.startTwice).toBe('ERR_PROCESS_STARTED');
    expect(e.closeRunning).toBe('ERR_PROCESS_RUNNING');
  });

  it('a function written in the options is refused at start(), though JS names it "target"', () => {
    const inPlace = {
      arrow: { target: (x: number) => x },
      expression: { target: function (x: number) { return x; } },
      method: { target(x: number) { return x; } },
    };
    for (const options of Object.values(inPlace)) {
      expect(options.target.name).toBe('target');
      const p = new mp.Process({ ...options, args: [1] });
      expect(() => p.start()).toThrow(expect.objectContaining({ name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE',
        message: expect.stringMatching(/"target" function must be named and exported/) }));
      expect(p.pid).toBeNull();
    }
  });

  it('logToStderr(): lifecycle lines carry the process name, in the child too', async () => {
    const parent = family('logging');
    await parent.result();
    expect(parent.stderr()).toContain('[INFO/Process-1] child process calling target()');
    expect(parent.stderr()).toContain('[INFO/Process-1] process exiting with exitcode 0');
  });
});

describe('no orphans', () => {
  it('a daemon child is stopped when the parent ends normally; the parent waits for the others', async () => {
    const parent = family('daemonAtExit');
    await parent.waitLine((l) => l.includes('"daemon"'), 20_000);
    const { daemon, nonDaemon } = jsonLines(parent).find((l) => 'daemon' in l) as { daemon: number; nonDaemon: number };
    const { code } = await parent.exited();
    expect(code).toBe(0);
    expect(isRunning(nonDaemon)).toBe(false);
    expect(await stillRunning([daemon], 5000)).toEqual([]);
  });

  for (const end of ['SIGKILL', 'SIGTERM', 'SIGINT', 'throw', 'exit'] as const) {
    it(`children and grandchildren die when the parent ends by ${end}`, async () => {
      const parent = family('orphans', { then: end === 'throw' || end === 'exit' ? end : 'wait' });
      await parent.waitLine((l) => l.includes('"children"'), 20_000);
      const lines = jsonLines(parent);
      const pids = [...(lines.find((l) => 'children' in l)!.children as number[]),
        lines.find((l) => 'grandchild' in l)!.grandchild as number];
      expect(pids.every(isRunning)).toBe(true);
      if (end.startsWith('SIG')) parent.kill(end as NodeJS.Signals);
      else parent.send('go');
      await parent.exited();
      expect(await stillRunning(pids, 8000)).toEqual([]);
    });
  }
});
