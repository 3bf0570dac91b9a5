import type { BulkReader } from '../db/bulk-reader.ts';
import type { Logger } from '../logger.ts';

/** What every component gets at start: the start-up reads (stored alerts, trades) stream through `reader`. */
export interface StartContext {
  reader: BulkReader;
}

/** The one shape of every part of the service: both steps optional, both may be awaited. */
export interface Component {
  start?(context: StartContext): Promise<void> | void;
  close?(): Promise<unknown> | void;
}

/** A named component, as the composition root lists it. */
export type Part = readonly [name: string, component: Component];

/**
 * Runs the composition root's list: `start()` starts every part in list order, each after the
 * previous one is up; `close()` closes them all in the reverse order, started or not (a service
 * closed after a failed start still releases what it built), and a part that fails to close is
 * logged without keeping the ones after it from closing; the first such error is thrown at the end.
 */
export function createLifecycle(parts: readonly Part[], logger: Logger) {
  const log = logger.child({ module: 'lifecycle' });
  return {
    async start(context: StartContext): Promise<void> {
      for (const [, component] of parts) await component.start?.(context);
    },
    async close(): Promise<void> {
      const failures: unknown[] = [];
      for (const [name, component] of [...parts].reverse()) {
        try {
          await component.close?.();
        } catch (error) {
          log.error({ err: error, part: name }, 'closing a part of the service failed');
          failures.push(error);
        }
      }
      if (failures.length > 0) throw failures[0];
    },
  };
}
