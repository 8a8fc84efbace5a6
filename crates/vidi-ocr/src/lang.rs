//! Text language (ISO 639-1) and script (ISO 15924) identification.
//!
//! The script is counted here from Unicode ranges (majority of letters);
//! the language comes from `whatlang` (trigram model, 70 languages, tiny),
//! except for scripts that name their language outright (Thai, Hangul,
//! kana, Georgian, Armenian...). Short strings get a low confidence or
//! `None`: a two-letter word has no language.

use serde::Serialize;
use whatlang::Lang;

/// A language guess for a piece of text.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LanguageGuess {
    /// ISO 639-1 code (`en`, `fr`, `ru`...); ISO 639-3 where no 639-1 code
    /// exists (`cmn` is reported as `zh`).
    pub lang: String,
    /// 0–1. Below about 0.5 the guess is a hint, not an identification.
    pub confidence: f32,
    /// ISO 15924 script code (`Latn`, `Cyrl`, `Arab`, `Thai`, `Hani`...).
    pub script: String,
}

/// Fewer letters than this: no language guess at all.
pub const MIN_LETTERS: usize = 4;
/// Fewer letters than this: the confidence is capped (see [`detect_language`]).
const SHORT_LETTERS: usize = 16;

/// ISO 15924 script of one character, for letters only.
pub(crate) fn char_script(c: char) -> Option<&'static str> {
    let u = c as u32;
    let s = match u {
        0x0041..=0x005A | 0x0061..=0x007A | 0x00C0..=0x024F | 0x1E00..=0x1EFF => "Latn",
        0x00AA | 0x00BA => "Latn",
        0x0370..=0x03FF | 0x1F00..=0x1FFF => "Grek",
        0x0400..=0x052F | 0x1C80..=0x1C8F | 0x2DE0..=0x2DFF | 0xA640..=0xA69F => "Cyrl",
        0x0530..=0x058F => "Armn",
        0x0590..=0x05FF => "Hebr",
        0x0600..=0x06FF | 0x0750..=0x077F | 0x08A0..=0x08FF | 0xFB50..=0xFDFF => "Arab",
        0xFE70..=0xFEFF => "Arab",
        0x0900..=0x097F => "Deva",
        0x0980..=0x09FF => "Beng",
        0x0A00..=0x0A7F => "Guru",
        0x0A80..=0x0AFF => "Gujr",
        0x0B00..=0x0B7F => "Orya",
        0x0B80..=0x0BFF => "Taml",
        0x0C00..=0x0C7F => "Telu",
        0x0C80..=0x0CFF => "Knda",
        0x0D00..=0x0D7F => "Mlym",
        0x0D80..=0x0DFF => "Sinh",
        0x0E00..=0x0E7F => "Thai",
        0x0E80..=0x0EFF => "Laoo",
        0x1000..=0x109F => "Mymr",
        0x10A0..=0x10FF => "Geor",
        0x1100..=0x11FF | 0x3130..=0x318F | 0xAC00..=0xD7AF => "Hang",
        0x1200..=0x139F => "Ethi",
        0x1780..=0x17FF => "Khmr",
        0x3040..=0x309F => "Hira",
        0x30A0..=0x30FF | 0x31F0..=0x31FF => "Kana",
        0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FFFF => "Hani",
        _ => return None,
    };
    // Combining marks of a script count with it; other non-letters do not.
    if s == "Latn" && !c.is_alphabetic() {
        return None;
    }
    Some(s)
}

