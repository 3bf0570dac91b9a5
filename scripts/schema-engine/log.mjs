// Logs go to stderr as one JSON object per line, in the shape of the native schema engine's
// tracing output. The Prisma CLI reads them: it keeps `fields.message` of every line, remembers the
// last `level: "ERROR"` line to explain a crash, and for the one-shot `cli ...` commands looks for
// an ERROR line with `target: "schema_engine::logger"` carrying `fields.error_code`. Anything that
// is not JSON on stderr makes the CLI fail to parse the one-shot output, so nothing else may be
// written there.

/**
 * Writes one log line.
 * @param {'ERROR'|'WARN'|'INFO'|'DEBUG'} level
 * @param {string} message
 * @param {Record<string, unknown>} [fields] extra fields (e.g. `error_code`)
 * @param {string} [target]
 */
export function log(level, message, fields = {}, target = 'schema_engine::logger') {
  const line = { timestamp: new Date().toISOString(), level, fields: { message, ...fields }, target };
  process.stderr.write(`${JSON.stringify(line)}\n`);
}
