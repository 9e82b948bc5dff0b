// Seed 002 "Process Synchronization Primitives": an Event releases waiting processes, then a
// Semaphore lets at most two processes use a resource at a time.
import { setTimeout as sleep } from 'node:timers/promises';
import * as mp from 'multiproc';

/** Wait for event before proceeding */
export async function waitForEvent(event: mp.Event, processId: number): Promise<void> {
  console.log(`Process ${processId} waiting...`);
  await event.wait();
  console.log(`Process ${processId} proceeding!`);
}

/** Access limited resource using semaphore */
export async function limitedResource(semaphore: mp.Semaphore, processId: number): Promise<void> {
  console.log(`Process ${processId} attempting to acquire...`);
  await semaphore.withLock(async () => {
    console.log(`Process ${processId} acquired resource`);
    await sleep(200);
    console.log(`Process ${processId} released resource`);
  });
}

if (mp.isMainProcess()) {
  // Event example
  const event = new mp.Event();
  let processes: mp.Process[] = [];
  for (let i = 0; i < 3; i++) {
    const p = new mp.Process({ target: waitForEvent, args: [event, i] });
    p.start();
    processes.push(p);
  }

  await sleep(1000); // not 200 ms: a Node child needs ~0.3 s to boot before it reaches wait()
  console.log('Setting event...');
  event.set(); // Release all waiting processes

  for (const p of processes) await p.join();

  // Semaphore example - limit to 2 concurrent processes
  const semaphore = new mp.Semaphore(2);
  processes = [];
  for (let i = 0; i < 5; i++) {
    const p = new mp.Process({ target: limitedResource, args: [semaphore, i] });
    p.start();
    processes.push(p);
  }
  for (const p of processes) await p.join();
}
