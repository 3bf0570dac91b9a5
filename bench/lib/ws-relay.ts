import type { ChildProcess } from 'node:child_process';
import { spawnNodeScript, stopChild } from './spawn-node-script.ts';

export interface WsRelay {
  pid: number;
  /** Where its clients connect: ws://127.0.0.1:<port> */
  url: string;
  stop(): Promise<void>;
}

/** Starts bench/lib/ws-relay-process.ts against the simulator at `feedUrl`; resolves once it listens. */
export async function startWsRelay(feedUrl: string, product: string, clients: number): Promise<WsRelay> {
  const child: ChildProcess = spawnNodeScript('bench/lib/ws-relay-process.ts', [feedUrl, product], { env: {}, openFiles: clients });
  let output = '';
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const line = output.split('\n').find((l) => l.startsWith('{"port"'));
      if (line) resolve((JSON.parse(line) as { port: number }).port);
    });
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`ws relay exited (${code}): ${output.trim()}`)));
  });
  return { pid: child.pid ?? 0, url: `ws://127.0.0.1:${port}`, stop: () => stopChild(child) };
}
