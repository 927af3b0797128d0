package dev.hedra.bench.report;

import dev.hedra.bench.report.Comparison.MemoryVerdict;
import dev.hedra.bench.report.Comparison.Target;
import dev.hedra.bench.report.Comparison.TimeVerdict;
import dev.hedra.bench.report.SuiteResults.WorkloadInfo;
import dev.hedra.bench.report.SvgCharts.Bar;
import dev.hedra.bench.report.SvgCharts.Emphasis;
import dev.hedra.bench.report.SvgCharts.Latency;
import dev.hedra.bench.report.SvgCharts.Line;
import dev.hedra.bench.report.SvgCharts.Reference;
import dev.hedra.bench.suite.WorkloadResult;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

/**
 * The suite's report as one self-contained HTML page: inline CSS, inline SVG drawn by
 * {@link SvgCharts}, a few lines of inline script (highlighting one allocator in every chart),
 * no external resource, so it opens from disk with no network.
 *
 * <p>The page, top to bottom: the targets with met / NOT met; Hedra's speedup per workload; the
 * time, memory and latency tables; per workload its headline metric and peak resident memory
 * across allocators (Hedra highlighted), its latency distributions and, for the long workloads,
 * resident memory over time; failures and skipped peers; the JMH comparison when it ran; the
 * machine, JDK, date and settings.
 *
 * <p>Chart ids: {@code speedups}, and per workload {@code time-W}, {@code memory-W},
 * {@code latency-W-N} (one per latency series, N from 0) and {@code timeline-W}.
 * {@link #expectedCharts()} lists them.
 */
public final class HtmlReport {

    /**
     * A long workload, one that gets a resident-memory timeline: its median run (over the
     * allocators) lasted at least this long, so that its memory has a shape to show ...
     */
    static final long TIMELINE_MIN_MILLIS = 200;
    /** ... in at least this many samples. */
    static final int TIMELINE_MIN_SAMPLES = 20;

    private final Comparison comparison;
    private final SuiteResults results;

    public HtmlReport(Comparison comparison) {
        this.comparison = comparison;
        this.results = comparison.results();
    }

    /** The ids of the charts {@link #render} draws, in page order. */
    public List<String> expectedCharts() {
        var ids = new ArrayList<String>();
        ids.add("speedups");
        for (WorkloadInfo workload : results.workloads()) {
            if (measured(workload.name()).isEmpty()) {
                continue;
            }
            ids.add("time-" + workload.name());
            ids.add("memory-" + workload.name());
            List<String> series = TextReport.latencySeries(results, workload.name());
            for (int i = 0; i < series.size(); i++) {
                ids.add("latency-" + workload.name() + "-" + i);
            }
            if (hasTimeline(workload.name())) {
                ids.add("timeline-" + workload.name());
            }
        }
        return ids;
    }

    public String render() {
        var page = new StringBuilder(64 * 1024);
        String title = "Hedra comparison suite";
        page.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<title>").append(escape(title)).append(' ')
                .append(escape(results.settings().getOrDefault("date", ""))).append("</title>\n")
                .append("<style>\n").append(STYLE).append("</style>\n</head>\n<body>\n");
        page.append("<header><h1>").append(escape(title)).append("</h1><p class=\"subtitle\">")
                .append(escape(String.join("  |  ", subtitle()))).append("</p></header>\n");
        page.append("<nav>").append(link("targets", "Targets")).append(link("speedup", "Speedups"))
                .append(link("tables", "Tables")).append(link("workloads", "Workloads"))
                .append(link("problems", "Failures and notes"));
        if (results.microTables().isPresent()) {
            page.append(link("micro", "JMH a-d"));
        }
        page.append(link("settings", "Settings")).append("</nav>\n<main>\n");
        targets(page);
        speedups(page);
        tables(page);
        workloads(page);
        problems(page);
        results.microTables().ifPresent(micro -> page.append("<section id=\"micro\"><h2>JMH comparison, workloads a-d")
                .append("</h2><pre>").append(escape(micro)).append("</pre></section>\n"));
        settings(page);
        page.append("</main>\n<script>\n").append(SCRIPT).append("</script>\n</body>\n</html>\n");
        return page.toString();
    }

    private List<String> subtitle() {
        var parts = new ArrayList<String>();
        for (String key : List.of("date", "machine", "JDK")) {
            String value = results.settings().get(key);
            if (value != null) {
                parts.add(value);
            }
        }
        return parts;
    }

