package dev.hedra.bench;

import dev.hedra.bench.report.Json;
import dev.hedra.bench.report.TextReport;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.StringJoiner;

/**
 * The comparison's tables and files: time per operation by workload and allocator with Hedra's
 * speedup over the fastest peer (peer time / Hedra time, so 3.0 means three times faster), and
 * the Java heap allocated per operation.
 */
final class ComparisonReport {

    /**
     * Below this many heap bytes per operation, JMH's own bookkeeping spread over the operations,
     * the workload counts as allocating nothing.
     */
    static final double NO_HEAP_ALLOCATION = 0.01;

    private final List<Workload> workloads;
    private final List<PeerKind> peers; // the columns; Hedra first
    private final List<Measurement> measurements;

    ComparisonReport(List<Workload> workloads, List<PeerKind> peers, List<Measurement> measurements) {
        this.workloads = workloads;
        this.peers = peers;
        this.measurements = measurements;
    }

    /** Hedra's standing on one workload, if Hedra and at least one peer were measured. */
    record Verdict(Workload workload, double hedraNanos, PeerKind fastestPeer, double fastestPeerNanos) {
        double speedup() {
            return fastestPeerNanos / hedraNanos;
        }

        boolean targetMet() {
            return speedup() >= workload.targetSpeedup();
        }
    }

    Optional<Verdict> verdict(Workload workload) {
        Optional<Measurement> hedra = find(workload, PeerKind.HEDRA).filter(Measurement::isMeasured);
        Optional<Measurement> fastest = measurements.stream()
                .filter(m -> m.workload() == workload && m.peer() != PeerKind.HEDRA && m.isMeasured())
                .min((a, b) -> Double.compare(a.nanosPerOperation(), b.nanosPerOperation()));
        if (hedra.isEmpty() || fastest.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new Verdict(workload, hedra.get().nanosPerOperation(), fastest.get().peer(),
                fastest.get().nanosPerOperation()));
    }

    void printTimes(PrintStream out) {
        out.println("Time per operation, ns (lower is better); speedup = fastest peer's time / Hedra's time");
        var header = new ArrayList<String>(List.of("workload"));
        peers.forEach(peer -> header.add(peer.peerName()));
        header.addAll(List.of("fastest peer", "speedup", "target", "met"));
        var rows = new ArrayList<List<String>>();
        rows.add(header);
        for (Workload workload : workloads) {
            var row = new ArrayList<String>();
            row.add(workload.label() + "  " + workload.description());
            for (PeerKind peer : peers) {
                row.add(find(workload, peer)
                        .map(m -> cell(m, format("%.1f", m.nanosPerOperation())))
                        .orElse("-"));
            }
            Optional<Verdict> verdict = verdict(workload);
            row.add(verdict.map(v -> v.fastestPeer().peerName()).orElse("-"));
            row.add(verdict.map(v -> format("%.2fx", v.speedup())).orElse("-"));
            row.add(format(">= %.0fx", workload.targetSpeedup()));
            row.add(verdict.map(v -> v.targetMet() ? "yes" : "NO").orElse("-"));
            rows.add(row);
        }
        TextReport.printTable(out, rows);
    }

    void printHeapAllocation(PrintStream out) {
        out.println("Java heap allocated per operation, bytes (gc.alloc.rate.norm); Hedra's target: 0");
        var header = new ArrayList<String>(List.of("workload"));
        peers.forEach(peer -> header.add(peer.peerName()));
        header.add("hedra at 0");
        var rows = new ArrayList<List<String>>();
        rows.add(header);
        for (Workload workload : workloads) {
            var row = new ArrayList<String>();
            row.add(workload.label() + "  " + workload.description());
            for (PeerKind peer : peers) {
                row.add(find(workload, peer)
                        .map(m -> cell(m, format("%.2f", m.heapBytesPerOperation())))
                        .orElse("-"));
            }
            row.add(find(workload, PeerKind.HEDRA)
                    .filter(m -> m.isMeasured() && !Double.isNaN(m.heapBytesPerOperation()))
                    .map(m -> m.heapBytesPerOperation() < NO_HEAP_ALLOCATION ? "yes" : "NO")
                    .orElse("-"));
            rows.add(row);
        }
        TextReport.printTable(out, rows);
    }

