//! A dream's safety policy: which secrets are redacted (the built-in patterns plus any the team
//! configures) and which tools' output is trusted.
//!
//! Trust of an event comes from where it came from (see [`crate::Event::trust`]): user messages
//! and the agent's own actions are trusted, tool output is not. A team can name internal tools
//! whose output it trusts; a session marked trusted/untrusted/quarantined as a whole overrides
//! both.

use std::collections::BTreeSet;
use std::sync::Arc;

use lucid_safety::{Redaction, Redactor, SafetyError};

use crate::model::{Event, EventKind, SessionTrust, Trust};

/// Secret patterns and trusted tools for one dream.
#[derive(Clone, Default)]
pub struct SafetyPolicy {
    /// `None` means the built-in patterns only (the shared default redactor).
    redactor: Option<Arc<Redactor>>,
    extra_patterns: Vec<String>,
    /// Personal e-mail addresses are redacted like secrets (the `[safety]` option
    /// `redact_personal_data`).
    personal_data: bool,
    /// Tools whose results are trusted like the agent's own actions.
    pub trusted_tools: BTreeSet<String>,
}

impl std::fmt::Debug for SafetyPolicy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SafetyPolicy")
            .field("extra_patterns", &self.extra_patterns)
            .field("personal_data", &self.personal_data)
            .field("trusted_tools", &self.trusted_tools)
            .finish()
    }
}

impl PartialEq for SafetyPolicy {
    fn eq(&self, other: &Self) -> bool {
        self.extra_patterns == other.extra_patterns
            && self.personal_data == other.personal_data
            && self.trusted_tools == other.trusted_tools
    }
}

impl SafetyPolicy {
    /// A policy with extra secret patterns (regular expressions; each match is redacted) and
    /// trusted tools. Fails on a pattern that does not compile.
    pub fn new(
        extra_patterns: Vec<String>,
        trusted_tools: impl IntoIterator<Item = String>,
    ) -> Result<SafetyPolicy, SafetyError> {
        let redactor = if extra_patterns.is_empty() {
            None
        } else {
            Some(Arc::new(Redactor::with_extra_patterns(&extra_patterns)?))
        };
        Ok(SafetyPolicy {
            redactor,
            extra_patterns,
            personal_data: false,
            trusted_tools: trusted_tools.into_iter().collect(),
        })
    }

    /// The same policy, redacting personal e-mail addresses like secrets when `on` (role,
    /// bot and example addresses are not personal; see `lucid_safety::personal_emails`).
    pub fn with_personal_data_redaction(mut self, on: bool) -> Result<SafetyPolicy, SafetyError> {
        self.personal_data = on;
        self.redactor = if on || !self.extra_patterns.is_empty() {
            Some(Arc::new(
                Redactor::with_extra_patterns(&self.extra_patterns)?.redact_personal_data(on),
            ))
        } else {
            None
        };
        Ok(self)
    }

    /// Whether personal e-mail addresses are redacted.
    pub fn redacts_personal_data(&self) -> bool {
        self.personal_data
    }

    /// The text with every secret this policy finds redacted (built-in and configured patterns, and
    /// personal e-mail addresses when that is on), and the findings with their offsets in the
    /// input; borrows the text when nothing is found.
    pub fn redact<'a>(&self, text: &'a str) -> Redaction<'a> {
        match &self.redactor {
            Some(redactor) => redactor.redact(text),
            None => lucid_safety::redact(text),
        }
    }

    /// Whether [`SafetyPolicy::redact`] would redact anything in the text.
    pub fn contains_secret(&self, text: &str) -> bool {
        match &self.redactor {
            Some(redactor) => !redactor.find(text).is_empty(),
            None => lucid_safety::contains_secret(text),
        }
    }

    /// The trust of an event under this policy: the session's setting first, then the event's
    /// origin, with results of trusted tools counted as trusted.
    pub fn event_trust(&self, event: &Event, session: SessionTrust) -> Trust {
        if session == SessionTrust::Default
            && let EventKind::ToolResult {
                tool: Some(tool), ..
            } = &event.kind
            && self.trusted_tools.contains(tool)
        {
            return Trust::Trusted;
        }
        event.trust(session)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(tool: &str) -> Event {
        Event::new(
            0,
            None,
            None,
            EventKind::ToolResult {
                call_id: None,
                tool: Some(tool.into()),
                content: "ok".into(),
                is_error: false,
            },
        )
    }

    #[test]
    fn trusted_tools_and_session_overrides() {
        let policy = SafetyPolicy::new(Vec::new(), ["internal_kb".to_string()]).expect("policy");
        assert_eq!(
            policy.event_trust(&result("internal_kb"), SessionTrust::Default),
            Trust::Trusted
        );
        assert_eq!(
            policy.event_trust(&result("web_fetch"), SessionTrust::Default),
            Trust::Untrusted
        );
        assert_eq!(
            policy.event_trust(&result("internal_kb"), SessionTrust::Untrusted),
            Trust::Untrusted
        );
        assert_eq!(
            policy.event_trust(&result("web_fetch"), SessionTrust::Trusted),
            Trust::Trusted
        );
    }

    #[test]
    fn extra_patterns_are_redacted() {
        let policy = SafetyPolicy::new(vec![r"ACME-[0-9]{6}".into()], Vec::new()).expect("policy");
        assert!(policy.contains_secret("badge ACME-123456 here"));
        assert!(
            !policy
                .redact("badge ACME-123456 here")
                .text
                .contains("123456")
        );
        assert!(!SafetyPolicy::default().contains_secret("badge ACME-123456 here"));
        assert!(SafetyPolicy::new(vec!["(".into()], Vec::new()).is_err());
    }
}
