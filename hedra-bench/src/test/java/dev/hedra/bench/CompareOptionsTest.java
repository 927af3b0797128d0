package dev.hedra.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class CompareOptionsTest {

    @Test
    void defaultsRunEverythingWithTheFullSettings() {
        var options = CompareOptions.parse();
        assertEquals(List.of(Workload.values()), options.workloads());
        assertEquals(List.of(PeerKind.values()), options.peers());
        assertEquals(RunSettings.DEFAULT, options.settings());
    }

    @Test
    void parsesSelectionsAndAlwaysKeepsHedraFirst() {
        var options = CompareOptions.parse("--workloads", "d,a", "--allocators", "mimalloc,glibc",
                "--quick", "--out", "results/x");
        assertEquals(List.of(Workload.A, Workload.D), options.workloads());
        assertEquals(List.of(PeerKind.HEDRA, PeerKind.GLIBC, PeerKind.MIMALLOC), options.peers());
        assertEquals(RunSettings.QUICK, options.settings());
        assertEquals(Path.of("results/x"), options.outputDirectory().orElseThrow());
    }

    @Test
    void rejectsWhatItDoesNotKnow() {
        assertThrows(IllegalArgumentException.class, () -> CompareOptions.parse("--workloads", "e"));
        assertThrows(IllegalArgumentException.class, () -> CompareOptions.parse("--allocators", "ptmalloc"));
        assertThrows(IllegalArgumentException.class, () -> CompareOptions.parse("--out"));
        assertThrows(IllegalArgumentException.class, () -> CompareOptions.parse("--fast"));
    }
}
