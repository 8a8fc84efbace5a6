//! Drawing primitives on an RGB canvas: rectangles, polygons, circles,
//! gradients, textured fills, and the resampling used for variants and
//! video pans.

use image::RgbImage;

/// An RGB colour.
pub(crate) type Rgb = [u8; 3];

/// Linear mix of two colours, `t` in [0, 1].
pub(crate) fn lerp(a: Rgb, b: Rgb, t: f32) -> Rgb {
    let t = t.clamp(0.0, 1.0);
    let m = |x: u8, y: u8| (f32::from(x) + (f32::from(y) - f32::from(x)) * t).round() as u8;
    [m(a[0], b[0]), m(a[1], b[1]), m(a[2], b[2])]
}

/// Scale a colour's brightness by `k` (clamped).
pub(crate) fn shade(c: Rgb, k: f32) -> Rgb {
    let m = |x: u8| (f32::from(x) * k).round().clamp(0.0, 255.0) as u8;
    [m(c[0]), m(c[1]), m(c[2])]
}

/// Alpha-blend `c` over the pixel at (x, y), ignoring out-of-bounds pixels.
pub(crate) fn blend(img: &mut RgbImage, x: i64, y: i64, c: Rgb, alpha: f32) {
    if x < 0 || y < 0 || x >= i64::from(img.width()) || y >= i64::from(img.height()) {
        return;
    }
    let p = img.get_pixel_mut(x as u32, y as u32);
    p.0 = lerp(p.0, c, alpha);
}

/// Clip a float span to pixel indices [0, max).
fn span(a: f32, b: f32, max: u32) -> (u32, u32) {
    let lo = a.min(b).round().max(0.0);
    let hi = a.max(b).round().min(max as f32);
    if hi <= lo {
        (0, 0)
    } else {
        (lo as u32, hi as u32)
    }
}

/// Fill the axis-aligned rectangle [x0, x1) × [y0, y1) with `f(x, y)`.
pub(crate) fn rect_with(
    img: &mut RgbImage,
    x0: f32,
    y0: f32,
    x1: f32,
    y1: f32,
    mut f: impl FnMut(u32, u32) -> Rgb,
) {
    let (xa, xb) = span(x0, x1, img.width());
    let (ya, yb) = span(y0, y1, img.height());
    for y in ya..yb {
        for x in xa..xb {
            img.put_pixel(x, y, image::Rgb(f(x, y)));
        }
    }
}

/// Fill a rectangle with one colour.
pub(crate) fn fill_rect(img: &mut RgbImage, x0: f32, y0: f32, x1: f32, y1: f32, c: Rgb) {
    rect_with(img, x0, y0, x1, y1, |_, _| c);
}

/// Vertical gradient from `top` to `bottom` over the rectangle.
pub(crate) fn vgradient(
    img: &mut RgbImage,
    x0: f32,
    y0: f32,
    x1: f32,
    y1: f32,
    top: Rgb,
    bottom: Rgb,
) {
    let h = (y1 - y0).max(1.0);
    rect_with(img, x0, y0, x1, y1, |_, y| {
        lerp(top, bottom, (y as f32 - y0) / h)
    });
}

/// Fill a polygon (even-odd rule, pixel centres) with `f(x, y)`.
pub(crate) fn poly_with(
    img: &mut RgbImage,
    pts: &[(f32, f32)],
    mut f: impl FnMut(u32, u32) -> Rgb,
) {
    if pts.len() < 3 {
        return;
    }
    let ymin = pts.iter().map(|p| p.1).fold(f32::INFINITY, f32::min);
    let ymax = pts.iter().map(|p| p.1).fold(f32::NEG_INFINITY, f32::max);
    let (ya, yb) = span(ymin, ymax + 1.0, img.height());
    let mut xs: Vec<f32> = Vec::with_capacity(8);
    for y in ya..yb {
        let cy = y as f32 + 0.5;
        xs.clear();
        for i in 0..pts.len() {
            let (ax, ay) = pts[i];
            let (bx, by) = pts[(i + 1) % pts.len()];
            if (ay <= cy && by > cy) || (by <= cy && ay > cy) {
                xs.push(ax + (cy - ay) / (by - ay) * (bx - ax));
            }
        }
        xs.sort_by(f32::total_cmp);
        for pair in xs.chunks_exact(2) {
            let (xa, xb) = span(pair[0], pair[1], img.width());
            for x in xa..xb {
                img.put_pixel(x, y, image::Rgb(f(x, y)));
            }
        }
    }
}

