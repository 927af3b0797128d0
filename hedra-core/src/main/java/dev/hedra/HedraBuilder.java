package dev.hedra;

import dev.hedra.internal.Config;
import dev.hedra.internal.HedraAllocator;

/**
 * Configures a new allocator. Every setting has a default that suits a general-purpose
 * allocator; an allocator built here owns its memory and releases all of it on
 * {@link NativeAllocator#close()}.
 *
 * <pre>{@code
 * try (NativeAllocator allocator = Hedra.builder()
 *         .memoryLimit(512L << 20)
 *         .minimumAlignment(16)
 *         .build()) {
 *     long address = allocator.malloc(24); // 16-aligned
 *     allocator.free(address);
 * }
 * }</pre>
 */
public final class HedraBuilder {

    private long memoryLimit = Long.MAX_VALUE;
    private int minimumAlignment = 8;
    private String name = "hedra";
    private int classesPerDoubling = 8;
    private int largestSmallSize = 32 * 1024;
    private int slabPageSize = 64 * 1024;
    private int largestSlabPageSize = 2 * 1024 * 1024;
    private long reservationSize;
    private long emptyPageBudget = 4L << 20;
    private long purgeDelayMillis = 1000;
    private boolean hugePages = true;
    private boolean backgroundPurge = true;
    private boolean jmx;

    HedraBuilder() {}

    /**
     * Caps the memory the allocator holds (pages of blocks, direct maps of huge blocks). A request
     * past the cap throws {@link OutOfMemoryError}. Default: no cap beyond the operating system.
     *
     * @param bytes the cap in bytes, greater than zero
     */
    public HedraBuilder memoryLimit(long bytes) {
        if (bytes <= 0) {
            throw new IllegalArgumentException("memoryLimit must be positive: " + bytes);
        }
        this.memoryLimit = bytes;
        return this;
    }

    /**
     * Sets the least alignment of every block: 8 (the default) or 16, for users who need
     * 16-byte alignment everywhere (SIMD). Sizes then round up to multiples of 16.
     *
     * @param alignment 8 or 16
     */
    public HedraBuilder minimumAlignment(int alignment) {
        if (alignment != 8 && alignment != 16) {
            throw new IllegalArgumentException("minimumAlignment must be 8 or 16: " + alignment);
        }
        this.minimumAlignment = alignment;
        return this;
    }

