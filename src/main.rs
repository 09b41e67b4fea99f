//! `cargo secgate`: parses the command line, calls the library, maps the result to an exit code.
//!
//! Exit codes: 0 the policy passed, 1 the policy failed, 2 secgate could not run.

#![forbid(unsafe_code)]
#![allow(clippy::print_stderr, clippy::exit)]

use clap::{Args, Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use secgate::advisories::{DEFAULT_URL, DatabaseSource};
use secgate::build::BuildOptions;
use secgate::progress::{Progress, Reporter};
use secgate::render::{Format, RenderOptions, render};
use secgate::workspace::ProjectPath;
use secgate::{Error, ScanOptions, Verdict};
use std::ffi::OsString;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(Debug, Parser)]
#[command(name = "cargo-secgate", bin_name = "cargo secgate", version, about)]
struct Cli {
    /// Show no progress and no warnings on stderr (errors still print).
    #[arg(long, short, global = true, conflicts_with = "verbose")]
    quiet: bool,

    /// Say what each step did, with timings, on stderr.
    #[arg(long, short, global = true)]
    verbose: bool,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Scan a project: advisories with reachability, under the policy.
    Scan(Box<ScanCommand>),
    /// Scan and write the local triage report: one self-contained HTML page.
    Report(Box<ReportArgs>),
    /// Render a saved JSON report again in another format, without rescanning.
    Convert {
        /// A report written by `scan --format json`.
        report: PathBuf,
        #[command(flatten)]
        output: OutputArgs,
    },
    /// Work with policy files.
    #[command(subcommand)]
    Policy(PolicyCommand),
    /// Add an ignore to the policy file (secgate.toml), keeping its comments and layout.
    Ignore(IgnoreArgs),
    /// Maintainer command: infer the vulnerable functions of the advisories that list none, from
    /// the difference between their last vulnerable and first patched releases (writes JSON).
    #[command(hide = true)]
    Infer {
        /// The advisory database (a directory).
        #[arg(long, required_unless_present = "measure")]
        db: Option<PathBuf>,
        /// Where to write the inferred functions (JSON).
        #[arg(long, short, required_unless_present = "measure")]
        out: Option<PathBuf>,
        /// Instead: measure the output of a `--blind` run against the functions the advisories
        /// list, and print the figures (Markdown). Reads sources only from cargo's cache.
        #[arg(long, value_name = "BLIND_JSON", conflicts_with_all = ["db", "out", "blind", "only"])]
        measure: Option<PathBuf>,
        /// Also the advisories that list functions, pretending they do not (recall measurement).
        #[arg(long)]
        blind: bool,
        /// Only these advisory ids.
        #[arg(long = "only", value_name = "ID")]
        only: Vec<String>,
        /// Never download: use only the releases cargo already has.
        #[arg(long)]
        offline: bool,
    },
    /// Benchmark aid: analyse the given LLVM IR files alone and print the figures.
    #[command(hide = true)]
    DebugIr {
        /// `.ll` files.
        files: Vec<PathBuf>,
    },
}

#[derive(Debug, Args)]
struct ScanCommand {
    #[command(flatten)]
    scan: ScanArgs,
    #[command(flatten)]
    output: OutputArgs,
}

#[derive(Debug, Args)]
struct ReportArgs {
    #[command(flatten)]
    scan: ScanArgs,
    /// Where to write the page.
    #[arg(
        long,
        short,
        value_name = "FILE",
        default_value = "secgate-report.html"
    )]
    output: PathBuf,
}

#[derive(Debug, Subcommand)]
enum PolicyCommand {
    /// Validate a policy file (default: secgate.toml) and report every problem.
    Check {
        /// A policy file, or `default` / `strict`.
        file: Option<String>,
    },
}

#[derive(Debug, Args)]
struct IgnoreArgs {
    /// The advisory id, alias (CVE-…, GHSA-…) or rule id to ignore.
    id: String,
    /// Why the risk is accepted (required).
    #[arg(long)]
    reason: String,
    /// When the ignore stops applying (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    expires: Option<String>,
    /// Only for this package.
    #[arg(long)]
    package: Option<String>,
    /// Only for this version of --package.
    #[arg(long, requires = "package")]
    version: Option<String>,
    /// Only for findings under this path glob.
    #[arg(long, value_name = "GLOB")]
    path: Option<String>,
    /// The policy file to edit (default: secgate.toml in the current directory).
    #[arg(long, value_name = "FILE")]
    policy: Option<PathBuf>,
}

