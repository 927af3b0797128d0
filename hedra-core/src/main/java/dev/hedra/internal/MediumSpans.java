package dev.hedra.internal;

import java.util.Arrays;

/**
 * Medium blocks (above the largest size class, up to {@link #MAX_SIZE}) of one heap: best fit
 * over its 4 MiB {@link MediumArea}s, at 4 KiB granularity, merging free neighbours on free.
 *
 * <p>Free spans sit on one list per length (1 to 1,024 granules) and a bitmap marks the
 * non-empty lists, so the best fit is the first set bit at or above the wanted length.
 *
 * <p>Medium operations are far rarer than small ones and cost a page of memory each, so this
 * class takes a lock rather than a deferred-free protocol: any thread frees here directly, under
 * the lock of this object. Every field is guarded by it.
 */
final class MediumSpans {

    /** Largest medium block; larger ones are mapped directly. */
    static final long MAX_SIZE = 2L * 1024 * 1024;
    static final long GRANULE = 1L << MediumArea.GRANULE_SHIFT;
    private static final int NONE = -1;

    private final AddressSpace space;
    final ThreadHeap heap;
    private MediumArea[] areas = new MediumArea[4];
    private int areaCount;
    private final int[] listHead = new int[MediumArea.GRANULES + 1];
    private final long[] listNonEmpty = new long[(MediumArea.GRANULES >>> 6) + 1];

    // statistics, guarded by this (allocations are counted by the heap)
    long frees;
    long bytesInUse;
    private boolean areaTaken;

    MediumSpans(AddressSpace space, ThreadHeap heap) {
        this.space = space;
        this.heap = heap;
        Arrays.fill(listHead, NONE);
    }

    static int granules(long size) {
        return (int) ((size + GRANULE - 1) >>> MediumArea.GRANULE_SHIFT);
    }

    /** Whether {@code size} with {@code alignment} fits in an area; else it is a huge block. */
    static boolean fits(long size, long alignment) {
        long slack = alignment > GRANULE ? alignment - GRANULE : 0;
        return size <= MAX_SIZE && granules(size) + (slack >>> MediumArea.GRANULE_SHIFT) <= MediumArea.GRANULES;
    }

    /** Allocates {@code size} bytes aligned to {@code alignment} (at least a granule applies). */
    synchronized long allocate(long size, long alignment) {
        int wanted = granules(size);
        int alignGranules = alignment > GRANULE ? (int) (alignment >>> MediumArea.GRANULE_SHIFT) : 1;
        int search = wanted + alignGranules - 1; // any span this long holds an aligned start
        int found = findList(search);
        if (found == NONE) {
            newArea(size);
            found = findList(search);
        }
        int id = listHead[found];
        MediumArea area = areas[id >>> 10];
        int start = id & 1023;
        int spanLength = area.length[start];
        unlink(area, start);
        long address = area.address(start);
        int front = (int) ((((address + alignment - 1) & -alignment) - address) >>> MediumArea.GRANULE_SHIFT);
        if (alignment <= GRANULE) {
            front = 0;
        }
        if (front > 0) {
            area.setSpan(start, front, true);
            link(area, start);
        }
        int blockStart = start + front;
        area.setSpan(blockStart, wanted, false);
        int rest = spanLength - front - wanted;
        if (rest > 0) {
            area.setSpan(blockStart + wanted, rest, true);
            link(area, blockStart + wanted);
        }
        area.usedGranules += wanted;
        bytesInUse += (long) wanted << MediumArea.GRANULE_SHIFT;
        return area.address(blockStart);
    }