    /** Writes measurements.csv, summary.csv and results.json into {@code directory}. */
    void write(Path directory, Map<String, String> settings) throws IOException {
        Files.createDirectories(directory);
        var csv = new StringBuilder(
                "workload,description,allocator,status,ns_per_op,error_ns_per_op,heap_bytes_per_op,problem\n");
        for (Measurement m : measurements) {
            csv.append(String.join(",", m.workload().label(), csvField(m.workload().description()),
                    m.peer().peerName(), m.status().name().toLowerCase(Locale.ROOT),
                    number(m.nanosPerOperation()), number(m.error()), number(m.heapBytesPerOperation()),
                    csvField(m.problem().map(ComparisonReport::firstLine).orElse("")))).append('\n');
        }
        Files.writeString(directory.resolve("measurements.csv"), csv);

        var summary = new StringBuilder(
                "workload,hedra_ns_per_op,fastest_peer,fastest_peer_ns_per_op,speedup,target,met\n");
        for (Workload workload : workloads) {
            Optional<Verdict> verdict = verdict(workload);
            summary.append(String.join(",", workload.label(),
                    verdict.map(v -> number(v.hedraNanos())).orElse(""),
                    verdict.map(v -> v.fastestPeer().peerName()).orElse(""),
                    verdict.map(v -> number(v.fastestPeerNanos())).orElse(""),
                    verdict.map(v -> number(v.speedup())).orElse(""),
                    number(workload.targetSpeedup()),
                    verdict.map(v -> String.valueOf(v.targetMet())).orElse(""))).append('\n');
        }
        Files.writeString(directory.resolve("summary.csv"), summary);
        Files.writeString(directory.resolve("results.json"), json(settings));
    }

    private String json(Map<String, String> settings) {
        var settingsJson = new StringJoiner(",\n    ", "{\n    ", "\n  }");
        settings.forEach((key, value) -> settingsJson.add(Json.quote(key) + ": " + Json.quote(value)));
        var measurementsJson = new StringJoiner(",\n    ", "[\n    ", "\n  ]");
        for (Measurement m : measurements) {
            measurementsJson.add(jsonObject(
                    "workload", Json.quote(m.workload().label()),
                    "allocator", Json.quote(m.peer().peerName()),
                    "status", Json.quote(m.status().name().toLowerCase(Locale.ROOT)),
                    "nsPerOp", jsonNumber(m.nanosPerOperation()),
                    "errorNsPerOp", jsonNumber(m.error()),
                    "heapBytesPerOp", jsonNumber(m.heapBytesPerOperation()),
                    "problem", m.problem().map(Json::quote).orElse("null")));
        }
        var summaryJson = new StringJoiner(",\n    ", "[\n    ", "\n  ]");
        for (Workload workload : workloads) {
            Optional<Verdict> verdict = verdict(workload);
            summaryJson.add(jsonObject(
                    "workload", Json.quote(workload.label()),
                    "description", Json.quote(workload.description()),
                    "hedraNsPerOp", verdict.map(v -> jsonNumber(v.hedraNanos())).orElse("null"),
                    "fastestPeer", verdict.map(v -> Json.quote(v.fastestPeer().peerName())).orElse("null"),
                    "fastestPeerNsPerOp", verdict.map(v -> jsonNumber(v.fastestPeerNanos())).orElse("null"),
                    "speedup", verdict.map(v -> jsonNumber(v.speedup())).orElse("null"),
                    "targetSpeedup", jsonNumber(workload.targetSpeedup()),
                    "met", verdict.map(v -> String.valueOf(v.targetMet())).orElse("null")));
        }
        return "{\n  \"settings\": " + settingsJson + ",\n  \"measurements\": " + measurementsJson
                + ",\n  \"summary\": " + summaryJson + "\n}\n";
    }

    /** {@code {"key": value, ...}} from keys and values already in JSON form. */
    private static String jsonObject(String... keysAndValues) {
        var object = new StringJoiner(", ", "{", "}");
        for (int i = 0; i < keysAndValues.length; i += 2) {
            object.add(Json.quote(keysAndValues[i]) + ": " + keysAndValues[i + 1]);
        }
        return object.toString();
    }

    private Optional<Measurement> find(Workload workload, PeerKind peer) {
        return measurements.stream().filter(m -> m.workload() == workload && m.peer() == peer).findFirst();
    }

    private static String cell(Measurement m, String measuredText) {
        return switch (m.status()) {
            case MEASURED -> measuredText;
            case FAILED -> "failed";
            case UNSUPPORTED -> "n/a";
        };
    }

    private static String format(String pattern, double value) {
        return Double.isNaN(value) ? "?" : String.format(Locale.ROOT, pattern, value);
    }

    private static String number(double value) {
        return Double.isNaN(value) ? "" : String.format(Locale.ROOT, "%.4f", value);
    }

    private static String jsonNumber(double value) {
        return Double.isNaN(value) ? "null" : String.format(Locale.ROOT, "%.4f", value);
    }

    private static String firstLine(String text) {
        int newline = text.indexOf('\n');
        return newline < 0 ? text : text.substring(0, newline);
    }

    private static String csvField(String text) {
        return text.contains(",") || text.contains("\"") ? "\"" + text.replace("\"", "\"\"") + "\"" : text;
    }
}
