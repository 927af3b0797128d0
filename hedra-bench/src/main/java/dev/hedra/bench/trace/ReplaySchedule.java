package dev.hedra.bench.trace;

/**
 * A trace cut into programs, one per replaying thread, with the waits that keep every block's
 * history in order when its events are in different programs.
 *
 * <p>{@link Mode#PER_THREAD}: program {@code t} is recorded thread {@code t}'s events in their
 * order. An event on slot {@code s} whose previous event on {@code s} is in another program
 * {@code q}, as event number {@code k} there, first waits until {@code q} has completed
 * {@code k + 1} events (unless an earlier wait already covered that). So a block allocated by
 * one thread and freed by another is freed after it was allocated, and the slot's address is
 * read after it was written. The converter reuses a slot only in the thread that freed it, so
 * reuse adds no waits.
 *
 * <p>Besides, no thread runs far ahead of the recorded order: the global order is cut into
 * windows of {@value #WINDOW} events, and a thread's first event in window {@code w} waits until
 * every event of windows before {@code w - 1} is done. Without it a producer thread, which in the
 * recording was held back by its consumers (a bounded queue, a lock: nothing the heap calls
 * show), could allocate far ahead of the frees, and live bytes (and with them resident memory)
 * would depend on how the allocator's speed lets the threads drift apart. So live bytes at any
 * moment stay within about two windows of events of the recorded ones; within that, threads run
 * as concurrently as the allocator lets them.
 *
 * <p>No deadlock: every wait is for events earlier in the global order, so the earliest
 * unfinished event can always run.
 *
 * <p>{@link Mode#GLOBAL_ORDER}: one program, the whole trace in recorded order, no waits.
 */
final class ReplaySchedule {

    enum Mode {
        /**
         * One Java thread per recorded thread, ordered where a block crosses threads and kept
         * within two windows of the recorded order.
         */
        PER_THREAD,
        /** One Java thread replays every event in recorded order. */
        GLOBAL_ORDER
    }

    /**
     * One replaying thread's events. {@code ops[i]} packs the op and, for an aligned allocation,
     * the alignment's log2:
     *
     * <pre>
     *   bit  7       3 2     0
     *       [ shift  ][  op  ]
     * </pre>
     *
     * Before event {@code waitAt[j]} (non-decreasing), the thread waits until program
     * {@code waitProgram[j]} has completed {@code waitUntil[j]} events. {@code peakAt} is the
     * event after which the trace's live bytes peak in recorded order, in the one program that
     * has it; -1 in the others.
     */
    record Program(byte[] ops, int[] slots, long[] sizes, int[] waitAt, int[] waitProgram,
            int[] waitUntil, int peakAt) {

        int eventCount() {
            return ops.length;
        }

        int waits() {
            return waitAt.length;
        }
    }

    /** Events per window of the global order; see the class comment. */
    static final int WINDOW = 4096;

    static final int OP_MASK = 0x7;
    static final int SHIFT_BITS = 3;

    private final Mode mode;
    private final Program[] programs;
    private final int slotCount;

    private ReplaySchedule(Mode mode, Program[] programs, int slotCount) {
        this.mode = mode;
        this.programs = programs;
        this.slotCount = slotCount;
    }

    Mode mode() {
        return mode;
    }

    Program[] programs() {
        return programs;
    }

    int slotCount() {
        return slotCount;
    }

    /** Waits across all programs: how often a block crosses threads. */
    int totalWaits() {
        int total = 0;
        for (Program program : programs) {
            total += program.waits();
        }
        return total;
    }

    static ReplaySchedule of(Trace trace, Mode mode) {
        int programCount = mode == Mode.GLOBAL_ORDER ? 1 : trace.threadCount();
        int events = trace.eventCount();
        int[] eventsOf = new int[programCount];
        for (int i = 0; i < events; i++) {
            eventsOf[programOf(trace, i, mode)]++;
        }
        byte[][] ops = new byte[programCount][];
        int[][] slots = new int[programCount][];
        long[][] sizes = new long[programCount][];
        for (int p = 0; p < programCount; p++) {
            ops[p] = new byte[eventsOf[p]];
            slots[p] = new int[eventsOf[p]];
            sizes[p] = new long[eventsOf[p]];
        }
        var waits = new WaitList[programCount];
        for (int p = 0; p < programCount; p++) {
            waits[p] = new WaitList();
        }
        // covered[p][q]: events of q that p has already waited for.
        int[][] covered = new int[programCount][programCount];
        int[] lastProgramOfSlot = new int[trace.slotCount()];
        int[] lastCountOfSlot = new int[trace.slotCount()]; // 1 + the event's index there; 0: none
        int[] next = new int[programCount];
        int[] peakAt = new int[programCount];
        java.util.Arrays.fill(peakAt, -1);
        // windowStarts[w][q]: q's events before window w; lastWindow[p]: p's latest window.
        int[][] windowStarts = new int[events / WINDOW + 1][];
        int[] lastWindow = new int[programCount];
        for (int i = 0; i < events; i++) {
            int window = i / WINDOW;
            if (i % WINDOW == 0) {
                windowStarts[window] = next.clone();
            }
            int p = programOf(trace, i, mode);
            int local = next[p]++;
            if (i == trace.peakEvent()) {
                peakAt[p] = local;
            }
            if (window > lastWindow[p]) {
                lastWindow[p] = window;
                if (window >= 2) {
                    int[] before = windowStarts[window - 1];
                    for (int q = 0; q < programCount; q++) {
                        if (q != p && covered[p][q] < before[q]) {
                            waits[p].add(local, q, before[q]);
                            covered[p][q] = before[q];
                        }
                    }
                }
            }
            int slot = trace.slot(i);
            int q = lastProgramOfSlot[slot];
            int needed = lastCountOfSlot[slot];
            if (needed > 0 && q != p && covered[p][q] < needed) {
                waits[p].add(local, q, needed);
                covered[p][q] = needed;
            }
            lastProgramOfSlot[slot] = p;
            lastCountOfSlot[slot] = local + 1;
            ops[p][local] = (byte) (trace.op(i) | trace.alignmentShift(i) << SHIFT_BITS);
            slots[p][local] = slot;
            sizes[p][local] = trace.size(i);
        }
        var programs = new Program[programCount];
        for (int p = 0; p < programCount; p++) {
            programs[p] = new Program(ops[p], slots[p], sizes[p], waits[p].at(), waits[p].program(),
                    waits[p].count(), peakAt[p]);
        }
        return new ReplaySchedule(mode, programs, trace.slotCount());
    }

    private static int programOf(Trace trace, int event, Mode mode) {
        return mode == Mode.GLOBAL_ORDER ? 0 : trace.thread(event);
    }

    /** Growable parallel int arrays. */
    private static final class WaitList {
        private int size;
        private int[] at = new int[16];
        private int[] program = new int[16];
        private int[] count = new int[16];

        void add(int localEvent, int waitedProgram, int waitedCount) {
            if (size == at.length) {
                at = java.util.Arrays.copyOf(at, size * 2);
                program = java.util.Arrays.copyOf(program, size * 2);
                count = java.util.Arrays.copyOf(count, size * 2);
            }
            at[size] = localEvent;
            program[size] = waitedProgram;
            count[size] = waitedCount;
            size++;
        }

        int[] at() {
            return java.util.Arrays.copyOf(at, size);
        }

        int[] program() {
            return java.util.Arrays.copyOf(program, size);
        }

        int[] count() {
            return java.util.Arrays.copyOf(count, size);
        }
    }
}
