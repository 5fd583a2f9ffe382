//! `lucid-dev bench-tokens`: tokens a model-backed dream sends, next to a naive prompt that holds
//! every transcript and the whole store, on a generated fleet, against the fake provider (no
//! network, no key). The dream's work units include the per-session digests (session units),
//! so the figure is what a dream that reads every session costs; the goal is at most
//! [`GOAL_RATIO`] of the naive prompt, and a re-run answered from the cache costs nothing.

use std::sync::Arc;

use anyhow::Context;
use clap::Args;
use lucid_core::{DreamOptions, Store};
use lucid_fake_provider::FakeProvider;
use lucid_llm::{
    CancelFlag, Endpoint, MemoryCache, ModelCurator, ResponseCache, Settings, Wire, estimate_tokens,
};

/// The share of the naive prompt a model-backed dream should stay under, session digests
/// included.
pub const GOAL_RATIO: f64 = 0.20;

/// Measure the tokens model-backed curation sends per dream (fake provider, no network).
///
/// Generates a fleet, dreams it with `--model` against a local fake provider, and prints the
/// tokens sent next to a naive baseline: one prompt holding every transcript and the whole
/// store. Tokens are counted the same way on both sides: request-body characters / 4, rounded
/// up (the fake provider reports usage with the same estimate). The work units include the
/// per-session digests. Also measures a re-run (answered from the response cache) and an
/// incremental dream (most sessions dreamed before).
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  lucid-dev bench-tokens\n  lucid-dev bench-tokens --sessions 100 --agents 6 --seed 0 --max-ratio 0.20\n  lucid-dev bench-tokens --dump-units units/"
)]
pub struct BenchTokensArgs {
    /// Sessions in the generated fleet.
    #[arg(long, default_value_t = 100)]
    sessions: usize,
    /// Agents in the generated fleet.
    #[arg(long, default_value_t = 6)]
    agents: usize,
    /// Fleet seed.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Wire format: anthropic or openai.
    #[arg(long, default_value = "anthropic")]
    wire: String,
    /// Sessions dreamed before the incremental dream (default: 90 % of --sessions).
    #[arg(long)]
    already_dreamed: Option<usize>,
    /// Exit with 1 when the model pass sends more than this fraction of the naive tokens.
    #[arg(long)]
    max_ratio: Option<f64>,
    /// Write what the model sees of each work unit of the full dream to this folder (one file
    /// per unit, `NN-<unit id>.txt`), to review what the tokens buy.
    #[arg(long, value_name = "DIR")]
    dump_units: Option<std::path::PathBuf>,
}

/// A fleet read back the way `lucid dream` reads it.
struct Fleet {
    store: Store,
    digests: Vec<lucid_core::SessionDigest>,
    transcripts: Vec<(String, String)>,
    instructions: String,
}

fn load(
    generated: &lucid_eval::GeneratedFleet,
    sessions: usize,
    dir: &std::path::Path,
) -> anyhow::Result<Fleet> {
    let mut subset = generated.clone();
    subset.transcripts.truncate(sessions);
    subset.truth.session_list.truncate(sessions);
    lucid_eval::write_fleet(&subset, dir).context("writing the fleet")?;
    let store = lucid_fs::read_store(&dir.join("store")).context("reading the store")?;
    let files = lucid_fs::find_transcripts(&[dir.join("sessions")]).context("finding sessions")?;
    let digested = lucid_fs::digest_transcripts(
        &files,
        &lucid_core::DigestOptions::default(),
        &lucid_fs::TrustRules::default(),
        &|_| {},
    );
    let transcripts = subset
        .transcripts
        .iter()
        .map(|(path, bytes)| (path.clone(), String::from_utf8_lossy(bytes).into_owned()))
        .collect();
    Ok(Fleet {
        store,
        digests: digested.digests,
        transcripts,
        instructions: subset.instructions.clone(),
    })
}

/// Dreams a fleet with the model pass; returns (tokens sent, requests, refined stats).
fn dream(
    fleet: &Fleet,
    fake: &FakeProvider,
    curator: &ModelCurator,
    dump: Option<&std::path::Path>,
) -> anyhow::Result<(u64, usize, lucid_llm::PassStats)> {
    let options = DreamOptions {
        instructions: Some(fleet.instructions.clone()),
        ..DreamOptions::default()
    };
    let output = lucid_core::dream(&fleet.store, fleet.digests.clone(), Vec::new(), &options)
        .context("the built-in dream")?;
    if let Some(dir) = dump {
        let plan = lucid_llm::unit::plan(
            &output,
            &fleet.digests,
            options.instructions.as_deref(),
            &curator.settings.limits,
        );
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        for (n, unit) in plan.units.iter().enumerate() {
            let path = dir.join(format!("{:02}-{}.txt", n + 1, unit.id));
            std::fs::write(&path, unit.prompt())
                .with_context(|| format!("writing {}", path.display()))?;
        }
    }
    let before = fake.request_count();
    let refined = lucid_llm::refine_blocking(
        curator,
        output,
        &fleet.digests,
        options.instructions.as_deref(),
        &CancelFlag::new(),
        &|_| {},
    )
    .map_err(|_| anyhow::anyhow!("canceled"))?;
    let requests = fake.requests();
    let sent: u64 = requests[before..].iter().map(|r| r.body_tokens()).sum();
    Ok((sent, requests.len() - before, refined.stats))
}

fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// What one token benchmark measured.
pub struct TokenFigures {
    pub sessions: usize,
    pub agents: usize,
    pub seed: u64,
    pub wire: Wire,
    pub transcript_bytes: u64,
    pub store_documents: usize,
    pub naive: u64,
    pub sent: u64,
    pub requests: usize,
    pub stats: lucid_llm::PassStats,
    pub rerun: u64,
    pub rerun_requests: usize,
    pub earlier: usize,
    pub first: u64,
    pub incremental: u64,
    pub incremental_requests: usize,
    pub incremental_stats: lucid_llm::PassStats,
}

impl TokenFigures {
    pub fn ratio(&self) -> f64 {
        self.sent as f64 / self.naive.max(1) as f64
    }
}

/// Generates the fleet and measures the naive prompt, the model pass, a re-run and an
/// incremental dream, all against a fake provider on 127.0.0.1.
pub fn measure(
    sessions: usize,
    agents: usize,
    seed: u64,
    wire: Wire,
    already_dreamed: Option<usize>,
) -> anyhow::Result<TokenFigures> {
    measure_with(sessions, agents, seed, wire, already_dreamed, None)
}

/// [`measure`], also writing what the model sees of each work unit to `dump`.
pub fn measure_with(
    sessions: usize,
    agents: usize,
    seed: u64,
    wire: Wire,
    already_dreamed: Option<usize>,
    dump: Option<&std::path::Path>,
) -> anyhow::Result<TokenFigures> {
    let fake = FakeProvider::start().context("starting the fake provider")?;
    let model = match wire {
        Wire::Anthropic => "claude-sonnet-4-6",
        Wire::Openai => "gpt-4.1-mini",
    };
    let endpoint = Endpoint {
        wire,
        model: model.into(),
        base_url: match wire {
            Wire::Anthropic => fake.url(),
            Wire::Openai => fake.openai_base_url(),
        },
        api_key: Some("bench".into()),
    };
    let curator_with = |cache: Arc<dyn ResponseCache>| {
        ModelCurator::new(endpoint.clone(), Settings::default(), cache)
    };
    let config = lucid_eval::FleetConfig::new(sessions, agents, seed);
    let generated = lucid_eval::generate(&config);
    let scratch = tempfile::tempdir().context("creating a scratch folder")?;
    let fleet = load(&generated, sessions, &scratch.path().join("all"))?;

    // Naive: every transcript and the whole store in one prompt.
    let naive_body = lucid_llm::prompt::naive_request_body(
        wire,
        model,
        &fleet.store,
        &fleet.transcripts,
        Some(&fleet.instructions),
        Settings::default().max_output_tokens,
    )
    .to_string();
    let naive = estimate_tokens(&naive_body);

    let cache = Arc::new(MemoryCache::default());
    let curator = curator_with(cache.clone());
    let (sent, requests, stats) = dream(&fleet, &fake, &curator, dump)?;
    let (rerun, rerun_requests, _) = dream(&fleet, &fake, &curator, None)?;

    // Incremental: most sessions first, then all of them, on one cache.
    let earlier = already_dreamed.unwrap_or(sessions * 9 / 10).min(sessions);
    let before = load(&generated, earlier, &scratch.path().join("before"))?;
    let incremental_cache: Arc<dyn ResponseCache> = Arc::new(MemoryCache::default());
    let incremental_curator = curator_with(incremental_cache);
    let (first, _, _) = dream(&before, &fake, &incremental_curator, None)?;
    let (incremental, incremental_requests, incremental_stats) =
        dream(&fleet, &fake, &incremental_curator, None)?;
    Ok(TokenFigures {
        sessions,
        agents,
        seed,
        wire,
        transcript_bytes: fleet.transcripts.iter().map(|(_, t)| t.len() as u64).sum(),
        store_documents: fleet.store.documents.len(),
        naive,
        sent,
        requests,
        stats,
        rerun,
        rerun_requests,
        earlier,
        first,
        incremental,
        incremental_requests,
        incremental_stats,
    })
}

