//! Charts drawn on the server as inline SVG: the geometry is computed here, the template only
//! places the shapes (so labels are escaped like any other text).

use super::thousands;
use chrono::{DateTime, Duration, Utc};

/// The layout of a chart of labelled horizontal bars, one row each: the SVG's size, the
/// column of labels (right-aligned at `label_x`) and where the bars start.
pub struct BarFrame {
    pub width: i64,
    pub height: i64,
    pub label_x: i64,
    pub bar_x: i64,
    pub bar_height: i64,
    /// The y of the first row.
    top: i64,
}

impl BarFrame {
    /// `width` wide, one row for each of `labels` from `top`; the bars start `gap` after the
    /// longest label, but not before 60 nor after `widest`.
    fn new<'a>(
        width: i64,
        top: i64,
        labels: impl ExactSizeIterator<Item = &'a str>,
        gap: i64,
        widest: i64,
    ) -> BarFrame {
        let rows = labels.len() as i64;
        let longest = labels.map(text_width).max().unwrap_or(0);
        let bar_x = (longest + gap).clamp(60, widest);
        BarFrame {
            width,
            height: top + rows * ROW + 6,
            label_x: bar_x - 8,
            bar_x,
            bar_height: BAR,
            top,
        }
    }

    /// The room for bars, leaving space for the text at their end.
    fn room(&self) -> i64 {
        self.width - self.bar_x - 70
    }

    /// The y of row `i`, and of its text.
    fn row(&self, i: usize) -> (i64, i64) {
        let y = self.top + i as i64 * ROW;
        (y, y + BAR / 2 + 5)
    }
}

/// Horizontal bars, one row per item, each optionally a link.
pub struct BarChart {
    pub frame: BarFrame,
    pub bars: Vec<Bar>,
}

pub struct Bar {
    pub label: String,
    pub value: String,
    pub y: i64,
    pub text_y: i64,
    pub width: i64,
    pub value_x: i64,
    pub href: Option<String>,
}

const ROW: i64 = 30;
const BAR: i64 = 18;
const WIDTH: i64 = 640;

impl BarChart {
    /// `items` are (label, value, link).
    pub fn new(items: Vec<(String, i64, Option<String>)>) -> BarChart {
        let frame = BarFrame::new(WIDTH, 6, items.iter().map(|i| i.0.as_str()), 16, 220);
        let room = frame.room();
        let max = items.iter().map(|(_, v, _)| *v).max().unwrap_or(0).max(1);
        let bars = items
            .into_iter()
            .enumerate()
            .map(|(i, (label, value, href))| {
                let (y, text_y) = frame.row(i);
                let width = if value > 0 {
                    (value * room / max).max(2)
                } else {
                    0
                };
                Bar {
                    label,
                    value: thousands(value),
                    y,
                    text_y,
                    width,
                    value_x: frame.bar_x + width + 6,
                    href,
                }
            })
            .collect();
        BarChart { frame, bars }
    }

    pub fn is_empty(&self) -> bool {
        self.bars.is_empty()
    }
}

/// The age pyramid: men to the left of the middle, women to the right, the oldest band on top.
pub struct Pyramid {
    pub width: i64,
    pub height: i64,
    pub middle: i64,
    pub left_edge: i64,
    pub right_edge: i64,
    pub bar_height: i64,
    pub legend_y: i64,
    pub rows: Vec<PyramidRow>,
    pub empty: bool,
}

pub struct PyramidRow {
    pub label: String,
    pub y: i64,
    pub text_y: i64,
    pub men_x: i64,
    pub men_width: i64,
    pub men_text: String,
    pub men_text_x: i64,
    pub women_width: i64,
    pub women_text: String,
    pub women_text_x: i64,
}

