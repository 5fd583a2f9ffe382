//! Guessing an item's kind (fact, preference, pitfall, workflow, insight): first from the path
//! and headings it is filed under, then from its wording.
//!
//! A pure function of its inputs: it must never depend on other items or on the sessions, since
//! store items, memory writes and the model pass's store units are all classified with it.

use crate::digest::is_temporary;
use crate::report::Kind;
use crate::text;

/// Guesses an item's kind from its document path and headings, then from its wording.
pub fn infer_kind(text: &str, path: &str, headings: &[String]) -> Kind {
    let context = format!("{} {}", path, headings.join(" ")).to_lowercase();
    let context_has = |words: &[&str]| words.iter().any(|w| context.contains(w));
    if context_has(&[
        "pitfall",
        "gotcha",
        "quirk",
        "known issue",
        "known-issue",
        "workaround",
        "troubleshoot",
        "mistake",
    ]) {
        return Kind::Pitfall;
    }
    if context_has(&["workflow", "process", "procedure", "runbook", "playbook"]) {
        return Kind::Workflow;
    }
    if context_has(&["insight"]) {
        return Kind::Insight;
    }
    if context_has(&[
        "preference",
        "convention",
        "style",
        "guideline",
        "rules",
        "policy",
        "policies",
        "standards",
    ]) {
        return Kind::Preference;
    }
    let lower = text.to_lowercase();
    if lower.contains('→') || lower.contains(" -> ") || lower.starts_with("workflow") {
        return Kind::Workflow;
    }
    let pitfall_words = [
        "fails",
        "failed",
        "failure",
        "error",
        "errors",
        "doesn't work",
        "does not work",
        "workaround",
        "crash",
        "crashes",
        "breaks",
        "unless",
        "otherwise it",
        "times out",
    ];
    if pitfall_words.iter().any(|w| names_a_failure(&lower, w)) {
        return Kind::Pitfall;
    }
    let preference_starts = [
        "always",
        "never",
        "prefer",
        "don't",
        "do not",
        "use ",
        "avoid",
        "make sure",
        "ensure",
        "run ",
        "keep ",
        "write ",
        "put ",
        "name ",
        "remember",
        "please",
    ];
    if preference_starts.iter().any(|p| lower.starts_with(p))
        || ["always", "never", "prefer", "should", "must"]
            .iter()
            .any(|w| text::contains_word(&lower, w))
    {
        return Kind::Preference;
    }
    if is_temporary(text) {
        return Kind::Fact;
    }
    Kind::Fact
}

