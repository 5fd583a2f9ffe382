//! Understanding a dream's instructions: focus and ignore directives.
//!
//! Instructions are free text (≤ 4,096 characters). The built-in curator understands directives
//! of two shapes: *focus* ("focus on tool quirks", "prioritise team conventions", "only keep
//! workflows") and *ignore* ("ignore one-off debugging notes", "skip anything about billing",
//! "don't keep facts"). Each directive names categories (memory kinds, temporary notes) and/or
//! topic words. Anything else in the instructions is carried to model-backed curation as is.

use std::collections::{BTreeSet, HashMap};
use std::sync::LazyLock;

use crate::digest::is_temporary;
use crate::lexicon::{self, List};
use crate::report::{InstructionsSummary, Kind, Scope};
use crate::text::{self, Analysis};

/// The maximum length of instructions, in characters.
pub const MAX_INSTRUCTIONS_CHARS: usize = 4_096;

/// What a directive is about: items of any of `kinds` (all kinds when empty) that are temporary
/// (when `temporary`) and mention a `topic` word (any topic when empty). "Temporary workarounds"
/// is kinds {pitfall} ∧ temporary; "one-off debugging notes" is temporary alone.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Target {
    /// Memory kinds the directive names ("quirks" → pitfall, "procedures" → workflow and pitfall);
    /// empty for any kind.
    pub kinds: BTreeSet<Kind>,
    /// Whether the directive is about temporary notes ("one-off debugging notes", "TODOs").
    pub temporary: bool,
    /// Topic words (stemmed, as in [`Analysis::word_set`]) and identifiers, of which an item must
    /// mention one (all of them for an ignore directive); empty for any topic.
    pub topic: BTreeSet<String>,
    /// Whether an item must mention every topic word: an ignore directive drops only what it
    /// names whole ("code formatting" is not every item that says "format"), since when
    /// unsure the item is kept.
    pub all_topic: bool,
    /// Whose items the directive is about, when it says: the team's (shared by several agents,
    /// "team-wide") or one agent's ("individual agents", "agent-specific"); `None` for either.
    pub scope: Option<Scope>,
    /// Whether the directive is about personal items ("personal preferences", "private
    /// details"): what the speaker says of themselves ("I like my coffee black") or an item
    /// holding a personal e-mail address, whatever its kind.
    pub personal: bool,
    /// The topic words as written ("edit", "billing"), for the report: the stems in `topic` are
    /// for matching ("edit" is stored as the stem of its synonym "change").
    pub said: Vec<String>,
}

impl Target {
    fn describe(&self) -> String {
        let mut parts = Vec::new();
        if !self.kinds.is_empty() {
            let kinds: Vec<&str> = self.kinds.iter().map(|k| k.as_str()).collect();
            parts.push(format!("kind:{}", kinds.join("|")));
        }
        if self.temporary {
            parts.push("temporary notes".to_string());
        }
        if self.personal {
            parts.push("personal".to_string());
        }
        match self.scope {
            Some(Scope::Team) => parts.push("scope:team".to_string()),
            Some(Scope::Agent) => parts.push("scope:agent".to_string()),
            None => {}
        }
        if !self.said.is_empty() {
            parts.push(format!("topic:{}", self.said.join(" ")));
        } else if !self.topic.is_empty() {
            let words: Vec<&str> = self.topic.iter().map(String::as_str).collect();
            parts.push(format!("topic:{}", words.join(" ")));
        }
        parts.join(" & ")
    }

    /// Whether an item of this kind, text and scope (`None` when not known yet) is what the
    /// directive names. Read as a focus (`focus`), a directive about one scope admits an item
    /// whose scope is not known, and one that names a topic admits an item about it whatever its
    /// kind ("focus on the testing workflow" keeps "Integration tests need Docker running"):
    /// when unsure, an item is kept. Read as an ignore, an item must be all the directive names.
    fn matches(
        &self,
        kind: Kind,
        text: &str,
        analysis: &Analysis,
        scope: Option<Scope>,
        focus: bool,
    ) -> bool {
        let any_kind = focus && !self.topic.is_empty();
        let scope_matches = match (self.scope, scope) {
            (None, _) => true,
            (Some(wanted), Some(scope)) => wanted == scope,
            (Some(_), None) => focus,
        };
        // A person's "if X hangs, restart Y" is a workaround whatever kind it was filed as: a
        // focus on quirks and workarounds keeps it (when unsure, keep).
        let workaround = focus
            && self.kinds.contains(&Kind::Pitfall)
            && matches!(kind, Kind::Preference | Kind::Fact)
            && is_conditional_workaround(text);
        scope_matches
            && (any_kind || self.kinds.is_empty() || self.kinds.contains(&kind) || workaround)
            // A one-off task ("Fix the login test before Friday") is as temporary as a note
            // marked "for now".
            && (!self.temporary || is_temporary(text) || crate::worthiness::is_one_off_task(text))
            && (!self.personal || is_personal(text))
            && (self.topic.is_empty() || {
                // Words inside identifiers and code spans count too, in any case: "skip Bash
                // quirks" names the `Bash` tool, "ignore the Edit tool" names `Edit`.
                let code_words: BTreeSet<String> = analysis
                    .anchors
                    .iter()
                    .flat_map(|anchor| text::analyze(&anchor.to_lowercase()).word_set)
                    .collect();
                let mentions_word = |w: &str| {
                    analysis.word_set.contains(w)
                        || analysis.anchors.contains(w)
                        || code_words.contains(w)
                };
                // A topic of `topics.txt` is mentioned by the words that show an item is about
                // it ("infrastructure" by "host", "cluster", "terraform"), its own name only
                // where the line lists it: "writing" is a field, "write" a verb of any item.
                let mentions = |w: &String| match related_words(w) {
                    Some(related) => related.iter().any(|r| mentions_word(r)),
                    None => mentions_word(w),
                };
                if self.all_topic {
                    self.topic.iter().all(mentions)
                } else {
                    self.topic.iter().any(mentions)
                }
            })
    }
}

