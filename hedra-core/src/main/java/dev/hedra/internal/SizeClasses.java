package dev.hedra.internal;

/**
 * Size classes: request size to class index, class index to block size, alignment and slab page
 * size.
 *
 * <pre>
 *   classes  8, 16, 24, ..., 128          8-byte steps        (16 classes)
 *            144, 160, ..., 256           8 per doubling      (then 256..512, ..., 16 Ki..32 Ki)
 *   block alignment = largest power of two dividing the block size, clamped to [8, 16]
 *                     (power-of-two classes are further aligned to their size, because slab
 *                     pages start on 64 KiB boundaries and blocks pack from the page start)
 *   rounding waste  &lt;= 12.5% above 128 B
 * </pre>
 *
 * With a minimum alignment of 16 the classes that are not multiples of 16 are skipped: requests
 * map to the next class that is.
 */
final class SizeClasses {

    /** Largest small (slab) block. */
    static final int SMALL_MAX = 32 * 1024;
    /** Number of small classes. */
    static final int COUNT = 16 + 8 * 8;
    /** Smallest slab page. */
    static final int MIN_PAGE_SIZE = 64 * 1024;
    /** A slab page holds at least this many blocks (the larger classes get larger pages). */
    private static final int MIN_BLOCKS_PER_PAGE = 64;
    /** Shift of the reciprocal used to divide an offset by a block size; see {@link #reciprocal}. */
    static final int RECIPROCAL_SHIFT = 40;

    private static final int[] BLOCK_SIZE = new int[COUNT];

    static {
        int c = 0;
        for (int size = 8; size <= 128; size += 8) {
            BLOCK_SIZE[c++] = size;
        }
        for (int base = 128; base < SMALL_MAX; base <<= 1) {
            int step = base / 8;
            for (int i = 1; i <= 8; i++) {
                BLOCK_SIZE[c++] = base + i * step;
            }
        }
        assert c == COUNT && BLOCK_SIZE[COUNT - 1] == SMALL_MAX;
    }

    /** Class index per (size + 7) / 8, for sizes 1..SMALL_MAX; this allocator's minimum alignment. */
    private final byte[] classByEighth = new byte[SMALL_MAX / 8 + 1];

    SizeClasses(int minimumAlignment) {
        int c = 0;
        for (int eighth = 1; eighth < classByEighth.length; eighth++) {
            int size = eighth * 8;
            while (BLOCK_SIZE[c] < size || BLOCK_SIZE[c] % minimumAlignment != 0) {
                c++;
            }
            classByEighth[eighth] = (byte) c;
        }
    }

    /** Class of a small request; {@code 0 < size <= SMALL_MAX}. */
    int indexOf(long size) {
        return classByEighth[(int) ((size + 7) >>> 3)];
    }

    /**
     * Class of a small request that must be aligned to {@code alignment} (a power of two not above
     * {@link #MIN_PAGE_SIZE}), or -1 if no small class serves it: the smallest class at least
     * {@code size} whose block size is a multiple of the alignment.
     */
    int indexOf(long size, long alignment) {
        if (size > SMALL_MAX) {
            return -1;
        }
        for (int c = indexOf(size); c < COUNT; c++) {
            if (BLOCK_SIZE[c] % alignment == 0) {
                return c;
            }
        }
        return -1;
    }

    static int blockSize(int classIndex) {
        return BLOCK_SIZE[classIndex];
    }

    /** Alignment of every block of the class: the largest power of two dividing its size. */
    static int alignment(int classIndex) {
        return Integer.lowestOneBit(BLOCK_SIZE[classIndex]);
    }

    /** Bytes of one slab page of the class: a power of two, at least 64 KiB, at least 64 blocks. */
    static int pageSize(int classIndex) {
        int wanted = BLOCK_SIZE[classIndex] * MIN_BLOCKS_PER_PAGE;
        return Math.max(MIN_PAGE_SIZE, Integer.highestOneBit(wanted - 1) << 1);
    }

    /**
     * {@code ceil(2^40 / blockSize)}: for an offset {@code o = k * blockSize} inside a page
     * ({@code o < 2^21}), {@code (o * reciprocal) >>> 40 == k} exactly, because the error
     * {@code k * (reciprocal * blockSize - 2^40)} stays below {@code 2^18 * 2^15 < 2^40}.
     * Offsets that are not multiples give some index whose product does not match, which the
     * caller checks.
     */
    static long reciprocal(int classIndex) {
        return reciprocalOf(BLOCK_SIZE[classIndex]);
    }

    /**
     * The same for any block size from 8 bytes in pages up to 4 MiB (pools): the error
     * {@code k * e} stays below {@code 2^22}, and {@code offset * reciprocal} below {@code 2^60}.
     */
    static long reciprocalOf(long blockSize) {
        return ((1L << RECIPROCAL_SHIFT) + blockSize - 1) / blockSize;
    }
}
