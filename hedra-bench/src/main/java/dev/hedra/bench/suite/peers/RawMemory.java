package dev.hedra.bench.suite.peers;

import java.lang.foreign.MemorySegment;

/** Copies and clears raw blocks, for the peers that implement {@code realloc} and {@code calloc} themselves. */
final class RawMemory {

    // One segment spanning the address space: an access costs a store, with no segment per block.
    private static final MemorySegment EVERYTHING = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);

    private RawMemory() {}

    static void copy(long from, long to, long bytes) {
        MemorySegment.copy(EVERYTHING, from, EVERYTHING, to, bytes);
    }

    static void clear(long address, long bytes) {
        EVERYTHING.asSlice(address, bytes).fill((byte) 0);
    }
}