/// The words (stemmed) that show an item is about a topic (stemmed), from `topics.txt`.
fn related_words(topic: &str) -> Option<&'static BTreeSet<String>> {
    static TOPICS: std::sync::LazyLock<std::collections::HashMap<String, BTreeSet<String>>> =
        std::sync::LazyLock::new(|| {
            let mut topics = std::collections::HashMap::new();
            for line in include_str!("topics.txt").lines() {
                let line = line.trim();
                if line.is_empty() || line.starts_with('#') {
                    continue;
                }
                let Some((names, words)) = line.split_once(':') else {
                    continue;
                };
                let related: BTreeSet<String> = words.split_whitespace().map(text::stem).collect();
                for name in names.split('|') {
                    topics
                        .entry(text::stem(name.trim()))
                        .or_insert_with(BTreeSet::new)
                        .extend(related.iter().cloned());
                }
            }
            topics
        });
    TOPICS.get(topic)
}

/// Parsed instructions.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Directives {
    /// Directives that narrow what a dream adds from sessions to what they name ("focus on …",
    /// "only keep …"); items already in the store or written to memory stay whatever they say.
    pub focus: Vec<Target>,
    /// Directives that drop what they name ("ignore …", "skip …", "… can be ignored"), store
    /// items and memory writes included.
    pub ignore: Vec<Target>,
}

/// The kind of memory a word of a directive names (`Some(None)` for temporary notes), from the
/// `[kind_*]` lists of the lexicon, compared by stem: "mistakes" and "mistake" are both
/// "mistak", and "settled" is not "setting".
fn category_of(word: &str) -> Option<Option<Kind>> {
    static STEMS: LazyLock<HashMap<String, Option<Kind>>> = LazyLock::new(|| {
        [
            (List::KindPitfall, Some(Kind::Pitfall)),
            (List::KindWorkflow, Some(Kind::Workflow)),
            (List::KindPreference, Some(Kind::Preference)),
            (List::KindFact, Some(Kind::Fact)),
            (List::KindInsight, Some(Kind::Insight)),
            (List::KindTemporary, None),
        ]
        .into_iter()
        .flat_map(|(list, kind)| {
            lexicon::words(list)
                .iter()
                .map(move |word| (text::stem(word), kind))
        })
        .collect()
    });
    STEMS.get(word).copied()
}

/// Parses instructions into directives.
pub fn parse(instructions: &str) -> Directives {
    let mut directives = Directives::default();
    let lower = instructions.to_lowercase();
    // Clauses: sentences, then ";" and " but ".
    for sentence in text::sentences(&lower) {
        for clause in sentence.split([';', '\n']).flat_map(|c| c.split(" but ")) {
            parse_clause(clause.trim(), &mut directives);
        }
    }
    directives.focus.sort();
    directives.focus.dedup();
    directives.ignore.sort();
    directives.ignore.dedup();
    directives
}

fn parse_clause(clause: &str, directives: &mut Directives) {
    if clause.is_empty() {
        return;
    }
    if let Some((position, _)) = lexicon::words(List::PassiveIgnore)
        .iter()
        .filter_map(|p| text::find_word(clause, p).map(|at| (at, p)))
        .min()
    {
        // The subject runs back to the previous directive verb, if any.
        let subject = &clause[..position];
        let start = lexicon::words(List::FocusVerb)
            .iter()
            .chain(lexicon::words(List::IgnoreVerb))
            .filter_map(|v| text::find_word(subject, v).map(|at| at + v.len()))
            .max()
            .unwrap_or(0);
        directives
            .ignore
            .extend(targets_of(&subject[start..], true));
        parse_clause(subject[..start].trim(), directives);
        return;
    }
    // Every directive verb in the clause starts a directive that runs to the next verb: "focus
    // on quirks and workflows, and ignore debug notes" is two directives.
    let mut verbs: Vec<(usize, usize, bool)> = Vec::new();
    // "No one-off stuff.", "No personal details": a clause opening with "no" and a noun drops
    // what it names ("no need to …", "no matter …" and "no longer …" are other things).
    let drops_what_follows = clause.strip_prefix("no ").is_some_and(|rest| {
        rest.starts_with("one-off")
            || ![
                "need", "matter", "longer", "more", "one", "doubt", "problem", "worries",
            ]
            .iter()
            .any(|word| rest.split_whitespace().next() == Some(*word))
    });
    if drops_what_follows {
        verbs.push((0, 2, true));
    }
    for (list, is_ignore) in [(List::IgnoreVerb, true), (List::FocusVerb, false)] {
        for verb in lexicon::words(list) {
            let mut from = 0;
            while let Some(found) = clause
                .get(from..)
                .and_then(|rest| text::find_word(rest, verb))
            {
                let start = from + found;
                verbs.push((start, start + verb.len(), is_ignore));
                from = start + verb.len();
            }
        }
    }
    // Earliest first; at one position the longest verb ("focus on" over "focus"); drop verbs
    // inside another verb's span.
    verbs.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
    let mut kept: Vec<(usize, usize, bool)> = Vec::new();
    for verb in verbs {
        let Some(last) = kept.last() else {
            kept.push(verb);
            continue;
        };
        if verb.0 < last.1 {
            continue;
        }
        // "Skip anything that was only relevant to one task": an adverb inside the object's
        // relative clause qualifies it; it starts no directive of its own.
        let adverb = matches!(
            &clause[verb.0..verb.1],
            "only" | "mainly" | "mostly" | "especially"
        );
        let between = &clause[last.1..verb.0];
        let in_relative_clause = [
            "that", "which", "who", "whatever", "is", "are", "was", "were",
        ]
        .iter()
        .any(|word| text::find_word(between, word).is_some());
        if adverb && in_relative_clause {
            continue;
        }
        kept.push(verb);
    }
    for (n, &(_, end, is_ignore)) in kept.iter().enumerate() {
        let stop = kept.get(n + 1).map_or(clause.len(), |next| next.0);
        let object = clause.get(end..stop).unwrap_or("");
        let targets = targets_of(object, is_ignore);
        if is_ignore {
            directives
                .ignore
                .extend(targets.into_iter().map(|target| Target {
                    all_topic: true,
                    ..target
                }));
        } else {
            directives.focus.extend(targets);
        }
    }
}

