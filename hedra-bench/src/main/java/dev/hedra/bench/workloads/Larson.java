package dev.hedra.bench.workloads;

import dev.hedra.bench.suite.MemoryMeter;
import dev.hedra.bench.suite.SuiteAllocator;
import dev.hedra.bench.suite.WorkloadResult;
import java.util.concurrent.CountDownLatch;

/**
 * Larson and Krishnan's server benchmark ("Memory Allocation for Long-Running Server
 * Applications", ISMM 1998), as mimalloc-bench runs it ({@code larson 5 8 1000 5000 100 4141 N}):
 * each server thread owns a slice of 5,000 blocks of 8 to 1,000 bytes and replaces a random one
 * 500,000 times (100 rounds of its slice), then hands the slice to a new thread and exits. The
 * main thread allocates every block first and shuffles them among the slices, so the first frees
 * of each slice are of another thread's blocks, and each successor frees its predecessor's.
 *
 * <p>The sized variant passes each block's size to free, as C++14 sized delete does; only Hedra
 * uses it (the plain variant frees Hedra's blocks by address alone). The original runs for a
 * fixed time; this runs a fixed number of thread generations and reports wall time per
 * operation.
 */
public final class Larson extends PortedWorkload {

    private static final int THREADS = 2;
    private static final int BLOCKS_PER_THREAD = 5_000;
    private static final int MIN_SIZE = 8;
    private static final int MAX_SIZE = 1_000;
    private static final long OPS_PER_GENERATION = 100L * BLOCKS_PER_THREAD;
    private static final long REPLACEMENTS_PER_THREAD = 25_000_000; // at scale 1.0
    private static final long SEED = 4141;
    private static final int CHECK_EVERY = 1024; // replacements between looks at the time cap

    private final boolean sized;

    private Larson(boolean sized, String name, String description) {
        super(name, description, true);
        this.sized = sized;
    }

    /** Frees by address alone. */
    public static Larson unsized() {
        return new Larson(false, "larson", "Larson server benchmark: " + THREADS + " threads (the original"
                + " runs one per core) each replace random blocks of 8-1000 B in a slice of "
                + BLOCKS_PER_THREAD + ", 500,000 replacements per thread before a new thread takes the slice"
                + " over; blocks first allocated by the main thread; stresses remote frees and thread turnover.");
    }

    /** Passes the size to free (C++14 sized delete). */
    public static Larson sized() {
        return new Larson(true, "larson-sized", "Larson server benchmark with sized free (Hedra's free(address,"
                + " size); the other allocators ignore the size): " + THREADS + " threads replace random"
                + " blocks of 8-1000 B in slices of " + BLOCKS_PER_THREAD + ", threads replaced every 500,000"
                + " replacements.");
    }

