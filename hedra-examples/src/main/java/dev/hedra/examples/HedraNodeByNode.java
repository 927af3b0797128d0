package dev.hedra.examples;

import dev.hedra.NativeAllocator;
import dev.hedra.NativeHeap;

/**
 * Hedra, "hedra-free": one {@link NativeHeap} per worker for all its trees, each node freed on
 * its own ({@code heap.free(node, 40)}) when its tree is torn down. This is the shape of code
 * whose nodes do not die together (a mesh edited in place, a tree that deletes points); here it
 * shows what a walk and a free per node cost next to closing a heap. The freed blocks are
 * reused by the worker's next tree, so the heap's pages stay warm and mapped.
 */
final class HedraNodeByNode implements Backend {

    private final NativeAllocator allocator;

    HedraNodeByNode(NativeAllocator allocator) {
        this.allocator = allocator;
    }

    @Override
    public String name() {
        return "hedra-free";
    }

    @Override
    public WorkerMemory newWorkerMemory(String workerName) {
        NativeHeap nodes = allocator.newHeap(workerName);
        KdTree.NodeStack pending = new KdTree.NodeStack();
        KdTree.NodeFreer freeNode = node -> nodes.free(node, KdTree.NODE_BYTES);
        return new WorkerMemory() {
            @Override
            public void beginTree() {}

            @Override
            public long allocateNode() {
                return nodes.malloc(KdTree.NODE_BYTES);
            }

            @Override
            public void endTree(long root) {
                KdTree.freeEachNode(root, freeNode, pending);
            }

            @Override
            public long allocateResult(long byteSize) {
                return allocator.malloc(byteSize);
            }

            @Override
            public void close() {
                nodes.close();
            }
        };
    }

    @Override
    public void freeResultRemotely(long address, long byteSize) {
        allocator.free(address, byteSize);
    }
}
