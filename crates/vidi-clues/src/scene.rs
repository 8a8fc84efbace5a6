//! Scene type from the image backbone's ImageNet classifier: indoor or
//! outdoor, landscape (alp, valley, seashore, volcano...), built scene
//! (church, mosque, palace, library, restaurant, bakery...) and room type
//! (bedroom, bathroom, kitchen...).
//!
//! ImageNet-1k has no scene classes as such, but about seventy of its
//! classes are places (`alp`, `valley`, `church`, `library`, `bakery`...) or
//! objects that only stand in one kind of place (a four-poster bed, a
//! bathtub, a stove). [`SCENE_GROUPS`] maps those class indices to scene
//! groups; the softmax probabilities of a group's classes are summed into
//! the group's score. Groups scoring at least [`MIN_GROUP_SCORE`] become
//! [`ClueKind::Scene`] clues (value = group name, confidence = summed
//! probability, detail = the contributing classes). Each group is indoor
//! or outdoor; the two sums give one more clue, `indoor` or `outdoor`
//! (see [`setting_clue`]).
//!
//! Videos: up to [`VIDEO_FRAMES`] keyframes (at scene changes, else evenly
//! spaced, as `vidi-video` picks them for thumbnails) are classified and
//! each gives its clues with the frame's time.

use serde_json::json;
use vidi_embed::{Analysis, Backbone};
use vidi_types::{Cancel, MediaKind, MediaRecord};

use crate::{Clue, ClueError, ClueExtractor, ClueInput, ClueKind, ModelRef, read_bytes};

/// The model this extractor loads from the models directory.
pub const SCENE_MODEL: &str = "mobilenet-v2-imagenet";

/// A group below this summed probability gives no clue.
pub const MIN_GROUP_SCORE: f32 = 0.05;

/// Keyframes classified per video.
pub const VIDEO_FRAMES: usize = 3;

/// Most scene-group clues per image or frame (best first).
const MAX_GROUPS: usize = 5;

/// Where a scene group is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Setting {
    /// Inside a building.
    Indoor,
    /// Outside.
    Outdoor,
}

impl Setting {
    /// `indoor` or `outdoor`.
    pub fn as_str(self) -> &'static str {
        match self {
            Setting::Indoor => "indoor",
            Setting::Outdoor => "outdoor",
        }
    }
}

/// A scene group: name, family, setting and the ImageNet-1k class indices
/// (with their label, checked against the model's labels at load).
#[derive(Debug, Clone, Copy)]
pub struct SceneGroup {
    /// The clue value (`valley`, `church`, `bedroom`...).
    pub name: &'static str,
    /// `landscape`, `building`, `shop`, `room`, `street`, `waterside`.
    pub family: &'static str,
    /// Indoor or outdoor.
    pub setting: Setting,
    /// ImageNet-1k class indices and labels (first synonym).
    pub classes: &'static [(usize, &'static str)],
}

const fn g(
    name: &'static str,
    family: &'static str,
    setting: Setting,
    classes: &'static [(usize, &'static str)],
) -> SceneGroup {
    SceneGroup {
        name,
        family,
        setting,
        classes,
    }
}

use Setting::{Indoor, Outdoor};

