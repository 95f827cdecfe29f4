//! The trend chart as SVG: members (left scale) and meeting attendance % (right scale) by month,
//! with axes, round ticks and a grid, a marker on every point (a period of one month is one
//! visible point, not an empty line), and a break in the attendance line over months without
//! meetings (joining across them would draw figures nobody recorded). Written by hand: the
//! plotting crates weigh more than this file, and the chart is two series.

use super::trend::TrendPoint;

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 320.0;
const LEFT: f64 = 56.0;
const RIGHT: f64 = 48.0;
const TOP: f64 = 36.0;
const BOTTOM: f64 = 52.0;
/// Month labels beyond this many would overlap: every n-th is written.
const MAX_MONTH_LABELS: usize = 12;
const MEMBERS_COLOUR: &str = "#c2185b";
const ATTENDANCE_COLOUR: &str = "#1565c0";

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// A round step (1, 2 or 5 times a power of ten) giving about four intervals up to `max`, and
/// the top of the scale (a multiple of the step at or above `max`).
fn scale(max: i64) -> (i64, i64) {
    let rough = (max.max(1) as f64 / 4.0).max(1.0);
    let power = 10f64.powf(rough.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0].iter().map(|m| m * power).find(|s| *s >= rough).unwrap_or(10.0 * power) as i64;
    let step = step.max(1);
    let max = max.max(1);
    (step, (max + step - 1) / step * step)
}

struct Frame {
    count: usize,
    top_members: f64,
}

impl Frame {
    fn plot_width() -> f64 {
        WIDTH - LEFT - RIGHT
    }

    fn plot_height() -> f64 {
        HEIGHT - TOP - BOTTOM
    }

    fn x(&self, i: usize) -> f64 {
        if self.count > 1 {
            LEFT + Self::plot_width() * (i as f64) / ((self.count - 1) as f64)
        } else {
            LEFT + Self::plot_width() / 2.0
        }
    }

    fn y_members(&self, members: i64) -> f64 {
        TOP + Self::plot_height() * (1.0 - members as f64 / self.top_members)
    }

    fn y_percent(percent: f64) -> f64 {
        TOP + Self::plot_height() * (1.0 - percent.clamp(0.0, 100.0) / 100.0)
    }
}

/// The points of each unbroken run of `Some` values.
fn runs(values: &[Option<(f64, f64)>]) -> Vec<Vec<(f64, f64)>> {
    let mut out: Vec<Vec<(f64, f64)>> = vec![Vec::new()];
    for value in values {
        match (value, out.last_mut()) {
            (Some(point), Some(run)) => run.push(*point),
            (None, Some(run)) if !run.is_empty() => out.push(Vec::new()),
            _ => {}
        }
    }
    out.retain(|run| !run.is_empty());
    out
}

