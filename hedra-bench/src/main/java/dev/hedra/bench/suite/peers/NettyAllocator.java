package dev.hedra.bench.suite.peers;

import dev.hedra.bench.NettyAllocators;
import dev.hedra.bench.suite.SuiteAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Netty's pooling allocators handing out direct buffers, released to free. The address-to-buffer
 * map is the price of freeing by address, as it would be in a program that used Netty this way;
 * {@code realloc} allocates, copies and releases, and an alignment beyond what the buffer happens
 * to have is met by asking for {@code alignment - 1} more bytes.
 *
 * <p>Both allocators get their per-thread caches on every thread, as the JMH peer gives them
 * (Netty enables them by default only on its event-loop threads). Run with
 * {@code -Dio.netty.leakDetection.level=disabled}, as production does.
 */
public final class NettyAllocator implements SuiteAllocator {

    private static final long MALLOC_ALIGNMENT = 16;

    private final String name;
    private final ByteBufAllocator allocator;
    private final ConcurrentHashMap<Long, ByteBuf> buffers = new ConcurrentHashMap<>(); // any thread

    private NettyAllocator(String name, ByteBufAllocator allocator) {
        this.name = name;
        this.allocator = allocator;
    }

    /** {@code PooledByteBufAllocator} with thread caches on all threads. */
    public static NettyAllocator pooled() {
        return new NettyAllocator("netty-pooled", NettyAllocators.pooled());
    }

    /** {@code AdaptiveByteBufAllocator} with thread caches on all threads. */
    public static NettyAllocator adaptive() {
        return new NettyAllocator("netty-adaptive", NettyAllocators.adaptive());
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String notes() {
        return (name.equals("netty-pooled") ? "PooledByteBufAllocator" : "AdaptiveByteBufAllocator")
                + ".directBuffer(size, size) with thread caches on all threads, released to free;"
                + " address via memoryAddress(), address -> ByteBuf in a ConcurrentHashMap;"
                + " realloc = allocate + copy + release";
    }

    @Override
    public long malloc(long size) {
        return allocate(size, MALLOC_ALIGNMENT);
    }

    @Override
    public long alignedAlloc(long alignment, long size) {
        return allocate(size, alignment);
    }

    @Override
    public long calloc(long size) {
        long address = allocate(size, MALLOC_ALIGNMENT);
        RawMemory.clear(address, size); // pooled memory is reused as it was left
        return address;
    }

    @Override
    public long realloc(long address, long oldSize, long newSize) {
        long moved = allocate(newSize, MALLOC_ALIGNMENT);
        RawMemory.copy(address, moved, Math.min(oldSize, newSize));
        free(address, oldSize);
        return moved;
    }

    @Override
    public void free(long address, long size) {
        ByteBuf buffer = buffers.remove(address);
        if (buffer == null) {
            throw new IllegalArgumentException("0x" + Long.toHexString(address) + " is not a live block of " + name);
        }
        buffer.release();
    }

    private long allocate(long size, long alignment) {
        ByteBuf buffer = allocator.directBuffer(capacity(size), capacity(size));
        long address = buffer.memoryAddress();
        if ((address & (alignment - 1)) != 0) {
            buffer.release();
            buffer = allocator.directBuffer(capacity(size + alignment - 1), capacity(size + alignment - 1));
            address = (buffer.memoryAddress() + alignment - 1) & -alignment;
        }
        buffers.put(address, buffer);
        return address;
    }

    private int capacity(long size) {
        if (size > Integer.MAX_VALUE - 8) {
            throw new OutOfMemoryError(name + " cannot allocate " + size + " bytes in one ByteBuf");
        }
        return (int) size;
    }
}
