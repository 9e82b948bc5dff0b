// Targets of the children in test/cpython/connection.test.ts (CPython's _TestConnection,
// _TestPoll, _TestPicklingConnections and TestIgnoreEINTR).

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const isSentinel = (m) => m instanceof Uint8Array && m.length === 0;

// _TestConnection._echo: echoes every message back until an empty byte string.
export async function echo(conn) {
  for (let m = await conn.recv(); !isSentinel(m); m = await conn.recv()) conn.send(m);
  conn.close();
}

// _TestPoll._child_strings
export async function childStrings(conn, strings) {
  for (const s of strings) {
    await sleep(10);
    conn.sendBytes(s);
  }
  conn.close();
}

// _TestPoll._child_boundaries: polling must not pull part of a message into this process.
export async function childBoundaries(r, polling) {
  polling.set();
  await r.poll(5000);
}

// _TestPoll._child_dont_merge
export function childDontMerge(b) {
  b.sendBytes(Buffer.from('a'));
  b.sendBytes(Buffer.from('b'));
  b.sendBytes(Buffer.from('cd'));
}

// _TestPicklingConnections.child_access: connections received over a connection.
export async function childAccess(conn) {
  const w = await conn.recv();
  w.send('all is well');
  w.close();

  const r = await conn.recv();
  const msg = await r.recv();
  conn.send(msg.repeat(2));
  conn.close();
}

// TestIgnoreEINTR._test_ignore: signals while waiting in recv() and while sending.
export async function ignoreSignals(conn, signal, bytes, sync) {
  process.on(signal, () => {});
  conn.send('ready');
  const x = sync ? conn.recvSync() : await conn.recv();
  conn.send(x);
  conn.sendBytes(Buffer.alloc(bytes, 'x'));
}