/// The majority script of `text` and its letter count, or None without letters.
pub fn detect_script(text: &str) -> Option<(&'static str, usize)> {
    let mut counts: Vec<(&'static str, usize)> = Vec::new();
    let mut total = 0usize;
    for s in text.chars().filter_map(char_script) {
        total += 1;
        match counts.iter_mut().find(|(k, _)| *k == s) {
            Some((_, n)) => *n += 1,
            None => counts.push((s, 1)),
        }
    }
    // Japanese mixes kana and kanji: report it as Jpan when kana is present.
    let kana: usize = counts
        .iter()
        .filter(|(k, _)| matches!(*k, "Hira" | "Kana"))
        .map(|(_, n)| n)
        .sum();
    if kana > 0 {
        let hani = counts
            .iter()
            .find(|(k, _)| *k == "Hani")
            .map_or(0, |(_, n)| *n);
        if kana + hani >= total / 2 {
            return Some(("Jpan", total));
        }
    }
    counts
        .into_iter()
        .max_by_key(|&(_, n)| n)
        .map(|(s, _)| (s, total))
}

/// ISO 639-1 code for a whatlang language (639-3 where 639-1 has none).
pub(crate) fn iso639_1(lang: Lang) -> &'static str {
    match lang {
        Lang::Epo => "eo",
        Lang::Eng => "en",
        Lang::Rus => "ru",
        Lang::Cmn => "zh",
        Lang::Spa => "es",
        Lang::Por => "pt",
        Lang::Ita => "it",
        Lang::Ben => "bn",
        Lang::Fra => "fr",
        Lang::Deu => "de",
        Lang::Ukr => "uk",
        Lang::Kat => "ka",
        Lang::Ara => "ar",
        Lang::Hin => "hi",
        Lang::Jpn => "ja",
        Lang::Heb => "he",
        Lang::Yid => "yi",
        Lang::Pol => "pl",
        Lang::Amh => "am",
        Lang::Jav => "jv",
        Lang::Kor => "ko",
        Lang::Nob => "nb",
        Lang::Dan => "da",
        Lang::Swe => "sv",
        Lang::Fin => "fi",
        Lang::Tur => "tr",
        Lang::Nld => "nl",
        Lang::Hun => "hu",
        Lang::Ces => "cs",
        Lang::Ell => "el",
        Lang::Bul => "bg",
        Lang::Bel => "be",
        Lang::Mar => "mr",
        Lang::Kan => "kn",
        Lang::Ron => "ro",
        Lang::Slv => "sl",
        Lang::Hrv => "hr",
        Lang::Srp => "sr",
        Lang::Mkd => "mk",
        Lang::Lit => "lt",
        Lang::Lav => "lv",
        Lang::Est => "et",
        Lang::Tam => "ta",
        Lang::Vie => "vi",
        Lang::Urd => "ur",
        Lang::Tha => "th",
        Lang::Guj => "gu",
        Lang::Uzb => "uz",
        Lang::Pan => "pa",
        Lang::Aze => "az",
        Lang::Ind => "id",
        Lang::Tel => "te",
        Lang::Pes => "fa",
        Lang::Mal => "ml",
        Lang::Ori => "or",
        Lang::Mya => "my",
        Lang::Nep => "ne",
        Lang::Sin => "si",
        Lang::Khm => "km",
        Lang::Tuk => "tk",
        Lang::Aka => "ak",
        Lang::Zul => "zu",
        Lang::Sna => "sn",
        Lang::Afr => "af",
        Lang::Lat => "la",
        Lang::Slk => "sk",
        Lang::Cat => "ca",
        Lang::Tgl => "tl",
        Lang::Hye => "hy",
        Lang::Cym => "cy",
    }
}

/// whatlang's trigram profiles take short Dutch for Afrikaans. Dutch
/// keeps the articles `de`/`het`/`een` and the `ij` digraph, which
/// Afrikaans replaced by `die`/`'n` and `y`; when those Dutch markers
/// outnumber the Afrikaans ones, report Dutch.
fn dutch_not_afrikaans(text: &str, lang: Lang) -> Lang {
    if lang != Lang::Afr {
        return lang;
    }
    let (mut nl, mut af) = (0usize, 0usize);
    for w in text.split(|c: char| !c.is_alphabetic() && c != '\'') {
        let w = w.to_lowercase();
        match w.as_str() {
            "de" | "het" | "een" | "niet" | "zijn" | "wij" | "zij" | "bij" | "mij" => nl += 1,
            "die" | "'n" | "nie" | "ons" | "julle" | "hulle" | "baie" => af += 1,
            _ => {
                if w.contains("ij") {
                    nl += 1;
                }
            }
        }
    }
    if nl > af { Lang::Nld } else { lang }
}

/// Languages that a script alone identifies (one major language).
fn language_of_script(script: &str) -> Option<&'static str> {
    Some(match script {
        "Thai" => "th",
        "Hang" => "ko",
        "Jpan" | "Hira" | "Kana" => "ja",
        "Geor" => "ka",
        "Armn" => "hy",
        "Grek" => "el",
        "Khmr" => "km",
        "Laoo" => "lo",
        "Sinh" => "si",
        "Mymr" => "my",
        "Knda" => "kn",
        "Mlym" => "ml",
        "Telu" => "te",
        "Taml" => "ta",
        "Gujr" => "gu",
        "Guru" => "pa",
        "Orya" => "or",
        _ => return None,
    })
}

