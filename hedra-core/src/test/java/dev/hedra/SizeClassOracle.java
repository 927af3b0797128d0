package dev.hedra;

import java.util.ArrayList;
import java.util.List;

/**
 * What the design says about sizes, written independently of the implementation: 8-byte classes
 * up to 128 B, then 8 classes per doubling up to 32 KiB; medium blocks (above 32 KiB up to 2 MiB)
 * rounded to 4 KiB; huge blocks (above 2 MiB) mapped directly.
 */
final class SizeClassOracle {

    static final long KiB = 1024;
    static final long MiB = 1024 * KiB;
    static final long SMALL_MAX = 32 * KiB;
    static final long MEDIUM_MAX = 2 * MiB;
    static final long PAGE = 4 * KiB;

    /** The small classes of the default configuration, ascending. */
    static final long[] SMALL_CLASSES = smallClasses();

    private SizeClassOracle() {}

    private static long[] smallClasses() {
        List<Long> classes = new ArrayList<>();
        for (long size = 8; size <= 128; size += 8) {
            classes.add(size);
        }
        for (long power = 128; power < SMALL_MAX; power *= 2) {
            for (int step = 1; step <= 8; step++) {
                classes.add(power + step * (power / 8));
            }
        }
        return classes.stream().mapToLong(Long::longValue).toArray();
    }

    /** The small classes when every block is at least {@code minimumAlignment}-aligned. */
    static long[] smallClasses(int minimumAlignment) {
        return java.util.Arrays.stream(SMALL_CLASSES).filter(c -> c % minimumAlignment == 0).toArray();
    }

    static boolean isSmall(long size) {
        return size <= SMALL_MAX;
    }

    static boolean isMedium(long size) {
        return size > SMALL_MAX && size <= MEDIUM_MAX;
    }

    static boolean isHuge(long size) {
        return size > MEDIUM_MAX;
    }

    static long roundUp(long value, long multiple) {
        return (value + multiple - 1) / multiple * multiple;
    }

    /**
     * The usable size of {@code malloc(size)}: the class for small sizes (after rounding to the
     * minimum alignment), the 4 KiB-rounded size for medium ones, -1 for huge ones (not fixed by the
     * design beyond {@code >= size}).
     */
    static long usableSize(long size, int minimumAlignment) {
        if (isSmall(size)) {
            long rounded = roundUp(Math.max(size, 1), minimumAlignment);
            for (long c : SMALL_CLASSES) {
                if (c >= rounded && c % minimumAlignment == 0) {
                    return c;
                }
            }
            throw new AssertionError("no class for " + size);
        }
        if (isMedium(size)) {
            return roundUp(size, PAGE);
        }
        return -1;
    }

    /** The alignment the design promises for a block of this usable size (small, medium or huge). */
    static long alignment(long usableSize, int minimumAlignment) {
        if (usableSize > SMALL_MAX) {
            return 16; // medium and huge: at least the largest default alignment
        }
        if (Long.bitCount(usableSize) == 1) {
            return Math.max(minimumAlignment, Math.min(usableSize, 4096));
        }
        return Math.max(minimumAlignment, Math.min(16, Long.lowestOneBit(usableSize)));
    }
}
