package dev.hedra.internal;

import java.util.Arrays;

/**
 * The free spans of one {@link BestFitSpans}, ordered by length for best fit. Each span is a node
 * in parallel primitive arrays (start and length in granules, two links, a priority), found by
 * its index; a removed node is reused, so steady use allocates no objects.
 *
 * <pre>
 *   length &lt; listed   one doubly linked list per length (left = previous, right = next), a
 *                     bitmap of the non-empty lists and a word of its non-empty words:
 *                     best fit = first set bit &gt;= wanted, two steps at most, O(1)
 *   length &gt;= listed  a treap ordered by (length, start) (left, right = children; a max-heap
 *                     on priority): best fit = ceiling of (wanted, 0), O(log n) expected
 *   released node     length == 0, right = next released node
 * </pre>
 *
 * {@code listed} is {@link #MAX_LISTED}, or less for a small region: lists cost 4 bytes a length.
 * Among spans of the best length a listed one is the most recently freed, a tree one the lowest
 * in the region. Invariants: {@code count == listed spans + tree spans}; a node with
 * {@code length > 0} is in exactly one list or in the tree.
 *
 * <p>Not thread-safe: its owner's lock guards it.
 */
final class FreeSpans {

    static final int NONE = -1;
    /**
     * The most lengths with a list of their own: spans under 4,096 granules (64 KiB in 16-byte
     * granules). At most 64 * 64, so that one word marks the non-empty words of the bitmap.
     */
    static final int MAX_LISTED = 4096;
    private static final int INITIAL_NODES = 64;

    private long[] start = new long[INITIAL_NODES];
    private long[] length = new long[INITIAL_NODES];
    private int[] left = new int[INITIAL_NODES];
    private int[] right = new int[INITIAL_NODES];
    private int[] priority = new int[INITIAL_NODES];
    private int highWater; // nodes ever handed out
    private int released = NONE;
    private int count;

    /** Spans shorter than this many granules are listed; fewer lists for a region too small for them. */
    private final int listed;
    private final int[] listHead;
    private final long[] listNonEmpty;
    private long nonEmptyWords; // bit w: listNonEmpty[w] != 0
    private int root = NONE;
    private int random = 0x2545F491; // xorshift state for treap priorities
    // split's two results (the treap code is recursive; fields avoid returning pairs)
    private int splitLeft;
    private int splitRight;

    /** Free spans for a region of {@code capacity} granules. */
    FreeSpans(long capacity) {
        listed = (int) Math.min(MAX_LISTED, (capacity + 64) & -64); // lengths 0 .. capacity, whole words
        listHead = new int[listed];
        listNonEmpty = new long[listed >>> 6];
        Arrays.fill(listHead, NONE);
    }

    long start(int node) {
        return start[node];
    }

    long length(int node) {
        return length[node];
    }

    long end(int node) {
        return start[node] + length[node];
    }

    /** The number of free spans. */
    int count() {
        return count;
    }

    /** Adds the free span [{@code spanStart}, {@code spanStart + spanLength}); returns its node. */
    int add(long spanStart, long spanLength) {
        int node = newNode();
        start[node] = spanStart;
        length[node] = spanLength;
        index(node);
        count++;
        return node;
    }

    /** Removes a span and releases its node. */
    void remove(int node) {
        unindex(node);
        length[node] = 0;
        right[node] = released;
        released = node;
        count--;
    }

    /** Moves or resizes a span in place: the node keeps its index. */
    void change(int node, long newStart, long newLength) {
        unindex(node);
        start[node] = newStart;
        length[node] = newLength;
        index(node);
    }

    /** Returns the shortest span of at least {@code wanted} granules (&gt;= 1), or {@link #NONE}. */
    int bestFit(long wanted) {
        if (wanted < listed) {
            int list = firstListAtOrAbove((int) wanted);
            if (list != NONE) {
                return listHead[list];
            }
        }
        int best = NONE;
        for (int tree = root; tree != NONE; ) {
            if (length[tree] >= wanted) {
                best = tree;
                tree = left[tree];
            } else {
                tree = right[tree];
            }
        }
        return best;
    }

    /** The length of the longest span, or 0 if there is none. */
    long longest() {
        if (root != NONE) {
            int tree = root;
            while (right[tree] != NONE) {
                tree = right[tree];
            }
            return length[tree];
        }
        if (nonEmptyWords == 0) {
            return 0;
        }
        int word = 63 - Long.numberOfLeadingZeros(nonEmptyWords);
        return (word << 6) + 63 - Long.numberOfLeadingZeros(listNonEmpty[word]);
    }

    /** One past the highest node index in use, for a scan with {@link #isSpan}. */
    int nodeLimit() {
        return highWater;
    }

    /** Whether {@code node} holds a span (rather than being released). */
    boolean isSpan(int node) {
        return length[node] > 0;
    }

    /** Removes every span; keeps the arrays. */
    void clear() {
        Arrays.fill(length, 0, highWater, 0);
        highWater = 0;
        released = NONE;
        count = 0;
        Arrays.fill(listHead, NONE);
        Arrays.fill(listNonEmpty, 0);
        nonEmptyWords = 0;
        root = NONE;
    }

