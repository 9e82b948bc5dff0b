// Seed 003 "Using Pipe for Bidirectional Communication": each end of a Pipe both sends and receives.
import * as mp from 'multiproc';

export async function worker(conn: mp.Connection<string>): Promise<void> {
  conn.send('Hello from the worker process');
  const message = await conn.recv();
  console.log(`Worker received message: ${message}`);
}

if (mp.isMainProcess()) {
  const [parentConn, childConn] = mp.Pipe<string>();
  const p = new mp.Process({ target: worker, args: [childConn] });
  p.start(); // The seed never starts the worker (nor joins it, as its text says it does).

  console.log(`Main process received message: ${await parentConn.recv()}`);
  parentConn.send('Hello from the main process');
  await p.join();
}
