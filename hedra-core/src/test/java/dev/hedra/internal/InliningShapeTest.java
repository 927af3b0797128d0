package dev.hedra.internal;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.lang.classfile.Attributes;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.MethodModel;
import java.lang.management.ManagementFactory;
import javax.management.JMException;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import org.junit.jupiter.api.Test;

/**
 * {@code realloc}'s work stays out of its callers' compiled code. C2 inlines a method at a call
 * site that runs often only if its bytecode is at most {@code FreqInlineSize} bytes, and
 * {@link HedraAllocator#reallocIn} is kept as one method over that size on purpose: inlined, its
 * lookups, checks and copy made C2's compilation of a caller that also inlines {@code malloc},
 * {@code calloc} and {@code free} (the suite's trace replay loop) take 30 MB of compiler memory
 * instead of 18.5, which the process kept (see "Shaped for C2" in the package's documentation).
 * A refactoring that splits or shortens it would bring that back without failing anything else.
 */
class InliningShapeTest {

    @Test
    void reallocsWorkIsTooBigForC2ToInlineIntoItsCallers() throws IOException, JMException {
        int limit = Integer.parseInt(vmOption("FreqInlineSize"));
        int length = bytecodeLength(HedraAllocator.class, "reallocIn");
        assertTrue(length > limit, "HedraAllocator.reallocIn has " + length
                + " bytes of bytecode, at most FreqInlineSize (" + limit + "): C2 would inline it into every caller");
    }

    /** A flag of this JVM, read through the platform MBean server (the module reads only java.management). */
    private static String vmOption(String name) throws JMException {
        CompositeData option = (CompositeData) ManagementFactory.getPlatformMBeanServer().invoke(
                new ObjectName("com.sun.management:type=HotSpotDiagnostic"), "getVMOption",
                new Object[] {name}, new String[] {String.class.getName()});
        return (String) option.get("value");
    }

    private static int bytecodeLength(Class<?> type, String methodName) throws IOException {
        ClassModel model;
        try (InputStream in = type.getResourceAsStream(type.getSimpleName() + ".class")) {
            model = ClassFile.of().parse(in.readAllBytes());
        }
        MethodModel method = model.methods().stream()
                .filter(m -> m.methodName().equalsString(methodName))
                .findFirst()
                .orElseThrow(() -> new AssertionError(type.getName() + " has no method " + methodName));
        return method.findAttribute(Attributes.code()).orElseThrow().codeLength();
    }
}
