package dev.hedra.bench;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.infra.ThreadParams;

/**
 * Workloads b and c: a batch of 1,024 blocks of mixed sizes (8 B to 1 KiB, skewed small), each
 * written, then all freed in a shuffled order, so that frees do not simply pop what was just
 * pushed. Scores are per allocation (one malloc and one free). Workload c runs the same on two
 * threads, each with its own state, inputs and (for handle-based peers) handles; its score is the
 * time per allocation as each thread sees it, so an allocator that scales perfectly scores the
 * same on b and c.
 */
@State(Scope.Thread)
public class MixedBatchBenchmark extends AllocatorBenchmark {

    static final int BATCH = 1024;

    private int[] sizes;
    private int[] freeOrder;
    private long[] addresses;
    private Peer peer;

    @Setup(Level.Trial)
    public void setUp(ThreadParams thread) {
        long seed = SeededInputs.SEED + thread.getThreadIndex();
        sizes = SeededInputs.skewedSizes(seed, BATCH);
        freeOrder = SeededInputs.shuffledOrder(seed, BATCH);
        addresses = new long[BATCH];
        peer = PeerKind.byName(allocator).create(BATCH);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long oneThread() {
        return allocateWriteAndFreeBatch();
    }

    @Benchmark
    @Threads(2)
    @OperationsPerInvocation(BATCH)
    public long twoThreads() {
        return allocateWriteAndFreeBatch();
    }

    private long allocateWriteAndFreeBatch() {
        long addressSum = 0;
        for (int block = 0; block < BATCH; block++) {
            long address = peer.allocate(block, sizes[block]);
            NativeMemory.writeLong(address, block);
            addresses[block] = address;
            addressSum += address;
        }
        for (int block : freeOrder) {
            peer.free(block, addresses[block], sizes[block]);
        }
        return addressSum;
    }
}
