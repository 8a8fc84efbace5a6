//! Drawn scenes: rooms, landscapes (mountains, sea, lake, fields) and
//! streets. Nothing in them shows people: only places and objects, with an
//! optional sign carrying text.

use image::RgbImage;

use crate::canvas::{
    Rgb, fill_circle, fill_ellipse, fill_poly, fill_rect, frame, lerp, line, poly_with, rect_with,
    shade, vgradient,
};
use crate::rng::{Noise, Rng};
use crate::text::{FontFile, draw_in_box};

/// What a scene depicts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SceneKind {
    /// An interior with furniture, a window and patterned wallpaper.
    Room,
    /// Mountain ranges over a meadow.
    Mountains,
    /// A coast: sea, beach, maybe a boat.
    Sea,
    /// A lake with mountains and their reflection.
    Lake,
    /// Rolling fields with a farmhouse.
    Fields,
    /// A street with building facades and shops.
    Street,
}

impl SceneKind {
    /// Stable name used in the manifest.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Room => "room",
            Self::Mountains => "mountains",
            Self::Sea => "sea",
            Self::Lake => "lake",
            Self::Fields => "fields",
            Self::Street => "street",
        }
    }
}

/// Text to show on a sign in the scene.
pub(crate) struct SignSpec<'a> {
    pub(crate) font: &'a FontFile,
    pub(crate) text: &'a str,
}

/// Draw a scene of `w` × `h` pixels.
pub(crate) fn render(
    kind: SceneKind,
    w: u32,
    h: u32,
    seed: u64,
    sign: Option<&SignSpec<'_>>,
) -> RgbImage {
    let mut img = RgbImage::new(w.max(1), h.max(1));
    let mut rng = Rng::new(seed);
    match kind {
        SceneKind::Room => crate::room::room(&mut img, &mut rng, sign),
        SceneKind::Street => street(&mut img, &mut rng, sign),
        _ => landscape(&mut img, kind, &mut rng, sign),
    }
    img
}

fn tex(n: &Noise, x: u32, y: u32, scale: f32, base: Rgb, amount: f32) -> Rgb {
    let v = n.fbm(x as f32 / scale, y as f32 / scale, 3);
    shade(base, 1.0 - amount / 2.0 + amount * v)
}

fn sky(img: &mut RgbImage, rng: &mut Rng, horizon: f32) {
    let w = img.width() as f32;
    let top = lerp([40, 90, 170], [90, 140, 200], rng.unit());
    let low = lerp([170, 200, 230], [230, 210, 190], rng.unit() * 0.5);
    vgradient(img, 0.0, 0.0, w, horizon, top, low);
    let n = Noise::new(rng.next_u64());
    let cover = rng.range(0.45, 0.7);
    let s = w / 6.0;
    let (hh, ww) = (horizon.max(0.0) as u32, img.width());
    for y in 0..hh.min(img.height()) {
        for x in 0..ww {
            let v = n.fbm(x as f32 / s, y as f32 / (s * 0.45), 4);
            if v > cover {
                let a = ((v - cover) * 4.0).min(0.9);
                let p = img.get_pixel_mut(x, y);
                p.0 = lerp(p.0, [250, 250, 252], a);
            }
        }
    }
    if rng.chance(0.5) {
        let r = h_of(img) * 0.05;
        fill_circle(
            img,
            rng.range(0.1, 0.9) * w,
            horizon * rng.range(0.15, 0.5),
            r,
            [255, 244, 200],
        );
    }
}

fn h_of(img: &RgbImage) -> f32 {
    img.height() as f32
}

/// A ridge line: y for every x step, from 1-D fractal noise.
fn ridge(w: f32, base: f32, amp: f32, n: &Noise, freq: f32) -> Vec<(f32, f32)> {
    let step = (w / 160.0).max(2.0);
    let mut pts = Vec::new();
    let mut x = -step;
    while x <= w + step {
        let v = n.fbm(x / w * freq, 0.5, 5);
        pts.push((x, base - amp * (v - 0.3) * 2.5));
        x += step;
    }
    pts
}

