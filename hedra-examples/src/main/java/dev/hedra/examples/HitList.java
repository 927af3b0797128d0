package dev.hedra.examples;

import java.util.Arrays;

/**
 * The points a tree's queries found, in the order found, gathered on the Java heap until the
 * tree is done and their count is known; then copied into one native result block of exactly
 * the right size. One per worker, cleared tree after tree (owner: that worker thread), so it
 * stops allocating once it has grown to the largest tree's hits.
 */
final class HitList {

    private double[] coordinates = new double[3 * 1024]; // x, y, z of each hit
    private int size;

    void clear() {
        size = 0;
    }

    void add(double x, double y, double z) {
        int at = 3 * size;
        if (at == coordinates.length) {
            coordinates = Arrays.copyOf(coordinates, 2 * coordinates.length);
        }
        coordinates[at] = x;
        coordinates[at + 1] = y;
        coordinates[at + 2] = z;
        size++;
    }

    int size() {
        return size;
    }

    /** Coordinate {@code axis} (0 = x, 1 = y, 2 = z) of hit {@code index}. */
    double coordinate(int index, int axis) {
        return coordinates[3 * index + axis];
    }
}
