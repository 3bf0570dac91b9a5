import { describe, expect, it } from 'vitest';
import type { NotificationService, PendingHit } from '../../../../server/alerts/notification-service.ts';
import { createLogger } from '../../../../server/logger.ts';
import { createMetrics } from '../../../../server/metrics.ts';
import { REPLAY_READS_AT_ONCE, createAlertDelivery } from '../../../../server/realtime/alert-delivery.ts';
import type { RealtimeSocket } from '../../../../server/realtime/types.ts';

/**
 * A replay storm (a takeover, Redis back: every socket of a node replays at once) reads the
 * database at most REPLAY_READS_AT_ONCE at a time; the rest wait their turn, and a socket that
 * left while waiting costs no read. The inbox here is a stand-in that counts reads in flight.
 */
function countingInbox() {
  let inFlight = 0;
  let most = 0;
  let reads = 0;
  const waiting: Array<() => void> = [];
  const inbox = {
    async undeliveredPage(): Promise<PendingHit[]> {
      reads += 1;
      inFlight += 1;
      most = Math.max(most, inFlight);
      await new Promise<void>((resolve) => waiting.push(resolve));
      inFlight -= 1;
      return [];
    },
  } as unknown as NotificationService;
  return {
    inbox,
    stats: () => ({ most, reads, inFlight }),
    /** Lets every read in flight finish; resolves once the next ones had a turn. */
    release: async (): Promise<void> => {
      for (const resolve of waiting.splice(0)) resolve();
      await new Promise((resolve) => setTimeout(resolve, 0));
    },
  };
}

const socketOf = (userId: string) => ({ connected: true, data: { userId } }) as unknown as RealtimeSocket & { connected: boolean };

describe('replays under a storm', () => {
  it(`reads at most ${REPLAY_READS_AT_ONCE} pages at once, serves every socket, and skips sockets that left`, async () => {
    const { inbox, stats, release } = countingInbox();
    const delivery = createAlertDelivery({ sendToUser: () => undefined }, inbox, {
      logger: createLogger('silent'),
      metrics: createMetrics(),
      hitBudget: { points: 10, windowMs: 1_000 },
    });
    const sockets = Array.from({ length: 40 }, (_, i) => socketOf(`user-${i % 7}`));
    const replays = sockets.map((socket) => delivery.replay(socket));
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(stats().inFlight).toBe(REPLAY_READS_AT_ONCE);
    // Ten sockets leave while they wait for their turn.
    for (const socket of sockets.slice(30)) socket.connected = false;
    for (let round = 0; round < 40 && stats().inFlight > 0; round += 1) await release();
    await Promise.all(replays);
    expect(stats()).toEqual({ most: REPLAY_READS_AT_ONCE, reads: 30, inFlight: 0 });
  });
});
