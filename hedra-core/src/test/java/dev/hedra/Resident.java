package dev.hedra;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Resident memory of this process, from {@code /proc/self/statm} (Linux), in bytes. */
final class Resident {

    private static final long PAGE = 4096;

    private Resident() {}

    static long bytes() {
        try {
            String[] fields = Files.readString(Path.of("/proc/self/statm")).trim().split("\\s+");
            return Long.parseLong(fields[1]) * PAGE;
        } catch (IOException | RuntimeException e) {
            return 0; // not Linux: resident checks become vacuous, committed-byte checks remain
        }
    }
}