#[derive(Debug, Args)]
struct OutputArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,

    /// Write the report to FILE (atomically) instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
}

#[derive(Debug, Args)]
struct ScanArgs {
    /// Directory of the project to scan (its workspace root is found from it).
    #[arg(value_name = "DIR")]
    dir: Option<PathBuf>,

    /// Path to the project's Cargo.toml.
    #[arg(long, value_name = "PATH", conflicts_with = "dir")]
    manifest_path: Option<PathBuf>,

    /// Scan this Cargo.lock alone, without a workspace (advisories only).
    #[arg(long, value_name = "FILE", conflicts_with_all = ["dir", "manifest_path"])]
    lockfile: Option<PathBuf>,

    /// Use this local advisory database as it is (a plain directory or a git checkout).
    #[arg(long, value_name = "DIR", env = "SECGATE_DB")]
    db: Option<PathBuf>,

    /// Where to fetch the advisory database from when --db is not given.
    #[arg(long, value_name = "URL", default_value = DEFAULT_URL)]
    db_url: String,

    /// Never touch the network: use --db or the cached database as it is.
    #[arg(long)]
    offline: bool,

    /// Match the lockfile only: do not build the project, leave reachability `unknown`.
    #[arg(long)]
    no_build: bool,

    /// Analyse only these workspace packages (repeatable).
    #[arg(long, short, value_name = "SPEC")]
    package: Vec<String>,

    /// Features to activate (comma-separated, repeatable).
    #[arg(long, short = 'F', value_name = "FEATURES", value_delimiter = ',')]
    features: Vec<String>,

    /// Activate all features.
    #[arg(long)]
    all_features: bool,

    /// Do not activate the default features.
    #[arg(long)]
    no_default_features: bool,

    /// Build and analyse for this target triple (default: the host).
    #[arg(long, value_name = "TRIPLE")]
    target: Option<String>,

    /// Also root the analysis at tests, examples and benches.
    #[arg(long)]
    all_targets: bool,

    /// How many call traces to show per reachable finding.
    #[arg(long, value_name = "N", default_value_t = 1)]
    traces: usize,

    /// The policy: `default`, `strict`, or a TOML file (default: secgate.toml at the workspace
    /// root if there is one, else `default`).
    #[arg(long, value_name = "NAME|FILE")]
    policy: Option<String>,

    /// Fail only on findings that are new since this git revision (e.g. the pull request's base).
    #[arg(long, value_name = "REF")]
    new_since: Option<String>,

    /// Inferred-functions data (written by `cargo secgate infer`) to use instead of the data
    /// bundled into secgate, for advisories that list no vulnerable functions.
    #[arg(long, value_name = "FILE", env = "SECGATE_INFERRED")]
    inferred: Option<PathBuf>,
}

impl ScanArgs {
    fn options(&self, progress: Reporter) -> ScanOptions {
        let project = match (&self.lockfile, &self.manifest_path, &self.dir) {
            (Some(lockfile), _, _) => ProjectPath::Lockfile(lockfile.clone()),
            (None, Some(manifest), _) => ProjectPath::Manifest(manifest.clone()),
            (None, None, dir) => ProjectPath::Dir(dir.clone().unwrap_or_else(|| ".".into())),
        };
        let database = match &self.db {
            Some(dir) => DatabaseSource::Local(dir.clone()),
            None => DatabaseSource::Cache {
                offline: self.offline,
                url: self.db_url.clone(),
            },
        };
        let build = (!self.no_build).then(|| BuildOptions {
            packages: self.package.clone(),
            features: self.features.clone(),
            all_features: self.all_features,
            no_default_features: self.no_default_features,
            all_targets: self.all_targets,
            offline: self.offline,
            target_dir: None,
        });
        ScanOptions {
            project,
            database,
            policy: self.policy.clone(),
            today: today(),
            new_since: self.new_since.clone(),
            target: self.target.clone(),
            offline: self.offline,
            build,
            traces: self.traces,
            inferred: self.inferred.clone(),
            progress,
        }
    }
}

/// Today's date, or `SECGATE_TODAY` (YYYY-MM-DD) so that tests of expiring ignores are stable.
fn today() -> time::Date {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    std::env::var("SECGATE_TODAY")
        .ok()
        .and_then(|text| time::Date::parse(&text, &format).ok())
        .unwrap_or_else(|| time::OffsetDateTime::now_utc().date())
}

