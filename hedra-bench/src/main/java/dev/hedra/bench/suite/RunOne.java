package dev.hedra.bench.suite;

import dev.hedra.bench.report.Json;
import dev.hedra.bench.report.WorkloadResultJson;
import java.util.Locale;

/**
 * Runs one workload on one allocator in this JVM and prints its result as one line,
 * {@code RESULT <json>}, on stdout (the suite runner starts one JVM per pair, so that resident
 * memory belongs to one allocator only):
 *
 * <pre>
 * java -Xms512m -Xmx512m -XX:+AlwaysPreTouch -XX:MaxDirectMemorySize=4g \
 *      --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow \
 *      -Dio.netty.leakDetection.level=disabled \
 *      -cp hedra-bench/target/benchmarks.jar dev.hedra.bench.suite.RunOne \
 *      --workload larson --allocator hedra [--scale 1.0]
 * </pre>
 *
 * <ul>
 *   <li>The fixed, pre-touched heap keeps the Java heap in the resident baseline and out of the
 *       figures; native access is for the downcalls and the raw memory the workloads write.
 *   <li>jemalloc additionally needs {@code LD_PRELOAD=}{@link SuiteAllocators#jemallocLibrary()}
 *       in the environment of that JVM; without it the run fails with a message that says so.
 *   <li>Netty wants {@code sun.misc.Unsafe} allowed, its leak detection off (this class turns it off
 *       when the property is absent), and room for direct memory beyond the heap size
 *       ({@code malloc-large} keeps up to 500 MiB live).
 * </ul>
 *
 * <p>Before the measured run, the same workload runs once on the same allocator at a small scale
 * ({@code --warmup-scale}, default 0.02), repeated for at least 0.6 s and then until the JIT
 * compilers are quiet (at most 3 s in all; see {@link WarmUpClock}), so that the JIT has compiled
 * its paths (trace replays warm up inside their run and skip this). The resident
 * baseline is read before the warm-up: memory an allocator keeps cached from it is the allocator's
 * (reading it after would credit an allocator that never returns memory with using none). Peaks
 * are those of the measured run. Exit status: 0 with the {@code RESULT} line, 1 when the run
 * failed (the exception is on stderr, no {@code RESULT} line), 2 for bad arguments.
 *
 * <p>The JSON has every field of {@link WorkloadResult}, in its order, with
 * {@code residentOverLive} after {@code peakLiveBytes} ({@code residentTimeline} as
 * {@code [[ms, bytes], ...]}, {@code latencyNanos} as {@code {"name": [min, p50, mean, p99, p999,
 * max]}}); {@link #parseResult} reads the line back. The warm-up's rounds and length, the
 * allocator's notes and the resident memory after the warm-up go to stderr.
 */
public final class RunOne {

    /** The prefix of the one line of output. */
    public static final String RESULT_PREFIX = "RESULT ";

    private static final double DEFAULT_WARMUP_SCALE = 0.02;
    /** The warm-up repeats for at least this long, then until the JIT is quiet ({@link WarmUpClock}). */
    private static final long WARMUP_NANOS = 600_000_000L;

    private RunOne() {}

