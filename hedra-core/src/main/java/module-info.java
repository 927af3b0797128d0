/**
 * Hedra: a native-memory allocator for Java on the Foreign Function and Memory API.
 *
 * <p>Only {@code dev.hedra} is exported; everything in {@code dev.hedra.internal} is
 * implementation.
 */
module dev.hedra {
    requires java.management; // only for HedraBuilder.jmx, loaded when used
    exports dev.hedra;
}
