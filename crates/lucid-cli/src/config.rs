//! The `lucid` config file (TOML), for settings that belong to a team rather than a command line.
//! `lucid dream`, `scan`, `apply`, `claude-code` and `serve` read the same file, through one
//! type ([`ConfigFile`]) that names every section: a misspelt section or key is an error naming
//! it and the closest valid one, never silently ignored.
//!
//! ```toml
//! [safety]
//! trusted_tools = ["internal_kb"]           # tool results trusted like the agent's own actions
//! secret_patterns = ["ACME-[0-9]{6}"]       # extra secrets, redacted like built-in ones
//! redact_personal_data = true               # personal e-mail addresses redacted too
//!
//! [models."claude-sonnet-4-6"]             # a model `lucid serve` dreams may name
//! provider = "anthropic"                   # or "openai" (any OpenAI-compatible server)
//! ```
//!
//! The `[models]`, `[prices]` and `[llm]` sections are `lucid-llm`'s types (see
//! `lucid_llm::config` for every field); `[server]` ([`ServerSection`]) is the service's limits
//! and database settings (`lucid serve`).
//!
//! Without `--config` (or `LUCID_CONFIG`) the first of `./lucid.toml`,
//! `$XDG_CONFIG_HOME/lucid/lucid.toml` and `~/.config/lucid/lucid.toml` that exists is read.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Once;

use anyhow::Context;
use lucid_core::SafetyPolicy;
use serde::Deserialize;

/// The whole config file: every section lucid reads, and nothing else.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    #[serde(default)]
    safety: SafetySection,
    #[serde(default)]
    server: ServerSection,
    #[serde(default)]
    models: BTreeMap<String, lucid_llm::config::ModelEntry>,
    #[serde(default)]
    prices: BTreeMap<String, lucid_llm::Price>,
    #[serde(default)]
    llm: lucid_llm::config::LlmSection,
}

/// The config file's `[server]` section: the service's limits (`lucid_server::Limits` documents
/// each; 0 turns a rate or the stream cap off).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerSection {
    pub max_connections: Option<usize>,
    pub header_timeout_seconds: Option<f64>,
    pub body_timeout_seconds: Option<f64>,
    pub shutdown_seconds: Option<f64>,
    pub max_streams_per_key: Option<usize>,
    pub max_uri_kb: Option<usize>,
    pub max_header_kb: Option<usize>,
    pub rate_per_key: Option<f64>,
    pub burst_per_key: Option<f64>,
    pub rate_per_address: Option<f64>,
    pub burst_per_address: Option<f64>,
    /// PostgreSQL only: idle connections kept per server.
    pub database_pool_size: Option<usize>,
    /// PostgreSQL only: the most connections a server holds at once (requests beyond wait).
    pub database_max_connections: Option<usize>,
    /// PostgreSQL only: the longest a statement may run (PostgreSQL cancels it then).
    pub database_statement_timeout_seconds: Option<f64>,
    /// PostgreSQL only: how long a dream stays its server's without a heartbeat (another server
    /// re-runs it after that when its server died).
    pub dream_lease_seconds: Option<f64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct SafetySection {
    #[serde(default)]
    trusted_tools: Vec<String>,
    #[serde(default)]
    secret_patterns: Vec<String>,
    #[serde(default)]
    redact_personal_data: bool,
}

impl ConfigFile {
    /// Reads the config file `discover` finds (an empty configuration without one).
    pub fn load(explicit: Option<&Path>) -> anyhow::Result<ConfigFile> {
        match discover(explicit) {
            Some(path) => {
                let text = std::fs::read_to_string(&path)
                    .with_context(|| format!("cannot read config file {}", path.display()))?;
                ConfigFile::parse(&text)
                    .map_err(|problem| anyhow::anyhow!("config file {}: {problem}", path.display()))
            }
            None => Ok(ConfigFile::default()),
        }
    }

    /// Parses a config file's text; the error says where and what was wrong.
    pub fn parse(text: &str) -> Result<ConfigFile, String> {
        toml::from_str(text).map_err(|error| explain(text, &error))
    }
}

