package dev.hedra.examples;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs one back end in a child JVM: same JDK, same JVM options, same class path, this program
 * with {@code --result-line}. A back end then has the process to itself, so its peak resident
 * memory is its own, and the JIT compiles the shared code (tree, queries, runner) for it alone
 * rather than for whichever back ends ran before.
 */
final class ForkedRun {

    private ForkedRun() {}

    static RunResult run(BackendKind backend, Options options) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String jvmOption : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (!jvmOption.startsWith("-agentlib:jdwp")) { // a debugger's port can be taken once
                command.add(jvmOption);
            }
        }
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(KdTreeExample.class.getName());
        command.addAll(options.childArguments(backend));

        Process child = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        RunResult result = null;
        try (BufferedReader output = new BufferedReader(
                new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = output.readLine(); line != null; line = output.readLine()) {
                if (line.startsWith(RunResult.LINE_PREFIX)) {
                    result = RunResult.parse(line);
                } else {
                    System.out.println("  [" + backend.label() + "] " + line);
                }
            }
        }
        int status = child.waitFor();
        if (status != 0 || result == null) {
            throw new IllegalStateException("the child JVM running " + backend.label() + " failed (exit status "
                    + status + (result == null ? ", no result line" : "") + "); its errors are above");
        }
        return result;
    }
}