impl Pyramid {
    /// `bands` are (first age of the band, men, women) in five-year steps; the last is open.
    pub fn new(bands: &[(i32, i64, i64)]) -> Pyramid {
        let middle = WIDTH / 2;
        let left_edge = middle - 40;
        let right_edge = middle + 40;
        let room = left_edge - 70;
        let max = bands
            .iter()
            .map(|(_, m, w)| (*m).max(*w))
            .max()
            .unwrap_or(0)
            .max(1);
        let scale = |n: i64| if n > 0 { (n * room / max).max(2) } else { 0 };
        let top = 30;
        let last = bands.len().saturating_sub(1);
        let rows = bands
            .iter()
            .enumerate()
            .rev()
            .enumerate()
            .map(|(row, (i, (start, men, women)))| {
                let y = top + row as i64 * ROW;
                let men_width = scale(*men);
                let women_width = scale(*women);
                PyramidRow {
                    label: if i == last {
                        format!("{start}+")
                    } else {
                        format!("{start}–{}", start + 4)
                    },
                    y,
                    text_y: y + BAR / 2 + 5,
                    men_x: left_edge - men_width,
                    men_width,
                    men_text: thousands(*men),
                    men_text_x: left_edge - men_width - 6,
                    women_width,
                    women_text: thousands(*women),
                    women_text_x: right_edge + women_width + 6,
                }
            })
            .collect::<Vec<_>>();
        Pyramid {
            width: WIDTH,
            height: top + rows.len() as i64 * ROW + 6,
            middle,
            left_edge,
            right_edge,
            bar_height: BAR,
            legend_y: 16,
            empty: bands.iter().all(|(_, m, w)| m + w == 0),
            rows,
        }
    }
}

/// Scores against their maxima (the domain subtotals of an assessment): a pale track as long as
/// the maximum, the score drawn over it.
pub struct ScoreBars {
    pub frame: BarFrame,
    pub track_width: i64,
    pub rows: Vec<ScoreBar>,
}

pub struct ScoreBar {
    pub label: String,
    pub text: String,
    pub y: i64,
    pub text_y: i64,
    pub width: i64,
    pub text_x: i64,
}

