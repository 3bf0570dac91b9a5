const MIN_CAPACITY = 16;
const MAX_EXACT = Number.MAX_SAFE_INTEGER;

/**
 * The trades of a sliding window, reduced to what the sums need (time, price units, size units)
 * and kept in non-decreasing time order on a power-of-two ring buffer of typed arrays.
 *
 * Typed arrays, not objects: a 10-minute window holds tens of thousands of trades, and keeping
 * each as a heap object (with its BigInts and strings) made the garbage collector copy and mark
 * them all; here a trade costs 24 bytes and no allocation. Units are stored as doubles, exact up
 * to 2^53 (a price up to 90 million at 8 dp, a size up to 90 million); the rare larger value
 * marks its slot NaN and is kept exactly in a side array.
 *
 * Removing from the front and appending at the back are O(1) amortized. A trade older than the
 * back is inserted by moving the newer ones up a slot, O(k) for k newer trades: cheap, because
 * feed times only step back slightly. Equal times stay in insertion order. Capacity doubles when
 * full and halves when a quarter full.
 */
export class WindowRing {
  private times = new Float64Array(MIN_CAPACITY);
  private prices = new Float64Array(MIN_CAPACITY);
  private sizes = new Float64Array(MIN_CAPACITY);
  // Exact [price, size] for slots whose units do not fit a double; allocated on first need.
  private large: ([bigint, bigint] | undefined)[] | null = null;
  private mask = MIN_CAPACITY - 1;
  private head = 0;
  private count = 0;

  /** Number of trades held. */
  get size(): number {
    return this.count;
  }

  /** Time (µs) of the trade at `index` from the front (0 = oldest); `index` in [0, size). */
  timeAt(index: number): number {
    return this.times[(this.head + index) & this.mask] as number;
  }

  /** Price units of the trade at `index` from the front. */
  priceAt(index: number): bigint {
    const slot = (this.head + index) & this.mask;
    const value = this.prices[slot] as number;
    return value === value ? BigInt(value) : (this.large?.[slot]?.[0] ?? 0n);
  }

  /** Size units of the trade at `index` from the front. */
  sizeAt(index: number): bigint {
    const slot = (this.head + index) & this.mask;
    const value = this.sizes[slot] as number;
    return value === value ? BigInt(value) : (this.large?.[slot]?.[1] ?? 0n);
  }

  /**
   * Inserts a trade after every trade with `timeUs <= timeUs` and returns its position from the
   * front; appending a newest trade returns `size - 1`. Units must be non-negative.
   */
  insert(timeUs: number, priceUnits: bigint, sizeUnits: bigint): number {
    if (this.count === this.times.length) this.resize(this.times.length * 2);
    let position = this.count;
    while (position > 0 && this.timeAt(position - 1) > timeUs) {
      this.move((this.head + position - 1) & this.mask, (this.head + position) & this.mask);
      position--;
    }
    const slot = (this.head + position) & this.mask;
    this.times[slot] = timeUs;
    if (priceUnits <= MAX_EXACT && sizeUnits <= MAX_EXACT) {
      this.prices[slot] = Number(priceUnits);
      this.sizes[slot] = Number(sizeUnits);
      if (this.large) this.large[slot] = undefined;
    } else {
      this.prices[slot] = Number.NaN;
      this.sizes[slot] = Number.NaN;
      (this.large ??= [])[slot] = [priceUnits, sizeUnits];
    }
    this.count++;
    return position;
  }

  /** Removes the oldest trade; the ring must not be empty. */
  shift(): void {
    if (this.large) this.large[this.head] = undefined;
    this.head = (this.head + 1) & this.mask;
    this.count--;
    if (this.times.length > MIN_CAPACITY && this.count * 4 <= this.times.length) this.resize(this.times.length / 2);
  }

  private move(from: number, to: number): void {
    this.times[to] = this.times[from] as number;
    this.prices[to] = this.prices[from] as number;
    this.sizes[to] = this.sizes[from] as number;
    if (this.large) this.large[to] = this.large[from];
  }

  private resize(capacity: number): void {
    const times = new Float64Array(capacity);
    const prices = new Float64Array(capacity);
    const sizes = new Float64Array(capacity);
    const large = this.large && new Array<[bigint, bigint] | undefined>(capacity);
    for (let i = 0; i < this.count; i++) {
      const slot = (this.head + i) & this.mask;
      times[i] = this.times[slot] as number;
      prices[i] = this.prices[slot] as number;
      sizes[i] = this.sizes[slot] as number;
      if (large) large[i] = this.large?.[slot];
    }
    this.times = times;
    this.prices = prices;
    this.sizes = sizes;
    this.large = large;
    this.mask = capacity - 1;
    this.head = 0;
  }
}
