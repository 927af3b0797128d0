package dev.hedra.bench.suite;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SuiteMicroTest {

    @Test
    void theTablesAreCompareOutputFromTheFirstTableToTheFilesLine() {
        List<String> output = List.of(
                "Hedra benchmark comparison",
                "[ 1/2] a  64 B hedra      3.10 +- 0.10  ns/op",
                "",
                "Time per operation, ns (lower is better); speedup = ...",
                "workload  hedra  glibc",
                "a         3.1    12.0",
                "",
                "Java heap allocated per operation, bytes",
                "a         0.00   0.00",
                "",
                "Wrote measurements.csv, summary.csv, results.json and jmh.log to results/micro",
                "Done in 1 min 02 s");
        assertEquals(Optional.of(String.join("\n", output.subList(3, 9))), SuiteMicro.tables(output));
        assertEquals(Optional.empty(), SuiteMicro.tables(List.of("Compare: unknown option '--x'")));
    }
}