/// Fill a polygon with one colour.
pub(crate) fn fill_poly(img: &mut RgbImage, pts: &[(f32, f32)], c: Rgb) {
    poly_with(img, pts, |_, _| c);
}

/// Fill an axis-aligned ellipse.
pub(crate) fn fill_ellipse(img: &mut RgbImage, cx: f32, cy: f32, rx: f32, ry: f32, c: Rgb) {
    if rx <= 0.0 || ry <= 0.0 {
        return;
    }
    let (xa, xb) = span(cx - rx, cx + rx + 1.0, img.width());
    let (ya, yb) = span(cy - ry, cy + ry + 1.0, img.height());
    for y in ya..yb {
        for x in xa..xb {
            let dx = (x as f32 + 0.5 - cx) / rx;
            let dy = (y as f32 + 0.5 - cy) / ry;
            let d = dx * dx + dy * dy;
            if d <= 1.0 {
                // Soft edge over the outermost ~1.5 px.
                let edge = ((1.0 - d) * rx.min(ry) * 0.75).min(1.0);
                blend(img, i64::from(x), i64::from(y), c, edge);
            }
        }
    }
}

/// Fill a circle.
pub(crate) fn fill_circle(img: &mut RgbImage, cx: f32, cy: f32, r: f32, c: Rgb) {
    fill_ellipse(img, cx, cy, r, r, c);
}

/// A thick straight line drawn as a quad.
pub(crate) fn line(img: &mut RgbImage, a: (f32, f32), b: (f32, f32), width: f32, c: Rgb) {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let len = (dx * dx + dy * dy).sqrt();
    if len <= f32::EPSILON {
        return;
    }
    let (nx, ny) = (-dy / len * width / 2.0, dx / len * width / 2.0);
    fill_poly(
        img,
        &[
            (a.0 + nx, a.1 + ny),
            (b.0 + nx, b.1 + ny),
            (b.0 - nx, b.1 - ny),
            (a.0 - nx, a.1 - ny),
        ],
        c,
    );
}

/// Rectangle outline of the given thickness.
pub(crate) fn frame(img: &mut RgbImage, x0: f32, y0: f32, x1: f32, y1: f32, t: f32, c: Rgb) {
    fill_rect(img, x0, y0, x1, y0 + t, c);
    fill_rect(img, x0, y1 - t, x1, y1, c);
    fill_rect(img, x0, y0, x0 + t, y1, c);
    fill_rect(img, x1 - t, y0, x1, y1, c);
}

/// Bilinear sample at a continuous position (clamped to the edges).
pub(crate) fn sample(src: &RgbImage, fx: f32, fy: f32) -> Rgb {
    let (w, h) = (src.width(), src.height());
    if w == 0 || h == 0 {
        return [0, 0, 0];
    }
    let fx = (fx - 0.5).clamp(0.0, (w - 1) as f32);
    let fy = (fy - 0.5).clamp(0.0, (h - 1) as f32);
    let (x0, y0) = (fx.floor() as u32, fy.floor() as u32);
    let (x1, y1) = ((x0 + 1).min(w - 1), (y0 + 1).min(h - 1));
    let (tx, ty) = (fx - x0 as f32, fy - y0 as f32);
    let top = lerp_f(src.get_pixel(x0, y0).0, src.get_pixel(x1, y0).0, tx);
    let bottom = lerp_f(src.get_pixel(x0, y1).0, src.get_pixel(x1, y1).0, tx);
    let mut out = [0u8; 3];
    for i in 0..3 {
        out[i] = (top[i] + (bottom[i] - top[i]) * ty)
            .round()
            .clamp(0.0, 255.0) as u8;
    }
    out
}

