package dev.hedra;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Which page a thread allocates from once its current page is full: of the pages that got blocks
 * back, the one that got its first block back earliest, which has had the longest to gather
 * more. (A page that got its first block back a moment ago was full a moment ago; taking it
 * first, as a stack of pages would, serves about one block per page change under random frees.)
 */
class PageReuseTest {

    private static final int PAGE = 64 * 1024;
    private static final int SIZE = 512; // a class of its own; 128 blocks in a page, a pool's too
    private static final int BLOCKS = 8 * PAGE / SIZE; // eight full pages; the last is current

    @Test
    void thePageThatGotBlocksBackFirstServesFirst() {
        try (NativeAllocator hedra = Hedra.builder().name("reuse").slabPageSize(PAGE).build()) {
            checkOrder(() -> hedra.malloc(SIZE), block -> hedra.free(block, SIZE), hedra::stats);
            assertEquals(0, hedra.stats().liveBlocks());
        }
    }

    @Test
    void aPoolTooTakesThePageThatGotBlocksBackFirst() {
        try (NativeAllocator hedra = Hedra.builder().name("reuse-pool").build();
                FixedPool pool = hedra.newPool(SIZE)) {
            checkOrder(pool::allocate, pool::free, pool::toString);
            assertEquals(0, pool.liveBlocks());
        }
    }

    /**
     * Fills eight pages (the last stays current), gives the first page one block back, then the
     * fifth page one, then the first page nine more; the next eleven blocks must be the first
     * page's ten, lowest first, then the fifth page's one. Frees everything at the end.
     */
    private static void checkOrder(LongSupplier allocate, LongConsumer free, Supplier<?> state) {
        long[] blocks = new long[BLOCKS];
        for (int i = 0; i < BLOCKS; i++) {
            blocks[i] = allocate.getAsLong();
        }
        int early = 0; // in the first page
        int late = BLOCKS / 2; // in the fifth page
        free.accept(blocks[early]); // the first page gets a block back
        free.accept(blocks[late]); // then the fifth page
        for (int i = early + 1; i < early + 10; i++) {
            free.accept(blocks[i]); // and the first page nine more
        }

        List<Long> expected = new ArrayList<>();
        for (int i = early; i < early + 10; i++) {
            expected.add(blocks[i]);
        }
        expected.add(blocks[late]);
        List<Long> served = new ArrayList<>();
        for (int i = 0; i < expected.size(); i++) {
            served.add(allocate.getAsLong());
        }
        assertEquals(expected, served, () -> "blocks served after the current page filled, "
                + "expected the first page's before the fifth page's; " + state.get());

        for (long block : blocks) {
            free.accept(block); // the same addresses: every block is live again
        }
    }
}