fn mountains(img: &mut RgbImage, rng: &mut Rng, horizon: f32, layers: u32) {
    let (w, h) = (img.width() as f32, h_of(img));
    for layer in 0..layers {
        let n = Noise::new(rng.next_u64());
        // Far layers are higher, paler and snowier; near ones darker.
        let far = 1.0 - layer as f32 / layers as f32;
        let color = lerp([60, 75, 65], [130, 150, 185], far * 0.85);
        let amp = h * rng.range(0.14, 0.22) * (0.5 + far * 0.9);
        let mut pts = ridge(
            w,
            horizon - h * 0.01 * layer as f32,
            amp,
            &n,
            rng.range(2.0, 4.0),
        );
        let peak = pts.iter().map(|p| p.1).fold(horizon, f32::min);
        let snow = peak + (horizon - peak) * rng.range(0.2, 0.35) * (0.5 + far);
        pts.push((w + 10.0, horizon + 1.0));
        pts.push((-10.0, horizon + 1.0));
        let rock = Noise::new(rng.next_u64());
        poly_with(img, &pts, |x, y| {
            let c = tex(&rock, x, y, 18.0, color, 0.35);
            let jag = (rock.at(x as f32 / 9.0, 0.0) - 0.5) * h * 0.04;
            if (y as f32) < snow + jag {
                lerp(c, [240, 244, 250], 0.85)
            } else {
                c
            }
        });
    }
}

fn tree(img: &mut RgbImage, x: f32, ground: f32, size: f32, rng: &mut Rng) {
    fill_rect(
        img,
        x - size * 0.06,
        ground - size * 0.45,
        x + size * 0.06,
        ground,
        [90, 62, 40],
    );
    let green = lerp([30, 90, 40], [80, 130, 50], rng.unit());
    if rng.chance(0.5) {
        fill_poly(
            img,
            &[
                (x, ground - size * 1.2),
                (x + size * 0.35, ground - size * 0.3),
                (x - size * 0.35, ground - size * 0.3),
            ],
            green,
        );
    } else {
        fill_circle(img, x, ground - size * 0.65, size * 0.32, green);
        fill_circle(
            img,
            x - size * 0.15,
            ground - size * 0.55,
            size * 0.22,
            shade(green, 0.85),
        );
    }
}

