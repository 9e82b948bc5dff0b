// The orchestrator's account of every message: which producer sent how many, which of them
// consumers acknowledged, in what order. Per producer it keeps the next sequence number not yet
// seen and the holes below it (sequence numbers skipped so far), so its memory is a few numbers
// per producer whatever the traffic: holes from consumers acknowledging out of step fill within
// milliseconds, those left at the end are losses.
//
// What README's "What is and is not guaranteed" allows, and so what is checked:
// - a killed producer loses the messages it had not written: what arrives of it is a prefix
//   0..k-1 with k <= sent + 1 (the message it was putting may have made it);
// - a consumer killed after taking a message loses that one message: on a queue, the losses of
//   all its producers together are at most the kills of its consumers; on a pipe (one reader)
//   nothing can be missing below the last message received, and a pipe whose two ends both
//   ended cleanly delivers everything;
// - nothing is duplicated, and each consumer sees each producer's messages in order.
import { AckLog, CORRUPT, HELLO, I_ACKED, I_SENT, PRODUCER_MASK } from './shared.mjs';

const DETAILS_PER_KIND = 5;

export class Ledger {
  constructor(ctl) {
    this.ctl = ctl;
    this.producers = new Map();
    this.logs = [];
    this.channels = {};
    this.violations = new Map(); // kind -> { count, details }
  }

  violation(kind, detail) {
    let v = this.violations.get(kind);
    if (!v) this.violations.set(kind, (v = { count: 0, details: [] }));
    if (v.details.length < DETAILS_PER_KIND) v.details.push(detail);
    v.count++;
  }

  channel(name) {
    this.channels[name] ??= { messages: 0, losses: 0, consumerKills: 0, producerKills: 0, producers: 0 };
    return this.channels[name];
  }

  /** A producer started at `pos` (its sent and acknowledged counts in the control segment) on `channel`. */
  addProducer(id, channel, pos) {
    Atomics.store(this.ctl.i32, I_SENT + pos, 0);
    Atomics.store(this.ctl.i32, I_ACKED + pos, 0);
    this.producers.set(id, { id, channel, pos, next: 0, holes: new Set(), finalSent: null, ended: null });
    this.channel(channel).producers++;
  }

  /** The producer ended (`clean`: it returned; else it was killed): its sent count is final. */
  producerEnded(id, clean) {
    const rec = this.producers.get(id);
    rec.finalSent = Atomics.load(this.ctl.i32, I_SENT + rec.pos);
    rec.ended = clean ? 'clean' : 'killed';
    if (!clean) this.channel(rec.channel).producerKills++;
  }

  /** Consumer position `pos` acknowledges messages of `channel` in its log. */
  addConsumerPosition(pos, channel) {
    this.logs[pos] = { log: new AckLog(this.ctl, pos), channel, order: new Map() };
  }

  drain() {
    for (const state of this.logs) if (state) state.log.drain((w0, w1) => this.#entry(state, w0, w1));
  }

  #entry(state, w0, w1) {
    if (w0 === HELLO) {
      state.order = new Map(); // a new consumer process at this position
      return;
    }
    const id = w0 & PRODUCER_MASK;
    if (w0 & CORRUPT) return; // reported by the consumer, which alone saw the message
    const rec = this.producers.get(id);
    if (!rec || rec.channel !== state.channel) {
      this.violation('unknown producer', `${state.channel}: a message of producer ${id}, which never sent on this channel`);
      return;
    }
    const s = w1;
    const limit = rec.finalSent === null ? Atomics.load(this.ctl.i32, I_SENT + rec.pos)
      : rec.finalSent - (rec.ended === 'clean' ? 1 : 0);
    if (s > limit) {
      this.violation('phantom', `${rec.channel}: message ${s} of producer ${id}, which had sent ${limit}`);
      return;
    }
    this.channel(rec.channel).messages++;
    let duplicate = false;
    if (s >= rec.next) {
      for (let k = rec.next; k < s; k++) rec.holes.add(k);
      rec.next = s + 1;
    } else if (!rec.holes.delete(s)) {
      duplicate = true;
      this.violation('duplicate', `${rec.channel}: message ${s} of producer ${id} received twice`);
    }
    // Its producer's window moves on (not once it ended: the position may be another's by now).
    if (!duplicate && rec.ended === null) Atomics.add(this.ctl.i32, I_ACKED + rec.pos, 1);
    const last = state.order.get(id) ?? -1;
    if (s <= last && !duplicate) this.violation('order', `${rec.channel}: message ${s} of producer ${id} after message ${last}`);
    state.order.set(id, s);
  }

  /**
   * Every consumer has drained its channel and every producer ended: what is missing now is
   * lost. `pipeLanes` maps a lane's producer id to whether its reader was killed.
   */
  settle(pipeLanes) {
    this.drain();
    for (const rec of this.producers.values()) {
      if (rec.ended === null) {
        this.violation('unsettled', `${rec.channel}: producer ${rec.id} never ended`);
        continue;
      }
      const tail = rec.ended === 'clean' ? rec.finalSent - rec.next : 0;
      const lost = rec.holes.size + Math.max(0, tail);
      this.channel(rec.channel).losses += lost;
      if (rec.channel !== 'P') continue;
      if (rec.holes.size > 0) {
        this.violation('pipe gap', `producer ${rec.id}: ${rec.holes.size} messages missing below message ${rec.next - 1}`);
      } else if (tail > 0 && !pipeLanes.get(rec.id)) {
        this.violation('pipe loss', `producer ${rec.id} sent ${rec.finalSent}, its live reader got ${rec.next}`);
      }
    }
    for (const [name, c] of Object.entries(this.channels)) {
      if (name !== 'P' && c.losses > c.consumerKills) {
        this.violation('loss', `${name}: ${c.losses} messages lost, more than the ${c.consumerKills} consumer kills can explain`);
      }
    }
  }
}
