//! Updates that are right, and never destroy a true memory.
//!
//! A person announces a change ("make the quotes blue instead of green", "rename game_2048.py
//! to 2048.py", "we updated to C17", "from v0.40 to v0.41"), or the agent makes one with an edit
//! that succeeds (`old_string: "setuptools"` → `new_string: "hatchling"` in `pyproject.toml`).
//! Each becomes a [`Substitution`]: an explicit old value (or, for "updated to X", the family of
//! X's value) and the new one. A store item is updated only when it holds that old value (and,
//! for plain words, shares a subject word with the announcement, or names the edited file): the
//! update rewrites the value in place and keeps every other word, and the report says which
//! words matched and why. The agent's own prose never retires anything.

use crate::lexicon::{self, List};
use crate::text;

/// An announced change of value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Substitution {
    /// The value being replaced, as written; `None` for "updated to X" (matched by family).
    pub old: Option<String>,
    /// The new value, as written.
    pub new: String,
    /// The cue that announced it ("instead of", "rename … to", "an edit of pyproject.toml").
    pub cue: String,
    /// Content words of the announcement (stemmed), to confirm the subject for plain words.
    pub subject: Vec<String>,
    /// The file an edit changed (its base name), for edit-derived substitutions.
    pub file: Option<String>,
    /// For a value swapped in one edited line: how many of the line's words an item must share
    /// to be about that line (it need not name the file then). Zero for everything else.
    pub line_words_needed: usize,
    /// For "moved the staging database to X" (no old value named): the content words (stemmed)
    /// of what was changed, which an item must name for X to replace its value of X's shape.
    /// For "from … to" after a change verb ("switch OS from Omarchy to NixOS"): the words of
    /// what the verb changed, one of which an item holding a plain-name old value must name.
    pub object: Vec<String>,
    /// For an `object` substitution: the announcing sentence, whose identifiers an item must
    /// not go beyond.
    pub subject_text: String,
    /// For an `object` substitution: how many object words an item must name at least (two;
    /// one when the object is the product a new version belongs to, "Python" of "Python 3.12",
    /// or the sentence's whole subject, which the item must then open with).
    pub object_min: usize,
    /// For an `object` substitution of one word that is the announcing sentence's whole
    /// subject ("Staging moved to eu-west-1"): the item must open with it too ("Staging runs
    /// in us-east-1"), not merely mention it.
    pub object_opens: bool,
    /// For a list changed as a whole ("from [New, Intro, Done] to [Not Started, Mastered]"):
    /// the old elements, in order, and the new ones. An item holds the old list when it names
    /// every old element in that order, joined as a list is ("New, Intro and Done").
    pub list: Option<(Vec<String>, Vec<String>)>,
    /// For a plain number swapped in an edited line: the line's other swaps of a number in one
    /// unit (`timeout = 150  # 2.5min` → `timeout = 600  # 10min` gives `2.5min` → `10min`). An
    /// item that also gives the number in that unit ("after 2.5 minutes of idle (timeout =
    /// 150)") then has both changed; without such a swap it is left alone (see
    /// `restates_edited_number`).
    pub companions: Vec<(String, String)>,
}

/// How many of an announcement's subject words an item has besides the words of the old and
/// the new value: what says the two are about the same thing, not merely the same value.
fn subject_words_beyond_values(sub: &Substitution, old: &str, item: &text::Analysis) -> usize {
    let values: std::collections::BTreeSet<String> = text::analyze(old)
        .word_set
        .into_iter()
        .chain(text::analyze(&sub.new).word_set)
        .collect();
    sub.subject
        .iter()
        .filter(|w| !values.contains(*w) && item.word_set.contains(*w))
        .count()
}

/// The end of the cue of a quoted value changed to another ("… 'Review' to 'Add to Stock'").
const QUOTED_CUE: &str = "quoted value to quoted value";

/// The cue of a value replaced in the active voice ("We replaced black with ruff").
const REPLACED_CUE: &str = "replaced … with";
/// A plain name dropped in favour of another ("dropped axios in favour of the native fetch
/// API"): replaced where an item uses it as a tool.
const FAVOURED_CUE: &str = "dropped … in favour of";

/// The cue of an instruction naming the tool it replaces ("Use date-fns for dates, not
/// Moment.js"): only items that use the old one as a tool change.
const CONTRASTED_TOOL_CUE: &str = "use …, not";

/// The cue of a quoted command said as news ("Linting is now `just lint`"): it replaces the
/// command an item quotes for the same task under another program.
const COMMAND_CUE: &str = "now `…`";

/// A command's words when it is one ("just lint", "pnpm run build"): two to five words,
/// the first a program name (letters, digits, `-`, `_`, `.`), none a shell operator.
fn command_words(text: &str) -> Option<Vec<&str>> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let program = words.first()?;
    let is_program = program
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        && program
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_lowercase());
    let operator = words
        .iter()
        .any(|w| matches!(*w, "&&" | "||" | "|" | ";" | ">" | "<"));
    ((2..=5).contains(&words.len()) && is_program && !operator).then_some(words)
}

/// The head noun of the subject an item gives a value with "is" or "are" ("Our container
/// registry is …" → `registri`, stemmed), when the subject is one noun phrase: "Backups of
/// staging are …" is about backups, so it has none.
fn subject_head(item: &str) -> Option<String> {
    let lower = item.to_lowercase();
    let words = subject_words(&lower)?;
    let preposition = words.iter().any(|w| {
        matches!(
            *w,
            "of" | "for" | "in" | "on" | "at" | "from" | "to" | "with" | "by" | "and" | "or"
        )
    });
    if preposition || words.len() > 4 {
        return None;
    }
    text::analyze(words.last()?).words.into_iter().next()
}

/// What the subject an item gives a value is for, when its subject closes with it: "incidents"
/// of "The Slack channel for incidents is #ops-fire" (stemmed). "The channel for incident
/// reviews" is for reviews.
fn subject_purpose(item: &str) -> Option<String> {
    let lower = item.to_lowercase();
    match subject_words(&lower)?.as_slice() {
        [.., "for", purpose] => text::analyze(purpose).words.into_iter().next(),
        _ => None,
    }
}

/// The words of a lowercase item before its first "is" or "are": the subject it gives a value.
fn subject_words(lower: &str) -> Option<Vec<&str>> {
    let end = [" is ", " are "]
        .iter()
        .filter_map(|verb| lower.find(verb))
        .min()?;
    Some(lower[..end].split_whitespace().collect())
}

/// The cue of one person's thing for another's ("… Samir's job now, not Priya's").
const OWNER_CUE: &str = "[name]'s, not [name]'s";

/// The item with the old owner's name replaced by the new one's: the item names the old owner
/// as a word of its own and shares a word with the announcement besides the two names ("Release
/// notes are written by Priya." for "Release notes are Samir's job now, not Priya's.").
fn replace_owner(sub: &Substitution, item: &str) -> Option<(String, String)> {
    let old = sub.old.as_deref()?;
    // What is owned, as the announcement names it ("release notes" of "Release notes are
    // Samir's job now"): the item must name all of it ("The web roadmap is Tom's now" is not
    // about the mobile roadmap).
    let lower = sub.subject_text.to_lowercase();
    let end = [" is ", " are "]
        .iter()
        .filter_map(|verb| lower.find(verb))
        .min()?;
    let owned = text::analyze(&sub.subject_text[..end]).word_set;
    let analysis = text::analyze(item);
    if owned.is_empty() || !owned.is_subset(&analysis.word_set) {
        return None;
    }
    let tokens = value_tokens(item);
    let mut named = tokens.iter().enumerate().filter(|(_, t)| {
        t.text == old
            || t.text.strip_suffix("'s") == Some(old)
            || t.text.strip_suffix("\u{2019}s") == Some(old)
    });
    let (Some((at, token)), None) = (named.next(), named.next()) else {
        return None;
    };
    // "Ana" of "Ana Ruiz" is part of a longer name, which the announcement does not give.
    let part_of_longer_name = tokens
        .get(at + 1)
        .is_some_and(|next| next.text.chars().next().is_some_and(char::is_uppercase))
        || at
            .checked_sub(1)
            .and_then(|before| tokens.get(before))
            .is_some_and(|before| {
                before.text.chars().next().is_some_and(char::is_uppercase) && before.start > 0
            });
    if part_of_longer_name {
        return None;
    }
    let at = token.start;
    let replaced = format!("{}{}{}", &item[..at], sub.new, &item[at + old.len()..]);
    let why = format!(
        "`{old}` → `{}` ({OWNER_CUE}; the item shares a word with the announcement besides the names)",
        sub.new
    );
    Some((replaced, why))
}

/// The cue of a thing renamed to a plain word ("We renamed the default branch to main").
const RENAMED_OBJECT_CUE: &str = "renamed [thing] to";

/// The cue of a thing the team switched to a plain word ("We switched the default branch to
/// trunk"), applied as a rename is.
const SWITCHED_OBJECT_CUE: &str = "switched [thing] to";

/// The item with the name it gives the renamed thing replaced: the item names every word of
/// the thing (`object`) and ends with its name after "called", "named" or "is" ("The default
/// branch is called master."). `None` otherwise, or when the name is already the new one.
fn rename_value(sub: &Substitution, item: &str) -> Option<(String, String)> {
    let words = text::analyze(item).word_set;
    if sub.object.is_empty() || !sub.object.iter().all(|w| words.contains(w)) {
        return None;
    }
    let tokens = value_tokens(item);
    let [.., naming, name] = tokens.as_slice() else {
        return None;
    };
    let names = matches!(
        naming.text.to_lowercase().as_str(),
        "called" | "named" | "is" | "are"
    );
    let last = item[name.start + name.text.len()..]
        .chars()
        .all(|c| matches!(c, '.' | '!' | '`' | '"' | '\'' | ' '));
    if !names || !last || !name.is_value() || name.text.eq_ignore_ascii_case(&sub.new) {
        return None;
    }
    let end = name.start + name.text.len();
    let replaced = format!("{}{}{}", &item[..name.start], sub.new, &item[end..]);
    let why = format!(
        "`{}` → `{}` ({}; the item names {} and gives its name last)",
        name.text,
        sub.new,
        sub.cue,
        sub.object.join(" ")
    );
    Some((replaced, why))
}

/// The text with its code spans left out.
fn outside_backticks(text: &str) -> String {
    text.split('`').step_by(2).collect::<Vec<_>>().join(" ")
}

/// Whether a token is a code span (quoted with backticks, not quotation marks).
fn in_backticks(text: &str, token: &Token) -> bool {
    token.quoted && token.start > 0 && text.as_bytes().get(token.start - 1) == Some(&b'`')
}

/// The item with the command it quotes for the task of `new` replaced: a quoted command with
/// the same words after its program and another program (`make lint` for `just lint`, `npm
/// test` for `pnpm test`). `None` when the item quotes no such command, or two.
fn replace_command(sub: &Substitution, item: &str) -> Option<(String, String)> {
    let new = sub.new.as_str();
    let new_words = command_words(new)?;
    // The task named in the announcement's own words ("Linting", "migrations") is one the item
    // names, in its words or its command: `cargo test` "in CI" is not the test command.
    let said = text::analyze(&outside_backticks(&sub.subject_text)).word_set;
    let program_words = text::analyze(new_words[0]).word_set;
    if text::analyze(item)
        .word_set
        .iter()
        .all(|w| !said.contains(w) || program_words.contains(w))
    {
        return None;
    }
    let tokens = value_tokens(item);
    let mut same_task = tokens.iter().filter(|t| {
        in_backticks(item, t)
            && command_words(&t.text).is_some_and(|words| {
                words.len() == new_words.len()
                    && words[0] != new_words[0]
                    && words[1..] == new_words[1..]
            })
    });
    let (Some(old), None) = (same_task.next(), same_task.next()) else {
        return None;
    };
    let end = old.start + old.text.len();
    let replaced = format!("{}{new}{}", &item[..old.start], &item[end..]);
    let why = format!(
        "`{}` → `{new}` ({COMMAND_CUE}; the same task under another program)",
        old.text
    );
    Some((replaced, why))
}

/// The cue of a role handed over ("Bob took over the billing service from Alice").
const TOOK_OVER_CUE: &str = "took over … from";

/// The cue of a role handed over by its old holder ("Dana handed release management over to
/// Luis"); applied as [`TOOK_OVER_CUE`] is.
const HANDED_OVER_CUE: &str = "handed … over to";

/// The cue of a tool a subject uses from now on ("New endpoints should use GraphQL from now on").
const SHOULD_USE_CUE: &str = "should use … from now on";

/// The subject before a modal in a sentence said as a change, without the marker when it opens
/// the sentence ("From now on, new endpoints should use …" → "new endpoints"); `None` when the
/// sentence says no change ("… from now on", "… going forward", "… now").
fn changed_subject<'s>(before_modal: &'s str, sentence: &str) -> Option<&'s str> {
    const MARKERS: [&str; 3] = ["from now on", "going forward", "now"];
    let lower = sentence.to_lowercase();
    let closing = lower.trim_end_matches(['.', '!']).trim_end();
    if MARKERS
        .iter()
        .any(|marker| closing.ends_with(&format!(" {marker}")))
    {
        return Some(before_modal);
    }
    MARKERS.iter().find_map(|marker| {
        let opened = before_modal.get(..marker.len())?;
        opened
            .eq_ignore_ascii_case(marker)
            .then(|| before_modal[marker.len()..].trim_start_matches([',', ' ']))
    })
}

/// A phrase's words for comparing it whole: lowercase, stemmed, without articles and
/// punctuation ("The new endpoints" → `new endpoint`).
fn phrase_words(phrase: &str) -> Vec<String> {
    phrase
        .split(|c: char| !c.is_alphanumeric() && c != '-' && c != '_')
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .filter(|w| !matches!(w.as_str(), "the" | "a" | "an" | "all" | "any" | "our"))
        .map(|w| text::stem(&w))
        .collect()
}

/// A list changed as a whole: "from [New, Intro, Done] to [Not Started, Mastered]", or the
/// bracketed lists after a change verb ("change the levels [A, B] to [C, D]"). Each side has
/// two elements at least; elements are trimmed of quotes.
fn changed_list(sentence: &str) -> Option<(Vec<String>, Vec<String>)> {
    let open = sentence.find('[')?;
    let close = open + sentence[open..].find(']')?;
    let rest = sentence[close + 1..].trim_start();
    let rest = rest.strip_prefix("to ")?.trim_start();
    let second = rest.strip_prefix('[')?;
    let second = &second[..second.find(']')?];
    let before = sentence[..open].to_lowercase();
    let mut words = before
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty());
    let announced = before.split_whitespace().last() == Some("from")
        || words.any(|w| lexicon::is_word_of(List::ChangeVerb, w));
    if !announced {
        return None;
    }
    let elements = |inside: &str| -> Option<Vec<String>> {
        let out: Vec<String> = inside
            .split(',')
            .flat_map(|part| part.split(" and ").flat_map(|p| p.split(" or ")))
            .map(|e| e.trim().trim_matches(['\'', '"', '`']).trim().to_string())
            .filter(|e| !e.is_empty())
            .collect();
        (out.len() >= 2 && out.iter().all(|e| e.chars().count() <= 60)).then_some(out)
    };
    let (old, new) = (elements(&sentence[open + 1..close])?, elements(second)?);
    (old != new).then_some((old, new))
}

/// An item's list of the old elements (every one, in order, joined by commas, "and" or "or")
/// replaced by the new ones, joined the way the item joined its list.
fn replace_list(item: &str, old: &[String], new: &[String]) -> Option<(String, String)> {
    let lower = item.to_lowercase();
    // Lowercasing can change byte lengths outside ASCII; such items are left alone.
    if lower.len() != item.len() || old.is_empty() || new.is_empty() {
        return None;
    }
    let glued = |c: char| c.is_alphanumeric() || c == '_' || c == '-';
    let at_word = |at: usize, len: usize| {
        lower[..at].chars().next_back().is_none_or(|c| !glued(c))
            && lower[at + len..].chars().next().is_none_or(|c| !glued(c))
    };
    let first = old[0].to_lowercase();
    for (start, _) in lower.match_indices(&first) {
        if !at_word(start, first.len()) {
            continue;
        }
        let mut at = start + first.len();
        let mut joiner: Option<&str> = None;
        let mut whole = true;
        for element in &old[1..] {
            let element = element.to_lowercase();
            let mut separated = false;
            loop {
                let rest = &lower[at..];
                let trimmed = rest.trim_start_matches([' ', ',', ';', '/']);
                if trimmed.len() != rest.len() {
                    separated |= rest[..rest.len() - trimmed.len()].contains([',', ';', '/']);
                    at += rest.len() - trimmed.len();
                    continue;
                }
                if let Some(word) = ["and ", "or "].iter().find(|w| rest.starts_with(**w)) {
                    joiner = Some(word.trim_end());
                    separated = true;
                    at += word.len();
                    continue;
                }
                break;
            }
            if !separated || !lower[at..].starts_with(&element) || !at_word(at, element.len()) {
                whole = false;
                break;
            }
            at += element.len();
        }
        if !whole {
            continue;
        }
        let listed = match (joiner, new.split_last()) {
            (Some(joiner), Some((last, init))) if !init.is_empty() => {
                format!("{} {joiner} {last}", init.join(", "))
            }
            _ => new.join(", "),
        };
        let replaced = format!("{}{listed}{}", &item[..start], &item[at..]);
        let why = format!(
            "`{}` → `{listed}` (a list changed as a whole; the item held every old element in \
             order)",
            &item[start..at]
        );
        return Some((replaced, why));
    }
    None
}

/// Words an item must share with an edited line for the line's swapped values to update it:
/// the option, path or name alone says which value, the words say it is the same setting.
const EDITED_LINE_WORDS_NEEDED: usize = 3;
/// Lines an edit may have on either side for line-by-line matching (a rewrite of a whole file
/// says nothing about single values, and this keeps the pairing cheap).
const MAX_EDITED_LINES: usize = 200;
/// How alike a removed and an added line must be (word Jaccard) to be one line changed.
const MIN_COUNTERPART_SIMILARITY: f64 = 0.5;

