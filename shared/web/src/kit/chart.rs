//! Line and bar charts drawn as inline SVG on the server: readable without script, named for
//! screen readers (`role="img"`, `<title>`, `<desc>`), with the numbers in a table under a
//! "Show the data" disclosure.
//!
//! The chart is as wide as its container and a fixed 240px tall. Its horizontal positions are
//! percentages and its vertical ones pixels, so the text keeps its size on a phone and on a
//! wide screen instead of shrinking with a scaled `viewBox`; only the lines live in a nested
//! SVG whose `viewBox` stretches (`preserveAspectRatio="none"`) with strokes that do not
//! (`vector-effect="non-scaling-stroke"`). The y axis always includes zero; its tick labels
//! are a narrow SVG of their own beside the plot, sized to the longest label.
use maud::{Markup, html};

/// Writes a value for a tick, a tooltip or the data table (money in minor units, a count…).
pub type Format = fn(i64) -> String;

/// One named line or set of bars; `values[i]` belongs to the chart's `x_labels[i]`, and a
/// series shorter than the labels has no value for the rest.
#[derive(Debug, Clone, Copy)]
pub struct ChartSeries<'a> {
    pub name: &'a str,
    pub values: &'a [i64],
}

#[derive(Debug, Clone, Copy)]
pub struct Chart<'a> {
    pub title: &'a str,
    pub x_labels: &'a [&'a str],
    pub series: &'a [ChartSeries<'a>],
    pub format: Format,
    /// Shown in place of the chart when there is nothing to draw.
    pub empty: &'a str,
}

