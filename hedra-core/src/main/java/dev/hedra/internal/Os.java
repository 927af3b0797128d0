package dev.hedra.internal;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The only place that calls the operating system: {@code mmap}, {@code mremap}, {@code munmap}
 * and {@code madvise} through FFM downcalls (Linux, 64-bit). Every call here is on a slow path.
 * Pointers travel as {@code long}: on LP64 a pointer and a long share a register class.
 */
final class Os {

    static final long PAGE_SIZE = 4096;

    private static final int PROT_READ = 1;
    private static final int PROT_WRITE = 2;
    private static final int MAP_PRIVATE = 0x02;
    private static final int MAP_ANONYMOUS = 0x20;
    private static final int MAP_NORESERVE = 0x4000;
    private static final int MADV_DONTNEED = 4;
    private static final int MADV_HUGEPAGE = 14;
    private static final int MREMAP_MAYMOVE = 1;
    private static final int MREMAP_FIXED = 2;
    /** The size of a transparent huge page on x86-64 and most arm64 kernels. */
    static final long HUGE_PAGE_SIZE = 2L << 20;
    private static final long MAP_FAILED = -1L;

    private static final Linker.Option ERRNO = Linker.Option.captureCallState("errno");
    private static final VarHandle ERRNO_HANDLE =
            Linker.Option.captureStateLayout().varHandle(
                    java.lang.foreign.MemoryLayout.PathElement.groupElement("errno"));

    private static final MethodHandle MMAP;
    private static final MethodHandle MUNMAP;
    private static final MethodHandle MREMAP;
    private static final MethodHandle MADVISE;
    private static final MethodHandle STRERROR;

    static {
        Linker linker = Linker.nativeLinker();
        SymbolLookup libc = linker.defaultLookup();
        MMAP = linker.downcallHandle(libc.findOrThrow("mmap"),
                FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG),
                ERRNO);
        MUNMAP = linker.downcallHandle(libc.findOrThrow("munmap"),
                FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG), ERRNO);
        // mremap is variadic: the fifth argument, the destination, is passed as a variadic one.
        MREMAP = linker.downcallHandle(libc.findOrThrow("mremap"),
                FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_LONG),
                ERRNO, Linker.Option.firstVariadicArg(4));
        MADVISE = linker.downcallHandle(libc.findOrThrow("madvise"),
                FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT), ERRNO);
        STRERROR = linker.downcallHandle(libc.findOrThrow("strerror"),
                FunctionDescriptor.of(ValueLayout.ADDRESS, JAVA_INT));
    }

    private Os() {}

    /**
     * Reserves {@code size} bytes of address space aligned to {@code alignment} (a power of two,
     * at least a page), readable and writable, backed by memory only where touched.
     *
     * @return the address, or 0 when the system refuses (the caller raises the error)
     */
    static long reserve(long size, long alignment) {
        long padded = size + (alignment > PAGE_SIZE ? alignment : 0);
        long raw = mmap(padded);
        if (raw == 0) {
            return 0;
        }
        long aligned = (raw + alignment - 1) & -alignment;
        if (aligned > raw) {
            unmap(raw, aligned - raw);
        }
        long end = raw + padded;
        long alignedEnd = aligned + size;
        if (end > alignedEnd) {
            unmap(alignedEnd, end - alignedEnd);
        }
        return aligned;
    }

    /** Returns a range's memory to the system; the range stays reserved and reads back zeros. */
    static void purge(long address, long size) {
        if (call(state -> (int) MADVISE.invokeExact(state, address, size, MADV_DONTNEED)) != 0) {
            throw new IllegalStateException("madvise(0x%x, %d) failed: %s".formatted(address, size, lastError()));
        }
    }

    /**
     * Asks for transparent huge pages in a range (best effort: a kernel without them says
     * EINVAL, and the range simply keeps 4 KiB pages).
     */
    static void adviseHugePages(long address, long size) {
        call(state -> (int) MADVISE.invokeExact(state, address, size, MADV_HUGEPAGE));
    }

    /** Gives a range back to the system. */
    static void unmap(long address, long size) {
        if (call(state -> (int) MUNMAP.invokeExact(state, address, size)) != 0) {
            throw new IllegalStateException("munmap(0x%x, %d) failed: %s".formatted(address, size, lastError()));
        }
    }

    /**
     * Resizes the map at {@code address} in place, from {@code oldSize} to {@code newSize} bytes:
     * a shrink gives the tail back, a growth succeeds only if the addresses after the map are
     * free. Pages stay where they are; grown bytes read zero.
     *
     * @return whether the map now has {@code newSize} bytes (if not, it is unchanged)
     */
    static boolean resizeInPlace(long address, long oldSize, long newSize) {
        return call(state -> (long) MREMAP.invokeExact(state, address, oldSize, newSize, 0, 0L)) != MAP_FAILED;
    }

    /**
     * Moves the pages of the map at {@code from} ({@code oldSize} bytes) to {@code to}, resizing
     * the map to {@code newSize}: the pages are moved, not copied, bytes past {@code oldSize} read
     * zero, and whatever was mapped at {@code to} is replaced (the caller reserved it). The map
     * keeps its advice (huge pages).
     *
     * @return whether the pages moved (if not, the old map is as it was, and the range at
     *     {@code to} may have been unmapped: the caller unmaps it)
     */
    static boolean move(long from, long oldSize, long to, long newSize) {
        return call(state -> (long) MREMAP.invokeExact(state, from, oldSize, newSize,
                MREMAP_MAYMOVE | MREMAP_FIXED, to)) == to;
    }

    private static long mmap(long size) {
        long result = call(state -> (long) MMAP.invokeExact(state, 0L, size, PROT_READ | PROT_WRITE,
                MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0L));
        if (result == MAP_FAILED) {
            lastError.set("mmap of %d bytes failed: %s".formatted(size, lastError()));
            return 0;
        }
        return result;
    }

    /** A downcall of one of the handles above, given the segment its errno is captured in. */
    @FunctionalInterface
    private interface Downcall {
        long invoke(MemorySegment errnoState) throws Throwable;
    }

    /**
     * Runs a downcall that captures errno. The calls here all return -1 on failure; then the
     * reason is kept for {@link #lastError()} on this thread.
     */
    private static long call(Downcall downcall) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(Linker.Option.captureStateLayout());
            long result = downcall.invoke(state);
            if (result == -1) {
                lastError.set(errno(state));
            }
            return result;
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** Why the last {@link #reserve} (or failed call) on this thread failed. */
    static String lastError() {
        String error = lastError.get();
        return error == null ? "unknown error" : error;
    }

    private static final ThreadLocal<String> lastError = new ThreadLocal<>();

    private static String errno(MemorySegment state) {
        int code = (int) ERRNO_HANDLE.get(state, 0L);
        try {
            MemorySegment message = (MemorySegment) STRERROR.invokeExact(code);
            return message.reinterpret(256).getString(0) + " (errno " + code + ")";
        } catch (Throwable t) {
            return "errno " + code;
        }
    }
}
