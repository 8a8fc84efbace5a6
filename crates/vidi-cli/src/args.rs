//! Command-line arguments (clap derive). Parsing only: no behaviour.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// vidi: victim-identification workbench.
#[derive(Debug, Parser)]
#[command(name = "vidi", version, about, propagate_version = true)]
pub(crate) struct Cli {
    /// More logging on stderr (-v info, -vv debug). `VIDI_LOG` overrides.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub(crate) verbose: u8,
    /// No progress bar and no log output but errors.
    #[arg(short, long, global = true)]
    pub(crate) quiet: bool,
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Create a workspace (vidi.db and blobs/); does nothing if it exists.
    Init(WorkspaceArg),
    /// Ingest files and folders as evidence of a case.
    Ingest(IngestArgs),
    /// List evidence items, one per line (or one JSON object per line).
    Ls(LsArgs),
    /// Show one media by SHA-256 (or a prefix of it, or its MD5/SHA-1).
    Show(ShowArgs),
    /// Build a synthetic benign multi-agency dataset and ingest it.
    Demo(DemoArgs),
    /// Known-hash sets: import, list, remove.
    #[command(subcommand)]
    Hashsets(HashsetsCommand),
    /// Match media against the imported hash sets (also done after ingest and import).
    Match(MatchArgs),
    /// Triage a case: known (identified or not), known software, new.
    Triage(TriageArgs),
    /// Set an investigator's category on a media (kept apart from hash-set categories).
    Categorize(CategorizeArgs),
    /// Export a case's media as VICS JSON or ICSE CSV.
    #[command(subcommand)]
    Export(ExportCommand),
    /// Run the clue extractors (GPS, camera, OCR, speech) over the media.
    Clues(CluesArgs),
    /// Ranked country hypotheses of a media, with the evidence behind each.
    Locate(LocateArgs),
    /// Model files vidi may load (no downloads): list, verify, add.
    #[command(subcommand)]
    Models(ModelsCommand),
    /// Benchmarks.
    #[command(subcommand)]
    Bench(BenchCommand),
    /// Links across cases and agencies: near duplicates, stills of videos, clips.
    Links(LinksArgs),
    /// The nearest media by image embedding (same scene, same room), with the region that matched.
    Similar(crate::cmd::similar::SimilarArgs),
    /// Series: create, rename, merge, split, list.
    #[command(subcommand)]
    Series(crate::cmd::series::SeriesCommand),
    /// Serve the HTTP API and web UI for investigators of many agencies.
    Serve(crate::cmd::serve::ServeArgs),
    /// Agencies (name, country) of a shared workspace.
    #[command(subcommand)]
    Agencies(crate::cmd::accounts::AgenciesCommand),
    /// Users of a shared workspace (analyst, reviewer, admin).
    #[command(subcommand)]
    Users(crate::cmd::accounts::UsersCommand),
    /// The hash-chained audit log.
    #[command(subcommand)]
    Audit(crate::cmd::audit::AuditCommand),
    /// Dissemination packages: verify a signed package.
    #[command(subcommand)]
    Package(crate::cmd::package::PackageCommand),
}

#[derive(Debug, Args)]
pub(crate) struct LinksArgs {
    #[command(flatten)]
    pub(crate) ws: WorkspaceArg,
    /// Only links with a media of this case.
    #[arg(long)]
    pub(crate) case: Option<String>,
    /// One JSON object per line.
    #[arg(long)]
    pub(crate) json: bool,
    /// Also links within one case and agency.
    #[arg(long)]
    pub(crate) all: bool,
    /// Link the media not linked yet, print a summary, list nothing.
    #[arg(long, conflicts_with = "no_update")]
    pub(crate) update: bool,
    /// Remove every link and link all media again, print a summary.
    #[arg(long, conflicts_with = "no_update")]
    pub(crate) rebuild: bool,
    /// List the stored links without linking new media first.
    #[arg(long)]
    pub(crate) no_update: bool,
}

#[derive(Debug, Args)]
pub(crate) struct BenchLinkArgs {
    /// Media units: images plus one frame per second of video.
    #[arg(long, default_value_t = 10_000)]
    pub(crate) media: usize,
    /// Share of the units that are video frames.
    #[arg(long, default_value_t = 0.3)]
    pub(crate) video_share: f64,
    /// Random seed.
    #[arg(long, default_value_t = 1)]
    pub(crate) seed: u64,
    /// JSON output.
    #[arg(long)]
    pub(crate) json: bool,
}