/// The documented mapping of ImageNet-1k classes to scene groups. A class
/// belongs to one group at most. Landscapes are ImageNet's geological
/// formation classes one by one; buildings and shops are the classes that
/// name a place; rooms are inferred from furniture and fittings that stand
/// in one kind of room; `street`, `waterside`, `field` and `snow` gather
/// outdoor objects.
pub const SCENE_GROUPS: &[SceneGroup] = &[
    // Landscapes (ImageNet's geological formations, 970-980).
    g("alp", "landscape", Outdoor, &[(970, "alp")]),
    g("cliff", "landscape", Outdoor, &[(972, "cliff")]),
    g("coral reef", "landscape", Outdoor, &[(973, "coral reef")]),
    g("geyser", "landscape", Outdoor, &[(974, "geyser")]),
    g("lakeside", "landscape", Outdoor, &[(975, "lakeside")]),
    g("promontory", "landscape", Outdoor, &[(976, "promontory")]),
    g("sandbar", "landscape", Outdoor, &[(977, "sandbar")]),
    g("seashore", "landscape", Outdoor, &[(978, "seashore")]),
    g("valley", "landscape", Outdoor, &[(979, "valley")]),
    g("volcano", "landscape", Outdoor, &[(980, "volcano")]),
    g(
        "field",
        "landscape",
        Outdoor,
        &[(958, "hay"), (984, "rapeseed")],
    ),
    g(
        "snow",
        "landscape",
        Outdoor,
        &[
            (537, "dogsled"),
            (795, "ski"),
            (802, "snowmobile"),
            (803, "snowplow"),
        ],
    ),
    // Buildings and monuments.
    g(
        "church",
        "building",
        Outdoor,
        &[(497, "church"), (442, "bell cote")],
    ),
    g("church interior", "building", Indoor, &[(406, "altar")]),
    g("mosque", "building", Outdoor, &[(668, "mosque")]),
    g("palace", "building", Outdoor, &[(698, "palace")]),
    g("castle", "building", Outdoor, &[(483, "castle")]),
    g("monastery", "building", Outdoor, &[(663, "monastery")]),
    g("stupa", "building", Outdoor, &[(832, "stupa")]),
    g("dome", "building", Outdoor, &[(538, "dome")]),
    g(
        "monument",
        "building",
        Outdoor,
        &[
            (873, "triumphal arch"),
            (682, "obelisk"),
            (649, "megalith"),
            (863, "totem pole"),
        ],
    ),
    g(
        "cliff dwelling",
        "building",
        Outdoor,
        &[(500, "cliff dwelling")],
    ),
    g("barn", "building", Outdoor, &[(425, "barn")]),
    g("greenhouse", "building", Outdoor, &[(580, "greenhouse")]),
    g("boathouse", "building", Outdoor, &[(449, "boathouse")]),
    g("yurt", "building", Outdoor, &[(915, "yurt")]),
    g("mobile home", "building", Outdoor, &[(660, "mobile home")]),
    g(
        "roof",
        "building",
        Outdoor,
        &[(853, "thatch"), (858, "tile roof")],
    ),
    g("prison", "building", Outdoor, &[(743, "prison")]),
    g("patio", "building", Outdoor, &[(706, "patio")]),
    g("library", "building", Indoor, &[(624, "library")]),
    g("cinema", "building", Indoor, &[(498, "cinema")]),
    g("planetarium", "building", Outdoor, &[(727, "planetarium")]),
    g(
        "stage",
        "building",
        Indoor,
        &[(819, "stage"), (854, "theater curtain")],
    ),
    // Shops and restaurants.
    g("restaurant", "shop", Indoor, &[(762, "restaurant")]),
    g("bakery", "shop", Indoor, &[(415, "bakery")]),
    g("butcher shop", "shop", Indoor, &[(467, "butcher shop")]),
    g("barbershop", "shop", Indoor, &[(424, "barbershop")]),
    g("bookshop", "shop", Indoor, &[(454, "bookshop")]),
    g("confectionery", "shop", Indoor, &[(509, "confectionery")]),
    g("grocery store", "shop", Indoor, &[(582, "grocery store")]),
    g("shoe shop", "shop", Indoor, &[(788, "shoe shop")]),
    g("tobacco shop", "shop", Indoor, &[(860, "tobacco shop")]),
    g("toyshop", "shop", Indoor, &[(865, "toyshop")]),
    // Rooms, from what stands in them.
    g(
        "bedroom",
        "room",
        Indoor,
        &[
            (564, "four-poster"),
            (750, "quilt"),
            (721, "pillow"),
            (520, "crib"),
            (516, "cradle"),
            (431, "bassinet"),
            (894, "wardrobe"),
            (493, "chiffonier"),
        ],
    ),
    g(
        "bathroom",
        "room",
        Indoor,
        &[
            (435, "bathtub"),
            (876, "tub"),
            (794, "shower curtain"),
            (861, "toilet seat"),
            (896, "washbasin"),
            (648, "medicine chest"),
            (804, "soap dispenser"),
        ],
    ),
    g(
        "kitchen",
        "room",
        Indoor,
        &[
            (760, "refrigerator"),
            (827, "stove"),
            (651, "microwave"),
            (534, "dishwasher"),
            (859, "toaster"),
            (729, "plate rack"),
            (521, "Crock Pot"),
        ],
    ),
    g(
        "living room",
        "room",
        Indoor,
        &[
            (831, "studio couch"),
            (548, "entertainment center"),
            (598, "home theater"),
            (851, "television"),
            (765, "rocking chair"),
            (556, "fire screen"),
            (453, "bookcase"),
            (905, "window shade"),
            (846, "table lamp"),
            (619, "lampshade"),
            (741, "prayer rug"),
        ],
    ),
    g(
        "dining room",
        "room",
        Indoor,
        &[(532, "dining table"), (495, "china cabinet")],
    ),
    g(
        "office",
        "room",
        Indoor,
        &[
            (526, "desk"),
            (527, "desktop computer"),
            (664, "monitor"),
            (508, "computer keyboard"),
            (713, "photocopier"),
            (553, "file"),
            (742, "printer"),
        ],
    ),
    g(
        "gym",
        "room",
        Indoor,
        &[
            (422, "barbell"),
            (543, "dumbbell"),
            (602, "horizontal bar"),
            (702, "parallel bars"),
            (416, "balance beam"),
            (747, "punching bag"),
        ],
    ),
    // Outdoor objects.
    g(
        "street",
        "street",
        Outdoor,
        &[
            (919, "street sign"),
            (920, "traffic light"),
            (704, "parking meter"),
            (640, "manhole cover"),
            (637, "mailbox"),
            (829, "streetcar"),
            (874, "trolleybus"),
            (703, "park bench"),
            (562, "fountain"),
        ],
    ),
    g(
        "bridge",
        "street",
        Outdoor,
        &[
            (821, "steel arch bridge"),
            (839, "suspension bridge"),
            (888, "viaduct"),
        ],
    ),
    g(
        "fence",
        "street",
        Outdoor,
        &[
            (716, "picket fence"),
            (912, "worm fence"),
            (489, "chainlink fence"),
            (825, "stone wall"),
        ],
    ),
    g(
        "harbour",
        "waterside",
        Outdoor,
        &[
            (718, "pier"),
            (536, "dock"),
            (460, "breakwater"),
            (437, "beacon"),
            (525, "dam"),
            (913, "wreck"),
        ],
    ),
];

