package dev.hedra.bench.trace;

import dev.hedra.bench.suite.MemoryMeter;
import dev.hedra.bench.suite.ResidentMemoryMeter;
import dev.hedra.bench.suite.WarmUpClock;
import dev.hedra.bench.suite.SuiteAllocator;
import dev.hedra.bench.suite.SuiteWorkload;
import dev.hedra.bench.suite.WorkloadResult;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * Replays one recorded trace against an allocator: the suite workload {@code trace-<name>}.
 *
 * <p>The trace is read and cut into per-thread programs ({@link ReplaySchedule}) before anything
 * is timed. By default each recorded thread is replayed by its own platform thread, ordered
 * against the others where a block crosses threads and kept within about two windows of
 * {@value ReplaySchedule#WINDOW} events of the recorded order ({@link ReplaySchedule.Mode#PER_THREAD});
 * {@code -Dhedra.trace.replay=global} replays every event on one thread in recorded order
 * instead. A single-threaded trace replays the same way in both modes.
 *
 * <p>The trace is closed (every block freed at its end), so it is replayed whole, repeatedly:
 * first untimed until the replay and the allocator are compiled (whole repetitions of at least
 * {@value #WARMUP_EVENTS} events in all unless they take over {@link WarmUpClock#MAX_NANOS}, for
 * at least {@value #WARMUP_NANOS} ns and then until the JIT compilers are quiet, as
 * {@link WarmUpClock} judges; none when the warm-up is set to 0 events), then timed for at least
 * {@code scale} times {@value #TIMED_EVENTS} events, at least one repetition. The metric is the
 * wall time of the median timed repetition over its events, waits between threads included
 * ({@code seconds} and {@code operations} cover all timed repetitions).
 *
 * <p>Memory: in the timed repetitions every change of live requested bytes goes to the
 * {@link MemoryMeter} as it happens, from every replay thread, and right after the event at which
 * the trace's live bytes peak (in recorded order) the suite's {@link ResidentMemoryMeter} is told
 * to {@linkplain ResidentMemoryMeter#checkpoint() sample} resident memory. The warm-up runs the
 * same code with the same meter but reports no live bytes, and the suite's meter
 * {@linkplain ResidentMemoryMeter#restart() starts its peaks over} when it ends, so that point is
 * in the first timed repetition, in a warm process: the allocator holds what it kept from the
 * warm-up, as in a long-running program, and the compilers' transient memory of the warm-up is
 * not counted (as for the other workloads, whose runner warms them up before its meter
 * starts). The result's peak
 * live bytes is the trace's own peak in recorded order, the same for every allocator; in
 * per-thread replay of a multi-threaded trace the live bytes at the checkpoint may differ a
 * little between runs, as threads interleave differently. Resident figures are the meter's: this
 * workload reports 0 and no timeline, for the runner to fill in.
 */
public final class TraceReplay implements SuiteWorkload {

    static final long WARMUP_EVENTS = 1_000_000;
    /**
     * The warm-up also lasts at least this long: a few repetitions leave C2 still compiling the
     * replay loop with the allocator inlined, and a timed repetition would then measure that.
     */
    static final long WARMUP_NANOS = 1_000_000_000L;
    static final long TIMED_EVENTS = 2_000_000;
    static final String METRIC = "ns per event (median repetition)";
    static final String INDEX_RESOURCE = TraceReader.RESOURCE_DIRECTORY + "index.txt";

    private final String traceName;
    private final String traceDescription;
    private final Supplier<Trace> source;
    private final ReplaySchedule.Mode mode;
    private final long warmupEvents;
    /** The least time the warm-up lasts when it has events; 0 for a test's shortened warm-up. */
    private final long warmupNanos;

    private TraceReplay(String traceName, String traceDescription, Supplier<Trace> source,
            ReplaySchedule.Mode mode, long warmupEvents, long warmupNanos) {
        this.traceName = traceName;
        this.traceDescription = traceDescription;
        this.source = source;
        this.mode = mode;
        this.warmupEvents = warmupEvents;
        this.warmupNanos = warmupNanos;
    }

    /** The traces shipped in {@code src/main/resources/traces/}, listed in its {@code index.txt}. */
    public static List<TraceReplay> shipped() {
        List<TraceReplay> replays = new ArrayList<>();
        for (String name : shippedNames()) {
            replays.add(ofResource(name));
        }
        return replays;
    }

    /** The names in {@code traces/index.txt}: one a line, {@code #} starts a comment. */
    public static List<String> shippedNames() {
        InputStream in = TraceReplay.class.getClassLoader().getResourceAsStream(INDEX_RESOURCE);
        if (in == null) {
            return List.of();
        }
        try (var reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            return reader.lines().map(line -> line.replaceFirst("#.*", "").strip())
                    .filter(line -> !line.isEmpty()).toList();
        } catch (IOException failure) {
            throw new UncheckedIOException(failure);
        }
    }

    /** A shipped trace, {@code traces/<name>.trace.gz} on the class path, read when first run. */
    public static TraceReplay ofResource(String name) {
        String description;
        try (InputStream in = TraceReader.openResource(name)) {
            description = TraceReader.readHeader(in)[1];
        } catch (IOException failure) {
            throw new UncheckedIOException("cannot read shipped trace " + name, failure);
        }
        return new TraceReplay(name, description, () -> TraceReader.readResource(name), defaultMode(),
                WARMUP_EVENTS, WARMUP_NANOS);
    }

    /** A trace file written by {@link TraceConverter}, read when first run. */
    public static TraceReplay ofFile(Path file) throws IOException {
        Trace trace = TraceReader.read(file);
        return of(trace);
    }

    /** A trace already in memory. */
    public static TraceReplay of(Trace trace) {
        return new TraceReplay(trace.name(), trace.description(), () -> trace, defaultMode(),
                WARMUP_EVENTS, WARMUP_NANOS);
    }

    /** The same trace, replayed in another mode. */
    TraceReplay withMode(ReplaySchedule.Mode newMode) {
        return new TraceReplay(traceName, traceDescription, source, newMode, warmupEvents, warmupNanos);
    }

    /** The same trace with a warm-up of {@code events} (0: none) and no least time, for tests. */
    TraceReplay withWarmupEvents(long events) {
        return new TraceReplay(traceName, traceDescription, source, mode, events, 0);
    }

    ReplaySchedule.Mode mode() {
        return mode;
    }

    private static ReplaySchedule.Mode defaultMode() {
        String setting = System.getProperty("hedra.trace.replay", "per-thread");
        return switch (setting) {
            case "per-thread" -> ReplaySchedule.Mode.PER_THREAD;
            case "global" -> ReplaySchedule.Mode.GLOBAL_ORDER;
            default -> throw new IllegalArgumentException(
                    "hedra.trace.replay must be per-thread or global, not " + setting);
        };
    }

    @Override
    public String name() {
        return "trace-" + traceName;
    }

    @Override
    public String description() {
        return "Replays the recorded heap calls of " + traceDescription
                + (mode == ReplaySchedule.Mode.PER_THREAD
                        ? ", one thread per recorded thread, ordered where blocks cross threads and kept"
                                + " near the recorded order"
                        : ", all on one thread in recorded order")
                + "; touches each block's first and last byte and one byte per 4 KiB page.";
    }

    @Override
    public WorkloadResult run(SuiteAllocator allocator, MemoryMeter meter, double scale) throws Exception {
        Trace trace = source.get();
        ReplaySchedule schedule = ReplaySchedule.of(trace, mode);
        long events = trace.eventCount();
        if (events == 0) {
            throw new IllegalStateException("trace " + traceName + " has no events");
        }
        int warmups = (int) ceilDiv(warmupEvents, events);
        int timed = (int) Math.max(1, ceilDiv((long) (TIMED_EVENTS * Math.max(scale, 0)), events));
        int programs = schedule.programs().length;
        // The suite's meter samples live bytes every few ms; at the trace's peak it is told to look.
        Runnable atPeak = meter instanceof ResidentMemoryMeter resident ? resident::checkpoint : () -> {};
        // One loop, with the same meter, for the warm-up and the timed repetitions: see
        // ReplayLoop.reporting for why the warm-up must not run different code.
        var loop = new ReplayLoop(allocator, meter, atPeak, schedule.slotCount(), programs);
        long[] nanos = new long[timed];
        try (var threads = new ReplayThreads(schedule, traceName)) {
            // At least `warmups` repetitions, unless they would take longer than the clock's
            // cap (the arena peer takes 45 s for a million events); and, unless a test shortened
            // the warm-up (no least time), until the clock says the least time is over and the
            // JIT is quiet.
            WarmUpClock clock = WarmUpClock.start(warmupNanos);
            boolean clockDone = warmups == 0 || warmupNanos == 0;
            for (int done = 0; done < warmups && !clock.pastMax() || !clockDone; done++) {
                threads.repeat(loop);
                clockDone |= clock.done(); // after every repetition: it judges the JIT by windows
            }
            // The warm-up, JIT compilations included, is not part of the measurement, as a runner's
            // warm-up before the meter starts is not: the peaks and the timeline start here.
            if (meter instanceof ResidentMemoryMeter resident) {
                resident.restart();
            }
            loop.reporting(true);
            for (int i = 0; i < timed; i++) {
                nanos[i] = threads.repeat(loop);
            }
        }
        long total = Arrays.stream(nanos).sum();
        Arrays.sort(nanos);
        // The median repetition: other processes on the machine stretch some repetitions a lot,
        // and the median ignores them where the mean would not.
        double median = timed % 2 == 1 ? nanos[timed / 2] : (nanos[timed / 2 - 1] + nanos[timed / 2]) / 2.0;
        return new WorkloadResult(name(), allocator.name(), total / 1e9, events * timed, METRIC,
                median / events, true, 0, trace.peakLiveBytes(), List.of(), Map.of());
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%s (%s)", name(), mode);
    }

    /**
     * The replaying threads: the caller's own thread for a single program, else one platform
     * thread per program, kept across repetitions (an allocator's thread caches stay warm, as in
     * the recorded program) and released together by a barrier.
     */
    private static final class ReplayThreads implements AutoCloseable {
        private final ReplaySchedule.Program[] programs;
        /** Written by the coordinator before the start barrier, read by workers after it. */
        private ReplayLoop loop;
        private final List<Thread> workers = new ArrayList<>();
        private final CyclicBarrier start;
        private final CyclicBarrier end;
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        private volatile boolean closing;
        /** Sum of the bytes read on free, kept so that the reads stay; any thread, atomic. */
        private final AtomicLong checksum = new AtomicLong();

        ReplayThreads(ReplaySchedule schedule, String traceName) {
            this.programs = schedule.programs();
            int parties = programs.length + 1;
            this.start = new CyclicBarrier(parties);
            this.end = new CyclicBarrier(parties);
            if (programs.length > 1) {
                for (int p = 0; p < programs.length; p++) {
                    int index = p;
                    workers.add(Thread.ofPlatform().name("trace-" + traceName + "-" + p)
                            .start(() -> work(index)));
                }
            }
        }

        /** Runs every program once through {@code replay}; returns the wall time in nanoseconds. */
        long repeat(ReplayLoop replay) throws Exception {
            loop = replay;
            loop.resetProgress();
            if (programs.length == 1) {
                long begin = System.nanoTime();
                checksum.addAndGet(loop.run(programs[0], 0));
                return System.nanoTime() - begin;
            }
            start.await();
            long begin = System.nanoTime();
            end.await();
            long elapsed = System.nanoTime() - begin;
            Throwable thrown = failure.get();
            if (thrown != null) {
                throw new IllegalStateException("trace replay failed in a replay thread", thrown);
            }
            return elapsed;
        }

        private void work(int index) {
            try {
                while (true) {
                    start.await();
                    if (closing) {
                        return;
                    }
                    try {
                        checksum.addAndGet(loop.run(programs[index], index));
                    } catch (Throwable thrown) {
                        failure.compareAndSet(null, thrown);
                        loop.fail();
                    }
                    end.await();
                }
            } catch (InterruptedException | BrokenBarrierException stopped) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void close() throws InterruptedException {
            if (!workers.isEmpty()) {
                closing = true;
                try {
                    start.await();
                } catch (BrokenBarrierException broken) {
                    workers.forEach(Thread::interrupt);
                }
                for (Thread worker : workers) {
                    worker.join();
                }
            }
        }
    }
}
