package dev.hedra.bench;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Control;

/**
 * Workload d: one thread allocates 64-byte blocks and hands their addresses to a second thread
 * through a bounded ring ({@link SpscLongRing}); the second thread frees them. Every free is a
 * remote free. The score is the time per block (each side does one block per operation).
 *
 * <p>A side that waits spins briefly, then yields, and gives up once JMH stops the measurement, so
 * neither can wait past the end of an iteration. The producer allocates only after it has claimed
 * a slot, so giving up leaks nothing, and the blocks still in the ring at the end of an iteration
 * (at most its capacity) are freed before the next.
 */
@State(Scope.Group)
public class HandOffBenchmark extends AllocatorBenchmark {

    static final long BLOCK_SIZE = 64;
    static final int RING_CAPACITY = 1024;
    static final int SPINS_BEFORE_YIELD = 100;

    private Peer peer;
    private SpscLongRing ring;

    @Setup(Level.Trial)
    public void setUp() {
        PeerKind kind = PeerKind.byName(allocator);
        Workload.D.requireSupported(kind);
        peer = kind.create(RING_CAPACITY);
        ring = new SpscLongRing(RING_CAPACITY);
    }

    /** Runs once both threads have left the iteration, so neither touches the ring meanwhile. */
    @TearDown(Level.Iteration)
    public void freeBlocksLeftInRing() {
        ring.drain((slot, address) -> peer.free(slot, address, BLOCK_SIZE));
    }

    @Benchmark
    @Group("handOff")
    @GroupThreads(1)
    public long produce(Control control) {
        int slot;
        for (int attempt = 0; (slot = ring.claimSlot()) < 0; attempt++) {
            if (control.stopMeasurement) {
                return 0;
            }
            backOff(attempt);
        }
        long address = peer.allocate(slot, BLOCK_SIZE);
        NativeMemory.writeLong(address, address);
        ring.publish(address);
        return address;
    }

    @Benchmark
    @Group("handOff")
    @GroupThreads(1)
    public long consume(Control control) {
        long address;
        for (int attempt = 0; (address = ring.peek()) == 0; attempt++) {
            if (control.stopMeasurement) {
                return 0;
            }
            backOff(attempt);
        }
        peer.free(ring.consumerSlot(), address, BLOCK_SIZE);
        ring.release();
        return address;
    }

    /**
     * Spins briefly, then yields: when the two threads share a core (another process is busy, or
     * the machine has one), the other side runs at once instead of after a time slice, and the
     * ring still carries blocks in batches.
     */
    private static void backOff(int attempt) {
        if (attempt < SPINS_BEFORE_YIELD) {
            Thread.onSpinWait();
        } else {
            Thread.yield();
        }
    }
}
