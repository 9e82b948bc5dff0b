/**
 * The types a server offers: what register() recorded, in a form that travels to a server
 * process (by module and export, as Process targets do), and back into TypeSpecs there.
 */
import { locateTarget, loadTarget, type TargetLocation } from '../process/target.js';
import { typeError } from '../validate.js';
import { isExposable } from './protocol.js';
import type { TypeSpec } from './registry.js';

/** Options of register(). */
export interface RegisterOptions {
  /** Method names clients may call; absent: every public method. */
  exposed?: readonly string[];
  /** Methods whose result is itself served as an object of the given typeid (a proxy). */
  methodToTypeid?: Readonly<Record<string, string>>;
}

/** A registered type as it travels to a server process. */
export interface Registration {
  typeid: string;
  where: TargetLocation | null;
  exposed: string[] | null;
  methodToTypeid: Record<string, string>;
}

function isClass(fn: unknown): boolean {
  return typeof fn === 'function' && /^class\b/.test(Function.prototype.toString.call(fn));
}

/** Checks register()'s arguments. `factory` absent: a client's declaration of a server's type. */
export function registration(typeid: unknown, factory: unknown, options: RegisterOptions | undefined,
  locate: boolean): { reg: Registration; spec: TypeSpec | null } {
  if (typeof typeid !== 'string' || !/^[A-Za-z_$][\w$]*$/.test(typeid)) {
    throw typeError(`The "typeid" argument must be an identifier string, received ${JSON.stringify(typeid)}`);
  }
  if (factory !== undefined && typeof factory !== 'function') {
    throw typeError('The "factory" argument must be a class or a function');
  }
  const opts = options ?? {};
  if (typeof opts !== 'object') throw typeError('The "options" argument must be an object');
  let exposed: string[] | null = null;
  if (opts.exposed !== undefined) {
    if (!Array.isArray(opts.exposed) || !opts.exposed.every((m) => typeof m === 'string' && isExposable(m))) {
      throw typeError('The "options.exposed" value must be an array of public method names '
        + '(no leading "_", not constructor/then/toString, not ending in "Sync")');
    }
    exposed = [...opts.exposed];
  }
  const methodToTypeid: Record<string, string> = {};
  if (opts.methodToTypeid !== undefined) {
    if (typeof opts.methodToTypeid !== 'object' || opts.methodToTypeid === null) {
      throw typeError('The "options.methodToTypeid" value must be an object of method name -> typeid');
    }
    for (const [m, t] of Object.entries(opts.methodToTypeid)) {
      if (typeof t !== 'string') throw typeError(`The "options.methodToTypeid.${m}" value must be a typeid string`);
      methodToTypeid[m] = t;
    }
  }
  const where = factory !== undefined && locate ? locateTarget(factory, 'factory') : null;
  const spec: TypeSpec | null = factory === undefined ? null
    : { factory: factory as TypeSpec['factory'], isClass: isClass(factory), exposed, methodToTypeid };
  return { reg: { typeid, where, exposed, methodToTypeid }, spec };
}

/** In a server process: the TypeSpecs of what travelled, factories imported from their modules. */
export async function loadRegistrations(regs: readonly Registration[],
  builtins: Readonly<Record<string, TypeSpec['factory']>>): Promise<Map<string, TypeSpec>> {
  const out = new Map<string, TypeSpec>();
  for (const [typeid, factory] of Object.entries(builtins)) {
    out.set(typeid, { factory, isClass: true, exposed: null, methodToTypeid: {} });
  }
  for (const r of regs) {
    if (!r.where) continue;
    const factory = await loadTarget(r.where);
    out.set(r.typeid, { factory: factory as TypeSpec['factory'], isClass: isClass(factory), exposed: r.exposed, methodToTypeid: r.methodToTypeid });
  }
  return out;
}
