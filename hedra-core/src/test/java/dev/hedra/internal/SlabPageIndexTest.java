package dev.hedra.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link SlabPage#indexOfSmall}, the heap's one-multiply block lookup, agrees with the exact
 * {@link SlabPage#indexOf} on every offset of the largest page a heap can have (4 MiB), for every
 * small size class of every class spacing the builder offers: the argument in its comment covers
 * these bounds, and this checks it.
 */
class SlabPageIndexTest {

    private static final int LARGEST_PAGE = 4 << 20;

    @ParameterizedTest
    @ValueSource(ints = {4, 8, 16})
    void theOneMultiplyLookupIsExactOnEveryOffset(int classesPerDoubling) {
        SizeClasses classes = new SizeClasses(8, classesPerDoubling, SizeClasses.SMALL_LIMIT, 64 << 10);
        for (int c = 0; c < classes.count(); c++) {
            int blockSize = classes.blockSize(c);
            SlabPage page = new SlabPage(null, 1L << 40, c, blockSize, LARGEST_PAGE);
            for (long offset = 0; offset < LARGEST_PAGE; offset++) {
                long address = page.base + offset;
                int exact = page.indexOf(address);
                int fast = page.indexOfSmall(address);
                if (exact != fast) {
                    assertEquals(exact, fast, "block size " + blockSize + ", offset " + offset);
                }
            }
        }
    }
}
