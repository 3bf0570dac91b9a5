/** What the sliding window keeps of one trade: its time and its exact contributions to the sums. */
export interface WindowEntry {
  /** Event time, microseconds since the epoch. */
  timeUs: number;
  /** Price in units of 10^-PRICE_SCALE. */
  priceUnits: bigint;
  /** Size in units of 10^-SIZE_SCALE. */
  sizeUnits: bigint;
  /** priceUnits * sizeUnits, computed once so eviction is a subtraction. */
  pvUnits: bigint;
}

const MIN_CAPACITY = 16;

/**
 * A deque of window entries kept in non-decreasing `timeUs` order, on a power-of-two ring buffer.
 *
 * Removing from the front and appending at the back are O(1) amortized. An entry older than the
 * back is inserted by moving the newer ones up one slot, O(k) for k newer entries, which is cheap
 * because feed times only step back slightly. Entries with equal times stay in insertion order.
 * The buffer doubles when full and halves when a quarter full, so memory follows the content.
 */
export class TimeOrderedRing {
  private slots: (WindowEntry | undefined)[] = new Array<WindowEntry | undefined>(MIN_CAPACITY);
  private mask = MIN_CAPACITY - 1;
  private head = 0;
  private count = 0;

  /** Number of entries held. */
  get size(): number {
    return this.count;
  }

  /** The entry at position `index` from the front (0 = oldest); `index` must be in [0, size). */
  at(index: number): WindowEntry {
    return this.slots[(this.head + index) & this.mask] as WindowEntry;
  }

  /**
   * Inserts `entry` after every entry with `timeUs <= entry.timeUs` and returns its position
   * from the front. Appending a newest entry returns `size - 1`.
   */
  insert(entry: WindowEntry): number {
    if (this.count === this.slots.length) this.resize(this.slots.length * 2);
    let position = this.count;
    while (position > 0 && this.at(position - 1).timeUs > entry.timeUs) {
      this.slots[(this.head + position) & this.mask] = this.at(position - 1);
      position--;
    }
    this.slots[(this.head + position) & this.mask] = entry;
    this.count++;
    return position;
  }

  /** Removes and returns the oldest entry; the ring must not be empty. */
  shift(): WindowEntry {
    const entry = this.at(0);
    this.slots[this.head] = undefined;
    this.head = (this.head + 1) & this.mask;
    this.count--;
    if (this.slots.length > MIN_CAPACITY && this.count * 4 <= this.slots.length) this.resize(this.slots.length / 2);
    return entry;
  }

  private resize(capacity: number): void {
    const slots = new Array<WindowEntry | undefined>(capacity);
    for (let i = 0; i < this.count; i++) slots[i] = this.at(i);
    this.slots = slots;
    this.mask = capacity - 1;
    this.head = 0;
  }
}