#[derive(Debug, Args)]
pub(crate) struct CluesArgs {
    #[command(flatten)]
    pub(crate) ws: WorkspaceArg,
    /// Only the media of this case.
    #[arg(long)]
    pub(crate) case: Option<String>,
    /// Only these extractors, comma-separated: gps, camera, ocr, speech.
    #[arg(long)]
    pub(crate) only: Option<String>,
    /// Worker threads (default: number of cores).
    #[arg(short = 'j', long, default_value_t = 0)]
    pub(crate) threads: usize,
    /// Recompute clues that are up to date.
    #[arg(long)]
    pub(crate) force: bool,
    /// Print the summary as JSON.
    #[arg(long)]
    pub(crate) json: bool,
}

#[derive(Debug, Args)]
pub(crate) struct LocateArgs {
    #[command(flatten)]
    pub(crate) ws: WorkspaceArg,
    /// The media: SHA-256 or a prefix of it (at least 4 hex), or its MD5/SHA-1.
    #[arg(required_unless_present = "series", conflicts_with = "series")]
    pub(crate) media: Option<String>,
    /// A series (its id or name) instead of one media: the clues of all its media rolled up.
    #[arg(long)]
    pub(crate) series: Option<String>,
    /// At most this many countries.
    #[arg(long, default_value_t = 10)]
    pub(crate) limit: usize,
    /// JSON output.
    #[arg(long)]
    pub(crate) json: bool,
}

#[derive(Debug, Args)]
pub(crate) struct ModelsDirArg {
    /// Models directory (default: $VIDI_MODELS_DIR or ~/.cache/vidi-models).
    #[arg(long)]
    pub(crate) models_dir: Option<PathBuf>,
    /// JSON output.
    #[arg(long)]
    pub(crate) json: bool,
}

#[derive(Debug, Subcommand)]
pub(crate) enum ModelsCommand {
    /// The installed models: name, task, architecture, licence, source, files.
    List(ModelsDirArg),
    /// Check every file of one model (or all) against its manifest's size and SHA-256.
    Verify {
        #[command(flatten)]
        dir: ModelsDirArg,
        /// Only this model.
        name: Option<String>,
    },
    /// Add a model described by a manifest.json (files beside it): verified, then copied in.
    Add {
        #[command(flatten)]
        dir: ModelsDirArg,
        /// The manifest.json of the model to add.
        manifest: PathBuf,
    },
}

#[derive(Debug, Args)]
pub(crate) struct TriageArgs {
    #[command(flatten)]
    pub(crate) ws: WorkspaceArg,
    /// The case.
    #[arg(long)]
    pub(crate) case: String,
    /// JSON output.
    #[arg(long)]
    pub(crate) json: bool,
}

#[derive(Debug, Args)]
pub(crate) struct CategorizeArgs {
    #[command(flatten)]
    pub(crate) ws: WorkspaceArg,
    /// The media: SHA-256 or a prefix of it (at least 4 hex), or its MD5/SHA-1.
    pub(crate) media: String,
    /// Scheme: vics-us-2.0, vics-us, dhs-legacy, caid-uk, icse-flags.
    #[arg(long)]
    pub(crate) scheme: String,
    /// Code in that scheme (e.g. 1, A, baseline).
    #[arg(long)]
    pub(crate) code: String,
    /// Who sets it (default: the login name).
    #[arg(long)]
    pub(crate) by: Option<String>,
    /// Why.
    #[arg(long)]
    pub(crate) note: Option<String>,
    /// JSON output (the media's category history).
    #[arg(long)]
    pub(crate) json: bool,
}

#[derive(Debug, Subcommand)]
pub(crate) enum ExportCommand {
    /// VICS JSON: 2.0 writes a case file (Cases with Media[]), 1.3 a hash set.
    #[command(disable_version_flag = true)]
    Vics(ExportVicsArgs),
    /// INTERPOL ICSE `;` CSV.
    IcseCsv(ExportArgs),
}

