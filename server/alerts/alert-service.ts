import { randomUUID } from 'node:crypto';
import type { Alert } from '../../lib/realtime/events.ts';
import type { CreateAlertInput, UpdateAlertInput } from '../../lib/alerts/alert-input.ts';
import { AppError } from '../../lib/errors.ts';
import type { Db } from '../db/client.ts';
import type { Alert as AlertRow } from '../db/generated/client.ts';
import { UnindexableAlertError } from './alert-conditions.ts';
import type { AlertEvaluator, CheckedRow } from './alert-evaluator.ts';
import { DamagedAlertError, repeatColumns, toAlert } from './alert-record.ts';
import { createListeners } from '../lifecycle/listeners.ts';

export interface AlertServiceOptions {
  db: Db;
  evaluator: AlertEvaluator;
  products: readonly string[];
  alertLimit: number;
  /** Told of a stored alert whose columns cannot be read (it is left out of the list). */
  onDamaged?: (alertId: string, error: unknown) => void;
}

/** Prisma's code for a column holding what its type cannot (text in an Int, a date that is not one). */
const INCONSISTENT_COLUMN_DATA = 'P2023';

/** True for an error that says a stored row's columns cannot be read as their types. */
function isDamaged(error: unknown): boolean {
  return error instanceof DamagedAlertError || (error as { code?: unknown } | null)?.code === INCONSISTENT_COLUMN_DATA;
}

const DAMAGED_MESSAGE = "This alert's stored data is damaged and cannot be read. Delete it and create it again.";

/**
 * Alert CRUD for one user at a time. Every call is scoped to the caller: another user's alert is
 * "not found", never "forbidden", so ids cannot be probed. Each change is written to the
 * database and then handed to the evaluator before the call returns, so it takes effect on the
 * very next trade.
 */
