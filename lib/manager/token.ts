/**
 * How a managed object travels: a token naming its server, its id, its type and the methods it
 * exposes. The server writes tokens in its replies (already counted for the receiving client);
 * a proxy writes one when it travels to another process (counted in flight: registry.ts).
 */
import { kReduce, type Handle, type Reducible } from '../travel.js';

/** Where a manager's server listens: TCP, or a Unix socket (a leading NUL: Linux's abstract namespace). */
export type ManagerAddress = { host: string; port: number } | { path: string };

/** The data of a ManagerProxy handle. */
export interface TokenData {
  address: ManagerAddress;
  id: number;
  typeid: string;
  exposed: string[];
  /** Whether the server counted this copy for its receiver already (a reply), not in flight. */
  counted: boolean;
  /** The authkey, hex, when the token travels between processes of one machine. */
  authkey?: string;
  /** A local server's accept queue (client.ts), as a handle. */
  accept?: Handle;
}

/** A token as a server writes it in a reply. */
export class Token implements Reducible {
  readonly data: TokenData;
  constructor(data: TokenData) {
    this.data = data;
  }

  [kReduce](): Handle {
    return { type: 'ManagerProxy', data: this.data };
  }
}

/** The same address in the same form: how a process finds the client of a server it knows. */
export function addressKey(address: ManagerAddress): string {
  return 'path' in address ? `unix:${address.path}` : `tcp:${address.host}:${address.port}`;
}
