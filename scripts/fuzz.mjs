// The message fuzzer, for as long as asked: random sequences of messages through every channel
// of test/helpers/fuzz/drive.mjs, in one process and between processes, each message checked
// against structured clone. Stops at the first mismatch, error or stall with what replays it.
//
//   npm run fuzz -- --minutes 10          (or --seconds N; a minute by default)
//   npm run fuzz -- --seed 123 --channel 'queue 4 KiB' --mode 'one process' --count 2000
//
// With --seed alone it runs that seed once (every channel and mode that match) and stops.
import { randomInt } from 'node:crypto';
import { parseArgs } from 'node:util';
import { CHANNELS, runLocal, runRemote } from '../test/helpers/fuzz/drive.mjs';

const { values: opts } = parseArgs({
  options: {
    minutes: { type: 'string' },
    seconds: { type: 'string' },
    seed: { type: 'string' },
    channel: { type: 'string' },
    mode: { type: 'string' },
    count: { type: 'string', default: '2000' },
    'max-size': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});

const MODES = ['one process', 'between processes, to child', 'between processes, from child',
  'between processes, both ways'];

if (opts.help) {
  console.log(`npm run fuzz -- [--minutes N | --seconds N] [--seed S] [--channel NAME] [--mode MODE] [--count N] [--max-size BYTES]
channels: ${Object.keys(CHANNELS).map((c) => `'${c}'`).join(', ')}
modes: ${MODES.map((m) => `'${m}'`).join(', ')}`);
  process.exit(0);
}

function number(name, value) {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new RangeError(`--${name} must be a non-negative number, received ${value}`);
  return n;
}

if (opts.channel && !(opts.channel in CHANNELS)) throw new RangeError(`no channel '${opts.channel}' (--help lists them)`);
if (opts.mode && !MODES.includes(opts.mode)) throw new RangeError(`no mode '${opts.mode}' (--help lists them)`);
const count = number('count', opts.count);
const maxSize = opts['max-size'] === undefined ? undefined : number('max-size', opts['max-size']);
const durationMs = opts.minutes !== undefined ? number('minutes', opts.minutes) * 60_000
  : opts.seconds !== undefined ? number('seconds', opts.seconds) * 1000 : opts.seed !== undefined ? 0 : 60_000;

// Every (channel, mode) pair that matches the options.
const runs = [];
for (const [channel, spec] of Object.entries(CHANNELS)) {
  for (const mode of MODES) {
    if ((opts.channel && opts.channel !== channel) || (opts.mode && opts.mode !== mode)) continue;
    if (mode.endsWith('both ways') && !(spec.kind === 'pipe' && spec.duplex)) continue;
    runs.push({ channel, mode });
  }
}
if (runs.length === 0) throw new RangeError('no channel and mode match these options');

const options = { count, maxSize };

async function runOne(seed, { channel, mode }) {
  if (mode === 'one process') return runLocal(channel, seed, options);
  return runRemote(channel, seed, mode.slice('between processes, '.length), options);
}

const started = performance.now();
const totals = { seeds: 0, runs: 0, messages: 0, bytes: 0, encodings: {} };
let lastReport = started;
const elapsed = () => {
  const s = Math.floor((performance.now() - started) / 1000);
  return `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
};
const progress = (seed) => console.log(`[${elapsed()}] seeds ${totals.seeds}, runs ${totals.runs}, messages `
  + `${totals.messages}, ${(totals.bytes / 2 ** 20).toFixed(1)} MiB (as structured clone)${seed === undefined ? '' : `; seed ${seed}`}`);

let seed = opts.seed === undefined ? randomInt(2 ** 32) : number('seed', opts.seed) >>> 0;
console.log(`fuzzing ${runs.length} channel/mode pairs, ${count} messages each, from seed ${seed}`
  + `${durationMs ? ` for ${durationMs / 1000} s` : ''}`);
try {
  const timeLeft = () => performance.now() - started < durationMs;
  do {
    let completed = true;
    for (const run of runs) {
      if (durationMs > 0 && totals.runs > 0 && !timeLeft()) {
        completed = false;
        break;
      }
      const stats = await runOne(seed, run);
      totals.runs++;
      totals.messages += stats.messages;
      totals.bytes += stats.bytes;
      for (const [enc, n] of Object.entries(stats.encodings)) totals.encodings[enc] = (totals.encodings[enc] ?? 0) + n;
      if (performance.now() - lastReport > 10_000) {
        lastReport = performance.now();
        progress(seed);
      }
    }
    if (completed) totals.seeds++;
    seed = randomInt(2 ** 32);
  } while (timeLeft());
} catch (err) {
  progress();
  console.error(`\nFAILED: ${err.stack ?? err}`);
  process.exit(1);
}
progress();
console.log(`messages by encoding: ${Object.entries(totals.encodings).sort(([, a], [, b]) => b - a)
  .map(([enc, n]) => `${enc} ${n}`).join(', ')}`);
console.log('no mismatch');
