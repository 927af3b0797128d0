package dev.hedra;

import java.lang.foreign.MemorySegment;

/**
 * A deliberately broken allocator over a real one, for {@link TestsCanFailTest}: each fault is a
 * bug an allocator could plausibly have, and the suite's checks must catch every one.
 */
final class FaultyAllocator implements NativeAllocator {

    enum Fault {
        /** Now and then malloc returns a block that is still live. */
        HANDS_OUT_A_LIVE_BLOCK,
        /** calloc does not zero (reused blocks keep their old bytes). */
        CALLOC_DOES_NOT_ZERO,
        /** realloc copies only half of the contents. */
        REALLOC_COPIES_HALF,
        /** Now and then free does nothing (a leak the statistics should reveal). */
        FREE_LOSES_BLOCKS
    }

    private final NativeAllocator delegate;
    private final Fault fault;
    private long calls;
    private long lastMalloc;

    FaultyAllocator(NativeAllocator delegate, Fault fault) {
        this.delegate = delegate;
        this.fault = fault;
    }

    private boolean now(int every) {
        return ++calls % every == 0;
    }

    @Override
    public long malloc(long size) {
        if (fault == Fault.HANDS_OUT_A_LIVE_BLOCK && lastMalloc != 0 && now(97)
                && delegate.usableSize(lastMalloc) >= size) {
            return lastMalloc; // may have been freed meanwhile; usually it is live
        }
        lastMalloc = delegate.malloc(size);
        return lastMalloc;
    }

    @Override
    public long malloc(long size, long alignment) {
        return delegate.malloc(size, alignment);
    }

    @Override
    public long calloc(long size) {
        return fault == Fault.CALLOC_DOES_NOT_ZERO ? delegate.malloc(size) : delegate.calloc(size);
    }

    @Override
    public long realloc(long address, long newSize) {
        if (fault != Fault.REALLOC_COPIES_HALF || address == 0) {
            return delegate.realloc(address, newSize);
        }
        long oldSize = delegate.usableSize(address);
        long moved = delegate.malloc(newSize);
        long copied = Math.min(oldSize, newSize) / 2;
        MemorySegment.copy(Blocks.segment(address, copied), 0, Blocks.segment(moved, copied), 0, copied);
        delegate.free(address);
        return moved;
    }

    @Override
    public void free(long address) {
        if (fault == Fault.FREE_LOSES_BLOCKS && now(89)) {
            return;
        }
        delegate.free(address);
    }

    @Override
    public void free(long address, long size) {
        if (fault == Fault.FREE_LOSES_BLOCKS) {
            free(address);
            return;
        }
        delegate.free(address, size);
    }

    @Override
    public long usableSize(long address) {
        return delegate.usableSize(address);
    }

    @Override
    public MemorySegment allocate(long byteSize, long byteAlignment) {
        return delegate.allocate(byteSize, byteAlignment);
    }

    @Override
    public void free(MemorySegment segment) {
        delegate.free(segment);
    }

    // Arenas come from the real allocator: their blocks are not tracked here.
    @Override
    public HedraArena newConfinedArena() {
        return delegate.newConfinedArena();
    }

    @Override
    public HedraArena newSharedArena() {
        return delegate.newSharedArena();
    }

    @Override
    public AllocatorStats stats() {
        return delegate.stats();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
