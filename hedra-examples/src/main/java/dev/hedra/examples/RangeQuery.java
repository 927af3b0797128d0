package dev.hedra.examples;

/**
 * An axis-aligned box to search a tree with; one per worker, moved from query to query (owner:
 * that worker thread).
 */
final class RangeQuery {

    private final double[] min = new double[3];
    private final double[] max = new double[3];

    /** Makes this the cube of side {@code side} centred on (x, y, z). */
    void moveTo(double x, double y, double z, double side) {
        double half = side / 2;
        min[0] = x - half;
        min[1] = y - half;
        min[2] = z - half;
        max[0] = x + half;
        max[1] = y + half;
        max[2] = z + half;
    }

    double min(int axis) {
        return min[axis];
    }

    double max(int axis) {
        return max[axis];
    }

    boolean contains(double x, double y, double z) {
        return x >= min[0] && x <= max[0] && y >= min[1] && y <= max[1] && z >= min[2] && z <= max[2];
    }
}
