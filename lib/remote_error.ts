/**
 * Errors crossing a process boundary. Structured clone keeps only the standard error classes
 * and drops own properties such as `code`, so errors travel as plain records and come back as
 * an instance of the same class (built-in or this package's; otherwise a plain Error) with the
 * original name, message, code and the stack printed where they were thrown.
 */

/** An error as it travels between processes. */
export interface PackedError {
  name: string;
  message: string;
  stack: string | undefined;
  code: unknown;
}

// Classes an error may come back as; anything else becomes an Error with the original name.
const KNOWN = new Map<string, ErrorConstructor>();
for (const ctor of [Error, TypeError, RangeError, SyntaxError, ReferenceError, EvalError, URIError]) {
  KNOWN.set(ctor.name, ctor);
}

/** Lets errors of class `ctor` come back from another process as instances of it. */
export function registerErrorClass(ctor: new (...args: never[]) => Error): void {
  KNOWN.set(ctor.name, ctor as unknown as ErrorConstructor);
}

export function packError(err: unknown): PackedError {
  if (err instanceof Error) {
    return { name: err.name, message: err.message, stack: err.stack,
      code: (err as { code?: unknown }).code };
  }
  return { name: 'Error', message: `non-error value thrown: ${String(err)}`, stack: undefined,
    code: undefined };
}

export function unpackError(packed: PackedError): Error {
  // A real Error object with the class's prototype, without running a constructor whose
  // parameters we do not know.
  const err = Reflect.construct(Error, [packed.message], KNOWN.get(packed.name) ?? Error) as Error;
  if (err.name !== packed.name) {
    Object.defineProperty(err, 'name', { value: packed.name, configurable: true, writable: true });
  }
  if (packed.code !== undefined) {
    Object.defineProperty(err, 'code', { value: packed.code, configurable: true, writable: true, enumerable: true });
  }
  if (packed.stack !== undefined) err.stack = packed.stack;
  return err;
}
