package dev.hedra.internal;

import java.util.Arrays;

/**
 * A hash map from non-negative {@code long} keys (granule positions) to {@code long} values, in
 * two primitive arrays: no object per entry and none per operation, only when the table grows.
 *
 * <p>Open addressing with linear probing; a removal shifts the entries after it back into the
 * hole (no tombstones), so a lookup stops at the first empty slot. The load stays at most 1/2.
 * Slots hash by Fibonacci hashing (multiply by 2^64 / phi, keep the top bits), which spreads the
 * runs of consecutive positions that a region produces.
 *
 * <p>Not thread-safe: its owner guards it.
 */
final class OffsetMap {

    /** What {@link #get} and {@link #remove} return for a missing key; never a stored value. */
    static final long ABSENT = Long.MIN_VALUE;
    /** Marks an empty slot; keys are never negative. */
    static final long EMPTY = -1;

    private static final long FIBONACCI = 0x9E3779B97F4A7C15L;
    private static final int INITIAL_SLOTS = 64;

    private long[] keys;
    private long[] values;
    private int shift; // 64 - log2(slots)
    private int mask;
    private int size;

    OffsetMap() {
        allocateTable(INITIAL_SLOTS);
    }

    int size() {
        return size;
    }

    /** Returns the value of {@code key}, or {@link #ABSENT}. */
    long get(long key) {
        for (int slot = slotOf(key); ; slot = (slot + 1) & mask) {
            long found = keys[slot];
            if (found == key) {
                return values[slot];
            }
            if (found == EMPTY) {
                return ABSENT;
            }
        }
    }

    /** Maps {@code key} (not negative) to {@code value} (not {@link #ABSENT}), replacing any. */
    void put(long key, long value) {
        int slot = slotOf(key);
        for (long found = keys[slot]; found != EMPTY; found = keys[slot]) {
            if (found == key) {
                values[slot] = value;
                return;
            }
            slot = (slot + 1) & mask;
        }
        keys[slot] = key;
        values[slot] = value;
        if (++size > (mask + 1) >>> 1) {
            rehash((mask + 1) << 1);
        }
    }

    /** Removes {@code key}; returns its value, or {@link #ABSENT} if it was not there. */
    long remove(long key) {
        int slot = slotOf(key);
        for (long found = keys[slot]; found != key; found = keys[slot]) {
            if (found == EMPTY) {
                return ABSENT;
            }
            slot = (slot + 1) & mask;
        }
        long value = values[slot];
        int hole = slot;
        for (int next = (slot + 1) & mask; keys[next] != EMPTY; next = (next + 1) & mask) {
            // The entry at next may fill the hole if its home slot is not in (hole, next].
            int home = slotOf(keys[next]);
            if (((next - home) & mask) >= ((next - hole) & mask)) {
                keys[hole] = keys[next];
                values[hole] = values[next];
                hole = next;
            }
        }
        keys[hole] = EMPTY;
        size--;
        return value;
    }

    /** Removes every entry; keeps the table, so that refilling it allocates nothing. */
    void clear() {
        Arrays.fill(keys, EMPTY);
        size = 0;
    }

    /** The number of slots, for a scan with {@link #keyAt} and {@link #valueAt}. */
    int slots() {
        return mask + 1;
    }

    /** The key in {@code slot}, or {@link #EMPTY}. */
    long keyAt(int slot) {
        return keys[slot];
    }

    long valueAt(int slot) {
        return values[slot];
    }

    private int slotOf(long key) {
        return (int) ((key * FIBONACCI) >>> shift);
    }

    private void allocateTable(int slots) {
        keys = new long[slots];
        values = new long[slots];
        Arrays.fill(keys, EMPTY);
        mask = slots - 1;
        shift = 64 - Integer.numberOfTrailingZeros(slots);
        size = 0;
    }

    private void rehash(int slots) {
        long[] oldKeys = keys;
        long[] oldValues = values;
        allocateTable(slots);
        for (int slot = 0; slot < oldKeys.length; slot++) {
            if (oldKeys[slot] != EMPTY) {
                put(oldKeys[slot], oldValues[slot]);
            }
        }
    }
}
