package dev.hedra.bench.report;

import dev.hedra.bench.suite.WorkloadResult;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * Hedra against its peers, workload by workload, and the project's targets.
 *
 * <ul>
 *   <li><b>Time</b>: the best peer is the one with the best headline metric; Hedra's speedup is
 *       {@code bestPeer / hedra} for a metric where lower is better (ns per op) and
 *       {@code hedra / bestPeer} otherwise (ops per s), so {@code 2.0} always means twice as fast.
 *   <li><b>Memory</b>: the best peer is the one with the lowest peak resident bytes among the
 *       runs that did the whole workload (a run {@linkplain WorkloadResult#capped() stopped at its
 *       time cap} held only part of it at its peak); Hedra meets the target on a workload when
 *       {@code hedra.peakResident <= bestPeer.peakResident}.
 * </ul>
 *
 * The targets: the geometric mean of the speedups over the workloads that are not traces is at
 * least {@value #TIME_TARGET}, and no such speedup is below 1; Hedra's peak resident memory is at
 * most the best peer's on each of them; on each trace the speedup is at least
 * {@value #TRACE_TARGET} and the peak resident memory at most the best peer's.
 */
public final class Comparison {

    public static final double TIME_TARGET = 2.0;
    public static final double TRACE_TARGET = 2.0;

    private final SuiteResults results;

    public Comparison(SuiteResults results) {
        this.results = results;
    }

    public SuiteResults results() {
        return results;
    }

    /** Hedra and the fastest peer on one workload; {@code speedup() > 1} when Hedra is faster. */
    public record TimeVerdict(String workload, WorkloadResult hedra, WorkloadResult bestPeer) {
        public double speedup() {
            return hedra.lowerIsBetter() ? bestPeer.metric() / hedra.metric() : hedra.metric() / bestPeer.metric();
        }

        /** At least 1 for a workload, at least {@link #TRACE_TARGET} for a trace. */
        public boolean met() {
            return speedup() >= (isTrace(workload) ? TRACE_TARGET : 1.0);
        }
    }

    /** Hedra and the peer with the least resident memory at peak on one workload. */
    public record MemoryVerdict(String workload, WorkloadResult hedra, WorkloadResult bestPeer) {
        /** Hedra's peak resident bytes over the best peer's: at most 1 meets the target. */
        public double ratio() {
            if (bestPeer.peakResidentBytes() <= 0) {
                return hedra.peakResidentBytes() <= 0 ? 1.0 : Double.POSITIVE_INFINITY;
            }
            return (double) hedra.peakResidentBytes() / bestPeer.peakResidentBytes();
        }

        public boolean met() {
            return hedra.peakResidentBytes() <= bestPeer.peakResidentBytes();
        }
    }

    public enum Outcome {
        MET("met"),
        NOT_MET("NOT met"),
        NOT_MEASURED("not measured");

        private final String label;

        Outcome(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /** One line of the targets: which area, what it asks, how Hedra did and why. */
    public record Target(String area, String requirement, Outcome outcome, String detail) {}

    public Optional<TimeVerdict> time(String workload) {
        Optional<WorkloadResult> hedra = hedra(workload).filter(result -> Double.isFinite(result.metric()));
        if (hedra.isEmpty()) {
            return Optional.empty();
        }
        boolean lowerIsBetter = hedra.get().lowerIsBetter();
        Comparator<WorkloadResult> better = Comparator.comparingDouble(WorkloadResult::metric);
        return peers(workload, result -> Double.isFinite(result.metric()) && result.metric() > 0)
                .stream()
                .min(lowerIsBetter ? better : better.reversed())
                .map(best -> new TimeVerdict(workload, hedra.get(), best));
    }

    public Optional<MemoryVerdict> memory(String workload) {
        Optional<WorkloadResult> hedra = hedra(workload);
        if (hedra.isEmpty()) {
            return Optional.empty();
        }
        return peers(workload, result -> !result.capped()).stream()
                .min(Comparator.comparingLong(WorkloadResult::peakResidentBytes))
                .map(best -> new MemoryVerdict(workload, hedra.get(), best));
    }

    /** The geometric mean of Hedra's speedups over the workloads that are not traces. */
    public OptionalDouble geometricMeanSpeedup() {
        List<Double> speedups = plainWorkloads().stream()
                .map(this::time)
                .flatMap(Optional::stream)
                .map(TimeVerdict::speedup)
                .filter(speedup -> speedup > 0 && Double.isFinite(speedup))
                .toList();
        if (speedups.isEmpty()) {
            return OptionalDouble.empty();
        }
        double logSum = speedups.stream().mapToDouble(Math::log).sum();
        return OptionalDouble.of(Math.exp(logSum / speedups.size()));
    }

    public List<Target> targets() {
        var targets = new ArrayList<Target>();
        List<String> plain = plainWorkloads();
        List<String> unmeasuredTime = plain.stream().filter(w -> time(w).isEmpty()).toList();
        OptionalDouble mean = geometricMeanSpeedup();

        String meanRequirement = String.format(Locale.ROOT,
                "Hedra at least %.0fx faster than the best peer on the geometric mean of the workloads", TIME_TARGET);
        if (mean.isEmpty()) {
            targets.add(new Target("Time", meanRequirement, Outcome.NOT_MEASURED, "no workload measured on Hedra and a peer"));
        } else {
            Outcome outcome = mean.getAsDouble() >= TIME_TARGET && unmeasuredTime.isEmpty() ? Outcome.MET : Outcome.NOT_MET;
            String detail = String.format(Locale.ROOT, "geometric mean %.2fx over %d workload(s)",
                    mean.getAsDouble(), plain.size() - unmeasuredTime.size());
            targets.add(new Target("Time", meanRequirement, outcome, detail + unmeasured(unmeasuredTime)));
        }

        List<String> slower = plain.stream().map(this::time).flatMap(Optional::stream)
                .filter(verdict -> !verdict.met())
                .map(verdict -> String.format(Locale.ROOT, "%s %.2fx vs %s", verdict.workload(), verdict.speedup(),
                        verdict.bestPeer().allocator()))
                .toList();
        targets.add(perWorkload("Time", "no workload slower than the best peer", plain.size(), unmeasuredTime,
                slower, "slower: "));

        List<String> unmeasuredMemory = plain.stream().filter(w -> memory(w).isEmpty()).toList();
        List<String> moreMemory = plain.stream().map(this::memory).flatMap(Optional::stream)
                .filter(verdict -> !verdict.met())
                .map(verdict -> String.format(Locale.ROOT, "%s %s MiB vs %s %s MiB", verdict.workload(),
                        mebibytes(verdict.hedra().peakResidentBytes()), verdict.bestPeer().allocator(),
                        mebibytes(verdict.bestPeer().peakResidentBytes())))
                .toList();
        targets.add(perWorkload("Memory", "peak resident memory at most that of the best peer on each workload",
                plain.size(), unmeasuredMemory, moreMemory, "more: "));

        List<String> traces = results.workloads().stream()
                .filter(SuiteResults.WorkloadInfo::isTrace).map(SuiteResults.WorkloadInfo::name).toList();
        List<String> unmeasuredTraces = traces.stream()
                .filter(w -> time(w).isEmpty() || memory(w).isEmpty()).toList();
        var traceMisses = new ArrayList<String>();
        for (String trace : traces) {
            time(trace).filter(verdict -> !verdict.met()).ifPresent(verdict -> traceMisses.add(String.format(
                    Locale.ROOT, "%s %.2fx vs %s", trace, verdict.speedup(), verdict.bestPeer().allocator())));
            memory(trace).filter(verdict -> !verdict.met()).ifPresent(verdict -> traceMisses.add(String.format(
                    Locale.ROOT, "%s %s MiB vs %s %s MiB", trace, mebibytes(verdict.hedra().peakResidentBytes()),
                    verdict.bestPeer().allocator(), mebibytes(verdict.bestPeer().peakResidentBytes()))));
        }
        String traceRequirement = String.format(Locale.ROOT, "at least %.0fx faster per event than the best peer "
                + "on each shipped trace, with resident memory at peak no higher than the best peer's", TRACE_TARGET);
        if (traces.isEmpty()) {
            targets.add(new Target("Trace replay", traceRequirement, Outcome.NOT_MEASURED,
                    "no trace in this selection (--full or --workloads trace-... runs them)"));
        } else {
            targets.add(perWorkload("Trace replay", traceRequirement, traces.size(), unmeasuredTraces, traceMisses,
                    "missed: "));
        }
        return targets;
    }

    /** The workloads in the selection that are not trace replays, in table order. */
    public List<String> plainWorkloads() {
        return results.workloads().stream()
                .filter(info -> !info.isTrace()).map(SuiteResults.WorkloadInfo::name).toList();
    }

    public static boolean isTrace(String workload) {
        return workload.startsWith(SuiteResults.TRACE_PREFIX);
    }

    public static String mebibytes(long bytes) {
        return String.format(Locale.ROOT, "%.1f", bytes / (1024.0 * 1024.0));
    }

    private static Target perWorkload(String area, String requirement, int count, List<String> unmeasured,
            List<String> misses, String missesLabel) {
        if (count == 0 || unmeasured.size() == count) {
            return new Target(area, requirement, Outcome.NOT_MEASURED,
                    count == 0 ? "no workload in this selection" : "nothing measured on Hedra and a peer");
        }
        Outcome outcome = misses.isEmpty() && unmeasured.isEmpty() ? Outcome.MET : Outcome.NOT_MET;
        String detail = misses.isEmpty()
                ? "all " + (count - unmeasured.size()) + " measured"
                : missesLabel + String.join("; ", misses);
        return new Target(area, requirement, outcome, detail + unmeasured(unmeasured));
    }

    private static String unmeasured(List<String> workloads) {
        return workloads.isEmpty() ? "" : "; not measured: " + workloads.stream().collect(Collectors.joining(", "));
    }

    private Optional<WorkloadResult> hedra(String workload) {
        return results.run(workload, SuiteResults.HEDRA).flatMap(RunRecord::result);
    }

    private List<WorkloadResult> peers(String workload, Predicate<WorkloadResult> usable) {
        return results.runsOf(workload).stream()
                .filter(run -> !run.allocator().equals(SuiteResults.HEDRA))
                .map(RunRecord::result)
                .flatMap(Optional::stream)
                .filter(usable)
                .toList();
    }
}
