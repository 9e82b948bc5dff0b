// Seed 002 "Process Pools for Simple Parallelization": sequential vs pool.map.
import assert from 'node:assert/strict';
import * as mp from 'multiproc';

/** Process a single item */
export function processData(item: number): number {
  let result = 0;
  for (let i = 0; i < item; i++) result += i ** 2;
  return result;
}

function sequentialProcessing(data: number[]): number[] {
  const start = performance.now();
  const results = data.map(processData);
  console.log(`Sequential: ${((performance.now() - start) / 1000).toFixed(2)}s`);
  return results;
}

async function parallelProcessing(data: number[]): Promise<number[]> {
  const start = performance.now();
  await using pool = new mp.Pool({ processes: 4 });
  const results = await pool.map(processData, data);
  console.log(`Parallel: ${((performance.now() - start) / 1000).toFixed(2)}s`);
  return results;
}

if (mp.isMainProcess()) {
  const data = new Array<number>(8).fill(1_000_000);
  const seqResults = sequentialProcessing(data);
  const parResults = await parallelProcessing(data);
  assert.deepEqual(seqResults, parResults);
}
