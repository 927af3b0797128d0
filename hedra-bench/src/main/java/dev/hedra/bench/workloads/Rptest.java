package dev.hedra.bench.workloads;

import dev.hedra.bench.suite.MemoryMeter;
import dev.hedra.bench.suite.SuiteAllocator;
import dev.hedra.bench.suite.WorkloadResult;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * rpmalloc's benchmark as mimalloc-bench runs it ({@code rptest N 0 1 2 500 1000 100 8 16000}):
 * each thread keeps 1,000 slots and, loop after loop, frees 24 to 80 of them and fills 30 to 100
 * (the slots visited with two different prime strides), sizes from 16 B to 16 KiB with a linear
 * drop-off, requests under 4 KiB cycling through plain, 8- and 16-byte-aligned allocation; every
 * second loop it also allocates a batch as large as that loop's fills and hands it to another
 * thread, which frees it at the start of its next loop. Two iterations, each ending with every
 * thread freeing its slots once all threads are done.
 */
public final class Rptest extends PortedWorkload {

    private static final int THREADS = 2;
    private static final int SLOTS = 1000;
    private static final int OP_COUNT = 100;
    private static final int CROSS_RATE = 2;
    private static final int ITERATIONS = 2;
    private static final long LOOPS = 30_000; // per iteration at scale 1.0: about a second on two cores
    private static final long MIN_SIZE = 16;
    private static final long MAX_SIZE = 16 * 1024;
    private static final long[] ALIGNMENTS = {0, 8, 16}; // 0: plain malloc
    private static final int ALLOCATION_STRIDE = 3; // the first primes that do not divide SLOTS
    private static final int FREE_STRIDE = 7;
    private static final long SEED = 4099;

    public Rptest() {
        super("rptest", "rpmalloc benchmark: " + THREADS + " threads (one per core, as the original) each"
                + " churning " + SLOTS + " slots of 16 B-16 KiB blocks (linear drop-off, requests under 4 KiB"
                + " plain or 8/16-aligned) and handing a batch of new blocks to the other thread every second"
                + " loop; stresses size spread, aligned requests and cross-thread frees.", true);
    }

    @Override
    public WorkloadResult run(SuiteAllocator allocator, MemoryMeter meter, double scale) {
        long loops = scaled(LOOPS, scale, 10);
        TimeLimit limit = TimeLimit.forScale(scale);
        Inbox[] inboxes = new Inbox[THREADS];
        for (int t = 0; t < THREADS; t++) {
            inboxes[t] = new Inbox();
        }
        AtomicIntegerArray arrived = new AtomicIntegerArray(ITERATIONS + 1);
        AtomicLong operations = new AtomicLong();
        AtomicLong loopsDone = new AtomicLong();
        long start = System.nanoTime();
        Workers.run(name(), THREADS, thread -> {
            Worker worker = new Worker(thread, allocator, meter, inboxes, arrived, limit);
            try {
                worker.run(loops);
            } finally {
                operations.addAndGet(worker.operations);
                loopsDone.addAndGet(worker.loopsDone);
            }
        });
        long nanos = System.nanoTime() - start;
        WorkloadResult measured = nsPerOp(allocator, meter, nanos, operations.get());
        return limit.flag(measured, loopsDone.get() + " of " + loops * ITERATIONS * THREADS + " loops");
    }

    /** A batch of blocks handed to another thread: its addresses and sizes live in allocator blocks. */
    private record Batch(long addresses, long sizes, int count, long arrayBytes, Batch next) {}

    /** A thread's incoming batches: a lock-free stack taken whole, as in the original. */
    private static final class Inbox {

        private final AtomicReference<Batch> top = new AtomicReference<>(); // any thread, CAS

        void push(Batch batch) {
            Batch old;
            do {
                old = top.get();
            } while (!top.compareAndSet(old, new Batch(batch.addresses, batch.sizes, batch.count, batch.arrayBytes, old)));
        }

        Batch takeAll() {
            return top.getAndSet(null);
        }
    }

    private static final class Worker {

        private final int index;
        private final SuiteAllocator allocator;
        private final MemoryMeter meter;
        private final Inbox[] inboxes;
        private final AtomicIntegerArray arrived;
        private final TimeLimit limit;
        private final SplitMix64 random;
        private final LiveBytes live;
        private final long[] addresses = new long[SLOTS];
        private final long[] sizes = new long[SLOTS];
        private int allocationCount; // cycles the alignments
        private int crossTarget;
        long operations;
        long loopsDone;

