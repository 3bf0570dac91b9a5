import { describe, expect, it } from 'vitest';
import { NOTE_MAX_LENGTH } from '../../../../lib/alerts/alert-input.ts';
import {
  NOTE_MAX_CHARS,
  basisLabel,
  compareDecimals,
  describeAlert,
  describeHit,
  describeHitText,
  describeNotification,
  describeRepeat,
  formatBasisValue,
  formatDateTime,
  localInputToIso,
  newerAlert,
  noteLength,
  problemsByField,
  titleWithUnseen,
  wouldFireNow,
} from '../../../../lib/alerts/format.ts';
import type { Alert } from '../../../../lib/realtime/events.ts';

const UTC = { timeZone: 'UTC' };
const GB_UTC = { locale: 'en-GB', timeZone: 'UTC' };
const TEN_MIN = 600_000;

function alert(overrides: Partial<Alert> = {}): Alert {
  return {
    id: 'a1',
    product: 'BTC-USD',
    basis: 'mean',
    direction: 'above',
    threshold: '67000',
    repeat: { mode: 'once' },
    note: null,
    status: 'armed',
    arming: 1,
    createdAt: '2026-11-26T16:00:00.000Z',
    triggeredAt: null,
    expiresAt: null,
    ...overrides,
  };
}

describe('compareDecimals', () => {
  it('compares exactly, whatever the number of decimals', () => {
    expect(compareDecimals('67000', '67000.00000000')).toBe(0);
    expect(compareDecimals('67000.00000001', '67000')).toBe(1);
    expect(compareDecimals('66999.99999999', '67000')).toBe(-1);
    expect(compareDecimals('0.1', '0.09')).toBe(1);
    expect(compareDecimals('-1', '0')).toBe(-1);
  });

  it('tells apart values a double cannot', () => {
    expect(compareDecimals('9007199254740993.01', '9007199254740993.00')).toBe(1);
  });

  it('returns null for anything that is not a plain decimal', () => {
    expect(compareDecimals('abc', '1')).toBeNull();
    expect(compareDecimals('1e3', '1')).toBeNull();
    expect(compareDecimals('1', '')).toBeNull();
  });
});

describe('wouldFireNow', () => {
  it('is level-triggered: above fires at >=, below at <=', () => {
    expect(wouldFireNow('above', '67000', '67000.00000000')).toBe(true);
    expect(wouldFireNow('above', '67000', '66999.99999999')).toBe(false);
    expect(wouldFireNow('below', '67000', '67000.00000000')).toBe(true);
    expect(wouldFireNow('below', '67000', '67000.00000001')).toBe(false);
  });

  it('is unknown without a current value or with an unreadable threshold', () => {
    expect(wouldFireNow('above', '67000', null)).toBeNull();
    expect(wouldFireNow('above', '67,000', '1')).toBeNull();
  });
});

