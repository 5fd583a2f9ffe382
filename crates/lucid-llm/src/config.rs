//! Choosing a model: `--model` values, the `[models]`, `[prices]` and `[llm]` sections of the
//! lucid config file, and the price table used for cost estimates. The binary reads the whole
//! file into one type (every section, unknown keys refused) and builds an [`LlmConfig`] from
//! these sections with [`LlmConfig::new`].
//!
//! ```toml
//! [models."claude-sonnet-4-6"]          # a name a dream's `model` may use (lucid serve)
//! provider = "anthropic"                # or "openai" (any OpenAI-compatible server)
//! model = "claude-sonnet-4-6"           # the provider's id (default: the name)
//! # base_url = "https://api.anthropic.com"
//! # api_key_env = "ANTHROPIC_API_KEY"   # the environment variable holding the key
//!
//! [models."openai:qwen2.5-14b"]
//! provider = "openai"
//! model = "qwen2.5-14b-instruct"
//! base_url = "http://127.0.0.1:8000/v1"
//!
//! [prices."claude-sonnet-4-6"]          # USD per million tokens (overrides the built-in table)
//! input = 3.0
//! output = 15.0
//! cache_read = 0.3
//! cache_write = 3.75
//!
//! [llm]
//! token_budget = 400000                 # per dream; default none
//! concurrency = 4
//! timeout_seconds = 60                 # one request (default 60)
//! deadline_seconds = 600                # the whole model pass (default 600)
//! allow_fallback = false                # service: a dream whose model never answered fails
//! max_retries = 4
//! max_output_tokens = 1024
//! ```

use std::collections::BTreeMap;

use serde::Deserialize;

use lucid_core::report::Usage;

use crate::prompt::Wire;
use crate::provider::Endpoint;

/// The names that select the built-in curator.
pub const BUILTIN_NAMES: &[&str] = &["builtin", "lucid-builtin"];

/// Why a config file or a model selection was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConfigError {
    /// The config text is not valid TOML for these sections, names a provider other than
    /// `anthropic` or `openai`, or reuses a built-in curator's name; the text says which.
    #[error("invalid config file: {0}")]
    Invalid(String),
    /// The selection is not a built-in name, not a configured name, and not an allowed
    /// `provider:model`.
    #[error("unknown model {name:?}: use anthropic:<model>, openai:<model>, builtin{}", configured_list(.configured))]
    UnknownModel {
        /// The selection as given, trimmed.
        name: String,
        /// The names configured in `[models]`, offered in the message instead.
        configured: Vec<String>,
    },
    /// The Anthropic provider was chosen but its API-key variable is unset or blank.
    #[error("{variable} is not set: the {provider} provider needs an API key")]
    MissingKey {
        /// The provider that needs the key (`anthropic`).
        provider: &'static str,
        /// The environment variable that should hold the key (`ANTHROPIC_API_KEY` or the entry's
        /// `api_key_env`).
        variable: String,
    },
}

fn configured_list(configured: &[String]) -> String {
    if configured.is_empty() {
        String::new()
    } else {
        format!(", or a configured model ({})", configured.join(", "))
    }
}

/// USD per million tokens.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Price {
    /// USD per million input tokens.
    pub input: f64,
    /// USD per million output tokens.
    pub output: f64,
    /// USD per million tokens read from the prompt cache; `None` charges the input price.
    #[serde(default)]
    pub cache_read: Option<f64>,
    /// USD per million tokens written to the prompt cache; `None` charges the input price.
    #[serde(default)]
    pub cache_write: Option<f64>,
}

impl Price {
    const fn new(input: f64, output: f64, cache_read: f64, cache_write: f64) -> Price {
        Price {
            input,
            output,
            cache_read: Some(cache_read),
            cache_write: Some(cache_write),
        }
    }

    /// The cost of this usage in USD. Cache reads and writes default to the input price.
    pub fn cost(&self, usage: &Usage) -> f64 {
        let per = |tokens: u64, price: f64| tokens as f64 * price / 1_000_000.0;
        per(usage.input_tokens, self.input)
            + per(usage.output_tokens, self.output)
            + per(
                usage.cache_read_input_tokens,
                self.cache_read.unwrap_or(self.input),
            )
            + per(
                usage.cache_creation_input_tokens,
                self.cache_write.unwrap_or(self.input),
            )
    }
}

