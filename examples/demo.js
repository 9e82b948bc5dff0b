// npm run demo: what multiproc does, in a few seconds. Real processes share a counter under a
// process-shared lock while the parent's event loop keeps ticking; a queue and a pipe move
// messages through shared memory; a child killed while holding a lock cannot deadlock the rest;
// a Pool spreads work over worker processes and survives one being killed.
import * as mp from 'multiproc';

export function count(counter, n) {
  const lock = counter.getLock();
  for (let i = 0; i < n; i++) {
    lock.acquireSync();
    counter.value += 1;
    lock.release();
  }
}

export function produce(q, n) {
  for (let i = 0; i < n; i++) q.putSync(i);
}

export function consume(q, n, sum) {
  let s = 0;
  for (let i = 0; i < n; i++) s += q.getSync();
  sum.value = s;
}

export function echo(conn) {
  for (;;) {
    try {
      conn.send(conn.recvSync());
    } catch {
      return;
    }
  }
}

export function square(x) {
  return x * x;
}

export function killsItsWorker() {
  process.kill(process.pid, 'SIGKILL');
}

export function dieHolding(lock) {
  lock.acquireSync();
  console.log(`  ${mp.currentProcess().name} (pid ${process.pid}) holds the lock and is killed`);
  process.kill(process.pid, 'SIGKILL');
}

const start = (target, ...args) => new mp.Process({ target, args }).start();
const since = (t0) => performance.now() - t0;

if (mp.isMainProcess()) {
  const counter = mp.Value('i', 0);
  const n = 250_000;
  let ticks = 0;
  const timer = setInterval(() => ticks++, 5);
  let t0 = performance.now();
  const workers = [0, 1, 2, 3].map(() => start(count, counter, n));
  for (const w of workers) await w.join();
  clearInterval(timer);
  console.log(`4 processes x ${n} locked increments: counter = ${counter.value} (expected ${4 * n}), ${since(t0).toFixed(0)} ms`);
  console.log(`the parent's event loop ticked ${ticks} times meanwhile`);

  const q = new mp.Queue();
  const sum = mp.Value('d', 0);
  const messages = 1_000_000;
  const consumer = start(consume, q, messages, sum);
  t0 = performance.now();
  const producer = start(produce, q, messages);
  await producer.join();
  await consumer.join();
  console.log(`a Queue moved ${messages} messages between two processes in ${since(t0).toFixed(0)} ms (process starts included), sum exact: ${sum.value === (messages * (messages - 1)) / 2}`);

  const [mine, theirs] = mp.Pipe();
  const echoer = start(echo, theirs);
  theirs.close();
  for (let i = 0; i < 1000; i++) { mine.send(i); mine.recvSync(); }
  t0 = performance.now();
  for (let i = 0; i < 10_000; i++) { mine.send(i); mine.recvSync(); }
  console.log(`a Pipe round trip to a child takes ${(since(t0) * 1000 / 10_000).toFixed(1)} us (unpinned)`);
  mine.close();
  await echoer.join();

  const lock = new mp.Lock();
  await start(dieHolding, lock).join();
  // The next acquire gets the lock; the library warns on stderr, and ownerDied says so here.
  await lock.acquire();
  console.log(`  next acquire: held, ownerDied = ${lock.ownerDied}`);
  lock.release();
  console.log(`the lock is usable again: ${lock.acquireSync({ timeout: 100 })}`);
  lock.release();

  await mp.prepareStandby();
  t0 = performance.now();
  const warm = new mp.Process({ target: count, args: [mp.Value('i', 0), 1], startMethod: 'standby' }).start();
  await warm.join();
  console.log(`a warm start (standby runtime) ran a child to completion in ${since(t0).toFixed(1)} ms`);

  const pool = new mp.Pool({ processes: 2 });
  const items = Array.from({ length: 100_000 }, (_, i) => i);
  for (let i = 0; i < 3; i++) await pool.map(square, items.slice(0, 20_000), 1);
  t0 = performance.now();
  const squares = await pool.map(square, items.slice(0, 20_000), 1);
  console.log(`a Pool of 2 workers mapped 20,000 tasks one by one at ${(since(t0) * 1000 / 20_000).toFixed(1)} us per task `
    + `(last: ${squares.at(-1)})`);
  try {
    await pool.apply(killsItsWorker);
  } catch (err) {
    console.log(`  a task killed its worker: ${err.code}: ${err.message}`);
  }
  console.log(`the pool goes on: ${(await pool.map(square, [1, 2, 3])).join(', ')}; `
    + `stats: ${JSON.stringify(pool.stats(), (k, v) => (typeof v === 'number' && !Number.isInteger(v) ? +v.toFixed(2) : v))}`);
  pool.close();
  await pool.join();
}
