// Seed 003 "Using Pipe for Efficient Communication". The seed's bodies are lost; this follows its
// text: one process sends through its end of a Pipe straight to the other (point to point, no
// queue in between), and a null sentinel ends the conversation.
import * as mp from 'multiproc';

export function sender(conn: mp.Connection<number | null>): void {
  for (let i = 0; i < 5; i++) conn.send(i);
  conn.send(null);
  conn.close();
}

export async function receiver(conn: mp.Connection<number | null>): Promise<void> {
  for (let msg = await conn.recv(); msg !== null; msg = await conn.recv()) console.log(`Received: ${msg}`);
  conn.close();
}

if (mp.isMainProcess()) {
  const [parentConn, childConn] = mp.Pipe<number | null>();
  const p1 = new mp.Process({ target: sender, args: [parentConn] });
  const p2 = new mp.Process({ target: receiver, args: [childConn] });
  p1.start();
  p2.start();
  await p1.join();
  await p2.join();
}
