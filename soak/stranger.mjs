// The unrelated program: a plain `node` process (spawned with child_process, not an mp.Process)
// that opens the run's objects by name only: the control SharedMemory, the named Lock with its
// counter (a named RawValue) and recoveries count (a named Value), and the named Queue, which it
// feeds as one more producer. It ends when the run stops, when its budget is spent, or when the
// program that started it is gone.
//
//   node soak/stranger.mjs '<json config>'
import { initMessages, makeMessage, MAX_SEQ } from './messages.mjs';
import { LockParticipant } from './lockround.mjs';
import { keepWithinWindow, putOne, queueOf } from './roles.mjs';
import { Ctl, I_SENT, rng, sleep } from './shared.mjs';

const cfg = JSON.parse(process.argv[2]);
const parent = process.ppid;
initMessages(cfg.runSeed);
const rand = rng(cfg.seed);
const ctl = new Ctl(cfg.ctlName);
const me = new LockParticipant(ctl, cfg.names, cfg.slot, rand);
const q = queueOf(cfg, null);
const budget = Math.min(cfg.budget, MAX_SEQ);

for (let s = 0; s < budget && !ctl.stopped && process.ppid === parent;) {
  for (let i = 0; i < 10; i++) me.roundSync();
  await me.round();
  for (const end = Math.min(budget, s + 40); s < end; s++) {
    await putOne(q, makeMessage(cfg.channel, cfg.producerId, s), rand);
    Atomics.store(ctl.i32, I_SENT + cfg.pos, s + 1);
  }
  await keepWithinWindow(ctl, cfg);
  await sleep(rand.int(2));
}
ctl.close();