/// Guess the language and script of `text`.
///
/// Returns None when the text has fewer than [`MIN_LETTERS`] letters or no
/// language can be told. Texts under 16 letters get at most 0.5 confidence
/// (unless the script alone names the language), so that a single word
/// never reads as a firm identification.
pub fn detect_language(text: &str) -> Option<LanguageGuess> {
    let (script, letters) = detect_script(text)?;
    if letters < MIN_LETTERS {
        return None;
    }
    let script_share = {
        let in_script = text
            .chars()
            .filter_map(char_script)
            .filter(|s| {
                *s == script || (script == "Jpan" && matches!(*s, "Hira" | "Kana" | "Hani"))
            })
            .count();
        in_script as f32 / letters as f32
    };
    if let Some(lang) = language_of_script(script) {
        return Some(LanguageGuess {
            lang: lang.to_owned(),
            confidence: (0.95 * script_share).clamp(0.0, 1.0),
            script: script.to_owned(),
        });
    }
    // Han without any kana: Chinese (Japanese running text nearly always
    // has kana), but a kanji-only Japanese sign reads the same, hence the
    // lower confidence. Trigram models are no help on a few ideographs.
    if script == "Hani" {
        return Some(LanguageGuess {
            lang: "zh".to_owned(),
            confidence: (0.75 * script_share).clamp(0.0, 1.0),
            script: script.to_owned(),
        });
    }
    let info = whatlang::detect(text)?;
    let lang = dutch_not_afrikaans(text, info.lang());
    let mut confidence = info.confidence() as f32 * script_share;
    if letters < SHORT_LETTERS {
        confidence = confidence.min(0.5 * letters as f32 / SHORT_LETTERS as f32 + 0.1);
    }
    Some(LanguageGuess {
        lang: iso639_1(lang).to_owned(),
        confidence: confidence.clamp(0.0, 1.0),
        script: script.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lang(t: &str) -> Option<String> {
        detect_language(t).map(|g| g.lang)
    }

    #[test]
    fn sentences() {
        assert_eq!(
            lang("The quick brown fox jumps over the lazy dog near the river").as_deref(),
            Some("en")
        );
        assert_eq!(
            lang("Il est interdit de fumer dans les locaux de la gare").as_deref(),
            Some("fr")
        );
        assert_eq!(
            lang("Het is verboden om in het station te roken").as_deref(),
            Some("nl")
        );
        assert_eq!(lang("Welkom in het gemeentehuis").as_deref(), Some("nl"));
        assert_eq!(
            lang("Dit is nie toegelaat om hier te rook nie, baie dankie").as_deref(),
            Some("af")
        );
        assert_eq!(
            lang("Курение на территории вокзала строго запрещено").as_deref(),
            Some("ru")
        );
        assert_eq!(lang("ยินดีต้อนรับสู่กรุงเทพมหานคร").as_deref(), Some("th"));
        let zh = detect_language("欢迎光临上海大酒店").unwrap();
        assert_eq!((zh.lang.as_str(), zh.script.as_str()), ("zh", "Hani"));
        assert!(zh.confidence >= 0.5 && zh.confidence < 0.8, "{zh:?}");
        assert_eq!(lang("いらっしゃいませ東京駅").as_deref(), Some("ja"));
        assert_eq!(lang("환영합니다 부산 시청").as_deref(), Some("ko"));
        assert_eq!(lang("ممنوع التدخين في هذا المكان").as_deref(), Some("ar"));
    }

    #[test]
    fn scripts() {
        assert_eq!(detect_script("Привет").map(|s| s.0), Some("Cyrl"));
        assert_eq!(detect_script("東京駅").map(|s| s.0), Some("Hani"));
        assert_eq!(detect_script("とうきょう駅").map(|s| s.0), Some("Jpan"));
        assert_eq!(detect_script("שלום").map(|s| s.0), Some("Hebr"));
        assert_eq!(detect_script("123 !?"), None);
    }

    #[test]
    fn short_or_noise() {
        assert_eq!(detect_language(""), None);
        assert_eq!(detect_language("ab"), None);
        assert_eq!(detect_language("12345 -- ##"), None);
        if let Some(g) = detect_language("Hotel") {
            assert!(g.confidence <= 0.5, "{g:?}");
        }
    }
}