/// The score of every scene group for one set of ImageNet probabilities
/// (`probs[i]` for class `i`), best first, zero scores left out.
pub fn group_scores(probs: &[f32]) -> Vec<(&'static SceneGroup, f32)> {
    let mut out: Vec<(&'static SceneGroup, f32)> = SCENE_GROUPS
        .iter()
        .map(|g| {
            let s = g
                .classes
                .iter()
                .map(|&(i, _)| probs.get(i).copied().unwrap_or(0.0))
                .sum::<f32>();
            (g, s)
        })
        .filter(|(_, s)| *s > 0.0)
        .collect();
    out.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.name.cmp(b.0.name)));
    out
}

/// Indoor or outdoor from the summed group scores: the larger side, with
/// confidence `side / (indoor + outdoor)` scaled down when the two together
/// hold less than half of the probability (`* min(1, 2 * (indoor +
/// outdoor))`). `None` when they hold less than 10 %.
pub fn setting_clue(scores: &[(&SceneGroup, f32)]) -> Option<(Setting, f32, f32, f32)> {
    let sum = |s: Setting| -> f32 {
        scores
            .iter()
            .filter(|(g, _)| g.setting == s)
            .map(|(_, p)| p)
            .sum()
    };
    let (indoor, outdoor) = (sum(Indoor), sum(Outdoor));
    let total = indoor + outdoor;
    if total < 0.10 {
        return None;
    }
    let (side, mass) = if indoor > outdoor {
        (Indoor, indoor)
    } else {
        (Outdoor, outdoor)
    };
    Some((side, mass / total * (2.0 * total).min(1.0), indoor, outdoor))
}

fn softmax(logits: &[f32]) -> Vec<f32> {
    let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let e: Vec<f32> = logits.iter().map(|l| (l - max).exp()).collect();
    let s: f32 = e.iter().sum();
    if s > 0.0 && s.is_finite() {
        e.into_iter().map(|x| x / s).collect()
    } else {
        vec![0.0; logits.len()]
    }
}