describe('words', () => {
  it('names the basis after the window', () => {
    expect(basisLabel('mean', TEN_MIN)).toBe('10-min average');
    expect(basisLabel('vwap', 3_600_000)).toBe('1-h VWAP');
    expect(basisLabel('last', TEN_MIN)).toBe('last price');
  });

  it('describes an alert', () => {
    expect(describeAlert(alert(), TEN_MIN)).toBe('BTC-USD 10-min average above 67,000.00');
    expect(describeAlert(alert({ basis: 'last', direction: 'below', threshold: '1.5' }), TEN_MIN)).toBe('BTC-USD last price below 1.50');
  });

  it('describes a hit with its value, its unit and the time of the trade with its zone', () => {
    const now = Date.parse('2026-11-26T18:00:00Z');
    const hit = { value: '67012.34500000', time: '2026-11-26T16:42:10.123456Z', replayed: false, alert: alert() };
    expect(describeHit(hit, TEN_MIN, now, GB_UTC)).toBe('BTC-USD 10-min average above 67,000.00 — 67,012.34 USD at 16:42:10 UTC');
    const last = { value: '1.00000000', time: '2026-11-26T16:42:10Z', replayed: false, alert: alert({ basis: 'last', direction: 'below', threshold: '66000' }) };
    expect(describeHit(last, TEN_MIN, now, GB_UTC)).toBe('BTC-USD last price below 66,000.00 — 1.00 USD at 16:42:10 UTC');
  });

  it('names the window the server uses, not a default: a 30-s window is a "30-s average"', () => {
    const now = Date.parse('2026-11-26T18:00:00Z');
    const hit = { value: '67512.35000000', time: '2026-11-26T16:42:10Z', replayed: false, alert: alert({ threshold: '67500' }) };
    expect(describeHitText(hit, 30_000, now, GB_UTC)).toEqual({
      headline: 'Alert fired',
      condition: 'BTC-USD 30-s average above 67,500.00',
      value: '67,512.35 USD',
      time: '16:42:10 UTC',
    });
    // Unknown (it failed to load): no length is named rather than a guessed one.
    expect(describeHitText(hit, null, now, GB_UTC).condition).toBe('BTC-USD average above 67,500.00');
    expect(basisLabel('vwap', null)).toBe('VWAP');
  });

  it('says a replayed hit fired while the viewer was away, in their locale and zone, dated when not today', () => {
    const now = Date.parse('2026-11-27T09:00:00Z');
    const hit = { value: '66000.00000000', time: '2026-11-26T16:42:10Z', replayed: true, alert: alert({ direction: 'below', threshold: '66100' }) };
    const text = describeHitText(hit, TEN_MIN, now, { locale: 'en-GB', timeZone: 'Europe/Berlin' });
    expect(text.headline).toBe('Alert fired while you were away');
    expect(text.time).toBe('26 Nov, 17:42:10 CET');
    expect(describeHitText(hit, TEN_MIN, now, { locale: 'en-US', timeZone: 'America/New_York' }).time).toBe('Nov 26, 11:42:10 AM EST');
  });

  it('puts the count of unseen hits in front of the page title, replacing one already there', () => {
    expect(titleWithUnseen('Dashboard · Tickwatch', 2)).toBe('(2) Dashboard · Tickwatch');
    expect(titleWithUnseen('(2) Dashboard · Tickwatch', 3)).toBe('(3) Dashboard · Tickwatch');
    expect(titleWithUnseen('(3) Dashboard · Tickwatch', 0)).toBe('Dashboard · Tickwatch');
    expect(titleWithUnseen('Inbox · Tickwatch', 150)).toBe('(99+) Inbox · Tickwatch');
    expect(titleWithUnseen('(99+) Inbox · Tickwatch', 0)).toBe('Inbox · Tickwatch');
  });

  it('formats basis values: averages to cents (half-even), last prices as given', () => {
    expect(formatBasisValue('67012.34500000', 'mean')).toBe('67,012.34');
    expect(formatBasisValue('67012.34500001', 'vwap')).toBe('67,012.35');
    expect(formatBasisValue('0.00012345', 'last')).toBe('0.00012345');
  });

  it('describes repeat modes', () => {
    expect(describeRepeat({ mode: 'once' }, 'BTC-USD')).toBe('Fires once');
    expect(describeRepeat({ mode: 'rearm', band: '100', cooldownSeconds: 300 }, 'BTC-USD')).toBe(
      'Re-arms once back 100.00 USD past the threshold and 5 min after firing',
    );
    expect(describeRepeat({ mode: 'rearm', band: '0.5', cooldownSeconds: 0 }, 'ETH-EUR')).toBe('Re-arms once back 0.50 EUR past the threshold');
  });

  it('says why a notification fired', () => {
    const text = describeNotification(
      {
        product: 'ETH-USD',
        basis: 'vwap',
        direction: 'below',
        threshold: '3000',
        value: '2999.99500000',
        tradeId: 812345,
        tradeTime: '2026-11-26T08:05:01.5Z',
        windowCount: 1234,
      },
      TEN_MIN,
      UTC,
    );
    expect(text.headline).toBe('ETH-USD 10-min VWAP below 3,000.00');
    expect(text.detail).toBe('The 10-min VWAP was 3,000.00 at trade 812345 (08:05:01), with 1,234 trades in the 10-min window.');
  });

  it('formats dates and times, leaving unreadable text alone', () => {
    expect(formatDateTime('2026-11-26T16:42:10.5Z', UTC)).toBe('26 Nov, 16:42:10');
    expect(formatDateTime('soon', UTC)).toBe('soon');
  });
});

describe('newerAlert', () => {
  it('prefers a later arming, then the later status within an arming', () => {
    const triggered = alert({ status: 'triggered', triggeredAt: '2026-11-26T16:10:00.000Z' });
    expect(newerAlert(alert(), triggered)).toBe(triggered);
    expect(newerAlert(triggered, alert())).toEqual(triggered);
    const rearmed = alert({ arming: 2 });
    expect(newerAlert(triggered, rearmed)).toBe(rearmed);
    expect(newerAlert(rearmed, triggered)).toBe(rearmed);
    const expired = alert({ status: 'expired' });
    expect(newerAlert(triggered, expired)).toBe(expired);
  });

  it('takes the incoming state when nothing is known or it is the same', () => {
    const incoming = alert({ note: 'edited' });
    expect(newerAlert(undefined, incoming)).toBe(incoming);
    expect(newerAlert(alert(), incoming)).toBe(incoming);
  });
});

describe('form helpers', () => {
  it('groups problems by known field, first message wins', () => {
    const result = problemsByField(
      [
        { field: 'threshold', message: 'first' },
        { field: 'threshold', message: 'second' },
        { field: 'repeat.band', message: 'band' },
        { field: null, message: 'general' },
        { field: 'bogus', message: 'unknown field' },
      ],
      ['threshold', 'repeat.band'],
    );
    expect(result.fields).toEqual({ threshold: 'first', 'repeat.band': 'band' });
    expect(result.other).toEqual(['general', 'unknown field']);
  });

  it('turns a datetime-local value into an ISO time in UTC', () => {
    const iso = localInputToIso('2026-12-31T23:59');
    expect(iso).toBe(new Date(2026, 11, 31, 23, 59).toISOString());
    expect(localInputToIso('')).toBeNull();
    expect(localInputToIso('2026-13-45T99:99')).toBeNull();
    expect(localInputToIso('tomorrow')).toBeNull();
  });

  it('counts note characters as code points after trimming, against the shared limit', () => {
    expect(noteLength('  hi  ')).toBe(2);
    expect(noteLength('🚀🚀')).toBe(2);
    expect(NOTE_MAX_CHARS).toBe(NOTE_MAX_LENGTH);
  });
});
