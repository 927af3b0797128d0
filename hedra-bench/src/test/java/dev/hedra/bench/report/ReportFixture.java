package dev.hedra.bench.report;

import dev.hedra.bench.report.SuiteResults.AllocatorInfo;
import dev.hedra.bench.report.SuiteResults.WorkloadInfo;
import dev.hedra.bench.suite.WorkloadResult;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

/**
 * A fixed, made-up suite run: four workloads (one with latencies, one long enough for a timeline),
 * a trace, eight allocators, one failed run and one skipped peer. The figures are invented;
 * they only need to look like real ones.
 */
final class ReportFixture {

    static final List<String> ALLOCATORS = List.of(
            "hedra", "glibc", "jemalloc", "mimalloc", "tcmalloc", "arena", "netty-pooled", "netty-adaptive");

    private ReportFixture() {}

    static SuiteResults results() {
        var random = new Random(42);
        var workloads = List.of(
                new WorkloadInfo("larson", "Larson's server simulation: threads allocate, free and hand blocks over"),
                new WorkloadInfo("cache-scratch", "False sharing: threads free each other's small blocks"),
                new WorkloadInfo("latency", "One thread, malloc and free timed one by one"),
                new WorkloadInfo("growing-heap", "A heap that grows to 100 MiB and shrinks again, sampled over time"),
                new WorkloadInfo("trace-redis", "Replay of a recorded Redis session's allocations"));
        var runs = new ArrayList<RunRecord>();
        for (WorkloadInfo workload : workloads) {
            for (int a = 0; a < ALLOCATORS.size(); a++) {
                String allocator = ALLOCATORS.get(a);
                boolean hedra = a == 0;
                if (workload.name().equals("larson") && allocator.equals("netty-adaptive")) {
                    runs.add(RunRecord.failed("larson", allocator, """
                            exit status 1
                            Exception in thread "main" java.lang.IllegalStateException: buffer leak
                            \tat dev.hedra.bench.suite.peers.NettyAdaptive.free(NettyAdaptive.java:42)""", 3.2));
                    continue;
                }
                double factor = hedra ? 1.0 : 1.6 + random.nextDouble() * 3;
                boolean opsPerSecond = workload.name().equals("larson");
                double metric = opsPerSecond ? 9.0e6 / factor : 25 * factor;
                long live = 48L << 20;
                long resident = (long) (live * (hedra ? 1.08 : 1.05 + random.nextDouble() * 0.6));
                var timeline = new ArrayList<long[]>();
                int samples = workload.name().equals("growing-heap") ? 300 : 3;
                double seconds = workload.name().equals("growing-heap") ? 2.5 * (hedra ? 1 : factor / 2) : 0.4;
                for (int s = 0; s < samples; s++) {
                    double t = s / (double) (samples - 1);
                    timeline.add(new long[] {(long) (t * seconds * 1000), (long) (resident * Math.sin(Math.PI * t)
                            * (1 + 0.03 * random.nextGaussian()))});
                }
                Map<String, double[]> latencies = new LinkedHashMap<>();
                if (workload.name().equals("latency")) {
                    for (String series : List.of("malloc", "free")) {
                        double base = hedra ? 6 : 14 + random.nextDouble() * 20;
                        latencies.put(series, new double[] {
                            base * 0.6, base, base * 1.3, base * 4, base * 30, base * 2000});
                    }
                }
                runs.add(RunRecord.measured(new WorkloadResult(workload.name(), allocator, seconds, 20_000_000,
                        opsPerSecond ? "ops per s" : workload.isTrace() ? "ns per event" : "ns per op", metric,
                        !opsPerSecond, resident, live, timeline, latencies), seconds + 0.7));
            }
        }
        var settings = new LinkedHashMap<String, String>();
        settings.put("date", "2026-11-21 05:30 UTC");
        settings.put("machine", "2 CPUs, Linux amd64, 7.7 GiB");
        settings.put("JDK", "Eclipse Adoptium 25+36-LTS");
        settings.put("scale", "0.5");
        settings.put("child JVM", "-Xms512m -Xmx512m -XX:+AlwaysPreTouch --enable-native-access=ALL-UNNAMED");
        var allocators = ALLOCATORS.stream()
                .map(name -> new AllocatorInfo(name, name + " through its usual entry points")).toList();
        return new SuiteResults(settings, workloads, allocators, runs,
                List.of("snmalloc: not installed (apt-get install libsnmalloc)"), Optional.empty());
    }
}