/// Digits in groups of three with a real minus sign: `-1234567` → `−1,234,567`.
pub fn grouped(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 3);
    if n < 0 {
        out.push('−');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Tick values for an axis over `min..=max`: zero included, integers (values are money in
/// minor units or counts) a step of 1, 2, 2.5 or 5 times a power of ten apart: five or four
/// ticks when a nice step allows, else six or three, never fewer than two (all zeros).
pub fn nice_ticks(min: i64, max: i64) -> Vec<i64> {
    let (min, max) = if min <= max { (min, max) } else { (max, min) };
    // i128: the span of two extreme i64s and a step past it do not fit in an i64.
    let lo = i128::from(min.min(0));
    let hi = i128::from(max.max(0));
    let span = (hi - lo).max(1);
    let mut step = nice_step_at_least((span + 5) / 6);
    let mut best: Option<(u8, i128, i128, i128)> = None;
    // Counts only fall as the step grows, so a handful of steps past the first covers them.
    for _ in 0..64 {
        let start = lo.div_euclid(step) * step;
        let end = (-((-hi).div_euclid(step)) * step).max(start + step);
        let count = (end - start) / step + 1;
        let rank = match count {
            5 => 0,
            4 => 1,
            6 => 2,
            3 => 3,
            2 => 4,
            _ => u8::MAX,
        };
        if best.is_none_or(|(best_rank, ..)| rank < best_rank) {
            best = Some((rank, start, step, count));
        }
        if count <= 3 {
            break;
        }
        step = next_nice_step(step);
    }
    match best {
        Some((_, start, step, count)) => (0..count).map(|k| saturate(start + k * step)).collect(),
        None => vec![saturate(lo), saturate(hi)],
    }
}

/// The smallest nice step (see [`next_nice_step`]) that is at least `rough`.
fn nice_step_at_least(rough: i128) -> i128 {
    let mut step = 1;
    while step < rough {
        step = next_nice_step(step);
    }
    step
}

/// 1 → 2 → 5 → 10 → 20 → 25 → 50 → 100 …: 2.5 only from 25 up, as steps stay integers.
fn next_nice_step(step: i128) -> i128 {
    let mut magnitude = 1;
    while magnitude * 10 <= step {
        magnitude *= 10;
    }
    match step * 10 / magnitude {
        10 => 2 * magnitude,
        20 if magnitude >= 10 => magnitude * 5 / 2,
        20 | 25 => 5 * magnitude,
        _ => 10 * magnitude,
    }
}

fn saturate(value: i128) -> i64 {
    i64::try_from(value).unwrap_or(if value < 0 { i64::MIN } else { i64::MAX })
}

/// Height of the drawing, the plot's top and bottom, and the baseline of the x labels (px).
const HEIGHT: f64 = 240.0;
const PLOT_TOP: f64 = 22.0;
const PLOT_BOTTOM: f64 = 206.0;
const LABEL_Y: f64 = 230.0;
/// Room left and right of a line chart's first and last points (% of the width).
const LINE_PAD: f64 = 3.0;
/// At most this many x labels; with more points only every so many is written.
const MAX_X_LABELS: usize = 12;
/// Dots (and their tooltips) on a line only up to this many points: more would blur into
/// the line.
const MAX_DOTS: usize = 40;
const COLOURS: usize = 6;
/// The width of one character of an 11px tick label (digits are tabular), to size the axis.
const TICK_CHAR_WIDTH: f64 = 6.6;

/// What both kinds of chart share: the points, the y scale and the texts.
struct Plot<'a> {
    chart: &'a Chart<'a>,
    points: usize,
    ticks: Vec<i64>,
    low: f64,
    high: f64,
}

impl<'a> Plot<'a> {
    /// None when there is nothing to draw: no series has a value.
    fn of(chart: &'a Chart<'a>) -> Option<Plot<'a>> {
        let longest = chart.series.iter().map(|s| s.values.len()).max().unwrap_or(0);
        let points = chart.x_labels.len().max(longest);
        let mut values = chart.series.iter().flat_map(|s| s.values.iter().copied());
        let first = values.next()?;
        let (min, max) = values.fold((first, first), |(lo, hi), v| (lo.min(v), hi.max(v)));
        let ticks = nice_ticks(min, max);
        let low = ticks.first().copied().unwrap_or(0) as f64;
        let high = ticks.last().copied().unwrap_or(1) as f64;
        Some(Plot { chart, points, ticks, low, high })
    }

    fn y(&self, value: i64) -> f64 {
        let span = (self.high - self.low).max(1.0);
        PLOT_BOTTOM - (value as f64 - self.low) / span * (PLOT_BOTTOM - PLOT_TOP)
    }

    fn label(&self, i: usize) -> &'a str {
        self.chart.x_labels.get(i).copied().unwrap_or("")
    }

    fn format(&self, value: i64) -> String {
        (self.chart.format)(value)
    }

    /// "Revenue, Jan: 1,200.00", the tooltip of a dot or a bar.
    fn tooltip(&self, series: &ChartSeries<'_>, i: usize, value: i64) -> String {
        let label = self.label(i);
        if label.is_empty() {
            format!("{}: {}", series.name, self.format(value))
        } else {
            format!("{}, {label}: {}", series.name, self.format(value))
        }
    }

    /// The description read to screen-reader users: the range and each series' extremes.
    fn summary(&self) -> String {
        let mut out = String::new();
        if let (Some(first), Some(last)) = (self.chart.x_labels.first(), self.chart.x_labels.last()) {
            out.push_str(&format!("{} points from {first} to {last}. ", self.points));
        }
        for series in self.chart.series {
            let (Some(min), Some(max), Some(last)) = (series.values.iter().min(), series.values.iter().max(), series.values.last()) else {
                out.push_str(&format!("{}: no data. ", series.name));
                continue;
            };
            out.push_str(&format!(
                "{}: lowest {}, highest {}, last {}. ",
                series.name,
                self.format(*min),
                self.format(*max),
                self.format(*last)
            ));
        }
        out.trim_end().to_string()
    }

    /// Which x labels are written: every one up to `MAX_X_LABELS`, then every so many; on a
    /// phone every other written one is left out too (class `minor`).
    fn x_label_marks(&self) -> Vec<(usize, bool)> {
        let every = self.points.div_ceil(MAX_X_LABELS).max(1);
        let written: Vec<usize> = (0..self.points).step_by(every).collect();
        let thin = written.len() > 6;
        written.iter().enumerate().map(|(k, i)| (*i, thin && k % 2 == 1)).collect()
    }

    /// A grid line per tick across the plot; zero drawn darker.
    fn grid(&self) -> Markup {
        html! {
            @for tick in &self.ticks {
                @let y = self.y(*tick);
                line class=(if *tick == 0 { "zero" } else { "grid-line" }) x1="0" x2="100%" y1=(px(y)) y2=(px(y)) {}
            }
        }
    }

    /// The y axis: tick labels right-aligned in a gutter of their own, as wide as the
    /// longest label, beside the plot (a separate SVG, so no label lies over the data).
    fn axis(&self) -> Markup {
        let labels: Vec<String> = self.ticks.iter().map(|t| self.format(*t)).collect();
        let longest = labels.iter().map(|l| l.chars().count()).max().unwrap_or(1);
        let width = (longest as f64 * TICK_CHAR_WIDTH + 10.0).ceil().max(24.0);
        html! {
            svg.chart-axis width=(width) height=(HEIGHT) aria-hidden="true" focusable="false" {
                @for (tick, label) in self.ticks.iter().zip(&labels) {
                    text x=(px(width - 8.0)) y=(px(self.y(*tick) + 4.0)) text-anchor="end" { (label) }
                }
            }
        }
    }

    fn legend(&self) -> Markup {
        html! {
            ul.legend {
                @for (k, series) in self.chart.series.iter().enumerate() {
                    li { span class={ "swatch " (colour(k)) } aria-hidden="true" {} (series.name) }
                }
            }
        }
    }

    /// The numbers themselves, for anyone who wants them rather than the picture.
    fn data_table(&self) -> Markup {
        html! {
            details.chart-data {
                summary { "Show the data" }
                div.table {
                    table {
                        caption.sr { "Data of " (self.chart.title) }
                        thead {
                            tr {
                                th scope="col" { span.sr { "Point" } }
                                @for series in self.chart.series { th.num scope="col" { (series.name) } }
                            }
                        }
                        tbody {
                            @for i in 0..self.points {
                                tr {
                                    th scope="row" { (self.label(i)) }
                                    @for series in self.chart.series {
                                        td.num data-label=(series.name) {
                                            @if let Some(value) = series.values.get(i) { (self.format(*value)) } @else { "—" }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// The figure around a drawing: caption with title and legend, the SVG, the data.
    fn figure(&self, kind: &str, drawing: Markup) -> Markup {
        html! {
            figure class={ "chart " (kind) } {
                figcaption {
                    span.chart-title { (self.chart.title) }
                    (self.legend())
                }
                div.chart-body {
                    (self.axis())
                    svg.chart-plot role="img" aria-label=(self.chart.title) width="100%" height=(HEIGHT) focusable="false" {
                        title { (self.chart.title) }
                        desc { (self.summary()) }
                        (drawing)
                    }
                }
                (self.data_table())
            }
        }
    }
}

fn px(value: f64) -> String {
    format!("{value:.1}")
}

fn percent(value: f64) -> String {
    format!("{value:.3}%")
}

fn colour(series: usize) -> String {
    format!("c{}", series % COLOURS + 1)
}

/// The chart's title and its empty state, when there is nothing to draw.
fn empty(chart: &Chart<'_>, kind: &str) -> Markup {
    html! {
        figure class={ "chart " (kind) } {
            figcaption { span.chart-title { (chart.title) } }
            p.empty { (chart.empty) }
        }
    }
}

/// A line per series over the x labels, the area under a lone series tinted, a dot with its
/// value as tooltip on each point of a short series.
pub fn line_chart(chart: &Chart<'_>) -> Markup {
    let Some(plot) = Plot::of(chart) else {
        return empty(chart, "line-chart");
    };
    let x = |i: usize| {
        if plot.points <= 1 { 50.0 } else { LINE_PAD + i as f64 * (100.0 - 2.0 * LINE_PAD) / (plot.points - 1) as f64 }
    };
    let zero = plot.y(0);
    let lone = chart.series.len() == 1;
    // The nested drawing's x runs over 0..1000 for 0..100% of the width.
    let point = |i: usize, value: i64| format!("{:.1},{:.1}", x(i) * 10.0, plot.y(value));
    let drawing = html! {
        (plot.grid())
        svg x="0" y="0" width="100%" height=(HEIGHT) viewBox={ "0 0 1000 " (HEIGHT) } preserveAspectRatio="none" aria-hidden="true" {
            @for (k, series) in chart.series.iter().enumerate() {
                @let points: Vec<String> = series.values.iter().enumerate().map(|(i, v)| point(i, *v)).collect();
                @if lone && points.len() > 1 {
                    @let last = series.values.len() - 1;
                    polygon class={ "series area " (colour(k)) }
                        points={ (points.join(" ")) " " (format!("{:.1},{:.1} {:.1},{:.1}", x(last) * 10.0, zero, x(0) * 10.0, zero)) } {}
                }
                @if points.len() > 1 {
                    polyline class={ "series line " (colour(k)) } points=(points.join(" ")) vector-effect="non-scaling-stroke" {}
                }
            }
        }
        @if plot.points <= MAX_DOTS {
            @for (k, series) in chart.series.iter().enumerate() {
                @for (i, value) in series.values.iter().enumerate() {
                    circle class={ "series dot " (colour(k)) } cx=(percent(x(i))) cy=(px(plot.y(*value))) r="3.5" {
                        title { (plot.tooltip(series, i, *value)) }
                    }
                }
            }
        }
        @for (i, minor) in plot.x_label_marks() {
            text x=(percent(x(i))) y=(LABEL_Y) text-anchor="middle" class=[minor.then_some("minor")] { (plot.label(i)) }
        }
    };
    plot.figure("line-chart", drawing)
}

/// Bars side by side per x label, one per series, up from zero or down below it.
pub fn bar_chart(chart: &Chart<'_>) -> Markup {
    let Some(plot) = Plot::of(chart) else {
        return empty(chart, "bar-chart");
    };
    let group = 100.0 / plot.points.max(1) as f64;
    let inner = group * 0.7;
    let bars = chart.series.len().max(1) as f64;
    let slot = inner / bars;
    // Bars of one group stand a little apart, but one bar alone fills its slot.
    let width = if chart.series.len() > 1 { slot * 0.88 } else { slot };
    let zero = plot.y(0);
    let drawing = html! {
        (plot.grid())
        @for (k, series) in chart.series.iter().enumerate() {
            @for (i, value) in series.values.iter().enumerate() {
                @let y = plot.y(*value);
                @let left = i as f64 * group + (group - inner) / 2.0 + k as f64 * slot;
                @if *value != 0 {
                    rect class={ "series bar-rect " (colour(k)) } x=(percent(left)) width=(percent(width))
                        y=(px(y.min(zero))) height=(px((y - zero).abs())) rx="2" {
                        title { (plot.tooltip(series, i, *value)) }
                    }
                }
            }
        }
        @for (i, minor) in plot.x_label_marks() {
            text x=(percent((i as f64 + 0.5) * group)) y=(LABEL_Y) text-anchor="middle" class=[minor.then_some("minor")] { (plot.label(i)) }
        }
    };
    plot.figure("bar-chart", drawing)
}

#[cfg(test)]
mod tests {
    use super::*;

    const XSS: &str = "<script>alert(1)</script>\"'";

    fn chart<'a>(labels: &'a [&'a str], series: &'a [ChartSeries<'a>]) -> Chart<'a> {
        Chart { title: "Revenue", x_labels: labels, series, format: grouped, empty: "No data yet." }
    }

    fn both(chart: &Chart<'_>) -> [String; 2] {
        [line_chart(chart).into_string(), bar_chart(chart).into_string()]
    }

    /// Every number written into the SVG is finite: no NaN or inf from a division by zero.
    fn assert_finite(html: &str) {
        assert!(!html.contains("NaN"), "{html}");
        assert!(!html.contains("inf"), "{html}");
    }

    #[test]
    fn ticks_are_nice_and_cover_the_data() {
        assert_eq!(nice_ticks(0, 100), vec![0, 25, 50, 75, 100]);
        assert_eq!(nice_ticks(0, 1234), vec![0, 500, 1000, 1500]);
        assert_eq!(nice_ticks(0, 9), vec![0, 2, 4, 6, 8, 10]);
        assert_eq!(nice_ticks(0, 0), vec![0, 1]);
        assert_eq!(nice_ticks(-30, 70), vec![-50, 0, 50, 100]);
        assert_eq!(nice_ticks(-80, -20), vec![-80, -60, -40, -20, 0]);
        assert_eq!(nice_ticks(5, 3), nice_ticks(3, 5));
        for (min, max) in [(0, 1), (0, 7), (0, 999_999), (-1, 1), (-5_000, 123_456), (i64::MIN, i64::MAX), (0, i64::MAX), (i64::MIN, 0)] {
            let ticks = nice_ticks(min, max);
            assert!((2..=6).contains(&ticks.len()), "{min}..{max}: {ticks:?}");
            assert!(ticks.windows(2).all(|w| w[0] < w[1]), "{min}..{max}: {ticks:?}");
            assert!(ticks[0] <= min.min(0) && *ticks.last().unwrap_or(&0) >= max.max(0), "{min}..{max}: {ticks:?}");
            assert!(ticks.contains(&0), "{min}..{max}: {ticks:?}");
        }
    }

    #[test]
    fn typical_data_gets_four_to_six_ticks() {
        for max in [10, 42, 99, 100, 250, 1_000, 4_321, 12_345, 99_999, 1_000_000, 123_456_789] {
            let ticks = nice_ticks(0, max);
            assert!((4..=6).contains(&ticks.len()), "0..{max}: {ticks:?}");
        }
    }

    #[test]
    fn no_data_shows_the_empty_state() {
        let none: [ChartSeries<'_>; 0] = [];
        let hollow = [ChartSeries { name: "Revenue", values: &[] }];
        for chart in [chart(&[], &none), chart(&["Jan"], &none), chart(&[], &hollow), chart(&["Jan", "Feb"], &hollow)] {
            for html in both(&chart) {
                assert!(html.contains(r#"<p class="empty">No data yet.</p>"#), "{html}");
                assert!(!html.contains("<svg"));
            }
        }
    }

    #[test]
    fn a_single_point_is_drawn_as_a_dot() {
        let series = [ChartSeries { name: "Revenue", values: &[1200] }];
        let [line, bar] = both(&chart(&["Jan"], &series));
        assert!(line.contains(r#"cx="50.000%""#), "{line}");
        assert!(!line.contains("<polyline"));
        assert!(bar.contains("<rect"));
        assert_finite(&line);
        assert_finite(&bar);
    }

    #[test]
    fn many_points_make_a_line_and_thin_their_labels() {
        let values: Vec<i64> = (0..90).map(|i| (i * 37 % 101) * 100).collect();
        let labels: Vec<String> = (1..=90).map(|d| format!("D{d}")).collect();
        let labels: Vec<&str> = labels.iter().map(String::as_str).collect();
        let series = [ChartSeries { name: "Signups", values: &values }];
        let [line, bar] = both(&chart(&labels, &series));
        assert!(line.contains("<polyline"));
        assert!(!line.contains("<circle"), "too many points for dots");
        let x_labels = line.matches(&format!(r#"y="{LABEL_Y}""#)).count();
        assert!((MAX_X_LABELS / 2..=MAX_X_LABELS).contains(&x_labels), "{x_labels} x labels");
        assert!(line.contains(r#"class="minor""#));
        assert_eq!(bar.matches("<rect").count(), values.iter().filter(|v| **v != 0).count());
        assert_finite(&line);
        assert_finite(&bar);
    }

    #[test]
    fn all_zeros_draw_flat_on_the_zero_line() {
        let series = [ChartSeries { name: "Refunds", values: &[0, 0, 0] }];
        let [line, bar] = both(&chart(&["Jan", "Feb", "Mar"], &series));
        assert!(line.contains(r#"<line class="zero""#));
        assert!(line.contains(&format!(r#"cy="{}""#, px(PLOT_BOTTOM))), "{line}");
        assert!(!bar.contains("<rect"));
        assert_finite(&line);
        assert_finite(&bar);
    }

    #[test]
    fn negative_values_go_below_zero() {
        let series = [ChartSeries { name: "Net", values: &[-500, 300, -100] }, ChartSeries { name: "Other", values: &[100] }];
        let [line, bar] = both(&chart(&["Jan", "Feb", "Mar"], &series));
        for html in [&line, &bar] {
            assert!(html.contains("−500"), "{html}");
            assert!(html.contains(r#"<line class="zero""#));
            assert_finite(html);
        }
        // Two series: no tinted area, a legend entry each, a missing value in the data table.
        assert!(!line.contains("area"));
        assert!(line.contains(r#"<span class="swatch c2" aria-hidden="true"></span>Other"#));
        assert!(line.contains(r#"<td class="num" data-label="Other">—</td>"#));
    }

    #[test]
    fn a_chart_is_an_image_with_a_name_a_description_and_its_data() {
        let series = [ChartSeries { name: "Revenue", values: &[100, 250] }];
        let html = line_chart(&chart(&["Jan", "Feb"], &series)).into_string();
        assert!(html.contains(r#"<svg class="chart-plot" role="img" aria-label="Revenue" width="100%" height="240""#), "{html}");
        assert!(html.contains(r#"<svg class="chart-axis" width="30" height="240" aria-hidden="true""#), "{html}");
        assert!(html.contains("<title>Revenue</title><desc>2 points from Jan to Feb. Revenue: lowest 100, highest 250, last 250.</desc>"));
        assert!(html.contains("<summary>Show the data</summary>"));
        assert!(html.contains(r#"<th scope="row">Feb</th><td class="num" data-label="Revenue">250</td>"#));
        assert!(html.contains(r#"preserveAspectRatio="none""#));
    }

    #[test]
    fn chart_text_is_escaped() {
        let series = [ChartSeries { name: XSS, values: &[1, 2] }];
        let labels = [XSS, XSS];
        let chart = Chart { title: XSS, x_labels: &labels, series: &series, format: |_| XSS.to_string(), empty: XSS };
        let empty = Chart { series: &[], ..chart };
        for html in [line_chart(&chart), bar_chart(&chart), line_chart(&empty)] {
            let html = html.into_string();
            assert!(!html.contains("<script"), "{html}");
            assert!(!html.contains("\"'"), "{html}");
        }
    }

    #[test]
    fn grouped_digits_read_like_people_write_them() {
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(1234567), "1,234,567");
        assert_eq!(grouped(-1000), "−1,000");
        assert_eq!(grouped(i64::MIN), "−9,223,372,036,854,775,808");
    }
}
