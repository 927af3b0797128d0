package dev.hedra.bench.trace;

/**
 * The compact trace file, {@code <name>.trace.gz}: a gzip stream of
 *
 * <pre>
 *   "HTRC" version(byte, 1)
 *   name description                      strings: varint byte length, then UTF-8
 *   threadCount slotCount eventCount      varints
 *   eventCount events:
 *     varint  thread &lt;&lt; 3 | op            op as in {@link Trace}
 *     varint  slot
 *     MALLOC, CALLOC, REALLOC: varint size
 *     ALIGNED: byte alignmentShift, varint size
 *     FREE:    nothing more
 * </pre>
 *
 * <p>Varints are unsigned LEB128 (7 bits a byte, low bits first, high bit set on all but the
 * last byte). Slots are reused (see {@link TraceConverter}), so most fit in one or two bytes.
 */
final class TraceFormat {

    static final byte[] MAGIC = {'H', 'T', 'R', 'C'};
    static final int VERSION = 1;
    static final int OP_BITS = 3;

    private TraceFormat() {}
}
