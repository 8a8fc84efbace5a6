//! Plane geometry for the detector's post-processing: convex hull, minimum
//! area rectangle (rotating calipers), point ordering and quadrilateral tests.

/// A point in pixels (x right, y down).
pub type Point = [f32; 2];

/// A quadrilateral, corners clockwise from the top-left on screen:
/// top-left, top-right, bottom-right, bottom-left.
pub type Quad = [Point; 4];

fn cross(o: Point, a: Point, b: Point) -> f32 {
    (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])
}

/// Convex hull (Andrew's monotone chain), counter-clockwise in a y-up frame,
/// without repeated or collinear points. Fewer than three distinct points
/// come back as they are (deduplicated).
pub fn convex_hull(points: &[Point]) -> Vec<Point> {
    let mut p: Vec<Point> = points.to_vec();
    p.sort_by(|a, b| a[0].total_cmp(&b[0]).then(a[1].total_cmp(&b[1])));
    p.dedup();
    if p.len() < 3 {
        return p;
    }
    let mut hull: Vec<Point> = Vec::with_capacity(p.len() * 2);
    for &q in &p {
        while hull.len() >= 2 && cross(hull[hull.len() - 2], hull[hull.len() - 1], q) <= 0.0 {
            hull.pop();
        }
        hull.push(q);
    }
    let lower = hull.len() + 1;
    for &q in p.iter().rev().skip(1) {
        while hull.len() >= lower && cross(hull[hull.len() - 2], hull[hull.len() - 1], q) <= 0.0 {
            hull.pop();
        }
        hull.push(q);
    }
    hull.pop();
    hull
}

/// A rotated rectangle: the four corners (any order around it) and its
/// side lengths.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RotRect {
    /// Corners in order around the rectangle.
    pub corners: Quad,
    /// Length of the side from corner 0 to corner 1.
    pub side_a: f32,
    /// Length of the side from corner 1 to corner 2.
    pub side_b: f32,
}

impl RotRect {
    /// The shorter side.
    pub fn short_side(&self) -> f32 {
        self.side_a.min(self.side_b)
    }

    /// Area.
    pub fn area(&self) -> f32 {
        self.side_a * self.side_b
    }

    /// The same rectangle grown by `d` on every side.
    pub fn grown(&self, d: f32) -> RotRect {
        let c = self.corners;
        let center = [
            (c[0][0] + c[1][0] + c[2][0] + c[3][0]) / 4.0,
            (c[0][1] + c[1][1] + c[2][1] + c[3][1]) / 4.0,
        ];
        let unit = |a: Point, b: Point| {
            let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
            let n = (dx * dx + dy * dy).sqrt();
            if n > 0.0 {
                [dx / n, dy / n]
            } else {
                [0.0, 0.0]
            }
        };
        // Axis along side a and along side b.
        let u = unit(c[0], c[1]);
        let v = unit(c[1], c[2]);
        let (ha, hb) = (self.side_a / 2.0 + d, self.side_b / 2.0 + d);
        let corner = |su: f32, sv: f32| {
            [
                center[0] + su * ha * u[0] + sv * hb * v[0],
                center[1] + su * ha * u[1] + sv * hb * v[1],
            ]
        };
        RotRect {
            corners: [
                corner(-1.0, -1.0),
                corner(1.0, -1.0),
                corner(1.0, 1.0),
                corner(-1.0, 1.0),
            ],
            side_a: (self.side_a + 2.0 * d).max(0.0),
            side_b: (self.side_b + 2.0 * d).max(0.0),
        }
    }
}

/// The minimum-area rectangle around a set of points (rotating calipers
/// over the convex hull's edges). None without at least one point.
pub fn min_area_rect(points: &[Point]) -> Option<RotRect> {
    let hull = convex_hull(points);
    let first = *hull.first()?;
    if hull.len() < 3 {
        // A point or a segment: a degenerate rectangle along it.
        let last = *hull.last()?;
        let len = ((last[0] - first[0]).powi(2) + (last[1] - first[1]).powi(2)).sqrt();
        return Some(RotRect {
            corners: [first, last, last, first],
            side_a: len,
            side_b: 0.0,
        });
    }
    let mut best: Option<(f32, RotRect)> = None;
    for i in 0..hull.len() {
        let a = hull[i];
        let b = hull[(i + 1) % hull.len()];
        let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
        let n = (dx * dx + dy * dy).sqrt();
        if n <= f32::EPSILON {
            continue;
        }
        let u = [dx / n, dy / n];
        let v = [-u[1], u[0]];
        let (mut u0, mut u1, mut v0, mut v1) = (f32::MAX, f32::MIN, f32::MAX, f32::MIN);
        for p in &hull {
            let pu = p[0] * u[0] + p[1] * u[1];
            let pv = p[0] * v[0] + p[1] * v[1];
            u0 = u0.min(pu);
            u1 = u1.max(pu);
            v0 = v0.min(pv);
            v1 = v1.max(pv);
        }
        let area = (u1 - u0) * (v1 - v0);
        if best.as_ref().is_none_or(|(a, _)| area < *a) {
            let at = |su: f32, sv: f32| [su * u[0] + sv * v[0], su * u[1] + sv * v[1]];
            best = Some((
                area,
                RotRect {
                    corners: [at(u0, v0), at(u1, v0), at(u1, v1), at(u0, v1)],
                    side_a: u1 - u0,
                    side_b: v1 - v0,
                },
            ));
        }
    }
    best.map(|(_, r)| r)
}

