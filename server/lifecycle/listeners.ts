/** Stops one subscription; calling it again does nothing. */
export type Unsubscribe = () => void;

/**
 * The subscribers of one event of a component (`market.onWindow(fn)`): called in the order they
 * subscribed, synchronously, so a consumer subscribed first (the evaluator) sees a window before
 * one subscribed later (the browsers' ticks). A listener that throws does not keep the others
 * from the event; once all have run, the first error is thrown to the emitter, as though it had
 * called that listener itself (an unexpected throw still reaches the process policy).
 */
export function createListeners<Args extends unknown[]>() {
  const listeners = new Set<(...args: Args) => void>();
  return {
    /** Subscribes `listener`; returns its unsubscriber. */
    add: (listener: (...args: Args) => void): Unsubscribe => {
      // A wrapper of its own, so one function subscribed twice is called twice and unsubscribed once.
      const own = (...args: Args) => listener(...args);
      listeners.add(own);
      return () => void listeners.delete(own);
    },
    emit: (...args: Args): void => {
      const errors: unknown[] = [];
      for (const listener of listeners) {
        try {
          listener(...args);
        } catch (error) {
          errors.push(error);
        }
      }
      if (errors.length > 0) throw errors[0];
    },
  };
}
