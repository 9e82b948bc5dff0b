// The Pool's parent (a long-lived mp.Process child of the orchestrator) and its tasks. It runs
// batches of map / applyAsync / apply / imapUnordered while the orchestrator SIGKILLs its
// workers, and checks that every task settles exactly once, with the right result or with
// ProcessError ERR_POOL_WORKER_DIED, that no task runs twice, and that tasks fail only when a
// worker was killed during the batch.
import * as mp from 'multiproc';
import { Ctl, F_POOL, I_POOL_KILLS, mix32, POOL_FIELDS, rng, sleep } from './shared.mjs';

let runs = null;
let wrongItem = -1;

/** Pool initializer: the shared run counts, and the item to answer wrongly (self-check). */
export function poolInit(sharedRuns, wrong) {
  runs = sharedRuns;
  wrongItem = wrong;
}

/** Counts its run of `item` and returns a hash of it; one task in 13 waits 0-2 ms first. */
export async function poolTask(item) {
  Atomics.add(runs, item & 0xffff, 1);
  if (item % 13 === 0) await sleep(item % 3);
  return item === wrongItem ? 0 : mix32(item);
}

/** poolTask() with the item beside its result, for imapUnordered. */
export async function poolPair(item) {
  return [item, await poolTask(item)];
}

const IDLE_TIMEOUT_MS = 60_000;

class PoolSoak {
  constructor(cfg, ctl, rand) {
    this.cfg = cfg;
    this.ctl = ctl;
    this.rand = rand;
    this.runs = mp.RawArray('i', 1 << 16);
    const wrong = cfg.inject === 'pool' ? 7 : -1; // item 7 of the first batch
    this.pool = new mp.Pool({ processes: cfg.workers, initializer: poolInit, initargs: [this.runs, wrong] });
    this.lateCheck = null;
  }

  add(field, n = 1) {
    this.ctl.f64[F_POOL + POOL_FIELDS.indexOf(field)] += n;
  }

  violation(detail) {
    this.ctl.violation('pool', detail);
  }

  // A task's failure must be its worker's death.
  died(err, what) {
    if (err instanceof mp.ProcessError && err.code === 'ERR_POOL_WORKER_DIED') return;
    this.violation(`${what} failed with ${err?.name} ${err?.code}: ${err?.message}`);
  }

  // Waits until no task is queued or running, so that the next batch's run counts start clean.
  async idle(batch) {
    const until = Date.now() + IDLE_TIMEOUT_MS;
    for (;;) {
      const s = this.pool.stats();
      if (s.queued + s.running === 0) return;
      if (Date.now() > until) {
        this.violation(`batch ${batch}: ${s.queued} tasks queued and ${s.running} running after ${IDLE_TIMEOUT_MS / 1000} s`);
        return;
      }
      await sleep(2);
    }
  }

  // Every item ran at most once, and exactly once if its result came back.
  checkRuns(batch, items, succeeded) {
    for (let i = 0; i < items.length; i++) {
      const n = this.runs[i];
      if (n > 1 || (succeeded(i) && n !== 1)) this.violation(`batch ${batch}: item ${i} ran ${n} times`);
    }
  }

  checkValue(batch, item, value) {
    if (value !== mix32(item)) this.violation(`batch ${batch}: wrong result ${value} for item ${item}`);
  }

  async map(batch, items) {
    const chunksize = [undefined, 1, 3, 16, 100][this.rand.int(5)];
    let settled = 0;
    const r = this.pool.mapAsync(poolTask, items, chunksize,
      { callback: () => settled++, errorCallback: () => settled++ });
    let values = null;
    try {
      values = await r.get();
    } catch (err) {
      this.died(err, `map of ${items.length} (chunksize ${chunksize})`);
      this.add('mapsRejected');
    }
    await this.idle(batch);
    if (settled !== 1) this.violation(`batch ${batch}: a map settled ${settled} times`);
    if (values) {
      values.forEach((v, i) => this.checkValue(batch, items[i], v));
      this.add('tasksOk', items.length);
    }
    this.checkRuns(batch, items, () => values !== null);
    this.add('maps');
    return values ? 0 : 1;
  }

