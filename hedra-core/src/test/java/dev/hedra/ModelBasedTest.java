package dev.hedra;

import static dev.hedra.SizeClassOracle.KiB;
import static dev.hedra.SizeClassOracle.MiB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Random sequences of malloc, aligned malloc, calloc, realloc, free, sized free and usableSize on
 * one thread, checked against a model: a {@link TreeMap} of the live blocks, address to (size,
 * usable size, pattern seed). After every operation no two live blocks overlap over their usable
 * sizes, the blocks next to the one just touched still hold their patterns, and the statistics
 * count as many live blocks as the model; every block's pattern is checked when it is freed or
 * reallocated, and all of them every few hundred operations.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ModelBasedTest {

    private static final int OPERATIONS = 20_000;
    private static final int TARGET_LIVE = 400;

    record Live(long size, long usable, long seed) {}

    static Stream<Arguments> seeds() {
        return Stream.of(AllocatorSpec.DEFAULT, AllocatorSpec.MINIMUM_ALIGNMENT_16, AllocatorSpec.PROCESS_WIDE)
                .flatMap(spec -> Stream.of(1L, 2L, 3L, 0xC0FFEEL, 20250101L).map(seed -> Arguments.of(spec, seed)));
    }

    @ParameterizedTest(name = "{0}, seed {1}")
    @MethodSource("seeds")
    void randomOperationsAgreeWithTheModel(AllocatorSpec spec, long seed) {
        try (NativeAllocator hedra = spec.open()) {
            new Run(hedra, spec, new SplitMix64(seed), OPERATIONS).run();
        }
    }

    /** One seeded run against the model; package-private for {@link TestsCanFailTest}. */
    static final class Run {
        final NativeAllocator hedra;
        final AllocatorSpec spec;
        final SplitMix64 random;
        final TreeMap<Long, Live> model = new TreeMap<>();
        final long baselineLive;
        final int operations;
        long nextSeed;
        int step;
        String operation = "";

        Run(NativeAllocator hedra, AllocatorSpec spec, SplitMix64 random, int operations) {
            this.operations = operations;
            this.hedra = hedra;
            this.spec = spec;
            this.random = random;
            this.baselineLive = hedra.stats().liveBlocks();
            this.nextSeed = random.nextLong();
        }

        void run() {
            try {
                for (step = 0; step < operations; step++) {
                    one();
                    assertEquals(model.size(), hedra.stats().liveBlocks() - baselineLive,
                            () -> "live blocks differ from the model after " + operation);
                    if (step % 500 == 0) {
                        checkAll();
                    }
                }
                checkAll();
            } catch (AssertionError e) {
                throw new AssertionError("step " + step + " (" + operation + "): " + e.getMessage(), e);
            } finally {
                for (Map.Entry<Long, Live> entry : new ArrayList<>(model.entrySet())) {
                    freeChecked(entry.getKey(), random.nextInt(2) == 0);
                }
            }
            assertEquals(baselineLive, hedra.stats().liveBlocks());
        }

        long randomSize() {
            int r = random.nextInt(1000);
            if (r < 5) {
                return random.between(2 * MiB + 1, 5 * MiB);
            }
            if (r < 60) {
                return random.between(32 * KiB + 1, MiB);
            }
            if (r < 250) {
                return random.between(1025, 32 * KiB);
            }
            return random.between(1, 1024);
        }

        long randomLive() {
            // A uniformly chosen live address: walk from a random key.
            long probe = model.firstKey() + random.nextLong(model.lastKey() - model.firstKey() + 1);
            Long key = model.ceilingKey(probe);
            return key != null ? key : model.firstKey();
        }

        void one() {
            int r = random.nextInt(100);
            boolean shrink = model.size() > TARGET_LIVE;
            if (model.isEmpty() || (!shrink && r < 30)) {
                long size = randomSize();
                operation = "malloc(" + size + ")";
                long address = hedra.malloc(size);
                if (!SizeClassOracle.isHuge(size)) {
                    assertEquals(spec.usableSize(size), hedra.usableSize(address), "usableSize");
                }
                added(address, size);
            } else if (!shrink && r < 40) {
                long size = randomSize();
                long alignment = 1L << random.nextInt(17);
                operation = "malloc(" + size + ", " + alignment + ")";
                long address = hedra.malloc(size, alignment);
                Blocks.assertAligned(address, alignment, operation);
                added(address, size);
            } else if (!shrink && r < 50) {
                long size = randomSize();
                operation = "calloc(" + size + ")";
                long address = hedra.calloc(size);
                Blocks.assertZero(address, size, operation);
                added(address, size);
            } else if (r < 65) {
                long address = randomLive();
                Live old = model.get(address);
                long newSize = random.nextInt(4) == 0 ? randomSize()
                        : Math.max(1, old.size() + random.between(-old.size() / 2, old.size() / 2));
                operation = "realloc(" + Blocks.hex(address) + " of " + old.size() + ", " + newSize + ")";
                Blocks.assertPattern(address, old.size(), old.seed(), "before " + operation);
                model.remove(address);
                long moved = hedra.realloc(address, newSize);
                Blocks.assertPattern(moved, Math.min(old.size(), newSize), old.seed(), operation);
                added(moved, newSize);
            } else if (r < 95) {
                long address = randomLive();
                boolean sized = random.nextInt(2) == 0;
                operation = (sized ? "sized " : "") + "free(" + Blocks.hex(address) + ")";
                freeChecked(address, sized);
            } else {
                long address = randomLive();
                Live live = model.get(address);
                operation = "usableSize(" + Blocks.hex(address) + ")";
                assertEquals(live.usable(), hedra.usableSize(address), operation);
            }
        }

        /** Records a new block: fills its usable size, checks it overlaps nothing, checks its neighbours. */
        void added(long address, long size) {
            assertTrue(address != 0, "0 returned");
            Blocks.assertAligned(address, spec.minimumAlignment, operation);
            long usable = hedra.usableSize(address);
            assertTrue(usable >= size, () -> "usable size " + usable + " below " + size);
            Map.Entry<Long, Live> below = model.floorEntry(address);
            if (below != null) {
                assertTrue(below.getKey() + below.getValue().usable() <= address,
                        () -> "new block " + Blocks.hex(address) + " overlaps the live " + Blocks.hex(below.getKey())
                                + " (" + below.getValue().usable() + " usable bytes)");
            }
            Map.Entry<Long, Live> above = model.ceilingEntry(address);
            if (above != null) {
                assertTrue(address + usable <= above.getKey(),
                        () -> "new block " + Blocks.hex(address) + " (" + usable + " usable bytes) overlaps the live "
                                + Blocks.hex(above.getKey()));
            }
            long seed = nextSeed++;
            // The whole usable size is the caller's; after realloc the kept prefix (already checked)
            // is rewritten with the new pattern too.
            Blocks.fill(address, usable, seed);
            model.put(address, new Live(size, usable, seed));
            // Writing the whole usable size must not have touched the neighbours.
            if (below != null) {
                Blocks.assertPattern(below.getKey(), below.getValue().usable(), below.getValue().seed(),
                        "the block below after " + operation);
            }
            if (above != null) {
                Blocks.assertPattern(above.getKey(), above.getValue().usable(), above.getValue().seed(),
                        "the block above after " + operation);
            }
        }

        void freeChecked(long address, boolean sized) {
            Live live = model.remove(address);
            Blocks.assertPattern(address, live.usable(), live.seed(), "before free");
            if (sized) {
                hedra.free(address, live.size());
            } else {
                hedra.free(address);
            }
        }

        void checkAll() {
            for (Map.Entry<Long, Live> entry : model.entrySet()) {
                Blocks.assertPattern(entry.getKey(), entry.getValue().usable(), entry.getValue().seed(), "sweep");
            }
        }
    }

    /** Only medium and huge blocks, many live at once: spans are split, merged and unmapped. */
    @ParameterizedTest
    @MethodSource("seeds")
    void hugeAndMediumOnlyAgreeWithTheModel(AllocatorSpec spec, long seed) {
        try (NativeAllocator hedra = spec.open()) {
            SplitMix64 random = new SplitMix64(~seed);
            List<long[]> live = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                if (live.size() > 20 || (!live.isEmpty() && random.nextInt(3) == 0)) {
                    long[] block = live.remove(random.nextInt(live.size()));
                    Blocks.assertPattern(block[0], block[1], block[2], "medium/huge block");
                    hedra.free(block[0], block[1]);
                } else {
                    long size = random.nextInt(5) == 0 ? random.between(2 * MiB + 1, 6 * MiB)
                            : random.between(32 * KiB + 1, 2 * MiB);
                    long address = hedra.malloc(size);
                    for (long[] other : live) {
                        assertTrue(address + size <= other[0] || other[0] + other[1] <= address,
                                "medium/huge blocks overlap");
                    }
                    Blocks.fill(address, size, i);
                    live.add(new long[] {address, size, i});
                }
            }
            for (long[] block : live) {
                Blocks.assertPattern(block[0], block[1], block[2], "medium/huge block");
                hedra.free(block[0]);
            }
        }
    }
}
