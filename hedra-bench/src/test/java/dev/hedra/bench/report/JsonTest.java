package dev.hedra.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {

    @Test
    void parsesEveryKindOfValue() {
        Object value = Json.parse(" {\"a\": [1, -2.5e3, true, false, null], \"b\": {\"c\": \"x\\\"y\\n\\u00e9\"}, \"d\": {}}");
        var object = (Map<?, ?>) value;
        assertEquals(List.of("a", "b", "d"), List.copyOf(object.keySet()));
        var array = (List<?>) object.get("a");
        assertEquals(1.0, array.get(0));
        assertEquals(-2500.0, array.get(1));
        assertEquals(true, array.get(2));
        assertEquals(false, array.get(3));
        assertNull(array.get(4));
        assertEquals("x\"y\n\u00e9", ((Map<?, ?>) object.get("b")).get("c"));
        assertEquals(Map.of(), object.get("d"));
    }

    @Test
    void badInputNamesTheOffset() {
        var error = assertThrows(IllegalArgumentException.class, () -> Json.parse("{\"a\": [1, 2}"));
        assertTrue(error.getMessage().contains("offset 11"), error.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Json.parse("{\"a\": 1} x"));
        assertThrows(IllegalArgumentException.class, () -> Json.parse("\"unterminated"));
        assertThrows(IllegalArgumentException.class, () -> Json.parse(""));
    }

    @Test
    void writesWhatItReads() {
        String text = Json.object(Map.of("name", Json.quote("tab\there \"quoted\" \u0001"),
                "values", Json.array(List.of(Json.number(1), Json.number(0.125), Json.number(Double.NaN)))));
        var object = (Map<?, ?>) Json.parse(text);
        assertEquals("tab\there \"quoted\" \u0001", object.get("name"));
        assertEquals(List.of(1.0, 0.125), ((List<?>) object.get("values")).subList(0, 2));
        assertNull(((List<?>) object.get("values")).get(2));
    }

    @Test
    void numbersAreShortAndPlain() {
        assertEquals("42", Json.number(42));
        assertEquals("412.346", Json.number(412.3456789));
        assertEquals("0.0000001", Json.number(1e-7));
        assertEquals("null", Json.number(Double.POSITIVE_INFINITY));
    }
}
