package dev.hedra;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * An {@link Arena} whose memory comes from a Hedra allocator: allocation bumps a pointer through
 * 64 KiB chunks, and {@link #close()} gives back every chunk at once, in time proportional to the
 * chunks used rather than to the segments allocated.
 *
 * <p>It honours the {@code Arena} contract exactly as the JDK's arenas do: segments carry this
 * arena's scope, so an access after {@code close()} throws {@link IllegalStateException}, and an
 * access to a confined arena's segment from another thread throws {@link WrongThreadException};
 * allocation is aligned as asked, zeroed, and throws {@link OutOfMemoryError} rather than
 * returning null.
 *
 * <pre>{@code
 * try (HedraArena arena = Hedra.allocator().newConfinedArena()) {
 *     MemorySegment point = arena.allocate(ValueLayout.JAVA_DOUBLE, 3);
 *     MemorySegment name = arena.allocateFrom("vertex");
 *     try (HedraArena scratch = arena.openChild()) {   // a nested scope
 *         MemorySegment temp = scratch.allocate(4096);
 *     }                                                // frees only temp
 * }                                                    // frees point and name
 * }</pre>
 *
 * <p>A confined arena is used by the thread that opened it; a shared one by any thread (its
 * allocations take a lock, and closing it costs what closing {@code Arena.ofShared()} costs).
 */
public interface HedraArena extends Arena {

    /**
     * Allocates like {@link #allocate(long, long)} but does not zero the memory: for callers that
     * overwrite every byte anyway. The contents are unspecified (often zero nonetheless, since
     * fresh memory from the system is).
     */
    MemorySegment allocateUninitialized(long byteSize, long byteAlignment);

    /**
     * Opens a nested arena of the same kind. Its {@code close()} frees only what was allocated in
     * it; closing this arena closes any child still open first.
     *
     * @throws IllegalStateException if this arena is closed
     */
    HedraArena openChild();

    /**
     * Bytes this arena has handed out so far, the padding that alignment left between segments
     * included (its children's excluded).
     */
    long bytesAllocated();
}