impl ScoreBars {
    /// `items` are (label, score, maximum).
    pub fn new(items: Vec<(String, i64, i64)>) -> ScoreBars {
        // Narrower than the other charts: it sits in half a page, and its text should not
        // shrink much more than the page's.
        let frame = BarFrame::new(560, 6, items.iter().map(|i| i.0.as_str()), 24, 260);
        let track_width = frame.room();
        let rows = items
            .into_iter()
            .enumerate()
            .map(|(i, (label, score, max))| {
                let (y, text_y) = frame.row(i);
                let width = if max > 0 && score > 0 {
                    (score.min(max) * track_width / max).max(2)
                } else {
                    0
                };
                ScoreBar {
                    label,
                    text: format!("{score} / {max}"),
                    y,
                    text_y,
                    width,
                    text_x: frame.bar_x + track_width + 8,
                }
            })
            .collect();
        ScoreBars {
            frame,
            track_width,
            rows,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

/// A line of one score over time (an elder's totals of one instrument), dates spaced by the
/// time between them, with dashed lines at the band limits and each band named at its middle.
pub struct LineChart {
    pub plot: Plot,
    /// `x,y x,y …` for the polyline.
    pub path: String,
    pub points: Vec<LinePoint>,
    /// Band limits: `pos` is the y of the line.
    pub guides: Vec<Guide>,
    /// Band names, right of the plot.
    pub labels: Vec<Guide>,
    /// The scale's ends, left of the axis.
    pub ticks: Vec<Guide>,
    pub dates: Vec<Guide>,
}

pub struct LinePoint {
    pub x: i64,
    pub y: i64,
    pub value: i64,
    pub label_y: i64,
    pub date: String,
}

/// The frame of a chart with axes: the SVG's size and the plot's edges inside it.
pub struct Plot {
    pub width: i64,
    pub height: i64,
    pub left: i64,
    pub right: i64,
    pub top: i64,
    pub bottom: i64,
}

/// A labelled position: a band limit or name, a tick, a date under the axis.
pub struct Guide {
    pub pos: i64,
    pub text_pos: i64,
    pub label: String,
}

impl LineChart {
    /// `points` are (date, value); `bands` (lowest value, highest value, name) of the scale
    /// from 0 to `max`.
    pub fn new(
        mut points: Vec<(chrono::NaiveDate, i64)>,
        max: i64,
        bands: Vec<(i64, i64, String)>,
    ) -> LineChart {
        points.sort_by_key(|(d, _)| *d);
        let (left, right, top, bottom) = (44, WIDTH - 150, 16, 196);
        let max = points
            .iter()
            .map(|(_, v)| *v)
            .max()
            .unwrap_or(0)
            .max(max)
            .max(1);
        let y_of = |v: i64| bottom - v.clamp(0, max) * (bottom - top) / max;
        let first = points.first().map(|(d, _)| *d);
        let span = match (first, points.last()) {
            (Some(a), Some((b, _))) => (*b - a).num_days(),
            _ => 0,
        };
        let x_of = |i: usize, d: chrono::NaiveDate| match first {
            Some(first) if span > 0 => left + (d - first).num_days() * (right - left) / span,
            _ if points.len() > 1 => left + i as i64 * (right - left) / (points.len() as i64 - 1),
            _ => (left + right) / 2,
        };
        let points: Vec<LinePoint> = points
            .iter()
            .enumerate()
            .map(|(i, (d, v))| {
                let y = y_of(*v);
                LinePoint {
                    x: x_of(i, *d),
                    y,
                    value: *v,
                    label_y: if y - 10 < top { y + 20 } else { y - 10 },
                    date: d.to_string(),
                }
            })
            .collect();
        // Dates under the axis: all of a few, else the first, the last and some between,
        // never closer than a label's width.
        let mut dates: Vec<Guide> = Vec::new();
        for (i, p) in points.iter().enumerate() {
            let crowded = dates.last().is_some_and(|g| p.x - g.pos < 90);
            if crowded && i + 1 == points.len() {
                dates.pop();
            } else if crowded {
                continue;
            }
            dates.push(Guide {
                pos: p.x,
                text_pos: bottom + 20,
                label: p.date.clone(),
            });
        }
        let guides = bands
            .iter()
            .filter(|(min, _, _)| *min > 0 && *min <= max)
            .map(|(min, _, _)| Guide {
                pos: y_of(*min),
                text_pos: y_of(*min),
                label: String::new(),
            })
            .collect();
        let mut labels: Vec<Guide> = bands
            .into_iter()
            .filter(|(min, _, _)| *min <= max)
            .map(|(min, high, label)| {
                let middle = y_of(min) + (y_of(high.min(max)) - y_of(min)) / 2;
                Guide {
                    pos: middle,
                    text_pos: middle + 4,
                    label,
                }
            })
            .collect();
        labels.sort_by_key(|g| g.pos);
        // Names too close together keep only the first.
        let mut last: Option<i64> = None;
        labels.retain(|g| {
            let keep = last.is_none_or(|l| g.pos - l >= 14);
            if keep {
                last = Some(g.pos);
            }
            keep
        });
        let ticks = [0, max]
            .into_iter()
            .map(|v| Guide {
                pos: y_of(v),
                text_pos: y_of(v) + 4,
                label: v.to_string(),
            })
            .collect();
        LineChart {
            plot: Plot {
                width: WIDTH,
                height: bottom + 32,
                left,
                right,
                top,
                bottom,
            },
            path: points
                .iter()
                .map(|p| format!("{},{}", p.x, p.y))
                .collect::<Vec<_>>()
                .join(" "),
            points,
            guides,
            labels,
            ticks,
            dates,
        }
    }
}

/// Horizontal bars split into coloured parts (counts per region, split by grade).
pub struct StackedBars {
    pub frame: BarFrame,
    pub legend: Vec<LegendItem>,
    pub rows: Vec<StackRow>,
}

pub struct LegendItem {
    pub x: i64,
    pub y: i64,
    pub text_x: i64,
    pub text_y: i64,
    pub label: String,
    pub class: String,
}

pub struct StackRow {
    pub label: String,
    pub href: Option<String>,
    pub y: i64,
    pub text_y: i64,
    pub total: String,
    pub total_x: i64,
    pub segments: Vec<Segment>,
}

pub struct Segment {
    pub x: i64,
    pub width: i64,
    pub class: String,
    pub title: String,
}

impl StackedBars {
    /// `series` names the parts (their colour is their position); `rows` are (label, link,
    /// count per series).
    pub fn new(series: &[String], rows: Vec<(String, Option<String>, Vec<i64>)>) -> StackedBars {
        let mut legend = Vec::new();
        let (mut x, mut y) = (8, 6);
        for (i, label) in series.iter().enumerate() {
            let w = 22 + text_width(label) + 18;
            if x + w > WIDTH && x > 8 {
                x = 8;
                y += 24;
            }
            legend.push(LegendItem {
                x,
                y,
                text_x: x + 20,
                text_y: y + 13,
                label: label.clone(),
                class: format!("s{i}"),
            });
            x += w;
        }
        let frame = BarFrame::new(WIDTH, y + 32, rows.iter().map(|r| r.0.as_str()), 16, 220);
        let (bar_x, room) = (frame.bar_x, frame.room());
        let max = rows
            .iter()
            .map(|(_, _, v)| v.iter().sum::<i64>())
            .max()
            .unwrap_or(0)
            .max(1);
        let rows = rows
            .into_iter()
            .enumerate()
            .map(|(i, (label, href, counts))| {
                let (y, text_y) = frame.row(i);
                let mut at = bar_x;
                let mut sum = 0;
                let mut segments = Vec::new();
                for (s, n) in counts.iter().enumerate() {
                    if *n <= 0 {
                        continue;
                    }
                    sum += n;
                    // Each part ends where the running total ends, so rounding never adds up.
                    let end = bar_x + sum * room / max;
                    let width = (end - at).max(2);
                    segments.push(Segment {
                        x: at,
                        width,
                        class: format!("s{s}"),
                        title: format!(
                            "{}: {}",
                            series.get(s).map(String::as_str).unwrap_or(""),
                            thousands(*n)
                        ),
                    });
                    at += width;
                }
                StackRow {
                    label,
                    href,
                    y,
                    text_y,
                    total: thousands(sum),
                    total_x: at + 6,
                    segments,
                }
            })
            .collect();
        StackedBars {
            frame,
            legend,
            rows,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

/// One line of a [`TimeChart`]: a measured value over time.
pub struct SeriesInput {
    pub label: String,
    /// The CSS class of the line and its dots (`s-a`, `s-b`, `s-c`).
    pub class: &'static str,
    pub unit: &'static str,
    pub decimals: usize,
    /// (when, value, outside the elder's thresholds).
    pub points: Vec<(DateTime<Utc>, f64, bool)>,
}

/// A range of values that calls for attention, shaded across the plot: from `low` (the
/// bottom of the plot when `None`) to `high` (its top when `None`).
pub struct ZoneInput {
    pub low: Option<f64>,
    pub high: Option<f64>,
    /// The threshold itself: the edge next to the normal range, drawn dashed and labelled.
    pub edge: f64,
    /// `zone-warn` or `zone-crit`.
    pub class: &'static str,
    /// Named at the zone's threshold, right of the plot (`≥160 警戒`).
    pub label: String,
}

impl ZoneInput {
    /// Everything below `edge`.
    pub fn below(edge: f64, class: &'static str, label: String) -> ZoneInput {
        ZoneInput {
            low: None,
            high: Some(edge),
            edge,
            class,
            label,
        }
    }

    /// Everything above `edge`.
    pub fn above(edge: f64, class: &'static str, label: String) -> ZoneInput {
        ZoneInput {
            low: Some(edge),
            high: None,
            edge,
            class,
            label,
        }
    }
}

/// A threshold drawn as a dashed line only (one that applies to a second series).
pub struct LimitInput {
    pub value: f64,
    pub class: &'static str,
    pub label: String,
}

/// Measurements over a time window (an elder's last 30 days of blood pressure, glucose, …)
/// with the elder's thresholds as shaded zones and dashed lines. Days run left to right in
/// Asia/Shanghai; a gap of more than a day and a half breaks the line; a value outside the
/// thresholds is a filled dot.
pub struct TimeChart {
    pub plot: Plot,
    pub zones: Vec<ZoneShape>,
    pub limits: Vec<LimitShape>,
    /// Horizontal grid lines with their values left of the axis.
    pub grid: Vec<Guide>,
    /// Day ticks under the axis (`pos` is x).
    pub days: Vec<Guide>,
    pub series: Vec<SeriesShape>,
    pub legend: Vec<LegendItem>,
    /// Readings drawn (before thinning).
    pub count: usize,
}

pub struct ZoneShape {
    pub y: i64,
    pub height: i64,
    pub class: &'static str,
    /// The y of the zone's threshold edge (the dashed line).
    pub edge_y: i64,
    pub label: String,
    pub label_y: i64,
}

pub struct LimitShape {
    pub y: i64,
    pub class: &'static str,
    pub label: String,
    pub label_y: i64,
}

pub struct SeriesShape {
    pub class: &'static str,
    pub label: String,
    /// SVG path data: `M x,y L x,y …`, a new `M` after a long gap.
    pub path: String,
    pub dots: Vec<TimeDot>,
}

pub struct TimeDot {
    pub x: i64,
    pub y: i64,
    pub flagged: bool,
    /// `03-14 08:30 186 mmHg`, the dot's tooltip.
    pub title: String,
}

/// Points kept per line at most: two per bucket of the plot's width (the lowest and highest),
/// so that a spike survives thinning.
const MAX_LINE_POINTS: usize = 360;
/// Up to this many readings every reading is a dot; beyond, only those outside the thresholds.
const ALL_DOTS_UP_TO: usize = 90;
const MAX_DOTS: usize = 300;

impl TimeChart {
    /// `range` is the value range always shown (so that the thresholds are in view), widened
    /// to the data and rounded to `step`, the spacing of the grid lines.
    pub fn new(
        window: (DateTime<Utc>, DateTime<Utc>),
        range: (f64, f64),
        step: f64,
        series: Vec<SeriesInput>,
        zones: Vec<ZoneInput>,
        limits: Vec<LimitInput>,
    ) -> TimeChart {
        let (from, to) = window;
        let (left, right, top, bottom) = (44, WIDTH - 112, 30, 210);
        let values = series.iter().flat_map(|s| s.points.iter().map(|p| p.1));
        let (mut min, mut max) = range;
        for v in values {
            min = min.min(v);
            max = max.max(v);
        }
        let step = if step > 0.0 { step } else { 1.0 };
        let min = (min / step).floor() * step;
        let mut max = (max / step).ceil() * step;
        if max <= min {
            max = min + step;
        }
        let y_of = |v: f64| {
            let v = v.clamp(min, max);
            bottom - ((v - min) / (max - min) * (bottom - top) as f64).round() as i64
        };
        let span = (to - from).num_seconds().max(1) as f64;
        let x_of = |t: DateTime<Utc>| {
            let s = (t - from).num_seconds().clamp(0, span as i64) as f64;
            left + (s / span * (right - left) as f64).round() as i64
        };

        let mut grid = Vec::new();
        let mut v = min;
        while v <= max + step / 2.0 {
            grid.push(Guide {
                pos: y_of(v),
                text_pos: y_of(v) + 4,
                label: trim_number(v),
            });
            v += step;
        }

        // A tick at local midnight every 7 days, counted back from the last day.
        let local = |t: DateTime<Utc>| t.with_timezone(&app::shanghai());
        let last_day = local(to - Duration::seconds(1)).date_naive();
        let mut days = Vec::new();
        let mut day = last_day;
        while let Some(midnight) = day
            .and_hms_opt(0, 0, 0)
            .and_then(|d| d.and_local_timezone(app::shanghai()).single())
        {
            let at = midnight.with_timezone(&Utc);
            if at < from {
                break;
            }
            days.push(Guide {
                pos: x_of(at),
                text_pos: bottom + 20,
                label: day.format("%m-%d").to_string(),
            });
            day -= Duration::days(7);
        }
        days.reverse();

        let mut zone_shapes: Vec<ZoneShape> = zones
            .into_iter()
            .map(|z| {
                let y_high = z.high.map_or(top, y_of);
                let y_low = z.low.map_or(bottom, y_of);
                let edge_y = y_of(z.edge);
                ZoneShape {
                    y: y_high,
                    height: (y_low - y_high).max(0),
                    class: z.class,
                    edge_y,
                    label: z.label,
                    label_y: edge_y + 4,
                }
            })
            .collect();
        let mut limits: Vec<LimitShape> = limits
            .into_iter()
            .filter(|l| l.value >= min && l.value <= max)
            .map(|l| LimitShape {
                y: y_of(l.value),
                class: l.class,
                label: l.label,
                label_y: y_of(l.value) + 4,
            })
            .collect();
        spread_labels(&mut zone_shapes, &mut limits, top, bottom);

        let count = series.iter().map(|s| s.points.len()).sum();
        // A legend only tells two or more lines apart; one line is named by the chart's title.
        let mut legend = Vec::new();
        let mut legend_x = left;
        for s in series.iter().filter(|_| series.len() > 1) {
            legend.push(LegendItem {
                x: legend_x,
                y: 12,
                text_x: legend_x + 22,
                text_y: 16,
                label: s.label.clone(),
                class: s.class.to_string(),
            });
            legend_x += 22 + text_width(&s.label) + 20;
        }
        let series = series
            .into_iter()
            .map(|mut s| {
                s.points.sort_by_key(|p| p.0);
                let fmt = |v: f64| format!("{v:.*}", s.decimals);
                let title = |t: DateTime<Utc>, v: f64| {
                    format!(
                        "{} {} {} {}",
                        local(t).format("%m-%d %H:%M"),
                        s.label,
                        fmt(v),
                        s.unit
                    )
                };
                let kept = thin(&s.points, MAX_LINE_POINTS, x_of);
                let mut path = String::new();
                let mut previous: Option<DateTime<Utc>> = None;
                for (t, v, _) in &kept {
                    let gap = previous.is_none_or(|p| *t - p > Duration::hours(36));
                    if !path.is_empty() {
                        path.push(' ');
                    }
                    path.push_str(&format!(
                        "{}{},{}",
                        if gap { "M" } else { "L" },
                        x_of(*t),
                        y_of(*v)
                    ));
                    previous = Some(*t);
                }
                let every = s.points.len() <= ALL_DOTS_UP_TO;
                let dots = s
                    .points
                    .iter()
                    .filter(|p| every || p.2)
                    .rev()
                    .take(MAX_DOTS)
                    .map(|(t, v, flagged)| TimeDot {
                        x: x_of(*t),
                        y: y_of(*v),
                        flagged: *flagged,
                        title: title(*t, *v),
                    })
                    .collect();
                SeriesShape {
                    class: s.class,
                    label: s.label,
                    path,
                    dots,
                }
            })
            .collect();
        TimeChart {
            plot: Plot {
                width: WIDTH,
                height: bottom + 30,
                left,
                right,
                top,
                bottom,
            },
            zones: zone_shapes,
            limits,
            grid,
            days,
            series,
            legend,
            count,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }
}

/// At most `max` points of a time-sorted line: the lowest and the highest of each of `max / 2`
/// buckets of the x axis, in time order.
fn thin(
    points: &[(DateTime<Utc>, f64, bool)],
    max: usize,
    x_of: impl Fn(DateTime<Utc>) -> i64,
) -> Vec<(DateTime<Utc>, f64, bool)> {
    if points.len() <= max {
        return points.to_vec();
    }
    let buckets = (max / 2).max(1) as i64;
    let (first, last) = (x_of(points[0].0), x_of(points[points.len() - 1].0));
    let width = (last - first).max(1);
    let mut out = Vec::with_capacity(max);
    let mut start = 0;
    while start < points.len() {
        let bucket = (x_of(points[start].0) - first) * buckets / width;
        let mut end = start + 1;
        while end < points.len() && (x_of(points[end].0) - first) * buckets / width == bucket {
            end += 1;
        }
        let group = &points[start..end];
        let low = (0..group.len())
            .min_by(|a, b| group[*a].1.total_cmp(&group[*b].1))
            .unwrap_or(0);
        let high = (0..group.len())
            .max_by(|a, b| group[*a].1.total_cmp(&group[*b].1))
            .unwrap_or(0);
        let (a, b) = (low.min(high), low.max(high));
        out.push(group[a]);
        if b != a {
            out.push(group[b]);
        }
        start = end;
    }
    out
}

/// Moves the labels right of the plot apart so that none overlaps the next.
fn spread_labels(zones: &mut [ZoneShape], limits: &mut [LimitShape], top: i64, bottom: i64) {
    let mut ys: Vec<(i64, usize, bool)> = zones
        .iter()
        .enumerate()
        .map(|(i, z)| (z.label_y, i, true))
        .chain(
            limits
                .iter()
                .enumerate()
                .map(|(i, l)| (l.label_y, i, false)),
        )
        .collect();
    ys.sort();
    let mut last = top - 10;
    for (y, i, zone) in ys {
        let y = y.max(last + 16).min(bottom + 8);
        last = y;
        if zone {
            zones[i].label_y = y;
        } else {
            limits[i].label_y = y;
        }
    }
}

/// `160`, `3.9`: a grid value without a trailing `.0`.
fn trim_number(v: f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        format!("{}", v.round() as i64)
    } else {
        format!("{v:.1}")
    }
}

/// A rough width in pixels of text at 13px: CJK characters are square, others about half.
fn text_width(text: &str) -> i64 {
    text.chars()
        .map(|c| if c.is_ascii() { 7 } else { 13 })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_longest_bar_fills_the_room_and_zero_draws_nothing() {
        let chart = BarChart::new(vec![
            ("新华街道".into(), 200, None),
            ("黄河涯镇".into(), 100, None),
            ("空".into(), 0, None),
        ]);
        let widths: Vec<i64> = chart.bars.iter().map(|b| b.width).collect();
        assert_eq!(widths[0], 2 * widths[1]);
        assert_eq!(widths[2], 0);
        assert!(chart.frame.bar_x + widths[0] + 70 <= chart.frame.width);
    }

    #[test]
    fn score_bars_fill_their_track_at_the_maximum() {
        let bars = ScoreBars::new(vec![
            ("自理能力".into(), 32, 32),
            ("精神状态".into(), 7, 28),
        ]);
        assert_eq!(bars.rows[0].width, bars.track_width);
        assert_eq!(bars.rows[1].width, 7 * bars.track_width / 28);
        assert_eq!(bars.rows[1].text, "7 / 28");
    }

    #[test]
    fn the_line_spaces_dates_by_time_and_scales_to_the_maximum() {
        let d = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let chart = LineChart::new(
            vec![
                (d("2025-01-01"), 90),
                (d("2024-01-01"), 45),
                (d("2024-07-01"), 0),
            ],
            90,
            vec![
                (90, 90, "完好".into()),
                (66, 89, "轻度".into()),
                (46, 65, "中度".into()),
                (0, 45, "重度".into()),
            ],
        );
        let xs: Vec<i64> = chart.points.iter().map(|p| p.x).collect();
        assert_eq!(xs[0], chart.plot.left);
        assert_eq!(xs[2], chart.plot.right);
        assert!(xs[1] > chart.plot.left && xs[1] < chart.plot.right);
        assert_eq!(chart.points[2].y, chart.plot.top);
        assert_eq!(chart.points[1].y, chart.plot.bottom);
        assert_eq!(chart.guides.len(), 3, "lines at 90, 66 and 46");
        let label_ys: Vec<i64> = chart.labels.iter().map(|l| l.pos).collect();
        assert_eq!(label_ys.len(), 4);
        assert!(label_ys.windows(2).all(|w| w[0] < w[1]), "{label_ys:?}");
        assert_eq!(chart.ticks[1].label, "90");
        assert!(chart.path.split(' ').count() == 3);
    }

    #[test]
    fn stacked_parts_add_up_to_the_row() {
        let series = vec!["0".to_string(), "1".to_string(), "2".to_string()];
        let chart = StackedBars::new(
            &series,
            vec![
                ("甲".into(), None, vec![3, 0, 1]),
                ("乙".into(), None, vec![2, 2, 4]),
            ],
        );
        assert_eq!(chart.rows[0].segments.len(), 2);
        assert_eq!(chart.rows[1].total, "8");
        let end = |r: &StackRow| r.segments.last().map(|s| s.x + s.width).unwrap();
        assert_eq!(
            end(&chart.rows[1]),
            chart.frame.bar_x + (chart.frame.width - chart.frame.bar_x - 70)
        );
        assert_eq!(chart.legend.len(), 3);
    }

    fn at(hours_ago: i64) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-03-31T04:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
            - Duration::hours(hours_ago)
    }

    #[test]
    fn a_time_chart_shades_the_zones_and_marks_readings_outside_them() {
        let window = (at(30 * 24), at(0));
        let points = vec![
            (at(48), 130.0, false),
            (at(24), 186.0, true),
            (at(2), 140.0, false),
        ];
        let chart = TimeChart::new(
            window,
            (40.0, 200.0),
            20.0,
            vec![SeriesInput {
                label: "收缩压".into(),
                class: "s-a",
                unit: "mmHg",
                decimals: 0,
                points,
            }],
            vec![
                ZoneInput {
                    low: Some(160.0),
                    high: Some(180.0),
                    edge: 160.0,
                    class: "zone-warn",
                    label: "≥160".into(),
                },
                ZoneInput {
                    low: Some(180.0),
                    high: None,
                    edge: 180.0,
                    class: "zone-crit",
                    label: "≥180".into(),
                },
            ],
            Vec::new(),
        );
        let (warn, crit) = (&chart.zones[0], &chart.zones[1]);
        assert_eq!(crit.y, chart.plot.top, "the crisis zone reaches the top");
        assert_eq!(crit.y + crit.height, warn.y, "the zones meet at 180");
        assert_eq!(
            warn.edge_y,
            warn.y + warn.height,
            "the threshold is the lower edge"
        );
        assert!(crit.label_y - warn.label_y >= 16 || warn.label_y - crit.label_y >= 16);
        let line = &chart.series[0];
        assert_eq!(line.dots.len(), 3, "few readings: each is a dot");
        assert_eq!(line.dots.iter().filter(|d| d.flagged).count(), 1);
        assert!(line.dots.iter().any(|d| d.title.contains("186 mmHg")));
        assert!(chart.legend.is_empty(), "one line needs no legend");
        // Ticks every 7 days back from the last day, the grid every 20 from 40 to 200.
        assert_eq!(chart.days.last().unwrap().label, "03-31");
        assert_eq!(chart.days.len(), 5);
        assert_eq!(chart.grid.len(), 9);
        // The day-long gap before the last reading does not break the line; a longer one does.
        assert_eq!(line.path.matches('M').count(), 1, "{}", line.path);
    }

    #[test]
    fn thinning_keeps_the_extremes_and_gaps_break_the_line() {
        let window = (at(30 * 24), at(0));
        // A reading a minute for 10 days, one spike among them, then nothing for 5 days.
        let mut points: Vec<(DateTime<Utc>, f64, bool)> = (0..14_400)
            .map(|m| (at(15 * 24) - Duration::minutes(m), 70.0, false))
            .collect();
        points[7_000].1 = 150.0;
        points[7_000].2 = true;
        points.push((at(1), 72.0, false));
        let chart = TimeChart::new(
            window,
            (30.0, 150.0),
            20.0,
            vec![SeriesInput {
                label: "心率".into(),
                class: "s-a",
                unit: "/min",
                decimals: 0,
                points,
            }],
            Vec::new(),
            Vec::new(),
        );
        let line = &chart.series[0];
        assert_eq!(chart.count, 14_401);
        assert!(line.path.matches(['M', 'L']).count() <= MAX_LINE_POINTS + 2);
        assert_eq!(
            line.dots.len(),
            1,
            "only the reading outside the thresholds"
        );
        let spike_y = line.dots[0].y;
        assert!(
            line.path.contains(&format!(",{spike_y} ")),
            "the spike survives: {}",
            &line.path[..200]
        );
        assert_eq!(line.path.matches('M').count(), 2, "the five silent days");
    }

    #[test]
    fn the_pyramid_puts_the_oldest_on_top() {
        let p = Pyramid::new(&[(60, 10, 12), (65, 8, 9), (100, 0, 1)]);
        let labels: Vec<&str> = p.rows.iter().map(|r| r.label.as_str()).collect();
        assert_eq!(labels, ["100+", "65–69", "60–64"]);
        assert_eq!(p.rows[0].men_width, 0);
        assert!(p.rows[2].women_width > p.rows[2].men_width);
        assert!(!p.empty);
    }
}
