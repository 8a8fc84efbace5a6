//! Text detection: input preparation for the DB (differentiable
//! binarisation) network and the post-processing of its probability map
//! into text boxes.
//!
//! Post-processing, as PP-OCR describes it: threshold the map, dilate with a
//! 2x2 kernel, take connected components (8-connected), the minimum-area
//! rectangle of each, drop those with a short side under 3 px or a mean
//! probability under the box threshold, grow the rest by
//! `area * unclip_ratio / perimeter` on every side (the DB paper's unclip;
//! for a rectangle the rounded offset polygon has the grown rectangle as its
//! minimum-area rectangle), and scale them back to image pixels.

use crate::geom::{self, Point, Quad, RotRect};
use crate::image_ops::{self, RgbView};

/// Parameters of the DB post-processing.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DbParams {
    /// Probability above which a pixel is text.
    pub threshold: f32,
    /// Mean probability inside a box needed to keep it.
    pub box_threshold: f32,
    /// How much a box is grown (DB's unclip ratio).
    pub unclip_ratio: f32,
    /// At most this many components are examined.
    pub max_candidates: usize,
    /// Dilate the thresholded map with a 2x2 kernel first.
    pub dilate: bool,
}

impl Default for DbParams {
    fn default() -> Self {
        Self {
            threshold: 0.3,
            box_threshold: 0.5,
            unclip_ratio: 1.6,
            max_candidates: 1000,
            dilate: true,
        }
    }
}

/// Boxes shorter than this (map pixels) are noise.
const MIN_SIZE: f32 = 3.0;

/// A detected text box in map or image pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DetBox {
    /// Corners: top-left, top-right, bottom-right, bottom-left.
    pub quad: Quad,
    /// Mean text probability inside the box before it was grown.
    pub score: f32,
}

/// Size the detector sees: the shorter side raised to `min_side` when
/// smaller, the longer side capped at `max_side`, both rounded to a multiple
/// of 32 (at least 32, at most `max_side` rounded down to a multiple of 32).
pub fn det_size(width: u32, height: u32, min_side: u32, max_side: u32) -> (u32, u32) {
    let (w, h) = (width.max(1) as f64, height.max(1) as f64);
    let mut ratio = 1.0f64;
    let short = w.min(h);
    if short < f64::from(min_side) {
        ratio = f64::from(min_side) / short;
    }
    let long = w.max(h) * ratio;
    if long > f64::from(max_side.max(32)) {
        ratio *= f64::from(max_side.max(32)) / long;
    }
    let cap = (max_side.max(32) / 32) * 32;
    let round32 = |v: f64| (((v / 32.0).round() as u32) * 32).clamp(32, cap);
    (round32(w * ratio), round32(h * ratio))
}

/// The detector's input: BGR planes, `(x / 255 - 0.5) / 0.5`, resized to
/// `(rw, rh)`.
pub fn det_input(img: RgbView<'_>, rw: u32, rh: u32) -> Vec<f32> {
    let resized = image_ops::resize_rgb(img, rw, rh);
    image_ops::to_planes_bgr(&resized, rw as usize, rh as usize, rw as usize)
}

/// The probability map's text boxes, in map pixels, unsorted.
pub fn boxes_from_map(prob: &[f32], width: usize, height: usize, p: &DbParams) -> Vec<DetBox> {
    if width == 0 || height == 0 || prob.len() < width * height {
        return Vec::new();
    }
    let mut bitmap: Vec<bool> = prob[..width * height]
        .iter()
        .map(|&v| v > p.threshold)
        .collect();
    if p.dilate {
        bitmap = dilate2x2(&bitmap, width, height);
    }
    let mut out = Vec::new();
    let mut label = vec![false; width * height];
    let mut stack: Vec<usize> = Vec::new();
    // Per-row extents of the current component, and the rows it touched.
    let mut row_min = vec![usize::MAX; height];
    let mut row_max = vec![0usize; height];
    let mut touched: Vec<usize> = Vec::new();
    let mut candidates = 0usize;
    for start in 0..width * height {
        if !bitmap[start] || label[start] {
            continue;
        }
        candidates += 1;
        if candidates > p.max_candidates {
            break;
        }
        // Row extents of the component: the hull of (min x, max x) per row
        // is the hull of the whole component.
        label[start] = true;
        stack.push(start);
        while let Some(i) = stack.pop() {
            let (x, y) = (i % width, i / width);
            if row_min[y] == usize::MAX {
                touched.push(y);
            }
            row_min[y] = row_min[y].min(x);
            row_max[y] = row_max[y].max(x);
            for dy in -1i64..=1 {
                for dx in -1i64..=1 {
                    let (nx, ny) = (x as i64 + dx, y as i64 + dy);
                    if nx < 0 || ny < 0 || nx >= width as i64 || ny >= height as i64 {
                        continue;
                    }
                    let j = ny as usize * width + nx as usize;
                    if bitmap[j] && !label[j] {
                        label[j] = true;
                        stack.push(j);
                    }
                }
            }
        }
        let mut pts: Vec<Point> = Vec::with_capacity(touched.len() * 2);
        for y in touched.drain(..) {
            pts.push([row_min[y] as f32, y as f32]);
            pts.push([row_max[y] as f32, y as f32]);
            row_min[y] = usize::MAX;
            row_max[y] = 0;
        }
        if let Some(b) = component_box(&pts, prob, width, height, p) {
            out.push(b);
        }
    }
    out
}

