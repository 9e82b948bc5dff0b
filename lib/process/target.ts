/**
 * Finding a target function again in a child. A child imports the module that defines the
 * target and takes its export of the same name, as Python pickles a function by module and
 * name. The defining module is found without the user naming it: registered targets and
 * CommonJS exports are looked up directly, anything else by asking V8 (through the inspector
 * protocol, synchronously) which script defines the function. Results are cached per function.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { ProcessError } from '../errors.js';
import { typeError } from '../validate.js';
import { childIdentity } from './identity.js';

/** A function a child process can run: exported, under its own name, by the module defining it. */
export type TargetFunction = (...args: never[]) => unknown;

/** An explicit target: the export `name` of the module at `module` (a URL or absolute path). */
export interface TargetRef {
  module: string | URL;
  name: string;
}

/** What `Process` and `Pool` accept as the code to run. */
export type Target = TargetFunction | TargetRef;

/** Where a child finds a target. */
export interface TargetLocation {
  module: string;
  name: string;
}

const located = new WeakMap<TargetFunction, TargetLocation>();
const require = createRequire(import.meta.url);

function toUrl(module: string | URL): string {
  if (module instanceof URL) return module.href;
  return module.startsWith('/') ? pathToFileURL(module).href : module;
}

/**
 * Declares where the functions in `targets` live, for functions V8 cannot place (for instance
 * code transformed by a loader that rewrites script URLs). Returns `targets` unchanged:
 * `export const { crunch } = mp.registerTargets(import.meta.url, { crunch })`.
 */
export function registerTargets<T extends Record<string, TargetFunction>>(moduleUrl: string | URL,
  targets: T): T {
  if (typeof moduleUrl !== 'string' && !(moduleUrl instanceof URL)) {
    throw typeError('The "moduleUrl" argument must be a string or URL (use import.meta.url)');
  }
  for (const [name, fn] of Object.entries(targets)) {
    if (typeof fn !== 'function') throw typeError(`The "targets.${name}" value must be a function`);
    located.set(fn, { module: toUrl(moduleUrl), name });
  }
  return targets;
}

function fromCommonJs(fn: TargetFunction): TargetLocation | undefined {
  for (const mod of Object.values(require.cache)) {
    if (!mod?.filename) continue;
    const exported: unknown = mod.exports;
    if (exported === fn) return { module: pathToFileURL(mod.filename).href, name: 'default' };
    if (exported && typeof exported === 'object' && (exported as Record<string, unknown>)[fn.name] === fn) {
      return { module: pathToFileURL(mod.filename).href, name: fn.name };
    }
  }
  return undefined;
}

interface PropertyDescriptor { name: string; value?: { value?: { scriptId?: string } } }

// Asks V8 for [[FunctionLocation]] and maps its script id to a URL. Session.post runs its
// callback synchronously when the session belongs to this thread.
function scriptUrlOf(fn: TargetFunction): string | undefined {
  // Loaded on first use: children never need it, and it slows their start.
  const inspector = require('node:inspector') as typeof import('node:inspector');
  const session = new inspector.Session();
  session.connect();
  const urls = new Map<string, string>();
  session.on('Debugger.scriptParsed', (m) => urls.set(m.params.scriptId, m.params.url));
  const slot = Symbol.for('multiproc.locateTarget');
  const holder = globalThis as Record<symbol, unknown>;
  let url: string | undefined;
  try {
    holder[slot] = fn;
    session.post('Debugger.enable');
    session.post('Runtime.evaluate',
      { expression: 'globalThis[Symbol.for("multiproc.locateTarget")]' }, (err, res) => {
        if (err || !res.result.objectId) return;
        session.post('Runtime.getProperties', { objectId: res.result.objectId, ownProperties: true },
          (err2, props) => {
            const internal = (props?.internalProperties ?? []) as PropertyDescriptor[];
            const loc = internal.find((p) => p.name === '[[FunctionLocation]]');
            const id = loc?.value?.value?.scriptId;
            if (!err2 && id !== undefined) url = urls.get(id);
          });
      });
  } finally {
    delete holder[slot];
    session.post('Debugger.disable');
    session.disconnect();
  }
  return url;
}

