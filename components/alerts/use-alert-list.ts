'use client';
import { useCallback, useEffect, useMemo, useReducer, useRef, useState } from 'react';
import { useSocket } from '@/components/realtime/socket-provider';
import { newerAlert } from '@/lib/alerts/format';
import type { Alert } from '@/lib/realtime/events';
import { alertOf, alertsOf, callApi, problemOf } from './api';
import { onAlertHit } from './hit-bus';

export interface AlertList {
  status: 'loading' | 'ready' | 'error';
  /** Why the list could not be loaded. */
  error: string | null;
  /** Newest first. */
  alerts: readonly Alert[];
  retry: () => void;
  /** A newly created alert, to show at once. */
  added: (alert: Alert) => void;
  /** Deletes an alert; resolves to an error sentence, or null when done. */
  remove: (id: string) => Promise<string | null>;
  /** Re-arms a triggered or expired alert; resolves to an error sentence, or null when done. */
  rearm: (id: string) => Promise<string | null>;
}

interface State {
  loaded: boolean;
  error: string | null;
  alerts: readonly Alert[];
  /** Deleted here: a late event about one of them must not bring it back. */
  gone: ReadonlySet<string>;
}

type Action =
  | { type: 'loaded'; alerts: readonly Alert[] }
  | { type: 'failed'; error: string }
  | { type: 'upsert'; alert: Alert; force: boolean }
  | { type: 'removed'; id: string };

const byNewest = (a: Alert, b: Alert) => Date.parse(b.createdAt) - Date.parse(a.createdAt) || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

function reduce(state: State, action: Action): State {
  switch (action.type) {
    case 'loaded': {
      // The server's list says which alerts exist; a live event may carry a newer state of one.
      const known = new Map(state.alerts.map((a) => [a.id, a]));
      const alerts = action.alerts.filter((a) => !state.gone.has(a.id)).map((a) => newerAlert(known.get(a.id), a));
      return { ...state, loaded: true, error: null, alerts: alerts.sort(byNewest) };
    }
    case 'failed':
      return { ...state, error: action.error };
    case 'upsert': {
      const { alert } = action;
      if (state.gone.has(alert.id)) return state;
      const current = state.alerts.find((a) => a.id === alert.id);
      const next = action.force ? alert : newerAlert(current, alert);
      if (next === current) return state;
      const rest = state.alerts.filter((a) => a.id !== alert.id);
      return { ...state, alerts: [...rest, next].sort(byNewest) };
    }
    case 'removed':
      return { ...state, alerts: state.alerts.filter((a) => a.id !== action.id), gone: new Set(state.gone).add(action.id) };
  }
}

const INITIAL: State = { loaded: false, error: null, alerts: [], gone: new Set() };

/**
 * The user's alerts: loaded from the API (again after a reconnect), kept current by `alert:hit`
 * (through the hit bus) and `alert:update`, and changed by the user's own create, delete and re-arm.
 */
export function useAlertList(): AlertList {
  const { socket } = useSocket();
  const [state, dispatch] = useReducer(reduce, INITIAL);
  const [epoch, setEpoch] = useState(0);
  const connectedBefore = useRef(false);

  useEffect(() => {
    const controller = new AbortController();
    callApi('/api/alerts', { signal: controller.signal }).then(
      (result) => {
        const alerts = result.ok ? alertsOf(result.body) : null;
        if (alerts) dispatch({ type: 'loaded', alerts });
        else dispatch({ type: 'failed', error: result.ok ? 'The alerts from the server could not be read.' : problemOf(result).message });
      },
      () => undefined,
    );
    return () => controller.abort();
  }, [epoch]);

  useEffect(() => onAlertHit((hit) => dispatch({ type: 'upsert', alert: hit.alert, force: false })), []);

  useEffect(() => {
    if (!socket) return;
    const onUpdate = (alert: Alert) => dispatch({ type: 'upsert', alert, force: false });
    const onConnect = () => {
      // Changes made while disconnected were not pushed: load the list again.
      if (connectedBefore.current) setEpoch((n) => n + 1);
      connectedBefore.current = true;
    };
    if (socket.connected) connectedBefore.current = true;
    socket.on('alert:update', onUpdate);
    socket.on('connect', onConnect);
    return () => {
      socket.off('alert:update', onUpdate);
      socket.off('connect', onConnect);
    };
  }, [socket]);

  const retry = useCallback(() => setEpoch((n) => n + 1), []);
  const added = useCallback((alert: Alert) => dispatch({ type: 'upsert', alert, force: true }), []);

  const remove = useCallback(async (id: string) => {
    const result = await callApi(`/api/alerts/${encodeURIComponent(id)}`, { method: 'DELETE' });
    // 404: it is gone already (deleted in another tab).
    if (result.ok || result.status === 404) {
      dispatch({ type: 'removed', id });
      return null;
    }
    return problemOf(result).message;
  }, []);

  const rearm = useCallback(async (id: string) => {
    const result = await callApi(`/api/alerts/${encodeURIComponent(id)}`, { method: 'PATCH', body: { status: 'armed' } });
    const alert = result.ok ? alertOf(result.body) : null;
    if (alert) {
      dispatch({ type: 'upsert', alert, force: true });
      return null;
    }
    if (result.ok) {
      setEpoch((n) => n + 1);
      return null;
    }
    return problemOf(result).message;
  }, []);

  const status = state.loaded ? 'ready' : state.error ? 'error' : 'loading';
  return useMemo(
    () => ({ status, error: state.error, alerts: state.alerts, retry, added, remove, rearm }),
    [status, state.error, state.alerts, retry, added, remove, rearm],
  );
}
