//! The fixed cast of the demo: agencies, cases, places, cameras, signs,
//! videos and how variants travel between cases.

use crate::scenes::SceneKind;

/// One case and everything about its originals.
pub(crate) struct CaseDef {
    pub(crate) agency: &'static str,
    pub(crate) country: &'static str,
    pub(crate) case: &'static str,
    /// Latitude, longitude, altitude of the place the photos were taken.
    pub(crate) place: (f64, f64, f64),
    /// UTC offset of local time, `+HH:MM`.
    pub(crate) tz: &'static str,
    /// First capture day, `YYYY-MM-DD`.
    pub(crate) date: &'static str,
    pub(crate) camera: (&'static str, &'static str, &'static str),
    /// File name prefix, camera style.
    pub(crate) prefix: &'static str,
    /// Signs, one per image: (language, text). Image `i` shows sign `i`.
    pub(crate) signs: &'static [(&'static str, &'static str)],
    /// Scenes, cycled over the images.
    pub(crate) scenes: &'static [SceneKind],
}

use SceneKind::{Fields, Lake, Mountains, Room, Sea, Street};

pub(crate) const CASES: &[CaseDef] = &[
    CaseDef {
        agency: "BE",
        country: "BE",
        case: "BE-2024-017",
        place: (50.8466, 4.3528, 76.0),
        tz: "+01:00",
        date: "2024-03-02",
        camera: ("Canon", "Canon EOS 80D", "083021004512"),
        prefix: "IMG_04",
        signs: &[("fr", "Rue de la Loi"), ("nl", "Wandelpad")],
        scenes: &[Street, Lake, Room, Fields],
    },
    CaseDef {
        agency: "BE",
        country: "BE",
        case: "BE-2023-102",
        place: (51.0543, 3.7174, 8.0),
        tz: "+02:00",
        date: "2023-06-14",
        camera: ("Apple", "iPhone 12", "F17DL3K9Q1M2"),
        prefix: "IMG_71",
        signs: &[("nl", "Bakkerij De Zon")],
        scenes: &[Street, Room, Lake],
    },
    CaseDef {
        agency: "NL",
        country: "NL",
        case: "NL-2024-031",
        place: (52.3731, 4.8926, 2.0),
        tz: "+01:00",
        date: "2024-01-20",
        camera: ("NIKON CORPORATION", "NIKON D750", "3047219"),
        prefix: "DSC_00",
        signs: &[("nl", "Verboden te parkeren"), ("ar", "مغلق يوم الجمعة")],
        scenes: &[Street, Room, Lake, Fields],
    },
    CaseDef {
        agency: "CA",
        country: "CA",
        case: "CA-2023-221",
        place: (43.6532, -79.3832, 91.0),
        tz: "-04:00",
        date: "2023-09-08",
        camera: ("SONY", "ILCE-7M3", "4371125"),
        prefix: "DSC012",
        signs: &[("en", "NO PARKING\nANY TIME"), ("zh", "欢迎光临")],
        scenes: &[Street, Street, Lake, Room],
    },
    CaseDef {
        agency: "CA",
        country: "CA",
        case: "CA-2024-008",
        place: (45.5019, -73.5674, 30.0),
        tz: "-05:00",
        date: "2024-02-11",
        camera: ("Google", "Pixel 7", "28151FDH2000AB"),
        prefix: "PXL_2024",
        signs: &[("fr", "Boulangerie du Coin")],
        scenes: &[Street, Mountains, Room],
    },
    CaseDef {
        agency: "DE",
        country: "DE",
        case: "DE-2024-145",
        place: (52.52, 13.405, 34.0),
        tz: "+01:00",
        date: "2024-02-27",
        camera: ("FUJIFILM", "X-T30", "7BQ05632"),
        prefix: "DSCF31",
        signs: &[
            ("de", "Bahnhofstraße"),
            ("pl", "Uwaga!\nŚwieżo malowane"),
            ("ru", "Осторожно,\nокрашено"),
        ],
        scenes: &[Street, Room, Room, Mountains],
    },
    CaseDef {
        agency: "TH",
        country: "TH",
        case: "TH-2024-009",
        place: (13.7563, 100.5018, 4.0),
        tz: "+07:00",
        date: "2024-04-05",
        camera: ("samsung", "SM-G991B", "R5CR30ABCDE"),
        prefix: "2024040",
        signs: &[("th", "ร้านกาแฟ"), ("ja", "営業中")],
        scenes: &[Street, Room, Sea],
    },
    CaseDef {
        agency: "BR",
        country: "BR",
        case: "BR-2023-077",
        place: (-23.5505, -46.6333, 760.0),
        tz: "-03:00",
        date: "2023-08-15",
        camera: ("motorola", "moto g(60)", "ZY22FKXB7C"),
        prefix: "IMG_2023",
        signs: &[("pt", "Padaria São João"), ("es", "Se alquila")],
        scenes: &[Street, Room, Sea, Mountains],
    },
];

/// A video: which case holds it, container, scene, language and sentence.
pub(crate) struct VideoDef {
    pub(crate) case: usize,
    pub(crate) name: &'static str,
    pub(crate) scene: SceneKind,
    pub(crate) voice: &'static str,
    pub(crate) lang: &'static str,
    pub(crate) speech: &'static str,
    /// A still from this video goes to this case, taken at this time.
    pub(crate) still: Option<(usize, f64)>,
}

pub(crate) const VIDEOS: &[VideoDef] = &[
    VideoDef {
        case: 0,
        name: "MVI_0420.mp4",
        scene: Street,
        voice: "fr",
        lang: "fr",
        speech: "Bonjour. Nous sommes dans la rue, il fait beau aujourd'hui.",
        still: Some((2, 2.0)),
    },
    VideoDef {
        case: 2,
        name: "VID_20240121.mp4",
        scene: Lake,
        voice: "nl",
        lang: "nl",
        speech: "Goedemiddag. Het meer is vandaag heel rustig.",
        still: None,
    },
    VideoDef {
        case: 3,
        name: "clip_0003.mkv",
        scene: Fields,
        voice: "en-us",
        lang: "en",
        speech: "Good morning. The fields are green and the weather is nice.",
        still: None,
    },
    VideoDef {
        case: 5,
        name: "MOV_0007.mov",
        scene: Mountains,
        voice: "de",
        lang: "de",
        speech: "Guten Tag. Die Berge sind heute sehr schön.",
        still: Some((6, 1.5)),
    },
    VideoDef {
        case: 7,
        name: "VID-20230816.mp4",
        scene: Sea,
        voice: "pt-br",
        lang: "pt",
        speech: "Bom dia. O mar está calmo hoje.",
        still: None,
    },
];

/// Stand-alone speech recordings: (case, file name, voice, language, text).
pub(crate) const AUDIO: &[(usize, &str, &str, &str, &str)] = &[
    (
        5,
        "voice_memo.wav",
        "ru",
        "ru",
        "Добрый день. Сегодня хорошая погода.",
    ),
    (
        7,
        "audio_0001.m4a",
        "es",
        "es",
        "Buenos días. Hoy hace buen tiempo en la ciudad.",
    ),
];
