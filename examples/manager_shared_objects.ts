// Seed 002 "Manager for Complex Shared Objects": children fill a managed dict, then a managed
// list, through proxies that reach the manager's server process.
import { setTimeout as sleep } from 'node:timers/promises';
import * as mp from 'multiproc';

/** Update shared dictionary */
export async function updateSharedDict(sharedDict: mp.DictProxy<number>, key: string, value: number): Promise<void> {
  await sharedDict.set(key, value);
  await sleep(100);
}

/** Append to shared list */
export async function appendToList(sharedList: mp.ListProxy<number>, value: number): Promise<void> {
  await sharedList.append(value);
}

if (mp.isMainProcess()) {
  await using manager = await mp.Manager();
  // Shared dictionary
  const sharedDict = await manager.dict<number>();
  let processes: mp.Process[] = [];
  for (let i = 0; i < 5; i++) {
    const p = new mp.Process({ target: updateSharedDict, args: [sharedDict, `key_${i}`, i * 10] });
    p.start();
    processes.push(p);
  }
  for (const p of processes) await p.join();
  // copy() is Python's dict(shared_dict): the entries in the order the children set them.
  const entries = Object.entries(await sharedDict.copy()).map(([k, v]) => `${k}: ${v}`);
  console.log(`Shared dict: {${entries.join(', ')}}`);

  // Shared list
  const sharedList = await manager.list<number>();
  processes = [];
  for (let i = 0; i < 5; i++) {
    const p = new mp.Process({ target: appendToList, args: [sharedList, i] });
    p.start();
    processes.push(p);
  }
  for (const p of processes) await p.join();
  console.log(`Shared list: [${(await sharedList.copy()).join(', ')}]`);
}
