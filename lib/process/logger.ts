/**
 * multiproc's logger, as Python's multiprocessing.get_logger(): until logToStderr() gives it a
 * handler, only warnings and worse reach stderr (as Python's last-resort handler lets them);
 * lines read `[LEVEL/ProcessName] message`. Children inherit the level their parent logged at,
 * so one call shows a whole family's lifecycle.
 */
import { format } from 'node:util';
import { checkInteger, rangeError } from '../validate.js';
import { currentProcess } from './current.js';

/** Python's logging levels, by name. */
export const LogLevel = {
  SUBDEBUG: 5, DEBUG: 10, INFO: 20, SUBWARNING: 25, WARNING: 30, ERROR: 40, CRITICAL: 50,
} as const;

/** A level name or its number. */
export type LogLevelName = keyof typeof LogLevel;

const NAMES = new Map<number, string>(Object.entries(LogLevel).map(([k, v]) => [v, k]));

function toLevel(level: unknown): number {
  if (typeof level === 'string') {
    const n = LogLevel[level.toUpperCase() as LogLevelName];
    if (n === undefined) throw rangeError(`unknown log level ${JSON.stringify(level)}`);
    return n;
  }
  return checkInteger(level, 'level', 0, 100);
}

/** The name this process logs under: MainProcess or the child's name. */
export function processName(): string {
  return currentProcess().name;
}

/** A logger whose lines carry the process name. */
export class Logger {
  /** Messages below this level are dropped. */
  level: number = LogLevel.WARNING;
  /** Whether lines are written to stderr (logToStderr() turns it on). */
  enabled = false;

  setLevel(level: number | LogLevelName): void {
    this.level = toLevel(level);
  }

  isEnabledFor(level: number): boolean {
    return this.enabled ? level >= this.level : level >= LogLevel.WARNING;
  }

  log(level: number | LogLevelName, message: unknown, ...rest: unknown[]): void {
    const n = toLevel(level);
    if (!this.isEnabledFor(n)) return;
    const name = NAMES.get(n) ?? `Level ${n}`;
    process.stderr.write(`[${name}/${processName()}] ${format(message, ...rest)}\n`);
  }

  debug(message: unknown, ...rest: unknown[]): void { this.log(LogLevel.DEBUG, message, ...rest); }
  info(message: unknown, ...rest: unknown[]): void { this.log(LogLevel.INFO, message, ...rest); }
  warning(message: unknown, ...rest: unknown[]): void { this.log(LogLevel.WARNING, message, ...rest); }
  error(message: unknown, ...rest: unknown[]): void { this.log(LogLevel.ERROR, message, ...rest); }
  critical(message: unknown, ...rest: unknown[]): void { this.log(LogLevel.CRITICAL, message, ...rest); }
}

const logger = new Logger();

/** multiproc's logger (Python's multiprocessing.get_logger()). */
export function getLogger(): Logger {
  return logger;
}

let shutdownLogged = false;

/**
 * Logs `process shutting down` at INFO, once per process, as Python's util._exit_function does
 * at every normal exit: a child before its queues are flushed, any process as it exits.
 */
export function logShutdown(): void {
  if (shutdownLogged) return;
  shutdownLogged = true;
  logger.info('process shutting down');
}

process.on('exit', logShutdown);

/** Sends the logger's lines to stderr, at `level` if given (Python's log_to_stderr()). */
export function logToStderr(level?: number | LogLevelName): Logger {
  logger.enabled = true;
  if (level !== undefined) logger.setLevel(level);
  return logger;
}

/** What a child's logger starts as: this one's level, and whether it logs to stderr. */
export function inheritedLogging(): { logLevel: number; logToStderr: boolean } {
  return { logLevel: logger.level, logToStderr: logger.enabled };
}
