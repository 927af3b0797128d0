package dev.hedra.bench.suite;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A sum that any thread adds to and any thread reads: the meter's count of live bytes. Each
 * thread adds to one of {@value #STRIPES} padded cells, chosen by its thread id, with one atomic
 * add; a read sums the cells.
 *
 * <p>Why not {@link java.util.concurrent.atomic.LongAdder}: its {@code add} takes one branch
 * until two threads first collide on it and another from then on. C2 compiles only the branches
 * it has seen taken; when the first collision comes after the workload's loop was compiled, it
 * throws away every compiled method that inlined {@code add}, the loop with the allocator inlined
 * among them, and the run goes on in the interpreter and C1 until C2 has compiled the loop again.
 * In the python-threads trace replay the collision came at the start of the timed repetitions
 * (seen with {@code -Xlog:deoptimization=debug}), which then measured mostly that: 415-815 ns
 * per event on Hedra and 190-333 on glibc, against 27-62 and 27-59 with this counter (five runs
 * each, 2026-11-22). Here every add takes the same path.
 */
final class LiveByteCounter {

    private static final VarHandle CELL = MethodHandles.arrayElementVarHandle(long[].class);
    /** Cells: a power of two, more than a 2-CPU machine's busy threads so they rarely share one. */
    private static final int STRIPES = 32;
    /** Longs from one cell to the next: 128 bytes, so no two share a cache line or its neighbour. */
    private static final int SPACING = 16;

    private final long[] cells = new long[STRIPES * SPACING];

    /** Any thread. */
    void add(long delta) {
        int cell = (int) (Thread.currentThread().threadId() & (STRIPES - 1)) * SPACING;
        CELL.getAndAdd(cells, cell, delta);
    }

    /** Any thread: the sum of what was added, exact once the adding threads are done. */
    long sum() {
        long sum = 0;
        for (int cell = 0; cell < cells.length; cell += SPACING) {
            sum += (long) CELL.getVolatile(cells, cell);
        }
        return sum;
    }
}
