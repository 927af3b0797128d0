package dev.hedra.internal;

import dev.hedra.HedraArena;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A {@link HedraArena}: bump allocation through 64 KiB chunks of the address space, with large
 * requests served by runs or maps of their own; close gives back the chunks (to the closing
 * thread's chunk cache, see {@link ThreadHeap#popArenaChunk}) and the large memory.
 *
 * <pre>
 *   chunk  [ segment | segment | ...      offset -&gt;            |              ]
 *          0                              offset   dirty        CHUNK
 *          bytes below dirty may hold a previous arena's data; bytes from dirty up are zero.
 *          The first zeroed allocation below dirty zeroes everything from it up to dirty.
 * </pre>
 *
 * Each segment is made from its address with {@link #session}'s scope, so the JDK checks every
 * access: after close, and from the wrong thread of a confined arena. (Made directly rather than
 * sliced from a segment of the whole chunk: the JIT scalar-replaces a segment the caller does not
 * keep either way, and the chunk's own segment was one more object per arena; the request
 * benchmark went from 104-107 to 89 ns without it.)
 *
 * <p>The first chunk is taken when the arena opens, not by its first allocation. A call that an
 * arena's allocations make once per arena is frequent enough for C2 to compile the caller's loop
 * around it: every value live across the call is kept on the stack and reloaded on each
 * allocation. With the chunk taken up front, {@link #nextChunk} runs only when a chunk fills up,
 * and the request benchmark (40 uninitialized allocations and a close) went from 86-89 to 64 ns.
 * An arena that allocates nothing pays for a chunk taken from and given back to its thread's
 * cache.
 * A confined arena is used by its owner only; a shared one under this object's lock.
 */
final class BumpArena implements HedraArena {

    static final int CHUNK = (int) AddressSpace.UNIT;
    /** Larger requests get a block of their own rather than a slice of a chunk. */
    private static final long LARGE = CHUNK / 4;
    /**
     * The offset of a closed arena: past any chunk, so that the one bounds check of the fast
     * path sends the allocation to {@link #nextChunk}, which throws.
     */
    private static final int NO_ROOM = 1 << 30;

    private final HedraAllocator allocator;
    private final Arena session;
    private final boolean shared;
    private final BumpArena parent;
    /** The thread of a confined arena; null for a shared one. */
    private final Thread owner;
    /**
     * The owner's heap, for a confined arena: it opens, takes chunks and closes on that thread
     * only. Null for a shared arena, whose chunks go to the heap of whichever thread asks.
     */
    private final ThreadHeap ownerHeap;
    private List<BumpArena> children;

    private long chunkBase;        // the current chunk
    private int offset;            // in the current chunk; NO_ROOM once closed
    private int dirty;
    // Shared empty arrays: an arena that needs one chunk (most) allocates no array at all.
    private static final long[] NONE = new long[0];
    private static final int[] NO_MARKS = new int[0];
    // Earlier chunks with their dirty marks; the current one is chunkBase and dirty/offset.
    private long[] chunks = NONE;
    private int[] dirtyMarks = NO_MARKS;
    private int chunkCount; // earlier chunks
    /** Large allocations: a run of units (length > 0) or a direct map (length < 0) each. */
    private long[] largeBases = NONE;
    private long[] largeLengths = NONE;
    private int largeCount;
    /** Bytes handed out in earlier chunks and large blocks; the current chunk's are its offset. */
    private long bytesBefore;
    private boolean closed;

    BumpArena(HedraAllocator allocator, boolean shared, BumpArena parent) {
        this.allocator = allocator;
        this.shared = shared;
        this.parent = parent;
        this.owner = shared ? null : Thread.currentThread();
        this.ownerHeap = shared ? null : allocator.arenaHeap();
        this.session = shared ? Arena.ofShared() : Arena.ofConfined();
        long first; // taken now: see the class comment (the allocation path never calls out for it)
        try {
            first = allocator.takeArenaChunk(heap());
        } catch (RuntimeException | Error e) {
            session.close();
            throw e;
        }
        startChunk(first);
        allocator.arenaOpened(heap(), 1);
    }

    @Override
    public MemorySegment allocate(long byteSize, long byteAlignment) {
        return allocate(byteSize, byteAlignment, true);
    }

    @Override
    public MemorySegment allocateUninitialized(long byteSize, long byteAlignment) {
        return allocate(byteSize, byteAlignment, false);
    }

    private MemorySegment allocate(long byteSize, long byteAlignment, boolean zero) {
        if (byteSize < 0) {
            throw new IllegalArgumentException("byteSize must not be negative: " + byteSize);
        }
        if (byteAlignment <= 0 || (byteAlignment & (byteAlignment - 1)) != 0) {
            throw Errors.badAlignment(byteAlignment);
        }
        if (shared) {
            synchronized (this) {
                return allocateChecked(byteSize, byteAlignment, zero);
            }
        }
        return allocateChecked(byteSize, byteAlignment, zero);
    }

    /**
     * The fast path: the thread check, one bounds check, a bump. Whether the arena is closed is
     * checked only off it: a closed arena's offset is {@link #NO_ROOM}, so every request goes to
     * {@link #nextChunk} or {@link #allocateLarge}, and both check.
     */
    private MemorySegment allocateChecked(long byteSize, long byteAlignment, boolean zero) {
        // The thread first, as the JDK's confined arenas check it.
        if (owner != null && owner != Thread.currentThread()) {
            throw wrongThread();
        }
        if ((byteSize | byteAlignment) > LARGE) { // both are known non-negative here
            return allocateLarge(byteSize, byteAlignment, zero);
        }
        int size = (int) byteSize;
        // Chunks are 64 KiB aligned, so an offset aligned within the chunk is aligned in memory.
        int start = (int) ((offset + byteAlignment - 1) & -byteAlignment);
        if (start + size > CHUNK) {
            nextChunk();
            start = 0;
        }
        offset = start + size;
        if (zero && start < dirty) {
            zeroDirtyRest(start);
        }
        return MemorySegment.ofAddress(chunkBase + start).reinterpret(size, session, null);
    }

    /**
     * Zeroes the whole dirty rest of the chunk from {@code start} in one fill: each dirty byte is
     * zeroed once, and one large fill is far cheaper than many small ones. Out of line, so that
     * {@code allocate} stays small enough to inline and its segments can be scalar-replaced.
     */
    private void zeroDirtyRest(int start) {
        MemorySegment.ofAddress(chunkBase + start).reinterpret(dirty - start).fill((byte) 0);
        dirty = start;
    }

    /**
     * A large request gets memory of its own, fresh from the address space or the system and so
     * already zero. It is not a block of the allocator: {@code free} rejects it, so only
     * {@link #close()} releases it.
     */
    private MemorySegment allocateLarge(long byteSize, long byteAlignment, boolean zero) {
        checkOpenAndThread();
        if (byteSize > HedraAllocator.MAX_SIZE - byteAlignment) {
            // As the JDK's arenas do: a size no system could map is an OutOfMemoryError.
            throw new OutOfMemoryError("arena cannot allocate " + byteSize + " bytes aligned to " + byteAlignment);
        }
        if (largeCount == largeBases.length) {
            largeBases = Arrays.copyOf(largeBases, Math.max(4, largeCount * 2));
            largeLengths = Arrays.copyOf(largeLengths, largeBases.length);
        }
        long length = allocator.arenaLargeLength(byteSize, byteAlignment);
        long address = allocator.takeArenaLarge(length, byteSize, byteAlignment);
        largeBases[largeCount] = address;
        largeLengths[largeCount++] = length;
        bytesBefore += byteSize;
        return MemorySegment.ofAddress(address).reinterpret(byteSize, session, null);
    }

    /** Off the fast path: a request does not fit the current chunk, or the arena is closed. */
    private void nextChunk() {
        checkOpenAndThread();
        // Take the new chunk first: if that fails (OutOfMemoryError) nothing has changed.
        long encoded = allocator.takeArenaChunk(heap());
        bytesBefore += offset;
        if (chunkCount == chunks.length) {
            chunks = Arrays.copyOf(chunks, Math.max(4, chunkCount * 2));
            dirtyMarks = Arrays.copyOf(dirtyMarks, chunks.length);
        }
        chunks[chunkCount] = chunkBase;
        dirtyMarks[chunkCount++] = Math.max(dirty, offset);
        startChunk(encoded);
    }

    /** Makes {@code encoded} ({@code base | ceil(dirty / 8)}) the current chunk. */
    private void startChunk(long encoded) {
        dirty = (int) (encoded & (CHUNK - 1)) << 3; // the dirty mark travels in 8-byte steps
        chunkBase = encoded & -CHUNK;
        offset = 0;
    }

    @Override
    public MemorySegment.Scope scope() {
        return session.scope();
    }

    @Override
    public HedraArena openChild() {
        BumpArena child;
        if (shared) {
            synchronized (this) {
                checkOpenAndThread();
                child = new BumpArena(allocator, true, this);
                addChild(child);
            }
        } else {
            checkOpenAndThread();
            child = new BumpArena(allocator, false, this);
            addChild(child);
        }
        return child;
    }

    private void addChild(BumpArena child) {
        if (children == null) {
            children = new ArrayList<>();
        }
        children.add(child);
    }

    @Override
    public long bytesAllocated() {
        if (shared) {
            synchronized (this) {
                return handedOut();
            }
        }
        return handedOut();
    }

    private long handedOut() {
        return closed ? bytesBefore : bytesBefore + offset;
    }

    @Override
    public void close() {
        close(false);
    }

    /**
     * Closes this arena; {@code byParent} when the parent closes its open children, in which
     * case a child closed meanwhile by another thread is skipped rather than an error. The
     * parent is told after this arena's lock is released: a child's lock is never held while
     * taking its parent's, so a parent and a child closing at once cannot deadlock.
     */
    private void close(boolean byParent) {
        if (shared) {
            synchronized (this) {
                if (byParent && closed) {
                    return;
                }
                closeChecked();
            }
        } else {
            if (byParent && closed) {
                return;
            }
            closeChecked();
        }
        if (parent != null) {
            parent.removeChild(this);
        }
    }

    private void closeChecked() {
        if (!closed && children != null) {
            for (BumpArena child : List.copyOf(children)) {
                child.close(true);
            }
        }
        session.close(); // throws as the JDK's arenas do: already closed, or the wrong thread
        closed = true;
        ThreadHeap heap = heap();
        allocator.arenaOpened(heap, -1);
        bytesBefore += offset; // kept for bytesAllocated() after close
        allocator.returnArenaChunk(heap, chunkBase, Math.max(dirty, offset));
        offset = NO_ROOM;
        for (int i = 0; i < chunkCount; i++) {
            allocator.returnArenaChunk(heap, chunks[i], dirtyMarks[i]);
        }
        for (int i = 0; i < largeCount; i++) {
            allocator.releaseArenaLarge(largeBases[i], largeLengths[i]);
        }
        chunkCount = 0;
        largeCount = 0;
    }

    private void removeChild(BumpArena child) {
        if (shared) {
            synchronized (this) {
                if (children != null) {
                    children.remove(child);
                }
            }
        } else if (children != null) {
            children.remove(child);
        }
    }

    private void checkOpenAndThread() {
        // The thread first, as the JDK's confined arenas check it.
        if (owner != null && owner != Thread.currentThread()) {
            throw wrongThread();
        }
        if (closed) {
            throw new IllegalStateException("Already closed");
        }
    }

    /** The heap this arena's chunks come from and go back to: the owner's, or the calling thread's. */
    private ThreadHeap heap() {
        return ownerHeap != null ? ownerHeap : allocator.arenaHeap();
    }

    private static WrongThreadException wrongThread() {
        return new WrongThreadException("Attempted access outside owning thread");
    }

    @Override
    public String toString() {
        return (shared ? "shared" : "confined") + " Hedra arena of " + allocator + ", "
                + bytesAllocated() + " bytes allocated" + (closed ? ", closed" : "");
    }
}