    /** Names the allocator in statistics and error messages. Default: {@code "hedra"}. */
    public HedraBuilder name(String name) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("name must not be blank");
        }
        this.name = name;
        return this;
    }

    /**
     * Sets the class spacing: how many size classes lie between two powers of two above 128 bytes
     * (below, classes are 8 bytes apart). More classes waste less memory to rounding (at most
     * 1/n of a block) but spread blocks over more pages. Default 8 (12.5%).
     *
     * @param n 4, 8 or 16
     */
    public HedraBuilder classesPerDoubling(int n) {
        if (n != 4 && n != 8 && n != 16) {
            throw new IllegalArgumentException("classesPerDoubling must be 4, 8 or 16: " + n);
        }
        this.classesPerDoubling = n;
        return this;
    }

    /**
     * Sets the largest small block: sizes up to it pack in slab pages; larger ones are medium
     * blocks (best fit at 4 KiB granularity). Default 32 KiB.
     *
     * @param bytes a power of two from 1 KiB to 32 KiB
     */
    public HedraBuilder largestSmallSize(int bytes) {
        if (bytes < 1024 || bytes > 32 * 1024 || Integer.bitCount(bytes) != 1) {
            throw new IllegalArgumentException("largestSmallSize must be a power of two from 1 KiB to 32 KiB: " + bytes);
        }
        this.largestSmallSize = bytes;
        return this;
    }

    /**
     * Sets the smallest slab page: every size class takes pages of at least this size (larger
     * classes take pages of 64 blocks, up to {@link #largestSlabPageSize}). Larger pages mean
     * fewer slow paths and more memory held per class and thread. Default 64 KiB.
     *
     * @param bytes a power of two from 64 KiB to 1 MiB
     */
    public HedraBuilder slabPageSize(int bytes) {
        if (bytes < 64 * 1024 || bytes > 1024 * 1024 || Integer.bitCount(bytes) != 1) {
            throw new IllegalArgumentException("slabPageSize must be a power of two from 64 KiB to 1 MiB: " + bytes);
        }
        this.slabPageSize = bytes;
        return this;
    }

    /**
     * Sets the largest slab page. A class takes pages of 64 blocks where that is more than the
     * smallest page, so the classes above 1 KiB take pages from 128 KiB (2 KiB blocks) to 2 MiB
     * (32 KiB blocks). Each heap keeps a current page per class it uses, and a page with one live
     * block stays committed, so those large pages hold memory: at the end of a trace replay
     * (gcc-cc1, 2.9 MiB in use at most) 37.7 MiB were committed. A smaller largest page gives the
     * classes above it fewer blocks per page (a 256 KiB page holds 8 blocks of 30 KiB):
     * less memory held, at the price of more frequent slow paths and of pages that empty, go back
     * to the system and fault in again more often. Measured on this project's two-core machine with
     * 256 KiB: 15.7 MiB committed at the end of the same replay; the suite's rptest (16 B to 16 KiB
     * blocks, freed across threads) peaked at 49.5 MiB resident instead of 64.9 and took 36.5 ns
     * per operation instead of 32.3 (medians of six interleaved runs). Default 2 MiB.
     *
     * @param bytes a power of two from 64 KiB to 2 MiB, at least {@link #slabPageSize}
     *     ({@link #build()} checks that)
     */
    public HedraBuilder largestSlabPageSize(int bytes) {
        if (bytes < 64 * 1024 || bytes > 2 * 1024 * 1024 || Integer.bitCount(bytes) != 1) {
            throw new IllegalArgumentException(
                    "largestSlabPageSize must be a power of two from 64 KiB to 2 MiB: " + bytes);
        }
        this.largestSlabPageSize = bytes;
        return this;
    }

    /**
     * Sets how much address space is reserved from the system at a time (with
     * {@code MAP_NORESERVE}: it costs no memory until used). Lookups are fastest in the first
     * reservation. Default 64 GiB, or twice the memory limit if one is set.
     *
     * @param bytes a multiple of 4 MiB, at least 64 MiB
     */
    public HedraBuilder reservationSize(long bytes) {
        if (bytes < (64L << 20) || (bytes & ((4L << 20) - 1)) != 0) {
            throw new IllegalArgumentException("reservationSize must be a multiple of 4 MiB, at least 64 MiB: " + bytes);
        }
        this.reservationSize = bytes;
        return this;
    }

    /**
     * Sets how many bytes of empty slab pages each heap keeps for reuse before it gives them back
     * to the system. Zero returns every empty page at once. Default 4 MiB.
     *
     * @param bytes zero or more
     */
    public HedraBuilder emptyPageBudget(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("emptyPageBudget must not be negative: " + bytes);
        }
        this.emptyPageBudget = bytes;
        return this;
    }

    /**
     * Sets how long memory the allocator gives back (empty pages beyond the budget, closed heaps,
     * pools and arenas) waits before it is returned to the system. Memory taken again within the
     * delay is reused without page faults; up to a quarter of the memory in use (at most 64 MiB)
     * waits at a time, and all of it is
     * returned at once when the memory limit is near. Purging happens as the allocator takes or
     * gives back memory and, unless {@link #backgroundPurge(boolean) backgroundPurge(false)}, on
     * a timer, so memory goes back within one and a half delays even if no call comes. Zero
     * returns memory at once. Default one second.
     *
     * @param delay zero or more
     */
    public HedraBuilder purgeDelay(java.time.Duration delay) {
        if (delay.isNegative()) {
            throw new IllegalArgumentException("purgeDelay must not be negative: " + delay);
        }
        this.purgeDelayMillis = delay.toMillis();
        return this;
    }

    /**
     * Whether the maps of huge blocks (2 MiB and more, each mapped for itself) ask Linux for
     * transparent huge pages ({@code madvise(MADV_HUGEPAGE)}, aligned to 2 MiB): the system then
     * faults such a block in 2 MiB at a time instead of 4 KiB, which made a workload that
     * allocates and fills 5-25 MiB blocks 1.7x to 3.3x faster where THP is {@code madvise} (and
     * changes nothing where it is {@code always} or {@code never}). The price: a huge block that
     * is touched only here and there is resident in 2 MiB steps rather than 4 KiB ones. Turn it
     * off for sparse use of very large blocks. Default on.
     *
     * @param enabled whether to ask for huge pages
     */
    public HedraBuilder hugePages(boolean enabled) {
        this.hugePages = enabled;
        return this;
    }

    /**
     * Whether a timer gives back memory whose {@link #purgeDelay purge delay} has passed. Without
     * it that memory goes back only when a later call passes a slow path (a fresh page, memory
     * taken or given back, a new thread), so a program that goes idle after a burst keeps it
     * until it calls {@link NativeAllocator#trim()}. The timer ticks every half delay (from 10 ms
     * to 1 s) on one daemon thread, {@code hedra-purge}, shared by all allocators; a tick gives
     * back what has waited past the delay, the empty pages of ended threads' heaps, and the pages
     * of an idle thread's heap that other threads wholly freed, and nothing else (it costs
     * microseconds when there is nothing to give back). Default on; for the process-wide
     * allocator, {@code -Dhedra.backgroundPurge=false} turns it off.
     *
     * @param enabled whether to run the timer
     */
    public HedraBuilder backgroundPurge(boolean enabled) {
        this.backgroundPurge = enabled;
        return this;
    }

    /**
     * Whether the allocator publishes its statistics through JMX: an {@link AllocatorMXBean}
     * registered with the platform MBean server as {@code dev.hedra:type=Allocator,name=<name>}
     * when the allocator is built, and unregistered when it closes. Names must then differ
     * between the allocators that are open at a time. (The process-wide allocator does the same,
     * as {@code name=default}, when the JVM runs with {@code -Dhedra.jmx=true}.) Default off.
     *
     * @param enabled whether to register
     */
    public HedraBuilder jmx(boolean enabled) {
        this.jmx = enabled;
        return this;
    }

    /**
     * Creates the allocator.
     *
     * @throws IllegalArgumentException if the largest slab page is smaller than the smallest
     * @throws IllegalStateException with {@link #jmx(boolean) jmx(true)}, if an open allocator of
     *     the same name is registered already (nothing is then kept of this one)
     */
    public NativeAllocator build() {
        if (largestSlabPageSize < slabPageSize) {
            throw new IllegalArgumentException("largestSlabPageSize (" + largestSlabPageSize
                    + ") must be at least slabPageSize (" + slabPageSize + ")");
        }
        return HedraAllocator.create(new Config(name, memoryLimit, minimumAlignment, classesPerDoubling,
                largestSmallSize, slabPageSize, largestSlabPageSize, reservationSize, emptyPageBudget,
                purgeDelayMillis, hugePages, jmx, backgroundPurge));
    }
}
