/**
 * The program of a manager's server process (BaseManager.start(), mp.Manager()): import the
 * registered types, listen, say where, serve until a client shuts it down. It dies with the
 * program that started it (a daemon child), SIGKILL included.
 */
import type { Connection } from '../queue/pipe.js';
import type { AcceptQueue } from './client.js';
import { ManagerServer } from './server.js';
import type { ManagerAddress } from './token.js';
import { loadRegistrations, type Registration } from './types_table.js';
import { builtinTypes } from './types/index.js';

/** @internal The target of a manager's server process. */
export async function managerServer(address: ManagerAddress, keyHex: string, regs: Registration[],
  withBuiltins: boolean, accept: AcceptQueue, reply: Connection): Promise<void> {
  try {
    const types = await loadRegistrations(regs, withBuiltins ? builtinTypes : {});
    const server = new ManagerServer(types, Buffer.from(keyHex, 'hex'));
    const bound = await server.listen(address);
    server.serveLocal(accept);
    reply.send({ address: bound });
    reply.close();
    await server.done;
  } catch (err) {
    reply.send({ error: { message: (err as Error).message, code: (err as { code?: unknown }).code } });
    reply.close();
  }
}
