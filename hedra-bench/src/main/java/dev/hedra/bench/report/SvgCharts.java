package dev.hedra.bench.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The report's charts as inline SVG, drawn here so that the page needs no script library and no
 * network. Every chart is an {@code <svg class="chart">} with an {@code id}, a
 * {@code data-chart} kind and a {@code data-workload}; every mark that carries a figure (bar, box,
 * line) has {@code class="mark"}, {@code data-allocator} and {@code data-value}, so that a test can
 * count them and a script can highlight one allocator everywhere.
 */
final class SvgCharts {

    static final String HEDRA_COLOR = "#e8590c";
    static final String BEST_PEER_COLOR = "#1c5d99";
    static final String PEER_COLOR = "#9fb8d0";
    static final String HEDRA_MISSED_COLOR = "#f7c59f";
    /** A bar longer than this many times the shortest is cut (see {@link #bars}). */
    static final double CLIP_FACTOR = 10;

    /** Line colours for the timeline: fixed for the known allocators, so charts agree. */
    private static final Map<String, String> COLORS = Map.of(
            SuiteResults.HEDRA, HEDRA_COLOR,
            "glibc", "#1c7ed6",
            "jemalloc", "#2f9e44",
            "mimalloc", "#7048e8",
            "tcmalloc", "#0c8599",
            "arena", "#868e96",
            "netty-pooled", "#c2255c",
            "netty-adaptive", "#a07b00");
    private static final List<String> SPARE_COLORS = List.of("#5c940d", "#862e9c", "#364fc7", "#d6336c");

    private static final int WIDTH = 600;
    private static final int LABEL_WIDTH = 118;
    private static final int RIGHT_MARGIN = 50;
    private static final int ROW = 22;
    private static final int TOP = 8;
    private static final int AXIS = 30;

    private SvgCharts() {}

    enum Emphasis {
        HEDRA,
        /** Hedra's bar where it misses its target (the speedup chart). */
        HEDRA_MISSED,
        BEST_PEER,
        PEER
    }

    /** One horizontal bar; a NaN value draws the label with {@code text} and no bar. */
    record Bar(String allocator, double value, String text, Emphasis emphasis) {}

    /** One allocator's latency figures in nanoseconds: min, p50, mean, p99, p99.9, max. */
    record Latency(String allocator, double[] figures) {}

    /** One allocator's resident memory over time: (ms, bytes) samples. */
    record Line(String allocator, List<long[]> samples) {}

    /** A reference line across a bar chart, e.g. the 2x target. */
    record Reference(double value, String label) {}

    static String color(String allocator, int index) {
        return COLORS.getOrDefault(allocator, SPARE_COLORS.get(Math.floorMod(index, SPARE_COLORS.size())));
    }

