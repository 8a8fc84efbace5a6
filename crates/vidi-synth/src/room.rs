//! Interiors: a room in simple one-point perspective with patterned
//! wallpaper, a wooden floor, a window with a view, furniture, and a printed
//! notice on the wall when there is text to show.

use image::RgbImage;

use crate::canvas::{
    Rgb, fill_circle, fill_ellipse, fill_poly, fill_rect, frame, lerp, line, poly_with, rect_with,
    shade, vgradient,
};
use crate::rng::{Noise, Rng};
use crate::scenes::SignSpec;
use crate::text::draw_in_box;

fn wallpaper(rng: &mut Rng) -> impl Fn(u32, u32) -> Rgb + use<> {
    let base = lerp([230, 220, 200], [180, 200, 210], rng.unit());
    let accent = lerp([150, 90, 80], [70, 110, 130], rng.unit());
    let style = rng.int(0, 3);
    let p = rng.int(14, 30) as f32;
    move |x, y| {
        let (fx, fy) = (x as f32 % p, y as f32 % p);
        let on = match style {
            0 => fx < p * 0.3,
            1 => {
                let (dx, dy) = (fx - p / 2.0, fy - p / 2.0);
                dx * dx + dy * dy < (p * 0.18) * (p * 0.18)
            }
            2 => (fx - p / 2.0).abs() + (fy - p / 2.0).abs() < p * 0.3,
            _ => (fx < 2.0) || (fy < 2.0),
        };
        if on { lerp(base, accent, 0.55) } else { base }
    }
}

