package dev.hedra.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The report's page in a real browser: rendered from {@link ReportFixture}, opened from disk in
 * headless Chromium, it loads, runs its script to the end, shows every chart with marks in it,
 * and logs nothing to the console. The page and a screenshot stay in
 * {@code target/report-test/} to look at.
 */
class HtmlReportBrowserTest {

    private static final Path DIRECTORY = Path.of("target", "report-test");
    private static final Pattern CHART = Pattern.compile("<svg class=\"chart\" id=\"([^\"]+)\"[^>]*>(.*?)</svg>",
            Pattern.DOTALL);

    private static HeadlessChromium chromium;
    private static HtmlReport report;
    private static Path page;

    @BeforeAll
    static void renderAndFindChromium() throws Exception {
        Optional<HeadlessChromium> found = HeadlessChromium.find();
        assumeTrue(found.isPresent(), "Chromium is not installed (Debian: apt-get install -y chromium);"
                + " skipping the report's browser test");
        chromium = found.get();
        SuiteResults results = ReportFixture.results();
        report = new HtmlReport(new Comparison(results));
        ResultFiles.writeAll(results, DIRECTORY);
        page = DIRECTORY.resolve(ResultFiles.HTML).toAbsolutePath();
    }

    @Test
    void thePageLoadsShowsEveryChartAndLogsNothing() throws Exception {
        HeadlessChromium.Page loaded = chromium.load(page);

        assertEquals(0, loaded.exitStatus(), loaded.stderr());
        assertTrue(loaded.dom().contains("<h1>Hedra comparison suite</h1>"), "the page did not load:\n" + loaded.dom());
        assertEquals(List.of(), loaded.console(), "the page logged to the console");

        List<String> expected = report.expectedCharts();
        assertTrue(loaded.dom().contains("data-charts=\"" + expected.size() + "\""),
                "the page's script did not run to its end or counted other charts than " + expected);
        Matcher charts = CHART.matcher(loaded.dom());
        var found = new ArrayList<String>();
        while (charts.find()) {
            String id = charts.group(1);
            found.add(id);
            int marks = count(charts.group(2), "class=\"mark");
            assertTrue(marks > 0, "chart " + id + " has nothing in it");
        }
        assertEquals(expected, found);
        // One chart of each kind per workload that has it: bars, memory, latencies, a timeline.
        for (String kind : List.of("time-", "memory-", "latency-", "timeline-")) {
            assertTrue(found.stream().anyMatch(id -> id.startsWith(kind)), "no " + kind + " chart in " + found);
        }
        int timeBars = count(chartBody(loaded.dom(), "time-larson"), "class=\"mark");
        assertEquals(ReportFixture.ALLOCATORS.size() - 1, timeBars, "larson's bars (one allocator failed)");
        int lines = count(chartBody(loaded.dom(), "timeline-growing-heap"), "<polyline class=\"mark");
        assertEquals(ReportFixture.ALLOCATORS.size(), lines, "growing-heap's resident lines");
    }

    @Test
    void aScreenshotShowsTheTopOfThePage() throws Exception {
        Path png = DIRECTORY.resolve("report.png");
        chromium.screenshot(page, png, 1400, 2400);
        assertTrue(Files.size(png) > 50_000, "the screenshot is nearly empty: " + Files.size(png) + " bytes");
    }

    /** Without this, a Chromium that logged the console elsewhere would pass the first test vacuously. */
    @Test
    void consoleErrorsWouldBeCaught() throws Exception {
        Path bad = DIRECTORY.resolve("console-error.html");
        Files.writeString(bad, "<!DOCTYPE html><html><body><p>x</p><script>console.error('broken');"
                + " undefinedFunction();</script></body></html>");
        HeadlessChromium.Page loaded = chromium.load(bad.toAbsolutePath());
        assertTrue(loaded.console().stream().anyMatch(line -> line.contains("broken")), loaded.stderr());
        assertTrue(loaded.console().stream().anyMatch(line -> line.contains("undefinedFunction")), loaded.stderr());
    }

    private static String chartBody(String dom, String id) {
        Matcher charts = CHART.matcher(dom);
        while (charts.find()) {
            if (charts.group(1).equals(id)) {
                return charts.group(2);
            }
        }
        throw new AssertionError("no chart " + id);
    }

    private static int count(String text, String needle) {
        int count = 0;
        for (int at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + 1)) {
            count++;
        }
        return count;
    }
}
