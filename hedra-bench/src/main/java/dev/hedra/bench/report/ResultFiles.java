package dev.hedra.bench.report;

import static dev.hedra.bench.report.WorkloadResultJson.doubleValue;
import static dev.hedra.bench.report.WorkloadResultJson.list;
import static dev.hedra.bench.report.WorkloadResultJson.map;
import static dev.hedra.bench.report.WorkloadResultJson.string;

import dev.hedra.bench.report.Comparison.Target;
import dev.hedra.bench.report.SuiteResults.AllocatorInfo;
import dev.hedra.bench.report.SuiteResults.WorkloadInfo;
import dev.hedra.bench.suite.WorkloadResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The suite's files: {@code results.json} (everything, readable back with {@link #read}),
 * {@code results.csv} (one row per run) and {@code report.html} ({@link HtmlReport}).
 */
public final class ResultFiles {

    public static final String JSON = "results.json";
    public static final String CSV = "results.csv";
    public static final String HTML = "report.html";

    private ResultFiles() {}

    /** Writes the three files into {@code directory}, creating it if needed. */
    public static void writeAll(SuiteResults results, Path directory) throws IOException {
        Files.createDirectories(directory);
        Files.writeString(directory.resolve(JSON), json(results));
        Files.writeString(directory.resolve(CSV), csv(results));
        Files.writeString(directory.resolve(HTML), new HtmlReport(new Comparison(results)).render());
    }

    public static String json(SuiteResults results) {
        var comparison = new Comparison(results);
        var settings = new LinkedHashMap<String, String>();
        results.settings().forEach((key, value) -> settings.put(key, Json.quote(value)));
        var runs = new ArrayList<String>();
        for (RunRecord run : results.runs()) {
            var members = new LinkedHashMap<String, String>();
            members.put("workload", Json.quote(run.workload()));
            members.put("allocator", Json.quote(run.allocator()));
            members.put("status", Json.quote(run.isMeasured() ? "measured" : "failed"));
            members.put("wallSeconds", Json.number(run.wallSeconds()));
            members.put("problem", run.isMeasured() ? "null" : Json.quote(run.problem()));
            members.put("result", run.result().map(WorkloadResultJson::write).orElse("null"));
            runs.add(Json.object(members));
        }
        var verdicts = new ArrayList<String>();
        for (WorkloadInfo workload : results.workloads()) {
            var members = new LinkedHashMap<String, String>();
            members.put("workload", Json.quote(workload.name()));
            comparison.time(workload.name()).ifPresent(time -> {
                members.put("fastestPeer", Json.quote(time.bestPeer().allocator()));
                members.put("speedup", Json.number(time.speedup()));
                members.put("timeMet", Boolean.toString(time.met()));
            });
            comparison.memory(workload.name()).ifPresent(memory -> {
                members.put("leastResidentPeer", Json.quote(memory.bestPeer().allocator()));
                members.put("residentRatio", Json.number(memory.ratio()));
                members.put("memoryMet", Boolean.toString(memory.met()));
            });
            verdicts.add(Json.object(members));
        }
        var targets = new ArrayList<String>();
        for (Target target : comparison.targets()) {
            targets.add(Json.object(orderedMap(
                    "area", Json.quote(target.area()),
                    "requirement", Json.quote(target.requirement()),
                    "outcome", Json.quote(target.outcome().label()),
                    "detail", Json.quote(target.detail()))));
        }
        var top = new LinkedHashMap<String, String>();
        top.put("settings", Json.object(settings));
        top.put("workloads", Json.array(results.workloads().stream()
                .map(w -> Json.object(orderedMap("name", Json.quote(w.name()), "description", Json.quote(w.description()))))
                .toList()));
        top.put("allocators", Json.array(results.allocators().stream()
                .map(a -> Json.object(orderedMap("name", Json.quote(a.name()), "notes", Json.quote(a.notes()))))
                .toList()));
        top.put("notes", Json.array(results.notes().stream().map(Json::quote).toList()));
        top.put("geometricMeanSpeedup", comparison.geometricMeanSpeedup().stream()
                .mapToObj(Json::number).findFirst().orElse("null"));
        top.put("targets", lines(targets));
        top.put("verdicts", lines(verdicts));
        top.put("runs", lines(runs));
        top.put("microTables", results.microTables().map(Json::quote).orElse("null"));
        var text = new StringBuilder("{\n");
        top.forEach((key, value) -> text.append("  ").append(Json.quote(key)).append(": ").append(value).append(",\n"));
        text.setLength(text.length() - 2);
        return text.append("\n}\n").toString();
    }

