package dev.hedra.bench.suite;

/**
 * An allocator as the comparison suite's workloads and the trace replayer see it: raw addresses,
 * usable from any thread, the whole C allocation API.
 *
 * <p>Peers that free through a handle (a confined {@code Arena}, a Netty {@code ByteBuf}) must map
 * addresses back to handles themselves; that cost is theirs, as it would be in a program that
 * used them this way. Implementations say so in {@link #notes()}.
 */
public interface SuiteAllocator extends AutoCloseable {

    /** The name used on the command line and in reports (hedra, glibc, jemalloc, ...). */
    String name();

    /** One line on how this allocator is called, for the report. */
    String notes();

    /** {@code malloc}: at least {@code size} bytes, never 0. */
    long malloc(long size);

    /** {@code aligned_alloc}: {@code alignment} a power of two. */
    long alignedAlloc(long alignment, long size);

    /** {@code calloc}: zeroed. */
    long calloc(long size);

    /** {@code realloc}; {@code oldSize} is the size last requested for the block. */
    long realloc(long address, long oldSize, long newSize);

    /** {@code free}; {@code size} is the size last requested (peers that do not use it ignore it). */
    void free(long address, long size);

    @Override
    default void close() {}
}
