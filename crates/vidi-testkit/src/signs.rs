//! Synthetic sign photos for the OCR measurements of vidi-ppocr and
//! vidi-clues: benign text (station, shop and street signs) in bold faces
//! on a panel, composited, optionally turned a few degrees, onto a
//! textured "photo" background.

use crate::render::{Canvas, Font};

/// The bold face for a language (Chinese, Japanese and Korean from Noto
/// Sans CJK, Thai from Noto Sans Thai, anything else DejaVu Sans); `None`
/// when the font package is not installed.
pub fn bold_font(lang: &str) -> Option<Font> {
    const CJK: &str = "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc";
    // Face order in Noto Sans CJK collections: JP, KR, SC, TC, HK.
    let (path, index) = match lang {
        "ja" => (CJK, 0),
        "ko" => (CJK, 1),
        "zh" => (CJK, 2),
        "th" => ("/usr/share/fonts/truetype/noto/NotoSansThai-Bold.ttf", 0),
        _ => ("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf", 0),
    };
    Font::load(path, index)
}

/// How a sign is drawn.
#[derive(Debug, Clone, Copy)]
pub struct SignStyle {
    /// Text height in pixels.
    pub px: f32,
    /// Turn of the whole sign, degrees.
    pub angle: f32,
    /// Panel colour.
    pub panel: [u8; 3],
    /// Text colour.
    pub ink: [u8; 3],
    /// Photo size.
    pub size: (u32, u32),
    /// Background seed.
    pub seed: u32,
}

impl Default for SignStyle {
    fn default() -> Self {
        Self {
            px: 56.0,
            angle: 0.0,
            panel: [236, 238, 240],
            ink: [20, 30, 90],
            size: (1024, 768),
            seed: 1,
        }
    }
}

/// A sign photo with `lines` in `lang`'s font; None when the font is missing.
pub fn sign(lang: &str, lines: &[&str], st: SignStyle) -> Option<Canvas> {
    let font = bold_font(lang)?;
    let px = st.px;
    let line_h = px * 1.5;
    let widest = lines
        .iter()
        .map(|l| font.text_width(l, px))
        .fold(0.0f32, f32::max);
    let pw = (widest + px * 1.6) as u32;
    let ph = (line_h * lines.len() as f32 + px * 0.9) as u32;
    let mut panel = Canvas::new(pw, ph, st.panel);
    for (i, l) in lines.iter().enumerate() {
        let w = font.text_width(l, px);
        let x = (pw as f32 - w) / 2.0;
        let y = px * 0.45 + line_h * i as f32 + px;
        panel.draw_text(&font, l, px, (x, y), st.ink);
    }
    let mut c = Canvas::photo_brick(st.size.0, st.size.1, st.seed);
    c.paste_rotated(
        &panel,
        st.size.0 as f32 / 2.0,
        st.size.1 as f32 / 2.0,
        st.angle,
    );
    Some(c)
}

/// One sign of [`sign_set`]: (id, language, lines, style).
pub type SignCase = (&'static str, &'static str, Vec<&'static str>, SignStyle);

/// The measurement set: (id, language, lines, style). Chinese, Japanese and
/// Korean signs, plus Latin and Thai ones; some turned a few degrees, some
/// small, one light text on a dark panel.
pub fn sign_set() -> Vec<SignCase> {
    let d = SignStyle::default();
    let small = SignStyle {
        px: 24.0,
        size: (640, 480),
        ..d
    };
    let dark = SignStyle {
        panel: [20, 70, 40],
        ink: [250, 250, 250],
        ..d
    };
    vec![
        ("zh-station", "zh", vec!["北京南站", "出口 地铁"], d),
        (
            "zh-nosmoke",
            "zh",
            vec!["禁止吸烟", "违者罚款"],
            SignStyle {
                angle: 4.0,
                seed: 2,
                ..d
            },
        ),
        (
            "zh-bank",
            "zh",
            vec!["中国工商银行", "营业时间 九点"],
            SignStyle { seed: 3, ..dark },
        ),
        (
            "zh-small",
            "zh",
            vec!["人民路", "停车场入口"],
            SignStyle { seed: 4, ..small },
        ),
        (
            "zh-hotel",
            "zh",
            vec!["欢迎光临", "上海大酒店"],
            SignStyle {
                angle: -6.0,
                seed: 5,
                ..d
            },
        ),
        ("ja-station", "ja", vec!["東京駅", "中央口"], d),
        (
            "ja-kana",
            "ja",
            vec!["いらっしゃいませ", "ラーメン"],
            SignStyle {
                angle: 3.0,
                seed: 6,
                ..d
            },
        ),
        (
            "ja-nosmoke",
            "ja",
            vec!["禁煙", "ご協力ください"],
            SignStyle { seed: 7, ..dark },
        ),
        (
            "ja-small",
            "ja",
            vec!["大阪市役所", "はこちら"],
            SignStyle { seed: 8, ..small },
        ),
        ("ko-station", "ko", vec!["서울역", "출구"], d),
        (
            "ko-welcome",
            "ko",
            vec!["환영합니다", "부산 시청"],
            SignStyle {
                angle: -4.0,
                seed: 9,
                ..d
            },
        ),
        (
            "ko-nosmoke",
            "ko",
            vec!["금연 구역", "감사합니다"],
            SignStyle { seed: 10, ..dark },
        ),
        (
            "ko-small",
            "ko",
            vec!["주차장", "입구"],
            SignStyle { seed: 11, ..small },
        ),
        (
            "en-street",
            "en",
            vec!["MAIN STREET", "City Centre 2 km"],
            SignStyle {
                angle: 5.0,
                seed: 12,
                ..d
            },
        ),
        (
            "de-shop",
            "de",
            vec!["Bäckerei Müller", "Geöffnet"],
            SignStyle { seed: 13, ..dark },
        ),
        (
            "fr-small",
            "fr",
            vec!["Gare du Nord", "Sortie"],
            SignStyle { seed: 14, ..small },
        ),
        (
            "th-temple",
            "th",
            vec!["ยินดีต้อนรับ", "ห้ามสูบบุหรี่"],
            SignStyle {
                angle: -3.0,
                seed: 15,
                ..d
            },
        ),
    ]
}