/// The substitutions a sentence a person typed announces.
pub(crate) fn from_sentence(sentence: &str) -> Vec<Substitution> {
    let tokens = value_tokens(sentence);
    let lower: Vec<String> = tokens.iter().map(|t| t.text.to_lowercase()).collect();
    // A condition or a supposition announces nothing: "If Fluentd is replaced by Vector, the
    // dashboards break." Its clause runs to the first comma; what follows may still state a
    // value ("If no setting is configured, telemetry is disabled by default instead of …").
    let conditional = lower.first().is_some_and(|w| {
        matches!(
            w.as_str(),
            "if" | "unless" | "whether" | "suppose" | "supposing" | "should"
        )
    });
    let condition_end = if conditional {
        sentence.find(',').unwrap_or(sentence.len())
    } else {
        0
    };

    let subject: Vec<String> = text::analyze(sentence).word_set.into_iter().collect();
    let mut out = Vec::new();
    let make = |old: Option<&Token>, new: &Token, cue: &str| Substitution {
        old: old.map(|t| t.text.clone()),
        new: new.text.clone(),
        cue: cue.to_string(),
        subject: subject.clone(),
        file: None,
        line_words_needed: 0,
        object: Vec::new(),
        object_min: 2,
        object_opens: false,
        subject_text: String::new(),
        list: None,
        companions: Vec::new(),
    };
    if let Some((old, new)) = changed_list(sentence) {
        let joined = Token {
            text: new.join(", "),
            start: 0,
            quoted: true,
        };
        let mut sub = make(None, &joined, "from [list] to [list]");
        sub.old = Some(old.join(", "));
        sub.new = new.join(", ");
        sub.list = Some((old, new));
        out.push(sub);
    }
    // "Correction: staging runs Postgres 15, not 13": a person putting a value right says it
    // is news as plainly as "now" does.
    let corrects = matches!(
        lower.first().map(|w| w.trim_end_matches([':', ','])),
        Some("correction" | "actually" | "update")
    );
    for i in 0..tokens.len() {
        if tokens[i].start < condition_end {
            continue;
        }
        // "X instead of Y", "X rather than Y"
        if ((lower[i] == "instead" && lower.get(i + 1).is_some_and(|w| w == "of"))
            || (lower[i] == "rather" && lower.get(i + 1).is_some_and(|w| w == "than")))
            && i >= 1
            && let Some(old) = tokens.get(i + 2)
        {
            // "We use Vitest now instead of Jest": "now" says when, the value is before it.
            let before_now = usize::from(i >= 2 && lower[i - 1] == "now");
            let mut new = &tokens[i - 1 - before_now];
            // "the exports-v2 bucket instead of legacy-exports": the old value is replaced by
            // the specific value just before, not by the head noun after it.
            if old.is_value()
                && !new.is_specific()
                && i >= 2
                && let Some(specific) = tokens[i.saturating_sub(3)..i - 1]
                    .iter()
                    .rev()
                    .find(|t| t.is_specific() && value_shape(&t.text).is_some())
            {
                new = specific;
            }
            // "disabled by default instead of enabled": a phrase closing the new side ("by
            // default", "in production") belongs to both values; the value is the word before it
            // when that word has the old value's form (`disabled` / `enabled`) and the last word
            // has not.
            if i >= 3
                && matches!(
                    lower[i - 2].as_str(),
                    "by" | "in" | "on" | "at" | "for" | "with"
                )
                && same_form(&tokens[i - 3].text, &old.text)
                && !same_form(&new.text, &old.text)
            {
                new = &tokens[i - 3];
            }
            // "two approvals instead of one": the old value is a count whose noun is left out,
            // so the new value is the count before the noun, and both sides are that noun's
            // phrase ("one approval" → "two approvals"). A count is never replaced by a word.
            if text::is_count(&old.text) && !text::is_count(&new.text) {
                if i >= 2 && text::is_count(&tokens[i - 2].text) && new.is_value() {
                    let noun = new.text.as_str();
                    let singular = noun.strip_suffix('s').unwrap_or(noun);
                    let old_noun = if matches!(lower[i + 2].as_str(), "one" | "1") {
                        singular
                    } else {
                        noun
                    };
                    let mut sub = make(None, new, "instead of");
                    sub.old = Some(format!("{} {old_noun}", old.text));
                    sub.new = format!("{} {noun}", tokens[i - 2].text);
                    out.push(sub);
                }
                continue;
            }
            // "Vite 5 instead of Webpack 4": a versioned name for another, each whole (the
            // version alone replaced the old name: "The build uses 5 4.").
            let version_at = |at: usize| {
                tokens
                    .get(at)
                    .is_some_and(|t| value_shape(&t.text) == Some(Shape::Version))
            };
            let new_at = i - 1 - before_now;
            if version_at(new_at) && new_at >= 1 && tokens[new_at - 1].is_specific() {
                if version_at(i + 3) && old.is_specific() {
                    let mut sub = make(None, new, "instead of");
                    sub.old = Some(format!("{} {}", old.text, tokens[i + 3].text));
                    sub.new = format!("{} {}", tokens[new_at - 1].text, new.text);
                    out.push(sub);
                }
                continue;
            }
            // A name is never replaced by a plain word ("… for the docs site instead of Webpack
            // 4 there" is no site for Webpack), nor a versioned name by an unversioned value.
            let plain_for_name = old.is_specific()
                && !new.is_specific()
                && value_shape(&new.text).is_none()
                && family_of(&new.text).is_none();
            if plain_for_name || version_at(i + 3) {
                continue;
            }
            if new.is_value() && old.is_value() {
                let mut sub = make(Some(old), new, "instead of");
                // "GitHub Actions rather than Travis", "AWS Secrets Manager instead of Vault": a
                // capitalised name of several words is one value.
                let capitalised = |t: &Token| t.text.chars().next().is_some_and(char::is_uppercase);
                let new_at = i - 1 - before_now;
                if std::ptr::eq(new, &tokens[new_at]) && capitalised(new) {
                    let mut first = new_at;
                    while first > 0
                        && new_at - first < 3
                        && capitalised(&tokens[first - 1])
                        && tokens[first - 1].is_value()
                        && !tokens[first - 1].quoted
                        && sentence[tokens[first - 1].start + tokens[first - 1].text.len()
                            ..tokens[first].start]
                            .chars()
                            .all(|c| c == ' ')
                    {
                        first -= 1;
                    }
                    // The sentence's first word is capitalised anyway: no part of a name unless
                    // the name is all the sentence has before it.
                    if first == 0 && new_at > 0 {
                        first = 1;
                    }
                    if first < new_at {
                        sub.new =
                            sentence[tokens[first].start..new.start + new.text.len()].to_string();
                    }
                }
                out.push(sub);
            } else if let (Some(new), Some(old)) = (
                phrase_before(sentence, &tokens, &lower, i),
                phrase_after(sentence, &tokens, &lower, i + 2),
            ) {
                // "approved by the CFO instead of the finance lead": a phrase for a phrase.
                let mut sub = make(None, &tokens[i - 1], "instead of");
                sub.old = Some(old);
                sub.new = new;
                out.push(sub);
            }
        }
        // "… the release-2026 branch instead.": one value of a shape, the old one unnamed.
        // (What follows a closing "instead" is punctuation or nothing, so never "of".)
        if lower[i] == "instead"
            && sentence[tokens[i].start + tokens[i].text.len()..]
                .trim_start()
                .chars()
                .next()
                .is_none_or(|c| matches!(c, '.' | '!' | ';' | ',' | ')'))
        {
            // Its clause only: "We retired the 2023 template; draft from the 2025 template
            // instead" names the old value in the clause before.
            let clause_start = sentence[..tokens[i].start]
                .rfind([';', ':'])
                .map_or(0, |at| at + 1);
            let valued: Vec<&Token> = tokens[..i]
                .iter()
                .filter(|t| t.start >= clause_start)
                .filter(|t| t.is_specific() && value_shape(&t.text).is_some())
                .collect();
            if valued.is_empty()
                && let Some((new, object)) = tool_for_a_thing(sentence, &tokens, clause_start, i)
            {
                // "Let's do the marketing site in Astro instead": the one tool of the items
                // about the marketing site.
                let mut sub = make(None, &new, "instead");
                sub.object = object;
                sub.subject_text = sentence.to_string();
                out.push(sub);
            }
            if let [new] = valued.as_slice() {
                if family_of(&new.text).is_some() {
                    out.push(make(None, new, "instead"));
                } else {
                    let object: Vec<String> =
                        text::analyze(&sentence[clause_start..tokens[i].start])
                            .word_set
                            .into_iter()
                            .collect();
                    let mut sub = make(None, new, "instead");
                    sub.object = object;
                    sub.subject_text = sentence.to_string();
                    out.push(sub);
                }
            }
        }
        // "Let's instead use Python 3.11 for the scripts": "instead" before what is done now,
        // a product's new version (the items naming the product and holding one version) or a
        // value of a family ("let's instead target C17").
        if lower[i] == "instead"
            && lower
                .get(i + 1)
                .is_some_and(|w| !matches!(w.as_str(), "of" | "than"))
        {
            let valued: Vec<usize> = (i + 1..tokens.len())
                .filter(|&at| {
                    tokens[at].is_specific()
                        && (value_shape(&tokens[at].text).is_some()
                            || family_of(&tokens[at].text).is_some())
                })
                .collect();
            if let [at] = valued.as_slice() {
                if let Some((version, Some(product))) =
                    at.checked_sub(1).and_then(|name| versioned(&tokens, name))
                {
                    let mut sub = make(None, version, "instead");
                    sub.object = vec![product];
                    sub.object_min = 1;
                    sub.subject_text = sentence.to_string();
                    out.push(sub);
                } else if family_of(&tokens[*at].text).is_some() {
                    out.push(make(None, &tokens[*at], "instead"));
                }
            }
        }
        // "Y was replaced by X", "Y has been swapped out for X", "Y got superseded by X".
        if matches!(lower[i].as_str(), "replaced" | "swapped" | "superseded")
            && let Some(old) = passive_subject(&tokens, &lower, i)
        {
            let mut j = i + 1;
            if lower.get(j).is_some_and(|w| w == "out") {
                j += 1;
            }
            if lower
                .get(j)
                .is_some_and(|w| matches!(w.as_str(), "by" | "with" | "for"))
                && let Some(new) = tokens.get(j + 1)
                && new.is_value()
            {
                out.push(make(Some(old), new, &format!("{} by", lower[i])));
            }
        }
        // "Bob took over the billing service from Alice": a name for a name, the new one the
        // sentence's subject, the old one after "from".
        if matches!(lower[i].as_str(), "took" | "taken" | "takes")
            && lower.get(i + 1).is_some_and(|w| w == "over")
            && let Some(from) = (i + 2..tokens.len()).find(|&at| lower[at] == "from")
            && let Some(old) = tokens
                .get(from + 1)
                .filter(|t| t.is_specific() && !t.quoted)
            && let Some((first, last)) = named_subject(&tokens, &lower, i)
        {
            let mut sub = make(Some(old), first, TOOK_OVER_CUE);
            sub.new = sentence[first.start..last.start + last.text.len()].to_string();
            sub.old = Some(name_run(sentence, &tokens, from + 1).0);
            // What was taken over: an item about something else keeps its holder.
            sub.object = text::analyze(&sentence[tokens[i + 1].start + 4..tokens[from].start])
                .word_set
                .into_iter()
                .collect();
            sub.object_min = sub.object.len();
            out.push(sub);
        }
        // "Dana handed release management over to Luis", "Dana handed off on-call to Luis": the
        // took-over change said from the other side, the old name the sentence's subject.
        if matches!(lower[i].as_str(), "handed" | "hands" | "passed")
            && let Some((first, last)) = named_subject(&tokens, &lower, i)
            && let Some(to) = (i + 1..tokens.len()).find(|&at| lower[at] == "to")
            && let Some(new) = tokens.get(to + 1).filter(|t| t.is_specific() && !t.quoted)
            // "handed release management to Luis" hands it over too; "passed" needs "over" or
            // "off" ("passed the tests to CI" hands nothing over).
            && (matches!(lower[i].as_str(), "handed" | "hands")
                || (i + 1..to).any(|at| matches!(lower[at].as_str(), "over" | "off")))
        {
            let mut sub = make(Some(first), new, HANDED_OVER_CUE);
            sub.old = Some(sentence[first.start..last.start + last.text.len()].to_string());
            sub.new = name_run(sentence, &tokens, to + 1).0;
            let between: String = (i + 1..to)
                .filter(|&at| !matches!(lower[at].as_str(), "over" | "off"))
                .map(|at| tokens[at].text.as_str())
                .collect::<Vec<_>>()
                .join(" ");
            sub.object = text::analyze(&between).word_set.into_iter().collect();
            sub.object_min = sub.object.len();
            if !sub.object.is_empty() {
                out.push(sub);
            }
        }
        // "New endpoints should use GraphQL from now on": what the subject uses from now on,
        // for the items about that subject ("Prefer REST for new endpoints"). The sentence
        // must say it is a change; "Tests should use fixtures" states a rule, replaces none.
        if i >= 1
            && matches!(lower[i].as_str(), "should" | "must")
            && lower.get(i + 1).is_some_and(|w| w == "use")
            && let Some(new) = tokens.get(i + 2).filter(|t| t.is_specific() && !t.quoted)
            && let Some(subject) = changed_subject(&sentence[..tokens[i].start], sentence)
        {
            let object: Vec<String> = text::analyze(subject).word_set.into_iter().collect();
            if (1..=4).contains(&object.len()) && value_shape(&new.text).is_none() {
                let mut sub = make(None, new, SHOULD_USE_CUE);
                sub.new = name_run(sentence, &tokens, i + 2).0;
                sub.object_min = object.len();
                sub.object = object;
                // The whole subject, modifiers included ("new endpoints", not "internal
                // endpoints"): the item's purpose must be it, word for word.
                sub.subject_text = phrase_words(subject).join(" ");
                out.push(sub);
            }
        }
        // "We replaced black with ruff", "we swapped Jest for Vitest": the active voice, the
        // old value right after the verb (an article skipped), the new one after "with".
        if matches!(
            lower[i].as_str(),
            "replaced" | "swapped" | "substituted" | "exchanged"
        ) && passive_subject(&tokens, &lower, i).is_none()
        {
            let mut j = i + 1;
            if lower
                .get(j)
                .is_some_and(|w| matches!(w.as_str(), "the" | "our"))
            {
                j += 1;
            }
            // (A specific old name, "replaced Datadog with Grafana Cloud", is read with the
            // other change verbs below.)
            if let Some(old) = tokens.get(j).filter(|t| t.is_value() && !t.is_specific())
                && lower
                    .get(j + 1)
                    .is_some_and(|w| matches!(w.as_str(), "with" | "by" | "for"))
                && let Some(new) = tokens.get(j + 2).filter(|t| t.is_value())
            {
                let mut sub = make(Some(old), new, REPLACED_CUE);
                sub.new = name_run(sentence, &tokens, j + 2).0;
                out.push(sub);
            }
        }
        // "we ditched Memcached in favour of Redis": the old value is the name just before.
        if matches!(lower[i].as_str(), "favour" | "favor")
            && i >= 2
            && lower[i - 1] == "in"
            && lower.get(i + 1).is_some_and(|w| w == "of")
            && let Some(new) = tokens.get(i + 2)
            && new.is_specific()
            && let Some(old) = tokens[i.saturating_sub(4)..i - 1]
                .iter()
                .rev()
                .find(|t| t.is_specific() && t.text != new.text)
        {
            out.push(make(Some(old), new, "in favour of"));
        } else if matches!(lower[i].as_str(), "favour" | "favor")
            && i >= 3
            && lower[i - 1] == "in"
            && lower.get(i + 1).is_some_and(|w| w == "of")
            // "We dropped axios in favour of the native fetch API": a lower-case name right
            // after a verb that retires or replaces it, for the phrase after "of".
            && matches!(
                lower[i - 3].as_str(),
                "dropped"
                    | "dropping"
                    | "ditched"
                    | "ditching"
                    | "retired"
                    | "retiring"
                    | "abandoned"
                    | "replaced"
                    | "swapped"
            )
            && tokens[i - 2].is_value()
            && let Some(new) = phrase_after_favour(sentence, &tokens, &lower, i + 2)
        {
            out.push(Substitution {
                new,
                ..make(Some(&tokens[i - 2]), &tokens[i - 2], FAVOURED_CUE)
            });
        }
        // "the docs site now builds with MkDocs, not Sphinx": a name for a name, said as news.
        // "Use date-fns for date handling, not Moment.js": an instruction to use one tool, not
        // another, replaces the other where an item uses it as a tool (`CONTRASTED_TOOL_CUE`).
        let instruction = matches!(lower.first().map(String::as_str), Some("use" | "prefer"));
        // "We're going with CodeMirror, not Monaco", "we settled on Vitest, not Jest": the
        // team's decision names the value it did not take.
        let decided = lower[i] == "not"
            && crate::lexicon::Cues::scan(&sentence[..tokens[i].start].to_lowercase())
                .has(List::Decision);
        if lower[i] == "not"
            && i >= 1
            && (lower.iter().any(|w| w == "now") || corrects || instruction || decided)
            && sentence[..tokens[i].start].trim_end().ends_with(',')
            && let Some(old) = tokens.get(i + 1)
            && old.is_specific()
        {
            // "release notes are Samir's job now, not Priya's": one person's for another's,
            // the nearest possessive name before the comma, both without the "'s".
            let possessive = |t: &Token| {
                t.text
                    .strip_suffix("'s")
                    .or_else(|| t.text.strip_suffix("\u{2019}s"))
                    .filter(|name| name.chars().next().is_some_and(char::is_uppercase))
                    .map(str::to_string)
            };
            let owner = possessive(old).and_then(|old_name| {
                let new_name = tokens[..i].iter().rev().take(4).find_map(possessive)?;
                (new_name != old_name).then_some((old_name, new_name))
            });
            if let Some((old_name, new_name)) = owner
                && !instruction
            {
                let mut sub = make(None, old, OWNER_CUE);
                sub.old = Some(old_name);
                sub.new = new_name;
                sub.subject_text = sentence.to_string();
                out.push(sub);
            } else if tokens[i - 1].is_specific() && !instruction {
                out.push(make(Some(old), &tokens[i - 1], ", not"));
            } else if lower[i - 1] == "now" && i >= 2 && tokens[i - 2].is_specific() && !instruction
            {
                // "Contracts live in Google Drive now, not SharePoint": the name before "now",
                // all its capitalised words, for the name after "not".
                let capitalised = |t: &Token| {
                    t.is_value()
                        && !t.quoted
                        && t.text.chars().next().is_some_and(char::is_uppercase)
                };
                let mut first = i - 2;
                while first > 1
                    && capitalised(&tokens[first])
                    && capitalised(&tokens[first - 1])
                    && sentence[tokens[first - 1].start + tokens[first - 1].text.len()
                        ..tokens[first].start]
                        == *" "
                {
                    first -= 1;
                }
                let last = &tokens[i - 2];
                let mut sub = make(Some(old), last, ", not");
                sub.new = sentence[tokens[first].start..last.start + last.text.len()].to_string();
                sub.old = Some(name_run(sentence, &tokens, i + 1).0);
                out.push(sub);
            } else if instruction
                && let Some(new) = tokens.get(1)
                && new.is_value()
                && !new.text.eq_ignore_ascii_case(&old.text)
            {
                out.push(make(Some(old), new, CONTRASTED_TOOL_CUE));
            }
        }
        // "Invoices now come from accounts@example.com": the subject before "now", the one
        // address, path or host after it. A number is left to the value families ("Tests now
        // pass on Python 3.12" says nothing of "Tests take 5 minutes"), "X is now Y" to the
        // subject's slot.
        let opening_now = lower[i] == "now"
            && i >= 1
            && !matches!(
                lower[i - 1].as_str(),
                "from"
                    | "right"
                    | "just"
                    | "for"
                    | "until"
                    | "till"
                    | "by"
                    | "as"
                    | "of"
                    | "is"
                    | "are"
                    | "was"
                    | "were"
                    | "be"
                    | "been"
                    | "it's"
                    | "that's"
            )
            && lower
                .get(i + 1)
                .is_some_and(|w| !matches!(w.as_str(), "on" | "that" | "is" | "are"));
        let shaped_value = |t: &&Token| {
            t.is_specific() && value_shape(&t.text).is_some_and(|shape| shape != Shape::Version)
        };
        // The verb the subject comes before, and the one value.
        let now_value = if opening_now {
            let mut shaped = tokens[i + 1..].iter().filter(shaped_value);
            match (shaped.next(), shaped.next()) {
                (Some(new), None) => Some((i, new)),
                _ => None,
            }
        // "Deploy announcements go to `#releases` now": the same, with "now" (or "from now
        // on", "going forward") closing the sentence after the value, which follows its verb
        // and a preposition.
        } else if let Some(end) = closing_news_marker(&lower, i)
            && end >= 3
            && matches!(
                lower[end - 2].as_str(),
                "to" | "at" | "from" | "in" | "on" | "via" | "into"
            )
            && !matches!(
                lower[end - 3].as_str(),
                "is" | "are" | "was" | "were" | "be"
            )
            && tokens[..end - 1]
                .iter()
                .all(|t| !(t.is_specific() && value_shape(&t.text).is_some()))
        {
            tokens
                .get(end - 1)
                .filter(shaped_value)
                .map(|new| (end - 3, new))
        } else {
            None
        };
        if let Some((verb, new)) = now_value {
            let object = subject_before(sentence, &tokens, &lower, verb);
            let whole_subject = is_whole_subject(sentence, &tokens, verb, &object);
            let min = if whole_subject { 1 } else { 2 };
            if object.len() >= min {
                let mut sub = make(None, new, "now");
                sub.object = object;
                sub.object_min = min;
                sub.object_opens = whole_subject;
                sub.subject_text = sentence.to_string();
                out.push(sub);
            }
        }
        // "The staging URL changed: it's https://staging-2.example.com now." — the subject
        // before the verb, the value after "it's".
        if matches!(lower[i].as_str(), "changed" | "moved")
            && sentence[tokens[i].start + tokens[i].text.len()..].starts_with([':', ';'])
        {
            let mut j = i + 1;
            match (
                lower.get(j).map(String::as_str),
                lower.get(j + 1).map(String::as_str),
            ) {
                (Some("it's" | "its"), _) => j += 1,
                (Some("it"), Some("is")) => j += 2,
                _ => j = usize::MAX,
            }
            if let Some(new) = tokens.get(j)
                && new.is_specific()
                && value_shape(&new.text).is_some()
            {
                let object = subject_before(sentence, &tokens, &lower, i);
                if object.len() >= 2 {
                    let mut sub = make(None, new, &format!("{}: it's", lower[i]));
                    sub.object = object;
                    sub.subject_text = sentence.to_string();
                    out.push(sub);
                }
            }
        }
        // "from Y to X", where each side may be a capitalised name of several words ("from
        // Jenkins to GitHub Actions", "from Google Cloud to AWS"); "moved the API off Heroku
        // to Fly.io" after a change verb.
        let off_after_verb = lower[i] == "off"
            && (i.saturating_sub(5)..i).any(|v| lexicon::is_word_of(List::ChangeVerb, &lower[v]));
        if (lower[i] == "from" || off_after_verb)
            && let Some(old) = tokens.get(i + 1)
            && old.is_value()
        {
            let (mut old_text, mut old_len) = name_run(sentence, &tokens, i + 1);
            // "from 10 MB to 50 MB": an amount and its unit are one value, on both sides.
            let number =
                |t: &Token| !t.quoted && t.text.chars().next().is_some_and(|c| c.is_ascii_digit());
            let unit_after = |at: usize| -> Option<&str> {
                let unit = tokens.get(at + 1)?;
                (number(&tokens[at])
                    && !unit.quoted
                    && unit.text.len() <= 8
                    && unit.text.chars().all(|c| c.is_ascii_alphabetic()))
                .then_some(unit.text.as_str())
            };
            let old_unit = unit_after(i + 1)
                .filter(|_| matches!(lower.get(i + 3).map(String::as_str), Some("to" | "onto")));
            if let Some(unit) = old_unit {
                old_text = format!("{} {unit}", tokens[i + 1].text);
                old_len = 2;
            }
            // "… to our own Ghost site": the name after a determiner and "own" or "new".
            let mut new_at = i + 2 + old_len;
            while lower.get(new_at).is_some_and(|w| {
                matches!(
                    w.as_str(),
                    "the" | "a" | "an" | "our" | "my" | "your" | "their" | "its" | "own" | "new"
                )
            }) {
                new_at += 1;
            }
            let after_determiner = new_at > i + 2 + old_len;
            if lower
                .get(i + 1 + old_len)
                .is_some_and(|w| matches!(w.as_str(), "to" | "onto"))
                && let Some(new) = tokens.get(new_at)
                && new.is_value()
                && (!after_determiner || new.is_specific())
            {
                let (mut new_text, _) = name_run(sentence, &tokens, new_at);
                if let (Some(old_unit), Some(new_unit)) = (old_unit, unit_after(new_at))
                    && old_unit.eq_ignore_ascii_case(new_unit)
                {
                    new_text = format!("{} {new_unit}", new.text);
                }
                let mut sub = make(Some(old), new, "from … to");
                sub.old = Some(old_text);
                sub.new = new_text;
                // "switch OS from Omarchy to NixOS": what the verb changed ("OS"), which an
                // item must name when it holds a plain name ("the stock Omarchy logo" is not
                // the OS).
                if let Some(verb) = (i.saturating_sub(6)..i)
                    .rev()
                    .find(|&v| lexicon::is_word_of(List::ChangeVerb, &lower[v]))
                {
                    let between =
                        &sentence[tokens[verb].start + tokens[verb].text.len()..tokens[i].start];
                    sub.object = text::analyze(between).word_set.into_iter().collect();
                }
                out.push(sub);
            }
        }
        // "The staging database is db-stg-3 now (it used to be db-stg-1)": the old value after
        // "used to be", the new one the sentence's other value of its shape.
        if lower[i] == "used"
            && lower.get(i + 1).is_some_and(|w| w == "to")
            && lower.get(i + 2).is_some_and(|w| w == "be")
            && let Some(old) = tokens.get(i + 3)
            && old.is_specific()
            && let Some(shape) = value_shape(&old.text)
            && let Some(new) = tokens[..i]
                .iter()
                .rev()
                .chain(tokens[i + 4..].iter())
                .find(|t| {
                    t.is_specific()
                        && value_shape(&t.text) == Some(shape)
                        && !t.text.eq_ignore_ascii_case(&old.text)
                })
        {
            out.push(make(Some(old), new, "used to be"));
        }
        // "amend the button that says 'Review' to 'Add to Stock'": a quoted value for a quoted
        // value, after a change verb earlier in the sentence (right after the verb, "rename
        // `a.py` to `b.py`" is read below).
        if tokens[i].quoted
            && i >= 1
            && lower[i - 1] != "from"
            && !lexicon::is_word_of(List::ChangeVerb, &lower[i - 1])
            && lower.get(i + 1).is_some_and(|w| w == "to")
            && let Some(new) = tokens.get(i + 2)
            && new.quoted
            && let Some(verb) = lower[..i]
                .iter()
                .find(|w| lexicon::is_word_of(List::ChangeVerb, w))
        {
            out.push(make(
                Some(&tokens[i]),
                new,
                &format!("{verb} … {QUOTED_CUE}"),
            ));
        }
        // "Y → X", "Y -> X" — when it reads as a value replaced. In a person's message an arrow
        // more often leads somewhere ("Stock board → open vehicle drawer", "Settings → Billing →
        // Invoices"), shows a flow ("pushed from agent-server → app-server") or a mapping
        // ("POST /query → QueryResponse"): it announces a change only between two values of one
        // closed set or a pair of opposites (`Monday → Wednesday`, `tabs → spaces`), two versions or
        // numbers (`v1.2 → v1.3`), or in a sentence with a change verb ("switched the backend:
        // setuptools → hatchling"); a chain of arrows never does.
        let is_arrow = |w: &str| matches!(w, "→" | "->");
        if is_arrow(&lower[i])
            && i >= 1
            && let Some(new) = tokens.get(i + 1)
            && tokens[i - 1].is_value()
            && new.is_value()
        {
            let old = &tokens[i - 1];
            let (old_lower, new_lower) = (&lower[i - 1], &lower[i + 1]);
            // A chain: another arrow anywhere in the sentence ("Trigger → Switch (intention) →
            // Agent Claude → PostgreSQL (save/load) → Response").
            let chained = lower.iter().filter(|w| is_arrow(w)).count() > 1;
            // A version's shape covers plain numbers too (`25`, `1.2.3`, `v2`).
            let numeric = |t: &Token| value_shape(&t.text) == Some(Shape::Version);
            let alike = text::value_family(old_lower)
                .is_some_and(|family| text::value_family(new_lower) == Some(family))
                || (text::is_opposite(old_lower) && text::is_opposite(new_lower))
                || (numeric(old) && numeric(new));
            // After a change verb, the two sides must still be values: not everyday words or a
            // template's "old → new" ("Version change: old → new", "should → replace").
            let placeholder = |w: &str| {
                text::is_common_word(w) || matches!(w, "old" | "new" | "previous" | "current")
            };
            let announced = lower
                .iter()
                .any(|w| lexicon::is_word_of(List::ChangeVerb, w))
                && !placeholder(old_lower)
                && !placeholder(new_lower);
            if !chained && (alike || announced) {
                out.push(make(Some(old), new, "→"));
            }
        }
        // "<verb> [the|a|our] Y to X", "<verb> to X"; "we're migrating auth to X" says the
        // change is under way.
        let under_way = i >= 1
            && lexicon::is_word_of(List::ProgressiveChangeVerb, &lower[i])
            && matches!(
                lower[i - 1].as_str(),
                "we're" | "we’re" | "are" | "is" | "i'm" | "i’m" | "am"
            );
        if lexicon::is_word_of(List::ChangeVerb, &lower[i]) || under_way {
            let mut j = i + 1;
            // "swapped out Mailgun for Postmark": "out" belongs to the verb.
            while lower.get(j).is_some_and(|w| {
                matches!(
                    w.as_str(),
                    "the" | "a" | "an" | "our" | "it" | "over" | "out"
                )
            }) {
                j += 1;
            }
            if lower.get(j).is_some_and(|w| w == "to")
                && let Some(new) = tokens.get(j + 1)
                && new.is_value()
            {
                // "updated to C17": no old value named.
                let (new, product) = versioned(&tokens, j + 1).unwrap_or((new, None));
                let mut sub = make(None, new, &format!("{} to", lower[i]));
                // "Switch to bun for installs": a tool's name with what it is for, which an
                // item using one tool for that names too ("Use pnpm for installs").
                if product.is_none()
                    && value_shape(&new.text).is_none()
                    && family_of(&new.text).is_none()
                    && text::value_family(&new.text).is_none()
                    && let Some(purpose) = purpose_after(sentence, &tokens, &lower, j + 2)
                {
                    sub.object_min = purpose.len();
                    sub.object = purpose;
                    sub.subject_text = sentence.to_string();
                }
                // "Docs deploys switched to Cloudflare Pages": a tool's name (capitalised, of
                // no value shape and no closed set) for what the clause before the verb names,
                // which replaces the one tool an item naming all of that uses ("The docs are
                // deployed with Netlify").
                let tool_name = sub.object.is_empty()
                    && product.is_none()
                    && value_shape(&new.text).is_none()
                    && family_of(&new.text).is_none()
                    && text::value_family(&new.text).is_none()
                    && (new.text.chars().next().is_some_and(char::is_uppercase)
                        || is_known_tool(&new.text.to_lowercase()));
                // Two words at least: one ("Our team switched to Linear") names too much.
                let named_before = subject_before(sentence, &tokens, &lower, i);
                if tool_name && named_before.len() >= 2 {
                    let mut by_name = make(None, new, &format!("{} to", lower[i]));
                    by_name.new = name_run(sentence, &tokens, j + 1).0;
                    by_name.object_min = named_before.len();
                    by_name.object = named_before.clone();
                    by_name.subject_text = sentence.to_string();
                    out.push(by_name);
                }
                // "The default branch got renamed to main": the thing's new name, for the item
                // that names the thing and gives its name last (see [`rename_value`]).
                if lower[i].starts_with("renam")
                    && product.is_none()
                    && value_shape(&new.text).is_none()
                    && !named_before.is_empty()
                {
                    let mut renamed = make(None, new, RENAMED_OBJECT_CUE);
                    renamed.object_min = named_before.len();
                    renamed.object = named_before;
                    renamed.subject_text = sentence.to_string();
                    out.push(renamed);
                }
                out.push(sub);
                // "the staging API moved to https://…", "we upgraded to Python 3.12": what
                // changed is named before the verb, or is the product the version belongs to.
                if family_of(&new.text).is_none() && value_shape(&new.text).is_some() {
                    let mut object = subject_before(sentence, &tokens, &lower, i);
                    let whole_subject =
                        product.is_none() && is_whole_subject(sentence, &tokens, i, &object);
                    let mut min = 2;
                    if let Some(product) = product {
                        object.push(product);
                        min = 1;
                    } else if whole_subject {
                        min = 1;
                    }
                    object.sort();
                    object.dedup();
                    if object.len() >= min {
                        let mut sub = make(None, new, &format!("{} to", lower[i]));
                        sub.object = object;
                        sub.object_min = min;
                        sub.object_opens = whole_subject;
                        sub.subject_text = sentence.to_string();
                        out.push(sub);
                    }
                }
            } else if let Some(old) = tokens.get(j)
                // A rename names its old value whatever it looks like ("renamed master to
                // main"); the item must then hold it as its value (see `apply`).
                && (old.is_specific() || (lower[i].starts_with("renam") && old.is_value()))
                // "swapped Fluentd out for Vector", "switched Jest over to Vitest".
                && let particle = usize::from(
                    lower
                        .get(j + 1)
                        .is_some_and(|w| matches!(w.as_str(), "out" | "over")),
                )
                && let Some(to) = lower.get(j + 1 + particle)
                && matches!(to.as_str(), "to" | "with" | "into" | "for")
                && let Some(new) = tokens.get(j + 2 + particle)
                && new.is_value()
                // "Update .agent/README.md to include an index …": a verb with its object after
                // "to" says what the change is for, not the new value.
                && !(to == "to"
                    && !new.is_specific()
                    && lower.get(j + 3 + particle).is_some_and(|next| {
                        matches!(
                            next.as_str(),
                            "a" | "an" | "the" | "all" | "every" | "each" | "any" | "our" | "my"
                                | "your" | "their" | "its" | "this" | "that" | "these" | "those"
                                | "some" | "it" | "them"
                        )
                    }))
            {
                let j = j + particle;
                // "upgraded Storybook to version 8": the version, not the word "version".
                let new = match (lower[j + 2].as_str(), tokens.get(j + 3)) {
                    ("version" | "release" | "v", Some(number))
                        if value_shape(&number.text) == Some(Shape::Version) =>
                    {
                        number
                    }
                    _ => new,
                };
                if value_shape(&new.text) == Some(Shape::Version)
                    && value_shape(&old.text) != Some(Shape::Version)
                {
                    // "We upgraded Postgres to 16": the product stays, its version changes —
                    // in the items that name the product and hold one version.
                    let mut sub = make(None, new, &format!("{} … {to}", lower[i]));
                    sub.object = text::analyze(&old.text).word_set.into_iter().collect();
                    sub.object_min = 1;
                    sub.subject_text = sentence.to_string();
                    if !sub.object.is_empty() {
                        out.push(sub);
                    }
                } else {
                    // "replaced Datadog with Grafana Cloud": a capitalised name of several words.
                    let mut sub = make(Some(old), new, &format!("{} … {to}", lower[i]));
                    sub.new = name_run(sentence, &tokens, j + 2).0;
                    out.push(sub);
                }
            } else if let Some((mut object, to_at)) = changed_object(&tokens, &lower, j)
                && let Some(new) = tokens.get(to_at + 1)
            {
                // "moved the staging database to db-staging-2.internal": no old value named;
                // the item that names the staging database and holds a value of the new one's
                // shape has it. "… the worker runtime to Python 3.12": the version, of Python.
                let (new, product) = match versioned(&tokens, to_at + 1) {
                    Some(found) => found,
                    None => (new, None),
                };
                let names_product = product.is_some();
                // "We're moving auth to Supabase", "moved CI to GitHub Actions": a tool's name
                // (capitalised, of no value shape and no closed set) replaces the one tool an
                // item about that thing uses.
                let tool_name = value_shape(&new.text).is_none()
                    && (new.text.chars().next().is_some_and(char::is_uppercase)
                        || is_known_tool(&new.text.to_lowercase()))
                    && text::value_family(&new.text).is_none()
                    && product.is_none();
                if tool_name {
                    let mut sub = make(None, new, &format!("{} … to", lower[i]));
                    sub.new = name_run(sentence, &tokens, to_at + 1).0;
                    sub.object = object.clone();
                    sub.object_min = 1;
                    sub.subject_text = sentence.to_string();
                    out.push(sub);
                }
                // "We renamed the default branch to main": a thing's new name, a plain word,
                // for the item that names the thing and gives its name last ("The default
                // branch is called master"); see [`rename_value`].
                if lower[i].starts_with("renam")
                    && !tool_name
                    && product.is_none()
                    && value_shape(&new.text).is_none()
                    && new.is_value()
                {
                    let mut sub = make(None, new, RENAMED_OBJECT_CUE);
                    sub.object_min = object.len();
                    sub.object = object.clone();
                    sub.subject_text = sentence.to_string();
                    out.push(sub);
                }
                if new.is_specific() && value_shape(&new.text).is_some() {
                    // "We bumped the toolchain to Go 1.23": the whole project moved to the
                    // product's new version, so an item naming the product is about it.
                    let whole_project = product.is_some()
                        && object.iter().all(|word| {
                            lexicon::words(List::WholeProject)
                                .iter()
                                .any(|noun| text::stem(noun) == *word)
                        });
                    if whole_project {
                        object.clear();
                    }
                    object.extend(product);
                    object.sort();
                    object.dedup();
                    let mut sub = make(None, new, &format!("{} … to", lower[i]));
                    if whole_project {
                        sub.object_min = 1;
                    }
                    sub.object = object;
                    sub.subject_text = sentence.to_string();
                    out.push(sub);
                }
                // "We moved the codebase to C17": a new version of a name (`C11` → `C17`)
                // finds its old version by the name, whatever the sentence calls the thing;
                // "moved the release to June" another value of a closed set, for an item that
                // shares a subject word.
                let closed_set = !new.text.chars().all(|c| c.is_ascii_digit())
                    && text::value_family(&new.text).is_some();
                if !names_product && (family_of(&new.text).is_some() || closed_set) {
                    out.push(make(None, new, &format!("{} … to", lower[i])));
                }
            }
        }
    }
    // Said as news: "now" (not "right now", "for now"), "as of this month", "these days",
    // "going forward", "no longer".
    let joined = lower.join(" ");
    let as_news = lower.iter().enumerate().any(|(at, w)| {
        w == "now"
            && !matches!(
                at.checked_sub(1).map(|b| lower[b].as_str()),
                Some("right" | "just" | "for" | "until" | "till" | "by")
            )
    }) || ["going forward", "these days", "no longer", "anymore"]
        .iter()
        .any(|cue| joined.contains(cue))
        || text::takes_effect(&joined).is_some();
    // "The export job writes to s3://exports-v2 from now on", "Support mail goes to
    // help@acme.test now": the sentence's one address, path or host, said as news, for the
    // items that name every word said before it (after a lead-in or a label) and hold one value
    // of its shape.
    if out.is_empty() && as_news {
        let mut shaped = tokens.iter().filter(|t| {
            t.is_specific() && value_shape(&t.text).is_some_and(|shape| shape != Shape::Version)
        });
        if let (Some(new), None) = (shaped.next(), shaped.next()) {
            let before = &sentence[..new.start];
            let before = before.rsplit_once(':').map_or(before, |(_, rest)| rest);
            // The subject ends at its verb: "invoices go out from …" is about invoices, and an
            // item that says they "are sent from" the old address need not say "go".
            let subject = subject_before_its_verb(before);
            let object: Vec<String> = text::analyze(subject)
                .word_set
                .into_iter()
                .filter(|w| !matches!(w.as_str(), "now" | "head" | "fyi" | "note"))
                .collect();
            // One word ("Escalations now go to #cs-escalations") names the item that opens
            // with it; "The inbox is now …" is the subject's slot, not this rule.
            let copula = before
                .split_whitespace()
                .any(|w| matches!(w.to_lowercase().as_str(), "is" | "are" | "was" | "were"));
            if object.len() >= 2 || (object.len() == 1 && !copula) {
                let mut sub = make(None, new, "now");
                sub.object_min = object.len();
                sub.object_opens = object.len() == 1;
                sub.object = object;
                sub.subject_text = sentence.to_string();
                out.push(sub);
            }
        }
    }
    // "Staging is on Python 3.12 now": a product's new version, said as news, for the items
    // that name the product and every word said of it before ("staging"). "We're on
    // PostgreSQL 16 now" says it of the whole project: every item naming the product.
    if out.is_empty() && as_news {
        for at in 0..tokens.len() {
            let Some((version, Some(product))) = versioned(&tokens, at) else {
                continue;
            };
            let before_text = &sentence[..tokens[at].start];
            let before = text::analyze(before_text);
            let mut object: Vec<String> =
                before.word_set.into_iter().filter(|w| w != "now").collect();
            let of_the_project = object.is_empty()
                && lexicon::opening(List::ProjectWide, &before_text.trim().to_lowercase())
                    .is_some_and(|opening| opening.len() == before_text.trim().len());
            if object.is_empty() && !of_the_project {
                break;
            }
            object.push(product);
            object.sort();
            object.dedup();
            let mut sub = make(None, version, "now");
            sub.object_min = object.len();
            sub.object = object;
            sub.subject_text = sentence.to_string();
            out.push(sub);
            break;
        }
    }
    // "Our Postgres is 16 now", "Postgres is at 16 now", "Our Postgres version is 16 now": a
    // product that is the sentence's whole subject, and its bare version after "is", say what
    // "We're on Postgres 16 now" says.
    if out.is_empty()
        && as_news
        && let Some((version, product)) = product_is_at_version(&tokens, &lower)
    {
        let mut sub = make(None, version, "now");
        sub.object_min = 1;
        sub.object = vec![product];
        sub.subject_text = sentence.to_string();
        out.push(sub);
    }
    // "We switched the default branch to trunk", "we changed the button to blue": a thing of
    // the team's set to a plain word, for the item that names the thing and gives its value
    // last ("The default branch is main"), as a rename does (see [`rename_value`]).
    if out.is_empty()
        && let Some((new, object)) = thing_set_to_a_word(&tokens, &lower)
    {
        let mut sub = make(None, new, SWITCHED_OBJECT_CUE);
        sub.object_min = object.len();
        sub.object = object;
        sub.subject_text = sentence.to_string();
        out.push(sub);
    }
    // "The tests run with vitest now", "Going forward, we lint with Biome": the tool a
    // sentence said as news names at its end, for the items that name every word said of
    // what it is used for and rely on one tool for it (see [`replace_tool`]).
    if out.is_empty()
        && as_news
        && let Some((new, object)) = tool_said_as_news(sentence, &tokens, &lower)
    {
        let mut sub = make(None, &new, "now");
        sub.object_min = object.len();
        sub.object = object;
        sub.subject_text = sentence.to_string();
        out.push(sub);
    }
    // "Linting is now `just lint`", "from now on run `pnpm test`": the one quoted command of a
    // sentence said as news replaces the command an item quotes for the same task under
    // another program (`make lint`); see [`replace_command`].
    let commands: Vec<&Token> = tokens
        .iter()
        .filter(|t| in_backticks(sentence, t) && command_words(&t.text).is_some())
        .collect();
    // "We moved to pnpm, so run `pnpm test`": a sentence that announces another change says
    // its command as news too.
    // "We now run `cargo test` in CI too" adds a command; it replaces none.
    let adds = lower
        .iter()
        .any(|w| matches!(w.as_str(), "too" | "also" | "additionally"))
        || joined.contains("as well");
    if (as_news || !out.is_empty())
        && !adds
        && let [command] = commands.as_slice()
    {
        let mut sub = make(None, command, COMMAND_CUE);
        sub.subject_text = sentence.to_string();
        out.push(sub);
    }
    // A change that is refused ("do not replace Braintree with Stripe", "was not replaced"),
    // a value that is no value ("replaced by nobody"), or an old value the sentence names again
    // ("considered Redis rather than Memcached but kept Memcached") is no announcement.
    let refused = lower.windows(2).any(|pair| {
        matches!(
            pair[0].as_str(),
            "not"
                | "never"
                | "don't"
                | "dont"
                | "won't"
                | "didn't"
                | "cannot"
                | "can't"
                | "shouldn't"
        ) && (lexicon::is_word_of(List::ChangeVerb, &pair[1])
            || matches!(pair[1].as_str(), "swapped" | "superseded" | "be" | "been"))
    });
    if refused {
        return Vec::new();
    }
    out.retain(|s| {
        // Only for a contrast: "rename app.py to main.py and fix the imports of app.py" names
        // the old value twice and still renames it.
        let named_again = s.cue == "instead of"
            && s.old.as_deref().is_some_and(|old| {
                lower
                    .iter()
                    .filter(|w| w.as_str() == old.to_lowercase())
                    .count()
                    > 1
            });
        let nothing = matches!(
            s.new.to_lowercase().as_str(),
            "nobody"
                | "nothing"
                | "none"
                | "noone"
                | "anyone"
                | "anything"
                | "someone"
                | "something"
        );
        !named_again
            && !nothing
            && s.old
                .as_deref()
                .is_none_or(|o| !o.eq_ignore_ascii_case(&s.new))
    });
    out.dedup();
    out
}

