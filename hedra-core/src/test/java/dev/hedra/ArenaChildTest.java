package dev.hedra;

import static dev.hedra.ArenaContractTest.KiB;
import static dev.hedra.ArenaContractTest.MiB;
import static dev.hedra.ArenaContractTest.assertDisjoint;
import static dev.hedra.ArenaContractTest.assertFreshAllocation;
import static dev.hedra.ArenaContractTest.assertPattern;
import static dev.hedra.ArenaContractTest.fillPattern;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hedra.ArenaContractTest.Fixture;
import dev.hedra.ArenaContractTest.Source;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Nested scopes: {@link HedraArena#openChild()}. Closing a child frees what was allocated in it
 * and nothing else (the parent's segments stay alive and intact, and the memory really goes back:
 * committed bytes stay flat over many children); closing a parent closes its open children first;
 * a child has its parent's confinement but a scope of its own. Over Hedra's arenas from a built
 * allocator and the process-wide one; the check after each test is {@link Fixture#close()}.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ArenaChildTest {

    /** A segment and the seed of the pattern written into it. */
    private record Held(MemorySegment segment, long seed) {
        void check(String what) {
            assertPattern(segment, seed, what);
        }
    }

    private static Held held(HedraArena arena, long size, long alignment, long seed) {
        MemorySegment segment = arena.allocate(size, alignment);
        fillPattern(segment, seed);
        return new Held(segment, seed);
    }

    /** Small, medium and large segments, so that chunks and Hedra's large path both take part. */
    private static List<Held> fill(HedraArena arena, long seed) {
        List<Held> held = new ArrayList<>();
        long[] sizes = {8, 24, 100, 1000, 4096, 20 * KiB, 100 * KiB, 3 * MiB};
        for (int i = 0; i < sizes.length; i++) {
            held.add(held(arena, sizes[i], 8L << (i % 4), seed + i));
        }
        return held;
    }

    @ParameterizedTest
    @EnumSource(value = Source.class, names = {"HEDRA_CONFINED", "HEDRA_SHARED", "DEFAULT_CONFINED", "DEFAULT_SHARED"})
    void closingAChildFreesOnlyItsOwnSegments(Source source) {
        try (Fixture fixture = source.open()) {
            HedraArena parent = (HedraArena) fixture.open();
            List<Held> before = fill(parent, 1000);
            long parentBytes = parent.bytesAllocated();
            HedraArena child = parent.openChild();
            List<Held> inChild = fill(child, 2000);
            assertEquals(parentBytes, parent.bytesAllocated(), "a child's allocations are not its parent's");
            assertTrue(child.bytesAllocated() >= 3 * MiB, "the child counts its own allocations");
            assertNotEquals(parent.scope(), child.scope(), "a child has a scope of its own");
            for (Held h : inChild) {
                assertEquals(child.scope(), h.segment().scope());
            }
            List<Held> interleaved = fill(parent, 3000); // the parent allocates while the child is open
            List<MemorySegment> all = new ArrayList<>();
            for (List<Held> list : List.of(before, inChild, interleaved)) {
                list.forEach(h -> all.add(h.segment()));
            }
            assertDisjoint(all);

            child.close();
            assertFalse(child.scope().isAlive());
            for (Held h : inChild) {
                assertFalse(h.segment().scope().isAlive());
                assertThrows(IllegalStateException.class, () -> h.segment().get(JAVA_BYTE, 0));
            }
            assertTrue(parent.scope().isAlive(), "closing a child leaves its parent open");
            for (Held h : before) {
                h.check("a parent segment from before the child, after the child closed");
            }
            for (Held h : interleaved) {
                h.check("a parent segment from while the child was open, after the child closed");
            }
            // The parent goes on; its new segments are fresh and do not overlap its old ones.
            List<Held> after = fill(parent, 4000);
            for (Held h : after) {
                h.check("a parent segment from after the child closed");
            }
            List<MemorySegment> parents = new ArrayList<>();
            for (List<Held> list : List.of(before, interleaved, after)) {
                list.forEach(h -> parents.add(h.segment()));
            }
            assertDisjoint(parents);
            for (Held h : before) {
                h.check("a parent segment from before the child, at the end");
            }
        }
    }

    /** A child's memory really goes back: committed bytes do not grow over 500 children of one parent. */
    @ParameterizedTest
    @EnumSource(value = Source.class, names = {"HEDRA_CONFINED", "HEDRA_SHARED"})
    void closedChildrenGiveTheirMemoryBack(Source source) {
        try (Fixture fixture = source.open()) {
            HedraArena parent = (HedraArena) fixture.open();
            Held kept = held(parent, 1000, 8, 1);
            long committedAfterFirst = 0;
            for (int round = 0; round < 500; round++) {
                try (HedraArena child = parent.openChild()) {
                    for (int i = 0; i < 2000; i++) {
                        child.allocate(8 + i % 120, 8);
                    }
                    child.allocate(200 * KiB, 8).fill((byte) 1);
                    child.allocate(5 * MiB, 4096).fill((byte) 2);
                }
                long committed = fixture.allocator().stats().bytesCommitted();
                if (round == 0) {
                    committedAfterFirst = committed;
                } else {
                    long limit = committedAfterFirst;
                    int r = round;
                    assertTrue(committed <= limit, () -> "after child " + r + ", " + committed
                            + " bytes committed, more than the " + limit + " after the first child:\n"
                            + fixture.allocator().stats());
                }
            }
            kept.check("the parent's segment after 500 children");
        }
    }

    @ParameterizedTest
    @EnumSource(value = Source.class, names = {"HEDRA_CONFINED", "HEDRA_SHARED", "DEFAULT_CONFINED", "DEFAULT_SHARED"})
    void closingTheParentClosesItsOpenChildrenFirst(Source source) {
        try (Fixture fixture = source.open()) {
            HedraArena parent = (HedraArena) fixture.open();
            MemorySegment inParent = parent.allocate(100);
            HedraArena closedEarlier = parent.openChild();
            MemorySegment inClosedEarlier = closedEarlier.allocate(100);
            closedEarlier.close();
            HedraArena open = parent.openChild();
            MemorySegment inOpen = open.allocate(100 * KiB);
            HedraArena grandchild = open.openChild();
            MemorySegment inGrandchild = grandchild.allocate(300);
            HedraArena greatGrandchild = grandchild.openChild();
            MemorySegment inGreatGrandchild = greatGrandchild.allocate(5 * MiB);
            HedraArena sibling = parent.openChild();
            MemorySegment inSibling = sibling.allocate(50);

            parent.close();
            for (MemorySegment segment : List.of(inParent, inClosedEarlier, inOpen, inGrandchild, inGreatGrandchild, inSibling)) {
                assertFalse(segment.scope().isAlive(), () -> segment + " after its ancestor closed");
                assertThrows(IllegalStateException.class, () -> segment.get(JAVA_BYTE, 0));
            }
            for (HedraArena arena : List.of(parent, closedEarlier, open, grandchild, greatGrandchild, sibling)) {
                assertFalse(arena.scope().isAlive());
                assertThrows(IllegalStateException.class, () -> arena.allocate(8), "allocate in a closed arena");
                assertThrows(IllegalStateException.class, () -> arena.allocateUninitialized(8, 8));
                assertThrows(IllegalStateException.class, arena::openChild, "openChild of a closed arena");
                assertThrows(IllegalStateException.class, arena::close, "a second close");
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = Source.class, names = {"HEDRA_CONFINED", "HEDRA_SHARED"})
    void childrenHaveTheirParentsConfinement(Source source) {
        try (Fixture fixture = source.open()) {
            HedraArena parent = (HedraArena) fixture.open();
            HedraArena child = parent.openChild();
            HedraArena grandchild = child.openChild();
            MemorySegment segment = grandchild.allocate(64, 8);
            ThreadKind.PLATFORM.runOne(Duration.ofSeconds(30), () -> {
                assertEquals(!source.confined, segment.isAccessibleBy(Thread.currentThread()));
                if (source.confined) {
                    assertThrows(WrongThreadException.class, () -> segment.get(JAVA_BYTE, 0));
                    assertThrows(WrongThreadException.class, () -> child.allocate(8));
                    assertThrows(WrongThreadException.class, child::openChild);
                    assertThrows(WrongThreadException.class, grandchild::close);
                    assertThrows(WrongThreadException.class, child::close);
                } else {
                    segment.set(JAVA_BYTE, 0, (byte) 7);
                    child.allocate(8).fill((byte) 1);
                    child.openChild().close();
                    grandchild.close();
                }
            });
            if (source.confined) {
                assertTrue(grandchild.scope().isAlive(), "a refused close leaves the child open");
                segment.set(JAVA_BYTE, 0, (byte) 7);
            } else {
                assertFalse(grandchild.scope().isAlive(), "a shared child closed by another thread");
            }
            child.close();
            assertTrue(parent.scope().isAlive());
        }
    }

    /** Fifty children open at once, closed in a seeded random order: the others are never disturbed. */
    @ParameterizedTest
    @EnumSource(value = Source.class, names = {"HEDRA_CONFINED", "HEDRA_SHARED"})
    void manyChildrenClosedInAnyOrder(Source source) {
        try (Fixture fixture = source.open()) {
            HedraArena parent = (HedraArena) fixture.open();
            List<Held> parentHeld = fill(parent, 1);
            List<HedraArena> children = new ArrayList<>();
            List<List<Held>> childHeld = new ArrayList<>();
            SplittableRandom random = new SplittableRandom(11);
            for (int c = 0; c < 50; c++) {
                HedraArena child = parent.openChild();
                List<Held> mine = new ArrayList<>();
                for (int i = 0; i < 40; i++) {
                    long size = random.nextInt(20) == 0 ? random.nextLong(17 * KiB, 200 * KiB) : random.nextLong(1, 2000);
                    mine.add(held(child, size, 1L << random.nextInt(7), c * 1000L + i));
                }
                children.add(child);
                childHeld.add(mine);
            }
            List<Integer> order = new ArrayList<>();
            for (int c = 0; c < children.size(); c++) {
                order.add(c);
            }
            java.util.Collections.shuffle(order, new java.util.Random(13));
            for (int step = 0; step < order.size(); step++) {
                int closing = order.get(step);
                children.get(closing).close();
                for (int later = step + 1; later < order.size(); later++) {
                    for (Held h : childHeld.get(order.get(later))) {
                        h.check("child " + order.get(later) + " after child " + closing + " closed");
                    }
                }
                for (Held h : parentHeld) {
                    h.check("the parent after child " + closing + " closed");
                }
                // Memory freed by the closed child is reused by a new child without touching the others.
                try (HedraArena reuse = parent.openChild()) {
                    for (int i = 0; i < 20; i++) {
                        assertFreshAllocation(reuse.allocate(100 + i, 8), 100 + i, 8, reuse, "a child after child " + closing + " closed");
                    }
                }
            }
        }
    }

    /**
     * A shared child closed on one thread while its parent is closed on another: one of them
     * closes the child, the other sees it closed or does nothing; neither may hang.
     */
    @Test
    void closingASharedChildAndItsParentAtOnceDoesNotDeadlock() {
        NativeAllocator hedra = Hedra.builder().name("child-parent-race").build();
        // Not closed by a fixture: after a deadlock the arenas stay locked, so nothing may close them.
        for (int round = 0; round < 2000; round++) {
            HedraArena parent = hedra.newSharedArena();
            HedraArena child = parent.openChild();
            child.allocate(64);
            CyclicBarrier go = new CyclicBarrier(2);
            int r = round;
            ThreadKind.PLATFORM.runAll(Duration.ofSeconds(20), List.<ThreadKind.Body>of(
                    () -> {
                        go.await();
                        try {
                            child.close();
                        } catch (IllegalStateException alreadyClosedByTheParent) {
                            assertFalse(child.scope().isAlive());
                        }
                    },
                    () -> {
                        go.await();
                        parent.close();
                    }));
            assertFalse(child.scope().isAlive(), "round " + r);
            assertFalse(parent.scope().isAlive(), "round " + r);
        }
        hedra.close();
    }

    /** Children opened, used and closed by several threads of one shared parent at once. */
    @ParameterizedTest
    @EnumSource(value = Source.class, names = {"HEDRA_SHARED", "DEFAULT_SHARED"})
    void threadsOpenAndCloseChildrenOfOneSharedParent(Source source) {
        try (Fixture fixture = source.open()) {
            HedraArena parent = (HedraArena) fixture.open();
            List<Held> parentHeld = fill(parent, 5);
            List<ThreadKind.Body> bodies = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int me = t;
                bodies.add(() -> {
                    SplittableRandom random = new SplittableRandom(me);
                    for (int round = 0; round < 200; round++) {
                        try (HedraArena child = parent.openChild()) {
                            List<Held> mine = new ArrayList<>();
                            for (int i = 0; i < 30; i++) {
                                mine.add(held(child, random.nextLong(1, 3000), 8, me * 100_000L + round * 100L + i));
                            }
                            if (random.nextInt(4) == 0) {
                                parent.allocate(random.nextLong(1, 500)).fill((byte) 3); // the parent grows meanwhile
                            }
                            for (Held h : mine) {
                                h.check("thread " + me + ", round " + round);
                            }
                        }
                    }
                });
            }
            ThreadKind.PLATFORM.runAll(Duration.ofSeconds(60), bodies);
            for (Held h : parentHeld) {
                h.check("the parent after its children came and went");
            }
        }
    }
}
