/**
 * What clients and a manager's server say to each other: arrays, so that a call costs one small
 * message each way. Over a local manager's shared-memory pipes they travel as any message does
 * (shared objects as handles); over a socket, as frames of serialize() data (wire.ts).
 *
 * Client to server: [op, ...]. Replies: [requestId, OK | FAILED, value or packed error].
 * Messages without a request id are not answered, and cost the client no wait.
 */

/** First message on a connection: [HELLO, clientId]; every later one is from that client. */
export const HELLO = 0;
/** [CALL, requestId, objectId, method, args]: run a method of a managed object. */
export const CALL = 1;
/** [CREATE, requestId, typeid, args]: make a managed object; replies with its token. */
export const CREATE = 2;
/** [DECREF, objectIds]: proxies of these were collected or closed here. */
export const DECREF = 3;
/** [INCREF, objectIds]: proxies of these are in flight to another process (see refs.ts). */
export const INCREF = 4;
/** [CLAIM, objectIds]: proxies in flight arrived here; they now count for this client. */
export const CLAIM = 5;
/** [SHUTDOWN, requestId]: stop the server once it has replied. */
export const SHUTDOWN = 6;

/** [COUNT, requestId]: how many objects the server holds (Python's _number_of_objects()). */
export const COUNT = 7;

export const OK = 0;
export const FAILED = 1;

/** The most a frame on a socket may hold; a longer one closes that connection. */
export const MAX_FRAME = 64 * 1024 * 1024;

/** Method names a proxy never forwards: they would change how JS treats the proxy itself. */
export const RESERVED_NAMES: ReadonlySet<string> = new Set([
  'then', 'catch', 'finally', 'constructor', 'toString', 'toLocaleString', 'valueOf', 'toJSON',
  'hasOwnProperty', 'isPrototypeOf', 'propertyIsEnumerable', 'close', 'token',
]);

/** Whether `name` can be a method of a managed type: public, a plain identifier, not reserved. */
export function isExposable(name: string): boolean {
  return /^[A-Za-z$][A-Za-z0-9_$]*$/.test(name) && !RESERVED_NAMES.has(name) && !name.endsWith('Sync');
}