/// The words of a clause before its finite verb (`[subject_verb]`: "go", "lives", "is"), when
/// a word comes before it: "From now on invoices go out from" → "From now on invoices".
fn subject_before_its_verb(clause: &str) -> &str {
    let mut seen_word = false;
    for token in text::raw_tokens(clause) {
        let word = token.text.to_lowercase();
        if seen_word && lexicon::is_word_of(List::SubjectVerb, &word) {
            return &clause[..token.start];
        }
        seen_word |= word.chars().any(char::is_alphabetic);
    }
    clause
}

/// A product name followed by its version ("Python 3.12", "Node 20", "PostgreSQL 16.2") at
/// `at`: the version token and the product's stemmed name.
fn versioned(tokens: &[Token], at: usize) -> Option<(&Token, Option<String>)> {
    let name = tokens.get(at)?;
    let version = tokens.get(at + 1)?;
    let named = !name.quoted
        && value_shape(&name.text).is_none()
        && name.text.chars().next().is_some_and(char::is_alphabetic)
        && name.is_value();
    (named && value_shape(&version.text) == Some(Shape::Version)).then(|| {
        let product = text::analyze(&name.text)
            .word_set
            .into_iter()
            .chain(text::analyze(&name.text).anchors)
            .next();
        (version, product)
    })
}

/// "We switched the default branch to trunk": after "we" and "switched" or "changed", "the"
/// and the thing's words, then "to" and one plain word (no value shape, no closed set) that
/// ends the sentence. The word and the thing's content words.
fn thing_set_to_a_word<'t>(
    tokens: &'t [Token],
    lower: &[String],
) -> Option<(&'t Token, Vec<String>)> {
    let verb = lower
        .iter()
        .position(|w| matches!(w.as_str(), "switched" | "changed"))?;
    if verb == 0 || !said_by_the_team(&lower[..verb].join(" ")) || lower.get(verb + 1)? != "the" {
        return None;
    }
    let to = verb + 2 + lower[verb + 2..].iter().position(|w| w == "to")?;
    let new = tokens.get(to + 1)?;
    let word = new.text.trim_end_matches(['.', '!']);
    let ends = tokens.len() == to + 2;
    let plain = !new.quoted
        && word.chars().all(|c| c.is_alphabetic() || c == '-')
        && value_shape(word).is_none()
        && text::value_family(word).is_none();
    if !ends || !plain || to == verb + 2 {
        return None;
    }
    let thing: Vec<&str> = tokens[verb + 2..to]
        .iter()
        .map(|t| t.text.as_str())
        .collect();
    let object: Vec<String> = text::analyze(&thing.join(" "))
        .word_set
        .into_iter()
        .collect();
    (!object.is_empty()).then_some((new, object))
}

/// "Our Postgres is 16 now": the bare version (digits and dots) after "is" (or "is at", "is
/// on") whose subject is one capitalised name alone (after "our" or "the", before "version"),
/// with nothing after it but "now"; the version and the product's word.
fn product_is_at_version<'t>(tokens: &'t [Token], lower: &[String]) -> Option<(&'t Token, String)> {
    let is = lower.iter().position(|w| w == "is")?;
    let mut subject = tokens[..is]
        .iter()
        .zip(&lower[..is])
        .filter(|(_, w)| !matches!(w.as_str(), "our" | "the" | "version"));
    let (name, _) = subject.next()?;
    let named = subject.next().is_none()
        && !name.quoted
        && value_shape(&name.text).is_none()
        && name.text.chars().next().is_some_and(char::is_uppercase);
    if !named {
        return None;
    }
    let mut after = (is + 1..tokens.len()).filter(|&at| !matches!(lower[at].as_str(), "at" | "on"));
    let version = &tokens[after.next()?];
    let bare = version
        .text
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_digit())
        && version.text.chars().all(|c| c.is_ascii_digit() || c == '.');
    let closes = after.all(|at| lower[at] == "now");
    if !bare || !closes || value_shape(&version.text) != Some(Shape::Version) {
        return None;
    }
    let product = text::analyze(&name.text).word_set.into_iter().next()?;
    Some((version, product))
}

/// The name that is a sentence's whole subject before the verb at `verb` ("Bob took over …",
/// "Dana Whitfield has handed …"): up to three capitalised tokens opening the sentence, no
/// pronoun. Its first and last token.
fn named_subject<'t>(
    tokens: &'t [Token],
    lower: &[String],
    verb: usize,
) -> Option<(&'t Token, &'t Token)> {
    let mut start = verb;
    while start > 0 && matches!(lower[start - 1].as_str(), "has" | "have" | "had") {
        start -= 1;
    }
    let name: Vec<&Token> = tokens[..start]
        .iter()
        .rev()
        .take_while(|t| t.is_specific() && !t.quoted)
        .collect();
    let pronoun = name.iter().any(|t| is_pronoun(&t.text.to_lowercase()));
    let (first, last) = (*name.last()?, name[0]);
    (name.len() <= 3 && start == name.len() && !pronoun).then_some((first, last))
}

/// Whether `object`, the words [`subject_before`] found before the token at `verb`, is one
/// word that is all its clause says before the verb ("Staging moved to eu-west-1",
/// "Invoices now come from …"): it then names the subject of an item that opens with it. A
/// lead-in before a colon or comma ("Heads up: staging moved to …") is not part of the clause,
/// and a person ("we moved to …") names no subject.
fn is_whole_subject(sentence: &str, tokens: &[Token], verb: usize, object: &[String]) -> bool {
    let before_verb = &sentence[..tokens[verb].start];
    let clause = before_verb
        .rfind([':', ','])
        .map_or(before_verb, |at| &before_verb[at + 1..]);
    object.len() == 1
        && text::analyze(clause).word_set.len() == 1
        && !matches!(
            clause
                .split_whitespace()
                .next()
                .map(str::to_lowercase)
                .as_deref(),
            Some("we" | "i" | "you" | "they")
        )
}

/// The words of the noun phrase right before a change verb ("the staging API moved to …":
/// staging, api), up to six, after auxiliaries ("has moved", "was switched"); empty when the
/// verb opens the clause or a person is its subject ("we moved to …").
fn subject_before(sentence: &str, tokens: &[Token], lower: &[String], verb: usize) -> Vec<String> {
    let mut at = verb;
    while at > 0
        && matches!(
            lower[at - 1].as_str(),
            "has"
                | "have"
                | "had"
                | "got"
                | "gets"
                | "get"
                | "was"
                | "were"
                | "is"
                | "are"
                | "been"
                | "just"
                | "now"
                | "officially"
                | "finally"
                | "recently"
                | "also"
        )
    {
        at -= 1;
    }
    // A verb with its particle ("invoices go out from …"): the particle was taken for the verb.
    if at > 0 && lexicon::is_word_of(List::SubjectVerb, &lower[at - 1]) {
        at -= 1;
    }
    let mut start = at;
    // The whole phrase back to its determiner: a qualifier dropped ("us-prod object storage
    // gateway host" read as "object storage gateway host") would let it name another item.
    while start > 0 && at - start < 6 {
        let token = &tokens[start - 1];
        let word = lower[start - 1].as_str();
        let ends_clause =
            sentence[token.start + token.text.len()..].starts_with([',', ';', ':', '.', '!', '?']);
        if ends_clause
            || matches!(
                word,
                "the" | "our" | "a" | "an" | "this" | "that" | "their" | "its"
            )
            || is_pronoun(word)
            || token.quoted
            || value_shape(&token.text).is_some()
        {
            break;
        }
        start -= 1;
    }
    if start == at {
        return Vec::new();
    }
    let phrase = &sentence[tokens[start].start..tokens[at - 1].start + tokens[at - 1].text.len()];
    let analysis = text::analyze(phrase);
    analysis
        .word_set
        .into_iter()
        .chain(analysis.anchors)
        .collect()
}

/// Where a marker of news that closes the sentence starts, when the word at `at` ends it:
/// "now", "from now on", "going forward".
fn closing_news_marker(lower: &[String], at: usize) -> Option<usize> {
    if at + 1 != lower.len() {
        return None;
    }
    let before = |n: usize, word: &str| at >= n && lower[at - n] == word;
    match lower[at].as_str() {
        "now" => Some(at),
        "on" if before(1, "now") && before(2, "from") => Some(at - 2),
        "forward" if before(1, "going") => Some(at - 1),
        _ => None,
    }
}

/// "The tests run with vitest now", "From now on, we lint with Biome", "Going forward the docs
/// build using `mkdocs`": the tool named after "with", "using" or "via" at the end of a sentence
/// said as news (before a closing "now", "going forward" or "from now on"), and the content
/// words (stemmed) of what it is used for, said before it ("tests run", "lint"). The tool is
/// capitalised, quoted, or a developer tool written in lower case ([`is_known_tool`]). Nothing
/// for a negated sentence: "we no longer run the tests with jest" retires, it names no new tool.
fn tool_said_as_news(
    sentence: &str,
    tokens: &[Token],
    lower: &[String],
) -> Option<(Token, Vec<String>)> {
    if lower
        .iter()
        .any(|w| lexicon::is_word_of(List::Negation, w) || matches!(w.as_str(), "no" | "anymore"))
    {
        return None;
    }
    let end = closing_news_marker(lower, lower.len().checked_sub(1)?).unwrap_or(lower.len());
    let slot = (0..end)
        .rev()
        .find(|&at| matches!(lower[at].as_str(), "with" | "using" | "via"))?;
    let name_at = slot + 1;
    let name = tokens.get(name_at)?;
    let taken = if name.quoted || is_known_tool(&lower[name_at]) {
        1
    } else if name.text.chars().next().is_some_and(char::is_uppercase) {
        name_run(sentence, tokens, name_at).1
    } else {
        return None;
    };
    if name_at + taken != end || lexicon::is_word_of(List::NotATool, &lower[name_at]) {
        return None;
    }
    let last = &tokens[name_at + taken - 1];
    let named = Token {
        text: sentence[name.start..last.start + last.text.len()]
            .trim_end_matches(['.', ',', ';', ':', '!'])
            .to_string(),
        start: name.start,
        quoted: name.quoted,
    };
    // What it is used for: the words before the slot, without the news marker.
    let before = sentence[..tokens[slot].start].to_lowercase();
    let mut used_for = before
        .trim()
        .trim_start_matches(|c: char| !c.is_alphanumeric());
    for marker in ["going forward", "from now on", "these days", "now"] {
        if let Some(rest) = used_for.strip_prefix(marker) {
            used_for = rest.trim_start_matches([',', ' ']);
        }
    }
    let object: Vec<String> = text::analyze(used_for)
        .word_set
        .into_iter()
        .filter(|w| w != "now")
        .collect();
    (!object.is_empty()).then_some((named, object))
}

/// Whether a lower-case word is a developer tool's name wherever a tool goes: a program
/// `[check_program]` or `[known_tool]` lists (`jest`, `black`, `npm`).
pub(crate) fn is_known_tool(word: &str) -> bool {
    lexicon::is_word_of(List::CheckProgram, word) || lexicon::is_word_of(List::KnownTool, word)
}

/// In the clause `tokens[from..instead]` before a closing "instead", a thing done with a named
/// tool: "do the marketing site in Astro", "build our docs with Hugo" — a definite thing ("the",
/// "our" and its words) and then, after "in", "with", "on", "using" or "via", one capitalised
/// name (up to three words) that ends the clause. Returns the name, as a token, and the thing's
/// content words (stemmed), which an item must all name.
fn tool_for_a_thing(
    sentence: &str,
    tokens: &[Token],
    from: usize,
    instead: usize,
) -> Option<(Token, Vec<String>)> {
    let clause: Vec<usize> = (0..instead)
        .filter(|&at| tokens[at].start >= from)
        .collect();
    let lower = |at: usize| tokens[at].text.to_lowercase();
    let slot = clause
        .iter()
        .copied()
        .rev()
        .find(|&at| matches!(lower(at).as_str(), "in" | "with" | "on" | "using" | "via"))?;
    let name_at = slot + 1;
    if name_at >= instead
        || !tokens[name_at]
            .text
            .chars()
            .next()
            .is_some_and(char::is_uppercase)
    {
        return None;
    }
    let (name, taken) = name_run(sentence, tokens, name_at);
    if name_at + taken != instead {
        return None;
    }
    let thing_at = clause
        .iter()
        .copied()
        .filter(|&at| at < slot)
        .rev()
        .find(|&at| matches!(lower(at).as_str(), "the" | "our"))?;
    let thing_start = tokens.get(thing_at + 1)?.start;
    let thing = sentence.get(thing_start..tokens[slot].start)?;
    let object: Vec<String> = text::analyze(thing).word_set.into_iter().collect();
    (!object.is_empty()).then(|| {
        (
            Token {
                text: name,
                start: tokens[name_at].start,
                quoted: false,
            },
            object,
        )
    })
}

/// The plain words right before "instead of" ("by the CFO instead of …": CFO), up to three,
/// back to a determiner or preposition, as written.
fn phrase_before(
    sentence: &str,
    tokens: &[Token],
    lower: &[String],
    instead: usize,
) -> Option<String> {
    let mut start = instead;
    while start > 0 && instead - start < 3 {
        let word = lower[start - 1].as_str();
        if matches!(
            word,
            "the"
                | "a"
                | "an"
                | "our"
                | "by"
                | "to"
                | "with"
                | "from"
                | "for"
                | "use"
                | "using"
                | "is"
                | "are"
                | "be"
        ) || !tokens[start - 1].is_value()
            || tokens[start - 1].quoted
        {
            break;
        }
        start -= 1;
    }
    (start < instead).then(|| {
        sentence[tokens[start].start..tokens[instead - 1].start + tokens[instead - 1].text.len()]
            .to_string()
    })
}

/// The plain words after "instead of" ("… instead of the finance lead."), determiners skipped,
/// up to three and to the end of the clause, as written.
fn phrase_after(sentence: &str, tokens: &[Token], lower: &[String], from: usize) -> Option<String> {
    let mut start = from;
    while lower
        .get(start)
        .is_some_and(|w| matches!(w.as_str(), "the" | "a" | "an" | "our"))
    {
        start += 1;
    }
    let closing_time = |word: &str| {
        matches!(
            word,
            "now" | "today" | "anymore" | "again" | "too" | "instead"
        )
    };
    let mut end = start;
    while end < tokens.len() && end - start < 4 {
        let token = &tokens[end];
        if (!token.is_value() && !closing_time(&lower[end])) || token.quoted {
            break;
        }
        end += 1;
        if sentence[token.start + token.text.len()..].starts_with([',', ';', ':', '.', '!', '?']) {
            break;
        }
    }
    // The phrase must end the clause: "instead of the finance lead for invoices" is not one.
    let last = tokens.get(end.checked_sub(1)?)?;
    let closes = sentence[last.start + last.text.len()..]
        .trim_start()
        .chars()
        .next()
        .is_none_or(|c| matches!(c, ',' | ';' | ':' | '.' | '!' | '?'));
    // A closing time word is not part of the phrase ("instead of the night shift now").
    while end > start + 1 && closing_time(&lower[end - 1]) {
        end -= 1;
    }
    let last = &tokens[end - 1];
    (end > start && closes)
        .then(|| sentence[tokens[start].start..last.start + last.text.len()].to_string())
}

/// The name a sentence of its own turns down: "I don't want monaco editor.", "We don't want
/// Redux.", "No Docker." — a name (capitalised, an identifier, a known program, or a word
/// before a head noun such as "editor": "monaco editor") and nothing more. "I don't want the
/// tests to run" and "No problem." turn nothing down.
pub(crate) fn rejected_name(sentence: &str) -> Option<String> {
    let trimmed = sentence.trim().trim_end_matches(['.', '!']);
    let lower = trimmed.to_lowercase();
    if lower.len() != trimmed.len() {
        return None;
    }
    let lead_end = ["no, ", "nah, ", "ok, ", "okay, ", "ok. ", "okay. "]
        .iter()
        .find(|lead| lower.starts_with(**lead))
        .map_or(0, |lead| lead.len());
    let rest_at = [
        "i don't want ",
        "i do not want ",
        "i dont want ",
        "we don't want ",
        "we do not want ",
        "we dont want ",
        "no ",
    ]
    .iter()
    .find(|cue| lower[lead_end..].starts_with(**cue))
    .map(|cue| lead_end + cue.len())?;
    let words: Vec<&str> = trimmed[rest_at..]
        .split_whitespace()
        .skip_while(|w| {
            matches!(
                w.to_lowercase().as_str(),
                "the" | "a" | "an" | "any" | "to" | "use"
            )
        })
        .collect();
    let name = match words.as_slice() {
        [name] => *name,
        [name, noun] if lexicon::is_word_of(List::HeadNoun, &noun.to_lowercase()) => *name,
        _ => return None,
    };
    let specific = name.chars().next().is_some_and(char::is_uppercase)
        || text::is_anchor(name)
        || crate::tools::is_known_program(name)
        || words.len() == 2;
    let plain = name
        .chars()
        .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'));
    (specific && plain && !is_pronoun(&name.to_lowercase())).then(|| name.to_string())
}

/// A decision said right after a name was turned down ("I don't want monaco editor. We are
/// going with codemirror."): read as the one sentence "We are going with codemirror, not
/// monaco", both names quoted (a person types product names in lower case), so the name
/// turned down is replaced where an item gives it. Only a decision of the team's own words
/// (`[decision]`) naming one value at its end counts.
pub(crate) fn decided_against(sentence: &str, rejected: &str) -> Vec<Substitution> {
    let trimmed = sentence.trim().trim_end_matches(['.', '!']);
    let lower = trimmed.to_lowercase();
    if lower.len() != trimmed.len() || lower.contains(" not ") || lower.contains("instead") {
        return Vec::new();
    }
    let Some(end) = lexicon::Cues::scan(&lower)
        .phrases(List::Decision)
        .map(|(at, phrase)| at + phrase.len())
        .max()
    else {
        return Vec::new();
    };
    let object = trimmed[end..].trim();
    let plain = |w: &str| {
        w.chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'))
    };
    if object.is_empty() || object.contains(char::is_whitespace) || !plain(object) {
        return Vec::new();
    }
    if object.eq_ignore_ascii_case(rejected) {
        return Vec::new();
    }
    let read_as = format!(
        "{} \"{object}\", not \"{rejected}\".",
        trimmed[..end].trim_end()
    );
    from_sentence(&read_as)
        .into_iter()
        .filter(|sub| sub.old.as_deref() == Some(rejected) && sub.new == object)
        .collect()
}

/// Something a person says is gone: a named tool or person ("we're dropping Firebase", "Dana
/// Whitfield has left the company"), or a practice ("we no longer deploy on Fridays").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Retirement {
    /// The name that is gone, as written; `None` for a practice.
    pub name: Option<String>,
    /// Whether the name is someone who left (instructions naming them are stale too), rather
    /// than a tool or service (only facts naming it are).
    pub person: bool,
    /// For a practice: the content words (stemmed) an item must all have to state it.
    pub practice: Vec<String>,
    /// The phrase that said so ("dropping", "has left", "no longer").
    pub cue: String,
    /// A prohibition of a named tool ("never use the agent-intercom-ctl tool"), not its end:
    /// only items that use the tool ("… by running agent-intercom-ctl") contradict it.
    pub prohibited: bool,
}

/// What a sentence a person typed says is gone (see [`Retirement`]). A name must be specific
/// (capitalised, an identifier or quoted) and follow the cue directly (after "the", "our", …);
/// a partial retirement ("dropping Redis from the login path") retires nothing.
pub(crate) fn retirements(sentence: &str) -> Vec<Retirement> {
    use crate::lexicon::Cues;
    let lower = sentence.to_lowercase();
    // Cue offsets are offsets in the lowercase text: only usable when they are the sentence's.
    if lower.len() != sentence.len() {
        return Vec::new();
    }
    let cues = Cues::scan(&lower);
    let tokens = value_tokens(sentence);
    let mut out: Vec<Retirement> = Vec::new();
    for (at, phrase) in cues.phrases(List::Retired) {
        // The speaker's own decision ("we're dropping X", "Dropping X."), not a report about
        // something else ("the billing service no longer uses Redis" is that service only).
        if !said_by_the_team(&lower[..at]) {
            continue;
        }
        // A lower-case identifier names one too ("we retired the legacy-billing service").
        let Some((name, rest)) = name_after(sentence, &tokens, at + phrase.len())
            .or_else(|| identifier_after(sentence, &tokens, at + phrase.len()))
        else {
            continue;
        };
        if ends_the_retirement(rest) {
            out.push(Retirement {
                name: Some(name),
                person: false,
                practice: Vec::new(),
                cue: phrase.to_string(),
                prohibited: false,
            });
        }
    }
    // "We shouldn't use cuFFT anymore", "Don't use Moment anymore": a use ended, said by the
    // team or as an instruction of its own.
    for (at, phrase) in cues.phrases(List::RetiredAnymore) {
        let opens = lower[..at]
            .split(|c: char| !c.is_alphanumeric())
            .all(|w| w.is_empty() || matches!(w, "so" | "also" | "and" | "please" | "ok" | "okay"));
        if !opens && !said_by_the_team(&lower[..at]) {
            continue;
        }
        // "we're not supposed to use lodash anymore": one bare word right before "anymore"
        // is what is no longer used, whatever its case (not a pronoun: "use it anymore").
        let bare_word = || {
            let after = sentence.get(at + phrase.len()..)?.trim_start();
            let (word, rest) = after.split_once(char::is_whitespace)?;
            let lower_rest = rest.trim_start().to_lowercase();
            let ends = lower_rest.starts_with("anymore") || lower_rest.starts_with("any more");
            let plain = word.len() >= 3
                && word
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
                && !is_pronoun(&word.to_lowercase())
                && !lexicon::is_word_of(List::Stopword, &word.to_lowercase());
            (ends && plain).then(|| (word.to_string(), rest.trim_start()))
        };
        let Some((name, rest)) =
            name_after(sentence, &tokens, at + phrase.len()).or_else(bare_word)
        else {
            continue;
        };
        let rest = rest.to_lowercase();
        if rest.starts_with("anymore") || rest.starts_with("any more") {
            out.push(Retirement {
                name: Some(name),
                person: false,
                practice: Vec::new(),
                cue: format!("{phrase} … anymore"),
                prohibited: false,
            });
        }
    }
    // "Never use the agent-intercom-ctl tool", "Do not run deploy.sh": a named tool
    // prohibited as an instruction of its own (its "anymore" form is an end, above). Only a
    // prohibition that ends its clause counts: "never use npm for publishing" is scoped.
    let prohibitions = crate::lexicon::words(List::ProhibitedUse)
        .iter()
        .filter_map(|phrase| Some((text::find_word(&lower, phrase)?, phrase.as_str())));
    for (at, phrase) in prohibitions {
        let opens = lower[..at].split(|c: char| !c.is_alphanumeric()).all(|w| {
            w.is_empty()
                || matches!(
                    w,
                    "so" | "also"
                        | "and"
                        | "please"
                        | "ok"
                        | "okay"
                        | "you"
                        | "should"
                        | "must"
                        | "shall"
                        | "agents"
                        | "again"
                )
        });
        if !opens && !said_by_the_team(&lower[..at]) {
            continue;
        }
        // A tool's name in lower case with a hyphen or underscore ("agent-intercom-ctl") is
        // a name too.
        let Some((name, rest)) = name_after(sentence, &tokens, at + phrase.len())
            .or_else(|| identifier_after(sentence, &tokens, at + phrase.len()))
        else {
            continue;
        };
        let rest = rest.to_lowercase();
        let closes = rest
            .chars()
            .next()
            .is_none_or(|c| matches!(c, ',' | ';' | ':' | '.' | '!' | '(' | '-' | '—'));
        if rest.starts_with("anymore") || rest.starts_with("any more") || !closes {
            continue;
        }
        if !out.iter().any(|r| r.name.as_deref() == Some(name.as_str())) {
            out.push(Retirement {
                name: Some(name),
                person: false,
                practice: Vec::new(),
                cue: phrase.to_string(),
                prohibited: true,
            });
        }
    }
    let named_before = cues
        .phrases(List::Departed)
        .map(|(at, phrase)| (at, phrase as &str))
        .chain(moves_to_another_team(&lower))
        .map(|(at, phrase)| (at, phrase, true))
        .chain(
            cues.phrases(List::RetiredBefore)
                .map(|(at, phrase)| (at, phrase, false)),
        );
    for (at, phrase, person) in named_before {
        // A tool "is deprecated" for good, or for what it names ("for new services": the items
        // about Sentry and new services).
        let after = sentence[at + phrase.len()..].trim_start();
        let purpose = if !person && !ends_the_retirement(after) {
            match purpose_of_retirement(after) {
                Some(purpose) => purpose,
                None => continue,
            }
        } else {
            Vec::new()
        };
        // "Dana Whitfield left." — but not "Dana left early" or "the panel on the left".
        // So for "retired": "Kubernetes retired dockershim" retires dockershim, not Kubernetes.
        if matches!(phrase, "left" | "retired")
            && !left_for_good(sentence[at + phrase.len()..].trim_start())
        {
            continue;
        }
        // A lead-in ("FYI", "Heads up:") is no part of the name after it.
        let lead_end = sentence.len() - text::strip_lead_in(sentence).len();
        let before: Vec<&Token> = tokens
            .iter()
            .filter(|t| t.start >= lead_end && t.start + t.text.len() <= at)
            .collect();
        // A version after a tool's name is the name's ("Node 18 is no longer supported").
        let versioned = !person
            && before.len() >= 2
            && value_shape(&before[before.len() - 1].text) == Some(Shape::Version)
            && before[before.len() - 2]
                .text
                .chars()
                .next()
                .is_some_and(char::is_uppercase);
        let named = &before[..before.len() - usize::from(versioned)];
        // A name ends where punctuation closes a clause ("Update: Dana …" is not "Update").
        let capitalised = named
            .iter()
            .rev()
            .take_while(|t| {
                t.text.chars().next().is_some_and(char::is_uppercase)
                    && !t.text.ends_with([':', ',', ';'])
            })
            .take(3)
            .count();
        let mut words = &before[named.len() - capitalised..];
        // A name is one run of words: "… on Astro; WordPress is retired" names WordPress.
        while words.len() > 1
            && !sentence[words[0].start + words[0].text.len()..words[1].start]
                .chars()
                .all(|c| c == ' ')
        {
            words = &words[1..];
        }
        // A person's name of one word must not open the sentence ("Everyone has left" is no
        // name); a tool's may ("Heroku is no longer in use"), unless it is a pronoun.
        let opens = words.first().is_some_and(|t| t.start == tokens[0].start);
        let pronoun = words
            .first()
            .is_some_and(|t| is_pronoun(&t.text.to_lowercase()));
        // A tool's name in lower case is one identifier ("#ops-alerts is archived",
        // "deploy-v1.sh was retired").
        if capitalised == 0
            && !person
            && let Some(identifier) = named.last()
            && is_identifier(&identifier.text)
            && value_shape(&identifier.text) != Some(Shape::Version)
        {
            out.push(Retirement {
                name: Some(identifier.text.clone()),
                person,
                practice: purpose,
                cue: phrase.to_string(),
                prohibited: false,
            });
            continue;
        }
        if capitalised == 0 || (capitalised == 1 && opens && (person || pronoun)) {
            continue;
        }
        let last = &words[words.len() - 1];
        let name = sentence[words[0].start..last.start + last.text.len()].to_string();
        out.push(Retirement {
            name: Some(name),
            person,
            practice: purpose,
            cue: phrase.to_string(),
            prohibited: false,
        });
    }
    // "We no longer deploy on Fridays": the practice that follows, to the end of its clause.
    if let Some(at) = lower.find("no longer ")
        && !cues.phrases(List::Retired).any(|(p, _)| p == at)
        && !cues
            .phrases(List::Departed)
            .chain(cues.phrases(List::RetiredBefore))
            .any(|(p, phrase)| p <= at && at < p + phrase.len())
    {
        let rest = &sentence[at + "no longer ".len()..];
        let clause = rest.split([',', ';', '.', ':']).next().unwrap_or(rest);
        let mut practice: std::collections::BTreeSet<String> = text::analyze(clause).word_set;
        // "The nightly job no longer runs on Sundays" is about the nightly job: its words are
        // part of what an item must say.
        if !said_by_the_team(&lower[..at]) {
            let subject = lower[..at].rsplit([',', ';', ':']).next().unwrap_or("");
            practice.extend(text::analyze(subject).word_set);
        }
        let practice: Vec<String> = practice.into_iter().collect();
        if practice.len() >= 2 {
            out.push(Retirement {
                name: None,
                person: false,
                practice,
                cue: "no longer".to_string(),
                prohibited: false,
            });
        }
    }
    // "Refunds aren't processed by Stripe anymore": a negated clause closed by "anymore" that
    // names what did it (a capitalised name or an identifier) is a practice that ended; its
    // words, the name's included, are what an item must all say.
    if out.is_empty()
        && let Some(at) = lower.find(" anymore").or_else(|| lower.find(" any more"))
    {
        let start = lower[..at].rfind([',', ';', ':', '.']).map_or(0, |p| p + 1);
        let clause = &sentence[start..at];
        let clause_lower = &lower[start..at];
        let negated = clause_lower.contains("n't ") || clause_lower.contains(" not ");
        let named = value_tokens(clause)
            .iter()
            .skip(1)
            .any(|token| token.is_specific());
        let practice: Vec<String> = text::analyze(clause).word_set.into_iter().collect();
        if negated && named && practice.len() >= 3 && !said_by_the_team(clause_lower) {
            out.push(Retirement {
                name: None,
                person: false,
                practice,
                cue: "anymore".to_string(),
                prohibited: false,
            });
        }
    }
    out
}

/// Where lower-case text says someone went to another team ("moved to the platform team",
/// "transferred to Finance's billing group", "joined the data squad"): the offset and the
/// phrase, from the verb to the group's noun, at most four words after the verb. Like
/// `[departed]`, the name right before it no longer does what facts say they do.
fn moves_to_another_team(lower: &str) -> Vec<(usize, &str)> {
    const VERBS: &[&str] = &["moved to", "moved over to", "transferred to", "joined"];
    const GROUPS: &[&str] = &[
        "team",
        "department",
        "group",
        "squad",
        "org",
        "organisation",
        "organization",
    ];
    let mut out = Vec::new();
    for verb in VERBS {
        let mut from = 0;
        while let Some(found) = text::find_word(&lower[from..], verb) {
            let at = from + found;
            from = at + verb.len();
            let Some(rest) = lower[at + verb.len()..].strip_prefix(' ') else {
                continue;
            };
            let mut end = at + verb.len() + 1;
            let words: Vec<&str> = rest.split_inclusive(' ').collect();
            for (index, word) in words.iter().take(4).enumerate() {
                end += word.len();
                let bare = word.trim_end().trim_end_matches(['.', ',', ';', ':', '!']);
                let punctuated = word.trim_end().len() != bare.len();
                // The group ends the phrase: "joined the team call" joined a call.
                let closes = punctuated
                    || words.get(index + 1).is_none_or(|next| {
                        lexicon::is_word_of(
                            List::Stopword,
                            next.trim().trim_end_matches(['.', ',', ';', ':', '!']),
                        ) || matches!(
                            next.trim().trim_end_matches(['.', ',', ';']),
                            "last" | "yesterday" | "today" | "recently"
                        )
                    });
                if GROUPS.contains(&bare) && closes {
                    let phrase_end = end - (word.len() - bare.len());
                    out.push((at, &lower[at..phrase_end]));
                    break;
                }
                if punctuated {
                    break;
                }
            }
        }
    }
    out
}