    private void targets(StringBuilder page) {
        page.append("<section id=\"targets\"><h2>Targets</h2><div class=\"targets\">\n");
        for (Target target : comparison.targets()) {
            String state = switch (target.outcome()) {
                case MET -> "met";
                case NOT_MET -> "not-met";
                case NOT_MEASURED -> "unmeasured";
            };
            page.append("<div class=\"target ").append(state).append("\" data-outcome=\"").append(state).append("\">")
                    .append("<div class=\"area\">").append(escape(target.area())).append("</div>")
                    .append("<div class=\"outcome\">").append(escape(target.outcome().label())).append("</div>")
                    .append("<p>").append(escape(target.requirement())).append("</p>")
                    .append("<p class=\"detail\">").append(escape(target.detail())).append("</p></div>\n");
        }
        page.append("</div></section>\n");
    }

    private void speedups(StringBuilder page) {
        page.append("<section id=\"speedup\"><h2>Hedra's speedup over the fastest peer</h2>\n<p>");
        page.append(comparison.geometricMeanSpeedup().stream()
                .mapToObj(mean -> "Geometric mean over the workloads (traces apart): <b>" + TextReport.ratio(mean)
                        + "</b>, target " + TextReport.ratio(Comparison.TIME_TARGET) + ". ")
                .findFirst().orElse("No workload was measured on Hedra and a peer. "));
        page.append("Above 1.00x Hedra is faster than every peer on that workload.</p>\n");
        var bars = new ArrayList<Bar>();
        for (WorkloadInfo workload : results.workloads()) {
            Optional<TimeVerdict> verdict = comparison.time(workload.name());
            bars.add(verdict.map(v -> new Bar(workload.name(), v.speedup(),
                            TextReport.ratio(v.speedup()) + " vs " + v.bestPeer().allocator(),
                            v.met() ? Emphasis.HEDRA : Emphasis.HEDRA_MISSED))
                    .orElse(new Bar(workload.name(), Double.NaN, "not measured", Emphasis.PEER)));
        }
        page.append(figure(SvgCharts.bars("speedups", "speedups", "all", "Hedra's speedup (fastest peer = 1)",
                bars, List.of(new Reference(1, "1x"), new Reference(Comparison.TIME_TARGET, "target")))));
        page.append("<p class=\"note\">A pale bar marks a workload where Hedra misses its per-workload target"
                + " (1x; 2x for traces).</p></section>\n");
    }

