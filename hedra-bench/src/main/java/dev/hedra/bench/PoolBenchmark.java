package dev.hedra.bench;

import dev.hedra.FixedPool;
import dev.hedra.Hedra;
import dev.hedra.NativeAllocator;
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
 * A fixed-size pool against Hedra's general allocator for the same size, in one run: the pool's
 * {@code allocate}/{@code free}, {@code malloc(size)} with the sized {@code free(address, size)},
 * and {@code malloc(size)} with the unsized {@code free(address)}. The goal is a pool at least
 * 1.5x faster than the general pair.
 *
 * <ul>
 *   <li>{@code single*}: one block allocated, written and freed per operation (workload a's
 *       shape), the fast path alone.
 *   <li>{@code batch*}: 1,024 blocks allocated and written, then freed in a seeded shuffled order
 *       (workload b's shape with one size); scores are per block. {@code batchPoolBulk} does the
 *       same through the pool's bulk calls, one to take the batch and one to give it back.
 * </ul>
 *
 * The pool is owned by the benchmark thread, which creates it in the trial setup; the general
 * allocator is the process-wide one, as in {@link HedraPeer}. Hedra's checks are off
 * ({@code -Dhedra.checks=false}), as in every workload. Not a {@link AllocatorBenchmark}: it has
 * no peers, so it does not take the {@code allocator} parameter.
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
public class PoolBenchmark {

    static final int BATCH = 1024;

    // static final: the JIT sees one receiver and inlines through the interface.
    private static final NativeAllocator HEDRA = Hedra.allocator();

    /** The size of every block, for the pool and for malloc alike. */
    @Param({"64", "256"})
    public int blockSize;

    private long size;
    private FixedPool pool;
    private int[] freeOrder;
    private long[] addresses;
    private long[] shuffled;

    @Setup(Level.Trial)
    public void setUp() {
        size = blockSize;
        pool = HEDRA.newPool(size);
        if (pool.blockSize() != size) {
            throw new IllegalStateException("a pool of " + size + " has blocks of " + pool.blockSize());
        }
        freeOrder = SeededInputs.shuffledOrder(SeededInputs.SEED, BATCH);
        addresses = new long[BATCH];
        shuffled = new long[BATCH];
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (pool.liveBlocks() != 0) {
            throw new IllegalStateException(pool.liveBlocks() + " pool blocks leaked");
        }
        pool.close();
    }

    // ---- one block per operation

    @Benchmark
    public long singlePool() {
        long address = pool.allocate();
        NativeMemory.writeLong(address, address);
        pool.free(address);
        return address;
    }

    @Benchmark
    public long singleMallocSizedFree() {
        long address = HEDRA.malloc(size);
        NativeMemory.writeLong(address, address);
        HEDRA.free(address, size);
        return address;
    }

    @Benchmark
    public long singleMallocFree() {
        long address = HEDRA.malloc(size);
        NativeMemory.writeLong(address, address);
        HEDRA.free(address);
        return address;
    }

    // ---- a batch of 1,024, freed shuffled

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long batchPool() {
        long addressSum = 0;
        for (int block = 0; block < BATCH; block++) {
            long address = pool.allocate();
            NativeMemory.writeLong(address, block);
            addresses[block] = address;
            addressSum += address;
        }
        for (int block : freeOrder) {
            pool.free(addresses[block]);
        }
        return addressSum;
    }

    /**
     * {@link #batchPool}'s work through the pool's bulk calls: one call takes the batch, the
     * blocks are written as there, their addresses are gathered in the same shuffled order
     * (where {@code batchPool} reads them in that order), and one call gives them back.
     */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long batchPoolBulk() {
        long addressSum = 0;
        pool.allocate(addresses, 0, BATCH);
        for (int block = 0; block < BATCH; block++) {
            long address = addresses[block];
            NativeMemory.writeLong(address, block);
            addressSum += address;
        }
        int i = 0;
        for (int block : freeOrder) {
            shuffled[i++] = addresses[block];
        }
        pool.free(shuffled, 0, BATCH);
        return addressSum;
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long batchMallocSizedFree() {
        long addressSum = 0;
        for (int block = 0; block < BATCH; block++) {
            long address = HEDRA.malloc(size);
            NativeMemory.writeLong(address, block);
            addresses[block] = address;
            addressSum += address;
        }
        for (int block : freeOrder) {
            HEDRA.free(addresses[block], size);
        }
        return addressSum;
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long batchMallocFree() {
        long addressSum = 0;
        for (int block = 0; block < BATCH; block++) {
            long address = HEDRA.malloc(size);
            NativeMemory.writeLong(address, block);
            addresses[block] = address;
            addressSum += address;
        }
        for (int block : freeOrder) {
            HEDRA.free(addresses[block]);
        }
        return addressSum;
    }
}
