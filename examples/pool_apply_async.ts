// Seed 002 "Handling Return Values and Error Management": applyAsync with callbacks.
import * as mp from 'multiproc';

export async function longRunningTask(x: number): Promise<number> {
  await new Promise((r) => setTimeout(r, 200));
  if (x === 3) throw new RangeError(`Invalid input: ${x}`);
  return x * x;
}

function successCallback(result: number): void {
  console.log(`Success: ${result}`);
}

function errorCallback(error: Error): void {
  console.log(`Error: ${error.message}`);
}

if (mp.isMainProcess()) {
  await using pool = new mp.Pool({ processes: 4 });
  const results: mp.AsyncResult<number>[] = [];
  for (let i = 0; i < 5; i++) {
    const result = pool.applyAsync(longRunningTask, [i], {
      callback: successCallback,
      errorCallback,
    });
    results.push(result);
  }
  // Wait for all tasks to complete
  pool.close();
  await pool.join();
  // Get results (will throw if the task failed)
  for (const [i, r] of results.entries()) {
    try {
      const value = await r.get(1000);
      console.log(`Task ${i}: ${value}`);
    } catch (e) {
      console.log(`Task ${i} failed: ${(e as Error).message}`);
    }
  }
}
