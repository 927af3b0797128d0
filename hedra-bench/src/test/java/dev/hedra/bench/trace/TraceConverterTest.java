package dev.hedra.bench.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The converter on a synthetic recording, and the compact format's round trip. */
class TraceConverterTest {

    /** Builds the recorder's file format: chunks of 48-byte records. */
    static final class RawRecordingWriter {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private final List<long[]> pending = new ArrayList<>();

        /** {seq, op, tid, size, extra, in, out} */
        RawRecordingWriter record(long seq, int op, int tid, long size, long extra, long in, long result) {
            pending.add(new long[] {seq, op, tid, size, extra, in, result});
            return this;
        }

        RawRecordingWriter chunk(int pid, long session) {
            ByteBuffer bytes = ByteBuffer.allocate(Recording.HEADER_BYTES + pending.size() * Recording.RECORD_BYTES)
                    .order(ByteOrder.LITTLE_ENDIAN);
            bytes.putInt(Recording.MAGIC).putInt(pending.size()).putInt(pid).putInt(0).putLong(session);
            for (long[] r : pending) {
                bytes.putLong(r[0]).putLong(r[3]).putLong(r[4]).putLong(r[5]).putLong(r[6])
                        .putInt((int) r[2]).put((byte) r[1]).put(new byte[3]);
            }
            out.writeBytes(bytes.array());
            pending.clear();
            return this;
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }

    private static Recording syntheticRecording() throws IOException {
        var writer = new RawRecordingWriter();
        int t1 = 200;
        writer.record(10, Recording.FREE, t1, 0, 0, 0x2000, 0)
                .record(11, Recording.MALLOC, t1, 20, 0, 0, 0xA000)
                .record(12, Recording.MALLOC, t1, 64, 0, 0, 0x3000) // before thread 100's realloc recorded
                .record(15, Recording.FREE, t1, 0, 0, 0x3000, 0)
                .chunk(7, 1);
        int t0 = 100;
        writer.record(0, Recording.MALLOC, t0, 10, 0, 0, 0x1000)
                .record(1, Recording.CALLOC, t0, 8, 4, 0, 0x2000)
                .record(2, Recording.REALLOC, t0, 100, 0, 0x1000, 0x3000)
                .record(3, Recording.FREE, t0, 0, 0, 0x9999, 0) // allocated before recording
                .record(4, Recording.REALLOC, t0, 50, 0, 0x8888, 0x4000) // likewise
                .record(5, Recording.POSIX_MEMALIGN, t0, 30, 64, 0, 0x5000)
                .record(6, Recording.MALLOC, t0, 0, 0, 0, 0x6000)
                .record(7, Recording.MEMALIGN, t0, 16, 24, 0, 0x7000)
                .record(8, Recording.MALLOC, t0, 1L << 40, 0, 0, 0) // failed
                .record(9, Recording.REALLOC, t0, 0, 0, 0x6000, 0) // realloc(p, 0): a free
                .record(13, Recording.REALLOC, t0, 200, 0, 0x3000, 0xB000)
                .record(14, Recording.MALLOC, t0, 8, 0, 0, 0xC000)
                .chunk(7, 1);
        writer.record(0, Recording.MALLOC, 300, 5, 0, 0, 0x1000).chunk(8, 2); // another process
        return Recording.read(new ByteArrayInputStream(writer.bytes()));
    }

    private static List<String> events(Trace trace) {
        List<String> events = new ArrayList<>();
        for (int i = 0; i < trace.eventCount(); i++) {
            String event = Trace.opName(trace.op(i)) + " t" + trace.thread(i) + " s" + trace.slot(i);
            if (trace.op(i) != Trace.FREE) {
                event += " " + trace.size(i);
            }
            if (trace.op(i) == Trace.ALIGNED) {
                event += " align " + (1 << trace.alignmentShift(i));
            }
            events.add(event);
        }
        return events;
    }

    @Test
    void convertsASyntheticRecording() throws IOException {
        Recording recording = syntheticRecording();
        assertEquals(2, recording.processes().size());
        Recording.Process process = recording.processes().getFirst();
        assertEquals(7, process.pid(), "the process with the most calls comes first");
        assertEquals(2, process.threadCount());

        var result = TraceConverter.convert(process, "synthetic", "a made-up program");
        assertEquals(List.of(
                "malloc t0 s0 10",
                "calloc t0 s1 32",
                "realloc t0 s0 100",
                "malloc t0 s2 50",
                "aligned t0 s3 30 align 64",
                "malloc t0 s4 1",
                "aligned t0 s5 16 align 32",
                "free t0 s4",
                "free t1 s1",
                "malloc t1 s1 20",
                "malloc t1 s6 64",
                "realloc t0 s0 200",
                "malloc t0 s4 8",
                "free t1 s6",
                "free t0 s0",
                "free t1 s1",
                "free t0 s2",
                "free t0 s3",
                "free t0 s4",
                "free t0 s5"), events(result.trace()));
        assertEquals(new TraceConverter.Report(16, 1, 1, 1, 1, 1, 6), result.report());
        assertEquals(388, result.trace().peakLiveBytes());
        assertEquals(2, result.trace().threadCount());
        assertEquals(7, result.trace().slotCount());
    }

    @Test
    void roundTripsThroughTheCompactFormat() throws IOException {
        Trace trace = TraceConverter.convert(syntheticRecording().processes().getFirst(), "synthetic",
                "a made-up program, ünïcode").trace();
        assertEquals(trace, roundTrip(trace));
    }

    @Test
    void roundTripsLargeRandomTraces() throws IOException {
        var random = new Random(42);
        var builder = new Trace.Builder("random", "random events");
        List<Integer> live = new ArrayList<>();
        int nextSlot = 0;
        for (int i = 0; i < 100_000; i++) {
            int thread = random.nextInt(5);
            if (!live.isEmpty() && random.nextInt(3) == 0) {
                int slot = live.remove(random.nextInt(live.size()));
                builder.free(thread, slot);
            } else if (!live.isEmpty() && random.nextInt(5) == 0) {
                builder.realloc(thread, live.get(random.nextInt(live.size())), 1 + random.nextLong(1L << 45));
            } else {
                int slot = nextSlot++;
                live.add(slot);
                long size = 1 + (random.nextBoolean() ? random.nextInt(100) : random.nextLong(1L << 50));
                switch (random.nextInt(3)) {
                    case 0 -> builder.malloc(thread, slot, size);
                    case 1 -> builder.calloc(thread, slot, size);
                    default -> builder.aligned(thread, slot, random.nextInt(20), size);
                }
            }
        }
        for (int slot : live) {
            builder.free(0, slot);
        }
        Trace trace = builder.build();
        assertEquals(trace, roundTrip(trace));
    }

    @Test
    void rejectsInconsistentTraces() {
        assertThrows(IllegalArgumentException.class,
                () -> new Trace.Builder("open", "").malloc(0, 0, 8).build(), "not closed");
        assertThrows(IllegalArgumentException.class,
                () -> new Trace.Builder("double", "").malloc(0, 0, 8).free(0, 0).free(0, 0).build());
        assertThrows(IllegalArgumentException.class,
                () -> new Trace.Builder("zero", "").malloc(0, 0, 0).free(0, 0).build());
        assertThrows(IOException.class, () -> TraceReader.read(new ByteArrayInputStream(new byte[10])));
    }

    private static Trace roundTrip(Trace trace) throws IOException {
        var bytes = new ByteArrayOutputStream();
        TraceWriter.write(trace, bytes);
        return TraceReader.read(new ByteArrayInputStream(bytes.toByteArray()));
    }
}
