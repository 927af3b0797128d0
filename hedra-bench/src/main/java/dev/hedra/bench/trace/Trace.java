package dev.hedra.bench.trace;

import java.util.Arrays;

/**
 * A recorded program's heap calls in global order, with addresses replaced by object slots:
 * what {@link TraceReader} reads, {@link TraceWriter} writes and {@link TraceReplay} replays.
 *
 * <p>Event {@code i} is {@code ops[i]} by thread {@code threads[i]} on slot {@code slots[i]}:
 *
 * <ul>
 *   <li>{@link #MALLOC}, {@link #CALLOC}, {@link #ALIGNED}: a new block of {@code sizes[i]} bytes
 *       (calloc's count times size; aligned with {@code 1 << alignmentShifts[i]}) in a free slot;
 *   <li>{@link #REALLOC}: the slot's block resized to {@code sizes[i]} bytes, same slot;
 *   <li>{@link #FREE}: the slot's block freed, the slot free again.
 * </ul>
 *
 * <p>Invariants, checked on construction: every size is at least 1 (a C request for 0 bytes is
 * served by the smallest block, so it is kept as 1 byte); an allocation names a free slot and a
 * realloc or free a live one; the trace is closed, every slot free at its end, so it can be
 * replayed again and again; {@code 0 <= threads[i] < threadCount}, {@code 0 <= slots[i] <
 * slotCount}. {@link #peakLiveBytes()} is the highest sum of live sizes in this order.
 */
public final class Trace {

    public static final byte MALLOC = 0;
    public static final byte CALLOC = 1;
    public static final byte REALLOC = 2;
    public static final byte ALIGNED = 3;
    public static final byte FREE = 4;

    private static final String[] OP_NAMES = {"malloc", "calloc", "realloc", "aligned", "free"};

    private final String name;
    private final String description;
    private final int threadCount;
    private final int slotCount;
    private final byte[] ops;
    private final int[] threads;
    private final int[] slots;
    private final long[] sizes;
    private final byte[] alignmentShifts;
    private final long peakLiveBytes;
    private int peakEvent; // set by validate()

    private Trace(String name, String description, int threadCount, int slotCount, byte[] ops,
            int[] threads, int[] slots, long[] sizes, byte[] alignmentShifts) {
        this.name = name;
        this.description = description;
        this.threadCount = threadCount;
        this.slotCount = slotCount;
        this.ops = ops;
        this.threads = threads;
        this.slots = slots;
        this.sizes = sizes;
        this.alignmentShifts = alignmentShifts;
        this.peakLiveBytes = validate();
    }

    /** The trace's name: the workload is {@code trace-<name>}. */
    public String name() {
        return name;
    }

    /** What program was recorded, doing what. */
    public String description() {
        return description;
    }

    public int threadCount() {
        return threadCount;
    }

    /** Slots needed to replay: the most blocks ever live at once, plus slots kept per thread. */
    public int slotCount() {
        return slotCount;
    }

    public int eventCount() {
        return ops.length;
    }

    public byte op(int event) {
        return ops[event];
    }

    public int thread(int event) {
        return threads[event];
    }

    public int slot(int event) {
        return slots[event];
    }

    /** Bytes requested by an allocation or realloc; 0 for a free. */
    public long size(int event) {
        return sizes[event];
    }

    /** log2 of the alignment of an {@link #ALIGNED} event; 0 otherwise. */
    public int alignmentShift(int event) {
        return alignmentShifts[event];
    }

    /** The highest sum of requested sizes of live blocks, in the recorded order. */
    public long peakLiveBytes() {
        return peakLiveBytes;
    }

    /** The event after which live bytes first reach {@link #peakLiveBytes()}; -1 if none. */
    public int peakEvent() {
        return peakEvent;
    }

    /** Events per op, indexed by op code. */
    public long[] opCounts() {
        long[] counts = new long[OP_NAMES.length];
        for (byte op : ops) {
            counts[op]++;
        }
        return counts;
    }

    public static String opName(int op) {
        return OP_NAMES[op];
    }

    /** One line: events per op, threads, slots and peak live bytes. */
    public String summary() {
        long[] counts = opCounts();
        StringBuilder line = new StringBuilder(name).append(": ").append(eventCount()).append(" events (");
        for (int op = 0; op < counts.length; op++) {
            line.append(op == 0 ? "" : ", ").append(counts[op]).append(' ').append(OP_NAMES[op]);
        }
        return line.append("), ").append(threadCount).append(" threads, ").append(slotCount)
                .append(" slots, peak live ").append(peakLiveBytes).append(" bytes").toString();
    }

