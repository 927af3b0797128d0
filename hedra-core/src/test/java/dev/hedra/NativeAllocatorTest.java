package dev.hedra;

import static dev.hedra.SizeClassOracle.KiB;
import static dev.hedra.SizeClassOracle.MiB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The raw API method by method, over the matrix of configurations ({@link AllocatorSpec}) and
 * thread kinds ({@link ThreadKind}). Every test runs on its own allocator, checked after the test
 * by {@link CheckedAllocator}.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class NativeAllocatorTest {

    static Stream<Arguments> matrix() {
        return Arrays.stream(AllocatorSpec.values())
                .flatMap(spec -> Arrays.stream(ThreadKind.values()).map(kind -> Arguments.of(spec, kind)));
    }

    /** Opens the spec's allocator, runs the body on a thread of the kind, validates and closes. */
    private static void check(AllocatorSpec spec, ThreadKind kind, Consumer<NativeAllocator> body) {
        try (NativeAllocator hedra = spec.open()) {
            kind.runOne(Duration.ofSeconds(100), () -> body.accept(hedra));
        }
    }

    private record Held(long address, long size, long seed) {}

    // ---- malloc, usableSize, alignment, size classes

    @ParameterizedTest
    @MethodSource("matrix")
    void everySmallSizeClassBoundary(AllocatorSpec spec, ThreadKind kind) {
        check(spec, kind, hedra -> {
            List<Long> sizes = new ArrayList<>();
            for (long size = 1; size <= 8; size++) {
                sizes.add(size);
            }
            for (long c : SizeClassOracle.SMALL_CLASSES) {
                sizes.add(c - 1);
                sizes.add(c);
                sizes.add(c + 1);
            }
            List<Held> held = new ArrayList<>();
            for (long size : sizes) {
                long address = hedra.malloc(size);
                long usable = hedra.usableSize(address);
                long expected = spec.usableSize(size);
                assertEquals(expected, usable, () -> "usableSize(malloc(" + size + "))");
                Blocks.assertAligned(address, spec.alignment(usable), "malloc(" + size + ")");
                // The whole usable size is the caller's: fill it and check it later for overlaps.
                Blocks.fill(address, usable, size);
                held.add(new Held(address, usable, size));
            }
            for (Held h : held) {
                Blocks.assertPattern(h.address(), h.size(), h.seed(), "class boundary " + h.seed());
            }
            for (int i = 0; i < held.size(); i++) {
                Held h = held.get(i);
                long requested = sizes.get(i);
                if (i % 2 == 0) {
                    hedra.free(h.address(), requested);
                } else {
                    hedra.free(h.address());
                }
            }
        });
    }

    @ParameterizedTest
    @MethodSource("matrix")
    void mediumAndHugeBoundaries(AllocatorSpec spec, ThreadKind kind) {
        check(spec, kind, hedra -> {
            long[] sizes = {
                32 * KiB, 32 * KiB + 1, 36 * KiB, 36 * KiB + 1, 100_000, MiB, 2 * MiB - 1, 2 * MiB,
                2 * MiB + 1, 3 * MiB, 8 * MiB + 3
            };
            List<Held> held = new ArrayList<>();
            for (long size : sizes) {
                long address = hedra.malloc(size);
                long usable = hedra.usableSize(address);
                if (SizeClassOracle.isHuge(size)) {
                    long most = SizeClassOracle.roundUp(size, 2 * MiB);
                    assertTrue(usable >= size && usable <= most,
                            () -> "usableSize(malloc(" + size + ")) = " + usable + ", expected in [" + size + ", " + most + "]");
                } else {
                    assertEquals(spec.usableSize(size), usable, () -> "usableSize(malloc(" + size + "))");
                }
                Blocks.assertAligned(address, spec.alignment(usable), "malloc(" + size + ")");
                Blocks.fill(address, usable, size);
                held.add(new Held(address, usable, size));
            }
            for (Held h : held) {
                Blocks.assertPattern(h.address(), h.size(), h.seed(), "malloc(" + h.seed() + ")");
            }
            boolean sized = true;
            for (Held h : held) {
                if (sized) {
                    hedra.free(h.address(), h.seed());
                } else {
                    hedra.free(h.address());
                }
                sized = !sized;
            }
        });
    }

    /** Blocks of a small class pack end to end with no header. */
    @ParameterizedTest
    @EnumSource(value = AllocatorSpec.class, names = {"DEFAULT", "MINIMUM_ALIGNMENT_16"})
    void smallBlocksPackEndToEnd(AllocatorSpec spec) {
        try (NativeAllocator hedra = spec.open()) {
            for (long size : new long[] {8, 16, 24, 48, 64, 100, 128, 144, 1000, 1024}) {
                long usable = spec.usableSize(size);
                long[] addresses = new long[100];
                for (int i = 0; i < addresses.length; i++) {
                    addresses[i] = hedra.malloc(size);
                }
                int adjacent = 0;
                for (int i = 1; i < addresses.length; i++) {
                    if (Math.abs(addresses[i] - addresses[i - 1]) == usable) {
                        adjacent++;
                    }
                }
                int found = adjacent;
                assertTrue(found >= 80, () -> "only " + found + " of 99 consecutive malloc(" + size
                        + ") are " + usable + " bytes apart: blocks should pack end to end");
                for (long address : addresses) {
                    hedra.free(address, size);
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("matrix")
    void alignedMalloc(AllocatorSpec spec, ThreadKind kind) {
        check(spec, kind, hedra -> {
            long[] sizes = {1, 8, 24, 100, 4096, 5000, 40_000, 3 * MiB};
            List<Held> held = new ArrayList<>();
            for (long size : sizes) {
                for (long alignment = 1; alignment <= MiB; alignment *= 2) {
                    long address = hedra.malloc(size, alignment);
                    String what = "malloc(" + size + ", " + alignment + ")";
                    Blocks.assertAligned(address, alignment, what);
                    Blocks.assertAligned(address, spec.minimumAlignment, what);
                    long usable = hedra.usableSize(address);
                    assertTrue(usable >= size, () -> "usableSize(" + what + ") = " + usable);
                    long seed = size * 31 + alignment;
                    Blocks.fill(address, size, seed);
                    held.add(new Held(address, size, seed));
                }
            }
            for (int i = 0; i < held.size(); i++) {
                Held h = held.get(i);
                Blocks.assertPattern(h.address(), h.size(), h.seed(), "aligned block");
                if (i % 2 == 0) {
                    hedra.free(h.address(), h.size());
                } else {
                    hedra.free(h.address());
                }
            }
        });
    }

    @ParameterizedTest
    @MethodSource("matrix")
    void defaultAlignmentOfMallocWithAlignmentOne(AllocatorSpec spec, ThreadKind kind) {
        check(spec, kind, hedra -> {
            for (long size : new long[] {24, 48, 64, 4096}) {
                long address = hedra.malloc(size, 1);
                Blocks.assertAligned(address, spec.minimumAlignment, "malloc(" + size + ", 1)");
                hedra.free(address, size);
            }
        });
    }

    // ---- realloc

    @ParameterizedTest
    @MethodSource("matrix")
    void reallocPreservesContentsAcrossKinds(AllocatorSpec spec, ThreadKind kind) {
        check(spec, kind, hedra -> {
            long[] sizes = {5, 24, 100, 3000, 32 * KiB, 40_000, MiB, 2 * MiB + 1, 5 * MiB};
            for (long from : sizes) {
                for (long to : sizes) {
                    long seed = from * 1_000_003L + to;
                    long address = hedra.malloc(from);
                    Blocks.fill(address, from, seed);
                    long moved = hedra.realloc(address, to);
                    String what = "realloc(malloc(" + from + "), " + to + ")";
                    Blocks.assertPattern(moved, Math.min(from, to), seed, what);
                    long usable = hedra.usableSize(moved);
                    assertTrue(usable >= to, () -> "usableSize(" + what + ") = " + usable);
                    Blocks.assertAligned(moved, spec.minimumAlignment, what);
                    // The new size is the caller's now: write it all, then free with it.
                    Blocks.fill(moved, to, ~seed);
                    Blocks.assertPattern(moved, to, ~seed, what);
                    hedra.free(moved, to);
                }
            }
        });
    }

    @ParameterizedTest
    @MethodSource("matrix")
    void reallocChainGrowsAndShrinks(AllocatorSpec spec, ThreadKind kind) {
        check(spec, kind, hedra -> {
            long[] chain = {8, 16, 17, 136, 129, 257, 4000, 32 * KiB, 33 * KiB, 2 * MiB, 3 * MiB, 64, 3 * MiB,
                40_000, 8, 2 * MiB + 4096, 100};
            long seed = 42;
            long size = chain[0];
            long address = hedra.malloc(size);
            Blocks.fill(address, size, seed);
            for (int i = 1; i < chain.length; i++) {
                long next = chain[i];
                address = hedra.realloc(address, next);
                Blocks.assertPattern(address, Math.min(size, next), seed, "step " + i + ": " + size + " -> " + next);
                seed++;
                Blocks.fill(address, next, seed);
                size = next;
            }
            hedra.free(address, size);
        });
    }

    @ParameterizedTest
    @MethodSource("matrix")
    void reallocOfZeroActsAsMalloc(AllocatorSpec spec, ThreadKind kind) {
        check(spec, kind, hedra -> {
            for (long size : new long[] {1, 100, 40_000, 3 * MiB}) {
                long liveBefore = hedra.stats().liveBlocks();
                long address = hedra.realloc(0, size);
                assertNotEquals(0, address);
                assertTrue(hedra.usableSize(address) >= size);
                if (SizeClassOracle.isSmall(size) || SizeClassOracle.isMedium(size)) {
                    assertEquals(spec.usableSize(size), hedra.usableSize(address), "realloc(0, " + size + ")");
                }
                assertEquals(liveBefore + 1, hedra.stats().liveBlocks(), "realloc(0, n) counts one block");
                Blocks.fill(address, size, size);
                hedra.free(address, size);
                assertEquals(liveBefore, hedra.stats().liveBlocks());
            }
        });
    }

    @ParameterizedTest
    @MethodSource("matrix")
    void reallocKeepsLiveBlockCount(AllocatorSpec spec, ThreadKind kind) {
        check(spec, kind, hedra -> {
            long address = hedra.malloc(100);
            long live = hedra.stats().liveBlocks();
            for (long size : new long[] {200, 50, 100_000, 3 * MiB, 10}) {
                address = hedra.realloc(address, size);
                assertEquals(live, hedra.stats().liveBlocks(), () -> "live blocks after realloc to " + size);
            }
            hedra.free(address, 10);
        });
    }

    // ---- calloc

    @ParameterizedTest
    @MethodSource("matrix")
    void callocZeroesFreshBlocks(AllocatorSpec spec, ThreadKind kind) {
        check(spec, kind, hedra -> {
            List<Held> held = new ArrayList<>();
            for (long size : new long[] {1, 7, 8, 24, 100, 1000, 32 * KiB, 40_000, MiB, 3 * MiB}) {
                long address = hedra.calloc(size);
                Blocks.assertZero(address, size, "calloc(" + size + ")");
                assertTrue(hedra.usableSize(address) >= size);
                held.add(new Held(address, size, 0));
            }
            for (Held h : held) {
                hedra.free(h.address(), h.size());
            }
        });
    }

    /** Dirty a block, free it, calloc the same size until that address comes back: it is zero. */
    @ParameterizedTest
    @MethodSource("matrix")
    void callocZeroesReusedBlocks(AllocatorSpec spec, ThreadKind kind) {
        check(spec, kind, hedra -> {
            for (long size : new long[] {8, 24, 100, 1000, 32 * KiB, 40_000, MiB, 3 * MiB}) {
                long dirty = hedra.malloc(size);
                long usable = hedra.usableSize(dirty);
                Blocks.fill(dirty, usable, -1);
                hedra.free(dirty);
                List<Long> others = new ArrayList<>();
                boolean found = false;
                long budget = 64 * MiB;
                for (int attempts = 0; attempts < 100_000 && budget > 0; attempts++) {
                    long address = hedra.calloc(size);
                    Blocks.assertZero(address, size, "calloc(" + size + ") after a dirty free");
                    if (address == dirty) {
                        found = true;
                        hedra.free(address, size);
                        break;
                    }
                    others.add(address);
                    budget -= usable;
                }
                for (long other : others) {
                    hedra.free(other, size);
                }
                if (!SizeClassOracle.isHuge(size)) {
                    // Huge blocks are unmapped: their address need not come back.
                    assertTrue(found, "the freed block of " + size + " bytes was never handed out again by calloc");
                }
            }
        });
    }

    @ParameterizedTest
    @MethodSource("matrix")
    void callocZeroesAfterManyDirtyFrees(AllocatorSpec spec, ThreadKind kind) {
        check(spec, kind, hedra -> {
            SplitMix64 random = new SplitMix64(7);
            long[] sizes = new long[2000];
            long[] addresses = new long[sizes.length];
            for (int i = 0; i < sizes.length; i++) {
                sizes[i] = random.oneIn(50) ? random.between(32 * KiB + 1, 300 * KiB) : random.between(1, 2048);
                addresses[i] = hedra.malloc(sizes[i]);
                Blocks.fill(addresses[i], hedra.usableSize(addresses[i]), i);
            }
            for (int i = 0; i < sizes.length; i++) {
                hedra.free(addresses[i], sizes[i]);
            }
            for (int i = 0; i < sizes.length; i++) {
                addresses[i] = hedra.calloc(sizes[i]);
                Blocks.assertZero(addresses[i], sizes[i], "calloc(" + sizes[i] + ")");
            }
            for (int i = 0; i < sizes.length; i++) {
                hedra.free(addresses[i]);
            }
        });
    }

    // ---- sized free

    @ParameterizedTest
    @MethodSource("matrix")
    void sizedFreeAcceptsEverySizeOfTheClass(AllocatorSpec spec, ThreadKind kind) {
        check(spec, kind, hedra -> {
            for (long size : new long[] {1, 8, 97, 100, 104, 129, 144, 1000, 32 * KiB, 32 * KiB + 1, 40_000,
                2 * MiB, 2 * MiB + 1, 3 * MiB}) {
                if (SizeClassOracle.isHuge(size)) {
                    hedra.free(hedra.malloc(size), size);
                    continue;
                }
                long usable = spec.usableSize(size);
                long smallest = size;
                while (smallest > 1 && spec.usableSize(smallest - 1) == usable) {
                    smallest--;
                }
                // Any request that maps to the block's class could have produced it.
                for (long freeWith : new long[] {smallest, size, usable}) {
                    long address = hedra.malloc(size);
                    assertEquals(usable, hedra.usableSize(address), () -> "usableSize(malloc(" + size + "))");
                    hedra.free(address, freeWith);
                }
            }
        });
    }

    @ParameterizedTest
    @MethodSource("matrix")
    void sizedFreeTakesTheSizeGivenToAlignedMallocAndRealloc(AllocatorSpec spec, ThreadKind kind) {
        check(spec, kind, hedra -> {
            long aligned = hedra.malloc(24, 64);
            hedra.free(aligned, 24);
            long bigAligned = hedra.malloc(100, 4096);
            hedra.free(bigAligned, 100);
            long grown = hedra.realloc(hedra.malloc(24), 1000);
            hedra.free(grown, 1000);
            long shrunk = hedra.realloc(hedra.malloc(1000), 24);
            hedra.free(shrunk, 24);
            long shrunkMedium = hedra.realloc(hedra.malloc(MiB), 40_000);
            hedra.free(shrunkMedium, 40_000);
            long shrunkHuge = hedra.realloc(hedra.malloc(5 * MiB), 100);
            hedra.free(shrunkHuge, 100);
        });
    }

    // ---- segments

    @ParameterizedTest
    @MethodSource("matrix")
    void allocateReturnsSegmentsOfExactlyTheSize(AllocatorSpec spec, ThreadKind kind) {
        check(spec, kind, hedra -> {
            List<MemorySegment> segments = new ArrayList<>();
            for (long size : new long[] {0, 1, 7, 64, 100, 40_000, 3 * MiB}) {
                for (long alignment : new long[] {1, 8, 16, 64, 4096}) {
                    MemorySegment segment = hedra.allocate(size, alignment);
                    assertEquals(size, segment.byteSize());
                    assertTrue(segment.isNative());
                    assertTrue(segment.scope().isAlive());
                    Blocks.assertAligned(segment.address(), alignment, "allocate(" + size + ", " + alignment + ")");
                    segment.fill((byte) size);
                    segments.add(segment);
                }
            }
            Set<Long> zeroLength = new HashSet<>();
            for (MemorySegment segment : segments) {
                if (segment.byteSize() == 0) {
                    assertTrue(zeroLength.add(segment.address()),
                            () -> "two live zero-length segments share the address " + Blocks.hex(segment.address()));
                } else {
                    assertEquals(-1, segment.elements(ValueLayout.JAVA_BYTE)
                            .filter(b -> b.get(ValueLayout.JAVA_BYTE, 0) != (byte) segment.byteSize())
                            .findFirst().map(b -> 0L).orElse(-1L), "segment contents overwritten");
                }
            }
            long live = hedra.stats().liveBlocks();
            hedra.free(segments.get(0));
            assertEquals(live - 1, hedra.stats().liveBlocks(), "free of a zero-length segment frees its block");
            for (MemorySegment segment : segments.subList(1, segments.size())) {
                hedra.free(segment);
            }
        });
    }

    @ParameterizedTest
    @MethodSource("matrix")
    void segmentAllocatorDefaults(AllocatorSpec spec, ThreadKind kind) {
        check(spec, kind, hedra -> {
            MemorySegment ints = hedra.allocateFrom(ValueLayout.JAVA_INT, 1, 2, 3);
            assertEquals(12, ints.byteSize());
            assertEquals(3, ints.getAtIndex(ValueLayout.JAVA_INT, 2));
            MemorySegment text = hedra.allocateFrom("hedra");
            assertEquals("hedra", text.getString(0));
            MemorySegment longs = hedra.allocate(ValueLayout.JAVA_LONG, 100);
            assertEquals(800, longs.byteSize());
            Blocks.assertAligned(longs.address(), 8, "allocate(JAVA_LONG, 100)");
            MemorySegment plain = hedra.allocate(100);
            assertEquals(100, plain.byteSize());
            hedra.free(ints);
            hedra.free(text);
            hedra.free(longs);
            hedra.free(plain);
        });
    }

    // ---- frees from another thread

    @ParameterizedTest
    @EnumSource(ThreadKind.class)
    void blocksFreedByAnotherThread(ThreadKind kind) {
        try (NativeAllocator hedra = AllocatorSpec.DEFAULT.open()) {
            long[] addresses = new long[5000];
            long[] sizes = new long[addresses.length];
            kind.runOne(Duration.ofSeconds(60), () -> {
                SplitMix64 random = new SplitMix64(11);
                for (int i = 0; i < addresses.length; i++) {
                    sizes[i] = random.oneIn(100) ? random.between(32 * KiB + 1, MiB) : random.between(1, 1024);
                    addresses[i] = hedra.malloc(sizes[i]);
                    Blocks.writeCookie(addresses[i], sizes[i]);
                }
            });
            kind.runOne(Duration.ofSeconds(60), () -> {
                for (int i = 0; i < addresses.length; i++) {
                    Blocks.checkCookie(addresses[i], sizes[i]);
                    if (i % 2 == 0) {
                        hedra.free(addresses[i], sizes[i]);
                    } else {
                        hedra.free(addresses[i]);
                    }
                }
            });
            // The allocating thread is gone; its blocks were all freed remotely: nothing is live.
            AllocatorStats stats = hedra.stats();
            assertEquals(0, stats.liveBlocks(), () -> "live blocks after remote frees:\n" + stats);
            assertEquals(0, stats.bytesInUse(), () -> "bytes in use after remote frees:\n" + stats);
        }
    }

    // ---- statistics

    @Test
    void statisticsAfterAKnownSequence() {
        try (NativeAllocator hedra = CheckedAllocator.wrap(Hedra.builder().name("stats-sequence").build(), true)) {
            AllocatorStats empty = hedra.stats();
            assertEquals(0, empty.allocations());
            assertEquals(0, empty.frees());
            assertEquals(0, empty.liveBlocks());
            assertEquals(0, empty.bytesInUse());
            assertEquals(0, empty.bytesRequested());

            long[] small64 = new long[10];
            long[] small104 = new long[5];
            for (int i = 0; i < small64.length; i++) {
                small64[i] = hedra.malloc(64);
            }
            for (int i = 0; i < small104.length; i++) {
                small104[i] = hedra.malloc(100);
            }
            long medium = hedra.malloc(100_000);
            long huge = hedra.malloc(3 * MiB);
            long hugeUsable = hedra.usableSize(huge);

            AllocatorStats full = hedra.stats();
            CheckedAllocator.assertBalanced(full);
            assertEquals(17, full.allocations(), () -> full.toString());
            assertEquals(0, full.frees());
            assertEquals(17, full.liveBlocks());
            assertEquals(10 * 64 + 5 * 100 + 100_000 + 3 * MiB, full.bytesRequested(), () -> full.toString());
            long inUse = 10 * 64 + 5 * 104 + 102_400 + hugeUsable;
            assertEquals(inUse, full.bytesInUse(), () -> full.toString());
            assertTrue(full.peakBytesInUse() >= inUse, () -> full.toString());
            assertTrue(full.bytesCommitted() >= inUse, () -> "committed below in use:\n" + full);
            assertTrue(full.peakBytesCommitted() >= full.bytesCommitted());
            assertTrue(full.bytesReserved() >= full.bytesCommitted() - hugeUsable,
                    () -> "reserved below committed:\n" + full);

            List<AllocatorStats.SizeClassStats> classes = full.sizeClasses();
            assertTrue(classes.size() >= 2 + SizeClassOracle.SMALL_CLASSES.length, () -> classes.toString());
            List<AllocatorStats.SizeClassStats> small = classes.subList(0, classes.size() - 2);
            assertEquals(Arrays.stream(SizeClassOracle.SMALL_CLASSES).boxed().toList(),
                    small.stream().map(AllocatorStats.SizeClassStats::blockSize).toList(),
                    "the small size classes");
            for (AllocatorStats.SizeClassStats c : small) {
                long expected = c.blockSize() == 64 ? 10 : c.blockSize() == 104 ? 5 : 0;
                assertEquals(expected, c.allocations(), () -> "allocations of class " + c);
                assertEquals(0, c.frees(), () -> "frees of class " + c);
            }
            AllocatorStats.SizeClassStats mediumLine = classes.get(classes.size() - 2);
            AllocatorStats.SizeClassStats hugeLine = classes.get(classes.size() - 1);
            assertEquals(1, mediumLine.allocations(), () -> "the medium line " + mediumLine);
            assertEquals(1, hugeLine.allocations(), () -> "the huge line " + hugeLine);

            long heapAllocations = full.heaps().stream().mapToLong(AllocatorStats.HeapStats::allocations).sum();
            assertEquals(17, heapAllocations, () -> "allocations over the heaps:\n" + full);
            assertTrue(full.heaps().stream().anyMatch(h -> h.allocations() == 17 && h.pages() > 0),
                    () -> "one thread allocated all: its heap holds them all, with pages:\n" + full);

            String report = full.toString();
            assertTrue(report.contains("stats-sequence"), () -> "the report names the allocator:\n" + report);
            assertTrue(Messages.mentions(report, "17"), () -> "the report shows the allocations:\n" + report);

            for (long address : small64) {
                hedra.free(address, 64);
            }
            for (long address : small104) {
                hedra.free(address);
            }
            hedra.free(medium, 100_000);
            AllocatorStats afterSome = hedra.stats();
            assertEquals(16, afterSome.frees(), () -> afterSome.toString());
            assertEquals(1, afterSome.liveBlocks());
            assertEquals(hugeUsable, afterSome.bytesInUse(), () -> afterSome.toString());
            assertTrue(afterSome.peakBytesInUse() >= inUse, () -> "the peak is kept:\n" + afterSome);
            hedra.free(huge);

            AllocatorStats done = hedra.stats();
            assertEquals(17, done.allocations());
            assertEquals(17, done.frees());
            assertEquals(0, done.liveBlocks());
            assertEquals(0, done.bytesInUse());
            assertEquals(full.bytesRequested(), done.bytesRequested(), "bytes requested is over the allocator's life");
            for (AllocatorStats.SizeClassStats c : done.sizeClasses()) {
                assertEquals(0, c.liveBlocks(), () -> "class " + c);
            }
            assertEquals(10, done.sizeClasses().stream().filter(c -> c.blockSize() == 64).findFirst()
                    .orElseThrow().frees());
            String finalReport = done.toString();
            assertTrue(Messages.mentions(finalReport, "17"), () -> "the report shows the frees:\n" + finalReport);
        }
    }

    @Test
    void statisticsCountCallocReallocAndSegments() {
        try (NativeAllocator hedra = CheckedAllocator.open()) {
            long a = hedra.calloc(24);
            long b = hedra.realloc(0, 48);
            MemorySegment s = hedra.allocate(16, 8);
            assertEquals(3, hedra.stats().liveBlocks());
            assertEquals(24 + 48 + 16, hedra.stats().bytesInUse(), () -> hedra.stats().toString());
            hedra.free(a);
            hedra.free(b);
            hedra.free(s);
            assertEquals(0, hedra.stats().liveBlocks());
        }
    }

    // ---- memory going back and being reused

    /** Huge blocks are mapped directly and unmapped on free: committed and resident bytes drop. */
    @Test
    void hugeBlocksGoBackToTheSystemOnFree() {
        try (NativeAllocator hedra = CheckedAllocator.open()) {
            long size = 256 * MiB;
            long before = hedra.stats().bytesCommitted();
            long address = hedra.malloc(size);
            Blocks.segment(address, size).fill((byte) 7);
            long committed = hedra.stats().bytesCommitted();
            long resident = Resident.bytes();
            assertTrue(committed - before >= size, () -> "a huge block of " + size + " bytes added only "
                    + (committed - before) + " committed bytes");
            hedra.free(address, size);
            AllocatorStats after = hedra.stats();
            assertTrue(committed - after.bytesCommitted() >= size,
                    () -> "freeing a huge block did not return its " + size + " bytes:\n" + after);
            long dropped = resident - Resident.bytes();
            assertTrue(resident == 0 || dropped >= size / 2,
                    () -> "resident memory dropped by only " + dropped / MiB + " MiB after freeing a touched huge block");
            assertTrue(after.peakBytesCommitted() >= committed, "the peak keeps the huge block");
        }
    }

    /** Freed neighbouring medium blocks merge: a block as large as all of them fits where they were. */
    @Test
    void mediumBlocksCoalesceOnFree() {
        try (NativeAllocator hedra = CheckedAllocator.open()) {
            long size = 100 * KiB;
            long[] blocks = new long[10];
            for (int i = 0; i < blocks.length; i++) {
                blocks[i] = hedra.malloc(size);
            }
            long low = Arrays.stream(blocks).min().orElseThrow();
            long high = Arrays.stream(blocks).max().orElseThrow() + size;
            long guard = hedra.malloc(size); // keeps the span from merging with the rest of the area
            for (long block : blocks) {
                hedra.free(block, size);
            }
            long merged = hedra.malloc(900 * KiB);
            assertTrue(high - low < 2 * blocks.length * size, "the ten blocks were allocated close together");
            assertTrue(merged >= low && merged + 900 * KiB <= high + 4 * KiB,
                    () -> "900 KiB went to " + Blocks.hex(merged) + ", not into the merged span ["
                            + Blocks.hex(low) + ", " + Blocks.hex(high) + ") of ten freed 100 KiB blocks");
            hedra.free(merged);
            hedra.free(guard);
        }
    }

    /**
     * A medium block grows into a free right neighbour and shrinks where it is, its freed tail
     * merged with a free neighbour, without moving; it moves when the neighbour is in use, or
     * when the block is in another heap's area.
     */
    @Test
    void mediumReallocResizesInPlaceWhenItCan() throws InterruptedException {
        try (NativeAllocator hedra = CheckedAllocator.open()) {
            // Every size here is a whole number of 4 KiB granules, so usable size == size.
            long size = 100 * KiB;
            long a = hedra.malloc(size);
            long b = hedra.malloc(size);
            long c = hedra.malloc(size);
            assertEquals(a + size, b, "consecutive medium blocks in a fresh area");
            assertEquals(b + size, c, "consecutive medium blocks in a fresh area");
            Blocks.fill(a, size, 1);
            Blocks.fill(c, size, 3);
            hedra.free(b, size);
            long live = hedra.stats().liveBlocks();
            long inUse = hedra.stats().bytesInUse();

            assertEquals(a, hedra.realloc(a, 148 * KiB), "grown into the freed neighbour");
            Blocks.assertPattern(a, size, 1, "the grown block");
            assertEquals(148 * KiB, hedra.usableSize(a));
            assertEquals(live, hedra.stats().liveBlocks());
            assertEquals(inUse + 48 * KiB, hedra.stats().bytesInUse());
            Blocks.fill(a, 148 * KiB, 4);
            long d = hedra.malloc(52 * KiB); // best fit: the 52 KiB left between a and c
            assertEquals(a + 148 * KiB, d, "the rest of the neighbour stays free and usable");
            hedra.free(d, 52 * KiB);

            assertEquals(a, hedra.realloc(a, 40 * KiB), "shrunk where it is");
            Blocks.assertPattern(a, 40 * KiB, 4, "the shrunk block");
            assertEquals(40 * KiB, hedra.usableSize(a));
            long e = hedra.malloc(160 * KiB); // best fit: the freed tail merged with the free 52 KiB
            assertEquals(a + 40 * KiB, e, "the freed tail merges with the free span after it");
            hedra.free(e, 160 * KiB);

            long moved = hedra.realloc(a, 240 * KiB);
            assertNotEquals(a, moved, "c is in the way: the block moves");
            Blocks.assertPattern(moved, 40 * KiB, 4, "the moved block");
            Blocks.assertPattern(c, size, 3, "the neighbour");
            Blocks.fill(moved, 240 * KiB, 6);
            assertEquals(moved, hedra.realloc(moved, 40 * KiB), "shrunk where it is");
            assertEquals(moved, hedra.realloc(moved, 240 * KiB), "grown back into its own freed tail");
            Blocks.assertPattern(moved, 40 * KiB, 6, "the block grown back");
            assertEquals(live, hedra.stats().liveBlocks());
            assertEquals(inUse + 140 * KiB, hedra.stats().bytesInUse());

            // A block of another thread's heap moves: its area's counts belong to that heap.
            long[] other = new long[1];
            Thread thread = Thread.ofPlatform().start(() -> other[0] = hedra.malloc(size));
            thread.join();
            Blocks.fill(other[0], size, 5);
            long otherMoved = hedra.realloc(other[0], 148 * KiB);
            assertNotEquals(other[0], otherMoved, "another heap's medium block moves");
            Blocks.assertPattern(otherMoved, size, 5, "the other heap's block");

            hedra.free(otherMoved);
            hedra.free(moved, 240 * KiB);
            hedra.free(c, size);
            assertEquals(live - 2, hedra.stats().liveBlocks());
        }
    }

    // ---- allocators: the process-wide one, builders, close

    @Test
    void processWideAllocatorIsOneAndCannotBeClosed() {
        NativeAllocator shared = Hedra.allocator();
        assertSame(shared, Hedra.allocator());
        long address = shared.malloc(64);
        assertThrows(UnsupportedOperationException.class, shared::close);
        Blocks.writeCookie(address, 64);
        Blocks.checkCookie(address, 64);
        shared.free(address, 64);
        long again = shared.malloc(64);
        shared.free(again);
    }

    @Test
    void builtAllocatorsAreIndependent() {
        try (NativeAllocator one = CheckedAllocator.open(); NativeAllocator two = CheckedAllocator.open()) {
            long a = one.malloc(64);
            long b = two.malloc(64);
            assertNotEquals(a, b);
            assertEquals(1, one.stats().liveBlocks());
            assertEquals(1, two.stats().liveBlocks());
            one.free(a);
            assertEquals(0, one.stats().liveBlocks());
            assertEquals(1, two.stats().liveBlocks());
            two.free(b);
        }
    }

    @Test
    void builderRejectsBadSettings() {
        Messages.assertNamesNumber(assertThrows(IllegalArgumentException.class, () -> Hedra.builder().memoryLimit(0)), 0);
        Messages.assertNamesNumber(assertThrows(IllegalArgumentException.class, () -> Hedra.builder().memoryLimit(-5)), -5);
        Messages.assertNamesNumber(assertThrows(IllegalArgumentException.class, () -> Hedra.builder().minimumAlignment(4)), 4);
        Messages.assertNamesNumber(assertThrows(IllegalArgumentException.class, () -> Hedra.builder().minimumAlignment(32)), 32);
        assertThrows(IllegalArgumentException.class, () -> Hedra.builder().name(null));
        assertThrows(IllegalArgumentException.class, () -> Hedra.builder().name("  "));
    }

    @Test
    void closeWithLiveBlocksReleasesTheirMemory() {
        // If close kept the touched pages, 48 rounds of 32 MiB would leave 1.5 GiB resident.
        long before = Resident.bytes();
        for (int round = 0; round < 48; round++) {
            NativeAllocator hedra = Hedra.builder().build();
            List<Long> held = new ArrayList<>();
            long[] sizes = {100, 4000, 200_000, 6 * MiB};
            long total = 0;
            for (int i = 0; total < 32 * MiB; i++) {
                long size = sizes[i % sizes.length];
                long address = hedra.malloc(size);
                Blocks.segment(address, size).fill((byte) 1);
                held.add(address);
                total += size;
            }
            hedra.close();
        }
        long grown = Resident.bytes() - before;
        assertTrue(grown < 512 * MiB, () -> "resident memory grew by " + grown / MiB
                + " MiB over 48 allocators closed with 32 MiB live each");
    }

    @Test
    void builderDefaultsMatchTheProcessWideAllocatorClasses() {
        long address = Hedra.allocator().malloc(136);
        try {
            assertEquals(144, Hedra.allocator().usableSize(address));
        } finally {
            Hedra.allocator().free(address);
        }
    }
}
