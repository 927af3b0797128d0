package dev.hedra.bench;

import dev.hedra.BestFitRegion;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link BestFitRegion} against the JDK's own ways of carving memory, in one run: a batch of
 * 1,024 blocks of mixed sizes from 16 B to 4 KiB, each written, over a 64 MiB region. Scores are
 * per block.
 *
 * <ul>
 *   <li>{@code bestFitSegments}: {@code allocate(size, 8)} as segments, then {@code free(segment)}
 *       in a seeded shuffled order, so that frees merge with neighbours on both sides.
 *   <li>{@code bestFitOffsets}: the same through {@code allocateOffset} and {@code freeOffset}: no
 *       segment objects at all.
 *   <li>{@code slicingAllocator}: {@link SegmentAllocator#slicingAllocator} over the same region,
 *       created for each batch inside the timed part (it is one object), allocation only: it
 *       cannot free.
 *   <li>{@code confinedArena}: {@code Arena.ofConfined()} for each batch, 1,024 allocations, then
 *       {@code close}: the JDK's bulk free. Its allocations are zeroed, as the JDK always does.
 * </ul>
 *
 * {@code sizes}: {@code skewed} draws each doubling (16-32 B, ..., 2-4 KiB) half as often as the
 * one below it, like real programs (mean about 100 B); {@code uniform} draws 16 B to 4 KiB
 * evenly (mean about 2 KiB). The region is from a shared arena, so that JMH's setup thread and the
 * benchmark thread may differ. Hedra's checks are off ({@code -Dhedra.checks=false}). Not a
 * {@link AllocatorBenchmark}: it has no peers in the {@code allocator} sense.
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
public class BestFitRegionBenchmark {

    static final int BATCH = 1024;
    static final long REGION_BYTES = 64L << 20;
    static final int MIN_SIZE = 16;
    static final int MAX_SIZE = 4096;
    static final long ALIGNMENT = 8;

    /** How the sizes are drawn: {@code skewed} or {@code uniform}. */
    @Param({"skewed", "uniform"})
    public String sizes;

    private Arena arena;
    private MemorySegment memory;
    private BestFitRegion region;
    private int[] blockSizes;
    private int[] freeOrder;
    private MemorySegment[] segments;
    private long[] offsets;

    @Setup(Level.Trial)
    public void setUp() {
        arena = Arena.ofShared();
        memory = arena.allocate(REGION_BYTES, 4096);
        region = BestFitRegion.over(memory);
        blockSizes = switch (sizes) {
            case "skewed" -> skewedSizes(SeededInputs.SEED, BATCH);
            case "uniform" -> uniformSizes(SeededInputs.SEED, BATCH);
            default -> throw new IllegalArgumentException("sizes must be skewed or uniform: " + sizes);
        };
        freeOrder = SeededInputs.shuffledOrder(SeededInputs.SEED, BATCH);
        segments = new MemorySegment[BATCH];
        offsets = new long[BATCH];
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (region.liveBlocks() != 0) {
            throw new IllegalStateException(region.liveBlocks() + " blocks leaked: " + region);
        }
        arena.close();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long bestFitSegments() {
        long addressSum = 0;
        for (int block = 0; block < BATCH; block++) {
            MemorySegment segment = region.allocate(blockSizes[block], ALIGNMENT);
            segment.set(ValueLayout.JAVA_LONG, 0, block);
            segments[block] = segment;
            addressSum += segment.address();
        }
        for (int block : freeOrder) {
            region.free(segments[block]);
            segments[block] = null;
        }
        return addressSum;
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long bestFitOffsets() {
        long offsetSum = 0;
        for (int block = 0; block < BATCH; block++) {
            long offset = region.allocateOffset(blockSizes[block], ALIGNMENT);
            memory.set(ValueLayout.JAVA_LONG, offset, block);
            offsets[block] = offset;
            offsetSum += offset;
        }
        for (int block : freeOrder) {
            region.freeOffset(offsets[block]);
        }
        return offsetSum;
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long slicingAllocator() {
        SegmentAllocator slicing = SegmentAllocator.slicingAllocator(memory);
        long addressSum = 0;
        for (int block = 0; block < BATCH; block++) {
            MemorySegment segment = slicing.allocate(blockSizes[block], ALIGNMENT);
            segment.set(ValueLayout.JAVA_LONG, 0, block);
            addressSum += segment.address();
        }
        return addressSum;
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long confinedArena() {
        long addressSum = 0;
        try (Arena batch = Arena.ofConfined()) {
            for (int block = 0; block < BATCH; block++) {
                MemorySegment segment = batch.allocate(blockSizes[block], ALIGNMENT);
                segment.set(ValueLayout.JAVA_LONG, 0, block);
                addressSum += segment.address();
            }
        }
        return addressSum;
    }

    /** 16 B to 4 KiB, each doubling half as likely as the one below (the last takes the rest). */
    static int[] skewedSizes(long seed, int count) {
        SplittableRandom random = new SplittableRandom(seed);
        int doublings = Integer.numberOfTrailingZeros(MAX_SIZE / MIN_SIZE);
        int[] drawn = new int[count];
        for (int i = 0; i < count; i++) {
            // Trailing zeros of a random long are k with probability 2^-(k+1): a geometric draw.
            int doubling = Math.min(Long.numberOfTrailingZeros(random.nextLong()), doublings - 1);
            int low = MIN_SIZE << doubling;
            drawn[i] = low + random.nextInt(low + 1);
        }
        return drawn;
    }

    /** 16 B to 4 KiB, evenly. */
    static int[] uniformSizes(long seed, int count) {
        SplittableRandom random = new SplittableRandom(seed);
        int[] drawn = new int[count];
        for (int i = 0; i < count; i++) {
            drawn[i] = MIN_SIZE + random.nextInt(MAX_SIZE - MIN_SIZE + 1);
        }
        return drawn;
    }
}