    /**
     * Horizontal bars from zero, one row per allocator (or workload), with the figure written
     * after each bar. A bar more than {@value #CLIP_FACTOR} times the shortest one is cut at the
     * axis's end and marked with a break, so that one allocator far behind (an arena per block
     * at 30 us per op) does not flatten the others' bars into slivers.
     */
    static String bars(String id, String kind, String workload, String axisLabel, List<Bar> bars,
            List<Reference> references) {
        double shortest = bars.stream().mapToDouble(Bar::value).filter(v -> Double.isFinite(v) && v > 0).min()
                .orElse(1);
        double max = bars.stream().mapToDouble(Bar::value).filter(Double::isFinite)
                .filter(v -> v <= shortest * CLIP_FACTOR).max().orElse(1);
        for (Reference reference : references) {
            max = Math.max(max, reference.value());
        }
        boolean clipped = bars.stream().anyMatch(bar -> Double.isFinite(bar.value()) && bar.value() > shortest * CLIP_FACTOR);
        List<Double> ticks = linearTicks(max <= 0 ? 1 : max);
        double top = ticks.getLast();
        int labelWidth = labelWidth(bars.stream().map(Bar::allocator).toList());
        // Room after the longest bar for its figure, at about 6.5 px per character.
        int rightMargin = Math.max(RIGHT_MARGIN, 12 + (int) (6.5 * bars.stream()
                .mapToInt(bar -> bar.text().length()).max().orElse(0)));
        int plotWidth = WIDTH - labelWidth - rightMargin;
        int plotTop = references.isEmpty() ? TOP : TOP + 14; // room for the references' labels
        int height = plotTop + bars.size() * ROW + AXIS + (clipped ? 14 : 0);
        var svg = open(id, kind, workload, height, axisLabel);
        int plotBottom = plotTop + bars.size() * ROW;
        for (double tick : ticks) {
            double x = labelWidth + plotWidth * tick / top;
            svg.append(line(x, plotTop, x, plotBottom, "grid"));
            svg.append(text(x, plotBottom + 14, "middle", "tick", tick(tick)));
        }
        svg.append(text(labelWidth + plotWidth / 2.0, plotBottom + 27, "middle", "axis", axisLabel));
        if (clipped) {
            svg.append(text(labelWidth + plotWidth / 2.0, plotBottom + 41, "middle", "axis",
                    "bars ending in a break are cut: their figure is written after them"));
        }
        for (int i = 0; i < bars.size(); i++) {
            Bar bar = bars.get(i);
            double y = plotTop + i * ROW;
            String labelClass = bar.allocator().equals(SuiteResults.HEDRA) ? "label hedra" : "label";
            svg.append(text(labelWidth - 6, y + ROW / 2.0 + 4, "end", labelClass, bar.allocator()));
            if (!Double.isFinite(bar.value())) {
                svg.append(text(labelWidth + 4, y + ROW / 2.0 + 4, "start", "missing", bar.text()));
                continue;
            }
            boolean cut = bar.value() > top;
            double width = cut ? plotWidth : Math.max(1, plotWidth * bar.value() / top);
            String fill = switch (bar.emphasis()) {
                case HEDRA -> HEDRA_COLOR;
                case HEDRA_MISSED -> HEDRA_MISSED_COLOR;
                case BEST_PEER -> BEST_PEER_COLOR;
                case PEER -> PEER_COLOR;
            };
            svg.append(String.format(Locale.ROOT,
                    "<rect class=\"mark\" data-allocator=\"%s\" data-value=\"%s\" x=\"%d\" y=\"%.1f\" width=\"%.1f\""
                            + " height=\"%d\" fill=\"%s\"><title>%s: %s</title></rect>",
                    HtmlReport.escape(bar.allocator()), Json.number(bar.value()), labelWidth, y + 3, width, ROW - 6,
                    fill, HtmlReport.escape(bar.allocator()), HtmlReport.escape(bar.text())));
            if (cut) {
                double x = labelWidth + width - 14;
                svg.append(String.format(Locale.ROOT,
                        "<path class=\"break\" d=\"M%.1f %.1f l4 -%d M%.1f %.1f l4 -%d\"/>",
                        x, y + ROW - 3, ROW - 6, x + 5, y + ROW - 3, ROW - 6));
            }
            svg.append(text(labelWidth + width + 4, y + ROW / 2.0 + 4, "start", "value", bar.text()));
        }
        for (Reference reference : references) {
            double x = labelWidth + plotWidth * reference.value() / top;
            svg.append(line(x, plotTop - 4, x, plotBottom, "reference"));
            svg.append(text(x, plotTop - 6, "middle", "reference-label", reference.label()));
        }
        return svg.append("</svg>\n").toString();
    }

    /** Room for the longest label at about 7 px per character, at least {@value #LABEL_WIDTH}. */
    private static int labelWidth(List<String> labels) {
        return Math.max(LABEL_WIDTH, 14 + 7 * labels.stream().mapToInt(String::length).max().orElse(0));
    }

