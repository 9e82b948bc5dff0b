/** Value and Array served by a manager: checked like mp.Value / mp.Array, held in the server. */
import { describe, typeError } from '../../validate.js';
import { toStored, typeInfo, type TypeInfo } from '../../shared/typecodes.js';
import { checkIndex, checkSlice } from './containers.js';
import { kContextual, type CallContext } from './context.js';

function fromStored(t: TypeInfo, v: number | bigint): unknown {
  if (t.code === '?') return v === 1;
  if (t.code === 'c') return String.fromCharCode(v as number);
  return v;
}

// What an element of typecode `t` keeps of `value`, as mp.Value would store it (or a throw).
function store(t: TypeInfo, value: unknown): number | bigint {
  const v = t.bigint && typeof value === 'number' && Number.isSafeInteger(value) ? BigInt(value) : value;
  const stored = toStored(t, v, 'value');
  return t.code === 'f' ? Math.fround(stored as number) : stored;
}

/** A Value (Python's ValueProxy): get() and set() of one typed value. */
export class ManagedValue {
  static readonly [kContextual] = true;
  readonly #type: TypeInfo;
  #value: number | bigint;

  constructor(_ctx: CallContext, typecode: unknown, value: unknown = 0) {
    this.#type = typeInfo(typecode);
    this.#value = store(this.#type, value);
  }


  get(): unknown {
    return fromStored(this.#type, this.#value);
  }

  set(_ctx: CallContext, value: unknown): void {
    this.#value = store(this.#type, value);
  }

  typecode(): string {
    return this.#type.code;
  }
}

/** An Array (Python's ArrayProxy) of typed elements. */
export class ManagedArray {
  static readonly [kContextual] = true;
  readonly #type: TypeInfo;
  readonly #items: (number | bigint)[];

  constructor(_ctx: CallContext, typecode: unknown, sizeOrInit: unknown) {
    const t = this.#type = typeInfo(typecode);
    if (typeof sizeOrInit === 'number') {
      if (!Number.isInteger(sizeOrInit) || sizeOrInit < 0 || sizeOrInit > 1 << 24) {
        throw Object.assign(new RangeError(`The "sizeOrInit" argument must be a length from 0 to ${1 << 24}, received ${sizeOrInit}`), { code: 'ERR_OUT_OF_RANGE' });
      }
      this.#items = new Array<number | bigint>(sizeOrInit).fill(t.bigint ? 0n : 0);
    } else if (Array.isArray(sizeOrInit)) {
      this.#items = sizeOrInit.map((v) => store(this.#type, v));
    } else {
      throw typeError(`The "sizeOrInit" argument must be a length or an array, received ${describe(sizeOrInit)}`);
    }
  }


  get(_ctx: CallContext, i: unknown): unknown {
    return fromStored(this.#type, this.#items[checkIndex(i, this.#items.length)]!);
  }

  set(_ctx: CallContext, i: unknown, value: unknown): void {
    this.#items[checkIndex(i, this.#items.length)] = store(this.#type, value);
  }

  length(): number {
    return this.#items.length;
  }

  copy(): unknown[] {
    return this.#items.map((v) => fromStored(this.#type, v));
  }

  slice(_ctx: CallContext, start?: unknown, end?: unknown): unknown[] {
    return this.copy().slice(...checkSlice(start, end));
  }
}
