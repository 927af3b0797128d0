package dev.hedra.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The owner's collection of remote frees ({@link SlabPage#collectDeferred}), on a page whose
 * bitmaps are driven directly (no memory behind its addresses is touched), so that the
 * interleavings two threads produce only now and then happen here every time.
 */
class SlabPageCollectTest {

    private static final int BLOCK = 64;
    private static final int PAGE = 64 << 10;

    private static SlabPage page() {
        return new SlabPage(null, 1L << 40, 0, BLOCK, PAGE);
    }

    private static int index(SlabPage page, long address) {
        return (int) ((address - page.base) / BLOCK);
    }

    @Test
    void remoteFreesBecomeTheOwnersAtCollection() {
        SlabPage page = page();
        long[] blocks = new long[100];
        for (int i = 0; i < blocks.length; i++) {
            blocks[i] = page.allocate();
        }
        for (int i = 0; i < blocks.length; i += 2) {
            assertNotEquals(0, page.markDeferred(index(page, blocks[i])));
        }
        assertEquals(50, page.pendingDeferred());
        assertEquals(100, page.used);

        assertEquals(50, page.collectDeferred());
        assertEquals(50, page.used);
        assertEquals(0, page.pendingDeferred());
        // The collected blocks are handed out again, lowest first, and only they.
        for (int i = 0; i < blocks.length; i += 2) {
            assertEquals(blocks[i], page.allocate());
        }
        assertEquals(blocks[blocks.length - 1] + BLOCK, page.allocate());
    }

    /**
     * The owner frees a block locally while another thread frees the same block remotely, and
     * neither sees the other's bit (the other thread read the owner's bitmap before the owner's
     * free, and the owner read the deferred bitmap before the other's atomic OR): both frees
     * return. The block is then free once, so the collection must count it once; counted twice,
     * {@code used} falls below the blocks really in use, and a page that still holds a live block
     * can be taken for empty and given back.
     */
    @Test
    void aBlockFreedByTheOwnerAndAnotherThreadAtOnceIsCollectedOnce() {
        SlabPage page = page();
        long live = page.allocate();
        long raced = page.allocate();
        long remote = page.allocate();
        int racedIndex = index(page, raced);

        assertEquals(2, page.freeLocal(racedIndex), "the owner's free");
        assertNotEquals(0, page.markDeferred(racedIndex), "the other thread's free, past its check");
        assertNotEquals(0, page.markDeferred(index(page, remote)), "an ordinary remote free");
        assertEquals(1, page.pendingDeferred(), "remote frees the collection will count");

        assertEquals(1, page.collectDeferred(), "blocks that became free at the collection");
        assertEquals(1, page.used, "the one live block");
        assertEquals(0, page.pendingDeferred());

        // Every other block comes out exactly once before the page is full; the live one never.
        Set<Long> handedOut = new HashSet<>();
        for (long address = page.allocate(); address != 0; address = page.allocate()) {
            assertNotEquals(live, address, "the live block was handed out");
            assertTrue(handedOut.add(address), "a block handed out twice");
        }
        assertEquals(page.capacity - 1, handedOut.size());
        assertEquals(page.capacity, page.used);
    }
}