/// The time stamped into documents: `SOURCE_DATE_EPOCH` when set (reproducible output), else now.
fn timestamp() -> String {
    let now = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.parse::<i64>().ok())
        .and_then(|s| time::OffsetDateTime::from_unix_timestamp(s).ok())
        .unwrap_or_else(time::OffsetDateTime::now_utc);
    now.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

fn main() -> ExitCode {
    // During the IR build, cargo runs secgate as its rustc wrapper.
    if let Some(code) = secgate::build::run_as_rustc_wrapper() {
        return ExitCode::from(u8::try_from(code).unwrap_or(1));
    }
    let mut args: Vec<OsString> = std::env::args_os().collect();
    // Run as `cargo secgate …`, cargo passes the subcommand's name as the first argument.
    if args.get(1).is_some_and(|arg| arg == "secgate") {
        args.remove(1);
    }
    let cli = Cli::parse_from(args);
    match run(&cli) {
        Ok(Verdict::Fail) => ExitCode::from(1),
        Ok(_) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: &Cli) -> Result<Verdict, Error> {
    match &cli.command {
        Command::Scan(args) => {
            if let Some(path) = &args.output.output {
                secgate::output::check_writable(path)?;
            }
            let report = secgate::scan(&args.scan.options(reporter(cli)))?;
            warn(cli, &report);
            emit(&report, &args.output)?;
            Ok(report.summary.verdict)
        }
        Command::Report(args) => {
            secgate::output::check_writable(&args.output)?;
            let report = secgate::scan(&args.scan.options(reporter(cli)))?;
            warn(cli, &report);
            let page = render(&report, Format::Html, &RenderOptions::default())?;
            secgate::output::write_atomically(&args.output, &page)?;
            let summary = format!(
                "{}: {} finding(s); wrote {}\n",
                report.summary.verdict.as_str().to_uppercase(),
                report.summary.total,
                args.output.display()
            );
            write_stdout(summary.as_bytes())?;
            Ok(report.summary.verdict)
        }
        Command::Convert { report, output } => {
            let bytes = std::fs::read(report).map_err(|e| Error::io(report, e))?;
            let saved = secgate::render::parse_json(&bytes).map_err(|e| Error::Report {
                path: report.clone(),
                message: e.to_string(),
            })?;
            emit(&saved, output)?;
            Ok(saved.summary.verdict)
        }
        Command::Policy(PolicyCommand::Check { file }) => {
            let file = file.clone().unwrap_or_else(|| "secgate.toml".to_string());
            let policy = secgate::policy::load_file(&file)?;
            let checked = secgate::check_policy(&policy, today());
            if !checked.errors.is_empty() {
                return Err(Error::Policy(checked.errors));
            }
            let mut out = String::new();
            for warning in &checked.warnings {
                out.push_str(&format!(
                    "{}:{}:{}: warning: {}\n",
                    warning.file, warning.line, warning.column, warning.message
                ));
            }
            out.push_str(&format!(
                "{}: valid ({} ignores)\n",
                policy.source,
                policy.ignores.len()
            ));
            write_stdout(out.as_bytes())?;
            Ok(Verdict::Pass)
        }
        Command::Ignore(args) => {
            let path = args
                .policy
                .clone()
                .unwrap_or_else(|| secgate::policy::edit::default_path(std::path::Path::new(".")));
            // The same rule `policy check` and `scan` apply: an ignore of no rule is refused
            // before it is written, not at the next scan.
            let ours = args.id.starts_with("SG-") || args.id.starts_with("clippy::");
            if ours && !secgate::is_known_rule_id(&args.id) {
                return Err(Error::Argument {
                    argument: args.id.clone(),
                    message: "no secgate rule has this id, so the ignore could match nothing"
                        .into(),
                });
            }
            let ignore = secgate::policy::edit::NewIgnore {
                id: args.id.clone(),
                reason: args.reason.clone(),
                expires: args.expires.clone(),
                package: args.package.clone(),
                version: args.version.clone(),
                path: args.path.clone(),
            };
            secgate::policy::edit::add_ignore(&path, &ignore)?;
            let line = format!("added an ignore of {} to {}\n", args.id, path.display());
            write_stdout(line.as_bytes())?;
            Ok(Verdict::Pass)
        }
        Command::Infer {
            db,
            out,
            measure,
            blind,
            only,
            offline,
        } => {
            if let Some(blind_json) = measure {
                let data = secgate::infer::read_json(blind_json)?;
                let figures =
                    secgate::infer::measure::measure(&data, &secgate::infer::cargo_home());
                write_stdout(secgate::infer::measure::table(&figures).as_bytes())?;
                return Ok(Verdict::Pass);
            }
            let (Some(db), Some(out)) = (db, out) else {
                return Err(secgate::error::Error::Argument {
                    argument: "infer".into(),
                    message: "--db and --out are required without --measure".into(),
                });
            };
            let options = secgate::infer::InferOptions {
                blind: *blind,
                only: only.clone(),
                offline: *offline,
            };
            let data = secgate::infer::infer_database(db, &options)?;
            let bytes = secgate::infer::to_json(&data)?;
            secgate::output::write_atomically(out, &bytes)?;
            Ok(Verdict::Pass)
        }
        Command::DebugIr { files } => {
            let stats = secgate::reachability::measure_ir(files)?;
            let mb = stats.bytes as f64 / 1e6;
            let line = format!(
                "{} files, {mb:.1} MB, {} functions, {} edges, {} reached, {:.3} s, {:.0} MB/s\n",
                stats.files,
                stats.functions,
                stats.edges,
                stats.reached,
                stats.seconds,
                mb / stats.seconds
            );
            write_stdout(line.as_bytes())?;
            Ok(Verdict::Pass)
        }
    }
}

/// Progress on stderr: a spinner on a terminal, timed lines with `-v`, nothing with `-q` or when
/// stderr is not a terminal.
fn reporter(cli: &Cli) -> Reporter {
    if cli.quiet {
        return Reporter::default();
    }
    if cli.verbose {
        return Reporter::new(Arc::new(Timed {
            start: Instant::now(),
        }));
    }
    if !std::io::stderr().is_terminal() {
        return Reporter::default();
    }
    let bar = ProgressBar::new_spinner();
    bar.set_style(
        ProgressStyle::with_template("{spinner} {prefix} {wide_msg}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar.enable_steady_tick(Duration::from_millis(120));
    Reporter::new(Arc::new(Spinner(bar)))
}

struct Spinner(ProgressBar);

impl Progress for Spinner {
    fn step(&self, step: &str) {
        self.0.set_prefix(step.to_string());
        self.0.set_message("");
    }
    fn detail(&self, detail: &str) {
        self.0.set_message(detail.to_string());
    }
    fn finish(&self) {
        self.0.finish_and_clear();
    }
}

struct Timed {
    start: Instant,
}

impl Progress for Timed {
    fn step(&self, step: &str) {
        eprintln!("[{:>7.2}s] {step}", self.start.elapsed().as_secs_f64());
    }
    fn detail(&self, _: &str) {}
    fn finish(&self) {
        let peak = peak_rss_mb().map_or(String::new(), |mb| format!(" (peak RSS {mb} MB)"));
        eprintln!(
            "[{:>7.2}s] analysis done{peak}",
            self.start.elapsed().as_secs_f64()
        );
    }
}

/// This process's peak resident memory so far (Linux: `VmHWM`), without its child processes
/// (cargo, rustc): what the analysis itself needs.
fn peak_rss_mb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024)
}

/// The report's warnings (a stale or unreachable database) on stderr, unless `-q`.
fn warn(cli: &Cli, report: &secgate::Report) {
    if cli.quiet {
        return;
    }
    for warning in &report.warnings {
        eprintln!("warning: {warning}");
    }
    if cli.verbose {
        let r = &report.analysis.reachability;
        eprintln!(
            "reachability: {}; {} IR files, {:.1} MB, {} functions, {} edges; roots: {}",
            r.status,
            r.ir_files,
            r.ir_bytes as f64 / 1e6,
            r.functions,
            r.edges,
            r.roots.join(", ")
        );
    }
}

/// Renders the report and writes it to the output file or stdout.
fn emit(report: &secgate::Report, output: &OutputArgs) -> Result<(), Error> {
    let options = RenderOptions {
        color: output.output.is_none()
            && std::io::stdout().is_terminal()
            && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
        timestamp: timestamp(),
    };
    let bytes = render(report, output.format, &options)?;
    match &output.output {
        Some(path) => secgate::output::write_atomically(path, &bytes),
        None => write_stdout(&bytes),
    }
}

/// Writes to standard output; a reader that closed the pipe early is not an error.
fn write_stdout(bytes: &[u8]) -> Result<(), Error> {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(bytes).and_then(|()| stdout.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(Error::io("<stdout>", e)),
        _ => Ok(()),
    }
}
