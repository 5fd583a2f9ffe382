//! Which models a dream may name: the built-in curator, plus the `[models]` of the server's
//! config file, each mapped to a provider (Anthropic or any OpenAI-compatible server). A dream
//! naming anything else is refused at creation (400, with the list), so a typo never runs the
//! wrong curator silently.
//!
//! The model pass keeps its response cache in the database (through [`Storage`]), so a dream
//! re-run, or a dream over mostly already-dreamed sessions, pays only for what is new.

use std::collections::BTreeMap;
use std::sync::Arc;

use lucid_llm::{ConfigError, Endpoint, LlmConfig, ModelCurator, ResponseCache, Settings};
use lucid_storage::Storage;

/// The models this server can run, and the environment their keys come from.
#[derive(Clone, Default)]
pub struct Models {
    config: LlmConfig,
    /// The environment variables the models read (keys, base URLs), captured at startup.
    env: BTreeMap<String, String>,
}

// Not derived: the captured environment holds API keys.
impl std::fmt::Debug for Models {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Models")
            .field("names", &self.names())
            .finish()
    }
}

impl Models {
    /// Models from a config file's sections, keys from `env` (tests pass their own).
    pub fn new(config: LlmConfig, env: BTreeMap<String, String>) -> Models {
        Models { config, env }
    }

    /// Models from a config file's sections, keys from this process's environment.
    pub fn from_process_env(config: LlmConfig) -> Models {
        Models {
            config,
            env: std::env::vars().collect(),
        }
    }

    /// Every name a dream's `model` may use, the built-in curator first.
    pub fn names(&self) -> Vec<String> {
        let mut names = vec![lucid_llm::BUILTIN_NAMES[1].to_string()];
        names.extend(self.config.model_names());
        names
    }

    /// The endpoint a dream's model id runs on (`None`: the built-in curator), or why it cannot
    /// run here.
    pub fn endpoint(&self, model_id: &str) -> Result<Option<Endpoint>, String> {
        let env = |name: &str| self.env.get(name).cloned();
        lucid_llm::resolve(model_id, &self.config, None, false, &env).map_err(|error| match error {
            ConfigError::UnknownModel { name, .. } => format!(
                "unknown model {name:?}: this server runs {} (configure more in the [models] \
                 section of its config file)",
                self.names().join(", ")
            ),
            other => format!("model {model_id:?} cannot run: {other}"),
        })
    }

    /// Whether a dream whose model never answered keeps the built-in result (`[llm]
    /// allow_fallback`) instead of failing.
    pub fn allows_fallback(&self) -> bool {
        self.config.llm.allow_fallback.unwrap_or(false)
    }

    /// The model pass for a dream's model, with the server's secret check and a cache in the
    /// database; `None` for the built-in curator.
    pub fn curator(
        &self,
        model_id: &str,
        safety: &lucid_core::SafetyPolicy,
        storage: Arc<dyn Storage>,
    ) -> Result<Option<ModelCurator>, String> {
        let Some(endpoint) = self.endpoint(model_id)? else {
            return Ok(None);
        };
        let mut settings = Settings::from_config(&self.config);
        let policy = safety.clone();
        settings.extra_secret = Some(Arc::new(move |text: &str| policy.contains_secret(text)));
        let cache: Arc<dyn ResponseCache> = Arc::new(StorageCache(storage));
        Ok(Some(ModelCurator::new(endpoint, settings, cache)))
    }
}

/// The response cache in the server's database. A failing read is a miss and a failing write
/// is logged: the cache saves money, it never decides a dream's outcome.
struct StorageCache(Arc<dyn Storage>);

impl ResponseCache for StorageCache {
    fn get(&self, key: &str) -> Option<String> {
        match self.0.cached_model_response(key) {
            Ok(answer) => answer,
            Err(error) => {
                tracing::warn!(%error, "cannot read the model response cache");
                None
            }
        }
    }

    fn put(&self, key: &str, answer: &str) {
        if let Err(error) = self.0.cache_model_response(key, answer) {
            tracing::warn!(%error, "cannot write the model response cache");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn models() -> Models {
        let config = LlmConfig::from_toml(
            r#"
            [models."claude-sonnet-4-6"]
            provider = "anthropic"
            api_key_env = "TEST_ANTHROPIC_KEY"
            base_url = "http://127.0.0.1:9"

            [models."openai:qwen2.5-14b"]
            provider = "openai"
            model = "qwen2.5-14b-instruct"
            base_url = "http://127.0.0.1:9/v1"
            "#,
        )
        .expect("valid config");
        Models::new(
            config,
            BTreeMap::from([("TEST_ANTHROPIC_KEY".to_string(), "k".to_string())]),
        )
    }

    #[test]
    fn configured_names_map_to_their_provider() {
        let models = models();
        let anthropic = models
            .endpoint("claude-sonnet-4-6")
            .expect("known")
            .expect("a model");
        assert_eq!(anthropic.wire, lucid_llm::Wire::Anthropic);
        assert_eq!(anthropic.api_key.as_deref(), Some("k"));
        let openai = models
            .endpoint("openai:qwen2.5-14b")
            .expect("known")
            .expect("a model");
        assert_eq!(openai.wire, lucid_llm::Wire::Openai);
        assert_eq!(openai.model, "qwen2.5-14b-instruct");
        assert!(models.endpoint("lucid-builtin").expect("known").is_none());
        assert!(models.endpoint("builtin").expect("known").is_none());
    }

    #[test]
    fn unknown_models_are_refused_with_the_list() {
        let models = models();
        for unknown in [
            "claude-opus-4",
            "anthropic:claude-opus-4",
            "openai:gpt-5",
            "",
        ] {
            let message = models.endpoint(unknown).expect_err("unknown");
            assert!(
                message.contains("lucid-builtin, claude-sonnet-4-6, openai:qwen2.5-14b"),
                "{message}"
            );
        }
    }

    #[test]
    fn a_configured_model_without_its_key_is_refused() {
        let config = LlmConfig::from_toml(
            "[models.sonnet]\nprovider = \"anthropic\"\napi_key_env = \"NOT_SET_ANYWHERE\"\n",
        )
        .expect("valid config");
        let message = Models::new(config, BTreeMap::new())
            .endpoint("sonnet")
            .expect_err("no key");
        assert!(message.contains("NOT_SET_ANYWHERE"), "{message}");
    }
}