/// Splits a directive's object ("tool quirks and team conventions") into targets; `ignore`
/// when the directive drops them.
fn targets_of(object: &str, ignore: bool) -> Vec<Target> {
    let mut targets = Vec::new();
    for part in object
        .split([',', '/'])
        .flat_map(|p| p.split(" and "))
        .flat_map(|p| p.split(" or "))
    {
        // "short-lived" and "one-off" are two words to the analysis; they mean temporary.
        let part = [
            "short-lived",
            "Short-lived",
            "short lived",
            "Short lived",
            "one-off",
            "One-off",
            "one off",
            "One off",
            // "only relevant to a single task", "… to one session".
            "a single task",
            "a single session",
            "one task",
            "one session",
            "the current task",
            "the task at hand",
        ]
        .iter()
        .fold(part.to_string(), |part, phrase| {
            part.replace(phrase, "temporary")
        });
        let part = how_work_is_done_as_conventions(&part);
        let part = without_relative_clause(&part);
        let (part, scope) = take_scope(&part);
        // "personal preferences", "private details": whose items, not a topic word.
        let personal = ["personal", "private"]
            .iter()
            .any(|word| text::find_word(&part.to_lowercase(), word).is_some());
        let part: String = part
            .split_whitespace()
            .filter(|word| {
                let bare = word
                    .trim_matches(|c: char| !c.is_alphanumeric())
                    .to_lowercase();
                !lexicon::is_word_of(List::Extent, &bare)
            })
            .collect::<Vec<_>>()
            .join(" ");
        let part = part.as_str();
        let analysis = text::analyze(part);
        let mut target = Target {
            scope,
            personal,
            ..Target::default()
        };
        for word in &analysis.word_set {
            match category_of(word) {
                Some(Some(kind)) => {
                    target.kinds.insert(kind);
                }
                Some(None) => target.temporary = true,
                None if !lexicon::is_word_of(List::DirectiveFiller, word) => {
                    target.topic.insert(word.clone());
                }
                None => {}
            }
        }
        // A personal item is personal whatever kind it was filed as ("personal preferences"
        // includes "I like my coffee black", which reads as a fact).
        if target.personal {
            target.kinds.clear();
            target.topic.retain(|word| !word.starts_with("privat"));
        }
        // Without a category, "code" qualifies the topic ("code formatting" is about formatting
        // code, not citation formats): it is part of what an item must name.
        if target.kinds.is_empty() && !target.temporary && !target.topic.is_empty() {
            for word in &analysis.word_set {
                if matches!(word.as_str(), "code" | "codin") {
                    target.topic.insert(word.clone());
                }
            }
        }
        // A category brings its neighbours. Procedures to focus on include the workarounds
        // they need ("skip workflows" drops the workflows only, not the workarounds).
        if target.kinds.contains(&Kind::Workflow) && !ignore {
            target.kinds.insert(Kind::Pitfall);
        }
        // Project conventions include the project's facts and decisions and, in a focus, the
        // workflows the agents converged on (the way work gets done here).
        if target.kinds.contains(&Kind::Preference) && names_conventions(&analysis) {
            target.kinds.insert(Kind::Fact);
            if !ignore {
                target.kinds.insert(Kind::Workflow);
            }
        }
        // With a category, the remaining words name its subject ("deploy procedures" are the
        // deploy workflows and workarounds); words that only qualify a category ("tool
        // quirks", "coding-style preferences") are filler.
        if target.temporary && target.kinds.is_empty() {
            target.topic.clear();
        } else {
            target.topic.extend(analysis.anchors.iter().cloned());
        }
        for typed in part.split_whitespace() {
            let typed = typed.trim_matches(|c: char| !c.is_alphanumeric());
            let typed_analysis = text::analyze(typed);
            let names_topic = typed_analysis
                .word_set
                .iter()
                .chain(&typed_analysis.anchors)
                .any(|w| target.topic.contains(w));
            if names_topic && !target.said.iter().any(|s| s == typed) {
                target.said.push(typed.to_string());
            }
        }
        if target != Target::default() {
            targets.push(target);
        }
    }
    targets
}