/// Whether a lower-case token names something as an identifier does: an anchor
/// (`deploy_v2`, `api.example.com`), a channel (`#ops-alerts`) or a hyphenated name
/// (`ops-alerts`).
pub(crate) fn is_identifier(token: &str) -> bool {
    text::is_anchor(token) || token.starts_with('#') || token.trim_matches('-').contains('-')
}

/// A person taking back what they said: their last statement ("Actually, scratch that: keep
/// merge commits") or what they said about something ("Forget what I said about the e2e suite").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Retraction {
    /// The phrase that took it back, as the lexicon writes it ("scratch that").
    pub cue: String,
    /// The content words (stemmed) of what was taken back; empty for the last statement.
    pub topic: Vec<String>,
    /// Where what the person says instead starts in the sentence (after the cue and its
    /// punctuation), when anything follows: "keep regular merge commits" of "Scratch that: keep
    /// regular merge commits".
    pub rest_at: Option<usize>,
}

/// The retraction a sentence opens with (after "actually", "oh", "wait" …), if any. A bare cue
/// must close its clause ("Scratch that: …"); a cue that takes an object
/// (`[retraction_taking_object]`) names what it takes back: "Never mind the German commit
/// messages, English is fine" takes back what was said about German commit messages (and
/// nothing, when nothing was).
pub(crate) fn retraction(sentence: &str) -> Option<Retraction> {
    let lower = sentence.to_lowercase();
    // Offsets in the lowercase text are the sentence's only when lowercasing kept its length.
    if lower.len() != sentence.len() {
        return None;
    }
    let mut at = 0;
    loop {
        let rest = &lower[at..];
        let skipped = rest.len()
            - rest
                .trim_start_matches(|c: char| !c.is_alphanumeric())
                .len();
        let word_start = at + skipped;
        let word_end = lower[word_start..]
            .find(|c: char| !c.is_alphanumeric() && c != '\'')
            .map_or(lower.len(), |end| word_start + end);
        let word = &lower[word_start..word_end];
        let opener = matches!(
            word,
            "actually"
                | "oh"
                | "wait"
                | "hmm"
                | "sorry"
                | "ok"
                | "okay"
                | "no"
                | "um"
                | "uh"
                | "also"
                | "and"
                | "but"
                | "so"
                | "ah"
        );
        at = word_start;
        if !opener {
            break;
        }
        at = word_end;
    }
    let rest = &lower[at..];
    let cue = lexicon::words(List::Retraction).iter().find(|cue| {
        rest.starts_with(cue.as_str())
            && rest[cue.len()..]
                .chars()
                .next()
                .is_none_or(|c| !c.is_alphanumeric())
    })?;
    let after_at = at + cue.len();
    let after = &lower[after_at..];
    // A bare cue closes its clause: nothing, or punctuation, follows it.
    let trimmed = after.trim_start();
    let closes = trimmed.is_empty()
        || trimmed.starts_with([',', ';', ':', '.', '!', '\u{2014}', '\u{2013}', '-']);
    // "Never mind the German commit messages, …": what follows the cue before any punctuation
    // is what is taken back, as after "forget what I said about".
    let takes_an_object = lexicon::is_word_of(List::RetractionTakingObject, cue) && !closes;
    if cue.ends_with(" about") || takes_an_object {
        let end = after
            .find([';', ',', '.', ':', '!', '?'])
            .unwrap_or(after.len());
        let topic: Vec<String> = text::analyze(&sentence[after_at..after_at + end])
            .word_set
            .into_iter()
            .collect();
        if topic.is_empty() {
            return None;
        }
        let rest_at = (end < after.len())
            .then(|| {
                let from = after_at + end + 1;
                sentence[from..]
                    .find(|c: char| c.is_alphanumeric() || c == '`')
                    .map(|offset| from + offset)
            })
            .flatten();
        return Some(Retraction {
            cue: cue.clone(),
            topic,
            rest_at,
        });
    }
    if !closes {
        return None;
    }
    let mut rest_at = sentence[after_at..]
        .find(|c: char| c.is_alphanumeric() || c == '`')
        .map(|offset| after_at + offset);
    // "On second thought, never mind: we stay on Node": one retraction said twice.
    if let Some(at) = rest_at
        && let Some(again) = retraction(&sentence[at..])
        && again.topic.is_empty()
    {
        rest_at = again.rest_at.map(|inner| at + inner);
    }
    Some(Retraction {
        cue: cue.clone(),
        topic: Vec::new(),
        rest_at,
    })
}

/// Whether what follows a bare "left" ends the clause, so that someone left for good: nothing,
/// punctuation, or a time ("last month", "in March", "recently").
fn left_for_good(rest: &str) -> bool {
    let clause = rest
        .split([',', ';', '.', '!', ')'])
        .next()
        .unwrap_or("")
        .trim();
    if clause.is_empty() {
        return true;
    }
    let lower = clause.to_lowercase();
    let words: Vec<&str> = lower.split_whitespace().collect();
    match words.as_slice() {
        ["recently" | "yesterday" | "today"] => true,
        [
            "last" | "this",
            "week" | "month" | "year" | "quarter" | "friday" | "monday",
        ] => true,
        ["in", month] => month.chars().next().is_some_and(|c| c.is_alphabetic()),
        _ => false,
    }
}

/// Whether the words before a cue make it the speaker's or the team's own decision: a first
/// person ("we", "I", "our team", "let's"), or nothing but lead-ins ("Heads up:", "Also,",
/// "Going forward").
pub(crate) fn said_by_the_team(before: &str) -> bool {
    let words: Vec<&str> = before
        .split(|c: char| !(c.is_alphanumeric() || c == '\''))
        .filter(|w| !w.is_empty())
        .collect();
    let first_person = words.iter().any(|w| {
        matches!(
            *w,
            "we" | "we're"
                | "we've"
                | "we'll"
                | "i"
                | "i'm"
                | "i've"
                | "i'll"
                | "let's"
                | "lets"
                | "us"
                | "our"
                | "team"
        )
    });
    let lead_ins_only = words.iter().all(|w| {
        matches!(
            *w,
            "also"
                | "so"
                | "heads"
                | "up"
                | "fyi"
                | "note"
                | "going"
                | "forward"
                | "from"
                | "now"
                | "on"
                | "and"
                | "please"
                | "ok"
                | "okay"
                | "btw"
                | "are"
                | "is"
                | "officially"
                | "finally"
                | "completely"
                | "entirely"
        )
    });
    first_person || lead_ins_only
}

/// The text after a generic noun that says what kind of thing a name is ("pipeline",
/// "integration", "cluster"), or the text itself.
fn strip_head_noun(rest: &str) -> &str {
    let word_end = rest
        .find(|c: char| !c.is_alphanumeric())
        .unwrap_or(rest.len());
    let word = rest[..word_end].to_lowercase();
    if lexicon::is_word_of(List::HeadNoun, &word) {
        rest[word_end..].trim_start()
    } else {
        rest
    }
}

/// Whether what follows a retired name ends the retirement: the end of the clause, or words
/// that say when or how much ("entirely", "for good", "next sprint", "in favour of X"). Any
/// other word makes the name a modifier or the retirement partial ("dropped Postgres
/// connections", "dropping Redis from the login path").
fn ends_the_retirement(rest: &str) -> bool {
    if rest.is_empty() || rest.starts_with(['.', ',', ';', '!', ':', '(', '\u{2014}', '-']) {
        return true;
    }
    let lower = rest.to_lowercase();
    [
        "entirely",
        "completely",
        "altogether",
        "for good",
        "now",
        "soon",
        "today",
        "tomorrow",
        "this ",
        "next ",
        "and ",
        "as ",
        "because",
        "since",
        "after",
        "starting",
        "going",
        "too",
        "also",
        "then",
        "everywhere",
        "across",
        "in favor",
        "in favour",
        "at all",
        // When it happened: "migrated off Heroku last month", "… a few weeks ago".
        "last ",
        "yesterday",
        "earlier",
        "recently",
        "already",
        "over the ",
        "back in ",
        "in 19",
        "in 20",
    ]
    .iter()
    .any(|start| lower.starts_with(start))
        || lower
            .split(['.', ',', ';', '!'])
            .next()
            .is_some_and(|clause| clause.trim_end().ends_with(" ago"))
        || scopes_the_whole_project(&lower)
}

/// Whether a clause names the whole project as where something ends ("… for this repo", "…
/// in our codebase", "… here"), not a part of it ("… for the login path" is partial).
fn scopes_the_whole_project(lower: &str) -> bool {
    if lower == "here" || lower.starts_with("here ") || lower.starts_with("here.") {
        return true;
    }
    let mut words = lower.split_whitespace();
    let (Some(preposition), Some(determiner), Some(noun)) =
        (words.next(), words.next(), words.next())
    else {
        return false;
    };
    matches!(preposition, "in" | "for" | "on" | "across")
        && matches!(determiner, "this" | "our" | "the" | "my")
        && matches!(
            noun.trim_end_matches(['.', ',', ';', '!']),
            "repo"
                | "repository"
                | "project"
                | "codebase"
                | "monorepo"
                | "team"
                | "app"
                | "company"
        )
}

/// The specific name a token run opens with: a quoted value or identifier alone, or one to three
/// capitalised words ("Firebase", "Google Analytics"). Returns it and how many tokens it took.
fn leading_name(sentence: &str, tokens: &[&Token]) -> Option<(String, usize)> {
    let first = tokens.first()?;
    // A program is a name in lower case too ("we no longer use yarn", "we're dropping jest;
    // …"), without the punctuation that ends the clause.
    if first.quoted || text::is_anchor(&first.text) {
        return Some((first.text.clone(), 1));
    }
    let word = first.text.trim_end_matches([',', ';', ':', '.', '!']);
    if crate::tools::is_known_program(word) || is_known_tool(word) {
        return Some((word.to_string(), 1));
    }
    // A name is one run of words: punctuation between two ends it ("retiring Kafka; RabbitMQ
    // is …" names Kafka).
    let joined = |pair: &[&Token]| {
        sentence
            .get(pair[0].start + pair[0].text.len()..pair[1].start)
            .is_some_and(|gap| gap.chars().all(char::is_whitespace))
    };
    let capitalised_word =
        |t: &Token| t.text.chars().next().is_some_and(char::is_uppercase) && t.text.len() > 1;
    let capitalised = if capitalised_word(first) {
        1 + tokens
            .windows(2)
            .take_while(|pair| joined(pair) && capitalised_word(pair[1]))
            .take(2)
            .count()
    } else {
        0
    };
    (capitalised > 0).then(|| {
        let words: Vec<&str> = tokens[..capitalised]
            .iter()
            .map(|t| t.text.as_str())
            .collect();
        (words.join(" "), capitalised)
    })
}

/// Whether an item states something a [`Retirement`] ended, and the words that matched: it
/// names the retired tool or person (facts; instructions too for a person who left, and for a
/// tool unless they are negated: "Use Jenkins for nightly builds" is stale once Jenkins is gone,
/// "Never store tokens in the Firebase console" is not), or has every content word of the
/// retired practice without negating it.
pub(crate) fn retires(retirement: &Retirement, item: &str, is_fact: bool) -> Option<String> {
    match &retirement.name {
        Some(name) if retirement.prohibited => {
            // Only an item that uses the tool contradicts its prohibition; one that says what
            // the tool is ("agent-intercom-ctl is the operator's CLI") stays true.
            (!text::analyze(item).negated && uses_named_tool(item, name))
                .then(|| format!("uses {name}"))
        }
        Some(name) => {
            if !holds_value(item, name) {
                return None;
            }
            // Gone for one purpose ("no longer used for deploys"): the items about it.
            let analysis = text::analyze(item);
            if !retirement
                .practice
                .iter()
                .all(|w| analysis.word_set.contains(w))
            {
                return None;
            }
            let applies = is_fact || retirement.person || !analysis.negated;
            applies.then(|| {
                if retirement.practice.is_empty() {
                    format!("names {name}")
                } else {
                    format!("names {name} and {}", retirement.practice.join(" + "))
                }
            })
        }
        None => {
            let analysis = text::analyze(item);
            let all = retirement
                .practice
                .iter()
                .all(|w| analysis.word_set.contains(w));
            (all && !analysis.negated)
                .then(|| format!("states {}", retirement.practice.join(" + ")))
        }
    }
}

/// What a tool is gone for, when the retirement names it after the tool ("… is no longer used
/// for deploys", "… is deprecated for new services"): the content words (stemmed) of the clause after "for", which
/// an item must all name besides the tool. `None` when no "for" opens `rest` or it names nothing
/// (a partial retirement such as "dropping Redis from the login path" retires nothing).
fn purpose_of_retirement(rest: &str) -> Option<Vec<String>> {
    let purpose = rest.strip_prefix("for ")?;
    let clause = purpose
        .split([',', ';', '.', ':', '('])
        .next()
        .unwrap_or(purpose);
    let words: Vec<String> = text::analyze(clause).word_set.into_iter().collect();
    (!words.is_empty() && words.len() <= 4).then_some(words)
}

/// What a new tool is for, said right after its name ("… to bun for installs", "… for new
/// services"): the content words (stemmed) of up to four plain words after "for", up to the
/// end of the clause. `None` when no "for" follows or nothing plain is named.
fn purpose_after(
    sentence: &str,
    tokens: &[Token],
    lower: &[String],
    at: usize,
) -> Option<Vec<String>> {
    if lower.get(at).is_none_or(|w| w != "for") {
        return None;
    }
    let mut words = Vec::new();
    for token in tokens.iter().skip(at + 1).take(4) {
        let word = token.text.trim_end_matches([',', ';', ':', '.', '!']);
        if token.quoted
            || value_shape(word).is_some()
            || matches!(
                word.to_lowercase().as_str(),
                "from" | "now" | "on" | "instead"
            )
        {
            break;
        }
        words.push(word);
        let clause_ends = sentence[token.start..]
            .chars()
            .take(token.text.len() + 1)
            .any(|c| matches!(c, ',' | ';' | ':' | '.' | '!'));
        if clause_ends {
            break;
        }
    }
    let object: Vec<String> = text::analyze(&words.join(" "))
        .word_set
        .into_iter()
        .collect();
    (!object.is_empty()).then_some(object)
}

/// The thing a change verb names before "to": up to four plain words ("the staging database"),
/// as stemmed content words, and where "to" is. `None` when a value, a function word other than
/// a determiner, or nothing stands there.
fn changed_object(tokens: &[Token], lower: &[String], from: usize) -> Option<(Vec<String>, usize)> {
    let mut words = Vec::new();
    for at in from..(from + 5).min(tokens.len()) {
        if lower[at] == "to" {
            let object: Vec<String> = text::analyze(&words.join(" "))
                .word_set
                .into_iter()
                .collect();
            return (!object.is_empty()).then_some((object, at));
        }
        let token = &tokens[at];
        // "switch all new services to …": a quantifier says how much, not what.
        if matches!(
            lower[at].as_str(),
            "all" | "every" | "each" | "both" | "any" | "their"
        ) {
            continue;
        }
        if token.quoted || !token.is_value() || value_shape(&token.text).is_some() {
            return None;
        }
        words.push(token.text.as_str());
    }
    None
}

/// The shape of a specific value, for matching a new value with the old one it replaces when
/// no old value is named: an address, a path, a dotted name (host, module), a version or a name
/// with digits (`acme-prod-2`). Plain words have none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    Url,
    Email,
    Path,
    Dotted,
    Version,
    NumberedName,
    /// A chat channel: `#deploys`.
    Channel,
}

/// The name a passive change verb is about: "gunicorn was replaced", "Fluentd has been
/// swapped", "the old bucket got superseded" — the specific word before the auxiliary.
fn passive_subject<'t>(tokens: &'t [Token], lower: &[String], verb: usize) -> Option<&'t Token> {
    let mut j = verb;
    let mut auxiliaries = 0;
    while j > 0
        && matches!(
            lower[j - 1].as_str(),
            "was" | "were" | "is" | "are" | "has" | "have" | "been" | "got" | "be"
        )
    {
        j -= 1;
        auxiliaries += 1;
    }
    // The grammar says it is a name, capitalised or not ("gunicorn was replaced by uvicorn").
    (auxiliaries > 0 && j > 0 && tokens[j - 1].is_value()).then(|| &tokens[j - 1])
}

/// Whether two words have one form: the same inflection (`disabled` / `enabled`, `caching` /
/// `polling`) or values of one shape (`us-east-1` / `eu-west-1`).
fn same_form(a: &str, b: &str) -> bool {
    let (a, b) = (a.to_lowercase(), b.to_lowercase());
    let inflected = ["ed", "ing", "ly"]
        .iter()
        .any(|suffix| a.len() > suffix.len() + 2 && a.ends_with(suffix) && b.ends_with(suffix));
    inflected || value_shape(&a).is_some_and(|shape| value_shape(&b) == Some(shape))
}

fn value_shape(value: &str) -> Option<Shape> {
    let value = value.trim_matches(|c: char| matches!(c, '`' | '"' | '\'' | '.' | ','));
    if value.is_empty() || value.contains(char::is_whitespace) {
        return None;
    }
    let has_letter = value.chars().any(char::is_alphabetic);
    let has_digit = value.chars().any(|c| c.is_ascii_digit());
    let channel = value.strip_prefix('#').is_some_and(|name| {
        name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '_'))
    });
    if channel {
        Some(Shape::Channel)
    } else if value.contains("://") {
        Some(Shape::Url)
    } else if value.contains('@') && value.contains('.') {
        Some(Shape::Email)
    } else if value.contains('/') {
        Some(Shape::Path)
    } else if value.contains('.') && has_letter {
        Some(Shape::Dotted)
    } else if has_digit
        && value
            .trim_start_matches(['v', 'V'])
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.')
    {
        Some(Shape::Version)
    } else if has_digit && has_letter && value.contains(['-', '_']) {
        Some(Shape::NumberedName)
    } else {
        None
    }
}

/// The substitution an edit makes, when it swaps one name for another: the word the edit
/// removes most often and the word it adds most often, each clearly the main change (the
/// `setuptools` → `hatchling` of a build-backend edit). Numbers and words on both sides are
/// ignored; an edit that rewrites several names says nothing this simple.
pub(crate) fn from_edit(file: &str, old: &str, new: &str) -> Option<Substitution> {
    use std::collections::BTreeMap;
    let words = |s: &str| -> BTreeMap<String, usize> {
        let mut counts = BTreeMap::new();
        for word in s.split(|c: char| !c.is_alphanumeric() && c != '_' && c != '-') {
            if word.len() >= 3 && word.chars().any(char::is_alphabetic) {
                *counts.entry(word.to_string()).or_insert(0) += 1;
            }
        }
        counts
    };
    let (before, after) = (words(old), words(new));
    let only = |a: &BTreeMap<String, usize>, b: &BTreeMap<String, usize>| -> Vec<(String, usize)> {
        a.iter()
            .filter(|(w, _)| !b.contains_key(*w) && !w.chars().all(|c| c.is_ascii_digit()))
            .map(|(w, c)| (w.clone(), *c))
            .collect()
    };
    let main = |mut changed: Vec<(String, usize)>| -> Option<(String, usize)> {
        changed.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let first = changed.first()?.clone();
        // The main change must stand out: no other word changed as often.
        if changed.get(1).is_some_and(|second| second.1 == first.1) {
            return None;
        }
        Some(first)
    };
    let (removed, times_removed) = main(only(&before, &after))?;
    let (added, times_added) = main(only(&after, &before))?;
    if times_removed != times_added || removed.eq_ignore_ascii_case(&added) {
        return None;
    }
    let name = crate::tools::file_name(file).to_string();
    Some(Substitution {
        old: Some(removed),
        new: added,
        cue: format!("an edit of {name}"),
        subject: text::analyze(old).word_set.into_iter().collect(),
        file: Some(name),
        line_words_needed: 0,
        object: Vec::new(),
        object_min: 2,
        object_opens: false,
        subject_text: String::new(),
        list: None,
        companions: Vec::new(),
    })
}

/// The substitutions an edit makes line by line: each removed line whose counterpart among the
/// added lines is clear (the most alike either way, most words shared) and which differs from
/// it by single specific values swapped one for one (`--history-file` → `--input-history-file`,
/// `.aider.history` → `.aider.input.history`). A value still present anywhere in the new text is
/// not replaced. Each substitution applies to items that hold the old value and share
/// three of the line's words (`EDITED_LINE_WORDS_NEEDED`), whether or not they name the file.
pub(crate) fn from_edited_lines(file: &str, old: &str, new: &str) -> Vec<Substitution> {
    fn lines(s: &str) -> Vec<&str> {
        s.lines().map(str::trim).filter(|l| !l.is_empty()).collect()
    }
    let (old_lines, new_lines) = (lines(old), lines(new));
    if old_lines.len() > MAX_EDITED_LINES || new_lines.len() > MAX_EDITED_LINES {
        return Vec::new();
    }
    let removed: Vec<&str> = old_lines
        .iter()
        .filter(|l| !new_lines.contains(l))
        .copied()
        .collect();
    let added: Vec<&str> = new_lines
        .iter()
        .filter(|l| !old_lines.contains(l))
        .copied()
        .collect();
    let words = |line: &str| -> std::collections::BTreeSet<String> {
        line.split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .collect()
    };
    let removed_words: Vec<_> = removed.iter().map(|l| words(l)).collect();
    let added_words: Vec<_> = added.iter().map(|l| words(l)).collect();
    let best = |from: &std::collections::BTreeSet<String>,
                among: &[std::collections::BTreeSet<String>]|
     -> Option<usize> {
        let mut scored: Vec<(usize, f64)> = among
            .iter()
            .enumerate()
            .map(|(i, w)| (i, text::jaccard(from, w)))
            .collect();
        scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        let (first, score) = *scored.first()?;
        // A tie is no clear counterpart.
        let clear = scored.get(1).is_none_or(|second| second.1 < score);
        (clear && score >= MIN_COUNTERPART_SIMILARITY).then_some(first)
    };
    let new_tokens: Vec<&str> = new.split_whitespace().map(trim_value).collect();
    let name = crate::tools::file_name(file).to_string();
    let mut out: Vec<Substitution> = Vec::new();
    // A setting's new value: the one removed line and the one added line that set the same key
    // (`version = "1.2.1"` → `version = "1.3.0"`) are counterparts, however few of their
    // words the values leave in common.
    let key_of = |line: &str| setting_line(line).map(|(key, _)| key.to_ascii_lowercase());
    let setting_counterpart = |r: usize| -> Option<usize> {
        let key = key_of(removed[r])?;
        let with_key = |lines: &[&str]| -> Vec<usize> {
            (0..lines.len())
                .filter(|&i| key_of(lines[i]).as_deref() == Some(key.as_str()))
                .collect()
        };
        match (with_key(&removed).as_slice(), with_key(&added).as_slice()) {
            ([_], [a]) => Some(*a),
            _ => None,
        }
    };
    for (r, line) in removed.iter().enumerate() {
        let a = match setting_counterpart(r) {
            Some(a) => a,
            None => {
                let Some(a) = best(&removed_words[r], &added_words) else {
                    continue;
                };
                if best(&added_words[a], &removed_words) != Some(r) {
                    continue;
                }
                a
            }
        };
        let subject: Vec<String> = text::analyze(line).word_set.into_iter().collect();
        let swaps = swapped_values(line, added[a]);
        // The line's swaps of a number in one unit (`2.5min` → `10min`), which go with a
        // plain number swapped beside them.
        let in_units: Vec<(String, String)> = swaps
            .iter()
            .filter(|(old_value, new_value)| {
                matches!(
                    (number_with_unit(old_value), number_with_unit(new_value)),
                    (Some((_, unit_old)), Some((_, unit_new))) if unit_old == unit_new
                )
            })
            .map(|(old_value, new_value)| (old_value.to_string(), new_value.to_string()))
            .collect();
        for &(old_value, new_value) in &swaps {
            let specific = |v: &str| text::is_anchor(v);
            if !specific(old_value) || !specific(new_value) || new_tokens.contains(&old_value) {
                continue;
            }
            if out
                .iter()
                .any(|s| s.old.as_deref() == Some(old_value) && s.new == new_value)
            {
                continue;
            }
            let companions = if is_plain_number(old_value) {
                in_units.clone()
            } else {
                Vec::new()
            };
            out.push(Substitution {
                old: Some(old_value.to_string()),
                new: new_value.to_string(),
                cue: format!("an edited line of {name}"),
                subject: subject.clone(),
                file: Some(name.clone()),
                line_words_needed: EDITED_LINE_WORDS_NEEDED,
                object: Vec::new(),
                object_min: 2,
                object_opens: false,
                subject_text: String::new(),
                list: None,
                companions,
            });
        }
    }
    out
}

/// A whitespace-separated token without the quotes, brackets and sentence punctuation around
/// it (a leading dot stays: `.aider.history` is a file name).
fn trim_value(token: &str) -> &str {
    token
        .trim_start_matches(['`', '"', '\'', '(', '[', '{'])
        .trim_end_matches(['`', '"', '\'', ')', ']', '}', ',', ';', ':', '.', '!', '?'])
}

/// The values two versions of a line swap one for one: the runs where the token sequences
/// differ (outside their longest common subsequence), when a run replaces as many tokens as it
/// removes (at most three). Lines whose runs insert or delete are not simple swaps there.
fn swapped_values<'a>(old: &'a str, new: &'a str) -> Vec<(&'a str, &'a str)> {
    let a: Vec<&str> = old
        .split_whitespace()
        .map(trim_value)
        .filter(|t| !t.is_empty())
        .collect();
    let b: Vec<&str> = new
        .split_whitespace()
        .map(trim_value)
        .filter(|t| !t.is_empty())
        .collect();
    // Longest common subsequence table, from the ends.
    let mut lcs = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let mut out = Vec::new();
    let (mut i, mut j) = (0, 0);
    let (mut run_a, mut run_b): (Vec<&str>, Vec<&str>) = (Vec::new(), Vec::new());
    let mut flush = |run_a: &mut Vec<&'a str>, run_b: &mut Vec<&'a str>| {
        if !run_a.is_empty() && run_a.len() == run_b.len() && run_a.len() <= 3 {
            out.extend(run_a.iter().copied().zip(run_b.iter().copied()));
        }
        run_a.clear();
        run_b.clear();
    };
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            flush(&mut run_a, &mut run_b);
            i += 1;
            j += 1;
        } else if j < b.len() && (i == a.len() || lcs[i][j + 1] >= lcs[i + 1][j]) {
            run_b.push(b[j]);
            j += 1;
        } else {
            run_a.push(a[i]);
            i += 1;
        }
    }
    flush(&mut run_a, &mut run_b);
    out
}

/// Whether an edit's plain number (`timeout = 150` → `600`) meets an item that also gives
/// another number ("after 2.5 minutes of idle (timeout = 150 …)"): that one is often the same
/// quantity in other units, which the edit does not say, and changing only the setting would
/// leave the item contradicting itself. Such an item is left for a reviewer.
fn restates_edited_number(sub: &Substitution, item: &str) -> bool {
    let Some(old) = sub.old.as_deref() else {
        return false;
    };
    if sub.file.is_none() || !is_plain_number(old) {
        return false;
    }
    let tokens: Vec<&str> = item.split_whitespace().map(trim_value).collect();
    tokens.iter().enumerate().any(|(at, token)| {
        *token != old
            && is_plain_number(token)
            && companion_at(sub, token, tokens.get(at + 1).copied()).is_none()
    })
}

/// A number without a unit or anything else (`150`, `2.5`).
fn is_plain_number(value: &str) -> bool {
    !value.is_empty()
        && value.chars().all(|c| c.is_ascii_digit() || c == '.')
        && value.matches('.').count() <= 1
        && value.chars().any(|c| c.is_ascii_digit())
}

/// A number glued to a unit (`2.5min`, `30s`, `512MB`): the number and the unit, lower-case.
fn number_with_unit(value: &str) -> Option<(&str, String)> {
    let split = value.find(|c: char| !(c.is_ascii_digit() || c == '.'))?;
    let (number, unit) = value.split_at(split);
    let unit_ok = (1..=7).contains(&unit.len()) && unit.chars().all(|c| c.is_ascii_alphabetic());
    (is_plain_number(number) && unit_ok).then(|| (number, unit.to_ascii_lowercase()))
}

/// Whether a word an item writes after a number is the unit an edited line abbreviates
/// (`minutes` for `min`, `seconds` for `s`).
fn names_unit(word: &str, unit: &str) -> bool {
    let word = word.to_ascii_lowercase();
    let word = word.trim_end_matches(['.', ',', ')', ';']);
    const SPELLED: &[(&str, &str)] = &[
        ("s", "second"),
        ("m", "minute"),
        ("h", "hour"),
        ("d", "day"),
        ("ms", "millisecond"),
    ];
    word == unit
        || (unit.len() >= 2 && word.starts_with(unit))
        || SPELLED
            .iter()
            .any(|(short, long)| *short == unit && word.starts_with(long))
}

/// The companion swap (see [`Substitution::companions`]) an item's number is, with the word
/// after it: `2.5` before `minutes` for `2.5min` → `10min`. The new number, when it is one.
fn companion_at<'s>(sub: &'s Substitution, number: &str, next: Option<&str>) -> Option<&'s str> {
    sub.companions.iter().find_map(|(old, new)| {
        let (old_number, unit) = number_with_unit(old)?;
        let (new_number, _) = number_with_unit(new)?;
        (old_number == number && next.is_some_and(|word| names_unit(word, &unit)))
            .then_some(new_number)
    })
}

/// An item with each number a companion swap covers changed to its new number (`after 2.5
/// minutes` → `after 10 minutes`), and the swaps made, for the report.
fn apply_companions(sub: &Substitution, item: &str) -> (String, Vec<String>) {
    let mut out = String::with_capacity(item.len());
    let mut made = Vec::new();
    let mut rest = item;
    let mut words = item.split_whitespace().peekable();
    while let Some(word) = words.next() {
        let Some(at) = rest.find(word) else { break };
        let token = trim_value(word);
        let next = words.peek().copied().map(trim_value);
        match companion_at(sub, token, next) {
            Some(new_number) => {
                let inner = word.find(token).unwrap_or(0);
                out.push_str(&rest[..at + inner]);
                out.push_str(new_number);
                made.push(format!("`{token}` → `{new_number}`"));
                rest = &rest[at + inner + token.len()..];
            }
            None => {
                out.push_str(&rest[..at + word.len()]);
                rest = &rest[at + word.len()..];
            }
        }
    }
    out.push_str(rest);
    (out, made)
}

