package dev.hedra.bench.trace;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the recorder ({@code src/main/c/hedra_trace.c}) wrote: chunks of fixed-size records,
 * grouped here by process image (pid and start time: a program that forks or execs writes
 * several into one file), each process's records sorted by their sequence numbers.
 *
 * <pre>
 *   chunk  = magic u32 "HTR1" | count u32 | pid u32 | reserved u32 | session u64 | count records
 *   record = seq u64 | size u64 | extra u64 | in u64 | out u64 | tid u32 | op u8 | pad 3 bytes
 * </pre>
 *
 * All little-endian (the recorder writes its structs as they are in memory on x86-64 and
 * AArch64). {@code extra} is calloc's and reallocarray's element count, or the alignment.
 */
public final class Recording {

    static final int MAGIC = 0x31525448; // "HTR1"
    static final int HEADER_BYTES = 24;
    static final int RECORD_BYTES = 48;

    // The recorder's op codes.
    static final int MALLOC = 1;
    static final int CALLOC = 2;
    static final int REALLOC = 3;
    static final int FREE = 4;
    static final int POSIX_MEMALIGN = 5;
    static final int ALIGNED_ALLOC = 6;
    static final int MEMALIGN = 7;
    static final int REALLOCARRAY = 8;
    static final int VALLOC = 9;
    static final int PVALLOC = 10;

    private final List<Process> processes;

    private Recording(List<Process> processes) {
        this.processes = processes;
    }

    /** The process images in the file, the one with the most records first. */
    public List<Process> processes() {
        return processes;
    }

    /** Reads a whole recording. */
    public static Recording read(Path file) throws IOException {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 20)) {
            return read(in);
        }
    }

    public static Recording read(InputStream in) throws IOException {
        Map<String, Process> byImage = new LinkedHashMap<>();
        ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer records = ByteBuffer.allocate(0).order(ByteOrder.LITTLE_ENDIAN);
        long offset = 0;
        while (true) {
            int read = in.readNBytes(header.array(), 0, HEADER_BYTES);
            if (read == 0) {
                break;
            }
            if (read < HEADER_BYTES) {
                throw new EOFException("recording ends inside a chunk header at byte " + offset);
            }
            int magic = header.getInt(0);
            if (magic != MAGIC) {
                throw new IOException(String.format(
                        "not a chunk of the recorder at byte %d (magic %08x)", offset, magic));
            }
            int count = header.getInt(4);
            int pid = header.getInt(8);
            long session = header.getLong(16);
            int bytes = Math.multiplyExact(count, RECORD_BYTES);
            if (records.capacity() < bytes) {
                records = ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
            }
            if (in.readNBytes(records.array(), 0, bytes) != bytes) {
                throw new EOFException("recording ends inside a chunk at byte " + offset
                        + " (a process still running, or killed while writing?)");
            }
            Process process = byImage.computeIfAbsent(pid + "/" + session, key -> new Process(pid, session));
            for (int i = 0; i < count; i++) {
                process.add(records, i * RECORD_BYTES);
            }
            offset += HEADER_BYTES + bytes;
        }
        List<Process> processes = new ArrayList<>(byImage.values());
        processes.forEach(Process::sortBySequence);
        processes.sort(Comparator.comparingInt(Process::size).reversed());
        return new Recording(processes);
    }

    /** One process image's records, in the order of their sequence numbers once read. */
    public static final class Process {
        private final int pid;
        private final long session;
        private int size;
        long[] seq = new long[1024];
        long[] sizes = new long[1024];
        long[] extra = new long[1024];
        long[] in = new long[1024];
        long[] out = new long[1024];
        int[] tid = new int[1024];
        byte[] op = new byte[1024];

        Process(int pid, long session) {
            this.pid = pid;
            this.session = session;
        }

        public int pid() {
            return pid;
        }

        /** Records of this process image. */
        public int size() {
            return size;
        }

        /** Distinct thread ids among the records. */
        public int threadCount() {
            return (int) Arrays.stream(tid, 0, size).distinct().count();
        }

        @Override
        public String toString() {
            return "pid " + pid + " (image started " + session + " ns): " + size + " calls, "
                    + threadCount() + " threads";
        }

        private void add(ByteBuffer records, int at) {
            if (size == seq.length) {
                int grown = size * 2;
                seq = Arrays.copyOf(seq, grown);
                sizes = Arrays.copyOf(sizes, grown);
                extra = Arrays.copyOf(extra, grown);
                in = Arrays.copyOf(in, grown);
                out = Arrays.copyOf(out, grown);
                tid = Arrays.copyOf(tid, grown);
                op = Arrays.copyOf(op, grown);
            }
            seq[size] = records.getLong(at);
            sizes[size] = records.getLong(at + 8);
            extra[size] = records.getLong(at + 16);
            in[size] = records.getLong(at + 24);
            out[size] = records.getLong(at + 32);
            tid[size] = records.getInt(at + 40);
            op[size] = records.get(at + 44);
            size++;
        }

        /** Sorts by sequence number: each thread's chunks are in order, threads interleave. */
        private void sortBySequence() {
            // Sequence numbers are unique in a process image, so (seq, index) packed in a long
            // sorts as a primitive array.
            if (size >= 1 << 24) {
                throw new IllegalStateException("recording too large to convert: " + size
                        + " calls in one process (at most 16 million); record a shorter run");
            }
            long[] keys = new long[size];
            for (int i = 0; i < size; i++) {
                if (seq[i] >= 1L << 39) {
                    throw new IllegalStateException("sequence number too large: " + seq[i]);
                }
                keys[i] = seq[i] << 24 | i;
            }
            Arrays.sort(keys);
            int[] order = new int[size];
            for (int i = 0; i < size; i++) {
                order[i] = (int) (keys[i] & ((1 << 24) - 1));
            }
            seq = permute(seq, order);
            sizes = permute(sizes, order);
            extra = permute(extra, order);
            in = permute(in, order);
            out = permute(out, order);
            int[] tids = new int[size];
            byte[] ops = new byte[size];
            for (int i = 0; i < size; i++) {
                tids[i] = tid[order[i]];
                ops[i] = op[order[i]];
            }
            tid = tids;
            op = ops;
        }

        private long[] permute(long[] values, int[] order) {
            long[] sorted = new long[order.length];
            for (int i = 0; i < order.length; i++) {
                sorted[i] = values[order[i]];
            }
            return sorted;
        }
    }
}