function fromV8(fn: TargetFunction): TargetLocation | undefined {
  const url = scriptUrlOf(fn);
  if (!url) return undefined;
  if (url.startsWith('/')) return { module: pathToFileURL(url).href, name: fn.name };
  if (url.startsWith('file:') || url.startsWith('data:')) return { module: url, name: fn.name };
  return undefined;
}

// `{ target: (x) => x }` names the arrow "target" after the key, so it looks named but no
// module exports it; only a declaration (`function target`, `class target`) names itself.
function namedAfterKey(fn: TargetFunction, key: string): boolean {
  if (fn.name !== key) return false;
  const own = new RegExp(`^(?:async\\s+)?(?:function\\s*\\*?\\s*|class\\s+)${key}\\b`);
  return !own.test(Function.prototype.toString.call(fn));
}

/**
 * Where a child will find `target`; a TypeError naming `argName` if it cannot be placed.
 * `optionKey`: the options key the function was given under, whose name it would inherit.
 */
export function locateTarget(target: unknown, argName = 'target', optionKey?: string): TargetLocation {
  if (typeof target === 'object' && target !== null && 'module' in target && 'name' in target) {
    const ref = target as TargetRef;
    if ((typeof ref.module !== 'string' && !(ref.module instanceof URL)) || typeof ref.name !== 'string') {
      throw typeError(`The "${argName}" reference must be { module: string | URL, name: string }`);
    }
    return { module: toUrl(ref.module), name: ref.name };
  }
  if (typeof target !== 'function') {
    throw typeError(`The "${argName}" option must be a function or { module, name }`);
  }
  const fn = target as TargetFunction;
  const known = located.get(fn);
  if (known) return known;
  if (fn.name === '' || fn.name.startsWith('bound ')
    || (optionKey !== undefined && namedAfterKey(fn, optionKey))) {
    throw typeError(`The "${argName}" function must be named and exported by its module: a child `
      + 'process finds it again by module and name (anonymous, arrow-in-place and bound functions '
      + 'cannot be found; pass arguments in `args` instead of binding them)');
  }
  const where = fromCommonJs(fn) ?? fromV8(fn);
  if (!where) {
    throw typeError(`The "${argName}" function ${fn.name}() was not defined by a module file a `
      + 'child can import (it may come from eval or the REPL); move it into a module and export '
      + 'it, or register it with mp.registerTargets(import.meta.url, { ... })');
  }
  located.set(fn, where);
  return where;
}

/**
 * In a child: imports `url` for a target, noting that its top-level code runs meanwhile (see
 * refuseWhileImporting()).
 */
export async function importForTarget(url: string): Promise<Record<string, unknown>> {
  const id = childIdentity();
  const outer = id?.importing;
  if (id) id.importing = url;
  try {
    return await import(url) as Record<string, unknown>;
  } finally {
    if (id) id.importing = outer;
  }
}

/**
 * Refuses to start processes from the top-level code of a module a child imports to find its
 * target: that code runs again in every child, so each would start more, without end (Python
 * refuses this too). `what` names the refused call.
 */
export function refuseWhileImporting(what: string): void {
  const url = childIdentity()?.importing;
  if (url === undefined) return;
  throw new ProcessError(`${what} was called while this child process was still importing ${url} `
    + 'to find its target, so its top-level code would start processes again in every child. '
    + 'Put the code that starts processes under `if (mp.isMainProcess()) { ... }` '
    + "(Python's `if __name__ == '__main__':`).", 'ERR_NO_MAIN_GUARD');
}

/** In a child: the function a location names, or a TypeError saying why it is not there. */
export async function loadTarget(where: TargetLocation): Promise<(...args: unknown[]) => unknown> {
  const ns = await importForTarget(where.module);
  const byName = where.name === 'default' ? ns.default : ns[where.name];
  const fromDefault = (ns.default as Record<string, unknown> | undefined)?.[where.name];
  const found = byName ?? (typeof ns.default === 'object' ? fromDefault : undefined)
    ?? Object.values(ns).find((v) => typeof v === 'function' && v.name === where.name);
  if (typeof found !== 'function') {
    throw Object.assign(typeError(`target ${where.name}() is not exported by ${where.module}: `
      + `export it (export function ${where.name}(...) { ... }) so that child processes can `
      + 'import it'), { code: 'ERR_TARGET_NOT_FOUND' });
  }
  return found as (...args: unknown[]) => unknown;
}
