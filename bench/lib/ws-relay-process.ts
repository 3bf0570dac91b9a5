/**
 * The floor the app is compared with: a bare `ws` relay in its own process. It subscribes to the
 * simulator's `matches` like the app's feed client, and forwards each frame, untouched and
 * unparsed, to one of its WebSocket clients in turn, as an alert hit goes to one user's socket.
 * No auth, no window, no database: what is left is two WebSocket hops and a process in between.
 *   node --import tsx bench/lib/ws-relay-process.ts <simulator ws url> <product>
 * Prints `{"port": <n>}` once it listens and is subscribed; exits on SIGTERM.
 */
import WebSocket, { WebSocketServer } from 'ws';

const [feedUrl, product] = process.argv.slice(2);
if (!feedUrl || !product) throw new Error('usage: ws-relay-process.ts <simulator ws url> <product>');

const clients: WebSocket[] = [];
let next = 0;
const server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
server.on('connection', (ws) => {
  clients.push(ws);
  ws.on('close', () => {
    const at = clients.indexOf(ws);
    if (at >= 0) clients.splice(at, 1);
  });
});
await new Promise<void>((resolve) => server.once('listening', () => resolve()));

const feed = new WebSocket(feedUrl, { perMessageDeflate: false });
feed.on('open', () => feed.send(JSON.stringify({ type: 'subscribe', product_ids: [product], channels: ['matches'] })));
feed.on('message', (data: Buffer) => {
  if (clients.length === 0) return;
  next = (next + 1) % clients.length;
  clients[next]!.send(data, { binary: false });
});
feed.on('close', () => process.exit(1));
await new Promise<void>((resolve) => feed.once('open', () => resolve()));

const { port } = server.address() as { port: number };
process.stdout.write(`${JSON.stringify({ port })}\n`);
process.on('SIGTERM', () => process.exit(0));
