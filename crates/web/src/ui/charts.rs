//! Charts drawn on the server as inline SVG: the geometry is computed here, the template only
//! places the shapes (so labels are escaped like any other text).

use super::thousands;

/// Horizontal bars, one row per item, each optionally a link.
pub struct BarChart {
    pub width: i64,
    pub height: i64,
    pub label_x: i64,
    pub bar_x: i64,
    pub bar_height: i64,
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
        let longest = items
            .iter()
            .map(|(l, _, _)| text_width(l))
            .max()
            .unwrap_or(0);
        let bar_x = (longest + 16).clamp(60, 220);
        let room = WIDTH - bar_x - 70;
        let max = items.iter().map(|(_, v, _)| *v).max().unwrap_or(0).max(1);
        let bars: Vec<Bar> = items
            .into_iter()
            .enumerate()
            .map(|(i, (label, value, href))| {
                let y = 6 + i as i64 * ROW;
                let width = if value > 0 {
                    (value * room / max).max(2)
                } else {
                    0
                };
                Bar {
                    label,
                    value: thousands(value),
                    y,
                    text_y: y + BAR / 2 + 5,
                    width,
                    value_x: bar_x + width + 6,
                    href,
                }
            })
            .collect();
        BarChart {
            width: WIDTH,
            height: 12 + bars.len() as i64 * ROW,
            label_x: bar_x - 8,
            bar_x,
            bar_height: BAR,
            bars,
        }
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
        assert!(chart.bar_x + widths[0] + 70 <= chart.width);
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