#[derive(Debug, Args)]
pub(crate) struct ExportArgs {
    #[command(flatten)]
    pub(crate) ws: WorkspaceArg,
    /// The case.
    #[arg(long)]
    pub(crate) case: String,
    /// Output file (default: standard output).
    #[arg(short, long)]
    pub(crate) out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub(crate) struct ExportVicsArgs {
    #[command(flatten)]
    pub(crate) export: ExportArgs,
    /// VICS version: 2.0 or 1.3.
    #[arg(long, default_value = "2.0")]
    pub(crate) version: String,
}

#[derive(Debug, Subcommand)]
pub(crate) enum HashsetsCommand {
    /// Import a hash list (VICS JSON, ICSE CSV, NSRL RDS v2/v3, ThreatExchange CSV, plain).
    Import(HashsetImportArgs),
    /// List the imported sets.
    Ls(HashsetLsArgs),
    /// Remove a set (by id, or by name when only one set has it) and its matches.
    Rm(HashsetRmArgs),
}

#[derive(Debug, Args)]
pub(crate) struct HashsetImportArgs {
    #[command(flatten)]
    pub(crate) ws: WorkspaceArg,
    /// The hash list file.
    pub(crate) file: PathBuf,
    /// Format: auto, vics, icse, nsrl2, nsrl3, te-csv, plain.
    #[arg(long, default_value = "auto")]
    pub(crate) format: String,
    /// Name of the set (default: the file name).
    #[arg(long)]
    pub(crate) name: Option<String>,
    /// In plain lists, 64-hex lines are PDQ hashes (default: SHA-256).
    #[arg(long)]
    pub(crate) pdq: bool,
    /// Do not match the workspace's media against the new set.
    #[arg(long)]
    pub(crate) no_match: bool,
    /// Print the summary as JSON.
    #[arg(long)]
    pub(crate) json: bool,
}

#[derive(Debug, Args)]
pub(crate) struct HashsetLsArgs {
    #[command(flatten)]
    pub(crate) ws: WorkspaceArg,
    /// One JSON object per line.
    #[arg(long)]
    pub(crate) json: bool,
}

#[derive(Debug, Args)]
pub(crate) struct HashsetRmArgs {
    #[command(flatten)]
    pub(crate) ws: WorkspaceArg,
    /// Set id, or name.
    pub(crate) set: String,
}

#[derive(Debug, Args)]
pub(crate) struct MatchArgs {
    #[command(flatten)]
    pub(crate) ws: WorkspaceArg,
    /// Only the media of this case.
    #[arg(long)]
    pub(crate) case: Option<String>,
    /// PDQ Hamming radius.
    #[arg(long, default_value_t = 31)]
    pub(crate) radius: u32,
    /// Skip PDQ hashes of lower quality (media and list side).
    #[arg(long, default_value_t = 50)]
    pub(crate) min_quality: u8,
    /// Print the summary as JSON.
    #[arg(long)]
    pub(crate) json: bool,
}

#[derive(Debug, Args)]
pub(crate) struct WorkspaceArg {
    /// Workspace folder.
    #[arg(short, long, env = "VIDI_WORKSPACE")]
    pub(crate) workspace: PathBuf,
}

#[derive(Debug, Args)]
pub(crate) struct IngestArgs {
    #[command(flatten)]
    pub(crate) ws: WorkspaceArg,
    /// Case number, e.g. BE-2024-017.
    #[arg(long)]
    pub(crate) case: String,
    /// Agency code of the case owner, e.g. BE.
    #[arg(long)]
    pub(crate) agency: String,
    /// Files and folders to ingest.
    #[arg(required = true)]
    pub(crate) paths: Vec<PathBuf>,
    /// Also compute the 8 dihedral PDQ variants (rotations and mirrors).
    #[arg(long)]
    pub(crate) dihedral: bool,
    /// Do not write thumbnails.
    #[arg(long)]
    pub(crate) no_thumbnails: bool,
    /// Do not match the ingested media against the imported hash sets.
    #[arg(long)]
    pub(crate) no_match: bool,
    /// Also run the clue extractors on the ingested case.
    #[arg(long)]
    pub(crate) clues: bool,
    /// Worker threads (default: number of cores).
    #[arg(short = 'j', long, default_value_t = 0)]
    pub(crate) threads: usize,
    /// Time budget per file, in seconds.
    #[arg(long, default_value_t = 60)]
    pub(crate) file_budget: u64,
    /// Print the final summary as JSON on stdout.
    #[arg(long)]
    pub(crate) json: bool,
}

#[derive(Debug, Args)]
pub(crate) struct LsArgs {
    #[command(flatten)]
    pub(crate) ws: WorkspaceArg,
    /// Only this case.
    #[arg(long)]
    pub(crate) case: Option<String>,
    /// One JSON object per line.
    #[arg(long)]
    pub(crate) json: bool,
}

#[derive(Debug, Args)]
pub(crate) struct ShowArgs {
    #[command(flatten)]
    pub(crate) ws: WorkspaceArg,
    /// SHA-256 or a prefix of it (at least 4 hex chars), or a full MD5/SHA-1.
    pub(crate) id: String,
    /// JSON output.
    #[arg(long)]
    pub(crate) json: bool,
}

#[derive(Debug, Args)]
pub(crate) struct DemoArgs {
    /// Workspace folder to create (default: ./vidi-demo).
    #[arg(short, long, default_value = "vidi-demo")]
    pub(crate) workspace: PathBuf,
    /// Where to write the generated dataset (default: WORKSPACE/../vidi-demo-data).
    #[arg(long)]
    pub(crate) data: Option<PathBuf>,
    /// Random seed of the generator.
    #[arg(long, default_value_t = 17)]
    pub(crate) seed: u64,
    /// Print the summary as JSON.
    #[arg(long)]
    pub(crate) json: bool,
    /// Do not serve the demo workspace at the end (scripts and tests).
    #[arg(long)]
    pub(crate) no_serve: bool,
    /// Address the demo is served on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub(crate) listen: std::net::SocketAddr,
}

#[derive(Debug, Subcommand)]
pub(crate) enum BenchCommand {
    /// End-to-end ingest of a generated corpus: files/s, MB/s, peak RSS.
    Ingest(BenchIngestArgs),
    /// PDQ index: exact radius search on random hashes with planted neighbours.
    PdqIndex(BenchPdqIndexArgs),
    /// Hash-set import: a generated list of N entries into a fresh workspace.
    HashsetImport(BenchHashsetImportArgs),
    /// Linking: synthetic PDQ hashes and videos as frame sets, with planted links.
    Link(BenchLinkArgs),
    /// Embedding ANN index: recall@k against exact search, build and query speed.
    Similar(crate::cmd::similar::BenchSimilarArgs),
    /// Clue extractors: time per image / per minute of audio, and a whole `vidi clues` run.
    Clues(crate::cmd::bench_clues::BenchCluesArgs),
    /// Seed a synthetic workspace of N media, three agencies and users (for `bench serve` and UI tests).
    Seed(crate::cmd::bench_serve::BenchSeedArgs),
    /// Server load: N virtual investigators browsing grids and media pages on loopback.
    Serve(crate::cmd::bench_serve::BenchServeArgs),
}

#[derive(Debug, Args)]
pub(crate) struct BenchHashsetImportArgs {
    /// Entries in the generated list.
    #[arg(long, default_value_t = 1_000_000)]
    pub(crate) entries: u64,
    /// Format of the generated list: plain (MD5), nsrl2 (MD5 + SHA-1 + name + size) or vics (VICS 2.0 with MD5, SHA-1, PDQ, category).
    #[arg(long, default_value = "plain")]
    pub(crate) format: String,
    /// Folder for the list and the workspace (default: a temp dir, removed after).
    #[arg(long)]
    pub(crate) dir: Option<PathBuf>,
    /// JSON output.
    #[arg(long)]
    pub(crate) json: bool,
}

#[derive(Debug, Args)]
pub(crate) struct BenchPdqIndexArgs {
    /// Hashes in the index.
    #[arg(long, default_value_t = 1_000_000)]
    pub(crate) size: usize,
    /// Queries to run.
    #[arg(long, default_value_t = 1000)]
    pub(crate) queries: usize,
    /// Hamming radius.
    #[arg(long, default_value_t = 31)]
    pub(crate) radius: u32,
    /// Random seed.
    #[arg(long, default_value_t = 1)]
    pub(crate) seed: u64,
    /// JSON output.
    #[arg(long)]
    pub(crate) json: bool,
}

#[derive(Debug, Args)]
pub(crate) struct BenchIngestArgs {
    /// Use this corpus instead of generating one.
    #[arg(long)]
    pub(crate) corpus: Option<PathBuf>,
    /// Where to generate (and keep) the corpus (default: a temp dir).
    #[arg(long)]
    pub(crate) out: Option<PathBuf>,
    /// Photos to generate.
    #[arg(long, default_value_t = 2000)]
    pub(crate) photos: usize,
    /// Videos to generate.
    #[arg(long, default_value_t = 20)]
    pub(crate) videos: usize,
    /// Worker threads (default: number of cores).
    #[arg(short = 'j', long, default_value_t = 0)]
    pub(crate) threads: usize,
    /// JSON output.
    #[arg(long)]
    pub(crate) json: bool,
}
