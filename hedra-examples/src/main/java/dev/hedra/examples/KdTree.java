package dev.hedra.examples;

import static dev.hedra.examples.RawMemory.getDouble;
import static dev.hedra.examples.RawMemory.getLong;
import static dev.hedra.examples.RawMemory.putDouble;
import static dev.hedra.examples.RawMemory.putLong;

import java.util.Arrays;

/**
 * A 3-D k-d tree in native memory: one 40-byte node per point, linked by raw addresses, with no
 * Java object per node.
 *
 * <pre>
 *   offset  0  x      double
 *           8  y      double
 *          16  z      double
 *          24  left   long   address of the subtree whose split coordinate is smaller, 0 if none
 *          32  right  long   address of the subtree whose split coordinate is greater or equal
 * </pre>
 *
 * The split axis of a node is its depth modulo 3 (x, y, z, x, ...), so it is not stored.
 * Points are inserted one at a time in random order, which keeps the expected depth logarithmic
 * without sorting, and makes building a tree one small allocation per point: the pattern of
 * the geometry tools this example stands for (meshes, trees, graphs of many small nodes).
 */
final class KdTree {

    static final long NODE_BYTES = 40;
    private static final long LEFT = 24;
    private static final long RIGHT = 32;
    /** The low bits of a node's address on a search stack: its split axis (0, 1 or 2). */
    private static final long AXIS_BITS = 3;

    private KdTree() {}

    /** Writes every field of a fresh node: allocators other than arenas hand out dirty memory. */
    static void initNode(long node, double x, double y, double z) {
        putDouble(node, x);
        putDouble(node + 8, y);
        putDouble(node + 16, z);
        putLong(node + LEFT, 0);
        putLong(node + RIGHT, 0);
    }

    /**
     * Links an initialised node into the tree below {@code root}.
     *
     * @return the root: {@code node} itself when the tree was empty
     */
    static long insert(long root, long node) {
        if (root == 0) {
            return node;
        }
        long parent = root;
        int axis = 0;
        while (true) {
            long link = coordinate(node, axis) < coordinate(parent, axis) ? parent + LEFT : parent + RIGHT;
            long child = getLong(link);
            if (child == 0) {
                putLong(link, node);
                return root;
            }
            parent = child;
            axis = nextAxis(axis);
        }
    }

    /**
     * Adds to {@code hits} every point of the tree inside the query's box, in a fixed
     * depth-first order (so a tree gives the same hits in the same order on every back end).
     */
    static void search(long root, RangeQuery query, HitList hits, NodeStack pending) {
        // A loop over an explicit stack rather than recursion: the JIT compiles one flat loop,
        // inlining every memory access, the same way in every JVM. A node is 8-aligned, so its
        // address's low bits are free to carry the node's split axis.
        if (root == 0) {
            return;
        }
        pending.push(root);
        while (!pending.isEmpty()) {
            long entry = pending.pop();
            long node = entry & ~AXIS_BITS;
            int axis = (int) (entry & AXIS_BITS);
            double x = getDouble(node);
            double y = getDouble(node + 8);
            double z = getDouble(node + 16);
            if (query.contains(x, y, z)) {
                hits.add(x, y, z);
            }
            double split = axis == 0 ? x : axis == 1 ? y : z;
            long next = nextAxis(axis);
            long right = getLong(node + RIGHT);
            if (right != 0 && query.max(axis) >= split) {
                pending.push(right | next); // pushed first, visited after the left side
            }
            long left = getLong(node + LEFT);
            if (left != 0 && query.min(axis) < split) {
                pending.push(left | next);
            }
        }
    }

    /** Receives each node of a tree being torn down. */
    interface NodeFreer {
        void freeNode(long node);
    }

    /**
     * Hands every node to {@code freer}, for back ends that free node by node. A node's children
     * are read before the node itself is freed.
     */
    static void freeEachNode(long root, NodeFreer freer, NodeStack pending) {
        if (root == 0) {
            return;
        }
        pending.push(root);
        while (!pending.isEmpty()) {
            long node = pending.pop();
            long left = getLong(node + LEFT);
            long right = getLong(node + RIGHT);
            freer.freeNode(node);
            if (left != 0) {
                pending.push(left);
            }
            if (right != 0) {
                pending.push(right);
            }
        }
    }

    private static double coordinate(long node, int axis) {
        return getDouble(node + 8L * axis);
    }

    private static int nextAxis(int axis) {
        return axis == 2 ? 0 : axis + 1;
    }

    /** The nodes still to visit in a search or a tear-down; reused by one worker, tree after tree. */
    static final class NodeStack {
        private long[] addresses = new long[128];
        private int size;

        void push(long address) {
            if (size == addresses.length) {
                addresses = Arrays.copyOf(addresses, 2 * size);
            }
            addresses[size++] = address;
        }

        long pop() {
            return addresses[--size];
        }

        boolean isEmpty() {
            return size == 0;
        }
    }
}
