package dev.hedra;

import static dev.hedra.SizeClassOracle.KiB;
import static dev.hedra.SizeClassOracle.MiB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hedra.FixedPoolTest.PoolKind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A pool's bulk calls, {@link FixedPool#allocate(long[], int, int)} and
 * {@link FixedPool#free(long[], int, int)}: they take and give back what the single calls would,
 * across pages, within the given range only; a bad block stops a bulk free with the blocks before
 * it freed and the rest untouched; the memory limit loses no block; the owner-thread rule holds.
 * Pools run inside a checked allocator, as in {@link FixedPoolTest}.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class FixedPoolBulkTest {

    static Stream<Arguments> sizesAndKinds() {
        return LongStream.of(8, 24, 64, 100, 4 * KiB, 64 * KiB).boxed()
                .flatMap(size -> Stream.of(PoolKind.values()).map(kind -> Arguments.of(size, kind)));
    }

    /** Blocks over several pages: distinct, aligned, apart, all counted, all given back. */
    @ParameterizedTest(name = "{0} bytes, {1}")
    @MethodSource("sizesAndKinds")
    void bulkBlocksAreDistinctAndAllComeBack(long size, PoolKind kind) {
        try (NativeAllocator hedra = CheckedAllocator.open(); FixedPool pool = kind.create(hedra, size)) {
            long blockSize = pool.blockSize();
            int count = (int) Math.min(5000, 24 * MiB / blockSize); // several pages of every size
            long[] blocks = new long[count];
            pool.allocate(blocks, 0, count);
            assertEquals(count, pool.liveBlocks());
            assertDistinctAndApart(blocks, blockSize, pool.alignment());
            for (long block : blocks) {
                Blocks.writeCookie(block, blockSize);
            }
            // A fresh pool hands out its first page's blocks lowest first, end to end.
            for (int i = 1; i < Math.min(64, count); i++) {
                assertEquals(blocks[0] + i * blockSize, blocks[i], "block " + i + " of a fresh pool");
            }
            long[] shuffled = shuffled(blocks, 42);
            for (long block : shuffled) {
                Blocks.checkCookie(block, blockSize);
            }
            pool.free(shuffled, 0, count);
            assertEquals(0, pool.liveBlocks());
            long[] again = new long[count];
            pool.allocate(again, 0, count);
            assertEquals(count, pool.liveBlocks());
            assertDistinctAndApart(again, blockSize, pool.alignment());
            pool.free(again, 0, count);
            assertEquals(0, pool.liveBlocks());
        }
    }

    /** Bulk and single calls mix: the lowest free block is taken first either way. */
    @ParameterizedTest
    @EnumSource(PoolKind.class)
    void bulkAndSingleCallsMix(PoolKind kind) {
        try (NativeAllocator hedra = CheckedAllocator.open(); FixedPool pool = kind.create(hedra, 48)) {
            long[] blocks = new long[300];
            pool.allocate(blocks, 0, 300);
            long next = pool.allocate(); // the bulk call stopped inside a word of the bitmap
            assertEquals(blocks[299] + 48, next, "the block after the bulk call's last");
            pool.free(next);
            pool.free(blocks[7]);
            pool.free(blocks[200]);
            long[] two = new long[2];
            pool.allocate(two, 0, 2);
            assertEquals(blocks[7], two[0], "the lowest free block first");
            assertEquals(blocks[200], two[1]);
            long single = pool.allocate();
            assertEquals(blocks[299] + 48, single, "then the next never-used block");
            pool.free(new long[] {single, two[0], two[1]}, 0, 3);
            // Blocks freed in bulk are found again, lowest first.
            pool.free(new long[] {blocks[20], blocks[10]}, 0, 2);
            assertEquals(blocks[7], pool.allocate());
            assertEquals(blocks[10], pool.allocate());
            assertEquals(blocks[20], pool.allocate());
            pool.free(blocks[7]);
            long[] rest = Arrays.stream(blocks).filter(b -> b != blocks[7] && b != blocks[200]).toArray();
            pool.free(rest, 0, rest.length);
            assertEquals(0, pool.liveBlocks());
        }
    }

    @Test
    void onlyTheRangeIsTouched() {
        try (NativeAllocator hedra = CheckedAllocator.open(); FixedPool pool = hedra.newPool(64)) {
            long[] array = new long[10];
            Arrays.fill(array, -1);
            pool.allocate(array, 3, 4);
            assertEquals(4, pool.liveBlocks());
            for (int i : new int[] {0, 1, 2, 7, 8, 9}) {
                assertEquals(-1, array[i], "slot " + i + " is outside the range");
            }
            pool.allocate(array, 3, 0); // nothing
            pool.free(array, 3, 0);
            assertEquals(4, pool.liveBlocks());
            pool.free(array, 4, 2);
            assertEquals(2, pool.liveBlocks());
            pool.free(array[3]);
            pool.free(array[6]);
            assertEquals(0, pool.liveBlocks());
        }
    }

    @Test
    void rangesOutsideTheArrayAreRejected() {
        try (NativeAllocator hedra = CheckedAllocator.open(); FixedPool pool = hedra.newPool(64)) {
            long[] array = new long[8];
            for (int[] range : new int[][] {{-1, 2}, {0, -1}, {0, 9}, {7, 2}, {9, 0}}) {
                assertThrows(IndexOutOfBoundsException.class, () -> pool.allocate(array, range[0], range[1]),
                        Arrays.toString(range));
                assertThrows(IndexOutOfBoundsException.class, () -> pool.free(array, range[0], range[1]),
                        Arrays.toString(range));
            }
            assertThrows(NullPointerException.class, () -> pool.allocate(null, 0, 1));
            assertEquals(0, pool.liveBlocks(), "nothing taken");
        }
    }

    /**
     * A bad block stops a bulk free: the blocks before it are free, it and those after it are as
     * they were (the live ones still live, with their contents, and freeable).
     */
    @ParameterizedTest
    @EnumSource(PoolKind.class)
    void aBadBlockStopsTheBulkFree(PoolKind kind) {
        try (NativeAllocator hedra = CheckedAllocator.open(); FixedPool pool = kind.create(hedra, 64);
                FixedPool other = hedra.newPool(64)) {
            long foreign = other.allocate();
            long allocatorBlock = hedra.malloc(64);
            // The bad entry is at index 5 of 10; index 5's kind of badness varies.
            record Bad(Class<? extends RuntimeException> expected, String what) {}
            Bad[] cases = {
                new Bad(IllegalStateException.class, "a block listed twice"),
                new Bad(IllegalStateException.class, "a block already free"),
                new Bad(IllegalArgumentException.class, "an interior address"),
                new Bad(IllegalArgumentException.class, "another pool's block"),
                new Bad(IllegalArgumentException.class, "the allocator's block"),
            };
            for (Bad bad : cases) {
                long[] batch = new long[10];
                pool.allocate(batch, 0, 10);
                for (long block : batch) {
                    Blocks.writeCookie(block, 64);
                }
                long alreadyFree = pool.allocate();
                pool.free(alreadyFree);
                long[] given = batch.clone();
                given[5] = switch (bad.what()) {
                    case "a block listed twice" -> given[2];
                    case "a block already free" -> alreadyFree;
                    case "an interior address" -> given[5] + 8;
                    case "another pool's block" -> foreign;
                    default -> allocatorBlock;
                };
                long live = pool.liveBlocks();
                RuntimeException thrown = assertThrows(bad.expected(), () -> pool.free(given, 0, 10), bad.what());
                assertTrue(thrown.getMessage().contains(Long.toHexString(given[5]))
                        || thrown.getMessage().contains(Long.toString(given[5])),
                        bad.what() + ": the message names the address: " + thrown.getMessage());
                assertEquals(live - 5, pool.liveBlocks(), bad.what() + ": the five before it are free");
                // The rest, batch[5..10), are live and intact: freed one by one now.
                for (int i = 5; i < 10; i++) {
                    Blocks.checkCookie(batch[i], 64);
                    pool.free(batch[i]);
                }
                assertEquals(live - 10, pool.liveBlocks(), bad.what());
            }
            assertEquals(0, pool.liveBlocks());
            other.free(foreign);
            hedra.free(allocatorBlock);
        }
    }

    /** At the memory limit a bulk allocation throws and gives back what it took: none is lost. */
    @Test
    void theMemoryLimitLosesNoBlock() {
        try (NativeAllocator hedra = Hedra.builder().memoryLimit(8 * MiB).build();
                FixedPool pool = hedra.newPool(64 * KiB)) {
            long[] first = new long[16];
            pool.allocate(first, 0, first.length);
            long[] tooMany = new long[1024]; // 64 MiB
            OutOfMemoryError refused = assertThrows(OutOfMemoryError.class, () -> pool.allocate(tooMany, 0, 1024));
            assertTrue(refused.getMessage().contains(Long.toString(8 * MiB)), refused.getMessage());
            assertEquals(16, pool.liveBlocks(), "the blocks the failed call took went back");
            long[] more = new long[16];
            pool.allocate(more, 0, more.length); // the pool goes on working
            assertTrue(hedra.stats().bytesCommitted() <= 8 * MiB);
            pool.free(first, 0, first.length);
            pool.free(more, 0, more.length);
            assertEquals(0, pool.liveBlocks());
        }
    }

    /** Another thread may not take blocks in bulk; its bulk frees are deferred to the owner. */
    @ParameterizedTest
    @EnumSource(ThreadKind.class)
    void onlyTheOwnerAllocatesInBulk(ThreadKind kind) {
        try (NativeAllocator hedra = CheckedAllocator.open(); FixedPool pool = hedra.newPool(64)) {
            long[] blocks = new long[3000];
            pool.allocate(blocks, 0, blocks.length);
            long[] theirs = new long[5];
            kind.runOne(Duration.ofSeconds(30), () -> {
                assertThrows(WrongThreadException.class, () -> pool.allocate(theirs, 0, 5));
                pool.free(blocks, 0, 2000); // deferred, block by block
            });
            assertEquals(0, theirs[0], "nothing taken");
            // The owner collects the deferred frees once it needs blocks, and reuses them.
            Set<Long> freed = new HashSet<>();
            for (int i = 0; i < 2000; i++) {
                freed.add(blocks[i]);
            }
            long[] again = new long[2000];
            pool.allocate(again, 0, again.length);
            long reused = Arrays.stream(again).filter(freed::contains).count();
            assertTrue(reused >= 2000 - 1024, "the owner reused " + reused + " of 2000 blocks");
            assertEquals(3000, pool.liveBlocks());
            pool.free(again, 0, again.length);
            pool.free(blocks, 2000, 1000);
            assertEquals(0, pool.liveBlocks());
        }
    }

    /** A shared pool's bulk calls from four threads at once: no block is handed out twice. */
    @ParameterizedTest
    @EnumSource(ThreadKind.class)
    void sharedPoolInBulkFromFourThreads(ThreadKind kind) {
        try (NativeAllocator hedra = CheckedAllocator.open(); FixedPool pool = hedra.newSharedPool(40)) {
            Set<Long> live = ConcurrentHashMap.newKeySet();
            List<ThreadKind.Body> bodies = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                SplitMix64 random = new SplitMix64(7 + t);
                bodies.add(() -> {
                    long[] mine = new long[400];
                    for (int round = 0; round < 300; round++) {
                        int count = 1 + random.nextInt(mine.length);
                        pool.allocate(mine, 0, count);
                        for (int i = 0; i < count; i++) {
                            assertTrue(live.add(mine[i]), "block handed out twice: " + mine[i]);
                            Blocks.writeCookie(mine[i], 40);
                        }
                        long[] order = shuffled(Arrays.copyOf(mine, count), round);
                        for (long block : order) {
                            Blocks.checkCookie(block, 40);
                            live.remove(block);
                        }
                        pool.free(order, 0, count);
                    }
                });
            }
            kind.runAll(Duration.ofSeconds(60), bodies);
            assertEquals(0, pool.liveBlocks());
        }
    }

    private static void assertDistinctAndApart(long[] blocks, long blockSize, long alignment) {
        long[] sorted = blocks.clone();
        Arrays.sort(sorted);
        for (int i = 0; i < sorted.length; i++) {
            assertEquals(0, sorted[i] % alignment, "block " + Long.toHexString(sorted[i]) + " is aligned");
            if (i > 0) {
                assertTrue(sorted[i] - sorted[i - 1] >= blockSize,
                        "blocks " + Long.toHexString(sorted[i - 1]) + " and " + Long.toHexString(sorted[i])
                                + " overlap or repeat");
            }
        }
    }

    private static long[] shuffled(long[] blocks, long seed) {
        long[] copy = blocks.clone();
        SplitMix64 random = new SplitMix64(seed);
        for (int i = copy.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            long swap = copy[i];
            copy[i] = copy[j];
            copy[j] = swap;
        }
        return copy;
    }

}
