package dev.hedra.bench;

/**
 * One allocator under comparison, as the workloads see it.
 *
 * <p>Blocks live in numbered slots that the workload chooses (a batch index, a ring position).
 * Raw allocators ignore the slot and free by address; peers that free through a handle (a
 * confined {@code Arena}, a Netty {@code ByteBuf}) keep the handle in an array at that slot, where
 * the workload keeps the address. Either way a block costs one allocate, one write by the
 * workload and one free, with no lookup in between.
 *
 * <p>An instance belongs to one workload state and is not thread-safe: two threads may use it only
 * when something orders their accesses to a slot (the ring of the hand-off workload).
 */
public interface Peer {

    /** The name used by {@code -p allocator=...} and in reports. */
    String name();

    /**
     * Allocates a block of at least {@code size} bytes for {@code slot}.
     *
     * @param slot where a handle-based peer keeps the block's handle, {@code 0 <= slot < slots}
     * @return the address of the block, never 0
     */
    long allocate(int slot, long size);

    /** Frees the block that {@link #allocate} returned as {@code address} for {@code slot}. */
    void free(int slot, long address, long size);
}