    private void tables(StringBuilder page) {
        page.append("<section id=\"tables\"><h2>Tables</h2>\n");
        page.append("<h3>Time</h3><p class=\"note\">Each workload's headline metric (&darr; lower is better, &uarr;"
                + " higher is better); the best peer's cell is bold, Hedra's column is shaded; speedup = Hedra over the"
                + " fastest peer; " + TextReport.CAPPED_MARK + ": stopped at its time cap, having done part of the"
                + " workload.</p>\n");
        page.append("<div class=\"scroll\"><table id=\"time-table\"><thead><tr><th>workload</th><th>metric</th>");
        results.allocatorNames().forEach(a -> page.append(header(a)));
        page.append("<th>best peer</th><th>speedup</th><th>met</th></tr></thead><tbody>\n");
        for (WorkloadInfo workload : results.workloads()) {
            Optional<TimeVerdict> verdict = comparison.time(workload.name());
            page.append("<tr><th>").append(link("w-" + workload.name(), workload.name())).append("</th><td class=\"text\">")
                    .append(measured(workload.name()).stream().findFirst()
                            .map(r -> escape(r.metricName()) + (r.lowerIsBetter()
                                    ? " <span class=\"direction\" title=\"lower is better\">&darr;</span>"
                                    : " <span class=\"direction\" title=\"higher is better\">&uarr;</span>"))
                            .orElse("-"))
                    .append("</td>");
            for (String allocator : results.allocatorNames()) {
                boolean best = verdict.map(v -> v.bestPeer().allocator().equals(allocator)).orElse(false);
                page.append(cell(workload.name(), allocator, best, r -> TextReport.metric(r.metric())));
            }
            page.append("<td>").append(escape(verdict.map(v -> v.bestPeer().allocator()).orElse("-"))).append("</td>")
                    .append("<td>").append(escape(verdict.map(v -> TextReport.ratio(v.speedup())).orElse("-")))
                    .append("</td>").append(metCell(verdict.map(TimeVerdict::met))).append("</tr>\n");
        }
        page.append("</tbody></table></div>\n");

        page.append("<h3>Memory</h3><p class=\"note\">Peak resident MiB above the JVM's baseline (pre-touched"
                + " fixed heap), and in brackets resident / live requested bytes at peak (when live bytes reach"
                + " 1 MiB); the best peer is the one with the least resident memory among the runs that did"
                + " the whole workload (" + TextReport.CAPPED_MARK + ": stopped at its time cap).</p>\n");
        page.append("<div class=\"scroll\"><table id=\"memory-table\"><thead><tr><th>workload</th><th>live MiB</th>");
        results.allocatorNames().forEach(a -> page.append(header(a)));
        page.append("<th>best peer</th><th>hedra / best</th><th>met</th></tr></thead><tbody>\n");
        for (WorkloadInfo workload : results.workloads()) {
            Optional<MemoryVerdict> verdict = comparison.memory(workload.name());
            page.append("<tr><th>").append(escape(workload.name())).append("</th><td>")
                    .append(measured(workload.name()).stream().mapToLong(WorkloadResult::peakLiveBytes).max().stream()
                            .mapToObj(Comparison::mebibytes).findFirst().orElse("-"))
                    .append("</td>");
            for (String allocator : results.allocatorNames()) {
                boolean best = verdict.map(v -> v.bestPeer().allocator().equals(allocator)).orElse(false);
                page.append(cell(workload.name(), allocator, best, r -> Comparison.mebibytes(r.peakResidentBytes())
                        + TextReport.overLive(r).map(ratio -> " (" + ratio + ")").orElse("")));
            }
            page.append("<td>").append(escape(verdict.map(v -> v.bestPeer().allocator()).orElse("-"))).append("</td>")
                    .append("<td>").append(verdict.map(v -> String.format(Locale.ROOT, "%.2f", v.ratio())).orElse("-"))
                    .append("</td>").append(metCell(verdict.map(MemoryVerdict::met))).append("</tr>\n");
        }
        page.append("</tbody></table></div>\n");

        page.append("<h3>Latency</h3>\n");
        var latencyRows = new StringBuilder();
        for (WorkloadInfo workload : results.workloads()) {
            for (String series : TextReport.latencySeries(results, workload.name())) {
                for (String allocator : results.allocatorNames()) {
                    Optional<double[]> figures = results.run(workload.name(), allocator).flatMap(RunRecord::result)
                            .map(r -> r.latencyNanos().get(series));
                    if (figures.isEmpty()) {
                        continue;
                    }
                    latencyRows.append("<tr").append(allocator.equals(SuiteResults.HEDRA) ? " class=\"hedra\"" : "")
                            .append("><th>").append(escape(workload.name())).append("</th><td class=\"text\">")
                            .append(escape(series)).append("</td><td class=\"text\">").append(escape(allocator))
                            .append("</td>");
                    for (double value : figures.get()) {
                        latencyRows.append("<td>").append(TextReport.metric(value)).append("</td>");
                    }
                    latencyRows.append("</tr>\n");
                }
            }
        }
        if (latencyRows.isEmpty()) {
            page.append("<p class=\"note\">No workload in this selection measures latencies.</p>\n");
        } else {
            page.append("<p class=\"note\">Nanoseconds per call.</p><div class=\"scroll\"><table id=\"latency-table\">"
                    + "<thead><tr><th>workload</th><th>latency of</th><th>allocator</th>");
            TextReport.LATENCY_COLUMNS.forEach(c -> page.append("<th>").append(escape(c)).append("</th>"));
            page.append("</tr></thead><tbody>\n").append(latencyRows).append("</tbody></table></div>\n");
        }
        page.append("</section>\n");
    }

