package dev.hedra.bench;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * How much of an allocator's speed depends on the shape of the caller's loop. The work is
 * glibc-simple's smallest case: a batch of 25 blocks of 16 bytes, each filled, then freed half in
 * allocation order and half in reverse. The two methods differ only in how a block is filled:
 * {@code straightFill} writes its two words in two statements, {@code loopFill} in a loop over
 * the block's words, as the suite's workloads and most programs do.
 *
 * <p>Hedra's {@code malloc} and {@code free} are Java that C2 inlines into the caller. When the
 * caller's loop is innermost, C2 hoists the lookups that do not change from one block to the
 * next (the thread's heap, the size class's current page, its bitmap) out of the loop, and a
 * pair costs little more than the bitmap operations. A loop inside the loop (here, the fill)
 * stops that: every {@code malloc} and {@code free} then does the whole chain of dependent loads.
 * A peer called through a downcall costs the same either way. Scores are per block (one
 * {@code malloc} and one {@code free}).
 */
@State(Scope.Thread)
public class LoopShapeBenchmark extends AllocatorBenchmark {

    static final int BATCH = 25;
    static final long BLOCK_SIZE = 16;

    private final long[] addresses = new long[BATCH];
    private Peer peer;
    /** The block size as a field, as a program would have it: not a constant the JIT can fold. */
    private long size;

    @Setup(Level.Trial)
    public void setUp() {
        peer = PeerKind.byName(allocator).create(BATCH);
        size = BLOCK_SIZE;
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long straightFill() {
        long[] blocks = addresses;
        for (int i = 0; i < BATCH; i++) {
            long address = peer.allocate(i, size);
            NativeMemory.writeLong(address, address);
            NativeMemory.writeLong(address + 8, address + 8);
            blocks[i] = address;
        }
        return freeHalfForwardHalfBackward(blocks);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long loopFill() {
        long[] blocks = addresses;
        for (int i = 0; i < BATCH; i++) {
            long address = peer.allocate(i, size);
            for (long offset = 0; offset < size; offset += 8) {
                NativeMemory.writeLong(address + offset, address + offset);
            }
            blocks[i] = address;
        }
        return freeHalfForwardHalfBackward(blocks);
    }

    private long freeHalfForwardHalfBackward(long[] blocks) {
        long sum = 0;
        int half = BATCH / 2;
        for (int i = 0; i < half; i++) {
            sum += NativeMemory.readLong(blocks[i]);
            peer.free(i, blocks[i], size);
        }
        for (int i = BATCH - 1; i >= half; i--) {
            sum += NativeMemory.readLong(blocks[i]);
            peer.free(i, blocks[i], size);
        }
        return sum;
    }
}