  async applyBurst(batch, items) {
    const settled = new Uint8Array(items.length);
    const failed = new Uint8Array(items.length);
    const results = items.map((item, i) => this.pool.applyAsync(poolTask, [item], {
      callback: (v) => { settled[i]++; this.checkValue(batch, item, v); },
      errorCallback: (err) => { settled[i]++; failed[i] = 1; this.died(err, `applyAsync of item ${item}`); },
    }));
    await Promise.all(results.map((r) => r.wait()));
    await this.idle(batch);
    const once = () => settled.every((n) => n === 1);
    if (!once()) this.violation(`batch ${batch}: applyAsync callbacks ran ${[...settled].filter((n) => n !== 1).length} tasks other than once`);
    // Checked again after the next batch: a late second settlement is a violation too.
    this.lateCheck = () => { if (!once()) this.violation(`batch ${batch}: an applyAsync task settled again later`); };
    this.checkRuns(batch, items, (i) => !failed[i]);
    const nFailed = failed.reduce((a, b) => a + b, 0);
    this.add('tasksOk', items.length - nFailed);
    this.add('tasksDied', nFailed);
    this.add('applyBursts');
    return nFailed;
  }

  async applyEach(batch, items) {
    let nFailed = 0;
    const failed = new Uint8Array(items.length);
    for (let i = 0; i < items.length; i++) {
      try {
        this.checkValue(batch, items[i], await this.pool.apply(poolTask, [items[i]]));
      } catch (err) {
        this.died(err, `apply of item ${items[i]}`);
        failed[i] = 1;
        nFailed++;
      }
    }
    await this.idle(batch);
    this.checkRuns(batch, items, (i) => !failed[i]);
    this.add('tasksOk', items.length - nFailed);
    this.add('tasksDied', nFailed);
    this.add('applies', items.length);
    return nFailed;
  }

  async imapUnordered(batch, items) {
    const seen = new Uint8Array(items.length);
    let nFailed = 0;
    async function* input() {
      for (const item of items) {
        yield item;
        if ((item & 63) === 0) await sleep(0);
      }
    }
    const it = this.pool.imapUnordered(poolPair, input(), 1);
    for (;;) {
      let r;
      try {
        r = await it.next();
      } catch (err) {
        this.died(err, 'an imapUnordered task');
        nFailed++;
        continue;
      }
      if (r.done) break;
      const [item, value] = r.value;
      const i = item & 0xffff;
      if (i >= items.length || items[i] !== item) this.violation(`batch ${batch}: imapUnordered gave item ${item}, never submitted`);
      else if (seen[i]++) this.violation(`batch ${batch}: imapUnordered gave item ${item} twice`);
      this.checkValue(batch, item, value);
    }
    await this.idle(batch);
    const ok = seen.reduce((a, b) => a + (b ? 1 : 0), 0);
    if (ok + nFailed !== items.length) this.violation(`batch ${batch}: imapUnordered of ${items.length}: ${ok} results and ${nFailed} failures`);
    this.checkRuns(batch, items, (i) => seen[i] > 0);
    this.add('tasksOk', ok);
    this.add('tasksDied', nFailed);
    this.add('imaps');
    this.add('imapChunksFailed', nFailed);
    return nFailed;
  }

  async batch(b) {
    const r = this.rand.next();
    const size = (lo, hi) => lo + this.rand.int(hi - lo);
    const n = r < 0.35 ? size(100, 3000) : r < 0.65 ? size(20, 400) : r < 0.75 ? size(5, 30) : size(50, 1000);
    const items = Array.from({ length: n }, (_, i) => ((b & 0x3fff) << 16) | i);
    this.runs.fill(0, 0, n);
    const killsBefore = Atomics.load(this.ctl.i32, I_POOL_KILLS);
    const failures = r < 0.35 ? await this.map(b, items)
      : r < 0.65 ? await this.applyBurst(b, items)
        : r < 0.75 ? await this.applyEach(b, items)
          : await this.imapUnordered(b, items);
    if (failures > 0 && Atomics.load(this.ctl.i32, I_POOL_KILLS) === killsBefore) {
      this.violation(`batch ${b}: ${failures} failures and no worker was killed meanwhile`);
    }
    this.add('batches');
  }

  async run() {
    for (let b = 0; !this.ctl.stopped; b++) {
      await this.batch(b);
      this.lateCheck?.();
    }
    this.pool.close();
    await this.pool.join();
    this.ctl.f64[F_POOL + POOL_FIELDS.indexOf('workerDeaths')] = this.pool.stats().workerDeaths;
  }
}

/** The Pool's parent: batches until the run stops, then closes and joins the pool. */
export async function poolHost(cfg) {
  const ctl = new Ctl(cfg.ctlName);
  await new PoolSoak(cfg, ctl, rng(cfg.seed)).run();
}
