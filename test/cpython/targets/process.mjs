// Targets of the children in test/cpython/process.test.ts (CPython's _TestProcess and friends).
import fs from 'node:fs';
import * as mp from 'multiproc';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// _TestProcess._test: what the child sees of its arguments and of itself.
export async function describeSelf(q, ...args) {
  const me = mp.currentProcess();
  await q.put(args);
  await q.put(me.name);
  await q.put(me.pid);
}

export async function putArg(q, arg) {
  await q.put(arg);
}

export function sendParent(wconn) {
  const parent = mp.parentProcess();
  wconn.send([parent.pid, parent.name]);
}

// _test_create_grandchild_process: a child that starts a grandchild and sleeps.
export async function createGrandchild(wconn) {
  new mp.Process({ target: reportParentStatus, args: [wconn] }).start();
  await sleep(300_000);
}

// _test_report_parent_status. No orphans: the lifeline sends this grandchild SIGTERM once its
// parent is gone (SIGKILL 2 s later), so it holds on to SIGTERM long enough to report.
export async function reportParentStatus(wconn) {
  process.on('SIGTERM', () => {});
  const parent = mp.parentProcess();
  wconn.send(parent.isAlive() ? 'alive' : 'not alive');
  while (parent.isAlive()) await sleep(5);
  wconn.send(parent.isAlive() ? 'alive' : 'not alive');
}

// _sleep_some_event
export async function setThenSleep(event) {
  event.set();
  await sleep(100_000);
}

export async function sleepMs(ms) {
  await sleep(ms);
}

export async function waitEvent(event) {
  await event.wait();
}

// _test_recursion: run by the test itself and by each child; the ids arrive depth first.
export async function recursion(wconn, id) {
  wconn.send(id);
  if (id.length < 2) {
    for (const i of [0, 1]) {
      const p = new mp.Process({ target: recursion, args: [wconn, [...id, i]] }).start();
      await p.join();
    }
  }
}

// _test_close
export async function exitAfterGet(q, code) {
  await q.get();
  process.exit(code);
}

// _test_child_fd_inflation
export async function countFds(evt, q) {
  await q.put(fs.readdirSync('/proc/self/fd').length);
  await evt.wait();
}

// _test_wait_for_threads, with processes: a non-daemon grandchild sets the event a little
// later, a daemon one would clear it much later; this child returns at once.
export function startLateSetters(evt) {
  new mp.Process({ target: setLater, args: [evt, 100] }).start();
  new mp.Process({ target: clearLater, args: [evt, 20_000], daemon: true }).start();
}

export async function setLater(evt, ms) {
  await sleep(ms);
  evt.set();
}

export async function clearLater(evt, ms) {
  await sleep(ms);
  evt.clear();
}

// _test_error_on_stdio_flush, the streams broken by the child itself.
export function breakStream(evt, streamName, action) {
  const stream = process[streamName];
  if (action === 'destroy') stream.destroy();
  else stream.end();
  evt.set();
}

// test_sys_exit, the integer exit statuses.
export function exitWith(code) {
  process.exit(code);
}

export function setExitCode(code) {
  process.exitCode = code;
}

// _TestPollEintr._killer
export async function signalLater(pid, signal, ms) {
  await sleep(ms);
  process.kill(pid, signal);
}

// TestCloseFds._test_closefds: whether the parent's descriptor is open here.
export function fdState(conn, fd) {
  try {
    fs.fstatSync(fd);
    conn.send(null);
  } catch (err) {
    conn.send(err.code);
  }
}

// TestStartMethod._put_two_and_nest_once
export async function putTwoAndNest(q) {
  await q.put(2);
  const p = new mp.Process({ target: putArg, args: [q, 1] }).start();
  await p.join();
}

export function sendStartMethod(conn) {
  conn.send(mp.getStartMethod());
}

// TestFlags.run_in_child / run_in_grandchild, with Node's execArgv for sys.flags.
export async function execArgvOfFamily(conn) {
  const [r, w] = mp.Pipe({ duplex: false });
  const p = new mp.Process({ target: sendExecArgv, args: [w] }).start();
  const grandchild = await r.recv();
  await p.join();
  conn.send([process.execArgv, grandchild]);
}

export function sendExecArgv(conn) {
  conn.send(process.execArgv);
}

// _TestAtExit._write_file_at_exit
export function writeFileAtExit(path) {
  process.on('exit', () => fs.writeFileSync(path, 'deadbeef'));
}

// _TestLogging._test_level
export function sendLogLevel(conn) {
  conn.send(mp.getLogger().level);
}

// TestStdinBadfiledescriptor._test_process / _this_sub_process
export async function queueInProcess() {
  const q = new mp.Queue();
  const p = new mp.Process({ target: getNowaitOrNothing, args: [q], daemon: true }).start();
  await p.join();
  if (p.exitCode !== 0) throw new Error(`grandchild exited with ${p.exitCode}`);
}

export function getNowaitOrNothing(q) {
  try {
    q.getNowait();
  } catch (err) {
    if (!(err instanceof mp.Empty)) throw err;
  }
}
