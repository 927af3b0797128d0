package dev.hedra;

import static dev.hedra.SizeClassOracle.KiB;
import static dev.hedra.SizeClassOracle.MiB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Fixed-size pools ({@link NativeAllocator#newPool}, {@link NativeAllocator#newSharedPool}):
 * block sizes and alignments as documented, blocks packed end to end, memory given back, the
 * owner-thread rule with deferred remote frees, the shared pool under several threads, and bad
 * input. Pools run inside a checked allocator ({@link CheckedAllocator}), whose own statistics
 * must not move: a pool's blocks are not the allocator's blocks.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class FixedPoolTest {

    static final long[] BLOCK_SIZES = {1, 8, 24, 40, 64, 100, 4096, 64 * KiB, MiB};
    static final long[] ALIGNMENTS = {8, 16, 32, 64, 256, 4 * KiB, 64 * KiB};

    /** The kinds of pool: owned by the creating thread, or shared under a lock. */
    enum PoolKind {
        OWNED {
            @Override
            FixedPool create(NativeAllocator hedra, long blockSize) {
                return hedra.newPool(blockSize);
            }
        },
        SHARED {
            @Override
            FixedPool create(NativeAllocator hedra, long blockSize) {
                return hedra.newSharedPool(blockSize);
            }
        };

        abstract FixedPool create(NativeAllocator hedra, long blockSize);
    }

    static Stream<Arguments> sizesAndAlignments() {
        return LongStream.of(BLOCK_SIZES).boxed()
                .flatMap(size -> LongStream.of(ALIGNMENTS).mapToObj(alignment -> Arguments.of(size, alignment)));
    }

    static Stream<Arguments> sizesAndKinds() {
        return LongStream.of(BLOCK_SIZES).boxed()
                .flatMap(size -> Stream.of(PoolKind.values()).map(kind -> Arguments.of(size, kind)));
    }

    static long roundUp(long value, long multiple) {
        return (value + multiple - 1) / multiple * multiple;
    }

    // ---- sizes, alignment, packing

    @ParameterizedTest(name = "{0} bytes, {1}-aligned")
    @MethodSource("sizesAndAlignments")
    void blockSizeIsRoundedUpToTheAlignment(long size, long alignment) {
        try (NativeAllocator hedra = CheckedAllocator.open(); FixedPool pool = hedra.newPool(size, alignment)) {
            long blockSize = roundUp(size, alignment);
            assertEquals(blockSize, pool.blockSize(), "newPool(" + size + ", " + alignment + ").blockSize()");
            assertEquals(alignment, pool.alignment());
            int count = blockSize <= 64 * KiB ? 100 : 6; // 1 MiB blocks: past one page (4 per page)
            List<Long> blocks = new ArrayList<>();
            Set<Long> distinct = new HashSet<>();
            for (int i = 0; i < count; i++) {
                long block = pool.allocate();
                Blocks.assertAligned(block, alignment, "pool(" + size + ", " + alignment + ").allocate()");
                assertTrue(distinct.add(block), "handed out twice: " + Blocks.hex(block));
                Blocks.fill(block, blockSize, block); // the whole block size is the caller's
                blocks.add(block);
            }
            assertEquals(count, pool.liveBlocks());
            for (long block : blocks) {
                Blocks.assertPattern(block, blockSize, block, "pool block");
                pool.free(block);
            }
            assertEquals(0, pool.liveBlocks());
        }
    }

    @ParameterizedTest(name = "{0} bytes, {1}")
    @MethodSource("sizesAndKinds")
    void defaultAlignmentIsEight(long size, PoolKind kind) {
        try (NativeAllocator hedra = CheckedAllocator.open(); FixedPool pool = kind.create(hedra, size)) {
            assertEquals(8, pool.alignment());
            assertEquals(roundUp(size, 8), pool.blockSize(), "blockSize of a pool of " + size);
            long block = pool.allocate();
            Blocks.assertAligned(block, 8, "pool.allocate()");
            pool.free(block);
        }
    }

    /** No header: consecutive allocations are one block size apart, and a freed block is reused first. */
    @ParameterizedTest(name = "{0} bytes, {1}")
    @MethodSource("sizesAndKinds")
    void blocksPackEndToEnd(long size, PoolKind kind) {
        try (NativeAllocator hedra = CheckedAllocator.open(); FixedPool pool = kind.create(hedra, size)) {
            long blockSize = pool.blockSize();
            // A page holds at least 64 blocks, or 4 MiB of them (4 blocks of 1 MiB).
            int count = (int) Math.min(64, 4 * MiB / blockSize);
            long[] blocks = new long[count];
            for (int i = 0; i < count; i++) {
                blocks[i] = pool.allocate();
                if (i > 0) {
                    assertEquals(blocks[i - 1] + blockSize, blocks[i],
                            "block " + i + " of a fresh pool of " + blockSize + "-byte blocks");
                }
            }
            int middle = count / 2;
            pool.free(blocks[middle]);
            assertEquals(blocks[middle], pool.allocate(), "the lowest free block is taken first");
            for (long block : blocks) {
                pool.free(block);
            }
            assertEquals(0, pool.liveBlocks());
        }
    }

    @ParameterizedTest
    @EnumSource(PoolKind.class)
    void segments(PoolKind kind) {
        try (NativeAllocator hedra = CheckedAllocator.open();
                FixedPool pool = kind.create(hedra, 40);
                FixedPool other = kind.create(hedra, 40)) {
            MemorySegment block = pool.allocateSegment();
            assertEquals(40, block.byteSize());
            Blocks.assertAligned(block.address(), 8, "allocateSegment()");
            assertTrue(block.isAccessibleBy(Thread.ofPlatform().unstarted(() -> { })), "global scope");
            block.fill((byte) 0x5A);
            MemorySegment second = pool.allocateSegment();
            assertEquals(block.address() + 40, second.address());
            long plain = pool.allocate();
            assertEquals(3, pool.liveBlocks());
            // A segment and a plain address are the same blocks: either way back works.
            pool.free(MemorySegment.ofAddress(plain).reinterpret(40));
            pool.free(second.address());
            pool.free(block);
            assertEquals(0, pool.liveBlocks());

            MemorySegment live = pool.allocateSegment();
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment foreign = arena.allocate(40);
                assertThrows(IllegalArgumentException.class, () -> pool.free(foreign));
            }
            assertThrows(IllegalArgumentException.class, () -> pool.free(MemorySegment.ofArray(new byte[40])));
            assertThrows(IllegalArgumentException.class, () -> pool.free(live.reinterpret(41)),
                    "a segment longer than a block is not the pool's");
            MemorySegment theirs = other.allocateSegment();
            assertThrows(IllegalArgumentException.class, () -> pool.free(theirs));
            assertEquals(1, pool.liveBlocks());
            assertEquals(1, other.liveBlocks());
            other.free(theirs);
            pool.free(live);
        }
    }

    @Test
    void liveBlocksCountsWhatIsOut() {
        try (NativeAllocator hedra = CheckedAllocator.open(); FixedPool pool = hedra.newPool(64)) {
            assertEquals(0, pool.liveBlocks());
            List<Long> blocks = new ArrayList<>();
            for (int i = 0; i < 3000; i++) {
                blocks.add(pool.allocate());
            }
            assertEquals(3000, pool.liveBlocks());
            for (int i = 0; i < 1000; i++) {
                pool.free(blocks.get(i));
            }
            assertEquals(2000, pool.liveBlocks());
            List<Long> remote = blocks.subList(1000, 1500);
            ThreadKind.PLATFORM.runOne(Duration.ofSeconds(30), () -> remote.forEach(pool::free));
            long live = pool.liveBlocks();
            // "Remote frees count once the owner collects them": either figure is allowed now.
            assertTrue(live == 1500 || live == 2000, "liveBlocks after 500 remote frees: " + live);
            for (long block : blocks.subList(1500, 3000)) {
                pool.free(block);
            }
            // Allocating past the current page makes the owner collect the remote frees.
            List<Long> more = new ArrayList<>();
            for (int i = 0; i < 4000; i++) {
                more.add(pool.allocate());
            }
            assertEquals(4000, pool.liveBlocks());
            more.forEach(pool::free);
            assertEquals(0, pool.liveBlocks());
            // The allocator's own counters do not see pool blocks.
            assertEquals(0, hedra.stats().allocations());
        }
    }

    // ---- memory

    /** A million small blocks over many pages: freeing them gives the memory back. */
    @ParameterizedTest
    @EnumSource(PoolKind.class)
    void millionBlocksThenAllFreedGiveMemoryBack(PoolKind kind) {
        int count = 1_000_000;
        try (NativeAllocator hedra = CheckedAllocator.open()) {
            long baseline = hedra.stats().bytesCommitted();
            FixedPool pool = kind.create(hedra, 16);
            long[] blocks = new long[count];
            for (int round = 0; round < 2; round++) {
                for (int i = 0; i < count; i++) {
                    blocks[i] = pool.allocate();
                    if (i % 4096 == 0) {
                        Blocks.writeCookie(blocks[i], 16);
                    }
                }
                long full = hedra.stats().bytesCommitted();
                assertTrue(full - baseline >= 16L * count, "a million 16-byte blocks take 16 MB: " + full);
                assertTrue(full - baseline <= 17L * count + MiB, "and not much more: " + full);
                assertEquals(count, pool.liveBlocks());
                int[] order = shuffled(count, 1234 + round);
                for (int i : order) {
                    if (i % 4096 == 0) {
                        Blocks.checkCookie(blocks[i], 16);
                    }
                    pool.free(blocks[i]);
                }
                assertEquals(0, pool.liveBlocks());
                long empty = hedra.stats().bytesCommitted();
                // What an empty pool may keep: a few empty pages for reuse (1 MiB) and its current page.
                assertTrue(empty - baseline <= MiB + 64 * KiB,
                        "round " + round + ": committed after freeing everything is " + (empty - baseline)
                                + " bytes above the start (" + full + " when full)");
            }
            pool.close();
            assertEquals(baseline, hedra.stats().bytesCommitted(), "close gives every page back");
        }
    }

    private static int[] shuffled(int count, long seed) {
        SplitMix64 random = new SplitMix64(seed);
        int[] order = new int[count];
        for (int i = 0; i < count; i++) {
            order[i] = i;
        }
        for (int i = count - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int swapped = order[i];
            order[i] = order[j];
            order[j] = swapped;
        }
        return order;
    }

    @Test
    void closeGivesEveryPageBackWithBlocksLive() {
        try (NativeAllocator hedra = CheckedAllocator.open()) {
            long baseline = hedra.stats().bytesCommitted();
            for (long size : BLOCK_SIZES) {
                FixedPool pool = hedra.newPool(size);
                for (int i = 0; i < (size < 64 * KiB ? 300 : 20); i++) {
                    pool.allocate();
                }
                assertTrue(hedra.stats().bytesCommitted() > baseline);
                pool.close();
                assertEquals(baseline, hedra.stats().bytesCommitted(), "after closing a pool of " + size);
            }
        }
    }

    // ---- threads

    @ParameterizedTest
    @EnumSource(ThreadKind.class)
    void onlyTheOwnerAllocates(ThreadKind kind) {
        try (NativeAllocator hedra = CheckedAllocator.open(); FixedPool pool = hedra.newPool(64)) {
            long mine = pool.allocate();
            kind.runOne(Duration.ofSeconds(30), () -> {
                assertThrows(WrongThreadException.class, pool::allocate);
                assertThrows(WrongThreadException.class, pool::allocateSegment);
                assertThrows(WrongThreadException.class, pool::close, "only the owner closes");
            });
            assertEquals(1, pool.liveBlocks());
            pool.free(mine);
        }
    }

    /** A pool created on a thread of the kind belongs to that thread, not to the test thread. */
    @ParameterizedTest
    @EnumSource(ThreadKind.class)
    void thePoolBelongsToItsCreator(ThreadKind kind) {
        try (NativeAllocator hedra = CheckedAllocator.open()) {
            FixedPool[] created = new FixedPool[1];
            long[] block = new long[1];
            kind.runOne(Duration.ofSeconds(30), () -> {
                created[0] = hedra.newPool(100);
                block[0] = created[0].allocate();
            });
            FixedPool pool = created[0];
            assertThrows(WrongThreadException.class, pool::allocate);
            pool.free(block[0]); // any thread frees
            // The owner is gone: anyone may close its pool, and its pages go back.
            long committed = hedra.stats().bytesCommitted();
            pool.close();
            assertTrue(hedra.stats().bytesCommitted() < committed, "a closed pool gives its pages back");
        }
    }

    /** Frees from other threads are deferred to the owner, who reuses those blocks. */
    @ParameterizedTest
    @EnumSource(ThreadKind.class)
    void remoteFreesAreDeferredAndTheOwnerReusesTheBlocks(ThreadKind kind) {
        try (NativeAllocator hedra = CheckedAllocator.open(); FixedPool pool = hedra.newPool(64)) {
            int count = 5000;
            List<Long> blocks = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                long block = pool.allocate();
                Blocks.writeCookie(block, 64);
                blocks.add(block);
            }
            long committed = hedra.stats().bytesCommitted();
            List<ThreadKind.Body> freers = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                List<Long> half = blocks.subList(t * count / 2, (t + 1) * count / 2);
                freers.add(() -> {
                    for (long block : half) {
                        Blocks.checkCookie(block, 64);
                        pool.free(block);
                    }
                });
            }
            kind.runAll(Duration.ofSeconds(60), freers);
            Set<Long> freed = new HashSet<>(blocks);
            List<Long> again = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                again.add(pool.allocate());
            }
            long reused = again.stream().filter(freed::contains).count();
            // The current page's never-used blocks come first (at most a page of 1,024), then the collected.
            assertTrue(reused >= count - 1024, "the owner reused " + reused + " of " + count + " blocks");
            assertEquals(committed, hedra.stats().bytesCommitted(), "no new pages for reused blocks");
            assertEquals(count, pool.liveBlocks());
            again.forEach(pool::free);
            assertEquals(0, pool.liveBlocks());
        }
    }

    @ParameterizedTest
    @EnumSource(ThreadKind.class)
    void sharedPoolFromFourThreads(ThreadKind kind) {
        sharedPoolFromFourThreads(i -> kind);
    }

    @Test
    void sharedPoolFromPlatformAndVirtualThreads() {
        sharedPoolFromFourThreads(i -> i % 2 == 0 ? ThreadKind.PLATFORM : ThreadKind.VIRTUAL);
    }

    private void sharedPoolFromFourThreads(java.util.function.IntFunction<ThreadKind> kindOf) {
        int threads = 4;
        int operations = 100_000;
        long size = 48;
        try (NativeAllocator hedra = CheckedAllocator.open(); FixedPool pool = hedra.newSharedPool(size)) {
            NativeHeapTest.Overlaps overlaps = new NativeHeapTest.Overlaps();
            ConcurrentLinkedQueue<Long> handOff = new ConcurrentLinkedQueue<>();
            List<ThreadKind.Body> bodies = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                long seed = 0x9001L + t;
                bodies.add(() -> {
                    SplitMix64 random = new SplitMix64(seed);
                    List<Long> mine = new ArrayList<>();
                    for (int op = 0; op < operations; op++) {
                        if (mine.isEmpty() || mine.size() < 2000 && random.percent(55)) {
                            long block = random.oneIn(2) ? pool.allocate() : pool.allocateSegment().address();
                            overlaps.add(block, size);
                            Blocks.writeCookie(block, size);
                            if (random.oneIn(4)) {
                                handOff.add(block);
                            } else {
                                mine.add(block);
                            }
                        } else {
                            Long block = random.oneIn(3) ? handOff.poll() : null;
                            if (block == null) {
                                block = mine.remove(random.nextInt(mine.size()));
                            }
                            freeChecked(pool, overlaps, block, size);
                        }
                    }
                    for (long block : mine) {
                        freeChecked(pool, overlaps, block, size);
                    }
                });
            }
            ThreadKind.runAll(Duration.ofSeconds(100), bodies, kindOf);
            for (Long block = handOff.poll(); block != null; block = handOff.poll()) {
                freeChecked(pool, overlaps, block, size);
            }
            assertEquals(0, pool.liveBlocks());
        }
    }

    private static void freeChecked(FixedPool pool, NativeHeapTest.Overlaps overlaps, long block, long size) {
        Blocks.checkCookie(block, size);
        overlaps.remove(block);
        pool.free(block);
    }

    // ---- bad input

    @ParameterizedTest
    @EnumSource(PoolKind.class)
    void doubleFreeIsCaught(PoolKind kind) {
        try (NativeAllocator hedra = CheckedAllocator.open(); FixedPool pool = kind.create(hedra, 64)) {
            long keep = pool.allocate();
            long block = pool.allocate();
            pool.free(block);
            assertRejected(IllegalStateException.class, () -> pool.free(block), block, "second free by the owner");
            assertRejected(IllegalStateException.class,
                    () -> ThreadKind.PLATFORM.runOne(Duration.ofSeconds(10), () -> pool.free(block)), block,
                    "second free from another thread");
            // Freed remotely first (deferred, not yet collected), then again by the owner.
            long deferred = pool.allocate();
            ThreadKind.PLATFORM.runOne(Duration.ofSeconds(10), () -> pool.free(deferred));
            assertRejected(IllegalStateException.class, () -> pool.free(deferred), deferred,
                    "owner frees a block another thread freed");
            assertRejected(IllegalStateException.class,
                    () -> ThreadKind.VIRTUAL.runOne(Duration.ofSeconds(10), () -> pool.free(deferred)), deferred,
                    "remote free of a block freed remotely");
            assertEquals(1, pool.liveBlocks(), "only the kept block is live");
            pool.free(keep);
        }
    }

    @ParameterizedTest
    @EnumSource(PoolKind.class)
    void interiorAddressIsRejected(PoolKind kind) {
        // 100 B blocks are found by a multiply, 64 B and 4 KiB ones (powers of two) by a shift.
        for (long size : new long[] {100, 64, 4096}) {
            interiorAddressIsRejected(kind, size);
        }
    }

    private static void interiorAddressIsRejected(PoolKind kind, long size) {
        try (NativeAllocator hedra = CheckedAllocator.open(); FixedPool pool = kind.create(hedra, size)) {
            long block = pool.allocate();
            for (long offset : new long[] {1, 8, 52, 96}) {
                if (offset >= pool.blockSize()) {
                    continue;
                }
                long inside = block + offset;
                assertRejected(IllegalArgumentException.class, () -> pool.free(inside), inside,
                        "free(block + " + offset + ")");
                assertRejected(IllegalArgumentException.class,
                        () -> ThreadKind.PLATFORM.runOne(Duration.ofSeconds(10), () -> pool.free(inside)), inside,
                        "free(block + " + offset + ") from another thread");
            }
            assertEquals(1, pool.liveBlocks());
            pool.free(block);
        }
    }

    @Test
    void blockOfAnotherPoolIsRejected() {
        try (NativeAllocator hedra = CheckedAllocator.open();
                FixedPool pool = hedra.newPool(64);
                FixedPool same = hedra.newPool(64);
                FixedPool larger = hedra.newPool(256);
                FixedPool shared = hedra.newSharedPool(64)) {
            long block = pool.allocate();
            Blocks.writeCookie(block, 64);
            for (FixedPool wrong : List.of(same, larger, shared)) {
                assertRejected(IllegalArgumentException.class, () -> wrong.free(block), block,
                        "free of another pool's block in " + wrong);
                assertRejected(IllegalArgumentException.class,
                        () -> ThreadKind.PLATFORM.runOne(Duration.ofSeconds(10), () -> wrong.free(block)), block,
                        "free of another pool's block in " + wrong + " from another thread");
                assertRejected(IllegalArgumentException.class,
                        () -> wrong.free(MemorySegment.ofAddress(block).reinterpret(wrong.blockSize() < 64 ? 8 : 64)),
                        block, "free of another pool's segment in " + wrong);
            }
            long theirs = shared.allocate();
            assertRejected(IllegalArgumentException.class, () -> pool.free(theirs), theirs,
                    "a shared pool's block in an owned pool");
            assertEquals(1, pool.liveBlocks());
            assertEquals(0, same.liveBlocks());
            Blocks.checkCookie(block, 64);
            pool.free(block);
            shared.free(theirs);
        }
    }

    /** Blocks from malloc, aligned malloc, calloc, medium, huge and a heap are not a pool's. */
    @ParameterizedTest
    @EnumSource(PoolKind.class)
    void allocatorBlocksGivenToAPoolAreRejected(PoolKind kind) {
        try (NativeAllocator hedra = CheckedAllocator.open();
                FixedPool pool = kind.create(hedra, 64);
                NativeHeap heap = hedra.newHeap("heap")) {
            long poolBlock = pool.allocate(); // so that the pool has a page to confuse
            List<Long> foreign = List.of(hedra.malloc(64), hedra.malloc(64, 64), hedra.calloc(24),
                    hedra.malloc(40_000), hedra.malloc(3 * MiB), heap.malloc(64));
            for (long block : foreign) {
                assertRejected(IllegalArgumentException.class, () -> pool.free(block), block,
                        "pool.free of an allocator block");
                assertRejected(IllegalArgumentException.class,
                        () -> ThreadKind.PLATFORM.runOne(Duration.ofSeconds(10), () -> pool.free(block)), block,
                        "pool.free of an allocator block from another thread");
            }
            assertRejected(IllegalArgumentException.class, () -> pool.free(0), 0, "pool.free(0)");
            for (int i = 0; i < foreign.size() - 1; i++) {
                hedra.free(foreign.get(i)); // still live: the pool did not take them
            }
            heap.free(foreign.getLast());
            pool.free(poolBlock);
        }
    }

    @ParameterizedTest
    @EnumSource(PoolKind.class)
    void poolBlockGivenToTheAllocatorIsRejected(PoolKind kind) {
        try (NativeAllocator hedra = CheckedAllocator.open(); FixedPool pool = kind.create(hedra, 64)) {
            NativeAllocator raw = CheckedAllocator.delegateOf(hedra);
            long block = pool.allocate();
            Blocks.writeCookie(block, 64);
            MemorySegment segment = pool.allocateSegment();
            hedra.free(hedra.malloc(64)); // the calling thread has a heap with a page of that class
            List<Executable> calls = List.of(
                    () -> raw.free(block),
                    () -> raw.free(block, 64),
                    () -> raw.free(block, 8),
                    () -> raw.realloc(block, 128),
                    () -> raw.free(segment),
                    () -> ThreadKind.PLATFORM.runOne(Duration.ofSeconds(10), () -> raw.free(block)),
                    () -> ThreadKind.VIRTUAL.runOne(Duration.ofSeconds(10), () -> raw.free(block, 64)));
            for (int i = 0; i < calls.size(); i++) {
                long address = i == 4 ? segment.address() : block;
                assertRejected(IllegalArgumentException.class, calls.get(i), address, "call " + i);
            }
            assertEquals(2, pool.liveBlocks(), "the pool still holds both blocks");
            assertEquals(0, raw.stats().liveBlocks(), "the failed realloc undid its allocation");
            Blocks.checkCookie(block, 64);
            pool.free(block);
            pool.free(segment);
        }
    }

    @ParameterizedTest
    @EnumSource(PoolKind.class)
    void useAfterCloseThrows(PoolKind kind) {
        try (NativeAllocator hedra = CheckedAllocator.open()) {
            NativeAllocator raw = CheckedAllocator.delegateOf(hedra);
            FixedPool pool = kind.create(hedra, 64);
            long block = pool.allocate();
            MemorySegment segment = pool.allocateSegment();
            pool.close();
            assertThrows(IllegalStateException.class, pool::allocate);
            assertThrows(IllegalStateException.class, pool::allocateSegment);
            assertThrows(IllegalStateException.class, () -> pool.free(block));
            assertThrows(IllegalStateException.class, () -> pool.free(segment));
            ThreadKind.PLATFORM.runOne(Duration.ofSeconds(10),
                    () -> assertThrows(IllegalStateException.class, () -> pool.free(block)));
            pool.close(); // a second close is allowed
            // Its blocks are gone: the allocator does not know them either.
            assertThrows(IllegalArgumentException.class, () -> raw.free(block));
            assertEquals(64, pool.blockSize());
        }
    }

    /** Closing the allocator invalidates its pools: nothing may hand out unmapped memory. */
    @ParameterizedTest
    @EnumSource(PoolKind.class)
    void poolOfAClosedAllocatorThrows(PoolKind kind) {
        NativeAllocator hedra = Hedra.builder().name("closing").build();
        FixedPool pool = kind.create(hedra, 64);
        long block = pool.allocate(); // the pool now has a current page with free blocks
        hedra.close();
        assertThrows(IllegalStateException.class, () -> kind.create(hedra, 64), "newPool on a closed allocator");
        // Do not touch what allocate() might return: the allocator's memory is unmapped.
        long[] handedOut = new long[1];
        Throwable thrown = null;
        try {
            handedOut[0] = pool.allocate();
        } catch (Throwable t) {
            thrown = t;
        }
        if (thrown == null) {
            fail("pool.allocate() after the allocator closed returned " + Blocks.hex(handedOut[0])
                    + ", an address in unmapped memory (the first block was " + Blocks.hex(block) + ")");
        }
        Throwable caught = thrown;
        assertTrue(caught instanceof IllegalStateException, () -> "expected IllegalStateException: " + caught);
        pool.close(); // nothing to give back, and no crash
    }

    @Test
    void invalidBlockSizesAreRejected() {
        try (NativeAllocator hedra = CheckedAllocator.open()) {
            for (long bad : new long[] {0, -1, MiB + 1, 2 * MiB, Long.MAX_VALUE, Long.MIN_VALUE}) {
                List<Function<Long, FixedPool>> constructors = List.of(
                        hedra::newPool, size -> hedra.newPool(size, 16), hedra::newSharedPool);
                for (Function<Long, FixedPool> constructor : constructors) {
                    IllegalArgumentException thrown = assertThrows(IllegalArgumentException.class,
                            () -> constructor.apply(bad), "block size " + bad);
                    Messages.assertNamesNumber(thrown, bad);
                }
            }
            // The largest allowed size, exactly.
            try (FixedPool largest = hedra.newPool(MiB)) {
                assertEquals(MiB, largest.blockSize());
            }
        }
    }

    @Test
    void invalidAlignmentsAreRejected() {
        try (NativeAllocator hedra = CheckedAllocator.open()) {
            for (long bad : new long[] {0, -8, 1, 2, 3, 4, 12, 24, 128 * KiB, MiB, Long.MIN_VALUE}) {
                IllegalArgumentException thrown = assertThrows(IllegalArgumentException.class,
                        () -> hedra.newPool(64, bad), "alignment " + bad);
                Messages.assertNamesNumber(thrown, bad);
            }
        }
    }

    // ---- helpers

    private static void assertRejected(Class<? extends RuntimeException> expected, Executable call, long address,
            String what) {
        RuntimeException thrown = assertThrows(expected, call, what);
        Messages.assertNamesAddress(thrown, address);
    }
}
