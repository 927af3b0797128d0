package dev.hedra.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;

/**
 * The jcstress tests themselves, checked before they run: jcstress quietly leaves out a test
 * with more actors than the machine has CPUs (CI has two), and finds only the tests its
 * annotation processor listed.
 */
class JcstressSuiteTest {

    /** Every test that the annotation processor listed in {@code META-INF/TestList}. */
    private static TreeSet<String> listedTests() throws IOException {
        try (InputStream list = JcstressSuiteTest.class.getResourceAsStream("/META-INF/TestList")) {
            assertTrue(list != null, "no META-INF/TestList: the jcstress annotation processor did not run");
            String text = new String(list.readAllBytes(), StandardCharsets.UTF_8);
            Matcher name = Pattern.compile("dev\\.hedra\\.internal\\.[A-Za-z]+(?![A-Za-z_])").matcher(text);
            TreeSet<String> names = new TreeSet<>();
            while (name.find()) {
                names.add(name.group());
            }
            return names;
        }
    }

    @Test
    void everyTestRunsOnTwoCpusAndForbidsTheRest() throws Exception {
        TreeSet<String> tests = listedTests();
        assertEquals(8, tests.size(), "jcstress tests listed: " + tests);
        for (String name : tests) {
            Class<?> test = Class.forName(name);
            assertTrue(test.isAnnotationPresent(JCStressTest.class), name);
            long actors = Arrays.stream(test.getMethods()).filter(m -> m.isAnnotationPresent(Actor.class)).count();
            assertTrue(actors >= 1 && actors <= 2, name + " has " + actors + " actors; CI has 2 CPUs");
            Outcome[] outcomes = test.getAnnotationsByType(Outcome.class);
            assertTrue(Arrays.stream(outcomes).anyMatch(o -> o.id().length == 1 && o.id()[0].isEmpty()
                            && o.expect() == Expect.FORBIDDEN),
                    name + " has no forbidden catch-all outcome: an unforeseen result would pass");
            assertFalse(Arrays.stream(outcomes).anyMatch(o -> o.desc().isBlank()),
                    name + " has an outcome without a description");
        }
    }
}
