// The registered class of the manager-remote row, alone in its module as a user's would be:
// BaseManager.start() runs it in a server process, which loads only this file (and multiproc).
// bench/python/manager.py registers the same class.
export class Calc {
  add(x, y) { return x + y; }
}