/// Published list prices (USD per million tokens: input, output, cache read, cache write) when
/// this was written, matched by the longest model-id prefix. Override any of them in the config
/// file's `[prices]`.
const DEFAULT_PRICES: &[(&str, Price)] = &[
    ("claude-opus-4-6", Price::new(5.0, 25.0, 0.5, 6.25)),
    ("claude-opus-4-5", Price::new(5.0, 25.0, 0.5, 6.25)),
    ("claude-opus-4", Price::new(15.0, 75.0, 1.5, 18.75)),
    ("claude-sonnet-4", Price::new(3.0, 15.0, 0.3, 3.75)),
    ("claude-3-7-sonnet", Price::new(3.0, 15.0, 0.3, 3.75)),
    ("claude-haiku-4", Price::new(1.0, 5.0, 0.1, 1.25)),
    ("claude-3-5-haiku", Price::new(0.8, 4.0, 0.08, 1.0)),
    ("gpt-5-nano", Price::new(0.05, 0.4, 0.005, 0.05)),
    ("gpt-5-mini", Price::new(0.25, 2.0, 0.025, 0.25)),
    ("gpt-5", Price::new(1.25, 10.0, 0.125, 1.25)),
    ("gpt-4.1-nano", Price::new(0.1, 0.4, 0.025, 0.1)),
    ("gpt-4.1-mini", Price::new(0.4, 1.6, 0.1, 0.4)),
    ("gpt-4.1", Price::new(2.0, 8.0, 0.5, 2.0)),
    ("gpt-4o-mini", Price::new(0.15, 0.6, 0.075, 0.15)),
    ("gpt-4o", Price::new(2.5, 10.0, 1.25, 2.5)),
];

/// Prices by model id (or prefix): the defaults, then the config file's entries, which win.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PriceTable {
    overrides: BTreeMap<String, Price>,
}

impl PriceTable {
    /// The built-in prices with `overrides` (by model id, `provider:id` or id prefix) on top.
    pub fn with_overrides(overrides: BTreeMap<String, Price>) -> PriceTable {
        PriceTable { overrides }
    }

    /// The price of a model: an override for the exact id or `provider:id`, else the longest
    /// matching prefix among overrides and defaults.
    pub fn price(&self, wire: Wire, model: &str) -> Option<Price> {
        let qualified = format!("{}:{model}", wire.as_str());
        if let Some(price) = self
            .overrides
            .get(&qualified)
            .or_else(|| self.overrides.get(model))
        {
            return Some(*price);
        }
        let overrides = self
            .overrides
            .iter()
            .map(|(k, v)| (k.as_str(), *v))
            .filter(|(k, _)| model.starts_with(k));
        let defaults = DEFAULT_PRICES
            .iter()
            .map(|(k, v)| (*k, *v))
            .filter(|(k, _)| model.starts_with(k));
        // Overrides come first, so they win ties.
        overrides
            .chain(defaults)
            .fold(None, |best: Option<(&str, Price)>, (k, v)| match best {
                Some((b, _)) if b.len() >= k.len() => best,
                _ => Some((k, v)),
            })
            .map(|(_, price)| price)
    }
}

/// A `[models.NAME]` entry.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelEntry {
    /// `anthropic` or `openai`.
    pub provider: String,
    /// The provider's model id; `None` uses the entry's name without its `provider:` prefix.
    #[serde(default)]
    pub model: Option<String>,
    /// The server's base URL; `None` uses `ANTHROPIC_BASE_URL` / `OPENAI_BASE_URL` or the
    /// provider's public API. The CLI's `--base-url` wins over it.
    #[serde(default)]
    pub base_url: Option<String>,
    /// The environment variable holding the API key; `None` uses `ANTHROPIC_API_KEY` or
    /// `OPENAI_API_KEY`.
    #[serde(default)]
    pub api_key_env: Option<String>,
}

