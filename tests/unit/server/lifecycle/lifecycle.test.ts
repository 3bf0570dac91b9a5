import { describe, expect, it } from 'vitest';
import { type Part, type StartContext, createLifecycle } from '../../../../server/lifecycle/lifecycle.ts';
import { type Logger, createLogger } from '../../../../server/logger.ts';

const context = { reader: { each: () => Promise.resolve(0), close: () => Promise.resolve() } } as unknown as StartContext;

/** Error lines as objects, kept for the test to read. */
function errorLogger(lines: unknown[]): Logger {
  return createLogger('error', { write: (line: string) => void lines.push(JSON.parse(line)) });
}

describe('createLifecycle', () => {
  it('starts parts in list order, each after the previous is up, and closes them in reverse', async () => {
    const steps: string[] = [];
    const part = (name: string): Part => [
      name,
      {
        start: async () => {
          await new Promise((resolve) => setTimeout(resolve, 5));
          steps.push(`start ${name}`);
        },
        close: () => void steps.push(`close ${name}`),
      },
    ];
    const lifecycle = createLifecycle([part('a'), ['b', {}], part('c')], errorLogger([]));
    await lifecycle.start(context);
    await lifecycle.close();
    expect(steps).toEqual(['start a', 'start c', 'close c', 'close a']);
  });

  it('a part that fails to close is logged, the others still close, and its error is thrown at the end', async () => {
    const lines: unknown[] = [];
    const closed: string[] = [];
    const first = new Error('first');
    const lifecycle = createLifecycle(
      [
        ['a', { close: () => void closed.push('a') }],
        ['b', { close: () => Promise.reject(new Error('second')) }],
        ['c', { close: () => Promise.reject(first) }],
      ],
      errorLogger(lines),
    );
    await expect(lifecycle.close()).rejects.toBe(first);
    expect(closed).toEqual(['a']);
    expect(lines).toMatchObject([
      { part: 'c', msg: 'closing a part of the service failed' },
      { part: 'b', msg: 'closing a part of the service failed' },
    ]);
  });
});
