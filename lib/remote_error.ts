/**
 * Errors crossing a process boundary. Structured clone keeps only the standard error classes
 * and drops own properties such as `code`, so errors travel as plain records and come back as
 * an instance of the same built-in class (or a plain Error) with the original name, message,
 * code and the stack printed where they were thrown.
 */

/** An error as it travels between processes. */
export interface PackedError {
  name: string;
  message: string;
  stack: string | undefined;
  code: unknown;
}

const BUILT_IN: Record<string, ErrorConstructor> = {
  Error, TypeError, RangeError, SyntaxError, ReferenceError, EvalError, URIError,
};

export function packError(err: unknown): PackedError {
  if (err instanceof Error) {
    return { name: err.name, message: err.message, stack: err.stack,
      code: (err as { code?: unknown }).code };
  }
  return { name: 'Error', message: `non-error value thrown: ${String(err)}`, stack: undefined,
    code: undefined };
}

export function unpackError(packed: PackedError): Error {
  const Ctor = BUILT_IN[packed.name] ?? Error;
  const err = new Ctor(packed.message);
  if (err.name !== packed.name) {
    Object.defineProperty(err, 'name', { value: packed.name, configurable: true, writable: true });
  }
  if (packed.code !== undefined) Object.assign(err, { code: packed.code });
  if (packed.stack !== undefined) err.stack = packed.stack;
  return err;
}
