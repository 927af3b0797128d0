package dev.hedra.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The page as text; {@link HtmlReportBrowserTest} opens it in a browser. */
class HtmlReportTest {

    private final HtmlReport report = new HtmlReport(new Comparison(ReportFixture.results()));
    private final String html = report.render();

    @Test
    void everyExpectedChartIsOnThePageOnce() {
        List<String> expected = report.expectedCharts();
        assertEquals(List.of("speedups",
                "time-larson", "memory-larson",
                "time-cache-scratch", "memory-cache-scratch",
                "time-latency", "memory-latency", "latency-latency-0", "latency-latency-1",
                "time-growing-heap", "memory-growing-heap", "timeline-growing-heap",
                "time-trace-redis", "memory-trace-redis"), expected);
        for (String id : expected) {
            String svg = "<svg class=\"chart\" id=\"" + id + "\"";
            assertEquals(html.indexOf(svg), html.lastIndexOf(svg), id);
            assertTrue(html.contains(svg), id);
        }
    }

    @Test
    void thePageNeedsNoNetwork() {
        for (String external : List.of("http://", "https://", "src=", "<link", "@import", "url(")) {
            assertFalse(html.contains(external), "the page refers to something outside it: " + external);
        }
    }

    @Test
    void theTablesTargetsAndSettingsAreThere() {
        for (String part : List.of("id=\"time-table\"", "id=\"memory-table\"", "id=\"latency-table\"",
                "data-outcome=\"met\"", "Eclipse Adoptium 25+36-LTS", "snmalloc: not installed",
                "IllegalStateException: buffer leak")) {
            assertTrue(html.contains(part), part);
        }
    }

    @Test
    void textIsEscaped() {
        assertEquals("&lt;b&gt; &amp; &quot;x&quot; &#39;y&#39;", HtmlReport.escape("<b> & \"x\" 'y'"));
    }

    @Test
    void ticksAreRoundNumbers() {
        assertEquals(List.of(0.0, 20.0, 40.0, 60.0, 80.0), SvgCharts.linearTicks(77));
        assertEquals(List.of(0.0, 0.5, 1.0, 1.5), SvgCharts.linearTicks(1.2));
        assertEquals("2M", SvgCharts.tick(2e6));
        assertEquals("0", SvgCharts.tick(0));
        assertEquals("0.5", SvgCharts.tick(0.5));
        assertEquals("150", SvgCharts.tick(150));
    }
}