    private long validate() {
        boolean[] live = new boolean[slotCount];
        long[] liveSize = new long[slotCount];
        long liveBytes = 0;
        long peak = 0;
        peakEvent = -1;
        for (int i = 0; i < ops.length; i++) {
            int slot = slots[i];
            if (threads[i] < 0 || threads[i] >= threadCount || slot < 0 || slot >= slotCount) {
                throw bad(i, "thread " + threads[i] + " or slot " + slot + " out of range");
            }
            byte op = ops[i];
            if (op == FREE) {
                if (!live[slot]) {
                    throw bad(i, "free of free slot " + slot);
                }
                live[slot] = false;
                liveBytes -= liveSize[slot];
                continue;
            }
            if (sizes[i] < 1) {
                throw bad(i, "size " + sizes[i]);
            }
            if (op == REALLOC) {
                if (!live[slot]) {
                    throw bad(i, "realloc of free slot " + slot);
                }
                liveBytes -= liveSize[slot];
            } else if (op == MALLOC || op == CALLOC || op == ALIGNED) {
                if (live[slot]) {
                    throw bad(i, "allocation into live slot " + slot);
                }
                if (op == ALIGNED && (alignmentShifts[i] < 0 || alignmentShifts[i] > 40)) {
                    throw bad(i, "alignment shift " + alignmentShifts[i]);
                }
            } else {
                throw bad(i, "unknown op " + op);
            }
            live[slot] = true;
            liveSize[slot] = sizes[i];
            liveBytes += sizes[i];
            if (liveBytes > peak) {
                peak = liveBytes;
                peakEvent = i;
            }
        }
        for (int slot = 0; slot < slotCount; slot++) {
            if (live[slot]) {
                throw new IllegalArgumentException("trace " + name + " is not closed: slot " + slot
                        + " is live at its end");
            }
        }
        return peak;
    }

    private IllegalArgumentException bad(int event, String what) {
        return new IllegalArgumentException("trace " + name + ", event " + event + ": " + what);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Trace that
                && name.equals(that.name) && description.equals(that.description)
                && threadCount == that.threadCount && slotCount == that.slotCount
                && Arrays.equals(ops, that.ops) && Arrays.equals(threads, that.threads)
                && Arrays.equals(slots, that.slots) && Arrays.equals(sizes, that.sizes)
                && Arrays.equals(alignmentShifts, that.alignmentShifts);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(ops) * 31 + Arrays.hashCode(slots);
    }

    @Override
    public String toString() {
        return summary();
    }

    /** Appends events; {@link #build} checks the invariants. */
    public static final class Builder {
        private final String name;
        private final String description;
        private int threadCount;
        private int slotCount;
        private int size;
        private byte[] ops = new byte[1024];
        private int[] threads = new int[1024];
        private int[] slots = new int[1024];
        private long[] sizes = new long[1024];
        private byte[] alignmentShifts = new byte[1024];

        public Builder(String name, String description) {
            this.name = name;
            this.description = description;
        }

        public Builder malloc(int thread, int slot, long bytes) {
            return add(MALLOC, thread, slot, bytes, 0);
        }

        public Builder calloc(int thread, int slot, long bytes) {
            return add(CALLOC, thread, slot, bytes, 0);
        }

        public Builder aligned(int thread, int slot, int alignmentShift, long bytes) {
            return add(ALIGNED, thread, slot, bytes, alignmentShift);
        }

        public Builder realloc(int thread, int slot, long bytes) {
            return add(REALLOC, thread, slot, bytes, 0);
        }

        public Builder free(int thread, int slot) {
            return add(FREE, thread, slot, 0, 0);
        }

        /** Appends one event of any op (the reader's way in). */
        public Builder add(byte op, int thread, int slot, long bytes, int alignmentShift) {
            if (size == ops.length) {
                int grown = size * 2;
                ops = Arrays.copyOf(ops, grown);
                threads = Arrays.copyOf(threads, grown);
                slots = Arrays.copyOf(slots, grown);
                sizes = Arrays.copyOf(sizes, grown);
                alignmentShifts = Arrays.copyOf(alignmentShifts, grown);
            }
            ops[size] = op;
            threads[size] = thread;
            slots[size] = slot;
            sizes[size] = bytes;
            alignmentShifts[size] = (byte) alignmentShift;
            size++;
            threadCount = Math.max(threadCount, thread + 1);
            slotCount = Math.max(slotCount, slot + 1);
            return this;
        }

        public int eventCount() {
            return size;
        }

        /** Declares at least this many threads (a header may name threads without events). */
        public Builder threads(int count) {
            threadCount = Math.max(threadCount, count);
            return this;
        }

        /** Declares at least this many slots. */
        public Builder slots(int count) {
            slotCount = Math.max(slotCount, count);
            return this;
        }

        public Trace build() {
            return new Trace(name, description, threadCount, slotCount, Arrays.copyOf(ops, size),
                    Arrays.copyOf(threads, size), Arrays.copyOf(slots, size),
                    Arrays.copyOf(sizes, size), Arrays.copyOf(alignmentShifts, size));
        }
    }
}
