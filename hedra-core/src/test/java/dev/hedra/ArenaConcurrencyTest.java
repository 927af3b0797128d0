package dev.hedra;

import static dev.hedra.ArenaContractTest.KiB;
import static dev.hedra.ArenaContractTest.assertAligned;
import static dev.hedra.ArenaContractTest.assertDisjoint;
import static dev.hedra.ArenaContractTest.assertPattern;
import static dev.hedra.ArenaContractTest.assertZeroed;
import static dev.hedra.ArenaContractTest.fillPattern;
import static dev.hedra.ArenaContractTest.thrownBy;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.hedra.ArenaContractTest.Fixture;
import dev.hedra.ArenaContractTest.Source;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Arenas and threads, on the JDK's arenas and Hedra's side by side (the matrix of
 * {@link ArenaContractTest}, times platform and virtual threads): a confined arena refuses every
 * other thread with {@link WrongThreadException} ({@code TestScopedOperations}); a shared one
 * gives disjoint segments to threads allocating at once; and closing shared arenas while other
 * threads use their segments ({@code TestConcurrentClose}) lets those threads see success or
 * {@link IllegalStateException}, nothing else, while the close itself never fails.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ArenaConcurrencyTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    static Stream<Arguments> confinedSources() {
        return Source.confinedOnes().flatMap(source -> Arrays.stream(ThreadKind.values())
                .map(thread -> Arguments.of(source, thread)));
    }

    static Stream<Arguments> sharedSources() {
        return Source.sharedOnes().flatMap(source -> Arrays.stream(ThreadKind.values())
                .map(thread -> Arguments.of(source, thread)));
    }

    // ---- confined

    /**
     * Every access to a confined arena's segment, every allocation and the close, from another
     * thread, throws {@link WrongThreadException} saying the access is outside the owner; the
     * owner goes on using the arena afterwards.
     */
    @ParameterizedTest
    @MethodSource("confinedSources")
    void confinedArenasRefuseOtherThreads(Source source, ThreadKind thread) {
        try (Fixture fixture = source.open()) {
            Arena arena = fixture.open();
            MemorySegment small = arena.allocate(64, 8);
            MemorySegment large = arena.allocate(100 * KiB, 16);
            MemorySegment foreign = MemorySegment.ofArray(new byte[64]);
            fillPattern(small, 1);
            fillPattern(large, 2);
            Map<String, Executable> operations = new LinkedHashMap<>();
            for (MemorySegment segment : List.of(small, large, small.asSlice(8, 8))) {
                String of = " of " + segment.byteSize() + " bytes";
                operations.put("get" + of, () -> segment.get(JAVA_BYTE, 0));
                operations.put("set" + of, () -> segment.set(JAVA_LONG, 0, 1L));
                operations.put("fill" + of, () -> segment.fill((byte) 1));
                operations.put("copy out" + of, () -> MemorySegment.copy(segment, 0, foreign, 0, 8));
                operations.put("copy in" + of, () -> MemorySegment.copy(foreign, 0, segment, 0, 8));
                operations.put("toArray" + of, () -> segment.toArray(JAVA_BYTE));
                operations.put("mismatch" + of, () -> segment.mismatch(foreign));
                operations.put("asSlice then get" + of, () -> segment.asSlice(1, 4).get(JAVA_BYTE, 0));
                operations.put("asByteBuffer then get" + of, () -> segment.asByteBuffer().get(0));
            }
            operations.put("allocate(8)", () -> arena.allocate(8));
            operations.put("allocate(100 KiB, 8)", () -> arena.allocate(100 * KiB, 8));
            operations.put("allocate(JAVA_INT, 4)", () -> arena.allocate(JAVA_INT, 4));
            operations.put("allocateFrom(JAVA_INT, 1)", () -> arena.allocateFrom(JAVA_INT, 1));
            operations.put("allocateFrom(long[])", () -> arena.allocateFrom(JAVA_LONG, 1, 2, 3));
            operations.put("allocateFrom(String)", () -> arena.allocateFrom("owner only"));
            operations.put("close", arena::close);
            if (arena instanceof HedraArena hedra) {
                operations.put("allocateUninitialized(8, 8)", () -> hedra.allocateUninitialized(8, 8));
                operations.put("openChild()", hedra::openChild);
            }
            thread.runOne(WAIT, () -> {
                assertFalse(small.isAccessibleBy(Thread.currentThread()));
                for (Map.Entry<String, Executable> entry : operations.entrySet()) {
                    WrongThreadException e = assertThrows(WrongThreadException.class, entry.getValue(), entry.getKey());
                    assertTrue(e.getMessage().contains("outside"),
                            () -> entry.getKey() + ": the message should say the access is outside the owner: " + e.getMessage());
                }
            });
            assertTrue(small.isAccessibleBy(Thread.currentThread()));
            assertTrue(arena.scope().isAlive(), "a refused close from another thread leaves the arena open");
            assertPattern(small, 1, "the small segment after the other thread's attempts");
            assertPattern(large, 2, "the large segment after the other thread's attempts");
            MemorySegment after = arena.allocate(64, 8);
            assertZeroed(after, "an allocation after the other thread's attempts");
            assertDisjoint(List.of(small, large, after));
            arena.close();
        }
    }

    /**
     * A closed confined arena, used from another thread, throws what the JDK's does: the JDK
     * checks the thread before the state, so it is a {@link WrongThreadException}.
     */
    @ParameterizedTest
    @MethodSource("confinedSources")
    void closedConfinedArenaUsedFromAnotherThreadFailsAsTheJdkDoes(Source source, ThreadKind thread) {
        try (Fixture fixture = source.open()) {
            Arena arena = fixture.open();
            Arena reference = fixture.reference();
            MemorySegment segment = arena.allocate(16, 8);
            MemorySegment referenceSegment = reference.allocate(16, 8);
            arena.close();
            reference.close();
            Map<String, java.util.function.Function<Arena, Object>> requests = new LinkedHashMap<>();
            requests.put("allocate(8)", a -> a.allocate(8));
            requests.put("allocate(100 KiB, 8)", a -> a.allocate(100 * KiB, 8));
            requests.put("allocateFrom(JAVA_INT, 1)", a -> a.allocateFrom(JAVA_INT, 1));
            requests.put("close()", a -> {
                a.close();
                return null;
            });
            thread.runOne(WAIT, () -> {
                for (Map.Entry<String, java.util.function.Function<Arena, Object>> entry : requests.entrySet()) {
                    Class<?> expected = thrownBy(() -> entry.getValue().apply(reference));
                    Class<?> actual = thrownBy(() -> entry.getValue().apply(arena));
                    assertEquals(expected, actual, () -> "closed confined arena, other thread, " + entry.getKey());
                }
                assertEquals(thrownBy(() -> referenceSegment.get(JAVA_BYTE, 0)), thrownBy(() -> segment.get(JAVA_BYTE, 0)),
                        "a closed segment read from another thread");
            });
        }
    }

    /**
     * {@code allocateFrom} a segment of another thread's confined arena: the copy is refused with
     * {@link WrongThreadException}, as {@code TestSegmentAllocators} asserts.
     */
    @ParameterizedTest
    @MethodSource("confinedSources")
    void allocateFromAnotherThreadsConfinedSegmentIsRefused(Source source, ThreadKind thread) throws Exception {
        try (Fixture fixture = source.open()) {
            Arena arena = fixture.open();
            CountDownLatch done = new CountDownLatch(1);
            CompletableFuture<MemorySegment> theirs = new CompletableFuture<>();
            Thread owner = thread.start("owner", () -> {
                try (Arena their = Arena.ofConfined()) {
                    theirs.complete(their.allocateFrom(JAVA_INT, 1, 2));
                    done.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            try {
                MemorySegment source1 = theirs.get(30, TimeUnit.SECONDS);
                assertThrows(WrongThreadException.class, () -> arena.allocateFrom(JAVA_INT, source1, JAVA_INT, 0, 2));
                arena.allocate(8).fill((byte) 1);
            } finally {
                done.countDown();
                owner.join(WAIT);
            }
        }
    }

    // ---- shared

    /**
     * Threads allocating from one shared arena at once get disjoint, aligned, zeroed segments,
     * each readable and writable from every thread.
     */
    @ParameterizedTest
    @MethodSource("sharedSources")
    void sharedArenasGiveDisjointSegmentsToThreadsAllocatingAtOnce(Source source, ThreadKind thread) {
        int threads = 4;
        int perThread = 3000;
        try (Fixture fixture = source.open()) {
            Arena arena = fixture.open();
            List<List<MemorySegment>> segments = new ArrayList<>();
            List<ThreadKind.Body> bodies = new ArrayList<>();
            CountDownLatch start = new CountDownLatch(threads);
            for (int t = 0; t < threads; t++) {
                List<MemorySegment> mine = new ArrayList<>();
                segments.add(mine);
                int me = t;
                bodies.add(() -> {
                    SplittableRandom random = new SplittableRandom(100 + me);
                    start.countDown();
                    start.await();
                    for (int i = 0; i < perThread; i++) {
                        long size = random.nextInt(50) == 0 ? random.nextLong(16 * KiB, 100 * KiB) : random.nextLong(1, 600);
                        long alignment = 1L << random.nextInt(13);
                        MemorySegment segment = arena.allocate(size, alignment);
                        assertEquals(size, segment.byteSize());
                        assertAligned(segment, alignment, "allocate(" + size + ", " + alignment + ") on thread " + me);
                        assertZeroed(segment, "allocate(" + size + ", " + alignment + ") on thread " + me);
                        fillPattern(segment, me * 1_000_000L + i);
                        mine.add(segment);
                    }
                });
            }
            thread.runAll(WAIT, bodies);
            // Each thread checks another's segments: shared segments are accessible from every thread.
            List<ThreadKind.Body> checks = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int other = (t + 1) % threads;
                checks.add(() -> {
                    List<MemorySegment> theirs = segments.get(other);
                    for (int i = 0; i < theirs.size(); i++) {
                        assertPattern(theirs.get(i), other * 1_000_000L + i, "thread " + other + "'s segment " + i);
                    }
                });
            }
            thread.runAll(WAIT, checks);
            assertDisjoint(segments.stream().flatMap(List::stream).toList());
        }
    }

    /**
     * {@code TestConcurrentClose}: several shared arenas, each segment read and written in a loop
     * by its own threads, all closed at once by other threads. An accessor sees success or one
     * {@link IllegalStateException} (then stops, since the scope is dead); never another
     * exception, never a crash; no close throws. Repeated, so that Hedra reuses the memory of
     * arenas just closed.
     */
    @ParameterizedTest
    @MethodSource("sharedSources")
    void closingSharedArenasWhileOtherThreadsUseThem(Source source, ThreadKind thread) {
        int arenas = 4;
        int rounds = 5;
        try (Fixture fixture = source.open()) {
            for (int round = 0; round < rounds; round++) {
                List<Arena> open = new ArrayList<>();
                List<MemorySegment> targets = new ArrayList<>();
                for (int a = 0; a < arenas; a++) {
                    Arena arena = fixture.open();
                    open.add(arena);
                    arena.allocate(a * 24 + 8, 8); // segments at different offsets in each arena
                    targets.add(arena.allocate(10_000, 1));
                    targets.add(arena.allocate(100 * KiB, 64));
                }
                CountDownLatch accessing = new CountDownLatch(targets.size());
                CountDownLatch closeNow = new CountDownLatch(1);
                AtomicInteger closedSeen = new AtomicInteger();
                List<ThreadKind.Body> bodies = new ArrayList<>();
                for (int i = 0; i < targets.size(); i++) {
                    MemorySegment segment = targets.get(i);
                    boolean writer = i % 2 == 0;
                    bodies.add(() -> access(segment, writer, accessing, closedSeen));
                }
                for (Arena arena : open) {
                    bodies.add(() -> {
                        accessing.await();
                        closeNow.await();
                        arena.close(); // must not throw
                    });
                }
                bodies.add(() -> {
                    accessing.await();
                    closeNow.countDown();
                });
                thread.runAll(WAIT, bodies);
                for (int i = 0; i < targets.size(); i++) {
                    assertFalse(targets.get(i).scope().isAlive(), "segment " + i + " after its arena was closed");
                }
                assertTrue(closedSeen.get() <= targets.size());
                if (Boolean.getBoolean("arena.test.verbose")) {
                    System.out.println(source + " " + thread + " round " + round + ": " + closedSeen.get() + " of "
                            + targets.size() + " accessors saw IllegalStateException");
                }
            }
        }
    }

    /** Accessors run this many passes (compiled by then) before the closers start. */
    private static final int PASSES_BEFORE_CLOSE = 200;

    /** Reads or writes the whole segment in a loop while its scope lives. */
    private static void access(MemorySegment segment, boolean writer, CountDownLatch accessing, AtomicInteger closedSeen) {
        boolean sawClosed = false;
        boolean counted = false;
        long sum = 0;
        byte[] buffer = new byte[256];
        for (int pass = 0; segment.scope().isAlive(); pass++) {
            try {
                if (writer) {
                    segment.fill((byte) pass);
                    for (long offset = 0; offset + buffer.length <= segment.byteSize(); offset += 4096) {
                        MemorySegment.copy(buffer, 0, segment, JAVA_BYTE, offset, buffer.length);
                    }
                } else {
                    for (long offset = 0; offset < segment.byteSize(); offset += 8) {
                        sum += segment.get(JAVA_BYTE, offset);
                    }
                    MemorySegment.copy(segment, JAVA_BYTE, 0, buffer, 0, buffer.length);
                }
            } catch (IllegalStateException e) {
                if (sawClosed) {
                    fail("a second IllegalStateException after the scope was seen closed", e);
                }
                assertFalse(segment.scope().isAlive(), "IllegalStateException while the scope is alive: " + e);
                sawClosed = true;
                closedSeen.incrementAndGet();
            }
            if (!counted && pass >= PASSES_BEFORE_CLOSE) {
                counted = true;
                accessing.countDown();
            }
            if ((pass & 7) == 7) {
                // Unmount now and then: virtual accessors would otherwise keep the closers off the
                // few carriers (yield is not enough), and the test would hang on the JDK too.
                LockSupport.parkNanos(1000);
            }
        }
        if (!counted) {
            accessing.countDown();
        }
        if (sum == 42) {
            Thread.onSpinWait(); // keep the reads alive
        }
    }

    /**
     * Shared arenas opened, used and closed by many threads at once, each arena by one thread:
     * Hedra's chunk caches are per thread, so closes on one thread and allocations on another
     * move memory between them; nothing may overlap or come back dirty.
     */
    @ParameterizedTest
    @MethodSource("sharedSources")
    void arenasOpenedAndClosedOnManyThreadsAtOnce(Source source, ThreadKind thread) {
        try (Fixture fixture = source.open()) {
            // Opened on the test thread (the fixture's rule), handed to workers that use and close them.
            int workers = 4;
            int arenasPerWorker = 25;
            List<List<Arena>> perWorker = new ArrayList<>();
            for (int w = 0; w < workers; w++) {
                List<Arena> mine = new ArrayList<>();
                for (int i = 0; i < arenasPerWorker; i++) {
                    mine.add(fixture.open());
                }
                perWorker.add(mine);
            }
            List<ThreadKind.Body> bodies = new ArrayList<>();
            for (int w = 0; w < workers; w++) {
                List<Arena> mine = perWorker.get(w);
                int me = w;
                bodies.add(() -> {
                    SplittableRandom random = new SplittableRandom(7 + me);
                    for (Arena arena : mine) {
                        List<MemorySegment> segments = new ArrayList<>();
                        for (int i = 0; i < 300; i++) {
                            long size = random.nextInt(30) == 0 ? random.nextLong(16 * KiB, 64 * KiB) : random.nextLong(1, 1024);
                            MemorySegment segment = arena.allocate(size, 8);
                            assertZeroed(segment, "worker " + me + ", allocate(" + size + ")");
                            fillPattern(segment, i);
                            segments.add(segment);
                        }
                        for (int i = 0; i < segments.size(); i++) {
                            assertPattern(segments.get(i), i, "worker " + me + ", segment " + i);
                        }
                        assertDisjoint(segments);
                        arena.close();
                    }
                });
            }
            thread.runAll(WAIT, bodies);
        }
    }
}
