//! Keypoints: FAST-9 corners on each pyramid level, non-maximum
//! suppression, Harris ranking, spreading over the frame, and orientation
//! by intensity centroid.

use crate::gray::Gray;

/// Distance from the level's border kept free of keypoints: the
/// orientation patch (radius [`PATCH_RADIUS`]) and the descriptor's
/// rotated sampling pattern must stay inside.
pub(crate) const BORDER: usize = 16;

/// Radius of the orientation patch (pixels of the level).
pub(crate) const PATCH_RADIUS: i32 = 15;

/// The 16 pixels of the Bresenham circle of radius 3, clockwise from the
/// top.
const CIRCLE: [(i32, i32); 16] = [
    (0, -3),
    (1, -3),
    (2, -2),
    (3, -1),
    (3, 0),
    (3, 1),
    (2, 2),
    (1, 3),
    (0, 3),
    (-1, 3),
    (-2, 2),
    (-3, 1),
    (-3, 0),
    (-3, -1),
    (-2, -2),
    (-1, -3),
];

/// A corner found on one level, in that level's pixels.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Corner {
    pub(crate) x: usize,
    pub(crate) y: usize,
    pub(crate) harris: f32,
}

/// FAST-9 score of pixel (x, y): 0 when it is not a corner at threshold
/// `t`, else the sum of the absolute differences beyond `t` over the
/// circle's pixels on the winning side.
fn fast_score(img: &Gray, x: usize, y: usize, t: i32) -> i32 {
    let w = img.width as isize;
    let base = (y as isize * w + x as isize) as usize;
    let p = i32::from(img.data[base]);
    let px = |i: usize| {
        let (dx, dy) = CIRCLE[i];
        i32::from(img.data[(base as isize + dy as isize * w + dx as isize) as usize])
    };
    // Quick rejection: an arc of 9 covers at least two of the four compass
    // points, which must then all lie on one side.
    let compass = [px(0), px(4), px(8), px(12)];
    let bright = compass.iter().filter(|v| **v > p + t).count();
    let dark = compass.iter().filter(|v| **v < p - t).count();
    if bright < 2 && dark < 2 {
        return 0;
    }
    let vals: [i32; 16] = std::array::from_fn(px);
    let mut best = 0;
    for sign in [1i32, -1] {
        // Longest circular run of pixels on this side.
        let mut run = 0;
        let mut longest = 0;
        for i in 0..32 {
            let d = sign * (vals[i % 16] - p);
            if d > t {
                run += 1;
                longest = longest.max(run);
            } else {
                run = 0;
            }
        }
        if longest >= 9 {
            let s: i32 = vals.iter().map(|v| (sign * (v - p) - t).max(0)).sum();
            best = best.max(s);
        }
    }
    best
}

/// Harris response over a 7x7 window centred on (x, y) (gradients by
/// central differences); the caller keeps the window inside.
fn harris(img: &Gray, x: usize, y: usize) -> f32 {
    let (mut a, mut b, mut c) = (0f32, 0f32, 0f32);
    for yy in y - 3..=y + 3 {
        for xx in x - 3..=x + 3 {
            let ix = f32::from(img.at(xx + 1, yy)) - f32::from(img.at(xx - 1, yy));
            let iy = f32::from(img.at(xx, yy + 1)) - f32::from(img.at(xx, yy - 1));
            a += ix * ix;
            b += iy * iy;
            c += ix * iy;
        }
    }
    let det = a * b - c * c;
    let tr = a + b;
    det - 0.04 * tr * tr
}

