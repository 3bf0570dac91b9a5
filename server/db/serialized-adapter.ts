import type {
  IsolationLevel,
  SqlDriverAdapter,
  SqlDriverAdapterFactory,
  SqlQuery,
  SqlResultSet,
  Transaction,
} from '@prisma/driver-adapter-utils';

/** A first-come, first-served lock; `run` holds it for the whole of an async function. */
function createStatementLock() {
  let held = false;
  const waiting: Array<() => void> = [];

  async function acquire(): Promise<void> {
    if (!held && waiting.length === 0) {
      held = true;
      return;
    }
    // Handed over by `release` with `held` still true, so nobody can slip in between.
    await new Promise<void>((resolve) => waiting.push(resolve));
  }

  function release(): void {
    const next = waiting.shift();
    if (next) next();
    else held = false;
  }

  return {
    acquire,
    release,
    async run<T>(work: () => Promise<T>): Promise<T> {
      await acquire();
      try {
        return await work();
      } finally {
        release();
      }
    },
  };
}

/** Wraps a driver transaction so that its end (commit or rollback, once) releases the lock. */
function holdingTransaction(tx: Transaction, release: () => void): Transaction {
  let open = true;
  const end = (): void => {
    if (!open) return;
    open = false;
    release();
  };
  const wrapped: Transaction = {
    provider: tx.provider,
    adapterName: tx.adapterName,
    get options() {
      return tx.options;
    },
    queryRaw: (query: SqlQuery): Promise<SqlResultSet> => tx.queryRaw(query),
    executeRaw: (query: SqlQuery): Promise<number> => tx.executeRaw(query),
    async commit(): Promise<void> {
      try {
        await tx.commit();
      } finally {
        end();
      }
    },
    async rollback(): Promise<void> {
      try {
        await tx.rollback();
      } finally {
        end();
      }
    },
  };
  if (tx.createSavepoint) wrapped.createSavepoint = (name) => tx.createSavepoint!(name);
  if (tx.rollbackToSavepoint) wrapped.rollbackToSavepoint = (name) => tx.rollbackToSavepoint!(name);
  if (tx.releaseSavepoint) wrapped.releaseSavepoint = (name) => tx.releaseSavepoint!(name);
  return wrapped;
}

/**
 * Makes one SQLite connection safe to share between concurrent requests. The better-sqlite3
 * adapter serialises transactions only against each other: a plain statement from another
 * request, issued while an interactive transaction awaits between its statements, ran on the
 * same connection inside that transaction, and a rollback silently undid it (300 of 300
 * acknowledgements lost in a trial). Here every statement, script and transaction takes one
 * first-come, first-served lock; a transaction holds it from BEGIN to COMMIT or ROLLBACK, so
 * other statements wait (on the event loop, never blocking it) and run after it, in order.
 *
 * Inside `$transaction(async (tx) => ...)` use `tx` only: a statement on the root client
 * there waits for its own transaction and so for Prisma's transaction timeout (5 s), which
 * rolls the transaction back.
 */
export function serializedAdapter(factory: SqlDriverAdapterFactory): SqlDriverAdapterFactory {
  return {
    provider: factory.provider,
    adapterName: factory.adapterName,
    async connect(): Promise<SqlDriverAdapter> {
      const inner = await factory.connect();
      const lock = createStatementLock();
      const adapter: SqlDriverAdapter = {
        provider: inner.provider,
        adapterName: inner.adapterName,
        queryRaw: (query) => lock.run(() => inner.queryRaw(query)),
        executeRaw: (query) => lock.run(() => inner.executeRaw(query)),
        executeScript: (script) => lock.run(() => inner.executeScript(script)),
        async startTransaction(isolationLevel?: IsolationLevel): Promise<Transaction> {
          await lock.acquire();
          try {
            return holdingTransaction(await inner.startTransaction(isolationLevel), lock.release);
          } catch (error) {
            lock.release();
            throw error;
          }
        },
        dispose: () => inner.dispose(),
      };
      if (inner.getConnectionInfo) adapter.getConnectionInfo = () => inner.getConnectionInfo!();
      return adapter;
    },
  };
}
