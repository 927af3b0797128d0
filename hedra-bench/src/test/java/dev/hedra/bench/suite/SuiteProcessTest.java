package dev.hedra.bench.suite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SuiteProcessTest {

    private static final String RESULT = "RESULT {\"workload\": \"larson\", \"allocator\": \"glibc\", \"seconds\": 1.5,"
            + " \"operations\": 3000000, \"metricName\": \"ops per s\", \"metric\": 2000000.0, \"lowerIsBetter\": false,"
            + " \"peakResidentBytes\": 10485760, \"peakLiveBytes\": 8388608, \"residentOverLive\": 1.25,"
            + " \"residentTimeline\": [[0, 0], [5, 4096]], \"latencyNanos\": {\"malloc\": [1, 2, 3, 4, 5, 6]}}";

    @Test
    void readsTheLastResultLine() {
        WorkloadResult result = SuiteProcess.parseResult("starting\nRESULT {}\n" + RESULT + "\n", "larson", "glibc");
        assertEquals(2e6, result.metric());
        assertEquals(false, result.lowerIsBetter());
        assertEquals(10L << 20, result.peakResidentBytes());
        assertEquals(4096, result.residentTimeline().get(1)[1]);
        assertEquals(6.0, result.latencyNanos().get("malloc")[5]);
    }

    @Test
    void missingUnreadableOrForeignResultsAreRefused() {
        assertEquals("exited normally but printed no RESULT line", assertThrows(IllegalArgumentException.class,
                () -> SuiteProcess.parseResult("nothing\n", "larson", "glibc")).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> SuiteProcess.parseResult("RESULT {\"workload\": 1}", "larson", "glibc")).getMessage()
                .startsWith("unreadable RESULT line: "));
        assertEquals("RESULT line is for larson on glibc, not larson on hedra",
                assertThrows(IllegalArgumentException.class,
                        () -> SuiteProcess.parseResult(RESULT, "larson", "hedra")).getMessage());
    }

    @Test
    void theTellingLineOfACrash() {
        String crash = """
                WARNING: A restricted method in java.lang.foreign has been called
                #
                # A fatal error has been detected by the Java Runtime Environment:
                #
                #  SIGSEGV (0xb) at pc=0x00007f, pid=1234, tid=1235
                """;
        assertEquals(Optional.of("A fatal error has been detected by the Java Runtime Environment:"),
                SuiteProcess.tellingLine(crash));
        assertEquals(Optional.of("Fatal glibc error: malloc assertion failure in sysmalloc"),
                SuiteProcess.tellingLine("warm-up: larson\nFatal glibc error: malloc assertion failure in sysmalloc\n"));
        assertEquals(Optional.of("Exception in thread \"main\" java.lang.IllegalArgumentException: bad"),
                SuiteProcess.tellingLine("noise\nException in thread \"main\" java.lang.IllegalArgumentException: bad\n"));
    }

    @Test
    void jemallocGetsThePreloadAndTcmallocKeepsOffTheProgramBreak() {
        var process = new SuiteProcess(Path.of("/jdk/bin/java"), "bench.jar", SuiteProcess.RUN_ONE,
                Optional.of(Path.of("/usr/lib/x86_64-linux-gnu/libjemalloc.so.2")), Duration.ofMinutes(1),
                Path.of("/tmp/logs"));
        assertEquals(Map.of("LD_PRELOAD", "/usr/lib/x86_64-linux-gnu/libjemalloc.so.2"), process.environment("jemalloc"));
        assertEquals(Map.of("TCMALLOC_SKIP_SBRK", "true"), process.environment("tcmalloc"));
        assertEquals(Map.of(), process.environment("glibc"));
        assertEquals("LD_PRELOAD=/usr/lib/x86_64-linux-gnu/libjemalloc.so.2 /jdk/bin/java -Xms512m -Xmx512m"
                + " -XX:+AlwaysPreTouch -XX:MaxDirectMemorySize=4g --enable-native-access=ALL-UNNAMED"
                + " --sun-misc-unsafe-memory-access=allow -cp bench.jar dev.hedra.bench.suite.RunOne"
                + " --workload larson --allocator jemalloc --scale 0.5",
                process.reproduction("larson", "jemalloc", 0.5));
        List<String> command = process.command("larson", "glibc", 1);
        assertTrue(command.contains("-XX:ErrorFile=/tmp/logs/hs_err_larson.glibc_pid%p.log"), command.toString());
        assertTrue(command.contains("-XX:ErrorLogTimeout=20"), command.toString());
    }
}
