import { describe, expect, it } from 'vitest';
import type { SequencerStep } from '../../../../server/stream/sequencer-step.ts';
import { createTradeSequencer } from '../../../../server/stream/trade-sequencer.ts';
import { T0_US, createRandom, makeTrade } from './trade-fixtures.ts';

const START_ID = 1000;

/**
 * Drives a sequencer with random live trades (late, duplicated, skipping ahead), heartbeats,
 * REST fills and expiries, and checks after every step against a model kept by the test: the
 * ids handed out, the ids held, the range missing and that no trade is lost or made up.
 */
function run(seed: number, maxHeld: number): { applied: number; lostRanges: number; duplicates: number } {
  const random = createRandom(seed);
  const int = (max: number) => Math.floor(random() * max);
  const sequencer = createTradeSequencer({ gapFillTimeoutMs: 5_000, maxHeld });
  sequencer.start(START_ID);

  const offered = new Set<number>();
  let offers = 0;
  let knownHigh = START_ID;
  let frontier = START_ID; // the exchange's newest trade id
  let last = START_ID; // the model's last applied id, from the items handed out
  let applied = 0;
  let duplicates = 0;
  let lostRanges = 0;
  let nowMs = 0;

  function check(step: SequencerStep): void {
    for (const item of step.items) {
      if (item.kind === 'trade') {
        expect(item.trade.tradeId).toBe(last + 1);
        expect(offered.has(item.trade.tradeId)).toBe(true);
        applied++;
        last = item.trade.tradeId;
      } else {
        expect(item.fromId).toBe(last + 1);
        expect(item.toId).toBeGreaterThanOrEqual(item.fromId);
        expect(step.lost).toContainEqual({ fromId: item.fromId, toId: item.toId });
        lostRanges++;
        last = item.toId;
      }
    }
    expect(step.lost).toHaveLength(step.items.filter((item) => item.kind === 'lost').length);
    duplicates += step.duplicates;

    const held = [...offered].filter((id) => id > last);
    const state = sequencer.state();
    expect(state.lastAppliedId).toBe(last);
    expect(state.held).toBe(held.length);
    expect(offers).toBe(applied + duplicates + held.length);
    let top = knownHigh;
    while (top > last && offered.has(top)) top--;
    expect(state.openGap && { fromId: state.openGap.fromId, toId: state.openGap.toId }).toEqual(top > last ? { fromId: last + 1, toId: top } : null);
    if (step.gap?.status === 'open') expect(step.gap).toMatchObject({ fromId: last + 1, toId: top });
    expect(held.length).toBeLessThanOrEqual(maxHeld);
  }

  function offerIds(ids: number[], how: 'offer' | 'fill'): void {
    for (const id of ids) {
      offers++;
      offered.add(id);
      knownHigh = Math.max(knownHigh, id);
    }
    const list = ids.map((id) => makeTrade(id, T0_US + id));
    if (how === 'fill') check(sequencer.fill(list, nowMs));
    else for (const trade of list) check(sequencer.offer(trade, nowMs));
  }

  for (let round = 0; round < 4000; round++) {
    nowMs += int(400);
    const r = random();
    if (r < 0.55) {
      frontier += 1 + (random() < 0.1 ? int(6) : 0);
      offerIds([frontier], 'offer');
    } else if (r < 0.65) {
      offerIds([Math.max(START_ID - 3, frontier - int(15))], 'offer'); // late or repeated
    } else if (r < 0.75) {
      frontier += int(3);
      knownHigh = Math.max(knownHigh, frontier);
      check(sequencer.heartbeat(frontier, nowMs));
    } else if (r < 0.9) {
      const from = last + 1 + int(4);
      offerIds(Array.from({ length: int(8) }, (_, k) => from + k).filter((id) => id <= frontier).reverse(), 'fill');
    } else {
      check(sequencer.expire(nowMs));
    }
  }
  return { applied, lostRanges, duplicates };
}

describe('createTradeSequencer against a model', () => {
  for (const [seed, maxHeld] of [
    [11, 1_000],
    [12, 12],
    [13, 3],
  ] as const) {
    it(`hands out every trade once, in order, with seed ${seed} and maxHeld ${maxHeld}`, () => {
      const totals = run(seed, maxHeld);
      expect(totals.applied).toBeGreaterThan(2000);
      expect(totals.lostRanges).toBeGreaterThan(0);
      expect(totals.duplicates).toBeGreaterThan(100);
    });
  }
});
