package dev.hedra.bench;

import io.netty.buffer.AdaptiveByteBufAllocator;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;

/**
 * The two Netty allocators every peer measures, configured once for the JMH peers and the suite's
 * alike: pooled direct buffers with caches on every thread, and the adaptive allocator. One holder
 * class each, so that a process creates only the allocator it measures.
 */
public final class NettyAllocators {

    private NettyAllocators() {}

    /** {@link PooledByteBufAllocator}, direct, with its per-thread caches on all threads. */
    public static ByteBufAllocator pooled() {
        return Pooled.ALLOCATOR;
    }

    /** {@link AdaptiveByteBufAllocator}, direct, with caches on threads outside event loops too. */
    public static ByteBufAllocator adaptive() {
        return Adaptive.ALLOCATOR;
    }

    private static final class Pooled {
        static final ByteBufAllocator ALLOCATOR = new PooledByteBufAllocator(
                true,
                PooledByteBufAllocator.defaultNumHeapArena(),
                PooledByteBufAllocator.defaultNumDirectArena(),
                PooledByteBufAllocator.defaultPageSize(),
                PooledByteBufAllocator.defaultMaxOrder(),
                PooledByteBufAllocator.defaultSmallCacheSize(),
                PooledByteBufAllocator.defaultNormalCacheSize(),
                true); // useCacheForAllThreads
    }

    private static final class Adaptive {
        static final ByteBufAllocator ALLOCATOR = new AdaptiveByteBufAllocator(
                true, // preferDirect
                true); // useCacheForNonEventLoopThreads
    }
}
