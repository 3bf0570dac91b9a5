import { describe, expect, it } from 'vitest';
import { describeConnectionLoss } from '../../../../lib/realtime/connection.ts';

const UTC = { timeZone: 'UTC' };
const LOST = Date.parse('2026-11-26T12:44:20Z');

describe('describeConnectionLoss', () => {
  it('says nothing while the page is connected and online', () => {
    expect(describeConnectionLoss({ state: 'connected', online: true, lostAtMs: null }, LOST, UTC)).toBeNull();
  });

  it('says nothing during the first connection attempt, which has shown nothing live yet', () => {
    expect(describeConnectionLoss({ state: 'connecting', online: true, lostAtMs: null }, LOST, UTC)).toBeNull();
  });

  it('says the page lost its connection, and how old what it shows is', () => {
    const loss = describeConnectionLoss({ state: 'reconnecting', online: true, lostAtMs: LOST }, LOST + 125_000, UTC);
    expect(loss?.headline).toBe('No connection to the Tickwatch server');
    expect(loss?.asOf).toBe('as of 12:44:20, 2 min ago');
    expect(loss?.detail).toContain('as of 12:44:20, 2 min ago');
  });

  it('counts a socket that never connected (connect errors) as cut off too', () => {
    const loss = describeConnectionLoss({ state: 'connecting', online: true, lostAtMs: LOST }, LOST + 500, UTC);
    expect(loss?.asOf).toBe('as of 12:44:20, just now');
  });

  it('says the device is offline even before the socket has noticed', () => {
    const loss = describeConnectionLoss({ state: 'connected', online: false, lostAtMs: LOST }, LOST + 12_000, UTC);
    expect(loss?.headline).toBe('You are offline');
    expect(loss?.asOf).toBe('as of 12:44:20, 12 s ago');
  });

  it('says nothing once signed out (the page is leaving)', () => {
    expect(describeConnectionLoss({ state: 'signed-out', online: false, lostAtMs: LOST }, LOST, UTC)).toBeNull();
  });
});
