import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNotificationService } from '../../server/alerts/notification-service.ts';
import { type Db, createDb } from '../../server/db/client.ts';
import { applyPendingMigrations } from '../../server/db/migrate.ts';
import { ROOT_DIR } from '../support/test-app.ts';

/**
 * The one connection of the process is shared by every request. An interactive transaction
 * that awaits between its statements must not take other requests' statements into itself: a
 * rollback would silently undo writes those requests were told had succeeded.
 */
const ACKS = 300;
let dir: string;
let db: Db;
let userId: string;
let ids: number[];

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tickwatch-db-lock-'));
  const file = path.join(dir, 'tickwatch.db');
  await applyPendingMigrations({ rootDir: ROOT_DIR, database: { provider: 'sqlite', file }, log: () => undefined });
  db = await createDb({ provider: 'sqlite', file });
  userId = 'user-lock';
  await db.user.create({ data: { id: userId, name: 'Lock', email: 'lock@example.com' } });
  await db.alert.create({ data: { id: 'alert-lock', userId, product: 'BTC-USD', basis: 'last', direction: 'above', threshold: '1' } });
});
afterAll(async () => {
  await db?.$disconnect();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function seedNotifications(): Promise<number[]> {
  await db.notification.deleteMany({});
  const base = { userId, product: 'BTC-USD', basis: 'last', direction: 'above', threshold: '1', value: '2.00000000', tradeTime: '2026-01-01T00:00:00Z', windowCount: 1 };
  await db.notification.createMany({ data: Array.from({ length: ACKS }, (_, i) => ({ ...base, alertId: null, arming: i + 1, tradeId: BigInt(i + 1) })) });
  return (await db.notification.findMany({ select: { id: true }, orderBy: { id: 'asc' } })).map((n) => n.id);
}

describe('one connection, many requests', () => {
  it(`a transaction that awaits and rolls back undoes none of the ${ACKS} acknowledgements other requests wrote meanwhile`, async () => {
    ids = await seedNotifications();
    const notifications = createNotificationService(db);
    let opened!: () => void;
    const isOpen = new Promise<void>((resolve) => (opened = resolve));
    const rolledBack = db
      .$transaction(async (tx) => {
        await tx.alert.update({ where: { id: 'alert-lock' }, data: { status: 'triggered' } });
        opened();
        await sleep(100);
        throw new Error('rolled back on purpose');
      })
      .catch((error: unknown) => error);
    await isOpen;
    // Each acknowledgement is its own "request", issued while the transaction is open.
    const acks = ids.map((id) => notifications.markDelivered([id]));
    expect(await rolledBack).toBeInstanceOf(Error);
    await Promise.all(acks);
    expect(await db.notification.count({ where: { deliveredAt: { not: null } } })).toBe(ACKS);
    expect((await db.alert.findUniqueOrThrow({ where: { id: 'alert-lock' } })).status).toBe('armed');
  });

  it('a committed transaction keeps its own writes and the others, and reads its own writes inside', async () => {
    ids = await seedNotifications();
    const notifications = createNotificationService(db);
    let opened!: () => void;
    const isOpen = new Promise<void>((resolve) => (opened = resolve));
    const committed = db.$transaction(async (tx) => {
      await tx.alert.update({ where: { id: 'alert-lock' }, data: { note: 'inside' } });
      opened();
      await sleep(50);
      return (await tx.alert.findUniqueOrThrow({ where: { id: 'alert-lock' } })).note;
    });
    await isOpen;
    const acks = ids.map((id) => notifications.markDelivered([id]));
    expect(await committed).toBe('inside');
    await Promise.all(acks);
    expect(await db.notification.count({ where: { deliveredAt: { not: null } } })).toBe(ACKS);
    expect((await db.alert.findUniqueOrThrow({ where: { id: 'alert-lock' } })).note).toBe('inside');
  });

  it('statements waiting for a transaction run in the order they were issued', async () => {
    let opened!: () => void;
    const isOpen = new Promise<void>((resolve) => (opened = resolve));
    const tx = db.$transaction(async (t) => {
      await t.alert.update({ where: { id: 'alert-lock' }, data: { note: 'tx' } });
      opened();
      await sleep(30);
    });
    await isOpen;
    const writes = ['a', 'b', 'c', 'd'].map((note) => db.alert.update({ where: { id: 'alert-lock' }, data: { note } }));
    await tx;
    await Promise.all(writes);
    expect((await db.alert.findUniqueOrThrow({ where: { id: 'alert-lock' } })).note).toBe('d');
  });
});
