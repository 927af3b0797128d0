package dev.hedra.examples;

import dev.hedra.NativeAllocator;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/** The back ends by command-line name, in table order: Hedra's variants first. */
enum BackendKind {
    HEDRA("hedra", "Hedra: a NativeHeap per tree, closed whole; results malloc'd, freed remotely"),
    HEDRA_FREE("hedra-free", "Hedra: a NativeHeap per worker, nodes freed one by one; results as hedra"),
    HEDRA_POOL("hedra-pool", "Hedra: a FixedPool of nodes per worker, nodes freed one by one; results as hedra"),
    HEDRA_ARENA("hedra-arena", "Hedra: a confined HedraArena per tree; results as hedra"),
    ARENA("arena", "JDK: an Arena.ofConfined() per tree; results each in an Arena.ofShared()"),
    MALLOC("malloc", "glibc malloc/free through critical FFM downcalls; nodes freed one by one");

    private final String label;
    private final String description;

    BackendKind(String label, String description) {
        this.label = label;
        this.description = description;
    }

    String label() {
        return label;
    }

    /** One line on how the back end gets and frees memory, for the table's legend. */
    String description() {
        return description;
    }

    boolean isHedra() {
        return this != ARENA && this != MALLOC;
    }

    /**
     * Creates the back end; Hedra's variants take their memory from {@code hedra}, so that a test
     * can hand in an allocator of its own and check it is empty afterwards.
     */
    Backend create(NativeAllocator hedra) {
        return switch (this) {
            case HEDRA -> new HedraHeapPerTree(hedra);
            case HEDRA_FREE -> new HedraNodeByNode(hedra);
            case HEDRA_POOL -> new HedraPoolPerWorker(hedra);
            case HEDRA_ARENA -> new HedraArenaPerTree(hedra);
            case ARENA -> new JdkArenaPerTree();
            case MALLOC -> new MallocBackend();
        };
    }

    static BackendKind byLabel(String label) {
        for (BackendKind kind : values()) {
            if (kind.label.equals(label)) {
                return kind;
            }
        }
        throw new IllegalArgumentException("unknown back end '" + label + "': expected one of " + labels() + " or all");
    }

    static String labels() {
        return Arrays.stream(values()).map(BackendKind::label).collect(Collectors.joining(", "));
    }

    /** Parses "all" or a comma-separated list of names. */
    static List<BackendKind> parseList(String text) {
        if (text.equals("all")) {
            return List.of(values());
        }
        List<BackendKind> kinds = Arrays.stream(text.split(",")).map(String::strip).map(BackendKind::byLabel)
                .distinct().sorted().toList();
        if (kinds.isEmpty()) {
            throw new IllegalArgumentException("no back end named in '" + text + "'");
        }
        return kinds;
    }
}
