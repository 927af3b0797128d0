package dev.hedra.examples;

import dev.hedra.HedraArena;
import dev.hedra.NativeAllocator;

/**
 * Hedra, "hedra-arena": the "arena" back end with Hedra's confined arena in place of
 * {@code Arena.ofConfined()}: nodes bumped through 64 KiB chunks, the tree freed by one
 * {@code close()}. Nodes are allocated uninitialised since {@link KdTree#initNode} writes every
 * byte. Results as in "hedra".
 */
final class HedraArenaPerTree implements Backend {

    private final NativeAllocator allocator;

    HedraArenaPerTree(NativeAllocator allocator) {
        this.allocator = allocator;
    }

    @Override
    public String name() {
        return "hedra-arena";
    }

    @Override
    public WorkerMemory newWorkerMemory(String workerName) {
        return new WorkerMemory() {
            private HedraArena tree; // owner: the worker (a confined arena checks it)

            @Override
            public void beginTree() {
                tree = allocator.newConfinedArena();
            }

            @Override
            public long allocateNode() {
                return tree.allocateUninitialized(KdTree.NODE_BYTES, 8).address();
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