/// [`apply_knowing`] without knowing any program the sessions ran.
#[cfg(test)]
pub(crate) fn apply(sub: &Substitution, item: &str) -> Option<(String, String)> {
    apply_knowing(sub, item, &std::collections::BTreeSet::new())
}

/// How a substitution applies to one item, if it does: the new text and what matched.
/// `programs` are the programs the sessions ran (lower-case names: `pnpm`, `jest`): a lower-case
/// word an item uses for what a new tool is for ("Use pnpm for installs" for "switch to bun for
/// installs") is the tool it replaces only when a session ran it — a practice ("Use
/// transactions for migrations") is never run.
pub(crate) fn apply_knowing(
    sub: &Substitution,
    item: &str,
    programs: &std::collections::BTreeSet<String>,
) -> Option<(String, String)> {
    if let Some((old, new)) = &sub.list {
        return replace_list(item, old, new);
    }
    if sub.cue == COMMAND_CUE {
        return replace_command(sub, item);
    }
    if sub.cue == RENAMED_OBJECT_CUE || sub.cue == SWITCHED_OBJECT_CUE {
        return rename_value(sub, item);
    }
    if sub.cue == OWNER_CUE {
        return replace_owner(sub, item);
    }
    // Most (change, item) pairs fail on a cheap test (the item holds no old value, no value of
    // the new one's shape): the item is analysed only when a branch gets that far.
    let old_present = match &sub.old {
        Some(old) => item.to_lowercase().contains(&old.to_lowercase()),
        None => match (sub.object.is_empty(), family_of(&sub.new)) {
            (false, None) => match value_shape(&sub.new) {
                Some(shape) => value_tokens(item)
                    .iter()
                    .any(|t| value_shape(&t.text) == Some(shape)),
                // A tool's name: the item must name the thing that moved.
                None => {
                    let words = text::analyze(item).word_set;
                    sub.object.iter().any(|w| words.contains(w))
                }
            },
            _ => true,
        },
    };
    if !old_present || restates_edited_number(sub, item) {
        return None;
    }
    let tokens = value_tokens(item);
    let item_analysis = text::analyze(item);
    // A contrasted word of the announcement ("… pnpm instead of yarn" marks `yarn`) is still
    // one of its words.
    let shares_subject = |sub: &Substitution| {
        sub.subject
            .iter()
            .filter(|w| item_analysis.word_set.contains(w.trim_start_matches('¬')))
            .count()
    };
    // "We renamed master to main": the item whose value is the old name ("The main branch is
    // master") has the new one, although it says "main" already of something else.
    if sub.cue.starts_with("renam")
        && let Some(old) = &sub.old
        && let Some(slot) = text::slot(item)
        && slot
            .value
            .trim_matches(|c: char| matches!(c, '`' | '"' | '\'' | '.'))
            .eq_ignore_ascii_case(old)
        && let Some(at) = item.rfind(slot.value.as_str())
    {
        let value_at = at + slot.value.find(old.as_str()).unwrap_or(0);
        if item.get(value_at..value_at + old.len()) == Some(old.as_str()) {
            let replaced = format!(
                "{}{}{}",
                &item[..value_at],
                sub.new,
                &item[value_at + old.len()..]
            );
            let why = format!("`{old}` → `{}` ({}; the item's value)", sub.new, sub.cue);
            return Some((replaced, why));
        }
    }
    // A role handed over changes its holder only in items about what was taken over.
    if sub.cue == TOOK_OVER_CUE || sub.cue == HANDED_OVER_CUE {
        let words = text::analyze(item).word_set;
        if sub.object.is_empty() || !sub.object.iter().all(|w| words.contains(w)) {
            return None;
        }
    }
    match &sub.old {
        Some(old) if old.contains(' ') => {
            // A phrase for a phrase ("the CFO instead of the finance lead"): the item holds the
            // old phrase as words of its own and shares a subject word beyond both phrases.
            let item_lower = item.to_lowercase();
            let old_lower = old.to_lowercase();
            if item_lower.len() != item.len() || holds_value(&item_lower, &sub.new.to_lowercase()) {
                return None;
            }
            let glued = |c: char| c.is_alphanumeric() || c == '_' || c == '-';
            let at = item_lower.match_indices(&old_lower).find_map(|(at, _)| {
                let free = item_lower[..at]
                    .chars()
                    .next_back()
                    .is_none_or(|c| !glued(c))
                    && item_lower[at + old_lower.len()..]
                        .chars()
                        .next()
                        .is_none_or(|c| !glued(c));
                free.then_some(at)
            })?;
            let beyond = subject_words_beyond_values(sub, old, &item_analysis);
            // A name of several words moved away from ("moved the docs off Read the Docs to
            // GitHub Pages") is where the item keeps it, or what it uses, when a slot word
            // comes before it ("hosted on Read the Docs") and the name ends there (not "in
            // Google Cloud Storage" for Google Cloud).
            let kept_there = || {
                let before = item_lower[..at]
                    .split_whitespace()
                    .next_back()
                    .unwrap_or("");
                let after = item[at + old_lower.len()..].trim_start();
                sub.cue == "from … to"
                    && old.starts_with(|c: char| c.is_uppercase())
                    && (lexicon::is_word_of(List::ToolSlot, before)
                        || lexicon::is_word_of(List::ToolVerb, before)
                        || matches!(before, "in" | "at" | "to"))
                    && !after.starts_with(|c: char| c.is_uppercase())
            };
            if beyond == 0 && !kept_there() {
                return None;
            }
            let replaced = format!("{}{}{}", &item[..at], sub.new, &item[at + old.len()..]);
            let matched = if beyond == 0 {
                "the item keeps it there or uses it".to_string()
            } else {
                format!("the item held the old phrase and shares {beyond} subject word(s)")
            };
            let why = format!(
                "`{}` → `{}` ({}; {matched})",
                &item[at..at + old.len()],
                sub.new,
                sub.cue
            );
            Some((replaced, why))
        }
        Some(old) => {
            // A plain number the item gives twice ("after 30 seconds (timeout = 30)") may be
            // two quantities: which one changed is for a reviewer to say.
            if is_plain_number(old) && tokens.iter().filter(|t| t.text == *old).count() > 1 {
                return None;
            }
            let hit = tokens
                .iter()
                .find(|t| t.text.eq_ignore_ascii_case(old))
                .cloned()
                .or_else(|| value_inside_token(&tokens, old))?;
            let specific = hit.is_specific() || text::is_anchor(old);
            // A plain word ("green") is only the same value with a shared subject word
            // ("blockquote"), or in the file the edit changed.
            let file_named = sub
                .file
                .as_deref()
                .is_some_and(|f| item.to_lowercase().contains(&f.to_lowercase()));
            let shared = shares_subject(sub);
            // An edited line's value: a specific value in an item about that line (or file).
            let about_the_line =
                sub.line_words_needed > 0 && specific && shared >= sub.line_words_needed;
            if sub.file.is_some() && !file_named && !about_the_line {
                return None;
            }
            // …or a tool the item uses ("Use npm for installs") that the person said they
            // switched away from ("We've switched from npm to pnpm").
            let switched_tool = (sub.cue == "from … to"
                && !sub.new.contains(' ')
                && sub
                    .subject
                    .iter()
                    .any(|w| matches!(w.as_str(), "switch" | "migrat" | "move" | "chang")))
                || sub.cue == REPLACED_CUE
                || sub.cue == FAVOURED_CUE;
            let switched_tool = switched_tool && used_as_tool(&tokens, &hit);
            if sub.cue == CONTRASTED_TOOL_CUE && !used_as_tool(&tokens, &hit) {
                return None;
            }
            if !specific && !file_named && shared < 2 && !switched_tool {
                return None;
            }
            // A plain name changed as something the sentence names ("switch OS from Omarchy to
            // NixOS"): the item names that thing too, or uses the name as a tool.
            if sub.cue == "from … to"
                && !sub.object.is_empty()
                && value_shape(old).is_none()
                && !used_as_tool(&tokens, &hit)
                && !sub.object.iter().any(|w| {
                    item_analysis.word_set.contains(w) || item_analysis.anchors.contains(w)
                })
            {
                return None;
            }
            // A quoted value for a quoted one names a label, not a word: the item quotes it
            // too, or shares two subject words beyond the values ("Review PRs before merging"
            // is not the button labelled 'Review').
            if sub.cue.ends_with(QUOTED_CUE)
                && !hit.quoted
                && subject_words_beyond_values(sub, old, &item_analysis) < 2
            {
                return None;
            }
            // Already holds the new value (as a value of its own, not inside a longer name:
            // `/workspace/game_2048.py` does not hold `2048.py`).
            if holds_value(item, &sub.new) {
                return None;
            }
            // A version right after the old name is that name's ("Helm 3"): it goes with it.
            let span_of = |hit: &Token| {
                let mut end = hit.start + hit.text.len();
                if value_shape(&sub.new) != Some(Shape::Version)
                    && let Some(next) = tokens.iter().find(|t| t.start > hit.start)
                    && item[end..next.start].chars().all(|c| c == ' ')
                    && value_shape(&next.text) == Some(Shape::Version)
                {
                    end = next.start + next.text.trim_end_matches(['.', ',']).len();
                }
                (hit.start, end)
            };
            // Every mention of the old value in the item is the same thing, and changes with it
            // ("The editor is Monaco, driven through a Monaco adapter"): one left behind keeps
            // the stale value beside the new one.
            let mut spans: Vec<(usize, usize)> = tokens
                .iter()
                .filter(|t| t.start != hit.start && t.text.eq_ignore_ascii_case(old))
                .chain(std::iter::once(&hit))
                .map(span_of)
                .collect();
            spans.sort_unstable();
            let mut replaced = item.to_string();
            for &(start, end) in spans.iter().rev() {
                replaced.replace_range(start..end, &sub.new);
            }
            // The same quantity in the unit the edited line's comment gives, changed with it.
            let (replaced, companions) = apply_companions(sub, &replaced);
            let also = if companions.is_empty() {
                String::new()
            } else {
                format!(
                    ", and {} in the unit the edited line gives",
                    companions.join(", ")
                )
            };
            let why = format!(
                "`{}` → `{}`{also} ({}; the item held the old value{})",
                hit.text,
                sub.new,
                sub.cue,
                if file_named {
                    format!(" and names {}", sub.file.as_deref().unwrap_or(""))
                } else if sub.line_words_needed > 0 {
                    format!(" and shares {shared} words with the edited line")
                } else if shared > 0 {
                    format!(" and shares {shared} subject word(s)")
                } else {
                    String::new()
                }
            );
            Some((replaced, why))
        }
        None if !sub.object.is_empty() && family_of(&sub.new).is_none() => {
            // "moved the staging database to db-staging-2.internal": the item must name what
            // was moved (every word of it, and two at least: "the config" alone names too
            // much, and "the qa replica host" is not "the dr replica host") and hold exactly one
            // value of the new value's shape.
            let names = |w: &String| {
                item_analysis.word_set.contains(w) || item_analysis.anchors.contains(w)
            };
            let named = sub.object.iter().filter(|w| names(w)).count();
            if named < sub.object_min || named < sub.object.len() || holds_value(item, &sub.new) {
                return None;
            }
            // The item is about it when it opens with it, or names it in the subject it gives
            // a value ("Our container registry is registry.gitlab.com/acme" for "The registry
            // moved to …").
            let opens_with_object = item_analysis.words.first() == sub.object.first()
                || subject_head(item).is_some_and(|head| sub.object.first() == Some(&head))
                || subject_purpose(item)
                    .is_some_and(|purpose| sub.object.first() == Some(&purpose));
            if sub.object_opens && !opens_with_object {
                return None;
            }
            if value_shape(&sub.new).is_none() {
                return replace_tool(sub, item, &tokens, programs);
            }
            let shape = value_shape(&sub.new)?;
            let mut hits = tokens
                .iter()
                .filter(|t| value_shape(&t.text) == Some(shape));
            let hit = hits.next()?;
            if hits.next().is_some() {
                return None;
            }
            let text = hit.text.trim_end_matches(['.', ',']);
            // The item's own identifiers must be the announcement's: "the production host" is
            // not "the us-prod host", although "prod" is read as "production".
            let item_lower = item.to_lowercase();
            let value = text.to_lowercase();
            let own_identifier = text::raw_tokens(&item_lower).into_iter().any(|token| {
                let identifier =
                    text::is_anchor(token.text) || token.text.contains(['-', '_', '.', '/']);
                // (A channel's name is a token without its `#`.)
                identifier
                    && token.text != value
                    && token.text != value.trim_start_matches('#')
                    && !holds_value(&sub.subject_text.to_lowercase(), token.text)
            });
            if own_identifier {
                return None;
            }
            let replaced = format!(
                "{}{}{}",
                &item[..hit.start],
                sub.new,
                &item[hit.start + text.len()..]
            );
            let matched = words_as_named(&tokens, &sub.object);
            let why = format!(
                "`{text}` → `{}` ({}; the item names {} and held the one value of that shape)",
                sub.new,
                sub.cue,
                matched.join(", ")
            );
            Some((replaced, why))
        }
        None if family_of(&sub.new).is_none() => {
            // "Deploys moved to Thursdays": the one value of the same closed set (a weekday, a
            // month, a count) in an item that shares a subject word beyond the change's verb.
            // Digits are identifiers, matched as values of their own shape elsewhere.
            if sub.new.chars().all(|c| c.is_ascii_digit()) {
                return None;
            }
            let set = text::value_family(&sub.new)?;
            let mut hits = tokens.iter().filter(|t| {
                let word = t.text.trim_end_matches(['.', ',']);
                !word.chars().all(|c| c.is_ascii_digit()) && text::value_family(word) == Some(set)
            });
            let hit = hits.next()?;
            let old = hit.text.trim_end_matches(['.', ',']);
            if hits.next().is_some() || old.eq_ignore_ascii_case(&sub.new) {
                return None;
            }
            let verbs: std::collections::BTreeSet<String> = lexicon::words(List::ChangeVerb)
                .iter()
                .map(|verb| text::stem(verb))
                .collect();
            // The word right after the value is its unit or zone ("01:00 UTC"), part of the
            // value rather than what the item is about.
            let unit = tokens
                .iter()
                .position(|t| t.start == hit.start)
                .and_then(|at| tokens.get(at + 1))
                .map(|t| text::stem(&t.text.trim_end_matches(['.', ',']).to_lowercase()));
            let shared: Vec<&String> = sub
                .subject
                .iter()
                .filter(|w| {
                    item_analysis.word_set.contains(*w)
                        && !verbs.contains(*w)
                        && text::value_family(w).is_none()
                        && unit.as_deref() != Some(w.as_str())
                })
                .collect();
            if shared.is_empty() {
                return None;
            }
            let new = in_the_items_number(&sub.new, old, set);
            let replaced = format!(
                "{}{}{}",
                &item[..hit.start],
                new,
                &item[hit.start + old.len()..]
            );
            let why = format!(
                "`{old}` → `{new}` ({}; another {set} for the same subject: {})",
                sub.cue,
                shared
                    .iter()
                    .map(|w| format!("`{w}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            Some((replaced, why))
        }
        None => {
            // "updated to C17": an item value of the same family (same letters, other digits).
            let family = family_of(&sub.new)?;
            let mut hits = tokens
                .iter()
                .filter(|t| family_of(&t.text).as_deref() == Some(family.as_str()));
            let hit = hits.next()?;
            if hits.next().is_some() || hit.text.eq_ignore_ascii_case(&sub.new) {
                return None;
            }
            let replaced = format!(
                "{}{}{}",
                &item[..hit.start],
                sub.new,
                &item[hit.start + hit.text.len()..]
            );
            let why = format!(
                "`{}` → `{}` ({}; same name, new version)",
                hit.text, sub.new, sub.cue
            );
            Some((replaced, why))
        }
    }
}

/// The phrase after "in favour of" (from `at`): a name of several words when it opens with one,
/// else up to four words to the end of the clause or a word that starts another phrase ("the
/// native fetch API for requests": "the native fetch API").
fn phrase_after_favour(
    sentence: &str,
    tokens: &[Token],
    lower: &[String],
    at: usize,
) -> Option<String> {
    let first = tokens.get(at)?;
    if first.is_specific() {
        return Some(name_run(sentence, tokens, at).0);
    }
    let mut end = at;
    while end < tokens.len() && end < at + 4 {
        if matches!(
            lower[end].as_str(),
            "for"
                | "in"
                | "on"
                | "at"
                | "to"
                | "because"
                | "since"
                | "as"
                | "and"
                | "but"
                | "so"
                | "which"
                | "that"
                | "now"
                | "instead"
        ) {
            break;
        }
        let token = &tokens[end];
        end += 1;
        if sentence[token.start + token.text.len()..].starts_with([',', ';', ':', '.', '!', '?']) {
            break;
        }
    }
    let last = tokens.get(end.checked_sub(1)?)?;
    let phrase = sentence.get(first.start..last.start + last.text.len())?;
    // A phrase of function words only ("the", "our") names nothing.
    (!text::analyze(phrase).is_empty()).then(|| phrase.to_string())
}

/// The name right after a cue ending at `end` ("dropping the Jenkins pipeline …": `Jenkins`),
/// past articles and quantifiers, and the text after it with the kind of thing it is
/// ("pipeline", "integration") stepped over.
fn name_after<'s>(sentence: &'s str, tokens: &[Token], end: usize) -> Option<(String, &'s str)> {
    let after: Vec<&Token> = tokens.iter().filter(|t| t.start >= end).collect();
    let skip = after
        .iter()
        .take_while(|t| {
            matches!(
                t.text.to_lowercase().as_str(),
                "the" | "our" | "a" | "an" | "all" | "any" | "of"
            )
        })
        .count();
    let (name, taken) = leading_name(sentence, &after[skip..])?;
    let last = after[skip + taken - 1];
    let rest = sentence[last.start + last.text.len()..].trim_start();
    Some((name, strip_head_noun(rest)))
}

/// The lower-case identifier right after `end` (after "the", "our", …): a word of letters and
/// digits joined by `-` or `_` ("agent-intercom-ctl", "deploy_tool"), with what follows it (a
/// head noun such as "tool" left out).
fn identifier_after<'s>(
    sentence: &'s str,
    tokens: &[Token],
    end: usize,
) -> Option<(String, &'s str)> {
    let token = tokens
        .iter()
        .filter(|t| t.start >= end)
        .find(|t| !matches!(t.text.to_lowercase().as_str(), "the" | "our" | "a" | "an"))?;
    let word = token.text.trim_end_matches([',', ';', ':', '.', '!']);
    let identifier = word.contains(['-', '_'])
        && word
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_'))
        && word.chars().next().is_some_and(char::is_alphanumeric)
        && word.chars().last().is_some_and(char::is_alphanumeric);
    identifier.then(|| {
        let rest = sentence
            .get(token.start + word.len()..)
            .unwrap_or("")
            .trim_start();
        (word.to_string(), strip_head_noun(rest))
    })
}

/// An item's words for what moved, as written ("auth", "Staging"), not their stems.
fn words_as_named<'a>(tokens: &'a [Token], object: &[String]) -> Vec<&'a str> {
    let mut named: Vec<&str> = Vec::new();
    for token in tokens {
        let word = token.text.trim_end_matches(['.', ',', ';', ':']);
        // A value (a host, a path) is what changes, not a word for the thing.
        if value_shape(word).is_some() {
            continue;
        }
        let analysis = text::analyze(word);
        let names = analysis
            .word_set
            .iter()
            .chain(&analysis.anchors)
            .any(|w| object.contains(w));
        if names && !named.contains(&word) {
            named.push(word);
        }
    }
    named
}

/// For "we're moving auth to Supabase": the one tool the item uses ("We use Firebase for
/// auth", "Auth goes through Firebase", "CI runs on Jenkins") becomes the new one. A tool is a
/// capitalised name right after "use", "via", "through", "on" or "with"; an item with two, or
/// none, is left alone, and so is a name that opens the item (its subject, not its tool).
fn replace_tool(
    sub: &Substitution,
    item: &str,
    tokens: &[Token],
    programs: &std::collections::BTreeSet<String>,
) -> Option<(String, String)> {
    if holds_value(&item.to_lowercase(), &sub.new.to_lowercase()) {
        return None;
    }
    // A lower-case name is a tool when a session ran it and the item says what it is for in
    // the announcement's words ("Use pnpm for installs").
    let ran_for_the_object = |at: usize| {
        programs.contains(&tokens[at].text.to_lowercase())
            && tokens.get(at + 1).is_some_and(|t| t.text == "for")
            && tokens.get(at + 2).is_some_and(|t| {
                let words = text::analyze(&item[t.start..]).word_set;
                sub.object.iter().all(|w| words.contains(w))
            })
    };
    // What moved went somewhere: the name after "to" or "in" is where the item keeps it
    // ("Container images are pushed to Docker Hub" for "we moved container images to GHCR").
    let moved = sub
        .cue
        .split_whitespace()
        .next()
        .is_some_and(|verb| lexicon::is_word_of(List::MoveVerb, verb));
    let tools: Vec<(usize, usize)> = tokens
        .iter()
        .enumerate()
        .filter(|(at, token)| {
            let before = tokens[at.saturating_sub(1)].text.to_lowercase();
            *at > 0
                && (token.text.chars().next().is_some_and(char::is_uppercase)
                    || ran_for_the_object(*at)
                    || is_known_tool(&token.text.to_lowercase()))
                && value_shape(&token.text).is_none()
                && (lexicon::is_word_of(List::ToolSlot, &before)
                    || (moved && matches!(before.as_str(), "to" | "in" | "into" | "at"))
                    // "The design system is Material UI" for "we migrated the design system
                    // to Chakra UI": the name the item gives the announcement's thing.
                    || (matches!(before.as_str(), "is" | "are")
                        && !sub.object.is_empty()
                        && {
                            let subject = text::analyze(&item[..token.start]).word_set;
                            sub.object.iter().all(|w| subject.contains(w))
                        })
                    // "live in the Zendesk 'Macros' folder": a place after its article.
                    || (moved
                        && *at > 1
                        && matches!(before.as_str(), "the" | "our")
                        && matches!(
                            tokens[at - 2].text.to_lowercase().as_str(),
                            "to" | "in" | "into" | "at"
                        )))
        })
        .map(|(at, _)| (at, name_run(item, tokens, at).1))
        .collect();
    let [(at, taken)] = tools.as_slice() else {
        return None;
    };
    // "New endpoints should use GraphQL": the item's tool is for exactly that subject ("Prefer
    // REST for new endpoints", not "… for internal endpoints").
    if sub.cue == SHOULD_USE_CUE {
        let last = &tokens[at + taken - 1];
        let after = &item[last.start + last.text.len()..];
        let purpose = after
            .trim_start()
            .strip_prefix("for ")
            .map(|rest| rest.split([',', ';', '.', ':']).next().unwrap_or(rest));
        if purpose.is_none_or(|purpose| phrase_words(purpose).join(" ") != sub.subject_text) {
            return None;
        }
    }
    let first = &tokens[*at];
    let last = &tokens[at + taken - 1];
    let end = last.start + last.text.trim_end_matches(['.', ',', ';', ':']).len();
    let old = &item[first.start..end];
    let replaced = format!("{}{}{}", &item[..first.start], sub.new, &item[end..]);
    let named = words_as_named(tokens, &sub.object);
    let why = format!(
        "`{old}` → `{}` ({}; the item names {} and {})",
        sub.new,
        sub.cue,
        named.join(", "),
        if moved {
            "keeps it in one place"
        } else {
            "uses one tool for it"
        }
    );
    Some((replaced, why))
}

/// The family of a versioned value: `C17` → `c`, `v0.41` → `v`, `python3.12` → `python`,
/// `cuda-12.6` → `cuda-`. `None` for values without a letter prefix and a version.
pub(crate) fn family_of(value: &str) -> Option<String> {
    let lower = value.to_ascii_lowercase();
    let letters = lower
        .find(|c: char| c.is_ascii_digit())
        .filter(|&at| at > 0)?;
    let (prefix, version) = lower.split_at(letters);
    // A name of several dashed parts before its number (`eu-west-1`, `db-staging-02`) is one
    // name in a numbered series, not a product and its version.
    let versioned = version.chars().all(|c| c.is_ascii_digit() || c == '.')
        && prefix.chars().all(|c| c.is_ascii_alphabetic() || c == '-')
        && !prefix.trim_end_matches('-').contains('-');
    versioned.then(|| prefix.to_string())
}

/// Whether `value` occurs in `text` with no identifier character glued to either side.
fn holds_value(text: &str, value: &str) -> bool {
    let glued = |c: char| c.is_alphanumeric() || c == '_' || c == '-';
    text.match_indices(value).any(|(at, _)| {
        text[..at].chars().next_back().is_none_or(|c| !glued(c))
            && text[at + value.len()..]
                .chars()
                .next()
                .is_none_or(|c| !glued(c))
    })
}

/// The old value where it sits inside a longer token: the file name at the end of a path
/// (`game_2048.py` in `/workspace/game_2048.py`) or a word of a quoted value (`original` in
/// `"original content"`). Only at identifier boundaries, so `green` never matches `evergreen`.
fn value_inside_token(tokens: &[Token], old: &str) -> Option<Token> {
    let is_word = |c: char| c.is_alphanumeric() || c == '_';
    let old_lower = old.to_lowercase();
    tokens.iter().find_map(|token| {
        let lower = token.text.to_lowercase();
        // Lowercasing can change byte lengths outside ASCII; such tokens are left alone.
        if lower.len() != token.text.len() {
            return None;
        }
        lower.match_indices(&old_lower).find_map(|(at, _)| {
            let before = lower[..at].chars().next_back();
            let after = lower[at + old_lower.len()..].chars().next();
            let bounded = before.is_none_or(|c| !is_word(c) && c != '.' && c != '-')
                && after.is_none_or(|c| !is_word(c) && c != '-' && c != '.');
            let in_path_or_quote = token.quoted || before.is_none_or(|c| c == '/' || c == '\\');
            (bounded && in_path_or_quote).then(|| Token {
                text: token.text[at..at + old.len()].to_string(),
                start: token.start + at,
                quoted: token.quoted,
            })
        })
    })
}

/// An item that uses a retired tool as a tool ("Use Yarn to install packages"), with that
/// tool swapped for the one developer tool (`[known_tool]`, `[check_program]`) the
/// announcement names after it as its replacement ("We stopped using Yarn; it's npm everywhere
/// now." gives "Use npm to install packages"), and the successor. `None` for a person or a
/// prohibition, when the item names the retired tool otherwise or more than once, or when the
/// announcement names no successor, or more than one.
pub(crate) fn with_successor_tool(
    retirement: &Retirement,
    item: &str,
    announcement: &str,
) -> Option<(String, String)> {
    if retirement.person || retirement.prohibited {
        return None;
    }
    let retired = retirement.name.as_deref()?;
    let bare = |token: &Token| {
        token
            .text
            .trim_end_matches(['.', ',', ';', ':'])
            .to_string()
    };
    // The successor is said after the retired name, in words that make it the replacement
    // ("it's npm everywhere now", "we use pnpm instead"): "we dropped Jest, it broke with npm
    // workspaces" names npm for another reason.
    let announced = value_tokens(announcement);
    let after_retired = announced
        .iter()
        .position(|t| bare(t).eq_ignore_ascii_case(retired))
        .map(|at| &announced[at + 1..])?;
    const TAKES_ITS_PLACE: &[&str] = &[
        "now",
        "instead",
        "favour",
        "favor",
        "everywhere",
        "forward",
        "use",
        "using",
        "switched",
        "switching",
        "moved",
        "moving",
        "replaced",
        "replacing",
    ];
    if !after_retired
        .iter()
        .any(|t| TAKES_ITS_PLACE.contains(&bare(t).to_lowercase().as_str()))
    {
        return None;
    }
    let named: std::collections::BTreeSet<String> = after_retired
        .iter()
        .map(bare)
        .filter(|word| is_known_tool(word) && !word.eq_ignore_ascii_case(retired))
        .collect();
    let mut named = named.into_iter();
    let successor = named.next()?;
    if named.next().is_some() {
        return None;
    }
    let tokens = value_tokens(item);
    let mut uses = tokens
        .iter()
        .filter(|t| bare(t).eq_ignore_ascii_case(retired));
    let used = uses.next()?;
    if uses.next().is_some() || !used_as_tool(&tokens, used) {
        return None;
    }
    let replaced = format!(
        "{}{}{}",
        &item[..used.start],
        successor,
        &item[used.start + retired.len()..]
    );
    Some((replaced, successor))
}

/// Whether an item uses the named tool ("… by running the agent-intercom-ctl CLI"): a word
/// of the item that is the name, used as a tool (see [`used_as_tool`]).
fn uses_named_tool(item: &str, name: &str) -> bool {
    let tokens = value_tokens(item);
    tokens
        .iter()
        .any(|token| token.text.eq_ignore_ascii_case(name) && used_as_tool(&tokens, token))
}

/// Whether the item uses the word as a tool: right after a `[tool_verb]` ("use", "run",
/// "call", "via", "through", "with", "by" …; "Use npm for installs"), an article between
/// allowed ("… by running the agent-intercom-ctl CLI"). An `[environment]` is no tool ("use
/// staging first" is another subject than "production").
fn used_as_tool(tokens: &[Token], word: &Token) -> bool {
    let environment = lexicon::is_word_of(List::Environment, &word.text.to_lowercase());
    !environment
        && tokens
            .iter()
            .position(|t| t.start == word.start)
            .and_then(|at| {
                tokens[..at].iter().rev().find(|t| {
                    !matches!(
                        t.text.to_lowercase().as_str(),
                        "the" | "a" | "an" | "our" | "its" | "their"
                    )
                })
            })
            .is_some_and(|before| lexicon::is_word_of(List::ToolVerb, &before.text.to_lowercase()))
}

/// A word that stands for a person or thing without naming it (lower case): personal
/// pronouns, `this`/`that`, and `someone`, `everything` and the like. None is ever the name an
/// announcement changes ("It moved to …", "Everyone has left").
fn is_pronoun(word: &str) -> bool {
    matches!(
        word,
        "i" | "we"
            | "you"
            | "he"
            | "she"
            | "they"
            | "it"
            | "this"
            | "that"
            | "someone"
            | "somebody"
            | "everyone"
            | "everybody"
            | "everything"
            | "nothing"
            | "something"
    )
}

/// The value starting at token `at`: the token, or a capitalised name of up to three words
/// written with single spaces ("GitHub Actions", "Google Cloud Run"), and how many tokens it
/// takes.
fn name_run(sentence: &str, tokens: &[Token], at: usize) -> (String, usize) {
    // A capitalised function word ("… to NixOS But if I decide …", a full stop forgotten)
    // opens the next sentence; it names nothing.
    const OPENS_A_CLAUSE: &[&str] = &[
        "but", "and", "or", "so", "if", "then", "when", "while", "because", "although", "though",
        "maybe", "also",
    ];
    let capitalised = |t: &Token| {
        let lower = t.text.to_lowercase();
        !t.quoted
            && t.text.chars().next().is_some_and(char::is_uppercase)
            && t.is_value()
            && !OPENS_A_CLAUSE.contains(&lower.as_str())
            && !is_pronoun(&lower)
    };
    let first = &tokens[at];
    let mut end = at + 1;
    if capitalised(first) {
        // "Read the Docs", "Bank of America": a lower-case "the" or "of" between two capitalised
        // words is part of the name (and the name may then have four words).
        let mut connectors = 0;
        while end < tokens.len() && end - at < 3 + connectors {
            let (previous, next) = (&tokens[end - 1], &tokens[end]);
            let gap = &sentence[previous.start + previous.text.len()..next.start];
            if gap != " " {
                break;
            }
            if matches!(next.text.as_str(), "the" | "of")
                && connectors == 0
                && let Some(after) = tokens.get(end + 1)
                && sentence[next.start + next.text.len()..after.start] == *" "
                && capitalised(after)
            {
                connectors += 1;
                end += 2;
                continue;
            }
            if !capitalised(next) {
                break;
            }
            end += 1;
        }
        // "Gemini 3", "Python 3.12": a version right after the name is the name's, when it
        // ends the clause or a function word follows ("to Vitest 2 weeks ago" has none).
        if let Some(version) = tokens.get(end)
            && value_shape(&version.text) == Some(Shape::Version)
            && sentence[tokens[end - 1].start + tokens[end - 1].text.len()..version.start] == *" "
        {
            let after = &sentence[version.start + version.text.len()..];
            let closes = after.trim_start().is_empty()
                || after.starts_with(['.', ',', ';', ':', ')', '!', '?'])
                || tokens.get(end + 1).is_some_and(|next| {
                    lexicon::is_word_of(List::Stopword, &next.text.to_lowercase())
                });
            if closes {
                end += 1;
            }
        }
    }
    let last = &tokens[end - 1];
    (
        sentence[first.start..last.start + last.text.len()].to_string(),
        end - at,
    )
}

