// Loads @prisma/schema-engine-wasm. Its generated glue reports Rust panics by calling
// `global.PRISMA_WASM_PANIC_REGISTRY.set_message(...)` from the panic hook; without that object a
// panic turns into an unreadable "unreachable" RuntimeError, so it must exist before the module is
// evaluated (hence the dynamic import after setting it).

/** Collects the message of the last Rust panic, so a panic can be reported with its reason. */
export const panicRegistry = {
  /** @type {string | undefined} */
  message: undefined,
  /** @param {string} message */
  set_message(message) {
    this.message = `RuntimeError: ${message}`;
  },
  get() {
    return this.message;
  },
};

/** @returns {Promise<typeof import('@prisma/schema-engine-wasm')>} */
export async function loadWasmEngine() {
  globalThis.PRISMA_WASM_PANIC_REGISTRY = panicRegistry;
  // The package imports its .wasm file as an ES module: needs `node --experimental-wasm-modules`
  // on Node 20 (the `schema-engine` launcher passes it).
  return import('@prisma/schema-engine-wasm');
}
