package dev.hedra.bench;

import dev.hedra.Hedra;
import dev.hedra.HedraArena;
import dev.hedra.NativeAllocator;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * An arena used for one request: a few dozen allocations of mixed sizes, each written, then the
 * arena closed. The score is nanoseconds per request (40 allocations, 40 stores, one close).
 *
 * <p>The request is {@link #ALLOCATIONS} sizes from {@link SeededInputs#skewedSizes} (8 B to
 * 1 KiB, half of them 8 to 16 B; the same on every run), each allocated 8-aligned, written with
 * one long, its address sunk in the {@link Blackhole}. The ways to serve it:
 *
 * <ul>
 *   <li>{@code hedraConfined}: {@code Hedra.allocator().newConfinedArena()}, zeroed memory;
 *   <li>{@code hedraConfinedUninitialized}: the same with {@code allocateUninitialized};
 *   <li>{@code jdkConfined} and {@code jdkShared}: {@code Arena.ofConfined()} and
 *       {@code Arena.ofShared()} (a malloc and a zeroing per allocation, a free per segment on
 *       close; the shared close also a thread handshake);
 *   <li>{@code slicing}: {@code SegmentAllocator.slicingAllocator} over a 64 KiB segment
 *       allocated once, a new allocator per request: the floor, since it only bumps an offset and
 *       neither zeroes nor frees; {@code slicingZeroed} fills each slice with zero, the same work
 *       as a zeroing arena.
 * </ul>
 *
 * Hedra's checks are off ({@code -Dhedra.checks=false}), as in production.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = AllocatorBenchmark.WARMUP_ITERATIONS, time = AllocatorBenchmark.ITERATION_SECONDS)
@Measurement(
        iterations = AllocatorBenchmark.MEASUREMENT_ITERATIONS,
        time = AllocatorBenchmark.ITERATION_SECONDS)
@Fork(value = AllocatorBenchmark.FORKS, jvmArgsAppend = {
    AllocatorBenchmark.NATIVE_ACCESS,
    AllocatorBenchmark.HEDRA_CHECKS_OFF,
    AllocatorBenchmark.FIXED_HEAP_MIN,
    AllocatorBenchmark.FIXED_HEAP_MAX
})
public class ArenaRequestBenchmark {

    /** Allocations per request. */
    static final int ALLOCATIONS = 40;
    static final long ALIGNMENT = Long.BYTES;
    /** The slicing allocator's memory: far more than a request takes (40 KiB at most). */
    static final long SLAB_SIZE = 64 * 1024;

    // static final: the JIT sees one allocator and one arena class.
    private static final NativeAllocator HEDRA = Hedra.allocator();

    private int[] sizes;
    private Arena slabArena;
    private MemorySegment slab;

    @Setup(Level.Trial)
    public void setUp() {
        sizes = SeededInputs.skewedSizes(SeededInputs.SEED, ALLOCATIONS);
        // Shared, so that the slab does not depend on which thread runs the iterations.
        slabArena = Arena.ofShared();
        slab = slabArena.allocate(SLAB_SIZE, ALIGNMENT);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        slabArena.close();
    }

    @Benchmark
    public void hedraConfined(Blackhole blackhole) {
        try (HedraArena arena = HEDRA.newConfinedArena()) {
            serve(arena, blackhole);
        }
    }

    @Benchmark
    public void hedraConfinedUninitialized(Blackhole blackhole) {
        try (HedraArena arena = HEDRA.newConfinedArena()) {
            int[] sizes = this.sizes;
            for (int i = 0; i < sizes.length; i++) {
                write(arena.allocateUninitialized(sizes[i], ALIGNMENT), i, blackhole);
            }
        }
    }

    @Benchmark
    public void jdkConfined(Blackhole blackhole) {
        try (Arena arena = Arena.ofConfined()) {
            serve(arena, blackhole);
        }
    }

    @Benchmark
    public void jdkShared(Blackhole blackhole) {
        try (Arena arena = Arena.ofShared()) {
            serve(arena, blackhole);
        }
    }

    @Benchmark
    public void slicing(Blackhole blackhole) {
        serve(SegmentAllocator.slicingAllocator(slab), blackhole);
    }

    @Benchmark
    public void slicingZeroed(Blackhole blackhole) {
        SegmentAllocator allocator = SegmentAllocator.slicingAllocator(slab);
        int[] sizes = this.sizes;
        for (int i = 0; i < sizes.length; i++) {
            MemorySegment segment = allocator.allocate(sizes[i], ALIGNMENT);
            segment.fill((byte) 0);
            write(segment, i, blackhole);
        }
    }

    private void serve(SegmentAllocator allocator, Blackhole blackhole) {
        int[] sizes = this.sizes;
        for (int i = 0; i < sizes.length; i++) {
            write(allocator.allocate(sizes[i], ALIGNMENT), i, blackhole);
        }
    }

    private static void write(MemorySegment segment, long value, Blackhole blackhole) {
        segment.set(ValueLayout.JAVA_LONG, 0, value);
        blackhole.consume(segment.address());
    }
}