fn component_box(
    pts: &[Point],
    prob: &[f32],
    width: usize,
    height: usize,
    p: &DbParams,
) -> Option<DetBox> {
    let rect = geom::min_area_rect(pts)?;
    if rect.short_side() < MIN_SIZE {
        return None;
    }
    let quad = geom::order_corners(rect.corners);
    let score = box_score(prob, width, height, &quad);
    if score < p.box_threshold {
        return None;
    }
    let grown = unclip(&rect, p.unclip_ratio);
    if grown.short_side() < MIN_SIZE + 2.0 {
        return None;
    }
    Some(DetBox {
        quad: geom::order_corners(grown.corners),
        score,
    })
}

/// DB's unclip for a rectangle: grow every side by area * ratio / perimeter.
pub fn unclip(rect: &RotRect, ratio: f32) -> RotRect {
    let perimeter = 2.0 * (rect.side_a + rect.side_b);
    if perimeter <= 0.0 {
        return *rect;
    }
    rect.grown(rect.area() * ratio / perimeter)
}

/// Mean probability over the pixels inside `quad` (pixel centres on the
/// integer grid, as the map is indexed).
pub fn box_score(prob: &[f32], width: usize, height: usize, quad: &Quad) -> f32 {
    let xs = quad.iter().map(|p| p[0]);
    let ys = quad.iter().map(|p| p[1]);
    let clampi = |v: f32, hi: usize| (v.max(0.0) as usize).min(hi.saturating_sub(1));
    let x0 = clampi(xs.clone().fold(f32::MAX, f32::min).floor(), width);
    let x1 = clampi(xs.fold(f32::MIN, f32::max).ceil(), width);
    let y0 = clampi(ys.clone().fold(f32::MAX, f32::min).floor(), height);
    let y1 = clampi(ys.fold(f32::MIN, f32::max).ceil(), height);
    let (mut sum, mut n) = (0.0f64, 0usize);
    for y in y0..=y1 {
        for x in x0..=x1 {
            if geom::in_convex_quad(quad, [x as f32, y as f32]) {
                sum += f64::from(prob[y * width + x]);
                n += 1;
            }
        }
    }
    if n == 0 { 0.0 } else { (sum / n as f64) as f32 }
}

fn dilate2x2(b: &[bool], width: usize, height: usize) -> Vec<bool> {
    // OpenCV's 2x2 kernel anchored at its centre (1,1): a pixel is set when
    // it or its left, upper or upper-left neighbour is set.
    let mut out = b.to_vec();
    for y in 0..height {
        for x in 0..width {
            let i = y * width + x;
            if b[i] {
                continue;
            }
            let left = x > 0 && b[i - 1];
            let up = y > 0 && b[i - width];
            let diag = x > 0 && y > 0 && b[i - width - 1];
            out[i] = left || up || diag;
        }
    }
    out
}

