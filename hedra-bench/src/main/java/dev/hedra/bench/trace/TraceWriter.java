package dev.hedra.bench.trace;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/** Writes a {@link Trace} in the compact format described in {@link TraceFormat}. */
public final class TraceWriter {

    private TraceWriter() {}

    /** Writes {@code trace} to {@code file}, replacing it. */
    public static void write(Trace trace, Path file) throws IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            write(trace, out);
        }
    }

    /** Writes {@code trace} to {@code out}, gzip-compressed, and finishes the gzip stream. */
    public static void write(Trace trace, OutputStream out) throws IOException {
        var gzip = new GZIPOutputStream(out, 1 << 16) {
            {
                def.setLevel(9);
            }
        };
        var buffered = new BufferedOutputStream(gzip, 1 << 16);
        buffered.write(TraceFormat.MAGIC);
        buffered.write(TraceFormat.VERSION);
        writeString(buffered, trace.name());
        writeString(buffered, trace.description());
        writeVarint(buffered, trace.threadCount());
        writeVarint(buffered, trace.slotCount());
        writeVarint(buffered, trace.eventCount());
        for (int i = 0; i < trace.eventCount(); i++) {
            byte op = trace.op(i);
            writeVarint(buffered, (long) trace.thread(i) << TraceFormat.OP_BITS | op);
            writeVarint(buffered, trace.slot(i));
            if (op == Trace.ALIGNED) {
                buffered.write(trace.alignmentShift(i));
            }
            if (op != Trace.FREE) {
                writeVarint(buffered, trace.size(i));
            }
        }
        buffered.flush();
        gzip.finish();
    }

    private static void writeString(OutputStream out, String value) throws IOException {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        writeVarint(out, bytes.length);
        out.write(bytes);
    }

    static void writeVarint(OutputStream out, long value) throws IOException {
        while ((value & ~0x7FL) != 0) {
            out.write((int) (value & 0x7F) | 0x80);
            value >>>= 7;
        }
        out.write((int) value);
    }
}