/// Scene type of images and video keyframes.
pub struct SceneExtractor {
    backbone: Backbone,
    model: ModelRef,
    limits: vidi_media::Limits,
    video_limits: vidi_video::VideoLimits,
}

impl std::fmt::Debug for SceneExtractor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SceneExtractor")
            .field("model", &self.model)
            .finish_non_exhaustive()
    }
}

fn missing(why: String) -> ClueError {
    ClueError::ModelMissing {
        extractor: "scene",
        name: SCENE_MODEL.into(),
        why,
    }
}

impl SceneExtractor {
    /// Load [`SCENE_MODEL`] from a models directory; a missing or unusable
    /// model is [`ClueError::ModelMissing`] saying why.
    pub fn load(models_dir: &std::path::Path) -> Result<SceneExtractor, ClueError> {
        let reg = vidi_models::Registry::open(models_dir).map_err(|e| missing(e.to_string()))?;
        let model = reg.get(SCENE_MODEL).map_err(|e| missing(e.to_string()))?;
        let backbone = Backbone::load(model).map_err(|e| missing(e.to_string()))?;
        Self::with_backbone(backbone)
    }

    /// An extractor on a loaded backbone. Its labels, when it has any, must
    /// be ImageNet-1k's in the usual order (checked on every mapped class).
    pub fn with_backbone(backbone: Backbone) -> Result<SceneExtractor, ClueError> {
        let labels = backbone.labels();
        if !labels.is_empty() {
            for grp in SCENE_GROUPS {
                for &(i, label) in grp.classes {
                    if labels.get(i).map(String::as_str) != Some(label) {
                        return Err(missing(format!(
                            "class {i} of {} is not ImageNet-1k's {label:?}",
                            backbone.name()
                        )));
                    }
                }
            }
        }
        let model = ModelRef {
            name: backbone.name().to_owned(),
            sha256: backbone.model_sha256().to_owned(),
        };
        Ok(SceneExtractor {
            backbone,
            model,
            limits: vidi_media::Limits::default(),
            video_limits: vidi_video::VideoLimits::default(),
        })
    }

    /// Scene clues of one decoded RGB8 image (`time` for a video frame).
    pub fn classify(
        &self,
        rgb: &[u8],
        width: u32,
        height: u32,
        time: Option<f64>,
    ) -> Result<Vec<Clue>, ClueError> {
        let a = self
            .backbone
            .analyse(rgb, width, height)
            .map_err(ClueError::Embed)?;
        Ok(self.clues_of(&a, time))
    }

    fn clues_of(&self, a: &Analysis, time: Option<f64>) -> Vec<Clue> {
        let Some(logits) = &a.logits else {
            return Vec::new();
        };
        let probs = softmax(logits);
        let scores = group_scores(&probs);
        let top: Vec<_> = a
            .top_classes(5)
            .into_iter()
            .map(|c| json!({"index": c.index, "label": c.label, "p": round4(c.probability)}))
            .collect();
        let clue = |value: &str, confidence: f32, detail| Clue {
            kind: ClueKind::Scene,
            value: value.to_owned(),
            confidence: confidence.clamp(0.0, 1.0),
            extractor: "scene".into(),
            version: VERSION,
            model: Some(self.model.clone()),
            region: None,
            time_range: time.map(|t| [t, t]),
            detail,
        };
        let mut out = Vec::new();
        if let Some((side, conf, indoor, outdoor)) = setting_clue(&scores) {
            out.push(clue(
                side.as_str(),
                conf,
                json!({"family": "setting", "indoor": round4(indoor), "outdoor": round4(outdoor),
                       "top_classes": top}),
            ));
        }
        for (grp, score) in scores
            .iter()
            .filter(|(_, s)| *s >= MIN_GROUP_SCORE)
            .take(MAX_GROUPS)
        {
            let classes: Vec<_> = grp
                .classes
                .iter()
                .filter_map(|&(i, label)| {
                    let p = probs.get(i).copied().unwrap_or(0.0);
                    (p >= 0.005).then(|| json!({"index": i, "label": label, "p": round4(p)}))
                })
                .collect();
            out.push(clue(
                grp.name,
                *score,
                json!({"family": grp.family, "setting": grp.setting.as_str(), "classes": classes}),
            ));
        }
        out
    }

