package dev.hedra.bench;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Writes to raw addresses, the same way for every peer. */
final class NativeMemory {

    // One segment spanning the address space: an access costs a store, with no segment per block.
    private static final MemorySegment EVERYTHING = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);

    private NativeMemory() {}

    /** Stores {@code value} at {@code address}, which must start a live block of at least 8 bytes. */
    static void writeLong(long address, long value) {
        EVERYTHING.set(ValueLayout.JAVA_LONG_UNALIGNED, address, value);
    }

    /** Loads the long at {@code address}. */
    static long readLong(long address) {
        return EVERYTHING.get(ValueLayout.JAVA_LONG_UNALIGNED, address);
    }
}
