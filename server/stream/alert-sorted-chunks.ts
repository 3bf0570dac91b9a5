/** Default {@link SortedChunks} chunk capacity: splices move at most this many slots. */
export const DEFAULT_MAX_CHUNK = 1024;

/**
 * A place in a {@link SortedChunks}: `offset` within chunk `chunk`. `chunk` equal to the number
 * of chunks (offset 0) is the end of the list.
 */
export interface ChunkPosition {
  chunk: number;
  offset: number;
}

/**
 * A sorted list of items held as a list of sorted chunks, each of 1..`maxChunk` items, in
 * ascending `compare` order (the order must be total: no two items held may compare equal).
 *
 * A plain sorted array costs O(n) per insert or delete (a splice moves up to n slots: about a
 * millisecond at a million entries). Here a splice moves at most `maxChunk` slots, and finding
 * the chunk is a binary search over the chunks' last items, so one insert or delete costs
 * O(log n + maxChunk + n / maxChunk) with small constants. A search is O(log n); iterating is
 * a plain loop over the chunks.
 */
export class SortedChunks<T> {
  private chunks: T[][] = [];
  private count = 0;

  /**
   * @param compare total order of the items: negative when `a` sorts first, 0 only for the same key
   * @param maxChunk chunk capacity, an integer >= 4: chunks split above it and merge below a quarter
   */
  constructor(
    private readonly compare: (a: T, b: T) => number,
    private readonly maxChunk = DEFAULT_MAX_CHUNK,
  ) {
    if (!Number.isSafeInteger(maxChunk) || maxChunk < 4) throw new RangeError('maxChunk must be an integer >= 4');
  }

  /** Number of items held. */
  get size(): number {
    return this.count;
  }

