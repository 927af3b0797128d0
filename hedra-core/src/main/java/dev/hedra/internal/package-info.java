/**
 * Hedra's implementation. The design in one page; each type's own comment has the details.
 *
 * <h2>Types</h2>
 * <pre>
 *   HedraAllocator   entry point: validates once, routes by size, finds the caller's heap
 *   HeapRegistry     thread -&gt; heap (thread-id table, thread-local fallback), adoption of
 *                    dead threads' heaps, shared locked heaps for virtual threads
 *   PageOwner        what owns slab pages (a heap or a pool): the remote-free queue
 *   ThreadHeap       per size class: the current slab page and a queue of pages with room;
 *                    the owner allocates and frees with plain reads and writes; a current
 *                    page that remote frees refill by less than a quarter is left to fill up
 *                    (allocating behind a consumer thread would chase it block by block)
 *   PageQueue        pages with room, oldest first: a refill takes the page that has had
 *                    the longest to gather frees (the newest has about one)
 *   SlabPage         one run of 64 KiB units holding blocks of one class end to end; two
 *                    bitmaps: free (owner) and deferred (remote frees, atomic OR)
 *   RemoteFrees      the deferred-free protocol: one atomic OR per remote free, plus one CAS
 *                    to queue the page for its owner the first time
 *   IdlePages        a page other threads freed wholly, of an owner idle for a fiftieth of the
 *                    purge delay (20 ms): its memory goes back in place (at the last free, or
 *                    at a registry sweep)
 *   SizeClasses      size -&gt; class (one table load), class -&gt; block size, alignment, page size
 *   MediumSpans      32 KiB .. 2 MiB: best fit over 4 MiB areas in 4 KiB granules, merging;
 *                    realloc resizes a block of the heap's own area in place when it can
 *   MediumArea       one such area's span tables
 *   HugeBlocks       above 2 MiB: direct maps; a freed one is retained (64 MiB at most) for
 *                    the purge delay and reused, trimmed or moved (mremap) to size, then
 *                    unmapped; realloc moves a huge block's pages instead of copying them
 *   AddressSpace     reserved regions, runs of units, address -&gt; page and area tables, the
 *                    committed-bytes limit, runs retained for the purge delay
 *   BackgroundPurge  the purge delay's timer: one daemon thread ticks each allocator every
 *                    half delay, giving back what waited past it (a registry sweep, expired
 *                    runs and huge maps), so an idle program's memory goes back unasked
 *   Os               mmap / mremap / munmap / madvise: the only downcalls, all on slow paths
 *   Stats            snapshots of the counters: a readable report and one line of JSON
 *   JmxStats         the snapshots as an MXBean (AllocatorMXBean), when configured
 *
 *   FamilyHeap       a first-class heap (NativeHeap): a locked ThreadHeap no thread owns
 *   BumpArena        an Arena (HedraArena): bump allocation through 64 KiB chunks with a JDK
 *                    session's scope; chunks cached per thread
 *   FixedSizePool    a pool of one block size (FixedPool): slab pages of that exact size;
 *                    its bulk calls take a bitmap word's blocks at once and free by runs
 *   BestFitSpans     best fit with merging over any segment (BestFitRegion); FreeSpans orders
 *                    its free spans by length, OffsetMap finds spans by offset, RegionErrors
 *                    builds its messages
 * </pre>
 *
 * <h2>Invariants</h2>
 * <ul>
 *   <li>No header: a block's metadata is its page's bits, found by
 *       {@code page = table[(address - regionBase) >>> 16]},
 *       {@code index = (address - page.base) / blockSize} (a multiply by a reciprocal).
 *   <li>Per slab page, for its owner: {@code used == capacity - popcount(free)}; live blocks
 *       {@code == used - popcount(deferred)}; {@code free & deferred == 0}. A set bit in either
 *       bitmap at free time is a double free, caught on every free.
 *   <li>Per heap, for a page that is not current: listed on its class's list iff it has a free
 *       block; at most the builder's {@code emptyPageBudget} (4 MiB unless set) of empty
 *       pages are kept.
 *   <li>Per address space: {@code committed == live runs + huge maps};
 *       {@code committed + retained <= memoryLimit}; a run given back is retained (resident,
 *       reused first) for the purge delay, then purged ({@code MADV_DONTNEED}) by the next slow
 *       path or timer tick past it; {@code trim()} purges them all at once. A page of a live
 *       heap is purged in place only while every block of it is freed remotely and not yet
 *       collected, by a thread holding the page's state (a collection or release waits for it);
 *       the owner's idleness only decides when, so {@code trim()} purges such pages whether or
 *       not their owner is idle.
 *   <li>Merged statistics: {@code allocations - frees == live blocks} whenever no thread is in
 *       the middle of a call.
 * </ul>
 *
 * <h2>Threads</h2>
 * A platform thread's heap is touched only by that thread (plain accesses). Other threads touch
 * its pages only through {@link dev.hedra.internal.RemoteFrees} and its medium spans only under
 * their lock. When a thread dies, the next new thread adopts its heap whole; the empty pages of
 * other dead threads' heaps go back then. Virtual threads
 * share a few heaps under locks. Slow paths (new pages, the tables, the limit) are
 * synchronized on the {@code AddressSpace}; lock order: registry, medium spans, address space.
 * A timer tick holds the allocator's lifecycle lock (so {@code close()} never runs alongside it)
 * and takes the others one at a time; a statistics snapshot holds the registry's lock, so a sweep
 * never moves pages under it.
 *
 * <h2>The fast path</h2>
 * {@code malloc}: thread-id table slot, owner check, current page by size (up to 1 KiB; a class
 * lookup above), lowest set bit, one counter. {@code free(address, size)}: the size's current page
 * if it holds the address, else the last page this thread freed into, else the lookup table;
 * test and set one bit. No objects, no atomics, no downcall. Small allocations are not counted:
 * they are derived as frees plus blocks in use when statistics are read.
 *
 * <h2>Shaped for C2</h2>
 * The public methods are meant to inline into the caller's loop, and two rules of C2 shape
 * them. A call left in the inlined code on a path that runs often (a helper that is not hot
 * enough to inline, a slow path taken once per page or per arena) makes C2 keep the caller's
 * loop values on the stack around it, as compiled Java code saves no registers across calls:
 * so a check that usually settles the matter (is this the current page?) comes before such a
 * call, and an arena takes its first chunk when it opens. And C2 does not inline a method it
 * has already compiled on its own into more than {@code InlineSmallCode} (2,500 bytes of
 * code): so each public method reaches the shared work through one call site
 * ({@code free(address, size)} has one {@code freeOwn} for its three ways to the page).
 * What should not inline is kept out by the third rule: C2 inlines a method at a call site that
 * runs often only if its bytecode is at most {@code FreqInlineSize} (325 bytes). Inlined into a
 * loop that also inlines {@code malloc}, {@code calloc} and {@code free}, {@code realloc}'s
 * lookups, checks and copy made C2's compilation of the loop take 30 MB of compiler memory
 * instead of 18.5 (the suite's trace replay; the process kept most of it), for a call that moves
 * and copies a block anyway: so {@code reallocIn} does its work in one method over that size,
 * which {@code InliningShapeTest} checks. Every branch of the inlined paths is compiled into
 * each call site, and each of its exits carries the state of the caller's frames, so a branch
 * costs compiler memory even where it never runs: a sized free's lookup past the current page
 * is a method of its own (inlined where it runs often), and {@code freeOwn} tests for an
 * emptied or a formerly full page with one comparison; glibc-simple's loop, with two sized
 * frees in it, took 10.9-11.2 MB instead of 12.3 MB per compilation.
 *
 * <p>What C2 cannot do for Hedra is as telling. In a loop with nothing else in it, it hoists
 * the lookups that do not change from one call to the next (the thread's heap, the class's
 * current page, its bitmap) out of the loop, and a pair costs little more than its bitmap
 * operations. It does that for innermost loops only: a loop in the loop's body (filling the
 * block word by word, say) leaves every {@code malloc} and {@code free} with the whole chain of
 * dependent loads (table, heap, page array, page, bitmap, word), about 3 ns more per pair on
 * this project's machine, where a native allocator behind a downcall pays the same either
 * way. {@code LoopShapeBenchmark} in the benchmark module measures both shapes.
 */
package dev.hedra.internal;
