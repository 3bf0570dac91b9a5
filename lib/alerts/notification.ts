import type { AlertBasis, AlertDirection } from '../realtime/events.ts';

/** A fired alert as the inbox shows it: everything needed to say why it fired. */
export interface Notification {
  id: number;
  /** null once the alert itself was deleted; the notification keeps its terms. */
  alertId: string | null;
  arming: number;
  product: string;
  basis: AlertBasis;
  direction: AlertDirection;
  threshold: string;
  /** The basis value (8 dp) at the trade that fired it. */
  value: string;
  tradeId: number;
  tradeTime: string;
  /** Trades in the window at that trade. */
  windowCount: number;
  firedAt: string;
  deliveredAt: string | null;
  readAt: string | null;
}
