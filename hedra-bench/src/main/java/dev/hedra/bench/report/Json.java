package dev.hedra.bench.report;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The little JSON the suite needs, without a library: {@link #parse} reads the {@code RESULT} line
 * of a child JVM (objects become {@link LinkedHashMap}s, arrays {@link List}s, numbers
 * {@link Double}s, {@code null} a Java null), and the writers produce one value at a time.
 */
public final class Json {

    private final String text;
    private int position;

    private Json(String text) {
        this.text = text;
    }

    /**
     * Parses one JSON value.
     *
     * @throws IllegalArgumentException naming the position and what was expected there
     */
    public static Object parse(String text) {
        Json parser = new Json(text);
        Object value = parser.value();
        parser.skipWhitespace();
        if (parser.position != text.length()) {
            throw parser.error("end of input");
        }
        return value;
    }

    /** {@code "text"} with JSON escapes. */
    public static String quote(String text) {
        if (text == null) {
            return "null";
        }
        var quoted = new StringBuilder(text.length() + 2).append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> quoted.append("\\\"");
                case '\\' -> quoted.append("\\\\");
                case '\n' -> quoted.append("\\n");
                case '\r' -> quoted.append("\\r");
                case '\t' -> quoted.append("\\t");
                default -> {
                    if (c < 0x20) {
                        quoted.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        quoted.append(c);
                    }
                }
            }
        }
        return quoted.append('"').toString();
    }

    /** A number in JSON; NaN and infinities, which JSON lacks, become {@code null}. */
    public static String number(double value) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            return "null";
        }
        if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            return Long.toString((long) value);
        }
        // Six significant digits are more than any measurement here deserves.
        return new BigDecimal(value).round(new MathContext(6)).stripTrailingZeros().toPlainString();
    }

    /** {@code {"key": value, ...}} from keys and values already in JSON form. */
    public static String object(Map<String, String> members) {
        var object = new StringBuilder("{");
        members.forEach((key, value) -> {
            if (object.length() > 1) {
                object.append(", ");
            }
            object.append(quote(key)).append(": ").append(value);
        });
        return object.append('}').toString();
    }

    /** {@code [a, b, ...]} from values already in JSON form. */
    public static String array(List<String> values) {
        return "[" + String.join(", ", values) + "]";
    }

    // --- reading ---

    private Object value() {
        skipWhitespace();
        if (position >= text.length()) {
            throw error("a value");
        }
        char c = text.charAt(position);
        return switch (c) {
            case '{' -> object();
            case '[' -> array();
            case '"' -> string();
            case 't' -> literal("true", Boolean.TRUE);
            case 'f' -> literal("false", Boolean.FALSE);
            case 'n' -> literal("null", null);
            default -> {
                if (c == '-' || (c >= '0' && c <= '9')) {
                    yield number();
                }
                throw error("a value");
            }
        };
    }

    private Map<String, Object> object() {
        var members = new LinkedHashMap<String, Object>();
        position++; // '{'
        skipWhitespace();
        if (peek() == '}') {
            position++;
            return members;
        }
        while (true) {
            skipWhitespace();
            if (peek() != '"') {
                throw error("a member name");
            }
            String key = string();
            skipWhitespace();
            expect(':');
            members.put(key, value());
            skipWhitespace();
            if (peek() == ',') {
                position++;
            } else {
                expect('}');
                return members;
            }
        }
    }

    private List<Object> array() {
        var values = new ArrayList<Object>();
        position++; // '['
        skipWhitespace();
        if (peek() == ']') {
            position++;
            return values;
        }
        while (true) {
            values.add(value());
            skipWhitespace();
            if (peek() == ',') {
                position++;
            } else {
                expect(']');
                return values;
            }
        }
    }

    private String string() {
        position++; // '"'
        var string = new StringBuilder();
        while (true) {
            if (position >= text.length()) {
                throw error("the end of a string");
            }
            char c = text.charAt(position++);
            if (c == '"') {
                return string.toString();
            }
            if (c != '\\') {
                string.append(c);
                continue;
            }
            if (position >= text.length()) {
                throw error("an escape");
            }
            char escape = text.charAt(position++);
            switch (escape) {
                case '"', '\\', '/' -> string.append(escape);
                case 'b' -> string.append('\b');
                case 'f' -> string.append('\f');
                case 'n' -> string.append('\n');
                case 'r' -> string.append('\r');
                case 't' -> string.append('\t');
                case 'u' -> {
                    if (position + 4 > text.length()) {
                        throw error("four hex digits");
                    }
                    try {
                        string.append((char) Integer.parseInt(text.substring(position, position + 4), 16));
                    } catch (NumberFormatException notHex) {
                        throw error("four hex digits");
                    }
                    position += 4;
                }
                default -> throw error("an escape");
            }
        }
    }

    private Double number() {
        int start = position;
        while (position < text.length() && "+-0123456789.eE".indexOf(text.charAt(position)) >= 0) {
            position++;
        }
        try {
            return Double.valueOf(text.substring(start, position));
        } catch (NumberFormatException bad) {
            position = start;
            throw error("a number");
        }
    }

    private Object literal(String word, Object value) {
        if (!text.startsWith(word, position)) {
            throw error(word);
        }
        position += word.length();
        return value;
    }

    private void expect(char c) {
        if (peek() != c) {
            throw error("'" + c + "'");
        }
        position++;
    }

    private char peek() {
        return position < text.length() ? text.charAt(position) : '\0';
    }

    private void skipWhitespace() {
        while (position < text.length() && Character.isWhitespace(text.charAt(position))) {
            position++;
        }
    }

    private IllegalArgumentException error(String expected) {
        String near = text.substring(position, Math.min(text.length(), position + 20));
        return new IllegalArgumentException(
                "bad JSON at offset " + position + ": expected " + expected + ", found '" + near + "'");
    }
}
