package dev.hedra.bench.suite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SuiteOptionsTest {

    private static final SuiteCatalog CATALOG = new SuiteCatalog() {
        @Override
        public List<WorkloadEntry> workloads() {
            return List.of(new WorkloadEntry("larson", "", true), new WorkloadEntry("long", "", false),
                    new WorkloadEntry("trace-a", "", false), new WorkloadEntry("trace-b", "", false));
        }

        @Override
        public List<AllocatorEntry> allocators() {
            return List.of(new AllocatorEntry("hedra", "", Optional.empty()),
                    new AllocatorEntry("glibc", "", Optional.empty()),
                    new AllocatorEntry("mimalloc", "", Optional.empty()));
        }
    };

    @Test
    void defaultsAreTheDefaultSelectionOnEveryAllocator() {
        SuiteOptions options = SuiteOptions.parse();
        assertEquals(List.of("larson"), names(options.selectWorkloads(CATALOG)));
        assertEquals(List.of("hedra", "glibc", "mimalloc"), allocators(options.selectAllocators(CATALOG)));
        assertEquals(SuiteOptions.DEFAULT_SCALE, options.scale());
        assertTrue(options.outputDirectory().startsWith(Path.of("results")), options.outputDirectory().toString());
        assertFalse(options.micro());
        assertEquals(SuiteOptions.DEFAULT_TIMEOUT, options.timeout());
    }

    @Test
    void fullAndAllRunEverythingTracesIncluded() {
        List<String> everything = List.of("larson", "long", "trace-a", "trace-b");
        assertEquals(everything, names(SuiteOptions.parse("--full").selectWorkloads(CATALOG)));
        assertEquals(everything, names(SuiteOptions.parse("--workloads", "all").selectWorkloads(CATALOG)));
        assertEquals(List.of("larson", "trace-a", "trace-b"),
                names(SuiteOptions.parse("--workloads", "traces,larson").selectWorkloads(CATALOG)));
    }

    @Test
    void chosenNamesKeepTheCatalogsOrderAndHedraAlwaysRuns() {
        SuiteOptions options = SuiteOptions.parse("--workloads", "trace-b, larson", "--allocators", "mimalloc");
        assertEquals(List.of("larson", "trace-b"), names(options.selectWorkloads(CATALOG)));
        assertEquals(List.of("hedra", "mimalloc"), allocators(options.selectAllocators(CATALOG)));
    }

    @Test
    void scaleQuickOutMicroAndTimeout() {
        SuiteOptions options = SuiteOptions.parse("--quick", "--out", "/tmp/x", "--micro", "--timeout", "90");
        assertEquals(SuiteOptions.QUICK_SCALE, options.scale());
        assertEquals(Path.of("/tmp/x"), options.outputDirectory());
        assertTrue(options.micro());
        assertTrue(options.quick());
        assertEquals(Duration.ofSeconds(90), options.timeout());
        assertEquals(0.25, SuiteOptions.parse("--quick", "--scale", "0.25").scale());
        assertEquals(1, options.runs());
        assertEquals(3, SuiteOptions.parse("--runs", "3").runs());
    }

    @Test
    void badArgumentsAreNamed() {
        assertMessage("unknown option '--fast'", "--fast");
        assertMessage("--scale needs a value", "--scale");
        assertMessage("--scale needs a positive number, not '-1'", "--scale", "-1");
        assertMessage("--scale needs a number, not 'big'", "--scale", "big");
        assertMessage("--full runs every workload; leave out --workloads", "--full", "--workloads", "larson");
        assertMessage("--runs needs a number from 1 to 99, not '0'", "--runs", "0");
        assertMessage("--runs needs a whole number, not '2.5'", "--runs", "2.5");
        var unknown = assertThrows(IllegalArgumentException.class,
                () -> SuiteOptions.parse("--allocators", "tcmalloc").selectAllocators(CATALOG));
        assertEquals("unknown allocator 'tcmalloc'; known: hedra,glibc,mimalloc", unknown.getMessage());
    }

    private static void assertMessage(String message, String... args) {
        assertEquals(message, assertThrows(IllegalArgumentException.class, () -> SuiteOptions.parse(args)).getMessage());
    }

    private static List<String> names(List<SuiteCatalog.WorkloadEntry> workloads) {
        return workloads.stream().map(SuiteCatalog.WorkloadEntry::name).toList();
    }

    private static List<String> allocators(List<SuiteCatalog.AllocatorEntry> allocators) {
        return allocators.stream().map(SuiteCatalog.AllocatorEntry::name).toList();
    }
}