/// The figures as a Markdown table (for BENCHMARKS.md).
pub fn markdown(f: &TokenFigures) -> String {
    let usage = &f.stats.usage;
    let mut out = format!(
        "{} generated sessions, {} agents, seed {} ({} transcript bytes, {} store documents), \
         {} wire, fake provider on 127.0.0.1. Tokens sent are request characters / 4 on both \
         sides; the provider columns are what the fake reports (it marks the stable prefix as \
         cached, as Anthropic prompt caching would).\n\n",
        f.sessions,
        f.agents,
        f.seed,
        thousands(f.transcript_bytes),
        f.store_documents,
        f.wire.as_str()
    );
    out.push_str("| dream | requests | tokens sent | % of naive |\n|---|---|---|---|\n");
    out.push_str(&format!(
        "| naive: every transcript + the whole store in one prompt | 1 | {} | 100 % |\n",
        thousands(f.naive)
    ));
    out.push_str(&format!(
        "| lucid model pass ({} work units, {} of them digests of {} sessions) | {} | {} | {:.1} % |\n",
        f.stats.units,
        f.stats.session_units,
        f.stats.digested_sessions,
        f.requests,
        thousands(f.sent),
        f.ratio() * 100.0
    ));
    out.push_str(&format!(
        "| re-run of the same dream (response cache) | {} | {} | {:.1} % |\n",
        f.rerun_requests,
        thousands(f.rerun),
        f.rerun as f64 / f.naive.max(1) as f64 * 100.0
    ));
    out.push_str(&format!(
        "| incremental: all {} after {} were dreamed ({} of {} units new) | {} | {} | {:.1} % |\n",
        f.sessions,
        f.earlier,
        f.incremental_stats.units - f.incremental_stats.cached,
        f.incremental_stats.units,
        f.incremental_requests,
        thousands(f.incremental),
        f.incremental as f64 / f.naive.max(1) as f64 * 100.0
    ));
    out.push_str(&format!(
        "\nModel pass as the provider reports it: {} input, {} cache read, {} cache write, {} \
         output tokens.\n",
        thousands(usage.input_tokens),
        thousands(usage.cache_read_input_tokens),
        thousands(usage.cache_creation_input_tokens),
        thousands(usage.output_tokens)
    ));
    out
}

pub fn run(args: BenchTokensArgs) -> anyhow::Result<u8> {
    let wire = match args.wire.as_str() {
        "anthropic" => Wire::Anthropic,
        "openai" => Wire::Openai,
        other => {
            eprintln!("error: --wire must be anthropic or openai, not {other}");
            return Ok(crate::EXIT_REFUSED);
        }
    };
    let f = measure_with(
        args.sessions,
        args.agents,
        args.seed,
        wire,
        args.already_dreamed,
        args.dump_units.as_deref(),
    )?;
    let usage = &f.stats.usage;
    println!(
        "token benchmark: {} sessions, {} agents, seed {} ({} transcript bytes, {} store documents); \
         fake provider, {} wire; tokens = request characters / 4",
        f.sessions,
        f.agents,
        f.seed,
        thousands(f.transcript_bytes),
        f.store_documents,
        wire.as_str()
    );
    println!(
        "  naive (every transcript + the whole store in one prompt): {:>10} tokens",
        thousands(f.naive)
    );
    println!(
        "  lucid model pass ({} work units, {} requests):           {:>10} tokens  ({:.1} % of naive; goal ≤ {:.0} %)",
        f.stats.units,
        f.requests,
        thousands(f.sent),
        f.ratio() * 100.0,
        GOAL_RATIO * 100.0
    );
    println!(
        "    work units: {} of related draft items and dropped statements, {} of session digests \
         covering {} of {} sessions",
        f.stats.units - f.stats.session_units,
        f.stats.session_units,
        f.stats.digested_sessions,
        f.sessions
    );
    println!(
        "    as the provider reports it: {} input, {} cache read, {} cache write, {} output",
        thousands(usage.input_tokens),
        thousands(usage.cache_read_input_tokens),
        thousands(usage.cache_creation_input_tokens),
        thousands(usage.output_tokens)
    );
    println!(
        "  re-run of the same dream ({} requests, answered from the cache): {} tokens",
        f.rerun_requests,
        thousands(f.rerun)
    );
    println!(
        "  incremental: {} sessions dreamed first ({} tokens), then all {}: {} tokens \
         ({} of {} work units new, {} requests)",
        f.earlier,
        thousands(f.first),
        f.sessions,
        thousands(f.incremental),
        f.incremental_stats.units - f.incremental_stats.cached,
        f.incremental_stats.units,
        f.incremental_requests
    );
    if let Some(max) = args.max_ratio
        && f.ratio() > max
    {
        eprintln!(
            "error: the model pass sent {:.1} % of the naive tokens; the limit is {:.1} %",
            f.ratio() * 100.0,
            max * 100.0
        );
        return Ok(crate::EXIT_FAILED);
    }
    Ok(0)
}
