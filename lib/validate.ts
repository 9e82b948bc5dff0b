/** Argument checks at the JavaScript edge: TypeError / RangeError naming the argument. */

function typeError(message: string): TypeError {
  return Object.assign(new TypeError(message), { code: 'ERR_INVALID_ARG_TYPE' });
}

function rangeError(message: string): RangeError {
  return Object.assign(new RangeError(message), { code: 'ERR_OUT_OF_RANGE' });
}

/** An argument of the right type whose content is wrong (Node's ERR_INVALID_ARG_VALUE). */
function valueError(message: string, options?: ErrorOptions): TypeError {
  return Object.assign(new TypeError(message, options), { code: 'ERR_INVALID_ARG_VALUE' });
}

export function checkInteger(value: unknown, name: string, min: number, max: number): number {
  if (typeof value !== 'number') {
    throw typeError(`The "${name}" argument must be an integer, received ${describe(value)}`);
  }
  if (!Number.isInteger(value) || value < min || value > max) {
    throw rangeError(`The "${name}" argument must be an integer from ${min} to ${max}, received ${value}`);
  }
  return value;
}

/** A timeout in milliseconds; undefined or null means forever (returned as -1). */
export function checkTimeout(value: unknown, name = 'timeout'): number {
  if (value === undefined || value === null) return -1;
  if (typeof value !== 'number') {
    throw typeError(`The "${name}" option must be a number of milliseconds, received ${describe(value)}`);
  }
  if (!(value >= 0)) throw rangeError(`The "${name}" option must be >= 0, received ${value}`);
  return value;
}

export function checkObject(value: unknown, name: string): Record<string, unknown> {
  if (value === undefined) return {};
  if (value === null || typeof value !== 'object') {
    throw typeError(`The "${name}" argument must be an object, received ${describe(value)}`);
  }
  return value as Record<string, unknown>;
}

export function checkBoolean(value: unknown, name: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') {
    throw typeError(`The "${name}" option must be a boolean, received ${describe(value)}`);
  }
  return value;
}

export function checkFunction<T>(value: unknown, name: string): T {
  if (typeof value !== 'function') {
    throw typeError(`The "${name}" argument must be a function, received ${describe(value)}`);
  }
  return value as T;
}

/** A name for a system-wide object: what /dev/shm accepts. */
export function checkName(value: unknown, name = 'name'): string {
  if (typeof value !== 'string') {
    throw typeError(`The "${name}" option must be a string, received ${describe(value)}`);
  }
  const bytes = Buffer.byteLength(value);
  if (bytes === 0 || bytes > 200 || value.includes('/') || value.includes('\0')) {
    throw rangeError(`The "${name}" option must be 1 to 200 bytes with no '/' or NUL, received ${JSON.stringify(value)}`);
  }
  return value;
}

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'function') return `function ${value.name || '(anonymous)'}`;
  if (typeof value === 'object') return `an instance of ${value.constructor?.name ?? 'Object'}`;
  if (typeof value === 'string') return `type string (${JSON.stringify(value.slice(0, 30))})`;
  return `type ${typeof value} (${String(value)})`;
}

export { typeError, rangeError, valueError };
