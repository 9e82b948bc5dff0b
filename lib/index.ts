/** multiproc: Python's multiprocessing for Node.js. */
export { Lock, type AcquireOptions, type AcquireSyncOptions, type LockOptions, type NamedOptions,
  type OwnerDeadPolicy } from './sync/lock.js';
export { RLock } from './sync/rlock.js';
export { Semaphore, BoundedSemaphore } from './sync/semaphore.js';
export { Event } from './sync/event.js';
export { Condition } from './sync/condition.js';
export { Barrier, type BarrierOptions } from './sync/barrier.js';
export { Value, RawValue, SharedValue, unlinkValue, type SharedDataOptions } from './shared/value.js';
export { Array, RawArray, unlinkArray, type SharedArray, type SharedArrayMethods,
  type NumberTypecode } from './shared/array.js';
export { SharedMemory, type SharedMemoryOptions } from './shared/shared_memory.js';
export type { Typecode, BigintTypecode, ValueOf, InitialValueOf, TypedArrayByCode } from './shared/typecodes.js';
export { setAffinity, getAffinity, setPriority, getPriority, cpuCount } from './process_control.js';
export { serialize, deserialize } from './travel.js';
export {
  MultiprocError, Empty, Full, TimeoutError, ProcessError, BrokenBarrierError, RemoteError,
  OwnerDeadError, ReleaseError,
} from './errors.js';
export { Process, activeChildren, type ProcessOptions, type StartedProcess } from './process/process.js';
export { isMainProcess } from './process/identity.js';
export { currentProcess, parentProcess, type CurrentProcess, type ParentProcess } from './process/current.js';
export { registerTargets, type Target, type TargetFunction, type TargetRef } from './process/target.js';
export { setStartMethod, getStartMethod, prepareStandby, type StartMethod,
  type StartMethodOptions } from './process/start_method.js';
export { getLogger, logToStderr, LogLevel, type Logger, type LogLevelName } from './process/logger.js';
export { Queue, JoinableQueue, SimpleQueue, type QueueOptions, type QueueWaitOptions,
  type QueueGetSyncOptions } from './queue/queue.js';
export { Pipe, Connection, EOFError, BrokenPipeError, type PipeOptions } from './queue/pipe.js';
export { Pool, type PoolOptions, type PoolStats, type PoolTarget } from './pool/pool.js';
export type { LatencySummary } from './pool/latency.js';
export { AsyncResult, type AsyncResultCallbacks } from './pool/async_result.js';
export { ResultStream } from './pool/result_stream.js';
/** @internal The loop pool workers run; a child finds it here by name. */
export { poolWorker as __poolWorker } from './pool/worker.js';
export { AuthenticationError } from './errors.js';
export { BaseManager, type BaseManagerOptions, type ManagerServing, type ManagerAddress, type RegisterOptions, type ProxyOf,
  type AnyProxy } from './manager/base_manager.js';
export { Manager, SyncManager, type DictProxy, type ListProxy, type NamespaceProxy, type ValueProxy,
  type ArrayProxy, type ManagedProxy, type DictKey, type WithSync, type DictMethods, type ListMethods,
  type NamespaceMethods, type ValueMethods, type ArrayMethods } from './manager/manager.js';
export { BaseProxy } from './manager/proxy.js';
/** @internal The program of a manager's server process; a child finds it here by name. */
export { managerServer as __managerServer } from './manager/server_main.js';