fn lerp_f(a: Rgb, b: Rgb, t: f32) -> [f32; 3] {
    let m = |x: u8, y: u8| f32::from(x) + (f32::from(y) - f32::from(x)) * t;
    [m(a[0], b[0]), m(a[1], b[1]), m(a[2], b[2])]
}

/// Resample the window (x, y, w, h) of `src` (in source pixels, may be
/// fractional) into a new `out_w` × `out_h` image. Box-filters when
/// shrinking by more than 1.5× so text stays legible.
pub(crate) fn resample(
    src: &RgbImage,
    x: f32,
    y: f32,
    w: f32,
    h: f32,
    out_w: u32,
    out_h: u32,
) -> RgbImage {
    let sx = w / out_w.max(1) as f32;
    let sy = h / out_h.max(1) as f32;
    // Plain bilinear up to 1.5x shrink (video pans), box taps beyond.
    let taps_x = sx.round().clamp(1.0, 4.0) as u32;
    let taps_y = sy.round().clamp(1.0, 4.0) as u32;
    RgbImage::from_fn(out_w, out_h, |ox, oy| {
        let mut acc = [0f32; 3];
        for ty in 0..taps_y {
            for tx in 0..taps_x {
                let fx = x + (ox as f32 + (tx as f32 + 0.5) / taps_x as f32) * sx;
                let fy = y + (oy as f32 + (ty as f32 + 0.5) / taps_y as f32) * sy;
                let s = sample(src, fx, fy);
                for i in 0..3 {
                    acc[i] += f32::from(s[i]);
                }
            }
        }
        let n = (taps_x * taps_y) as f32;
        image::Rgb([
            (acc[0] / n).round() as u8,
            (acc[1] / n).round() as u8,
            (acc[2] / n).round() as u8,
        ])
    })
}

/// Whole-image resize.
pub(crate) fn resize(src: &RgbImage, out_w: u32, out_h: u32) -> RgbImage {
    resample(
        src,
        0.0,
        0.0,
        src.width() as f32,
        src.height() as f32,
        out_w,
        out_h,
    )
}

/// Horizontal mirror.
pub(crate) fn mirror(src: &RgbImage) -> RgbImage {
    let w = src.width();
    RgbImage::from_fn(w, src.height(), |x, y| *src.get_pixel(w - 1 - x, y))
}

/// Exact crop of the integer window (clamped to the image).
pub(crate) fn crop(src: &RgbImage, x: u32, y: u32, w: u32, h: u32) -> RgbImage {
    let x = x.min(src.width().saturating_sub(1));
    let y = y.min(src.height().saturating_sub(1));
    let w = w.min(src.width() - x).max(1);
    let h = h.min(src.height() - y).max(1);
    RgbImage::from_fn(w, h, |ox, oy| *src.get_pixel(x + ox, y + oy))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn primitives_stay_in_bounds() {
        let mut img = RgbImage::new(40, 30);
        fill_rect(&mut img, -10.0, -10.0, 100.0, 5.0, [255, 0, 0]);
        assert_eq!(img.get_pixel(39, 0).0, [255, 0, 0]);
        assert_eq!(img.get_pixel(0, 5).0, [0, 0, 0]);
        fill_poly(
            &mut img,
            &[(-5.0, 10.0), (60.0, 10.0), (20.0, 50.0)],
            [0, 255, 0],
        );
        assert_eq!(img.get_pixel(20, 20).0, [0, 255, 0]);
        fill_circle(&mut img, 0.0, 0.0, 100.0, [0, 0, 255]);
        line(&mut img, (0.0, 0.0), (0.0, 0.0), 3.0, [1, 1, 1]);
        let r = resize(&img, 13, 7);
        assert_eq!((r.width(), r.height()), (13, 7));
        let c = crop(&img, 35, 25, 100, 100);
        assert_eq!((c.width(), c.height()), (5, 5));
        let m = mirror(&img);
        assert_eq!(m.get_pixel(0, 0), img.get_pixel(39, 0));
    }
}
