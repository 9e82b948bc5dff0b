// Child side of pingpong.js: argv = [serialized {a, b} (base64), cpu, warmup].
import { pin, requireMp } from './common.js';

const [payload, cpu, warmup] = process.argv.slice(2);
const mp = await requireMp();
pin(mp, Number(cpu));
const { a, b } = mp.deserialize(Buffer.from(payload, 'base64'));

function pongLoop(n) {
  for (let i = 0; i < n; i++) {
    a.acquireSync();
    b.release();
  }
}

// Each blocking phase starts only once the preceding message has been written.
process.once('message', ({ total }) => {
  process.send({ armed: true }, () => {
    pongLoop(total);
    process.send({ done: total }, () => process.exit(0));
  });
});
process.send({ ready: true }, () => {
  pongLoop(Number(warmup));
  process.send({ warmed: true });
});