    /**
     * Frees the block at {@code address} in {@code area}; {@code size} is the size from a sized
     * free, or -1. Returns the usable size freed.
     */
    synchronized long free(MediumArea area, long address, long size) {
        int start = checkedStart(area, address);
        int spanLength = area.length[start];
        if (size >= 0 && granules(size) != spanLength) {
            throw Errors.sizeMismatch(address, size, (long) spanLength << MediumArea.GRANULE_SHIFT);
        }
        long freed = (long) spanLength << MediumArea.GRANULE_SHIFT;
        area.free[start] = true;
        area.usedGranules -= spanLength;
        frees++;
        bytesInUse -= (long) spanLength << MediumArea.GRANULE_SHIFT;
        int end = start + spanLength;
        if (end < MediumArea.GRANULES && area.free[end]) { // merge the right neighbour
            spanLength += absorb(area, end);
        }
        if (start > 0) { // merge the left neighbour
            int left = area.startOf[start - 1];
            if (area.free[left]) {
                unlink(area, left);
                area.length[start] = 0;
                area.free[start] = false;
                spanLength += area.length[left];
                start = left;
            }
        }
        area.setSpan(start, spanLength, true);
        if (area.usedGranules == 0 && areaCount > 1) {
            releaseArea(area, start);
        } else {
            link(area, start);
        }
        return freed;
    }

    /** Usable bytes of the live block at {@code address}. */
    synchronized long usableSize(MediumArea area, long address) {
        return (long) area.length[checkedStart(area, address)] << MediumArea.GRANULE_SHIFT;
    }

    /**
     * Resizes the live block at {@code address} in {@code area} to {@code newSize} (a medium
     * size) where it is, if it can: a shrink frees its tail, merged with a free right neighbour;
     * a growth takes the front of a free right neighbour that is long enough. Counted as a free
     * of the old block; the caller counts the allocation of the new one, as for a moving realloc.
     *
     * @return whether the block was resized; if not, nothing changed
     */
    synchronized boolean resizeInPlace(MediumArea area, long address, long newSize) {
        int start = checkedStart(area, address);
        int length = area.length[start];
        int wanted = granules(newSize);
        int end = start + length;
        if (wanted > length) {
            int growth = wanted - length;
            if (end == MediumArea.GRANULES || !area.free[end] || area.length[end] < growth) {
                return false;
            }
            int right = absorb(area, end);
            area.setSpan(start, wanted, false);
            if (right > growth) {
                area.setSpan(start + wanted, right - growth, true);
                link(area, start + wanted);
            }
        } else if (wanted < length) {
            int tail = length - wanted;
            area.setSpan(start, wanted, false);
            if (end < MediumArea.GRANULES && area.free[end]) { // merge the right neighbour
                tail += absorb(area, end);
            }
            area.setSpan(start + wanted, tail, true);
            link(area, start + wanted);
        }
        area.usedGranules += wanted - length;
        bytesInUse += (long) (wanted - length) << MediumArea.GRANULE_SHIFT;
        frees++;
        return true;
    }

    /** Releases every area with no live block but one; returns the bytes released. */
    synchronized long releaseFreeAreas() {
        long released = 0;
        for (int i = areaCount - 1; i >= 0 && areaCount > 0; i--) {
            MediumArea area = areas[i];
            if (area.usedGranules == 0) {
                releaseArea(area, 0);
                released += AddressSpace.UNIT * AddressSpace.AREA_UNITS;
            }
        }
        return released;
    }

    /** Releases every area, live blocks and all; returns how many live blocks there were. */
    synchronized int releaseAll() {
        int live = 0;
        while (areaCount > 0) {
            MediumArea area = areas[areaCount - 1];
            for (int g = 0; g < MediumArea.GRANULES; g += area.length[g]) {
                if (!area.free[g]) {
                    live++;
                    frees++;
                }
            }
            area.usedGranules = 0;
            space.map(area, false);
            areas[--areaCount] = null;
            space.releaseRun(area.base, AddressSpace.AREA_UNITS);
        }
        Arrays.fill(listHead, NONE);
        Arrays.fill(listNonEmpty, 0);
        bytesInUse = 0;
        return live;
    }

    synchronized long frees() {
        return frees;
    }

    synchronized long bytesInUse() {
        return bytesInUse;
    }

    private int checkedStart(MediumArea area, long address) {
        long offset = address - area.base;
        if ((offset & (GRANULE - 1)) != 0) {
            throw Errors.interior(address, area.address(area.startOf[spanEndAt(area, (int) (offset >>> MediumArea.GRANULE_SHIFT))]));
        }
        int granule = (int) (offset >>> MediumArea.GRANULE_SHIFT);
        if (area.length[granule] == 0) {
            throw Errors.interior(address, area.address(area.startOf[spanEndAt(area, granule)]));
        }
        if (area.free[granule]) {
            throw Errors.doubleFree("allocator '" + heap.registry.allocatorName() + "'", address);
        }
        return granule;
    }