/// Map boxes from map pixels to image pixels, clip them to the image, drop
/// those 3 px or less on a side, and sort them in reading order (top to
/// bottom; boxes within 10 px vertically left to right).
pub fn to_image(
    boxes: Vec<DetBox>,
    map_w: usize,
    map_h: usize,
    img_w: u32,
    img_h: u32,
) -> Vec<DetBox> {
    let sx = img_w as f32 / map_w.max(1) as f32;
    let sy = img_h as f32 / map_h.max(1) as f32;
    let mut out: Vec<DetBox> = boxes
        .into_iter()
        .filter_map(|b| {
            let q = b.quad.map(|p| {
                [
                    (p[0] * sx).round().clamp(0.0, img_w as f32),
                    (p[1] * sy).round().clamp(0.0, img_h as f32),
                ]
            });
            let q = geom::order_corners(q);
            let w = geom::dist(q[0], q[1]);
            let h = geom::dist(q[0], q[3]);
            (w > 3.0 && h > 3.0).then_some(DetBox {
                quad: q,
                score: b.score,
            })
        })
        .collect();
    out.sort_by(|a, b| {
        a.quad[0][1]
            .total_cmp(&b.quad[0][1])
            .then(a.quad[0][0].total_cmp(&b.quad[0][0]))
    });
    for i in 0..out.len().saturating_sub(1) {
        if (out[i + 1].quad[0][1] - out[i].quad[0][1]).abs() < 10.0
            && out[i + 1].quad[0][0] < out[i].quad[0][0]
        {
            out.swap(i, i + 1);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A map with text-like rectangles of probability `v` on a zero background.
    fn map(w: usize, h: usize, rects: &[(usize, usize, usize, usize, f32)]) -> Vec<f32> {
        let mut m = vec![0.0f32; w * h];
        for &(x, y, rw, rh, v) in rects {
            for yy in y..y + rh {
                for xx in x..x + rw {
                    m[yy * w + xx] = v;
                }
            }
        }
        m
    }

    #[test]
    fn sizes_are_multiples_of_32_and_bounded() {
        assert_eq!(det_size(1024, 768, 736, 2000), (1024, 768));
        let (w, h) = det_size(300, 100, 736, 2000);
        // The long-side cap wins over the short-side minimum.
        assert_eq!(h, 672);
        assert_eq!(w % 32, 0);
        assert!((2000 - 32..=2000).contains(&w), "{w}");
        let (w, h) = det_size(60_000, 40_000, 736, 2000);
        assert!(w <= 2000 && h <= 1344, "{w}x{h}");
        assert_eq!(det_size(0, 0, 736, 2000), (736, 736));
        assert_eq!(det_size(1, 100_000, 736, 2000), (32, 1984));
    }

    #[test]
    fn two_lines_become_two_grown_boxes_in_reading_order() {
        let (w, h) = (200, 100);
        let m = map(w, h, &[(20, 60, 120, 12, 0.9), (30, 20, 100, 10, 0.8)]);
        let boxes = boxes_from_map(&m, w, h, &DbParams::default());
        assert_eq!(boxes.len(), 2, "{boxes:?}");
        let img = to_image(boxes, w, h, 400, 200);
        // Upper line first, scaled x2.
        assert!(img[0].quad[0][1] < img[1].quad[0][1]);
        let b = img[1];
        // Pixel centres 20..=140 x 60..=72 after dilation: 120x12, grown by
        // area * 1.6 / perimeter = 8.7 per side.
        let bw = geom::dist(b.quad[0], b.quad[1]) / 2.0;
        let bh = geom::dist(b.quad[0], b.quad[3]) / 2.0;
        assert!((bw - 137.5).abs() < 1.5, "{bw}");
        assert!((bh - 29.5).abs() < 1.5, "{bh}");
        // The dilated ring (probability 0) is inside the rectangle.
        assert!(b.score > 0.8 && b.score < 0.9, "{}", b.score);
    }

    #[test]
    fn weak_thin_and_empty_regions_are_dropped() {
        let (w, h) = (100, 60);
        // Probability above the pixel threshold but below the box threshold.
        let m = map(w, h, &[(10, 10, 50, 10, 0.4)]);
        assert!(boxes_from_map(&m, w, h, &DbParams::default()).is_empty());
        // A 1-pixel line.
        let m = map(w, h, &[(10, 30, 70, 1, 0.99)]);
        assert!(boxes_from_map(&m, w, h, &DbParams::default()).is_empty());
        assert!(boxes_from_map(&vec![0.0; w * h], w, h, &DbParams::default()).is_empty());
        // A map shorter than its claimed size is no box, not a panic.
        assert!(boxes_from_map(&[0.9; 10], w, h, &DbParams::default()).is_empty());
    }

    #[test]
    fn rotated_line_gives_a_rotated_box() {
        let (w, h) = (200, 200);
        let mut m = vec![0.0f32; w * h];
        let (s, c) = 20f32.to_radians().sin_cos();
        for i in 0..120 {
            for j in 0..10 {
                let (x, y) = (
                    40.0 + i as f32 * c - j as f32 * s,
                    60.0 + i as f32 * s + j as f32 * c,
                );
                m[y as usize * w + x as usize] = 0.95;
                m[y as usize * w + x as usize + 1] = 0.95;
            }
        }
        let boxes = boxes_from_map(&m, w, h, &DbParams::default());
        assert_eq!(boxes.len(), 1, "{boxes:?}");
        let q = boxes[0].quad;
        let angle = (q[1][1] - q[0][1]).atan2(q[1][0] - q[0][0]).to_degrees();
        assert!((angle - 20.0).abs() < 3.0, "{angle} {q:?}");
    }

    #[test]
    fn candidates_are_capped() {
        let (w, h) = (400, 40);
        let rects: Vec<_> = (0..20).map(|i| (i * 20, 10, 12, 12, 0.9)).collect();
        let m = map(w, h, &rects);
        let p = DbParams {
            max_candidates: 5,
            ..DbParams::default()
        };
        assert_eq!(boxes_from_map(&m, w, h, &p).len(), 5);
    }
}
