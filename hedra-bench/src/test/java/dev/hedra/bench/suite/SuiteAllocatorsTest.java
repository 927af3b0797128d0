package dev.hedra.bench.suite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.hedra.bench.PeerLibraries;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every allocator this machine has passes malloc, calloc, realloc, alignedAlloc and free from two
 * threads at once, and frees blocks that the other thread allocated; jemalloc only in a JVM that
 * preloads it (RunOneTest runs it in one).
 */
class SuiteAllocatorsTest {

    private static final MemorySegment EVERYTHING = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);
    private static final long[] SIZES = {1, 8, 24, 64, 1000, 4096, 40_000, 300_000, 3 << 20};
    private static final long[] ALIGNMENTS = {8, 16, 32, 64, 256, 4096};

    static List<String> availableAllocators() {
        return SuiteAllocators.available();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("availableAllocators")
    void everyCallWorksFromTwoThreadsAndBlocksCrossBetweenThem(String name) throws Exception {
        assumeTrue(!name.equals("jemalloc") || PeerLibraries.jemallocPreloaded(), "jemalloc needs LD_PRELOAD");
        try (SuiteAllocator allocator = SuiteAllocators.byName(name, true)) {
            assertEquals(name, allocator.name());
            assertTrue(!allocator.notes().isBlank());
            ExecutorService threads = Executors.newFixedThreadPool(2);
            try {
                var first = CompletableFuture.supplyAsync(() -> exercise(allocator, 1), threads);
                var second = CompletableFuture.supplyAsync(() -> exercise(allocator, 2), threads);
                long[] fromFirst = first.get();
                long[] fromSecond = second.get();
                // Each thread frees the blocks the other allocated.
                var freeFirst = CompletableFuture.runAsync(() -> freeAll(allocator, fromSecond, 2), threads);
                var freeSecond = CompletableFuture.runAsync(() -> freeAll(allocator, fromFirst, 1), threads);
                freeFirst.get();
                freeSecond.get();
            } catch (ExecutionException failure) {
                throw failure.getCause() instanceof Exception cause ? cause : failure;
            } finally {
                threads.shutdown();
            }
        }
    }

    /** jemalloc runs only preloaded: the same checks in a JVM of its own, started with LD_PRELOAD. */
    @Test
    void jemallocPassesTheSameChecksInAJvmThatPreloadsIt() throws Exception {
        Path library = SuiteAllocators.jemallocLibrary().orElse(null);
        assumeTrue(library != null, SuiteAllocators.missingNote("jemalloc").orElse("jemalloc missing"));
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                PreloadedJemalloc.class.getName());
        builder.environment().put("LD_PRELOAD", library.toString());
        builder.redirectErrorStream(true);
        Process child = builder.start();
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertTrue(child.waitFor(120, TimeUnit.SECONDS), output);
        assertEquals(0, child.exitValue(), output);
        assertTrue(output.endsWith("jemalloc passed"), output);
    }

    /** The child side of {@link #jemallocPassesTheSameChecksInAJvmThatPreloadsIt}. */
    static final class PreloadedJemalloc {
        public static void main(String[] args) throws Exception {
            new SuiteAllocatorsTest().everyCallWorksFromTwoThreadsAndBlocksCrossBetweenThem("jemalloc");
            System.out.println("jemalloc passed");
        }
    }

    @Test
    void theConfinedArenaRefusesAFreeFromAnotherThread() throws Exception {
        SuiteAllocator arena = SuiteAllocators.byName("arena");
        long block = arena.malloc(64);
        var other = CompletableFuture.runAsync(() -> arena.free(block, 64));
        var failure = assertThrows(ExecutionException.class, other::get);
        assertTrue(failure.getCause() instanceof WrongThreadException, failure.getCause().toString());
        arena.free(block, 64);
    }

    @Test
    void namesAreKnownAndMissingPeersSayHowToInstallThem() {
        assertTrue(SuiteAllocators.available().containsAll(List.of("hedra", "arena", "netty-pooled", "netty-adaptive")));
        SuiteAllocators.missing().forEach((name, note) -> {
            assertTrue(note.startsWith(name + " skipped: "), note);
            assertTrue(note.contains("apt-get install"), note);
            assertTrue(!note.contains("\n"), note);
        });
        for (String name : SuiteAllocators.NAMES) {
            assertEquals(SuiteAllocators.missing().containsKey(name), !SuiteAllocators.available().contains(name));
        }
        assertThrows(IllegalArgumentException.class, () -> SuiteAllocators.byName("no-such-allocator"));
        assertThrows(IllegalArgumentException.class, () -> SuiteAllocators.missingNote("no-such-allocator"));
    }

    @Test
    void jemallocWithoutPreloadIsRefusedWithTheReason() {
        assumeTrue(!PeerLibraries.jemallocPreloaded(), "this JVM preloads jemalloc");
        var refusal = assertThrows(IllegalStateException.class, () -> SuiteAllocators.byName("jemalloc"));
        assertTrue(refusal.getMessage().contains("LD_PRELOAD"), refusal.getMessage());
    }

    /** malloc, calloc, realloc (up and down), alignedAlloc, each checked; returns live blocks to free later. */
    private static long[] exercise(SuiteAllocator allocator, int thread) {
        long[] kept = new long[SIZES.length];
        for (int round = 0; round < 50; round++) {
            for (int i = 0; i < SIZES.length; i++) {
                long size = SIZES[i];
                long block = allocator.malloc(size);
                fill(block, size, thread * 31 + i);
                check(block, size, thread * 31 + i, allocator);

                long zeroed = allocator.calloc(size);
                for (long offset = 0; offset < size; offset += Math.max(1, size / 64)) {
                    assertEquals(0, EVERYTHING.get(ValueLayout.JAVA_BYTE, zeroed + offset), allocator.name() + " calloc");
                }
                allocator.free(zeroed, size);

                long grown = allocator.realloc(block, size, size * 3);
                check(grown, size, thread * 31 + i, allocator);
                long shrunk = allocator.realloc(grown, size * 3, Math.max(1, size / 2));
                check(shrunk, Math.max(1, size / 2), thread * 31 + i, allocator);
                allocator.free(shrunk, Math.max(1, size / 2));

                for (long alignment : ALIGNMENTS) {
                    long aligned = allocator.alignedAlloc(alignment, size);
                    assertEquals(0, aligned & (alignment - 1), allocator.name() + " alignedAlloc(" + alignment + ")");
                    fill(aligned, size, i);
                    check(aligned, size, i, allocator);
                    allocator.free(aligned, size);
                }
                if (round == 49) {
                    kept[i] = allocator.malloc(size);
                    fill(kept[i], size, thread);
                }
            }
        }
        return kept;
    }

    private static void freeAll(SuiteAllocator allocator, long[] blocks, int thread) {
        for (int i = 0; i < blocks.length; i++) {
            check(blocks[i], SIZES[i], thread, allocator);
            allocator.free(blocks[i], SIZES[i]);
        }
    }

    private static void fill(long block, long size, int seed) {
        assertNotEquals(0, block);
        EVERYTHING.asSlice(block, size).fill((byte) seed);
    }

    private static void check(long block, long size, int seed, SuiteAllocator allocator) {
        for (long offset = 0; offset < size; offset += Math.max(1, size / 97)) {
            assertEquals((byte) seed, EVERYTHING.get(ValueLayout.JAVA_BYTE, block + offset), allocator.name() + " at " + offset);
        }
        assertEquals((byte) seed, EVERYTHING.get(ValueLayout.JAVA_BYTE, block + size - 1), allocator.name() + " last byte");
    }
}
