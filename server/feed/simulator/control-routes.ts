import type http from 'node:http';
import { z } from 'zod';
import type { Simulator } from './simulator-types.ts';
import { sendJson } from './trades-route.ts';

/** Largest control request body. */
const MAX_CONTROL_BODY_BYTES = 1024 * 1024;
/** Most trades one control call may generate. */
const MAX_TRADES_PER_CALL = 100_000;

const product = z.string().min(1);
const tradeFields = {
  price: z.string().optional(),
  size: z.string().optional(),
  side: z.enum(['buy', 'sell']).optional(),
  time: z.string().optional(),
};
const count = z.number().int().min(1).max(MAX_TRADES_PER_CALL);
const empty = z.object({}).optional();

function summary(trades: ReadonlyArray<{ tradeId: number }>) {
  return { count: trades.length, firstTradeId: trades[0]?.tradeId ?? null, lastTradeId: trades[trades.length - 1]?.tradeId ?? null };
}

interface Command {
  schema: z.ZodType;
  run(sim: Simulator, body: unknown): unknown;
}

/** Ties a command's body schema to its handler so the handler sees the parsed type. */
function command<S extends z.ZodType>(schema: S, run: (sim: Simulator, body: z.infer<S>) => unknown): Command {
  return { schema, run: (sim, body) => run(sim, body as z.infer<S>) };
}

const commands: Record<string, Command> = {
  trade: command(z.object({ product, ...tradeFields }), (sim, { product: p, ...input }) => sim.trade(p, input)),
  trades: command(z.object({ product, n: count, ...tradeFields }), (sim, { product: p, n, ...input }) => summary(sim.trades(p, n, input))),
  skipIds: command(z.object({ product, n: count }), (sim, b) => summary(sim.skipIds(b.product, b.n))),
  duplicateNext: command(z.object({ product, times: z.number().int().min(1).max(1000).optional() }), (sim, b) =>
    sim.duplicateNext(b.product, b.times),
  ),
  reorderNext: command(z.object({ product }), (sim, b) => sim.reorderNext(b.product)),
  sendRaw: command(z.object({ text: z.string() }), (sim, b) => ({ sent: sim.sendRaw(b.text) })),
  dropConnections: command(
    z.object({ code: z.number().int().min(1000).max(4999).optional(), reason: z.string().max(123).optional() }).optional(),
    (sim, b) => sim.dropConnections(b?.code, b?.reason),
  ),
  stall: command(z.object({ on: z.boolean() }), (sim, b) => sim.stall(b.on)),
  refuseConnections: command(z.object({ mode: z.union([z.null(), z.literal('refuse'), z.literal(429)]) }), (sim, b) =>
    sim.refuseConnections(b.mode),
  ),
  restFailures: command(z.object({ mode: z.union([z.null(), z.literal(500), z.literal(429), z.literal('hang'), z.literal('empty')]) }), (sim, b) =>
    sim.restFailures(b.mode),
  ),
  setRate: command(z.object({ perSecond: z.number().min(0).max(100_000) }), (sim, b) => sim.setRate(b.perSecond)),
  pause: command(empty, (sim) => sim.pause()),
  resume: command(empty, (sim) => sim.resume()),
};

/** Names of the POST commands, for docs and errors. */
export const CONTROL_COMMANDS = Object.keys(commands);

/** Read-only views answered to GET. */
const views: Record<string, (sim: Simulator) => unknown> = {
  state: (sim) => sim.state(),
  restLog: (sim) => sim.restLog(),
};

async function readJson(req: http.IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_CONTROL_BODY_BYTES) throw new Error('body too large');
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  return text.trim() === '' ? undefined : (JSON.parse(text) as unknown);
}

/**
 * The control surface for a simulator in another process: `POST /_control/<command>` with a
 * JSON body (same names and arguments as the `Simulator` methods) answers
 * `{"ok": true, "result": ...}`; `GET /_control/state` answers the state and
 * `GET /_control/restLog` the newest REST trades requests. Bad input: 400 `{"message": ...}`;
 * unknown command: 404.
 */
export async function handleControlRequest(req: http.IncomingMessage, res: http.ServerResponse, name: string, sim: Simulator): Promise<void> {
  const view = Object.hasOwn(views, name) ? views[name] : undefined;
  if (view) {
    if (req.method !== 'GET') return sendJson(res, 405, { message: `Use GET for /_control/${name}` });
    return sendJson(res, 200, view(sim));
  }
  const handler = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (!handler) return sendJson(res, 404, { message: `Unknown command ${name}; known: ${Object.keys(views).join(', ')}, ${CONTROL_COMMANDS.join(', ')}` });
  if (req.method !== 'POST') return sendJson(res, 405, { message: `Use POST for /_control/${name}` });
  let body: unknown;
  try {
    body = await readJson(req);
  } catch (error) {
    return sendJson(res, 400, { message: `Body is not valid JSON: ${error instanceof Error ? error.message : String(error)}` });
  }
  const parsed = handler.schema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return sendJson(res, 400, { message: `${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}` });
  }
  try {
    const result = await handler.run(sim, parsed.data);
    sendJson(res, 200, { ok: true, result: result ?? null });
  } catch (error) {
    sendJson(res, 400, { message: error instanceof Error ? error.message : String(error) });
  }
}