/// The `[llm]` section: defaults for every model-backed dream.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LlmSection {
    /// Estimated tokens one dream's model pass may spend; `None` sets no budget.
    #[serde(default)]
    pub token_budget: Option<u64>,
    /// Requests in flight at once (default 4; 0 counts as 1).
    #[serde(default)]
    pub concurrency: Option<usize>,
    /// The longest one request may take, in seconds (default 60).
    #[serde(default)]
    pub timeout_seconds: Option<u64>,
    /// The longest a whole model pass may take, in seconds (default 600).
    #[serde(default)]
    pub deadline_seconds: Option<u64>,
    /// Whether a dream that asked for a model may fall back to the built-in result when the
    /// model never answers (the service marks such a dream `failed` otherwise).
    #[serde(default)]
    pub allow_fallback: Option<bool>,
    /// Retries after a request's first attempt (default 4).
    #[serde(default)]
    pub max_retries: Option<u32>,
    /// The output-token limit of each request (default 1024; at least 64 is used).
    #[serde(default)]
    pub max_output_tokens: Option<u32>,
}

/// The model-related sections of a lucid config file.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LlmConfig {
    /// `[models.NAME]` entries by name: the names a model selection may use besides the built-in
    /// ones.
    #[serde(default)]
    pub models: BTreeMap<String, ModelEntry>,
    /// `[prices.MODEL]` entries by model id, `provider:id` or id prefix; they win over the built-in
    /// prices.
    #[serde(default)]
    pub prices: BTreeMap<String, Price>,
    /// Defaults for every model pass, applied by
    /// [`Settings::from_config`](crate::Settings::from_config).
    #[serde(default)]
    pub llm: LlmSection,
}

impl LlmConfig {
    /// The model sections, checked: every provider is one lucid speaks, and no configured name
    /// hides the built-in curator's.
    pub fn new(
        models: BTreeMap<String, ModelEntry>,
        prices: BTreeMap<String, Price>,
        llm: LlmSection,
    ) -> Result<LlmConfig, ConfigError> {
        let config = LlmConfig {
            models,
            prices,
            llm,
        };
        config.check()?;
        Ok(config)
    }

    /// Reads a TOML text holding only the model sections (`[models]`, `[prices]`, `[llm]`);
    /// any other section or key is refused.
    pub fn from_toml(text: &str) -> Result<LlmConfig, ConfigError> {
        let config: LlmConfig =
            toml::from_str(text).map_err(|e| ConfigError::Invalid(e.to_string()))?;
        config.check()?;
        Ok(config)
    }

    fn check(&self) -> Result<(), ConfigError> {
        for (name, entry) in &self.models {
            if parse_provider(&entry.provider).is_none() {
                return Err(ConfigError::Invalid(format!(
                    "models.{name}: provider {:?} is not anthropic or openai",
                    entry.provider
                )));
            }
            if BUILTIN_NAMES.contains(&name.as_str()) {
                return Err(ConfigError::Invalid(format!(
                    "models.{name}: {name} is the built-in curator's name"
                )));
            }
        }
        Ok(())
    }

    /// The price table: the built-in prices with this config's `[prices]` on top.
    pub fn prices(&self) -> PriceTable {
        PriceTable::with_overrides(self.prices.clone())
    }

    /// The configured model names (for error messages and the service's list).
    pub fn model_names(&self) -> Vec<String> {
        self.models.keys().cloned().collect()
    }
}

fn parse_provider(text: &str) -> Option<Wire> {
    match text.trim().to_ascii_lowercase().as_str() {
        "anthropic" => Some(Wire::Anthropic),
        "openai" | "openai-compatible" => Some(Wire::Openai),
        _ => None,
    }
}

