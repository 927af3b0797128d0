package dev.hedra;

import static dev.hedra.SizeClassOracle.KiB;
import static dev.hedra.SizeClassOracle.MiB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link HedraArena}: the {@code Arena} contract as the JDK's arenas honour it (exact sizes,
 * alignment, zeroed memory, scope checks after close and across threads), nested children, and
 * every chunk given back to the allocator on close.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class HedraArenaTest {

    /** The two kinds of arena. */
    enum Kind {
        CONFINED(NativeAllocator::newConfinedArena),
        SHARED(NativeAllocator::newSharedArena);

        final Function<NativeAllocator, HedraArena> open;

        Kind(Function<NativeAllocator, HedraArena> open) {
            this.open = open;
        }
    }

    static Stream<Arguments> matrix() {
        return Arrays.stream(Kind.values())
                .flatMap(kind -> Arrays.stream(ThreadKind.values()).map(thread -> Arguments.of(kind, thread)));
    }

    private record Held(MemorySegment segment, long seed) {}

    @ParameterizedTest
    @MethodSource("matrix")
    void allocationsAreExactAlignedZeroedAndDisjoint(Kind kind, ThreadKind thread) {
        try (NativeAllocator hedra = CheckedAllocator.open()) {
            thread.runOne(Duration.ofSeconds(60), () -> {
                List<Held> held = new ArrayList<>();
                try (HedraArena arena = kind.open.apply(hedra)) {
                    SplitMix64 random = new SplitMix64(5);
                    long total = 0;
                    for (int i = 0; i < 3000; i++) {
                        long size = random.oneIn(100) ? random.between(64 * KiB, 3 * MiB) : random.between(0, 600);
                        long alignment = 1L << random.nextInt(13);
                        MemorySegment segment = arena.allocate(size, alignment);
                        assertEquals(size, segment.byteSize());
                        Blocks.assertAligned(segment.address(), alignment, "arena.allocate(" + size + ", " + alignment + ")");
                        assertEquals(-1, Blocks.firstNonZero(segment.address(), size), "arena memory is zeroed");
                        assertTrue(segment.scope().equals(arena.scope()), "the segment has the arena's scope");
                        Blocks.fill(segment.address(), size, i);
                        held.add(new Held(segment, i));
                        total += size;
                    }
                    for (Held h : held) {
                        Blocks.assertPattern(h.segment().address(), h.segment().byteSize(), h.seed(), "arena segment");
                    }
                    assertTrue(arena.bytesAllocated() >= total,
                            "bytesAllocated " + arena.bytesAllocated() + " below the " + total + " bytes handed out");
                    assertTrue(arena.scope().isAlive());
                }
                // After close every segment is dead: the JDK refuses the access.
                MemorySegment first = held.get(0).segment().byteSize() > 0 ? held.get(0).segment()
                        : held.stream().filter(h -> h.segment().byteSize() > 0).findFirst().orElseThrow().segment();
                assertFalse(first.scope().isAlive());
                assertThrows(IllegalStateException.class, () -> first.get(ValueLayout.JAVA_BYTE, 0));
            });
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void closeGivesEveryChunkBack(Kind kind) {
        try (NativeAllocator hedra = CheckedAllocator.open()) {
            long committedBefore = hedra.stats().bytesCommitted();
            for (int round = 0; round < 20; round++) {
                try (HedraArena arena = kind.open.apply(hedra)) {
                    for (int i = 0; i < 2000; i++) {
                        arena.allocate(100 + i % 300, 8);
                    }
                    arena.allocate(5 * MiB);
                    assertTrue(hedra.stats().bytesCommitted() >= committedBefore + 5 * MiB,
                            "an open arena holds memory of the allocator");
                }
                AllocatorStats stats = hedra.stats();
                assertEquals(0, stats.liveBlocks(), () -> "live blocks after closing an arena:\n" + stats);
                assertEquals(0, stats.bytesInUse(), () -> "bytes in use after closing an arena:\n" + stats);
                // A thread keeps at most 16 chunks of 64 KiB for its next arena.
                assertTrue(stats.bytesCommitted() <= committedBefore + MiB,
                        () -> "a closed arena's memory went back:\n" + stats);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void allocateUninitializedHonoursSizeAndAlignment(Kind kind) {
        try (NativeAllocator hedra = CheckedAllocator.open(); HedraArena arena = kind.open.apply(hedra)) {
            for (long alignment = 1; alignment <= MiB; alignment *= 4) {
                MemorySegment segment = arena.allocateUninitialized(1000, alignment);
                assertEquals(1000, segment.byteSize());
                Blocks.assertAligned(segment.address(), alignment, "allocateUninitialized(1000, " + alignment + ")");
                segment.fill((byte) 1);
            }
            assertThrows(IllegalArgumentException.class, () -> arena.allocateUninitialized(-1, 8));
            assertThrows(IllegalArgumentException.class, () -> arena.allocateUninitialized(8, 3));
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void badRequestsAreRejected(Kind kind) {
        try (NativeAllocator hedra = CheckedAllocator.open(); HedraArena arena = kind.open.apply(hedra)) {
            MemorySegment kept = arena.allocate(64, 8);
            kept.fill((byte) 9);
            assertThrows(IllegalArgumentException.class, () -> arena.allocate(-1, 8));
            assertThrows(IllegalArgumentException.class, () -> arena.allocate(8, 0));
            assertThrows(IllegalArgumentException.class, () -> arena.allocate(8, 24));
            assertEquals((byte) 9, kept.get(ValueLayout.JAVA_BYTE, 63));
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void closedArenasRefuseEverything(Kind kind) {
        try (NativeAllocator hedra = CheckedAllocator.open()) {
            HedraArena arena = kind.open.apply(hedra);
            arena.allocate(64);
            arena.close();
            assertThrows(IllegalStateException.class, () -> arena.allocate(64));
            assertThrows(IllegalStateException.class, () -> arena.allocateUninitialized(64, 8));
            assertThrows(IllegalStateException.class, arena::openChild);
            assertThrows(IllegalStateException.class, arena::close);
        }
    }

    @Test
    void confinedArenasBelongToTheirThread() {
        try (NativeAllocator hedra = CheckedAllocator.open(); HedraArena arena = hedra.newConfinedArena()) {
            MemorySegment segment = arena.allocate(64, 8);
            ThreadKind.PLATFORM.runOne(Duration.ofSeconds(30), () -> {
                assertThrows(WrongThreadException.class, () -> segment.get(ValueLayout.JAVA_BYTE, 0));
                assertThrows(WrongThreadException.class, () -> arena.allocate(64));
                assertThrows(WrongThreadException.class, arena::close);
            });
            segment.set(ValueLayout.JAVA_BYTE, 0, (byte) 1);
        }
    }

    @ParameterizedTest
    @EnumSource(ThreadKind.class)
    void sharedArenasServeManyThreads(ThreadKind thread) {
        try (NativeAllocator hedra = CheckedAllocator.open(); HedraArena arena = hedra.newSharedArena()) {
            List<List<Held>> perThread = new ArrayList<>();
            List<ThreadKind.Body> bodies = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                List<Held> mine = new ArrayList<>();
                perThread.add(mine);
                int me = t;
                bodies.add(() -> {
                    SplitMix64 random = new SplitMix64(me);
                    for (int i = 0; i < 5000; i++) {
                        long size = random.between(1, 512);
                        MemorySegment segment = arena.allocate(size, 8);
                        Blocks.fill(segment.address(), size, me * 100_000L + i);
                        mine.add(new Held(segment, me * 100_000L + i));
                    }
                });
            }
            thread.runAll(Duration.ofSeconds(60), bodies);
            // Segments of different threads never overlap: every pattern survived.
            for (List<Held> mine : perThread) {
                for (Held h : mine) {
                    Blocks.assertPattern(h.segment().address(), h.segment().byteSize(), h.seed(), "shared arena segment");
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void childrenFreeOnlyTheirOwnAndCloseWithTheirParent(Kind kind) {
        try (NativeAllocator hedra = CheckedAllocator.open()) {
            HedraArena parent = kind.open.apply(hedra);
            MemorySegment inParent = parent.allocate(100);
            Blocks.fill(inParent.address(), 100, 1);
            long parentBytes = parent.bytesAllocated();
            HedraArena child = parent.openChild();
            MemorySegment inChild = child.allocate(200);
            assertEquals(parentBytes, parent.bytesAllocated(), "a child's allocations are not the parent's");
            assertTrue(child.bytesAllocated() >= 200);
            child.close();
            assertFalse(inChild.scope().isAlive());
            assertTrue(inParent.scope().isAlive());
            Blocks.assertPattern(inParent.address(), 100, 1, "the parent's segment after the child closed");

            HedraArena open = parent.openChild();
            MemorySegment inOpenChild = open.allocate(300);
            HedraArena grandchild = open.openChild();
            MemorySegment inGrandchild = grandchild.allocate(50);
            parent.close(); // closes the open child and its child first
            assertFalse(inOpenChild.scope().isAlive());
            assertFalse(inGrandchild.scope().isAlive());
            assertThrows(IllegalStateException.class, () -> open.allocate(8));
            assertThrows(IllegalStateException.class, () -> grandchild.allocate(8));
        }
    }

    /** An arena's segment is not a block from {@code allocate}: free(segment) must refuse it. */
    @ParameterizedTest
    @EnumSource(Kind.class)
    void arenaSegmentsCannotBeFreedOneByOne(Kind kind) {
        try (NativeAllocator hedra = CheckedAllocator.open(); HedraArena arena = kind.open.apply(hedra)) {
            MemorySegment first = arena.allocate(64, 8);
            MemorySegment second = arena.allocate(64, 8);
            MemorySegment large = arena.allocate(3 * MiB, 8);
            Blocks.fill(second.address(), 64, 2);
            long live = hedra.stats().liveBlocks();
            for (MemorySegment segment : List.of(first, second, large)) {
                assertThrows(IllegalArgumentException.class, () -> hedra.free(segment),
                        () -> "free of an arena segment at " + Blocks.hex(segment.address()));
            }
            assertEquals(live, hedra.stats().liveBlocks(), "a rejected free changed the allocator");
            Blocks.assertPattern(second.address(), 64, 2, "arena segment after a rejected free");
            large.fill((byte) 3);
        }
    }

    @Test
    void arenasRespectTheMemoryLimit() {
        try (NativeAllocator hedra = CheckedAllocator.wrap(
                Hedra.builder().name("limited-arena").memoryLimit(16 * MiB).build(), true)) {
            try (HedraArena arena = hedra.newConfinedArena()) {
                assertThrows(OutOfMemoryError.class, () -> {
                    for (int i = 0; i < 1_000_000; i++) {
                        arena.allocate(1000);
                    }
                });
                assertTrue(hedra.stats().bytesCommitted() <= 16 * MiB);
            }
            try (HedraArena again = hedra.newConfinedArena()) {
                again.allocate(8 * MiB).fill((byte) 1); // the closed arena gave its memory back
            }
        }
    }

    @Test
    void aClosedAllocatorOpensNoArena() {
        NativeAllocator hedra = Hedra.builder().build();
        hedra.close();
        assertThrows(IllegalStateException.class, hedra::newConfinedArena);
        assertThrows(IllegalStateException.class, hedra::newSharedArena);
    }
}
