package dev.hedra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The builder's tuning options (class spacing, largest small size, smallest and largest slab
 * page, reservation size): each one's effect seen through the public API, every block intact under it, and its bad
 * values refused with a message that names them, the builder keeping what it had.
 */
class BuilderOptionsTest {

    private static final long KiB = 1024;
    private static final long MiB = 1024 * KiB;
    private static final long GRANULE = 4 * KiB;

    /** The small classes with {@code n} per doubling, from the design: 8-byte steps to 128 B, then n a doubling. */
    private static long[] classes(int n, long largest) {
        List<Long> classes = new ArrayList<>();
        for (long size = 8; size <= Math.min(128, largest); size += 8) {
            classes.add(size);
        }
        for (long power = 128; power < largest; power *= 2) {
            for (int step = 1; step <= n; step++) {
                classes.add(power + step * (power / n));
            }
        }
        return classes.stream().mapToLong(Long::longValue).toArray();
    }

    private static long smallestClassHolding(long[] classes, long size) {
        for (long c : classes) {
            if (c >= size) {
                return c;
            }
        }
        throw new AssertionError("no class holds " + size);
    }

    private static long roundUp(long value, long multiple) {
        return (value + multiple - 1) / multiple * multiple;
    }

    /** Cookies in all of every block's usable bytes, checked after all were written, then freed. */
    private static void writeCheckAndFree(NativeAllocator hedra, List<Long> blocks) {
        for (long block : blocks) {
            Blocks.writeCookie(block, hedra.usableSize(block));
        }
        for (long block : blocks) {
            Blocks.checkCookie(block, hedra.usableSize(block));
            hedra.free(block);
        }
        assertEquals(0, hedra.stats().liveBlocks(), () -> hedra.stats().toString());
    }

    @ParameterizedTest
    @ValueSource(ints = {4, 8, 16})
    void classSpacingSetsTheBlockSizes(int n) {
        long[] classes = classes(n, 32 * KiB);
        try (NativeAllocator hedra = Hedra.builder().classesPerDoubling(n).build()) {
            List<Long> blocks = new ArrayList<>();
            for (long c : classes) {
                for (long size : new long[] {c - 1, c, c + 1}) {
                    if (size < 1 || size > 32 * KiB) {
                        continue;
                    }
                    long block = hedra.malloc(size);
                    blocks.add(block);
                    assertEquals(smallestClassHolding(classes, size), hedra.usableSize(block),
                            () -> n + " classes per doubling, " + size + " bytes");
                }
            }
            writeCheckAndFree(hedra, blocks);
        }
    }