    private void workloads(StringBuilder page) {
        page.append("<section id=\"workloads\"><h2>Workloads</h2>\n");
        for (WorkloadInfo workload : results.workloads()) {
            String name = workload.name();
            page.append("<article class=\"workload\" id=\"w-").append(escape(name)).append("\"><h3>")
                    .append(escape(name)).append("</h3><p>").append(escape(workload.description())).append("</p>\n");
            List<WorkloadResult> measured = measured(name);
            if (measured.isEmpty()) {
                page.append("<p class=\"note\">Nothing was measured (see the failures below).</p></article>\n");
                continue;
            }
            WorkloadResult first = measured.getFirst();
            page.append("<div class=\"charts\">\n");
            Optional<TimeVerdict> time = comparison.time(name);
            var timeBars = new ArrayList<Bar>();
            var memoryBars = new ArrayList<Bar>();
            Optional<MemoryVerdict> memory = comparison.memory(name);
            for (String allocator : results.allocatorNames()) {
                Optional<RunRecord> run = results.run(name, allocator);
                if (run.isEmpty()) {
                    continue;
                }
                Optional<WorkloadResult> result = run.get().result();
                boolean hedra = allocator.equals(SuiteResults.HEDRA);
                Emphasis timeEmphasis = hedra ? Emphasis.HEDRA
                        : time.filter(v -> v.bestPeer().allocator().equals(allocator)).isPresent()
                                ? Emphasis.BEST_PEER : Emphasis.PEER;
                Emphasis memoryEmphasis = hedra ? Emphasis.HEDRA
                        : memory.filter(v -> v.bestPeer().allocator().equals(allocator)).isPresent()
                                ? Emphasis.BEST_PEER : Emphasis.PEER;
                timeBars.add(result.map(r -> new Bar(allocator, r.metric(), TextReport.metric(r.metric()), timeEmphasis))
                        .orElse(new Bar(allocator, Double.NaN, "failed", timeEmphasis)));
                memoryBars.add(result.map(r -> new Bar(allocator, r.peakResidentBytes() / (1024.0 * 1024.0),
                                Comparison.mebibytes(r.peakResidentBytes()) + " MiB", memoryEmphasis))
                        .orElse(new Bar(allocator, Double.NaN, "failed", memoryEmphasis)));
            }
            String timeCaption = time.map(v -> "Hedra " + TextReport.ratio(v.speedup()) + " vs "
                    + v.bestPeer().allocator()).orElse("");
            page.append(figure(SvgCharts.bars("time-" + name, "time", name,
                    first.metricName() + (first.lowerIsBetter() ? " (lower is better)" : " (higher is better)"),
                    timeBars, List.of()), "Headline: " + first.metricName() + ". " + timeCaption));
            String memoryCaption = memory.map(v -> String.format(Locale.ROOT, "Hedra %.2f of %s's",
                    v.ratio(), v.bestPeer().allocator())).orElse("");
            page.append(figure(SvgCharts.bars("memory-" + name, "memory", name,
                    "peak resident MiB (lower is better)", memoryBars, List.of()),
                    "Peak resident memory. " + memoryCaption));
            List<String> series = TextReport.latencySeries(results, name);
            for (int i = 0; i < series.size(); i++) {
                var rows = new ArrayList<Latency>();
                for (String allocator : results.allocatorNames()) {
                    String seriesName = series.get(i);
                    results.run(name, allocator).flatMap(RunRecord::result)
                            .map(r -> r.latencyNanos().get(seriesName))
                            .filter(figures -> figures.length == TextReport.LATENCY_COLUMNS.size())
                            .ifPresent(figures -> rows.add(new Latency(allocator, figures)));
                }
                page.append(figure(SvgCharts.latency("latency-" + name + "-" + i, name, series.get(i), rows),
                        "Latency of " + series.get(i) + " per allocator, log scale."));
            }
            if (hasTimeline(name)) {
                var lines = new ArrayList<Line>();
                for (String allocator : results.allocatorNames()) {
                    results.run(name, allocator).flatMap(RunRecord::result)
                            .filter(r -> !r.residentTimeline().isEmpty())
                            .ifPresent(r -> lines.add(new Line(allocator, r.residentTimeline())));
                }
                page.append(figure(SvgCharts.timeline("timeline-" + name, name, lines),
                        "Resident memory over each run, from its start (0%) to its end (100%); the runs'"
                                + " durations are in the lines' tooltips. Drawn for workloads whose median run"
                                + " lasts at least " + TIMELINE_MIN_MILLIS + " ms."));
            }
            page.append("</div></article>\n");
        }
        page.append("</section>\n");
    }