    /** One row per run; the failures' first line in {@code problem}. */
    public static String csv(SuiteResults results) {
        var csv = new StringBuilder("workload,allocator,status,metric_name,metric,lower_is_better,seconds,operations,"
                + "peak_resident_bytes,peak_live_bytes,resident_over_live,capped,wall_seconds,problem\n");
        for (RunRecord run : results.runs()) {
            Optional<WorkloadResult> result = run.result();
            csv.append(String.join(",",
                    field(run.workload()),
                    field(run.allocator()),
                    run.isMeasured() ? "measured" : "failed",
                    field(result.map(WorkloadResult::metricName).orElse("")),
                    result.map(r -> Json.number(r.metric())).orElse(""),
                    result.map(r -> Boolean.toString(r.lowerIsBetter())).orElse(""),
                    result.map(r -> Json.number(r.seconds())).orElse(""),
                    result.map(r -> Long.toString(r.operations())).orElse(""),
                    result.map(r -> Long.toString(r.peakResidentBytes())).orElse(""),
                    result.map(r -> Long.toString(r.peakLiveBytes())).orElse(""),
                    result.map(r -> Json.number(r.residentOverLive())).orElse(""),
                    result.map(r -> Boolean.toString(r.capped())).orElse(""),
                    Json.number(run.wallSeconds()),
                    field(run.isMeasured() ? "" : run.problemSummary())))
                    .append('\n');
        }
        return csv.toString();
    }

    /** Reads a {@code results.json} that {@link #json} wrote. */
    public static SuiteResults read(Path file) throws IOException {
        Map<String, Object> top = map(Json.parse(Files.readString(file)), file.toString());
        var settings = new LinkedHashMap<String, String>();
        map(top.get("settings"), "settings").forEach((key, value) -> settings.put(key, String.valueOf(value)));
        var workloads = new ArrayList<WorkloadInfo>();
        for (Object workload : list(top.get("workloads"), "workloads")) {
            Map<String, Object> object = map(workload, "a workload");
            workloads.add(new WorkloadInfo(string(object, "name"), string(object, "description")));
        }
        var allocators = new ArrayList<AllocatorInfo>();
        for (Object allocator : list(top.get("allocators"), "allocators")) {
            Map<String, Object> object = map(allocator, "an allocator");
            allocators.add(new AllocatorInfo(string(object, "name"), string(object, "notes")));
        }
        var notes = list(top.get("notes"), "notes").stream().map(String::valueOf).toList();
        var runs = new ArrayList<RunRecord>();
        for (Object run : list(top.get("runs"), "runs")) {
            Map<String, Object> object = map(run, "a run");
            double wall = doubleValue(object.get("wallSeconds"), "wallSeconds");
            if (object.get("result") != null) {
                runs.add(RunRecord.measured(WorkloadResultJson.read(object.get("result")), wall));
            } else {
                runs.add(RunRecord.failed(string(object, "workload"), string(object, "allocator"),
                        String.valueOf(object.get("problem")), wall));
            }
        }
        Optional<String> micro = top.get("microTables") instanceof String text ? Optional.of(text) : Optional.empty();
        return new SuiteResults(settings, workloads, allocators, runs, notes, micro);
    }

    private static String lines(List<String> values) {
        return values.isEmpty() ? "[]" : "[\n    " + String.join(",\n    ", values) + "\n  ]";
    }

    private static Map<String, String> orderedMap(String... keysAndValues) {
        var map = new LinkedHashMap<String, String>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }

    private static String field(String text) {
        return text.contains(",") || text.contains("\"") || text.contains("\n")
                ? "\"" + text.replace("\"", "\"\"") + "\""
                : text;
    }
}
