// The soak's verdict on resident memory and its final report, from the orchestrator's JSON and
// what soak.mjs found after the run.

// RSS is judged on runs of at least this long, after a warm-up of WARM_UP of the run (at least
// WARM_UP_MIN_MS): the median of the last third of the samples may exceed the median of the
// first third by at most GROWTH_KIB or GROWTH_FRACTION of it, whichever is larger.
const MIN_RUN_MS = 180_000;
const WARM_UP = 0.2;
const WARM_UP_MIN_MS = 60_000;
const GROWTH_KIB = 16 * 1024;
const GROWTH_FRACTION = 0.2;

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Whether `samples` ([ms since start, KiB]) of one process grew over a run of `ranMs`. */
export function rssVerdict(samples, ranMs) {
  if (ranMs < MIN_RUN_MS) return { judged: false, why: `run shorter than ${MIN_RUN_MS / 1000} s` };
  const warm = Math.max(WARM_UP_MIN_MS, ranMs * WARM_UP);
  const kb = samples.filter(([t]) => t >= warm).map(([, k]) => k);
  if (kb.length < 9) return { judged: false, why: `${kb.length} samples after the warm-up` };
  const third = Math.floor(kb.length / 3);
  const firstKb = median(kb.slice(0, third));
  const lastKb = median(kb.slice(-third));
  const growthKb = lastKb - firstKb;
  return { judged: true, firstKb, lastKb, growthKb, samples: kb.length,
    leak: growthKb > Math.max(GROWTH_KIB, GROWTH_FRACTION * firstKb) };
}

const n = (x) => Math.round(x).toLocaleString('en-US');
const mib = (kb) => `${(kb / 1024).toFixed(1)} MiB`;

function bytes(b) {
  if (b >= 2 ** 30) return `${(b / 2 ** 30).toFixed(2)} GiB`;
  if (b >= 2 ** 20) return `${(b / 2 ** 20).toFixed(1)} MiB`;
  return `${(b / 1024).toFixed(1)} KiB`;
}

function rssLine(name, v) {
  if (!v.judged) return `${name} not judged (${v.why})`;
  const pct = ((100 * v.growthKb) / v.firstKb).toFixed(1);
  return `${name} ${mib(v.firstKb)} -> ${mib(v.lastKb)} (${v.growthKb >= 0 ? '+' : ''}${pct}%)${v.leak ? ' GROWS' : ''}`;
}

/** The human report: `r` is the orchestrator's report plus `leaks`, `rssVerdicts` and `violations`. */
export function formatReport(r) {
  const lines = [];
  const add = (label, text) => lines.push(`  ${label.padEnd(10)} ${text}`);
  lines.push(`multiproc soak: ${r.violations.length === 0 ? 'PASS' : 'FAIL'}`);
  if (r.channels) {
    add('ran', `${(r.ranMs / 1000).toFixed(1)} s under load (${(r.totalMs / 1000).toFixed(1)} s with the drain), `
      + `seed ${r.seed}, tag ${r.tag}${r.interrupted ? ', interrupted' : ''}`);
    const chans = Object.values(r.channels);
    add('messages', `${n(chans.reduce((a, c) => a + c.messages, 0))} moved, ${bytes(chans.reduce((a, c) => a + c.bytes, 0))} of payload`);
    for (const [name, c] of Object.entries(r.channels)) {
      const bound = name === 'P' ? `(at readers killed: ${n(c.consumerKills)})` : `(<= ${n(c.consumerKills)} consumer kills)`;
      const left = c.qsizeAfter == null ? '' : `; qsize() after the drain ${n(c.qsizeAfter)}`;
      add('', `${c.label}: ${n(c.messages)} from ${n(c.producers)} producers, ${bytes(c.bytes)}; lost ${n(c.losses)} ${bound}${left}`);
    }
    const kills = Object.entries(r.kills);
    add('kills', `${n(kills.reduce((a, [, k]) => a + k, 0))} survived: ${kills.map(([k, v]) => `${k} ${n(v)}`).join(', ')}`);
    add('pauses', `${n(r.pauses)} SIGSTOP/SIGCONT of 5-300 ms`);
    const p = r.pool;
    add('pool', `${n(p.tasksOk + p.tasksDied)} tasks settled once each: ${n(p.tasksOk)} results checked, `
      + `${n(p.tasksDied)} ERR_POOL_WORKER_DIED; ${n(p.maps)} maps (${n(p.mapsRejected)} rejected), `
      + `${n(p.applyBursts)} applyAsync bursts, ${n(p.applies)} applies, ${n(p.imaps)} imapUnordered; `
      + `${n(p.workerKills)} workers killed, ${n(p.workerDeaths)} deaths seen by the pool`);
    const l = r.lock;
    add('lock', `counter ${n(l.counter)} = ${n(l.increments)} increments completed; ${n(l.recoveries)} owner-death `
      + `takeovers (<= ${n(l.participantKills)} participants killed, ${n(l.killedHolding)} of them seen holding it), `
      + `${n(l.rollbacks)} half-done increments rolled back`);
  }
  const { shm, processes, trackedPids } = r.leaks;
  add('leaks', `/dev/shm ${shm.length === 0 ? 'none' : shm.join(' ')}; processes ${processes.length === 0 ? 'none'
    : processes.map((x) => `${x.pid} (${x.cmd.slice(0, 60)})`).join(', ')} (${n(trackedPids)} pids tracked)`);
  add('rss', Object.entries(r.rssVerdicts).map(([k, v]) => rssLine(k, v)).join('; '));
  if (r.violations.length === 0) add('verdict', 'no violation');
  for (const v of r.violations) {
    add('VIOLATION', `${v.kind} x${n(v.count)}${v.details.length ? `: ${v.details.join(' | ')}` : ''}`);
  }
  return lines.join('\n');
}
