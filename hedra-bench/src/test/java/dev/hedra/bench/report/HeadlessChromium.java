package dev.hedra.bench.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Debian's Chromium, headless, for testing the report's page: the DOM after the page's scripts
 * ran ({@code --dump-dom}), the console messages it logged ({@code --enable-logging=stderr}
 * writes each as an {@code INFO:CONSOLE} line, errors and uncaught exceptions included), and
 * screenshots. Each call gets a fresh profile directory and no network beyond the machine.
 */
final class HeadlessChromium {

    private static final List<String> CANDIDATES = List.of(
            "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome");
    private static final long TIMEOUT_SECONDS = 120;

    private final Path executable;

    private HeadlessChromium(Path executable) {
        this.executable = executable;
    }

    /** The installed Chromium, if there is one (Debian: {@code apt-get install chromium}). */
    static Optional<HeadlessChromium> find() {
        return CANDIDATES.stream().map(Path::of).filter(Files::isExecutable).findFirst().map(HeadlessChromium::new);
    }

    /** What one page load produced. */
    record Page(String dom, List<String> console, int exitStatus, String stderr) {}

    Page load(Path html) throws IOException, InterruptedException {
        Run run = run(List.of("--enable-logging=stderr", "--v=0", "--dump-dom", html.toUri().toString()));
        List<String> console = run.stderr().lines()
                .filter(line -> line.contains(":CONSOLE") || line.contains("Uncaught"))
                .toList();
        return new Page(run.stdout(), console, run.exitStatus(), run.stderr());
    }

    /** A screenshot of the top {@code width x height} pixels of the page. */
    void screenshot(Path html, Path png, int width, int height) throws IOException, InterruptedException {
        Files.deleteIfExists(png);
        Run run = run(List.of("--hide-scrollbars", "--window-size=" + width + "," + height,
                "--screenshot=" + png.toAbsolutePath(), html.toUri().toString()));
        if (run.exitStatus() != 0 || !Files.exists(png)) {
            throw new IOException("chromium --screenshot failed with status " + run.exitStatus() + ":\n" + run.stderr());
        }
    }

    private record Run(String stdout, String stderr, int exitStatus) {}

    private Run run(List<String> arguments) throws IOException, InterruptedException {
        Path profile = Files.createTempDirectory("hedra-report-chromium-");
        Path stdout = profile.resolveSibling(profile.getFileName() + ".out");
        Path stderr = profile.resolveSibling(profile.getFileName() + ".err");
        try {
            var command = new ArrayList<>(List.of(executable.toString(),
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--user-data-dir=" + profile));
            command.addAll(arguments);
            Process chromium = new ProcessBuilder(command)
                    .redirectOutput(stdout.toFile())
                    .redirectError(stderr.toFile())
                    .start();
            if (!chromium.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                chromium.destroyForcibly().waitFor();
                throw new IOException("chromium did not finish within " + TIMEOUT_SECONDS + " s: " + command);
            }
            return new Run(Files.readString(stdout, StandardCharsets.UTF_8),
                    Files.readString(stderr, StandardCharsets.UTF_8), chromium.exitValue());
        } finally {
            Files.deleteIfExists(stdout);
            Files.deleteIfExists(stderr);
            deleteTree(profile);
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
