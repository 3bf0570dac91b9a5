import { randomUUID } from 'node:crypto';
import type { Alert } from '../../lib/realtime/events.ts';
import type { CreateAlertInput, UpdateAlertInput } from '../../lib/alerts/alert-input.ts';
import { AppError } from '../../lib/errors.ts';
import type { Db } from '../db/client.ts';
import type { Alert as AlertRow } from '../db/generated/client.ts';
import type { AlertEvaluator } from './alert-evaluator.ts';
import { repeatColumns, toAlert } from './alert-record.ts';

export interface AlertServiceOptions {
  db: Db;
  evaluator: AlertEvaluator;
  products: readonly string[];
  alertLimit: number;
}

/**
 * Alert CRUD for one user at a time. Every call is scoped to the caller: another user's alert is
 * "not found", never "forbidden", so ids cannot be probed. Each change is written to the
 * database and then handed to the evaluator before the call returns, so it takes effect on the
 * very next trade.
 */
export function createAlertService({ db, evaluator, products, alertLimit }: AlertServiceOptions) {
  function checkProduct(product: string | undefined): void {
    if (product !== undefined && !products.includes(product)) {
      throw new AppError('unknown_product', `Tickwatch does not follow ${product}; choose one of ${products.join(', ')}.`, {
        details: { field: 'product' },
      });
    }
  }

  async function owned(userId: string, id: string): Promise<AlertRow> {
    const row = await db.alert.findFirst({ where: { id, userId } });
    if (!row) throw new AppError('not_found', 'There is no such alert.');
    return row;
  }

  return {
    async list(userId: string): Promise<Alert[]> {
      const rows = await db.alert.findMany({ where: { userId }, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }] });
      return rows.map(toAlert);
    },

    async get(userId: string, id: string): Promise<Alert> {
      return toAlert(await owned(userId, id));
    },

    async create(userId: string, input: CreateAlertInput): Promise<Alert> {
      checkProduct(input.product);
      if (input.expiresAt && input.expiresAt.getTime() <= Date.now()) {
        throw new AppError('validation_failed', 'expiresAt must be in the future.', { details: { field: 'expiresAt' } });
      }
      const row = await db.$transaction(async (tx) => {
        const count = await tx.alert.count({ where: { userId } });
        if (count >= alertLimit) {
          throw new AppError('alert_limit', `You can have at most ${alertLimit} alerts. Delete one to add another.`);
        }
        return tx.alert.create({
          data: {
            id: randomUUID(),
            userId,
            product: input.product,
            basis: input.basis,
            direction: input.direction,
            threshold: input.threshold,
            ...repeatColumns(input.repeat),
            note: input.note ?? null,
            expiresAt: input.expiresAt ?? null,
          },
        });
      });
      await evaluator.track(row);
      return toAlert(row);
    },

    async update(userId: string, id: string, input: UpdateAlertInput): Promise<Alert> {
      const current = await owned(userId, id);
      checkProduct(input.product);
      if (input.expiresAt && input.expiresAt.getTime() <= Date.now()) {
        throw new AppError('validation_failed', 'expiresAt must be in the future.', { details: { field: 'expiresAt' } });
      }
      const rearm = input.status === 'armed' && current.status !== 'armed';
      const row = await db.alert.update({
        where: { id: current.id },
        data: {
          ...(input.product !== undefined ? { product: input.product } : {}),
          ...(input.direction !== undefined ? { direction: input.direction } : {}),
          ...(input.threshold !== undefined ? { threshold: input.threshold } : {}),
          ...(input.basis !== undefined ? { basis: input.basis } : {}),
          ...(input.repeat !== undefined ? repeatColumns(input.repeat) : {}),
          ...(input.note !== undefined ? { note: input.note } : {}),
          ...(input.expiresAt !== undefined ? { expiresAt: input.expiresAt } : {}),
          // Re-arming starts a new arming, which may fire once more.
          ...(rearm ? { status: 'armed', arming: { increment: 1 }, triggeredAt: null } : {}),
        },
      });
      await evaluator.track(row);
      return toAlert(row);
    },

    async remove(userId: string, id: string): Promise<void> {
      const current = await owned(userId, id);
      await db.alert.delete({ where: { id: current.id } });
      evaluator.untrack(current.id);
    },
  };
}

export type AlertService = ReturnType<typeof createAlertService>;