/// Whether a statement says what to do when something goes wrong: it opens with a condition
/// ("if", "when", "whenever") whose clause names a failure ("If a deploy hangs at Progressing,
/// restart the repo-server pod", "When `npm ci` fails with EINTEGRITY, clear the cache").
fn is_conditional_workaround(text: &str) -> bool {
    let lower = text.trim().to_lowercase();
    let Some(rest) = ["if ", "when ", "whenever "]
        .iter()
        .find_map(|opening| lower.strip_prefix(opening))
    else {
        return false;
    };
    let condition = rest.split([',', ';']).next().unwrap_or(rest);
    // Stalls are failures a person names that tool output rarely prints as such.
    const STALLS: &[&str] = &[
        "hang", "hangs", "hung", "stuck", "stalls", "stalled", "freezes", "froze", "crashes",
        "crashed", "flakes", "flaky", "breaks", "broke",
    ];
    lexicon::Cues::scan(condition).has(List::Failure)
        || condition
            .split(|c: char| !c.is_alphanumeric())
            .any(|word| STALLS.contains(&word))
}

/// Whether an item is personal: the speaker speaks of themselves, as the sentence's subject ("I
/// like my coffee black", "My daughter's name is Ana"; a rule that mentions them, "Don't touch
/// the writeups, I will do that myself", is the project's), or it holds a personal e-mail
/// address.
fn is_personal(text: &str) -> bool {
    let opens_with_speaker = text
        .split_whitespace()
        .next()
        .map(|word| {
            word.trim_matches(|c: char| !c.is_alphanumeric() && c != '\'' && c != '\u{2019}')
                .to_lowercase()
                .replace('\u{2019}', "'")
        })
        .is_some_and(|word| {
            matches!(
                word.as_str(),
                "i" | "i'm" | "i've" | "i'd" | "i'll" | "my" | "personally"
            )
        });
    opens_with_speaker || lucid_safety::contains_personal_email(text)
}

/// Phrases that say whose items a directive is about, longest first: the team's (what several
/// agents share) or one agent's. A bare "team" or "shared" is not one of them: "team
/// conventions" and "shared conventions" are the conventions, wherever they are filed.
const SCOPE_PHRASES: &[(&str, Scope)] = &[
    ("shared across agents", Scope::Team),
    ("shared by the team", Scope::Team),
    ("across all agents", Scope::Team),
    ("across the team", Scope::Team),
    ("across agents", Scope::Team),
    ("the whole team", Scope::Team),
    ("the entire team", Scope::Team),
    ("every agent", Scope::Team),
    ("all agents", Scope::Team),
    ("team-wide", Scope::Team),
    ("team wide", Scope::Team),
    ("teamwide", Scope::Team),
    ("fleet-wide", Scope::Team),
    ("fleetwide", Scope::Team),
    ("individual agents", Scope::Agent),
    ("individual agent", Scope::Agent),
    ("a single agent", Scope::Agent),
    ("single agents", Scope::Agent),
    ("single agent", Scope::Agent),
    ("one agent", Scope::Agent),
    ("agent-specific", Scope::Agent),
    ("agent specific", Scope::Agent),
    ("per-agent", Scope::Agent),
    ("per agent", Scope::Agent),
    ("individual", Scope::Agent),
];

/// A directive's part without the phrase that names a scope, and that scope.
fn take_scope(part: &str) -> (String, Option<Scope>) {
    let lower = part.to_ascii_lowercase();
    for (phrase, scope) in SCOPE_PHRASES {
        if let Some(at) = text::find_word(&lower, phrase) {
            let rest = format!("{} {}", &part[..at], &part[at + phrase.len()..]);
            return (rest, Some(*scope));
        }
    }
    (part.to_string(), None)
}

/// A directive's part without the clause that says who made what a kind word names ("the
/// decisions we made", "mistakes the agents keep repeating", "the processes agents settled
/// on"): a subject after the kind word opens a relative clause, which names no topic.
fn without_relative_clause(part: &str) -> String {
    let words: Vec<&str> = part.split_whitespace().collect();
    let bare = |word: &str| {
        word.trim_matches(|c: char| !c.is_alphanumeric())
            .to_lowercase()
    };
    let Some(kind_at) = words
        .iter()
        .position(|word| category_of(&text::stem(&bare(word))).is_some_and(|kind| kind.is_some()))
    else {
        return part.to_string();
    };
    let subject = |at: usize| {
        let word = bare(words[at]);
        matches!(
            word.as_str(),
            "we" | "they" | "you" | "i" | "agents" | "people"
        ) || (matches!(word.as_str(), "the" | "our" | "my")
            && words
                .get(at + 1)
                .is_some_and(|next| matches!(bare(next).as_str(), "agents" | "team" | "agent")))
    };
    let Some(cut) = (kind_at + 1..words.len()).find(|&at| subject(at)) else {
        return part.to_string();
    };
    // What the clause says they are about stays: "the preferences agents have about
    // formatting" are preferences about formatting.
    let about = (cut + 1..words.len()).find(|&at| {
        matches!(
            bare(words[at]).as_str(),
            "about" | "regarding" | "concerning" | "around" | "for" | "with" | "in"
        ) && at + 1 < words.len()
    });
    let mut kept = words[..cut].to_vec();
    if let Some(about) = about {
        kept.extend(&words[about..]);
    }
    kept.join(" ")
}

