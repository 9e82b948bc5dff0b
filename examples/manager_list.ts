// Seed 003 "Manager: Using List to Collect Results" (the loops' bodies, lost in the seed, are
// start() and join()).
import * as mp from 'multiproc';

export async function worker(i: number, sharedList: mp.ListProxy<number>): Promise<void> {
  await sharedList.append(i * i);
}

if (mp.isMainProcess()) {
  await using manager = await mp.Manager();
  const sharedList = await manager.list<number>();

  const procs = Array.from({ length: 5 }, (_, i) => new mp.Process({ target: worker, args: [i, sharedList] }));

  for (const p of procs) p.start();

  for (const p of procs) await p.join();

  // In the order the children appended, as in Python.
  console.log(`Squares are: [${(await sharedList.copy()).join(', ')}]`);
}