/// A TOML error in words: a misspelt section or key is named with the closest valid one, and
/// its line; any other error is toml's own (which shows the line).
fn explain(text: &str, error: &toml::de::Error) -> String {
    let Some((unknown, expected)) = unknown_field(error.message()) else {
        return error.to_string().trim_end().to_string();
    };
    let at = error.span().map_or(0, |span| span.start);
    let before = text.get(..at).unwrap_or(text);
    let line_number = before.matches('\n').count() + 1;
    let line = text.lines().nth(line_number - 1).unwrap_or_default().trim();
    // Where the key sits: a table header on its own line names a section; otherwise the key
    // belongs to the nearest header above it.
    let is_header = line.starts_with('[');
    let table = if is_header {
        None
    } else {
        text.lines()
            .take(line_number)
            .filter(|l| l.trim_start().starts_with('['))
            .last()
            .map(str::trim)
    };
    let what = match (is_header, table) {
        (true, _) => format!("unknown section [{unknown}]"),
        (false, Some(header)) => format!("unknown key {unknown:?} in {header}"),
        (false, None) => format!("unknown key {unknown:?}"),
    };
    let quoted = |name: &str| {
        if is_header {
            format!("[{name}]")
        } else {
            format!("{name:?}")
        }
    };
    let hint = match closest(&unknown, &expected) {
        Some(best) => format!("did you mean {}?", quoted(best)),
        None if expected.is_empty() => "nothing may be set there".to_string(),
        None => format!(
            "expected one of {}",
            expected
                .iter()
                .map(|name| quoted(name))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    format!("line {line_number}: {what}; {hint}")
}

/// Serde's "unknown field `x`, expected one of `a`, `b`" (or "expected `a`", or "there are no
/// fields"): the unknown name and the valid ones.
fn unknown_field(message: &str) -> Option<(String, Vec<String>)> {
    let rest = message.strip_prefix("unknown field `")?;
    let (unknown, rest) = rest.split_once('`')?;
    let expected = rest
        .split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect();
    Some((unknown.to_string(), expected))
}

/// The valid name closest to a misspelt one, when it is close enough to be what was meant
/// (an edit distance of at most a third of the name, and at least 1).
fn closest<'a>(unknown: &str, expected: &'a [String]) -> Option<&'a str> {
    let limit = (unknown.chars().count() / 3).max(1);
    expected
        .iter()
        .map(|name| (edit_distance(unknown, name), name.as_str()))
        .filter(|(distance, _)| *distance <= limit)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, name)| name)
}

/// Levenshtein distance, counting a swap of two neighbours as one edit ("saftey" → "safety").
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut rows = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in rows.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in rows[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let substitution = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (rows[i - 1][j] + 1)
                .min(rows[i][j - 1] + 1)
                .min(rows[i - 1][j - 1] + substitution);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(rows[i - 2][j - 2] + 1);
            }
            rows[i][j] = best;
        }
    }
    rows[a.len()][b.len()]
}

#[derive(Debug, Default)]
pub struct SafetySettings {
    pub secret_patterns: Vec<String>,
    pub trusted_tools: Vec<String>,
    pub redact_personal_data: bool,
}

/// The config file to read: the one named, else the first that exists of `./lucid.toml`,
/// `$XDG_CONFIG_HOME/lucid/lucid.toml` and `~/.config/lucid/lucid.toml`. A team keeps its
/// settings beside the project and a person keeps theirs in their home, without repeating
/// --config on every command.
pub fn discover(explicit: Option<&Path>) -> Option<PathBuf> {
    if let Some(path) = explicit {
        return Some(path.to_path_buf());
    }
    let from_env = |name: &str| {
        std::env::var_os(name)
            .map(PathBuf::from)
            // The XDG spec: a relative value is invalid and ignored.
            .filter(|p| p.is_absolute())
    };
    let candidates = [
        Some(PathBuf::from("lucid.toml")),
        from_env("XDG_CONFIG_HOME").map(|d| d.join("lucid/lucid.toml")),
        from_env("HOME").map(|d| d.join(".config/lucid/lucid.toml")),
    ];
    let found = candidates.into_iter().flatten().find(|p| p.is_file())?;
    // Said once per process: settings nobody named on the command line should not act unseen.
    static NOTE: Once = Once::new();
    NOTE.call_once(|| eprintln!("config: {}", found.display()));
    Some(found)
}

/// The `[safety]` section of an optional config file (empty without one).
pub fn safety_settings(config: Option<&Path>) -> anyhow::Result<SafetySettings> {
    let safety = ConfigFile::load(config)?.safety;
    Ok(SafetySettings {
        secret_patterns: safety.secret_patterns,
        trusted_tools: safety.trusted_tools,
        redact_personal_data: safety.redact_personal_data,
    })
}

/// The safety policy from an optional config file plus tools trusted on the command line.
pub fn safety_policy(
    config: Option<&Path>,
    trusted_tools: &[String],
) -> anyhow::Result<SafetyPolicy> {
    let settings = safety_settings(config)?;
    let tools = settings
        .trusted_tools
        .into_iter()
        .chain(trusted_tools.iter().cloned());
    SafetyPolicy::new(settings.secret_patterns, tools)
        .and_then(|policy| policy.with_personal_data_redaction(settings.redact_personal_data))
        .context("a secret pattern in the config file is not a valid regular expression")
}

