// Seed 003 "Manager: Using Dictionary to Store Key-Value Pairs" (the loops' bodies, lost in the
// seed, are start() and join()).
import * as mp from 'multiproc';

export async function worker(i: number, sharedDict: mp.DictProxy<number>): Promise<void> {
  await sharedDict.set(i, i * i);
}

if (mp.isMainProcess()) {
  await using manager = await mp.Manager();
  const sharedDict = await manager.dict<number>();

  const procs = Array.from({ length: 5 }, (_, i) => new mp.Process({ target: worker, args: [i, sharedDict] }));

  for (const p of procs) p.start();

  for (const p of procs) await p.join();

  // A plain object lists integer keys in ascending order, whichever child set its key first.
  const entries = Object.entries(await sharedDict.copy()).map(([k, v]) => `${k}: ${v}`);
  console.log(`Squares are: {${entries.join(', ')}}`);
}