fn series(colour: &str, dashed: bool, name: &str, points: &[Option<(f64, f64)>]) -> String {
    let dash = if dashed { r#" stroke-dasharray="5 3""# } else { "" };
    let mut out = String::new();
    for run in runs(points) {
        let coordinates: Vec<String> = run.iter().map(|(x, y)| format!("{x:.1},{y:.1}")).collect();
        out.push_str(&format!(
            r#"<polyline fill="none" stroke="{colour}" stroke-width="2"{dash} points="{}"><title>{name}</title></polyline>"#,
            coordinates.join(" ")
        ));
        out.push('\n');
    }
    for (x, y) in points.iter().flatten() {
        out.push_str(&format!(
            r#"<circle cx="{x:.1}" cy="{y:.1}" r="3" fill="{colour}"><title>{name}</title></circle>"#
        ));
        out.push('\n');
    }
    out
}

/// The chart of `points` under `title`.
pub fn svg(title: &str, points: &[TrendPoint]) -> String {
    let max_members = points.iter().map(|p| p.members).max().unwrap_or(0);
    let (step, top_members) = scale(max_members);
    let frame = Frame { count: points.len().max(1), top_members: top_members as f64 };
    let (base, right_edge) = (TOP + Frame::plot_height(), LEFT + Frame::plot_width());
    let mut grid = String::new();
    for value in (0..=top_members).step_by(usize::try_from(step).unwrap_or(1)) {
        let y = frame.y_members(value);
        grid.push_str(&format!(
            r##"<line x1="{LEFT}" y1="{y:.1}" x2="{right_edge:.1}" y2="{y:.1}" stroke="#e0e0e0"/><text x="{:.1}" y="{:.1}" font-size="10" text-anchor="end">{value}</text>"##,
            LEFT - 6.0,
            y + 3.5
        ));
        grid.push('\n');
    }
    for percent in [0, 25, 50, 75, 100] {
        let y = Frame::y_percent(f64::from(percent));
        grid.push_str(&format!(
            r#"<text x="{:.1}" y="{:.1}" font-size="10">{percent}%</text>"#,
            right_edge + 6.0,
            y + 3.5
        ));
        grid.push('\n');
    }
    let every = points.len().div_ceil(MAX_MONTH_LABELS).max(1);
    let mut months = String::new();
    for (i, point) in points.iter().enumerate() {
        let x = frame.x(i);
        months.push_str(&format!(
            r##"<line x1="{x:.1}" y1="{base:.1}" x2="{x:.1}" y2="{:.1}" stroke="#999"/>"##,
            base + 4.0
        ));
        if i % every == 0 {
            months.push_str(&format!(
                r#"<text x="{x:.1}" y="{:.1}" font-size="10" text-anchor="middle">{}</text>"#,
                base + 16.0,
                escape(&point.label())
            ));
        }
        months.push('\n');
    }
    let members: Vec<Option<(f64, f64)>> =
        points.iter().enumerate().map(|(i, p)| Some((frame.x(i), frame.y_members(p.members)))).collect();
    let attendance: Vec<Option<(f64, f64)>> = points
        .iter()
        .enumerate()
        .map(|(i, p)| p.attendance_percent.map(|a| (frame.x(i), Frame::y_percent(a))))
        .collect();
    let members = series(MEMBERS_COLOUR, false, "Hội viên / Members", &members);
    let attendance = series(ATTENDANCE_COLOUR, true, "Tỷ lệ dự sinh hoạt / Attendance %", &attendance);
    let title = escape(title);
    let legend = HEIGHT - 8.0;
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" font-family="sans-serif">
<title>{title}</title>
<rect width="{WIDTH}" height="{HEIGHT}" fill="#fff"/>
<text x="{LEFT}" y="22" font-size="14">{title}</text>
{grid}<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{base:.1}" stroke="#666"/>
<line x1="{right_edge:.1}" y1="{TOP}" x2="{right_edge:.1}" y2="{base:.1}" stroke="#666"/>
<line x1="{LEFT}" y1="{base:.1}" x2="{right_edge:.1}" y2="{base:.1}" stroke="#666"/>
{months}{members}{attendance}<text x="{LEFT}" y="{legend:.1}" font-size="11" fill="{MEMBERS_COLOUR}">— Hội viên / Members (trục trái / left)</text>
<text x="{:.1}" y="{legend:.1}" font-size="11" fill="{ATTENDANCE_COLOUR}">- - Tỷ lệ dự sinh hoạt / Attendance % (trục phải / right)</text>
</svg>
"##,
        LEFT + 250.0,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(month: &str, members: i64, attendance: Option<f64>) -> TrendPoint {
        TrendPoint { month: month.into(), members, attendance_percent: attendance }
    }

    #[test]
    fn scales_end_on_a_round_tick_at_or_above_the_largest_value() {
        assert_eq!(scale(0), (1, 1));
        assert_eq!(scale(9), (5, 10));
        assert_eq!(scale(37), (10, 40));
        assert_eq!(scale(1234), (500, 1500));
    }

    #[test]
    fn one_month_is_a_visible_point_with_its_axes_and_ticks() {
        let chart = svg("Xã Hưng Nhượng — 2025-09", &[point("2025-09", 9, Some(50.0))]);
        assert_eq!(chart.matches("<circle").count(), 2, "a marker per series: {chart}");
        assert!(chart.contains(">09/2025</text>"));
        assert!(chart.contains(">10</text>") && chart.contains(">0</text>"), "member ticks 0, 5, 10");
        assert!(chart.contains(">100%</text>") && chart.contains(">50%</text>"));
    }

    #[test]
    fn months_without_meetings_break_the_attendance_line_and_labels_do_not_pile_up() {
        let points: Vec<TrendPoint> = (1..=36)
            .map(|i| {
                let month = format!("{}-{:02}", 2023 + (i - 1) / 12, (i - 1) % 12 + 1);
                point(&month, 100 + i, if i % 10 == 0 { None } else { Some(60.0) })
            })
            .collect();
        let chart = svg("Tỉnh <Vĩnh Long>", &points);
        assert_eq!(chart.matches("stroke-dasharray").count(), 4, "three gaps make four attendance runs");
        assert!(chart.matches("text-anchor=\"middle\"").count() <= MAX_MONTH_LABELS, "{chart}");
        assert!(chart.contains("Tỉnh &lt;Vĩnh Long&gt;"), "the title is escaped");
    }
}
