/**
 * Runs every clean-up step in order even when one fails, then throws the first failure: a
 * server that will not stop must not keep the run's database or Redis keys from being removed.
 */
export async function runAll(steps: ReadonlyArray<() => Promise<unknown> | undefined>): Promise<void> {
  const failures: unknown[] = [];
  for (const step of steps) {
    try {
      await step();
    } catch (error) {
      failures.push(error);
    }
  }
  if (failures.length > 0) throw failures[0];
}