/// A directive's part that asks for how work is done ("how the team works together", "the way
/// we work", "how agents collaborate") as the conventions it means, the team's when it names
/// the team: such a part names no topic of its own.
fn how_work_is_done_as_conventions(part: &str) -> String {
    let words: Vec<String> = part
        .split_whitespace()
        .map(|word| {
            word.trim_matches(|c: char| !c.is_alphanumeric())
                .to_lowercase()
        })
        .collect();
    let working = |word: &str| {
        matches!(
            word,
            "work" | "works" | "working" | "operate" | "operates" | "collaborate" | "collaborates"
        )
    };
    let asks_how = words.iter().enumerate().any(|(at, word)| {
        (word == "how" || word == "way" || word == "ways")
            && words[at + 1..].iter().take(4).any(|next| working(next))
    }) || words
        .iter()
        .any(|word| word.starts_with("collaborat") || word == "teamwork");
    if !asks_how {
        return part.to_string();
    }
    if words
        .iter()
        .any(|word| word == "team" || word == "teams" || word == "together")
    {
        "team-wide conventions".to_string()
    } else {
        "conventions".to_string()
    }
}

/// Whether a directive names conventions, rules, policies or standards (which include decisions
/// and facts), rather than preferences or style alone.
fn names_conventions(analysis: &Analysis) -> bool {
    // Compared by stem, as kinds are ("practices" is a practice; a prefix would also take
    // "rules" for "ruler").
    static STEMS: LazyLock<BTreeSet<String>> = LazyLock::new(|| {
        [
            "convention",
            "rule",
            "policy",
            "standard",
            "guideline",
            "practice",
        ]
        .iter()
        .map(|word| text::stem(word))
        .collect()
    });
    analysis.word_set.iter().any(|word| STEMS.contains(word))
}

impl Directives {
    /// Whether the instructions hold no directive the built-in curator understands.
    pub fn is_empty(&self) -> bool {
        self.focus.is_empty() && self.ignore.is_empty()
    }

    /// The directive (if any) that says to ignore an item whose scope is not known yet: a
    /// directive about one scope ("skip agent-specific preferences") never drops such an item
    /// (see [`Directives::ignores_in_scope`]).
    pub fn ignores(&self, kind: Kind, text: &str, analysis: &Analysis) -> Option<String> {
        self.ignore
            .iter()
            .find(|target| target.matches(kind, text, analysis, None, false))
            .map(Target::describe)
    }

    /// The directive (if any) about one scope that says to ignore an item of that scope.
    pub fn ignores_in_scope(
        &self,
        kind: Kind,
        text: &str,
        analysis: &Analysis,
        scope: Scope,
    ) -> Option<String> {
        self.ignore
            .iter()
            .filter(|target| target.scope.is_some())
            .find(|target| target.matches(kind, text, analysis, Some(scope), false))
            .map(Target::describe)
    }

    /// Whether a *new* memory is within focus (always true without focus directives); a focus
    /// on one scope admits an item whose scope is not known.
    pub fn in_focus(&self, kind: Kind, text: &str, analysis: &Analysis) -> bool {
        self.focus.is_empty()
            || self
                .focus
                .iter()
                .any(|target| target.matches(kind, text, analysis, None, true))
    }

    /// Whether a *new* memory of this scope is within focus.
    pub fn in_focus_in_scope(
        &self,
        kind: Kind,
        text: &str,
        analysis: &Analysis,
        scope: Scope,
    ) -> bool {
        self.focus.is_empty()
            || self
                .focus
                .iter()
                .any(|target| target.matches(kind, text, analysis, Some(scope), true))
    }

