//! Plot geometry for the SVG charts: a linear x axis in GeV and a log10
//! y axis in pb. Plain Rust, tested natively; the SVG is drawn in
//! `chart.rs`.

/// Drawing area of a chart in SVG user units.
pub const WIDTH: f64 = 640.0;
pub const HEIGHT: f64 = 380.0;
/// Margins around the plot area for tick labels.
pub const LEFT: f64 = 70.0;
pub const RIGHT: f64 = 20.0;
pub const TOP: f64 = 20.0;
pub const BOTTOM: f64 = 50.0;

/// One curve or point cloud: (x in GeV, σ in pb) pairs.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub label: String,
    pub points: Vec<(f64, f64)>,
    /// Draw a line through the points instead of markers.
    pub line: bool,
    /// Draw the line dashed (LO curves of a scan).
    pub dashed: bool,
    /// Index into the palette.
    pub colour: usize,
}

/// Linear x range and decade range of y covering every positive point.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Axes {
    pub x_min: f64,
    pub x_max: f64,
    /// log10 of the lowest and highest y shown; whole decades.
    pub decade_min: i32,
    pub decade_max: i32,
}

impl Axes {
    /// Axes for the finite points with σ > 0, or `None` when there are none.
    pub fn fit(series: &[Series]) -> Option<Axes> {
        let points = series.iter().flat_map(|series| series.points.iter()).filter(|(x, y)| x.is_finite() && y.is_finite() && *y > 0.0);
        let mut bounds: Option<(f64, f64, f64, f64)> = None;
        for &(x, y) in points {
            let (x_min, x_max, y_min, y_max) = bounds.unwrap_or((x, x, y, y));
            bounds = Some((x_min.min(x), x_max.max(x), y_min.min(y), y_max.max(y)));
        }
        let (mut x_min, mut x_max, y_min, y_max) = bounds?;
        if x_max - x_min < 1e-9 {
            x_min -= 1.0;
            x_max += 1.0;
        }
        let decade_min = y_min.log10().floor() as i32;
        let mut decade_max = y_max.log10().ceil() as i32;
        if decade_max == decade_min {
            decade_max += 1;
        }
        Some(Axes { x_min, x_max, decade_min, decade_max })
    }

    /// SVG x coordinate of a value in GeV.
    pub fn x(&self, value: f64) -> f64 {
        LEFT + (value - self.x_min) / (self.x_max - self.x_min) * (WIDTH - LEFT - RIGHT)
    }

    /// SVG y coordinate of a cross section in pb (log scale).
    pub fn y(&self, sigma_pb: f64) -> f64 {
        let fraction = (sigma_pb.log10() - f64::from(self.decade_min)) / f64::from(self.decade_max - self.decade_min);
        HEIGHT - BOTTOM - fraction * (HEIGHT - TOP - BOTTOM)
    }

    /// About five round x tick values inside the range.
    pub fn x_ticks(&self) -> Vec<f64> {
        let span = self.x_max - self.x_min;
        let raw = span / 5.0;
        let magnitude = 10f64.powf(raw.log10().floor());
        let step = [1.0, 2.0, 5.0, 10.0].iter().map(|factor| factor * magnitude).find(|step| span / step <= 6.0).unwrap_or(10.0 * magnitude);
        let first = (self.x_min / step).ceil() as i64;
        let last = (self.x_max / step).floor() as i64;
        (first..=last).map(|index| index as f64 * step).collect()
    }

    /// Returns the decades shown, thinned to at most eight labels.
    pub fn y_ticks(&self) -> Vec<i32> {
        let count = self.decade_max - self.decade_min;
        let stride = (count + 7) / 8;
        (self.decade_min..=self.decade_max).filter(|decade| (decade - self.decade_min) % stride.max(1) == 0).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(points: Vec<(f64, f64)>) -> Series {
        Series { label: "test".into(), points, line: false, dashed: false, colour: 0 }
    }

    #[test]
    fn axes_cover_whole_decades() {
        let axes = Axes::fit(&[series(vec![(100.0, 2e-3), (900.0, 0.5), (500.0, -1.0)])]).expect("axes");
        assert_eq!((axes.decade_min, axes.decade_max), (-3, 0));
        assert_eq!((axes.x_min, axes.x_max), (100.0, 900.0));
        assert!((axes.y(1e-3) - (HEIGHT - BOTTOM)).abs() < 1e-9);
        assert!((axes.y(1.0) - TOP).abs() < 1e-9);
        assert!((axes.x(900.0) - (WIDTH - RIGHT)).abs() < 1e-9);
    }

    #[test]
    fn axes_need_positive_points() {
        assert_eq!(Axes::fit(&[series(vec![(100.0, 0.0), (200.0, f64::NAN)])]), None);
    }

    #[test]
    fn ticks_are_round_and_inside() {
        let axes = Axes { x_min: 130.0, x_max: 1170.0, decade_min: -12, decade_max: 2 };
        assert_eq!(axes.x_ticks(), vec![200.0, 400.0, 600.0, 800.0, 1000.0]);
        let decades = axes.y_ticks();
        assert!(decades.len() <= 8, "{decades:?}");
        assert_eq!(decades.first(), Some(&-12));
    }
}
