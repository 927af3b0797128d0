package dev.hedra.examples;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The oracle: the same workload with a plain Java k-d tree (an object per node), built, searched
 * and hashed in the same order as {@link KdTree} and {@link ResultBlock}, so it must produce the
 * same checksum without touching native memory.
 */
final class OnHeapKdTree {

    private static final class Node {
        final double[] point;
        Node left;
        Node right;

        Node(double[] point) {
            this.point = point;
        }
    }

    /** What the collector sums over a whole run. */
    record Totals(long checksum, long hits) {}

    static Totals run(Workload workload) {
        long checksum = 0;
        long hits = 0;
        for (int tree = 0; tree < workload.trees(); tree++) {
            SplitMix64 inputs = workload.inputsOf(tree);
            Node root = null;
            for (int i = 0; i < workload.points(); i++) {
                Node node = new Node(new double[] {inputs.nextDouble(), inputs.nextDouble(), inputs.nextDouble()});
                root = root == null ? node : insert(root, node);
            }
            long hash = SplitMix64.mix(tree);
            RangeQuery query = new RangeQuery();
            for (int q = 0; q < workload.queries(); q++) {
                query.moveTo(inputs.nextDouble(), inputs.nextDouble(), inputs.nextDouble(), workload.boxSide());
                Deque<Node> nodes = new ArrayDeque<>();
                Deque<Integer> axes = new ArrayDeque<>();
                nodes.push(root);
                axes.push(0);
                while (!nodes.isEmpty()) {
                    Node node = nodes.pop();
                    int axis = axes.pop();
                    double[] p = node.point;
                    if (query.contains(p[0], p[1], p[2])) {
                        hits++;
                        for (double coordinate : p) {
                            hash = SplitMix64.mix(hash ^ Double.doubleToRawLongBits(coordinate));
                        }
                    }
                    int next = (axis + 1) % 3;
                    if (node.right != null && query.max(axis) >= p[axis]) {
                        nodes.push(node.right);
                        axes.push(next);
                    }
                    if (node.left != null && query.min(axis) < p[axis]) {
                        nodes.push(node.left);
                        axes.push(next);
                    }
                }
            }
            checksum += hash;
        }
        return new Totals(checksum, hits);
    }

    private static Node insert(Node root, Node node) {
        Node parent = root;
        for (int axis = 0; ; axis = (axis + 1) % 3) {
            if (node.point[axis] < parent.point[axis]) {
                if (parent.left == null) {
                    parent.left = node;
                    return root;
                }
                parent = parent.left;
            } else {
                if (parent.right == null) {
                    parent.right = node;
                    return root;
                }
                parent = parent.right;
            }
        }
    }
}