/// The service's safety settings from an optional config file.
pub fn server_safety(config: Option<&Path>) -> anyhow::Result<lucid_server::Safety> {
    let settings = safety_settings(config)?;
    lucid_server::Safety::new(settings.secret_patterns, settings.trusted_tools)
        .and_then(|safety| safety.with_personal_data_redaction(settings.redact_personal_data))
        .context("a secret pattern in the config file is not a valid regular expression")
}

/// The `[server]` section of an optional config file (`lucid serve` checks each value).
pub fn server_section(config: Option<&Path>) -> anyhow::Result<ServerSection> {
    Ok(ConfigFile::load(config)?.server)
}

/// The model sections (`[models]`, `[prices]`, `[llm]`) of an optional config file.
pub fn llm_config(config: Option<&Path>) -> anyhow::Result<lucid_llm::LlmConfig> {
    let path = discover(config);
    let file = ConfigFile::load(path.as_deref())?;
    lucid_llm::LlmConfig::new(file.models, file.prices, file.llm).map_err(|error| {
        let place = path.map(|p| p.display().to_string()).unwrap_or_default();
        anyhow::anyhow!("config file {place}: {error}")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(text: &str) -> String {
        ConfigFile::parse(text).expect_err("refused")
    }

    /// Issue 12 §2: a misspelt `[saftey]` was silently ignored.
    #[test]
    fn a_misspelt_section_is_named_with_the_closest_one() {
        assert_eq!(
            problem("[saftey]\nsecret_patterns = [\"x\"]\n"),
            "line 1: unknown section [saftey]; did you mean [safety]?"
        );
        assert_eq!(
            problem("# comment\n\n[modles.local]\nprovider = \"openai\"\n"),
            "line 3: unknown section [modles]; did you mean [models]?"
        );
        assert_eq!(
            problem("[telemetry]\nenabled = false\n"),
            "line 1: unknown section [telemetry]; expected one of [safety], [server], [models], \
             [prices], [llm]"
        );
    }

    #[test]
    fn a_misspelt_key_is_named_with_its_section_and_the_closest_key() {
        assert_eq!(
            problem("[safety]\ntrusted_tools = []\nsecret_paterns = [\"x\"]\n"),
            "line 3: unknown key \"secret_paterns\" in [safety]; did you mean \"secret_patterns\"?"
        );
        assert_eq!(
            problem("[server]\nmax_conections = 10\n"),
            "line 2: unknown key \"max_conections\" in [server]; did you mean \"max_connections\"?"
        );
        assert_eq!(
            problem("[llm]\ntoken_budget = 10\nconcurency = 2\n"),
            "line 3: unknown key \"concurency\" in [llm]; did you mean \"concurrency\"?"
        );
        assert_eq!(
            problem("[models.local]\nprovider = \"openai\"\nbase_ur = \"http://x\"\n"),
            "line 3: unknown key \"base_ur\" in [models.local]; did you mean \"base_url\"?"
        );
        assert_eq!(
            problem("[prices.\"m\"]\ninput = 1.0\noutput = 2.0\ncache = 0.1\n"),
            "line 4: unknown key \"cache\" in [prices.\"m\"]; expected one of \"input\", \
             \"output\", \"cache_read\", \"cache_write\""
        );
    }

    #[test]
    fn other_errors_keep_toml_s_own_words_and_every_section_is_read() {
        let wrong_type = problem("[safety]\nredact_personal_data = \"yes\"\n");
        assert!(wrong_type.contains("line 2"), "{wrong_type}");
        let file = ConfigFile::parse(
            "[safety]\ntrusted_tools = [\"kb\"]\n[server]\nmax_connections = 10\n\
             [models.local]\nprovider = \"openai\"\n[prices.local]\ninput = 1.0\noutput = 2.0\n\
             [llm]\nconcurrency = 2\n",
        )
        .expect("valid");
        assert_eq!(file.safety.trusted_tools, ["kb"]);
        assert_eq!(file.models["local"].provider, "openai");
        assert_eq!(file.prices["local"].output, 2.0);
        assert_eq!(file.llm.concurrency, Some(2));
        assert_eq!(file.server.max_connections, Some(10));
    }

    #[test]
    fn edit_distance_counts_a_swap_as_one() {
        assert_eq!(edit_distance("saftey", "safety"), 1);
        assert_eq!(edit_distance("", "llm"), 3);
        assert_eq!(edit_distance("server", "server"), 0);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }
}