/// Corners of one level: FAST-9 at threshold `t`, 3x3 non-maximum
/// suppression on the FAST score, ranked by Harris response (positive
/// only), then spread: the image is cut into cells of `cell` pixels and
/// each keeps at most `per_cell` corners; at most `max` are returned, best
/// first.
pub(crate) fn detect(img: &Gray, t: i32, cell: usize, per_cell: usize, max: usize) -> Vec<Corner> {
    let (w, h) = (img.width, img.height);
    if w < 2 * BORDER + 1 || h < 2 * BORDER + 1 || max == 0 {
        return Vec::new();
    }
    let mut score = vec![0i32; w * h];
    for y in BORDER..h - BORDER {
        for x in BORDER..w - BORDER {
            score[y * w + x] = fast_score(img, x, y, t);
        }
    }
    let mut corners = Vec::new();
    for y in BORDER..h - BORDER {
        for x in BORDER..w - BORDER {
            let s = score[y * w + x];
            if s == 0 {
                continue;
            }
            // Strict maximum over earlier neighbours, >= over later ones:
            // one winner per plateau.
            let mut is_max = true;
            'n: for dy in -1isize..=1 {
                for dx in -1isize..=1 {
                    if dx == 0 && dy == 0 {
                        continue;
                    }
                    let o = score[((y as isize + dy) as usize) * w + (x as isize + dx) as usize];
                    let earlier = dy < 0 || (dy == 0 && dx < 0);
                    if o > s || (earlier && o == s) {
                        is_max = false;
                        break 'n;
                    }
                }
            }
            if is_max {
                let r = harris(img, x, y);
                if r > 0.0 {
                    corners.push(Corner { x, y, harris: r });
                }
            }
        }
    }
    corners.sort_by(|a, b| {
        b.harris
            .total_cmp(&a.harris)
            .then(a.y.cmp(&b.y))
            .then(a.x.cmp(&b.x))
    });
    let cell = cell.max(1);
    let cols = w.div_ceil(cell);
    let rows = h.div_ceil(cell);
    let mut used = vec![0usize; cols * rows];
    let mut out = Vec::with_capacity(max.min(corners.len()));
    for c in corners {
        let k = (c.y / cell) * cols + c.x / cell;
        if used[k] < per_cell {
            used[k] += 1;
            out.push(c);
            if out.len() == max {
                break;
            }
        }
    }
    out
}

/// Orientation (radians) of the patch around (x, y): the direction from
/// the centre to the intensity centroid of the disc of radius
/// [`PATCH_RADIUS`]. The caller keeps the disc inside.
pub(crate) fn orientation(img: &Gray, x: usize, y: usize) -> f32 {
    let r = PATCH_RADIUS;
    let (mut m10, mut m01) = (0i64, 0i64);
    for dy in -r..=r {
        let half = ((r * r - dy * dy) as f32).sqrt() as i32;
        let row = (y as i32 + dy) as usize * img.width;
        for dx in -half..=half {
            let v = i64::from(img.data[row + (x as i32 + dx) as usize]);
            m10 += i64::from(dx) * v;
            m01 += i64::from(dy) * v;
        }
    }
    (m01 as f32).atan2(m10 as f32)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn square() -> Gray {
        // A bright square on a dark ground: four corners.
        let (w, h) = (80, 80);
        let mut data = vec![20u8; w * h];
        for y in 30..50 {
            for x in 30..50 {
                data[y * w + x] = 220;
            }
        }
        Gray {
            width: w,
            height: h,
            data,
        }
    }

    #[test]
    fn finds_the_corners_of_a_square() {
        let g = square();
        let c = detect(&g, 20, 8, 4, 100);
        assert!(c.len() >= 4, "{c:?}");
        for (cx, cy) in [(30, 30), (49, 30), (30, 49), (49, 49)] {
            assert!(
                c.iter()
                    .any(|k| k.x.abs_diff(cx) <= 2 && k.y.abs_diff(cy) <= 2),
                "no corner near ({cx}, {cy}): {c:?}"
            );
        }
        // Flat image: nothing.
        let flat = Gray {
            width: 64,
            height: 64,
            data: vec![7; 64 * 64],
        };
        assert!(detect(&flat, 10, 8, 4, 100).is_empty());
        // Too small for the border.
        let tiny = Gray {
            width: 20,
            height: 20,
            data: vec![0; 400],
        };
        assert!(detect(&tiny, 10, 8, 4, 100).is_empty());
    }

    #[test]
    fn orientation_points_to_the_bright_side() {
        let (w, h) = (40, 40);
        let mut data = vec![0u8; w * h];
        for y in 0..h {
            for x in 20..w {
                data[y * w + x] = 200;
            }
        }
        let g = Gray {
            width: w,
            height: h,
            data,
        };
        let a = orientation(&g, 20, 20);
        assert!(a.abs() < 0.1, "{a}");
    }
}
