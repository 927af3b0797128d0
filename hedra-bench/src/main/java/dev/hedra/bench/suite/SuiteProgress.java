package dev.hedra.bench.suite;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The suite's progress lines, {@code [12/80] larson glibc 1.8 s ... ETA 2 min 10 s}, and the
 * estimate behind the ETA: each remaining run is expected to take as long as the finished runs of
 * its workload took on average (runs of one workload on different allocators take similar wall
 * time, start-up included), or as long as all finished runs on average when its workload has
 * none yet.
 */
final class SuiteProgress {

    /** One planned run, by names. */
    record Pair(String workload, String allocator) {}

    private final List<Pair> plan;
    private final Map<String, double[]> secondsByWorkload = new HashMap<>(); // {sum, count}
    private double totalSeconds;
    private int finished;

    SuiteProgress(List<Pair> plan) {
        this.plan = List.copyOf(plan);
    }

    /** {@code [i/n] workload allocator}, padded so that the figures after it line up. */
    String start(int index) {
        Pair pair = plan.get(index);
        int digits = Integer.toString(plan.size()).length();
        int workloadWidth = plan.stream().mapToInt(p -> p.workload().length()).max().orElse(0);
        int allocatorWidth = plan.stream().mapToInt(p -> p.allocator().length()).max().orElse(0);
        return String.format(Locale.ROOT, "[%" + digits + "d/%d] %-" + workloadWidth + "s %-" + allocatorWidth + "s ",
                index + 1, plan.size(), pair.workload(), pair.allocator());
    }

    /** Records that run {@code index} took {@code seconds}. */
    void finished(int index, double seconds) {
        double[] sumAndCount = secondsByWorkload.computeIfAbsent(plan.get(index).workload(), w -> new double[2]);
        sumAndCount[0] += seconds;
        sumAndCount[1]++;
        totalSeconds += seconds;
        finished = Math.max(finished, index + 1);
    }

    /** The expected time of the runs after the last finished one. */
    Duration remaining() {
        if (finished == 0) {
            return Duration.ZERO;
        }
        double overall = totalSeconds / finished;
        double seconds = 0;
        for (Pair pair : plan.subList(finished, plan.size())) {
            double[] sumAndCount = secondsByWorkload.get(pair.workload());
            seconds += sumAndCount == null ? overall : sumAndCount[0] / sumAndCount[1];
        }
        return Duration.ofMillis(Math.round(seconds * 1000));
    }

    /** {@code ETA 2 min 10 s}, or {@code done} after the last run. */
    String eta() {
        return finished >= plan.size() ? "done" : "ETA " + minutesAndSeconds(remaining());
    }

    static String minutesAndSeconds(Duration duration) {
        long seconds = Math.round(duration.toMillis() / 1000.0);
        return seconds < 60
                ? seconds + " s"
                : String.format(Locale.ROOT, "%d min %02d s", seconds / 60, seconds % 60);
    }
}
