package dev.hedra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Memory the system will not take back: a program that locks a block's pages ({@code mlock}, to
 * keep a key out of swap, say) and frees the block without unlocking them leaves a page that
 * {@code madvise(MADV_DONTNEED)} refuses ({@code EINVAL}). Giving that page back must neither
 * fail the call that does it nor lose the page, and the memory must still read zero when it is
 * handed out as fresh.
 */
class PurgeRefusedTest {

    private static final long UNIT = 64 * 1024;
    private static final MethodHandle MLOCK = libc("mlock");
    private static final MethodHandle MUNLOCK = libc("munlock");

    private static MethodHandle libc(String name) {
        Linker linker = Linker.nativeLinker();
        return linker.downcallHandle(linker.defaultLookup().find(name).orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG));
    }

    @Test
    void aLockedPageGoesBackZeroedWithoutFailing() throws Throwable {
        try (NativeAllocator hedra = Hedra.builder().purgeDelay(Duration.ZERO).backgroundPurge(false).build()) {
            NativeHeap heap = hedra.newHeap("locked");
            long block = heap.malloc(256);
            long unit = block & -UNIT;
            Blocks.segment(unit, UNIT).fill((byte) 0x5A); // every byte of the block's page written
            int locked = (int) MLOCK.invokeExact(unit, UNIT);
            assumeTrue(locked == 0, "mlock of 64 KiB is not permitted here (RLIMIT_MEMLOCK)");
            try {
                heap.close(); // gives the page back with no delay: the purge is refused

                // The run is handed out again as fresh memory: calloc's blocks read zero.
                NativeHeap again = hedra.newHeap("again");
                long zeroed = again.calloc(256);
                assertEquals(unit, zeroed & -UNIT, "the same run serves the next page");
                assertEquals(-1L, Blocks.segment(unit, UNIT).mismatch(
                        java.lang.foreign.MemorySegment.ofArray(new byte[(int) UNIT])), "the whole run reads zero");
                again.close();
            } finally {
                int unlocked = (int) MUNLOCK.invokeExact(unit, UNIT);
                assertEquals(0, unlocked);
            }
            Blocks.roundTrip(hedra, 256); // the allocator goes on
        }
    }
}
