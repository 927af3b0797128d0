package dev.hedra.examples;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The process's resident memory as Linux counts it: native blocks, the Java heap, code, all of
 * it. Elsewhere the figures are unavailable (-1) and the table says so.
 */
final class ResidentMemory {

    private static final Path STATUS = Path.of("/proc/self/status");
    private static final Path CLEAR_REFS = Path.of("/proc/self/clear_refs");

    private ResidentMemory() {}

    /** The peak resident set (VmHWM) in bytes, since the JVM started or the last reset; -1 if unknown. */
    static long peakBytes() {
        return statusBytes("VmHWM:");
    }

    /** The resident set now (VmRSS) in bytes; -1 if unknown. */
    static long currentBytes() {
        return statusBytes("VmRSS:");
    }

    /**
     * Starts a new peak at the current resident set (writing 5 to clear_refs, Linux 4.0+), so
     * that the peak of a run does not include what the JVM touched before it.
     *
     * @return whether the reset worked
     */
    static boolean resetPeak() {
        try {
            Files.writeString(CLEAR_REFS, "5");
            return true;
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return false;
        }
    }

    private static long statusBytes(String field) {
        try {
            for (String line : Files.readAllLines(STATUS)) {
                if (line.startsWith(field)) {
                    // "VmHWM:     123456 kB"
                    String[] parts = line.substring(field.length()).strip().split("\\s+");
                    return Long.parseLong(parts[0]) * 1024;
                }
            }
            return -1;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
