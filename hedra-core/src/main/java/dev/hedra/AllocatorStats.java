package dev.hedra;

import java.util.List;

/**
 * A snapshot of an allocator's statistics, merged over its heaps, with the per-heap and
 * per-size-class figures it was merged from.
 *
 * <p>Counters are kept by each heap's owner without atomics and read here without stopping the
 * owners, so a snapshot taken while other threads allocate may be a few operations behind them.
 * A snapshot taken when they are quiet is exact, and then
 * {@code allocations() - frees() == liveBlocks()}.
 *
 * <p>{@code toString()} prints a readable report; {@link #toJson()} gives the same figures to
 * programs (a monitoring agent, a log line). {@code HedraBuilder.jmx(true)} publishes them
 * through JMX as well (see {@link AllocatorMXBean}).
 *
 * <pre>{@code
 * AllocatorStats stats = allocator.stats();
 * System.out.println(stats);                 // the report
 * log.info("hedra {}", stats.toJson());      // one line of JSON
 * }</pre>
 */
public interface AllocatorStats {

    /** Blocks handed out by {@code malloc}, {@code calloc}, {@code realloc} and {@code allocate}. */
    long allocations();

    /** Blocks given back, including remote frees that their owner has already collected. */
    long frees();

    /** Blocks allocated and not yet freed. */
    default long liveBlocks() {
        return allocations() - frees();
    }

    /** The sum of the sizes asked for over the allocator's life. */
    long bytesRequested();

    /** Usable bytes (size classes) of the live blocks. */
    long bytesInUse();

    /**
     * The highest {@link #bytesInUse()} seen, sampled whenever a heap takes fresh memory (a new
     * page, a medium or huge block): peaks are reached while memory grows, so this is accurate
     * to within a page per active size class, and counting stays off the fast path.
     */
    long peakBytesInUse();

    /** Bytes the allocator holds for pages, areas, arena chunks and huge blocks in use. */
    long bytesCommitted();

    /**
     * Bytes given back (empty pages past the budget, closed heaps, pools and arenas) that wait
     * for the purge delay before they return to the system; reused first, and still resident
     * until then. See {@code HedraBuilder.purgeDelay}.
     */
    long bytesRetained();

    /**
     * Bytes of committed slab pages whose memory went back to the system while their heap keeps
     * them: every block in them was freed by other threads while the heap's thread was idle (no
     * slow path for a fiftieth of the purge delay, 20 ms by default). They count in
     * {@link #bytesCommitted()} and fault in again when the heap's thread comes back to them. See
     * {@code HedraBuilder.purgeDelay}.
     */
    long bytesPurgedIdle();

    /** The highest {@link #bytesCommitted()} seen. */
    long peakBytesCommitted();

    /** Bytes of address space reserved from the operating system (mostly not backed by memory). */
    long bytesReserved();

    /** Figures per size class; small classes first, then one line for medium and one for huge. */
    List<SizeClassStats> sizeClasses();

    /** Figures per heap (one per thread that allocated, and the shared heaps). */
    List<HeapStats> heaps();

    /**
     * Returns this snapshot as one line of JSON: an object with the allocator's {@code name}, each
     * figure above under the name of its method ({@code "allocations"}, {@code "bytesInUse"},
     * ...), {@code "liveBlocks"}, and two arrays: {@code "sizeClasses"} (every class, each with
     * {@code index}, {@code kind} ({@code "small"}, {@code "medium"} or {@code "huge"}),
     * {@code blockSize} (0 for medium and huge), {@code allocations}, {@code frees} and
     * {@code liveBlocks}) and {@code "heaps"} (the fields of {@link HeapStats} and
     * {@code liveBlocks}). Numbers are integers; names are escaped as JSON requires.
     */
    String toJson();

    /** Counters of one size class. */
    record SizeClassStats(int index, long blockSize, long allocations, long frees) {
        /** Live blocks of this class. */
        public long liveBlocks() {
            return allocations - frees;
        }
    }

    /** Counters of one heap. */
    record HeapStats(
            String name,
            long allocations,
            long frees,
            long bytesRequested,
            long bytesInUse,
            long peakBytesInUse,
            long pages) {
        /** Live blocks of this heap. */
        public long liveBlocks() {
            return allocations - frees;
        }
    }
}
