package dev.hedra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link BestFitRegion} over every kind of memory it is meant for ({@link Kind}): the API method
 * by method, no headers, best fit, coalescing, alignment, exhaustion, every bad input (after which
 * the region must be exactly as before: same figures, every live block's contents intact and
 * freeable), a seeded model-based run and a four-thread run with cookies. The span tables'
 * invariants are checked after each test, and after every few operations of the long runs.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class BestFitRegionTest {

    private static final long G = BestFitRegion.DEFAULT_GRANULE;
    private static final long REGION_BYTES = 64 * 1024;
    private static final ValueLayout.OfLong WORD = ValueLayout.JAVA_LONG_UNALIGNED;

    @TempDir
    Path directory;
    private int files;

    /** The memory under the region. */
    enum Kind {
        /** {@code Arena.ofConfined().allocate}, page-aligned. */
        NATIVE,
        /** A slice of a bigger native segment, starting 48 bytes past a page boundary. */
        SLICE,
        /** A file mapped read-write into the arena. */
        MAPPED,
        /** {@code MemorySegment.ofArray(new long[...])}: alignment is relative to its start. */
        HEAP;

        boolean isNative() {
            return this != HEAP;
        }

        boolean pageAligned() {
            return this == NATIVE || this == MAPPED;
        }
    }

    private MemorySegment memory(Kind kind, Arena arena, long bytes) throws IOException {
        return switch (kind) {
            case NATIVE -> arena.allocate(bytes, 4096);
            case SLICE -> arena.allocate(bytes + 8192, 4096).asSlice(4096 + 48, bytes);
            case MAPPED -> {
                try (FileChannel channel = FileChannel.open(directory.resolve("region-" + files++),
                        StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                    yield channel.map(FileChannel.MapMode.READ_WRITE, 0, bytes, arena);
                }
            }
            case HEAP -> MemorySegment.ofArray(new long[Math.toIntExact(bytes / 8)]);
        };
    }

    record Live(long offset, long size, long seed) {}

    record Figures(long free, long used, int live, long largest, String text) {
        static Figures of(BestFitRegion region) {
            return new Figures(region.freeBytes(), region.usedBytes(), region.liveBlocks(),
                    region.largestFreeBlock(), region.toString());
        }
    }

    /** A region over fresh memory, with the blocks a test made, each filled with a seeded pattern. */
    final class Fixture implements AutoCloseable {
        final Kind kind;
        final Arena arena;
        final MemorySegment memory;
        final BestFitRegion region;
        final List<Live> live = new ArrayList<>();
        private long nextSeed = 1;

        Fixture(Kind kind) throws IOException {
            this(kind, REGION_BYTES, G);
        }

        Fixture(Kind kind, long bytes, long granule) throws IOException {
            this.kind = kind;
            this.arena = Arena.ofConfined();
            this.memory = memory(kind, arena, bytes);
            this.region = BestFitRegion.over(memory, granule);
        }

        long offsetOf(MemorySegment block) {
            return block.address() - memory.address();
        }

        /** Allocates a segment, checks it is a slice of the region, fills it and records it. */
        Live allocate(long size, long alignment) {
            MemorySegment block;
            try {
                block = region.allocate(size, alignment);
            } catch (OutOfMemoryError unexpected) { // JUnit would abort the whole run on an OutOfMemoryError
                throw new AssertionError("unexpected: " + unexpected.getMessage(), unexpected);
            }
            assertEquals(size, block.byteSize());
            assertEquals(kind.isNative(), block.isNative());
            long offset = offsetOf(block);
            assertTrue(offset >= 0 && offset + size <= memory.byteSize(), () -> "offset " + offset);
            assertEquals(memory.asSlice(offset, size), block, "a slice of the region");
            return record(offset, size);
        }

        Live allocateOffset(long size, long alignment) {
            try {
                return record(region.allocateOffset(size, alignment), size);
            } catch (OutOfMemoryError unexpected) {
                throw new AssertionError("unexpected: " + unexpected.getMessage(), unexpected);
            }
        }

        private Live record(long offset, long size) {
            Live block = new Live(offset, size, nextSeed++);
            fill(memory, block);
            live.add(block);
            return block;
        }

        void free(Live block) {
            assertPattern(memory, block);
            if (block.seed() % 2 == 0) {
                region.free(memory.asSlice(block.offset(), block.size()));
            } else {
                region.freeOffset(block.offset());
            }
            live.remove(block);
        }

        void assertIntact() {
            for (Live block : live) {
                assertPattern(memory, block);
            }
        }

        /** Checks the figures against the live blocks and the span tables' invariants. */
        void assertBalanced() {
            long used = 0;
            for (Live block : live) {
                used += usable(block.size(), region.granule());
                assertEquals(usable(block.size(), region.granule()), region.sizeOf(block.offset()));
            }
            assertEquals(used, region.usedBytes());
            assertEquals(region.capacity(), region.freeBytes() + region.usedBytes());
            assertEquals(live.size(), region.liveBlocks());
            region.validate();
        }

        /** Frees everything left, checking contents; the region must be whole again. */
        void freeAll() {
            for (Live block : List.copyOf(live)) {
                free(block);
            }
            assertEquals(0, region.liveBlocks());
            assertEquals(region.capacity(), region.freeBytes());
            assertEquals(region.capacity(), region.largestFreeBlock(), "freed neighbours merge back into one span");
            region.validate();
        }

        @Override
        public void close() {
            arena.close();
        }
    }

    static long usable(long size, long granule) {
        return Math.max(granule, (size + granule - 1) & -granule);
    }

    static void fill(MemorySegment memory, Live block) {
        long words = block.size() & ~7L;
        for (long i = 0; i < words; i += 8) {
            memory.set(WORD, block.offset() + i, SplitMix64.mix(block.seed() * 0x1_0000_0001L + i));
        }
        for (long i = words; i < block.size(); i++) {
            memory.set(ValueLayout.JAVA_BYTE, block.offset() + i, (byte) SplitMix64.mix(block.seed() + i));
        }
    }

    static void assertPattern(MemorySegment memory, Live block) {
        long words = block.size() & ~7L;
        for (long i = 0; i < words; i += 8) {
            if (memory.get(WORD, block.offset() + i) != SplitMix64.mix(block.seed() * 0x1_0000_0001L + i)) {
                fail("block at offset " + block.offset() + " (" + block.size() + " B) overwritten at byte " + i);
            }
        }
        for (long i = words; i < block.size(); i++) {
            if (memory.get(ValueLayout.JAVA_BYTE, block.offset() + i) != (byte) SplitMix64.mix(block.seed() + i)) {
                fail("block at offset " + block.offset() + " (" + block.size() + " B) overwritten at byte " + i);
            }
        }
    }

    // ---- the API, method by method

    @ParameterizedTest
    @EnumSource(Kind.class)
    void allocatesSlicesAndCountsThem(Kind kind) throws IOException {
        try (Fixture f = new Fixture(kind)) {
            assertSame(f.memory, f.region.region());
            assertEquals(REGION_BYTES, f.region.capacity());
            assertEquals(G, f.region.granule());
            assertEquals(REGION_BYTES, f.region.freeBytes());
            assertEquals(0, f.region.usedBytes());
            assertEquals(0, f.region.liveBlocks());
            assertEquals(REGION_BYTES, f.region.largestFreeBlock());
            for (long size : new long[] {100, 1, 16, 17, 4096, 0, 8, 1000}) {
                Live block = f.allocate(size, 8);
                assertEquals(usable(size, G), f.region.sizeOf(block.offset()));
                f.assertBalanced();
            }
            Live byOffset = f.allocateOffset(200, 16);
            assertEquals(208, f.region.sizeOf(byOffset.offset()));
            MemorySegment plain = f.region.allocate(24); // SegmentAllocator's defaults reach allocate(size, 1)
            assertEquals(24, plain.byteSize());
            MemorySegment value = f.region.allocateFrom(ValueLayout.JAVA_LONG, 42L);
            assertEquals(42L, value.get(ValueLayout.JAVA_LONG, 0));
            f.region.free(plain);
            f.region.free(value);
            f.assertIntact();
            f.assertBalanced();
            f.freeAll();
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void offsetsWorkThroughAnyView(Kind kind) throws IOException {
        try (Fixture f = new Fixture(kind)) {
            long offset = f.region.allocateOffset(64, 8);
            f.memory.set(ValueLayout.JAVA_LONG, offset + 8, 7L);
            assertEquals(7L, f.region.region().asSlice(offset, 64).get(ValueLayout.JAVA_LONG, 8));
            assertEquals(64, f.region.sizeOf(offset));
            f.region.freeOffset(offset);
            assertEquals(0, f.region.liveBlocks());
        }
    }

    @Test
    void offsetsMeanTheSameInAnotherMappingOfTheFile() throws IOException {
        Path file = directory.resolve("shared");
        try (Arena arena = Arena.ofConfined();
                FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW,
                        StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            MemorySegment mine = channel.map(FileChannel.MapMode.READ_WRITE, 0, REGION_BYTES, arena);
            MemorySegment theirs = channel.map(FileChannel.MapMode.READ_WRITE, 0, REGION_BYTES, arena);
            assertNotEquals(mine.address(), theirs.address());
            BestFitRegion shared = BestFitRegion.over(mine);
            long first = shared.allocateOffset(100, 8);
            long second = shared.allocateOffset(300, 64);
            mine.set(ValueLayout.JAVA_LONG, first, 0x1234L);
            mine.set(ValueLayout.JAVA_LONG, second, 0x5678L);
            assertEquals(0x1234L, theirs.get(ValueLayout.JAVA_LONG, first));
            assertEquals(0x5678L, theirs.get(ValueLayout.JAVA_LONG, second));
            shared.freeOffset(first);
            shared.freeOffset(second);
            assertEquals(REGION_BYTES, shared.largestFreeBlock());
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void zeroLengthBlocksTakeAGranuleEach(Kind kind) throws IOException {
        try (Fixture f = new Fixture(kind)) {
            Set<Long> offsets = new HashSet<>();
            for (int i = 0; i < 100; i++) {
                Live block = i % 2 == 0 ? f.allocate(0, 1) : f.allocateOffset(0, 8);
                assertTrue(offsets.add(block.offset()), "unique offset " + block.offset());
                assertEquals(G, f.region.sizeOf(block.offset()));
            }
            assertEquals(100 * G, f.region.usedBytes());
            f.assertBalanced();
            f.freeAll();
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void resetFreesEverythingAtOnce(Kind kind) throws IOException {
        try (Fixture f = new Fixture(kind)) {
            for (int i = 0; i < 50; i++) {
                f.allocate(i * 37, 8);
            }
            long stale = f.live.get(10).offset();
            f.region.reset();
            f.live.clear();
            assertEquals(0, f.region.liveBlocks());
            assertEquals(0, f.region.usedBytes());
            assertEquals(REGION_BYTES, f.region.freeBytes());
            assertEquals(REGION_BYTES, f.region.largestFreeBlock());
            f.region.validate();
            IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> f.region.freeOffset(stale));
            Messages.assertNamesNumber(thrown, stale);
            Live whole = f.allocate(REGION_BYTES, 1);
            assertEquals(0, whole.offset());
            f.freeAll();
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void toStringShowsTheFigures(Kind kind) throws IOException {
        try (Fixture f = new Fixture(kind)) {
            f.allocate(100, 8);
            f.allocate(30, 8);
            String text = f.region.toString();
            assertTrue(text.startsWith("BestFitRegion["), text);
            for (long figure : new long[] {REGION_BYTES, G, 2, 112 + 32, REGION_BYTES - 144}) {
                assertTrue(Messages.mentions(text, Long.toString(figure)), () -> text + " should show " + figure);
            }
            assertTrue(Messages.mentions(text, Long.toString(f.region.largestFreeBlock())), text);
            f.freeAll();
        }
    }

    // ---- no headers, best fit, coalescing

    static Stream<Arguments> kindsAndGranules() {
        return Stream.of(Kind.values()).flatMap(kind -> Stream.of(8L, 16L, 64L).map(g -> Arguments.of(kind, g)));
    }

    @ParameterizedTest(name = "{0}, granule {1}")
    @MethodSource("kindsAndGranules")
    void blocksPackEndToEndWithoutHeaders(Kind kind, long granule) throws IOException {
        try (Fixture f = new Fixture(kind, REGION_BYTES, granule)) {
            for (long k = 1; k <= 5; k++) {
                long size = k * granule;
                List<MemorySegment> blocks = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    blocks.add(f.region.allocate(size, 1));
                }
                long head = kind.isNative() ? (-f.memory.address()) & (granule - 1) : 0;
                assertEquals(head, f.offsetOf(blocks.get(0)), "the first block starts at the first granule");
                for (int i = 1; i < blocks.size(); i++) {
                    assertEquals(size, blocks.get(i).address() - blocks.get(i - 1).address(),
                            "blocks of " + k + " granules lie exactly " + size + " bytes apart");
                }
                assertEquals(8 * size, f.region.usedBytes(), "nothing but the blocks is used");
                for (MemorySegment block : blocks) {
                    f.region.free(block);
                }
                assertEquals(f.region.capacity(), f.region.largestFreeBlock());
            }
            f.region.validate();
        }
    }

    /** Makes free holes of the given lengths (in granules), each followed by a live separator. */
    private static long[] holes(Fixture f, long... granules) {
        List<Live> toFree = new ArrayList<>();
        long[] offsets = new long[granules.length];
        for (int i = 0; i < granules.length; i++) {
            Live hole = f.allocate(granules[i] * G, 1);
            offsets[i] = hole.offset();
            toFree.add(hole);
            f.allocate(G, 1); // separator
        }
        toFree.forEach(f::free);
        return offsets;
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void bestFitTakesTheSmallestHoleThatHolds(Kind kind) throws IOException {
        try (Fixture f = new Fixture(kind)) {
            long[] hole = holes(f, 3, 1, 2); // and the rest of the region after them, free
            assertEquals(hole[2], f.allocate(2 * G, 1).offset(), "2 granules go in the 2-granule hole");
            assertEquals(hole[1], f.allocate(G - 5, 1).offset(), "1 granule goes in the 1-granule hole");
            assertEquals(hole[0], f.allocate(2 * G + 1, 1).offset(), "3 granules go in the 3-granule hole");
            f.assertBalanced();
            f.freeAll();
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void bestFitAmongMediumSpans(Kind kind) throws IOException {
        try (Fixture f = new Fixture(kind, 1 << 20, G)) {
            long[] hole = holes(f, 300, 1000, 500, 700);
            assertEquals(hole[2], f.allocate(400 * G, 1).offset(), "400 goes in the 500 hole");
            assertEquals(hole[3], f.allocate(301 * G, 1).offset(), "301 goes in the 700 hole");
            assertEquals(hole[0], f.allocate(300 * G, 1).offset(), "300 fits its hole exactly");
            assertEquals(hole[2] + 400 * G, f.allocate(100 * G, 1).offset(), "the rest of a hole is a hole");
            f.assertBalanced();
            f.freeAll();
        }
    }

    /** Spans of 4,096 granules and more are kept in a tree rather than on lists: the same rules hold. */
    @ParameterizedTest
    @EnumSource(Kind.class)
    void bestFitAmongLongSpans(Kind kind) throws IOException {
        try (Fixture f = new Fixture(kind, 1 << 20, G)) {
            long[] hole = holes(f, 5000, 9000, 6000, 6000, 7000);
            long tail = f.region.capacity() - (33_000 + 5) * G; // the holes and their separators
            assertEquals(tail, f.region.largestFreeBlock());
            f.allocate(tail, 1); // only the holes are left
            assertEquals(9000 * G, f.region.largestFreeBlock());
            assertEquals(hole[2], f.allocate(5500 * G, 1).offset(), "5,500 goes in the lower of the 6,000 holes");
            assertEquals(hole[3], f.allocate(5800 * G, 1).offset(), "5,800 goes in the other 6,000 hole");
            assertEquals(hole[0], f.allocate(5000 * G, 1).offset(), "5,000 fits its hole exactly");
            assertEquals(hole[4], f.allocate(5001 * G, 1).offset(), "5,001 goes in the 7,000 hole");
            assertEquals(hole[2] + 5500 * G, f.allocate(500 * G, 1).offset(), "the rest of a hole is a hole");
            long aligned = f.allocate(8000 * G, 4096).offset();
            assertTrue(aligned >= hole[1] && aligned + 8000 * G <= hole[1] + 9000 * G,
                    "8,000 aligned to 4 KiB goes in the 9,000 hole: " + aligned);
            f.assertBalanced();
            f.freeAll();
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void freedNeighboursMerge(Kind kind) throws IOException {
        try (Fixture f = new Fixture(kind)) {
            Live a = f.allocate(3 * G, 1);
            Live b = f.allocate(5 * G, 1);
            Live c = f.allocate(7 * G, 1);
            Live fence = f.allocate(REGION_BYTES - 15 * G, 1); // the region is full
            assertEquals(0, f.region.freeBytes());
            assertEquals(0, f.region.largestFreeBlock());
            f.free(a);
            f.free(c);
            assertEquals(7 * G, f.region.largestFreeBlock());
            f.free(b); // merges with both
            assertEquals(15 * G, f.region.largestFreeBlock());
            Live merged = f.allocate(15 * G, 1);
            assertEquals(a.offset(), merged.offset());
            f.free(merged);
            f.free(fence);
            assertEquals(REGION_BYTES, f.region.largestFreeBlock());

            // Fill the region with blocks of random sizes, free them in random order: one span again.
            SplitMix64 random = new SplitMix64(42);
            while (f.region.largestFreeBlock() > 0) {
                f.allocate(random.between(0, Math.min(40 * G, f.region.largestFreeBlock())), 1);
            }
            for (int i = f.live.size() - 1; i > 0; i--) {
                java.util.Collections.swap(f.live, i, random.nextInt(i + 1));
            }
            f.assertBalanced();
            f.freeAll();
            Live whole = f.allocate(f.region.capacity(), 8);
            assertEquals(0, whole.offset());
            f.freeAll();
        }
    }

    // ---- alignment

    @ParameterizedTest
    @EnumSource(Kind.class)
    void alignsFrom1To4096(Kind kind) throws IOException {
        try (Fixture f = new Fixture(kind, 1 << 20, G)) {
            for (long alignment = 1; alignment <= 4096; alignment <<= 1) {
                for (long size : new long[] {0, 1, 24, 100, 5000}) {
                    f.allocate(G, 1); // knock the next free start off any alignment
                    Live block = f.allocate(size, alignment);
                    long position = kind.isNative() ? f.memory.address() + block.offset() : block.offset();
                    assertEquals(0, position % alignment, "a " + size + "-byte block aligned to " + alignment
                            + " at offset " + block.offset());
                    assertEquals(usable(size, G), f.region.sizeOf(block.offset()), "padding stays free");
                }
            }
            f.assertBalanced();
            f.freeAll();
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void alignedRequestUsesTheWholeRegionWhenItCan(Kind kind) throws IOException {
        try (Fixture f = new Fixture(kind)) {
            if (kind.pageAligned() || kind == Kind.HEAP) {
                assertEquals(0, f.allocate(REGION_BYTES, 4096).offset(), "the region's start is aligned");
            } else { // the slice starts 48 bytes past a page: no 4096-aligned 64 KiB block fits
                OutOfMemoryError thrown = assertThrows(OutOfMemoryError.class, () -> f.region.allocate(REGION_BYTES, 4096));
                Messages.assertNamesNumber(thrown, REGION_BYTES);
                assertEquals(4096 - 48, f.allocate(REGION_BYTES - 4096, 4096).offset(), "at the first page boundary");
            }
            f.freeAll();
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void alignedRequestTakesASpanThatFitsAtItsAlignment(Kind kind) throws IOException {
        try (Fixture f = new Fixture(kind)) {
            // Granule positions modulo 4 (64 bytes), as the alignment sees them.
            long phaseOfFirst = kind.isNative() ? (f.memory.address() / G) % 4 : 0;
            long pad = Math.floorMod(1 - phaseOfFirst, 4);
            if (pad > 0) {
                f.allocate(pad * G, 1);
            }
            Live misaligned = f.allocate(4 * G, 1); // at phase 1: no 64-aligned start in its 4 granules
            f.allocate(3 * G, 1);
            Live aligned = f.allocate(5 * G, 1); // at phase 0
            f.allocate(G, 1);
            f.allocate(f.region.largestFreeBlock(), 1); // the rest: the region is full
            f.free(misaligned);
            f.free(aligned);
            // The best fit (4 granules) cannot hold it at 64, and no span has 4 + 3 granules.
            assertEquals(aligned.offset(), f.allocate(4 * G, 64).offset());
            OutOfMemoryError thrown = assertThrows(OutOfMemoryError.class, () -> f.region.allocate(4 * G, 64));
            Messages.assertNamesNumber(thrown, 4 * G);
            Messages.assertNamesNumber(thrown, 64);
            assertEquals(misaligned.offset(), f.allocate(4 * G, 16).offset());
            f.assertBalanced();
            f.freeAll();
        }
    }

    @Test
    void nativeRegionOffTheGranuleStartsAtTheFirstGranule() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment memory = arena.allocate(REGION_BYTES + 64, 4096).asSlice(4, REGION_BYTES);
            BestFitRegion region = BestFitRegion.over(memory);
            assertEquals(REGION_BYTES - G, region.capacity(), "the 12 bytes before the first granule and the 4 after the last are unused");
            MemorySegment first = region.allocate(8, 8);
            assertEquals(memory.address() + 12, first.address());
            assertEquals(0, first.address() % 16);
            MemorySegment paged = region.allocate(100, 4096);
            assertEquals(0, paged.address() % 4096);
            MemorySegment last = region.allocate(region.largestFreeBlock(), 1);
            assertTrue(last.address() + last.byteSize() <= memory.address() + memory.byteSize());
            region.free(first);
            region.free(paged);
            region.free(last);
            assertEquals(REGION_BYTES - G, region.largestFreeBlock());
            region.validate();
        }
    }

    // ---- running out

    @ParameterizedTest
    @EnumSource(Kind.class)
    void exhaustionThrowsAndRecovers(Kind kind) throws IOException {
        try (Fixture f = new Fixture(kind)) {
            long fits = REGION_BYTES / 1008; // 1,000 bytes take 63 granules
            for (int i = 0; i < fits; i++) {
                f.allocate(1000, 8);
            }
            long left = REGION_BYTES - fits * 1008;
            assertEquals(left, f.region.largestFreeBlock());
            Figures before = Figures.of(f.region);
            OutOfMemoryError thrown = assertThrows(OutOfMemoryError.class, () -> f.region.allocate(1000, 8));
            Messages.assertNamesNumber(thrown, 1000);
            Messages.assertNamesNumber(thrown, left); // the largest free block
            assertEquals(before, Figures.of(f.region));
            f.assertIntact();

            Live first = f.live.get(17);
            Live second = f.live.get(30);
            f.free(first);
            f.free(second);
            assertEquals(1008, f.region.largestFreeBlock());
            OutOfMemoryError tooBig = assertThrows(OutOfMemoryError.class, () -> f.region.allocateOffset(1009, 1));
            Messages.assertNamesNumber(tooBig, 1009);
            Messages.assertNamesNumber(tooBig, 1008);
            long reused = f.allocate(1000, 8).offset();
            assertTrue(reused == first.offset() || reused == second.offset(), "recovered: a hole is reused");

            for (long huge : new long[] {REGION_BYTES + 1, Long.MAX_VALUE, Long.MAX_VALUE - 7}) {
                OutOfMemoryError beyond = assertThrows(OutOfMemoryError.class, () -> f.region.allocate(huge, 8));
                Messages.assertNamesNumber(beyond, huge);
            }
            OutOfMemoryError hugeAlignment = assertThrows(OutOfMemoryError.class, () -> f.region.allocate(8, 1L << 62));
            Messages.assertNamesNumber(hugeAlignment, 1L << 62);
            f.assertBalanced();
            f.freeAll();
        }
    }

    // ---- bad input: rejected with a message naming the value, region unchanged

    /** Runs {@code call}, expecting {@code type}; then the region must be as before. */
    private static <T extends Throwable> T rejects(Fixture f, Class<T> type, Executable call) {
        Figures before = Figures.of(f.region);
        T thrown = assertThrows(type, call);
        assertEquals(before, Figures.of(f.region), () -> "figures changed by the rejected call: " + Messages.describe(thrown));
        f.assertIntact();
        return thrown;
    }

    /** The message names the offset in decimal and, for native memory, the address in hex. */
    private static void assertNamesPosition(Fixture f, Throwable thrown, long offset) {
        Messages.assertNamesNumber(thrown, offset);
        if (f.kind.isNative()) {
            Messages.assertNamesAddress(thrown, f.memory.address() + offset);
        }
    }

    /** A few live blocks and a hole, so that bad calls have something to damage. */
    private static void populate(Fixture f) {
        for (long size : new long[] {64, 40, 128, 8, 256, 0, 1000}) {
            f.allocate(size, 8);
        }
        f.free(f.live.get(2));
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void rejectsBadSizesAndAlignments(Kind kind) throws IOException {
        try (Fixture f = new Fixture(kind)) {
            populate(f);
            for (long size : new long[] {-1, -16, Long.MIN_VALUE}) {
                Messages.assertNamesNumber(rejects(f, IllegalArgumentException.class, () -> f.region.allocate(size, 8)), size);
                Messages.assertNamesNumber(rejects(f, IllegalArgumentException.class, () -> f.region.allocateOffset(size, 8)), size);
            }
            for (long alignment : new long[] {0, 3, 24, -8, Long.MIN_VALUE, 4097}) {
                Messages.assertNamesNumber(rejects(f, IllegalArgumentException.class, () -> f.region.allocate(8, alignment)), alignment);
                Messages.assertNamesNumber(rejects(f, IllegalArgumentException.class, () -> f.region.allocateOffset(8, alignment)), alignment);
            }
            f.assertBalanced();
            f.freeAll();
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void rejectsSegmentsFromElsewhere(Kind kind) throws IOException {
        try (Fixture f = new Fixture(kind); Arena other = Arena.ofConfined()) {
            populate(f);
            MemorySegment foreignNative = other.allocate(64, 16);
            IllegalArgumentException thrown = rejects(f, IllegalArgumentException.class, () -> f.region.free(foreignNative));
            Messages.assertNamesAddress(thrown, foreignNative.address());
            rejects(f, IllegalArgumentException.class, () -> f.region.free(MemorySegment.ofArray(new long[8])));
            rejects(f, IllegalArgumentException.class, () -> f.region.free(MemorySegment.ofArray(new byte[64]).asSlice(16)));
            if (kind.isNative()) { // just before and just after the region
                rejects(f, IllegalArgumentException.class, () -> f.region.free(MemorySegment.ofAddress(f.memory.address() - 16)));
                rejects(f, IllegalArgumentException.class,
                        () -> f.region.free(MemorySegment.ofAddress(f.memory.address() + REGION_BYTES)));
            }
            Live first = f.live.get(0);
            // The region itself starts at the first block but is longer than it.
            Messages.assertNamesNumber(rejects(f, IllegalArgumentException.class, () -> f.region.free(f.memory)), REGION_BYTES);
            Messages.assertNamesNumber(rejects(f, IllegalArgumentException.class,
                    () -> f.region.free(f.memory.asSlice(first.offset(), usable(first.size(), G) + 1))), usable(first.size(), G));
            rejects(f, NullPointerException.class, () -> f.region.free(null));
            f.assertBalanced();
            f.freeAll();
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void rejectsOffsetsOutsideTheRegion(Kind kind) throws IOException {
        try (Fixture f = new Fixture(kind)) {
            populate(f);
            for (long offset : new long[] {-16, -1, REGION_BYTES, REGION_BYTES + 16, Long.MAX_VALUE, Long.MIN_VALUE}) {
                Messages.assertNamesNumber(rejects(f, IllegalArgumentException.class, () -> f.region.freeOffset(offset)), offset);
                Messages.assertNamesNumber(rejects(f, IllegalArgumentException.class, () -> f.region.sizeOf(offset)), offset);
            }
            f.assertBalanced();
            f.freeAll();
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void rejectsInteriorPositions(Kind kind) throws IOException {
        try (Fixture f = new Fixture(kind)) {
            populate(f);
            Live block = f.live.get(f.live.size() - 1); // 1,000 bytes
            for (long inside : new long[] {1, 8, 16, 512, 999}) {
                long offset = block.offset() + inside;
                IllegalArgumentException thrown = rejects(f, IllegalArgumentException.class, () -> f.region.freeOffset(offset));
                assertNamesPosition(f, thrown, offset);
                Messages.assertNamesNumber(thrown, block.offset()); // the block it is inside
                assertNamesPosition(f, rejects(f, IllegalArgumentException.class,
                        () -> f.region.free(f.memory.asSlice(offset, 0))), offset);
                assertNamesPosition(f, rejects(f, IllegalArgumentException.class, () -> f.region.sizeOf(offset)), offset);
            }
            f.assertBalanced();
            f.freeAll();
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void rejectsDoubleFrees(Kind kind) throws IOException {
        try (Fixture f = new Fixture(kind)) {
            populate(f);
            Live a = f.allocate(48, 8);
            Live b = f.allocate(48, 8);
            Live c = f.allocate(48, 8);
            f.allocate(48, 8);
            f.free(b);
            // b is a free span's start
            assertNamesPosition(f, rejects(f, IllegalStateException.class, () -> f.region.freeOffset(b.offset())), b.offset());
            assertNamesPosition(f, rejects(f, IllegalStateException.class,
                    () -> f.region.free(f.memory.asSlice(b.offset(), b.size()))), b.offset());
            assertNamesPosition(f, rejects(f, IllegalStateException.class, () -> f.region.sizeOf(b.offset())), b.offset());
            f.free(a);
            f.free(c);
            // b now lies inside the span that starts at a; c, after the first live blocks, starts its own
            for (Live freed : List.of(b, c)) {
                IllegalStateException thrown = rejects(f, IllegalStateException.class, () -> f.region.freeOffset(freed.offset()));
                assertNamesPosition(f, thrown, freed.offset());
            }
            assertNamesPosition(f, rejects(f, IllegalStateException.class, () -> f.region.freeOffset(a.offset())), a.offset());
            // inside the tail span that nobody ever allocated
            long never = REGION_BYTES - 4 * G;
            assertNamesPosition(f, rejects(f, IllegalStateException.class, () -> f.region.freeOffset(never)), never);
            f.assertBalanced();
            f.freeAll();
        }
    }

    @Test
    void rejectsBadGranulesAndTinyRegions() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment memory = arena.allocate(REGION_BYTES, 4096);
            for (long granule : new long[] {0, -16, 4, 1, 12, 24, 100}) {
                Messages.assertNamesNumber(
                        assertThrows(IllegalArgumentException.class, () -> BestFitRegion.over(memory, granule)), granule);
            }
            Messages.assertNamesNumber(assertThrows(IllegalArgumentException.class,
                    () -> BestFitRegion.over(memory.asSlice(0, 15))), 15);
            Messages.assertNamesNumber(assertThrows(IllegalArgumentException.class,
                    () -> BestFitRegion.over(memory.asSlice(8, 16))), 16); // no aligned granule in it
            assertThrows(IllegalArgumentException.class, () -> BestFitRegion.over(memory, 1L << 20));
            assertThrows(NullPointerException.class, () -> BestFitRegion.over(null));
            assertEquals(16, BestFitRegion.over(memory.asSlice(0, 16)).capacity());
            assertEquals(REGION_BYTES, BestFitRegion.over(memory, 1024).capacity());
        }
    }

    @Test
    void refusesToAllocateOnceTheArenaIsClosed() {
        Arena arena = Arena.ofConfined();
        BestFitRegion region = BestFitRegion.over(arena.allocate(REGION_BYTES, 4096));
        MemorySegment block = region.allocate(64, 8);
        arena.close();
        assertThrows(IllegalStateException.class, () -> region.allocate(64, 8));
        assertThrows(IllegalStateException.class, () -> region.allocateOffset(64, 8));
        assertThrows(IllegalStateException.class, () -> block.get(ValueLayout.JAVA_LONG, 0));
        region.free(block); // the bookkeeping still works
        assertEquals(0, region.liveBlocks());
    }

    // ---- a seeded model-based run

    static Stream<Arguments> kindsAndSeeds() {
        return Stream.of(Kind.values())
                .flatMap(kind -> Stream.of(1L, 2L, 3L, 0xC0FFEEL, 20250101L).map(seed -> Arguments.of(kind, seed)));
    }

    @ParameterizedTest(name = "{0}, seed {1}")
    @MethodSource("kindsAndSeeds")
    void randomOperationsAgreeWithTheModel(Kind kind, long seed) throws IOException {
        try (Fixture f = new Fixture(kind, 1 << 20, G)) {
            new ModelRun(f, new SplitMix64(seed)).run(20_000);
        }
    }

    /**
     * The model: the live blocks by offset. After every operation the figures agree with it; a new
     * block overlaps no live one; an {@code OutOfMemoryError} is thrown only when no gap between
     * live blocks could hold the request; every block's contents survive until it is freed.
     */
    static final class ModelRun {
        final Fixture f;
        final SplitMix64 random;
        final TreeMap<Long, Live> model = new TreeMap<>();
        final List<Live> unordered = new ArrayList<>(); // the same blocks, for a uniform random pick
        final long head;
        final long end;
        long nextSeed = 1;
        long used;

        ModelRun(Fixture f, SplitMix64 random) {
            this.f = f;
            this.random = random;
            this.head = f.kind.isNative() ? (-f.memory.address()) & (G - 1) : 0;
            this.end = head + f.region.capacity();
        }

        void run(int operations) {
            for (int step = 0; step < operations; step++) {
                // Phases of 1,000 steps that grow and shrink the live set, to exhaustion and back.
                boolean growing = (step / 1000) % 2 == 0;
                int choice = random.nextInt(1000);
                if (choice < (growing ? 700 : 300)) {
                    allocate();
                } else if (choice < 970) {
                    freeOne();
                } else if (choice < 985) {
                    checkSizes();
                } else if (!random.oneIn(40)) {
                    badCall();
                } else {
                    f.region.reset();
                    model.clear();
                    unordered.clear();
                    used = 0;
                }
                assertEquals(f.region.capacity(), f.region.freeBytes() + f.region.usedBytes(), "step " + step);
                assertEquals(used, f.region.usedBytes(), "step " + step);
                assertEquals(model.size(), f.region.liveBlocks(), "step " + step);
                if (step % 10 == 0) {
                    assertEquals(largestGap(), f.region.largestFreeBlock(), "step " + step);
                }
                if (step % 250 == 0) {
                    f.region.validate();
                    model.values().forEach(block -> assertPattern(f.memory, block));
                }
            }
            for (Live block : List.copyOf(model.values())) {
                assertPattern(f.memory, block);
                f.region.freeOffset(block.offset());
            }
            assertEquals(f.region.capacity(), f.region.largestFreeBlock());
            f.region.validate();
        }

        void allocate() {
            // Each size range as likely as the next: 0-8 B, 0-16 B, ..., 0-64 KiB; free spans of 64 KiB
            // and more (4,096 granules) are kept in a tree, shorter ones on lists.
            long size = random.between(0, 8L << random.nextInt(14));
            long alignment = random.percent(85) ? 1L << random.nextInt(5) : 1L << random.between(5, 12);
            boolean asSegment = random.percent(50);
            long offset;
            try {
                offset = asSegment ? f.offsetOf(f.region.allocate(size, alignment)) : f.region.allocateOffset(size, alignment);
            } catch (OutOfMemoryError full) {
                assertNoGapHolds(size, alignment, full);
                return;
            }
            long position = f.kind.isNative() ? f.memory.address() + offset : offset;
            assertEquals(0, position % Math.max(alignment, G), "alignment " + alignment + " at offset " + offset);
            long usable = usable(size, G);
            assertTrue(offset >= head && offset + usable <= end, "offset " + offset + " in the region");
            Map.Entry<Long, Live> below = model.floorEntry(offset);
            if (below != null) {
                assertTrue(below.getKey() + usable(below.getValue().size(), G) <= offset,
                        "block at " + offset + " overlaps the block at " + below.getKey());
            }
            Map.Entry<Long, Live> above = model.ceilingEntry(offset);
            if (above != null) {
                assertTrue(offset + usable <= above.getKey(), "block at " + offset + " overlaps the block at " + above.getKey());
            }
            assertEquals(usable, f.region.sizeOf(offset));
            Live block = new Live(offset, size, nextSeed++);
            fill(f.memory, block);
            model.put(offset, block);
            unordered.add(block);
            used += usable;
        }

        private void assertNoGapHolds(long size, long alignment, OutOfMemoryError full) {
            long step = Math.max(alignment, G);
            long wanted = usable(size, G);
            long gapStart = head;
            for (Live block : model.values()) {
                assertFalse(holds(gapStart, block.offset(), wanted, step),
                        "gap [" + gapStart + ", " + block.offset() + ") holds " + size + " B aligned to " + alignment
                                + ", yet: " + full.getMessage());
                gapStart = block.offset() + usable(block.size(), G);
            }
            assertFalse(holds(gapStart, end, wanted, step), "the last gap holds it, yet: " + full.getMessage());
            Messages.assertNamesNumber(full, size);
        }

        /** The longest run of granules between live blocks: free spans are merged, so it is one span. */
        private long largestGap() {
            long largest = 0;
            long gapStart = head;
            for (Live block : model.values()) {
                largest = Math.max(largest, block.offset() - gapStart);
                gapStart = block.offset() + usable(block.size(), G);
            }
            return Math.max(largest, end - gapStart);
        }

        private boolean holds(long from, long to, long wanted, long step) {
            long base = f.kind.isNative() ? f.memory.address() : 0;
            long aligned = from + ((-(base + from)) & (step - 1));
            return aligned + wanted <= to;
        }

        void freeOne() {
            if (model.isEmpty()) {
                return;
            }
            int pick = random.nextInt(unordered.size());
            Live block = unordered.get(pick);
            unordered.set(pick, unordered.getLast());
            unordered.removeLast();
            assertPattern(f.memory, block);
            if (random.percent(50)) {
                f.region.free(f.memory.asSlice(block.offset(), block.size()));
            } else {
                f.region.freeOffset(block.offset());
            }
            model.remove(block.offset());
            used -= usable(block.size(), G);
        }

        void checkSizes() {
            if (!model.isEmpty()) {
                Live block = randomLive();
                assertEquals(usable(block.size(), G), f.region.sizeOf(block.offset()));
            }
        }

        /** A double free or an interior free: rejected, nothing changes. */
        void badCall() {
            Figures before = Figures.of(f.region);
            if (!model.isEmpty() && random.percent(50)) {
                Live block = randomLive();
                long inside = block.offset() + random.between(1, usable(block.size(), G) - 1);
                assertThrows(IllegalArgumentException.class, () -> f.region.freeOffset(inside));
            } else {
                long offset = head + random.nextLong(f.region.capacity() / G) * G;
                Map.Entry<Long, Live> below = model.floorEntry(offset);
                if (below != null && offset < below.getKey() + usable(below.getValue().size(), G)) {
                    return; // live memory: not a bad call
                }
                assertThrows(IllegalStateException.class, () -> f.region.freeOffset(offset));
            }
            assertEquals(before, Figures.of(f.region));
        }

        private Live randomLive() {
            return unordered.get(random.nextInt(unordered.size()));
        }
    }

    // ---- four threads

    @ParameterizedTest
    @EnumSource(ThreadKind.class)
    void fourThreadsAllocateAndFreeWithCookies(ThreadKind threads) {
        final int workers = 4;
        final int operationsPerWorker = 100_000;
        final int slots = 64;
        try (Arena arena = Arena.ofShared()) {
            MemorySegment memory = arena.allocate(1 << 20, 4096);
            BestFitRegion region = BestFitRegion.over(memory);
            AtomicLongArray exchange = new AtomicLongArray(slots);
            for (int i = 0; i < slots; i++) {
                exchange.set(i, -1);
            }
            List<ThreadKind.Body> bodies = new ArrayList<>();
            for (int t = 0; t < workers; t++) {
                SplitMix64 random = new SplitMix64(0xB357_F17L + t);
                bodies.add(() -> {
                    List<Long> mine = new ArrayList<>();
                    for (int op = 0; op < operationsPerWorker; op++) {
                        if (mine.size() < 256 && random.percent(55)) {
                            long size = random.between(0, 16L << random.nextInt(8));
                            try {
                                long offset = region.allocateOffset(size, 1L << random.nextInt(7));
                                writeCookie(memory, offset, size);
                                mine.add(offset);
                            } catch (OutOfMemoryError full) {
                                while (mine.size() > 16) {
                                    checkAndFree(region, memory, mine.removeLast());
                                }
                            }
                        } else if (!mine.isEmpty()) {
                            int pick = random.nextInt(mine.size());
                            long offset = mine.get(pick);
                            mine.set(pick, mine.getLast());
                            mine.removeLast();
                            if (random.percent(30)) { // hand it to another thread
                                long taken = exchange.getAndSet(random.nextInt(slots), offset);
                                if (taken >= 0) {
                                    checkCookie(memory, taken);
                                    mine.add(taken);
                                }
                            } else {
                                checkAndFree(region, memory, offset);
                            }
                        }
                        if (op % 10_000 == 0) {
                            assertTrue(region.largestFreeBlock() <= region.capacity());
                            assertTrue(region.liveBlocks() >= 0);
                        }
                    }
                    for (long offset : mine) {
                        checkAndFree(region, memory, offset);
                    }
                });
            }
            ThreadKind.runAll(Duration.ofSeconds(100), bodies, i -> threads);
            for (int i = 0; i < slots; i++) {
                long left = exchange.get(i);
                if (left >= 0) {
                    checkAndFree(region, memory, left);
                }
            }
            assertEquals(0, region.liveBlocks());
            assertEquals(region.capacity(), region.freeBytes());
            assertEquals(region.capacity(), region.largestFreeBlock());
            region.validate();
        }
    }

    /** Word 0: the size; word 1 and the last word of the usable size: a cookie of offset and size. */
    private static void writeCookie(MemorySegment memory, long offset, long size) {
        long cookie = SplitMix64.mix(offset * 31 + size);
        memory.set(WORD, offset, size);
        memory.set(WORD, offset + 8, cookie);
        if (usable(size, G) > 16) {
            memory.set(WORD, offset + usable(size, G) - 8, cookie ^ size);
        }
    }

    private static void checkCookie(MemorySegment memory, long offset) {
        long size = memory.get(WORD, offset);
        long cookie = SplitMix64.mix(offset * 31 + size);
        if (size < 0 || size > 4096 || memory.get(WORD, offset + 8) != cookie
                || (usable(size, G) > 16 && memory.get(WORD, offset + usable(size, G) - 8) != (cookie ^ size))) {
            fail("the cookie of the block at offset " + offset + " was overwritten");
        }
    }

    private static void checkAndFree(BestFitRegion region, MemorySegment memory, long offset) {
        checkCookie(memory, offset);
        assertEquals(usable(memory.get(WORD, offset), G), region.sizeOf(offset));
        region.freeOffset(offset);
    }
}
