package dev.hedra.examples;

import java.lang.foreign.Arena;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The JDK alone, "arena": an {@code Arena.ofConfined()} per tree, closed when the task ends.
 *
 * <p>Results: a confined arena's memory can only be freed by closing the arena, on its owner
 * thread, so it cannot hold a block that another thread frees. The JDK's way to free one block
 * from any thread is to give it an {@code Arena.ofShared()} of its own and close that arena where
 * the block dies; that is what this back end does, once per tree. The collector receives a bare address, so the
 * back end remembers each open result's arena by address ({@code ConcurrentHashMap}), as a
 * program passing addresses between threads would have to.
 *
 * <p>Each {@code allocate} of the JDK's arenas is a {@code malloc} plus zeroing and a cleanup
 * record, and closing a shared arena synchronises with the threads that might be using it.
 */
final class JdkArenaPerTree implements Backend {

    /** Any thread: workers put, the collector removes. */
    private final ConcurrentHashMap<Long, Arena> resultArenas = new ConcurrentHashMap<>();

    @Override
    public String name() {
        return "arena";
    }

    @Override
    public WorkerMemory newWorkerMemory(String workerName) {
        return new WorkerMemory() {
            private Arena tree; // owner: the worker (the arena checks it)

            @Override
            public void beginTree() {
                tree = Arena.ofConfined();
            }

            @Override
            public long allocateNode() {
                return tree.allocate(KdTree.NODE_BYTES, 8).address();
            }

            @Override
            public void endTree(long root) {
                tree.close();
                tree = null;
            }

            @Override
            public long allocateResult(long byteSize) {
                Arena result = Arena.ofShared();
                long address = result.allocate(byteSize, 8).address();
                resultArenas.put(address, result);
                return address;
            }

            @Override
            public void close() {
                if (tree != null) {
                    tree.close(); // a task failed mid-tree
                }
            }
        };
    }

    @Override
    public void freeResultRemotely(long address, long byteSize) {
        resultArenas.remove(address).close();
    }

    @Override
    public void close() {
        resultArenas.values().forEach(Arena::close); // only after a failed run
        resultArenas.clear();
    }
}