    /**
     * Checks the invariants of the lists and the tree; O(n), for tests and checked mode.
     *
     * @throws IllegalStateException naming the first broken one
     */
    void validate() {
        int seen = 0;
        for (int list = 1; list < listed; list++) {
            boolean marked = (listNonEmpty[list >>> 6] & (1L << list)) != 0;
            check(marked == (listHead[list] != NONE), "list " + list + " marked " + marked);
            check(((nonEmptyWords >>> (list >>> 6)) & 1) == (listNonEmpty[list >>> 6] != 0 ? 1 : 0),
                    "the word of list " + list + " is marked wrongly");
            int previous = NONE;
            for (int node = listHead[list]; node != NONE; node = right[node]) {
                check(length[node] == list, "node " + node + " of length " + length[node] + " on list " + list);
                check(left[node] == previous, "list " + list + " broken at node " + node);
                previous = node;
                seen++;
            }
        }
        seen += validateTree(root, NONE, NONE, Integer.MAX_VALUE);
        check(seen == count, "indexed " + seen + " spans, counted " + count);
        int spans = 0;
        for (int node = 0; node < highWater; node++) {
            spans += isSpan(node) ? 1 : 0;
        }
        check(spans == count, spans + " live nodes, counted " + count);
    }

    /** Counts the tree's nodes, checking each lies between {@code after} and {@code limit}. */
    private int validateTree(int tree, int after, int limit, int maxPriority) {
        if (tree == NONE) {
            return 0;
        }
        check(length[tree] >= listed, "tree node " + tree + " of length " + length[tree]);
        check(priority[tree] <= maxPriority, "tree node " + tree + " breaks the heap order");
        check(after == NONE || before(after, tree), "tree node " + tree + " is not after node " + after);
        check(limit == NONE || before(tree, limit), "tree node " + tree + " is not before node " + limit);
        return 1 + validateTree(left[tree], after, tree, priority[tree])
                + validateTree(right[tree], tree, limit, priority[tree]);
    }

    private static void check(boolean condition, String broken) {
        if (!condition) {
            throw new IllegalStateException("free spans: " + broken);
        }
    }

    private int newNode() {
        int node = released;
        if (node != NONE) {
            released = right[node];
            return node;
        }
        if (highWater == length.length) {
            int grown = highWater << 1;
            start = Arrays.copyOf(start, grown);
            length = Arrays.copyOf(length, grown);
            left = Arrays.copyOf(left, grown);
            right = Arrays.copyOf(right, grown);
            priority = Arrays.copyOf(priority, grown);
        }
        return highWater++;
    }

    private void index(int node) {
        long spanLength = length[node];
        if (spanLength < listed) {
            int list = (int) spanLength;
            int head = listHead[list];
            left[node] = NONE;
            right[node] = head;
            if (head != NONE) {
                left[head] = node;
            }
            listHead[list] = node;
            listNonEmpty[list >>> 6] |= 1L << list;
            nonEmptyWords |= 1L << (list >>> 6);
        } else {
            priority[node] = nextPriority();
            left[node] = NONE;
            right[node] = NONE;
            root = insert(root, node);
        }
    }

    private void unindex(int node) {
        long spanLength = length[node];
        if (spanLength < listed) {
            int list = (int) spanLength;
            int previous = left[node];
            int next = right[node];
            if (previous != NONE) {
                right[previous] = next;
            } else {
                listHead[list] = next;
                if (next == NONE && (listNonEmpty[list >>> 6] &= ~(1L << list)) == 0) {
                    nonEmptyWords &= ~(1L << (list >>> 6));
                }
            }
            if (next != NONE) {
                left[next] = previous;
            }
        } else {
            root = delete(root, node);
        }
    }

    private int firstListAtOrAbove(int wanted) {
        int word = wanted >>> 6;
        long bits = listNonEmpty[word] & (-1L << wanted);
        if (bits == 0) {
            long words = nonEmptyWords & (-2L << word); // the non-empty words after this one
            if (words == 0) {
                return NONE;
            }
            word = Long.numberOfTrailingZeros(words);
            bits = listNonEmpty[word];
        }
        return (word << 6) + Long.numberOfTrailingZeros(bits);
    }

    private int nextPriority() {
        int x = random;
        x ^= x << 13;
        x ^= x >>> 17;
        x ^= x << 5;
        random = x;
        return x;
    }

    /** Tree order: by length, then by start (starts are unique). */
    private boolean before(int a, int b) {
        return length[a] < length[b] || (length[a] == length[b] && start[a] < start[b]);
    }

    private int insert(int tree, int node) {
        if (tree == NONE) {
            return node;
        }
        if (priority[node] > priority[tree]) {
            split(tree, node);
            left[node] = splitLeft;
            right[node] = splitRight;
            return node;
        }
        if (before(node, tree)) {
            left[tree] = insert(left[tree], node);
        } else {
            right[tree] = insert(right[tree], node);
        }
        return tree;
    }

    /** Splits {@code tree} into the keys before {@code node} and those after it. */
    private void split(int tree, int node) {
        if (tree == NONE) {
            splitLeft = NONE;
            splitRight = NONE;
        } else if (before(tree, node)) {
            split(right[tree], node);
            right[tree] = splitLeft;
            splitLeft = tree;
        } else {
            split(left[tree], node);
            left[tree] = splitRight;
            splitRight = tree;
        }
    }

    /** Deletes {@code node}, which is in {@code tree}; its key must not have changed. */
    private int delete(int tree, int node) {
        if (tree == node) {
            return merge(left[node], right[node]);
        }
        if (before(node, tree)) {
            left[tree] = delete(left[tree], node);
        } else {
            right[tree] = delete(right[tree], node);
        }
        return tree;
    }

    /** Joins two treaps, every key of {@code low} before every key of {@code high}. */
    private int merge(int low, int high) {
        if (low == NONE) {
            return high;
        }
        if (high == NONE) {
            return low;
        }
        if (priority[low] > priority[high]) {
            right[low] = merge(right[low], high);
            return low;
        }
        left[high] = merge(low, left[high]);
        return high;
    }
}
