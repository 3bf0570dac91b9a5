'use client';
import { useEffect } from 'react';
import { useSocket } from '@/components/realtime/socket-provider';
import { marketInfo } from './market-info-store';

/**
 * Keeps the page's market info current (mounted once, in the header): loads it as the page
 * starts, follows `feed:status` pushes into it, and tries the load again on a connect if it had
 * failed. Renders nothing.
 */
export function MarketInfoSync() {
  const { socket } = useSocket();

  useEffect(() => {
    marketInfo.load();
    if (!socket) return;
    const onConnect = () => marketInfo.load();
    socket.on('feed:status', marketInfo.applyFeedStatus);
    socket.on('connect', onConnect);
    return () => {
      socket.off('feed:status', marketInfo.applyFeedStatus);
      socket.off('connect', onConnect);
    };
  }, [socket]);

  return null;
}