/// A token of text with its byte offset.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Token {
    text: String,
    start: usize,
    quoted: bool,
}

impl Token {
    /// Names a specific thing: an identifier, a version, a path, a quoted value, a capitalised
    /// name.
    fn is_specific(&self) -> bool {
        self.quoted
            || text::is_anchor(&self.text)
            // A channel's name ("#cs-escalations").
            || (self.text.starts_with('#')
                && self.text[1..].starts_with(|c: char| c.is_alphanumeric()))
            || (self.text.chars().next().is_some_and(char::is_uppercase) && self.text.len() > 1)
    }

    /// Can be a value at all (not a function word).
    fn is_value(&self) -> bool {
        const FUNCTION: &[&str] = &[
            "the", "a", "an", "to", "of", "it", "that", "this", "be", "is", "are", "and", "or",
            "in", "on", "for", "with", "from", "by", "them", "those", "these", "all", "use",
            "using", "do", "instead", "rather", "now", "then", "our", "my", "your", "their", "its",
            "his", "her",
        ];
        self.quoted || !FUNCTION.contains(&self.text.to_lowercase().as_str())
    }
}

/// Tokens for value matching: quoted strings and code spans whole, other words split on spaces
/// with sentence punctuation trimmed.
fn value_tokens(text: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if matches!(c, b'`' | b'"')
            && let Some(end) = text[i + 1..].find(c as char)
        {
            let inner = &text[i + 1..i + 1 + end];
            if !inner.trim().is_empty() && end <= 120 {
                out.push(Token {
                    text: inner.to_string(),
                    start: i + 1,
                    quoted: true,
                });
            }
            i += end + 2;
            continue;
        }
        // 'Add to Stock': a single quote opening a word, closed by one that ends a word, quotes
        // a value (an apostrophe inside a word, "don't", "users'", opens nothing).
        if c == b'\''
            && text[..i]
                .chars()
                .next_back()
                .is_none_or(|p| p.is_whitespace() || matches!(p, '(' | '['))
            && let Some(end) = single_quote_end(&text[i + 1..])
        {
            let inner = &text[i + 1..i + 1 + end];
            out.push(Token {
                text: inner.to_string(),
                start: i + 1,
                quoted: true,
            });
            i += end + 2;
            continue;
        }
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let end = text[i..]
            .find(|ch: char| ch.is_whitespace() || ch == '`' || ch == '"')
            .map_or(text.len(), |e| i + e);
        let word = &text[i..end];
        let trimmed_start = word.len() - word.trim_start_matches(['(', '[', '\'']).len();
        let trimmed = word
            .trim_start_matches(['(', '[', '\''])
            .trim_end_matches(['.', ',', ';', ':', '!', '?', ')', ']', '\'']);
        if !trimmed.is_empty() {
            out.push(Token {
                text: trimmed.to_string(),
                start: i + trimmed_start,
                quoted: false,
            });
        }
        // A word ends at whitespace; at a whitespace character that is not ASCII (a thin
        // space, a no-break space) there is no word, and the next index is past the whole
        // character, never inside it.
        i = if end > i {
            end
        } else {
            i + text[i..].chars().next().map_or(1, char::len_utf8)
        };
    }
    out
}

/// Where a single-quoted value that `rest` follows ends: the first `'` that ends a word (the
/// end, whitespace or punctuation after it), when what it closes is a value on one line that
/// neither starts nor ends with a space.
fn single_quote_end(rest: &str) -> Option<usize> {
    let end = rest.char_indices().find_map(|(at, c)| {
        (c == '\''
            && rest[at + 1..].chars().next().is_none_or(|n| {
                n.is_whitespace() || matches!(n, '.' | ',' | ';' | ':' | '!' | '?' | ')' | ']')
            }))
        .then_some(at)
    })?;
    let inner = &rest[..end];
    let valued =
        !inner.is_empty() && inner.len() <= 120 && !inner.contains('\n') && inner.trim() == inner;
    valued.then_some(end)
}

/// How a file was deleted: by a version-control command or a patch (`git rm`, an
/// `apply_patch` "Delete File"), or by a plain `rm` that the session then committed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deletion {
    /// `git rm` (not `git rm --cached`, which keeps the file).
    GitRm,
    /// An `apply_patch` patch's `*** Delete File:` section.
    Patch,
    /// A plain `rm` that a `git commit` later in the session made permanent.
    RmThenCommit,
    /// A plain `rm` of what a person asked, earlier in the session, to be deleted.
    Requested,
}

/// The substitution a file move makes in items that name the file: the moved part of its path
/// (what is left after the folders both paths share), with one shared folder kept when only the
/// name changed away from the project's root, so that a bare `README.md` of another folder is
/// not taken for it. `from_at_root`: see [`at_project_root`].
pub(crate) fn from_move(
    from: &str,
    to: &str,
    from_at_root: bool,
    cue: String,
) -> Option<Substitution> {
    let (a, b) = (components(from), components(to));
    let shared = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let (mut old, mut new) = (
        a[shared.min(a.len())..].to_vec(),
        b[shared.min(b.len())..].to_vec(),
    );
    if old.is_empty() || new.is_empty() {
        return None;
    }
    if old.len() == 1 && !from_at_root && shared > 0 {
        old.insert(0, a[shared - 1]);
        new.insert(0, b[shared - 1]);
    }
    if !names_a_file(&old) || !names_a_file(&new) {
        return None;
    }
    Some(Substitution {
        old: Some(old.join("/")),
        new: new.join("/"),
        cue,
        subject: Vec::new(),
        file: None,
        line_words_needed: 0,
        object: Vec::new(),
        object_min: 2,
        object_opens: false,
        subject_text: String::new(),
        list: None,
        companions: Vec::new(),
    })
}

/// The language a build manifest or lockfile belongs to (`Cargo.toml` → Rust, `uv.lock` →
/// Python, `package.json` → JavaScript), by its file name.
pub(crate) fn ecosystem_of(path: &str) -> Option<&'static str> {
    let name = components(path).last().copied()?;
    let language = match name {
        "Cargo.toml" | "Cargo.lock" => "Rust",
        "pyproject.toml" | "uv.lock" | "poetry.lock" | "setup.py" | "setup.cfg" | "Pipfile"
        | "Pipfile.lock" | "requirements.txt" => "Python",
        "package.json" | "package-lock.json" | "yarn.lock" | "pnpm-lock.yaml" | "bun.lockb"
        | "bun.lock" | "deno.json" => "JavaScript",
        "go.mod" | "go.sum" => "Go",
        "pom.xml" | "build.gradle" | "build.gradle.kts" => "Java",
        "Gemfile" | "Gemfile.lock" => "Ruby",
        "composer.json" | "composer.lock" => "PHP",
        "mix.exs" | "mix.lock" => "Elixir",
        "Package.swift" => "Swift",
        "build.zig" => "Zig",
        _ => return None,
    };
    Some(language)
}

/// The folder a path is in, as its components (empty for a bare file name).
pub(crate) fn folder_of(path: &str) -> Vec<&str> {
    let mut parts = components(path);
    parts.pop();
    parts
}

/// A path's components, without `.` and empty ones.
fn components(path: &str) -> Vec<&str> {
    path.split(['/', '\\'])
        .filter(|c| !c.is_empty() && *c != ".")
        .collect()
}

/// Whether a path's components say which file they are on their own: two or more components,
/// or a file name with an extension (`uv.lock`, `release.yml`; not `tests` or `.coverage`).
fn names_a_file(components: &[&str]) -> bool {
    match components {
        [] => false,
        [name] => name.rsplit_once('.').is_some_and(|(stem, ext)| {
            !stem.is_empty() && !ext.is_empty() && ext.chars().all(|c| c.is_ascii_alphanumeric())
        }),
        _ => true,
    }
}

/// Whether two paths can be the same file: one's components end the other's (a path relative
/// to the working folder against an absolute one), and the shorter names a file on its own.
pub(crate) fn same_file(a: &str, b: &str) -> bool {
    let (a, b) = (components(a), components(b));
    let (short, long) = if a.len() <= b.len() {
        (&a, &b)
    } else {
        (&b, &a)
    };
    names_a_file(short) && long.ends_with(short)
}

/// Whether a deleted file sits at the root of the project the session worked on, so that its
/// bare name (`pyproject.toml`) in a fact means it: a relative path without folders (the
/// working folder's own file), or an absolute one whose folder holds most of the absolute
/// paths the session's tools worked on (`touched`: file paths and working folders). A bare
/// `README.md` deleted from one plugin's folder is not the one a fact means.
pub(crate) fn at_project_root(deleted: &str, touched: &[&str]) -> bool {
    let parts = components(deleted);
    if !deleted.starts_with('/') {
        return parts.len() == 1;
    }
    let Some((_, folder)) = parts.split_last() else {
        return false;
    };
    let under = touched
        .iter()
        .filter(|path| components(path).starts_with(folder))
        .count();
    under * 2 > touched.len()
}

/// The path in `item` that names the file `deleted`, if one does: a token of the item (quotes,
/// brackets and sentence punctuation trimmed) that is the same file by [`same_file`]. A bare
/// file name counts only when `bare_name_counts` (see [`at_project_root`]).
pub(crate) fn names_deleted_file<'a>(
    item: &'a str,
    deleted: &str,
    bare_name_counts: bool,
) -> Option<&'a str> {
    item.split_whitespace()
        .map(trim_value)
        .filter(|token| token.contains('.') || token.contains('/'))
        .filter(|token| bare_name_counts || components(token).len() > 1)
        .find(|token| same_file(token, deleted))
}

/// The word of an item that names a deleted folder written as one (`directory-platforms/`,
/// `apps/legacy/`): a trailing `/`, and its folders ending the deleted path's. A bare word
/// without the slash is too often an ordinary word ("the legacy code").
pub(crate) fn names_deleted_folder<'a>(item: &'a str, deleted: &str) -> Option<&'a str> {
    let deleted = components(deleted);
    if deleted.is_empty() {
        return None;
    }
    item.split_whitespace()
        .map(trim_value)
        .filter(|token| token.ends_with('/') && token.len() > 1)
        .find(|token| {
            let named = components(token);
            let (short, long) = if named.len() <= deleted.len() {
                (&named, &deleted)
            } else {
                (&deleted, &named)
            };
            !short.is_empty() && long.ends_with(short)
        })
}

/// A line that sets one scalar value: `"key": value` (JSON), `key: value` (YAML), `key = value`
/// (TOML, INI, dotenv). The key is an identifier of three characters or more; the value is not
/// an opening brace or bracket (that is a section, not a value). Comments are not settings.
fn setting_line(line: &str) -> Option<(&str, &str)> {
    let line = line.trim().trim_end_matches(',');
    if line.starts_with('#') || line.starts_with("//") {
        return None;
    }
    let at = line.find([':', '='])?;
    let key = line[..at].trim().trim_matches('"').trim_matches('\'');
    let value = line[at + 1..].trim().trim_start_matches('=').trim();
    let key_ok = key.len() >= 3
        && key.chars().any(char::is_alphabetic)
        && key
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'));
    let value_ok =
        !value.is_empty() && value.len() <= 80 && !value.starts_with(['{', '[', '|', '>', '(']);
    (key_ok && value_ok).then(|| (key, value.trim_matches('"').trim_matches('\'')))
}

/// The settings an edit removes: lines of the old text that set a key (see `setting_line`)
/// when the new text no longer mentions the key at all. A key set to another value is a swap
/// ([`from_edited_lines`]), not a removal.
pub(crate) fn removed_settings(old: &str, new: &str) -> Vec<(String, String)> {
    let mut removed: Vec<(String, String)> = Vec::new();
    for (key, value) in old.lines().filter_map(setting_line) {
        let mentioned = new.lines().any(|line| holds_value(line, key));
        if !mentioned && !value.is_empty() && !removed.iter().any(|(k, _)| k == key) {
            removed.push((key.to_string(), value.to_string()));
        }
    }
    removed
}

/// Whether an item states a removed setting as its file's: it names the file (a path ending
/// like it, or its bare name), the key and the value the setting had. Returns the file name as
/// the item wrote it.
pub(crate) fn states_removed_setting<'a>(
    item: &'a str,
    file: &str,
    key: &str,
    value: &str,
) -> Option<&'a str> {
    if !holds_value(item, key) || !holds_value(item, value) {
        return None;
    }
    names_deleted_file(item, file, true)
}

/// Module and import paths in text: tokens that open with a domain (`entire.io/cli/cmd/entire`,
/// `github.com/acme/api/internal/db`) — a first component of lowercase labels joined by dots
/// whose last label is a word of two letters or more, then at least one more component. File
/// paths (`src/main.rs`, `/usr/bin`), versions and file names (`main.go/…` never occurs) do not
/// open like that. Trailing dots and slashes are not part of a path.
pub(crate) fn module_paths(text: &str) -> impl Iterator<Item = &str> {
    let path_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '/');
    let mut rest = text;
    std::iter::from_fn(move || {
        loop {
            let slash = rest.find('/')?;
            // The character before the token may be several bytes long (a quote, an arrow).
            let start = rest[..slash]
                .char_indices()
                .rev()
                .find(|&(_, c)| !path_char(c))
                .map_or(0, |(at, c)| at + c.len_utf8());
            let end = rest[slash..]
                .find(|c: char| !path_char(c))
                .map_or(rest.len(), |at| slash + at);
            let token = rest[start..end].trim_end_matches(['.', '/']);
            rest = &rest[end..];
            if is_module_path(token) {
                return Some(token);
            }
        }
    })
}

/// Whether a token is a module path (see [`module_paths`]).
pub(crate) fn is_module_path(token: &str) -> bool {
    let Some((head, tail)) = token.split_once('/') else {
        return false;
    };
    let labels: Vec<&str> = head.split('.').collect();
    let last = labels.last().copied().unwrap_or_default();
    labels.len() >= 2
        && labels.iter().all(|label| {
            !label.is_empty()
                && label
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        })
        && last.len() >= 2
        && last.chars().all(|c| c.is_ascii_lowercase())
        && !tail.is_empty()
        && !tail.starts_with('/')
}

/// A weekday keeps the number the item gave it: "every Thursday" → "every Monday" and
/// "on Mondays" → "on Thursdays", whichever the announcement said ("Design review moved to
/// Mondays" must not make "every Mondays").
fn in_the_items_number(new: &str, old: &str, set: &str) -> String {
    if set != "weekday" {
        return new.to_string();
    }
    let plural = |word: &str| word.len() > 4 && word.ends_with(['s', 'S']);
    match (plural(old), plural(new)) {
        (true, false) => format!("{new}s"),
        (false, true) => new[..new.len() - 1].to_string(),
        _ => new.to_string(),
    }
}

#[cfg(test)]
mod tests {
    /// A named tool prohibited as an instruction of its own retires the items that use it; a
    /// scoped prohibition, one ending in "anymore" (an end, not a prohibition) and a statement
    /// about the tool do not count as such.
    #[test]
    fn a_prohibited_tool_contradicts_the_items_that_use_it() {
        use super::{retirements, retires};
        let said = retirements(
            "You should NEVER use the agent-intercom-ctl tool; that is for local operator use only.",
        );
        assert_eq!(said.len(), 1, "{said:?}");
        assert!(said[0].prohibited);
        assert_eq!(said[0].name.as_deref(), Some("agent-intercom-ctl"));
        let uses =
            "Agents report their progress to the operator by running the agent-intercom-ctl CLI.";
        assert_eq!(
            retires(&said[0], uses, true).as_deref(),
            Some("uses agent-intercom-ctl")
        );
        let about = "agent-intercom-ctl is the operator's own CLI.";
        assert_eq!(retires(&said[0], about, true), None);
        assert!(retirements("Never use npm-cli for publishing packages.").is_empty());
        // A pronoun or a function word before "anymore" names nothing.
        assert!(retirements("We don't use it anymore.").is_empty());
        assert!(retirements("We don't need that anymore.").is_empty());
        let ended = retirements("Don't use Moment anymore.");
        assert!(ended.iter().all(|r| !r.prohibited), "{ended:?}");
    }

    #[test]
    fn names_a_sentence_of_its_own_turns_down() {
        let cases: &[(&str, Option<&str>)] = &[
            ("I don't want monaco editor.", Some("monaco")),
            ("We don't want Redux.", Some("Redux")),
            ("No Docker.", Some("Docker")),
            ("no.  no docker.", None),
            ("ok, no yarn!", Some("yarn")),
            ("I don't want the tests to run.", None),
            ("No problem.", None),
            ("I don't want it.", None),
            ("No database.", None),
            ("We don't want Redux in the settings page.", None),
        ];
        for (sentence, name) in cases {
            assert_eq!(rejected_name(sentence).as_deref(), *name, "{sentence}");
        }
    }

    /// A folder a person asked to delete is named in an item only where the item writes it as
    /// a folder (a trailing `/`), by its name or a path ending in it.
    #[test]
    fn a_deleted_folder_is_named_only_as_a_folder() {
        use super::names_deleted_folder;
        let item =
            "The workspace also holds the prototypes directory-platforms/ and rank-tracking/.";
        assert_eq!(
            names_deleted_folder(item, "directory-platforms"),
            Some("directory-platforms/")
        );
        assert_eq!(
            names_deleted_folder(item, "/home/a/ws/rank-tracking"),
            Some("rank-tracking/")
        );
        assert_eq!(
            names_deleted_folder("Old code lives in apps/legacy/ for now.", "legacy"),
            Some("apps/legacy/")
        );
        assert_eq!(
            names_deleted_folder("Keep the legacy code tested.", "legacy"),
            None
        );
        assert_eq!(
            names_deleted_folder("Docs are in docs/legacy/.", "other/legacy-x"),
            None
        );
    }

    use super::*;

    /// The item as the first of a sentence's substitutions that applies leaves it, if one does.
    fn update(said: &str, item: &str) -> Option<String> {
        from_sentence(said)
            .iter()
            .find_map(|sub| apply(sub, item))
            .map(|(text, _)| text)
    }

    #[test]
    fn module_paths_open_with_a_domain() {
        let cases: &[(&str, &[&str])] = &[
            (
                "ok  \tgithub.com/entireio/cli/cmd/entire\t0.3s",
                &["github.com/entireio/cli/cmd/entire"],
            ),
            (
                "import \u{201c}entire.io/cli/paths\u{201d} → golang.org/x/sync/errgroup.",
                &["entire.io/cli/paths", "golang.org/x/sync/errgroup"],
            ),
            ("src/main.rs /usr/bin/env ./tests/runtests.py v1.2/x", &[]),
            (
                "README.md/x Example.com/path github.com/ github.com//x",
                &[],
            ),
            ("see https://docs.rs/serde/latest for more", &[]),
        ];
        for (text, expected) in cases {
            let found: Vec<&str> = module_paths(text).collect();
            assert_eq!(found, *expected, "{text}");
        }
    }

    /// A single quote opens a value only at the start of a word and closes it at the end of
    /// one: apostrophes inside words ("don't", "users'") quote nothing.
    #[test]
    fn single_quotes_quote_a_value_and_apostrophes_do_not() {
        let quoted = |text: &str| -> Vec<String> {
            value_tokens(text)
                .into_iter()
                .filter(|t| t.quoted)
                .map(|t| t.text)
                .collect()
        };
        assert_eq!(
            quoted("Don't rename 'Add to Stock' in the users' files."),
            ["Add to Stock"]
        );
        assert_eq!(quoted("It's the 'Review' button, isn't it?"), ["Review"]);
        assert!(quoted("The users' files and the admins' files.").is_empty());
        assert!(quoted("'open but never closed").is_empty());
    }

    /// Docker Compose and pnpm put thin and no-break spaces in their output; a real Claude
    /// Code session that quoted such a line panicked here (a byte index inside a character).
    #[test]
    fn value_tokens_step_over_whitespace_that_is_not_ascii() {
        let line =
            "api-1  |\u{2009} ERR_PNPM_RECURSIVE_RUN_FIRST_FAIL\u{a0}api@0.0.1 dev: `next dev`";
        let words: Vec<String> = value_tokens(line).into_iter().map(|t| t.text).collect();
        assert_eq!(
            words,
            [
                "api-1",
                "|",
                "ERR_PNPM_RECURSIVE_RUN_FIRST_FAIL",
                "api@0.0.1",
                "dev",
                "next dev"
            ]
        );
    }

    /// Announcements worded without an explicit old value or with phrases, and look-alikes that
    /// must leave the item alone: `(item, announcement, the item afterwards or None)`.
    #[test]
    fn announced_changes_in_other_words() {
        let cases: &[(&str, &str, Option<&str>)] = &[
            // A list changed as a whole, in brackets: the item's list of every old element, in
            // order, takes the new elements, joined the way the item joined its own.
            (
                "Ticket priorities are Low, Normal, High and Urgent.",
                "Please change the priorities from [Low, Normal, High, Urgent] to [P3, P2, P1, P0].",
                Some("Ticket priorities are P3, P2, P1 and P0."),
            ),
            (
                "The release checklist runs lint, test, package.",
                "We changed the checklist [lint, test, package] to [lint, test, audit, package].",
                Some("The release checklist runs lint, test, audit, package."),
            ),
            // Part of the old list is not the list.
            (
                "Urgent and High tickets page the on-call engineer.",
                "Please change the priorities from [Low, Normal, High, Urgent] to [P3, P2, P1, P0].",
                None,
            ),
            // Brackets with no change announced are no list change.
            (
                "Ticket priorities are Low, Normal, High and Urgent.",
                "The old priorities [Low, Normal, High, Urgent] to [P3, P2, P1, P0] mapping is in the wiki.",
                None,
            ),
            // "from … to" after a change verb names what changed ("the OS"): an item holding
            // the old name as a plain word names that thing too, or uses the name as a tool.
            // A capitalised function word after a forgotten full stop is no part of a name.
            (
                "The login screen shows the stock Acme logo.",
                "I would like to switch the OS from Acme to NixOS But if I go back I want a backup.",
                None,
            ),
            (
                "Use Jenkins for nightly builds.",
                "We switched CI from Jenkins to GitHub Actions.",
                Some("Use GitHub Actions for nightly builds."),
            ),
            // A closing "instead" after a thing done with a named tool swaps the tool of the
            // items about that thing, and only that thing.
            (
                "The marketing site is built with Gatsby.",
                "Let's do the marketing site in Astro instead.",
                Some("The marketing site is built with Astro."),
            ),
            (
                "The marketing site is built with Gatsby.",
                "Let's do the docs site in Astro instead.",
                None,
            ),
            // "off … to" after a change verb is "from … to"; a correction says ", not" is news
            // the way "now" does.
            (
                "Invoices are rendered on Lambda.",
                "We moved invoice rendering off Lambda to Cloud Run in May.",
                Some("Invoices are rendered on Cloud Run."),
            ),
            (
                "Invoices are rendered on Lambda.",
                "We switched off Lambda alerts to cut the noise.",
                None,
            ),
            (
                "The reporting replica runs MySQL 5.7.",
                "Correction: the reporting replica runs MySQL 8.0, not 5.7.",
                Some("The reporting replica runs MySQL 8.0."),
            ),
            (
                "The reporting replica runs MySQL 5.7.",
                "The reporting replica runs MySQL 8.0, not 5.7.",
                None,
            ),
            // A version right after a name is the name's.
            (
                "The summariser calls gemini-2.0-flash.",
                "Update the model endpoint from gemini-2.0-flash to Gemini 3.",
                Some("The summariser calls Gemini 3."),
            ),
            (
                "We run the API tests with Python 3.11.",
                "We moved the API tests from Python 3.11 to Python 3.12 and nothing broke.",
                Some("We run the API tests with Python 3.12."),
            ),
            // A quoted label for a quoted label, after a change verb earlier in the sentence.
            (
                "The checkout button is labelled 'Buy now'.",
                "On the cart page, change the button that reads 'Buy now' to 'Place order'.",
                Some("The checkout button is labelled 'Place order'."),
            ),
            (
                "The submit button on pending claims says 'Review'.",
                "Could you amend the button that says 'Review' to 'Add to Stock' on pending claims.",
                Some("The submit button on pending claims says 'Add to Stock'."),
            ),
            // The same word unquoted, about something else, is not the label.
            (
                "Review pull requests before merging.",
                "Change the button that says 'Review' to 'Approve'.",
                None,
            ),
            (
                "The staging API base URL is https://api-staging.example.com.",
                "Heads up, the staging API moved to https://api-stg2.example.com last week.",
                Some("The staging API base URL is https://api-stg2.example.com."),
            ),
            (
                "Python 3.10 is the runtime for the worker.",
                "We upgraded the worker runtime to Python 3.12.",
                Some("Python 3.12 is the runtime for the worker."),
            ),
            // The whole project moved to a product's new version: every item naming the
            // product has it; a part named is what moved, and only items naming it change.
            (
                "The service is compiled with Go 1.21.",
                "We bumped the toolchain to Go 1.23 last sprint.",
                Some("The service is compiled with Go 1.23."),
            ),
            (
                "The billing service runs on Python 3.11.",
                "We upgraded the codebase to Python 3.12.",
                Some("The billing service runs on Python 3.12."),
            ),
            (
                "Staging runs Python 3.11.",
                "We moved the billing service to Python 3.12.",
                None,
            ),
            // The subject ends at its verb, a verb with its particle too ("go out"): the item
            // need not say "go".
            (
                "Invoices are sent from billing@acme-corp.example.",
                "From now on invoices go out from accounts@acme-corp.example.",
                Some("Invoices are sent from accounts@acme-corp.example."),
            ),
            (
                "Invoices are sent from billing@acme-corp.example.",
                "Invoices go out from accounts@acme-corp.example now.",
                Some("Invoices are sent from accounts@acme-corp.example."),
            ),
            (
                "Refunds are sent from billing@acme-corp.example.",
                "From now on invoices go out from accounts@acme-corp.example.",
                None,
            ),
            (
                "Invoices are approved by the finance lead.",
                "Going forward invoices are approved by the CFO instead of the finance lead.",
                Some("Invoices are approved by the CFO."),
            ),
            // "Instead" before what is done now: a product's new version, a value of a family.
            (
                "Use Python 3.9 for the scripts.",
                "Let's instead use Python 3.11 for the scripts.",
                Some("Use Python 3.11 for the scripts."),
            ),
            (
                "Pin the compiler to C11.",
                "Let's instead target C17.",
                Some("Pin the compiler to C17."),
            ),
            (
                "Use Node 18 for the API.",
                "Let's instead use Python 3.11 for the scripts.",
                None,
            ),
            (
                "Releases are cut from the release-2025 branch.",
                "From now on we cut releases from the release-2026 branch instead.",
                Some("Releases are cut from the release-2026 branch."),
            ),
            // Look-alikes.
            (
                "The us-prod gateway host is s3gw-22.internal.",
                "The canary gateway host moved to s3gw-9.internal.",
                None,
            ),
            (
                "Python 3.10 is the runtime for the worker.",
                "We upgraded the docs site to Node 20.",
                None,
            ),
            (
                "Invoices are approved by the finance lead.",
                "Travel approvals go to the CFO instead of the finance lead for trips abroad.",
                None,
            ),
            (
                "Releases are cut from the release-2025 branch.",
                "We cut hotfixes from the hotfix-12 branch instead.",
                None,
            ),
            (
                "The nightly export goes to the legacy-exports bucket.",
                "Point the nightly export at the exports-v2 bucket instead of legacy-exports.",
                Some("The nightly export goes to the exports-v2 bucket."),
            ),
            (
                "Support tickets are triaged by the night shift.",
                "Support tickets are triaged by the day team instead of the night shift now.",
                Some("Support tickets are triaged by the day team."),
            ),
            // The new name after a determiner ("to our own Ghost site"); a determiner before
            // no name names nothing.
            (
                "The blog is published on Medium.",
                "The blog moved off Medium to our own Ghost site.",
                Some("The blog is published on Ghost."),
            ),
            (
                "The blog is published on Medium.",
                "The blog moved off Medium to the new cluster.",
                None,
            ),
            // The name an item gives the thing ("The design system is Material UI") is the one
            // a move of that thing replaces.
            (
                "The design system is Material UI.",
                "We've migrated the design system to Chakra UI.",
                Some("The design system is Chakra UI."),
            ),
            (
                "The admin panel is Material UI.",
                "We've migrated the design system to Chakra UI.",
                None,
            ),
            // "… now, not …": the name before "now", all its words, for the one after "not".
            (
                "Contracts are stored in SharePoint.",
                "Contracts live in Google Drive now, not SharePoint.",
                Some("Contracts are stored in Google Drive."),
            ),
            // "from 10 MB to 50 MB": an amount and its unit are one value.
            (
                "The max upload size is 10 MB.",
                "Max upload size was raised from 10 MB to 50 MB.",
                Some("The max upload size is 50 MB."),
            ),
            // "Update X to include …": what the change is for, not a new value.
            (
                "Before planning, always read .agent/README.md to get context.",
                "Update .agent/README.md to include an index of all documentation files.",
                None,
            ),
        ];
        for (item, announcement, expected) in cases {
            let updated = from_sentence(announcement)
                .iter()
                .find_map(|sub| apply(sub, item))
                .map(|(text, _)| text);
            assert_eq!(
                updated.as_deref(),
                *expected,
                "{announcement:?} on {item:?}"
            );
        }
    }

    /// A retired tool's item takes the one tool said after it as its replacement, nothing
    /// else.
    #[test]
    fn a_retired_tool_is_replaced_by_the_tool_said_in_its_place() {
        let cases: &[(&str, &str, Option<&str>)] = &[
            (
                "Use Yarn to install packages.",
                "We stopped using Yarn; it's npm everywhere now.",
                Some("Use npm to install packages."),
            ),
            (
                "Run the tests with jest.",
                "We're dropping jest; we use vitest instead.",
                Some("Run the tests with vitest."),
            ),
            // Named for another reason, not as the replacement.
            (
                "Run the tests with jest.",
                "We're dropping jest, it broke with npm workspaces.",
                None,
            ),
            // Two candidates: nothing says which.
            (
                "Use Yarn to install packages.",
                "We stopped using Yarn; we use npm and pnpm now.",
                None,
            ),
            // The item names the tool without using it.
            (
                "Yarn 1 is vendored in tools/.",
                "We stopped using Yarn; it's npm everywhere now.",
                None,
            ),
        ];
        for (item, said, expected) in cases {
            let retired = retirements(said);
            assert_eq!(
                with_successor_tool(&retired[0], item, said)
                    .map(|(text, _)| text)
                    .as_deref(),
                *expected,
                "{said}"
            );
        }
    }

