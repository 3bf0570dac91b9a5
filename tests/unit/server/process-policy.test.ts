import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../../server/logger.ts';
import { createMetrics } from '../../../server/metrics.ts';
import { installProcessPolicy } from '../../../server/process-policy.ts';

function setUp() {
  const lines: string[] = [];
  const logger = createLogger('info', { write: (line: string) => void lines.push(line) });
  const metrics = createMetrics();
  const proc = new EventEmitter();
  const onFatal = vi.fn();
  const uninstall = installProcessPolicy({ logger, metrics: () => metrics, onFatal, proc });
  const count = async (kind: string) =>
    (await metrics.processErrors.get()).values.find((v) => v.labels.kind === kind)?.value ?? 0;
  return { lines, proc, onFatal, uninstall, count };
}

describe('the process policy', () => {
  it('logs an unhandled rejection as one JSON line at error level, counts it, and keeps running', async () => {
    const { lines, proc, onFatal, count } = setUp();
    proc.emit('unhandledRejection', new Error('forgotten catch'), Promise.resolve());
    proc.emit('unhandledRejection', 'a bare string', Promise.resolve());
    expect(lines).toHaveLength(2);
    const first = JSON.parse(lines[0]!) as { level: number; msg: string; kind: string; err: { message: string; stack: string } };
    expect(first).toMatchObject({ level: 50, kind: 'unhandled_rejection', msg: 'unhandled promise rejection', module: 'process' });
    expect(first.err.message).toBe('forgotten catch');
    expect(first.err.stack).toContain('forgotten catch');
    expect(await count('unhandled_rejection')).toBe(2);
    expect(onFatal).not.toHaveBeenCalled();
  });

  it('logs an uncaught exception at fatal level, counts it, and stops the service once', async () => {
    const { lines, proc, onFatal, count } = setUp();
    const error = new Error('broken state');
    proc.emit('uncaughtException', error, 'uncaughtException');
    proc.emit('uncaughtException', new Error('while stopping'), 'uncaughtException');
    expect(lines.map((line) => (JSON.parse(line) as { level: number }).level)).toEqual([60, 60]);
    expect(JSON.parse(lines[0]!)).toMatchObject({ kind: 'uncaught_exception', err: { message: 'broken state' } });
    expect(await count('uncaught_exception')).toBe(2);
    expect(onFatal).toHaveBeenCalledTimes(1);
    expect(onFatal).toHaveBeenCalledWith(error);
  });

  it('takes its listeners off again', () => {
    const { proc, uninstall } = setUp();
    expect(proc.listenerCount('unhandledRejection')).toBe(1);
    uninstall();
    expect(proc.listenerCount('unhandledRejection') + proc.listenerCount('uncaughtException')).toBe(0);
  });
});
