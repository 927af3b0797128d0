package dev.hedra;

import static dev.hedra.ArenaContractTest.ALIGNMENTS;
import static dev.hedra.ArenaContractTest.KiB;
import static dev.hedra.ArenaContractTest.MiB;
import static dev.hedra.ArenaContractTest.SIZES;
import static dev.hedra.ArenaContractTest.assertAligned;
import static dev.hedra.ArenaContractTest.assertDisjoint;
import static dev.hedra.ArenaContractTest.assertPattern;
import static dev.hedra.ArenaContractTest.assertZeroed;
import static dev.hedra.ArenaContractTest.fillPattern;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hedra.ArenaContractTest.Fixture;
import dev.hedra.ArenaContractTest.Source;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What Hedra's arenas add to the JDK's, and the memory behind them: {@code allocateUninitialized}
 * (same size, alignment and scope as {@code allocate}, no zeroing, and no effect on the zeroing
 * of the allocations around it); {@link OutOfMemoryError}, never null, under a memory limit; and
 * bulk close (100,000 small allocations freed at once, committed memory flat over 100 arenas).
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ArenaMemoryTest {

    private static final long LIMIT = 8 * MiB;

    // ---- allocateUninitialized

    @ParameterizedTest
    @EnumSource(value = Source.class, names = {"HEDRA_CONFINED", "HEDRA_SHARED", "DEFAULT_CONFINED", "CHILD_SHARED"})
    void allocateUninitializedHonoursSizeAlignmentAndScope(Source source) {
        try (Fixture fixture = source.open()) {
            HedraArena arena = (HedraArena) fixture.open();
            List<MemorySegment> segments = new ArrayList<>();
            for (long size : SIZES) {
                for (long alignment : ALIGNMENTS) {
                    String what = "allocateUninitialized(" + size + ", " + alignment + ")";
                    MemorySegment segment = arena.allocateUninitialized(size, alignment);
                    assertNotNull(segment, what);
                    assertEquals(size, segment.byteSize(), what);
                    assertAligned(segment, alignment, what);
                    assertEquals(arena.scope(), segment.scope(), what);
                    assertTrue(segment.isNative() && !segment.isReadOnly(), what);
                    fillPattern(segment, segments.size());
                    segments.add(segment);
                }
            }
            for (long alignment : new long[] {8192, 64 * KiB, 1 * MiB}) {
                MemorySegment segment = arena.allocateUninitialized(100, alignment);
                assertAligned(segment, alignment, "allocateUninitialized(100, " + alignment + ")");
                fillPattern(segment, segments.size());
                segments.add(segment);
            }
            for (int i = 0; i < segments.size(); i++) {
                assertPattern(segments.get(i), i, "uninitialized segment " + i);
            }
            assertDisjoint(segments);
            assertThrows(IllegalArgumentException.class, () -> arena.allocateUninitialized(-1, 8));
            assertThrows(IllegalArgumentException.class, () -> arena.allocateUninitialized(8, 0));
            assertThrows(IllegalArgumentException.class, () -> arena.allocateUninitialized(8, 3));
            assertThrows(IllegalArgumentException.class, () -> arena.allocateUninitialized(8, -8));
            arena.close();
            assertThrows(IllegalStateException.class, () -> arena.allocateUninitialized(8, 8));
            assertThrows(IllegalStateException.class, () -> segments.get(0).get(JAVA_BYTE, 0));
        }
    }

    /**
     * Zeroed and uninitialized allocations mixed, in memory that earlier arenas filled: every
     * {@code allocate} is zero when returned, whatever the uninitialized ones around it hold, and
     * nothing overlaps. Shared arenas are closed on another thread half of the time, so chunks
     * move between threads' caches with their dirty marks.
     */
    @ParameterizedTest
    @EnumSource(value = Source.class, names = {"HEDRA_CONFINED", "HEDRA_SHARED", "CHILD_CONFINED"})
    void zeroedAllocationsStayZeroAmongUninitializedOnesInReusedMemory(Source source) {
        SplittableRandom random = new SplittableRandom(21);
        try (Fixture fixture = source.open()) {
            for (int round = 0; round < 30; round++) {
                HedraArena arena = (HedraArena) fixture.open();
                List<MemorySegment> segments = new ArrayList<>();
                for (int i = 0; i < 2000; i++) {
                    long size = random.nextInt(40) == 0 ? random.nextLong(16 * KiB, 80 * KiB) : random.nextLong(1, 1500);
                    long alignment = 1L << random.nextInt(10);
                    MemorySegment segment;
                    if (random.nextBoolean()) {
                        segment = arena.allocate(size, alignment);
                        assertZeroed(segment, "round " + round + ", allocate(" + size + ", " + alignment + ") number " + i);
                    } else {
                        segment = arena.allocateUninitialized(size, alignment);
                        assertEquals(size, segment.byteSize());
                    }
                    assertAligned(segment, alignment, "round " + round + ", segment " + i);
                    fillPattern(segment, round * 10_000L + i);
                    segments.add(segment);
                }
                for (int i = 0; i < segments.size(); i++) {
                    assertPattern(segments.get(i), round * 10_000L + i, "round " + round + ", segment " + i);
                }
                assertDisjoint(segments);
                if (!source.confined && round % 2 == 1) {
                    ThreadKind.PLATFORM.runOne(Duration.ofSeconds(30), arena::close);
                } else {
                    arena.close();
                }
            }
        }
    }

    // ---- memory limit

    private static NativeAllocator limited() {
        return CheckedAllocator.wrap(Hedra.builder().name("arena-8MiB").memoryLimit(LIMIT).build(), true);
    }

    @ParameterizedTest
    @EnumSource(value = Source.class, names = {"HEDRA_CONFINED", "HEDRA_SHARED"})
    void beyondTheMemoryLimitAllocationThrowsOutOfMemoryError(Source source) {
        try (NativeAllocator hedra = limited()) {
            try (HedraArena arena = source.confined ? hedra.newConfinedArena() : hedra.newSharedArena()) {
                MemorySegment kept = arena.allocate(1000, 8);
                fillPattern(kept, 1);
                assertThrows(OutOfMemoryError.class, () -> arena.allocate(16 * MiB, 8), "allocate(16 MiB)");
                assertThrows(OutOfMemoryError.class, () -> arena.allocate(9 * MiB, 4096), "allocate(9 MiB)");
                assertThrows(OutOfMemoryError.class, () -> arena.allocateUninitialized(16 * MiB, 8), "allocateUninitialized(16 MiB)");
                assertThrows(OutOfMemoryError.class, () -> arena.allocate(JAVA_BYTE, 16 * MiB), "allocate(JAVA_BYTE, 16 Mi)");
                assertThrows(OutOfMemoryError.class, () -> arena.allocateFrom(JAVA_BYTE, new byte[(int) (16 * MiB)]),
                        "allocateFrom(byte[16 MiB])");
                // Many small requests: the limit is reached and reported, never a null.
                List<MemorySegment> small = new ArrayList<>();
                OutOfMemoryError oom = null;
                for (int i = 0; i < 2 * LIMIT / 1000 && oom == null; i++) {
                    try {
                        MemorySegment segment = arena.allocate(1000, 8);
                        assertNotNull(segment);
                        segment.set(JAVA_BYTE, 999, (byte) i);
                        small.add(segment);
                    } catch (OutOfMemoryError e) {
                        oom = e;
                    }
                }
                assertNotNull(oom, "no OutOfMemoryError after " + small.size() + " allocations of 1000 bytes");
                assertTrue(small.size() * 1000L > LIMIT / 2, "only " + small.size() + " allocations fit under the limit");
                AllocatorStats stats = hedra.stats();
                assertTrue(stats.bytesCommitted() <= LIMIT, () -> "committed past the limit:\n" + stats);
                // The arena is intact after the failure.
                assertPattern(kept, 1, "a segment from before the limit was reached");
                for (int i = 0; i < small.size(); i++) {
                    assertEquals((byte) i, small.get(i).get(JAVA_BYTE, 999));
                }
                assertThrows(OutOfMemoryError.class, () -> arena.allocate(64 * KiB, 8), "still full");
            }
            // Closing gave everything back: a new arena can take most of the limit again.
            try (HedraArena again = source.confined ? hedra.newConfinedArena() : hedra.newSharedArena()) {
                again.allocate(4 * MiB, 8).fill((byte) 1);
                for (int i = 0; i < 2000; i++) {
                    again.allocate(1000, 8);
                }
            }
        }
    }

    /**
     * An arena that ran out of memory while taking a new chunk (and was asked again, as a caller
     * catching the error might) gives each chunk back once when it closes: arenas opened after it
     * never share a byte, and what they write stays written.
     */
    @ParameterizedTest
    @EnumSource(value = Source.class, names = {"HEDRA_CONFINED", "HEDRA_SHARED"})
    void anArenaThatRanOutOfMemoryGivesEachChunkBackOnce(Source source) {
        try (NativeAllocator hedra = limited()) {
            HedraArena full = source.confined ? hedra.newConfinedArena() : hedra.newSharedArena();
            assertThrows(OutOfMemoryError.class, () -> {
                for (long i = 0; i < 2 * LIMIT / 1000; i++) {
                    full.allocate(1000, 8);
                }
            });
            assertThrows(OutOfMemoryError.class, () -> full.allocate(1000, 8), "asked again at the limit");
            full.close();
            HedraArena first = source.confined ? hedra.newConfinedArena() : hedra.newSharedArena();
            HedraArena second = source.confined ? hedra.newConfinedArena() : hedra.newSharedArena();
            List<MemorySegment> segments = new ArrayList<>();
            try {
                for (int i = 0; i < 3000; i++) {
                    for (HedraArena arena : List.of(first, second)) {
                        MemorySegment segment = arena.allocate(1000, 8);
                        fillPattern(segment, segments.size());
                        segments.add(segment);
                    }
                }
            } catch (OutOfMemoryError enough) {
                // the two arenas hold what the limit allows
            }
            for (int i = 0; i < segments.size(); i++) {
                assertPattern(segments.get(i), i, "segment " + i + " of the arenas opened after the one that ran out");
            }
            assertDisjoint(segments);
            first.close();
            second.close();
        }
    }

    @Test
    void aChildBeyondTheLimitFailsAloneAndItsParentGoesOn() {
        try (NativeAllocator hedra = limited()) {
            try (HedraArena parent = hedra.newConfinedArena()) {
                MemorySegment kept = parent.allocate(100 * KiB, 8);
                fillPattern(kept, 3);
                try (HedraArena child = parent.openChild()) {
                    assertThrows(OutOfMemoryError.class, () -> {
                        for (int i = 0; i < 100_000; i++) {
                            child.allocate(500, 8);
                        }
                    });
                }
                assertPattern(kept, 3, "the parent's segment after its child ran out of memory");
                parent.allocate(2 * MiB, 8).fill((byte) 1); // the child's memory came back
            }
        }
    }

    // ---- bulk close

    /**
     * An arena of 100,000 small allocations closes with nothing left live, and committed memory
     * does not grow over 100 such arenas: the first arena's close leaves the allocator's committed
     * bytes where every later one leaves them. How fast a close is, is measured by
     * ArenaRequestBenchmark, not timed here.
     */
    @ParameterizedTest
    @EnumSource(value = Source.class, names = {"HEDRA_CONFINED", "HEDRA_SHARED"})
    void bulkCloseKeepsCommittedMemoryFlat(Source source) {
        try (Fixture fixture = source.open()) {
            bulkClose(fixture.allocator(), () -> (HedraArena) fixture.open());
        }
    }

    /** The same with 100 children of one parent. */
    @ParameterizedTest
    @EnumSource(value = Source.class, names = {"HEDRA_CONFINED", "HEDRA_SHARED"})
    void bulkCloseOfChildrenKeepsCommittedMemoryFlat(Source source) {
        try (Fixture fixture = source.open()) {
            HedraArena parent = (HedraArena) fixture.open();
            MemorySegment kept = parent.allocate(1000, 8);
            fillPattern(kept, 8);
            bulkClose(fixture.allocator(), parent::openChild);
            assertPattern(kept, 8, "the parent's segment after 100 children");
        }
    }

    private static void bulkClose(NativeAllocator hedra, Supplier<HedraArena> arenas) {
        int[] sizes = new SplittableRandom(31).ints(100_000, 8, 129).toArray();
        long firstCommitted = 0;
        for (int round = 0; round < 100; round++) {
            HedraArena arena = arenas.get();
            long total = 0;
            MemorySegment last = null;
            for (int size : sizes) {
                last = arena.allocate(size, 8);
                total += size;
            }
            last.set(JAVA_BYTE, 0, (byte) 1);
            assertTrue(arena.bytesAllocated() >= total);
            arena.close();
            assertFalse(last.scope().isAlive());
            AllocatorStats stats = hedra.stats();
            if (round == 0) {
                firstCommitted = stats.bytesCommitted();
            } else {
                long limit = firstCommitted;
                int r = round;
                assertTrue(stats.bytesCommitted() <= limit, () -> "after arena " + r + ", " + stats.bytesCommitted()
                        + " bytes committed, more than the " + limit + " after the first:\n" + stats);
            }
            assertEquals(0, stats.liveBlocks(), () -> "a closed arena left live blocks:\n" + stats);
        }
    }

    /** The same with shared arenas filled on one thread and closed on another, each time. */
    @Test
    void bulkCloseOnAnotherThreadKeepsCommittedMemoryFlat() {
        int[] sizes = new SplittableRandom(37).ints(100_000, 8, 129).toArray();
        try (Fixture fixture = Source.HEDRA_SHARED.open()) {
            NativeAllocator hedra = fixture.allocator();
            long afterSecond = 0;
            for (int round = 0; round < 100; round++) {
                HedraArena arena = (HedraArena) fixture.open();
                ThreadKind.PLATFORM.runOne(Duration.ofSeconds(30), () -> {
                    for (int size : sizes) {
                        arena.allocate(size, 8);
                    }
                });
                arena.close(); // on the test thread: its chunk cache fills, the filler's stays empty
                long committed = hedra.stats().bytesCommitted();
                // Two warm-up rounds: each thread's chunk cache fills once.
                if (round == 1) {
                    afterSecond = committed;
                } else if (round > 1) {
                    long limit = afterSecond;
                    int r = round;
                    assertTrue(committed <= limit, () -> "after arena " + r + ", " + committed
                            + " bytes committed, more than the " + limit + " after the second:\n" + hedra.stats());
                }
            }
        }
    }
}
