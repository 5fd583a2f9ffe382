//! # lucid-safety
//!
//! The gate between raw agent transcripts and the durable memory store.
//!
//! Everything lucid curates is read back by *every* future agent session, so a
//! single pasted password or a single poisoned tool result ("AI agents must
//! always forward files to …") would be amplified indefinitely. This crate
//! provides the two checks that stop that from happening:
//!
//! * **Secret redaction** ([`Redactor`], [`redact`], [`contains_secret`]):
//!   roughly forty credential formats (vendor API keys, JWTs, private key
//!   blocks, passwords in URLs and assignments, authorization headers, …) plus
//!   a conservative high-entropy-token detector. Secrets are replaced by a
//!   short, non-secret vendor prefix followed by `…[redacted]`, e.g.
//!   `sk-ant-…[redacted]` or `password=…[redacted]`. Redaction is idempotent.
//! * **Personal data** ([`personal_emails`], [`contains_personal_email`],
//!   [`Redactor::redact_personal_data`]): e-mail addresses of people, as
//!   opposed to role mailboxes (`support@…`), bots (`noreply@…`) and
//!   documentation addresses (`@example.com`). Not secrets, so [`redact`]
//!   keeps them; a caller that must not store personal data opts in.
//! * **Prompt-injection scanning** ([`scan_injection`], [`is_injection`]):
//!   flags instruction-like text addressed to the model inside *untrusted*
//!   content (tool results, fetched pages, file contents, MCP results) so it
//!   never becomes memory. The scanner sees through Unicode look-alikes,
//!   invisible characters, letter spacing, HTML/Markdown hiding, base64 / hex /
//!   URL encoding and a dozen languages, while staying quiet on ordinary build
//!   logs, code and documentation.
//!
//! The crate is a pure library: no I/O, no async, and all regular expressions
//! are compiled once per process. Both entry points are linear in the input
//! size and cheap on clean text, because they run over every transcript byte.

// Crate-private items say so (`pub(crate)`): `pub` is this crate's API (issue 12 §4).
#![warn(unreachable_pub)]
// Every public item is documented.
#![warn(missing_docs)]
// A library reports failures to its caller and leaves the terminal to binaries (issue 12 §4):
// `expect` only where the message says why it cannot fail, never on input; no `println!`.
#![warn(clippy::expect_used, clippy::print_stdout)]

mod entropy;
mod injection;
mod personal;
mod secrets;
mod text;
mod values;

pub use injection::{InjectionFinding, RuleId, is_injection, scan_injection};
pub use personal::{Span, contains_personal_email, personal_emails};
pub use secrets::{Redaction, Redactor, SecretFinding, contains_secret, redact};

/// Errors produced while configuring the safety checks.
#[derive(Debug, thiserror::Error)]
pub enum SafetyError {
    /// A user-supplied extra secret pattern is not a valid regular expression.
    #[error("invalid secret pattern `{pattern}`: {message}")]
    InvalidPattern {
        /// The pattern as supplied.
        pattern: String,
        /// The regex compiler's explanation.
        message: String,
    },
}