    #[test]
    fn a_retired_tool_ends_facts_and_plain_instructions_naming_it() {
        let retired = |sentence: &str, item: &str, is_fact: bool| {
            retirements(sentence)
                .iter()
                .any(|r| retires(r, item, is_fact).is_some())
        };
        // A negated clause closed by "anymore" that names what did it: a practice that ended,
        // for the items that say all of it.
        let refunds = "Customer refunds are processed by Stripe.";
        assert!(retired(
            "Refunds aren't processed by Stripe anymore; Adyen handles them now.",
            refunds,
            true
        ));
        for other in [
            "Refund disputes aren't handled by Stripe anymore.",
            "Refunds aren't slow anymore.",
        ] {
            assert!(!retired(other, refunds, true), "{other}");
        }
        // When it happened does not make the retirement partial.
        assert!(retired(
            "We migrated off Heroku last month.",
            "We deploy the web app with Heroku.",
            true
        ));
        assert!(retired(
            "We stopped using Jenkins a few weeks ago.",
            "Nightly builds run on Jenkins.",
            true
        ));
        // A migration under way counts like a done one.
        assert!(retired(
            "We're moving off Firebase entirely.",
            "Use Firebase for push notifications.",
            false
        ));
        // An instruction to use it is stale; a rule against it is not.
        assert!(retired(
            "We no longer use Jenkins.",
            "Use Jenkins for nightly builds.",
            false
        ));
        assert!(!retired(
            "We no longer use Jenkins.",
            "Never store tokens in the Jenkins console.",
            false
        ));
        // A partial retirement retires nothing.
        assert!(!retired(
            "We no longer use Jenkins for deploys.",
            "Use Jenkins for nightly builds.",
            false
        ));
    }

    #[test]
    fn retirements_name_what_is_gone() {
        let names = |sentence: &str| -> Vec<(Option<String>, bool)> {
            retirements(sentence)
                .into_iter()
                .map(|r| (r.name, r.person))
                .collect()
        };
        assert_eq!(
            names("Going forward we're dropping Firebase entirely."),
            vec![(Some("Firebase".into()), false)]
        );
        assert_eq!(
            names("We no longer use Google Analytics at all."),
            vec![(Some("Google Analytics".into()), false)]
        );
        assert_eq!(
            names("Heads up: Marcus Lee has left the company; Ana Ruiz now handles invoices."),
            vec![(Some("Marcus Lee".into()), true)]
        );
        for sentence in [
            "FYI Dana Whitfield no longer works at Acme.",
            "FYI: Dana Whitfield no longer works at Acme.",
            "Quick update, Dana Whitfield has left.",
            "Dana Whitfield has moved on from the company.",
        ] {
            assert_eq!(
                names(sentence),
                vec![(Some("Dana Whitfield".into()), true)],
                "{sentence}"
            );
        }
        // Other ways to say a tool is gone, or someone moved on; a deprecation that is partial
        // or about something unnamed is not one.
        for (sentence, name, person) in [
            ("We've sunset the Jenkins pipeline.", "Jenkins", false),
            ("We're not supposed to use cuFFT anymore.", "cuFFT", false),
            ("We can't use Heroku anymore.", "Heroku", false),
            // A bare lower-case word right before "anymore".
            ("we're not supposed to use lodash anymore", "lodash", false),
            // A lower-case identifier, its head noun left out.
            (
                "We retired the legacy-billing service.",
                "legacy-billing",
                false,
            ),
            ("Heroku is no longer in use.", "Heroku", false),
            // A version that lost its support goes with its name: Node 20 stays.
            (
                "Node 18 is no longer supported; use Node 20.",
                "Node 18",
                false,
            ),
            ("Python 3.8 is end-of-life.", "Python 3.8", false),
            ("We stopped using Sentry last sprint.", "Sentry", false),
            ("We no longer use yarn.", "yarn", false),
            // The whole project is where it ends, not a part of it.
            (
                "We no longer use Travis CI for this repo.",
                "Travis CI",
                false,
            ),
            ("We stopped using Docker in our codebase.", "Docker", false),
            ("Priya Raman moved to another team.", "Priya Raman", true),
            // Any team, group or department named.
            (
                "Marcus Lee moved to the platform team; Jun Park owns the rotation.",
                "Marcus Lee",
                true,
            ),
            (
                "Heads up, Hannah Cole joined the finance department.",
                "Hannah Cole",
                true,
            ),
            ("We shouldn't use cuFFT anymore.", "cuFFT", false),
            // Whoever says they stopped using it.
            (
                "Switch to pnpm, we're not using yarn anymore.",
                "yarn",
                false,
            ),
            (
                "Don't use Moment.js any more, it is unmaintained.",
                "Moment.js",
                false,
            ),
        ] {
            assert_eq!(
                names(sentence),
                vec![(Some(name.to_string()), person)],
                "{sentence}"
            );
        }
        for sentence in [
            // Without "anymore" a prohibition is a rule, not the end of a use.
            "Don't use cuFFT for small transforms.",
            "The parser shouldn't use regex anymore.",
            "It is no longer in use.",
            "The old plugin is deprecated.",
        ] {
            assert!(
                names(sentence).is_empty(),
                "{sentence}: {:?}",
                names(sentence)
            );
        }
        // Gone for one purpose: only the items about the tool and that purpose.
        for sentence in [
            "Sentry is deprecated for new services.",
            "Capistrano is no longer used for deploys; we ship with Kamal.",
        ] {
            let scoped = retirements(sentence);
            assert_eq!(scoped.len(), 1, "{sentence}: {scoped:?}");
            assert!(!scoped[0].practice.is_empty(), "{sentence}: {scoped:?}");
        }
        let sentry = &retirements("Sentry is deprecated for new services.")[0];
        assert!(retires(sentry, "New services report errors to Sentry.", true).is_some());
        assert!(retires(sentry, "Errors are reported to Sentry.", true).is_none());
        let capistrano = &retirements("Capistrano is no longer used for deploys.")[0];
        assert!(retires(capistrano, "We deploy with Capistrano.", true).is_some());
        // Someone else's change, a name used as a modifier: nothing.
        assert!(names("The billing service no longer uses Redis.").is_empty());
        assert!(names("We dropped Postgres connections twice last night.").is_empty());
        assert_eq!(
            names("We're dropping Firebase in favour of OneSignal."),
            vec![(Some("Firebase".into()), false)]
        );
        // A practice of a named subject keeps the subject's words.
        let job = retirements("The nightly job no longer runs on Sundays.");
        assert!(retires(&job[0], "The nightly job runs on Sundays at 2am.", true).is_some());
        assert!(retires(&job[0], "The backup job runs on Sundays.", true).is_none());
        // A partial retirement, a lowercase word, and nobody named: nothing.
        assert!(names("We're dropping Redis from the login path.").is_empty());
        assert!(names("We no longer use Google Analytics on the marketing site.").is_empty());
        assert!(names("I dropped the table by accident.").is_empty());
        assert!(names("Everyone has left for the day.").is_empty());
        // Joining a call or a table is no move to another team.
        assert!(names("Hannah Cole joined the call late.").is_empty());
        assert!(names("Ana Ruiz joined the team standup late.").is_empty());
        assert!(names("Marcus Lee moved to the table by the window.").is_empty());
        let practice = retirements("We no longer deploy on Fridays.");
        assert_eq!(practice.len(), 1);
        assert!(retires(&practice[0], "Deploys go out on Fridays at noon.", true).is_some());
        assert!(retires(&practice[0], "Never deploy on Fridays.", false).is_none());
        assert!(retires(&practice[0], "Deploys go out on Tuesdays.", true).is_none());
    }

    #[test]
    fn a_retired_name_ends_facts_and_a_departed_person_instructions_too() {
        let tool = &retirements("We're dropping Firebase entirely.")[0];
        assert!(retires(tool, "Push notifications are sent through Firebase.", true).is_some());
        assert!(retires(tool, "Never put secrets in Firebase config.", false).is_none());
        assert!(retires(tool, "Notifications go through FirebaseX.", true).is_none());
        let person = &retirements("Dana Whitfield has left the company.")[0];
        assert!(
            retires(
                person,
                "Ask Dana Whitfield before changing invoices.",
                false
            )
            .is_some()
        );
        assert!(retires(person, "Dana Whitfieldson owns the wiki.", true).is_none());
        // A bare "left" ends its clause, or is followed by a time, when someone left for good.
        for sentence in [
            "Priya Raman handles billing now; Dana Whitfield left.",
            "Dana Whitfield left last month.",
        ] {
            let said = retirements(sentence);
            assert!(
                said.iter()
                    .any(|r| r.person && r.name.as_deref() == Some("Dana Whitfield")),
                "{sentence}: {said:?}"
            );
        }
        for sentence in [
            "Dana Whitfield left early today to catch a train.",
            "The button on the left is broken.",
            "Dana left.",
        ] {
            assert!(retirements(sentence).is_empty(), "{sentence}");
        }
    }

    /// Changes people announce in everyday words: a tool replaced in the active voice, a
    /// switch away from a tool the item uses ("run with", "formatted by"), a version that is
    /// the whole project's, a new tool for what an item names, a new time of day. Each leaves
    /// alone what it does not name: a practice for the same purpose ("transactions" is no
    /// tool), a place an item deploys to, another part of the project.
    #[test]
    fn everyday_announcements_update_what_they_name() {
        // (announcement, item, the item after, or None when it must stay)
        let cases: &[(&str, &str, Option<&str>)] = &[
            (
                "We replaced black with ruff.",
                "Use black for formatting.",
                Some("Use ruff for formatting."),
            ),
            (
                "We swapped black for ruff.",
                "Code is formatted by black.",
                Some("Code is formatted by ruff."),
            ),
            (
                "We switched from jest to vitest.",
                "Tests run with jest.",
                Some("Tests run with vitest."),
            ),
            (
                "We're on PostgreSQL 16 now.",
                "The database is PostgreSQL 14.",
                Some("The database is PostgreSQL 16."),
            ),
            // A thing the team switched to a plain word, as a rename.
            (
                "We switched the default branch to trunk.",
                "The default branch is main.",
                Some("The default branch is trunk."),
            ),
            (
                "We changed the button to blue.",
                "The button is green.",
                Some("The button is blue."),
            ),
            (
                "We switched the logs to JSON.",
                "The logs are plain text.",
                None,
            ),
            // The product as the subject, its bare version after "is".
            (
                "Our Postgres is 16 now.",
                "We run Postgres 14.",
                Some("We run Postgres 16."),
            ),
            (
                "Node is at 22 now.",
                "The app runs on Node 18.",
                Some("The app runs on Node 22."),
            ),
            ("Our Node version is 22 now.", "CI runs Python 3.10.", None),
            (
                "The Node worker is 22 now.",
                "The app runs on Node 18.",
                None,
            ),
            (
                "We use Python 3.12 now.",
                "Staging runs Python 3.10.",
                Some("Staging runs Python 3.12."),
            ),
            (
                "Production is on Python 3.12 now.",
                "Staging runs Python 3.10.",
                None,
            ),
            (
                "Switch to Buildkite for nightly builds.",
                "Use Jenkins for nightly builds.",
                Some("Use Buildkite for nightly builds."),
            ),
            (
                "Switch to Buildkite for releases.",
                "Use Jenkins for nightly builds.",
                None,
            ),
            (
                "Switch to sqitch for migrations.",
                "Use transactions for migrations.",
                None,
            ),
            // A lower-case word no session ran and `[known_tool]` does not list is not known
            // as a tool (see `a_lower_case_tool_is_known_by_the_programs_the_sessions_ran`);
            // a listed one is.
            (
                "Switch to bun for installs.",
                "Use ferry for installs.",
                None,
            ),
            (
                "Switch to bun for installs.",
                "Use pnpm for installs.",
                Some("Use bun for installs."),
            ),
            (
                "We switched from staging to production.",
                "Deploy to staging first.",
                None,
            ),
            (
                "Standup moved to 10:00.",
                "The team standup is at 9:30.",
                Some("The team standup is at 10:00."),
            ),
            (
                "We replaced the black theme with a white one.",
                "Always use black.",
                None,
            ),
            // A rename reaches the item whose value is the old name, though it says "main"
            // already of something else; a role handed over, the items about that role.
            (
                "We renamed master to main.",
                "The main branch is master.",
                Some("The main branch is main."),
            ),
            (
                "Bob took over the billing service from Alice.",
                "Alice owns the billing service.",
                Some("Bob owns the billing service."),
            ),
            (
                "Bob took over the billing service from Alice.",
                "Alice owns the search service.",
                None,
            ),
            (
                "He took over the billing service from Alice.",
                "Alice owns the billing service.",
                None,
            ),
            // The same handover said by its old holder.
            (
                "Dana handed release management over to Luis.",
                "The release manager is Dana.",
                Some("The release manager is Luis."),
            ),
            (
                "Dana handed off the billing service to Luis Ortega.",
                "Dana owns the billing service.",
                Some("Luis Ortega owns the billing service."),
            ),
            (
                "Dana handed off the billing service to Luis.",
                "Dana owns the search service.",
                None,
            ),
            // An instruction naming the tool it replaces, where an item uses that tool.
            (
                "Use date-fns for date handling, not Moment.js.",
                "Use Moment.js for date handling.",
                Some("Use date-fns for date handling."),
            ),
            (
                "Use vitest, not Jest.",
                "Run the tests with Jest.",
                Some("Run the tests with vitest."),
            ),
            (
                "Use date-fns for date handling, not Moment.js.",
                "Moment.js is still in the legacy bundle.",
                None,
            ),
            // What a subject uses from now on, for the item about exactly that subject; said
            // without a change, it is a rule of its own.
            (
                "New endpoints should use GraphQL from now on.",
                "Prefer REST for new endpoints.",
                Some("Prefer GraphQL for new endpoints."),
            ),
            (
                "From now on, new endpoints should use GraphQL.",
                "Use REST for new endpoints.",
                Some("Use GraphQL for new endpoints."),
            ),
            (
                "New endpoints should use GraphQL from now on.",
                "Prefer REST for internal endpoints.",
                None,
            ),
            (
                "New endpoints should use GraphQL.",
                "Prefer REST for new endpoints.",
                None,
            ),
        ];
        for (said, item, after) in cases {
            let subs = from_sentence(said);
            let applied = subs.iter().find_map(|sub| apply(sub, item)).map(|(t, _)| t);
            assert_eq!(applied.as_deref(), *after, "{said} / {item}: {subs:?}");
        }
    }

    #[test]
    fn a_tool_said_as_news_replaces_the_tool_an_item_uses_for_the_same_thing() {
        // (announcement, item, the item after, or None when it must stay)
        let cases: &[(&str, &str, Option<&str>)] = &[
            (
                "Going forward the tests run with vitest.",
                "Run the tests with jest.",
                Some("Run the tests with vitest."),
            ),
            (
                "The tests run with vitest now.",
                "Run the tests with jest.",
                Some("Run the tests with vitest."),
            ),
            (
                "From now on, we lint with biome.",
                "Lint the code with eslint.",
                Some("Lint the code with biome."),
            ),
            (
                "We install packages with pnpm now.",
                "Install packages with npm.",
                Some("Install packages with pnpm."),
            ),
            (
                "Going forward the docs build using `mkdocs`.",
                "The docs build with Sphinx.",
                Some("The docs build with mkdocs."),
            ),
            // A lower-case developer tool after a change verb, as a capitalised one is.
            (
                "We moved Python formatting over to ruff format.",
                "Format Python code with black.",
                Some("Format Python code with ruff."),
            ),
            (
                "Python formatting switched to ruff.",
                "Format Python code with black.",
                Some("Format Python code with ruff."),
            ),
            // Not a tool, not news, negated, or about another thing.
            (
                "Going forward we deploy with care.",
                "Deploy with Heroku.",
                None,
            ),
            (
                "We now run the tests with coverage.",
                "Run the tests with jest.",
                None,
            ),
            (
                "We run the tests with vitest.",
                "Run the tests with jest.",
                None,
            ),
            (
                "We no longer run the tests with jest.",
                "Run the tests with mocha.",
                None,
            ),
            (
                "Now the tests run with vitest.",
                "Run the linter with eslint.",
                None,
            ),
            (
                "We moved the docs to a new folder.",
                "Build the docs with Sphinx.",
                None,
            ),
        ];
        for (said, item, after) in cases {
            let subs = from_sentence(said);
            let applied = subs.iter().find_map(|sub| apply(sub, item)).map(|(t, _)| t);
            assert_eq!(applied.as_deref(), *after, "{said} / {item}: {subs:?}");
        }
    }

    #[test]
    fn a_lower_case_tool_is_known_by_the_programs_the_sessions_ran() {
        let ran: std::collections::BTreeSet<String> =
            ["pnpm", "git"].iter().map(|p| p.to_string()).collect();
        // (announcement, item, the item after, or None when it must stay)
        let cases: &[(&str, &str, Option<&str>)] = &[
            (
                "Switch to bun for installs.",
                "Use pnpm for installs.",
                Some("Use bun for installs."),
            ),
            // A purpose the item does not name, or a word no session ran.
            ("Switch to bun for builds.", "Use pnpm for installs.", None),
            (
                "Switch to sqitch for migrations.",
                "Use transactions for migrations.",
                None,
            ),
        ];
        for (said, item, after) in cases {
            let subs = from_sentence(said);
            let applied = subs
                .iter()
                .find_map(|sub| apply_knowing(sub, item, &ran))
                .map(|(t, _)| t);
            assert_eq!(applied.as_deref(), *after, "{said} / {item}");
        }
    }

    #[test]
    fn upgrading_a_product_to_a_version_keeps_the_product() {
        let subs = from_sentence("We upgraded Postgres to 16.");
        let update = |item: &str| subs.iter().find_map(|sub| apply(sub, item)).map(|(t, _)| t);
        // Before, "Postgres" itself was replaced: "We run 16 14."
        assert_eq!(
            update("We run Postgres 14.").as_deref(),
            Some("We run Postgres 16.")
        );
        // Two versions in the item: which one is meant is not said.
        assert_eq!(update("The app runs Postgres 14 and Redis 6."), None);
        // A name for a name is still a swap; a version of the old name goes with it, and a
        // capitalised name of several words comes whole.
        for (said, item, updated) in [
            (
                "We moved deploys from Helm to Argo CD.",
                "We deploy with Helm 3.",
                "We deploy with Argo CD.",
            ),
            (
                "We replaced Datadog with Grafana Cloud.",
                "Logs go to Datadog.",
                "Logs go to Grafana Cloud.",
            ),
        ] {
            let subs = from_sentence(said);
            let applied = subs.iter().find_map(|sub| apply(sub, item)).map(|(t, _)| t);
            assert_eq!(applied.as_deref(), Some(updated), "{said}");
        }
        let subs = from_sentence("The frontend now uses pnpm instead of yarn.");
        assert_eq!(
            subs.iter()
                .find_map(|sub| apply(sub, "Use yarn for the frontend."))
                .map(|(t, _)| t)
                .as_deref(),
            Some("Use pnpm for the frontend.")
        );
        let subs = from_sentence("We switched Redis to Valkey.");
        assert_eq!(
            subs.iter()
                .find_map(|sub| apply(sub, "Use Redis for caching."))
                .map(|(t, _)| t)
                .as_deref(),
            Some("Use Valkey for caching.")
        );
    }

    #[test]
    fn raising_or_lowering_a_value_updates_it() {
        for (said, item, updated) in [
            (
                "We raised the max upload size to 25 MB.",
                "Max upload size is 10 MB.",
                "Max upload size is 25 MB.",
            ),
            (
                "We reduced the session timeout to 15 minutes.",
                "The session timeout is 30 minutes.",
                "The session timeout is 15 minutes.",
            ),
        ] {
            let subs = from_sentence(said);
            let applied = subs.iter().find_map(|sub| apply(sub, item));
            assert_eq!(
                applied.map(|(text, _)| text).as_deref(),
                Some(updated),
                "{said}"
            );
        }
    }

    #[test]
    fn what_moved_somewhere_else_updates_the_items_that_keep_it_there() {
        for (said, item, updated) in [
            // A numbered name of dashed parts is one name, not a product and its version.
            (
                "Production moved to eu-west-1.",
                "The production cluster runs in us-east-1.",
                "The production cluster runs in eu-west-1.",
            ),
            // A lead-in before a colon is not part of the subject.
            (
                "Heads up: staging moved to db-staging-02 last night.",
                "The staging database lives on db-staging-01.",
                "The staging database lives on db-staging-02.",
            ),
            // A place after "to" or "in", for a verb that moves things.
            (
                "We moved container images to GHCR.",
                "Container images are pushed to Docker Hub.",
                "Container images are pushed to GHCR.",
            ),
            (
                "We migrated tickets to Linear.",
                "Tickets are tracked in Jira.",
                "Tickets are tracked in Linear.",
            ),
            // The subject before "now", the one address, path or host after it.
            (
                "Invoices now come from accounts@example.com.",
                "Invoices are sent from billing@example.com.",
                "Invoices are sent from accounts@example.com.",
            ),
            (
                "The billing export now goes to /data/exports.",
                "The billing export goes to /srv/exports.",
                "The billing export goes to /data/exports.",
            ),
        ] {
            assert_eq!(update(said, item).as_deref(), Some(updated), "{said}");
        }
        for (said, item) in [
            // Another subject moved.
            (
                "Staging moved to eu-west-1.",
                "The production cluster runs in us-east-1.",
            ),
            (
                "We moved the docs to GitHub Pages.",
                "Container images are pushed to Docker Hub.",
            ),
            (
                "Receipts now come from noreply@example.com.",
                "Invoices are sent from billing@example.com.",
            ),
            // A verb that does not move things leaves places alone ("switch the logs to JSON"
            // changes a format, not where the logs go).
            (
                "We switched container images to GHCR.",
                "Container images are pushed to Docker Hub.",
            ),
            // A number after "now" is left to the value families.
            ("Tests now pass on Python 3.12.", "Tests take 5 minutes."),
            // "is now" is the subject's slot, not this rule.
            (
                "The inbox is now help@example.com.",
                "The inbox forwards to ops@example.com.",
            ),
        ] {
            assert_eq!(update(said, item), None, "{said} / {item}");
        }
    }

