//! The `lucid` config file (TOML), for settings that belong to a team rather than a command line.
//! `lucid dream --config` and `lucid serve --config` read the same file.
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
//! The `[models]`, `[prices]` and `[llm]` sections are read by `lucid-llm` (see
//! `lucid_llm::config` for every field).
//!
//! Without `--config` (or `LUCID_CONFIG`) the first of `./lucid.toml`,
//! `$XDG_CONFIG_HOME/lucid/lucid.toml` and `~/.config/lucid/lucid.toml` that exists is read.

use std::path::{Path, PathBuf};
use std::sync::Once;

use anyhow::Context;
use lucid_core::SafetyPolicy;
use serde::Deserialize;

// No `deny_unknown_fields` here: serde does not support it together with `flatten`, and other
// sections ([models], [prices], [llm]) belong to other parts of lucid.
#[derive(Debug, Default, Deserialize)]
struct ConfigFile {
    #[serde(default)]
    safety: SafetySection,
    /// Other sections (e.g. model providers for `lucid serve`) are read by their own commands.
    #[serde(flatten)]
    _other: toml::Table,
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

/// The `[safety]` section: extra secret patterns and trusted tools.
/// The sections read elsewhere (lucid-llm: model providers, prices, model-pass settings).
const OTHER_SECTIONS: &[&str] = &["models", "prices", "llm", "server"];

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
    let discovered = discover(config);
    let config = discovered.as_deref();
    let file: ConfigFile = match config {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read config file {}", path.display()))?;
            toml::from_str(&text)
                .with_context(|| format!("config file {} is not valid", path.display()))?
        }
        None => ConfigFile::default(),
    };
    // Serde cannot deny unknown fields next to `flatten`, so a misspelt section is caught here.
    if let Some(unknown) = file
        ._other
        .keys()
        .find(|k| !OTHER_SECTIONS.contains(&k.as_str()))
    {
        anyhow::bail!(
            "config file {}: unknown section [{unknown}]; the sections are [safety], {}",
            config.map(|p| p.display().to_string()).unwrap_or_default(),
            OTHER_SECTIONS
                .iter()
                .map(|s| format!("[{s}]"))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    Ok(SafetySettings {
        secret_patterns: file.safety.secret_patterns,
        trusted_tools: file.safety.trusted_tools,
        redact_personal_data: file.safety.redact_personal_data,
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

/// The model sections (`[models]`, `[prices]`, `[llm]`) of an optional config file.
pub fn llm_config(config: Option<&Path>) -> anyhow::Result<lucid_llm::LlmConfig> {
    lucid_llm::LlmConfig::from_file(discover(config).as_deref()).map_err(anyhow::Error::from)
}
