package dev.hedra;

import static dev.hedra.SizeClassOracle.MiB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.management.JMX;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;

/** The statistics as JSON ({@link AllocatorStats#toJson()}) and through JMX ({@link AllocatorMXBean}). */
class StatisticsExportTest {

    private static final MBeanServer SERVER = ManagementFactory.getPlatformMBeanServer();
    /** Every character JSON must escape, and some it need not. */
    private static final String AWKWARD_NAME = "mesh \"quoted\" back\\slash\nline\ttab\r\u0001 é ∑";

    @Test
    void jsonHoldsEveryFigureOfTheSnapshot() {
        try (NativeAllocator hedra = Hedra.builder().name("json \"export\"").build();
                NativeHeap heap = hedra.newHeap(AWKWARD_NAME)) {
            long small = hedra.malloc(40);
            long medium = hedra.malloc(100_000);
            long huge = hedra.malloc(3 * MiB);
            long inHeap = heap.malloc(24);
            hedra.free(hedra.malloc(1000));

            AllocatorStats stats = hedra.stats();
            String json = stats.toJson();
            assertFalse(json.contains("\n"), "one line: " + json);
            Map<String, Object> root = MiniJson.object(MiniJson.parse(json));
            assertEquals("json \"export\"", root.get("name"));
            assertEquals(stats.allocations(), root.get("allocations"));
            assertEquals(stats.frees(), root.get("frees"));
            assertEquals(stats.liveBlocks(), root.get("liveBlocks"));
            assertEquals(4L, root.get("liveBlocks"), json);
            assertEquals(stats.bytesRequested(), root.get("bytesRequested"));
            assertEquals(stats.bytesInUse(), root.get("bytesInUse"));
            assertEquals(stats.peakBytesInUse(), root.get("peakBytesInUse"));
            assertEquals(stats.bytesCommitted(), root.get("bytesCommitted"));
            assertEquals(stats.peakBytesCommitted(), root.get("peakBytesCommitted"));
            assertEquals(stats.bytesRetained(), root.get("bytesRetained"));
            assertEquals(stats.bytesPurgedIdle(), root.get("bytesPurgedIdle"));
            assertEquals(stats.bytesReserved(), root.get("bytesReserved"));

            List<Object> classes = MiniJson.array(root.get("sizeClasses"));
            assertEquals(stats.sizeClasses().size(), classes.size());
            for (int i = 0; i < classes.size(); i++) {
                AllocatorStats.SizeClassStats expected = stats.sizeClasses().get(i);
                Map<String, Object> c = MiniJson.object(classes.get(i));
                assertEquals((long) expected.index(), c.get("index"));
                assertEquals(expected.blockSize(), c.get("blockSize"));
                assertEquals(expected.allocations(), c.get("allocations"));
                assertEquals(expected.frees(), c.get("frees"));
                assertEquals(expected.liveBlocks(), c.get("liveBlocks"));
                String kind = i < classes.size() - 2 ? "small" : i == classes.size() - 2 ? "medium" : "huge";
                assertEquals(kind, c.get("kind"), () -> "class " + c);
            }
            Map<String, Object> medium1 = MiniJson.object(classes.get(classes.size() - 2));
            Map<String, Object> huge1 = MiniJson.object(classes.get(classes.size() - 1));
            assertEquals(1L, medium1.get("liveBlocks"));
            assertEquals(1L, huge1.get("liveBlocks"));

            List<Object> heaps = MiniJson.array(root.get("heaps"));
            assertEquals(stats.heaps().size(), heaps.size());
            boolean foundNamedHeap = false;
            for (int i = 0; i < heaps.size(); i++) {
                AllocatorStats.HeapStats expected = stats.heaps().get(i);
                Map<String, Object> h = MiniJson.object(heaps.get(i));
                assertEquals(expected.name(), h.get("name"));
                assertEquals(expected.allocations(), h.get("allocations"));
                assertEquals(expected.frees(), h.get("frees"));
                assertEquals(expected.liveBlocks(), h.get("liveBlocks"));
                assertEquals(expected.bytesRequested(), h.get("bytesRequested"));
                assertEquals(expected.bytesInUse(), h.get("bytesInUse"));
                assertEquals(expected.peakBytesInUse(), h.get("peakBytesInUse"));
                assertEquals(expected.pages(), h.get("pages"));
                foundNamedHeap |= expected.name().contains(AWKWARD_NAME);
            }
            assertTrue(foundNamedHeap, () -> "the named heap is missing: " + json);

            heap.free(inHeap);
            hedra.free(small);
            hedra.free(medium);
            hedra.free(huge);
            Map<String, Object> after = MiniJson.object(MiniJson.parse(hedra.stats().toJson()));
            assertEquals(0L, after.get("liveBlocks"));
            assertEquals(0L, after.get("bytesInUse"));
        }
    }

