package dev.hedra.bench.trace;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;

/** Reads the compact trace format ({@link TraceFormat}) that {@link TraceWriter} writes. */
public final class TraceReader {

    /** Where the shipped traces live on the class path. */
    static final String RESOURCE_DIRECTORY = "traces/";

    private TraceReader() {}

    /** Reads a whole trace from a file. */
    public static Trace read(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return read(in);
        }
    }

    /** Reads a whole trace from a gzip stream (not closed). */
    public static Trace read(InputStream in) throws IOException {
        InputStream input = open(in);
        String name = readString(input);
        String description = readString(input);
        int threadCount = readCount(input, "thread count");
        int slotCount = readCount(input, "slot count");
        int eventCount = readCount(input, "event count");
        var builder = new Trace.Builder(name, description).threads(threadCount).slots(slotCount);
        for (int i = 0; i < eventCount; i++) {
            long head = readVarint(input);
            byte op = (byte) (head & ((1 << TraceFormat.OP_BITS) - 1));
            long thread = head >>> TraceFormat.OP_BITS;
            int slot = readCount(input, "slot");
            if (op > Trace.FREE || thread >= threadCount) {
                throw new IOException("event " + i + ": bad op " + op + " or thread " + thread);
            }
            int shift = op == Trace.ALIGNED ? readByte(input) : 0;
            long size = op == Trace.FREE ? 0 : readVarint(input);
            builder.add(op, (int) thread, slot, size, shift);
        }
        try {
            return builder.build();
        } catch (IllegalArgumentException inconsistent) {
            throw new IOException("inconsistent trace: " + inconsistent.getMessage(), inconsistent);
        }
    }

    /** Reads only the name and description (the first bytes of the stream). */
    public static String[] readHeader(InputStream in) throws IOException {
        InputStream input = open(in);
        return new String[] {readString(input), readString(input)};
    }

    /** Reads a trace shipped on the class path as {@code traces/<name>.trace.gz}. */
    public static Trace readResource(String name) {
        try (InputStream in = openResource(name)) {
            return read(in);
        } catch (IOException failure) {
            throw new UncheckedIOException("cannot read shipped trace " + name, failure);
        }
    }

    static InputStream openResource(String name) throws IOException {
        String path = RESOURCE_DIRECTORY + name + ".trace.gz";
        InputStream in = TraceReader.class.getClassLoader().getResourceAsStream(path);
        if (in == null) {
            throw new IOException("no resource " + path + " on the class path");
        }
        return in;
    }

    private static InputStream open(InputStream in) throws IOException {
        InputStream input = new BufferedInputStream(new GZIPInputStream(in, 1 << 16), 1 << 16);
        byte[] magic = input.readNBytes(TraceFormat.MAGIC.length);
        if (!Arrays.equals(magic, TraceFormat.MAGIC)) {
            throw new IOException("not a Hedra trace (magic " + Arrays.toString(magic) + ")");
        }
        int version = readByte(input);
        if (version != TraceFormat.VERSION) {
            throw new IOException("trace format version " + version + ", this reader knows "
                    + TraceFormat.VERSION);
        }
        return input;
    }

    private static String readString(InputStream in) throws IOException {
        int length = readCount(in, "string length");
        byte[] bytes = in.readNBytes(length);
        if (bytes.length != length) {
            throw new EOFException("trace ends inside a string");
        }
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static int readCount(InputStream in, String what) throws IOException {
        long value = readVarint(in);
        if (value > Integer.MAX_VALUE) {
            throw new IOException(what + " too large: " + value);
        }
        return (int) value;
    }

    private static int readByte(InputStream in) throws IOException {
        int value = in.read();
        if (value < 0) {
            throw new EOFException("trace ends early");
        }
        return value;
    }

    static long readVarint(InputStream in) throws IOException {
        long value = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            int b = readByte(in);
            value |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return value;
            }
        }
        throw new IOException("varint longer than 64 bits");
    }
}
