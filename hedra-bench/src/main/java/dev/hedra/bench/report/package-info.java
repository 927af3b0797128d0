/**
 * The comparison suite's report: tables on the console, {@code results.json},
 * {@code results.csv} and a self-contained {@code report.html}.
 *
 * <pre>
 *   SuiteResults (settings, workloads, allocators, one RunRecord per pair, notes)
 *        │
 *        ├── Comparison: per workload the fastest peer and Hedra's speedup (TimeVerdict), the least
 *        │               resident peer (MemoryVerdict), the geometric mean, the targets
 *        │
 *        ├── TextReport   time, memory and latency tables, targets met / NOT met
 *        ├── ResultFiles  results.json (read back by read()), results.csv, and
 *        └── HtmlReport   report.html: the same tables and the charts of SvgCharts, inline
 * </pre>
 *
 * <ul>
 *   <li>Speedup is oriented so that {@code 2.0} means Hedra twice as fast, whether the workload's
 *       headline metric is lower-is-better (ns per op: {@code peer / hedra}) or higher-is-better
 *       (ops per s: {@code hedra / peer}).
 *   <li>Workloads named {@code trace-*} replay recorded traces; they have their own target and stay
 *       out of the geometric mean.
 *   <li>A run that failed is in the tables as "failed" and never counts as meeting a target.
 *   <li>{@link dev.hedra.bench.report.WorkloadResultJson} is the one JSON form of a
 *       {@link dev.hedra.bench.suite.WorkloadResult}: {@code RunOne}'s {@code RESULT} line and each
 *       run in {@code results.json}; {@link dev.hedra.bench.report.Json} is the small parser and
 *       writer behind it (no library).
 *   <li>The page needs no network: inline CSS, inline SVG, a few lines of script; every chart is an
 *       {@code <svg class="chart">} with an id and every figure in it a {@code class="mark"} element
 *       with {@code data-allocator} and {@code data-value}, which the browser test counts.
 * </ul>
 */
package dev.hedra.bench.report;