/// Whether a pitfall word in `lower` speaks of a failure. A failure noun naming a service
/// that watches for failures names a tool, not a failure: "Error tracking goes through
/// Sentry", "crash reporting is on by default"; nor does one naming a measure or a thing
/// ("Error budgets are reviewed monthly", "error rates", "error codes", "the 404 error page").
/// ("Error handling" stays a pitfall's topic.)
fn names_a_failure(lower: &str, word: &str) -> bool {
    let mut from = 0;
    while let Some(at) = text::find_word(&lower[from..], word) {
        let end = from + at + word.len();
        let next = lower[end..].split_whitespace().next().unwrap_or("");
        let watching = matches!(word, "error" | "errors" | "crash")
            && matches!(
                next.trim_end_matches(|c: char| !c.is_alphanumeric()),
                "tracking"
                    | "reporting"
                    | "monitoring"
                    | "alerting"
                    | "budget"
                    | "budgets"
                    | "rate"
                    | "rates"
                    | "code"
                    | "codes"
                    | "page"
                    | "pages"
                    | "boundary"
                    | "boundaries"
            );
        // "Frontend errors are tracked in Bugsnag": where errors go is a fact about a tool.
        let handled = matches!(word, "error" | "errors" | "crash" | "crashes")
            && lower[end..]
                .split_whitespace()
                .take(2)
                .map(|w| w.trim_end_matches(|c: char| !c.is_alphanumeric()))
                .collect::<Vec<_>>()
                .windows(2)
                .any(|pair| {
                    matches!(pair[0], "are" | "is" | "get" | "gets")
                        && matches!(
                            pair[1],
                            "tracked"
                                | "logged"
                                | "reported"
                                | "sent"
                                | "collected"
                                | "captured"
                                | "monitored"
                                | "stored"
                                | "forwarded"
                                | "shown"
                                | "displayed"
                        )
                });
        if !watching && !handled {
            return true;
        }
        from = end;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_from_path_headings_then_wording() {
        // (text, path, headings, kind)
        let cases: &[(&str, &str, &[&str], Kind)] = &[
            // The place an item is filed decides first, whatever it says.
            (
                "Always run the tests.",
                "/team/pitfalls.md",
                &[],
                Kind::Pitfall,
            ),
            ("Anything at all.", "/notes.md", &["Gotchas"], Kind::Pitfall),
            (
                "Anything at all.",
                "/notes.md",
                &["Known issues"],
                Kind::Pitfall,
            ),
            ("Deploy the app.", "/ops/Runbook.md", &[], Kind::Workflow),
            ("Anything at all.", "/team/insights.md", &[], Kind::Insight),
            (
                "The API is in Go.",
                "/team/style-guide.md",
                &[],
                Kind::Preference,
            ),
            (
                "The API is in Go.",
                "/docs/x.md",
                &["Team conventions"],
                Kind::Preference,
            ),
            // Pitfall words in the context win over workflow ones.
            (
                "Anything at all.",
                "/workflows/pitfalls.md",
                &[],
                Kind::Pitfall,
            ),
            // Then the wording: a sequence of steps is a workflow …
            ("edit → test → commit", "/notes.md", &[], Kind::Workflow),
            ("build -> test", "/notes.md", &[], Kind::Workflow),
            (
                "Workflow: lint, then test.",
                "/notes.md",
                &[],
                Kind::Workflow,
            ),
            // … a failure a pitfall …
            (
                "The build fails without `--locked`.",
                "/notes.md",
                &[],
                Kind::Pitfall,
            ),
            ("Uploads over 2 GB time out.", "/notes.md", &[], Kind::Fact),
            // A service that watches for failures is no failure.
            (
                "Error tracking goes through Sentry.",
                "/notes.md",
                &[],
                Kind::Fact,
            ),
            (
                "Error budgets are reviewed monthly.",
                "/facts.md",
                &[],
                Kind::Fact,
            ),
            (
                "The API returns error codes as strings.",
                "/facts.md",
                &[],
                Kind::Fact,
            ),
            (
                "Frontend errors are tracked in Bugsnag.",
                "/facts.md",
                &[],
                Kind::Fact,
            ),
            (
                "Crash reporting fails behind the proxy.",
                "/notes.md",
                &[],
                Kind::Pitfall,
            ),
            (
                "The error during startup comes from a stale cache.",
                "/notes.md",
                &[],
                Kind::Pitfall,
            ),
            (
                "Uploads over 2 GB times out.",
                "/notes.md",
                &[],
                Kind::Pitfall,
            ),
            // … an instruction a preference …
            ("Always run the linter.", "/notes.md", &[], Kind::Preference),
            ("Please keep PRs small.", "/notes.md", &[], Kind::Preference),
            (
                "Reviewers should check the changelog.",
                "/notes.md",
                &[],
                Kind::Preference,
            ),
            // … and the rest a fact.
            (
                "The API is written in Go.",
                "/team/facts.md",
                &[],
                Kind::Fact,
            ),
            ("We are on call this week.", "/notes.md", &[], Kind::Fact),
        ];
        for (text, path, headings, kind) in cases {
            let headings: Vec<String> = headings.iter().map(|h| h.to_string()).collect();
            assert_eq!(
                infer_kind(text, path, &headings),
                *kind,
                "{text:?} in {path} under {headings:?}"
            );
        }
    }
}
