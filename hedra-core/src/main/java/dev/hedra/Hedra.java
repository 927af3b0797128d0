package dev.hedra;

import dev.hedra.internal.HedraAllocator;

/**
 * The entry point: the process-wide allocator and the builder of new ones.
 *
 * <pre>{@code
 * long address = Hedra.allocator().malloc(100);
 * Hedra.allocator().free(address);
 *
 * try (NativeAllocator mine = Hedra.builder().memoryLimit(1L << 30).build()) {
 *     MemorySegment segment = mine.allocate(256, 16);
 *     mine.free(segment);
 * }
 * }</pre>
 */
public final class Hedra {

    private Hedra() {}

    private static final class Default {
        static final NativeAllocator INSTANCE = HedraAllocator.createDefault();
    }

    /**
     * Returns the process-wide allocator, created on first use with default settings. It cannot
     * be closed.
     */
    public static NativeAllocator allocator() {
        return Default.INSTANCE;
    }

    /** Returns a builder for a new allocator with its own memory. */
    public static HedraBuilder builder() {
        return new HedraBuilder();
    }
}