    /// The directives as the report's `instructions` shows them (`kind:pitfall & topic:deploy`).
    pub fn summary(&self) -> InstructionsSummary {
        InstructionsSummary {
            focus: self.focus.iter().map(Target::describe).collect(),
            ignore: self.ignore.iter().map(Target::describe).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(target: &Target) -> Vec<Kind> {
        target.kinds.iter().copied().collect()
    }

    #[test]
    fn the_issue_example_is_understood() {
        let d = parse("Focus on tool quirks and team conventions; ignore one-off debugging notes.");
        let focus: Vec<Vec<Kind>> = d.focus.iter().map(kinds).collect();
        assert!(focus.contains(&vec![Kind::Pitfall]), "{d:?}");
        // Conventions include the team's facts, decisions and converged workflows.
        assert!(
            focus.contains(&vec![Kind::Fact, Kind::Preference, Kind::Workflow]),
            "{d:?}"
        );
        assert_eq!(d.ignore.len(), 1);
        assert!(
            d.ignore[0].temporary && d.ignore[0].kinds.is_empty(),
            "{d:?}"
        );
    }

    #[test]
    fn topics_and_kinds_in_other_wordings() {
        // Ways to narrow a dream to one thing.
        for wording in [
            "Stick to tool quirks.",
            "Zero in on tool quirks.",
            "Limit the dream to tool quirks.",
            "Just the tool quirks, please.",
        ] {
            let d = parse(wording);
            assert_eq!(
                d.focus.iter().map(kinds).collect::<Vec<_>>(),
                vec![vec![Kind::Pitfall]],
                "{wording}: {d:?}"
            );
        }
        // A kind is named by any form of its word (compared by stem), and a word that only
        // begins like one ("settled", "factory") names none.
        for (wording, expected) in [
            (
                "Concentrate on mistakes the agents keep repeating.",
                vec!["kind:pitfall"],
            ),
            ("Focus on pitfalls.", vec!["kind:pitfall"]),
            ("Focus on the decisions we made.", vec!["kind:fact"]),
            ("Prioritize what the person decided.", vec!["kind:fact"]),
            (
                "Emphasise the processes agents settled on.",
                vec!["kind:pitfall|workflow"],
            ),
            ("Focus on the factory module.", vec!["topic:factory module"]),
            // How work gets done is its conventions (the team's when it says so).
            (
                "Focus on how the team works together.",
                vec!["kind:fact|preference|workflow & scope:team"],
            ),
            (
                "Focus on the way we work.",
                vec!["kind:fact|preference|workflow"],
            ),
            // Practices are conventions, whatever praises them.
            (
                "Focus on best practices.",
                vec!["kind:fact|preference|workflow"],
            ),
            // What the clause says they are about is the topic.
            (
                "Focus on the workarounds agents found for Docker.",
                vec!["kind:pitfall & topic:docker"],
            ),
        ] {
            assert_eq!(parse(wording).summary().focus, expected, "{wording}");
        }
        // "Nothing about …" and a clause opening with "no" and what it names drop it; "no
        // need", "no matter", "no one" are no directive.
        for (wording, expected) in [
            (
                "Nothing about deployments, please.",
                vec!["topic:deployments"],
            ),
            ("No one-off stuff.", vec!["temporary notes"]),
            ("No personal details.", vec!["personal"]),
            ("No need to be thorough.", vec![]),
            ("No one should touch the billing items.", vec![]),
        ] {
            assert_eq!(parse(wording).summary().ignore, expected, "{wording}");
        }
        assert!(parse("Focus on quirks, no matter what.").ignore.is_empty());
        let d = parse("Please skip anything about the billing service. Prioritise workflows.");
        // Workflows bring the workarounds they need.
        assert_eq!(
            d.focus.iter().map(kinds).collect::<Vec<_>>(),
            vec![vec![Kind::Pitfall, Kind::Workflow]]
        );
        assert_eq!(d.ignore.len(), 1);
        assert!(d.ignore[0].topic.contains("bill"), "{d:?}");
        let both = parse(
            "Emphasise team conventions, tool workarounds and workflows, and ignore temporary debug notes.",
        );
        assert_eq!(both.ignore.len(), 1, "{both:?}");
        assert!(both.ignore[0].temporary);
        assert!(both.focus.iter().all(|t| !t.temporary), "{both:?}");
        let passive = parse(
            "Pay most attention to tool quirks and converged workflows; temporary debugging notes should be ignored.",
        );
        assert_eq!(passive.ignore.len(), 1, "{passive:?}");
        assert!(passive.ignore[0].temporary);
        assert_eq!(passive.focus.len(), 2, "{passive:?}");
        let lessons = parse("Only keep the lessons and learnings about deployments.");
        assert_eq!(lessons.focus.len(), 1, "{lessons:?}");
        assert!(
            !lessons.focus[0]
                .topic
                .iter()
                .any(|w| w.starts_with("lesson") || w.starts_with("learn")),
            "{lessons:?}"
        );
        // Whose items: the team's or one agent's.
        let mine = parse("Skip the preferences of individual agents; only keep team-wide ones.");
        assert_eq!(
            mine.summary().ignore,
            ["kind:preference & scope:agent"],
            "{mine:?}"
        );
        assert_eq!(mine.summary().focus, ["scope:team"], "{mine:?}");
        let rule = "Always squash before merging.";
        let analysis = text::analyze(rule);
        assert!(mine.ignores(Kind::Preference, rule, &analysis).is_none());
        assert!(
            mine.ignores_in_scope(Kind::Preference, rule, &analysis, Scope::Agent)
                .is_some()
        );
        assert!(
            mine.ignores_in_scope(Kind::Preference, rule, &analysis, Scope::Team)
                .is_none()
        );
        assert!(!mine.in_focus_in_scope(Kind::Pitfall, rule, &analysis, Scope::Agent));
        assert!(mine.in_focus_in_scope(Kind::Pitfall, rule, &analysis, Scope::Team));
        let team = parse("Focus on tool quirks, team conventions and shared conventions.");
        assert!(team.focus.iter().all(|t| t.scope.is_none()), "{team:?}");
        let prefers = parse("Focus on what the user prefers.");
        assert_eq!(prefers.summary().focus, ["kind:preference"], "{prefers:?}");
        // A tool named in a directive matches the items that name it in code.
        let bash = parse("Skip Bash quirks.");
        let quirk = "`go vet` (run with `Bash`) fails with `pattern ./...: directory prefix`.";
        assert!(
            bash.ignores(Kind::Pitfall, quirk, &text::analyze(quirk))
                .is_some()
        );
        let edit = parse("Exclude everything related to Edit.");
        let retry = "`Edit` fails on `.go` files with `String to replace not found in file.`.";
        assert!(
            edit.ignores(Kind::Pitfall, retry, &text::analyze(retry))
                .is_some()
        );
        assert!(
            edit.ignores(Kind::Pitfall, quirk, &text::analyze(quirk))
                .is_none()
        );
        // The report names the topic as typed, not by the stem it is matched with.
        assert_eq!(edit.summary().ignore, ["topic:edit"]);
        // Dropping a kind drops that kind, not its neighbours.
        let skip = parse("Skip workflows.");
        assert_eq!(
            skip.ignore.iter().map(kinds).collect::<Vec<_>>(),
            vec![vec![Kind::Workflow]]
        );
        let temp = parse("Drop temporary workarounds we used while debugging");
        assert_eq!(temp.ignore.len(), 1);
        assert!(temp.ignore[0].temporary);
        assert_eq!(kinds(&temp.ignore[0]), vec![Kind::Pitfall]);
    }

    #[test]
    fn focus_follows_topics_and_related_kinds() {
        let d = parse("Focus on tool quirks and project conventions; ignore one-off debugging.");
        let fact = "The GCP project id is acme-prod-123.";
        assert!(d.in_focus(Kind::Fact, fact, &text::analyze(fact)), "{d:?}");
        let deploy = parse("Focus on deploy procedures");
        let workaround = "`deploy_service` fails unless `region` is set (`region: eu-1`).";
        assert!(
            deploy.in_focus(Kind::Pitfall, workaround, &text::analyze(workaround)),
            "{deploy:?}"
        );
        let other = "Workflow: `fetch_ticket` → `issue_refund` → `send_reply`.";
        assert!(!deploy.in_focus(Kind::Workflow, other, &text::analyze(other)));
        // A focus naming a topic keeps what is about it whatever its kind: when unsure, keep.
        let testing = parse("Focus on the testing workflow.");
        let docker = "Integration tests always need Docker running locally.";
        assert!(
            testing.in_focus(Kind::Preference, docker, &text::analyze(docker)),
            "{testing:?}"
        );
        let deploy_fact = "Deploys go out through ArgoCD.";
        assert!(deploy.in_focus(Kind::Fact, deploy_fact, &text::analyze(deploy_fact)));
        // A focus on kinds alone still wants those kinds.
        let quirks = parse("Focus on tool quirks.");
        assert!(!quirks.in_focus(Kind::Preference, docker, &text::analyze(docker)));
        // …and what a person says to do when something fails is a workaround, whatever kind it
        // was filed as.
        for workaround in [
            "If a deploy hangs at Progressing, always restart the argocd-repo-server pod.",
            "When `npm ci` fails with EINTEGRITY, delete the npm cache first.",
        ] {
            assert!(
                quirks.in_focus(Kind::Preference, workaround, &text::analyze(workaround)),
                "{workaround}"
            );
        }
        let condition_only = "If the customer is on the Pro plan, offer the annual discount.";
        assert!(!quirks.in_focus(
            Kind::Preference,
            condition_only,
            &text::analyze(condition_only)
        ));
        let style = parse("Focus on coding-style preferences");
        let rule = "Never use the passive voice in client letters.";
        assert!(
            style.in_focus(Kind::Preference, rule, &text::analyze(rule)),
            "{style:?}"
        );
    }

    #[test]
    fn words_that_name_no_topic_make_no_directive() {
        let d = parse("Leave out the workflows, keep everything else.");
        assert_eq!(d.summary().ignore, ["kind:workflow"], "{d:?}");
        let d = parse("Only keep what helps with deployments.");
        assert_eq!(d.summary().focus, ["topic:deployments"], "{d:?}");
    }

    #[test]
    fn a_topic_is_also_named_by_the_words_of_its_field() {
        let check = |instructions: &str, kind: Kind, item: &str| {
            parse(instructions)
                .ignores(kind, item, &text::analyze(item))
                .is_some()
        };
        // "infrastructure" is named by hosting, clusters, Terraform; "testing" by pytest.
        assert!(check(
            "Don't bother with infrastructure facts.",
            Kind::Fact,
            "We host the docs on Netlify."
        ));
        assert!(check(
            "Skip anything about testing.",
            Kind::Pitfall,
            "`pytest -x` fails without `-p no:cacheprovider`."
        ));
        // "writing" by spelling, tone and wording: how a team's letters and copy read.
        assert!(check(
            "Leave out anything about writing.",
            Kind::Preference,
            "Use British spelling in all user-facing copy."
        ));
        assert!(check(
            "Ignore wording preferences.",
            Kind::Preference,
            "Keep the tone of customer replies warm and brief."
        ));
        // "the shell" by the tools harnesses run commands with; "Windows" by what only it has.
        assert!(check(
            "Skip terminal problems.",
            Kind::Pitfall,
            "`grep` (run with `execute_command`) fails with `The term 'grep' is not recognized`; \
             `Get-ChildItem` worked instead."
        ));
        assert!(check(
            "Skip anything about Windows.",
            Kind::Pitfall,
            "`*.bat` (run with `execute_command`) fails; run a script in the current folder by \
             its path."
        ));
        assert!(check(
            "Skip anything about Windows.",
            Kind::Pitfall,
            "`rmdir` fails with `Remove-Item : A positional parameter cannot be found`; use the \
             cmdlet's own options."
        ));
        // "customer support" by a helpdesk's name; both words must be named.
        assert!(check(
            "Ignore anything about customer support.",
            Kind::Fact,
            "Support tickets are triaged in Zendesk."
        ));
        // Only words that mean the field in any project: "pull the data" is no git, a
        // markdown table no database, tokens of a model no security, a ticket number an issue
        // tracker's as often as a helpdesk's, "supports" no customer.
        for (instructions, item) in [
            (
                "Ignore anything about git.",
                "Pull the data from the API nightly.",
            ),
            (
                "Ignore anything about customer support.",
                "Every new file needs a comment citing the ticket number.",
            ),
            (
                "Ignore anything about customer support.",
                "The CLI supports Python 3.12 and later.",
            ),
            ("Skip database facts.", "Prefer bullet lists over tables."),
            ("Ignore security notes.", "Keep prompts under 2,000 tokens."),
            // A window of the UI is no operating system.
            (
                "Skip anything about Windows.",
                "The settings window opens from the gear icon.",
            ),
        ] {
            assert!(
                !check(instructions, Kind::Fact, item),
                "{instructions} / {item}"
            );
        }
    }

    #[test]
    fn matching_uses_kind_temporariness_and_topic() {
        let d = parse("ignore one-off debugging notes");
        let note = "For now, disable the retry while we debug.";
        assert!(d.ignores(Kind::Fact, note, &text::analyze(note)).is_some());
        let rule = "Run make lint before pushing.";
        assert!(
            d.ignores(Kind::Preference, rule, &text::analyze(rule))
                .is_none()
        );
        let pitfall = "`deploy` fails on Mondays unless `force` is set.";
        // Other words for temporary: short-lived, interim.
        let short = parse("Only keep project conventions; leave out short-lived notes.");
        assert!(
            short.ignore[0].temporary && short.ignore[0].kinds.is_empty(),
            "{short:?}"
        );
        let temp = parse("Drop temporary workarounds");
        assert!(
            temp.ignores(Kind::Pitfall, pitfall, &text::analyze(pitfall))
                .is_none()
        );
        assert!(parse("").is_empty());
    }

    /// "Personal preferences" are what the speaker says of themselves, whatever kind they were
    /// filed as, and items holding a personal e-mail address; the team's conventions stay.
    #[test]
    fn personal_items_are_what_the_speaker_says_of_themselves() {
        for instructions in [
            "Leave out personal preferences.",
            "Don't keep private details.",
        ] {
            let d = parse(instructions);
            assert_eq!(d.ignore.len(), 1, "{instructions}: {d:?}");
            assert!(
                d.ignore[0].personal && d.ignore[0].kinds.is_empty(),
                "{d:?}"
            );
            for personal in [
                "I like my coffee black.",
                "My daughter's name is Ana.",
                "I do not want to sign my commits anymore.",
                "Send the weekly report to jane.roe@gmail.com.",
            ] {
                assert!(
                    d.ignores(Kind::Fact, personal, &text::analyze(personal))
                        .is_some(),
                    "{instructions}: {personal}"
                );
            }
            for team in [
                "Always write tests with pytest fixtures, never unittest classes.",
                "Don't touch the writeups folder, I will do that myself.",
                "Edit files with sed -i or a heredoc.",
                "The oh-my-posh config lives in ~/.config.",
            ] {
                assert!(
                    d.ignores(Kind::Preference, team, &text::analyze(team))
                        .is_none(),
                    "{instructions}: {team}"
                );
            }
        }
    }

    /// A one-off task in the store ("Fix the flaky login test before Friday") is what "ignore
    /// one-off tasks" drops, however it is worded; a standing step ("Run the migrations after
    /// pulling") stays, and so does anything said with a standing marker.
    #[test]
    fn one_off_tasks_are_temporary_notes() {
        for instructions in [
            "Ignore one-off requests and temporary notes.",
            "Skip anything that was only relevant to a single task.",
            "Drop items that are mostly about one session.",
        ] {
            let d = parse(instructions);
            assert!(d.focus.is_empty(), "{instructions}: {d:?}");
            for task in [
                "Fix the flaky login test before Friday.",
                "Don't stop until all functions are ported.",
                "Verify these results before merging.",
                "Remember to rotate the API key tomorrow.",
                "Please update the changelog for this release.",
            ] {
                assert!(
                    d.ignores(Kind::Preference, task, &text::analyze(task))
                        .is_some(),
                    "{instructions}: {task}"
                );
            }
            for standing in [
                "Always run `make check` before pushing.",
                "Run the migrations after pulling.",
                "Before merging, rebase on main.",
                "Every commit message carries a 'Co-Authored-By: Claude' line at the end.",
                "The agent ends a task by calling the finish tool with a summary.",
                "Check the logs in /var/log/app when the worker crashes.",
                "Keep this list sorted.",
                "Update this file when the API changes.",
                "Don't merge until CI is green.",
            ] {
                assert!(
                    d.ignores(Kind::Preference, standing, &text::analyze(standing))
                        .is_none(),
                    "{instructions}: {standing}"
                );
            }
        }
    }

    /// "one-off requests" is temporary, not the topic "request" ("pull requests"); an ignore
    /// directive drops only items naming all of its topic words.
    #[test]
    fn ignore_drops_only_what_it_names_whole() {
        let d = parse("Ignore one-off requests and temporary notes.");
        let rule = "Rebase-merge pull requests; squash only release branches.";
        assert!(
            d.ignores(Kind::Preference, rule, &text::analyze(rule))
                .is_none(),
            "{d:?}"
        );
        let d = parse("Skip notes about flaky integration tests.");
        let unit = "Run the unit tests before pushing.";
        assert!(
            d.ignores(Kind::Preference, unit, &text::analyze(unit))
                .is_none()
        );
        let flaky = "The integration tests are flaky on Mondays.";
        assert!(
            d.ignores(Kind::Fact, flaky, &text::analyze(flaky))
                .is_some()
        );
        // Other verbs and a closing adverb: what to drop is the same.
        for wording in [
            "Forget the marketing site entirely.",
            "Throw away anything about the marketing site.",
            "Get rid of marketing site notes completely.",
            "Remove whatever mentions the marketing site.",
            "Drop items regarding the marketing site.",
        ] {
            let d = parse(wording);
            let hugo = "The marketing site is built with Hugo.";
            assert!(
                d.ignores(Kind::Fact, hugo, &text::analyze(hugo)).is_some(),
                "{wording}: {d:?}"
            );
        }
        // "code formatting" is about formatting code: a citation format is another topic.
        let d = parse("Skip anything about code formatting.");
        let citation = "Cite cases in Bluebook format.";
        assert!(
            d.ignores(Kind::Preference, citation, &text::analyze(citation))
                .is_none(),
            "{d:?}"
        );
        let rustfmt = "Format the code with rustfmt before committing.";
        assert!(
            d.ignores(Kind::Preference, rustfmt, &text::analyze(rustfmt))
                .is_some(),
            "{d:?}"
        );
    }
}
