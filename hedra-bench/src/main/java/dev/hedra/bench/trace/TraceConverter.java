package dev.hedra.bench.trace;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Turns what the recorder wrote into a compact {@link Trace}, and is the command that does so:
 *
 * <pre>
 *   java -cp hedra-bench/target/benchmarks.jar dev.hedra.bench.trace.TraceConverter \
 *       [--name NAME] [--description TEXT] [--pid PID] RECORDING OUT.trace.gz
 * </pre>
 *
 * <p>One process image of the recording is converted: {@code --pid}'s, else the one with the
 * most calls (a compiler driver's cc1, say). Its calls are taken in sequence order and mapped:
 *
 * <ul>
 *   <li>threads are numbered by first appearance, the first one 0;
 *   <li>each live address gets a slot, the slot of the block it is; a realloc keeps the slot;
 *       a freed slot goes back to the freeing thread's stack and that thread's next allocation
 *       takes it (last freed, first reused), so slots stay small numbers and a reused slot
 *       never ties two threads together in replay;
 *   <li>posix_memalign, aligned_alloc, memalign, valloc and pvalloc become {@link Trace#ALIGNED}
 *       with the alignment rounded up to a power of two; calloc and reallocarray keep count
 *       times size; requests for 0 bytes become 1 byte; {@code realloc(NULL, n)} is a malloc and
 *       {@code realloc(p, 0)} returning NULL is a free (glibc's behaviour);
 *   <li>dropped and counted: frees and reallocs of addresses the trace never allocated (blocks
 *       from before the recorder started; such a realloc becomes a malloc of its result) and
 *       failed allocations;
 *   <li>repaired and counted: an allocation returning an address that is still live, which
 *       happens when another thread's realloc freed it but had not recorded yet (the recorder
 *       numbers a realloc after it returns): the old block stays live under its slot until that
 *       realloc comes;
 *   <li>appended and counted: a free of every block still live at the end (programs exit
 *       without freeing), so that the trace is closed and can be replayed repeatedly.
 * </ul>
 */
public final class TraceConverter {

    /** What a conversion did besides mapping calls one to one. */
    public record Report(
            int calls,
            long unknownFrees,
            long unknownReallocs,
            long failedAllocations,
            long zeroSizeRequests,
            long reallocRaces,
            long freedAtEnd) {

        void print(PrintStream out) {
            out.printf("calls recorded: %d%n", calls);
            out.printf("frees of addresses never allocated in the trace, dropped: %d%n", unknownFrees);
            out.printf("reallocs of addresses never allocated in the trace, kept as malloc: %d%n",
                    unknownReallocs);
            out.printf("failed allocations, dropped: %d%n", failedAllocations);
            out.printf("requests for 0 bytes, kept as 1 byte: %d%n", zeroSizeRequests);
            out.printf("addresses reused before a racing realloc recorded, repaired: %d%n", reallocRaces);
            out.printf("blocks live at the end, freed by added events: %d%n", freedAtEnd);
        }
    }

    /** A trace and how it was made. */
    public record Result(Trace trace, Report report) {}

    private TraceConverter() {}

    public static void main(String[] args) throws IOException {
        String name = null;
        String description = null;
        Integer pid = null;
        String[] files = new String[2];
        int fileCount = 0;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--name" -> name = value(args, ++i);
                case "--description" -> description = value(args, ++i);
                case "--pid" -> pid = Integer.parseInt(value(args, ++i));
                case "-h", "--help" -> {
                    usage(System.out);
                    return;
                }
                default -> {
                    if (args[i].startsWith("-") || fileCount == 2) {
                        usage(System.err);
                        System.exit(2);
                    }
                    files[fileCount++] = args[i];
                }
            }
        }
        if (fileCount != 2) {
            usage(System.err);
            System.exit(2);
        }
        Path output = Path.of(files[1]);
        if (name == null) {
            name = output.getFileName().toString().replaceFirst("\\.trace\\.gz$", "");
        }
        Recording recording = Recording.read(Path.of(files[0]));
        System.out.println("process images in " + files[0] + ":");
        recording.processes().forEach(process -> System.out.println("  " + process));
        Recording.Process chosen = choose(recording, pid);
        System.out.println("converting " + chosen);
        Result result = convert(chosen, name, description == null ? "calls recorded from pid "
                + chosen.pid() : description);
        result.report().print(System.out);
        TraceWriter.write(result.trace(), output);
        System.out.println(result.trace().summary());
        System.out.println("written to " + output);
    }

    private static String value(String[] args, int i) {
        if (i >= args.length) {
            usage(System.err);
            System.exit(2);
        }
        return args[i];
    }

    private static void usage(PrintStream out) {
        out.println("usage: TraceConverter [--name NAME] [--description TEXT] [--pid PID] "
                + "RECORDING OUT.trace.gz");
        out.println("  RECORDING: the file named by HEDRA_TRACE_FILE when the program ran with");
        out.println("  LD_PRELOAD=libhedratrace.so; --pid picks a process (default: most calls)");
    }

    private static Recording.Process choose(Recording recording, Integer pid) {
        if (recording.processes().isEmpty()) {
            throw new IllegalArgumentException("the recording holds no calls");
        }
        if (pid == null) {
            return recording.processes().getFirst();
        }
        return recording.processes().stream().filter(process -> process.pid() == pid).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no process " + pid + " in the recording"));
    }

    /** Converts the calls of one process image. */
    public static Result convert(Recording.Process process, String name, String description) {
        return new Conversion(name, description).run(process);
    }

    /** The state of one conversion: live addresses, free slots, counts. */
    private static final class Conversion {
        private final Trace.Builder trace;
        private final Map<Integer, Integer> threadOfTid = new LinkedHashMap<>();
        private final Map<Long, Integer> slotOfAddress = new HashMap<>();
        /** Blocks whose address another allocation took before their realloc recorded. */
        private final Map<Long, Integer> displacedSlotOfAddress = new HashMap<>();
        private int[][] freeSlots = new int[4][];
        private int[] freeSlotCounts = new int[4];
        private int[] lastThreadOfSlot = new int[1024];
        private int slotCount;
        private long unknownFrees;
        private long unknownReallocs;
        private long failedAllocations;
        private long zeroSizeRequests;
        private long reallocRaces;
        private long freedAtEnd;

        Conversion(String name, String description) {
            trace = new Trace.Builder(name, description);
        }

        Result run(Recording.Process process) {
            for (int i = 0; i < process.size(); i++) {
                int thread = threadOfTid.computeIfAbsent(process.tid[i], tid -> threadOfTid.size());
                long size = process.sizes[i];
                long extra = process.extra[i];
                long in = process.in[i];
                long out = process.out[i];
                switch (process.op[i]) {
                    case Recording.MALLOC -> allocate(thread, Trace.MALLOC, out, size, 0);
                    case Recording.CALLOC -> allocate(thread, Trace.CALLOC, out, times(extra, size), 0);
                    case Recording.POSIX_MEMALIGN, Recording.ALIGNED_ALLOC, Recording.MEMALIGN,
                            Recording.VALLOC, Recording.PVALLOC ->
                        allocate(thread, Trace.ALIGNED, out, size, alignmentShift(extra));
                    case Recording.REALLOC -> realloc(thread, in, out, size);
                    case Recording.REALLOCARRAY -> realloc(thread, in, out, times(extra, size));
                    case Recording.FREE -> free(thread, in);
                    default -> throw new IllegalArgumentException(
                            "unknown op " + process.op[i] + " in record " + i);
                }
            }
            closeLiveBlocks(slotOfAddress);
            closeLiveBlocks(displacedSlotOfAddress);
            trace.threads(Math.max(1, threadOfTid.size()));
            var report = new Report(process.size(), unknownFrees, unknownReallocs, failedAllocations,
                    zeroSizeRequests, reallocRaces, freedAtEnd);
            return new Result(trace.build(), report);
        }

        private void allocate(int thread, byte op, long address, long size, int alignmentShift) {
            if (address == 0 || size < 0) {
                failedAllocations++;
                return;
            }
            int slot = takeSlot(thread);
            trace.add(op, thread, slot, positive(size), alignmentShift);
            bind(address, slot);
        }

        private void realloc(int thread, long in, long out, long size) {
            if (in == 0) {
                allocate(thread, Trace.MALLOC, out, size, 0);
                return;
            }
            if (out == 0) {
                if (size == 0) {
                    free(thread, in); // realloc(p, 0) freed p
                } else {
                    failedAllocations++; // the old block stays as it was
                }
                return;
            }
            Integer slot = displacedSlotOfAddress.remove(in);
            if (slot == null) {
                slot = slotOfAddress.remove(in);
            }
            if (slot == null) {
                unknownReallocs++;
                allocate(thread, Trace.MALLOC, out, size, 0);
                return;
            }
            trace.realloc(thread, slot, positive(size));
            lastThreadOfSlot[slot] = thread;
            bind(out, slot);
        }

        private void free(int thread, long address) {
            Integer slot = slotOfAddress.remove(address);
            if (slot == null) {
                unknownFrees++;
                return;
            }
            trace.free(thread, slot);
            releaseSlot(thread, slot);
        }

        private void bind(long address, int slot) {
            Integer previous = slotOfAddress.put(address, slot);
            if (previous != null) {
                reallocRaces++;
                Integer older = displacedSlotOfAddress.put(address, previous);
                if (older != null) {
                    // Twice displaced before its realloc came: give up on the older block.
                    trace.free(lastThreadOfSlot[older], older);
                    releaseSlot(lastThreadOfSlot[older], older);
                }
            }
        }

        private void closeLiveBlocks(Map<Long, Integer> live) {
            int[] slots = live.values().stream().mapToInt(Integer::intValue).sorted().toArray();
            for (int slot : slots) {
                trace.free(lastThreadOfSlot[slot], slot);
                freedAtEnd++;
            }
            live.clear();
        }

        private long positive(long size) {
            if (size == 0) {
                zeroSizeRequests++;
                return 1;
            }
            return size;
        }

        private long times(long count, long size) {
            long high = Math.multiplyHigh(count, size);
            long total = count * size;
            return high != 0 || total < 0 ? -1 : total; // -1: overflow, the call failed
        }

        private static int alignmentShift(long alignment) {
            if (alignment <= 1) {
                return 0;
            }
            return 64 - Long.numberOfLeadingZeros(alignment - 1); // rounded up to a power of two
        }

        private int takeSlot(int thread) {
            int slot;
            if (thread < freeSlotCounts.length && freeSlotCounts[thread] > 0) {
                slot = freeSlots[thread][--freeSlotCounts[thread]];
            } else {
                slot = slotCount++;
                if (slot == lastThreadOfSlot.length) {
                    lastThreadOfSlot = Arrays.copyOf(lastThreadOfSlot, slot * 2);
                }
            }
            lastThreadOfSlot[slot] = thread;
            return slot;
        }

        private void releaseSlot(int thread, int slot) {
            if (thread >= freeSlotCounts.length) {
                int grown = Math.max(thread + 1, freeSlotCounts.length * 2);
                freeSlots = Arrays.copyOf(freeSlots, grown);
                freeSlotCounts = Arrays.copyOf(freeSlotCounts, grown);
            }
            if (freeSlots[thread] == null) {
                freeSlots[thread] = new int[64];
            } else if (freeSlotCounts[thread] == freeSlots[thread].length) {
                freeSlots[thread] = Arrays.copyOf(freeSlots[thread], freeSlotCounts[thread] * 2);
            }
            freeSlots[thread][freeSlotCounts[thread]++] = slot;
        }
    }
}