  /**
   * The position of the first item for which `isAfter` is true, or the end when there is none.
   * `isAfter` must be monotone over the order (false for a prefix, true for the rest), so this is
   * a binary search: O(log n) calls of `isAfter`.
   */
  search(isAfter: (item: T) => boolean): ChunkPosition {
    const chunks = this.chunks;
    let lo = 0;
    let hi = chunks.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const chunk = chunks[mid]!;
      if (isAfter(chunk[chunk.length - 1]!)) hi = mid;
      else lo = mid + 1;
    }
    if (lo === chunks.length) return { chunk: lo, offset: 0 };
    // The chunk's last item is after, so the answer lies within this chunk.
    const chunk = chunks[lo]!;
    let a = 0;
    let b = chunk.length - 1;
    while (a < b) {
      const mid = (a + b) >>> 1;
      if (isAfter(chunk[mid]!)) b = mid;
      else a = mid + 1;
    }
    return { chunk: lo, offset: a };
  }

  /** Calls `visit` on every item before `position`, in order. */
  forEachBefore(position: ChunkPosition, visit: (item: T) => void): void {
    const chunks = this.chunks;
    for (let c = 0; c < position.chunk; c++) {
      const chunk = chunks[c]!;
      for (let i = 0; i < chunk.length; i++) visit(chunk[i]!);
    }
    const last = chunks[position.chunk];
    if (last) for (let i = 0; i < position.offset; i++) visit(last[i]!);
  }

  /** Calls `visit` on every item from `position` to the end, in order. */
  forEachFrom(position: ChunkPosition, visit: (item: T) => void): void {
    const chunks = this.chunks;
    let offset = position.offset;
    for (let c = position.chunk; c < chunks.length; c++) {
      const chunk = chunks[c]!;
      for (let i = offset; i < chunk.length; i++) visit(chunk[i]!);
      offset = 0;
    }
  }

  /** The first item, or undefined when empty. */
  first(): T | undefined {
    return this.chunks[0]?.[0];
  }

  /**
   * Inserts `item`.
   * @throws Error when an item with the same key (compare 0) is held
   */
  insert(item: T): void {
    const chunks = this.chunks;
    if (chunks.length === 0) {
      chunks.push([item]);
      this.count = 1;
      return;
    }
    const compare = this.compare;
    const at = this.search((held) => compare(held, item) >= 0);
    // Past the end: append to the last chunk.
    const c = at.chunk === chunks.length ? at.chunk - 1 : at.chunk;
    const chunk = chunks[c]!;
    const offset = at.chunk === chunks.length ? chunk.length : at.offset;
    if (offset < chunk.length && compare(chunk[offset]!, item) === 0) throw new Error('an item with the same key is already held');
    chunk.splice(offset, 0, item);
    this.count++;
    if (chunk.length > this.maxChunk) chunks.splice(c + 1, 0, chunk.splice(chunk.length >>> 1));
  }

  /** Removes the item with the same key as `item`; returns whether one was held. */
  delete(item: T): boolean {
    const compare = this.compare;
    const at = this.search((held) => compare(held, item) >= 0);
    const chunks = this.chunks;
    const chunk = chunks[at.chunk];
    if (!chunk || compare(chunk[at.offset]!, item) !== 0) return false;
    chunk.splice(at.offset, 1);
    this.count--;
    if (chunk.length === 0) chunks.splice(at.chunk, 1);
    else if (chunk.length < this.maxChunk >>> 2 && chunks.length > 1) this.mergeAround(at.chunk);
    return true;
  }

  /**
   * Replaces the content with `sorted`, which must already be in strictly ascending order (not
   * checked: the caller has just sorted it). Chunks are filled to half capacity, so later inserts
   * split nothing for a while. O(n).
   */
  load(sorted: readonly T[]): void {
    const size = Math.max(1, this.maxChunk >>> 1);
    const chunks: T[][] = [];
    for (let i = 0; i < sorted.length; i += size) chunks.push(sorted.slice(i, i + size));
    this.chunks = chunks;
    this.count = sorted.length;
  }

  /**
   * Removes the items in [`from`, `to`) for which `take` is true and returns them in order; the
   * others stay. O(items in the range + 2 chunks): removing k items one by one would cost k
   * searches and splices (150 ms for 100,000 alerts fired by one trade).
   */
  removeRange(from: ChunkPosition, to: ChunkPosition, take: (item: T) => boolean): T[] {
    const chunks = this.chunks;
    if (from.chunk >= chunks.length || (from.chunk === to.chunk && from.offset >= to.offset)) return [];
    const taken: T[] = [];
    const rest: T[] = [];
    const last = Math.min(to.chunk, chunks.length - 1);
    for (let c = from.chunk; c <= last; c++) {
      const chunk = chunks[c]!;
      const start = c === from.chunk ? from.offset : 0;
      const end = c === to.chunk ? to.offset : chunk.length;
      for (let i = 0; i < start; i++) rest.push(chunk[i]!);
      for (let i = start; i < end; i++) (take(chunk[i]!) ? taken : rest).push(chunk[i]!);
      for (let i = end; i < chunk.length; i++) rest.push(chunk[i]!);
    }
    if (taken.length === 0) return taken;
    const size = Math.max(1, this.maxChunk >>> 1);
    const rebuilt: T[][] = [];
    for (let i = 0; i < rest.length; i += size) rebuilt.push(rest.slice(i, i + size));
    chunks.splice(from.chunk, last - from.chunk + 1, ...rebuilt);
    this.count -= taken.length;
    return taken;
  }

  /** The position just past the last item. */
  end(): ChunkPosition {
    return { chunk: this.chunks.length, offset: 0 };
  }

  /** All items in order, as a new array. */
  toArray(): T[] {
    const out: T[] = [];
    for (const chunk of this.chunks) for (const item of chunk) out.push(item);
    return out;
  }

  // A small chunk joins a neighbour, so chunks stay at least a quarter full on average and
  // searching stays O(log n) however many deletes came before. A join too big is split again.
  private mergeAround(c: number): void {
    const chunks = this.chunks;
    const left = c > 0 ? c - 1 : c;
    const joined = chunks[left]!.concat(chunks[left + 1]!);
    if (joined.length > this.maxChunk) chunks.splice(left, 2, joined.slice(0, joined.length >>> 1), joined.slice(joined.length >>> 1));
    else chunks.splice(left, 2, joined);
  }
}
