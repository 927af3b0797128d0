package dev.hedra.bench.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The C recorder, built by Maven into target/native, records a tiny C program's calls. Skipped
 * (with the reason) when the library or a C compiler is missing.
 */
class RecorderTest {

    private static final String PROGRAM = """
            #include <malloc.h>
            #include <pthread.h>
            #include <stdlib.h>
            #include <string.h>

            static void *handed_over;

            static void *worker(void *unused) {
                (void)unused;
                void *own = malloc(7777);
                memset(own, 1, 7777);
                free(own);
                free(handed_over); /* allocated by main, freed here */
                return NULL;
            }

            int main(void) {
                char *a = malloc(1111);
                void *b = calloc(3, 333);
                a = realloc(a, 11111);
                void *c;
                if (posix_memalign(&c, 64, 2222) != 0) return 1;
                void *d = aligned_alloc(256, 4608);
                void *e = memalign(32, 3333);
                handed_over = malloc(4444);
                pthread_t thread;
                pthread_create(&thread, NULL, worker, NULL);
                pthread_join(thread, NULL);
                free(a);
                free(b);
                free(c);
                free(d);
                free(e);
                void *kept = malloc(5555); /* never freed: the converter closes it */
                (void)kept;
                return 0;
            }
            """;

    @Test
    void recordsATinyProgram(@TempDir Path directory) throws Exception {
        Path library = Path.of(System.getProperty("hedra.trace.library", "target/native/libhedratrace.so"));
        assumeTrue(Files.isRegularFile(library),
                "the trace recorder " + library + " was not built (no C compiler at build time?)");
        Path source = directory.resolve("tiny.c");
        Path program = directory.resolve("tiny");
        Files.writeString(source, PROGRAM);
        int compiled = run(List.of("cc", "-O0", "-o", program.toString(), source.toString(), "-lpthread"),
                null, null);
        assumeTrue(compiled == 0, "cc could not compile the test program");

        Path recordingFile = directory.resolve("tiny.raw");
        int exit = run(List.of(program.toString()), library.toAbsolutePath(), recordingFile);
        assertEquals(0, exit, "the recorded program failed");

        Recording recording = Recording.read(recordingFile);
        assertEquals(1, recording.processes().size());
        var result = TraceConverter.convert(recording.processes().getFirst(), "tiny", "tiny.c");
        Trace trace = result.trace();
        List<String> ours = new ArrayList<>();
        for (int i = 0; i < trace.eventCount(); i++) {
            long size = trace.size(i);
            boolean mine = java.util.Set.of(1111L, 999L, 11111L, 2222L, 4608L, 3333L, 4444L, 7777L, 5555L)
                    .contains(size);
            if (trace.op(i) != Trace.FREE && mine) {
                ours.add(Trace.opName(trace.op(i)) + " " + size + " t" + trace.thread(i)
                        + (trace.op(i) == Trace.ALIGNED ? " align " + (1 << trace.alignmentShift(i)) : ""));
            }
        }
        assertEquals(List.of(
                "malloc 1111 t0",
                "calloc 999 t0",
                "realloc 11111 t0",
                "aligned 2222 t0 align 64",
                "aligned 4608 t0 align 256",
                "aligned 3333 t0 align 32",
                "malloc 4444 t0",
                "malloc 7777 t1",
                "malloc 5555 t0"), ours);
        assertTrue(trace.threadCount() >= 2, "the worker thread was recorded");
        assertTrue(crossThreadFreeOf(trace, 4444), "main's block freed by the worker");
        assertTrue(result.report().freedAtEnd() >= 1, "the kept block is closed by the converter");
    }

    /** Whether the block allocated with {@code size} was freed by another thread than its own. */
    private static boolean crossThreadFreeOf(Trace trace, long size) {
        for (int i = 0; i < trace.eventCount(); i++) {
            if (trace.op(i) == Trace.MALLOC && trace.size(i) == size) {
                for (int j = i + 1; j < trace.eventCount(); j++) {
                    if (trace.slot(j) == trace.slot(i) && trace.op(j) == Trace.FREE) {
                        return trace.thread(j) != trace.thread(i);
                    }
                }
            }
        }
        return false;
    }

    private static int run(List<String> command, Path preload, Path recording)
            throws IOException, InterruptedException {
        var builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        if (preload != null) {
            builder.environment().put("LD_PRELOAD", preload.toString());
            builder.environment().put("HEDRA_TRACE_FILE", recording.toString());
        }
        Process process;
        try {
            process = builder.start();
        } catch (IOException notFound) {
            assumeTrue(false, command.getFirst() + " cannot run: " + notFound.getMessage());
            throw notFound;
        }
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(command + " did not finish in 60 s");
        }
        return process.exitValue();
    }
}
