package dev.hedra.examples;

import dev.hedra.NativeAllocator;
import dev.hedra.NativeHeap;

/**
 * Hedra, "hedra": each tree gets its own {@link NativeHeap} and is freed with one
 * {@code heap.close()}, in time proportional to the tree's pages rather than its nodes, like
 * closing an arena, while a node could still be freed on its own. Closing gives the pages back
 * to the system at once, so the next tree's heap starts on fresh ones: a page fault per 4 KiB
 * touched, which "hedra-free" (pages kept by one heap per worker) does not pay. Results come from the
 * worker's thread heap ({@code allocator.malloc}) and the collector frees them with
 * {@code allocator.free}: a remote free, one atomic OR.
 *
 * <p>Results cannot live in the tree's heap: it is closed when the task ends, and the collector
 * may not have read them yet.
 */
final class HedraHeapPerTree implements Backend {

    private final NativeAllocator allocator;

    HedraHeapPerTree(NativeAllocator allocator) {
        this.allocator = allocator;
    }

    @Override
    public String name() {
        return "hedra";
    }

    @Override
    public WorkerMemory newWorkerMemory(String workerName) {
        return new WorkerMemory() {
            private NativeHeap tree; // owner: the worker

            @Override
            public void beginTree() {
                tree = allocator.newHeap(workerName);
            }

            @Override
            public long allocateNode() {
                return tree.malloc(KdTree.NODE_BYTES);
            }

            @Override
            public void endTree(long root) {
                tree.close();
                tree = null;
            }

            @Override
            public long allocateResult(long byteSize) {
                return allocator.malloc(byteSize);
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
        allocator.free(address, byteSize);
    }
}
