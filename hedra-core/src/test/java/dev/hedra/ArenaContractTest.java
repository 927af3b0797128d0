package dev.hedra;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_CHAR;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.foreign.AddressLayout;
import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The contract of {@link Arena} and {@link SegmentAllocator}, checked on the JDK's arenas and on
 * Hedra's side by side: every test runs over every {@link Source}, so a behaviour in which Hedra
 * differs from the JDK shows as a failing Hedra row next to passing JDK rows. The checks are those
 * of OpenJDK's tests of arenas and allocators ({@code TestSegmentAllocators},
 * {@code TestScopedOperations}, {@code TestSegments}, {@code TestScope}) that hold for any arena,
 * written afresh for JUnit 5.
 *
 * <p>Threads are in {@link ArenaConcurrencyTest}; what only Hedra's arenas have (children,
 * {@code allocateUninitialized}, memory limits, bulk close) in {@link ArenaChildTest} and
 * {@link ArenaMemoryTest}.
 *
 * <p>The check after each test is {@link Fixture#close()}: it closes whatever the test left open,
 * checks that a child's parent was not disturbed, and closes a built allocator through
 * {@link CheckedAllocator}, which checks that its statistics balance and nothing leaked; Hedra
 * refuses to close an allocator while one of its arenas is open, so an arena that did not count
 * its own close fails there too.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ArenaContractTest {

    static final long KiB = 1024;
    static final long MiB = 1024 * KiB;

    // ---- the matrix

    /** Where the arena under test comes from. */
    enum Origin {
        /** {@code Arena.ofConfined()} or {@code Arena.ofShared()}: the reference. */
        JDK,
        /** An allocator from {@code Hedra.builder().build()}, closed after the test. */
        BUILT,
        /** The process-wide {@code Hedra.allocator()}. */
        DEFAULT,
        /** A child ({@code openChild()}) of an arena of a built allocator. */
        CHILD
    }

    /** One row of the matrix: an origin and a confinement. */
    enum Source {
        JDK_CONFINED(Origin.JDK, true),
        JDK_SHARED(Origin.JDK, false),
        HEDRA_CONFINED(Origin.BUILT, true),
        HEDRA_SHARED(Origin.BUILT, false),
        DEFAULT_CONFINED(Origin.DEFAULT, true),
        DEFAULT_SHARED(Origin.DEFAULT, false),
        CHILD_CONFINED(Origin.CHILD, true),
        CHILD_SHARED(Origin.CHILD, false);

        final Origin origin;
        final boolean confined;

        Source(Origin origin, boolean confined) {
            this.origin = origin;
            this.confined = confined;
        }

        boolean isHedra() {
            return origin != Origin.JDK;
        }

        Fixture open() {
            return new Fixture(this);
        }

        static Stream<Source> confinedOnes() {
            return Stream.of(values()).filter(source -> source.confined);
        }

        static Stream<Source> sharedOnes() {
            return Stream.of(values()).filter(source -> !source.confined);
        }
    }

    /**
     * The arenas of one test from one {@link Source}, opened on the test thread; closing the
     * fixture is the invariant check after the test (see the class comment).
     */
    static final class Fixture implements AutoCloseable {

        private static final long CANARY_SIZE = 4 * KiB;
        private static final long CANARY_SEED = 0xC0FFEEL;

        final Source source;
        /** The allocator behind Hedra's arenas; null for the JDK's. */
        private final NativeAllocator allocator;
        private final List<Arena> arenas = new ArrayList<>();
        private final List<HedraArena> parents = new ArrayList<>();
        private final List<MemorySegment> canaries = new ArrayList<>();

        private Fixture(Source source) {
            this.source = source;
            this.allocator = switch (source.origin) {
                case JDK -> null;
                case DEFAULT -> Hedra.allocator();
                case BUILT, CHILD -> CheckedAllocator.wrap(
                        Hedra.builder().name("arena-" + source.name().toLowerCase()).build(), true);
            };
        }

        /** Opens an arena of this source; the test may close it, else the fixture does. */
        Arena open() {
            Arena arena = switch (source.origin) {
                case JDK -> source.confined ? Arena.ofConfined() : Arena.ofShared();
                case BUILT, DEFAULT -> hedraArena();
                case CHILD -> {
                    HedraArena parent = hedraArena();
                    // The child's use must leave its parent alone: a canary checked at the end.
                    MemorySegment canary = parent.allocate(CANARY_SIZE, 8);
                    fillPattern(canary, CANARY_SEED);
                    parents.add(parent);
                    canaries.add(canary);
                    yield parent.openChild();
                }
            };
            arenas.add(arena);
            return arena;
        }

        private HedraArena hedraArena() {
            return source.confined ? allocator.newConfinedArena() : allocator.newSharedArena();
        }

        /** A JDK arena of the same confinement, whose behaviour the arena under test must match. */
        Arena reference() {
            Arena arena = source.confined ? Arena.ofConfined() : Arena.ofShared();
            arenas.add(arena);
            return arena;
        }

        /** The allocator behind the arenas; null for the JDK's. */
        NativeAllocator allocator() {
            return allocator;
        }

        @Override
        public void close() {
            List<Throwable> failures = new ArrayList<>();
            for (Arena arena : arenas.reversed()) {
                if (arena.scope().isAlive()) {
                    attempt(failures, arena::close);
                }
            }
            for (int i = 0; i < parents.size(); i++) {
                MemorySegment canary = canaries.get(i);
                HedraArena parent = parents.get(i);
                attempt(failures, () -> assertPattern(canary, CANARY_SEED, "the canary of the child's parent"));
                attempt(failures, parent::close);
            }
            if (source.origin == Origin.BUILT || source.origin == Origin.CHILD) {
                attempt(failures, allocator::close);
            }
            if (!failures.isEmpty()) {
                AssertionError error = new AssertionError("the check after the test failed", failures.get(0));
                failures.stream().skip(1).forEach(error::addSuppressed);
                throw error;
            }
        }

        private static void attempt(List<Throwable> failures, Executable step) {
            try {
                step.execute();
            } catch (Throwable t) {
                failures.add(t);
            }
        }
    }

    // ---- segment checks shared by the arena tests

    private static final ValueLayout.OfLong WORD = JAVA_LONG.withByteAlignment(1).withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final MemorySegment ZEROS = MemorySegment.ofArray(new byte[64 * (int) KiB]);

    /** Fills a segment, through the segment, with the pattern of {@code seed}. */
    static void fillPattern(MemorySegment segment, long seed) {
        long size = segment.byteSize();
        long offset = 0;
        for (; offset + 8 <= size; offset += 8) {
            segment.set(WORD, offset, SplitMix64.mix(seed + offset));
        }
        long last = SplitMix64.mix(seed + offset);
        for (long i = offset; i < size; i++) {
            segment.set(JAVA_BYTE, i, (byte) (last >>> (8 * (i - offset))));
        }
    }

    /** The first offset whose byte differs from the pattern of {@code seed}, or -1. */
    static long firstPatternMismatch(MemorySegment segment, long seed) {
        long size = segment.byteSize();
        long offset = 0;
        for (; offset + 8 <= size; offset += 8) {
            long expected = SplitMix64.mix(seed + offset);
            long actual = segment.get(WORD, offset);
            if (actual != expected) {
                return offset + Long.numberOfTrailingZeros(actual ^ expected) / 8;
            }
        }
        long last = SplitMix64.mix(seed + offset);
        for (long i = offset; i < size; i++) {
            if (segment.get(JAVA_BYTE, i) != (byte) (last >>> (8 * (i - offset)))) {
                return i;
            }
        }
        return -1;
    }

    static void assertPattern(MemorySegment segment, long seed, String what) {
        long mismatch = firstPatternMismatch(segment, seed);
        if (mismatch >= 0) {
            fail(what + ": " + segment + " differs from its pattern at offset " + mismatch);
        }
    }

    /** The first non-zero byte of a segment, or -1. */
    static long firstNonZero(MemorySegment segment) {
        long size = segment.byteSize();
        for (long offset = 0; offset < size; offset += ZEROS.byteSize()) {
            long length = Math.min(ZEROS.byteSize(), size - offset);
            long mismatch = MemorySegment.mismatch(segment, offset, offset + length, ZEROS, 0, length);
            if (mismatch >= 0) {
                return offset + mismatch;
            }
        }
        return -1;
    }

    static void assertZeroed(MemorySegment segment, String what) {
        long nonZero = firstNonZero(segment);
        if (nonZero >= 0) {
            fail(what + ": " + segment + " is not zeroed: byte " + nonZero + " is "
                    + segment.get(JAVA_BYTE, nonZero));
        }
    }

    static void assertAligned(MemorySegment segment, long alignment, String what) {
        if (Long.remainderUnsigned(segment.address(), alignment) != 0) {
            fail(what + ": " + segment + " is not " + alignment + "-aligned");
        }
    }

    /** Checks that no two segments of non-zero length share a byte. */
    static void assertDisjoint(List<MemorySegment> segments) {
        List<MemorySegment> sorted = new ArrayList<>(segments.stream().filter(s -> s.byteSize() > 0).toList());
        sorted.sort(Comparator.comparingLong(MemorySegment::address));
        for (int i = 1; i < sorted.size(); i++) {
            MemorySegment before = sorted.get(i - 1);
            MemorySegment after = sorted.get(i);
            if (before.address() + before.byteSize() > after.address()) {
                fail("segments overlap: " + before + " and " + after);
            }
            assertTrue(before.asOverlappingSlice(after).isEmpty(), () -> before + " overlaps " + after);
        }
    }

    /** Checks a fresh allocation: exact size, alignment, the arena's scope, native, zeroed. */
    static void assertFreshAllocation(MemorySegment segment, long size, long alignment, Arena arena, String what) {
        assertNotNull(segment, what + " returned null");
        assertEquals(size, segment.byteSize(), () -> what + ": byteSize");
        assertAligned(segment, alignment, what);
        assertEquals(arena.scope(), segment.scope(), () -> what + ": the segment has the arena's scope");
        assertTrue(segment.isNative(), () -> what + ": native");
        assertFalse(segment.isReadOnly(), () -> what + ": writable");
        assertZeroed(segment, what);
    }

    /** Sizes up to 100 KiB around every power of two; the zero size last (see zeroLengthFirst). */
    static final long[] SIZES = {
        1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 24, 31, 32, 33, 48, 63, 64, 65, 100, 127, 128, 129, 255, 256,
        257, 500, 511, 512, 513, 1000, 1023, 1024, 1025, 2047, 2048, 2049, 4095, 4096, 4097, 8191, 8192,
        8193, 16383, 16384, 16385, 32767, 32768, 32769, 65535, 65536, 65537, 100 * KiB, 0
    };

    /** Alignments 1 to 4096. */
    static final long[] ALIGNMENTS = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096};

    // ---- allocation

    /**
     * {@code allocate(size, alignment)} for every size and alignment: exact size, aligned, zeroed,
     * writable, disjoint; then the same in a second arena, whose memory (for Hedra) is the first
     * one's given back, filled with patterns, so zeroing on reuse is checked too.
     */
    @ParameterizedTest
    @EnumSource(Source.class)
    void allocateIsExactAlignedZeroedAndWritableInFreshAndReusedMemory(Source source) {
        try (Fixture fixture = source.open()) {
            for (int round = 0; round < 2; round++) {
                Arena arena = fixture.open();
                List<MemorySegment> segments = new ArrayList<>();
                for (long size : SIZES) {
                    for (long alignment : ALIGNMENTS) {
                        String what = "round " + round + ": allocate(" + size + ", " + alignment + ")";
                        MemorySegment segment = arena.allocate(size, alignment);
                        assertFreshAllocation(segment, size, alignment, arena, what);
                        fillPattern(segment, segments.size());
                        segments.add(segment);
                    }
                }
                for (int i = 0; i < segments.size(); i++) {
                    assertPattern(segments.get(i), i, "round " + round + ", segment " + i);
                }
                assertDisjoint(segments);
                arena.close();
            }
        }
    }

    /** {@code TestSegments}' zero-length segments, in an arena that has allocated before. */
    @ParameterizedTest
    @EnumSource(Source.class)
    void zeroLengthSegments(Source source) {
        try (Fixture fixture = source.open()) {
            Arena arena = fixture.open();
            MemorySegment before = arena.allocate(24, 8);
            fillPattern(before, 1);
            List<MemorySegment> empty = new ArrayList<>();
            for (long alignment : ALIGNMENTS) {
                MemorySegment segment = arena.allocate(0, alignment);
                assertFreshAllocation(segment, 0, alignment, arena, "allocate(0, " + alignment + ")");
                empty.add(segment);
            }
            MemoryLayout noInts = MemoryLayout.sequenceLayout(0, JAVA_INT);
            empty.add(arena.allocate(noInts));
            empty.add(arena.allocate(JAVA_LONG, 0));
            empty.add(arena.allocateFrom(JAVA_INT, new int[0]));
            empty.add(arena.allocateFrom(JAVA_DOUBLE, new double[0]));
            empty.add(arena.allocateFrom(JAVA_BYTE, MemorySegment.ofArray(new byte[0]), JAVA_BYTE, 0, 0));
            // A chunk filled to its end, then nothing.
            for (int i = 0; i < 4; i++) {
                arena.allocate(16 * KiB, 8);
            }
            empty.add(arena.allocate(0, 8));
            for (MemorySegment segment : empty) {
                assertEquals(0, segment.byteSize());
                assertEquals(arena.scope(), segment.scope());
                assertEquals(0, MemorySegment.ofAddress(segment.address()).byteSize());
                assertEquals(0, segment.asSlice(0, 0).byteSize());
                segment.fill((byte) 1); // nothing to fill
                assertThrows(IndexOutOfBoundsException.class, () -> segment.get(JAVA_BYTE, 0));
            }
            assertEquals(0, empty.get(2).address() % 4);
            assertPattern(before, 1, "the segment allocated before the empty ones");
            arena.close();
            for (MemorySegment segment : empty) {
                assertFalse(segment.scope().isAlive());
            }
        }
    }

    /**
     * A zero-length request as an arena's very first one, as {@code TestSegments} makes it: the
     * JDK returns an aligned empty segment.
     */
    @ParameterizedTest
    @EnumSource(Source.class)
    void zeroLengthAsTheFirstRequest(Source source) {
        try (Fixture fixture = source.open()) {
            for (long alignment : new long[] {1, 8, 4096}) {
                Arena arena = fixture.open();
                MemorySegment segment = arena.allocate(0, alignment);
                assertFreshAllocation(segment, 0, alignment, arena, "first allocate(0, " + alignment + ")");
                arena.close();
            }
            Arena arena = fixture.open();
            assertEquals(0, arena.allocateFrom(JAVA_INT, new int[0]).byteSize(), "first allocateFrom(int[0])");
            arena.close();
            Arena sequence = fixture.open();
            assertEquals(0, sequence.allocate(MemoryLayout.sequenceLayout(0, JAVA_INT)).byteSize());
            sequence.close();
            if (source.isHedra()) {
                HedraArena hedra = (HedraArena) fixture.open();
                assertEquals(0, hedra.allocateUninitialized(0, 8).byteSize(), "first allocateUninitialized(0, 8)");
                hedra.close();
            }
        }
    }

    /** Random sizes (mostly small, some up to 100 KiB, a few of several MiB) never overlap. */
    @ParameterizedTest
    @EnumSource(Source.class)
    void segmentsOfOneArenaNeverOverlap(Source source) {
        try (Fixture fixture = source.open()) {
            Arena arena = fixture.open();
            SplittableRandom random = new SplittableRandom(17);
            List<MemorySegment> segments = new ArrayList<>();
            for (int i = 0; i < 3000; i++) {
                long size = switch (random.nextInt(100)) {
                    case 0 -> random.nextLong(1 * MiB, 5 * MiB);
                    case 1, 2, 3, 4, 5 -> random.nextLong(16 * KiB, 100 * KiB);
                    default -> random.nextLong(1, 1024);
                };
                long alignment = 1L << (random.nextInt(10) == 0 ? random.nextInt(13, 21) : random.nextInt(13));
                MemorySegment segment = arena.allocate(size, alignment);
                assertEquals(size, segment.byteSize());
                assertAligned(segment, alignment, "allocate(" + size + ", " + alignment + ")");
                fillPattern(segment, i);
                segments.add(segment);
            }
            for (int i = 0; i < segments.size(); i++) {
                assertPattern(segments.get(i), i, "segment " + i);
            }
            assertDisjoint(segments);
        }
    }

    /** The size and element-count overloads: a layout's size and alignment, count times. */
    @ParameterizedTest
    @EnumSource(Source.class)
    void layoutAndElementCountOverloads(Source source) {
        List<MemoryLayout> layouts = new ArrayList<>(List.of(JAVA_BYTE, JAVA_SHORT, JAVA_CHAR, JAVA_INT, JAVA_FLOAT,
                JAVA_LONG, JAVA_DOUBLE, ADDRESS, ValueLayout.JAVA_BOOLEAN, ValueLayout.JAVA_LONG_UNALIGNED,
                MemoryLayout.paddingLayout(3),
                MemoryLayout.structLayout(JAVA_INT, MemoryLayout.paddingLayout(4), JAVA_LONG),
                MemoryLayout.sequenceLayout(5, MemoryLayout.structLayout(JAVA_SHORT, JAVA_CHAR)),
                MemoryLayout.unionLayout(JAVA_INT, JAVA_DOUBLE)));
        try (Fixture fixture = source.open()) {
            Arena arena = fixture.open();
            List<MemorySegment> segments = new ArrayList<>();
            for (MemoryLayout layout : layouts) {
                MemorySegment one = arena.allocate(layout);
                assertFreshAllocation(one, layout.byteSize(), layout.byteAlignment(), arena, "allocate(" + layout + ")");
                segments.add(one);
                for (long count : new long[] {0, 1, 7, 1000}) {
                    String what = "allocate(" + layout + ", " + count + ")";
                    MemorySegment many = arena.allocate(layout, count);
                    assertFreshAllocation(many, layout.byteSize() * count, layout.byteAlignment(), arena, what);
                    segments.add(many);
                }
            }
            // Over-aligned: one only, since an array of it would need padding between elements.
            MemorySegment overAligned = arena.allocate(JAVA_INT.withByteAlignment(64));
            assertFreshAllocation(overAligned, 4, 64, arena, "allocate(JAVA_INT aligned to 64)");
            segments.add(overAligned);
            for (long size : new long[] {1, 13, 4096, 70 * KiB}) {
                MemorySegment bytes = arena.allocate(size);
                assertFreshAllocation(bytes, size, 1, arena, "allocate(" + size + ")");
                segments.add(bytes);
            }
            for (int i = 0; i < segments.size(); i++) {
                fillPattern(segments.get(i), i);
            }
            for (int i = 0; i < segments.size(); i++) {
                assertPattern(segments.get(i), i, "segment " + i);
            }
            assertDisjoint(segments);
        }
    }

    // ---- allocateFrom

    /** A carrier value written by {@code allocateFrom(layout, value)} and read back. */
    private record Scalar(ValueLayout layout, Object value) {}

    private static List<Scalar> scalars() {
        List<Scalar> scalars = new ArrayList<>();
        for (ByteOrder order : new ByteOrder[] {ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN}) {
            for (long times : new long[] {1, 2, 4, 8}) {
                scalars.add(new Scalar(aligned(JAVA_BYTE, times), (byte) -42));
                scalars.add(new Scalar(aligned(JAVA_SHORT.withOrder(order), times), (short) 0x1234));
                scalars.add(new Scalar(aligned(JAVA_CHAR.withOrder(order), times), '\u20AC'));
                scalars.add(new Scalar(aligned(JAVA_INT.withOrder(order), times), 0x12345678));
                scalars.add(new Scalar(aligned(JAVA_FLOAT.withOrder(order), times), 42.5f));
                scalars.add(new Scalar(aligned(JAVA_LONG.withOrder(order), times), 0x123456789ABCDEF0L));
                scalars.add(new Scalar(aligned(JAVA_DOUBLE.withOrder(order), times), -1e300));
                scalars.add(new Scalar(aligned(ADDRESS.withOrder(order), times), MemorySegment.ofAddress(42)));
            }
            scalars.add(new Scalar(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(order), (short) 7));
            scalars.add(new Scalar(ValueLayout.JAVA_INT_UNALIGNED.withOrder(order), 7));
            scalars.add(new Scalar(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(order), 7L));
            scalars.add(new Scalar(ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(order), 7d));
        }
        return scalars;
    }

    private static ValueLayout aligned(ValueLayout layout, long times) {
        return layout.withByteAlignment(layout.byteSize() * times);
    }

    private static MemorySegment allocateFrom(SegmentAllocator allocator, Scalar scalar) {
        return switch (scalar.layout()) {
            case ValueLayout.OfByte l -> allocator.allocateFrom(l, (Byte) scalar.value());
            case ValueLayout.OfShort l -> allocator.allocateFrom(l, (Short) scalar.value());
            case ValueLayout.OfChar l -> allocator.allocateFrom(l, (Character) scalar.value());
            case ValueLayout.OfInt l -> allocator.allocateFrom(l, (Integer) scalar.value());
            case ValueLayout.OfFloat l -> allocator.allocateFrom(l, (Float) scalar.value());
            case ValueLayout.OfLong l -> allocator.allocateFrom(l, (Long) scalar.value());
            case ValueLayout.OfDouble l -> allocator.allocateFrom(l, (Double) scalar.value());
            case AddressLayout l -> allocator.allocateFrom(l, (MemorySegment) scalar.value());
            default -> throw new AssertionError(scalar);
        };
    }

    private static Object read(MemorySegment segment, ValueLayout layout) {
        return switch (layout) {
            case ValueLayout.OfByte l -> segment.get(l, 0);
            case ValueLayout.OfShort l -> segment.get(l, 0);
            case ValueLayout.OfChar l -> segment.get(l, 0);
            case ValueLayout.OfInt l -> segment.get(l, 0);
            case ValueLayout.OfFloat l -> segment.get(l, 0);
            case ValueLayout.OfLong l -> segment.get(l, 0);
            case ValueLayout.OfDouble l -> segment.get(l, 0);
            case AddressLayout l -> segment.get(l, 0);
            default -> throw new AssertionError(layout);
        };
    }

    /** {@code allocateFrom(layout, value)} for every carrier, byte order and alignment up to 8 times. */
    @ParameterizedTest
    @EnumSource(Source.class)
    void allocateFromEveryValueLayout(Source source) {
        try (Fixture fixture = source.open()) {
            Arena arena = fixture.open();
            List<MemorySegment> segments = new ArrayList<>();
            for (Scalar scalar : scalars()) {
                for (int i = 0; i < 16; i++) {
                    MemorySegment segment = allocateFrom(arena, scalar);
                    String what = "allocateFrom(" + scalar.layout() + ", " + scalar.value() + ")";
                    assertEquals(scalar.layout().byteSize(), segment.byteSize(), what);
                    assertAligned(segment, scalar.layout().byteAlignment(), what);
                    assertEquals(arena.scope(), segment.scope(), what);
                    assertEquals(scalar.value(), read(segment, scalar.layout()), what);
                    segments.add(segment);
                }
            }
            assertDisjoint(segments);
        }
    }

    /** An array type, its layout, and how to write and read it. */
    private record ArrayKind(String name, ValueLayout layout, java.util.function.IntFunction<Object> make,
            java.util.function.BiFunction<SegmentAllocator, Object, MemorySegment> write,
            java.util.function.Function<MemorySegment, Object> read) {}

    private static List<ArrayKind> arrayKinds(ByteOrder order, SplittableRandom random) {
        ValueLayout.OfShort shorts = JAVA_SHORT.withOrder(order);
        ValueLayout.OfChar chars = JAVA_CHAR.withOrder(order);
        ValueLayout.OfInt ints = JAVA_INT.withOrder(order);
        ValueLayout.OfFloat floats = JAVA_FLOAT.withOrder(order);
        ValueLayout.OfLong longs = JAVA_LONG.withOrder(order);
        ValueLayout.OfDouble doubles = JAVA_DOUBLE.withOrder(order);
        return List.of(
                new ArrayKind("byte[]", JAVA_BYTE, n -> {
                    byte[] a = new byte[n];
                    random.nextBytes(a);
                    return a;
                }, (s, a) -> s.allocateFrom(JAVA_BYTE, (byte[]) a), m -> m.toArray(JAVA_BYTE)),
                new ArrayKind("short[]", shorts, n -> {
                    short[] a = new short[n];
                    for (int i = 0; i < n; i++) {
                        a[i] = (short) random.nextInt();
                    }
                    return a;
                }, (s, a) -> s.allocateFrom(shorts, (short[]) a), m -> m.toArray(shorts)),
                new ArrayKind("char[]", chars, n -> {
                    char[] a = new char[n];
                    for (int i = 0; i < n; i++) {
                        a[i] = (char) random.nextInt();
                    }
                    return a;
                }, (s, a) -> s.allocateFrom(chars, (char[]) a), m -> m.toArray(chars)),
                new ArrayKind("int[]", ints, n -> random.ints(n).toArray(),
                        (s, a) -> s.allocateFrom(ints, (int[]) a), m -> m.toArray(ints)),
                new ArrayKind("float[]", floats, n -> {
                    float[] a = new float[n];
                    for (int i = 0; i < n; i++) {
                        a[i] = (float) random.nextDouble(-1e6, 1e6);
                    }
                    return a;
                }, (s, a) -> s.allocateFrom(floats, (float[]) a), m -> m.toArray(floats)),
                new ArrayKind("long[]", longs, n -> random.longs(n).toArray(),
                        (s, a) -> s.allocateFrom(longs, (long[]) a), m -> m.toArray(longs)),
                new ArrayKind("double[]", doubles, n -> random.doubles(n, -1e300, 1e300).toArray(),
                        (s, a) -> s.allocateFrom(doubles, (double[]) a), m -> m.toArray(doubles)));
    }

    private static void assertSameArray(Object expected, Object actual, String what) {
        switch (expected) {
            case byte[] a -> assertArrayEquals(a, (byte[]) actual, what);
            case short[] a -> assertArrayEquals(a, (short[]) actual, what);
            case char[] a -> assertArrayEquals(a, (char[]) actual, what);
            case int[] a -> assertArrayEquals(a, (int[]) actual, what);
            case float[] a -> assertArrayEquals(a, (float[]) actual, what);
            case long[] a -> assertArrayEquals(a, (long[]) actual, what);
            case double[] a -> assertArrayEquals(a, (double[]) actual, what);
            default -> throw new AssertionError(expected);
        }
    }

    /** {@code allocateFrom(layout, array)} for every primitive array but boolean, both byte orders. */
    @ParameterizedTest
    @EnumSource(Source.class)
    void allocateFromEveryArray(Source source) {
        SplittableRandom random = new SplittableRandom(3);
        try (Fixture fixture = source.open()) {
            Arena arena = fixture.open();
            List<MemorySegment> segments = new ArrayList<>();
            List<Object> arrays = new ArrayList<>();
            List<ArrayKind> kinds = new ArrayList<>();
            for (ByteOrder order : new ByteOrder[] {ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN}) {
                for (ArrayKind kind : arrayKinds(order, random)) {
                    for (int length : new int[] {1, 2, 7, 100, 1000, 3000, 20_000}) {
                        Object array = kind.make().apply(length);
                        MemorySegment segment = kind.write().apply(arena, array);
                        String what = "allocateFrom(" + kind.layout() + ", " + kind.name() + " of " + length + ")";
                        assertEquals(length * kind.layout().byteSize(), segment.byteSize(), what);
                        assertAligned(segment, kind.layout().byteAlignment(), what);
                        assertEquals(arena.scope(), segment.scope(), what);
                        assertSameArray(array, kind.read().apply(segment), what);
                        segments.add(segment);
                        arrays.add(array);
                        kinds.add(kind);
                    }
                }
            }
            // Read everything again: a later allocation must not have overwritten an earlier one.
            for (int i = 0; i < segments.size(); i++) {
                assertSameArray(arrays.get(i), kinds.get(i).read().apply(segments.get(i)), "array " + i + " at the end");
            }
            assertDisjoint(segments);
        }
    }

    /** {@code allocateFrom(String)} and {@code allocateFrom(String, Charset)}: the bytes and a terminator. */
    @ParameterizedTest
    @EnumSource(Source.class)
    void allocateFromStrings(Source source) {
        Map<Charset, Integer> terminators = new LinkedHashMap<>();
        terminators.put(StandardCharsets.UTF_8, 1);
        terminators.put(StandardCharsets.ISO_8859_1, 1);
        terminators.put(StandardCharsets.UTF_16LE, 2);
        terminators.put(StandardCharsets.UTF_16BE, 2);
        terminators.put(StandardCharsets.UTF_32LE, 4);
        terminators.put(StandardCharsets.UTF_32BE, 4);
        List<String> strings = List.of("", "a", "hello, arena", "Gr\u00fc\u00dfe", "x".repeat(5000),
                "\u00e9t\u00e9 ".repeat(9000));
        String unicode = "\u4e16\u754c \ud83d\ude42 \u20ac";
        try (Fixture fixture = source.open()) {
            Arena arena = fixture.open();
            List<MemorySegment> segments = new ArrayList<>();
            for (String string : strings) {
                MemorySegment utf8 = arena.allocateFrom(string);
                assertEquals(string.getBytes(StandardCharsets.UTF_8).length + 1, utf8.byteSize());
                assertEquals(string, utf8.getString(0));
                segments.add(utf8);
                for (Map.Entry<Charset, Integer> entry : terminators.entrySet()) {
                    Charset charset = entry.getKey();
                    MemorySegment segment = arena.allocateFrom(string, charset);
                    String what = "allocateFrom(\"" + abbreviated(string) + "\", " + charset + ")";
                    byte[] encoded = string.getBytes(charset);
                    assertEquals(encoded.length + entry.getValue(), segment.byteSize(), what);
                    assertArrayEquals(encoded, segment.asSlice(0, encoded.length).toArray(JAVA_BYTE), what);
                    assertZeroed(segment.asSlice(encoded.length), what + ": terminator");
                    assertEquals(string, segment.getString(0, charset), what);
                    segments.add(segment);
                }
            }
            for (Charset charset : List.of(StandardCharsets.UTF_8, StandardCharsets.UTF_16LE, StandardCharsets.UTF_32BE)) {
                MemorySegment segment = arena.allocateFrom(unicode, charset);
                assertEquals(unicode, segment.getString(0, charset));
                segments.add(segment);
            }
            assertDisjoint(segments);
        }
    }

    private static String abbreviated(String string) {
        return string.length() <= 20 ? string : string.substring(0, 20) + "...";
    }

    /** {@code allocateFrom(layout, source, sourceLayout, offset, count)} from native and heap sources. */
    @ParameterizedTest
    @EnumSource(Source.class)
    void allocateFromSegments(Source source) {
        SplittableRandom random = new SplittableRandom(5);
        int[] ints = random.ints(5000).toArray();
        try (Fixture fixture = source.open()) {
            Arena arena = fixture.open();
            MemorySegment heap = MemorySegment.ofArray(ints);
            MemorySegment nativeSource = arena.allocateFrom(JAVA_INT, ints);
            for (MemorySegment from : List.of(heap, nativeSource)) {
                for (int[] range : new int[][] {{0, 5000}, {0, 1}, {17, 100}, {4000, 1000}, {4999, 1}}) {
                    int offset = range[0];
                    int count = range[1];
                    MemorySegment copy = arena.allocateFrom(JAVA_INT, from, JAVA_INT, (long) offset * 4, count);
                    assertEquals(count * 4L, copy.byteSize());
                    assertAligned(copy, 4, "allocateFrom(JAVA_INT, segment, ...)");
                    assertEquals(arena.scope(), copy.scope());
                    assertArrayEquals(java.util.Arrays.copyOfRange(ints, offset, offset + count), copy.toArray(JAVA_INT));
                }
                // Across byte orders, every element is swapped.
                MemorySegment swapped = arena.allocateFrom(
                        JAVA_INT.withOrder(ByteOrder.BIG_ENDIAN), from, JAVA_INT.withOrder(ByteOrder.LITTLE_ENDIAN), 0, 10);
                for (int i = 0; i < 10; i++) {
                    assertEquals(Integer.reverseBytes(ints[i]), swapped.getAtIndex(JAVA_INT.withOrder(ByteOrder.LITTLE_ENDIAN), i));
                }
                // From a whole segment: allocateFrom(layout, segment) is not an API; the 5-argument form over all bytes.
                MemorySegment bytes = arena.allocateFrom(JAVA_BYTE, from, JAVA_BYTE, 0, from.byteSize());
                assertEquals(-1, bytes.mismatch(from));
            }
        }
    }

    /**
     * The argument checks of the five-argument {@code allocateFrom}, as {@code TestSegmentAllocators}
     * lists them, and the refusal to store a heap segment's address.
     */
    @ParameterizedTest
    @EnumSource(Source.class)
    void allocateFromChecksItsArguments(Source source) {
        try (Fixture fixture = source.open()) {
            Arena arena = fixture.open();
            MemorySegment from = arena.allocate(JAVA_LONG, 2);
            assertThrows(IllegalArgumentException.class, () -> arena.allocateFrom(JAVA_INT, from, JAVA_BYTE, 0, 1),
                    "element sizes differ");
            assertThrows(IllegalArgumentException.class, () -> arena.allocateFrom(JAVA_INT, from.asSlice(1), JAVA_INT, 0, 1),
                    "misaligned source");
            assertThrows(IllegalArgumentException.class, () -> arena.allocateFrom(JAVA_INT, from, JAVA_INT, 1, 1),
                    "misaligned source offset");
            assertThrows(IllegalArgumentException.class,
                    () -> arena.allocateFrom(JAVA_INT.withByteAlignment(8), from, JAVA_INT, 0, 1),
                    "element alignment larger than its size");
            assertThrows(IllegalArgumentException.class,
                    () -> arena.allocateFrom(JAVA_INT, from, JAVA_INT, 0, Long.MAX_VALUE), "count * size overflows");
            assertThrows(IndexOutOfBoundsException.class,
                    () -> arena.allocateFrom(JAVA_INT, from, JAVA_INT, from.byteSize() - 4 + 4, 1), "past the source");
            assertThrows(IndexOutOfBoundsException.class, () -> arena.allocateFrom(JAVA_INT, from, JAVA_INT, -4, 1),
                    "negative offset");
            assertThrows(IllegalArgumentException.class, () -> arena.allocateFrom(JAVA_INT, from, JAVA_INT, 0, -1),
                    "negative count");
            IllegalArgumentException heapAddress = assertThrows(IllegalArgumentException.class,
                    () -> arena.allocateFrom(ADDRESS, MemorySegment.ofArray(new int[] {1})));
            assertTrue(heapAddress.getMessage().contains("Heap segment not allowed"), heapAddress::getMessage);
            MemorySegment after = arena.allocateFrom(JAVA_INT, 7);
            assertEquals(7, after.get(JAVA_INT, 0), "the arena works after rejected requests");
        }
    }

    // ---- argument validation

    /**
     * Bad sizes, alignments and counts raise what the JDK raises ({@code TestSegmentAllocators},
     * {@code TestSegments}), and leave the arena working with its segments intact.
     */
    @ParameterizedTest
    @EnumSource(Source.class)
    void badArgumentsAreRejectedAsTheJdkRejectsThem(Source source) {
        try (Fixture fixture = source.open()) {
            Arena arena = fixture.open();
            MemorySegment kept = arena.allocate(100, 8);
            fillPattern(kept, 9);
            Map<String, Executable> illegal = new LinkedHashMap<>();
            illegal.put("allocate(-1, 8)", () -> arena.allocate(-1, 8));
            illegal.put("allocate(-1)", () -> arena.allocate(-1));
            illegal.put("allocate(Long.MIN_VALUE, 8)", () -> arena.allocate(Long.MIN_VALUE, 8));
            illegal.put("allocate(1, 0)", () -> arena.allocate(1, 0));
            illegal.put("allocate(1, -1)", () -> arena.allocate(1, -1));
            illegal.put("allocate(1, 3)", () -> arena.allocate(1, 3));
            illegal.put("allocate(1, 15)", () -> arena.allocate(1, 15));
            illegal.put("allocate(1, -15)", () -> arena.allocate(1, -15));
            illegal.put("allocate(1, 24)", () -> arena.allocate(1, 24));
            illegal.put("allocate(1, Long.MIN_VALUE)", () -> arena.allocate(1, Long.MIN_VALUE));
            illegal.put("allocate(0, 0)", () -> arena.allocate(0, 0));
            illegal.put("allocate(JAVA_BYTE, -1)", () -> arena.allocate(JAVA_BYTE, -1));
            illegal.put("allocate(JAVA_LONG, Long.MAX_VALUE)", () -> arena.allocate(JAVA_LONG, Long.MAX_VALUE));
            illegal.put("allocate(JAVA_INT, Long.MAX_VALUE / 4 + 1)", () -> arena.allocate(JAVA_INT, Long.MAX_VALUE / 4 + 1));
            illegal.put("allocate(struct, Long.MAX_VALUE / 2)",
                    () -> arena.allocate(MemoryLayout.structLayout(JAVA_LONG, JAVA_LONG), Long.MAX_VALUE / 2));
            illegal.put("allocateFrom(JAVA_INT, source, JAVA_INT, 0, -1)",
                    () -> arena.allocateFrom(JAVA_INT, kept, JAVA_INT, 0, -1));
            for (Map.Entry<String, Executable> entry : illegal.entrySet()) {
                assertThrows(IllegalArgumentException.class, entry.getValue(), entry.getKey());
            }
            Map<String, Executable> nulls = new LinkedHashMap<>();
            nulls.put("allocate(null)", () -> arena.allocate((MemoryLayout) null));
            nulls.put("allocate(null, 1)", () -> arena.allocate((MemoryLayout) null, 1));
            nulls.put("allocateFrom(null, 1)", () -> arena.allocateFrom((ValueLayout.OfInt) null, 1));
            nulls.put("allocateFrom(JAVA_INT, (int[]) null)", () -> arena.allocateFrom(JAVA_INT, (int[]) null));
            nulls.put("allocateFrom((String) null)", () -> arena.allocateFrom((String) null));
            nulls.put("allocateFrom(\"x\", null)", () -> arena.allocateFrom("x", null));
            nulls.put("allocateFrom(JAVA_INT, null, JAVA_INT, 0, 1)", () -> arena.allocateFrom(JAVA_INT, null, JAVA_INT, 0, 1));
            for (Map.Entry<String, Executable> entry : nulls.entrySet()) {
                assertThrows(NullPointerException.class, entry.getValue(), entry.getKey());
            }
            assertPattern(kept, 9, "the segment allocated before the rejected requests");
            MemorySegment after = arena.allocate(100, 8);
            assertFreshAllocation(after, 100, 8, arena, "allocate after rejected requests");
            assertDisjoint(List.of(kept, after));
        }
    }

    /**
     * A request too large to satisfy raises {@link OutOfMemoryError}, as the JDK's arenas do
     * ({@code TestSegmentAllocators.testBadArenaNullReturn}: never a null, never another error).
     */
    @ParameterizedTest
    @EnumSource(Source.class)
    void tooLargeRequestsThrowOutOfMemoryError(Source source) {
        try (Fixture fixture = source.open()) {
            Arena arena = fixture.open();
            MemorySegment kept = arena.allocate(64, 8);
            fillPattern(kept, 4);
            Map<String, Executable> tooLarge = new LinkedHashMap<>();
            tooLarge.put("allocate(Long.MAX_VALUE, 1)", () -> arena.allocate(Long.MAX_VALUE, 1));
            tooLarge.put("allocate(Long.MAX_VALUE, 2)", () -> arena.allocate(Long.MAX_VALUE, 2));
            tooLarge.put("allocate(Long.MAX_VALUE / 2, 4096)", () -> arena.allocate(Long.MAX_VALUE / 2, 4096));
            tooLarge.put("allocate(2^50, 8)", () -> arena.allocate(1L << 50, 8));
            tooLarge.put("allocate(2^46, 8)", () -> arena.allocate(1L << 46, 8));
            tooLarge.put("allocate(1, 2^62)", () -> arena.allocate(1, 1L << 62));
            tooLarge.put("allocate(JAVA_LONG, 2^59)", () -> arena.allocate(JAVA_LONG, 1L << 59));
            for (Map.Entry<String, Executable> entry : tooLarge.entrySet()) {
                assertThrows(OutOfMemoryError.class, entry.getValue(), entry.getKey());
            }
            assertPattern(kept, 4, "the segment allocated before the failed requests");
            assertFreshAllocation(arena.allocate(64, 8), 64, 8, arena, "allocate after failed requests");
        }
    }

    // ---- after close

    /**
     * After {@code close()}, every access to a segment of the arena and every allocation throws
     * {@link IllegalStateException} naming the closed state, as {@code TestScopedOperations} asserts;
     * so does a second close.
     */
    @ParameterizedTest
    @EnumSource(Source.class)
    void afterCloseEveryOperationThrowsIllegalStateException(Source source) {
        try (Fixture fixture = source.open()) {
            Arena arena = fixture.open();
            MemorySegment small = arena.allocate(64, 8);
            MemorySegment large = arena.allocate(100 * KiB, 16);
            MemorySegment huge = arena.allocate(5 * MiB, 4096);
            MemorySegment text = arena.allocateFrom("closed arena");
            MemorySegment slice = small.asSlice(8, 16);
            MemorySegment live = fixture.reference().allocate(64, 8);
            List<MemorySegment> segments = List.of(small, large, huge, text, slice);
            assertTrue(arena.scope().isAlive());
            arena.close();

            assertFalse(arena.scope().isAlive(), "the arena's scope after close");
            Map<String, Executable> operations = new LinkedHashMap<>();
            for (MemorySegment segment : segments) {
                String of = " of " + segment.byteSize() + " bytes";
                assertFalse(segment.scope().isAlive(), "scope" + of);
                operations.put("get" + of, () -> segment.get(JAVA_BYTE, 0));
                // Unaligned layouts: the text segment may sit at any address.
                operations.put("set" + of, () -> segment.set(ValueLayout.JAVA_INT_UNALIGNED, 4, 1));
                operations.put("getAtIndex" + of, () -> segment.getAtIndex(ValueLayout.JAVA_LONG_UNALIGNED, 0));
                operations.put("setAtIndex" + of, () -> segment.setAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, 1, (short) 1));
                operations.put("var handle get" + of, () -> {
                    int unused = (int) ValueLayout.JAVA_INT_UNALIGNED.varHandle().get(segment, 0L);
                });
                operations.put("fill" + of, () -> segment.fill((byte) 1));
                operations.put("copyFrom" + of, () -> segment.copyFrom(live.asSlice(0, 4)));
                operations.put("copy out" + of, () -> MemorySegment.copy(segment, 0, live, 0, 4));
                operations.put("copy in" + of, () -> MemorySegment.copy(live, 0, segment, 0, 4));
                operations.put("copy to array" + of, () -> MemorySegment.copy(segment, JAVA_BYTE, 0, new byte[4], 0, 4));
                operations.put("copy from array" + of, () -> MemorySegment.copy(new byte[4], 0, segment, JAVA_BYTE, 0, 4));
                operations.put("toArray" + of, () -> segment.toArray(JAVA_BYTE));
                operations.put("mismatch" + of, () -> segment.mismatch(live));
                operations.put("asSlice then get" + of, () -> segment.asSlice(1, 4).get(JAVA_BYTE, 0));
                operations.put("asReadOnly then get" + of, () -> segment.asReadOnly().get(JAVA_BYTE, 0));
                operations.put("asByteBuffer then get" + of, () -> segment.asByteBuffer().get(0));
                operations.put("getString" + of, () -> segment.getString(0));
                operations.put("setString" + of, () -> segment.setString(0, "x"));
                operations.put("elements then get" + of,
                        () -> segment.elements(JAVA_BYTE).findFirst().orElseThrow().get(JAVA_BYTE, 0));
            }
            MemorySegment heapSource = MemorySegment.ofArray(new int[] {1, 2});
            operations.put("allocate(1)", () -> arena.allocate(1));
            operations.put("allocate(1, 1)", () -> arena.allocate(1, 1));
            operations.put("allocate(100 KiB, 8)", () -> arena.allocate(100 * KiB, 8));
            operations.put("allocate(JAVA_INT)", () -> arena.allocate(JAVA_INT));
            operations.put("allocate(JAVA_INT, 3)", () -> arena.allocate(JAVA_INT, 3));
            for (Scalar scalar : scalars().subList(0, 8)) {
                operations.put("allocateFrom(" + scalar.layout() + ", value)", () -> allocateFrom(arena, scalar));
            }
            for (ArrayKind kind : arrayKinds(ByteOrder.nativeOrder(), new SplittableRandom(1))) {
                Object array = kind.make().apply(3);
                operations.put("allocateFrom(" + kind.name() + ")", () -> kind.write().apply(arena, array));
            }
            operations.put("allocateFrom(String)", () -> arena.allocateFrom("x"));
            operations.put("allocateFrom(String, UTF_16LE)", () -> arena.allocateFrom("x", StandardCharsets.UTF_16LE));
            operations.put("allocateFrom(segment, 5 arguments)", () -> arena.allocateFrom(JAVA_INT, heapSource, JAVA_INT, 0, 2));
            operations.put("allocateFrom(JAVA_INT, closed source, JAVA_INT, 0, 1)",
                    () -> fixture.reference().allocateFrom(JAVA_INT, small, JAVA_INT, 0, 1));
            operations.put("close again", arena::close);
            for (Map.Entry<String, Executable> entry : operations.entrySet()) {
                IllegalStateException e = assertThrows(IllegalStateException.class, entry.getValue(), entry.getKey());
                assertNotNull(e.getMessage(), entry.getKey());
                assertTrue(e.getMessage().toLowerCase().contains("closed"),
                        () -> entry.getKey() + ": the message should say the scope is closed: " + e.getMessage());
            }
            // Not accesses: a closed segment still answers questions about itself.
            assertEquals(64, small.byteSize());
            assertTrue(small.isNative());
            assertEquals(arena.scope(), small.scope());
        }
    }

    /** Arguments are checked before the state, as the JDK does: a bad request to a closed arena is an IAE. */
    @ParameterizedTest
    @EnumSource(Source.class)
    void argumentsAreCheckedBeforeTheState(Source source) {
        try (Fixture fixture = source.open()) {
            Arena arena = fixture.open();
            Arena reference = fixture.reference();
            arena.allocate(8);
            reference.allocate(8);
            arena.close();
            reference.close();
            Map<String, java.util.function.Consumer<Arena>> requests = new LinkedHashMap<>();
            requests.put("allocate(-1, 8)", a -> a.allocate(-1, 8));
            requests.put("allocate(8, 3)", a -> a.allocate(8, 3));
            requests.put("allocate(JAVA_INT, -1)", a -> a.allocate(JAVA_INT, -1));
            requests.put("allocate(JAVA_LONG, Long.MAX_VALUE)", a -> a.allocate(JAVA_LONG, Long.MAX_VALUE));
            requests.put("allocate(8, 8)", a -> a.allocate(8, 8));
            for (Map.Entry<String, java.util.function.Consumer<Arena>> entry : requests.entrySet()) {
                Class<?> expected = thrownBy(() -> entry.getValue().accept(reference));
                Class<?> actual = thrownBy(() -> entry.getValue().accept(arena));
                assertEquals(expected, actual, () -> "closed arena, " + entry.getKey() + ": what the JDK's arena throws");
            }
        }
    }

    /** The class of what {@code operation} throws, or null if it returns. */
    static Class<?> thrownBy(Executable operation) {
        try {
            operation.execute();
            return null;
        } catch (Throwable t) {
            return t.getClass();
        }
    }

    // ---- scopes and segment properties

    /**
     * {@code TestScope} and {@code TestSegments}: every segment of an arena (small, large, derived,
     * through a buffer) has the arena's scope; scopes of different arenas differ; the scope is alive
     * until close; segments are native, not mapped, writable.
     */
    @ParameterizedTest
    @EnumSource(Source.class)
    void segmentsCarryTheArenasScope(Source source) {
        try (Fixture fixture = source.open()) {
            Arena arena = fixture.open();
            Arena other = fixture.open();
            MemorySegment.Scope scope = arena.scope();
            assertEquals(scope, arena.scope(), "scope() is stable");
            assertTrue(scope.isAlive());
            assertNotEquals(scope, other.scope(), "two arenas have different scopes");
            assertNotEquals(scope, Arena.global().scope());
            List<MemorySegment> segments = List.of(arena.allocate(10), arena.allocate(10), arena.allocate(0, 8),
                    arena.allocate(40 * KiB, 64), arena.allocate(3 * MiB, 8), arena.allocate(64, 1 << 20),
                    arena.allocateFrom("scope"), arena.allocateFrom(JAVA_LONG, 1, 2, 3));
            for (MemorySegment segment : segments) {
                String what = segment.toString();
                assertEquals(scope, segment.scope(), what);
                assertEquals(scope.hashCode(), segment.scope().hashCode(), what);
                assertEquals(scope, segment.asSlice(0).scope(), what + ": asSlice");
                assertEquals(scope, segment.asReadOnly().scope(), what + ": asReadOnly");
                assertEquals(scope, segment.asSlice(0).asReadOnly().scope(), what + ": asSlice.asReadOnly");
                assertEquals(scope, MemorySegment.ofBuffer(segment.asByteBuffer()).scope(), what + ": through a buffer");
                assertNotEquals(other.scope(), segment.scope(), what);
                assertTrue(segment.isNative(), what);
                assertFalse(segment.isMapped(), what);
                assertFalse(segment.isReadOnly(), what);
                assertTrue(segment.heapBase().isEmpty(), what);
                assertTrue(segment.isAccessibleBy(Thread.currentThread()), what);
                assertThrows(UnsupportedOperationException.class, segment::load, what);
                assertThrows(UnsupportedOperationException.class, segment::unload, what);
                assertThrows(UnsupportedOperationException.class, segment::isLoaded, what);
                assertThrows(UnsupportedOperationException.class, segment::force, what);
            }
            MemorySegment buffered = segments.get(0);
            java.nio.ByteBuffer buffer = buffered.asByteBuffer();
            assertEquals(scope, MemorySegment.ofBuffer(buffer.slice(0, 2)).scope(), "buffer slice");
            assertEquals(scope, MemorySegment.ofBuffer(buffer.asIntBuffer()).scope(), "buffer view");
            assertTrue(buffer.isDirect());
            arena.close();
            assertFalse(scope.isAlive());
            assertTrue(other.scope().isAlive(), "closing one arena leaves the other open");
            other.allocate(8).fill((byte) 1);
        }
    }

    /** {@code TestSegments.testEqualsOffHeap} and hash codes: equality by address; two allocations differ. */
    @ParameterizedTest
    @EnumSource(Source.class)
    void segmentEqualityAndHashCode(Source source) {
        try (Fixture fixture = source.open()) {
            Arena arena = fixture.open();
            MemorySegment segment = arena.allocate(100, 1);
            assertEquals(segment, segment.asReadOnly());
            assertEquals(segment, segment.asSlice(0, 100));
            assertEquals(segment, segment.asSlice(0, 90));
            assertNotEquals(segment, segment.asSlice(10, 90));
            assertEquals(segment, MemorySegment.ofAddress(segment.address()));
            assertEquals(segment.hashCode(), segment.asSlice(0, 90).hashCode());
            assertEquals(segment.hashCode(), MemorySegment.ofAddress(segment.address()).hashCode());
            for (int i = 0; i < 100; i++) {
                assertNotEquals(segment, arena.allocate(1 + i % 50, 1), "a later allocation equals an earlier one");
            }
        }
    }

    /** {@code TestSegments.testSlices} and {@code testFill}: slices see the segment's bytes; fills stay inside. */
    @ParameterizedTest
    @EnumSource(Source.class)
    void slicesAndFills(Source source) {
        try (Fixture fixture = source.open()) {
            Arena arena = fixture.open();
            MemorySegment reference = fixture.reference().allocate(8);
            for (long size : new long[] {10, 4096, 100 * KiB}) {
                MemorySegment segment = arena.allocate(size, 1);
                for (long i = 0; i < size; i++) {
                    segment.set(JAVA_BYTE, i, (byte) i);
                }
                for (long offset : new long[] {0, 1, size / 2, size - 1}) {
                    MemorySegment slice = segment.asSlice(offset);
                    assertEquals(size - offset, slice.byteSize());
                    for (long i = offset; i < Math.min(size, offset + 64); i++) {
                        assertEquals(segment.get(JAVA_BYTE, i), slice.get(JAVA_BYTE, i - offset));
                    }
                }
                for (byte value : new byte[] {(byte) 0xFF, 0, 0x45}) {
                    segment.fill(value);
                    segment.asSlice(1, size - 2).fill((byte) ~value);
                    assertEquals(value, segment.get(JAVA_BYTE, 0));
                    assertEquals(value, segment.get(JAVA_BYTE, size - 1));
                    assertEquals((byte) ~value, segment.get(JAVA_BYTE, size / 2));
                }
                assertEquals(thrownBy(() -> reference.asReadOnly().fill((byte) 1)),
                        thrownBy(() -> segment.asReadOnly().fill((byte) 1)), "a read-only view refuses a fill as the JDK's does");
                assertThrows(IndexOutOfBoundsException.class, () -> segment.get(JAVA_INT, size));
                assertThrows(IndexOutOfBoundsException.class, () -> segment.get(JAVA_BYTE, -1));
            }
        }
    }
}
