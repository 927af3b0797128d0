package dev.hedra.bench.suite;

import dev.hedra.bench.PeerKind;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * {@code --micro}: runs the JMH comparison of workloads a-d ({@code dev.hedra.bench.Compare}) in a
 * JVM of its own, exactly as {@code scripts/bench} used to, shows its output as it comes, and
 * returns its tables for the report. Its own files (CSV, JSON, JMH's log) go to {@code micro/}.
 */
final class SuiteMicro {

    static final String COMPARE = "dev.hedra.bench.Compare";
    /** Compare's runner JVM only starts forks; Unsafe is for JMH's own use of it. */
    static final List<String> JVM_OPTIONS = List.of(
            "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow");

    private final Path directory;
    private final PrintStream out;

    SuiteMicro(Path directory, PrintStream out) {
        this.directory = directory;
        this.out = out;
    }

    /**
     * Runs Compare on the allocators it knows among {@code allocators}; returns its tables, or
     * nothing if it printed none (its output, shown above, says why).
     */
    Optional<String> run(boolean quick, List<String> allocators) {
        var command = new ArrayList<String>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(JVM_OPTIONS);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), COMPARE, "--out", directory.toString()));
        List<String> known = Arrays.stream(PeerKind.values()).map(PeerKind::peerName).toList();
        List<String> shared = allocators.stream().filter(known::contains).toList();
        if (!shared.isEmpty()) {
            command.addAll(List.of("--allocators", String.join(",", shared)));
        }
        if (quick) {
            command.add("--quick");
        }
        out.println("JMH comparison of workloads a-d (--micro): " + COMPARE);
        var output = new ArrayList<String>();
        try {
            Process compare = new ProcessBuilder(command).redirectErrorStream(true).start();
            try (var reader = new BufferedReader(new InputStreamReader(compare.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                    out.println("  " + line);
                    output.add(line);
                }
            }
            int status = compare.waitFor();
            if (status != 0) {
                out.println("  (Compare exited with status " + status + ")");
            }
        } catch (IOException e) {
            out.println("  could not run Compare: " + e);
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
        return tables(output);
    }

    /** Compare's output from its first table to the line before "Wrote ..." or "Done in ...". */
    static Optional<String> tables(List<String> output) {
        int first = -1;
        for (int i = 0; i < output.size(); i++) {
            if (output.get(i).startsWith("Time per operation")) {
                first = i;
                break;
            }
        }
        if (first < 0) {
            return Optional.empty();
        }
        int end = output.size();
        for (int i = first; i < output.size(); i++) {
            if (output.get(i).startsWith("Wrote ") || output.get(i).startsWith("Done in")) {
                end = i;
                break;
            }
        }
        return Optional.of(String.join("\n", output.subList(first, end)).strip());
    }
}
