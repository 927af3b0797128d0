package dev.hedra.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ComparisonReportTest {

    private static final List<PeerKind> PEERS = List.of(PeerKind.HEDRA, PeerKind.MIMALLOC, PeerKind.ARENA);

    private final ComparisonReport report = new ComparisonReport(List.of(Workload.A, Workload.D), PEERS, List.of(
            Measurement.measured(Workload.A, PeerKind.HEDRA, 3.0, 0.1, 0.0),
            Measurement.measured(Workload.A, PeerKind.MIMALLOC, 12.0, 0.2, 0.0),
            Measurement.measured(Workload.A, PeerKind.ARENA, 22.0, 0.5, 128.0),
            Measurement.measured(Workload.D, PeerKind.HEDRA, 20.0, 1.0, 0.0),
            Measurement.measured(Workload.D, PeerKind.MIMALLOC, 30.0, 1.0, 0.0),
            Measurement.unsupported(Workload.D, PeerKind.ARENA, "confined")));

    @Test
    void speedupIsTheFastestPeersTimeOverHedras() {
        var a = report.verdict(Workload.A).orElseThrow();
        assertEquals(PeerKind.MIMALLOC, a.fastestPeer());
        assertEquals(4.0, a.speedup(), 1e-9);
        assertTrue(a.targetMet());

        var d = report.verdict(Workload.D).orElseThrow();
        assertEquals(1.5, d.speedup(), 1e-9);
        assertFalse(d.targetMet());
    }

    @Test
    void theTableShowsEachAllocatorAndTheVerdict() {
        var text = new ByteArrayOutputStream();
        report.printTimes(new PrintStream(text, true, StandardCharsets.UTF_8));
        String table = text.toString(StandardCharsets.UTF_8);
        assertTrue(table.contains("4.00x"), table);
        assertTrue(table.contains("n/a"), table);
        assertTrue(table.lines().anyMatch(line -> line.startsWith("d ") && line.endsWith("NO")), table);
    }
}