pub(crate) fn room(img: &mut RgbImage, rng: &mut Rng, sign: Option<&SignSpec<'_>>) {
    let (w, h) = (img.width() as f32, img.height() as f32);
    let (bx0, by0, bx1, by1) = (
        w * rng.range(0.18, 0.26),
        h * 0.16,
        w * rng.range(0.74, 0.82),
        h * 0.62,
    );
    let paper = wallpaper(rng);
    rect_with(img, bx0, by0, bx1, by1, &paper);
    fill_poly(
        img,
        &[(0.0, 0.0), (w, 0.0), (bx1, by0), (bx0, by0)],
        [235, 233, 228],
    );
    let side = |x: u32, y: u32, k: f32| shade(paper(x, y), k);
    poly_with(
        img,
        &[(0.0, 0.0), (bx0, by0), (bx0, by1), (0.0, h)],
        |x, y| side(x, y, 0.8),
    );
    poly_with(img, &[(w, 0.0), (bx1, by0), (bx1, by1), (w, h)], |x, y| {
        side(x, y, 0.7)
    });
    // Wooden floor: planks converging to the back wall.
    let wood = Noise::new(rng.next_u64());
    let plank = lerp([150, 100, 60], [190, 150, 100], rng.unit());
    let cx = (bx0 + bx1) / 2.0;
    poly_with(img, &[(bx0, by1), (bx1, by1), (w, h), (0.0, h)], |x, y| {
        let t = ((y as f32 - by1) / (h - by1)).clamp(0.0, 1.0);
        let half = (bx1 - bx0) / 2.0 + (w / 2.0 - (bx1 - bx0) / 2.0) * t;
        let u = (x as f32 - cx) / half * 6.0;
        let depth = 1.0 / (t + 0.15);
        let seam = u.rem_euclid(1.0) < 0.04;
        let v = wood.fbm(u * 0.5, depth * 2.0 + u.floor() * 3.1, 3);
        let c = shade(plank, 0.8 + 0.35 * v);
        if seam { shade(c, 0.6) } else { c }
    });
    fill_rect(img, bx0, by1 - h * 0.015, bx1, by1, [245, 245, 240]);
    // Window with a view.
    let bw = bx1 - bx0;
    let (wx0, wx1) = (bx0 + bw * 0.08, bx0 + bw * 0.38);
    let (wy0, wy1) = (by0 + (by1 - by0) * 0.12, by0 + (by1 - by0) * 0.62);
    vgradient(img, wx0, wy0, wx1, wy1, [90, 150, 210], [200, 220, 235]);
    fill_poly(
        img,
        &[
            (wx0, wy1),
            (wx0, wy1 - (wy1 - wy0) * 0.3),
            ((wx0 + wx1) / 2.0, wy1 - (wy1 - wy0) * 0.45),
            (wx1, wy1 - (wy1 - wy0) * 0.25),
            (wx1, wy1),
        ],
        [90, 130, 80],
    );
    let t = (h * 0.008).max(1.0);
    frame(img, wx0, wy0, wx1, wy1, t, [250, 250, 250]);
    line(
        img,
        ((wx0 + wx1) / 2.0, wy0),
        ((wx0 + wx1) / 2.0, wy1),
        t,
        [250, 250, 250],
    );
    line(
        img,
        (wx0, (wy0 + wy1) / 2.0),
        (wx1, (wy0 + wy1) / 2.0),
        t,
        [250, 250, 250],
    );
    let curtain = lerp([160, 60, 60], [60, 90, 140], rng.unit());
    for (a, b) in [
        (wx0 - bw * 0.04, wx0 + bw * 0.02),
        (wx1 - bw * 0.02, wx1 + bw * 0.04),
    ] {
        rect_with(img, a, wy0 - h * 0.02, b, wy1 + h * 0.04, |x, _| {
            shade(curtain, 0.8 + 0.25 * ((x as f32 * 0.5).sin() * 0.5 + 0.5))
        });
    }
    // A printed notice, or a picture, on the wall.
    let (nx0, nx1) = (bx0 + bw * 0.44, bx0 + bw * 0.76);
    let (ny0, ny1) = (by0 + (by1 - by0) * 0.1, by0 + (by1 - by0) * 0.5);
    if let Some(s) = sign {
        fill_rect(
            img,
            nx0 + 3.0,
            ny0 + 3.0,
            nx1 + 3.0,
            ny1 + 3.0,
            [120, 120, 115],
        );
        fill_rect(img, nx0, ny0, nx1, ny1, [250, 250, 245]);
        draw_in_box(img, s.font, s.text, (nx0, ny0, nx1, ny1), [20, 20, 25]);
    } else {
        fill_rect(img, nx0, ny0, nx1, ny1, [110, 80, 50]);
        vgradient(
            img,
            nx0 + bw * 0.02,
            ny0 + bw * 0.02,
            nx1 - bw * 0.02,
            ny1 - bw * 0.02,
            [240, 170, 90],
            [60, 90, 120],
        );
    }
    // Rug, shelf, table, chair, lamp, plant: a random subset.
    let rug = lerp([140, 40, 50], [40, 70, 120], rng.unit());
    fill_ellipse(img, w * 0.5, h * 0.82, w * 0.28, h * 0.08, rug);
    fill_ellipse(img, w * 0.5, h * 0.82, w * 0.22, h * 0.055, shade(rug, 1.3));
    if rng.chance(0.7) {
        let (sx0, sx1, sy0) = (bx1 - bw * 0.19, bx1 - bw * 0.02, by0 + (by1 - by0) * 0.35);
        fill_rect(img, sx0, sy0, sx1, by1 + h * 0.02, [110, 75, 45]);
        let shelves = 4;
        for s in 0..shelves {
            let sy = sy0 + (by1 - sy0) * s as f32 / shelves as f32;
            let mut bxp = sx0 + bw * 0.01;
            while bxp < sx1 - bw * 0.02 {
                let bwid = bw * rng.range(0.008, 0.02);
                let bh = (by1 - sy0) / shelves as f32 * rng.range(0.6, 0.9);
                let c = lerp([180, 40, 40], [40, 80, 160], rng.unit());
                fill_rect(
                    img,
                    bxp,
                    sy + (by1 - sy0) / shelves as f32 - bh,
                    bxp + bwid,
                    sy + (by1 - sy0) / shelves as f32 - 1.0,
                    c,
                );
                bxp += bwid + 1.0;
            }
            fill_rect(img, sx0, sy - 2.0, sx1, sy + 1.0, [80, 55, 30]);
        }
    }
    let table = lerp([100, 65, 40], [170, 130, 90], rng.unit());
    let (tx, ty) = (w * rng.range(0.3, 0.55), h * 0.72);
    let tw = w * 0.22;
    fill_poly(
        img,
        &[
            (tx + tw * 0.1, ty),
            (tx + tw * 0.9, ty),
            (tx + tw, ty + h * 0.05),
            (tx, ty + h * 0.05),
        ],
        table,
    );
    for lx in [tx + tw * 0.05, tx + tw * 0.92] {
        fill_rect(
            img,
            lx,
            ty + h * 0.05,
            lx + w * 0.01,
            ty + h * 0.17,
            shade(table, 0.7),
        );
    }
    if rng.chance(0.6) {
        // A mug and a book on the table.
        fill_rect(
            img,
            tx + tw * 0.2,
            ty - h * 0.03,
            tx + tw * 0.27,
            ty + h * 0.01,
            [230, 230, 220],
        );
        fill_rect(
            img,
            tx + tw * 0.5,
            ty + h * 0.005,
            tx + tw * 0.75,
            ty + h * 0.025,
            [40, 90, 60],
        );
    }
    if rng.chance(0.7) {
        let chx = tx + tw + w * 0.04;
        let c = shade(table, 0.85);
        fill_rect(img, chx, ty - h * 0.12, chx + w * 0.012, ty + h * 0.16, c);
        fill_rect(img, chx, ty + h * 0.04, chx + w * 0.08, ty + h * 0.06, c);
        fill_rect(
            img,
            chx + w * 0.068,
            ty + h * 0.06,
            chx + w * 0.08,
            ty + h * 0.16,
            c,
        );
    }
    if rng.chance(0.6) {
        let lx = w * 0.12;
        fill_rect(
            img,
            lx - w * 0.003,
            h * 0.45,
            lx + w * 0.003,
            h * 0.9,
            [50, 50, 50],
        );
        fill_poly(
            img,
            &[
                (lx - w * 0.025, h * 0.45),
                (lx + w * 0.025, h * 0.45),
                (lx + w * 0.04, h * 0.52),
                (lx - w * 0.04, h * 0.52),
            ],
            [240, 225, 180],
        );
        fill_ellipse(img, lx, h * 0.9, w * 0.03, h * 0.01, [50, 50, 50]);
    }
    if rng.chance(0.6) {
        let px = w * 0.86;
        fill_poly(
            img,
            &[
                (px - w * 0.03, h * 0.82),
                (px + w * 0.03, h * 0.82),
                (px + w * 0.022, h * 0.92),
                (px - w * 0.022, h * 0.92),
            ],
            [170, 90, 60],
        );
        for i in 0..5 {
            let a = i as f32 * 1.3;
            fill_circle(
                img,
                px + a.cos() * w * 0.025,
                h * 0.76 + a.sin() * h * 0.03,
                w * 0.025,
                [50 + i * 10, 120, 60],
            );
        }
    }
}
