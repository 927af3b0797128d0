package dev.hedra;

import static dev.hedra.SizeClassOracle.KiB;
import static dev.hedra.SizeClassOracle.MiB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * First-class heaps ({@link NativeAllocator#newHeap}): every method, use from several threads,
 * blocks freed through the allocator, {@code close()} freeing everything at once, blocks of one
 * heap kept apart from other heaps' blocks, and bad input. Every test runs on a checked allocator
 * ({@link CheckedAllocator}): when it closes, the merged statistics must balance (per-heap and
 * per-class sums equal the merged figures) and no block may be left live, so every test closes
 * or empties its heaps.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class NativeHeapTest {

    /** Small (up to 32 KiB), medium (to 2 MiB) and huge sizes, with the class edges. */
    static final long[] SIZES = {
        1, 8, 24, 48, 100, 1000, 4096, 32 * KiB, 32 * KiB + 1, 40_000, 300_000, 2 * MiB, 2 * MiB + 1, 3 * MiB
    };

    /** The configurations built for the test alone: committed bytes move only with the test. */
    static Stream<AllocatorSpec> freshSpecs() {
        return Stream.of(AllocatorSpec.values()).filter(spec -> spec.fresh);
    }

    static Stream<Arguments> matrix() {
        return Stream.of(AllocatorSpec.values())
                .flatMap(spec -> Stream.of(ThreadKind.values()).map(kind -> Arguments.of(spec, kind)));
    }

    /** Runs the body on a thread of the kind against the spec's checked allocator. */
    private static void check(AllocatorSpec spec, ThreadKind kind, Consumer<NativeAllocator> body) {
        try (NativeAllocator hedra = spec.open()) {
            kind.runOne(Duration.ofSeconds(100), () -> body.accept(hedra));
        }
    }

    private record Held(long address, long size, long seed) {}

    // ---- malloc, free, sized free, stats

    @ParameterizedTest
    @MethodSource("matrix")
    void mallocOfEveryKindAndStats(AllocatorSpec spec, ThreadKind kind) {
        check(spec, kind, hedra -> {
            try (NativeHeap heap = hedra.newHeap("kinds")) {
                assertEquals("kinds", heap.name());
                List<Held> held = new ArrayList<>();
                long requested = 0;
                long usableSum = 0;
                for (long size : SIZES) {
                    long address = heap.malloc(size);
                    long usable = hedra.usableSize(address);
                    if (SizeClassOracle.isHuge(size)) {
                        assertTrue(usable >= size, () -> "usableSize of a huge block of " + size);
                    } else {
                        assertEquals(spec.usableSize(size), usable, () -> "usableSize(heap.malloc(" + size + "))");
                    }
                    Blocks.assertAligned(address, spec.alignment(usable), "heap.malloc(" + size + ")");
                    Blocks.fill(address, size, size * 31);
                    held.add(new Held(address, size, size * 31));
                    requested += size;
                    usableSum += usable;
                }
                AllocatorStats.HeapStats stats = heap.stats();
                assertEquals("kinds", stats.name());
                assertEquals(SIZES.length, stats.allocations(), stats::toString);
                assertEquals(0, stats.frees(), stats::toString);
                assertEquals(SIZES.length, stats.liveBlocks(), stats::toString);
                assertEquals(requested, stats.bytesRequested(), stats::toString);
                assertEquals(usableSum, stats.bytesInUse(), stats::toString);
                assertTrue(stats.peakBytesInUse() >= usableSum, stats::toString);
                assertTrue(stats.pages() > 0, stats::toString);
                for (int i = 0; i < held.size(); i++) {
                    Held h = held.get(i);
                    Blocks.assertPattern(h.address(), h.size(), h.seed(), "heap block of " + h.size());
                    if (i % 2 == 0) {
                        heap.free(h.address());
                    } else {
                        heap.free(h.address(), h.size());
                    }
                }
                stats = heap.stats();
                assertEquals(SIZES.length, stats.frees(), stats::toString);
                assertEquals(0, stats.liveBlocks(), stats::toString);
                assertEquals(0, stats.bytesInUse(), stats::toString);
                assertTrue(stats.peakBytesInUse() >= usableSum, "the peak stays: " + stats);
            }
        });
    }

    static Stream<Arguments> alignments() {
        return Stream.of(8L, 16L, 32L, 64L, 256L, 4 * KiB, 64 * KiB, MiB, 4 * MiB)
                .map(alignment -> Arguments.of(alignment));
    }

    @ParameterizedTest(name = "alignment {0}")
    @MethodSource("alignments")
    void alignedMalloc(long alignment) {
        try (NativeAllocator hedra = CheckedAllocator.open(); NativeHeap heap = hedra.newHeap("aligned")) {
            long[] sizes = {1, 24, 100, 3000, 40_000, 3 * MiB};
            List<Held> held = new ArrayList<>();
            for (long size : sizes) {
                for (int i = 0; i < 3; i++) {
                    long address = heap.malloc(size, alignment);
                    Blocks.assertAligned(address, alignment, "heap.malloc(" + size + ", " + alignment + ")");
                    assertTrue(hedra.usableSize(address) >= size);
                    Blocks.fill(address, size, address);
                    held.add(new Held(address, size, address));
                }
            }
            assertEquals(held.size(), heap.stats().liveBlocks());
            for (Held h : held) {
                Blocks.assertPattern(h.address(), h.size(), h.seed(), "aligned block");
                heap.free(h.address(), h.size()); // the requested size is accepted for an aligned block
            }
            assertEquals(0, heap.stats().bytesInUse());
            assertThrows(IllegalArgumentException.class, () -> heap.malloc(64, 3));
            assertThrows(IllegalArgumentException.class, () -> heap.malloc(64, 0));
            assertThrows(IllegalArgumentException.class, () -> heap.malloc(64, -16));
        }
    }

    @ParameterizedTest
    @MethodSource("freshSpecs")
    void callocZeroesReusedMemory(AllocatorSpec spec) {
        try (NativeAllocator hedra = spec.open(); NativeHeap heap = hedra.newHeap("calloc")) {
            for (long size : SIZES) {
                // Dirty the memory the calloc will most likely get back.
                List<Long> dirty = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    long address = heap.malloc(size);
                    Blocks.fill(address, Math.min(size, 256 * KiB), ~size);
                    dirty.add(address);
                }
                dirty.forEach(heap::free);
                List<Long> zeroed = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    long address = heap.calloc(size);
                    Blocks.assertZero(address, size, "heap.calloc(" + size + ")");
                    zeroed.add(address);
                }
                assertTrue(zeroed.stream().anyMatch(dirty::contains) || SizeClassOracle.isHuge(size),
                        "calloc(" + size + ") should have reused a dirty block, or the test proves nothing");
                zeroed.forEach(heap::free);
            }
            assertEquals(0, heap.stats().liveBlocks());
        }
    }

    // ---- realloc

    @ParameterizedTest
    @MethodSource("matrix")
    void reallocAcrossSmallMediumAndHuge(AllocatorSpec spec, ThreadKind kind) {
        check(spec, kind, hedra -> {
            try (NativeHeap heap = hedra.newHeap("realloc")) {
                long[] steps = {24, 100, 20_000, 40_000, 300_000, 3 * MiB, 5 * MiB, MiB, 5000, 8, 3 * MiB, 20};
                long address = heap.realloc(0, steps[0]); // realloc(0, n) is malloc in the heap
                Blocks.fill(address, steps[0], 1);
                long size = steps[0];
                long seed = 1;
                for (int i = 1; i < steps.length; i++) {
                    long newSize = steps[i];
                    long moved = heap.realloc(address, newSize);
                    Blocks.assertPattern(moved, Math.min(size, newSize), seed,
                            "realloc(" + size + " -> " + newSize + ")");
                    if (SizeClassOracle.isMedium(size) && SizeClassOracle.isMedium(newSize)) {
                        assertEquals(address, moved, "a medium block with free memory after it in the heap's own area"
                                + " grows where it is: " + size + " -> " + newSize);
                    }
                    assertEquals(1, heap.stats().liveBlocks(), "one block after realloc to " + newSize);
                    assertEquals(hedra.usableSize(moved), heap.stats().bytesInUse(),
                            "the realloc'd block is this heap's and only it: " + newSize);
                    seed = i + 1;
                    Blocks.fill(moved, newSize, seed);
                    address = moved;
                    size = newSize;
                }
                // A new size of the same class keeps the block where it is.
                long small = heap.realloc(address, 23);
                assertEquals(address, small, "20 -> 23 bytes stays in the 24-byte class (32 with minimum 16)");
                heap.free(small);
                assertEquals(0, heap.stats().liveBlocks());
                assertEquals(0, heap.stats().bytesInUse());
            }
        });
    }

    /** A block of another heap, or of the allocator's own thread heap, moves into this heap. */
    @ParameterizedTest
    @EnumSource(ThreadKind.class)
    void reallocMovesBlocksFromElsewhereIntoThisHeap(ThreadKind kind) {
        try (NativeAllocator checked = CheckedAllocator.open()) {
            // Untracked: the blocks are freed by the heap, which the checked wrapper does not see.
            NativeAllocator hedra = CheckedAllocator.delegateOf(checked);
            kind.runOne(Duration.ofSeconds(60), () -> {
                NativeHeap a = hedra.newHeap("a");
                NativeHeap b = hedra.newHeap("b");
                long[][] moves = {{100, 5000}, {40_000, 100_000}, {3 * MiB, 24}, {64, 3 * MiB}};
                List<Held> moved = new ArrayList<>();
                for (long[] move : moves) {
                    long fromB = b.malloc(move[0]);
                    Blocks.fill(fromB, move[0], move[0]);
                    long inA = a.realloc(fromB, move[1]);
                    assertNotEquals(fromB, inA);
                    Blocks.assertPattern(inA, Math.min(move[0], move[1]), move[0], "moved from heap b");
                    moved.add(new Held(inA, Math.min(move[0], move[1]), move[0]));
                }
                long fromAllocator = hedra.malloc(64);
                Blocks.fill(fromAllocator, 64, 64);
                long inA = a.realloc(fromAllocator, 200);
                moved.add(new Held(inA, 64, 64));
                long inUse = 0;
                for (Held h : moved) {
                    inUse += hedra.usableSize(h.address());
                }
                assertEquals(inUse, a.stats().bytesInUse(), "the moved blocks are a's: " + a.stats());
                assertEquals(0, b.stats().bytesInUse(), "b gave its blocks away: " + b.stats());
                b.close(); // frees nothing of a's
                for (Held h : moved) {
                    Blocks.assertPattern(h.address(), h.size(), h.seed(), "moved block after b closed");
                }
                long committed = hedra.stats().bytesCommitted();
                a.close();
                assertTrue(hedra.stats().bytesCommitted() < committed, "a's close gave its memory back");
                CheckedAllocator.assertBalanced(hedra.stats());
                assertEquals(0, hedra.stats().liveBlocks(), hedra.stats()::toString);
            });
        }
    }

    // ---- segments

    @ParameterizedTest
    @MethodSource("freshSpecs")
    void segments(AllocatorSpec spec) {
        try (NativeAllocator hedra = spec.open(); NativeHeap heap = hedra.newHeap("segments")) {
            MemorySegment block = heap.allocate(100, 16);
            assertEquals(100, block.byteSize());
            Blocks.assertAligned(block.address(), 16, "heap.allocate(100, 16)");
            block.fill((byte) 7);
            MemorySegment page = heap.allocate(40_000, 4096);
            assertEquals(40_000, page.byteSize());
            Blocks.assertAligned(page.address(), 4096, "heap.allocate(40000, 4096)");
            MemorySegment empty = heap.allocate(0, 8);
            assertEquals(0, empty.byteSize());
            // The SegmentAllocator conveniences go through allocate(size, alignment).
            MemorySegment word = heap.allocate(ValueLayout.JAVA_LONG);
            word.set(ValueLayout.JAVA_LONG, 0, 42);
            MemorySegment text = heap.allocateFrom("first-class");
            assertEquals("first-class", text.getString(0));
            Thread other = Thread.ofPlatform().unstarted(() -> { });
            assertTrue(block.isAccessibleBy(other), "global scope: any thread may use the segment");
            assertEquals(5, heap.stats().liveBlocks());
            for (MemorySegment segment : List.of(block, page, empty, word, text)) {
                heap.free(segment);
            }
            assertEquals(0, heap.stats().liveBlocks());
            assertEquals(0, heap.stats().bytesInUse());
            assertThrows(IllegalArgumentException.class, () -> heap.allocate(-1, 8));
            assertThrows(IllegalArgumentException.class, () -> heap.allocate(64, 3));
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment foreign = arena.allocate(64);
                assertThrows(IllegalArgumentException.class, () -> heap.free(foreign));
            }
            assertThrows(IllegalArgumentException.class, () -> heap.free(MemorySegment.ofArray(new byte[16])));
            // A segment that claims more bytes than the block has is not the heap's segment.
            MemorySegment small = heap.allocate(64, 8);
            MemorySegment stretched = small.reinterpret(100_000);
            assertThrows(IllegalArgumentException.class, () -> heap.free(stretched));
            heap.free(small);
        }
    }

    // ---- threads

    /** Four threads allocate from one heap at once and free each other's blocks. */
    @ParameterizedTest
    @EnumSource(ThreadKind.class)
    void severalThreadsShareOneHeap(ThreadKind kind) {
        severalThreads(i -> kind);
    }

    @Test
    void platformAndVirtualThreadsShareOneHeap() {
        severalThreads(i -> i % 2 == 0 ? ThreadKind.PLATFORM : ThreadKind.VIRTUAL);
    }

    private void severalThreads(java.util.function.IntFunction<ThreadKind> kindOf) {
        int threads = 4;
        int operations = 30_000;
        try (NativeAllocator hedra = CheckedAllocator.open(); NativeHeap heap = hedra.newHeap("shared")) {
            NativeAllocator raw = CheckedAllocator.delegateOf(hedra);
            Overlaps overlaps = new Overlaps();
            ConcurrentLinkedQueue<Held> handOff = new ConcurrentLinkedQueue<>();
            List<ThreadKind.Body> bodies = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                long seed = 0x4EA9L + t;
                bodies.add(() -> {
                    SplitMix64 random = new SplitMix64(seed);
                    List<Held> mine = new ArrayList<>();
                    for (int op = 0; op < operations; op++) {
                        if (mine.isEmpty() || mine.size() < 500 && random.percent(55)) {
                            long size = random.oneIn(100) ? random.between(32 * KiB + 1, 100 * KiB)
                                    : random.between(1, 2000);
                            long address = switch (random.nextInt(3)) {
                                case 0 -> heap.malloc(size);
                                case 1 -> heap.calloc(size);
                                default -> heap.malloc(size, 64);
                            };
                            overlaps.add(address, size);
                            Blocks.writeCookie(address, size);
                            Held held = new Held(address, size, 0);
                            if (random.oneIn(4)) {
                                handOff.add(held); // some other thread frees it
                            } else {
                                mine.add(held);
                            }
                        } else {
                            Held held = random.oneIn(3) ? handOff.poll() : null;
                            if (held == null) {
                                held = mine.remove(random.nextInt(mine.size()));
                            }
                            free(heap, raw, overlaps, held, random);
                        }
                    }
                    for (Held held : mine) {
                        free(heap, raw, overlaps, held, random);
                    }
                });
            }
            ThreadKind.runAll(Duration.ofSeconds(100), bodies, kindOf);
            SplitMix64 random = new SplitMix64(7);
            for (Held held = handOff.poll(); held != null; held = handOff.poll()) {
                free(heap, raw, overlaps, held, random);
            }
            assertEquals(0, heap.stats().bytesInUse(), heap.stats()::toString);
            assertTrue(heap.stats().allocations() > 0);
        }
    }

    /** Checks the cookie, forgets the block, frees it one of three ways. */
    private static void free(NativeHeap heap, NativeAllocator raw, Overlaps overlaps, Held held, SplitMix64 random) {
        Blocks.checkCookie(held.address(), held.size());
        overlaps.remove(held.address());
        switch (random.nextInt(3)) {
            case 0 -> heap.free(held.address());
            case 1 -> heap.free(held.address(), held.size());
            default -> raw.free(held.address()); // the allocator's free takes a heap's block too
        }
    }

    /** Blocks of a heap freed through the allocator by other threads come back to the heap. */
    @ParameterizedTest
    @EnumSource(ThreadKind.class)
    void blocksFreedByOtherThreadsThroughTheAllocatorAreReused(ThreadKind kind) {
        try (NativeAllocator hedra = CheckedAllocator.open()) {
            NativeAllocator raw = CheckedAllocator.delegateOf(hedra);
            // One heap per size, and under 4 MiB per size: pages that empty are then kept for
            // reuse (past the empty-page budget they go back to the system, by design).
            for (long size : new long[] {64, 1000, 8000}) {
                NativeHeap heap = hedra.newHeap("reused-" + size);
                int count = size < 8000 ? 3000 : 400;
                Set<Long> first = new HashSet<>();
                List<Long> addresses = new ArrayList<>();
                for (int i = 0; i < count; i++) {
                    long address = heap.malloc(size);
                    Blocks.writeCookie(address, size);
                    first.add(address);
                    addresses.add(address);
                }
                long committed = hedra.stats().bytesCommitted();
                List<ThreadKind.Body> freers = new ArrayList<>();
                for (int t = 0; t < 2; t++) {
                    List<Long> half = addresses.subList(t * count / 2, (t + 1) * count / 2);
                    freers.add(() -> {
                        for (long address : half) {
                            Blocks.checkCookie(address, size);
                            if (address % 3 == 0) {
                                raw.free(address, size);
                            } else {
                                raw.free(address);
                            }
                        }
                    });
                }
                kind.runAll(Duration.ofSeconds(60), freers);
                assertEquals(0, heap.stats().bytesInUse(), "remote frees are not in use any more: " + heap.stats());
                CheckedAllocator.assertBalanced(hedra.stats());
                List<Long> again = new ArrayList<>();
                for (int i = 0; i < count; i++) {
                    again.add(heap.malloc(size));
                }
                // The current page's never-used blocks come first (at most a page: 64 KiB or 64
                // blocks), then the collected ones.
                long reused = again.stream().filter(first::contains).count();
                long onePage = Math.max(64, 64 * KiB / hedra.usableSize(again.get(0)));
                assertTrue(reused >= count - onePage, "the heap should reuse the blocks freed remotely: "
                        + reused + " of " + count + " for " + size);
                assertEquals(committed, hedra.stats().bytesCommitted(), "no new memory for " + size);
                again.forEach(heap::free);
                heap.close();
            }
        }
    }

    /**
     * The heap's own counters follow its blocks wherever they are freed: freed through the
     * allocator by another thread, or moved to another heap by its realloc.
     */
    @ParameterizedTest(name = "{0} bytes")
    @MethodSource("sizes")
    void heapLiveBlocksDropWhenTheAllocatorFreesTheHeapsBlocks(long size) {
        try (NativeAllocator hedra = CheckedAllocator.open()) {
            NativeAllocator raw = CheckedAllocator.delegateOf(hedra);
            NativeHeap heap = hedra.newHeap("counted");
            List<Long> blocks = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                blocks.add(heap.malloc(size));
            }
            ThreadKind.PLATFORM.runOne(Duration.ofSeconds(30), () -> blocks.forEach(raw::free));
            AllocatorStats.HeapStats stats = heap.stats();
            assertEquals(0, stats.bytesInUse(), stats::toString);
            assertEquals(0, stats.liveBlocks(),
                    "heap.stats().liveBlocks() after all its blocks were freed through the allocator: " + stats);
            heap.close();
        }
    }

    /** The documented contract: "Per heap it is exact". */
    @Test
    void heapPeakBytesInUseIsSampledWhenMemoryGrowsAndWhenRead() {
        try (NativeAllocator hedra = CheckedAllocator.open(); NativeHeap heap = hedra.newHeap("peak")) {
            List<Long> blocks = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                blocks.add(heap.malloc(64));
            }
            assertEquals(640, heap.stats().bytesInUse());
            blocks.forEach(heap::free);
            AllocatorStats.HeapStats stats = heap.stats();
            assertEquals(0, stats.bytesInUse());
            assertTrue(stats.peakBytesInUse() >= 640, "the heap held 640 bytes at its peak: " + stats);
        }
    }

    @Test
    void heapLiveBlocksFollowABlockMovedByAnotherHeapsRealloc() {
        try (NativeAllocator hedra = CheckedAllocator.open()) {
            NativeHeap from = hedra.newHeap("from");
            NativeHeap to = hedra.newHeap("to");
            long moved = to.realloc(from.malloc(64), 500);
            assertEquals(0, from.stats().liveBlocks(), "the block left this heap: " + from.stats());
            assertEquals(1, to.stats().liveBlocks(), "the block is this heap's now: " + to.stats());
            to.free(moved);
            from.close();
            to.close();
        }
    }

    // ---- close

    @ParameterizedTest
    @MethodSource("freshSpecs")
    void closeFreesEverythingAtOnce(AllocatorSpec spec) {
        try (NativeAllocator hedra = spec.open()) {
            // Blocks of the allocator itself, which the close must not touch.
            List<Long> own = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                long address = hedra.malloc(64 + i);
                Blocks.writeCookie(address, 64 + i);
                own.add(address);
            }
            AllocatorStats before = hedra.stats();
            NativeHeap heap = hedra.newHeap("closed at once");
            NativeAllocator raw = CheckedAllocator.delegateOf(hedra);
            SplitMix64 random = new SplitMix64(42);
            List<Long> blocks = new ArrayList<>();
            for (int i = 0; i < 20_000; i++) {
                long size = random.oneIn(500) ? random.between(32 * KiB + 1, 2 * MiB)
                        : random.between(1, 4000);
                blocks.add(heap.malloc(size));
            }
            blocks.add(heap.malloc(3 * MiB));
            blocks.add(heap.malloc(5 * MiB, 4 * MiB));
            blocks.add(heap.calloc(100));
            for (int i = 0; i < blocks.size(); i += 3) {
                heap.free(blocks.get(i));
            }
            // Some freed by another thread through the allocator, not yet collected by the heap.
            List<Long> remote = new ArrayList<>();
            for (int i = 1; i < blocks.size(); i += 7) {
                if (i % 3 == 0) {
                    continue; // already freed above
                }
                remote.add(blocks.get(i));
            }
            ThreadKind.PLATFORM.runOne(Duration.ofSeconds(30), () -> remote.forEach(raw::free));
            AllocatorStats.HeapStats heapStats = heap.stats();
            AllocatorStats full = hedra.stats();
            CheckedAllocator.assertBalanced(full);
            long heapLive = full.liveBlocks() - before.liveBlocks();
            assertTrue(heapLive > 10_000, "the heap holds blocks: " + full);
            assertEquals(before.bytesInUse() + heapStats.bytesInUse(), full.bytesInUse(), full::toString);
            assertTrue(full.bytesCommitted() > before.bytesCommitted() + 20 * MiB, full::toString);

            heap.close();

            AllocatorStats after = hedra.stats();
            CheckedAllocator.assertBalanced(after);
            assertEquals(full.liveBlocks() - heapLive, after.liveBlocks(), "live blocks drop by the heap's: " + after);
            assertEquals(before.liveBlocks(), after.liveBlocks(), after::toString);
            assertEquals(full.bytesInUse() - heapStats.bytesInUse(), after.bytesInUse(), after::toString);
            assertEquals(before.bytesCommitted(), after.bytesCommitted(), "all of the heap's memory is back: " + after);
            assertEquals(full.allocations(), after.allocations(), "closing allocates nothing");
            assertFalse(after.heaps().stream().anyMatch(h -> h.name().equals("closed at once")),
                    "a closed heap is not listed: " + after);
            heap.close(); // again: nothing happens
            for (int i = 0; i < own.size(); i++) {
                Blocks.checkCookie(own.get(i), 64 + i);
                hedra.free(own.get(i), 64 + i);
            }
        }
    }

    /** Heap A's and heap B's blocks, allocated alternately, share no 64 KiB unit of memory. */
    @ParameterizedTest
    @MethodSource("freshSpecs")
    void blocksOfOneHeapStayTogether(AllocatorSpec spec) {
        try (NativeAllocator hedra = spec.open();
                NativeHeap a = hedra.newHeap("a");
                NativeHeap b = hedra.newHeap("b")) {
            for (long size : new long[] {8, 48, 100, 1000, 40_000}) {
                int count = size < 32 * KiB ? 5000 : 50;
                List<Long> blocksA = new ArrayList<>();
                List<Long> blocksB = new ArrayList<>();
                List<Long> blocksThread = new ArrayList<>();
                for (int i = 0; i < count; i++) {
                    blocksA.add(a.malloc(size));
                    blocksB.add(b.malloc(size));
                    blocksThread.add(hedra.malloc(size));
                }
                Set<Long> unitsA = units(blocksA, size);
                Set<Long> unitsB = units(blocksB, size);
                Set<Long> unitsThread = units(blocksThread, size);
                assertDisjoint(unitsA, unitsB, "heaps a and b, " + size + " bytes");
                assertDisjoint(unitsA, unitsThread, "heap a and the thread's heap, " + size + " bytes");
                assertDisjoint(unitsB, unitsThread, "heap b and the thread's heap, " + size + " bytes");
                // Together: the blocks fill few units, about as many as their bytes need.
                long usable = hedra.usableSize(blocksA.get(0));
                long needed = (count * usable + 64 * KiB - 1) / (64 * KiB);
                assertTrue(unitsA.size() <= needed + 2 + (size < 32 * KiB ? 0 : 64),
                        "heap a's " + count + " blocks of " + size + " bytes span " + unitsA.size() + " units");
                blocksA.forEach(a::free);
                blocksB.forEach(b::free);
                blocksThread.forEach(hedra::free);
            }
        }
    }

    private static Set<Long> units(List<Long> blocks, long size) {
        Set<Long> units = new HashSet<>();
        for (long address : blocks) {
            for (long unit = address >>> 16; unit <= (address + size - 1) >>> 16; unit++) {
                units.add(unit);
            }
        }
        return units;
    }

    private static void assertDisjoint(Set<Long> x, Set<Long> y, String what) {
        Set<Long> shared = new HashSet<>(x);
        shared.retainAll(y);
        assertTrue(shared.isEmpty(), () -> what + " share " + shared.size() + " 64 KiB units, e.g. 0x"
                + Long.toHexString(shared.iterator().next() << 16));
    }

    @ParameterizedTest
    @MethodSource("freshSpecs")
    void thousandHeapsCreatedAndClosedLeaveNothingBehind(AllocatorSpec spec) {
        try (NativeAllocator hedra = spec.open()) {
            // One heap first: the first close adds the "destroyed heaps" line that keeps the
            // retired counters, once.
            churn(hedra, 0);
            AllocatorStats before = hedra.stats();
            for (int i = 1; i <= 1000; i++) {
                churn(hedra, i);
            }
            AllocatorStats after = hedra.stats();
            CheckedAllocator.assertBalanced(after);
            assertEquals(before.heaps().size(), after.heaps().size(), after::toString);
            assertEquals(before.bytesCommitted(), after.bytesCommitted(), after::toString);
            assertEquals(before.liveBlocks(), after.liveBlocks(), after::toString);
            assertTrue(after.allocations() > before.allocations());
        }
    }

    private static void churn(NativeAllocator hedra, int i) {
        NativeHeap heap = hedra.newHeap("churn-" + i);
        heap.malloc(16);
        heap.malloc(300 + i);
        if (i % 10 == 0) {
            heap.malloc(50_000);
        }
        if (i % 100 == 0) {
            heap.malloc(3 * MiB);
        }
        heap.free(heap.malloc(64));
        heap.close();
    }

    // ---- bad input

    @Test
    void useOfAClosedHeapThrowsNamingIt() {
        try (NativeAllocator hedra = CheckedAllocator.open()) {
            NativeAllocator raw = CheckedAllocator.delegateOf(hedra);
            NativeHeap live = hedra.newHeap("live");
            NativeHeap heap = hedra.newHeap("closed-heap-42");
            long block = heap.malloc(64);
            heap.close();
            long other = live.malloc(64);
            MemorySegment otherSegment = live.allocate(64, 8);
            List<Executable> calls = List.of(
                    () -> heap.malloc(64),
                    () -> heap.malloc(64, 64),
                    () -> heap.calloc(64),
                    () -> heap.realloc(0, 64),
                    () -> heap.realloc(other, 128),
                    () -> heap.free(other),
                    () -> heap.free(other, 64),
                    () -> heap.free(block),
                    () -> heap.allocate(64, 8),
                    () -> heap.allocate(ValueLayout.JAVA_INT),
                    () -> heap.free(otherSegment),
                    heap::stats);
            for (int i = 0; i < calls.size(); i++) {
                int call = i;
                IllegalStateException thrown = assertThrows(IllegalStateException.class, calls.get(i),
                        () -> "call " + call + " on a closed heap");
                assertTrue(thrown.getMessage().contains("closed-heap-42"),
                        () -> "call " + call + ": the message should name the heap: " + thrown.getMessage());
            }
            assertEquals("closed-heap-42", heap.name());
            heap.close(); // a second close is allowed
            // The bad calls changed nothing: the other heap's blocks are still live.
            assertEquals(2, live.stats().liveBlocks());
            live.free(other);
            live.free(otherSegment);
            live.close();
            assertEquals(0, raw.stats().liveBlocks());
        }
    }

    /** After close, its blocks are nobody's: the allocator and other heaps reject them. */
    @ParameterizedTest(name = "{0} bytes")
    @MethodSource("sizes")
    void freeOfAClosedHeapsBlockIsRejected(long size) {
        try (NativeAllocator hedra = CheckedAllocator.open()) {
            NativeAllocator raw = CheckedAllocator.delegateOf(hedra);
            NativeHeap other = hedra.newHeap("other");
            long kept = other.malloc(size); // so that other's pages exist before the close
            NativeHeap heap = hedra.newHeap("gone");
            long block = heap.malloc(size);
            heap.close();
            // Nothing allocates between the close and the bad frees, so the address is not reused.
            AllocatorStats before = raw.stats();
            List<Executable> calls = List.of(
                    () -> raw.free(block),
                    () -> raw.free(block, size),
                    () -> other.free(block),
                    () -> other.free(block, size),
                    () -> raw.usableSize(block),
                    () -> raw.realloc(block, size + 100),
                    () -> ThreadKind.PLATFORM.runOne(Duration.ofSeconds(10), () -> raw.free(block)),
                    () -> ThreadKind.VIRTUAL.runOne(Duration.ofSeconds(10), () -> raw.free(block)));
            for (int i = 0; i < calls.size(); i++) {
                int call = i;
                IllegalArgumentException thrown = assertThrows(IllegalArgumentException.class, calls.get(i),
                        () -> "call " + call + " with a block of a closed heap (" + size + " bytes)");
                Messages.assertNamesAddress(thrown, block);
            }
            AllocatorStats after = raw.stats();
            assertEquals(before.allocations(), after.allocations());
            assertEquals(before.frees(), after.frees());
            other.free(kept);
            other.close();
        }
    }

    static Stream<Long> sizes() {
        return Stream.of(64L, 3000L, 40_000L, 3 * MiB);
    }

    @ParameterizedTest(name = "{0} bytes")
    @MethodSource("sizes")
    void doubleFreeIsCaught(long size) {
        try (NativeAllocator hedra = CheckedAllocator.open(); NativeHeap heap = hedra.newHeap("double")) {
            NativeAllocator raw = CheckedAllocator.delegateOf(hedra);
            long keep = heap.malloc(size);
            Blocks.writeCookie(keep, size);
            long block = heap.malloc(size);
            heap.free(block);
            AllocatorStats.HeapStats before = heap.stats();
            // Small blocks: the bitmap says free (IllegalStateException). A freed medium or huge
            // block may be merged or unmapped already: "not a block" is also a fair answer.
            List<Class<? extends RuntimeException>> allowed = SizeClassOracle.isSmall(size)
                    ? List.of(IllegalStateException.class)
                    : List.of(IllegalStateException.class, IllegalArgumentException.class);
            assertRejected(allowed, () -> heap.free(block), block, "heap.free twice");
            assertRejected(allowed, () -> heap.free(block, size), block, "heap.free(address, size) twice");
            assertRejected(allowed, () -> raw.free(block), block, "heap.free, then allocator.free");
            assertRejected(allowed,
                    () -> ThreadKind.PLATFORM.runOne(Duration.ofSeconds(10), () -> raw.free(block)), block,
                    "heap.free, then allocator.free on another thread");
            assertEquals(before, heap.stats(), "rejected frees change no counter");
            Blocks.checkCookie(keep, size);
            heap.free(keep);
        }
    }

    @ParameterizedTest(name = "{0} bytes")
    @MethodSource("sizes")
    void interiorAddressIsRejected(long size) {
        try (NativeAllocator hedra = CheckedAllocator.open(); NativeHeap heap = hedra.newHeap("interior")) {
            long block = heap.malloc(size);
            Blocks.writeCookie(block, size);
            for (long offset : new long[] {8, 16, size / 2 & -4096L, size - 8}) {
                if (offset == 0) {
                    continue;
                }
                long inside = block + offset;
                List<Class<? extends RuntimeException>> argument = List.of(IllegalArgumentException.class);
                assertRejected(argument, () -> heap.free(inside), inside, "heap.free(block + " + offset + ")");
                assertRejected(argument, () -> heap.free(inside, size - offset), inside,
                        "heap.free(block + " + offset + ", size)");
            }
            assertEquals(1, heap.stats().liveBlocks());
            Blocks.checkCookie(block, size);
            heap.free(block, size);
        }
    }

    @ParameterizedTest(name = "{0} bytes")
    @MethodSource("sizes")
    void sizedFreeWithTheWrongSizeIsRejected(long size) {
        try (NativeAllocator hedra = CheckedAllocator.open(); NativeHeap heap = hedra.newHeap("sized")) {
            long block = heap.malloc(size);
            // Larger sizes only for small blocks: a smaller size may be an aligned request's.
            long[] wrong = SizeClassOracle.isSmall(size)
                    ? new long[] {size * 2 + 4096, size + 64 * KiB}
                    : new long[] {size * 2 + 4096, size + 64 * KiB, 100};
            for (long bad : wrong) {
                IllegalArgumentException thrown = assertThrows(IllegalArgumentException.class,
                        () -> heap.free(block, bad), () -> "free(malloc(" + size + "), " + bad + ")");
                Messages.assertNamesNumber(thrown, bad);
            }
            for (long bad : new long[] {0, -1, Long.MIN_VALUE, Long.MAX_VALUE}) {
                IllegalArgumentException thrown = assertThrows(IllegalArgumentException.class,
                        () -> heap.free(block, bad), () -> "free(malloc(" + size + "), " + bad + ")");
                Messages.assertNamesNumber(thrown, bad);
            }
            assertEquals(1, heap.stats().liveBlocks(), "the rejected frees left the block live");
            heap.free(block, size);
            assertEquals(0, heap.stats().liveBlocks());
        }
    }

    @Test
    void badArguments() {
        try (NativeAllocator hedra = CheckedAllocator.open(); NativeHeap heap = hedra.newHeap("args")) {
            assertThrows(IllegalArgumentException.class, () -> hedra.newHeap(null));
            assertThrows(IllegalArgumentException.class, () -> hedra.newHeap(""));
            assertThrows(IllegalArgumentException.class, () -> hedra.newHeap("  "));
            for (long bad : new long[] {0, -1, Long.MIN_VALUE, Long.MAX_VALUE}) {
                Messages.assertNamesNumber(assertThrows(IllegalArgumentException.class, () -> heap.malloc(bad)), bad);
                assertThrows(IllegalArgumentException.class, () -> heap.calloc(bad));
                assertThrows(IllegalArgumentException.class, () -> heap.malloc(bad, 64));
            }
            assertThrows(IllegalArgumentException.class, () -> heap.free(0));
            assertThrows(IllegalArgumentException.class, () -> heap.free(0x1000));
            long block = heap.malloc(64);
            assertThrows(IllegalArgumentException.class, () -> heap.realloc(block, 0));
            assertThrows(IllegalArgumentException.class, () -> heap.realloc(block, -5));
            assertEquals(1, heap.stats().liveBlocks());
            heap.free(block);
            assertEquals(0, heap.stats().allocations() - heap.stats().frees());
        }
    }

    /** A pool's block is not a heap's: the heap rejects it and the pool keeps it. */
    @Test
    void aPoolBlockGivenToAHeapIsRejected() {
        try (NativeAllocator hedra = CheckedAllocator.open();
                NativeHeap heap = hedra.newHeap("not-a-pool");
                FixedPool pool = hedra.newPool(64)) {
            long block = pool.allocate();
            assertThrows(IllegalArgumentException.class, () -> heap.free(block));
            assertThrows(IllegalArgumentException.class, () -> heap.free(block, 64));
            assertThrows(IllegalArgumentException.class, () -> heap.realloc(block, 128));
            assertEquals(1, pool.liveBlocks());
            assertEquals(0, heap.stats().liveBlocks(), "the failed realloc undid its allocation");
            pool.free(block);
        }
    }

    @Test
    void heapOfAClosedAllocatorThrows() {
        NativeAllocator hedra = Hedra.builder().name("closing").build();
        NativeHeap heap = hedra.newHeap("orphan");
        long block = heap.malloc(64);
        Blocks.writeCookie(block, 64);
        hedra.close();
        assertThrows(IllegalStateException.class, () -> heap.malloc(64));
        assertThrows(IllegalStateException.class, () -> heap.malloc(100_000));
        assertThrows(IllegalStateException.class, () -> hedra.newHeap("late"));
        heap.close(); // nothing left to free, and no crash
    }

    // ---- helpers

    private static void assertRejected(List<Class<? extends RuntimeException>> allowed, Executable call,
            long address, String what) {
        Throwable thrown = null;
        try {
            call.execute();
        } catch (Throwable t) {
            thrown = t;
        }
        if (thrown == null) {
            fail(what + " should have thrown one of " + allowed);
        }
        Throwable caught = thrown;
        if (allowed.stream().noneMatch(type -> type.isInstance(caught))) {
            throw new AssertionError(what + " threw " + Messages.describe(caught) + ", expected " + allowed, caught);
        }
        Messages.assertNamesAddress(caught, address);
    }

    /**
     * Requested bytes of the live blocks of several threads, to catch two live blocks that
     * overlap. A block is removed before it is freed, so a reused address is never a false alarm.
     */
    static final class Overlaps {
        private final ConcurrentSkipListMap<Long, Long> live = new ConcurrentSkipListMap<>();

        void add(long address, long size) {
            long end = address + Math.max(size, 1);
            Map.Entry<Long, Long> below = live.floorEntry(end - 1);
            if (below != null && below.getValue() > address) {
                fail("block " + Blocks.hex(address) + " (" + size + " bytes) overlaps the live block "
                        + Blocks.hex(below.getKey()) + " (" + (below.getValue() - below.getKey()) + " bytes)");
            }
            if (live.putIfAbsent(address, end) != null) {
                fail("block " + Blocks.hex(address) + " handed out twice");
            }
        }

        void remove(long address) {
            live.remove(address);
        }
    }
}
