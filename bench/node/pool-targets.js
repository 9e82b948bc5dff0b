// The task functions of the Pool benchmarks, alone in their module as a user's would be:
// a pool worker (process or piscina/tinypool worker) loads only this file (and multiproc).
export function double(x) { return x * 2; }

// piscina and tinypool have no map(): their "default chunksize" variant sends whole chunks to this.
export function doubleAll(xs) {
  const out = new Array(xs.length);
  for (let i = 0; i < xs.length; i++) out[i] = xs[i] * 2;
  return out;
}

// The CPU-bound task of pool-speedup: `iters` steps of a 32-bit LCG from `seed`, so the work
// cannot be skipped and its result checks the pool.  bench/python/pool.py has the same loop
// (the same result for the same [seed, iters]).
export function burn([seed, iters]) {
  let x = seed >>> 0;
  for (let i = 0; i < iters; i++) x = (Math.imul(x, 1103515245) + 12345) >>> 0;
  return x;
}
