package dev.hedra.bench.suite;

import java.io.IOException;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.LongSupplier;
import java.util.stream.Stream;

/**
 * When a warm-up may end: after a least time, once the JIT compilers have gone quiet, and in any
 * case after {@link #MAX_NANOS}. Used by the runner's warm-up ({@link RunOne}) and the trace
 * replay's, the same for every allocator.
 *
 * <p>Why not a fixed time: on two cores, with the workload's threads busy, C2 takes its time.
 * rptest on Hedra, at the warm-up's scale, kept the compilers busy for over 2 s (compilation time
 * summed over their threads: 376, 304, 268, 146, 144, 76, 20 ms in successive quarter-seconds),
 * while the same workload on tcmalloc, whose allocator is a downcall, was quiet after 0.6 s. A
 * measured run that starts while C2 is still compiling the loop it runs measures the compilation
 * (the loop runs in a lower tier meanwhile, and the compiler thread takes a core) rather than the
 * allocator; at scale 0.2 some runs last only tens of milliseconds.
 *
 * <p>Quiet means: over a window of {@link #WINDOW_NANOS}, the compiler threads used under a
 * {@link #QUIET_SHARE}th of it in CPU time ({@link #jitMillis}). Where neither {@code /proc} nor
 * the JVM tells, the compilers count as quiet, and the warm-up lasts its least time.
 */
public final class WarmUpClock {

    /** Length of the window over which the compilers' activity is judged. */
    static final long WINDOW_NANOS = 250_000_000L;
    /** The compilers are quiet when busy for under 1/QUIET_SHARE of a window. */
    static final int QUIET_SHARE = 20;
    /** No warm-up lasts longer than this, whatever the compilers do. */
    public static final long MAX_NANOS = 3_000_000_000L;

    private static final CompilationMXBean JIT = ManagementFactory.getCompilationMXBean();
    /** {@code USER_HZ}: the unit of {@code /proc}'s CPU times, 100 on Linux. */
    private static final long CLOCK_TICKS_PER_SECOND = 100;

    private final long leastNanos;
    private final LongSupplier nanoTime;
    private final LongSupplier jitMillis;
    private final long start;
    private long windowStart;
    private long windowJitMillis;
    private boolean quiet;
    private long now;

    /** A clock reading time and the compilers' milliseconds from the given sources (tests fake them). */
    WarmUpClock(long leastNanos, LongSupplier nanoTime, LongSupplier jitMillis) {
        this.leastNanos = leastNanos;
        this.nanoTime = nanoTime;
        this.jitMillis = jitMillis;
        this.start = nanoTime.getAsLong();
        this.windowStart = start;
        this.windowJitMillis = jitMillis.getAsLong();
        this.now = start;
    }

    /** A clock for a warm-up that lasts at least {@code leastNanos}, starting now. */
    public static WarmUpClock start(long leastNanos) {
        return new WarmUpClock(leastNanos, System::nanoTime, WarmUpClock::jitMillis);
    }

    /** Called after each round of the warm-up: whether it may end now. */
    public boolean done() {
        now = nanoTime.getAsLong();
        if (now - windowStart >= WINDOW_NANOS) {
            long jit = jitMillis.getAsLong();
            quiet = (jit - windowJitMillis) * 1_000_000L * QUIET_SHARE < now - windowStart;
            windowStart = now;
            windowJitMillis = jit;
        }
        long elapsed = now - start;
        return elapsed >= leastNanos && (quiet || elapsed >= MAX_NANOS);
    }

    /** Whether the last {@link #done()} came at or after {@link #MAX_NANOS}. */
    public boolean pastMax() {
        return now - start >= MAX_NANOS;
    }

    /** Seconds from the start to the last {@link #done()}. */
    public double seconds() {
        return (now - start) / 1e9;
    }

    /**
     * Milliseconds of CPU the JIT compiler threads have used so far, from {@code /proc} (their
     * names start {@code C1 CompilerThre} or {@code C2 CompilerThre}); where that cannot be read,
     * the JVM's total compilation time; 0 if neither is known.
     *
     * <p>CPU time rather than the JVM's count: that one grows only when a compilation finishes, so
     * a window in which C2 spends all its time on one long compilation (hundreds of ms when the
     * workload's threads take both cores) looked quiet, and rptest's warm-up ended at 0.6 s while
     * its loop was still being compiled.
     */
    static long jitMillis() {
        long ticks = compilerThreadTicks();
        if (ticks >= 0) {
            return ticks * 1000 / CLOCK_TICKS_PER_SECOND;
        }
        return JIT != null && JIT.isCompilationTimeMonitoringSupported() ? JIT.getTotalCompilationTime() : 0;
    }

    /** User and system clock ticks of the JVM's compiler threads, or -1 if {@code /proc} says nothing. */
    static long compilerThreadTicks() {
        Path tasks = Path.of("/proc/self/task");
        if (!Files.isDirectory(tasks)) {
            return -1;
        }
        long ticks = 0;
        boolean found = false;
        try (Stream<Path> threads = Files.list(tasks)) {
            for (Path thread : (Iterable<Path>) threads::iterator) {
                String stat;
                try {
                    stat = Files.readString(thread.resolve("stat"));
                } catch (IOException gone) {
                    continue; // the thread ended since the listing
                }
                // pid (comm) state ppid ...: utime and stime are the 14th and 15th fields.
                int open = stat.indexOf('(');
                int close = stat.lastIndexOf(')');
                if (open < 0 || close < open) {
                    continue;
                }
                String name = stat.substring(open + 1, close);
                if (name.startsWith("C1 CompilerThre") || name.startsWith("C2 CompilerThre")) {
                    String[] fields = stat.substring(close + 2).split(" ");
                    ticks += Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
                    found = true;
                }
            }
        } catch (IOException | RuntimeException unreadable) {
            return -1;
        }
        return found ? ticks : -1;
    }
}
