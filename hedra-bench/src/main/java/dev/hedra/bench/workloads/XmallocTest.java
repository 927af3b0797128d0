package dev.hedra.bench.workloads;

import dev.hedra.bench.suite.MemoryMeter;
import dev.hedra.bench.suite.SuiteAllocator;
import dev.hedra.bench.suite.WorkloadResult;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Lever and Boreham's xmalloc-test ("malloc() Performance in a Multithreaded Linux Environment",
 * USENIX 2000), as mimalloc-bench runs it ({@code xmalloc-test -w N -t 5 -s 64}): threads that
 * only allocate fill batches of 4,096 blocks of 64 bytes and push them on a shared stack (at most
 * 100 batches, producers wait when it is full); threads that only free pop batches and free every
 * block. Every block is freed by a thread that did not allocate it. The batch itself (its 4,096
 * addresses) is a block of the allocator too. The original runs for a fixed time; this runs a
 * fixed number of batches.
 */
public final class XmallocTest extends PortedWorkload {

    private static final int PRODUCERS = 2;
    private static final int CONSUMERS = 2;
    private static final int OBJECT_SIZE = 64;
    private static final int OBJECTS_PER_BATCH = 4096;
    private static final long BATCH_BYTES = (long) OBJECTS_PER_BATCH * Long.BYTES;
    private static final int STACK_LIMIT = 100;
    private static final long BATCHES = 8_000; // at scale 1.0

    public XmallocTest() {
        super("xmalloc-test", "xmalloc-test: " + PRODUCERS + " threads only allocate 64 B blocks in batches of "
                + OBJECTS_PER_BATCH + " and " + CONSUMERS + " threads only free them (the original uses -w N, N"
                + " of each), through a stack of at most " + STACK_LIMIT + " batches; stresses blocks that are"
                + " always freed by another thread.", true);
    }

    @Override
    public WorkloadResult run(SuiteAllocator allocator, MemoryMeter meter, double scale) {
        long batches = scaled(BATCHES, scale, 4);
        TimeLimit limit = TimeLimit.forScale(scale);
        BatchStack stack = new BatchStack();
        AtomicLong claimed = new AtomicLong();
        AtomicLong operations = new AtomicLong();
        long start = System.nanoTime();
        Workers.run(name(), PRODUCERS + CONSUMERS, index -> {
            if (index < PRODUCERS) {
                try {
                    produce(allocator, meter, stack, claimed, batches, limit, operations);
                } finally {
                    stack.producerDone();
                }
            } else {
                consume(allocator, meter, stack, operations);
            }
        });
        long nanos = System.nanoTime() - start;
        WorkloadResult measured = nsPerOp(allocator, meter, nanos, operations.get());
        return limit.flag(measured, Math.min(claimed.get(), batches) + " of " + batches + " batches");
    }

    private static void produce(SuiteAllocator allocator, MemoryMeter meter, BatchStack stack, AtomicLong claimed,
            long batches, TimeLimit limit, AtomicLong operations) {
        LiveBytes live = new LiveBytes(meter, 1);
        long done = 0;
        while (claimed.getAndIncrement() < batches && !limit.passed() && !stack.abandoned()) {
            long batch = allocator.malloc(BATCH_BYTES); // written in full below: its blocks' addresses
            for (int i = 0; i < OBJECTS_PER_BATCH; i++) {
                long object = allocator.malloc(OBJECT_SIZE);
                Blocks.stamp(object, OBJECT_SIZE);
                Blocks.writeLong(batch + (long) i * Long.BYTES, object);
            }
            live.allocated(BATCH_BYTES + (long) OBJECTS_PER_BATCH * OBJECT_SIZE);
            done += OBJECTS_PER_BATCH + 1;
            stack.push(batch);
            PortedWorkload.checkpoint(meter); // once per batch: live bytes peak when the stack is full
        }
        operations.addAndGet(done);
    }

    private static void consume(SuiteAllocator allocator, MemoryMeter meter, BatchStack stack, AtomicLong operations) {
        LiveBytes live = new LiveBytes(meter, 1);
        long done = 0;
        try {
            for (long batch = stack.pop(); batch != 0; batch = stack.pop()) {
                for (int i = 0; i < OBJECTS_PER_BATCH; i++) {
                    long object = Blocks.readLong(batch + (long) i * Long.BYTES);
                    Blocks.verify(object, OBJECT_SIZE);
                    allocator.free(object, OBJECT_SIZE);
                }
                allocator.free(batch, BATCH_BYTES);
                live.freed(BATCH_BYTES + (long) OBJECTS_PER_BATCH * OBJECT_SIZE);
                done += OBJECTS_PER_BATCH + 1;
            }
        } catch (RuntimeException | Error failure) {
            stack.abandon(); // producers must not wait for a consumer that is gone
            throw failure;
        } finally {
            operations.addAndGet(done);
        }
    }

    /** The shared stack of batches: a lock and two conditions, as in the original. */
    private static final class BatchStack {

        private final ReentrantLock lock = new ReentrantLock();
        private final Condition notEmpty = lock.newCondition();
        private final Condition notFull = lock.newCondition();
        private final ArrayDeque<Long> batches = new ArrayDeque<>(); // under lock
        private int producersLeft = PRODUCERS; // under lock
        private volatile boolean abandoned;

        void push(long batch) {
            lock.lock();
            try {
                while (batches.size() >= STACK_LIMIT && !abandoned) {
                    notFull.awaitUninterruptibly();
                }
                batches.push(batch);
                notEmpty.signal();
            } finally {
                lock.unlock();
            }
        }

        /** The most recently pushed batch, or 0 when every producer is done and the stack is empty. */
        long pop() {
            lock.lock();
            try {
                while (batches.isEmpty() && producersLeft > 0) {
                    notEmpty.awaitUninterruptibly();
                }
                if (batches.isEmpty()) {
                    return 0;
                }
                long batch = batches.pop();
                notFull.signal();
                return batch;
            } finally {
                lock.unlock();
            }
        }

        void producerDone() {
            lock.lock();
            try {
                producersLeft--;
                notEmpty.signalAll();
            } finally {
                lock.unlock();
            }
        }

        void abandon() {
            abandoned = true;
            lock.lock();
            try {
                notFull.signalAll();
            } finally {
                lock.unlock();
            }
        }

        boolean abandoned() {
            return abandoned;
        }
    }
}
