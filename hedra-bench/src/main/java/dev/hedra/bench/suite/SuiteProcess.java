package dev.hedra.bench.suite;

import dev.hedra.bench.report.Json;
import dev.hedra.bench.report.RunRecord;
import dev.hedra.bench.report.WorkloadResultJson;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Runs one (workload, allocator) pair in a fresh JVM, so that its resident memory belongs to one
 * allocator only, and reads the {@code RESULT <json>} line it prints ({@link WorkloadResultJson}).
 * The child's output goes to {@code logs/W.A.out} and {@code .err} in the output directory; a
 * child that fails, crashes or outlives the timeout becomes a failed {@link RunRecord} whose
 * problem names the cause, the command that reproduces it and the tail of its stderr.
 */
final class SuiteProcess {

    /**
     * The child JVM's options, as {@code RunOne} asks: a pre-touched fixed heap, so that resident
     * memory moves with native memory only; room for Netty's direct memory beyond the heap size;
     * native access for the downcalls; Unsafe for Netty.
     */
    static final List<String> JVM_OPTIONS = List.of(
            "-Xms512m", "-Xmx512m", "-XX:+AlwaysPreTouch", "-XX:MaxDirectMemorySize=4g",
            "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow");
    static final String RUN_ONE = "dev.hedra.bench.suite.RunOne";
    static final String RESULT_PREFIX = "RESULT ";
    static final String JEMALLOC = "jemalloc";
    static final String TCMALLOC = "tcmalloc";
    /** How {@code RunOne} names the allocator on stderr: {@code allocator: <its notes()>}. */
    static final String NOTES_PREFIX = "allocator: ";

    private static final int STDERR_TAIL_LINES = 40;
    private static final int STDOUT_TAIL_LINES = 20;
    private static final Pattern TELLING_LINE = Pattern.compile(
            "Exception|Error|SIG(SEGV|BUS|ILL|ABRT|FPE)|(?i:fatal)|Caused by");
    /** How long a crashing JVM may spend on its hs_err report (the default, 120 s, stalls the suite). */
    private static final String ERROR_LOG_TIMEOUT = "-XX:ErrorLogTimeout=20";

    private final Path java;
    private final String classPath;
    private final String mainClass;
    private final Optional<Path> jemalloc;
    private final Duration timeout;
    private final Path logDirectory;
    private final AtomicReference<Process> running = new AtomicReference<>();
    private final Map<String, String> allocatorNotes = new ConcurrentHashMap<>();

    /**
     * @param mainClass {@link #RUN_ONE}, or a stand-in in tests
     * @param jemalloc the library that the jemalloc allocator's JVM preloads, if installed
     */
    SuiteProcess(Path java, String classPath, String mainClass, Optional<Path> jemalloc, Duration timeout,
            Path logDirectory) {
        this.java = java;
        this.classPath = classPath;
        this.mainClass = mainClass;
        this.jemalloc = jemalloc;
        this.timeout = timeout;
        this.logDirectory = logDirectory;
    }

    /** The child's command line. */
    List<String> command(String workload, String allocator, double scale) {
        var command = new ArrayList<String>();
        command.add(java.toString());
        command.addAll(JVM_OPTIONS);
        // A crash report lands with the logs, not in whatever directory the suite was started from.
        command.add("-XX:ErrorFile=" + logDirectory.toAbsolutePath().resolve(crashReportPrefix(workload, allocator)
                + "%p.log"));
        command.add(ERROR_LOG_TIMEOUT);
        command.addAll(List.of("-cp", classPath, mainClass, "--workload", workload, "--allocator", allocator,
                "--scale", Double.toString(scale)));
        return command;
    }

    /**
     * What the child's environment adds for {@code allocator}: jemalloc's preload; for tcmalloc,
     * {@code TCMALLOC_SKIP_SBRK=true}, because tcmalloc loaded beside glibc's malloc would move the
     * program break under it (glibc then aborts: "malloc assertion failure in sysmalloc", seen here
     * at JVM exit); nothing for the others.
     */
    Map<String, String> environment(String allocator) {
        return switch (allocator) {
            case JEMALLOC -> jemalloc.map(library -> Map.of("LD_PRELOAD", library.toString())).orElse(Map.of());
            case TCMALLOC -> Map.of("TCMALLOC_SKIP_SBRK", "true");
            default -> Map.of();
        };
    }

    /** The command as one shell line, to paste into a terminal. */
    String reproduction(String workload, String allocator, double scale) {
        String environment = environment(allocator).entrySet().stream()
                .map(variable -> variable.getKey() + "=" + shellQuote(variable.getValue()) + " ")
                .sorted()
                .collect(Collectors.joining());
        return environment + command(workload, allocator, scale).stream()
                .filter(argument -> !argument.startsWith("-XX:ErrorFile=") && !argument.equals(ERROR_LOG_TIMEOUT))
                .map(SuiteProcess::shellQuote)
                .collect(Collectors.joining(" "));
    }