fn landscape(img: &mut RgbImage, kind: SceneKind, rng: &mut Rng, sign: Option<&SignSpec<'_>>) {
    let (w, h) = (img.width() as f32, h_of(img));
    let horizon = h * rng.range(0.42, 0.55);
    sky(img, rng, horizon + 2.0);
    match kind {
        SceneKind::Sea => {
            let n = Noise::new(rng.next_u64());
            let deep = lerp([20, 70, 110], [30, 100, 130], rng.unit());
            let shore = horizon + (h - horizon) * rng.range(0.55, 0.75);
            rect_with(img, 0.0, horizon, w, shore, |x, y| {
                let t = (y as f32 - horizon) / (shore - horizon).max(1.0);
                let v = n.fbm(x as f32 / 60.0, y as f32 / 4.0, 3);
                shade(lerp(deep, [60, 140, 150], t), 0.8 + 0.4 * v)
            });
            let sand = Noise::new(rng.next_u64());
            rect_with(img, 0.0, shore, w, h, |x, y| {
                tex(&sand, x, y, 6.0, [214, 190, 140], 0.25)
            });
            if rng.chance(0.8) {
                let bx = w * rng.range(0.2, 0.8);
                let by = horizon + (shore - horizon) * 0.35;
                let s = h * 0.05;
                fill_poly(
                    img,
                    &[
                        (bx - s * 1.5, by),
                        (bx + s * 1.5, by),
                        (bx + s, by + s * 0.5),
                        (bx - s, by + s * 0.5),
                    ],
                    [120, 40, 30],
                );
                fill_poly(
                    img,
                    &[
                        (bx, by - s * 2.0),
                        (bx, by - s * 0.1),
                        (bx + s * 1.2, by - s * 0.1),
                    ],
                    [245, 245, 240],
                );
            }
        }
        SceneKind::Lake => {
            mountains(img, rng, horizon, 2);
            let water_end = horizon + (h - horizon) * 0.65;
            // Reflection: mirror the band above the horizon, darker and rippled.
            let n = Noise::new(rng.next_u64());
            let src = img.clone();
            rect_with(img, 0.0, horizon, w, water_end, |x, y| {
                let dy = y as f32 - horizon;
                let ripple = (n.at(x as f32 / 40.0, y as f32 / 3.0) - 0.5) * 6.0;
                let sy = (horizon - dy).clamp(0.0, h - 1.0) as u32;
                let sx = (x as f32 + ripple).clamp(0.0, w - 1.0) as u32;
                lerp(src.get_pixel(sx, sy).0, [30, 70, 90], 0.45)
            });
            let grass = Noise::new(rng.next_u64());
            rect_with(img, 0.0, water_end, w, h, |x, y| {
                tex(&grass, x, y, 10.0, [70, 120, 50], 0.3)
            });
            for _ in 0..rng.int(3, 7) {
                let s = h * rng.range(0.12, 0.25);
                tree(
                    img,
                    rng.range(0.0, w),
                    water_end + rng.range(0.0, h - water_end),
                    s,
                    rng,
                );
            }
        }
        SceneKind::Fields => {
            let n = Noise::new(rng.next_u64());
            let colors: [Rgb; 4] = [
                [200, 180, 70],
                [90, 140, 60],
                [140, 100, 60],
                [120, 160, 70],
            ];
            let bands = rng.int(4, 7);
            let mut y = horizon;
            for i in 0..bands {
                let t = (i + 1) as f32 / bands as f32;
                let y1 = horizon + (h - horizon) * t * t;
                let c = colors[((i + rng.int(0, 3)) % 4) as usize];
                let wave = h * 0.01;
                let top = y;
                poly_with(
                    img,
                    &[
                        (0.0, top - wave),
                        (w, top + wave),
                        (w, y1 + wave),
                        (0.0, y1 - wave),
                    ],
                    |x, yy| {
                        let row = ((yy as f32 - top) / ((y1 - top).max(1.0) / 6.0)).fract();
                        shade(
                            tex(&n, x, yy, 12.0, c, 0.2),
                            if row < 0.15 { 0.85 } else { 1.0 },
                        )
                    },
                );
                y = y1;
            }
            let fx = w * rng.range(0.15, 0.75);
            let s = h * 0.12;
            let base = horizon + s * 0.3;
            fill_rect(img, fx, base - s, fx + s * 1.6, base, [225, 215, 195]);
            fill_poly(
                img,
                &[
                    (fx - s * 0.15, base - s),
                    (fx + s * 0.8, base - s * 1.6),
                    (fx + s * 1.75, base - s),
                ],
                [150, 50, 40],
            );
            fill_rect(
                img,
                fx + s * 0.6,
                base - s * 0.55,
                fx + s * 0.9,
                base,
                [90, 60, 40],
            );
            for i in 0..12 {
                let px = w * i as f32 / 11.0;
                line(img, (px, h * 0.9), (px, h * 0.97), h * 0.008, [110, 80, 50]);
            }
            line(
                img,
                (0.0, h * 0.92),
                (w, h * 0.92),
                h * 0.006,
                [110, 80, 50],
            );
        }
        _ => {
            mountains(img, rng, horizon, 3);
            let grass = Noise::new(rng.next_u64());
            rect_with(img, 0.0, horizon, w, h, |x, y| {
                tex(&grass, x, y, 14.0, [80, 125, 55], 0.35)
            });
            for _ in 0..rng.int(2, 6) {
                let s = h * rng.range(0.1, 0.3);
                tree(
                    img,
                    rng.range(0.0, w),
                    horizon + rng.range(h * 0.1, h - horizon),
                    s,
                    rng,
                );
            }
        }
    }
    if let Some(s) = sign {
        // A wooden board on two posts in the foreground.
        let (x0, x1) = (w * 0.55, w * 0.92);
        let (y0, y1) = (h * 0.62, h * 0.8);
        for px in [x0 + (x1 - x0) * 0.15, x1 - (x1 - x0) * 0.15] {
            fill_rect(
                img,
                px - w * 0.008,
                y1,
                px + w * 0.008,
                h * 0.97,
                [100, 70, 45],
            );
        }
        let wood = Noise::new(rng.next_u64());
        rect_with(img, x0, y0, x1, y1, |x, y| {
            tex(&wood, x, y * 4, 20.0, [150, 105, 60], 0.3)
        });
        frame(img, x0, y0, x1, y1, h * 0.008, [90, 60, 35]);
        draw_in_box(img, s.font, s.text, (x0, y0, x1, y1), [250, 245, 230]);
    }
}

