package dev.hedra.internal;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The owner side of the tests: a {@link PageOwner} with no heap around it, whose pages the tests
 * build directly, and which counts what its collections report. Each test state makes its own;
 * its "owner thread" is whichever actor the test says plays the owner.
 */
final class ProtocolOwner extends PageOwner {

    /**
     * Blocks per test page: two words of each bitmap. No test frees a whole word of it, which
     * would ask {@link IdlePages} about the page, and this owner has no address space to ask with.
     */
    static final int BLOCKS = 128;
    static final int BLOCK_SIZE = 64;
    /** A base with no memory behind it: the bitmap protocol never touches a block. */
    private static final long NO_MEMORY_BASE = 1L << 40;

    /** Pages reported by collections, and the blocks they brought back; owner only. */
    int pagesReported;
    int blocksReported;

    ProtocolOwner() {
        super(null); // no address space: these pages are never given back
    }

    @Override
    void onCollected(SlabPage page, int usedBefore, int collected) {
        pagesReported++;
        blocksReported += collected;
    }

    /**
     * A page of {@link #BLOCKS} blocks, every one handed out, at an address with no memory (the
     * bitmap protocol never touches the blocks).
     */
    SlabPage fullPage() {
        return fullPage(BLOCKS);
    }

    /** {@link #fullPage()} with {@code blocks} blocks. */
    SlabPage fullPage(int blocks) {
        return handOutEveryBlock(new SlabPage(this, NO_MEMORY_BASE, 0, BLOCK_SIZE, blocks * BLOCK_SIZE));
    }

    private static SlabPage handOutEveryBlock(SlabPage page) {
        while (page.allocate() != 0) {
            // the owner takes the next block
        }
        return page;
    }

    /** The owner's collection, as its refill does it: returns the blocks collected. */
    int collect() {
        return remoteFrees.collect(this);
    }

    /** Setup: a remote free that must go through (the first into a page queues it). */
    static void freeRemotely(SlabPage page, int index) {
        if (!RemoteFrees.freeRemote(page, index)) {
            throw new IllegalStateException("setup free of block " + index + " refused");
        }
    }

    /** The index of a block address of {@code page}, or -1 for 0 (no block). */
    static int indexOf(SlabPage page, long address) {
        return address == 0 ? -1 : page.indexOf(address);
    }

    // ---- pages with memory, for the purge races -----------------------------------------------

    /** One unit: the smallest page whose memory a purge gives back. */
    static final int UNIT_PAGE = (int) AddressSpace.UNIT;
    private static final ConcurrentLinkedQueue<Long> SPARE_UNITS = new ConcurrentLinkedQueue<>();

    /**
     * A 64 KiB page of 1 KiB blocks (64: one word) on real memory, every block handed out and
     * then freed by another thread without the {@link IdlePages} check, so it is wholly freed
     * remotely and on this owner's queue: the state in which another thread may purge it.
     */
    SlabPage whollyFreedPage() {
        Long spare = SPARE_UNITS.poll();
        long base = spare != null ? spare : Os.reserve(UNIT_PAGE, UNIT_PAGE);
        if (base == 0) {
            throw new IllegalStateException("cannot reserve a test page");
        }
        SlabPage page = handOutEveryBlock(new SlabPage(this, base, 0, UNIT_PAGE / 64, UNIT_PAGE));
        freeRemotely(page, 0); // a free like any other: queues the page
        for (int index = 1; index < 64; index++) {
            // The rest without freeRemote: its free of the last block would ask IdlePages to
            // purge the page, and this owner has no address space to ask with.
            page.markDeferred(index);
        }
        return page;
    }

    /** The long at {@code address}, in memory of a page from {@link #whollyFreedPage}. */
    static long readLong(long address) {
        return MemorySegment.ofAddress(address).reinterpret(Long.BYTES).get(ValueLayout.JAVA_LONG, 0);
    }

    static void writeLong(long address, long value) {
        MemorySegment.ofAddress(address).reinterpret(Long.BYTES).set(ValueLayout.JAVA_LONG, 0, value);
    }

    /** Gives a page's memory back to the spares once a test is done with it. */
    static void recycle(SlabPage page) {
        Os.purge(page.base, UNIT_PAGE);
        SPARE_UNITS.add(page.base);
    }
}
