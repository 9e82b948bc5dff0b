// Compiled by `tsc -p test/types` (test/types.test.ts): @internal members are not in the types.
import * as mp from 'multiproc';

declare const q: mp.Queue<number>;
declare const p: mp.Process;
// @ts-expect-error internal
q.writeOutbox(true);
// @ts-expect-error internal
void p.whenExited();
// @ts-expect-error internal
void mp.__poolWorker;
// @ts-expect-error made by mp.Value() only
new mp.SharedValue();
