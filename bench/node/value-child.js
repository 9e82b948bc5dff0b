// Child side of value.js: argv = [serialized {v, start} (base64), cpu].
// On {n > 0}: send `armed`, wait on `start`, do n locked increments, send
// {t0, t1} (hrtime as strings).  On {n: 0}: exit.
import { now, pin, requireMp } from './common.js';

const [payload, cpu] = process.argv.slice(2);
const mp = await requireMp();
const pinnedWith = pin(mp, Number(cpu));
const { v, start } = mp.deserialize(Buffer.from(payload, 'base64'));
const lock = v.getLock();

function incLoop(n) {
  for (let i = 0; i < n; i++) {
    lock.acquireSync();
    v.value += 1;
    lock.release();
  }
}

process.on('message', ({ n }) => {
  if (!n) process.exit(0);
  process.send({ armed: true }, () => {
    start.acquireSync();
    const t0 = now();
    incLoop(n);
    const t1 = now();
    process.send({ t0: String(t0), t1: String(t1) });
  });
});
process.send({ pinnedWith });
