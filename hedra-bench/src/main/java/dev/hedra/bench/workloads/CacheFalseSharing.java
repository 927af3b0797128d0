package dev.hedra.bench.workloads;

import dev.hedra.bench.suite.MemoryMeter;
import dev.hedra.bench.suite.SuiteAllocator;
import dev.hedra.bench.suite.WorkloadResult;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Hoard's false-sharing benchmarks ({@code cache-thrash} and {@code cache-scratch} from Berger et
 * al., "Hoard: A Scalable Memory Allocator for Multithreaded Applications", ASPLOS 2000), as
 * mimalloc-bench runs them ({@code cache-thrash N 1000 1 2000000 N}): each thread, 1,000 times,
 * allocates a 1-byte block, writes and reads it over and over, and frees it. An allocator that
 * gives two threads blocks on one cache line makes every write miss.
 *
 * <ul>
 *   <li>{@code cache-thrash} (active false sharing): the threads' own allocations must not share a
 *       line.
 *   <li>{@code cache-scratch} (passive false sharing): the main thread first allocates one block per
 *       thread (neighbours on one line) and each thread frees its block before it starts: an
 *       allocator that hands a freed block to the thread that freed it reproduces the sharing.
 * </ul>
 *
 * The headline is wall time per write of one thread (the threads run in parallel); few
 * allocations happen, so resident memory over live bytes means little here.
 */
public final class CacheFalseSharing extends PortedWorkload {

    private static final int THREADS = 2;
    private static final int ITERATIONS = 1000;
    private static final int OBJECT_SIZE = 1;
    private static final long REPETITIONS = 1_600_000; // per iteration at scale 1.0 (split among threads for scratch)

    private final boolean passive;

    private CacheFalseSharing(boolean passive, String name, String description) {
        super(name, description, passive);
        this.passive = passive;
    }

    /** Active false sharing. */
    public static CacheFalseSharing thrash() {
        return new CacheFalseSharing(false, "cache-thrash", "Hoard cache-thrash: " + THREADS + " threads (one per"
                + " core) each allocate a 1 B block 1,000 times and write it over and over; slow if the"
                + " allocator puts two threads' blocks on one cache line (active false sharing).");
    }

    /** Passive false sharing. */
    public static CacheFalseSharing scratch() {
        return new CacheFalseSharing(true, "cache-scratch", "Hoard cache-scratch: the main thread allocates one"
                + " 1 B block per thread, each of " + THREADS + " threads frees its block and then allocates,"
                + " writes over and over and frees 1,000 times; slow if freed neighbours are handed back to"
                + " the freeing threads (passive false sharing).");
    }

    @Override
    public WorkloadResult run(SuiteAllocator allocator, MemoryMeter meter, double scale) {
        long repetitions = scaled(REPETITIONS, scale, 100) / (passive ? THREADS : 1);
        TimeLimit limit = TimeLimit.forScale(scale);
        long[] given = new long[THREADS];
        if (passive) {
            for (int t = 0; t < THREADS; t++) {
                given[t] = allocator.malloc(OBJECT_SIZE);
                Blocks.stamp(given[t], OBJECT_SIZE);
            }
            meter.live((long) THREADS * OBJECT_SIZE);
            PortedWorkload.checkpoint(meter);
        }
        AtomicLong operations = new AtomicLong();
        AtomicLong writes = new AtomicLong();
        long start = System.nanoTime();
        Workers.run(name(), THREADS, thread -> {
            long ops = 0;
            if (passive) {
                Blocks.verify(given[thread], OBJECT_SIZE);
                allocator.free(given[thread], OBJECT_SIZE);
                meter.live(-OBJECT_SIZE);
                ops++;
            }
            long written = 0;
            meter.live(OBJECT_SIZE); // one block at a time, allocated again each iteration
            PortedWorkload.checkpoint(meter);
            for (int i = 0; i < ITERATIONS && !limit.passed(); i++) {
                long block = allocator.malloc(OBJECT_SIZE);
                for (long r = 0; r < repetitions; r++) {
                    for (int k = 0; k < OBJECT_SIZE; k++) {
                        Blocks.writeByteOpaque(block + k, (byte) (r + k));
                        if (Blocks.readByteOpaque(block + k) != (byte) (r + k)) {
                            throw new IllegalStateException("the block at 0x" + Long.toHexString(block)
                                    + " changed under its only writer");
                        }
                    }
                }
                written += repetitions * OBJECT_SIZE;
                allocator.free(block, OBJECT_SIZE);
                ops += 2;
            }
            meter.live(-OBJECT_SIZE);
            operations.addAndGet(ops);
            writes.addAndGet(written);
        });
        long nanos = System.nanoTime() - start;
        double perThreadWrites = (double) writes.get() / THREADS;
        WorkloadResult measured = result(allocator, meter, nanos, operations.get(), "ns per write",
                nanos / Math.max(1, perThreadWrites), Map.of());
        return limit.flag(measured, writes.get() + " writes");
    }
}