fn building_colors() -> [Rgb; 6] {
    [
        [200, 170, 140],
        [170, 90, 70],
        [220, 210, 180],
        [150, 160, 170],
        [210, 190, 120],
        [120, 100, 90],
    ]
}

fn street(img: &mut RgbImage, rng: &mut Rng, sign: Option<&SignSpec<'_>>) {
    let (w, h) = (img.width() as f32, h_of(img));
    let ground = h * 0.74;
    sky(img, rng, ground);
    // Facades.
    let mut x = -rng.range(0.0, w * 0.05);
    let mut shops = Vec::new();
    let colors = building_colors();
    let n = Noise::new(rng.next_u64());
    while x < w {
        let bw = w * rng.range(0.16, 0.26);
        let top = h * rng.range(0.08, 0.35);
        let c = *rng.pick(&colors).unwrap_or(&[200, 170, 140]);
        rect_with(img, x, top, x + bw, ground, |px, py| {
            tex(&n, px, py, 8.0, c, 0.18)
        });
        fill_rect(img, x, top - h * 0.015, x + bw, top, shade(c, 0.6));
        let floors = ((ground - top) / (h * 0.12)).floor().max(1.0) as u32;
        let cols = rng.int(2, 4);
        let fh = (ground - top - h * 0.14) / floors as f32;
        for f in 0..floors.saturating_sub(0) {
            for k in 0..cols {
                let cw = bw / cols as f32;
                let wx = x + cw * k as f32 + cw * 0.22;
                let wy = top + fh * f as f32 + fh * 0.2;
                let (ww, wh) = (cw * 0.56, fh * 0.6);
                if wh < 3.0 {
                    continue;
                }
                vgradient(img, wx, wy, wx + ww, wy + wh, [120, 150, 180], [40, 60, 80]);
                frame(
                    img,
                    wx,
                    wy,
                    wx + ww,
                    wy + wh,
                    (h * 0.004).max(1.0),
                    [240, 240, 235],
                );
                line(
                    img,
                    (wx + ww / 2.0, wy),
                    (wx + ww / 2.0, wy + wh),
                    (h * 0.003).max(1.0),
                    [240, 240, 235],
                );
            }
        }
        // Ground floor: door and shop window.
        let gy = ground - h * 0.14;
        fill_rect(
            img,
            x + bw * 0.08,
            gy + h * 0.03,
            x + bw * 0.3,
            ground,
            shade(c, 0.45),
        );
        vgradient(
            img,
            x + bw * 0.38,
            gy + h * 0.04,
            x + bw * 0.92,
            ground - h * 0.02,
            [150, 170, 185],
            [60, 70, 80],
        );
        shops.push((x + bw * 0.05, gy - h * 0.005, x + bw * 0.95, gy + h * 0.028));
        x += bw;
    }
    // Shop boards; the most central one carries the sign text.
    let centre = shops
        .iter()
        .enumerate()
        .min_by(|a, b| {
            ((a.1.0 + a.1.2) / 2.0 - w / 2.0)
                .abs()
                .total_cmp(&((b.1.0 + b.1.2) / 2.0 - w / 2.0).abs())
        })
        .map(|(i, _)| i);
    let boards: [Rgb; 4] = [[30, 60, 110], [120, 30, 35], [25, 90, 60], [40, 40, 45]];
    for (i, &(x0, y0, x1, y1)) in shops.iter().enumerate() {
        let c = *rng.pick(&boards).unwrap_or(&[30, 60, 110]);
        if Some(i) == centre && sign.is_some() {
            // A larger board so the text is legible.
            let (y0, y1) = (y0 - h * 0.065, y1 + h * 0.005);
            fill_rect(img, x0 - w * 0.02, y0, x1 + w * 0.02, y1, c);
            frame(
                img,
                x0 - w * 0.02,
                y0,
                x1 + w * 0.02,
                y1,
                (h * 0.005).max(1.0),
                [230, 200, 120],
            );
            if let Some(s) = sign {
                draw_in_box(
                    img,
                    s.font,
                    s.text,
                    (x0 - w * 0.02, y0, x1 + w * 0.02, y1),
                    [255, 255, 255],
                );
            }
        } else {
            fill_rect(img, x0, y0, x1, y1, c);
        }
    }
    // Pavement, kerb, road with markings.
    let pave = Noise::new(rng.next_u64());
    rect_with(img, 0.0, ground, w, h * 0.8, |px, py| {
        tex(&pave, px, py, 3.0, [175, 170, 160], 0.2)
    });
    fill_rect(img, 0.0, h * 0.8, w, h * 0.81, [120, 118, 112]);
    rect_with(img, 0.0, h * 0.81, w, h, |px, py| {
        tex(&pave, px + 999, py, 2.0, [70, 72, 75], 0.25)
    });
    let mut mx = 0.0;
    while mx < w {
        fill_rect(img, mx, h * 0.9, mx + w * 0.06, h * 0.91, [235, 235, 225]);
        mx += w * 0.11;
    }
    // A parked car and a lamp post.
    let cx = w * rng.range(0.05, 0.6);
    let (cw, ch) = (w * 0.22, h * 0.09);
    let body = *rng
        .pick(&[
            [160u8, 20, 30],
            [30, 60, 140],
            [200, 200, 205],
            [30, 30, 35],
        ])
        .unwrap_or(&[160, 20, 30]);
    let cy = h * 0.86;
    fill_poly(
        img,
        &[
            (cx + cw * 0.2, cy - ch),
            (cx + cw * 0.75, cy - ch),
            (cx + cw * 0.9, cy - ch * 0.5),
            (cx + cw * 0.1, cy - ch * 0.5),
        ],
        shade(body, 0.9),
    );
    fill_poly(
        img,
        &[
            (cx + cw * 0.27, cy - ch * 0.92),
            (cx + cw * 0.7, cy - ch * 0.92),
            (cx + cw * 0.8, cy - ch * 0.55),
            (cx + cw * 0.2, cy - ch * 0.55),
        ],
        [150, 175, 195],
    );
    fill_rect(img, cx, cy - ch * 0.55, cx + cw, cy, body);
    for wx in [cx + cw * 0.2, cx + cw * 0.8] {
        fill_circle(img, wx, cy, ch * 0.28, [20, 20, 20]);
        fill_circle(img, wx, cy, ch * 0.12, [160, 160, 165]);
    }
    let lx = w * rng.range(0.65, 0.95);
    fill_rect(
        img,
        lx - w * 0.004,
        h * 0.3,
        lx + w * 0.004,
        h * 0.8,
        [40, 45, 45],
    );
    fill_ellipse(img, lx, h * 0.3, w * 0.018, h * 0.012, [250, 240, 200]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_scene_renders_and_is_deterministic() {
        for kind in [
            SceneKind::Room,
            SceneKind::Mountains,
            SceneKind::Sea,
            SceneKind::Lake,
            SceneKind::Fields,
            SceneKind::Street,
        ] {
            let a = render(kind, 160, 120, 5, None);
            let b = render(kind, 160, 120, 5, None);
            assert_eq!(a, b, "{}", kind.name());
            let first = a.get_pixel(0, 0).0;
            assert!(a.pixels().any(|p| p.0 != first), "{} is flat", kind.name());
        }
    }
}