    @Test
    void jmxPublishesTheStatisticsAndCloseUnregisters() throws Exception {
        ObjectName name = new ObjectName("dev.hedra:type=Allocator,name=jmx-export");
        // No timer: the trim below must find what it measured as retained (the delay is 1 s).
        NativeAllocator hedra = Hedra.builder().name("jmx-export").jmx(true).backgroundPurge(false).build();
        try {
            assertTrue(SERVER.isRegistered(name));
            assertTrue(JMX.isMXBeanInterface(AllocatorMXBean.class));
            long[] blocks = new long[100];
            for (int i = 0; i < blocks.length; i++) {
                blocks[i] = hedra.malloc(64);
            }
            AllocatorStats stats = hedra.stats();
            assertEquals("jmx-export", SERVER.getAttribute(name, "Name"));
            assertEquals(stats.allocations(), SERVER.getAttribute(name, "Allocations"));
            assertEquals(100L, SERVER.getAttribute(name, "LiveBlocks"));
            assertEquals(stats.bytesInUse(), SERVER.getAttribute(name, "BytesInUse"));
            assertEquals(6400L, SERVER.getAttribute(name, "BytesRequested"));
            assertEquals(stats.bytesCommitted(), SERVER.getAttribute(name, "BytesCommitted"));
            assertEquals(stats.bytesReserved(), SERVER.getAttribute(name, "BytesReserved"));
            assertEquals(stats.heaps().size(), SERVER.getAttribute(name, "HeapCount"));
            assertTrue(((String) SERVER.getAttribute(name, "Report")).contains("Hedra allocator 'jmx-export'"));

            AllocatorMXBean proxy = JMX.newMXBeanProxy(SERVER, name, AllocatorMXBean.class);
            for (long block : blocks) {
                hedra.free(block);
            }
            assertEquals(0, proxy.getLiveBlocks());
            assertEquals(100, proxy.getFrees());
            assertTrue(proxy.getPeakBytesInUse() >= 6400, () -> hedra.stats().toString());
            assertTrue(proxy.getPeakBytesCommitted() >= proxy.getBytesCommitted());
            assertTrue(proxy.getBytesRetained() >= 0);
            Map<String, Object> json = MiniJson.object(MiniJson.parse(proxy.getJson()));
            assertEquals(100L, json.get("frees"));

            // The one operation: a trim, here of the runs that the empty pages below left waiting.
            try (NativeHeap heap = hedra.newHeap("to close")) {
                for (int i = 0; i < 20_000; i++) {
                    heap.malloc(256);
                }
            }
            long held = hedra.stats().bytesRetained();
            assertTrue(held >= (1 << 20), () -> hedra.stats().toString());
            long givenBack = (Long) SERVER.invoke(name, "trim", new Object[0], new String[0]);
            assertTrue(givenBack >= held, () -> givenBack + " given back, " + held + " retained before");
            assertEquals(0, proxy.getBytesRetained());
        } finally {
            hedra.close();
        }
        assertFalse(SERVER.isRegistered(name), "close unregisters");
        hedra.close(); // a second close stays quiet
    }

    @Test
    void aTakenNameFailsTheBuildAndKeepsNothing() throws Exception {
        ObjectName name = new ObjectName("dev.hedra:type=Allocator,name=jmx-twice");
        try (NativeAllocator first = Hedra.builder().name("jmx-twice").jmx(true).build()) {
            long block = first.malloc(32);
            IllegalStateException taken = assertThrows(IllegalStateException.class,
                    () -> Hedra.builder().name("jmx-twice").jmx(true).build());
            assertTrue(taken.getMessage().contains("'jmx-twice'"), taken.getMessage());
            assertTrue(taken.getMessage().contains("HedraBuilder.name"), taken.getMessage());
            assertTrue(SERVER.isRegistered(name));
            assertEquals(1L, SERVER.getAttribute(name, "LiveBlocks"), "the first is still the one registered");
            first.free(block);
            try (NativeAllocator other = Hedra.builder().name("jmx-twice").build()) {
                other.free(other.malloc(8)); // without JMX the name may repeat
            }
        }
        assertFalse(SERVER.isRegistered(name));
        try (NativeAllocator again = Hedra.builder().name("jmx-twice").jmx(true).build()) {
            assertTrue(SERVER.isRegistered(name), "the name is free again after close");
            again.free(again.malloc(8));
        }
    }

    @Test
    void aNameWithCharactersJmxReservesIsQuoted() throws Exception {
        String awkward = "cache, \"hot\" = 1: *?";
        ObjectName name = new ObjectName("dev.hedra:type=Allocator,name=" + ObjectName.quote(awkward));
        try (NativeAllocator hedra = Hedra.builder().name(awkward).jmx(true).build()) {
            assertTrue(SERVER.isRegistered(name));
            assertEquals(awkward, SERVER.getAttribute(name, "Name"));
        }
        assertFalse(SERVER.isRegistered(name));
    }

    /**
     * {@code -Dhedra.jmx=true} registers the process-wide allocator as {@code name=default}. In a
     * JVM of its own, as the property is read when that allocator is created.
     */
    @Test
    void theProcessWideAllocatorRegistersWithTheProperty() throws Exception {
        String path = System.getProperty("java.class.path") + File.pathSeparator
                + System.getProperty("jdk.module.path", "");
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-Dhedra.jmx=true", "-cp", path,
                DefaultAllocatorMain.class.getName())
                .redirectErrorStream(true)
                .start();
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(child.waitFor(60, TimeUnit.SECONDS), output);
        assertEquals(0, child.exitValue(), output);
        assertTrue(output.contains("registered as default, 3 live blocks"), output);
    }

    /** The child of {@link #theProcessWideAllocatorRegistersWithTheProperty}. */
    static final class DefaultAllocatorMain {
        public static void main(String[] args) throws Exception {
            ObjectName name = new ObjectName("dev.hedra:type=Allocator,name=default");
            NativeAllocator hedra = Hedra.allocator();
            long[] blocks = {hedra.malloc(8), hedra.malloc(800), hedra.malloc(80_000)};
            Object live = SERVER.getAttribute(name, "LiveBlocks");
            for (long block : blocks) {
                hedra.free(block);
            }
            System.out.println("registered as " + SERVER.getAttribute(name, "Name") + ", " + live + " live blocks");
        }
    }

    @Test
    void withoutJmxNothingIsRegistered() throws Exception {
        try (NativeAllocator hedra = Hedra.builder().name("jmx-off").build()) {
            hedra.free(hedra.malloc(8));
            assertTrue(SERVER.queryNames(new ObjectName("dev.hedra:type=Allocator,name=jmx-off"), null).isEmpty());
        }
    }
}