/// Order four corners as top-left, top-right, bottom-right, bottom-left
/// (the two leftmost by x are the left side, each side split by y).
pub fn order_corners(c: Quad) -> Quad {
    let mut p = c;
    p.sort_by(|a, b| a[0].total_cmp(&b[0]).then(a[1].total_cmp(&b[1])));
    let (tl, bl) = if p[0][1] <= p[1][1] {
        (p[0], p[1])
    } else {
        (p[1], p[0])
    };
    let (tr, br) = if p[2][1] <= p[3][1] {
        (p[2], p[3])
    } else {
        (p[3], p[2])
    };
    [tl, tr, br, bl]
}

/// Euclidean distance.
pub fn dist(a: Point, b: Point) -> f32 {
    ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2)).sqrt()
}

/// Whether `p` lies inside the convex quadrilateral `q` (either winding;
/// points on an edge count as inside).
pub fn in_convex_quad(q: &Quad, p: Point) -> bool {
    let mut sign = 0i8;
    for i in 0..4 {
        let c = cross(q[i], q[(i + 1) % 4], p);
        if c.abs() <= 1e-4 {
            continue;
        }
        let s = if c > 0.0 { 1 } else { -1 };
        if sign == 0 {
            sign = s;
        } else if sign != s {
            return false;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hull_of_a_square_with_inner_points() {
        let pts = [
            [0.0, 0.0],
            [4.0, 0.0],
            [4.0, 4.0],
            [0.0, 4.0],
            [2.0, 2.0],
            [1.0, 3.0],
            [2.0, 0.0],
        ];
        let h = convex_hull(&pts);
        assert_eq!(h.len(), 4, "{h:?}");
    }

    #[test]
    fn min_rect_of_an_axis_aligned_box() {
        let pts = [[1.0, 2.0], [11.0, 2.0], [11.0, 6.0], [1.0, 6.0], [5.0, 4.0]];
        let r = min_area_rect(&pts).unwrap();
        assert!((r.area() - 40.0).abs() < 1e-3, "{r:?}");
        assert!((r.short_side() - 4.0).abs() < 1e-3);
        let o = order_corners(r.corners);
        assert_eq!(o, [[1.0, 2.0], [11.0, 2.0], [11.0, 6.0], [1.0, 6.0]]);
    }

    #[test]
    fn min_rect_of_a_rotated_box() {
        // A 20x4 rectangle turned 30 degrees, sampled on its edges.
        let (s, c) = 30f32.to_radians().sin_cos();
        let mut pts = Vec::new();
        for i in 0..=20 {
            for j in [0.0, 4.0] {
                let (x, y) = (i as f32, j);
                pts.push([50.0 + x * c - y * s, 50.0 + x * s + y * c]);
            }
        }
        let r = min_area_rect(&pts).unwrap();
        assert!((r.area() - 80.0).abs() < 0.5, "{r:?}");
        assert!((r.short_side() - 4.0).abs() < 0.05);
        let g = r.grown(1.0);
        assert!((g.area() - 22.0 * 6.0).abs() < 0.5, "{g:?}");
    }

    #[test]
    fn degenerate_inputs() {
        assert!(min_area_rect(&[]).is_none());
        let r = min_area_rect(&[[3.0, 3.0]]).unwrap();
        assert_eq!(r.short_side(), 0.0);
        let r = min_area_rect(&[[0.0, 0.0], [5.0, 0.0], [10.0, 0.0]]).unwrap();
        assert_eq!(r.short_side(), 0.0);
    }

    #[test]
    fn point_in_quad() {
        let q = [[0.0, 0.0], [10.0, 0.0], [10.0, 5.0], [0.0, 5.0]];
        assert!(in_convex_quad(&q, [5.0, 2.0]));
        assert!(in_convex_quad(&q, [0.0, 0.0]));
        assert!(!in_convex_quad(&q, [11.0, 2.0]));
        let rev = [q[3], q[2], q[1], q[0]];
        assert!(in_convex_quad(&rev, [5.0, 2.0]));
    }
}
