// The trivial task functions of the Pool benchmarks, alone in their module as a user's would be:
// a pool worker (process or piscina thread) loads only this file (and multiproc).
export function double(x) { return x * 2; }

// piscina has no map(): its "default chunksize" variant sends whole chunks to this.
export function doubleAll(xs) {
  const out = new Array(xs.length);
  for (let i = 0; i < xs.length; i++) out[i] = xs[i] * 2;
  return out;
}
