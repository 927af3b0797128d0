package dev.hedra.bench;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** Workload a: the fast path alone, one 64-byte block allocated, written and freed per operation. */
@State(Scope.Thread)
public class SinglePairBenchmark extends AllocatorBenchmark {

    static final long BLOCK_SIZE = 64;

    private Peer peer;

    @Setup(Level.Trial)
    public void setUp() {
        peer = PeerKind.byName(allocator).create(1);
    }

    @Benchmark
    public long mallocWriteFree() {
        long address = peer.allocate(0, BLOCK_SIZE);
        NativeMemory.writeLong(address, address);
        peer.free(0, address, BLOCK_SIZE);
        return address;
    }
}
