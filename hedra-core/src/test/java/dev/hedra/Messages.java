package dev.hedra;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/** Checks that an exception message names the bad value, as the contract requires. */
final class Messages {

    private Messages() {}

    /** True if {@code text} contains {@code token} not glued to other letters or digits. */
    static boolean mentions(String text, String token) {
        Pattern word = Pattern.compile("(?<![0-9A-Za-z])" + Pattern.quote(token) + "(?![0-9A-Za-z])",
                Pattern.CASE_INSENSITIVE);
        return word.matcher(text).find();
    }

    /** The message names the address in hex, as 0x... (either case, leading zeros allowed). */
    static void assertNamesAddress(Throwable thrown, long address) {
        String message = messageOf(thrown);
        String digits = Long.toHexString(address);
        boolean found = Pattern.compile("0x0*" + digits + "(?![0-9A-Fa-f])", Pattern.CASE_INSENSITIVE)
                .matcher(message).find();
        assertTrue(found, () -> "the message should name the address 0x" + digits + ": " + describe(thrown));
    }

    /** The message names the number in decimal (plain or with digit grouping). */
    static void assertNamesNumber(Throwable thrown, long value) {
        String message = messageOf(thrown);
        assertTrue(namesNumber(message, value),
                () -> "the message should name " + value + ": " + describe(thrown));
    }

    /** The message names one of the numbers. */
    static void assertNamesOneOf(Throwable thrown, String what, long... values) {
        String message = messageOf(thrown);
        for (long value : values) {
            if (namesNumber(message, value)) {
                return;
            }
        }
        throw new AssertionError("the message should name the " + what + " (one of "
                + java.util.Arrays.toString(values) + "): " + describe(thrown));
    }

    /**
     * The message names a byte count: in decimal (possibly grouped), or in binary units when it is
     * a round number of KiB, MiB or GiB (e.g. "64 MiB", "64MiB", "64M").
     */
    static boolean namesBytes(String message, long bytes) {
        if (namesNumber(message, bytes)) {
            return true;
        }
        for (String form : unitForms(bytes)) {
            if (message.toLowerCase(Locale.ROOT).contains(form.toLowerCase(Locale.ROOT))) {
                return true;
            }
        }
        return false;
    }

    static void assertNamesBytes(Throwable thrown, String what, long... candidates) {
        String message = messageOf(thrown);
        for (long bytes : candidates) {
            if (namesBytes(message, bytes)) {
                return;
            }
        }
        throw new AssertionError("the message should name the " + what + " ("
                + java.util.Arrays.toString(candidates) + " bytes): " + describe(thrown));
    }

    private static List<String> unitForms(long bytes) {
        List<String> forms = new ArrayList<>();
        String[] units = {"KiB", "MiB", "GiB"};
        long unit = 1024;
        for (String name : units) {
            if (bytes % unit == 0) {
                long n = bytes / unit;
                forms.add(n + " " + name);
                forms.add(n + name);
                forms.add(n + ".0 " + name);
                forms.add(n + " " + name.charAt(0) + "B");
                forms.add(n + name.substring(0, 1) + "B");
            }
            unit *= 1024;
        }
        return forms;
    }

    private static boolean namesNumber(String message, long value) {
        if (mentions(message, Long.toString(value))) {
            return true;
        }
        String grouped = String.format(Locale.ROOT, "%,d", value);
        return message.contains(grouped) || message.contains(grouped.replace(',', '_'))
                || message.contains(grouped.replace(',', ' '));
    }

    private static String messageOf(Throwable thrown) {
        assertNotNull(thrown.getMessage(), () -> "the exception has no message: " + thrown);
        return thrown.getMessage();
    }

    static String describe(Throwable thrown) {
        return thrown.getClass().getName() + ": " + thrown.getMessage();
    }
}
