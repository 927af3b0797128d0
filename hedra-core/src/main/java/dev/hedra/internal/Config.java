package dev.hedra.internal;

/**
 * An allocator's settings, fixed at build time; see {@code HedraBuilder} for each.
 *
 * @param name shown in statistics and error messages
 * @param memoryLimit cap on committed bytes
 * @param minimumAlignment 8 or 16
 * @param classesPerDoubling 4, 8 or 16 size classes between powers of two above 128 B
 * @param largestSmallSize a power of two from 1 KiB to 32 KiB: larger blocks are medium
 * @param slabPageSize the smallest slab page, a power of two from 64 KiB to 1 MiB
 * @param largestSlabPageSize the largest slab page, a power of two from 64 KiB to 2 MiB, at least
 *     {@code slabPageSize}
 * @param reservationSize bytes of address space reserved at a time (0: the default)
 * @param emptyPageBudget bytes of empty pages a heap keeps for reuse
 * @param purgeDelayMillis how long memory given back waits before it is returned to the system
 * @param hugePages whether maps of 2 MiB and more ask the system for transparent huge pages
 * @param jmx whether the allocator's statistics are registered with the platform MBean server
 * @param backgroundPurge whether a timer gives back memory whose purge delay has passed
 */
public record Config(
        String name,
        long memoryLimit,
        int minimumAlignment,
        int classesPerDoubling,
        int largestSmallSize,
        int slabPageSize,
        int largestSlabPageSize,
        long reservationSize,
        long emptyPageBudget,
        long purgeDelayMillis,
        boolean hugePages,
        boolean jmx,
        boolean backgroundPurge) {

    /**
     * The defaults, named. Two system properties set the process-wide allocator's switches:
     * {@code -Dhedra.jmx=true} registers its statistics, {@code -Dhedra.backgroundPurge=false}
     * turns its timer off.
     */
    public static Config defaults(String name) {
        return new Config(name, Long.MAX_VALUE, 8, 8, SizeClasses.SMALL_LIMIT, 64 * 1024,
                SizeClasses.MAX_PAGE_SIZE, 0, 4L << 20, 1000, true,
                Boolean.getBoolean("hedra.jmx"),
                !"false".equalsIgnoreCase(System.getProperty("hedra.backgroundPurge")));
    }

    /**
     * Whether internal consistency checks run ({@code -Dhedra.checks=true}; the tests run with
     * it): a best-fit region's span tables after each change; a slab page's block count, cursor
     * and tail against its bitmap after a collection, at a refill and when it gains space; a
     * heap's page queues (a page that is not current is listed exactly when it has a free block,
     * and never twice) and its count of empty pages, whenever it gives empty pages back. All on
     * slow paths, O(words) or O(pages); an {@code AssertionError} names what broke. Read once,
     * so the JIT drops them when off.
     */
    static final boolean CHECKS = Boolean.getBoolean("hedra.checks");
}