/// Resolves a model selection (`--model` or a dream's `model`) to an endpoint; `None` means
/// the built-in curator.
///
/// - `builtin` / `lucid-builtin`: the built-in curator;
/// - a name configured in `[models]`: that entry;
/// - `anthropic:<model>`: key from `ANTHROPIC_API_KEY`, base URL `ANTHROPIC_BASE_URL` or
///   `https://api.anthropic.com`;
/// - `openai:<model>`: key from `OPENAI_API_KEY` (optional, local servers need none), base URL
///   `OPENAI_BASE_URL` or `https://api.openai.com/v1`.
///
/// `base_url` (the CLI's `--base-url`) wins over every other base URL. With `allow_prefixed`
/// false (the service), only configured names and the built-in are accepted.
pub fn resolve(
    selection: &str,
    config: &LlmConfig,
    base_url: Option<&str>,
    allow_prefixed: bool,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Option<Endpoint>, ConfigError> {
    let selection = selection.trim();
    if BUILTIN_NAMES.contains(&selection) {
        return Ok(None);
    }
    let (wire, model, entry) = if let Some(entry) = config.models.get(selection) {
        let wire = parse_provider(&entry.provider)
            .ok_or_else(|| ConfigError::Invalid(format!("models.{selection}: bad provider")))?;
        let model = entry.model.clone().unwrap_or_else(|| {
            selection
                .split_once(':')
                .map_or(selection, |(_, m)| m)
                .to_string()
        });
        (wire, model, Some(entry))
    } else {
        let prefixed = selection
            .split_once(':')
            .and_then(|(provider, model)| Some((parse_provider(provider)?, model.trim())))
            .filter(|(_, model)| !model.is_empty());
        match prefixed {
            Some((wire, model)) if allow_prefixed => (wire, model.to_string(), None),
            _ => {
                return Err(ConfigError::UnknownModel {
                    name: selection.to_string(),
                    configured: config.model_names(),
                });
            }
        }
    };
    let set = |name: &str| env(name).filter(|v| !v.trim().is_empty());
    let (default_key, default_base_env, default_base) = match wire {
        Wire::Anthropic => (
            "ANTHROPIC_API_KEY",
            "ANTHROPIC_BASE_URL",
            "https://api.anthropic.com",
        ),
        Wire::Openai => (
            "OPENAI_API_KEY",
            "OPENAI_BASE_URL",
            "https://api.openai.com/v1",
        ),
    };
    let key_variable = entry
        .and_then(|e| e.api_key_env.clone())
        .unwrap_or_else(|| default_key.to_string());
    let api_key = set(&key_variable);
    if wire == Wire::Anthropic && api_key.is_none() {
        return Err(ConfigError::MissingKey {
            provider: "anthropic",
            variable: key_variable,
        });
    }
    let base_url = base_url
        .map(str::to_string)
        .or_else(|| entry.and_then(|e| e.base_url.clone()))
        .or_else(|| set(default_base_env))
        .unwrap_or_else(|| default_base.to_string());
    Ok(Some(Endpoint {
        wire,
        model,
        base_url,
        api_key,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |name: &str| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        }
    }

    const CONFIG: &str = r#"
[models."claude-sonnet-4-6"]
provider = "anthropic"

[models."openai:qwen2.5-14b"]
provider = "openai"
model = "qwen2.5-14b-instruct"
base_url = "http://127.0.0.1:8000/v1"

[prices."qwen2.5"]
input = 0.0
output = 0.0

[llm]
token_budget = 1000
"#;

    #[test]
    fn the_config_file_maps_names_to_providers() {
        let config = LlmConfig::from_toml(CONFIG).expect("valid");
        assert_eq!(config.llm.token_budget, Some(1000));
        let keyed = env(&[("ANTHROPIC_API_KEY", "k")]);
        let sonnet = resolve("claude-sonnet-4-6", &config, None, false, &keyed)
            .expect("configured")
            .expect("a model");
        assert_eq!(sonnet.name(), "anthropic:claude-sonnet-4-6");
        assert_eq!(sonnet.base_url, "https://api.anthropic.com");
        assert_eq!(sonnet.api_key.as_deref(), Some("k"));
        let qwen = resolve("openai:qwen2.5-14b", &config, None, false, &keyed)
            .expect("configured")
            .expect("a model");
        assert_eq!(qwen.model, "qwen2.5-14b-instruct");
        assert_eq!(qwen.base_url, "http://127.0.0.1:8000/v1");
        assert_eq!(qwen.api_key, None);
        assert_eq!(
            resolve("lucid-builtin", &config, None, false, &keyed),
            Ok(None)
        );
        let unknown = resolve("gpt-4o", &config, None, false, &keyed).expect_err("unknown");
        assert!(
            unknown
                .to_string()
                .contains("claude-sonnet-4-6, openai:qwen2.5-14b"),
            "{unknown}"
        );
        // The service takes only configured names; the CLI also takes provider:model.
        assert!(resolve("anthropic:claude-haiku-4-5", &config, None, false, &keyed).is_err());
        assert!(resolve("anthropic:claude-haiku-4-5", &config, None, true, &keyed).is_ok());
    }

    #[test]
    fn keys_and_base_urls_come_from_the_environment() {
        let config = LlmConfig::default();
        assert_eq!(
            resolve(
                "anthropic:claude-sonnet-4-6",
                &config,
                None,
                true,
                &env(&[])
            ),
            Err(ConfigError::MissingKey {
                provider: "anthropic",
                variable: "ANTHROPIC_API_KEY".into()
            })
        );
        let endpoint = resolve(
            "anthropic:claude-sonnet-4-6",
            &config,
            None,
            true,
            &env(&[
                ("ANTHROPIC_API_KEY", "k"),
                ("ANTHROPIC_BASE_URL", "http://fake"),
            ]),
        )
        .expect("resolves")
        .expect("a model");
        assert_eq!(endpoint.base_url, "http://fake");
        let local = resolve(
            "openai:llama3",
            &config,
            Some("http://127.0.0.1:11434/v1"),
            true,
            &env(&[]),
        )
        .expect("resolves")
        .expect("a model");
        assert_eq!(local.base_url, "http://127.0.0.1:11434/v1");
        assert_eq!(local.api_key, None);
    }

    #[test]
    fn bad_config_files_are_refused() {
        assert!(LlmConfig::from_toml("[models.x]\nprovider = \"gemini\"").is_err());
        assert!(LlmConfig::from_toml("[models.builtin]\nprovider = \"openai\"").is_err());
        assert!(LlmConfig::from_toml("[llm]\nbudget = 3").is_err());
        assert!(LlmConfig::from_toml("not toml [").is_err());
        // Only the model sections: the binary's config type holds the others.
        assert!(LlmConfig::from_toml("[safety]\ntrusted_tools = []").is_err());
        let unchecked = LlmConfig::new(
            BTreeMap::from([(
                "x".to_string(),
                ModelEntry {
                    provider: "gemini".into(),
                    model: None,
                    base_url: None,
                    api_key_env: None,
                },
            )]),
            BTreeMap::new(),
            LlmSection::default(),
        );
        assert!(
            matches!(&unchecked, Err(ConfigError::Invalid(m)) if m.contains("gemini")),
            "{unchecked:?}"
        );
    }

    #[test]
    fn prices_match_the_longest_prefix_and_overrides_win() {
        let table = PriceTable::default();
        let sonnet = table
            .price(Wire::Anthropic, "claude-sonnet-4-6")
            .expect("known");
        assert_eq!(sonnet.input, 3.0);
        assert_eq!(
            table.price(Wire::Openai, "gpt-4o-mini").map(|p| p.input),
            Some(0.15)
        );
        assert_eq!(table.price(Wire::Openai, "qwen2.5-14b"), None);
        let usage = Usage {
            input_tokens: 1_000_000,
            output_tokens: 100_000,
            cache_read_input_tokens: 1_000_000,
            cache_creation_input_tokens: 0,
        };
        assert!((sonnet.cost(&usage) - (3.0 + 1.5 + 0.3)).abs() < 1e-9);
        let mut overrides = BTreeMap::new();
        overrides.insert("claude-sonnet".to_string(), Price::new(1.0, 2.0, 0.0, 0.0));
        let table = PriceTable::with_overrides(overrides);
        // The default's prefix "claude-sonnet-4" is longer than the override's.
        assert_eq!(
            table
                .price(Wire::Anthropic, "claude-sonnet-4-6")
                .map(|p| p.input),
            Some(3.0)
        );
        assert_eq!(
            table
                .price(Wire::Anthropic, "claude-sonnet-3")
                .map(|p| p.input),
            Some(1.0)
        );
    }
}
