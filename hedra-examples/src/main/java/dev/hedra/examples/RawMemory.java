package dev.hedra.examples;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Reads and writes native memory by raw address, as C does through a pointer.
 *
 * <p>One segment spans the whole address space, so an access makes no {@code MemorySegment}, and
 * its bounds check (against {@code Long.MAX_VALUE}) is cheap and cannot fail. Every back end reads and writes its nodes and results
 * through this same path, so the timings differ only in how memory is allocated and freed.
 * Like a C pointer, the view has no lifetime: a use after free is not caught here.
 */
final class RawMemory {

    // Restricted (reinterpret): the program runs with --enable-native-access=ALL-UNNAMED.
    @SuppressWarnings("restricted")
    private static final MemorySegment EVERYTHING = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);

    private RawMemory() {}

    static double getDouble(long address) {
        return EVERYTHING.get(ValueLayout.JAVA_DOUBLE, address);
    }

    static void putDouble(long address, double value) {
        EVERYTHING.set(ValueLayout.JAVA_DOUBLE, address, value);
    }

    static long getLong(long address) {
        return EVERYTHING.get(ValueLayout.JAVA_LONG, address);
    }

    static void putLong(long address, long value) {
        EVERYTHING.set(ValueLayout.JAVA_LONG, address, value);
    }
}
