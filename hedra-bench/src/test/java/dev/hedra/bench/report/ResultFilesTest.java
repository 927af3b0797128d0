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