    private void problems(StringBuilder page) {
        page.append("<section id=\"problems\"><h2>Failures and notes</h2>\n");
        List<RunRecord> failed = results.runs().stream().filter(run -> !run.isMeasured()).toList();
        if (failed.isEmpty() && results.notes().isEmpty()) {
            page.append("<p>Every run was measured; every allocator asked for ran.</p>\n");
        }
        if (!results.notes().isEmpty()) {
            page.append("<h3>Not run</h3><ul>");
            results.notes().forEach(note -> page.append("<li>").append(escape(note)).append("</li>"));
            page.append("</ul>\n");
        }
        if (!failed.isEmpty()) {
            page.append("<h3>Failed runs</h3>\n");
            for (RunRecord run : failed) {
                page.append("<details class=\"failure\"><summary>").append(escape(run.workload())).append(" on ")
                        .append(escape(run.allocator())).append(": ").append(escape(run.problemSummary()))
                        .append("</summary><pre>").append(escape(run.problem())).append("</pre></details>\n");
            }
        }
        page.append("<h3>Allocators</h3><dl>");
        results.allocators().forEach(a -> page.append("<dt>").append(escape(a.name())).append("</dt><dd>")
                .append(escape(a.notes())).append("</dd>"));
        page.append("</dl></section>\n");
    }

    private void settings(StringBuilder page) {
        page.append("<section id=\"settings\"><h2>Machine and settings</h2><dl>");
        results.settings().forEach((key, value) -> page.append("<dt>").append(escape(key)).append("</dt><dd>")
                .append(escape(value)).append("</dd>"));
        page.append("</dl></section>\n");
    }

    private boolean hasTimeline(String workload) {
        List<List<long[]>> timelines = measured(workload).stream().map(WorkloadResult::residentTimeline)
                .filter(timeline -> !timeline.isEmpty())
                .sorted(Comparator.comparingLong(timeline -> timeline.getLast()[0]))
                .toList();
        if (timelines.isEmpty()) {
            return false;
        }
        List<long[]> median = timelines.get(timelines.size() / 2);
        return median.getLast()[0] >= TIMELINE_MIN_MILLIS && median.size() >= TIMELINE_MIN_SAMPLES;
    }

    private List<WorkloadResult> measured(String workload) {
        return results.runsOf(workload).stream().map(RunRecord::result).flatMap(Optional::stream).toList();
    }

    private String cell(String workload, String allocator, boolean best,
            Function<WorkloadResult, String> text) {
        var classes = new ArrayList<String>();
        if (allocator.equals(SuiteResults.HEDRA)) {
            classes.add("hedra");
        }
        if (best) {
            classes.add("best");
        }
        Optional<RunRecord> run = results.run(workload, allocator);
        String content = run.map(r -> r.result()
                .map(result -> text.apply(result) + (result.capped() ? TextReport.CAPPED_MARK : ""))
                .orElse("failed")).orElse("-");
        if (run.isPresent() && !run.get().isMeasured()) {
            classes.add("failed");
        }
        return "<td" + (classes.isEmpty() ? "" : " class=\"" + String.join(" ", classes) + "\"") + ">"
                + escape(content) + "</td>";
    }

    private static String header(String allocator) {
        return "<th" + (allocator.equals(SuiteResults.HEDRA) ? " class=\"hedra\"" : "") + ">" + escape(allocator)
                + "</th>";
    }

    private static String metCell(Optional<Boolean> met) {
        return met.map(yes -> yes ? "<td class=\"yes\">yes</td>" : "<td class=\"no\">NO</td>").orElse("<td>-</td>");
    }

    private static String figure(String svg) {
        return "<figure>" + svg + "</figure>\n";
    }

    private static String figure(String svg, String caption) {
        return "<figure>" + svg + "<figcaption>" + escape(caption) + "</figcaption></figure>\n";
    }

    private static String link(String id, String text) {
        return "<a href=\"#" + escape(id) + "\">" + escape(text) + "</a>";
    }

