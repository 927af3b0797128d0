package dev.hedra.internal;

/**
 * One 4 MiB area of medium blocks: 1,024 granules of 4 KiB split into spans, each span free or
 * one block. All metadata is here, none in the memory:
 *
 * <pre>
 *   granule    0    1    2    3    4    5 ...                        1023
 *   spans     [used 3 ------][free 2 --][used 1][free ...                ]
 *   length[start] = span length in granules (0 inside a span)
 *   startOf[last] = start of the span that ends at granule last (finds the left neighbour)
 *   free[start]   = whether the span is free; free spans are also on the owner's size lists
 * </pre>
 *
 * Invariants: spans tile the area; no two free spans are adjacent (they are merged on free).
 * Guarded by the lock of {@link #owner}.
 */
final class MediumArea {

    static final int GRANULE_SHIFT = 12;
    static final int GRANULES = (int) ((AddressSpace.UNIT * AddressSpace.AREA_UNITS) >>> GRANULE_SHIFT);

    final long base;
    final MediumSpans owner;
    int index; // position in the owner's area array

    final int[] length = new int[GRANULES];
    final int[] startOf = new int[GRANULES];
    final boolean[] free = new boolean[GRANULES];
    // Links of the free-span size lists, as (area index << 10 | granule), -1 at the ends.
    final int[] nextFree = new int[GRANULES];
    final int[] previousFree = new int[GRANULES];
    int usedGranules;

    MediumArea(MediumSpans owner, long base) {
        this.owner = owner;
        this.base = base;
        java.util.Arrays.fill(nextFree, -1);
        java.util.Arrays.fill(previousFree, -1);
    }

    long address(int granule) {
        return base + ((long) granule << GRANULE_SHIFT);
    }

    /** Records a span [start, start + granules) with the given state. */
    void setSpan(int start, int granules, boolean isFree) {
        length[start] = granules;
        startOf[start + granules - 1] = start;
        free[start] = isFree;
    }
}
