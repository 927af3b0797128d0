package dev.hedra.bench.trace;

import dev.hedra.bench.suite.MemoryMeter;
import dev.hedra.bench.suite.SuiteAllocator;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.CancellationException;
import java.util.concurrent.locks.LockSupport;

/**
 * The timed part of a replay: each thread runs its {@link ReplaySchedule.Program} against the
 * allocator, touching every block as a program would.
 *
 * <p>On an allocation or realloc the block's first and last bytes are written, and one byte in
 * each further 4 KiB page; on a free its first byte is read. So every allocator pays for the
 * pages it hands out (page faults, cache misses) as a real program would, no more.
 *
 * <p>Shared state: {@code addresses[slot]} and {@code sizes[slot]} are plain arrays written and
 * read by whichever thread runs an event on the slot; a slot's events in different threads are
 * ordered by a wait on {@code progress}, written with release and read with acquire, so the
 * plain accesses are ordered too.
 */
final class ReplayLoop {

    static final long PAGE = 4096;

    // One segment spanning the address space: a touch costs a store, with no segment per block.
    private static final MemorySegment MEMORY = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);
    private static final VarHandle PROGRESS = MethodHandles.arrayElementVarHandle(long[].class);
    /** Longs between two threads' progress counters: 128 bytes, so no two share a cache line. */
    private static final int STRIDE = 16;
    private static final int SPINS_BEFORE_YIELD = 200;
    private static final int YIELDS_BEFORE_PARK = 1000;

    private final SuiteAllocator allocator;
    private final MemoryMeter meter;
    private final Runnable atPeak;
    private final long[] addresses; // by slot; see the class comment for who may touch it
    private final long[] sizes;     // by slot: the size last requested
    private final long[] progress;  // [program * STRIDE]: events completed in this repetition
    private volatile boolean failed; // set by a thread that threw, so that waiters give up
    /**
     * 1 while repetitions are timed, 0 in the warm-up: a multiplier of the live-byte deltas
     * rather than a branch around the meter's calls, so that the warm-up compiles the very code
     * the timed repetitions run (a call the warm-up never made, or a meter of another class,
     * would send the compiled loop back to the interpreter on the first timed event). Written by
     * the coordinator between repetitions (the start barrier publishes it).
     */
    private long reporting;

    /**
     * @param atPeak run right after the event at which the trace's live bytes peak in recorded
     *     order, e.g. the suite meter's checkpoint, which samples resident memory there
     */
    ReplayLoop(SuiteAllocator allocator, MemoryMeter meter, Runnable atPeak, int slotCount, int programCount) {
        this.allocator = allocator;
        this.meter = meter;
        this.atPeak = atPeak;
        this.addresses = new long[slotCount];
        this.sizes = new long[slotCount];
        this.progress = new long[(programCount + 1) * STRIDE];
    }

    /** Before a repetition, from the coordinating thread (the start barrier publishes it). */
    void resetProgress() {
        java.util.Arrays.fill(progress, 0);
    }

    /** Whether the repetitions from now on report live bytes to the meter; off at first. */
    void reporting(boolean on) {
        reporting = on ? 1 : 0;
    }

    void fail() {
        failed = true;
    }

    boolean failed() {
        return failed;
    }

    /**
     * Runs one program once; returns a checksum of the bytes read, for the caller to keep so
     * the reads are not removed.
     */
    long run(ReplaySchedule.Program program, int programIndex) {
        byte[] ops = program.ops();
        int[] slots = program.slots();
        long[] requested = program.sizes();
        int[] waitAt = program.waitAt();
        int nextWait = 0;
        int nextWaitAt = waitAt.length > 0 ? waitAt[0] : -1;
        int progressIndex = programIndex * STRIDE;
        int peakAt = program.peakAt();
        long reporting = this.reporting;
        long checksum = 0;
        for (int i = 0; i < ops.length; i++) {
            while (i == nextWaitAt) { // an event may wait for several threads
                await(program.waitProgram()[nextWait], program.waitUntil()[nextWait]);
                nextWait++;
                nextWaitAt = nextWait < waitAt.length ? waitAt[nextWait] : -1;
            }
            int slot = slots[i];
            int op = ops[i];
            switch (op & ReplaySchedule.OP_MASK) {
                case Trace.MALLOC -> allocated(slot, allocator.malloc(requested[i]), requested[i], i, reporting);
                case Trace.CALLOC -> allocated(slot, allocator.calloc(requested[i]), requested[i], i, reporting);
                case Trace.ALIGNED -> allocated(slot,
                        allocator.alignedAlloc(1L << (op >>> ReplaySchedule.SHIFT_BITS), requested[i]),
                        requested[i], i, reporting);
                case Trace.REALLOC -> {
                    long oldSize = sizes[slot];
                    long size = requested[i];
                    long address = allocator.realloc(addresses[slot], oldSize, size);
                    touch(address, size, (byte) i);
                    addresses[slot] = address;
                    sizes[slot] = size;
                    meter.live((size - oldSize) * reporting);
                }
                default -> { // Trace.FREE
                    long address = addresses[slot];
                    long size = sizes[slot];
                    checksum += MEMORY.get(ValueLayout.JAVA_BYTE, address);
                    allocator.free(address, size);
                    meter.live(-size * reporting);
                }
            }
            if (i == peakAt) {
                atPeak.run();
            }
            // A plain store on x86 and a store-release on AArch64: cheap enough for every event.
            PROGRESS.setRelease(progress, progressIndex, (long) i + 1);
        }
        return checksum;
    }

    private void allocated(int slot, long address, long size, int event, long reporting) {
        touch(address, size, (byte) event);
        addresses[slot] = address;
        sizes[slot] = size;
        meter.live(size * reporting);
    }

    /** First byte, one byte in each further 4 KiB page, last byte. */
    private static void touch(long address, long size, byte value) {
        MEMORY.set(ValueLayout.JAVA_BYTE, address, value);
        for (long offset = PAGE; offset < size; offset += PAGE) {
            MEMORY.set(ValueLayout.JAVA_BYTE, address + offset, value);
        }
        MEMORY.set(ValueLayout.JAVA_BYTE, address + size - 1, value);
    }

    /** Waits until program {@code other} has completed {@code count} events of this repetition. */
    private void await(int other, int count) {
        int index = other * STRIDE;
        int rounds = 0;
        // Acquire: pairs with the other thread's release, so its writes to the slot are seen.
        while ((long) PROGRESS.getAcquire(progress, index) < count) {
            if (failed) {
                throw new CancellationException("another replay thread failed");
            }
            rounds++;
            // Spin briefly (the other thread is usually close), then yield: there may be more
            // replay threads than cores, and a spinning waiter would hold up the one it waits for.
            if (rounds < SPINS_BEFORE_YIELD) {
                Thread.onSpinWait();
            } else if (rounds < SPINS_BEFORE_YIELD + YIELDS_BEFORE_PARK) {
                Thread.yield();
            } else {
                LockSupport.parkNanos(20_000);
            }
        }
    }
}
