import type { EventEmitter } from 'node:events';
import type { Logger } from './logger.ts';
import type { Metrics } from './metrics.ts';

export interface ProcessPolicyOptions {
  logger: Logger;
  /** The app's metrics once it exists (errors before that are logged, not counted). */
  metrics: () => Metrics | undefined;
  /**
   * Called once after an uncaught exception has been logged: stop the service and exit non-zero.
   * It must end the process by itself, even if stopping hangs.
   */
  onFatal: (error: unknown) => void;
  /** The process to watch (a stand-in in tests). */
  proc?: EventEmitter;
}

/**
 * The process's policy for errors nobody caught, one JSON line each through the one logger:
 *
 * - An unhandled promise rejection is logged at error level and counted
 *   (`tickwatch_process_errors_total{kind="unhandled_rejection"}`); the process goes on. Every
 *   request and background job has its own handler, so such a rejection is a forgotten
 *   `.catch` on something already over, and one client must not be able to stop the service
 *   by provoking it (Node's default would crash the process).
 * - An uncaught exception is logged at fatal level and counted, then the process stops and exits
 *   with code 1 (`onFatal`): after a throw unwound a stack nobody expected, the state of the
 *   process (half-updated index, a lock never released) cannot be trusted, so the service is
 *   restarted by its supervisor instead, and start-up never depends on a stored row loading.
 */
export function installProcessPolicy({ logger, metrics, onFatal, proc = process }: ProcessPolicyOptions): () => void {
  const log = logger.child({ module: 'process' });
  let fatal = false;
  const onRejection = (reason: unknown): void => {
    metrics()?.processErrors.inc({ kind: 'unhandled_rejection' });
    log.error({ err: reason, kind: 'unhandled_rejection' }, 'unhandled promise rejection');
  };
  const onException = (error: unknown, origin?: string): void => {
    metrics()?.processErrors.inc({ kind: 'uncaught_exception' });
    log.fatal({ err: error, kind: 'uncaught_exception', origin }, 'uncaught exception: stopping');
    if (fatal) return;
    fatal = true;
    onFatal(error);
  };
  proc.on('unhandledRejection', onRejection);
  proc.on('uncaughtException', onException);
  return () => {
    proc.off('unhandledRejection', onRejection);
    proc.off('uncaughtException', onException);
  };
}
