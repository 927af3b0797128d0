package dev.hedra;

import static dev.hedra.SizeClassOracle.KiB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Medium blocks resized in place by the thread that owns their area while other threads free
 * that thread's other medium blocks next to them: each {@code realloc} grows into, or shrinks
 * next to, spans that another thread may be freeing at the same moment. Every block carries a
 * tag in the first 8 bytes of each of its 4 KiB granules and in its last 8 bytes, so a block
 * that lost contents, or two live blocks that overlap by even one granule, fail the check; the
 * {@link CheckedAllocator} around the allocator also fails any call that returns a block
 * overlapping a live one. The test also checks that most resizes did stay in place (72% in a run
 * of 150,000 operations). Growing into a live neighbour, growing past a free one that is too
 * short, or shrinking without merging the freed tail each fail it. A deterministic seed per
 * thread; {@code -Dhedra.stress.operations} scales it, as for {@link StressTest}.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class MediumResizeStressTest {

    private static final int THREADS = 3;
    private static final int HELD = 12;
    private static final int SLOTS = 8;
    private static final long GRANULE = 4 * KiB;

    private record Block(long address, long size) {}

    @Test
    void inPlaceResizesRaceWithRemoteFreesOfNeighbours() throws InterruptedException {
        long operations = Math.max(150_000, Long.getLong("hedra.stress.operations", 0) / 20);
        try (NativeAllocator hedra = CheckedAllocator.open()) {
            long liveBefore = hedra.stats().liveBlocks();
            AtomicReferenceArray<Block> exchange = new AtomicReferenceArray<>(SLOTS);
            AtomicLong inPlace = new AtomicLong();
            AtomicLong resizes = new AtomicLong();
            List<Throwable> failures = new ArrayList<>();
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                long seed = 0x5EED_0000L + t;
                threads.add(Thread.ofPlatform().name("medium-resize-" + t).start(() -> {
                    try {
                        run(hedra, exchange, new SplitMix64(seed), operations / THREADS, inPlace, resizes);
                    } catch (Throwable failure) {
                        synchronized (failures) {
                            failures.add(failure);
                        }
                    }
                }));
            }
            for (Thread thread : threads) {
                thread.join();
            }
            for (int i = 0; i < SLOTS; i++) {
                Block left = exchange.getAndSet(i, null);
                if (left != null) {
                    checkAndFree(hedra, left);
                }
            }
            if (!failures.isEmpty()) {
                AssertionError error = new AssertionError(failures.size() + " thread(s) failed", failures.get(0));
                failures.stream().skip(1).forEach(error::addSuppressed);
                throw error;
            }
            assertEquals(liveBefore, hedra.stats().liveBlocks(), "every block freed");
            // The test is about resizes in place: make sure they happened, and were not all of them.
            assertTrue(inPlace.get() > resizes.get() / 10 && inPlace.get() < resizes.get(),
                    () -> inPlace + " of " + resizes + " medium resizes to another length stayed in place");
        }
    }

    private static void run(NativeAllocator hedra, AtomicReferenceArray<Block> exchange, SplitMix64 random,
            long operations, AtomicLong inPlace, AtomicLong resizes) {
        List<Block> held = new ArrayList<>();
        for (long op = 0; op < operations; op++) {
            int r = random.nextInt(100);
            if (r < 45 && !held.isEmpty()) { // resize one of this thread's blocks: in place if it can
                int i = random.nextInt(held.size());
                Block old = held.get(i);
                check(old);
                long newSize = mediumSize(random);
                long address = hedra.realloc(old.address(), newSize);
                checkPrefix(old, address, Math.min(old.size(), newSize));
                if ((old.size() + GRANULE - 1) / GRANULE != (newSize + GRANULE - 1) / GRANULE) {
                    resizes.incrementAndGet();
                    if (address == old.address()) {
                        inPlace.incrementAndGet();
                    }
                }
                Block resized = new Block(address, newSize);
                tag(resized);
                held.set(i, resized);
            } else if (r < 70 && held.size() < HELD) {
                long size = mediumSize(random);
                Block block = new Block(hedra.malloc(size), size);
                tag(block);
                held.add(block);
            } else if (r < 85 && !held.isEmpty()) { // hand a block to whichever thread takes it
                Block given = held.remove(random.nextInt(held.size()));
                Block displaced = exchange.getAndSet(random.nextInt(SLOTS), given);
                if (displaced != null) {
                    checkAndFree(hedra, displaced);
                }
            } else { // free a block that another thread probably allocated: a remote medium free
                Block taken = exchange.getAndSet(random.nextInt(SLOTS), null);
                if (taken != null) {
                    checkAndFree(hedra, taken);
                }
            }
        }
        for (Block block : held) {
            checkAndFree(hedra, block);
        }
    }

    /** A medium size, often a few granules off a neighbour's, so that resizes grow and shrink a little. */
    private static long mediumSize(SplitMix64 random) {
        return random.nextInt(4) == 0 ? random.between(32 * KiB + 1, 600 * KiB) : random.between(33, 160) * GRANULE;
    }

    private static void checkAndFree(NativeAllocator hedra, Block block) {
        check(block);
        hedra.free(block.address(), block.size());
    }

    /** Whether the granule at {@code offset} carries a tag: one that cannot overlap the last 8 bytes' tag. */
    private static boolean granuleTagged(long offset, long size) {
        return offset + 16 <= size;
    }

    private static long tagOf(Block block, long offset) {
        return SplitMix64.mix(block.address() * 31 + block.size() * 0x9E3779B97F4A7C15L + offset);
    }

    private static void tag(Block block) {
        MemorySegment segment = MemorySegment.ofAddress(block.address()).reinterpret(block.size());
        for (long offset = 0; granuleTagged(offset, block.size()); offset += GRANULE) {
            segment.set(ValueLayout.JAVA_LONG_UNALIGNED, offset, tagOf(block, offset));
        }
        segment.set(ValueLayout.JAVA_LONG_UNALIGNED, block.size() - 8, tagOf(block, block.size() - 8));
    }

    private static void check(Block block) {
        MemorySegment segment = MemorySegment.ofAddress(block.address()).reinterpret(block.size());
        for (long offset = 0; granuleTagged(offset, block.size()); offset += GRANULE) {
            expect(block, segment.get(ValueLayout.JAVA_LONG_UNALIGNED, offset), offset);
        }
        expect(block, segment.get(ValueLayout.JAVA_LONG_UNALIGNED, block.size() - 8), block.size() - 8);
    }

    /** The tags of {@code old} that lie within the first {@code kept} bytes survived the move to {@code address}. */
    private static void checkPrefix(Block old, long address, long kept) {
        MemorySegment segment = MemorySegment.ofAddress(address).reinterpret(kept);
        for (long offset = 0; granuleTagged(offset, old.size()) && offset + 8 <= kept; offset += GRANULE) {
            long found = segment.get(ValueLayout.JAVA_LONG_UNALIGNED, offset);
            if (found != tagOf(old, offset)) {
                throw new AssertionError("realloc(" + Blocks.hex(old.address()) + " of " + old.size() + ") to "
                        + Blocks.hex(address) + " lost its contents at offset " + offset);
            }
        }
    }

    private static void expect(Block block, long found, long offset) {
        if (found != tagOf(block, offset)) {
            throw new AssertionError("block " + Blocks.hex(block.address()) + " of " + block.size()
                    + " bytes was overwritten at offset " + offset + ": handed out twice, or overlapping another");
        }
    }
}
