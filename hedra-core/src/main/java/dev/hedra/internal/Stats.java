package dev.hedra.internal;

import dev.hedra.AllocatorStats;
import java.util.ArrayList;
import java.util.List;

/** A snapshot of an allocator's counters, merged from its heaps. */
record Stats(
        String allocatorName,
        long allocations,
        long frees,
        long bytesRequested,
        long bytesInUse,
        long peakBytesInUse,
        long bytesCommitted,
        long bytesRetained,
        long bytesPurgedIdle,
        long peakBytesCommitted,
        long bytesReserved,
        List<SizeClassStats> sizeClasses,
        List<HeapStats> heaps)
        implements AllocatorStats {

    static Stats snapshot(String name, HeapRegistry registry, AddressSpace space, SizeClasses sizeClasses) {
        long[] classAllocations = new long[SizeClasses.MAX_COUNT + 2];
        long[] classFrees = new long[SizeClasses.MAX_COUNT + 2];
        List<HeapStats> heaps = new ArrayList<>();
        long requested = 0;
        long inUse = 0;
        long purgedIdle = 0;
        for (ThreadHeap heap : registry.all()) {
            purgedIdle += heap.purgedIdleBytes();
            HeapStats stats = of(heap, classAllocations, classFrees);
            if (stats.allocations() != 0 || stats.frees() != 0) {
                requested += stats.bytesRequested();
                inUse += stats.bytesInUse();
                heaps.add(stats);
            }
        }
        HeapRegistry.Retired retired = registry.retired();
        long retiredAllocations = 0;
        long retiredFrees = 0;
        for (int c = 0; c < classAllocations.length; c++) {
            classAllocations[c] += retired.allocations[c];
            classFrees[c] += retired.frees[c];
            retiredAllocations += retired.allocations[c];
            retiredFrees += retired.frees[c];
        }
        if (retiredAllocations != 0) {
            requested += retired.bytesRequested;
            heaps.add(new HeapStats("closed heaps", retiredAllocations, retiredFrees,
                    retired.bytesRequested, 0, retired.peakInUse, 0));
        }
        List<SizeClassStats> classes = new ArrayList<>();
        long allocations = 0;
        long frees = 0;
        for (int c = 0; c < classAllocations.length; c++) {
            if (c >= sizeClasses.count() && c < ThreadHeap.MEDIUM) {
                continue; // this allocator has fewer classes
            }
            allocations += classAllocations[c];
            frees += classFrees[c];
            long blockSize = c < ThreadHeap.MEDIUM ? sizeClasses.blockSize(c) : 0;
            classes.add(new SizeClassStats(c, blockSize, classAllocations[c], classFrees[c]));
        }
        long peak = registry.offerPeak(inUse); // a snapshot is a sample too
        return new Stats(name, allocations, frees, requested, inUse, peak, space.committed(),
                space.retained(), purgedIdle, space.peakCommitted(), space.reserved(),
                List.copyOf(classes), List.copyOf(heaps));
    }

    /** The counters of one heap, read racily unless the caller holds its lock. */
    static HeapStats of(ThreadHeap heap) {
        return of(heap, new long[SizeClasses.MAX_COUNT + 2], new long[SizeClasses.MAX_COUNT + 2]);
    }

    /** The counters of one heap, also added per class to the two arrays. */
    private static HeapStats of(ThreadHeap heap, long[] classAllocations, long[] classFrees) {
        long[] heapAllocations = heap.allocationsPerSlot();
        long[] heapFrees = heap.freesPerSlot();
        long allocations = 0;
        long frees = 0;
        for (int c = 0; c < heapAllocations.length; c++) {
            classAllocations[c] += heapAllocations[c];
            classFrees[c] += heapFrees[c];
            allocations += heapAllocations[c];
            frees += heapFrees[c];
        }
        long inUse = heap.bytesInUse();
        // NOTE: a racy max-update of the owner's field: at worst a concurrent sample is lost.
        heap.peakInUse = Math.max(heap.peakInUse, inUse);
        return new HeapStats(heap.name, allocations, frees, heap.bytesRequested, inUse,
                heap.peakInUse, heap.pageCount());
    }

    @Override
    public String toJson() {
        StringBuilder out = new StringBuilder(256 + 96 * (sizeClasses.size() + heaps.size()));
        out.append("{\"name\":");
        appendString(out, allocatorName);
        field(out, "allocations", allocations);
        field(out, "frees", frees);
        field(out, "liveBlocks", liveBlocks());
        field(out, "bytesRequested", bytesRequested);
        field(out, "bytesInUse", bytesInUse);
        field(out, "peakBytesInUse", peakBytesInUse);
        field(out, "bytesCommitted", bytesCommitted);
        field(out, "peakBytesCommitted", peakBytesCommitted);
        field(out, "bytesRetained", bytesRetained);
        field(out, "bytesPurgedIdle", bytesPurgedIdle);
        field(out, "bytesReserved", bytesReserved);
        out.append(",\"sizeClasses\":[");
        for (int i = 0; i < sizeClasses.size(); i++) {
            SizeClassStats c = sizeClasses.get(i);
            out.append(i == 0 ? "{" : ",{");
            out.append("\"index\":").append(c.index());
            out.append(",\"kind\":\"").append(kindOf(c)).append('"');
            field(out, "blockSize", c.blockSize());
            field(out, "allocations", c.allocations());
            field(out, "frees", c.frees());
            field(out, "liveBlocks", c.liveBlocks());
            out.append('}');
        }
        out.append("],\"heaps\":[");
        for (int i = 0; i < heaps.size(); i++) {
            HeapStats h = heaps.get(i);
            out.append(i == 0 ? "{\"name\":" : ",{\"name\":");
            appendString(out, h.name());
            field(out, "allocations", h.allocations());
            field(out, "frees", h.frees());
            field(out, "liveBlocks", h.liveBlocks());
            field(out, "bytesRequested", h.bytesRequested());
            field(out, "bytesInUse", h.bytesInUse());
            field(out, "peakBytesInUse", h.peakBytesInUse());
            field(out, "pages", h.pages());
            out.append('}');
        }
        return out.append("]}").toString();
    }

    private static String kindOf(SizeClassStats c) {
        return c.index() < ThreadHeap.MEDIUM ? "small" : c.index() == ThreadHeap.MEDIUM ? "medium" : "huge";
    }

    private static void field(StringBuilder out, String name, long value) {
        out.append(",\"").append(name).append("\":").append(value);
    }

    /** Appends {@code text} as a JSON string: quotes, backslashes and control characters escaped. */
    static void appendString(StringBuilder out, String text) {
        out.append('"');
        for (int i = 0; i < text.length(); i++) {
            char ch = text.charAt(i);
            switch (ch) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (ch < 0x20) {
                        out.append(String.format("\\u%04x", (int) ch));
                    } else {
                        out.append(ch);
                    }
                }
            }
        }
        out.append('"');
    }

    @Override
    public String toString() {
        StringBuilder out = new StringBuilder();
        out.append("Hedra allocator '").append(allocatorName).append("'\n");
        out.append(String.format("  allocations %,d  frees %,d  live blocks %,d%n", allocations, frees, liveBlocks()));
        out.append(String.format("  bytes requested %,d  in use %,d  peak in use %,d%n",
                bytesRequested, bytesInUse, peakBytesInUse));
        out.append(String.format("  bytes committed %,d  peak committed %,d  retained %,d  reserved %,d%n",
                bytesCommitted, peakBytesCommitted, bytesRetained, bytesReserved));
        if (bytesPurgedIdle != 0) {
            out.append(String.format("  bytes committed but given back while their thread is idle %,d%n",
                    bytesPurgedIdle));
        }
        out.append("  size classes (with traffic):\n");
        out.append(String.format("    %-8s %14s %14s %12s%n", "class", "allocations", "frees", "live"));
        for (SizeClassStats c : sizeClasses) {
            if (c.allocations() == 0 && c.frees() == 0) {
                continue;
            }
            String label = c.index() < ThreadHeap.MEDIUM ? Long.toString(c.blockSize()) : kindOf(c);
            out.append(String.format("    %-8s %,14d %,14d %,12d%n", label, c.allocations(), c.frees(), c.liveBlocks()));
        }
        out.append("  heaps:\n");
        for (HeapStats h : heaps) {
            out.append(String.format("    %-40s allocations %,d  frees %,d  in use %,d  peak %,d  pages %d%n",
                    h.name(), h.allocations(), h.frees(), h.bytesInUse(), h.peakBytesInUse(), h.pages()));
        }
        return out.toString();
    }
}
