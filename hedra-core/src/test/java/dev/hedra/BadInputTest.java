package dev.hedra;

import static dev.hedra.SizeClassOracle.KiB;
import static dev.hedra.SizeClassOracle.MiB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad input: every misuse raises {@link IllegalArgumentException} or {@link IllegalStateException}
 * naming the bad value, and leaves the allocator exactly as it was: the blocks of a {@link LiveSet}
 * made before keep their cookies, the counters do not move, new blocks do not overlap old ones,
 * and everything is freeable afterwards.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class BadInputTest {

    private static final List<Class<? extends Throwable>> ARGUMENT = List.of(IllegalArgumentException.class);
    private static final List<Class<? extends Throwable>> STATE = List.of(IllegalStateException.class);
    private static final List<Class<? extends Throwable>> EITHER =
            List.of(IllegalArgumentException.class, IllegalStateException.class);

    /** Runs {@code body} with a live set made first; then checks the allocator still works and frees all. */
    private static void withLiveSet(AllocatorSpec spec, java.util.function.BiConsumer<NativeAllocator, LiveSet> body) {
        try (NativeAllocator hedra = spec.open()) {
            LiveSet set = LiveSet.create(hedra);
            try {
                body.accept(hedra, set);
                set.assertIntact("the bad calls");
                set.assertStillAllocates();
            } finally {
                // Also after a failure, so that the process-wide allocator does not keep the set.
                set.freeAll();
            }
        }
    }

    /**
     * Asserts that {@code call} throws one of {@code allowed}, lets {@code message} check the
     * message, and checks that the live set is unchanged.
     */
    private static Throwable assertRejected(LiveSet set, String what, List<Class<? extends Throwable>> allowed,
            Executable call, Consumer<Throwable> message) {
        AllocatorStats before = set.allocator().stats();
        Throwable thrown = null;
        try {
            call.execute();
        } catch (Throwable t) {
            thrown = t;
        }
        if (thrown == null) {
            fail(what + " should have thrown " + allowed);
        }
        Throwable caught = thrown;
        if (allowed.stream().noneMatch(type -> type.isInstance(caught))) {
            AssertionError wrong = new AssertionError(what + " threw " + Messages.describe(caught)
                    + ", expected one of " + allowed);
            wrong.initCause(caught);
            throw wrong;
        }
        message.accept(caught);
        set.assertUnchangedSince(before, what);
        return caught;
    }

    private static Consumer<Throwable> namesAddress(long address) {
        return thrown -> Messages.assertNamesAddress(thrown, address);
    }

    private static Consumer<Throwable> namesNumber(long value) {
        return thrown -> Messages.assertNamesNumber(thrown, value);
    }

    // ---- double free

    static Stream<Arguments> doubleFrees() {
        return Stream.of(AllocatorSpec.values()).flatMap(spec -> Stream.of(
                        64L, 100L, 3000L, 32 * KiB, 40_000L, 300_000L, 3 * MiB)
                .flatMap(size -> Stream.of(Arguments.of(spec, size, false), Arguments.of(spec, size, true))));
    }

    @ParameterizedTest(name = "{0}: malloc({1}), second free sized: {2}")
    @MethodSource("doubleFrees")
    void doubleFreeIsCaught(AllocatorSpec spec, long size, boolean sized) {
        withLiveSet(spec, (hedra, set) -> {
            long address = hedra.malloc(size);
            if (sized) {
                hedra.free(address);
            } else {
                hedra.free(address, size);
            }
            String what = "second free of " + Blocks.hex(address) + " (" + size + " bytes)";
            // Small blocks are checked against their bitmap: the contract names IllegalStateException.
            // A freed medium or huge block may already be merged or unmapped, so "not a block" is
            // also a fair answer.
            List<Class<? extends Throwable>> allowed = SizeClassOracle.isSmall(size) ? STATE : EITHER;
            if (sized) {
                assertRejected(set, what, allowed, () -> hedra.free(address, size), namesAddress(address));
            } else {
                assertRejected(set, what, allowed, () -> hedra.free(address), namesAddress(address));
            }
            // A third free is still caught: the failed second one changed nothing.
            assertRejected(set, "third free", EITHER, () -> hedra.free(address), namesAddress(address));
        });
    }

    /**
     * A freed huge block's map is kept for reuse a while, so its address still names the block:
     * a second free, sized or not, and a {@code usableSize} are reported as uses of a freed block,
     * not as an address the allocator never returned.
     */
    @ParameterizedTest
    @EnumSource(AllocatorSpec.class)
    void secondFreeOfAHugeBlockKeptForReuseIsADoubleFree(AllocatorSpec spec) {
        withLiveSet(spec, (hedra, set) -> {
            long ballast = hedra.malloc(32 * MiB); // committed memory, so that the freed map is kept
            long size = 3 * MiB;
            long address = hedra.malloc(size);
            hedra.free(address, size);
            String what = "second free of the huge block " + Blocks.hex(address);
            for (Executable call : List.<Executable>of(() -> hedra.free(address), () -> hedra.free(address, size),
                    () -> hedra.usableSize(address))) {
                Throwable thrown = assertRejected(set, what, STATE, call, namesAddress(address));
                assertTrue(thrown.getMessage().contains("already freed"), () -> Messages.describe(thrown));
            }
            hedra.free(ballast);
        });
    }

    /** realloc of a freed block is a use after free that the checks catch, without side effects. */
    @ParameterizedTest(name = "{0}: realloc of a freed block of {1}")
    @MethodSource("doubleFrees")
    void reallocOfAFreedBlock(AllocatorSpec spec, long size, boolean grow) {
        withLiveSet(spec, (hedra, set) -> {
            long address = hedra.malloc(size);
            hedra.free(address);
            long newSize = grow ? size * 2 : size / 2;
            assertRejected(set, "realloc(freed " + Blocks.hex(address) + ", " + newSize + ")", EITHER,
                    () -> hedra.realloc(address, newSize), namesAddress(address));
        });
    }

    /** The block was the only one of its class or area: its page may be gone; still caught, no crash. */
    @ParameterizedTest
    @EnumSource(AllocatorSpec.class)
    void doubleFreeOfTheLastBlockOfAPage(AllocatorSpec spec) {
        try (NativeAllocator hedra = spec.open()) {
            for (long size : new long[] {3000, 20_000, 500_000, 5 * MiB}) {
                long address = hedra.malloc(size);
                hedra.free(address);
                Throwable thrown = assertThrows(RuntimeException.class, () -> hedra.free(address));
                assertTrue(thrown instanceof IllegalArgumentException || thrown instanceof IllegalStateException,
                        () -> Messages.describe(thrown));
                Messages.assertNamesAddress(thrown, address);
                long again = hedra.malloc(size);
                hedra.free(again, size);
            }
        }
    }

    /** The block's owner thread is alive and the free is remote, twice: the deferred path checks too. */
    @ParameterizedTest
    @EnumSource(ThreadKind.class)
    void doubleRemoteFreeIsCaught(ThreadKind kind) throws InterruptedException {
        try (NativeAllocator hedra = AllocatorSpec.DEFAULT.open()) {
            LiveSet set = LiveSet.create(hedra);
            long[] blocks = new long[3];
            CountDownLatch allocated = new CountDownLatch(1);
            CountDownLatch checked = new CountDownLatch(1);
            Thread owner = kind.start("owner", () -> {
                blocks[0] = hedra.malloc(64);
                blocks[1] = hedra.malloc(40_000);
                blocks[2] = hedra.malloc(64);
                allocated.countDown();
                try {
                    checked.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            try {
                assertTrue(allocated.await(30, TimeUnit.SECONDS));
                for (int i = 0; i < 2; i++) {
                    long address = blocks[i];
                    hedra.free(address);
                    assertRejected(set, "remote double free of " + Blocks.hex(address), EITHER,
                            () -> hedra.free(address), namesAddress(address));
                }
            } finally {
                checked.countDown();
                owner.join(Duration.ofSeconds(30));
            }
            // The owner is gone; a double free on its orphaned page is caught as well.
            long orphan = blocks[2];
            hedra.free(orphan, 64);
            assertRejected(set, "double free on a dead owner's page", EITHER, () -> hedra.free(orphan, 64),
                    namesAddress(orphan));
            set.assertStillAllocates();
            set.freeAll();
        }
    }

    // ---- addresses this allocator never returned

    @ParameterizedTest
    @EnumSource(AllocatorSpec.class)
    void freeOfAForeignAddress(AllocatorSpec spec) {
        try (NativeAllocator other = Hedra.builder().name("other").build(); Arena arena = Arena.ofConfined()) {
            long othersBlock = other.malloc(64);
            Blocks.writeCookie(othersBlock, 64);
            long othersHuge = other.malloc(3 * MiB);
            AllocatorStats othersBefore = other.stats();
            long arenaAddress = arena.allocate(64, 16).address();
            withLiveSet(spec, (hedra, set) -> {
                long[] foreign = {othersBlock, othersHuge, arenaAddress, 0, 0x1234567L | 1, -8L, 0x7fff_ffff_f000L,
                    set.blockOfSize(64).address() ^ (1L << 46)};
                for (long address : foreign) {
                    assertRejected(set, "free(" + Blocks.hex(address) + ")", ARGUMENT, () -> hedra.free(address),
                            namesAddress(address));
                    assertRejected(set, "free(" + Blocks.hex(address) + ", 64)", ARGUMENT,
                            () -> hedra.free(address, 64), namesAddress(address));
                    if (address != 0) { // realloc(0, n) is malloc(n)
                        assertRejected(set, "realloc(" + Blocks.hex(address) + ", 128)", ARGUMENT,
                                () -> hedra.realloc(address, 128), namesAddress(address));
                    }
                }
            });
            // The other allocator was not touched either.
            Blocks.checkCookie(othersBlock, 64);
            AllocatorStats othersAfter = other.stats();
            assertEquals(othersBefore.liveBlocks(), othersAfter.liveBlocks());
            assertEquals(othersBefore.bytesInUse(), othersAfter.bytesInUse());
            other.free(othersBlock, 64);
            other.free(othersHuge);
            assertEquals(0, other.stats().liveBlocks());
        }
    }

    /** An address inside this allocator's own pages that it never handed out. */
    @ParameterizedTest
    @EnumSource(AllocatorSpec.class)
    void freeOfANeverReturnedAddressInOwnPages(AllocatorSpec spec) {
        withLiveSet(spec, (hedra, set) -> {
            long anchor = hedra.malloc(48);
            long usable = hedra.usableSize(anchor);
            int probes = 0;
            for (long step = 7; step <= 301; step += 42) {
                long address = anchor + step * usable;
                if (!set.disjointFrom(address, usable)) {
                    continue;
                }
                probes++;
                assertRejected(set, "free of the never-returned " + Blocks.hex(address), EITHER,
                        () -> hedra.free(address), namesAddress(address));
            }
            assertTrue(probes > 0);
            hedra.free(anchor, 48);
        });
    }

    static Stream<Arguments> interiors() {
        return Stream.of(AllocatorSpec.values()).flatMap(spec -> Stream.of(
                Arguments.of(spec, 64L, 8L), Arguments.of(spec, 64L, 1L), Arguments.of(spec, 100L, 8L),
                Arguments.of(spec, 100L, 1L), Arguments.of(spec, 4096L, 2048L), Arguments.of(spec, 40_000L, 8L),
                Arguments.of(spec, 40_000L, 1L), Arguments.of(spec, 300_000L, 4096L),
                Arguments.of(spec, 3 * MiB, 8L), Arguments.of(spec, 3 * MiB, 4096L), Arguments.of(spec, 3 * MiB, 2 * MiB)));
    }

    @ParameterizedTest(name = "{0}: malloc({1}) + {2}")
    @MethodSource("interiors")
    void freeOfAnInteriorAddress(AllocatorSpec spec, long size, long offset) {
        withLiveSet(spec, (hedra, set) -> {
            long block = hedra.malloc(size);
            Blocks.writeCookie(block, size);
            long interior = block + offset;
            String what = "free of " + Blocks.hex(interior) + ", " + offset + " bytes into a block of " + size;
            assertRejected(set, what, ARGUMENT, () -> hedra.free(interior), namesAddress(interior));
            assertRejected(set, "sized " + what, ARGUMENT, () -> hedra.free(interior, size), namesAddress(interior));
            assertRejected(set, "realloc of an interior address", ARGUMENT, () -> hedra.realloc(interior, size),
                    namesAddress(interior));
            Blocks.checkCookie(block, size);
            hedra.free(block, size);
        });
    }

    /** usableSize is defined only at the start of a live block; anywhere else the checks say so. */
    @ParameterizedTest
    @EnumSource(AllocatorSpec.class)
    void usableSizeOfAnythingButALiveBlock(AllocatorSpec spec) {
        try (Arena arena = Arena.ofConfined()) {
            long arenaAddress = arena.allocate(64).address();
            withLiveSet(spec, (hedra, set) -> {
                long small = hedra.malloc(64);
                long medium = hedra.malloc(40_000);
                long freed = hedra.malloc(100);
                hedra.free(freed);
                for (long address : new long[] {small + 8, small + 1, medium + 4096, 0, 0x1234567L | 1, arenaAddress}) {
                    assertRejected(set, "usableSize(" + Blocks.hex(address) + ")", ARGUMENT,
                            () -> hedra.usableSize(address), namesAddress(address));
                }
                assertRejected(set, "usableSize of a freed block", EITHER, () -> hedra.usableSize(freed),
                        namesAddress(freed));
                hedra.free(small);
                hedra.free(medium);
            });
        }
    }

    /** The builder's name appears in error messages. */
    @Test
    void messagesNameTheAllocator() {
        try (NativeAllocator hedra = CheckedAllocator.wrap(Hedra.builder().name("tidepool").build(), true)) {
            long address = hedra.malloc(64);
            hedra.free(address);
            for (Executable call : List.<Executable>of(() -> hedra.free(0x1234567L | 1), () -> hedra.free(address))) {
                Throwable thrown = assertThrows(RuntimeException.class, call);
                assertTrue(thrown.getMessage().contains("tidepool"), () -> Messages.describe(thrown));
            }
        }
    }

    // ---- sized free with the wrong size

    static Stream<Arguments> wrongSizes() {
        return Stream.of(AllocatorSpec.values()).flatMap(spec -> Stream.of(
                // 100 -> class 104 (not a power of two: only (96, 104] produce it)
                Arguments.of(spec, 100L, 8L), Arguments.of(spec, 100L, 80L), Arguments.of(spec, 100L, 105L), Arguments.of(spec, 100L, 113L),
                Arguments.of(spec, 100L, 200L), Arguments.of(spec, 100L, 0L), Arguments.of(spec, 100L, -100L),
                Arguments.of(spec, 100L, Long.MAX_VALUE), Arguments.of(spec, 1000L, 1025L), Arguments.of(spec, 40_000L, 60_000L),
                Arguments.of(spec, 100_000L, 60_000L), Arguments.of(spec, 100_000L, 102_401L),
                Arguments.of(spec, 100_000L, 3 * MiB), Arguments.of(spec, 3 * MiB, 6 * MiB),
                Arguments.of(spec, 3 * MiB, -1L), Arguments.of(spec, 3 * MiB, 0L)));
    }

    @ParameterizedTest(name = "{0}: free(malloc({1}), {2})")
    @MethodSource("wrongSizes")
    void sizedFreeWithTheWrongSize(AllocatorSpec spec, long size, long wrong) {
        // A size of the same class could have produced the block (e.g. 105 for 112 with 16-alignment).
        assumeFalse(wrong > 0 && !SizeClassOracle.isHuge(wrong) && !SizeClassOracle.isHuge(size)
                && spec.usableSize(wrong) == spec.usableSize(size));
        withLiveSet(spec, (hedra, set) -> {
            long block = hedra.malloc(size);
            Blocks.writeCookie(block, size);
            assertRejected(set, "free(malloc(" + size + "), " + wrong + ")", ARGUMENT, () -> hedra.free(block, wrong),
                    namesNumber(wrong));
            Blocks.checkCookie(block, size);
            hedra.free(block, size);
        });
    }

    // ---- sizes and alignments

    @ParameterizedTest
    @EnumSource(AllocatorSpec.class)
    void zeroNegativeAndUnmappableSizes(AllocatorSpec spec) {
        List<Class<? extends Throwable>> tooLarge = spec == AllocatorSpec.LIMITED_1_GIB
                ? List.of(IllegalArgumentException.class, OutOfMemoryError.class)
                : ARGUMENT;
        withLiveSet(spec, (hedra, set) -> {
            for (long size : new long[] {0, -1, -4096, Long.MIN_VALUE}) {
                assertRejected(set, "malloc(" + size + ")", ARGUMENT, () -> hedra.malloc(size), namesNumber(size));
                assertRejected(set, "malloc(" + size + ", 16)", ARGUMENT, () -> hedra.malloc(size, 16), namesNumber(size));
                assertRejected(set, "calloc(" + size + ")", ARGUMENT, () -> hedra.calloc(size), namesNumber(size));
                assertRejected(set, "realloc(0, " + size + ")", ARGUMENT, () -> hedra.realloc(0, size), namesNumber(size));
                long block = set.blockOfSize(100).address();
                // realloc to a bad size must not free or move the block.
                assertRejected(set, "realloc(block, " + size + ")", ARGUMENT, () -> hedra.realloc(block, size),
                        namesNumber(size));
            }
            for (long size : new long[] {Long.MAX_VALUE, Long.MAX_VALUE - 7, Long.MAX_VALUE / 2, 1L << 50}) {
                assertRejected(set, "malloc(" + size + ")", tooLarge, () -> hedra.malloc(size), namesNumber(size));
                assertRejected(set, "calloc(" + size + ")", tooLarge, () -> hedra.calloc(size), namesNumber(size));
                long block = set.blockOfSize(1000).address();
                assertRejected(set, "realloc(block, " + size + ")", tooLarge, () -> hedra.realloc(block, size),
                        namesNumber(size));
            }
            // The size overflows only once rounded up for the alignment.
            for (long alignment : new long[] {16, 4096, MiB}) {
                long size = Long.MAX_VALUE - alignment + 2;
                assertRejected(set, "malloc(" + size + ", " + alignment + ")", tooLarge,
                        () -> hedra.malloc(size, alignment), namesNumber(size));
            }
            assertRejected(set, "allocate(-1, 8)", ARGUMENT, () -> hedra.allocate(-1, 8), t -> {});
        });
    }

    @ParameterizedTest
    @EnumSource(AllocatorSpec.class)
    void alignmentsThatAreNotPowersOfTwo(AllocatorSpec spec) {
        withLiveSet(spec, (hedra, set) -> {
            for (long alignment : new long[] {0, 3, 24, 48, 4095, -8, -1, Long.MIN_VALUE, Long.MAX_VALUE}) {
                for (long size : new long[] {64, 40_000, 3 * MiB}) {
                    assertRejected(set, "malloc(" + size + ", " + alignment + ")", ARGUMENT,
                            () -> hedra.malloc(size, alignment), namesNumber(alignment));
                }
                if (alignment > 0) {
                    assertRejected(set, "allocate(64, " + alignment + ")", ARGUMENT,
                            () -> hedra.allocate(64, alignment), t -> {});
                }
            }
        });
    }

    // ---- segments

    @ParameterizedTest
    @EnumSource(AllocatorSpec.class)
    void freeOfAForeignSegment(AllocatorSpec spec) {
        try (NativeAllocator other = Hedra.builder().name("other").build(); Arena arena = Arena.ofConfined()) {
            MemorySegment fromOther = other.allocate(64, 8);
            MemorySegment fromArena = arena.allocate(64, 8);
            withLiveSet(spec, (hedra, set) -> {
                MemorySegment own = hedra.allocate(64, 8);
                MemorySegment zeroLength = hedra.allocate(0, 1);
                for (MemorySegment segment : List.of(fromOther, fromArena, own.asSlice(8), own.asSlice(1, 16))) {
                    assertRejected(set, "free(" + segment + ")", ARGUMENT, () -> hedra.free(segment),
                            namesAddress(segment.address()));
                }
                for (MemorySegment segment : List.of(MemorySegment.ofArray(new byte[64]), MemorySegment.NULL)) {
                    assertRejected(set, "free(" + segment + ")", ARGUMENT, () -> hedra.free(segment), t -> {});
                }
                hedra.free(own);
                hedra.free(zeroLength);
                assertRejected(set, "second free of a segment", EITHER, () -> hedra.free(own),
                        namesAddress(own.address()));
                assertRejected(set, "second free of a zero-length segment", EITHER, () -> hedra.free(zeroLength),
                        namesAddress(zeroLength.address()));
            });
            other.free(fromOther);
            assertEquals(0, other.stats().liveBlocks());
        }
    }

    // ---- closed allocators

    @Test
    void everyCallOnAClosedAllocatorThrows() {
        NativeAllocator hedra = Hedra.builder().build();
        long small = hedra.malloc(64);
        long huge = hedra.malloc(3 * MiB);
        MemorySegment segment = hedra.allocate(32, 8);
        hedra.close();
        List<Executable> calls = List.of(
                () -> hedra.malloc(64), () -> hedra.malloc(64, 64), () -> hedra.calloc(8),
                () -> hedra.realloc(small, 128), () -> hedra.realloc(0, 8), () -> hedra.free(small),
                () -> hedra.free(small, 64), () -> hedra.free(huge), () -> hedra.usableSize(small),
                () -> hedra.allocate(8, 8), () -> hedra.free(segment));
        for (int i = 0; i < calls.size(); i++) {
            Executable call = calls.get(i);
            int index = i;
            assertThrows(IllegalStateException.class, call, () -> "call #" + index + " after close");
        }
        // Closing again is harmless (a no-op or IllegalStateException).
        try {
            hedra.close();
        } catch (IllegalStateException expected) {
            // allowed
        }
    }

    /** "Calls after close throw IllegalStateException": statistics too, since the heaps are gone. */
    @Test
    void statsOfAClosedAllocatorThrow() {
        NativeAllocator hedra = Hedra.builder().build();
        hedra.free(hedra.malloc(64));
        hedra.close();
        assertThrows(IllegalStateException.class, hedra::stats);
    }

    @Test
    void closedAllocatorDoesNotDisturbOthers() {
        try (NativeAllocator survivor = CheckedAllocator.open()) {
            long kept = survivor.malloc(100);
            Blocks.writeCookie(kept, 100);
            NativeAllocator closed = Hedra.builder().build();
            long gone = closed.malloc(100);
            closed.close();
            assertThrows(RuntimeException.class, () -> survivor.free(gone));
            Blocks.checkCookie(kept, 100);
            survivor.free(kept, 100);
        }
    }
}
