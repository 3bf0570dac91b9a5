import { z } from 'zod';
import { createAlertSchema, updateAlertSchema } from '../../../lib/alerts/alert-input.ts';
import type { AlertService } from '../../alerts/alert-service.ts';
import type { NotificationService } from '../../alerts/notification-service.ts';
import type { RateLimiter } from '../rate-limiter.ts';
import type { ApiRoute } from '../api-router.ts';
import { validate } from '../validate.ts';

const notificationQuerySchema = z.object({
  unread: z.enum(['0', '1', 'true', 'false'], { error: 'unread must be 1 or 0' }).optional(),
  before: z.string().regex(/^\d{1,15}$/, 'before must be a notification id').transform(Number).optional(),
  limit: z
    .string()
    .regex(/^\d{1,4}$/, 'limit must be a whole number from 1 to 200')
    .transform(Number)
    .refine((n) => n >= 1 && n <= 200, 'limit must be a whole number from 1 to 200')
    .optional(),
});

const markReadSchema = z.object({
  ids: z.array(z.number().int().positive(), { error: 'ids must be a list of notification ids' }).max(1000, 'At most 1000 ids at once'),
});

/** The alerts and notifications API (DESIGN.md section 5); every route is the caller's own data. */
export function alertRoutes(alerts: AlertService, notifications: NotificationService, createLimit: RateLimiter): ApiRoute[] {
  return [
    { method: 'GET', path: '/api/alerts', handle: async ({ session }) => ({ body: { alerts: await alerts.list(session.userId) } }) },
    {
      method: 'POST',
      path: '/api/alerts',
      handle: async ({ session, body }) => {
        const input = validate(createAlertSchema, await body());
        await createLimit.consume(`alerts:${session.userId}`, 'alerts created');
        return { status: 201, body: { alert: await alerts.create(session.userId, input) } };
      },
    },
    {
      method: 'GET',
      path: '/api/alerts/:id',
      handle: async ({ session, params }) => ({ body: { alert: await alerts.get(session.userId, params.id ?? '') } }),
    },
    {
      method: 'PATCH',
      path: '/api/alerts/:id',
      handle: async ({ session, params, body }) => {
        const input = validate(updateAlertSchema, await body());
        return { body: { alert: await alerts.update(session.userId, params.id ?? '', input) } };
      },
    },
    {
      method: 'DELETE',
      path: '/api/alerts/:id',
      handle: async ({ session, params }) => {
        await alerts.remove(session.userId, params.id ?? '');
        return { status: 204 };
      },
    },
    {
      method: 'GET',
      path: '/api/notifications',
      handle: async ({ session, url }) => {
        const query = validate(notificationQuerySchema, Object.fromEntries(url.searchParams));
        const unreadOnly = query.unread === '1' || query.unread === 'true';
        return {
          body: await notifications.list(session.userId, {
            unreadOnly,
            limit: query.limit ?? 50,
            ...(query.before !== undefined ? { before: query.before } : {}),
          }),
        };
      },
    },
    {
      method: 'POST',
      path: '/api/notifications/read',
      handle: async ({ session, body }) => {
        const { ids } = validate(markReadSchema, await body());
        return { body: { updated: await notifications.markRead(session.userId, ids) } };
      },
    },
  ];
}
