/**
 * Who this process is in a multiproc family. A child's bootstrap records it on `globalThis`
 * under a registry symbol before any user module loads, so `isMainProcess()` is false there even
 * when the program loaded a second copy of this package.
 */

/** What a multiproc child knows about itself. */
export interface ChildIdentity {
  /** Process name, e.g. `Process-1` (settable, like Python's). */
  name: string;
  daemon: boolean;
  /** Position in the family tree: `[1, 2]` is the 2nd child of the 1st child. */
  identity: number[];
  parentPid: number;
  parentName: string;
  /** The module being imported to find a target, while its top-level code runs; else absent. */
  importing?: string;
}

const KEY = Symbol.for('multiproc.childIdentity');
type Holder = { [KEY]?: ChildIdentity };

/** This process's identity when it is a multiproc child (or a standby runtime), else undefined. */
export function childIdentity(): ChildIdentity | undefined {
  return (globalThis as Holder)[KEY];
}

export function setChildIdentity(identity: ChildIdentity): void {
  (globalThis as Holder)[KEY] = identity;
}

/** The `if __name__ == '__main__'` guard: false in every process multiproc started. */
export function isMainProcess(): boolean {
  return childIdentity() === undefined;
}
