// Turns an error thrown by the WebAssembly engine into the JSON-RPC error object the Prisma CLI's
// SchemaEngineCLI expects from the native engine (see `runCommand` in prisma/build/cli.js):
//   - panic:              error.data = { is_panic: true, message, backtrace }
//   - user-facing error:  error.data = { is_panic: false, message, error_code, meta }
//                         -> the CLI shows "<error_code>\n\n<message>"
//   - anything else:      error.data = { is_panic: false, message } -> the CLI shows the message
// The wasm engine throws three kinds of errors: a `RuntimeError` after a Rust panic (its reason is
// in the panic registry), an Error with a string `code` (user-facing, e.g. P3005), or a plain
// "SchemaConnectorError". Errors thrown by the driver adapter itself (e.g. "unable to open
// database file") reach the engine only as "External error id#N"; the real error is kept in the
// bound adapter factory's error registry under that id.
import { panicRegistry } from './load-wasm-engine.mjs';

/** The code the native engine uses for every error response. */
const ENGINE_ERROR_CODE = 4466;
const GENERIC_MESSAGE = 'An error happened. Check the data field for details.';

/**
 * @param {unknown} error
 * @param {{ consumeError(id: number): { error: unknown } | undefined } | undefined} errorRegistry
 */
export function toRpcError(error, errorRegistry) {
  const e = /** @type {{ name?: unknown, message?: unknown, code?: unknown, meta?: unknown, stack?: unknown }} */ (
    error ?? {}
  );
  const message = typeof e.message === 'string' ? e.message : String(error);

  if (e.name === 'RuntimeError') {
    const reason = panicRegistry.get() ?? message;
    return {
      code: ENGINE_ERROR_CODE,
      message: reason,
      data: { is_panic: true, message: reason, backtrace: typeof e.stack === 'string' ? e.stack : '' },
    };
  }

  if (typeof e.code === 'string' && e.code !== '') {
    return {
      code: ENGINE_ERROR_CODE,
      message: GENERIC_MESSAGE,
      data: { is_panic: false, message, error_code: e.code, meta: e.meta ?? null },
    };
  }

  return {
    code: ENGINE_ERROR_CODE,
    message: GENERIC_MESSAGE,
    data: { is_panic: false, message: explain(message, errorRegistry) },
  };
}

/**
 * Replaces "External error id#N" by the adapter's own error message.
 * @param {string} message
 * @param {{ consumeError(id: number): { error: unknown } | undefined } | undefined} errorRegistry
 */
export function explain(message, errorRegistry) {
  return message.replace(/External error id#(\d+)/g, (whole, id) => {
    const original = errorRegistry?.consumeError(Number(id))?.error;
    if (original === undefined) return whole;
    return original instanceof Error ? original.message : String(original);
  });
}
