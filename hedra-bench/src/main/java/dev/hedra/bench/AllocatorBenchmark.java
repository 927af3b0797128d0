package dev.hedra.bench;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What every workload shares: the {@code allocator} parameter, the unit (nanoseconds per
 * allocation, or per block handed off), and the fork settings, so that every peer runs in the same
 * kind of JVM. {@link Compare} overrides the iteration counts; these are the defaults for running
 * the JMH jar directly.
 *
 * <p>The {@code @State} here only lets JMH accept the parameter; each workload declares its own
 * scope.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = AllocatorBenchmark.WARMUP_ITERATIONS, time = AllocatorBenchmark.ITERATION_SECONDS)
@Measurement(
        iterations = AllocatorBenchmark.MEASUREMENT_ITERATIONS,
        time = AllocatorBenchmark.ITERATION_SECONDS)
@Fork(value = AllocatorBenchmark.FORKS, jvmArgsAppend = {
    AllocatorBenchmark.NATIVE_ACCESS,
    AllocatorBenchmark.UNSAFE_FOR_NETTY,
    AllocatorBenchmark.NO_NETTY_LEAK_DETECTION,
    AllocatorBenchmark.HEDRA_CHECKS_OFF,
    AllocatorBenchmark.FIXED_HEAP_MIN,
    AllocatorBenchmark.FIXED_HEAP_MAX
})
public abstract class AllocatorBenchmark {

    static final int FORKS = 1;
    static final int WARMUP_ITERATIONS = 3;
    static final int MEASUREMENT_ITERATIONS = 5;
    static final int ITERATION_SECONDS = 1;

    /** Downcalls and the all-memory segment are restricted methods. */
    static final String NATIVE_ACCESS = "--enable-native-access=ALL-UNNAMED";
    /** Netty uses {@code sun.misc.Unsafe} for direct buffers only when the JDK allows it (JDK 24+). */
    static final String UNSAFE_FOR_NETTY = "--sun-misc-unsafe-memory-access=allow";
    /** Netty's default leak detection samples buffers; production tuning turns it off. */
    static final String NO_NETTY_LEAK_DETECTION = "-Dio.netty.leakDetection.level=disabled";
    /** Hedra's argument and invariant checks stay off, as in production. */
    static final String HEDRA_CHECKS_OFF = "-Dhedra.checks=false";
    /** A fixed heap, so that heap resizing does not move from run to run. */
    static final String FIXED_HEAP_MIN = "-Xms1g";
    static final String FIXED_HEAP_MAX = "-Xmx1g";

    /** The JVM arguments every fork gets, as the annotation above lists them. */
    static final List<String> FORK_JVM_ARGS = List.of(NATIVE_ACCESS, UNSAFE_FOR_NETTY,
            NO_NETTY_LEAK_DETECTION, HEDRA_CHECKS_OFF, FIXED_HEAP_MIN, FIXED_HEAP_MAX);

    /** The peer to measure: one of {@link PeerKind}'s names. */
    @Param({"hedra", "glibc", "jemalloc", "mimalloc", "tcmalloc", "arena", "netty-pooled", "netty-adaptive"})
    public String allocator;
}