        Worker(int index, SuiteAllocator allocator, MemoryMeter meter, Inbox[] inboxes, AtomicIntegerArray arrived,
                TimeLimit limit) {
            this.index = index;
            this.allocator = allocator;
            this.inboxes = inboxes;
            this.arrived = arrived;
            this.limit = limit;
            this.random = SplitMix64.forThread(SEED, index);
            this.meter = meter;
            this.live = new LiveBytes(meter, 1024);
            this.crossTarget = index;
        }

        void run(long loops) {
            int allocationSlot = 0;
            int freeSlot = 0;
            for (int iteration = 0; iteration < ITERATIONS; iteration++) {
                for (long loop = 0; loop < loops && !limit.passed(); loop++) {
                    receive();
                    int frees = (int) (0.8 * OP_COUNT * (30 + random.nextInt(70)) / 100);
                    int fills = OP_COUNT * (30 + random.nextInt(70)) / 100;
                    for (int i = 0; i < frees; i++) {
                        release(freeSlot);
                        freeSlot = (freeSlot + FREE_STRIDE) % SLOTS;
                    }
                    for (int i = 0; i < fills; i++) {
                        release(allocationSlot);
                        long size = nextSize();
                        addresses[allocationSlot] = allocate(size);
                        sizes[allocationSlot] = size;
                        allocationSlot = (allocationSlot + ALLOCATION_STRIDE) % SLOTS;
                    }
                    if (THREADS > 1 && loop % CROSS_RATE == 0) {
                        send(fills);
                    }
                    loopsDone++;
                }
                // Wait for every thread to finish its loops, taking in what they still send.
                arrived.incrementAndGet(iteration);
                while (arrived.get(iteration) < THREADS) {
                    receive();
                    LockSupport.parkNanos(100_000);
                }
                receive();
                live.flush();
                PortedWorkload.checkpoint(meter);
                for (int slot = 0; slot < SLOTS; slot++) {
                    release(slot);
                }
            }
            arrived.incrementAndGet(ITERATIONS);
            while (arrived.get(ITERATIONS) < THREADS) {
                receive();
                LockSupport.parkNanos(100_000);
            }
            receive();
            live.flush();
        }

        private long nextSize() {
            double dropOff = 1 - Math.sqrt(1 - random.nextDouble()); // density falls linearly to 0 at the top
            return MIN_SIZE + (long) ((MAX_SIZE - MIN_SIZE) * dropOff);
        }

        private long allocate(long size) {
            long alignment = size < 4096 ? ALIGNMENTS[allocationCount++ % ALIGNMENTS.length] : 0;
            long address = alignment == 0 ? allocator.malloc(size) : allocator.alignedAlloc(alignment, size);
            if (alignment != 0 && (address & (alignment - 1)) != 0) {
                throw new IllegalStateException(allocator.name() + " returned 0x" + Long.toHexString(address)
                        + " for " + size + " bytes aligned to " + alignment);
            }
            Blocks.stamp(address, size);
            live.allocated(size);
            operations++;
            return address;
        }

        private void release(int slot) {
            if (addresses[slot] != 0) {
                free(addresses[slot], sizes[slot]);
                addresses[slot] = 0;
            }
        }

        private void free(long address, long size) {
            Blocks.verify(address, size);
            allocator.free(address, size);
            live.freed(size);
            operations++;
        }

        private void send(int count) {
            long arrayBytes = (long) Math.max(1, count) * Long.BYTES;
            long batchAddresses = allocator.alignedAlloc(16, arrayBytes);
            long batchSizes = allocator.alignedAlloc(16, arrayBytes);
            live.allocated(2 * arrayBytes);
            operations += 2;
            for (int i = 0; i < count; i++) {
                long size = nextSize();
                Blocks.writeLong(batchAddresses + (long) i * Long.BYTES, allocate(size));
                Blocks.writeLong(batchSizes + (long) i * Long.BYTES, size);
            }
            crossTarget = (crossTarget + 1) % THREADS;
            if (crossTarget == index) {
                crossTarget = (crossTarget + 1) % THREADS;
            }
            inboxes[crossTarget].push(new Batch(batchAddresses, batchSizes, count, arrayBytes, null));
        }

        private void receive() {
            for (Batch batch = inboxes[index].takeAll(); batch != null; batch = batch.next) {
                for (int i = 0; i < batch.count; i++) {
                    free(Blocks.readLong(batch.addresses + (long) i * Long.BYTES),
                            Blocks.readLong(batch.sizes + (long) i * Long.BYTES));
                }
                allocator.free(batch.addresses, batch.arrayBytes);
                allocator.free(batch.sizes, batch.arrayBytes);
                live.freed(2 * batch.arrayBytes);
                operations += 2;
            }
        }
    }
}
