package dev.hedra.bench.report;

import dev.hedra.bench.suite.WorkloadResult;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@link WorkloadResult} as a JSON object whose members are the record's components by name:
 * {@code residentTimeline} an array of {@code [ms, bytes]} pairs, {@code latencyNanos} an object
 * of six-number arrays. This is the form of {@code RunOne}'s {@code RESULT} line and of each run
 * in {@code results.json}.
 */
public final class WorkloadResultJson {

    private WorkloadResultJson() {}

    public static String write(WorkloadResult result) {
        var members = new LinkedHashMap<String, String>();
        members.put("workload", Json.quote(result.workload()));
        members.put("allocator", Json.quote(result.allocator()));
        members.put("seconds", Json.number(result.seconds()));
        members.put("operations", Long.toString(result.operations()));
        members.put("metricName", Json.quote(result.metricName()));
        members.put("metric", Json.number(result.metric()));
        members.put("lowerIsBetter", Boolean.toString(result.lowerIsBetter()));
        members.put("peakResidentBytes", Long.toString(result.peakResidentBytes()));
        members.put("peakLiveBytes", Long.toString(result.peakLiveBytes()));
        members.put("residentOverLive", Json.number(result.residentOverLive()));
        members.put("residentTimeline", Json.array(result.residentTimeline().stream()
                .map(sample -> "[" + sample[0] + ", " + sample[1] + "]").toList()));
        var latencies = new LinkedHashMap<String, String>();
        result.latencyNanos().forEach((name, figures) -> latencies.put(name,
                Json.array(Arrays.stream(figures).mapToObj(Json::number).toList())));
        members.put("latencyNanos", Json.object(latencies));
        members.put("capped", Boolean.toString(result.capped()));
        return Json.object(members);
    }

    /**
     * Reads what {@link #write} wrote (or {@code RunOne} printed). Missing optional members
     * (timeline, latencies) read as empty, a missing {@code capped} as false.
     *
     * @throws IllegalArgumentException naming a missing or mistyped member
     */
    public static WorkloadResult read(Object json) {
        Map<String, Object> object = map(json, "the result");
        var timeline = new ArrayList<long[]>();
        for (Object sample : list(object.getOrDefault("residentTimeline", List.of()), "residentTimeline")) {
            List<Object> pair = list(sample, "a residentTimeline sample");
            if (pair.size() != 2) {
                throw new IllegalArgumentException("a residentTimeline sample has " + pair.size() + " numbers, not 2");
            }
            timeline.add(new long[] {longValue(pair.get(0), "residentTimeline"), longValue(pair.get(1), "residentTimeline")});
        }
        var latencies = new LinkedHashMap<String, double[]>();
        map(object.getOrDefault("latencyNanos", Map.of()), "latencyNanos").forEach((name, figures) -> {
            List<Object> numbers = list(figures, "latencyNanos." + name);
            double[] values = new double[numbers.size()];
            for (int i = 0; i < values.length; i++) {
                values[i] = doubleValue(numbers.get(i), "latencyNanos." + name);
            }
            latencies.put(name, values);
        });
        return new WorkloadResult(
                string(object, "workload"),
                string(object, "allocator"),
                doubleValue(object.get("seconds"), "seconds"),
                longValue(object.get("operations"), "operations"),
                string(object, "metricName"),
                doubleValue(object.get("metric"), "metric"),
                bool(object, "lowerIsBetter"),
                longValue(object.get("peakResidentBytes"), "peakResidentBytes"),
                longValue(object.get("peakLiveBytes"), "peakLiveBytes"),
                List.copyOf(timeline),
                latencies,
                object.containsKey("capped") && bool(object, "capped"));
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object json, String what) {
        if (json instanceof Map<?, ?> map) {
            return (Map<String, Object>) map;
        }
        throw new IllegalArgumentException(what + " is not a JSON object");
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Object json, String what) {
        if (json instanceof List<?> list) {
            return (List<Object>) list;
        }
        throw new IllegalArgumentException(what + " is not a JSON array");
    }

    static String string(Map<String, Object> object, String name) {
        if (object.get(name) instanceof String text) {
            return text;
        }
        throw new IllegalArgumentException("'" + name + "' is missing or not a string");
    }

    static boolean bool(Map<String, Object> object, String name) {
        if (object.get(name) instanceof Boolean value) {
            return value;
        }
        throw new IllegalArgumentException("'" + name + "' is missing or not true/false");
    }

    /** A number; JSON's {@code null} (how NaN is written) reads as NaN. */
    static double doubleValue(Object json, String name) {
        if (json == null) {
            return Double.NaN;
        }
        if (json instanceof Double value) {
            return value;
        }
        throw new IllegalArgumentException("'" + name + "' is not a number");
    }

    static long longValue(Object json, String name) {
        if (json instanceof Double value) {
            return Math.round(value);
        }
        throw new IllegalArgumentException("'" + name + "' is missing or not a number");
    }
}