    RunRecord run(String workload, String allocator, double scale) {
        long start = System.nanoTime();
        String logName = workload + "." + allocator;
        Path stdout = logDirectory.resolve(logName + ".out");
        Path stderr = logDirectory.resolve(logName + ".err");
        try {
            Files.createDirectories(logDirectory);
            var builder = new ProcessBuilder(command(workload, allocator, scale))
                    .redirectOutput(stdout.toFile())
                    .redirectError(stderr.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            Map<String, String> environment = builder.environment();
            environment.remove("LD_PRELOAD");
            environment.putAll(environment(allocator));
            Process child = builder.start();
            running.set(child);
            boolean finished = child.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!finished) {
                child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            running.set(null);
            double seconds = (System.nanoTime() - start) / 1e9;
            String out = Files.readString(stdout, StandardCharsets.UTF_8);
            String err = Files.readString(stderr, StandardCharsets.UTF_8);
            if (!finished) {
                return failed(workload, allocator, scale, seconds, String.format(Locale.ROOT,
                        "timed out after %d s and was killed (--timeout)", timeout.toSeconds()), out, err);
            }
            if (child.exitValue() != 0) {
                String summary = tellingLine(err).or(() -> tellingLine(out)).orElse("failed")
                        + " (exit status " + child.exitValue()
                        + (out.lines().anyMatch(line -> line.startsWith(RESULT_PREFIX))
                                ? ", after printing its RESULT line" : "")
                        + ")";
                return failed(workload, allocator, scale, seconds, summary, out, err);
            }
            err.lines().filter(line -> line.startsWith(NOTES_PREFIX)).findFirst()
                    .ifPresent(line -> allocatorNotes.putIfAbsent(allocator, line.substring(NOTES_PREFIX.length())));
            try {
                return RunRecord.measured(parseResult(out, workload, allocator), seconds);
            } catch (IllegalArgumentException unreadable) {
                return failed(workload, allocator, scale, seconds, unreadable.getMessage(), out, err);
            }
        } catch (IOException e) {
            return RunRecord.failed(workload, allocator, "could not run the child JVM: " + e,
                    (System.nanoTime() - start) / 1e9);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            destroyRunning();
            return RunRecord.failed(workload, allocator, "interrupted", (System.nanoTime() - start) / 1e9);
        }
    }

    /** What each allocator's runs said about it ({@code allocator.notes()}), by name. */
    Map<String, String> allocatorNotes() {
        return Map.copyOf(allocatorNotes);
    }

    /** Kills the child that is running, if any (the suite's shutdown hook, on Ctrl-C). */
    void destroyRunning() {
        Process child = running.getAndSet(null);
        if (child != null) {
            child.destroyForcibly();
        }
    }

    /**
     * The result in the last {@code RESULT} line of {@code stdout}.
     *
     * @throws IllegalArgumentException if there is none, it is not JSON, or it is another pair's
     */
    static WorkloadResult parseResult(String stdout, String workload, String allocator) {
        String line = stdout.lines()
                .filter(candidate -> candidate.startsWith(RESULT_PREFIX))
                .reduce((first, last) -> last)
                .orElseThrow(() -> new IllegalArgumentException("exited normally but printed no RESULT line"));
        WorkloadResult result;
        try {
            result = WorkloadResultJson.read(Json.parse(line.substring(RESULT_PREFIX.length())));
        } catch (IllegalArgumentException bad) {
            throw new IllegalArgumentException("unreadable RESULT line: " + bad.getMessage(), bad);
        }
        if (!result.workload().equals(workload) || !result.allocator().equals(allocator)) {
            throw new IllegalArgumentException("RESULT line is for " + result.workload() + " on " + result.allocator()
                    + ", not " + workload + " on " + allocator);
        }
        return result;
    }

    /**
     * A failed run: the summary, the command that reproduces it, the crash report's file if the JVM
     * wrote one, and the last lines of stderr and of stdout (where a crashing JVM prints its banner),
     * without the RESULT line.
     */
    private RunRecord failed(String workload, String allocator, double scale, double seconds, String summary,
            String stdout, String stderr) {
        var problem = new StringBuilder(summary)
                .append("\nReproduce with:\n  ").append(reproduction(workload, allocator, scale));
        crashReport(workload, allocator).ifPresent(file -> problem.append("\nCrash report: ").append(file));
        String errTail = tail(stderr.lines().toList(), STDERR_TAIL_LINES);
        problem.append(errTail.isBlank() ? "\n(stderr was empty)" : "\nLast lines of stderr:\n" + errTail);
        String outTail = tail(stdout.lines().filter(line -> !line.startsWith(RESULT_PREFIX)).toList(),
                STDOUT_TAIL_LINES);
        if (!outTail.isBlank()) {
            problem.append("\nLast lines of stdout:\n").append(outTail);
        }
        return RunRecord.failed(workload, allocator, problem.toString(), seconds);
    }

    private static String tail(List<String> lines, int count) {
        return String.join("\n", lines.subList(Math.max(0, lines.size() - count), lines.size()));
    }

    private static String crashReportPrefix(String workload, String allocator) {
        return "hs_err_" + workload + "." + allocator + "_pid";
    }

    /** The newest hs_err file of this pair in the log directory, if its JVM crashed. */
    private Optional<Path> crashReport(String workload, String allocator) {
        String prefix = crashReportPrefix(workload, allocator);
        try (var files = Files.list(logDirectory)) {
            return files.filter(file -> file.getFileName().toString().startsWith(prefix))
                    .max(Comparator.comparing(file -> file.toFile().lastModified()));
        } catch (IOException unreadable) {
            return Optional.empty();
        }
    }

    /** The first line of the output that says what went wrong: an exception, an error, a signal. */
    static Optional<String> tellingLine(String output) {
        return output.lines()
                .filter(line -> TELLING_LINE.matcher(line).find())
                .filter(line -> !line.startsWith("WARNING"))
                .map(line -> line.replaceFirst("^#\\s*", "").strip())
                .filter(line -> !line.isEmpty())
                .findFirst();
    }

    static String shellQuote(String text) {
        return text.matches("[A-Za-z0-9_./:=,+%@-]+") ? text : "'" + text.replace("'", "'\\''") + "'";
    }
}
