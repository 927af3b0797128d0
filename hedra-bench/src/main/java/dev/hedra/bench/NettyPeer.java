package dev.hedra.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * Netty's pooling allocators handing out direct buffers, released to free.
 *
 * <p>Both are given their per-thread caches on every thread. Netty enables them by default only
 * on its event-loop threads, which is where a Netty application allocates; JMH's threads are
 * plain threads. The forks also pass {@code -Dio.netty.leakDetection.level=disabled} and allow
 * {@code sun.misc.Unsafe}, Netty's fast path (see {@link AllocatorBenchmark}).
 */
final class NettyPeer implements Peer {

    private final String name;
    private final ByteBufAllocator allocator;
    private final ByteBuf[] buffers; // indexed by slot; null when the slot is free

    private NettyPeer(String name, ByteBufAllocator allocator, int slots) {
        this.name = name;
        this.allocator = allocator;
        this.buffers = new ByteBuf[slots];
    }

    static NettyPeer pooled(int slots) {
        return new NettyPeer(PeerKind.NETTY_POOLED.peerName(), NettyAllocators.pooled(), slots);
    }

    static NettyPeer adaptive(int slots) {
        return new NettyPeer(PeerKind.NETTY_ADAPTIVE.peerName(), NettyAllocators.adaptive(), slots);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public long allocate(int slot, long size) {
        ByteBuf buffer = allocator.directBuffer((int) size, (int) size);
        buffers[slot] = buffer;
        return buffer.memoryAddress();
    }

    @Override
    public void free(int slot, long address, long size) {
        buffers[slot].release();
        buffers[slot] = null; // drop the released buffer at once, as a user would
    }
}
