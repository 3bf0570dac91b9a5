// JSON-RPC 2.0 over stdio, one JSON object per line, as the Prisma CLI speaks it with its schema
// engine child process. Requests are handled one at a time, in order (the engine is not
// re-entrant and the CLI waits for each answer anyway). The engine may also call the CLI: the
// native `diff` prints its output through a `print` request the CLI answers with `{}`; the wasm
// engine returns that text in `stdout` instead, so it is forwarded the native way.
import readline from 'node:readline';
import { callEngineMethod } from './call-engine-method.mjs';
import { log } from './log.mjs';
import { toRpcError } from './to-rpc-error.mjs';

/** @param {unknown} message */
function send(message) {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

/**
 * Serves requests until stdin closes.
 * @param {any} engine the wasm SchemaEngine
 * @param {{ errorRegistry: { consumeError(id: number): { error: unknown } | undefined },
 *   resetDatabase?: () => Promise<void> }} factory the bound adapter factory
 * @returns {Promise<void>} resolves when stdin is closed and the last request answered
 */
export function serveJsonRpc(engine, { errorRegistry, resetDatabase }) {
  const context = { log: (/** @type {string} */ message) => log('INFO', message), resetDatabase };
  /** Answers to requests this process sent to the CLI, by id. */
  const pendingCalls = new Map();
  let nextCallId = 1;
  let queue = Promise.resolve();

  /** @param {string} method @param {unknown} params */
  const callClient = (method, params) =>
    new Promise((resolve) => {
      const id = nextCallId++;
      pendingCalls.set(id, resolve);
      send({ jsonrpc: '2.0', id, method, params });
    });

  /** @param {{ id: unknown, method: string, params?: any }} request */
  const handle = async (request) => {
    try {
      let result = await callEngineMethod(engine, request.method, request.params, context);
      if (request.method === 'diff' && result && typeof result === 'object' && 'stdout' in result) {
        const { stdout, ...rest } = /** @type {{ stdout: string | null }} */ (result);
        if (stdout) await callClient('print', { content: stdout.replace(/\n$/, '') });
        result = { ...rest, stdout: null };
      }
      send({ jsonrpc: '2.0', id: request.id, result: result ?? null });
    } catch (error) {
      const rpcCode = /** @type {{ rpcCode?: number }} */ (error ?? {}).rpcCode;
      const rpcError =
        rpcCode !== undefined
          ? { code: rpcCode, message: /** @type {Error} */ (error).message }
          : toRpcError(error, errorRegistry);
      log('ERROR', String(rpcError.data?.message ?? rpcError.message), {}, 'schema_engine::rpc');
      send({ jsonrpc: '2.0', id: request.id, error: rpcError });
      // No engine method is safe to call after a Rust panic; the native engine process would have
      // died too (exit code 101, which the CLI reports as a panic).
      if (rpcError.data?.is_panic) process.stdout.write('', () => process.exit(101));
    }
  };

  return new Promise((resolve) => {
    const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
    lines.on('line', (line) => {
      if (line.trim() === '') return;
      /** @type {any} */
      let message;
      try {
        message = JSON.parse(line);
      } catch {
        send({ jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error' } });
        return;
      }
      if (typeof message.method === 'string') {
        queue = queue.then(() => handle(message));
      } else if (pendingCalls.has(message.id)) {
        pendingCalls.get(message.id)(message.result);
        pendingCalls.delete(message.id);
      }
    });
    lines.on('close', () => resolve(queue));
  });
}