    fn video_frames(&self, input: ClueInput<'_>, cancel: &Cancel) -> Result<Vec<Clue>, ClueError> {
        let (Some(path), Some(info)) = (input.path, input.media.video.as_ref()) else {
            return Ok(Vec::new());
        };
        let frames = vidi_video::keyframe_thumbnails(
            path,
            info,
            vidi_video::MAX_THUMB_SIDE,
            VIDEO_FRAMES,
            &self.video_limits,
            cancel,
        )
        .map_err(ClueError::Video)?;
        let mut out = Vec::new();
        for (t, jpeg, _, _) in frames {
            if cancel.is_cancelled() {
                return Err(ClueError::Cancelled);
            }
            let img = vidi_media::decode_image(&jpeg, &self.limits).map_err(ClueError::Decode)?;
            out.extend(self.classify(&img.rgb, img.width, img.height, Some(t))?);
        }
        Ok(out)
    }
}

fn round4(x: f32) -> f64 {
    (f64::from(x) * 1e4).round() / 1e4
}

const VERSION: u32 = 1;

impl ClueExtractor for SceneExtractor {
    fn id(&self) -> &'static str {
        "scene"
    }

    fn version(&self) -> u32 {
        VERSION
    }

    fn model(&self) -> Option<ModelRef> {
        Some(self.model.clone())
    }

    fn applies(&self, media: &MediaRecord) -> bool {
        crate::has_pictures(media)
    }

    fn extract(&self, input: ClueInput<'_>, cancel: &Cancel) -> Result<Vec<Clue>, ClueError> {
        if input.media.kind == MediaKind::Video {
            return self.video_frames(input, cancel);
        }
        let Some(bytes) = read_bytes(input)? else {
            return Ok(Vec::new());
        };
        let img = vidi_media::decode_image(&bytes, &self.limits).map_err(ClueError::Decode)?;
        drop(bytes);
        if cancel.is_cancelled() {
            return Err(ClueError::Cancelled);
        }
        self.classify(&img.rgb, img.width, img.height, None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_are_unique_and_in_range() {
        let mut seen = std::collections::HashSet::new();
        for grp in SCENE_GROUPS {
            assert!(!grp.classes.is_empty(), "{}", grp.name);
            for &(i, _) in grp.classes {
                assert!(i < 1000);
                assert!(seen.insert(i), "class {i} in two groups");
            }
        }
        let names: std::collections::HashSet<_> = SCENE_GROUPS.iter().map(|g| g.name).collect();
        assert_eq!(names.len(), SCENE_GROUPS.len());
    }

    #[test]
    fn sums_group_probabilities() {
        let mut p = vec![0.0f32; 1000];
        p[979] = 0.4; // valley
        p[970] = 0.2; // alp
        p[564] = 0.05; // four-poster
        p[750] = 0.05; // quilt
        p[1] = 0.3; // a fish: no group
        let s = group_scores(&p);
        assert_eq!(s[0].0.name, "valley");
        assert!((s[0].1 - 0.4).abs() < 1e-6);
        assert_eq!(s[1].0.name, "alp");
        assert_eq!(s[2].0.name, "bedroom");
        assert!((s[2].1 - 0.1).abs() < 1e-6);
        let (side, conf, indoor, outdoor) = setting_clue(&s).unwrap();
        assert_eq!(side, Outdoor);
        assert!((indoor - 0.1).abs() < 1e-6 && (outdoor - 0.6).abs() < 1e-6);
        assert!((conf - 0.6 / 0.7).abs() < 1e-5);
    }

    #[test]
    fn little_mass_gives_no_setting() {
        let mut p = vec![0.0f32; 1000];
        p[979] = 0.05;
        assert!(setting_clue(&group_scores(&p)).is_none());
        // Less than half the mass: the confidence is scaled down.
        p[979] = 0.2;
        let (_, conf, _, _) = setting_clue(&group_scores(&p)).unwrap();
        assert!((conf - 0.4).abs() < 1e-6);
    }

    #[test]
    fn softmax_is_safe() {
        let s = softmax(&[1.0, 2.0, 3.0]);
        assert!((s.iter().sum::<f32>() - 1.0).abs() < 1e-6);
        assert_eq!(softmax(&[f32::NAN, 1.0]).len(), 2);
        assert!(softmax(&[]).is_empty());
    }
}
