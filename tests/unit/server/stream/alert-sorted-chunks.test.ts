import { describe, expect, it } from 'vitest';
import { SortedChunks } from '../../../../server/stream/alert-sorted-chunks.ts';
import { createRandom } from './trade-fixtures.ts';

const numeric = (a: number, b: number): number => a - b;

function collect(list: SortedChunks<number>): number[] {
  const out: number[] = [];
  list.forEachFrom({ chunk: 0, offset: 0 }, (x) => out.push(x));
  return out;
}

describe('SortedChunks', () => {
  it('keeps random inserts and deletes in order, like a sorted array', () => {
    for (const maxChunk of [4, 5, 16]) {
      const random = createRandom(maxChunk);
      const list = new SortedChunks(numeric, maxChunk);
      let model: number[] = [];
      for (let step = 0; step < 3000; step++) {
        const x = Math.floor(random() * 300);
        // Lean towards growth first, then towards shrinking, so chunks split and merge.
        if (random() < (step < 1500 ? 0.7 : 0.3)) {
          if (model.includes(x)) expect(() => list.insert(x)).toThrow(/same key/);
          else {
            list.insert(x);
            model.push(x);
            model.sort(numeric);
          }
        } else {
          if (list.delete(x) !== model.includes(x)) expect.fail(`delete(${x}) disagrees`);
          model = model.filter((y) => y !== x);
        }
        if (list.size !== model.length) expect(list.size).toBe(model.length);
        if (step % 50 === 0) expect(collect(list)).toEqual(model);
        const bound = Math.floor(random() * 300);
        const at = list.search((y) => y >= bound);
        const before: number[] = [];
        list.forEachBefore(at, (y) => before.push(y));
        const want = model.filter((y) => y < bound);
        if (before.join() !== want.join()) expect(before).toEqual(want);
      }
      expect(collect(list)).toEqual(model);
      expect(list.first()).toBe(model[0]);
    }
  }, 30_000);

  it('loads a sorted array and then takes inserts and deletes', () => {
    const list = new SortedChunks(numeric, 8);
    const model = Array.from({ length: 100 }, (_, i) => i * 2);
    list.load(model);
    expect(list.toArray()).toEqual(model);
    list.insert(51);
    expect(list.delete(50)).toBe(true);
    expect(list.delete(50)).toBe(false);
    expect(list.toArray()).toEqual([...model.filter((x) => x < 50), 51, ...model.filter((x) => x > 50)]);
  });

  it('finds nothing in an empty list and the end past every item', () => {
    const list = new SortedChunks(numeric, 4);
    expect(list.search(() => true)).toEqual({ chunk: 0, offset: 0 });
    expect(list.delete(1)).toBe(false);
    expect(list.first()).toBeUndefined();
    list.load([1, 2, 3, 4, 5]);
    const end = list.search((x) => x > 10);
    const rest: number[] = [];
    list.forEachFrom(end, (x) => rest.push(x));
    expect(rest).toEqual([]);
  });

  it('refuses a chunk capacity below 4', () => {
    expect(() => new SortedChunks(numeric, 3)).toThrow(RangeError);
  });
});
