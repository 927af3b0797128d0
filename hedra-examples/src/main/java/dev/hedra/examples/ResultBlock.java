package dev.hedra.examples;

import static dev.hedra.examples.RawMemory.getDouble;
import static dev.hedra.examples.RawMemory.getLong;
import static dev.hedra.examples.RawMemory.putDouble;
import static dev.hedra.examples.RawMemory.putLong;

/**
 * The results of one tree's queries, written by its worker into one native block that the
 * collector thread reads and frees.
 *
 * <pre>
 *   offset  0          tree        long    the tree's index
 *           8          hit count   long    n, over all the tree's queries
 *          16 + 24 i   hit i       3 doubles x, y, z, query after query, each in search order
 *   size == 16 + 24 n
 * </pre>
 *
 * The block says its own size, so the collector can make a sized free without being told.
 */
final class ResultBlock {

    private static final long HEADER_BYTES = 16;
    private static final long HIT_BYTES = 24;

    private ResultBlock() {}

    static long byteSize(int hitCount) {
        return HEADER_BYTES + HIT_BYTES * hitCount;
    }

    /** Copies {@code hits} into {@code block}, which holds {@code byteSize(hits.size())} bytes. */
    static void write(long block, int tree, HitList hits) {
        int count = hits.size();
        putLong(block, tree);
        putLong(block + 8, count);
        long at = block + HEADER_BYTES;
        for (int i = 0; i < count; i++, at += HIT_BYTES) {
            putDouble(at, hits.coordinate(i, 0));
            putDouble(at + 8, hits.coordinate(i, 1));
            putDouble(at + 16, hits.coordinate(i, 2));
        }
    }

    static long hitCount(long block) {
        return getLong(block + 8);
    }

    static long byteSize(long block) {
        return HEADER_BYTES + HIT_BYTES * hitCount(block);
    }

    /**
     * A hash of the block's tree index and hits, in order. The collector sums these: the sum
     * does not depend on the order blocks arrive in, only on what each tree's queries found.
     */
    static long checksum(long block) {
        long hash = SplitMix64.mix(getLong(block));
        long hits = hitCount(block);
        long at = block + HEADER_BYTES;
        for (long i = 0; i < hits; i++, at += HIT_BYTES) {
            hash = SplitMix64.mix(hash ^ Double.doubleToRawLongBits(getDouble(at)));
            hash = SplitMix64.mix(hash ^ Double.doubleToRawLongBits(getDouble(at + 8)));
            hash = SplitMix64.mix(hash ^ Double.doubleToRawLongBits(getDouble(at + 16)));
        }
        return hash;
    }
}
