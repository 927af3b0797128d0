package dev.hedra;

/**
 * An allocator's statistics as JMX shows them, for JConsole, VisualVM, a JMX exporter to a
 * metrics system and the like. An allocator built with {@link HedraBuilder#jmx(boolean)
 * jmx(true)} registers one with the platform MBean server under
 * {@code dev.hedra:type=Allocator,name=<its name>} (quoted as {@code ObjectName.quote} does if
 * it holds one of {@code , = : " * ? \} or a line break), and the process-wide allocator does so under
 * {@code name=default} when the JVM runs with {@code -Dhedra.jmx=true}. Closing the allocator
 * unregisters it.
 *
 * <p>Every attribute read takes a fresh snapshot ({@link NativeAllocator#stats()}), which walks
 * the allocator's pages: cheap at the few-second intervals at which monitoring tools poll. One
 * operation changes the allocator: {@link #trim()}.
 *
 * <pre>{@code
 * MBeanServer server = ManagementFactory.getPlatformMBeanServer();
 * ObjectName name = new ObjectName("dev.hedra:type=Allocator,name=cache");
 * long inUse = (Long) server.getAttribute(name, "BytesInUse");
 * }</pre>
 */
public interface AllocatorMXBean {

    /** The allocator's name ({@link HedraBuilder#name(String)}). */
    String getName();

    /** See {@link AllocatorStats#allocations()}. */
    long getAllocations();

    /** See {@link AllocatorStats#frees()}. */
    long getFrees();

    /** See {@link AllocatorStats#liveBlocks()}. */
    long getLiveBlocks();

    /** See {@link AllocatorStats#bytesRequested()}. */
    long getBytesRequested();

    /** See {@link AllocatorStats#bytesInUse()}. */
    long getBytesInUse();

    /** See {@link AllocatorStats#peakBytesInUse()}. */
    long getPeakBytesInUse();

    /** See {@link AllocatorStats#bytesCommitted()}. */
    long getBytesCommitted();

    /** See {@link AllocatorStats#peakBytesCommitted()}. */
    long getPeakBytesCommitted();

    /** See {@link AllocatorStats#bytesRetained()}. */
    long getBytesRetained();

    /** See {@link AllocatorStats#bytesPurgedIdle()}. */
    long getBytesPurgedIdle();

    /** See {@link AllocatorStats#bytesReserved()}. */
    long getBytesReserved();

    /** How many heaps have counted anything (see {@link AllocatorStats#heaps()}). */
    int getHeapCount();

    /** The readable report ({@code AllocatorStats.toString()}). */
    String getReport();

    /** The whole snapshot, per size class and per heap included ({@link AllocatorStats#toJson()}). */
    String getJson();

    /**
     * An operation, not an attribute: {@link NativeAllocator#trim()}, run on the JMX thread that
     * calls it, so an operator can give the allocator's idle memory back from JConsole or a
     * script. Returns how many bytes the allocator held (committed plus retained) less after it.
     */
    long trim();
}