    @Test
    void moreClassesPerDoublingWasteLessToRounding() {
        long[] sizes = {129, 1025, 20000};
        long[][] expected = {{160, 1280, 20480}, {144, 1152, 20480}, {136, 1088, 20480}};
        int[] spacings = {4, 8, 16};
        for (int i = 0; i < spacings.length; i++) {
            try (NativeAllocator hedra = Hedra.builder().classesPerDoubling(spacings[i]).build()) {
                for (int j = 0; j < sizes.length; j++) {
                    long block = hedra.malloc(sizes[j]);
                    assertEquals(expected[i][j], hedra.usableSize(block),
                            spacings[i] + " per doubling, " + sizes[j] + " bytes");
                    hedra.free(block);
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1024, 4096, 32768})
    void largestSmallSizeDecidesWhereMediumBlocksStart(int largest) {
        long[] classes = classes(8, largest);
        try (NativeAllocator hedra = Hedra.builder().largestSmallSize(largest).build()) {
            List<Long> blocks = new ArrayList<>();
            for (long size = 1; size <= 64 * KiB; size += size < 2 * KiB ? 1 : 61) {
                long block = hedra.malloc(size);
                blocks.add(block);
                // Up to the largest small size, the class; above it, a medium block of whole granules.
                long expected = size <= largest ? smallestClassHolding(classes, size) : roundUp(size, GRANULE);
                long requested = size;
                assertEquals(expected, hedra.usableSize(block),
                        () -> "largest small " + largest + ", " + requested + " bytes");
            }
            writeCheckAndFree(hedra, blocks);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {64 * 1024, 256 * 1024, 1024 * 1024})
    void slabPageSizeIsWhatAClassCommitsAtLeast(int page) {
        try (NativeAllocator hedra = Hedra.builder().slabPageSize(page).build()) {
            assertEquals(0, hedra.stats().bytesCommitted());
            long small = hedra.malloc(64);
            assertEquals(page, hedra.stats().bytesCommitted(), "one page of 64-byte blocks");
            // The largest classes take pages of 64 blocks when that is more: 64 x 30 KiB -> 2 MiB.
            long large = hedra.malloc(30_000);
            assertEquals(page + Math.max(page, 2 * MiB), hedra.stats().bytesCommitted(),
                    "and one of 30 KiB blocks");
            writeCheckAndFree(hedra, List.of(small, large));
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {64 * 1024, 256 * 1024, 2 * 1024 * 1024})
    void largestSlabPageSizeCapsTheLargeClassesPages(int largest) {
        int perPage = largest / 30_720; // the class of 30,000 bytes; 64 of its blocks would take 2 MiB
        try (NativeAllocator hedra = Hedra.builder().largestSlabPageSize(largest).build()) {
            List<Long> blocks = new ArrayList<>();
            blocks.add(hedra.malloc(30_000));
            assertEquals(largest, hedra.stats().bytesCommitted(), "one page of 30 KiB blocks");
            for (int i = 1; i < 3 * perPage; i++) {
                blocks.add(hedra.malloc(30_000));
            }
            assertEquals(3L * largest, hedra.stats().bytesCommitted(), 3 * perPage + " blocks: three pages");
            blocks.add(hedra.malloc(64)); // a small class's page is the smallest page, as before
            assertEquals(3L * largest + 64 * KiB, hedra.stats().bytesCommitted());
            writeCheckAndFree(hedra, blocks);
        }
    }

    @Test
    void theLargestSlabPageCannotBeSmallerThanTheSmallest() {
        HedraBuilder builder = Hedra.builder().slabPageSize(1024 * 1024).largestSlabPageSize(256 * 1024);
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, builder::build);
        assertTrue(refused.getMessage().contains("262144") && refused.getMessage().contains("1048576"),
                refused.getMessage());
        try (NativeAllocator hedra = builder.largestSlabPageSize(1024 * 1024).build()) {
            hedra.malloc(30_000);
            assertEquals(1024 * KiB, hedra.stats().bytesCommitted(), "both 1 MiB: 34 blocks of 30 KiB a page");
        }
    }

    @Test
    void aSmallReservationIsFollowedByMoreWhenItIsUsedUp() {
        try (NativeAllocator hedra = Hedra.builder().reservationSize(64 * MiB).build()) {
            List<Long> blocks = new ArrayList<>();
            blocks.add(hedra.malloc(64));
            assertEquals(64 * MiB, hedra.stats().bytesReserved());
            for (int i = 0; i < 5_000; i++) { // 80 MiB of 16 KiB blocks: past the first reservation
                blocks.add(hedra.malloc(16 * KiB));
            }
            assertEquals(128 * MiB, hedra.stats().bytesReserved(), () -> hedra.stats().toString());
            writeCheckAndFree(hedra, blocks);
        }
        try (NativeAllocator hedra = Hedra.builder().build()) {
            hedra.free(hedra.malloc(64));
            assertEquals(64L << 30, hedra.stats().bytesReserved(), "the default");
        }
    }

    /** Each option's setter, on a fresh builder, by name. */
    private static final Map<String, LongConsumer> SETTERS = Map.of(
            "classesPerDoubling", v -> Hedra.builder().classesPerDoubling((int) v),
            "largestSmallSize", v -> Hedra.builder().largestSmallSize((int) v),
            "slabPageSize", v -> Hedra.builder().slabPageSize((int) v),
            "largestSlabPageSize", v -> Hedra.builder().largestSlabPageSize((int) v),
            "reservationSize", v -> Hedra.builder().reservationSize(v),
            "emptyPageBudget", v -> Hedra.builder().emptyPageBudget(v));

    private static Stream<Arguments> bad(String option, long... values) {
        return Arrays.stream(values).mapToObj(value -> Arguments.of(option, value));
    }

    static Stream<Arguments> badValues() {
        return Stream.of(
                bad("classesPerDoubling", 0, 5, 32),
                bad("largestSmallSize", 512, 3000, 65536),
                bad("slabPageSize", 32768, 100000, 2097152),
                bad("largestSlabPageSize", 32768, 100000, 4194304),
                bad("reservationSize", 0, 32 * MiB, 65 * MiB),
                bad("emptyPageBudget", -1)).flatMap(values -> values);
    }

    @ParameterizedTest(name = "{0}({1})")
    @MethodSource("badValues")
    void aBadValueIsRefusedByName(String option, long value) {
        IllegalArgumentException refused =
                assertThrows(IllegalArgumentException.class, () -> SETTERS.get(option).accept(value));
        assertTrue(refused.getMessage().contains(option) && refused.getMessage().contains(Long.toString(value)),
                refused.getMessage());
    }

    @Test
    void aRefusedValueLeavesTheBuilderAsItWas() {
        HedraBuilder builder = Hedra.builder().classesPerDoubling(4).largestSmallSize(4096);
        assertThrows(IllegalArgumentException.class, () -> builder.classesPerDoubling(5));
        assertThrows(IllegalArgumentException.class, () -> builder.largestSmallSize(5000));
        try (NativeAllocator hedra = builder.build()) {
            assertEquals(160, hedra.usableSize(hedra.malloc(129)), "still 4 per doubling");
            assertEquals(8192, hedra.usableSize(hedra.malloc(4097)), "still medium above 4 KiB");
        }
    }
}
