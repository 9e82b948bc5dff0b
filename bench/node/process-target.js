// The trivial target of the Process start benchmark, alone in its module as a user's would be:
// the child loads only this file and multiproc.
export function signal(started) { started.set(); }
