package dev.hedra.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResultFilesTest {

    @TempDir
    Path directory;

    @Test
    void resultsJsonReadsBackToTheSameResults() throws Exception {
        SuiteResults results = ReportFixture.results();
        ResultFiles.writeAll(results, directory);
        SuiteResults back = ResultFiles.read(directory.resolve(ResultFiles.JSON));
        assertEquals(ResultFiles.json(results), ResultFiles.json(back));
        assertEquals(results.runs().size(), back.runs().size());
        var failed = back.run("larson", "netty-adaptive").orElseThrow();
        assertTrue(failed.problem().contains("IllegalStateException: buffer leak"), failed.problem());
        var latency = back.run("latency", "hedra").orElseThrow().result().orElseThrow();
        assertEquals(6.0, latency.latencyNanos().get("malloc")[1], 1e-9);
    }

    @Test
    void aCappedRunStaysCappedInJsonAndAnOldResultReadsAsWhole() {
        var result = new dev.hedra.bench.suite.WorkloadResult("larson", "arena", 1.0, 10, "ns per op", 5.0, true,
                1 << 20, 1 << 10, java.util.List.of(), java.util.Map.of());
        String json = WorkloadResultJson.write(result.asCapped());
        assertTrue(WorkloadResultJson.read(Json.parse(json)).capped(), json);
        String old = WorkloadResultJson.write(result).replace(", \"capped\": false", "");
        assertTrue(!old.contains("capped"), old);
        assertTrue(!WorkloadResultJson.read(Json.parse(old)).capped());
    }

    @Test
    void theCsvHasOneRowPerRun() throws Exception {
        SuiteResults results = ReportFixture.results();
        ResultFiles.writeAll(results, directory);
        var lines = Files.readAllLines(directory.resolve(ResultFiles.CSV));
        assertEquals(results.runs().size() + 1, lines.size());
        assertTrue(lines.getFirst().startsWith("workload,allocator,status,metric_name,metric"), lines.getFirst());
        assertTrue(lines.stream().anyMatch(line -> line.startsWith("larson,netty-adaptive,failed,")), lines.toString());
        assertTrue(lines.stream().anyMatch(line -> line.startsWith("larson,hedra,measured,ops per s,9000000,false,")),
                lines.toString());
    }
}