    #[test]
    fn a_person_takes_back_what_they_said() {
        // (sentence, the cue, the subject's words, what the person says instead)
        type Expected<'a> = Option<(&'a str, &'a [&'a str], Option<&'a str>)>;
        let cases: &[(&str, Expected)] = &[
            (
                "Actually, scratch that: keep regular merge commits.",
                Some(("scratch that", &[], Some("keep regular merge commits."))),
            ),
            (
                "Never mind, stick with Node for scripts.",
                Some(("never mind", &[], Some("stick with Node for scripts."))),
            ),
            (
                "Oh wait, I take that back.",
                Some(("i take that back", &[], None)),
            ),
            (
                "On second thought, never mind: we stay on Node for scripts.",
                Some((
                    "on second thought",
                    &[],
                    Some("we stay on Node for scripts."),
                )),
            ),
            (
                "Forget what I said about the e2e suite before tagging; smoke tests are enough.",
                Some((
                    "forget what i said about",
                    &["befor", "e2e", "suit", "tag"],
                    Some("smoke tests are enough."),
                )),
            ),
            // "Never mind X, …" takes back what was said about X.
            (
                "Never mind the German commit messages, English is fine.",
                Some((
                    "never mind",
                    &["commit", "german", "messag"],
                    Some("English is fine."),
                )),
            ),
            // Not a retraction: the cue must open the sentence.
            ("The parser fails on tabs, never mind spaces.", None),
            ("Forget that the API used to return XML.", None),
            ("Forget what I said about.", None),
        ];
        for (sentence, expected) in cases {
            let found = retraction(sentence);
            let got = found.as_ref().map(|r| {
                (
                    r.cue.as_str(),
                    r.topic.iter().map(String::as_str).collect::<Vec<_>>(),
                    r.rest_at.map(|at| &sentence[at..]),
                )
            });
            let want = expected.map(|(cue, topic, rest)| (cue, topic.to_vec(), rest));
            assert_eq!(got, want, "{sentence}");
        }
    }

    #[test]
    fn announcements_worded_as_news_update_what_they_name() {
        // (announcement, item, the item after, or None when it must stay)
        let cases: &[(&str, &str, Option<&str>)] = &[
            // One person's thing for another's.
            (
                "From now on release notes are Samir's job, not Priya's.",
                "Release notes are written by Priya.",
                Some("Release notes are written by Samir."),
            ),
            (
                "The changelog is Samir's job now, not Priya's.",
                "Release notes are written by Priya.",
                None,
            ),
            (
                "The roadmap is Tom's now, not Ana's.",
                "Ana Ruiz owns the roadmap.",
                None,
            ),
            // A quoted command for the same task under another program.
            (
                "Linting is now `just lint` since the Makefile is gone.",
                "Run the linter with `make lint` before committing.",
                Some("Run the linter with `just lint` before committing."),
            ),
            (
                "We moved to pnpm, so run `pnpm test` before pushing.",
                "Run `npm test` before pushing.",
                Some("Run `pnpm test` before pushing."),
            ),
            (
                "For now, try `just lint` to see if it reproduces.",
                "Run the linter with `make lint` before committing.",
                None,
            ),
            (
                "Right now `just build` is broken.",
                "Use `make build` to compile the docs.",
                None,
            ),
            // A role handed to someone without "over"; not a thing handed to someone.
            (
                "Jonas Berg handed release management to Mei Lin last week.",
                "The release manager is Jonas Berg.",
                Some("The release manager is Mei Lin."),
            ),
            (
                "Jonas Berg handed the printed report to Mei Lin.",
                "The release manager is Jonas Berg.",
                None,
            ),
            // A channel is a value too, "now" before the verb or closing the sentence.
            (
                "Deploy announcements go to `#releases` now.",
                "Use the `#deploys` channel for deploy announcements.",
                Some("Use the `#releases` channel for deploy announcements."),
            ),
            (
                "Deploy announcements now go to `#releases`.",
                "Use the `#deploys` channel for deploy announcements.",
                Some("Use the `#releases` channel for deploy announcements."),
            ),
            (
                "Incident updates go to `#incidents` now.",
                "Use the `#deploys` channel for deploy announcements.",
                None,
            ),
            // …or "from now on", "going forward" closing it.
            (
                "Incidents are handled in #incident-room from now on.",
                "The Slack channel for incidents is #ops-fire.",
                Some("The Slack channel for incidents is #incident-room."),
            ),
            (
                "Deploy announcements go to `#releases` going forward.",
                "Use the `#deploys` channel for deploy announcements.",
                Some("Use the `#releases` channel for deploy announcements."),
            ),
            (
                "Incidents are handled in #incident-room from now on.",
                "Use the `#deploys` channel for deploy announcements.",
                None,
            ),
            (
                "Incidents are handled in #incident-room from now on.",
                "The Slack channel for incident reviews is #ops-review.",
                None,
            ),
            // "max" is "maximum".
            (
                "We raised the max upload size to 50 MB.",
                "Maximum upload size is 10 MB.",
                Some("Maximum upload size is 50 MB."),
            ),
            // A thing renamed to a plain word.
            (
                "We renamed the default branch to main last week.",
                "The default branch is called master.",
                Some("The default branch is called main."),
            ),
            (
                "We renamed the helper function to parse_args.",
                "The default branch is called master.",
                None,
            ),
            // A count whose noun is left out: never a word for a count.
            (
                "The hotfix needs two approvals instead of one.",
                "The hotfix needs one approval.",
                Some("The hotfix needs two approvals."),
            ),
            (
                "Starting today, merges need two approvals instead of one.",
                "Code review needs one approval.",
                None,
            ),
            // "now" before "instead of"; "out"/"over" after the old name; "onto".
            (
                "We use Vitest now instead of Jest.",
                "Unit tests run with Jest.",
                Some("Unit tests run with Vitest."),
            ),
            (
                "We swapped Fluentd out for Vector to ship logs.",
                "Logs are shipped with Fluentd.",
                Some("Logs are shipped with Vector."),
            ),
            (
                "We migrated hosting off Heroku onto Fly.io.",
                "The app is hosted on Heroku.",
                Some("The app is hosted on Fly.io."),
            ),
            // A product's version said as news with "as of".
            (
                "We're on Xcode 16 for mobile builds as of this month.",
                "Mobile builds use Xcode 15.",
                Some("Mobile builds use Xcode 16."),
            ),
            (
                "As of this morning the Android emulator is on API 34.",
                "Mobile builds use Xcode 15.",
                None,
            ),
            // An address said as news, for the item naming everything said before it.
            (
                "Heads up: the export job writes to s3://acme-exports-v2 from now on.",
                "The nightly export job writes to s3://acme-exports-old.",
                Some("The nightly export job writes to s3://acme-exports-v2."),
            ),
            (
                "Our backup job writes to s3://acme-backups-v2 now.",
                "The export job writes to s3://acme-exports.",
                None,
            ),
            // "to version 8" gives the version, not the word (it garbled the item into "…
            // built with version."); a name of three capitalised words stays whole.
            (
                "We upgraded Storybook to version 8.",
                "The design system is built with Storybook 6.",
                Some("The design system is built with Storybook 8."),
            ),
            (
                "Going forward, secrets live in AWS Secrets Manager instead of Vault.",
                "Secrets are stored in Vault.",
                Some("Secrets are stored in AWS Secrets Manager."),
            ),
            (
                "The build now uses Vite 5 instead of Webpack 4.",
                "The build uses Webpack 4.",
                Some("The build uses Vite 5."),
            ),
            (
                "We use Vite 5 for the docs site instead of Webpack 4 there.",
                "The build uses Webpack 4.",
                None,
            ),
            (
                "The support SLA was cut to 24 hours.",
                "The support SLA is 48 hours.",
                Some("The support SLA is 24 hours."),
            ),
            // The thing that moved, named as the head of the item's subject.
            (
                "The registry moved to ghcr.io/acme.",
                "Our container registry is registry.gitlab.com/acme.",
                Some("Our container registry is ghcr.io/acme."),
            ),
        ];
        for (said, item, expected) in cases {
            let subs = from_sentence(said);
            let updated = subs.iter().find_map(|sub| apply(sub, item)).map(|(t, _)| t);
            assert_eq!(updated.as_deref(), *expected, "{said} / {item}: {subs:?}");
        }
    }

    #[test]
    fn a_one_word_subject_names_what_moved_in_items_that_open_with_it() {
        let subs = from_sentence("Staging moved to host-b.internal.");
        let update = |item: &str| subs.iter().find_map(|sub| apply(sub, item)).map(|(t, _)| t);
        assert_eq!(
            update("Staging runs on host-a.internal.").as_deref(),
            Some("Staging runs on host-b.internal.")
        );
        // An item that only mentions staging is about something else.
        assert_eq!(
            update("Backups of staging are copied to host-a.internal."),
            None
        );
    }

    #[test]
    fn a_tool_switched_away_from_is_replaced_where_it_is_used() {
        let subs = from_sentence("We've switched from npm to pnpm.");
        let applied = subs
            .iter()
            .find_map(|sub| apply(sub, "Use npm for installs."));
        assert_eq!(
            applied.map(|(text, _)| text).as_deref(),
            Some("Use pnpm for installs.")
        );
        // Not a plain word the item merely mentions, nor an environment.
        for (said, item) in [
            (
                "We switched from npm to pnpm.",
                "The npm registry mirror is slow.",
            ),
            (
                "We moved the app from staging to production.",
                "Use staging for demos.",
            ),
            (
                "We moved the app from staging to production.",
                "Deploy with staging first.",
            ),
        ] {
            let subs = from_sentence(said);
            assert!(
                subs.iter().all(|sub| apply(sub, item).is_none()),
                "{said} / {item}"
            );
        }
    }

    #[test]
    fn what_the_clause_before_the_verb_names_takes_the_new_tool_or_name() {
        for (said, item, updated) in [
            (
                "Docs deploys switched to Cloudflare Pages.",
                "The docs are deployed with Netlify.",
                "The docs are deployed with Cloudflare Pages.",
            ),
            (
                "The error tracking setup has moved to Rollbar.",
                "Error tracking setup uses Sentry.",
                "Error tracking setup uses Rollbar.",
            ),
            // "got" is an auxiliary like "was".
            (
                "The default branch got renamed to main.",
                "The default branch is master.",
                "The default branch is main.",
            ),
            // "instead" closing a clause reads that clause only: the clause before names the
            // old value, which would make two values of the shape.
            (
                "We retired the 2023 master template; draft contracts from the 2025 template instead.",
                "Contracts are drafted from the 2023 master template.",
                "Contracts are drafted from the 2025 master template.",
            ),
        ] {
            assert_eq!(update(said, item).as_deref(), Some(updated), "{said}");
        }
        for (said, item) in [
            // Another thing switched: the item does not name all of it.
            (
                "The marketing site deploys switched to Vercel.",
                "The docs are deployed with Netlify.",
            ),
            (
                "Production deploys moved to Argo CD.",
                "Staging deploys go through Jenkins.",
            ),
            (
                "Mobile analytics switched to Amplitude.",
                "The mobile app uses Firebase for push notifications.",
            ),
            (
                "The docs branch got renamed to gh-pages.",
                "The default branch is master.",
            ),
            // One word names too much: the team uses many tools.
            (
                "Our team switched to Linear.",
                "The team uses Slack for chat.",
            ),
        ] {
            assert_eq!(update(said, item), None, "{said} / {item}");
        }
    }

    #[test]
    fn a_plain_name_dropped_in_favour_of_another_is_replaced_where_it_is_used() {
        assert_eq!(
            update(
                "We dropped axios in favour of the native fetch API.",
                "The frontend talks to the API through axios."
            )
            .as_deref(),
            Some("The frontend talks to the API through the native fetch API.")
        );
        assert_eq!(
            update(
                "We ditched moment in favor of date-fns for date handling.",
                "Use moment for date formatting."
            )
            .as_deref(),
            Some("Use date-fns for date formatting.")
        );
        // Named, not used: the item is about the old library itself.
        assert_eq!(
            update(
                "We dropped axios in favour of the native fetch API.",
                "The axios interceptors add the auth header."
            ),
            None
        );
    }

    #[test]
    fn a_name_with_the_or_of_inside_is_one_name() {
        for said in [
            "The docs moved off Read the Docs to GitHub Pages.",
            "We moved the docs from Read the Docs to GitHub Pages.",
        ] {
            assert_eq!(
                update(said, "Docs are hosted on Read the Docs.").as_deref(),
                Some("Docs are hosted on GitHub Pages."),
                "{said}"
            );
        }
        // Where the item keeps it only: a longer name, or the name as the subject, stays.
        assert_eq!(
            update(
                "We moved the API from Google Cloud to AWS.",
                "Billing exports land in Google Cloud Storage."
            ),
            None
        );
        assert_eq!(
            update(
                "We moved the wiki from Read the Docs to Notion.",
                "Read the Docs builds fail on Sphinx 7."
            ),
            None
        );
    }

    #[test]
    fn a_channel_said_as_news_and_a_place_after_its_article_are_updated() {
        // One word before the value names the item that opens with it.
        assert_eq!(
            update(
                "Escalations now go to #cs-escalations.",
                "Escalations go to the #support-escalations channel."
            )
            .as_deref(),
            Some("Escalations go to the #cs-escalations channel.")
        );
        // An inbox is where mail goes.
        assert_eq!(
            update(
                "Support mail goes to support@example.com now.",
                "The support inbox is help@example.com."
            )
            .as_deref(),
            Some("The support inbox is support@example.com.")
        );
        assert_eq!(
            update(
                "Support macros were moved to Notion.",
                "Support macros live in the Zendesk \"Macros\" folder."
            )
            .as_deref(),
            Some("Support macros live in the Notion \"Macros\" folder.")
        );
        for (said, item) in [
            (
                "Deploy notes now go to #releases.",
                "Escalations go to the #support-escalations channel.",
            ),
            (
                "Logs now go to /var/log/app.",
                "Backups are written to /srv/backups.",
            ),
            (
                "The macro docs were moved to Notion.",
                "Support macros live in the Zendesk \"Macros\" folder.",
            ),
        ] {
            assert_eq!(update(said, item), None, "{said} / {item}");
        }
    }

    #[test]
    fn from_and_to_take_names_of_several_words() {
        let subs = from_sentence("We moved CI from Jenkins to GitHub Actions last week.");
        assert_eq!(subs.len(), 1, "{subs:?}");
        assert_eq!(subs[0].old.as_deref(), Some("Jenkins"));
        assert_eq!(subs[0].new, "GitHub Actions");
        let (text, _) = apply(&subs[0], "Our CI runs on Jenkins.").expect("an update");
        assert_eq!(text, "Our CI runs on GitHub Actions.");
        let subs = from_sentence("We migrated hosting from Google Cloud to AWS.");
        assert_eq!(subs[0].old.as_deref(), Some("Google Cloud"));
        assert_eq!(subs[0].new, "AWS");
    }

    #[test]
    fn every_mention_of_the_old_value_in_an_item_changes() {
        let subs = from_sentence("We moved CI from Jenkins to Buildkite.");
        let (text, _) = apply(
            &subs[0],
            "Our CI runs on Jenkins; the Jenkins 2.4 agents cache node_modules.",
        )
        .expect("an update");
        assert_eq!(
            text,
            "Our CI runs on Buildkite; the Buildkite agents cache node_modules."
        );
        // A value inside a longer token is the one mention replaced.
        let renamed = from_sentence("We renamed game_2048.py to 2048.py.");
        assert_eq!(
            apply(&renamed[0], "The 2048 game is at /workspace/game_2048.py.").map(|(t, _)| t),
            Some("The 2048 game is at /workspace/2048.py.".to_string())
        );
    }

    #[test]
    fn a_moved_thing_takes_the_new_value_of_its_shape() {
        let subs =
            from_sentence("We moved the staging database to db-staging-2.internal last week.");
        assert_eq!(subs.len(), 1, "{subs:?}");
        let (text, why) = apply(
            &subs[0],
            "The staging database host is db-staging-1.internal.",
        )
        .expect("an update");
        assert_eq!(text, "The staging database host is db-staging-2.internal.");
        assert!(why.contains("db-staging-1.internal"), "{why}");
        // Another database, one shared word, two values of the shape, or none: no update.
        for item in [
            "The staging cache host is cache-1.internal.",
            "The production database host is db-prod-1.internal.",
            "The staging database has two replicas, db-a.internal and db-b.internal.",
            "The staging database is backed up nightly.",
        ] {
            assert!(apply(&subs[0], item).is_none(), "{item}");
        }
        // Every word of what was moved: the qa host is not the dr host.
        let dr = from_sentence("We switched the dr reporting replica host to replica-12.corp.lan.");
        assert!(
            apply(
                &dr[0],
                "The qa reporting replica host is replica-40.internal."
            )
            .is_none()
        );
        assert!(apply(&dr[0], "Dr feature-flag service host: replica-40.internal").is_none());
        assert!(
            apply(
                &dr[0],
                "The dr reporting replica host is replica-40.internal."
            )
            .is_some()
        );
        let production = from_sentence(
            "We switched the production feature-flag service host to flags-74.corp.lan.",
        );
        assert!(
            apply(
                &production[0],
                "The us-prod feature-flag service host: flags-69.internal"
            )
            .is_none()
        );
        assert!(
            apply(
                &production[0],
                "The production feature-flag service host is flags-56.svc.acme.local."
            )
            .is_some()
        );
        let paths = from_sentence("We migrated the build cache to /mnt/cache/build.");
        assert_eq!(
            apply(&paths[0], "The build cache lives in /var/tmp/cache.").map(|(t, _)| t),
            Some("The build cache lives in /mnt/cache/build.".to_string())
        );
        // Capitalised words name the thing too; a versioned value keeps matching by family.
        let runners = from_sentence("We've upgraded the CI runners to ubuntu-24.04.");
        assert_eq!(
            apply(&runners[0], "CI runners use ubuntu-22.04.").map(|(t, _)| t),
            Some("CI runners use ubuntu-24.04.".to_string())
        );
        // A day of the week is no value of a shape: it replaces the one day of an item about
        // the same thing, and nothing else.
        let sync = from_sentence("We moved the weekly sync to Tuesday.");
        assert!(
            sync.iter()
                .any(|s| apply(s, "The weekly sync is on Mondays.")
                    .is_some_and(|(t, _)| t == "The weekly sync is on Tuesdays.")),
            "{sync:?}"
        );
        assert!(
            sync.iter()
                .all(|s| apply(s, "Backups run on Mondays.").is_none())
        );
        // A tool's name replaces the one tool an item about the moved thing uses.
        let auth = from_sentence("Firebase is out; we're migrating auth to Supabase.");
        let applied = |item: &str| -> Option<String> {
            auth.iter().find_map(|s| apply(s, item)).map(|(t, _)| t)
        };
        assert_eq!(
            applied("We use Firebase for auth.").as_deref(),
            Some("We use Supabase for auth.")
        );
        assert_eq!(
            applied("Auth goes through Firebase Authentication.").as_deref(),
            Some("Auth goes through Supabase.")
        );
        assert_eq!(applied("Auth was designed by Maria Lopez."), None);
        assert_eq!(applied("Auth uses Firebase with Redis sessions."), None);
        assert_eq!(applied("Payments go through Stripe."), None);
        let ci = from_sentence("We moved the CI pipeline to GitHub Actions.");
        assert!(
            ci.iter()
                .any(|s| apply(s, "The CI pipeline runs on Jenkins.")
                    .is_some_and(|(t, _)| t == "The CI pipeline runs on GitHub Actions.")),
            "{ci:?}"
        );
        // A value between the verb and "to" is not this form.
        assert!(
            from_sentence("Moved the config to config/prod.yml.")
                .iter()
                .all(|s| apply(s, "The config loader reads /etc/app/settings.yml.").is_none())
        );
    }

    #[test]
    fn removed_settings_are_keys_the_new_text_no_longer_has() {
        let old = "{\n  \"enabled\": true,\n  \"strategy_options\": {\n    \"push_sessions\": false\n  }\n}\n";
        let new = "{\n  \"enabled\": true,\n  \"strategy\": \"manual-commit\"\n}\n";
        assert_eq!(
            removed_settings(old, new),
            vec![("push_sessions".to_string(), "false".to_string())]
        );
        // TOML and YAML lines; a key kept with another value is a swap, not a removal.
        assert_eq!(
            removed_settings("timeout = 30\nretries = 3\n", "timeout = 60\n"),
            vec![("retries".to_string(), "3".to_string())]
        );
        assert_eq!(
            removed_settings("image: nginx:1.25\nreplicas: 2\n", "replicas: 2\n"),
            vec![("image".to_string(), "nginx:1.25".to_string())]
        );
        // Comments, short names, sections and code are not settings.
        assert!(removed_settings("# retries = 3\nx = 1\nservices: {\n", "").is_empty());
        assert!(removed_settings("let total = compute(a, b)\n", "").is_empty());
    }

    #[test]
    fn an_item_states_a_removed_setting_when_it_names_file_key_and_value() {
        let item = "The tracked .entire/settings.json disables automatic session pushes with \"push_sessions\": false.";
        assert_eq!(
            states_removed_setting(item, ".entire/settings.json", "push_sessions", "false"),
            Some(".entire/settings.json")
        );
        assert_eq!(
            states_removed_setting(
                item,
                "/repo/.entire/settings.json",
                "push_sessions",
                "false"
            ),
            Some(".entire/settings.json")
        );
        // Another file, another value, or no key: not this setting.
        assert!(
            states_removed_setting(item, "config/settings.json", "push_sessions", "false")
                .is_none()
        );
        assert!(
            states_removed_setting(item, ".entire/settings.json", "push_sessions", "true")
                .is_none()
        );
        assert!(
            states_removed_setting(item, ".entire/settings.json", "telemetry", "false").is_none()
        );
    }

    fn pairs(sentence: &str) -> Vec<(Option<String>, String)> {
        from_sentence(sentence)
            .into_iter()
            .map(|s| (s.old, s.new))
            .collect()
    }

    /// An arrow replaces a value, or leads to the next step of a path, a flow or a mapping: a
    /// held-out Claude Code request's "sanity test (Stock board → open vehicle drawer, …)" once
    /// renamed the store's "Sales & Prep Board" to "Sales & Prep open".
    #[test]
    fn an_arrow_is_a_change_only_between_values() {
        let some = |old: &str, new: &str| vec![(Some(old.to_string()), new.to_string())];
        for (sentence, expected) in [
            (
                "Switched the build backend: setuptools → hatchling.",
                some("setuptools", "hatchling"),
            ),
            (
                "Release day: Monday -> Wednesday.",
                some("Monday", "Wednesday"),
            ),
            ("Indentation tabs → spaces.", some("tabs", "spaces")),
            (
                "API base URL v1 → v2 for the billing client.",
                some("v1", "v2"),
            ),
            (
                "We renamed the label board → panel.",
                some("board", "panel"),
            ),
        ] {
            assert_eq!(pairs(sentence), expected, "{sentence}");
        }
        for path in [
            "Do a quick sanity test (Stock board → open vehicle drawer, Warranty drawer).",
            "Go to Settings → Billing → Invoices and download the PDF.",
            // A chain whose arrows are not next to each other, with "switch" in it (a real
            // Claude Code session: a pasted system prompt's pipeline).
            "Build it: Telegram Trigger → Switch (intention) → Agent Claude → PostgreSQL (save/load) → Response.",
            // A flow and a mapping (real Codex and aider sessions), and two names with no
            // change said.
            "Events are pushed from agent-server → app-server via HTTP webhooks.",
            "POST /query → QueryResponse JSON",
            "Build backend: setuptools → hatchling.",
            // A template's placeholders after a change verb (a real Codex session).
            "Update the report: Version change: old → new.",
        ] {
            assert_eq!(pairs(path), Vec::new(), "{path}");
        }
    }

    #[test]
    fn announcements_name_old_and_new_values() {
        assert_eq!(
            pairs("change all the blockquote colors to be shades of blue instead of green"),
            vec![(Some("green".into()), "blue".into())]
        );
        assert_eq!(
            pairs("please rename game_2048.py to 2048.py"),
            vec![(Some("game_2048.py".into()), "2048.py".into())]
        );
        assert_eq!(pairs("We updated to C17."), vec![(None, "C17".into())]);
        // A product's new version said with "now", for items about the same thing.
        let staging = from_sentence("Staging is on Python 3.12 now.");
        let applied = |item: &str| staging.iter().find_map(|s| apply(s, item)).map(|(t, _)| t);
        assert_eq!(
            applied("Staging runs Python 3.11.").as_deref(),
            Some("Staging runs Python 3.12.")
        );
        assert_eq!(applied("CI runs Python 3.11."), None);
        // A quantifier before what moved says how much of it.
        let node = from_sentence("Switch all new services to Node 22.");
        assert!(
            node.iter().any(|s| apply(s, "New services run on Node 20.")
                .is_some_and(|(t, _)| t == "New services run on Node 22.")),
            "{node:?}"
        );
        assert!(from_sentence("Python 3.12 is what we use now.").is_empty());
        assert_eq!(
            pairs("We've swapped out Mailgun for Postmark."),
            vec![(Some("Mailgun".into()), "Postmark".into())]
        );
        assert_eq!(
            pairs("Our staging database is db-stg-3 now (it used to be db-stg-1)."),
            vec![(Some("db-stg-1".into()), "db-stg-3".into())]
        );
        assert!(pairs("This used to be a hard problem.").is_empty());
        // A change under way announces its value; a gerund on its own does not.
        assert_eq!(
            pairs("We're migrating auth from Firebase to Supabase."),
            vec![(Some("Firebase".into()), "Supabase".into())]
        );
        assert!(
            pairs("We're upgrading to C17.").contains(&(None, "C17".into())),
            "{:?}",
            pairs("We're upgrading to C17.")
        );
        assert!(pairs("Consider moving to C17 later.").is_empty());
        // A phrase closing the new side belongs to both values: the value is the word of the
        // old one's form before it, unless the last word has that form.
        assert_eq!(
            pairs("Telemetry is now disabled by default instead of enabled."),
            vec![(Some("enabled".into()), "disabled".into())]
        );
        assert_eq!(
            pairs("Deploy to us-east-1 instead of eu-west-1."),
            vec![(Some("eu-west-1".into()), "us-east-1".into())]
        );
        // Other ways to say it: "rather than", a passive "replaced by", "in favour of", and a
        // name for a name said as news.
        for (sentence, old, new) in [
            (
                "We now use GitHub Actions rather than Travis for CI.",
                "Travis",
                "GitHub Actions",
            ),
            (
                "gunicorn was replaced by uvicorn for serving the API.",
                "gunicorn",
                "uvicorn",
            ),
            (
                "Fluentd has been swapped out for Vector.",
                "Fluentd",
                "Vector",
            ),
            (
                "We ditched Memcached in favour of Redis.",
                "Memcached",
                "Redis",
            ),
            (
                "The docs site now builds with MkDocs, not Sphinx.",
                "Sphinx",
                "MkDocs",
            ),
        ] {
            assert_eq!(
                pairs(sentence),
                vec![(Some(old.to_string()), new.to_string())],
                "{sentence}"
            );
        }
        assert_eq!(
            pairs("The staging URL changed: it's https://staging-2.example.com now."),
            vec![(None, "https://staging-2.example.com".into())]
        );
        assert!(pairs("The staging URL changed: it's unclear why.").is_empty());
        // …and what announces nothing: a condition, a refusal, no value, an old value kept.
        for sentence in [
            "If Fluentd is replaced by Vector, the dashboards break.",
            "Should gunicorn be replaced by uvicorn?",
            "Do not replace Braintree with Stripe.",
            "Travis was replaced by nobody yet.",
            "We considered Redis rather than Memcached but kept Memcached.",
        ] {
            assert!(
                pairs(sentence).is_empty(),
                "{sentence}: {:?}",
                pairs(sentence)
            );
        }
        assert_eq!(
            pairs("Rename app.py to main.py and fix the imports of app.py."),
            vec![(Some("app.py".into()), "main.py".into())]
        );
        assert_eq!(
            pairs("lets move the release from v0.40 to v0.41"),
            vec![(Some("v0.40".into()), "v0.41".into())]
        );
        assert!(pairs("Read the file and tell me what it says.").is_empty());
    }

    #[test]
    fn applying_keeps_every_other_word() {
        let sub = &from_sentence("make the blockquotes shades of blue instead of green")[0];
        let (text, why) = apply(
            sub,
            "The chat transcript blockquotes are styled with shades of green.",
        )
        .expect("applies");
        assert_eq!(
            text,
            "The chat transcript blockquotes are styled with shades of blue."
        );
        assert!(why.contains("`green` → `blue`"), "{why}");
        // A plain word without a shared subject is not the same value.
        assert!(apply(sub, "Use green for success badges.").is_none());
    }

    #[test]
    fn versions_update_within_their_family_only() {
        let sub = &from_sentence("We updated to C17.")[0];
        assert_eq!(
            apply(sub, "The project targets C11.")
                .map(|(t, _)| t)
                .as_deref(),
            Some("The project targets C17.")
        );
        assert!(apply(sub, "nvcc is installed at /usr/local/cuda-12.6/bin.").is_none());
        assert!(apply(sub, "Tests run on Python 3.12.").is_none());
        // A value of a closed set replaces the item's one value of that set, about the same
        // subject only.
        let moved = &from_sentence("Deploys moved to Thursdays.")[0];
        assert_eq!(
            apply(moved, "Deploys happen on Mondays at 10:00.")
                .map(|(t, _)| t)
                .as_deref(),
            Some("Deploys happen on Thursdays at 10:00.")
        );
        assert!(apply(moved, "The team retro is on Mondays.").is_none());
        // A weekday keeps the item's number, whichever the announcement used.
        assert_eq!(
            apply(moved, "Deploys happen every Monday.")
                .map(|(t, _)| t)
                .as_deref(),
            Some("Deploys happen every Thursday.")
        );
        let moved_to_one = &from_sentence("Deploys moved to Thursday.")[0];
        assert_eq!(
            apply(moved_to_one, "Deploys happen on Mondays.")
                .map(|(t, _)| t)
                .as_deref(),
            Some("Deploys happen on Thursdays.")
        );
        assert!(apply(moved, "Deploys happen on Mondays and Fridays.").is_none());
        let release = from_sentence("We moved the release to June.");
        assert!(
            release.iter().any(|sub| apply(sub, "We release in April.")
                .is_some_and(|(t, _)| t == "We release in June.")),
            "{release:?}"
        );
        // Whatever the sentence calls what moved, the name finds its old version.
        let moved = from_sentence("We moved the codebase to C17 last week.");
        assert!(
            moved
                .iter()
                .any(|sub| apply(sub, "The project targets C11.")
                    .is_some_and(|(t, _)| t == "The project targets C17.")),
            "{moved:?}"
        );
    }

    #[test]
    fn a_renamed_file_updates_the_paths_that_end_in_it() {
        let sub = &from_sentence("Please rename game_2048.py to 2048.py")[0];
        assert_eq!(
            apply(sub, "The 2048 game is at /workspace/game_2048.py.")
                .map(|(t, _)| t)
                .as_deref(),
            Some("The 2048 game is at /workspace/2048.py.")
        );
        // Only a whole path component: a longer file name is another file.
        assert!(apply(sub, "Scores live in /workspace/old_game_2048.py.").is_none());
        assert!(apply(sub, "Backups go to game_2048.py.bak files.").is_none());
    }

    #[test]
    fn edits_update_items_that_name_the_file() {
        let sub = from_edit(
            "/repo/pyproject.toml",
            "[build-system]\nrequires = [\"setuptools>=68.0\"]\nbuild-backend = \"setuptools.build_meta\"",
            "[build-system]\nrequires = [\"hatchling\"]\nbuild-backend = \"hatchling.build\"",
        )
        .expect("one name swapped");
        assert_eq!(sub.old.as_deref(), Some("setuptools"));
        assert_eq!(sub.new, "hatchling");
        let item = "The review tool's pyproject.toml uses the setuptools build backend.";
        assert_eq!(
            apply(&sub, item).map(|(t, _)| t).as_deref(),
            Some("The review tool's pyproject.toml uses the hatchling build backend.")
        );
        assert!(apply(&sub, "The docs mention setuptools.").is_none());
        assert!(from_edit("a.py", "x = 1\ny = 2", "x = 3\ny = 4").is_none());
        // A word of a quoted value, in an item that names the edited file.
        let sub = from_edit("/repo/test.txt", "original content\n", "modified content\n")
            .expect("one word swapped");
        assert_eq!(
            apply(
                &sub,
                "test.txt in the demo repo contains \"original content\"."
            )
            .map(|(t, _)| t)
            .as_deref(),
            Some("test.txt in the demo repo contains \"modified content\".")
        );
        assert!(from_edit("a.py", "alpha beta", "gamma delta").is_none());
    }

    #[test]
    fn moved_files_update_the_paths_items_give() {
        let apply_move = |from: &str, to: &str, root: bool, item: &str| {
            let sub = from_move(from, to, root, "`git mv`".into()).expect("a move");
            apply(&sub, item).map(|(text, _)| text)
        };
        // Renamed in its folder: items giving the folder follow, a bare name of another folder
        // does not; at the project's root the bare name is the file.
        assert_eq!(
            apply_move(
                "docs/setup.md",
                "docs/install.md",
                false,
                "Setup steps are in docs/setup.md."
            )
            .as_deref(),
            Some("Setup steps are in docs/install.md.")
        );
        assert!(
            apply_move(
                "docs/setup.md",
                "docs/install.md",
                false,
                "Each plugin has a setup.md."
            )
            .is_none()
        );
        assert_eq!(
            apply_move(
                "/srv/app/setup.cfg",
                "/srv/app/config/setup.cfg",
                true,
                "Lint settings live in setup.cfg."
            )
            .as_deref(),
            Some("Lint settings live in config/setup.cfg.")
        );
        // Moved to another folder: the absolute path in an item follows too.
        assert_eq!(
            apply_move(
                "src/parser.py",
                "lib/parser.py",
                false,
                "The parser is /repo/src/parser.py."
            )
            .as_deref(),
            Some("The parser is /repo/lib/parser.py.")
        );
        assert!(from_move("a/b.md", "a/b.md", false, String::new()).is_none());
    }

    #[test]
    fn an_item_names_a_deleted_file_by_a_path_that_ends_it() {
        let deleted = "/home/dev/project/.github/workflows/release.yml";
        assert_eq!(
            names_deleted_file(
                "Releases run from .github/workflows/release.yml, which calls publish.yml.",
                deleted,
                false
            ),
            Some(".github/workflows/release.yml")
        );
        // A bare name means the file only where the deletion was at the project's root.
        assert_eq!(
            names_deleted_file("The release workflow is `release.yml`.", deleted, true),
            Some("release.yml")
        );
        assert!(
            names_deleted_file("The release workflow is `release.yml`.", deleted, false).is_none()
        );
        // Another folder's file of the same name, a longer name, a bare folder name: not it.
        assert!(names_deleted_file("Docs are built by docs/release.yml.", deleted, true).is_none());
        assert!(names_deleted_file("See prerelease.yml for nightlies.", deleted, true).is_none());
        assert!(names_deleted_file("Unit tests live in tests.", "/repo/tests", true).is_none());
        assert_eq!(
            names_deleted_file("Unit tests live in src/tests.", "/repo/src/tests", false),
            Some("src/tests")
        );
        // A dot-file without an extension is not named by its bare name.
        assert!(
            names_deleted_file("Coverage data goes to .coverage.", "/repo/.coverage", true)
                .is_none()
        );
        // The project's root: the folder holding most of the session's paths.
        let touched = [
            "/home/dev/port/src/lib.rs",
            "/home/dev/port/Cargo.toml",
            "/home/dev/port",
            "/home/dev/.claude/settings.json",
        ];
        assert!(at_project_root("/home/dev/port/pyproject.toml", &touched));
        assert!(!at_project_root(
            "/home/dev/port/plugins/x/README.md",
            &touched
        ));
        assert!(at_project_root("setup.cfg", &touched));
        assert!(!at_project_root("docs/setup.cfg", &touched));
    }

    #[test]
    fn an_edited_number_takes_the_same_quantity_in_its_comments_unit_with_it() {
        let apply_all = |old: &str, new: &str, item: &str| -> Option<(String, String)> {
            from_edited_lines("/home/u/.config/hypr/hypridle.conf", old, new)
                .iter()
                .find_map(|sub| apply(sub, item))
        };
        let item = "hypridle starts the screensaver after 2.5 minutes of idle (timeout = 150 in ~/.config/hypr/hypridle.conf).";
        let commented = (
            "timeout = 150    # 2.5min\non-timeout = lock",
            "timeout = 600    # 10min\non-timeout = lock",
        );
        let (text, why) = apply_all(commented.0, commented.1, item).expect("updated");
        assert_eq!(
            text,
            "hypridle starts the screensaver after 10 minutes of idle (timeout = 600 in ~/.config/hypr/hypridle.conf)."
        );
        assert!(why.contains("`2.5` → `10`"), "{why}");
        // Spelled-out units of a one-letter abbreviation count too.
        let seconds = apply_all(
            "retry_delay = 30000 # 30s",
            "retry_delay = 45000 # 45s",
            "hypridle.conf retries after 30 seconds (retry_delay = 30000).",
        );
        assert_eq!(
            seconds.map(|(text, _)| text).as_deref(),
            Some("hypridle.conf retries after 45 seconds (retry_delay = 45000).")
        );
        // Without the line saying the quantity in the item's unit, the other number is left
        // for a reviewer: changing only the setting would make the item contradict itself.
        for (old, new, item) in [
            ("timeout = 150", "timeout = 600", item),
            // The comment gives another unit than the item.
            (
                "timeout = 150 # 2.5min",
                "timeout = 600 # 10min",
                "hypridle.conf waits 2.5 hours (timeout = 150).",
            ),
            // The comment changes its unit: no one-for-one swap of numbers.
            (
                "timeout = 150 # 150s",
                "timeout = 600 # 10min",
                "hypridle.conf waits 150 s, that is 2.5 minutes.",
            ),
            // The old number twice: which of them the edit changed is not clear.
            (
                "retry_delay = 30 # 30s",
                "retry_delay = 45 # 45s",
                "hypridle.conf retries after 30 seconds (retry_delay = 30).",
            ),
        ] {
            assert_eq!(apply_all(old, new, item), None, "{item}");
        }
    }

    #[test]
    fn an_edited_line_updates_items_about_that_line() {
        let old = "- `--history-file HISTORY_FILE`: Specify the chat input history file (default: .aider.history). Override the default with the environment variable `AIDER_HISTORY_FILE`.\n- `--model MODEL`: Specify the model to use (default: gpt-4).";
        let new = "- `--input-history-file INPUT_HISTORY_FILE`: Specify the chat input history file (default: .aider.input.history). Override the default with the environment variable `AIDER_INPUT_HISTORY_FILE`.\n- `--chat-history-file CHAT_HISTORY_FILE`: Specify the chat history file (default: .aider.chat.history.md).\n- `--model MODEL`: Specify the model to use (default: gpt-4).";
        let subs = from_edited_lines("README.md", old, new);
        let swaps: Vec<(&str, &str)> = subs
            .iter()
            .map(|s| (s.old.as_deref().unwrap_or(""), s.new.as_str()))
            .collect();
        assert_eq!(
            swaps,
            vec![
                ("--history-file", "--input-history-file"),
                ("HISTORY_FILE", "INPUT_HISTORY_FILE"),
                (".aider.history", ".aider.input.history"),
                ("AIDER_HISTORY_FILE", "AIDER_INPUT_HISTORY_FILE"),
            ]
        );
        let mut item = "The chat input history file defaults to .aider.history (--history-file, env AIDER_HISTORY_FILE).".to_string();
        for sub in &subs {
            if let Some((text, why)) = apply(sub, &item) {
                assert!(why.contains("edited line"), "{why}");
                item = text;
            }
        }
        assert_eq!(
            item,
            "The chat input history file defaults to .aider.input.history (--input-history-file, env AIDER_INPUT_HISTORY_FILE)."
        );
        // The same value in an item about something else is not that line's value.
        let unrelated = "Backups of .aider.history are kept for a week.";
        assert!(subs.iter().all(|s| apply(s, unrelated).is_none()));
        // A value the new text still has somewhere was not replaced.
        assert!(
            from_edited_lines(
                "a.md",
                "x uses `--a` and `--b` here",
                "x uses `--c` and `--b` here\n`--a` still works"
            )
            .is_empty()
        );
        // Lines rewritten rather than swapped say nothing.
        assert!(
            from_edited_lines("a.py", "let total = compute(a, b)", "return render(page)")
                .is_empty()
        );
    }
}
