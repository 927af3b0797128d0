package dev.hedra.internal;

/**
 * Size classes of one allocator: request size to class index, class index to block size,
 * alignment and slab page size.
 *
 * <pre>
 *   default  8, 16, 24, ..., 128          8-byte steps         (16 classes)
 *            144, 160, ..., 256           8 per doubling       (then 256..512, ..., 16 Ki..32 Ki)
 *   block alignment = largest power of two dividing the block size, clamped to [8, 16]
 *                     (power-of-two classes are further aligned to their size, because slab
 *                     pages start on 64 KiB boundaries and blocks pack from the page start)
 *   rounding waste  &lt;= 1 / classesPerDoubling above 128 B (12.5% by default)
 * </pre>
 *
 * The builder sets the classes per doubling (4, 8 or 16), the largest small size (a power of two
 * from 1 KiB to 32 KiB), the smallest slab page (64 KiB to 1 MiB) and the largest (64 KiB to
 * 2 MiB). With a minimum alignment of 16 the classes that are not multiples of 16 are skipped:
 * requests map to the next class that is.
 */
final class SizeClasses {

    /** Largest small size any configuration allows. */
    static final int SMALL_LIMIT = 32 * 1024;
    /** Most classes any configuration has: 16 steps of 8 bytes, then 16 per doubling to 32 KiB. */
    static final int MAX_COUNT = 16 + 16 * 8;
    /** A slab page holds at least this many blocks (the larger classes get larger pages)... */
    private static final int MIN_BLOCKS_PER_PAGE = 64;
    /** ...unless that would take more than the largest page, by default this: 64 blocks of 32 KiB. */
    static final int MAX_PAGE_SIZE = 2 * 1024 * 1024;
    /** Shift of the reciprocal used to divide an offset by a block size; see {@link #reciprocalOf}. */
    static final int RECIPROCAL_SHIFT = 40;

    private final int count;
    private final int smallMax;
    private final int smallShift;
    private final int minPageSize;
    private final int maxPageSize;
    private final int[] blockSize;
    /** Class index per (size + 7) / 8, for sizes 1..smallMax. */
    private final byte[] classByEighth;
    /** The range of eighths per class (a class skipped for alignment has an empty range). */
    private final int[] firstEighth;
    private final int[] lastEighth;

    SizeClasses(int minimumAlignment, int classesPerDoubling, int smallMax, int minPageSize) {
        this(minimumAlignment, classesPerDoubling, smallMax, minPageSize, MAX_PAGE_SIZE);
    }

    SizeClasses(int minimumAlignment, int classesPerDoubling, int smallMax, int minPageSize, int maxPageSize) {
        this.smallMax = smallMax;
        this.smallShift = Integer.numberOfTrailingZeros(smallMax);
        this.minPageSize = minPageSize;
        this.maxPageSize = maxPageSize;
        int[] sizes = new int[MAX_COUNT];
        int c = 0;
        for (int size = 8; size <= Math.min(128, smallMax); size += 8) {
            sizes[c++] = size;
        }
        for (int base = 128; base < smallMax; base <<= 1) {
            int step = base / classesPerDoubling;
            for (int i = 1; i <= classesPerDoubling; i++) {
                sizes[c++] = base + i * step;
            }
        }
        this.count = c;
        this.blockSize = java.util.Arrays.copyOf(sizes, c);
        this.classByEighth = new byte[smallMax / 8 + 1];
        int k = 0;
        for (int eighth = 1; eighth < classByEighth.length; eighth++) {
            int size = eighth * 8;
            while (blockSize[k] < size || blockSize[k] % minimumAlignment != 0) {
                k++;
            }
            classByEighth[eighth] = (byte) k; // read back with & 0xff
        }
        firstEighth = new int[count];
        lastEighth = new int[count];
        java.util.Arrays.fill(firstEighth, Integer.MAX_VALUE);
        java.util.Arrays.fill(lastEighth, -1);
        for (int eighth = 1; eighth < classByEighth.length; eighth++) {
            int mapped = classByEighth[eighth] & 0xff;
            firstEighth[mapped] = Math.min(firstEighth[mapped], eighth);
            lastEighth[mapped] = Math.max(lastEighth[mapped], eighth);
        }
    }

    /** The default classes. */
    SizeClasses(int minimumAlignment) {
        this(minimumAlignment, 8, SMALL_LIMIT, 64 * 1024);
    }

    /** First {@code (size + 7) / 8} that maps to class {@code c}. */
    int firstEighth(int c) {
        return firstEighth[c];
    }

    /** Last {@code (size + 7) / 8} that maps to class {@code c} (none: less than the first). */
    int lastEighth(int c) {
        return lastEighth[c];
    }

    /** Number of classes. */
    int count() {
        return count;
    }

    /** Largest small size: larger requests are medium or huge. */
    int smallMax() {
        return smallMax;
    }

    /** {@code log2(smallMax)}: {@code (size - 1) >>> smallShift == 0} admits exactly 1..smallMax. */
    int smallShift() {
        return smallShift;
    }

    /** Class of a small request; {@code 0 < size <= smallMax}. */
    int indexOf(long size) {
        return classByEighth[(int) ((size + 7) >>> 3)] & 0xff;
    }

    /**
     * Class of a small request that must be aligned to {@code alignment} (a power of two not above
     * the smallest page), or -1 if no small class serves it: the smallest class at least
     * {@code size} whose block size is a multiple of the alignment.
     */
    int indexOf(long size, long alignment) {
        if (size > smallMax || alignment > minPageSize) {
            return -1;
        }
        int natural = indexOf(size);
        if (Integer.lowestOneBit(blockSize[natural]) >= alignment) {
            return natural; // the common case: the size's own class is aligned enough
        }
        for (int c = natural + 1; c < count; c++) {
            if (blockSize[c] % alignment == 0) {
                return c;
            }
        }
        return -1;
    }

    int blockSize(int classIndex) {
        return blockSize[classIndex];
    }

    /** Alignment of every block of the class: the largest power of two dividing its size. */
    int alignment(int classIndex) {
        return Integer.lowestOneBit(blockSize[classIndex]);
    }

    /**
     * Bytes of one slab page of the class: a power of two, at least the minimum, at least 64 blocks
     * unless that is more than the largest page (which holds at least two blocks of any class).
     */
    int pageSize(int classIndex) {
        int wanted = blockSize[classIndex] * MIN_BLOCKS_PER_PAGE;
        return Math.max(minPageSize, Math.min(maxPageSize, Integer.highestOneBit(wanted - 1) << 1));
    }

    /**
     * {@code ceil(2^40 / blockSize)}: for an offset {@code o = k * blockSize} inside a page of at
     * most 4 MiB, {@code (o * reciprocal) >>> 40 == k} exactly, because the error
     * {@code k * (reciprocal * blockSize - 2^40)} is below {@code k * blockSize < 2^22}; and
     * {@code o * reciprocal < 2^22 * 2^37} does not overflow. Offsets that are not multiples give
     * some index whose product does not match, which the caller checks.
     */
    static long reciprocalOf(long blockSize) {
        return ((1L << RECIPROCAL_SHIFT) + blockSize - 1) / blockSize;
    }
}
