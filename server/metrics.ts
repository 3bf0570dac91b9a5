import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The process's Prometheus metrics, served as text at `/metrics`. Default metrics include
 * event-loop lag (`nodejs_eventloop_lag_*`), heap and CPU. Each app instance owns its registry,
 * so tests can run several in one process.
 */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const metrics = {
    registry,
    httpRequests: new Counter({
      name: 'tickwatch_http_requests_total',
      help: 'HTTP requests answered, by route group and status class',
      labelNames: ['group', 'status'] as const,
      registers: [registry],
    }),
    tradesIngested: new Counter({
      name: 'tickwatch_trades_ingested_total',
      help: 'Trades from the feed or REST applied to the window, by product (the warm-start replay is not counted)',
      labelNames: ['product'] as const,
      registers: [registry],
    }),
    feedGaps: new Counter({
      name: 'tickwatch_feed_gaps_total',
      help: 'Trade-id gaps detected, by product and outcome (filled, lost)',
      labelNames: ['product', 'outcome'] as const,
      registers: [registry],
    }),
    feedInvalid: new Counter({
      name: 'tickwatch_feed_invalid_total',
      help: 'Feed frames or trades ignored as malformed, unknown or out of range, by source (feed, rest)',
      labelNames: ['product', 'source'] as const,
      registers: [registry],
    }),
    feedReconnects: new Counter({
      name: 'tickwatch_feed_reconnects_total',
      help: 'Feed connections replaced or re-established',
      registers: [registry],
    }),
    alertsFired: new Counter({
      name: 'tickwatch_alerts_fired_total',
      help: 'Alerts fired (one per arming)',
      registers: [registry],
    }),
    productLeader: new Gauge({
      name: 'tickwatch_product_leader',
      help: "1 on the node holding the product's firing lease, else 0 (several nodes on PostgreSQL)",
      labelNames: ['product'] as const,
      registers: [registry],
    }),
    firingsFenced: new Counter({
      name: 'tickwatch_firings_fenced_total',
      help: 'Firing transactions refused because this node no longer held the product lease at its epoch',
      labelNames: ['product'] as const,
      registers: [registry],
    }),
    dbWriteFailures: new Counter({
      name: 'tickwatch_db_write_failures_total',
      help: 'Background database writes that failed and will be retried, by writer (trades, alerts)',
      labelNames: ['writer'] as const,
      registers: [registry],
    }),
    slowClientsDropped: new Counter({
      name: 'tickwatch_slow_clients_dropped_total',
      help: 'Browser sockets closed because they stopped reading (unsent packets over the cap)',
      registers: [registry],
    }),
    socketsConnected: new Gauge({
      name: 'tickwatch_sockets_connected',
      help: 'Authenticated browser sockets currently connected',
      registers: [registry],
    }),
    rateLimited: new Counter({
      name: 'tickwatch_rate_limited_total',
      help: 'Requests refused by a rate limit, by limit',
      labelNames: ['limit'] as const,
      registers: [registry],
    }),
    alertHitsCoalesced: new Counter({
      name: 'tickwatch_alert_hits_coalesced_total',
      help: 'Alert hits over their user\'s firing budget, counted in an alert:backlog notice instead of pushed one by one',
      registers: [registry],
    }),
    socketsRefused: new Counter({
      name: 'tickwatch_sockets_refused_total',
      help: 'Realtime handshakes refused by a cap, by limit (account, ip, anonymous_ip, duplicate)',
      labelNames: ['limit'] as const,
      registers: [registry],
    }),
    socketFloods: new Counter({
      name: 'tickwatch_socket_floods_total',
      help: 'Realtime connections disconnected for sending messages faster than RATE_LIMIT_SOCKET_EVENTS',
      registers: [registry],
    }),
    replaysCapped: new Counter({
      name: 'tickwatch_replays_capped_total',
      help: 'Connects whose replay of undelivered hits stopped at the cap and sent an alert:backlog notice',
      registers: [registry],
    }),
    httpConnectionsRefused: new Counter({
      name: 'tickwatch_http_connections_refused_total',
      help: 'TCP connections closed at once, by reason (max_connections, per_ip)',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    httpClientErrors: new Counter({
      name: 'tickwatch_http_client_errors_total',
      help: 'Connections answered and closed by the HTTP parser, by reason (bad_request, timeout, headers_too_large)',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    httpAborted: new Counter({
      name: 'tickwatch_http_aborted_total',
      help: 'Requests the client abandoned before the server could answer (a closed connection mid-body)',
      registers: [registry],
    }),
    processErrors: new Counter({
      name: 'tickwatch_process_errors_total',
      help: 'Errors that reached the process, by kind (unhandled_rejection, uncaught_exception)',
      labelNames: ['kind'] as const,
      registers: [registry],
    }),
    alertsSkipped: new Counter({
      name: 'tickwatch_alerts_skipped_total',
      help: 'Stored alerts left out (of the index, or of a list) because a column cannot be read or evaluated, by reason',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    passwordHashes: new Gauge({
      name: 'tickwatch_password_hashes',
      help: 'Password hashes and checks, by state (running, waiting)',
      labelNames: ['state'] as const,
      registers: [registry],
    }),
    passwordHashesRefused: new Counter({
      name: 'tickwatch_password_hashes_refused_total',
      help: 'Requests answered 503 because the password-hashing queue was full',
      registers: [registry],
    }),
    // Registered by server/redis/redis-client.ts only when REDIS_URL is set (a 0 without Redis
    // would read as an outage).
    redisConnected: new Gauge({
      name: 'tickwatch_redis_connected',
      help: 'REDIS_URL set: 1 while every Redis connection of this node is up, 0 while one is down and reconnecting',
      registers: [],
    }),
    redisConnectionLosses: new Counter({
      name: 'tickwatch_redis_connection_losses_total',
      help: 'REDIS_URL set: times this node lost a Redis connection (it reconnects by itself)',
      registers: [],
    }),
  };
  return metrics;
}

export type Metrics = ReturnType<typeof createMetrics>;