    /**
     * Latency distributions on a log scale: per allocator a whisker from min to max, a box from
     * p50 to p99, a tick at p99.9 and a dot at the mean.
     */
    static String latency(String id, String workload, String series, List<Latency> rows) {
        double low = Double.MAX_VALUE;
        double high = 0;
        for (Latency row : rows) {
            for (double value : row.figures()) {
                if (value > 0 && Double.isFinite(value)) {
                    low = Math.min(low, value);
                    high = Math.max(high, value);
                }
            }
        }
        if (high == 0) {
            low = 1;
            high = 10;
        }
        int lowDecade = (int) Math.floor(Math.log10(low));
        int highDecade = (int) Math.ceil(Math.log10(high));
        if (highDecade == lowDecade) {
            highDecade++;
        }
        int labelWidth = labelWidth(rows.stream().map(Latency::allocator).toList());
        int plotWidth = WIDTH - labelWidth - 24;
        int rowHeight = ROW + 4;
        int plotBottom = TOP + rows.size() * rowHeight;
        int height = plotBottom + AXIS + 22;
        String axisLabel = series + ": ns per call, log scale";
        var svg = open(id, "latency", workload, height, axisLabel);
        svg.append(String.format(Locale.ROOT, "<g data-series=\"%s\">", HtmlReport.escape(series)));
        final int from = lowDecade;
        final int to = highDecade;
        java.util.function.DoubleUnaryOperator x = value ->
                labelWidth + plotWidth * (Math.log10(Math.max(value, Math.pow(10, from))) - from) / (to - from);
        for (int decade = from; decade <= to; decade++) {
            double position = x.applyAsDouble(Math.pow(10, decade));
            svg.append(line(position, TOP, position, plotBottom, "grid"));
            svg.append(text(position, plotBottom + 14, "middle", "tick", tick(Math.pow(10, decade))));
        }
        svg.append(text(labelWidth + plotWidth / 2.0, plotBottom + 27, "middle", "axis", axisLabel));
        for (int i = 0; i < rows.size(); i++) {
            Latency row = rows.get(i);
            double[] f = row.figures();
            double middle = TOP + i * rowHeight + rowHeight / 2.0;
            boolean hedra = row.allocator().equals(SuiteResults.HEDRA);
            String color = hedra ? HEDRA_COLOR : BEST_PEER_COLOR;
            svg.append(text(labelWidth - 6, middle + 4, "end", hedra ? "label hedra" : "label", row.allocator()));
            String title = String.format(Locale.ROOT, "%s: min %s, p50 %s, mean %s, p99 %s, p99.9 %s, max %s ns",
                    row.allocator(), TextReport.metric(f[0]), TextReport.metric(f[1]), TextReport.metric(f[2]),
                    TextReport.metric(f[3]), TextReport.metric(f[4]), TextReport.metric(f[5]));
            svg.append(String.format(Locale.ROOT,
                    "<g class=\"mark\" data-allocator=\"%s\" data-value=\"%s\"><title>%s</title>",
                    HtmlReport.escape(row.allocator()), Json.number(f[1]), HtmlReport.escape(title)));
            svg.append(String.format(Locale.ROOT,
                    "<line class=\"whisker\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"/>",
                    x.applyAsDouble(f[0]), middle, x.applyAsDouble(f[5]), middle, color));
            double boxLeft = x.applyAsDouble(f[1]);
            double boxRight = Math.max(boxLeft + 2, x.applyAsDouble(f[3]));
            svg.append(String.format(Locale.ROOT,
                    "<rect class=\"box\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%d\" fill=\"%s\""
                            + " fill-opacity=\"0.35\" stroke=\"%s\"/>",
                    boxLeft, middle - 7, boxRight - boxLeft, 14, color, color));
            svg.append(String.format(Locale.ROOT,
                    "<line class=\"p999\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\""
                            + " stroke-width=\"2\"/>",
                    x.applyAsDouble(f[4]), middle - 7, x.applyAsDouble(f[4]), middle + 7, color));
            svg.append(String.format(Locale.ROOT,
                    "<circle class=\"mean\" cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" fill=\"#fff\" stroke=\"%s\""
                            + " stroke-width=\"2\"/>",
                    x.applyAsDouble(f[2]), middle, color));
            svg.append("</g>");
        }
        int legendY = plotBottom + 46;
        svg.append(text(labelWidth, legendY, "start", "legend",
                "line: min to max    box: p50 to p99    bar: p99.9    circle: mean"));
        return svg.append("</g></svg>\n").toString();
    }