    @Override
    public WorkloadResult run(SuiteAllocator allocator, MemoryMeter meter, double scale) {
        long perThread = scaled(REPLACEMENTS_PER_THREAD, scale, 1_000);
        long generations = Math.max(1, (perThread + OPS_PER_GENERATION - 1) / OPS_PER_GENERATION);
        long perGeneration = perThread / generations;

        // The main thread allocates every block, then shuffles them among the slices.
        SplitMix64 random = SplitMix64.forThread(SEED, -1);
        int total = THREADS * BLOCKS_PER_THREAD;
        long[] addresses = new long[total];
        int[] sizes = new int[total];
        LiveBytes mainLive = new LiveBytes(meter, 1);
        long mainLiveTotal = 0;
        for (int i = 0; i < total; i++) {
            sizes[i] = MIN_SIZE + random.nextInt(MAX_SIZE - MIN_SIZE);
            addresses[i] = allocator.malloc(sizes[i]);
            Blocks.stamp(addresses[i], sizes[i]);
            mainLiveTotal += sizes[i];
        }
        mainLive.allocated(mainLiveTotal);
        for (int i = total - 1; i > 0; i--) {
            int other = random.nextInt(i + 1);
            long address = addresses[i];
            addresses[i] = addresses[other];
            addresses[other] = address;
            int size = sizes[i];
            sizes[i] = sizes[other];
            sizes[other] = size;
        }
        PortedWorkload.checkpoint(meter);

        TimeLimit limit = TimeLimit.forScale(scale);
        Workers workers = new Workers();
        CountDownLatch finished = new CountDownLatch(THREADS);
        Slice[] slices = new Slice[THREADS];
        long start = System.nanoTime();
        for (int t = 0; t < THREADS; t++) {
            slices[t] = new Slice(t, addresses, sizes, t * BLOCKS_PER_THREAD, SplitMix64.forThread(SEED, t),
                    generations, perGeneration, allocator, meter, limit, workers, finished);
            slices[t].startGeneration();
        }
        awaitUninterruptibly(finished);
        long nanos = System.nanoTime() - start;
        workers.rethrow();

        long operations = 0;
        for (Slice slice : slices) {
            operations += slice.operations;
        }

        // The main thread frees what is left: once more, other threads' blocks.
        for (int i = 0; i < total; i++) {
            Blocks.verify(addresses[i], sizes[i]);
            allocator.free(addresses[i], sized ? sizes[i] : 0);
            mainLive.freed(sizes[i]);
        }
        WorkloadResult measured = nsPerOp(allocator, meter, nanos, operations);
        return limit.flag(measured, operations + " operations");
    }

    /** One server thread's slice of blocks, handed from thread to thread. */
    private final class Slice implements Runnable {

        private final int index;
        private final long[] addresses;
        private final int[] sizes;
        private final int first;
        private final SplitMix64 random;
        private final long generations;
        private final long perGeneration;
        private final SuiteAllocator allocator;
        private final MemoryMeter meter;
        private final TimeLimit limit;
        private final Workers workers;
        private final CountDownLatch finished;
        private long generation; // the running thread only; handed on with Thread.start
        long operations; // read after finished

        Slice(int index, long[] addresses, int[] sizes, int first, SplitMix64 random, long generations,
                long perGeneration, SuiteAllocator allocator, MemoryMeter meter, TimeLimit limit, Workers workers,
                CountDownLatch finished) {
            this.index = index;
            this.addresses = addresses;
            this.sizes = sizes;
            this.first = first;
            this.random = random;
            this.generations = generations;
            this.perGeneration = perGeneration;
            this.allocator = allocator;
            this.meter = meter;
            this.limit = limit;
            this.workers = workers;
            this.finished = finished;
        }

        void startGeneration() {
            workers.start(name() + "-" + index + "-" + generation, this);
        }

        @Override
        public void run() {
            boolean handedOn = false;
            try {
                LiveBytes live = new LiveBytes(meter, 4096);
                long done = 0;
                while (done < perGeneration && !workers.failed()) {
                    long batchEnd = Math.min(perGeneration, done + CHECK_EVERY);
                    for (; done < batchEnd; done++) {
                        int victim = first + random.nextInt(BLOCKS_PER_THREAD);
                        int oldSize = sizes[victim];
                        Blocks.verify(addresses[victim], oldSize);
                        allocator.free(addresses[victim], sized ? oldSize : 0);
                        int size = MIN_SIZE + random.nextInt(MAX_SIZE - MIN_SIZE);
                        long address = allocator.malloc(size);
                        Blocks.stamp(address, size);
                        addresses[victim] = address;
                        sizes[victim] = size;
                        live.freed(oldSize);
                        live.allocated(size);
                    }
                    if (limit.passed()) {
                        break;
                    }
                }
                live.flush();
                operations += 2 * done;
                if (++generation < generations && !limit.passed() && !workers.failed()) {
                    startGeneration(); // the successor takes the slice over while this thread exits
                    handedOn = true;
                }
            } finally {
                if (!handedOn) {
                    finished.countDown();
                }
            }
        }
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
        boolean interrupted = false;
        while (true) {
            try {
                latch.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