export function createAlertService({ db, evaluator, products, alertLimit, onDamaged }: AlertServiceOptions) {
  const changes = createListeners<[string]>();
  function checkProduct(product: string | undefined): void {
    if (product !== undefined && !products.includes(product)) {
      throw new AppError('unknown_product', `Tickwatch does not follow ${product}; choose one of ${products.join(', ')}.`, {
        details: { field: 'product' },
      });
    }
  }

  /**
   * Refuses (422, before anything is written) an alert the evaluator could not index: the API's
   * own checks keep every field in range, so this catches what they miss, and a row already
   * stored with a column no API write produces, which an edit would otherwise keep.
   */
  function checkIndexable(row: CheckedRow): void {
    try {
      evaluator.check(row);
    } catch (error) {
      if (!(error instanceof UnindexableAlertError)) throw error;
      throw new AppError('validation_failed', `This alert cannot be evaluated: ${error.message}.`, { details: { field: error.field } });
    }
  }

  async function owned(userId: string, id: string): Promise<AlertRow> {
    let row: AlertRow | null;
    try {
      row = await db.alert.findFirst({ where: { id, userId } });
    } catch (error) {
      if (!isDamaged(error)) throw error;
      onDamaged?.(id, error);
      throw new AppError('validation_failed', DAMAGED_MESSAGE);
    }
    if (!row) throw new AppError('not_found', 'There is no such alert.');
    return row;
  }

  /**
   * The list read one alert at a time, leaving out the ones whose columns cannot be read: a
   * single damaged row (written by hand, corrupted) otherwise failed the owner's whole list.
   */
  async function listReadable(userId: string): Promise<Alert[]> {
    const ids = await db.alert.findMany({ where: { userId }, select: { id: true }, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }] });
    const alerts: Alert[] = [];
    for (const { id } of ids) {
      try {
        const row = await db.alert.findUnique({ where: { id } });
        if (row) alerts.push(toAlert(row));
      } catch (error) {
        if (!isDamaged(error)) throw error;
        onDamaged?.(id, error);
      }
    }
    return alerts;
  }

  return {
    /** Subscribes to alerts created, edited or deleted here (other nodes' indexes follow). */
    onChanged: changes.add,
    async list(userId: string): Promise<Alert[]> {
      try {
        const rows = await db.alert.findMany({ where: { userId }, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }] });
        return rows.map(toAlert);
      } catch (error) {
        if (!isDamaged(error)) throw error;
        return listReadable(userId);
      }
    },

    async get(userId: string, id: string): Promise<Alert> {
      const row = await owned(userId, id);
      try {
        return toAlert(row);
      } catch (error) {
        if (!isDamaged(error)) throw error;
        onDamaged?.(id, error);
        throw new AppError('validation_failed', DAMAGED_MESSAGE);
      }
    },

    async create(userId: string, input: CreateAlertInput): Promise<Alert> {
      checkProduct(input.product);
      if (input.expiresAt && input.expiresAt.getTime() <= Date.now()) {
        throw new AppError('validation_failed', 'expiresAt must be in the future.', { details: { field: 'expiresAt' } });
      }
      // The condition's columns, checked by the index before they are written.
      const condition = {
        product: input.product,
        basis: input.basis,
        direction: input.direction,
        threshold: input.threshold,
        ...repeatColumns(input.repeat),
        expiresAt: input.expiresAt ?? null,
      };
      checkIndexable({ id: 'new', ...condition });
      const row = await db.$transaction(async (tx) => {
        const count = await tx.alert.count({ where: { userId } });
        if (count >= alertLimit) {
          throw new AppError('alert_limit', `You can have at most ${alertLimit} alerts. Delete one to add another.`);
        }
        return tx.alert.create({
          data: {
            id: randomUUID(),
            userId,
            ...condition,
            note: input.note ?? null,
          },
        });
      });
      await evaluator.track(row);
      changes.emit(row.id);
      return toAlert(row);
    },

    async update(userId: string, id: string, input: UpdateAlertInput): Promise<Alert> {
      const current = await owned(userId, id);
      checkProduct(input.product);
      if (input.expiresAt && input.expiresAt.getTime() <= Date.now()) {
        throw new AppError('validation_failed', 'expiresAt must be in the future.', { details: { field: 'expiresAt' } });
      }
      const rearm = input.status === 'armed' && current.status !== 'armed';
      const terms = {
        ...(input.product !== undefined ? { product: input.product } : {}),
        ...(input.direction !== undefined ? { direction: input.direction } : {}),
        ...(input.threshold !== undefined ? { threshold: input.threshold } : {}),
        ...(input.basis !== undefined ? { basis: input.basis } : {}),
        ...(input.repeat !== undefined ? repeatColumns(input.repeat) : {}),
        ...(input.expiresAt !== undefined ? { expiresAt: input.expiresAt } : {}),
      };
      // The alert as it will be, checked before the write (a write the index then refused left
      // the alert armed in the database and out of the index).
      const after = { ...current, ...terms };
      if (after.status === 'armed' || rearm || (after.status === 'triggered' && after.repeatMode === 'rearm')) checkIndexable(after);
      // New terms for an armed alert are a new arming: an index that still holds the old terms
      // (another node's, until it reads the change) then loses the conditional update instead
      // of firing the alert on a threshold its owner has just moved.
      const waiting = current.status === 'armed' || (current.status === 'triggered' && current.repeatMode === 'rearm');
      const reterm = waiting && Object.entries(terms).some(([key, value]) => !sameValue(value, current[key as keyof typeof current]));
      const row = await db.alert.update({
        where: { id: current.id },
        data: {
          ...terms,
          ...(input.note !== undefined ? { note: input.note } : {}),
          // Re-arming starts a new arming, which may fire once more.
          ...(rearm ? { status: 'armed', arming: { increment: 1 }, triggeredAt: null } : {}),
          ...(reterm ? { arming: { increment: 1 } } : {}),
        },
      });
      await evaluator.track(row);
      changes.emit(row.id);
      return toAlert(row);
    },

    async remove(userId: string, id: string): Promise<void> {
      // Without reading the row first, so a damaged one can be deleted too.
      const { count } = await db.alert.deleteMany({ where: { id, userId } });
      if (count === 0) throw new AppError('not_found', 'There is no such alert.');
      evaluator.untrack(id);
      changes.emit(id);
    },
  };
}

export type AlertService = ReturnType<typeof createAlertService>;

/** A column's new value against its stored one (dates by instant). */
function sameValue(next: unknown, stored: unknown): boolean {
  if (next instanceof Date && stored instanceof Date) return next.getTime() === stored.getTime();
  return next === stored;
}