    public static void main(String[] args) {
        String workloadName = null;
        String allocatorName = null;
        double scale = 1.0;
        double warmupScale = DEFAULT_WARMUP_SCALE;
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--workload" -> workloadName = value(args, ++i);
                    case "--allocator" -> allocatorName = value(args, ++i);
                    case "--scale" -> scale = Double.parseDouble(value(args, ++i));
                    case "--warmup-scale" -> warmupScale = Double.parseDouble(value(args, ++i));
                    case "--help", "-h" -> {
                        System.out.println(usage());
                        return;
                    }
                    default -> throw new IllegalArgumentException("unknown argument '" + args[i] + "'");
                }
            }
            if (workloadName == null || allocatorName == null) {
                throw new IllegalArgumentException("--workload and --allocator are required");
            }
            if (!(scale > 0) || !(warmupScale >= 0)) {
                throw new IllegalArgumentException("--scale must be positive and --warmup-scale not negative");
            }
            SuiteWorkloads.byName(workloadName); // fail on names before any work
            if (!SuiteAllocators.NAMES.contains(allocatorName)) {
                throw new IllegalArgumentException("unknown allocator '" + allocatorName + "'; known: "
                        + String.join(",", SuiteAllocators.NAMES));
            }
        } catch (IllegalArgumentException bad) {
            System.err.println(bad.getMessage());
            System.err.println(usage());
            System.exit(2);
            return;
        }
        try {
            System.out.println(run(workloadName, allocatorName, scale, warmupScale));
            System.out.flush();
        } catch (Throwable failure) {
            System.err.println("FAILED " + workloadName + " on " + allocatorName + ": " + failure);
            failure.printStackTrace();
            System.exit(1);
        }
        System.exit(0); // the workloads' threads are gone, but a peer may keep non-daemon threads
    }

    /**
     * Runs {@code workload} on {@code allocator} after a warm-up at {@code warmupScale} (0: none)
     * and returns the {@code RESULT} line.
     */
    public static String run(String workloadName, String allocatorName, double scale, double warmupScale)
            throws Exception {
        if (System.getProperty("io.netty.leakDetection.level") == null) {
            System.setProperty("io.netty.leakDetection.level", "disabled");
        }
        SuiteWorkload workload = SuiteWorkloads.byName(workloadName);
        try (SuiteAllocator allocator =
                SuiteAllocators.byName(allocatorName, SuiteWorkloads.freesAcrossThreads(workload))) {
            long baseline = ResidentMemoryMeter.residentBytes();
            if (warmupScale > 0 && !SuiteWorkloads.warmsUpItself(workload)) {
                // Repeated for at least WARMUP_NANOS: one small round leaves a JIT-compiled
                // allocator (Hedra, the Java peers) half compiled, which native peers never are.
                // A meter of the measured run's class, discarded after: with another class (a
                // lambda), the first live-byte report of the measured run would deoptimize the
                // compiled workload loop, and the run would measure its recompilation.
                WarmUpClock clock = WarmUpClock.start(WARMUP_NANOS);
                int rounds = 0;
                try (ResidentMemoryMeter warmupMeter = ResidentMemoryMeter.start(baseline)) {
                    do {
                        workload.run(allocator, warmupMeter, warmupScale);
                        rounds++;
                    } while (!clock.done());
                }
                System.err.printf(Locale.ROOT, "warm-up: %s on %s, %d round(s) at scale %s in %.2f s%n",
                        workloadName, allocatorName, rounds, warmupScale, clock.seconds());
            }
            System.gc(); // the warm-up's garbage goes now, not during the run (the heap is fixed and resident)
            long afterWarmup = ResidentMemoryMeter.residentBytes() - baseline;
            System.err.println("measured run: " + workloadName + " on " + allocatorName + " at scale " + scale);
            ResidentMemoryMeter meter = ResidentMemoryMeter.start(baseline);
            WorkloadResult result;
            try {
                result = meter.complete(workload.run(allocator, meter, scale));
            } finally {
                meter.stop();
            }
            System.err.printf(Locale.ROOT, "allocator: %s%nresident after the warm-up: %.1f MiB above the baseline%n",
                    allocator.notes(), afterWarmup / 1048576.0);
            return RESULT_PREFIX + WorkloadResultJson.write(result);
        }
    }

    /**
     * Reads a {@code RESULT} line (or its JSON alone) back into a {@link WorkloadResult}.
     *
     * @throws IllegalArgumentException if it is not one
     */
    public static WorkloadResult parseResult(String line) {
        String json = line.startsWith(RESULT_PREFIX) ? line.substring(RESULT_PREFIX.length()) : line;
        return WorkloadResultJson.read(Json.parse(json));
    }

    private static String value(String[] args, int index) {
        if (index >= args.length) {
            throw new IllegalArgumentException(args[index - 1] + " needs a value");
        }
        return args[index];
    }

    private static String usage() {
        return "usage: RunOne --workload NAME --allocator NAME [--scale X] [--warmup-scale X]\n"
                + "  workloads:  " + String.join(",", SuiteWorkloads.names()) + "\n"
                + "  allocators: " + String.join(",", SuiteAllocators.NAMES) + "\n"
                + "  JVM flags:  -Xms512m -Xmx512m -XX:+AlwaysPreTouch -XX:MaxDirectMemorySize=4g"
                + " --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow"
                + " (jemalloc: LD_PRELOAD=" + SuiteAllocators.jemallocLibrary().map(Object::toString)
                        .orElse("libjemalloc.so.2") + ")";
    }
}