    /**
     * Resident memory over each run, one line per allocator. The x axis is the share of the run
     * (0 to 100% of its own duration): every run does the same work, but the slowest take a
     * hundred times longer than the fastest, which on a common time axis would squeeze the others
     * against the left edge. Each line's tooltip gives its run's duration.
     */
    static String timeline(String id, String workload, List<Line> lines) {
        double maxMebibytes = 0;
        for (Line line : lines) {
            for (long[] sample : line.samples()) {
                maxMebibytes = Math.max(maxMebibytes, sample[1] / (1024.0 * 1024.0));
            }
        }
        List<Double> xTicks = List.of(0.0, 25.0, 50.0, 75.0, 100.0);
        List<Double> yTicks = linearTicks(maxMebibytes <= 0 ? 1 : maxMebibytes);
        double yTop = yTicks.getLast();
        int left = 56;
        int plotWidth = WIDTH - left - 20;
        int plotHeight = 220;
        int legendRows = (lines.size() + 3) / 4;
        int height = TOP + plotHeight + AXIS + 12 + legendRows * 18;
        var svg = open(id, "timeline", workload, height, "resident MiB over each run");
        int bottom = TOP + plotHeight;
        for (double tick : xTicks) {
            double x = left + plotWidth * tick / 100;
            svg.append(line(x, TOP, x, bottom, "grid"));
            svg.append(text(x, bottom + 14, "middle", "tick", tick(tick) + "%"));
        }
        for (double tick : yTicks) {
            double y = bottom - plotHeight * tick / yTop;
            svg.append(line(left, y, left + plotWidth, y, "grid"));
            svg.append(text(left - 5, y + 4, "end", "tick", tick(tick)));
        }
        svg.append(text(left + plotWidth / 2.0, bottom + 27, "middle", "axis", "share of the run (each run's own duration)"));
        svg.append(String.format(Locale.ROOT,
                "<text class=\"axis\" text-anchor=\"middle\" transform=\"translate(13 %.1f) rotate(-90)\">"
                        + "resident MiB</text>", TOP + plotHeight / 2.0));
        for (int i = 0; i < lines.size(); i++) {
            Line line = lines.get(i);
            boolean hedra = line.allocator().equals(SuiteResults.HEDRA);
            String color = color(line.allocator(), i);
            double duration = Math.max(1, line.samples().getLast()[0]);
            var points = new StringBuilder();
            long peak = 0;
            for (long[] sample : downsample(line.samples(), 400)) {
                peak = Math.max(peak, sample[1]);
                points.append(String.format(Locale.ROOT, "%.1f,%.1f ", left + plotWidth * sample[0] / duration,
                        bottom - plotHeight * sample[1] / (1024.0 * 1024.0) / yTop));
            }
            svg.append(String.format(Locale.ROOT,
                    "<polyline class=\"mark\" data-allocator=\"%s\" data-value=\"%d\" points=\"%s\" fill=\"none\""
                            + " stroke=\"%s\" stroke-width=\"%s\"><title>%s: peak %s MiB, run of %s s</title></polyline>",
                    HtmlReport.escape(line.allocator()), peak, points.toString().strip(), color,
                    hedra ? "2.5" : "1.5", HtmlReport.escape(line.allocator()), Comparison.mebibytes(peak),
                    TextReport.metric(duration / 1000)));
            int legendX = left + (i % 4) * 140;
            int legendY = bottom + AXIS + 16 + (i / 4) * 18;
            svg.append(String.format(Locale.ROOT,
                    "<g class=\"legend-item\" data-allocator=\"%s\"><rect x=\"%d\" y=\"%d\" width=\"14\" height=\"4\""
                            + " fill=\"%s\"/>",
                    HtmlReport.escape(line.allocator()), legendX, legendY - 5, color));
            svg.append(text(legendX + 19, legendY, "start", hedra ? "legend hedra" : "legend", line.allocator()));
            svg.append("</g>");
        }
        return svg.append("</svg>\n").toString();
    }

    /**
     * At most {@code limit} samples, keeping each bucket's highest one (peaks are the point of the
     * chart) and the last.
     */
    static List<long[]> downsample(List<long[]> samples, int limit) {
        if (samples.size() <= limit) {
            return samples;
        }
        var kept = new ArrayList<long[]>();
        double bucket = (double) samples.size() / limit;
        for (int b = 0; b < limit; b++) {
            int from = (int) (b * bucket);
            int to = Math.min(samples.size(), (int) ((b + 1) * bucket));
            long[] highest = samples.get(from);
            for (int i = from + 1; i < to; i++) {
                if (samples.get(i)[1] > highest[1]) {
                    highest = samples.get(i);
                }
            }
            kept.add(highest);
        }
        kept.add(samples.getLast());
        return kept;
    }

    /** Ticks at 1, 2 or 5 times a power of ten, from 0 to at least {@code max}, about five of them. */
    static List<Double> linearTicks(double max) {
        double rough = max / 5;
        double power = Math.pow(10, Math.floor(Math.log10(rough)));
        double step = power;
        for (double multiple : new double[] {1, 2, 5, 10}) {
            step = multiple * power;
            if (step >= rough) {
                break;
            }
        }
        var ticks = new ArrayList<Double>();
        for (int i = 0; ; i++) {
            double tick = i * step;
            ticks.add(tick);
            if (tick >= max * (1 - 1e-9)) {
                return ticks;
            }
        }
    }

    /** A tick label: {@link TextReport#metric} without trailing zeros ("2M", "0.5", "0"). */
    static String tick(double value) {
        String text = TextReport.metric(value);
        return text.contains(".") ? text.replaceFirst("\\.?0+(?=[kMG]?$)", "") : text;
    }

    private static StringBuilder open(String id, String kind, String workload, int height, String label) {
        return new StringBuilder(String.format(Locale.ROOT,
                "<svg class=\"chart\" id=\"%s\" data-chart=\"%s\" data-workload=\"%s\" viewBox=\"0 0 %d %d\""
                        + " width=\"%d\" height=\"%d\" role=\"img\" aria-label=\"%s\">",
                HtmlReport.escape(id), kind, HtmlReport.escape(workload), WIDTH, height, WIDTH, height,
                HtmlReport.escape(label)));
    }

    private static String line(double x1, double y1, double x2, double y2, String cssClass) {
        return String.format(Locale.ROOT, "<line class=\"%s\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>",
                cssClass, x1, y1, x2, y2);
    }

    private static String text(double x, double y, String anchor, String cssClass, String content) {
        return String.format(Locale.ROOT, "<text class=\"%s\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\">%s</text>",
                cssClass, x, y, anchor, HtmlReport.escape(content));
    }
}
