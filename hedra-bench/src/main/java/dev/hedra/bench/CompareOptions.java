package dev.hedra.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/** The command line of {@link Compare}. */
record CompareOptions(
        List<Workload> workloads, List<PeerKind> peers, RunSettings settings, Optional<Path> outputDirectory,
        boolean help) {

    static final String USAGE = """
            Usage: scripts/bench --micro (the suite, then this comparison)
               or: java --enable-native-access=ALL-UNNAMED -cp hedra-bench/target/benchmarks.jar \\
                        dev.hedra.bench.Compare [options]

            Runs Hedra's workloads against the peer allocators with JMH and prints, per workload, each
            allocator's time per operation, Hedra's speedup over the fastest peer (peer time / Hedra
            time) against its target, and the Java heap allocated per operation (gc.alloc.rate.norm).

              --workloads a,b,c,d   workloads to run (default: all)
                                      a  malloc 64 B, write, free                       target 3x
                                      b  1,024 mixed 8 B-1 KiB, shuffled frees          target 3x
                                      c  b on 2 threads                                 target 3x
                                      d  64 B from a producer to a consumer thread      target 2x
              --allocators LIST     allocators to run (default: all):
                                      %s
                                    Hedra is always included: the tables compare with it.
              --quick               a short smoke run (%s)
                                    instead of the default (%s)
              --out DIR             also write measurements.csv, summary.csv, results.json and jmh.log
              --help                print this

            One workload on one allocator, with plain JMH:
              java --enable-native-access=ALL-UNNAMED -jar hedra-bench/target/benchmarks.jar \\
                   MixedBatchBenchmark.oneThread -p allocator=mimalloc
            """.formatted(PeerKind.allNames(), RunSettings.QUICK.describe(), RunSettings.DEFAULT.describe());

    /**
     * Parses the arguments.
     *
     * @throws IllegalArgumentException naming the bad argument
     */
    static CompareOptions parse(String... args) {
        List<Workload> workloads = List.of(Workload.values());
        List<PeerKind> peers = List.of(PeerKind.values());
        RunSettings settings = RunSettings.DEFAULT;
        Optional<Path> outputDirectory = Optional.empty();
        boolean help = false;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "--workloads" -> workloads = list(valueOf(args, ++i, arg), Workload::byLabel);
                case "--allocators" -> peers = list(valueOf(args, ++i, arg), PeerKind::byName);
                case "--quick" -> settings = RunSettings.QUICK;
                case "--out" -> outputDirectory = Optional.of(Path.of(valueOf(args, ++i, arg)));
                case "--help", "-h" -> help = true;
                default -> throw new IllegalArgumentException("unknown option '" + arg + "'");
            }
        }
        return new CompareOptions(workloads, withHedraFirst(peers), settings, outputDirectory, help);
    }

    private static String valueOf(String[] args, int index, String option) {
        if (index >= args.length || args[index].startsWith("--")) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[index];
    }

    /** Parses a comma-separated list in table order, without repeats. */
    private static <T extends Enum<T>> List<T> list(String commaSeparated, Function<String, T> byName) {
        var chosen = new LinkedHashSet<T>();
        for (String name : commaSeparated.split(",")) {
            if (!name.isBlank()) {
                chosen.add(byName.apply(name.strip()));
            }
        }
        if (chosen.isEmpty()) {
            throw new IllegalArgumentException("empty list: '" + commaSeparated + "'");
        }
        var ordered = new ArrayList<>(chosen);
        ordered.sort(null);
        return List.copyOf(ordered);
    }

    // The table compares Hedra with the others, so it is always measured, and shown first.
    private static List<PeerKind> withHedraFirst(List<PeerKind> peers) {
        var ordered = new ArrayList<PeerKind>();
        ordered.add(PeerKind.HEDRA);
        peers.stream().filter(peer -> peer != PeerKind.HEDRA).forEach(ordered::add);
        return List.copyOf(ordered);
    }

    @Override
    public String toString() {
        return "workloads " + Arrays.toString(workloads.stream().map(Workload::label).toArray())
                + ", allocators " + Arrays.toString(peers.stream().map(PeerKind::peerName).toArray());
    }
}
