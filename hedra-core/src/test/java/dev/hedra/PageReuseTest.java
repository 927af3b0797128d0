package dev.hedra;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Which page a thread allocates from once its current page is full: of the pages that got blocks
 * back, the one that got its first block back earliest, which has had the longest to gather
 * more. (A page that got its first block back a moment ago was full a moment ago; taking it
 * first, as a stack of pages would, serves about one block per page change under random frees.)
 */
class PageReuseTest {

    private static final int PAGE = 64 * 1024;
    private static final int SIZE = 512; // a class of its own: 128 blocks per page
    private static final int BLOCKS = 8 * PAGE / SIZE; // eight full pages; the last is current

    @Test
    void thePageThatGotBlocksBackFirstServesFirst() {
        try (NativeAllocator hedra = Hedra.builder().name("reuse").slabPageSize(PAGE).build()) {
            long[] blocks = new long[BLOCKS];
            for (int i = 0; i < BLOCKS; i++) {
                blocks[i] = hedra.malloc(SIZE);
            }
            int early = 0; // in the first page
            int late = BLOCKS / 2; // in the fifth page
            hedra.free(blocks[early], SIZE); // the first page gets a block back
            hedra.free(blocks[late], SIZE); // then the fifth page
            for (int i = early + 1; i < early + 10; i++) {
                hedra.free(blocks[i], SIZE); // and the first page nine more
            }

            List<Long> expected = new ArrayList<>();
            for (int i = early; i < early + 10; i++) {
                expected.add(blocks[i]); // the first page's ten, lowest first
            }
            expected.add(blocks[late]); // then the fifth page's one
            List<Long> served = new ArrayList<>();
            for (int i = 0; i < expected.size(); i++) {
                served.add(hedra.malloc(SIZE));
            }
            assertEquals(expected, served, () -> "blocks served after the current page filled, expected "
                    + "the first page's before the fifth page's; " + hedra.stats());

            for (int i = 0; i < BLOCKS; i++) {
                hedra.free(blocks[i], SIZE);
            }
            assertEquals(0, hedra.stats().liveBlocks());
        }
    }
}