    /** Text for HTML content and attribute values. */
    static String escape(String text) {
        var escaped = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> escaped.append("&amp;");
                case '<' -> escaped.append("&lt;");
                case '>' -> escaped.append("&gt;");
                case '"' -> escaped.append("&quot;");
                case '\'' -> escaped.append("&#39;");
                default -> escaped.append(c);
            }
        }
        return escaped.toString();
    }

    private static final String STYLE = """
            :root { --hedra: %s; --best: %s; --ink: #1d2733; --muted: #5f6b7a; --line: #dde3ea; }
            * { box-sizing: border-box; }
            body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif;
                   color: var(--ink); background: #f6f8fa; }
            header { background: #1d2733; color: #fff; padding: 18px 32px 14px; }
            header h1 { margin: 0; font-size: 24px; }
            .subtitle { margin: 4px 0 0; color: #c5cfdb; }
            nav { position: sticky; top: 0; z-index: 2; background: #fff; border-bottom: 1px solid var(--line);
                  padding: 8px 32px; }
            nav a { margin-right: 18px; color: #1c5d99; text-decoration: none; }
            main { padding: 8px 32px 40px; max-width: 1500px; }
            section { margin-top: 22px; }
            h2 { font-size: 19px; border-bottom: 2px solid var(--line); padding-bottom: 4px; }
            h3 { font-size: 16px; margin: 18px 0 4px; }
            .note, figcaption { color: var(--muted); font-size: 13px; }
            .targets { display: grid; grid-template-columns: repeat(auto-fit, minmax(320px, 1fr)); gap: 12px; }
            .target { background: #fff; border: 1px solid var(--line); border-left: 6px solid #adb5bd;
                      border-radius: 6px; padding: 10px 14px; }
            .target.met { border-left-color: #2f9e44; }
            .target.not-met { border-left-color: #e03131; }
            .target .area { font-weight: 600; }
            .target .outcome { font-size: 18px; font-weight: 700; }
            .target.met .outcome { color: #2f9e44; }
            .target.not-met .outcome { color: #e03131; }
            .target.unmeasured .outcome { color: var(--muted); }
            .target p { margin: 4px 0; }
            .target .detail { color: var(--muted); font-size: 13px; }
            .scroll { overflow-x: auto; }
            table { border-collapse: collapse; background: #fff; font-variant-numeric: tabular-nums; }
            th, td { border: 1px solid var(--line); padding: 4px 8px; text-align: right; white-space: nowrap; }
            thead th { background: #eef2f6; text-align: center; }
            tbody th, td.text { text-align: left; }
            th.hedra, td.hedra, tr.hedra td { background: #fff1e6; }
            td.best { font-weight: 700; }
            .direction { color: var(--muted); }
            td.failed { color: #e03131; }
            td.yes { color: #2f9e44; font-weight: 600; }
            td.no { color: #e03131; font-weight: 700; }
            .workload { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 4px 16px 10px;
                        margin: 14px 0; }
            .charts { display: flex; flex-wrap: wrap; gap: 8px 24px; }
            figure { margin: 6px 0; }
            svg.chart { max-width: 100%%; height: auto; background: #fff; }
            svg text { font-family: inherit; fill: var(--ink); }
            svg .tick { font-size: 11px; fill: var(--muted); }
            svg .axis { font-size: 12px; fill: var(--muted); }
            svg .label { font-size: 12px; }
            svg .label.hedra, svg .legend.hedra { font-weight: 700; fill: var(--hedra); }
            svg .value { font-size: 11px; }
            svg .missing { font-size: 11px; fill: #e03131; }
            svg .legend { font-size: 12px; }
            svg .grid { stroke: #e9edf1; }
            svg .reference { stroke: #e03131; stroke-dasharray: 4 3; }
            svg .reference-label { font-size: 10px; fill: #e03131; }
            svg .break { stroke: #fff; stroke-width: 2.5px; }
            svg .highlight { stroke: #000 !important; stroke-width: 2px; }
            pre { background: #fff; border: 1px solid var(--line); padding: 10px; overflow-x: auto; font-size: 12px; }
            dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; }
            dt { font-weight: 600; }
            dd { margin: 0; }
            """.formatted(SvgCharts.HEDRA_COLOR, SvgCharts.BEST_PEER_COLOR);

    /** Pointing at an allocator's mark outlines that allocator's marks in every chart. */
    private static final String SCRIPT = """
            (function () {
              'use strict';
              var marks = document.querySelectorAll('svg.chart [data-allocator]');
              function highlight(name, on) {
                marks.forEach(function (mark) {
                  if (mark.getAttribute('data-allocator') === name && mark.classList.contains('mark')) {
                    mark.classList.toggle('highlight', on);
                  }
                });
              }
              marks.forEach(function (mark) {
                var name = mark.getAttribute('data-allocator');
                mark.addEventListener('mouseenter', function () { highlight(name, true); });
                mark.addEventListener('mouseleave', function () { highlight(name, false); });
              });
              document.body.setAttribute('data-charts', String(document.querySelectorAll('svg.chart').length));
            })();
            """;
}
