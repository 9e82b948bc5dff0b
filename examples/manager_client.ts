// Seed 003 "Using Authentication Keys with Manager", the client program. With a port, it calls
// the manager_server.ts already serving there (`npx tsx examples/manager_server.ts 50000` in
// another terminal, then `npx tsx examples/manager_client.ts 50000`). Without one, it starts
// that server program itself on a free port, and shuts it down at the end.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import * as mp from 'multiproc';
import type { MathClass } from './manager_server.js';

async function startServer(): Promise<{ port: number; exited: Promise<unknown> }> {
  const program = fileURLToPath(new URL('./manager_server.ts', import.meta.url));
  const server = spawn(process.execPath, ['--import', 'tsx', program, '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = once(server, 'exit');
  for await (const line of createInterface({ input: server.stdout })) {
    const port = /port (\d+)/.exec(line)?.[1];
    if (port) return { port: Number(port), exited };
  }
  throw new Error('the server program exited before it listened');
}

if (mp.isMainProcess()) {
  const own = process.argv[2] === undefined ? await startServer() : null;
  const address = { host: 'localhost', port: own?.port ?? Number(process.argv[2]) };

  // Not in the seed: a client with the wrong key is refused before it can call anything.
  const intruder = new mp.BaseManager({ address, authkey: 'wrong-key' });
  const refused = await intruder.connect().then(() => null, (err: unknown) => err);
  if (!(refused instanceof mp.AuthenticationError)) throw new Error('the server let a wrong key in');
  console.log(`Wrong key: ${refused.message}`);

  const manager = new mp.BaseManager({ address, authkey: 'secret-key' });
  manager.register('Math');
  await manager.connect();
  const math = await manager.create<MathClass>('Math');
  console.log(await math.add(4, 4)); // Should print 8 if authenticated
  if (own) {
    await manager.shutdown();
    await own.exited;
  }
}
