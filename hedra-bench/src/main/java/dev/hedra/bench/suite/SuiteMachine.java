package dev.hedra.bench.suite;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * One line on the machine for the report: CPUs and their model, the kernel, memory, and the load
 * average when the suite started (other work on the machine skews every figure).
 */
final class SuiteMachine {

    private SuiteMachine() {}

    static String describe() {
        var parts = new ArrayList<String>();
        String cpus = Runtime.getRuntime().availableProcessors() + " CPUs";
        parts.add(cpuModel().map(model -> cpus + " (" + model + ")").orElse(cpus));
        parts.add(System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch"));
        memoryGibibytes().ifPresent(gib -> parts.add(String.format(Locale.ROOT, "%.1f GiB RAM", gib)));
        loadAverage().ifPresent(load -> parts.add("load average " + load + " at start"));
        return String.join(", ", parts);
    }

    private static Optional<String> cpuModel() {
        return lines("/proc/cpuinfo").stream()
                .filter(line -> line.startsWith("model name"))
                .map(line -> line.substring(line.indexOf(':') + 1).strip().replaceAll("\\s+", " "))
                .findFirst();
    }

    private static Optional<Double> memoryGibibytes() {
        return lines("/proc/meminfo").stream()
                .filter(line -> line.startsWith("MemTotal:"))
                .map(line -> line.replaceAll("[^0-9]", ""))
                .filter(digits -> !digits.isEmpty())
                .map(kibibytes -> Long.parseLong(kibibytes) / (1024.0 * 1024.0))
                .findFirst();
    }

    private static Optional<String> loadAverage() {
        return lines("/proc/loadavg").stream()
                .map(line -> line.split("\\s+"))
                .filter(fields -> fields.length >= 3)
                .map(fields -> fields[0] + " " + fields[1] + " " + fields[2])
                .findFirst();
    }

    private static List<String> lines(String file) {
        try {
            return Files.readAllLines(Path.of(file));
        } catch (IOException | RuntimeException unreadable) {
            return List.of();
        }
    }
}
