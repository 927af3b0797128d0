/**
 * Hedra: a native-memory allocator for Java on the Foreign Function and Memory API.
 *
 * <p>Start with {@link dev.hedra.Hedra#allocator()} for the process-wide allocator, or
 * {@link dev.hedra.Hedra#builder()} for one of your own. {@link dev.hedra.NativeAllocator} is the
 * raw {@code malloc}/{@code free} API on {@code long} addresses and a
 * {@link java.lang.foreign.SegmentAllocator}; {@link dev.hedra.AllocatorStats} reports what it
 * holds, as text, as JSON and (with {@link dev.hedra.HedraBuilder#jmx(boolean)}) through JMX as an
 * {@link dev.hedra.AllocatorMXBean}.
 */
package dev.hedra;
