//! The `lucid` config file (TOML), for settings that belong to a team rather than a command line.
//!
//! ```toml
//! [safety]
//! trusted_tools = ["internal_kb"]           # tool results trusted like the agent's own actions
//! secret_patterns = ["ACME-[0-9]{6}"]       # extra secrets, redacted like built-in ones
//! ```

use std::path::Path;

use anyhow::Context;
use lucid_core::SafetyPolicy;
use serde::Deserialize;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
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
}

/// The safety policy from an optional config file plus tools trusted on the command line.
pub fn safety_policy(
    config: Option<&Path>,
    trusted_tools: &[String],
) -> anyhow::Result<SafetyPolicy> {
    let file: ConfigFile = match config {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read config file {}", path.display()))?;
            toml::from_str(&text)
                .with_context(|| format!("config file {} is not valid", path.display()))?
        }
        None => ConfigFile::default(),
    };
    let tools = file
        .safety
        .trusted_tools
        .into_iter()
        .chain(trusted_tools.iter().cloned());
    SafetyPolicy::new(file.safety.secret_patterns, tools)
        .context("a secret pattern in the config file is not a valid regular expression")
}
