import type { Notification } from '@/lib/alerts/notification';

export const PAGE_SIZE = 20;

export interface InboxState {
  status: 'loading' | 'ready' | 'error';
  error: string | null;
  /** Newest first, by id. */
  items: readonly Notification[];
  /** Whether older notifications may exist beyond the last one loaded. */
  hasMore: boolean;
  loadingOlder: boolean;
  olderError: string | null;
  /** Ids being marked read. */
  marking: ReadonlySet<number>;
}

export type InboxAction =
  | { type: 'head'; notifications: readonly Notification[] }
  | { type: 'failed'; error: string }
  | { type: 'olderLoading' }
  | { type: 'older'; notifications: readonly Notification[] }
  | { type: 'olderFailed'; error: string }
  | { type: 'marking'; ids: readonly number[]; on: boolean }
  /** `ids: null` for all of them. */
  | { type: 'read'; ids: readonly number[] | null; at: string };

export const INITIAL_INBOX: InboxState = {
  status: 'loading',
  error: null,
  items: [],
  hasMore: false,
  loadingOlder: false,
  olderError: null,
  marking: new Set(),
};

function merge(a: readonly Notification[], b: readonly Notification[]): Notification[] {
  const byId = new Map<number, Notification>();
  for (const n of a) byId.set(n.id, n);
  for (const n of b) byId.set(n.id, n);
  return [...byId.values()].sort((x, y) => y.id - x.id);
}

export function reduceInbox(state: InboxState, action: InboxAction): InboxState {
  switch (action.type) {
    case 'head': {
      const page = action.notifications;
      const first = state.status !== 'ready';
      const newestKnown = state.items[0]?.id ?? 0;
      const oldestOfPage = page[page.length - 1]?.id ?? Infinity;
      // A full page of only newer notifications may leave a hole before the ones shown: start over.
      const gap = !first && page.length === PAGE_SIZE && oldestOfPage > newestKnown && state.items.length > 0;
      if (first || gap) return { ...state, status: 'ready', error: null, items: [...page], hasMore: page.length === PAGE_SIZE };
      return { ...state, status: 'ready', error: null, items: merge(state.items, page) };
    }
    case 'failed':
      // A failed refresh keeps what is shown.
      return state.status === 'ready' ? state : { ...state, status: 'error', error: action.error };
    case 'olderLoading':
      return { ...state, loadingOlder: true, olderError: null };
    case 'older':
      return { ...state, loadingOlder: false, items: merge(state.items, action.notifications), hasMore: action.notifications.length === PAGE_SIZE };
    case 'olderFailed':
      return { ...state, loadingOlder: false, olderError: action.error };
    case 'marking': {
      const marking = new Set(state.marking);
      for (const id of action.ids) {
        if (action.on) marking.add(id);
        else marking.delete(id);
      }
      return { ...state, marking };
    }
    case 'read': {
      const ids = action.ids === null ? null : new Set(action.ids);
      const items = state.items.map((n) => (n.readAt === null && (ids === null || ids.has(n.id)) ? { ...n, readAt: action.at } : n));
      return { ...state, items };
    }
  }
}