    /** The last granule of the span holding {@code granule}. */
    private static int spanEndAt(MediumArea area, int granule) {
        int start = granule;
        while (area.length[start] == 0) {
            start--;
        }
        return start + area.length[start] - 1;
    }

    private int findList(int length) {
        if (length > MediumArea.GRANULES) {
            return NONE;
        }
        int word = length >>> 6;
        long bits = listNonEmpty[word] & (-1L << length);
        while (bits == 0) {
            if (++word == listNonEmpty.length) {
                return NONE;
            }
            bits = listNonEmpty[word];
        }
        return (word << 6) + Long.numberOfTrailingZeros(bits);
    }

    /** Whether an area was taken since the last call; the caller then samples the peak. */
    synchronized boolean tookAreaSinceSample() {
        boolean took = areaTaken;
        areaTaken = false;
        return took;
    }

    private void newArea(long request) {
        areaTaken = true;
        long base = space.takeRun(AddressSpace.AREA_UNITS, request);
        MediumArea area = new MediumArea(this, base);
        if (areaCount == areas.length) {
            areas = Arrays.copyOf(areas, areaCount * 2);
        }
        area.index = areaCount;
        areas[areaCount++] = area;
        area.setSpan(0, MediumArea.GRANULES, true);
        link(area, 0);
        space.map(area, true);
    }

    private void releaseArea(MediumArea area, int freeSpanStart) {
        if (area.free[freeSpanStart] && isLinked(area, freeSpanStart)) {
            unlink(area, freeSpanStart);
        }
        space.map(area, false);
        MediumArea last = areas[--areaCount];
        // Move the last area into the hole; its free spans' list ids change with its index.
        if (last != area) {
            relinkAll(last, area.index);
        }
        areas[areaCount] = null;
        space.releaseRun(area.base, AddressSpace.AREA_UNITS);
    }

    private boolean isLinked(MediumArea area, int start) {
        int id = idOf(area, start);
        return listHead[area.length[start]] == id || area.previousFree[start] != NONE;
    }

    private void relinkAll(MediumArea area, int newIndex) {
        int[] spans = new int[MediumArea.GRANULES];
        int count = 0;
        for (int g = 0; g < MediumArea.GRANULES; g += area.length[g]) {
            if (area.free[g]) {
                unlink(area, g);
                spans[count++] = g;
            }
        }
        areas[newIndex] = area;
        area.index = newIndex;
        for (int i = 0; i < count; i++) {
            link(area, spans[i]);
        }
    }

    private static int idOf(MediumArea area, int start) {
        return area.index << 10 | start;
    }

    private void link(MediumArea area, int start) {
        int length = area.length[start];
        int id = idOf(area, start);
        int head = listHead[length];
        area.nextFree[start] = head;
        area.previousFree[start] = NONE;
        if (head != NONE) {
            areas[head >>> 10].previousFree[head & 1023] = id;
        }
        listHead[length] = id;
        listNonEmpty[length >>> 6] |= 1L << length;
    }

    /**
     * Takes the free span at {@code start} off its list and out of the tables, as it becomes part
     * of the span before it; returns its length.
     */
    private int absorb(MediumArea area, int start) {
        int length = area.length[start];
        unlink(area, start);
        area.length[start] = 0;
        area.free[start] = false;
        return length;
    }

    private void unlink(MediumArea area, int start) {
        int length = area.length[start];
        int next = area.nextFree[start];
        int previous = area.previousFree[start];
        if (previous != NONE) {
            areas[previous >>> 10].nextFree[previous & 1023] = next;
        } else {
            listHead[length] = next;
            if (next == NONE) {
                listNonEmpty[length >>> 6] &= ~(1L << length);
            }
        }
        if (next != NONE) {
            areas[next >>> 10].previousFree[next & 1023] = previous;
        }
        area.nextFree[start] = NONE;
        area.previousFree[start] = NONE;
    }
}
