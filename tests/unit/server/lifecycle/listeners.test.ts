import { describe, expect, it } from 'vitest';
import { createListeners } from '../../../../server/lifecycle/listeners.ts';

describe('createListeners', () => {
  it('calls listeners in the order they subscribed, each once per subscription, until unsubscribed', () => {
    const events = createListeners<[number]>();
    const seen: string[] = [];
    const first = (n: number) => seen.push(`first ${n}`);
    events.add(first);
    const second = events.add((n) => seen.push(`second ${n}`));
    const again = events.add(first);
    events.emit(1);
    second();
    again();
    again();
    events.emit(2);
    expect(seen).toEqual(['first 1', 'second 1', 'first 1', 'first 2']);
  });

  it('a listener that throws keeps no other from the event; the first error then reaches the emitter', () => {
    const events = createListeners<[string]>();
    const seen: string[] = [];
    const boom = new Error('boom');
    events.add(() => {
      throw boom;
    });
    events.add((s) => seen.push(s));
    events.add(() => {
      throw new Error('second');
    });
    expect(() => events.emit('a')).toThrow(boom);
    expect(seen).toEqual(['a']);
  });
});
