package dev.hedra.bench;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A bounded single-producer single-consumer ring of non-zero longs, in the FastFlow style: a slot
 * holding 0 is empty, so neither side reads the other's position, only the slot it is about to
 * use. The hand-off workload passes block addresses through it; it is the same for every peer.
 *
 * <p>A slot's index is also where a handle-based peer keeps the block's handle: the producer
 * fills {@code handles[slot]} before {@link #publish}, the consumer frees it before
 * {@link #release}, and the release/acquire pair on the slot orders the two.
 *
 * <pre>
 *   producer: slot = claimSlot() (-1: full) ... publish(value)
 *   consumer: value = peek() (0: empty) ... consumerSlot() ... release()
 * </pre>
 *
 * Invariant: the slots from the consumer's position up to (not including) the producer's are
 * non-zero, all others zero; {@code 0 <= producerPosition - consumerPosition <= capacity}.
 */
final class SpscLongRing {

    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(long[].class);

    // Each position sits in the middle of its own array, 64 bytes from anything else, so the two
    // threads' writes to their positions never share a cache line.
    private static final int PADDED_LENGTH = 16;
    private static final int POSITION = 8;

    private final long[] slots;
    private final int mask;
    private final long[] producerPosition = new long[PADDED_LENGTH]; // producer thread only
    private final long[] consumerPosition = new long[PADDED_LENGTH]; // consumer thread only

    /** @param capacity a power of two */
    SpscLongRing(int capacity) {
        if (capacity <= 0 || Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("capacity must be a power of two: " + capacity);
        }
        this.slots = new long[capacity];
        this.mask = capacity - 1;
    }

    int capacity() {
        return slots.length;
    }

    /** Producer: the index of the next slot if it is empty, else -1 (the ring is full). */
    int claimSlot() {
        int slot = (int) producerPosition[POSITION] & mask;
        // acquire: the consumer's use of the slot's handle happens before we reuse it.
        return (long) SLOT.getAcquire(slots, slot) == 0 ? slot : -1;
    }

    /** Producer: fills the slot that {@link #claimSlot} returned with {@code value}, non-zero. */
    void publish(long value) {
        int slot = (int) producerPosition[POSITION]++ & mask;
        // release: the block's contents and handle are visible before the consumer sees it.
        SLOT.setRelease(slots, slot, value);
    }

    /** Consumer: the next value, or 0 if the ring is empty. It stays in the ring until {@link #release}. */
    long peek() {
        // acquire: pairs with publish.
        return (long) SLOT.getAcquire(slots, consumerSlot());
    }

    /** Consumer: the index of the slot that {@link #peek} reads. */
    int consumerSlot() {
        return (int) consumerPosition[POSITION] & mask;
    }

    /** Consumer: empties the slot that {@link #peek} returned, handing it back to the producer. */
    void release() {
        int slot = (int) consumerPosition[POSITION]++ & mask;
        // release: pairs with claimSlot.
        SLOT.setRelease(slots, slot, 0L);
    }

    /**
     * Takes every value left in the ring, in order, calling {@code action} with its slot and value.
     * Only when neither side is running, e.g. between iterations.
     */
    void drain(SlotAction action) {
        for (long value; (value = peek()) != 0; release()) {
            action.accept(consumerSlot(), value);
        }
    }

    /** What {@link #drain} does with each value. */
    @FunctionalInterface
    interface SlotAction {
        void accept(int slot, long value);
    }
}
