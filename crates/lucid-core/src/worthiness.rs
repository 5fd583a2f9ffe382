//! The worthiness gate: whether a sentence a person typed is worth remembering.
//!
//! A candidate becomes a memory only if it is a **well-formed statement** (not code, a log
//! line, markup, a table row or a fragment), is **standing** rather than about the task at hand
//! ("don't stop until all functions are ported" and "verify these results" are one-off), and is
//! **specific** enough to act on. Precision comes first: when unsure, the sentence is skipped and
//! — if it looked memory-like at all — the report says why, so a reviewer or the model pass can
//! still see it.
//!
//! The gate only sees text from the `human` channel (see `channels.rs`); the cue phrases it reads
//! are data (`lexicon.txt`), and its numbers are in [`Thresholds`].

use crate::lexicon::{self, Cues, List};
use crate::text;
use crate::thresholds::Thresholds;

/// What a sentence can become.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Class {
    /// A standing instruction ("always…", "never…", "we don't use X").
    Preference,
    /// A durable fact or decision about the project ("we target C17", "the host is X").
    Fact,
}

/// How much a candidate needs before it is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Support {
    /// Marked standing or durable by the person: one session is enough.
    Marked,
    /// An instruction without a standing marker: standing only when said in two sessions.
    Repeated,
    /// A bare statement of fact: it may update or confirm an existing memory, never add one.
    UpdateOnly,
}

/// The gate's decision about one sentence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// The sentence may become, or update, a memory.
    Candidate {
        /// Whether it is a standing instruction or a fact.
        class: Class,
        /// How much support it needs before it is written.
        support: Support,
        /// The person announced a change ("we switched to …", "X is now …", "no longer").
        change: bool,
    },
    /// The sentence is not a memory.
    Skip {
        /// Why, in words, for the report's skipped statements ("a question, not a statement").
        reason: &'static str,
        /// Whether the sentence looked memory-like (had an instruction, standing, change or
        /// decision cue): only those are listed in the report, so it is not flooded with chat.
        memory_like: bool,
    },
}

/// Whether a sentence opens with a request ("Fix …", "please run …"), and not with a noun
/// phrase whose first word could be one: in "Test database listens on port 5434 now", "Build
/// times are under four minutes" or "Release notes live in NEWS.md" the request word qualifies
/// the noun after it, and a finite verb ([`List::SubjectVerb`]) follows one or two nouns. Verbs
/// that take a clause ([`List::ClauseRequest`]: "Check tests are green") still ask.
fn opens_with_a_request(lower: &str, cues: &Cues) -> bool {
    if !cues.opens_with(List::Request) {
        return false;
    }
    let words: Vec<&str> = lower
        .split_whitespace()
        .take(4)
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric() && c != '\'' && c != '-'))
        .collect();
    let [verb, rest @ ..] = words.as_slice() else {
        return true;
    };
    let noun = |word: &str| {
        word.len() > 1
            && word.chars().all(|c| c.is_alphabetic() || c == '-')
            && !word.ends_with("ly")
            && !lexicon::is_word_of(List::ObjectOpening, word)
            && !lexicon::is_word_of(List::SubjectVerb, word)
    };
    // The request is the first word alone ("Test", not "please test" or "can you").
    let noun_phrase = cues
        .phrases(List::Request)
        .any(|(at, phrase)| at == 0 && phrase == *verb)
        && !lexicon::is_word_of(List::ClauseRequest, verb)
        && match rest {
            // "Build failed: …", "Deploy is slow": the request word is the noun.
            [first, ..] if lexicon::is_word_of(List::SubjectVerb, first) => true,
            [first, second, ..]
                if noun(first) && lexicon::is_word_of(List::SubjectVerb, second) =>
            {
                true
            }
            [first, second, third, ..] => {
                noun(first) && noun(second) && lexicon::is_word_of(List::SubjectVerb, third)
            }
            _ => false,
        };
    !noun_phrase
}

/// Whether a sentence opens as an imperative: a request ("Copy the flows into spec.md", "Run
/// the script") or an instruction ("Make sure …", "Remember to …").
fn imperative(lower: &str, cues: &Cues) -> bool {
    opens_with_a_request(lower, cues) || cues.opens_with(List::Instruction)
}

/// Whether a line (a list marker left out) opens as an imperative: a step someone asks for,
/// which no error message opens with (its hint may follow the error: "… Run 'bd sync' to fix").
pub(crate) fn opens_as_an_imperative(line: &str) -> bool {
    let lower = text::strip_list_marker(line).trim().to_lowercase();
    imperative(&lower, &Cues::scan(&lower))
}

/// Whether a prohibition fences the edit asked for in the sentence before it: "reorder all the
/// lists. DO NOT CHANGE content of list items." — a "do not" with a verb of editing
/// (`[edit_verb]`) after a request, neither with a standing marker ("never", "always", a
/// closing "ever"). The limits of that edit, not a rule for the next.
pub(crate) fn fences_the_edit_before(previous: &str, sentence: &str) -> bool {
    let lower = text::strip_list_marker(sentence).trim().to_lowercase();
    let cues = Cues::scan(&lower);
    let Some(prohibition) = lexicon::opening(List::Prohibition, &lower) else {
        return false;
    };
    let edits = lower[prohibition.len()..]
        .split_whitespace()
        .next()
        .is_some_and(|verb| lexicon::is_word_of(List::EditVerb, verb));
    let previous_lower = text::strip_list_marker(previous).trim().to_lowercase();
    // "In CONVENTIONS.md, reorder the lists": where the edit is, then what it is.
    let previous_lower = match previous_lower
        .strip_prefix("in ")
        .and_then(|rest| rest.split_once(','))
    {
        Some((place, rest)) if place.split_whitespace().count() <= 4 => rest.trim().to_string(),
        _ => previous_lower,
    };
    let previous_cues = Cues::scan(&previous_lower);
    edits
        && prohibition != "never"
        && !cues.has(List::Standing)
        && !lower.trim_end_matches(['.', '!']).ends_with(" ever")
        && imperative(&previous_lower, &previous_cues)
        && !previous_cues.has(List::Standing)
}

/// Whether a statement spells out the request in the sentence before it: "Can you update the
/// test so that a response is received? The response is not the same every time, but we should
/// look for one that is not the loading state." — the request brings in a thing ("a response")
/// and the statement opens with that thing ("The response …"): a detail of this task, not a
/// standing rule or a fact, even with "should" or "every time" in it. A request with a standing
/// marker of its own ("always", "from now on") is a rule, and so may be what details it.
pub(crate) fn details_the_request_before(previous: &str, sentence: &str) -> bool {
    let word = |w: &str| {
        w.trim_matches(|c: char| !c.is_alphanumeric() && c != '\'' && c != '-')
            .to_string()
    };
    let lower = text::strip_list_marker(sentence).trim().to_lowercase();
    let Some(rest) = lower.strip_prefix("the ") else {
        return false;
    };
    // The subject's head: the word before its finite verb, within the opening words.
    let opening: Vec<String> = rest.split_whitespace().take(4).map(word).collect();
    let finite = |w: &str| {
        lexicon::is_word_of(List::SubjectVerb, w)
            || lexicon::is_word_of(List::Auxiliary, w)
            || w.ends_with("n't")
    };
    let Some(verb_at) = opening.iter().position(|w| finite(w)) else {
        return false;
    };
    let Some(head) = verb_at.checked_sub(1).map(|at| &opening[at]) else {
        return false;
    };
    let previous_lower = text::strip_list_marker(previous).trim().to_lowercase();
    let previous_cues = Cues::scan(&previous_lower);
    if !opens_with_a_request(&previous_lower, &previous_cues) || previous_cues.has(List::Standing) {
        return false;
    }
    // The request brings the thing in: "a"/"an" and, within two more words, the head.
    let previous_words: Vec<String> = previous_lower.split_whitespace().map(word).collect();
    previous_words.iter().enumerate().any(|(at, w)| {
        matches!(w.as_str(), "a" | "an")
            && previous_words
                .iter()
                .skip(at + 1)
                .take(3)
                .any(|later| later == head)
    })
}

/// Whether a memory is a one-off task: an imperative ("Fix …", "Don't …", "Remember to …")
/// with no standing marker ("always", "never", "every time") that is tied to a moment — a
/// deictic or a time of this work ("these results", "this release", "tomorrow", "until all
/// functions are ported") or a deadline ("before Friday"). "Run the migrations after pulling"
/// and "The agent ends a task by calling finish" are not: when unsure, keep.
pub(crate) fn is_one_off_task(text: &str) -> bool {
    let lower = text.trim().to_lowercase();
    let cues = Cues::scan(&lower);
    if !imperative(&lower, &cues) || cues.has(List::Standing) {
        return false;
    }
    // The words that tie a task to a moment: a time, or a deictic naming this work's results
    // ("these results", "this PR"). A bare "this" or "this file" is as often the memory's own
    // ("Keep this list sorted", "Update this file when the API changes"), and "the tests", "at
    // the end" name whatever there is then.
    const TIMES: &[&str] = &[
        "today",
        "tonight",
        "tomorrow",
        "yesterday",
        "right now",
        "for now",
        "this time",
        "this once",
    ];
    const THIS_WORK: &[&str] = &[
        "results", "result", "changes", "change", "pr", "branch", "commit", "issue", "bug",
        "error", "failure", "test", "tests", "release", "run", "task", "session", "sprint",
        "ticket", "fix", "output",
    ];
    // "Don't stop until all functions are ported" runs to the end of this work; "Don't merge
    // until CI is green" is a standing condition.
    let until_done = lower.match_indices("until ").any(|(at, _)| {
        let rest = &lower[at + "until ".len()..];
        [
            "all ",
            "every",
            "everything",
            "the whole",
            "it's done",
            "it is done",
            "done",
            "finished",
        ]
        .iter()
        .any(|end| rest.starts_with(end))
    });
    let tied_to_now = until_done
        || TIMES
            .iter()
            .any(|time| text::find_word(&lower, time).is_some())
        || ["this ", "these ", "those "].iter().any(|deictic| {
            lower.match_indices(deictic).any(|(at, _)| {
                let starts_word = at == 0 || !lower[..at].ends_with(char::is_alphanumeric);
                let noun = lower[at + deictic.len()..]
                    .split(|c: char| !c.is_alphanumeric())
                    .next()
                    .unwrap_or("");
                starts_word && THIS_WORK.contains(&noun)
            })
        });
    tied_to_now || has_deadline(&lower)
}

/// Whether a lower-case statement opens with the team saying it changed something: "we" (or
/// "we've", "we have", "our team") and, after at most one adverb ("just", "finally"), a verb
/// of `[change_verb]` ("We bumped the toolchain to Go 1.23", "We've finally renamed …").
fn the_team_changed(lower: &str) -> bool {
    let Some(rest) = after_the_team(lower) else {
        return false;
    };
    let mut words = rest
        .split_whitespace()
        .map(|word| word.trim_matches(|c: char| !c.is_alphanumeric() && c != '\''));
    let mut next = words.next();
    if next == Some("have") {
        next = words.next();
    }
    if matches!(
        next,
        Some("just" | "finally" | "also" | "recently" | "already")
    ) {
        next = words.next();
    }
    next.is_some_and(|verb| verb.ends_with("ed") && lexicon::is_word_of(List::ChangeVerb, verb))
}

/// What follows a lower-case statement's opening "we", "we've", "we're" or "our team": the
/// team speaks.
fn after_the_team(lower: &str) -> Option<&str> {
    ["we ", "we've ", "we're ", "we’re ", "our team "]
        .iter()
        .find_map(|opening| lower.strip_prefix(opening))
}

/// Whether the team says what it does something with, as its sentence's last words ("we now
/// manage dependencies with uv", "our team now builds the docs using mkdocs") or right after
/// "use" ("we use pnpm to install dependencies now"): the tool is the value, however it is
/// written.
fn the_team_names_its_tool(lower: &str) -> bool {
    let clause = lower.trim_end_matches(['.', '!', ' ']);
    let Some(said) = after_the_team(lower) else {
        return false;
    };
    let used = said
        .strip_prefix("now ")
        .unwrap_or(said)
        .strip_prefix("use ");
    if let Some(tool) = used.and_then(|rest| rest.split_whitespace().next()) {
        let plain = tool
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_'));
        return plain && !lexicon::is_word_of(List::NotATool, tool) && !text::is_common_word(tool);
    }
    [" with ", " using ", " via "].iter().any(|joint| {
        clause.rsplit_once(joint).is_some_and(|(_, tool)| {
            let words: Vec<&str> = tool.split_whitespace().collect();
            (1..=2).contains(&words.len()) && !lexicon::is_word_of(List::NotATool, words[0])
        })
    })
}

/// Whether lower-case text sets a day to be done by ("before Friday", "by Monday", "by end of
/// day", "by EOD").
fn has_deadline(lower: &str) -> bool {
    const OTHER_DAYS: &[&str] = &[
        "eod",
        "end of day",
        "end of the day",
        "end of week",
        "end of the week",
        "next week",
    ];
    ["before ", "by "].iter().any(|preposition| {
        lower.match_indices(preposition).any(|(at, _)| {
            let rest = &lower[at + preposition.len()..];
            text::WEEKDAYS
                .iter()
                .chain(OTHER_DAYS)
                .any(|day| rest.starts_with(day))
        })
    })
}

/// Judges one sentence from the human channel.
pub(crate) fn judge(sentence: &str, limits: &Thresholds) -> Verdict {
    // "Again, don't use external libraries.": the person says it once more, so the instruction
    // after the opener has been given before; the opener's "again" does not tie it to the task.
    let (sentence, repeated) = match text::strip_repeat_opener(sentence) {
        Some(rest) => (rest, true),
        None => (sentence, false),
    };
    // An answer's particle ("Yeah, …", "No, …") is not how the statement opens.
    let sentence = strip_answer_particle(sentence);
    // "It's important to always run the linter": the rule is what follows the opening.
    let sentence = without_extraposed_opening(sentence);
    let stripped = text::strip_lead_in(text::strip_modal_lead_ins(without_mentions(
        sentence.trim(),
    )))
    .trim();
    let lower = stripped.to_lowercase();
    // Lead-ins are stripped to see how the statement itself opens ("Please, fix …" is a
    // request), but they still count as cues ("From now on, …" is a standing marker).
    let whole_lower = sentence.trim().to_lowercase();
    // "Starting today, install Python packages using uv": a change that takes effect now, and
    // what holds from then on.
    let takes_effect = text::takes_effect(&whole_lower);
    let effective_from = takes_effect.clone().filter(|when| when.start == 0);
    // "We bumped the toolchain to Go 1.23": the team says it changed something.
    let team_changed = the_team_changed(&lower);
    let mut cues = Cues::scan(&whole_lower);
    // How the whole sentence opens, lead-in included, before the opening is the statement's.
    // "Remember that …", "For future reference, …": the person asks for it to be kept.
    let asked_to_remember = cues.opens_with(List::Remember);
    let opens_standing_with_lead_in = cues.opens_with(List::Standing);
    cues.set_opening_from(&Cues::scan(&lower));
    // A standing marker inside the listener's own choice ("any framework you prefer") sets no
    // rule.
    // "No console.log in committed code, ever.": a closing "ever" rules every case.
    // So does "ever" closing a prohibition: "In the health endpoint, do NOT return sqlite://
    // ever." ("the best release ever" forbids nothing).
    let closing = lower.trim_end_matches(['.', '!']).trim_end();
    let closing_ever = closing.ends_with(", ever")
        || (closing.ends_with(" ever")
            && lexicon::words(List::Prohibition)
                .iter()
                .any(|prohibition| text::find_word(closing, prohibition).is_some()));
    // "We shouldn't use cuFFT anymore": a use ended for good is as standing as "never" — when
    // it names what ended ("I don't need the repos anymore" names nothing to act on).
    let ended_for_good = cues.has(List::RetiredAnymore)
        && crate::updates::retirements(stripped)
            .iter()
            .any(|retirement| retirement.name.is_some() && retirement.cue.ends_with("anymore"));
    // "Use pnpm in this repo", "Don't use yarn in this project": an instruction scoped to the
    // project is how it works there from now on. ("Don't use" is a cue of its own, which
    // hides the instruction's "don't" from the scan.) A request ("Update the README in this
    // repo") stays a request.
    let opens_as_instruction =
        cues.opens_with(List::Instruction) || cues.opens_with(List::RetiredAnymore);
    // "In this repo, use pnpm": the scope opens the sentence and the instruction follows it.
    let instruction_after_scope = ["in ", "for ", "across ", "throughout "]
        .iter()
        .any(|preposition| whole_lower.starts_with(preposition))
        && whole_lower.split_once(", ").is_some_and(|(_, rest)| {
            let rest = Cues::scan(rest);
            rest.opens_with(List::Instruction) || rest.opens_with(List::RetiredAnymore)
        });
    let scoped_to_the_project = (opens_as_instruction || instruction_after_scope)
        && cues.phrases(List::StandingScope).any(|(at, phrase)| {
            // Where the rule holds ("in this repo"); "appropriate for this project" only
            // qualifies a word, unless the scope opens the sentence.
            phrase.starts_with("this ")
                && (instruction_after_scope
                    || ["in ", "across ", "throughout "]
                        .iter()
                        .any(|preposition| whole_lower[..at].ends_with(preposition)))
        });
    // "Don't use yarn for installs anymore", "No need to ask before committing anymore": an
    // instruction (or a waiver, which lifts one) that ends a practice for good is as standing
    // as "from now on".
    let waives = crate::lexicon::opening(List::Waiver, &lower).is_some();
    // "I do not want to sign my commits anymore": a wish not to do something any longer ends
    // a practice as an instruction does.
    // (What happens to the speaker, "I don't want to see that error anymore", is a complaint.)
    let wishes_it_ended = crate::lexicon::opening(List::Wish, &lower).is_some_and(|wish| {
        let verb = lower[wish.len()..].split_whitespace().next().unwrap_or("");
        (wish.contains(" not ") || wish.contains("n't "))
            && !crate::lexicon::is_word_of(List::UndergoingVerb, verb)
    });
    // The end of a clause counts too: "Don't put secrets in .env files anymore; use Vault".
    let ends_a_practice = (opens_as_instruction || waives || wishes_it_ended)
        && [" anymore", " any more", " any longer"].iter().any(|end| {
            lower.match_indices(end).any(|(at, _)| {
                lower[at + end.len()..]
                    .chars()
                    .next()
                    .is_none_or(|c| matches!(c, '.' | '!' | ';' | ',' | ':' | ')'))
            })
        });
    // Standing for a reason other than a marker phrase (computed once: naming what a
    // prohibition protects analyses the sentence).
    // A change taking effect ("Starting today, …") holds from then on.
    let standing_otherwise = scoped_to_the_project
        || effective_from.is_some()
        || closing_ever
        || ended_for_good
        || ends_a_practice
        || asked_to_remember
        || guards_something_named(stripped, &lower, &cues)
        || rules_every_case(&cues, &whole_lower)
        || obliges_every_case(&lower);
    let future_is_no_scope = cues.phrases(List::Standing).any(|(at, phrase)| {
        matches!(phrase, "in the future" | "in future")
            && future_is_no_scope(&whole_lower, at, at + phrase.len())
    });
    // "Update the tasks in tasks.json so that we run the script whenever a user saves": a
    // marker inside the purpose of an edit says how the edited thing behaves, not how to work.
    // (Also a question the request embeds: "find out why the text is always white".)
    let purpose_at = [
        " so that ",
        " so it ",
        " such that ",
        " in order that ",
        " why ",
        " whether ",
    ]
    .iter()
    .filter_map(|opener| whole_lower.find(opener))
    .chain(result_clause_at(&whole_lower))
    .min();
    // A marker in an aside ("(not always obvious when …)", "`.env` (Secure, Never Commit)")
    // qualifies a word of it, not the sentence.
    // "Run the linter and always …": a sentence that opens as an instruction or a request makes
    // its "always" a rule, whatever comes before it in its clause.
    let opens_to_act = cues.opens_with(List::Instruction) || opens_with_a_request(&lower, &cues);
    let markers: Vec<&str> = cues
        .outside(List::Standing, List::ListenerChoice)
        .filter(|(at, _)| purpose_at.is_none_or(|purpose| *at < purpose))
        .filter(|(at, _)| !in_an_aside(&whole_lower, *at))
        .filter(|(at, phrase)| opens_to_act || !describes_a_habit(&whole_lower, *at, phrase))
        .map(|(_, phrase)| phrase)
        .filter(|phrase| !(future_is_no_scope && matches!(*phrase, "in the future" | "in future")))
        .collect();
    // "The boxes should glow in their colours by default", "the UI opens the detail view by
    // default": the default of what is being built, not a rule for the agent. "By default, use
    // pnpm" and "Prefer tabs by default" open as instructions and stay rules.
    // A generic subject keeps it a rule: "Command-line software which adds colour by default
    // should honour NO_COLOR" is about any such software.
    let default_of_the_product = markers.iter().all(|phrase| *phrase == "by default")
        && !cues.opens_with(List::Instruction)
        && !cues.opens_with(List::Standing)
        && !opens_standing_with_lead_in
        && names_a_definite_thing(&lower);
    let standing = standing_otherwise || (!markers.is_empty() && !default_of_the_product);
    // "By default" in a request names the default of what is being built ("modify the export
    // to include token counts by default", "exclude reasoning steps by default"), not a rule
    // for the agent — unless it opens the sentence: "By default, include the ticket number in
    // the subject line" tells the agent what to do whenever nothing else is said.
    let standing_beyond_default = standing_otherwise
        || opens_standing_with_lead_in
        || markers.iter().any(|phrase| *phrase != "by default");
    // "When you add a dependency, pin its version": what to do whenever the condition holds.
    let rule_after_condition = rule_after_condition(&lower);
    let memory_like = standing
        || rule_after_condition
        || cues.has(List::Instruction)
        || cues.has(List::Change)
        || takes_effect.is_some()
        || team_changed
        || cues.has(List::Decision);
    let skip = |reason| Verdict::Skip {
        reason,
        memory_like,
    };
    if let Err(reason) = well_formed(sentence, limits) {
        return skip(reason);
    }
    if written_in_another_language(stripped) {
        return skip("not in English: the built-in rules read English only");
    }
    if sentence.trim_end().ends_with('?') || asks(&lower, &cues) {
        return skip("a question, not a statement");
    }
    if describes_a_problem(&lower) {
        return skip("describes a problem (a bug report), not a rule or a fact to remember");
    }
    if lexicon::opening(List::TaskLabel, &lower).is_some() && markers.is_empty() {
        return skip("states the task at hand (a `Task:` label), not a rule or a fact to remember");
    }
    // "Increase overall padding: change the outer div to p-6": a label that is itself a
    // request heads a step of this task.
    if markers.is_empty()
        && let Some((label, _)) = lower.split_once(": ")
        && label.split_whitespace().count() <= 5
        && (Cues::scan(label).opens_with(List::Request)
            || label
                .split_whitespace()
                .next()
                .is_some_and(|verb| lexicon::is_word_of(List::ChangeVerb, verb)))
    {
        return skip("a request about the task at hand");
    }
    // "Toggle works – now add the Card components": after a verdict on the last step, "now"
    // opens the next request.
    if markers.is_empty()
        && [" – now ", " — now ", " - now ", "; now "]
            .iter()
            .any(|separator| lower.contains(separator))
    {
        return skip("a request about the task at hand");
    }
    if fences_this_edit(&lower) {
        return skip(
            "fences in the task at hand (\"do not touch anything else\"), not a standing rule",
        );
    }
    // "src/app/api/start/route.ts: remove the mock metrics …": an item of a task list for one
    // file. A rule for a file says so ("in route.ts, always …").
    if opens_with_a_path_label(stripped) && markers.iter().all(|phrase| *phrase == "by default") {
        return skip("a task for one file (`path: what to change`), not a standing rule");
    }
    if cues.has(List::Temporary) || text::marks_work_in_progress(stripped) {
        return skip("marked temporary");
    }
    if narrates_events(&lower, &cues) {
        return skip("reports events or what someone said, not a rule");
    }
    // "Latency went up to 2s after the deploy": a number that moved at a moment of the work's
    // history was measured then; "The cloud budget went up to $500" is a value someone set.
    // A limit someone sets ("Max upload size went up to 50 MB yesterday", "the request quota
    // went down to 100") is set whenever it moved.
    if cues.phrases(List::MeasuredMovement).any(|(moved_at, _)| {
        let set_limit = lower.get(..moved_at).is_some_and(|subject| {
            subject
                .split(|c: char| !c.is_alphanumeric())
                .any(|word| lexicon::is_word_of(List::SetLimit, word))
        });
        !set_limit
            && cues
                .phrases(List::EventMoment)
                .any(|(moment_at, _)| moment_at > moved_at)
    }) {
        return skip(
            "reports how a number moved at some moment (\"… after the deploy\"), not a value \
             someone set",
        );
    }
    // An imperative with a standing marker ("In the future, add an entry to CHANGELOG.md …")
    // is a standing instruction, not a request.
    let request = opens_with_a_request(&lower, &cues)
        && !cues.opens_with(List::Instruction)
        && !standing_beyond_default
        && !cues.opens_with(List::Decision);
    // A deictic word ties an instruction to this task, but not an announced change of value
    // ("the status page was changed to X this week").
    // "… right now" is this moment, not a new value.
    let closing_now = lower
        .trim_end_matches('.')
        .strip_suffix(" now")
        .is_some_and(|rest| !rest.ends_with(" right"));
    // A change cue after "be" asks for the change ("the form needs to be updated to match the
    // PDF"); "has been changed to" reports one.
    // So does the moment a change takes effect ("… as of next Monday"), and the team saying
    // it changed something ("We bumped the toolchain to Go 1.23": a verb of change right after
    // "we").
    let change_cue = cues
        .phrases(List::Change)
        .any(|(at, _)| !requested_not_done(&whole_lower, at))
        || takes_effect.is_some()
        || team_changed;
    // A contrast ("… rather than wiping", "instead of") chooses between two ways; it announces
    // no new value that would outweigh a deictic "for this batch".
    let announcing_cue = cues.phrases(List::Change).any(|(at, phrase)| {
        !requested_not_done(&whole_lower, at) && !lexicon::is_word_of(List::Contrast, phrase)
    }) || takes_effect.is_some()
        || team_changed;
    // The statement's subject and value, found once and only when a rule below needs them.
    let slot = std::cell::LazyCell::new(|| text::slot(stripped));
    let slot = || std::cell::LazyCell::force(&slot).as_ref();
    // The value is an identifier or quoted code ("New GCP project id: acme-prod-2").
    let slot_names_a_value = || {
        slot().is_some_and(|slot| {
            !slot.value_analysis.anchors.is_empty() || !slot.value_analysis.code_spans.is_empty()
        })
    };
    let announced_value = (announcing_cue || closing_now) && slot_names_a_value();
    // A bare "here" next to a standing marker names the place ("we always use pnpm here"),
    // not the task at hand.
    // In a standing rule, "it" after "a bug" points back to that bug, any bug ("Always write a
    // test that reproduces a bug before fixing it"), not to something of this task.
    // Only a sentence that opens as a rule says so: in "I need a way to stop you doing it in
    // the future" the "it" is something of this task.
    let opens_as_a_rule =
        cues.opens_with(List::Standing) || opens_as_instruction || rule_after_condition;
    let generic_it = standing
        && opens_as_a_rule
        && lower
            .split_whitespace()
            .take_while(|w| w.trim_matches(|c: char| !c.is_alphanumeric()) != "it")
            .any(|w| matches!(w, "a" | "an" | "any" | "every" | "each"));
    // In a rule, an "it" that opens the clause giving the reason ("Don't use yarn; it breaks
    // the lockfile", "Never use the notify-ctl script, it is for operators only") is what the
    // rule names, not something of this task.
    let reason_it = opens_as_a_rule && it_opens_a_reason(&lower);
    let one_off = cues
        .outside(List::OneOff, List::StandingScope)
        // "Starting today, …", "… as of today": the day a change starts, not this task.
        .filter(|&(at, _)| takes_effect.as_ref().is_none_or(|when| !when.contains(&at)))
        .any(|(_, phrase)| {
            // A bare "here" next to a standing marker is the place; a generic "it" is the thing;
            // and "the tests", "your changes" in a rule that opens as one are whatever tests
            // and changes there are then ("Always run the tests before pushing"). A "never"
            // further on may describe this code ("… returns early and never executes the
            // test"), so the rule must open with its marker.
            let definite = ["the ", "my ", "your "]
                .iter()
                .any(|article| phrase.starts_with(article));
            // "From now on, …" is stripped before the opening is read, but opens the rule.
            let opens_as_rule =
                definite && standing && (opens_as_a_rule || opens_standing_with_lead_in);
            let not_the_task = (phrase == "here" && standing)
                || (phrase == "it" && (generic_it || reason_it))
                || opens_as_rule;
            !not_the_task
        })
        && !announced_value;
    // "Can't we use a different provider maybe": a decision cue asked, not stated.
    let decision = cues.phrases(List::Decision).any(|(at, phrase)| {
        !asked_not_stated(&whole_lower, at, phrase) && !in_relative_clause(&whole_lower, at, phrase)
    });
    let first_person = cues.opens_with(List::FirstPersonState) && !decision;
    // A value: an identifier, a value of a closed set, quoted code (`just migrate`), a channel
    // (`#incidents`), or a name written capitalised inside the sentence ("… uses Vite now").
    // Said of the speaker's own life ("It's part of my daily routine now", "I'm living my
    // dreams now"), a "now" tells a story, not a value of the project.
    let of_the_speaker = lower
        .split(|c: char| !c.is_alphanumeric() && c != '\'')
        .any(|word| matches!(word, "i" | "i'm" | "i've" | "my" | "me" | "mine"));
    let names_value = || {
        !of_the_speaker
            && (stripped.contains('`')
                || text::raw_tokens(stripped)
                    .iter()
                    .enumerate()
                    .any(|(at, token)| {
                        text::is_anchor(token.text)
                        || text::value_family(token.text).is_some()
                        || stripped[..token.start].ends_with('#')
                        // (Not a word in capitals: that is shouting, not a name.)
                        || (at > 0
                            && token.text.chars().next().is_some_and(char::is_uppercase)
                            && token.text.chars().any(char::is_lowercase)
                            && !stripped[..token.start].trim_end().ends_with(['.', ':', '!', '?']))
                    }))
    };
    // "X is Y now" announces a new value as plainly as "X is now Y".
    // So does "We deploy on Tuesdays now": a value (a weekday, a count, an identifier) with a
    // closing "now".
    // "Tables are good now", "the build is fine now": a verdict on the work, not a value.
    let trailing_now = lower
        .trim_end_matches(['.', '!'])
        .strip_suffix(" now")
        // "… go to Vercel these days": nowadays, said as news like a closing "now".
        .or_else(|| {
            lower
                .trim_end_matches(['.', '!'])
                .strip_suffix(" these days")
        })
        .or_else(|| lower.trim_end_matches(['.', '!']).strip_suffix(" nowadays"))
        .filter(|rest| {
            let last = rest.split_whitespace().last().unwrap_or("");
            !crate::lexicon::is_word_of(List::Evaluative, last)
                && !crate::lexicon::is_word_of(List::Verdict, last)
        })
        .is_some_and(|rest| {
            // "All endpoints are in the scope now": a place or a state said with nothing named
            // in it describes the work; "The docs are in Notion now" names where they went.
            let copula_value = [" is ", " are "]
                .iter()
                .filter_map(|copula| rest.rfind(copula).map(|at| &rest[at + copula.len()..]))
                .min_by_key(|value| value.len());
            match copula_value {
                Some(value) => {
                    let prepositional = value.split_whitespace().next().is_some_and(|first| {
                        matches!(
                            first,
                            "in" | "on"
                                | "at"
                                | "within"
                                | "inside"
                                | "under"
                                | "part"
                                | "out"
                                | "off"
                                | "of"
                                | "by"
                        )
                    });
                    !prepositional || names_value()
                }
                None => {
                    !rest.ends_with(" right")
                        && !rest.ends_with(" for")
                        && (names_value() || the_team_names_its_tool(&lower))
                }
            }
        });
    // "… i will saturate the soil now", "we'll close the week now": what the speaker is about
    // to do, the moment, not a new value.
    let about_to = lower.find(" now").is_some_and(|at| {
        let before = &lower[..at];
        [" will ", "'ll ", "going to ", "gonna ", "about to "]
            .iter()
            .any(|future| before.contains(future))
    });
    // "… starting next month" says so as plainly.
    let now_announces =
        ((trailing_now || now_before_verb(&lower)) && !about_to) || takes_effect.is_some();
    // A contrast alone ("… so what are parts of steering, instead of saying steering part")
    // chooses a wording or complains; it announces a new value only when it names one.
    let contrast_only = change_cue && !announcing_cue && !now_announces;
    let change = (change_cue || now_announces) && !request && (!contrast_only || names_value());
    // A rule after its condition ("Before you make any changes, run `make check`") is an
    // instruction without a standing marker: "when you're done, push" is as often for this task,
    // so it needs a second session, like any unmarked instruction.
    let instruction = cues.has(List::Instruction) || rule_after_condition;
    if request {
        return skip("a request about the task at hand");
    }
    // "I would prefer that the sharing flows are actually tested properly": a wish about
    // definite things of this work; "prefer" is its only marker. "I prefer tabs", "I'd prefer
    // that you always run the tests first" set a preference.
    let only_prefers = !markers.is_empty()
        && markers
            .iter()
            .all(|phrase| phrase.split_whitespace().last() == Some("prefer"));
    let wish_about_this_work = only_prefers
        && lower.split_once("prefer that ").is_some_and(|(_, rest)| {
            matches!(
                rest.split_whitespace().next(),
                Some("the" | "this" | "these" | "those" | "it" | "our" | "my" | "your")
            )
        });
    if wish_about_this_work {
        return skip(
            "a wish about the work at hand (\"I would prefer that the …\"), not a standing preference",
        );
    }
    // "Your job now is to make every test pass", "The plan is to move the API first": a goal
    // set for the work, not a value to remember ("The rule is to …" states one).
    if !standing && !decision && sets_a_goal(stripped) {
        return skip("sets a goal for the work at hand, not a fact");
    }
    // "Remember that my personal email is …", "… my GitHub handle is `jdoe`": asked to keep an
    // identifier of their own, the person states a fact to remember ("Remember that I'm out on
    // Friday" names none).
    let keeps_own_value = asked_to_remember
        && (stripped.contains('`')
            || text::raw_tokens(stripped)
                .iter()
                .any(|token| text::is_anchor(token.text)));
    if first_person && !keeps_own_value {
        return skip("describes the speaker, not a rule or a fact");
    }
    if offers_to_the_listener(&lower) {
        return skip("the speaker offers to do something for the listener, not a rule");
    }
    if one_off {
        return skip("about the task at hand (refers to this work, not future work)");
    }
    // "They always make us smile.", "You never shy away from a challenge.": a standing word in
    // a description of someone, not a rule ("You must always run the linter" is one).
    // "They definitely prefer sunny days": what someone else prefers describes them.
    let instructs = cues
        .phrases(List::Instruction)
        .any(|(_, phrase)| !phrase.ends_with("prefer"));
    if standing && !decision && !instructs && cues.opens_with(List::Describing) {
        return skip("says what someone or something is like, not a rule");
    }
    if standing
        && !decision
        && !cues.opens_with(List::Instruction)
        && describes_in_passing(stripped, &lower)
    {
        return skip("says what someone or something is like, not a rule");
    }
    // "Always the same error with the db path": a standing word before a noun phrase, with no
    // verb to follow, complains; a rule says what to do ("Always use …").
    let mut words = lower.split_whitespace();
    if matches!(words.next(), Some("always" | "never"))
        && words.next().is_some_and(|next| {
            matches!(
                next,
                "the" | "a" | "an" | "this" | "that" | "these" | "those" | "same" | "such" | "my"
            )
        })
    {
        return skip("says what keeps happening, not a rule");
    }
    // "We keep shooting from the hip", "we keep breaking the build": "keep" with a verb in -ing
    // reports a habit; "we keep the changelog in docs/" decides where things live.
    if after_the_team(&lower).is_some_and(|rest| {
        let mut words = rest.split_whitespace();
        words.next() == Some("keep")
            && words
                .next()
                .is_some_and(|verb| verb.len() > 4 && verb.ends_with("ing") && verb != "using")
    }) {
        return skip("says what keeps happening, not a rule");
    }
    // "We are going to start wrapping up a few loose ends": the next steps of this work, not
    // how the project does things ("We are going to use Postgres").
    if ["going to ", "gonna "].iter().any(|plan| {
        lower.split_once(plan).is_some_and(|(_, next)| {
            next.split_whitespace()
                .next()
                .is_some_and(|verb| lexicon::is_word_of(List::NextStepVerb, verb))
        })
    }) {
        return skip("a plan for the work at hand, not a decision");
    }
    // "For example, some servers … never register as connected": an illustration of something
    // said before, not a rule of its own.
    if lexicon::opening(List::ExampleOpening, &lower).is_some() {
        return skip("an example of something said before, not a rule");
    }
    // "You're using eslint.config.js, …": what the listener is doing now, often a tool's own
    // message pasted back ("You are running in CI mode").
    if ["you're ", "you are ", "youre "].iter().any(|opening| {
        lower.strip_prefix(opening).is_some_and(|rest| {
            rest.split_whitespace()
                .next()
                .is_some_and(|verb| verb.len() > 4 && verb.ends_with("ing"))
        })
    }) {
        return skip("says what the listener is doing, not a rule or a fact");
    }
    if evaluates(&lower) {
        return skip("an opinion of something, not a rule");
    }
    if cues.has(List::Encouragement) {
        return skip("encouragement, not a rule");
    }
    // An exclamation that tells no one to do anything ("Wow, that sounds awesome!", "Rock
    // concerts always have such an atmosphere!") is a reaction; an instruction opens with what
    // to do ("Never push to main!").
    let opens_instruction = cues.opens_with(List::Instruction) || cues.opens_with(List::Standing);
    if sentence.trim_end().ends_with('!') && !opens_instruction && !decision {
        return skip("an exclamation, not a statement");
    }
    // "We are going with codemirror": the tool the team chose is the specific part.
    if !specific(stripped) && !the_team_names_its_tool(&lower) {
        return skip("not specific enough to act on");
    }
    if refers_back(&lower) {
        return skip(
            "refers back to something said before (\"it\"): a memory names what it is about",
        );
    }
    if ends_pointing_back(&lower) {
        return skip(
            "ends on what was shown before (\"… use that format\"): a memory names what it is \
             about",
        );
    }
    // What is to be remembered is a rule or a fact by its own form, not by "remember".
    let form_cues = if asked_to_remember {
        Cues::scan(&lower)
    } else {
        cues.clone()
    };
    // "But if the House is asking for X rather than Y…": a condition with no rule after it
    // says what might be, not what is.
    if !standing && !decision && !instruction && opens_with_a_condition(&lower) {
        return skip("a condition (\"if …\"), not a statement of fact");
    }
    let class_by_form = if decision || standing || instruction {
        // An imperative with a standing word is a rule, whatever its verb ("Remove the
        // sanitizer, always render everything", "Deploy with Kamal from now on").
        if instruction_form(&lower, &form_cues)
            || opens_with_a_request(&lower, &form_cues)
            || rule_after_condition
            || instruction_after_scope
        {
            Class::Preference
        } else {
            Class::Fact
        }
    } else {
        Class::Fact
    };
    // "We changed the sleep time to 10 minutes, it seems", "maybe we use another provider":
    // the speaker is not sure, so it is no fact to remember (a rule may hedge its reason).
    if class_by_form == Class::Fact && cues.has(List::Hedge) {
        return skip("hedged (\"maybe\", \"I guess\", \"it seems\"): the speaker is not sure");
    }
    // "The text is too big now, please revert": a complaint about how the work looks, not a
    // fact about the project.
    if !standing && !decision && complains_of_degree(&lower) {
        return skip("a complaint about how something is (\"too big\"), not a fact or a rule");
    }
    // "Your Phase-3 alpha now looks both ambitious and buttoned-up": how something strikes the
    // speaker, not a fact about it.
    if !standing && !decision && gives_an_impression(&lower) {
        return skip("an impression (\"looks ambitious\"), not a fact or a rule");
    }
    // "The project is well-structured with a clear separation of concerns": a grade given to
    // the work, naming nothing to look up ("The API is well documented in `docs/api.md`" does).
    let graded = lower
        .split_whitespace()
        .collect::<Vec<_>>()
        .windows(2)
        .any(|pair| matches!(pair[0], "is" | "are" | "looks") && pair[1].starts_with("well-"));
    if !standing && graded && text::analyze(stripped).anchors.is_empty() {
        return skip("an opinion of something, not a rule");
    }
    // "… so once we build the prototype we will resume the logging": a plan that waits on an
    // event of the work, not a settled decision.
    if decision && !standing && waits_on_an_event(&lower) {
        return skip("a plan that waits on something (\"once …\"), not a settled decision");
    }
    if standing || decision {
        return Verdict::Candidate {
            class: class_by_form,
            support: Support::Marked,
            change,
        };
    }
    if slot().is_some_and(reports_how_the_work_stands) {
        return skip(
            "says how the work stands now (\"the build is green now\"), not a value to remember",
        );
    }
    // "The sidebar is gone", "the export button was removed": with nothing named (no identifier,
    // no capitalised name), as often a bug report as a decision; a store item naming it is
    // still retired, but the sentence is no memory of its own.
    if change && gone_unnamed(stripped) {
        return skip("says something unnamed is gone (a bug report as often as a decision)");
    }
    // "We no longer use Travis CI", "We're dropping Firebase", "Dana Whitfield has left the
    // company": the end of something named, said by the people who decided it, is as durable a
    // fact as its start (an agent that still suggests the tool repeats a settled question).
    // (Gone for one purpose only, "no longer used for the login path", it updates the items
    // about that purpose but is no fact of its own.)
    if change
        && crate::updates::retirements(stripped)
            .iter()
            .any(|retirement| retirement.name.is_some() && retirement.practice.is_empty())
    {
        return Verdict::Candidate {
            class: Class::Fact,
            support: Support::Marked,
            change: true,
        };
    }
    // "We switched from Jest to Vitest", "We renamed the project from ProjectTracker to
    // matterbase": one named value replaced by another, said by the people who decided it.
    // The cue must be a verb of change: "… item 1 instead of the one selected" is as often a
    // complaint about what happens.
    let team_change = cues
        .phrases(List::Change)
        .next()
        .is_some_and(|(at, phrase)| {
            [
                "switch", "mov", "migrat", "updat", "upgrad", "downgrad", "replac", "swap",
            ]
            .iter()
            .any(|verb| phrase.contains(verb))
                // `at` is an offset in the whole sentence, where the cues were found.
                && crate::updates::said_by_the_team(whole_lower.get(..at).unwrap_or_default())
        });
    if change
        && team_change
        && crate::updates::from_sentence(stripped)
            .iter()
            .any(|substitution| substitution.old.is_some() && substitution.file.is_none())
    {
        return Verdict::Candidate {
            class: Class::Fact,
            support: Support::Marked,
            change: true,
        };
    }
    // "New GCP project id: acme-prod-2" announces a value as plainly as "X is now Y"; "New keys
    // are added." names none.
    let announces_new =
        lower.starts_with("new ") && (stripped.contains(": ") || slot_names_a_value());
    if (change || announces_new) && slot().is_some() {
        return Verdict::Candidate {
            class: Class::Fact,
            support: Support::Marked,
            change: true,
        };
    }
    // "The on-call rotation now changes every Wednesday": a change of a value (a weekday, a
    // count, an identifier) said without "is". Only "now" says so here: "instead" without a
    // subject and its value is as often a complaint ("… shows item 1 instead of the one
    // selected") or a request.
    if now_announces && !request && (names_value() || the_team_names_its_tool(&lower)) {
        return Verdict::Candidate {
            class: Class::Fact,
            support: Support::Marked,
            change: true,
        };
    }
    if instruction && (instruction_form(&lower, &cues) || rule_after_condition) {
        // "Again, don't edit anything": said once more, but a ban on touching anything at all
        // holds while the person looks at the work, not for good.
        let freezes_everything = text::analyze(stripped).negated
            && lower
                .split(|c: char| !c.is_alphanumeric())
                .any(|word| word == "anything");
        return Verdict::Candidate {
            class: Class::Preference,
            support: if (repeated && !freezes_everything) || chooses_a_tool_for_a_role(&lower) {
                Support::Marked
            } else {
                Support::Repeated
            },
            change,
        };
    }
    if slot().is_some_and(|slot| {
        !slot.value_analysis.anchors.is_empty() || slot.value_analysis.word_set.len() <= 3
    }) {
        return Verdict::Candidate {
            class: Class::Fact,
            support: Support::UpdateOnly,
            change,
        };
    }
    skip("no standing instruction or durable fact")
}

/// Whether the "always" or "never" at `at` of lowercase text says how a thing behaves ("The
/// nightly build always fails on the first run", "hitting /clear always creates a file"), not
/// how anyone is to work: its clause has a subject with no person in it ("we", "you", "tools
/// that we install"), nothing of the team's own ("our pipeline", "my commits"), no modal
/// ("tests should always pass") and no joint to an earlier instruction ("Run the linter and
/// always …"; the caller keeps every marker of a sentence that opens as an instruction or a
/// request). Such a sentence is a fact like any other, said once.
fn describes_a_habit(lower: &str, at: usize, phrase: &str) -> bool {
    if !matches!(phrase, "always" | "never") || at == 0 {
        return false;
    }
    // The clause the adverb is in: from the last comma, semicolon or colon before it.
    let clause_start = lower[..at]
        .rfind([',', ';', ':'])
        .map_or(0, |comma| comma + 1);
    let subject: Vec<&str> = lower[clause_start..at]
        .split_whitespace()
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric() && c != '\''))
        .filter(|w| !w.is_empty())
        .collect();
    // A person anywhere in the subject ("tools that we can install are always preferred") or a
    // modal makes it a rule.
    !subject.is_empty()
        && !subject
            .iter()
            .any(|word| lexicon::is_word_of(List::RuleSubject, word))
}

/// Whether the "in the future" at `start..end` of lowercase text is not the scope of a rule
/// ("In the future, add an entry to CHANGELOG.md", "in future sessions"), but:
/// - what is planned ("…, which in the future may support richer values");
/// - the future of a purpose ("modify the agent to prevent the same issue in the future"): the
///   instruction itself is this task's;
/// - a noun of the domain right after it that is not the agent's later work ("increase the text
///   size in future days").
fn future_is_no_scope(lower: &str, start: usize, end: usize) -> bool {
    let (before, after) = (
        lower.get(..start).unwrap_or(""),
        lower.get(end..).unwrap_or(""),
    );
    let planned = lexicon::opening(List::Planned, after.trim_start()).is_some();
    let purpose = lexicon::words(List::PurposeLeadIn)
        .iter()
        .any(|lead_in| before.contains(&format!(" {lead_in} ")));
    let next_word = after
        .strip_prefix(' ')
        .and_then(|rest| rest.split(|c: char| !c.is_alphanumeric()).next())
        .unwrap_or("");
    let domain_noun = !next_word.is_empty()
        && next_word.chars().all(char::is_alphabetic)
        && !lexicon::is_word_of(List::Stopword, next_word)
        && !lexicon::is_word_of(List::FutureWork, next_word);
    planned || purpose || domain_noun
}

/// Whether a standing word sits in a clause that describes someone rather than sets a rule:
/// "…, they always have my back", "… and I'm always trying new things", "… - always supporting
/// each other" (a habit, in the "-ing" form), "we can always count on them" (what is possible,
/// with nothing named to act on).
fn describes_in_passing(statement: &str, lower: &str) -> bool {
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_alphanumeric() && c != '\'' && c != '’')
        .filter(|w| !w.is_empty())
        .collect();
    let subject = |w: &str| lexicon::is_word_of(List::DescribingSubject, w);
    let marker = |w: &str| matches!(w, "always" | "never");
    let someone_always = words.windows(2).any(|w| subject(w[0]) && marker(w[1]))
        || words
            .windows(3)
            .any(|w| subject(w[0]) && matches!(w[1], "is" | "are" | "not") && marker(w[2]));
    // "- always supporting", ", always trying": a habit after a pause, not "Always run …".
    let habit = [" - ", " – ", " — ", ", "].iter().any(|pause| {
        ["always ", "never "].iter().any(|m| {
            lower
                .match_indices(&format!("{pause}{m}"))
                .any(|(at, found)| {
                    let next = lower[at + found.len()..]
                        .split(|c: char| !c.is_alphanumeric())
                        .next()
                        .unwrap_or("");
                    next.len() > 5
                        && next.ends_with("ing")
                        && !matches!(next, "nothing" | "something" | "anything" | "everything")
                })
        })
    });
    let possible = words
        .windows(2)
        .any(|w| matches!(w[0], "can" | "could") && marker(w[1]))
        && {
            let analysis = text::analyze(statement);
            analysis.anchors.is_empty() && analysis.code_spans.is_empty()
        };
    // "Whenever I look at the city lights, it's so inspiring": the condition's standing word,
    // then a clause that says what something is like.
    let conditional = ["every time ", "whenever ", "each time "]
        .iter()
        .any(|opening| lower.starts_with(opening))
        && lower.split_once(", ").is_some_and(|(_, main)| {
            let first = main.split_whitespace().next().unwrap_or("");
            matches!(
                first,
                "it's" | "it’s" | "that's" | "that’s" | "it" | "this" | "i" | "i'm" | "i’m"
            )
        });
    // "The flavors always remind me of home": what something makes the speaker feel.
    let feeling = words.windows(3).any(|w| {
        marker(w[0])
            && matches!(w[1], "remind" | "reminds" | "make" | "makes")
            && matches!(w[2], "me" | "us")
    });
    // "Always falls back to a local image" (a list of what a component does): the verb agrees
    // with a subject left out, so it describes a thing; "Always fall back …" is the rule. The
    // same after a label: "Toggle 2D/3D while playing: never freezes, never blanks" says what
    // a check must see.
    let describes_without_subject = |words: &[&str]| {
        words.len() >= 2 && marker(words[0]) && {
            let verb = words[1];
            verb.len() > 3
                && verb.ends_with('s')
                && !["ss", "us", "is", "'s", "’s"]
                    .iter()
                    .any(|ending| verb.ends_with(ending))
        }
    };
    let after_label: Vec<&str> = lower
        .split_once(": ")
        .map(|(_, rest)| {
            rest.split(|c: char| !c.is_alphanumeric() && c != '\'' && c != '’')
                .filter(|w| !w.is_empty())
                .collect()
        })
        .unwrap_or_default();
    let subjectless = describes_without_subject(&words) || describes_without_subject(&after_label);
    someone_always || habit || possible || conditional || feeling || subjectless
}

/// Whether a statement only says that something it does not name is gone: "X is gone / was
/// removed / no longer exists", X without an identifier or a capitalised name.
fn gone_unnamed(statement: &str) -> bool {
    let Some(slot) = text::slot(statement) else {
        return false;
    };
    let value = slot.value.to_lowercase();
    let gone = matches!(
        value.trim_end_matches(['.', '!']),
        "gone" | "removed" | "deleted" | "missing" | "broken" | "dead"
    );
    if !gone || !slot.subject_anchors.is_empty() {
        return false;
    }
    // The subject as written: a capitalised word in it is a name. (Found in the text itself:
    // offsets in a lowercased copy need not be offsets in the text.)
    let subject_end = [" is ", " was ", " are "]
        .iter()
        .filter_map(|verb| statement.find(verb))
        .min();
    let subject = subject_end.map_or(statement, |end| &statement[..end]);
    // The first word is capitalised anyway: a name only when it is no everyday word.
    !subject.split_whitespace().enumerate().any(|(at, word)| {
        word.chars().next().is_some_and(char::is_uppercase)
            && (at > 0 || !text::is_common_word(&word.to_lowercase()))
    })
}

/// The text without its backtick-quoted spans: what a sentence says in its own words.
fn outside_code_quotes(text: &str) -> String {
    text.split('`').step_by(2).collect::<Vec<_>>().join(" ")
}

/// Whether text (a sentence without its code quotes) holds an element with an attribute
/// (`<Canvas frameloop="always">`, `<a href={url}>`): markup or JSX, not prose.
fn element_with_attribute(unquoted: &str) -> bool {
    unquoted.match_indices('<').any(|(at, _)| {
        let rest = &unquoted[at + 1..];
        let name_end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_')))
            .unwrap_or(rest.len());
        if name_end == 0 || !rest.starts_with(|c: char| c.is_ascii_alphabetic()) {
            return false;
        }
        let Some(attribute) = rest[name_end..].strip_prefix(' ') else {
            return false;
        };
        let attribute_end = attribute
            .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | ':')))
            .unwrap_or(attribute.len());
        attribute_end > 0
            && attribute[attribute_end..]
                .strip_prefix('=')
                .is_some_and(|value| value.starts_with(['"', '\'', '{']))
    })
}

/// Whether a statement, after a short label ("Progress Bar UI: …"), opens with a definite
/// thing ("the boxes", "this page", "our UI"): a description of one product's behaviour.
fn names_a_definite_thing(lower: &str) -> bool {
    let body = lower
        .split_once(": ")
        .filter(|(label, _)| label.split_whitespace().count() <= 5)
        .map_or(lower, |(_, rest)| rest);
    body.split_whitespace().next().is_some_and(|first| {
        matches!(
            first,
            "the" | "this" | "these" | "those" | "our" | "my" | "your" | "its" | "their"
        )
    })
}

/// Whether a sentence opens with a file path and a colon (`src/api/route.ts: remove …`).
fn opens_with_a_path_label(sentence: &str) -> bool {
    sentence.split_once(": ").is_some_and(|(label, _)| {
        let label = label.trim().trim_matches('`');
        !label.contains(char::is_whitespace)
            && label.contains('/')
            && crate::tools::file_name(label).contains('.')
    })
}

/// Whether a change cue at `at` follows "be": the change is asked for or expected ("needs to be
/// updated to match", "should be moved to"), not announced.
fn requested_not_done(lower: &str, at: usize) -> bool {
    word_before(lower, at) == Some("be")
}

/// The word right before byte `at` of a lowercase sentence, without its punctuation.
fn word_before(lower: &str, at: usize) -> Option<&str> {
    lower
        .get(..at)
        .and_then(|before| before.split_whitespace().next_back())
        .map(|word| word.trim_matches(|c: char| !c.is_alphanumeric() && c != '\''))
}

/// Whether a prohibition fences in the edit at hand: it keeps the agent off everything else
/// ("Do NOT change anything else", "Do not touch any other files", "… or other cards", "the
/// rest of the page"), which is the scope of this task, not a rule for the next.
fn fences_this_edit(lower: &str) -> bool {
    if lexicon::opening(List::Prohibition, lower).is_none() {
        return false;
    }
    const PARTS: &[&str] = &[
        "file",
        "files",
        "part",
        "parts",
        "code",
        "card",
        "cards",
        "component",
        "components",
        "section",
        "sections",
        "folder",
        "folders",
        "page",
        "pages",
        "line",
        "lines",
        "function",
        "functions",
        "module",
        "modules",
        "logic",
        "screen",
        "screens",
    ];
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    // "other files", or one word between ("other parts of", "other Supabase cards").
    let other_parts = words
        .windows(2)
        .any(|pair| pair[0] == "other" && PARTS.contains(&pair[1]))
        || words
            .windows(3)
            .any(|w| w[0] == "other" && PARTS.contains(&w[2]));
    other_parts
        || lower.contains("anything else")
        || lower.contains("nothing else")
        || lower.contains("the rest of the")
}

/// Whether a sentence opens as the description of a problem: a label ("Problem:", "Root
/// cause:"), a numbered one ("Error 2:", "Bug 3:"), or "The issue is that …".
fn describes_a_problem(lower: &str) -> bool {
    if lexicon::opening(List::ProblemOpening, lower).is_some() {
        return true;
    }
    let mut words = lower.split_whitespace();
    matches!(
        words.next(),
        Some("error" | "bug" | "issue" | "problem" | "symptom")
    ) && words.next().is_some_and(|label| {
        label.len() > 1
            && label.ends_with(':')
            && label
                .trim_end_matches(':')
                .chars()
                .all(|c| c.is_ascii_digit())
    })
}

/// Whether a decision cue ("we use", "we will use") is asked rather than stated: it opens with
/// "we" right after an auxiliary that inverts a question ("can't we use a different provider",
/// "should we use X"), with or without the "?".
/// Whether a "we use" sits in a relative clause whose object is the noun before it ("the
/// gradient we use in the shell segment", "the tools we use"): it names a thing, it states
/// no choice. "We use pnpm", "in this repo we use tabs" have their object after the verb.
fn in_relative_clause(lower: &str, at: usize, phrase: &str) -> bool {
    if !phrase.starts_with("we") || at == 0 {
        return false;
    }
    let after = lower.get(at + phrase.len()..).unwrap_or_default();
    let next = after
        .split(|c: char| !c.is_alphanumeric() && c != '\'' && c != '`')
        .find(|w| !w.is_empty());
    let object_follows = after
        .trim_start()
        .starts_with(|c: char| c.is_alphanumeric() || c == '`')
        && !next.is_some_and(|word| lexicon::is_word_of(List::ObjectGap, word));
    // The clause follows a noun: the word before "we" is no conjunction or opening phrase.
    let noun_before = word_before(lower, at).is_some_and(|word| {
        // Conjunctions and adverbs open a clause of the sentence's own ("when we deploy, …",
        // "now we use …").
        !matches!(
            word,
            "and"
                | "but"
                | "so"
                | "now"
                | "then"
                | "here"
                | "currently"
                | "also"
                | "still"
                | "that"
                | "when"
                | "whenever"
                | "if"
                | "unless"
                | "before"
                | "after"
                | "once"
                | "while"
                | "until"
                | "since"
                | "as"
                | "where"
                | "because"
                | "today"
                | "usually"
                | "always"
                | "never"
                | "generally"
                | "normally"
                | "typically"
        ) && !lower[..at].trim_end().ends_with([',', ':', ';'])
    });
    !object_follows && noun_before
}

fn asked_not_stated(lower: &str, at: usize, phrase: &str) -> bool {
    phrase.starts_with("we")
        && word_before(lower, at).is_some_and(|word| lexicon::is_word_of(List::QuestionAux, word))
}

/// Whether a sentence opens with a condition ("if", "unless", "whether", "suppose", after a
/// "but" or "and"): read alone it says what might be.
fn opens_with_a_condition(lower: &str) -> bool {
    let mut words = lower
        .split_whitespace()
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()));
    let mut first = words.next().unwrap_or("");
    if matches!(first, "but" | "and" | "so" | "or") {
        first = words.next().unwrap_or("");
    }
    matches!(first, "if" | "unless" | "whether" | "suppose" | "supposing")
}

/// Whether a statement gives the work a goal: its subject is a job, a task, a plan or the like,
/// and its value what to do ("Your task now is to port every module", "The next step is to
/// add tests").
fn sets_a_goal(statement: &str) -> bool {
    text::slot(statement).is_some_and(|slot| {
        let value = slot.value.to_lowercase();
        value.starts_with("to ")
            && !value.starts_with("to be ")
            && lexicon::words(List::Goal)
                .iter()
                .any(|goal| slot.subject.contains(&text::stem(goal)))
    })
}

/// Whether a sentence is a prohibition that protects something it names: it opens with a
/// guarded phrase ("don't touch", "do not lose") and names what it protects — an identifier or
/// path (`` `charming-analysis/writeups` ``) or something the speaker owns ("my data", "our
/// database"). Or it rules a practice out for good ("avoid force push entirely"). Such a
/// sentence outlasts the task even without "always"; a deictic word ("don't touch this") still
/// ties it to the task, which the one-off check sees.
fn guards_something_named(sentence: &str, lower: &str, cues: &Cues) -> bool {
    let owned = [" my ", " our "].iter().any(|owner| lower.contains(owner));
    let analysis = text::analyze(sentence);
    let named = !analysis.anchors.is_empty() || !analysis.code_spans.is_empty();
    let guarded =
        (cues.opens_with(List::Guarded) || warns_against_guarded(lower)) && (owned || named);
    let ruled_out = cues.has(List::Instruction)
        && analysis.negated
        && [" entirely", " altogether"]
            .iter()
            .any(|total| lower.contains(total));
    guarded || ruled_out
}

/// The standing rule a request ends with ("Fix the login page, and never use eval in the
/// frontend code" → "never use eval in the frontend code"): the clause after a clause boundary,
/// when that clause opens with a strong standing marker and the sentence opens as a request
/// about the task with no standing marker of its own. The request is not part of the rule.
pub(crate) fn standing_clause(sentence: &str) -> Option<&str> {
    const BOUNDARIES: &[&str] = &[", and ", "; and ", "; ", ", but ", " - ", " — ", ", "];
    // ASCII lowercasing keeps every byte where it was, so positions carry over.
    let lower = sentence.to_ascii_lowercase();
    // "Oh man, almost forgot this: every new file needs …": a short lead-in whose "this" points
    // at what follows the colon, not at the task.
    if let Some(at) = lower.find(": ") {
        let head = lower[..at].trim_end();
        let cataphoric = lexicon::words(List::Cataphoric)
            .iter()
            .any(|pointer| text::ends_with_word(head, pointer));
        if cataphoric && head.split_whitespace().count() <= 8 {
            return Some(sentence[at + 2..].trim());
        }
    }
    let head_cues = |end: usize| Cues::scan(&lower[..end]);
    let mut cuts: Vec<(usize, usize)> = BOUNDARIES
        .iter()
        .flat_map(|boundary| {
            lower
                .match_indices(boundary)
                .map(move |(at, found)| (at, at + found.len()))
        })
        .collect();
    cuts.sort_unstable();
    cuts.into_iter().find_map(|(at, after)| {
        let tail = lower.get(after..)?;
        // The clause opens with a standing marker of the lexicon ("never …", "from now on …").
        if !Cues::scan(tail).opens_with(List::Standing) {
            return None;
        }
        // A lone opener ("also, from now on …", "ok, never …") is no request of its own.
        if lower[..at].split_whitespace().count() < 2 {
            return None;
        }
        let head = head_cues(at);
        let request = head.opens_with(List::Request)
            && !head.opens_with(List::Instruction)
            && !head.has(List::Standing);
        request.then(|| sentence[after..].trim())
    })
}

/// Whether a sentence warns against what a guarded prohibition forbids: "be careful not to lose
/// my progress" says "don't lose my progress" as a warning.
fn warns_against_guarded(lower: &str) -> bool {
    lexicon::opening(List::Warning, lower).is_some_and(|warning| {
        let rest = lower[warning.len()..].trim_start();
        Cues::scan(&format!("don't {rest}")).opens_with(List::Guarded)
    })
}

/// Where a clause of result opens with "so" and a subject of its own ("… so most merges are
/// automatic and force-push is never needed", "… so the build never breaks"): a marker there
/// says what follows from the work, not how to work. "…, so always run them in parallel" is
/// the rule itself (the marker right after "so").
fn result_clause_at(lower: &str) -> Option<usize> {
    const SUBJECTS: &[&str] = &[
        "the", "a", "an", "most", "all", "every", "each", "no", "nothing", "we", "it", "they",
        "you", "our", "your", "their", "this", "that", "these", "those", "any", "its", "there",
    ];
    lower.match_indices(" so ").map(|(at, _)| at).find(|&at| {
        lower[at + 4..]
            .split(|c: char| !c.is_alphanumeric())
            .next()
            .is_some_and(|word| SUBJECTS.contains(&word))
    })
}

/// Where the text a person hands over to be worked on starts in their message: after an
/// opening paragraph that asks the agent to work on text (`[process_request]`: "categorize",
/// "summarize", "proofread") and names it (`[material]`: "feedback", "notes", "the following"),
/// the paragraphs below are that text ("Prefer drab to pollack" in a dump of a household's
/// feedback on a recipe bot), not the person's rules or facts. The byte offset of the first
/// of them.
pub(crate) fn material_after(message: &str) -> Option<usize> {
    // The first blank line, whatever the line endings.
    let (end, after) = ["\n\n", "\r\n\r\n"]
        .iter()
        .filter_map(|blank| message.find(blank).map(|at| (at, at + blank.len())))
        .min()?;
    let opening = message[..end].to_lowercase();
    let cues = Cues::scan(&opening);
    (cues.has(List::ProcessRequest) && cues.has(List::Material)).then_some(after)
}

/// Whether an instruction is a rule for every case: it opens with an instruction ("use",
/// "keep", "prefer"), not a request, and quantifies over all cases ("Use `bun` for any package
/// or script work", "Use UTC for every timestamp").
fn rules_every_case(cues: &Cues, lower: &str) -> bool {
    cues.opens_with(List::Instruction)
        && !cues.opens_with(List::Request)
        && cues.phrases(List::Universal).any(|(at, phrase)| {
            // "Use fs.writeFileSync for each.": a quantifier with nothing after it points back
            // at this task's things ("each" of the files just listed).
            let after = lower.get(at + phrase.len()..).unwrap_or("").trim_start();
            matches!(phrase, "everywhere" | "any time" | "anytime")
                || after.starts_with(|c: char| c.is_alphanumeric() || c == '`')
        })
}

/// Whether a sentence obliges every case of something: its subject is quantified and a modal
/// of obligation follows ("Any query for vehicles must filter by tenantId", "Every migration
/// must be reversible"). "All tests should pass" is as often this task's goal: "should" does
/// not count.
fn obliges_every_case(lower: &str) -> bool {
    // A label before the rule ("Code standard: every new file needs …", "Convention: …").
    let lower = match lower.split_once(": ") {
        Some((label, rule))
            if label.split_whitespace().count() <= 3
                && label
                    .chars()
                    .all(|c| c.is_alphanumeric() || c == ' ' || c == '-') =>
        {
            rule
        }
        _ => lower,
    };
    let words: Vec<&str> = lower
        .split_whitespace()
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric() && c != '\''))
        .collect();
    let first = words.first().copied();
    // "Every PR needs a linked issue": a need of each case is a rule too; "All tests need to
    // pass" is as often the goal of the task at hand.
    let each = matches!(first, Some("any" | "every" | "each"));
    let head: Vec<&str> = words.iter().take(12).copied().collect();
    matches!(first, Some("any" | "every" | "each" | "all"))
        && (head
            .iter()
            .any(|w| matches!(*w, "must" | "mustn't" | "shall"))
            || (each
                && (head.iter().any(|w| matches!(*w, "needs" | "requires"))
                    || head.windows(2).any(|pair| pair == ["has", "to"]))))
}

/// A rule stated with an extraposed opening ("It's important to …", "It is best to …") without
/// that opening: the rule is what follows it.
fn without_extraposed_opening(sentence: &str) -> &str {
    let trimmed = sentence.trim_start();
    // ASCII lowercasing keeps every byte where it was, so the opening's length carries over.
    let Some(opening) = lexicon::opening(List::Extraposed, &trimmed.to_ascii_lowercase()) else {
        return sentence;
    };
    let rest = trimmed[opening.len()..].trim_start();
    // "It's important to remember that progress takes time": a reflection, not a rule to act on.
    if lexicon::opening(List::Reflection, &rest.to_lowercase()).is_some() {
        return sentence;
    }
    rest
}

/// Whether a statement's subject is an "it" from an earlier sentence ("It's a standalone script
/// now", "It is the fallback for old clients"): read alone, nothing says what it is about.
/// "It's important to …" is a rule, whose lead-in is stripped before this is asked.
fn refers_back(lower: &str) -> bool {
    // "If not, I prefer the previous look", "Otherwise keep it": an answer whose condition is
    // the question before it.
    let answers_a_condition = [
        "if not ",
        "if not,",
        "if so ",
        "if so,",
        "if yes",
        "if no,",
        "otherwise ",
        "otherwise,",
    ]
    .iter()
    .any(|opening| lower.starts_with(opening));
    answers_a_condition
        || ["it's ", "it’s ", "it is ", "it was "]
            .iter()
            .any(|opening| {
                lower.strip_prefix(opening).is_some_and(|rest| {
                    [
                        "a ", "an ", "the ", "now ", "just ", "only ", "still ", "already ",
                    ]
                    .iter()
                    .any(|next| rest.starts_with(next))
                })
            })
}

/// Whether a sentence ends on a thing named only by pointing at it: "that" after a preposition
/// or "use", then a word or two ("… should always use that normal format.", "… for that
/// response."). The rest of the conversation said what it is; the sentence alone does not.
/// "… in that order" and "in that case" point inside the sentence itself.
fn ends_pointing_back(lower: &str) -> bool {
    let words: Vec<&str> = lower
        .trim_end_matches(['.', '!', '?', ' '])
        .split_whitespace()
        .collect();
    let Some(at) = words.iter().rposition(|w| *w == "that") else {
        return false;
    };
    let after = &words[at + 1..];
    let plain = |w: &&str| w.chars().all(|c| c.is_alphabetic() || c == '-');
    let pointer = at.checked_sub(1).is_some_and(|before| {
        let before = words[before];
        lexicon::is_word_of(List::Preposition, before) || matches!(before, "use" | "using")
    });
    pointer
        && (1..=2).contains(&after.len())
        && after.iter().all(plain)
        && !matches!(after.last(), Some(&("order" | "case")))
}

/// A sentence without the file or agent mentions it opens with (`@AGENTS.md add a note …`,
/// `@gitter commit this`): editors attach what follows the `@`, and the sentence opens with
/// what comes after them.
fn without_mentions(sentence: &str) -> &str {
    let mut rest = sentence;
    while let Some(after) = rest.strip_prefix('@') {
        let end = after.find(char::is_whitespace).unwrap_or(after.len());
        if end == 0 {
            break;
        }
        let next = after[end..].trim_start_matches([' ', ',', '\t']);
        if next.is_empty() {
            return rest;
        }
        rest = next;
    }
    rest
}

/// Whether a sentence is plainly not English: at least two of its words, and a quarter of
/// them, have letters outside ASCII ("Měla by tam být URL: …", any Cyrillic or CJK sentence).
/// A language written mostly in ASCII (German with few umlauts, Indonesian) is not caught.
/// The gate's cues are English words, so such a sentence would be judged by accident (a
/// `label: value` shape, a stray English word). Code spans and URLs are not words here; an
/// English sentence with one accented name ("Ask José about the VPN") stays English.
fn written_in_another_language(sentence: &str) -> bool {
    if sentence.is_ascii() {
        return false;
    }
    let mut prose = String::with_capacity(sentence.len());
    for (n, part) in sentence.split('`').enumerate() {
        if n % 2 == 0 {
            prose.push_str(part);
            prose.push(' ');
        }
    }
    let words: Vec<&str> = prose
        .split_whitespace()
        .filter(|word| !word.contains("://"))
        .map(|word| word.trim_matches(|c: char| !c.is_alphanumeric()))
        .filter(|word| word.chars().filter(|c| c.is_alphabetic()).count() >= 2)
        .collect();
    let foreign = words
        .iter()
        .filter(|word| word.chars().any(|c| c.is_alphabetic() && !c.is_ascii()))
        .count();
    // Scripts written without spaces (Chinese, Japanese) are one "word" per clause: there the
    // letters tell.
    let letters = words
        .iter()
        .flat_map(|w| w.chars())
        .filter(|c| c.is_alphabetic());
    let (all, beyond_ascii) = letters.fold((0, 0), |(all, beyond), c| {
        (all + 1, beyond + usize::from(!c.is_ascii()))
    });
    (foreign >= 2 && foreign * 4 >= words.len()) || (beyond_ascii >= 4 && beyond_ascii * 2 >= all)
}

/// Whether a sentence is a well-formed statement: not code, log, markup, a table row or a
/// fragment, and of a sensible length.
/// Whether a sentence holds a template's placeholder: a bracketed span that is words in lower
/// case (`[what was chosen]`, `[your name here]`) or one name in capitals with underscores
/// (`[PROJECT_NAME]`); a Markdown link (`[the docs](…)`) or a citation (`[1]`) is none.
fn has_placeholder(sentence: &str) -> bool {
    let mut rest = sentence;
    while let Some(open) = rest.find('[') {
        let after = &rest[open + 1..];
        let Some(close) = after.find(']') else {
            return false;
        };
        let inner = &after[..close];
        let link = after[close + 1..].starts_with('(');
        let words: Vec<&str> = inner.split_whitespace().collect();
        let spelled_out = words.len() >= 2
            && words.iter().all(|w| {
                w.chars()
                    .all(|c| c.is_lowercase() || matches!(c, '\'' | '-' | '/'))
            });
        let named = inner.len() >= 4
            && inner.contains('_')
            && inner
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
        if !link && (spelled_out || named) {
            return true;
        }
        rest = &after[close + 1..];
    }
    false
}

/// Whether an agent's sentence states a cause or a behaviour it found: well-formed, with a
/// `[finding]` cue ("because", "does not", "by default" …) and an identifier (a command, path,
/// flag or name in code form) to make it specific.
pub(crate) fn states_a_finding(sentence: &str, limits: &Thresholds) -> bool {
    let length = sentence.chars().count();
    if !(30..=300).contains(&length) || sentence.trim_end().ends_with('?') {
        return false;
    }
    // Cheapest first: most of an agent's prose has no cue.
    let lower = sentence.replace('’', "'").to_lowercase();
    // About the agent's own work ("I'm going to …, because …"), a heading or a check mark.
    let first = lower
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .trim_matches(|c: char| !c.is_alphanumeric() && c != '\'');
    // "Do not edit the generated files": an instruction, not what the agent found ("tag
    // pushes from `GITHUB_TOKEN` do not trigger other workflows" is).
    if lexicon::is_word_of(List::AgentSubject, first)
        || lower.starts_with(['#', '✅', '❌', '✓', '✗'])
        || lower.starts_with("do not ")
        || lower.starts_with("don't ")
    {
        return false;
    }
    Cues::scan(&lower).has(List::Finding)
        && !crate::text::analyze(sentence).anchors.is_empty()
        && well_formed(sentence, limits).is_ok()
}

const ATTACHMENT_PLACEHOLDER: &str = "a placeholder for an attachment, not a statement";

/// Whether a text is one bracketed label, "[Image: source: /var/folders/…/shot.png]" or
/// "[Pasted text #1 +20 lines]": what a harness puts in a message in place of an attachment,
/// not something said.
fn is_attachment_placeholder(text: &str) -> bool {
    let unstopped = text.trim().trim_end_matches('.');
    unstopped.len() > 2
        && unstopped.starts_with('[')
        && unstopped.ends_with(']')
        && !unstopped[1..].contains('[')
}

/// Why a memory's text is not well-formed, or `None`: code, a log line or pasted output,
/// markup, terminal escapes, a table row, a template's placeholder, an unclosed code quote, or
/// a text that stops mid-sentence. Text a model proposes passes this, as the built-in curator's
/// statements pass the gate. Code quotes (`` `cd app && make` ``, a ```` ```bash ```` fence named
/// in prose) are masked first, and the gate's limits on one sentence (its length, balanced
/// brackets outside code) do not apply: a memory may hold two sentences and quote commands.
pub fn malformed_memory(text: &str) -> Option<&'static str> {
    let trimmed = text.trim();
    let unfenced = trimmed.replace("```", "");
    if unfenced.matches('`').count() % 2 == 1 {
        return Some("a fragment (unbalanced code quote)");
    }
    let masked = unfenced
        .split('`')
        .enumerate()
        .map(|(n, part)| if n % 2 == 1 { "code" } else { part })
        .collect::<String>();
    if trimmed.contains('\u{1b}') {
        return Some("terminal escape codes");
    }
    if trimmed.contains('\t') {
        return Some("a table row (cells separated by tabs)");
    }
    if crate::channels::pasted_line(&masked).is_some() {
        return Some("looks like code, a log line or pasted output");
    }
    if masked.contains("</")
        || (masked.trim_start().starts_with('<') && masked.contains('>'))
        || element_with_attribute(&masked)
    {
        return Some("markup");
    }
    if has_placeholder(&masked) {
        return Some("a template's placeholder (`[what was chosen]`, `[PROJECT_NAME]`)");
    }
    if is_attachment_placeholder(trimmed) {
        return Some(ATTACHMENT_PLACEHOLDER);
    }
    let words = masked
        .split_whitespace()
        .filter(|w| w.chars().any(char::is_alphabetic))
        .count();
    if words < 2 {
        return Some("a fragment (too few words)");
    }
    let end = trimmed.trim_end_matches(['"', '\'', '”', ')']);
    if end.ends_with([',', ':', ';', '-', '(']) || end.ends_with('…') || end.ends_with("...") {
        return Some("a fragment (ends mid-sentence)");
    }
    if ends_on_a_dangling_word(&masked) {
        return Some("a fragment (ends mid-sentence)");
    }
    None
}

/// Whether the last word needs more after it ("… by default when.", "… changed to."); the last
/// token counts whatever it is ("… changed to 1.17.2." ends with a value, not "to"), and "on"
/// and "in" also end whole sentences as particles and idioms ("from now on", "and so on",
/// "keep it on", "log in").
fn ends_on_a_dangling_word(text: &str) -> bool {
    let mut last_words = text.split_whitespace().rev().map(|w| {
        w.trim_matches(|c: char| !c.is_alphanumeric())
            .to_lowercase()
    });
    let last = last_words.next().unwrap_or_default();
    let before_last = last_words.next().unwrap_or_default();
    let particle = matches!(last.as_str(), "on" | "in")
        && lexicon::is_word_of(List::ParticleTaker, &before_last);
    // "please remember that", "don't do that": a verb's object, not a clause cut off. The
    // lead word before the verb says it is one ("so that" and "such that" have none); a
    // preposition between them ("we agreed on that") is read past.
    let lead = if lexicon::is_word_of(List::Dangling, &before_last) {
        last_words.nth(1)
    } else {
        last_words.next()
    };
    let object_pronoun =
        last == "that" && lead.is_some_and(|w| lexicon::is_word_of(List::PronounThatLead, &w));
    lexicon::is_word_of(List::Dangling, &last)
        && !particle
        && !object_pronoun
        && !strands_its_preposition(text)
}

/// Whether a last preposition is stranded by a relative clause ("… the history of tasks we have
/// worked on", "the branch you are working on"): a noun, a subject pronoun, at most two
/// auxiliaries, the verb, then the preposition. After a conjunction or at the start the pronoun
/// opens a main clause, and a preposition after its verb is cut off ("… and we switched to").
fn strands_its_preposition(text: &str) -> bool {
    let words: Vec<String> = text
        .split_whitespace()
        .map(|w| {
            w.trim_matches(|c: char| !c.is_alphanumeric() && c != '\'')
                .to_lowercase()
        })
        .collect();
    // "we've" is the subject and an auxiliary.
    let split = |word: &str| -> (String, Option<String>) {
        match word.find('\'') {
            Some(at) if at > 0 => (word[..at].to_string(), Some(word[at..].to_string())),
            _ => (word.to_string(), None),
        }
    };
    let Some((preposition, before)) = words.split_last() else {
        return false;
    };
    if !lexicon::is_word_of(List::Preposition, preposition) {
        return false;
    }
    let Some((verb, mut rest)) = before.split_last() else {
        return false;
    };
    if !verb.chars().all(char::is_alphabetic) || lexicon::is_word_of(List::Dangling, verb) {
        return false;
    }
    for _ in 0..3 {
        let Some((word, earlier)) = rest.split_last() else {
            return false;
        };
        let (head, clitic) = split(word);
        if lexicon::is_word_of(List::StrandingSubject, &head)
            && clitic
                .as_deref()
                .is_none_or(|c| lexicon::is_word_of(List::Auxiliary, c))
        {
            // The noun the clause qualifies comes right before the pronoun.
            return earlier.last().is_some_and(|noun| {
                noun.chars().all(char::is_alphabetic)
                    && !lexicon::is_word_of(List::Dangling, noun)
                    && !lexicon::is_word_of(List::Auxiliary, noun)
                    && !lexicon::is_word_of(List::StrandingSubject, noun)
            });
        }
        if !lexicon::is_word_of(List::Auxiliary, word) {
            return false;
        }
        rest = earlier;
    }
    false
}

pub(crate) fn well_formed(sentence: &str, limits: &Thresholds) -> Result<(), &'static str> {
    let trimmed = sentence.trim();
    let chars = trimmed.chars().count();
    if chars < limits.min_statement_chars {
        return Err("too short to be a statement");
    }
    if chars > limits.max_statement_chars {
        return Err("too long to be one statement");
    }
    if crate::channels::pasted_line(trimmed).is_some() {
        return Err("looks like code, a log line or pasted output");
    }
    // "**Task 5 (Housekeeping): Remove Deprecated Files**": a line set in bold throughout is a
    // heading.
    let unbolded = trimmed.trim_end_matches(['.', ':']);
    if unbolded.len() > 4
        && unbolded.starts_with("**")
        && unbolded.ends_with("**")
        && !unbolded[2..unbolded.len() - 2].contains("**")
    {
        return Err("a heading, not a statement");
    }
    if is_attachment_placeholder(trimmed) {
        return Err(ATTACHMENT_PLACEHOLDER);
    }
    let unquoted = outside_code_quotes(trimmed);
    if trimmed.contains("</")
        || (trimmed.starts_with('<') && trimmed.contains('>'))
        || element_with_attribute(&unquoted)
    {
        return Err("markup");
    }
    // `{/* Not "demand" */}`, `/* … */`: a code comment outside a code quote.
    if unquoted.contains("/*") || unquoted.contains("*/") {
        return Err("looks like code, a log line or pasted output");
    }
    if trimmed.contains('\u{1b}') {
        return Err("terminal escape codes");
    }
    // Cells copied from a table (a spreadsheet, a chat UI's rendered table) keep their tabs.
    if trimmed.contains('\t') {
        return Err("a table row (cells separated by tabs)");
    }
    if trimmed.matches('`').count() % 2 == 1 {
        return Err("a fragment (unbalanced code quote)");
    }
    // `/instructions "Always respond in Thai.`, `config."From now on, …`: a quotation cut
    // open, or two messages run together. (Outside code quotes: `"` inside one is code.)
    if unquoted.matches('"').count() % 2 == 1 {
        return Err("a fragment (unbalanced quotation mark)");
    }
    if has_placeholder(trimmed) {
        return Err("a template's placeholder (`[what was chosen]`, `[PROJECT_NAME]`)");
    }
    let opens = trimmed.matches(['(', '[', '{']).count();
    let closes = trimmed.matches([')', ']', '}']).count();
    let closes_first = trimmed.find([')', ']', '}']) < trimmed.find(['(', '[', '{'])
        && trimmed.contains([')', ']', '}']);
    if opens != closes || closes_first {
        return Err("a fragment (unbalanced brackets)");
    }
    // Punctuation standing on its own between words (" ) ", " ; ", " && ") is a shell line, a
    // table or text cut into pieces, not a sentence a person wrote.
    let stray = trimmed.split_whitespace().any(|token| {
        token == "&&"
            || token == "||"
            || token
                .chars()
                .all(|c| matches!(c, '(' | ')' | '[' | ']' | '{' | '}' | ',' | ';' | ':' | '|'))
    });
    if stray {
        return Err("a fragment (stray punctuation)");
    }
    let words: Vec<&str> = trimmed
        .split_whitespace()
        .filter(|w| w.chars().any(char::is_alphabetic))
        .collect();
    if words.len() < limits.min_statement_words {
        return Err("a fragment (too few words)");
    }
    if ends_on_a_dangling_word(trimmed) {
        return Err("a fragment (ends mid-sentence)");
    }
    if trimmed.ends_with([',', ':', ';', '-', '(']) {
        return Err("a fragment (ends mid-sentence)");
    }
    // "… rather than the grammar of the gate...": a sentence that trails off was not finished.
    if trimmed
        .trim_end_matches(['"', '\'', '”', ')'])
        .ends_with(['…'])
        || trimmed
            .trim_end_matches(['"', '\'', '”', ')'])
            .ends_with("...")
    {
        return Err("a fragment (trails off)");
    }
    Ok(())
}

/// Whether a statement names something concrete to act on: an identifier or quoted code, or at
/// least two content words beyond the cue phrases.
fn specific(sentence: &str) -> bool {
    let analysis = text::analyze(sentence);
    let content = analysis
        .word_set
        .iter()
        .filter(|w| !lexicon::is_word_of(List::Vague, w))
        .count();
    // A program named in lower case ("Always use pnpm.") is as specific as an identifier.
    let names_a_program = || {
        sentence
            .split(|c: char| !(c.is_alphanumeric() || c == '-'))
            .any(crate::tools::is_known_program)
    };
    !analysis.anchors.is_empty()
        || !analysis.code_spans.is_empty()
        || content >= 2
        || names_a_program()
}

/// Whether a sentence is phrased as an instruction (imperative or modal) rather than as a
/// description: it opens with an instruction or standing phrase, or its modal comes early.
fn instruction_form(lower: &str, cues: &Cues) -> bool {
    if cues.opens_with(List::Instruction) || cues.opens_with(List::Standing) {
        return true;
    }
    // "I want all dates in ISO 8601 from now on": the speaker's wish is how to work.
    if lexicon::opening(List::Wish, lower).is_some() {
        return true;
    }
    // "We never…", "We don't use…", "Tests must…", "X should always…": a modal or standing word
    // within the first few words.
    let early: usize = lower
        .char_indices()
        .filter(|(_, c)| c.is_whitespace())
        .nth(3)
        .map_or(lower.len(), |(i, _)| i);
    cues.phrases(List::Instruction)
        .chain(cues.phrases(List::Standing))
        .any(|(at, phrase)| at <= early && phrase != "use" && phrase != "keep")
        || lower.starts_with("we never")
        || lower.starts_with("we always")
        || lower.starts_with("we don't")
        || lower.starts_with("we do not")
        || lower.starts_with("we aren't to")
        || lower.starts_with("we are not to")
        || lower.starts_with("we shouldn't")
        || lower.starts_with("we should not")
}

/// Whether an instruction chooses the tool that fills one of the project's roles ("Use uv as
/// the package manager.", "Use Vitest for testing."): the role lasts as long as the project
/// (`[project_role]` of the lexicon), so one session is enough. The role must end the
/// sentence: "Use sqlite for the database tests in this PR" is about a task.
fn chooses_a_tool_for_a_role(lower: &str) -> bool {
    let Some(rest) = lower.strip_prefix("use ") else {
        return false;
    };
    let rest = rest.trim_end_matches(['.', '!', ' ']);
    [" as ", " for "].iter().any(|joint| {
        rest.split_once(joint).is_some_and(|(tool, role)| {
            let role = ["the ", "our ", "a ", "an ", "all ", "every "]
                .iter()
                .find_map(|determiner| role.strip_prefix(determiner))
                .unwrap_or(role);
            // "… for package management in this repo": the project's own scope (the
            // lexicon's `[standing_scope]`), said after the role.
            let role = Cues::scan(role)
                .phrases(List::StandingScope)
                .find_map(|(at, scope)| {
                    (at + scope.len() == role.len())
                        .then(|| role[..at].strip_suffix(" in "))
                        .flatten()
                })
                .unwrap_or(role)
                .trim_end();
            !tool.trim().is_empty()
                && tool.split_whitespace().count() <= 3
                && lexicon::is_word_of(List::ProjectRole, role)
        })
    })
}

/// A sentence narrating events: it reports someone's words, or puts "always"/"never" before a
/// past-tense verb ("the build never finished").
fn narrates_events(lower: &str, cues: &Cues) -> bool {
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_alphanumeric() && c != '\'')
        .filter(|w| !w.is_empty())
        .collect();
    // The cues were scanned on the whole sentence, lead-in included: each reporting phrase is
    // looked up in `lower` again (a phrase only in the lead-in still reports).
    let reports = |phrase: &str| {
        let mut from = 0;
        let mut found = false;
        while let Some(at) = lower
            .get(from..)
            .and_then(|rest| text::find_word(rest, phrase))
        {
            found = true;
            let end = from + at + phrase.len();
            let next = lower
                .get(end..)
                .unwrap_or_default()
                .split(|c: char| !c.is_alphanumeric() && c != '\'')
                .find(|w| !w.is_empty());
            let previous = lower
                .get(..from + at)
                .unwrap_or_default()
                .split(|c: char| !c.is_alphanumeric() && c != '\'')
                .rfind(|w| !w.is_empty());
            if !is_plural_noun(phrase, previous, next) {
                return true;
            }
            from = end;
        }
        !found
    };
    if !cues.opens_with(List::Standing)
        && cues
            .phrases(List::Reporting)
            .any(|(_, phrase)| reports(phrase))
    {
        return true;
    }
    // "… are always preferred", "is never allowed": a passive in the present sets a rule; "we
    // always played", "it was never used" tell what happened.
    let past = words.windows(2).enumerate().any(|(at, pair)| {
        let passive = at
            .checked_sub(1)
            .is_some_and(|before| matches!(words[before], "is" | "are" | "be"));
        !passive
            && matches!(pair[0], "never" | "always")
            && ((pair[1].len() > 4
                && pair[1].ends_with("ed")
                && !matches!(pair[1], "need" | "proceed" | "succeed" | "exceed" | "embed"))
                // "… is imported but never used": the shortest participle of all.
                || pair[1] == "used"
                || crate::lexicon::is_word_of(List::PastTense, pair[1]))
    });
    // The speaker's own experience: "I've never been fishing", "Nope, never been on a team",
    // "I had never seen her before" ("Windows has never been supported" is a fact, not this).
    let experience = words.iter().position(|w| *w == "never").is_some_and(|at| {
        let speaker = words[..at].iter().all(|w| {
            matches!(
                *w,
                "i" | "i've"
                    | "i’ve"
                    | "i'd"
                    | "have"
                    | "had"
                    | "nope"
                    | "no"
                    | "yeah"
                    | "yes"
                    | "actually"
                    | "but"
                    | "honestly"
            )
        });
        speaker
            && words.get(at + 1).is_some_and(|w| {
                matches!(
                    *w,
                    "been" | "seen" | "gone" | "heard" | "met" | "tried" | "done"
                )
            })
    });
    past || experience
}

/// The sentence without an answer's particle ("Yeah, it's always a dream" → "it's always a
/// dream"); the particle needs its comma.
fn strip_answer_particle(sentence: &str) -> &str {
    let trimmed = sentence.trim_start();
    // "Yep let's walk through option 1 now", "ok please rerun it": typed without the comma, a
    // particle before "let's" or "please" is still the answer's, and the request follows.
    if let Some((first, rest)) = trimmed.split_once(' ')
        && crate::lexicon::is_word_of(List::AnswerParticle, &first.to_lowercase())
        && rest.split_whitespace().next().is_some_and(|next| {
            matches!(
                next.to_lowercase().as_str(),
                "let's" | "lets" | "let’s" | "please"
            )
        })
    {
        return rest.trim_start();
    }
    // Particles run up to the comma: "Yeah, …", "Ok so, …", "Oh well, …" (three words at most,
    // each a particle; "so" joins one to what follows).
    let Some((opening, after)) = trimmed.split_once(',') else {
        return sentence;
    };
    let words: Vec<String> = opening.split_whitespace().map(str::to_lowercase).collect();
    let particles = !words.is_empty()
        && words.len() <= 3
        && words
            .iter()
            .all(|w| crate::lexicon::is_word_of(List::AnswerParticle, w) || w == "so")
        && words
            .iter()
            .any(|w| crate::lexicon::is_word_of(List::AnswerParticle, w));
    if particles && !after.trim().is_empty() {
        after.trim_start()
    } else {
        sentence
    }
}

/// "X is/are/has always (been) <praise or feeling>": an opinion.
fn evaluates(lower: &str) -> bool {
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_alphanumeric() && c != '\'' && c != '’')
        .filter(|w| !w.is_empty())
        .collect();
    // "Nature's always …": a word with 's is its verb too.
    let copula = |w: &str| {
        matches!(
            w,
            "is" | "are" | "s" | "was" | "were" | "been" | "has" | "have" | "isn't"
        ) || w.ends_with("'s")
            || w.ends_with("’s")
    };
    // Praise or feeling ("great", "fun"); the small words between them ("a", "so") are not.
    let praise = |w: &&str| crate::lexicon::is_word_of(List::Evaluative, w);
    // "Always good to hear!", "Always a joy to see him": a standing word opening an opinion;
    // "Always running around, exploring…": one opening a description (a rule says what to do:
    // "Always run …").
    if let [first, second, rest @ ..] = words.as_slice()
        && matches!(*first, "always" | "never")
        && (praise(second)
            // "Always love having fun with friends", "Always there to support me": a feeling,
            // or someone's presence.
            || matches!(
                *second,
                "love" | "loved" | "enjoy" | "enjoyed" | "adore" | "cherish" | "treasure" | "there"
            )
            || (matches!(*second, "a" | "an" | "so") && rest.first().is_some_and(praise))
            || (second.len() > 5
                && second.ends_with("ing")
                && *second != "bring"
                && !rest
                    .iter()
                    .any(|w| matches!(*w, "is" | "are" | "must" | "should"))))
    {
        return true;
    }
    // "… it's not always easy": a "not" between them changes nothing.
    let Some((at, width)) = words
        .windows(2)
        .position(|w| copula(w[0]) && matches!(w[1], "always" | "never"))
        .map(|at| (at, 2))
        .or_else(|| {
            words
                .windows(3)
                .position(|w| copula(w[0]) && w[1] == "not" && matches!(w[2], "always" | "never"))
                .map(|at| (at, 3))
        })
    else {
        return false;
    };
    let rest = &words[at + width..];
    let all_praise = !rest.is_empty()
        && rest
            .iter()
            .all(|w| praise(w) || crate::lexicon::is_word_of(List::EvaluativeFiller, w));
    // "… is always a great way to relax", "… isn't always easy, but …": praise right after it.
    let praised = rest.iter().take(3).any(&praise)
        && !rest
            .windows(2)
            .take(3)
            .any(|pair| praise(&pair[0]) && pair[1] == "to" && words.len() < 8);
    all_praise || praised
}

/// Whether a statement gives its subject a state of the work as its value ("The build is green
/// now", "the API is faster now", "CI is fixed"): one or two words, each a state or a verdict
/// (`[work_state]`, `[evaluative]`), with no identifier or code. "The default branch is main
/// now" names a value.
fn reports_how_the_work_stands(slot: &text::Slot) -> bool {
    let value = slot.value.to_lowercase();
    let words: Vec<&str> = value
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| {
            !w.is_empty()
                && !matches!(
                    *w,
                    "now" | "again" | "finally" | "all" | "much" | "a" | "lot" | "bit" | "way"
                )
        })
        .collect();
    slot.value_analysis.anchors.is_empty()
        && slot.value_analysis.code_spans.is_empty()
        && (1..=2).contains(&words.len())
        && words.iter().all(|w| {
            lexicon::is_word_of(List::WorkState, w) || lexicon::is_word_of(List::Evaluative, w)
        })
}

/// Whether a sentence says something is too much of a quality: a form of "be" followed by
/// "too" (or "way too", "far too", "much too") and a word ("the text is too big now", "it's
/// way too slow").
fn complains_of_degree(lower: &str) -> bool {
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_alphanumeric() && c != '\'' && c != '’')
        .filter(|w| !w.is_empty())
        .collect();
    let copula = |w: &str| {
        matches!(
            w,
            "is" | "are" | "was" | "were" | "looks" | "look" | "seems" | "feels"
        ) || w.ends_with("'s")
            || w.ends_with("’s")
    };
    words.windows(3).any(|w| {
        copula(w[0]) && (w[1] == "too" || (matches!(w[1], "way" | "far" | "much") && w[2] == "too"))
    })
}

/// Whether a sentence says how something strikes the speaker: a verb of perception ("looks",
/// "seems", "sounds", "feels", "appears") and then only a few plain words to the end ("… now
/// looks both ambitious and buttoned-up", "the plan sounds solid"). "Looks like", "seems to"
/// and a value after the verb ("feels like 2 GB", "appears in `app.log`") are no impression.
fn gives_an_impression(lower: &str) -> bool {
    const MAX_IMPRESSION_WORDS: usize = 4;
    let clause = lower.trim_end_matches(|c: char| !c.is_alphanumeric());
    let words: Vec<&str> = clause.split_whitespace().collect();
    let Some(verb_at) = words
        .iter()
        .position(|w| lexicon::is_word_of(List::PerceptionVerb, w))
    else {
        return false;
    };
    let rest: Vec<&str> = words[verb_at + 1..]
        .iter()
        .copied()
        .filter(|w| !lexicon::is_word_of(List::ImpressionFiller, w))
        .collect();
    let plain = |w: &&str| {
        w.chars().all(|c| c.is_alphabetic() || c == '-' || c == ',')
            && !matches!(*w, "like" | "to" | "as" | "at" | "in" | "on" | "for" | "of")
    };
    (1..=MAX_IMPRESSION_WORDS).contains(&rest.len()) && rest.iter().all(plain)
}

/// Whether byte `at` of a sentence sits inside parentheses that open after its start, past the
/// aside's first word: "… my use of p5js (not always obvious …)", "`.env` (Secure, Never
/// Commit)". An aside that opens with the word is a rule of its own ("… open a PR (never
/// local-merge to `main`)"), and a sentence that is all one parenthesis is no aside.
fn in_an_aside(lower: &str, at: usize) -> bool {
    let before = lower.get(..at).unwrap_or_default();
    let opened = before.matches('(').count();
    opened > before.matches(')').count()
        && !before.trim_start().starts_with('(')
        && !before.trim_end().ends_with('(')
}

/// Whether the gate reads the sentence as announcing a change of value (its `change` flag).
/// Whether a sentence can announce a change of value at all: a question ("Can we move the sync
/// to Thursdays?") asks, and a temporary one ("Just this once, the sync moved to Thursday")
/// leaves the standing value as it is.
pub(crate) fn may_announce_change(sentence: &str) -> bool {
    let lower = sentence.trim().to_lowercase();
    let cues = Cues::scan(&lower);
    !(lower.ends_with('?') || cues.opens_with(List::Question) || cues.has(List::Temporary))
}

/// Whether every "it" of a sentence opens a clause after the rule's, the clause that gives its
/// reason: after "; ", ", ", "because", "since" or "as" ("…; it breaks the lockfile").
fn it_opens_a_reason(lower: &str) -> bool {
    let mut found = false;
    let mut from = 0;
    while let Some(at) = text::find_word(&lower[from..], "it").map(|at| at + from) {
        let before = lower[..at].trim_end();
        let last_word = before
            .rsplit(|c: char| !c.is_alphanumeric())
            .next()
            .unwrap_or("");
        let opens = before.ends_with([';', ',', ':', '\u{2014}'])
            || matches!(last_word, "because" | "since" | "as");
        if !opens || at == 0 {
            return false;
        }
        found = true;
        from = at + 2;
    }
    found
}

/// Whether the speaker says what they would rather do *to the listener* ("I'd rather show you
/// a photo", "I'd prefer to tell you in person"): an offer in conversation. What the speaker
/// would rather the listener did ("I'd rather you ask before deleting files") is a rule.
fn offers_to_the_listener(lower: &str) -> bool {
    [
        "i'd rather ",
        "i would rather ",
        "i'd prefer to ",
        "i would prefer to ",
        "i prefer to ",
    ]
    .iter()
    .find_map(|lead| lower.strip_prefix(lead))
    .is_some_and(|rest| {
        let mut words = rest.split(|c: char| !c.is_alphanumeric() && c != '\'');
        let verb = words.next().unwrap_or("");
        verb != "you" && words.next() == Some("you")
    })
}

/// Whether a sentence opens as a question. "When", "where" and "if" open a condition as often,
/// and a rule may follow it ("When you find a bug, always write a failing test first", "Where
/// possible, prefer pure functions"): then the sentence does not ask.
fn asks(lower: &str, cues: &Cues) -> bool {
    cues.opens_with(List::Question) && !rule_after_condition(lower) && !opens_with_a_clause(lower)
}

/// Whether a sentence opens with a clause of time or condition and goes on after a comma ("When
/// you add a dependency, pin its version"): a question's "when" or "where" takes an auxiliary
/// next ("when do we deploy", "where is the config"), a clause's takes its subject.
fn opens_with_a_clause(lower: &str) -> bool {
    let mut words = lower.split_whitespace();
    let opening = words.next().unwrap_or("");
    let next = words.next().unwrap_or("");
    // "While you are at it, …" opens a clause too; "Should the …" opens a question unless a
    // rule follows its comma (`rule_after_condition`).
    (CONDITION_OPENINGS.contains(&opening) || opening == "while")
        && !next.is_empty()
        && !lexicon::is_word_of(List::QuestionAux, next)
        && !lexicon::is_word_of(List::Auxiliary, next)
        && lower.contains(", ")
}

/// The words a clause of time or condition opens with ("When you add a dependency, …").
const CONDITION_OPENINGS: [&str; 8] = [
    "when", "whenever", "where", "wherever", "if", "before", "after", "once",
];

/// Whether a sentence is a rule after its condition: it opens with "when", "whenever", "where
/// possible", "if", "before", "after", "once" or "should", and the clause after the first comma opens as
/// an instruction or with a standing word ("When you open a PR, always link the issue").
fn rule_after_condition(lower: &str) -> bool {
    let opening = lower.split_whitespace().next().unwrap_or("");
    // "Should the build fail, roll back": a condition said with the auxiliary first.
    (CONDITION_OPENINGS.contains(&opening) || opening == "should")
        && lower.split_once(", ").is_some_and(|(_, rule)| {
            let rule_cues = Cues::scan(rule);
            // "…, we really need to prioritize simplicity": a modal early in a clause about the
            // team or the listener ("…, I always turn to music" describes the speaker).
            let addressed = rule.starts_with("we ") || rule.starts_with("you ");
            // "When you add a dependency, pin its version", "…, I want you to pin it": the
            // clause after the condition tells what to do then.
            rule_cues.opens_with(List::Standing)
                || rule_cues.opens_with(List::Instruction)
                || (addressed && instruction_form(rule, &rule_cues))
                || lexicon::opening(List::Wish, rule).is_some()
                || imperative(rule, &rule_cues)
        })
}

#[cfg(test)]
pub(crate) fn announces_change(sentence: &str) -> bool {
    matches!(
        judge(sentence, &Thresholds::default()),
        Verdict::Candidate { change: true, .. }
    )
}

/// Whether a sentence's "we will …" waits on an event first: "once …", "as soon as …",
/// "after we …", "when we …" before it.
fn waits_on_an_event(lower: &str) -> bool {
    lexicon::words(List::EventWait)
        .iter()
        .filter_map(|opening| text::find_word(lower, opening).map(|at| at + opening.len()))
        .any(|after| {
            lower
                .get(after..)
                .is_some_and(|rest| rest.contains(" will ") || rest.contains("'ll "))
        })
}

/// Whether "now" sits between a subject and its verb ("The on-call rotation now changes every
/// Wednesday", "We now deploy from main"): a change announced as plainly as "X is now Y". Not
/// "right now", "for now", "until now", and not before a preposition or a clause ("now on",
/// "now that").
fn now_before_verb(lower: &str) -> bool {
    let words: Vec<&str> = lower
        .split_whitespace()
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric() && c != '\''))
        .collect();
    words.windows(3).any(|w| {
        w[1] == "now"
            && !lexicon::is_word_of(List::NowAfterNonChange, w[0])
            && w[0]
                .chars()
                .all(|c| c.is_alphanumeric() || c == '-' || c == '\'')
            // A preposition or a clause after "now" ("the meeting now at 9", "trigger one now
            // to test", "now after a restart") says when, not what changed.
            // A preposition or a clause after "now" says when, not what changed.
            && !lexicon::is_word_of(List::NowBeforeMoment, w[2])
            && w[2].chars().all(|c| c.is_alphabetic())
    })
}

/// Whether a reporting word is a plural noun, not a verb that reports: a verb follows it
/// ("Quarterly reports are due on the 10th", "Insurance claims must be filed in 30 days"), or a
/// word that qualifies or handles it comes before ("Send quarterly reports to …", "the
/// reports", "file bug reports"); but "the user reports that …", "she claims it works".
fn is_plural_noun(word: &str, previous: Option<&str>, next: Option<&str>) -> bool {
    matches!(word, "reports" | "claims" | "writes")
        && (next.is_some_and(|next| lexicon::is_word_of(List::PluralNounVerb, next))
            || previous.is_some_and(|previous| {
                lexicon::is_word_of(List::PluralNounQualifier, previous)
                    || crate::lexicon::phrases_of(List::Request).contains(&previous)
            }))
}

#[cfg(test)]
mod tests {
    /// A request word that qualifies a noun opens a statement, not a request (from the update
    /// probes: "Test database listens on port 5434 now" was skipped as a request).
    #[test]
    fn a_request_word_before_a_noun_and_its_verb_opens_a_statement() {
        // (sentence, whether it opens with a request)
        let cases = [
            ("Test database listens on port 5434 now.", false),
            ("Build times are under four minutes now.", false),
            ("Release notes live in docs/CHANGELOG.md.", false),
            ("Merge conflicts get resolved by rebasing.", false),
            ("Deploy preview links expire after seven days.", false),
            ("Review meetings are on Thursdays.", false),
            ("Test the login flow before merging.", true),
            ("Build it with cargo.", true),
            ("Deploy to staging first.", true),
            ("Check tests are green before pushing.", true),
            ("Make builds faster.", true),
            ("Fix the flaky test.", true),
            ("Test quickly is what I said.", true),
            ("The test database listens on port 5433.", false),
            // The request word is the noun itself, and a failure its verb.
            ("Build failed: cannot find module 'react'.", false),
            ("Deploy is slow on Mondays.", false),
            ("Test suite failed to run.", false),
            ("Deploy fails with exit code 1 since yesterday.", false),
        ];
        for (sentence, request) in cases {
            let lower = sentence.to_lowercase();
            assert_eq!(
                super::opens_with_a_request(&lower, &Cues::scan(&lower)),
                request,
                "{sentence}"
            );
        }
    }

    /// From a real aider session: "In CONVENTIONS.md , reorder the lists. DO NOT CHANGE the
    /// contents." — the limits of the edit just asked for, not a rule for the next one.
    #[test]
    fn a_do_not_after_a_request_fences_that_edit() {
        for (previous, sentence, fences) in [
            (
                "In CONVENTIONS.md , reorder the lists.",
                "DO NOT CHANGE the contents.",
                true,
            ),
            ("Rename the helper.", "Don't touch the call sites.", true),
            // A standing marker, a closing "ever", or no request before: a rule.
            ("Rename the helper.", "Never touch the call sites.", false),
            (
                "Rename the helper.",
                "Do not change the public API, ever.",
                false,
            ),
            ("The API is public.", "Do not change the public API.", false),
            // Not an edit: no fence.
            ("Rename the helper.", "Do not push to main.", false),
        ] {
            assert_eq!(
                super::fences_the_edit_before(previous, sentence),
                fences,
                "{previous} / {sentence}"
            );
        }
    }

    /// From a real SpecStory session: "Can you update the test to make sure that a response to
    /// the message is received? The response is not going to be the same every time, but we
    /// should look for a response that's not equal to the loading state …" — the second
    /// sentence says what the requested test checks, not a rule for the next task.
    #[test]
    fn a_statement_about_what_the_request_brought_in_details_that_request() {
        for (previous, sentence, details) in [
            (
                "Can you update the test to make sure that a response to the message is received?",
                "The response is not going to be the same every time, but we should look for a \
                 response that's not equal to the loading state.",
                true,
            ),
            (
                "Please add a retry to the uploader.",
                "The retry should back off exponentially.",
                true,
            ),
            (
                "Add an export endpoint.",
                "The endpoint must return JSON.",
                true,
            ),
            // The thing was not brought in by the request, the request is a standing rule, or
            // there is no request: the statement stands on its own.
            (
                "Please add a retry to the uploader.",
                "The uploader must stream files over 5 MB.",
                false,
            ),
            (
                "From now on, add a changelog entry to every PR.",
                "The entry should name the issue.",
                false,
            ),
            (
                "The uploader has a retry.",
                "The retry should back off exponentially.",
                false,
            ),
            (
                "Can you add a retry to the uploader?",
                "Retries should back off exponentially.",
                false,
            ),
        ] {
            assert_eq!(
                super::details_the_request_before(previous, sentence),
                details,
                "{previous} / {sentence}"
            );
        }
    }

    /// From real transcripts: a standing word inside an aside qualifies a word of it ("my use
    /// of p5js (not always obvious when …)", "Local `.env` (Secure, Never Commit)"), and makes
    /// no rule of the sentence around it. A sentence that is all one parenthesis is still read.
    #[test]
    fn a_standing_word_in_an_aside_sets_no_rule() {
        for sentence in [
            "pay attention to my use of p5js (not always obvious when objects are passed in) and \
             whether I dispose of them correctly.",
            "Local `.env` (Secure, Never Commit)",
        ] {
            assert!(
                kept(sentence).is_none_or(|(_, support)| support != Support::Marked),
                "{sentence}: {:?}",
                verdict(sentence)
            );
        }
        for sentence in [
            "(Always use pnpm in this repo.)",
            "Always run the tests (unit and integration) before pushing.",
            // A real Copilot CLI session: the aside is a rule of its own.
            "If you make any code change, keep it tiny and open a GitHub PR (never local-merge \
             to `main`).",
        ] {
            assert!(
                kept(sentence).is_some_and(|(_, support)| support == Support::Marked),
                "{sentence}: {:?}",
                verdict(sentence)
            );
        }
    }

    /// From real transcripts: a feature list pasted into a task brief ("Constantly updated to
    /// stay in tune with the latest design trends.") has lost its subject, and "work, now after
    /// click view application 403: Forbidden" reports what happens at a moment. Neither
    /// announces a new value that could be written on its own.
    #[test]
    fn a_fragment_or_a_moment_with_now_is_no_news() {
        for sentence in [
            "Constantly updated to stay in tune with the latest design trends.",
            "Regularly moved to new servers.",
            "work, now after click view application 403: Forbidden.",
            "The page now after a restart shows 500: Internal Server Error.",
        ] {
            assert!(
                !matches!(
                    verdict(sentence),
                    Verdict::Candidate {
                        support: Support::Marked,
                        ..
                    }
                ),
                "{sentence}: {:?}",
                verdict(sentence)
            );
        }
        // A subject is still a subject: "The nightly build moved to 02:00 UTC now".
        assert!(announces_change("The nightly build moved to 02:00 UTC."));
    }

    #[test]
    fn a_number_someone_set_is_news_and_a_number_that_moved_at_a_moment_is_a_measurement() {
        // (sentence, whether it announces a new value)
        let cases = [
            ("The cloud budget went up to $500.", true),
            ("Our cloud budget was raised to $500.", true),
            ("The request timeout was increased to 30 seconds.", true),
            ("Log retention has been extended to 90 days.", true),
            (
                "Free-tier rate limits were lowered to 100 requests per hour.",
                true,
            ),
            ("The error rate went up to 5% after the deploy.", false),
            ("Latency went down to 80ms yesterday.", false),
            ("Memory use went up to 3GB while the importer ran.", false),
            ("CPU usage rose to 90%.", false),
            (
                "Can the rate limit be raised to 200 requests per minute?",
                false,
            ),
        ];
        for (sentence, news) in cases {
            assert_eq!(
                announces_change(sentence),
                news,
                "{sentence}: {:?}",
                verdict(sentence)
            );
        }
        assert!(
            skip_reason("The error rate went up to 5% after the deploy.")
                .is_some_and(|reason| reason.contains("moved at some moment")),
            "{:?}",
            verdict("The error rate went up to 5% after the deploy.")
        );
    }

    use super::*;

    fn verdict(sentence: &str) -> Verdict {
        judge(sentence, &Thresholds::default())
    }

    fn skip_reason(sentence: &str) -> Option<&'static str> {
        match verdict(sentence) {
            Verdict::Skip { reason, .. } => Some(reason),
            Verdict::Candidate { .. } => None,
        }
    }

    /// Whether the sentence is kept as standing on its own (marked), whatever its class.
    fn marked(sentence: &str) -> bool {
        matches!(
            verdict(sentence),
            Verdict::Candidate {
                support: Support::Marked,
                ..
            }
        )
    }

    fn kept(sentence: &str) -> Option<(Class, Support)> {
        match verdict(sentence) {
            Verdict::Candidate { class, support, .. } => Some((class, support)),
            Verdict::Skip { .. } => None,
        }
    }

    /// The team naming the tool it now works with announces a change (which may update the item
    /// about the same thing); a manner is no tool.
    #[test]
    fn the_team_naming_its_new_tool_announces_a_change() {
        let limits = Thresholds::default();
        for sentence in [
            "We now manage dependencies with uv.",
            "Our team now builds the docs using mkdocs.",
            "We use pnpm to install dependencies now.",
        ] {
            assert!(
                matches!(
                    judge(sentence, &limits),
                    Verdict::Candidate { change: true, .. }
                ),
                "{sentence}: {:?}",
                judge(sentence, &limits)
            );
        }
        for sentence in [
            "We now deploy with care.",
            "Always deploy on Thursdays.",
            "We use more memory now.",
            "We use it for the docs now.",
        ] {
            assert!(
                !matches!(
                    judge(sentence, &limits),
                    Verdict::Candidate { change: true, .. }
                ),
                "{sentence}: {:?}",
                judge(sentence, &limits)
            );
        }
    }

    /// Memory texts as the corpus's lessons and the built-in curator write them pass, commands
    /// in code quotes included; the junk of real transcripts does not.
    #[test]
    fn a_memory_is_well_formed_unless_it_is_code_a_log_or_a_fragment() {
        for memory in [
            "A response with more than one ```bash block is rejected; put exactly one command per response, chaining steps with && if needed.",
            "Sessions run commands from the `backend` directory (`cd backend && …` in 7 of 7 sessions, 14 commands).",
            "`grep` fails with `grep: Unmatched [, [^, [:, [., or [=`; add `-F` (`grep -F 'replace(\".[\", \"[\")' src/_pytest/python.py` worked).",
            "Running pytest with coverage leaves .coverage and __pycache__/*.pyc untracked; add them to .gitignore.",
            "Use pnpm.",
            // "that" as the object of a verb ends a sentence.
            "The support inbox moved to support@example.com; please remember that.",
            "Squash merges only, we agreed on that.",
            // A preposition a relative clause strands (a real SpecStory session's, unpunctuated).
            "Do not reinit task-master, we don't want to lose the history of tasks we have worked on",
            "Keep the changelog of the branch you are working on",
        ] {
            assert_eq!(malformed_memory(memory), None, "{memory}");
        }
        for (junk, why) in [
            ("45 |   // Always fetch public data.", "looks like code"),
            ("Obj = dict()", "looks like code"),
            (
                "2026/04/29 09:22:50 The proxy has started…",
                "looks like code",
            ),
            (
                "\u{1b}[31mError\u{1b}[0m the build failed.",
                "terminal escape",
            ),
            (
                "That Terraform can guarantee to make the same selections by default when.",
                "ends mid-sentence",
            ),
            (
                "Name the branches after the ticket so that.",
                "ends mid-sentence",
            ),
            // A pronoun opening a main clause: its preposition was cut off.
            ("Keep the old flag and we switched to.", "ends mid-sentence"),
            ("We have moved the builds to.", "ends mid-sentence"),
            ("<div class=\"x\">Use the dark theme</div>", "markup"),
            (
                "[Image: source: /var/folders/jc/T/Xnapper-2026-06-18-17.29.44.png].",
                "a placeholder for an attachment",
            ),
            ("Deploy with [PROJECT_NAME] settings.", "placeholder"),
            ("Run the tests with `pytest", "unbalanced code quote"),
            ("Always", "too few words"),
        ] {
            let reason = malformed_memory(junk).unwrap_or_default();
            assert!(reason.contains(why), "{junk}: {reason}");
        }
    }

    /// What an agent found, from real sessions of the corpus: a cause or a tool's behaviour with
    /// an identifier is a finding; a change summary, a plan, a question or a sentence without
    /// an identifier is not.
    #[test]
    fn an_agent_finding_states_a_cause_or_behaviour_with_an_identifier() {
        let limits = Thresholds::default();
        for sentence in [
            "The crash log is nearly empty because `sys.excepthook` doesn't catch exceptions inside Textual's async event loop.",
            "The default `ShutdownTimeout` is 0, which means wait indefinitely.",
            "The issue is that `*cli.SilentError` is a type, not a value, so it cannot be used with `errors.Is()`.",
            "PowerShell 5.1's `Get-Content` doesn't default to UTF-8, so the extraction was mangling non-ASCII text.",
            // A plural subject's "do not" (a real Codex session's root cause).
            "The release workflow creates tags with `GITHUB_TOKEN`, and tag pushes from `GITHUB_TOKEN` do not reliably trigger the separate Publish workflow.",
        ] {
            assert!(states_a_finding(sentence, &limits), "{sentence}");
        }
        for sentence in [
            // A change summary: no cause, no behaviour.
            "Used `transcriptTypeUser` instead of `\"user\"` in the parser.",
            "Since we are creating a new file, I'll name it `pong_game.py`.",
            // A question to the person.
            "Should I re-run the job with `gh run rerun 42` now, because it may pass?",
            // No identifier to act on.
            "The issue is that the request is taking too long to even start.",
            // Too short to say anything.
            "`x` is not set.",
            // The agent's own work and plans, a heading, a check mark (real Codex and Claude
            // Code sessions).
            "I’m going to map the `src/` modules first, because the plan does not say which level comes next.",
            "Next I’ll build once, because `git add -A` would stage unrelated dirty files.",
            "## Work done this turn: the `supabase` plumbing that doesn't need keys",
            "✅ Never use the domain for `rsync`: it does not resolve from the build host.",
            // An instruction, not a finding.
            "Do not edit `src/generated.rs` by hand, it is regenerated on every build.",
        ] {
            assert!(!states_a_finding(sentence, &limits), "{sentence}");
        }
    }

    /// A wish not to do something any longer ends a practice (a real Claude Code session: "I
    /// do not want to sign my commits anymore."); what happens to the speaker ("see that
    /// error") is a complaint.
    #[test]
    fn a_wish_not_to_do_something_anymore_ends_a_practice() {
        for sentence in [
            "I do not want to sign my commits anymore.",
            "We don't want to use npm anymore.",
        ] {
            assert_eq!(
                kept(sentence),
                Some((Class::Preference, Support::Marked)),
                "{sentence}"
            );
        }
        for sentence in [
            "I don't want to see that error anymore.",
            "I don't want this button anymore.",
        ] {
            assert_ne!(
                kept(sentence),
                Some((Class::Preference, Support::Marked)),
                "{sentence}"
            );
        }
    }

    /// Choosing the tool for one of the project's roles lasts (a real Claude Code session:
    /// "Use uv as the package manager."); a task's use of a tool does not.
    #[test]
    fn choosing_a_tool_for_a_project_role_is_standing() {
        for sentence in [
            "Use uv as the package manager.",
            "Use Vitest for testing.",
            "Use pnpm for package management in this repo.",
            "Use ruff as our formatter",
            // "the test" of a compound is the project's tooling, not the test at hand.
            "Use Jest as the test runner.",
        ] {
            assert_eq!(
                kept(sentence),
                Some((Class::Preference, Support::Marked)),
                "{sentence}"
            );
        }
        for sentence in [
            "Use sqlite for the database tests in this PR.",
            "Use tabs for indentation.",
            "Use the new endpoint for the login page.",
        ] {
            assert_ne!(
                kept(sentence),
                Some((Class::Preference, Support::Marked)),
                "{sentence}"
            );
        }
    }

    /// An instruction scoped to the project ("in this repo", also opening the sentence) is
    /// standing; a request there, a task's scope and a word's qualifier are not.
    #[test]
    fn an_instruction_scoped_to_the_project_is_standing() {
        for sentence in [
            "Use pnpm in this repo.",
            "Do not use yarn in this project.",
            "Don't rely on the global config across this codebase.",
            "In this repo, use pnpm.",
            "For this project, don't use yarn.",
        ] {
            assert!(marked(sentence), "{sentence}: {:?}", verdict(sentence));
            assert_eq!(
                kept(sentence).map(|(class, _)| class),
                Some(Class::Preference),
                "{sentence}"
            );
        }
        for sentence in [
            "Update the README in this repo.",
            "Use all available MCP servers appropriate for this project.",
            "In this PR, use pnpm.",
            "For this task, use pnpm.",
        ] {
            assert!(!marked(sentence), "{sentence}: {:?}", verdict(sentence));
        }
    }

    /// What the speaker would rather do to the listener is an offer; what they would rather
    /// the listener did is a rule.
    #[test]
    fn an_offer_to_the_listener_is_no_preference() {
        for sentence in [
            "I'd rather show you a photo.",
            "I'd prefer to tell you in person.",
        ] {
            assert_eq!(
                skip_reason(sentence),
                Some("the speaker offers to do something for the listener, not a rule"),
                "{sentence}"
            );
        }
        for sentence in [
            "I'd rather you ask before deleting files.",
            "I prefer to review the diffs myself.",
        ] {
            assert!(
                kept(sentence).is_some(),
                "{sentence}: {:?}",
                verdict(sentence)
            );
        }
    }

    /// A person asked to remember an identifier of their own states a fact to remember; said in
    /// passing, or with no identifier, it describes them.
    #[test]
    fn an_identifier_of_the_speaker_is_kept_when_asked_to_remember_it() {
        assert!(marked(
            "Remember that my personal email is jdoe.fake7731@gmail.com."
        ));
        assert!(marked("Remember that my GitHub handle is `jdoe-dev`."));
        assert_eq!(
            skip_reason("My personal email is jdoe.fake7731@gmail.com."),
            Some("describes the speaker, not a rule or a fact")
        );
        assert!(!marked("Remember that I'm out on Friday."));
    }

    /// "Starting today, …" says when a change takes effect; a bare "today" is still this task.
    #[test]
    fn today_is_this_task_unless_a_change_starts_then() {
        assert!(marked("Starting today, install Python packages using uv."));
        // A limit someone sets moved when it was set; a measurement moved by itself.
        assert!(matches!(
            verdict("Heads up, max upload size went up to 50 MB yesterday."),
            Verdict::Candidate { change: true, .. }
        ));
        assert!(!marked("Latency went up to 2s yesterday."));
        // Any moment a change starts at, opening or closing the sentence, announces a value.
        for sentence in [
            "We bumped the toolchain to Go 1.23.",
            "Starting this quarter the staging database password rotates every 30 days.",
            "The staging database password rotates every 30 days starting next month.",
            "The staging database password rotates every 30 days as of today.",
        ] {
            assert!(
                matches!(verdict(sentence), Verdict::Candidate { change: true, .. }),
                "{sentence}: {:?}",
                verdict(sentence)
            );
        }
        assert!(!marked("Today, install the missing Python packages."));
        assert!(!marked("Install Python packages using uv today."));
    }

    /// In a rule, an "it" opening the clause that gives the reason is what the rule names
    /// ("Never use the notify-ctl script; it is for operators only"); an "it" that is the
    /// rule's own object is still something of this task.
    #[test]
    fn an_it_giving_the_rules_reason_is_no_deictic() {
        for sentence in [
            "Never use the notify-ctl script; it is for operators only.",
            "Always run the linter, it catches real bugs.",
            "Never commit .env files because it leaks secrets.",
        ] {
            assert!(marked(sentence), "{sentence}: {:?}", verdict(sentence));
        }
        for sentence in [
            "Never merge it without review.",
            "Always fix it before you push.",
            // A recurring event of this task's own file is still this task.
            "Add a log line before every return in this file.",
        ] {
            assert_eq!(
                skip_reason(sentence),
                Some("about the task at hand (refers to this work, not future work)"),
                "{sentence}"
            );
        }
    }

    #[test]
    fn standing_instructions_are_kept() {
        let cases = [
            (
                "Always run `mise run lint` before pushing.",
                Class::Preference,
            ),
            (
                "Never use the passive voice in client letters.",
                Class::Preference,
            ),
            (
                "From now on, cite the Bluebook, 21st edition.",
                Class::Preference,
            ),
            ("We don't use cuFFT in this project.", Class::Preference),
            // Answer particles before the comma are not how the statement opens.
            (
                "Ok so, always run the linter before pushing.",
                Class::Preference,
            ),
            (
                "Ok so, we switched from Jenkins to GitHub Actions.",
                Class::Fact,
            ),
            // A change taking effect opens what holds from then on; its "today" is no task.
            (
                "Starting today, install Python packages using uv.",
                Class::Preference,
            ),
            (
                "Effective immediately, run migrations with `make migrate`.",
                Class::Preference,
            ),
            ("As of today, the docs are built with MkDocs.", Class::Fact),
            // A program named in lower case is specific enough.
            ("Always use pnpm.", Class::Preference),
            ("Never use yarn.", Class::Preference),
            // So is the tool a team says it chose, whatever its case.
            ("We're going with codemirror.", Class::Fact),
            // Where the team keeps things and what it is going to use are decisions; what it
            // keeps doing and starts doing next are not (see the skipped chatter).
            ("We keep the changelog in docs/CHANGELOG.md.", Class::Fact),
            ("We are going to use Postgres for the API.", Class::Fact),
            // A rule after its condition; "when" and "where" open no question there.
            (
                "When you find a bug, always write a failing test for it first.",
                Class::Preference,
            ),
            (
                "When deploying, always run the smoke tests.",
                Class::Preference,
            ),
            ("Where possible, prefer pure functions.", Class::Preference),
            (
                "If the build fails, never retry more than twice.",
                Class::Preference,
            ),
            (
                "When we deploy, we must tag the release first.",
                Class::Preference,
            ),
            ("we aren't to use cuFFT", Class::Preference),
            // An exception the person keeps for themselves, and an obligation for every case
            // (a Claude Code user's "Do not reseed forms/templates unless I explicitly ask.",
            // "any query for vehicles/cases/submissions must filter by tenantId.").
            (
                "Do not reseed the forms unless I explicitly ask.",
                Class::Preference,
            ),
            (
                "Never force-push to a shared branch without asking first.",
                Class::Preference,
            ),
            (
                "Any query for vehicles or cases must filter by tenantId.",
                Class::Fact,
            ),
            ("Every migration must be reversible.", Class::Preference),
            // A need of each case, and the team's preference said in the third person.
            ("Every PR needs a linked issue.", Class::Fact),
            (
                "Each service has to expose a health endpoint.",
                Class::Preference,
            ),
            (
                "The team prefers Postgres over MySQL for new services.",
                Class::Preference,
            ),
            (
                "We use go-git explicitly so we do not depend on a checkout.",
                Class::Fact,
            ),
            ("We are completely dropping Firebase.", Class::Fact),
            ("We updated to C17.", Class::Fact),
            // "today" with the old value beside the new one announces a change, not a task.
            (
                "Effective today, the SLA for P1 tickets is 2 hours (was 4 hours).",
                Class::Fact,
            ),
            (
                "Let's use pnpm instead of npm from now on.",
                Class::Preference,
            ),
            ("We always use pnpm here, never npm.", Class::Preference),
            // A default chosen for the agent's own work stays a rule; a rule stated as "the
            // rule is to …" is no goal of the task.
            ("Use pnpm by default.", Class::Preference),
            // "By default," opening the sentence tells the agent what to do whenever nothing
            // else is said, whatever the verb.
            (
                "By default, include the ticket number in the subject line of replies.",
                Class::Preference,
            ),
            // A conjunction opening the sentence goes on from the one before.
            ("And never push to main.", Class::Preference),
            // Something named that is gone is a fact worth keeping.
            ("Heroku is gone.", Class::Fact),
            ("The Jenkins server is gone.", Class::Fact),
            // So is the end of a named tool's use, or of someone's part (from a real Codex
            // session: "i no longer use prek").
            ("i no longer use prek", Class::Fact),
            // A named value replaced by another, said by the team.
            ("We switched from npm to pnpm last month.", Class::Fact),
            ("we migrated from MySQL to Postgres", Class::Fact),
            ("We no longer use Travis CI for this repo.", Class::Fact),
            ("We are no longer using CircleCI.", Class::Fact),
            ("Dana Whitfield has left the company.", Class::Fact),
            (
                "Remove the sanitizer from the code, always render everything.",
                Class::Preference,
            ),
            // Asked to be remembered: a rule or a fact by the form of the rest.
            (
                "Remember that the staging API key rotates every Monday.",
                Class::Fact,
            ),
            (
                "For future reference, the prod cluster is gke-prod-eu-1.",
                Class::Fact,
            ),
            ("Note to self: the e2e suite needs Docker.", Class::Fact),
            // The same asked politely.
            (
                "Please remember that the staging DB is read-only.",
                Class::Fact,
            ),
            (
                "Remember that we always run make lint before pushing.",
                Class::Preference,
            ),
            ("We shouldn't use cuFFT anymore.", Class::Preference),
            (
                "The rule is to run the linter before pushing.",
                Class::Preference,
            ),
            // Prohibitions protecting something they name (from real Claude Code and Copilot
            // CLI sessions), and a practice ruled out entirely.
            ("Do not lose my data in the databas.", Class::Preference),
            (
                "Don't touch the `charming-analysis/writeups` folder, i will do thst myself.",
                Class::Preference,
            ),
            (
                "Please do not modify our billing schema.",
                Class::Preference,
            ),
            ("Do not edit `vendor/` by hand.", Class::Preference),
            (
                "We want to AVOID force push entirely, because force push can destroy others' work.",
                Class::Preference,
            ),
            // "it" pointing back to "a bug" in the same rule.
            (
                "Always write a test that reproduces a bug before fixing it.",
                Class::Preference,
            ),
            // A rule for every case (from a real Copilot CLI session).
            ("Use `bun` for any package/script ops.", Class::Preference),
            (
                "Use UTC for every timestamp in the logs.",
                Class::Preference,
            ),
            // A rule tied to a recurring event, whatever its wording.
            (
                "Make sure you run the linter before every commit.",
                Class::Preference,
            ),
            (
                "Keep answers short; I don't need a summary at the end of each reply.",
                Class::Preference,
            ),
            (
                "Tag the on-call engineer on every incident.",
                Class::Preference,
            ),
            // "the tests", "your changes" in a rule that opens with its marker are whatever
            // tests and changes there are then, not this task's.
            ("Always run the tests before pushing.", Class::Preference),
            ("Never force-push the branch.", Class::Preference),
            // A rule with praise in it is still a rule.
            (
                "Always run the full test suite before a release.",
                Class::Preference,
            ),
            // "ever again" holds "again" but rules the future.
            (
                "Do not even think about pushing to main directly, ever again.",
                Class::Preference,
            ),
            // A wish with a standing marker is a preference.
            (
                "I want all dates in ISO 8601 from now on.",
                Class::Preference,
            ),
            // Decisions in other words.
            (
                "The team agreed that all APIs return JSON:API documents.",
                Class::Fact,
            ),
            ("We're going with Tailwind for styling.", Class::Fact),
            // Other markers: a habit, a rule of ours, a closing "ever", a practice stopped.
            (
                "Make it a habit to run cargo fmt before committing.",
                Class::Preference,
            ),
            (
                "Our rule: every migration needs a rollback script.",
                Class::Preference,
            ),
            (
                "Please stop using var in JavaScript; use const or let.",
                Class::Preference,
            ),
            (
                "From now on, review your changes before committing.",
                Class::Preference,
            ),
        ];
        for (sentence, class) in cases {
            assert_eq!(
                kept(sentence).map(|(c, _)| c),
                Some(class),
                "{sentence:?}: {:?}",
                verdict(sentence)
            );
        }
    }

    #[test]
    fn one_off_requests_and_chatter_are_skipped() {
        let skipped = [
            "Don't stop until all functions are ported, tests pass, and you have 100% coverage.",
            "verify these results",
            "can you update the entire config so other machines i use wont push to public agentv",
            "let's make the \"entire start\" command hidden",
            "fix lint",
            "Please fix my unit test issue",
            "what kind of fallbacks does GetGitAuthorFromRepo have?",
            "When is the release going out",
            "where do the build logs end up",
            "is therer an issue raised already in upstream pi to use custom openai endpoint",
            "I'm currently getting this error in the repo, and there are no uncommited changes:",
            // "here" is the task at hand when nothing marks the statement as standing.
            "Use the staging key here.",
            // An answer typed without its comma before the request it makes.
            "Yep let's walk through option 1 now.",
            // "In the future" inside a purpose is the purpose's, no rule's scope.
            "Let's make sure the data is kept in supabase to make a run viewer possible in the future.",
            // A tentative idea, not a decision (real SpecStory chats about a chatbot's prompt).
            "We also may not want to be directed by the bot every time, we might want it to suggest two options.",
            // What is shown is this task's material.
            "Add your OAuth client ID and secret as shown (never expose the secret in frontend code).",
            // The listener's readiness, a plan of this work, a habit reported, an example, a
            // grade given to the work, a hedged guess (real Cline tasks of pasted reviews).
            "Ping me whenever you’re ready to tackle the LSP diagnostics—happy to draft the scaffolding.",
            "We are going to start wrapping up a few loose ends.",
            // Looking into the work at hand (a real SpecStory export of a CLI's sessions).
            "We're going to understand what we did for the /lore skill, see @../lore/ and how we handled indexing SpecStory sessions in sqlite.",
            // Doing the work at hand (a real Claude Code session starting a plugin).
            "We are going to plan the work for creating the plugin.",
            "We're going to build the settings page together.",
            // A rule that holds only if an earlier answer was yes.
            "Assuming so, FTS search results should always be in reverse chronological order.",
            "We keep shooting from the hip in the midnight hour.",
            "For example, some servers that rely on native modules never register as connected.",
            "The project is well-structured with a clear separation of concerns between packages.",
            "Current IDE shell: very likely client/src/AlanIDELayout.jsx.",
            // The listener's choice, not the speaker's preference (a pasted assessment brief).
            "You can use any programming language, framework, or architecture you prefer.",
            "Feel free to pick whichever test runner you like.",
            "yes, then commit, push",
            "For now, skip the flaky test while we debug.",
            "Customer Nina Rossi says order ORD-1 never arrived.",
            "Never do that again.",
            // Something that stopped happening, or a partial end, is no retirement.
            "the app no longer crashes on startup",
            // A complaint or an edit of this task is no change of the project.
            "I still sometimes have the right panel showing item 1 instead of the one selected.",
            "I moved the button from the header to the footer.",
            // A complaint, a tool's message about the listener, a template's placeholder (from
            // real Cline, aider and Codex sessions).
            "Always the same error with the db path.",
            "You're using eslint.config.js, some command line flags are no longer available.",
            "Decision: [what was chosen].",
            "Have a look at program.cs now.",
            // "it" is something of this task (from a real SpecStory session).
            "I need that explanation and I need a way to stop you doing it in the future.",
            "We no longer use Redis for the login path.",
            "Obj = dict()",
            "45 |   // Always fetch public data.",
            "That Terraform can guarantee to make the same selections by default when.",
            // A "never" further on describes this code; "the test" is this task's (a pasted
            // review comment from a real Claude Code session).
            "TestTrackDefaults is meant to cover the default, but because the test command is \
             hidden, TrackCommand returns early and never runs the defaulting logic.",
            // A request to change what is being built names its default, not a rule (a real
            // Codex session); a goal set for the work is not a fact.
            "first of all, modify the export script to include token counts in the log by default.",
            "Update the exporter to skip reasoning steps by default.",
            // What a viewer leaves out or hides by default is asked of the code being written
            // (a real Codex session), even after a conjunction.
            "exclude reasoning steps by default.",
            "But hide tokens by default when you view the html page (can still override with checkbox)",
            "Your task now is to make sure every test passes.",
            "The next step is to port the parser module.",
            // Something unnamed is gone: a bug report as often as a decision.
            "The export button is gone.",
            "The sidebar was removed!",
            // "Remember" does not make this task's work, or a question, standing.
            "Remember that you need to restart the server after this change.",
            "Remember that bug from yesterday?",
        ];
        for sentence in skipped {
            assert!(
                kept(sentence).is_none(),
                "{sentence:?} should be skipped: {:?}",
                verdict(sentence)
            );
        }
    }

    #[test]
    fn unmarked_instructions_need_repetition() {
        // Said once, a bare imperative may be advice for this task only ("Use another API key."
        // was text pasted from an error message): it is never written from one session.
        for sentence in ["Have pipx installed.", "Use another API key."] {
            assert_ne!(
                kept(sentence).map(|(_, support)| support),
                Some(Support::Marked),
                "{sentence:?}"
            );
        }
        assert_eq!(
            kept("Use pnpm, not npm, for installs."),
            Some((Class::Preference, Support::Repeated))
        );
        // A warning is an instruction too: kept when said again, reported when said once —
        // unless it warns against losing or overwriting what the person owns or names: that is
        // the guarded prohibition ("don't lose my data") said as a warning.
        for (sentence, support) in [
            (
                "Take care not to overwrite the fixtures.",
                Support::Repeated,
            ),
            ("Be careful not to break the build.", Support::Repeated),
            (
                "please be careful to not lose my progress in the database",
                Support::Marked,
            ),
            (
                "Make sure you don't overwrite our `fixtures/golden` files.",
                Support::Marked,
            ),
        ] {
            assert_eq!(
                kept(sentence),
                Some((Class::Preference, support)),
                "{sentence:?}: {:?}",
                verdict(sentence)
            );
        }
        // An instruction the person says they are repeating has been given before.
        for sentence in [
            "Again, keep everything simple and don't use external libraries.",
            "As I said, use pnpm, not npm, for installs.",
            "Once again: do not use Chart.js.",
        ] {
            assert_eq!(
                kept(sentence),
                Some((Class::Preference, Support::Marked)),
                "{sentence:?}: {:?}",
                verdict(sentence)
            );
        }
        // Said again, a ban on changing anything at all still holds for the task only (a real
        // Claude Code session: the person wanted analysis, not edits, for a while).
        assert_eq!(
            kept("again, don't edit anything, I want to tie more information to the dedup problem"),
            Some((Class::Preference, Support::Repeated))
        );
        // Chat between people: descriptions, opinions, reactions and encouragement.
        for sentence in [
            "They always make us smile.",
            "You never shy away from a challenge and always try something new.",
            "Thanks for always having my back.",
            "That's a memory I'll never forget.",
            "Meal times are always fun.",
            "Learning something new is always a great adventure.",
            "Writing has always been a passion of mine.",
            "Keep up the great work!",
            "Let's keep reaching for our dreams and make them happen!",
            "Wow, that sounds awesome!",
            "Never had a chance to visit it.",
            "No, I've never been in that park.",
            "Yeah, it's always a dream to see your favorites play!",
            "Performing live always fuels my soul!",
            // Opinions, feelings, offers and the speaker's experience, in other words (LoCoMo
            // chats imported as user/assistant turns).
            "Nature's always been my haven.",
            "Thanksgiving's always special for us.",
            "Always good chatting with you.",
            "Always a joy to see him so happy.",
            "Being outdoors is always a great way to relax.",
            "Sharing our experiences isn't always easy, but it matters.",
            "Let me know whenever you need assistance.",
            "Every time I see it, I can't help but smile.",
            "Nope, never been on a sports team.",
            // A standing word in a clause about someone, a habit, a possibility, and an opinion
            // with "not" before "always" (LoCoMo turns, reworded).
            "Even on bad days, they always have my back.",
            "I named him Biscuit, and he's always next to me while I paint.",
            "Baking is fun and I'm always trying new recipes.",
            "We're a close team - always supporting each other.",
            "Dogs bring us calm, plus we can always count on them.",
            "Resting is so important, even if it's not always easy.",
            "Moments like that I'll always cherish.",
            "Always love hiking with my sister.",
            "Always there to cheer me on.",
            "The smell always reminds me of my father's workshop.",
            "Whenever I hear that song, it's like being young again!",
            "I promised to be more patient in the future.",
            "I haven't tried any other instruments, but I hope to in the future.",
            "I had never seen her nearby before.",
            "You've always been there for me, John.",
            "We agreed to meet at 3 tomorrow.",
            "Always running around, exploring and having a great time.",
            "Hope all is good.",
            "Great chatting with you as always.",
            "They definitely prefer nice, sunny days in the grass.",
            "But you never know what life's gonna throw at you.",
            "It's never too late to make positive changes.",
            // What a component does, listed without its subject.
            "Always falls back to the local placeholder image.",
            "Toggle 2D/3D repeatedly while playing: never freezes, never blanks.",
            "Never retries a request that timed out.",
        ] {
            assert!(
                kept(sentence).is_none(),
                "{sentence:?}: {:?}",
                verdict(sentence)
            );
        }
        // That something never was supported is no one's experience: still a statement.
        // A rule whose subject is a gerund is still a rule.
        for sentence in [
            "Always running `cargo fmt` before pushing is required.",
            "Never committing secrets is our rule.",
            // Base forms that end in "s" are still rules.
            "Always pass `--frozen-lockfile` to pnpm in CI.",
            "Always focus the search box when the page opens.",
            "Never bypass the review step for hotfixes.",
        ] {
            assert!(
                kept(sentence).is_some(),
                "{sentence:?}: {:?}",
                verdict(sentence)
            );
        }
        for ever in [
            "No console.log statements in committed code, ever.",
            // A real aider session: "ever" closing a prohibition.
            "In the health endpoint, do NOT return the sqlite:// URL ever.",
            "Don't use the prod database for tests ever.",
        ] {
            assert!(
                kept(ever).is_some_and(|(_, support)| support == Support::Marked),
                "{ever}: {:?}",
                verdict(ever)
            );
        }
        let praise = "That was the best release ever.";
        assert!(kept(praise).is_none(), "{:?}", verdict(praise));
        let unsupported = "Windows has never been supported by the CLI.";
        assert!(kept(unsupported).is_some(), "{:?}", verdict(unsupported));
        // …while rules with the same words stand.
        for sentence in [
            "You must always run the linter before pushing.",
            "The CI always runs on Ubuntu 22.04.",
            "The public API has always been rate-limited per key.",
            "Never push to main!",
            "Keep the changelog up to date in every PR.",
            "No, always use pnpm for installs.",
            "Always squash before merging!",
        ] {
            assert!(
                kept(sentence).is_some(),
                "{sentence:?}: {:?}",
                verdict(sentence)
            );
        }
        // The opener does not make a request standing, and "again" at the end is a retry.
        for sentence in [
            "Again, fix the login bug.",
            "Run the tests again.",
            "Again, this file is wrong.",
        ] {
            assert_ne!(
                kept(sentence).map(|(_, support)| support),
                Some(Support::Marked),
                "{sentence:?}: {:?}",
                verdict(sentence)
            );
        }
        // A prohibition that names nothing, or points at the task ("this", "yet"), is not
        // standing from one session.
        for sentence in [
            "Don't push.",
            "Don't touch this file.",
            "Do not delete `old_parser.py` yet.",
            "Don't change it.",
            "Remove the legacy importer entirely.",
            // A request over all cases is still a request.
            "Fix the lint errors in all files.",
            "Use the new endpoint for all calls in this PR.",
        ] {
            assert_ne!(
                kept(sentence).map(|(_, support)| support),
                Some(Support::Marked),
                "{sentence:?}: {:?}",
                verdict(sentence)
            );
        }
    }

    #[test]
    fn now_announces_a_change_of_value() {
        let announces =
            |sentence: &str| matches!(verdict(sentence), Verdict::Candidate { change: true, .. });
        for (sentence, announced) in [
            ("The on-call rotation now changes every Wednesday.", true),
            ("We deploy on Tuesdays now.", true),
            // "X is in … now" names where something is only when it names a place: a state of
            // the work ("in scope") is no new value.
            ("The runbooks are in Confluence now.", true),
            ("All endpoints are in the scope now.", false),
            ("The remaining pages are in progress now.", false),
            // A verdict on the work, naming a script.
            ("npm run clearAnonymousUsersDb:prod works now.", false),
            // "these days" is news like a closing "now", not this task's days; "reports" after
            // a word that qualifies it is a noun, not someone reporting events.
            ("Frontend deploys go to Vercel these days.", true),
            (
                "Send quarterly reports to controller@example.com from now on.",
                true,
            ),
        ] {
            assert_eq!(
                announces(sentence),
                announced,
                "{sentence}: {:?}",
                verdict(sentence)
            );
        }
        assert!(now_before_verb("we now deploy from main"));
        assert!(!now_before_verb(
            "we do have the meeting with rené now at 9"
        ));
        assert!(!now_before_verb("yes, trigger one now to test"));
        for lower in [
            "right now the build is broken",
            "for now skip it",
            "from now on use pnpm",
            "now that it works, ship it",
        ] {
            assert!(!now_before_verb(lower), "{lower}");
        }
        // A complaint with "instead" and a number is no announced value.
        assert!(kept("I still sometimes see item 1 instead of the one selected.").is_none());
    }

    /// Facts a person is not sure of, asks about or only supposes, and things left unfinished
    /// (from Claude Code and Gemini CLI sessions of unseen real transcripts): none is a fact to
    /// remember, while the sure, stated forms still are.
    #[test]
    fn hedged_asked_supposed_and_unfinished_facts_are_skipped() {
        let cases = [
            (
                "We moved the idle timeout to 10 minutes, it seems too short again.",
                "hedged",
            ),
            ("Maybe we use Postgres for the audit log.", "hedged"),
            // A guess about what happened (a real Claude Code session).
            (
                "The resolve-conflicts stash work is gone — looks like that branch may have landed.",
                "hedged",
            ),
            // A conjecture in a design chat (a real Codex session): no fact of the project.
            (
                "The compass would be part of the steering module in the cockpit.",
                "hedged",
            ),
            (
                "The cache probably lives on the NAS, as far as I know.",
                "hedged",
            ),
            (
                "Can't we use a different provider for the mail.",
                "no standing",
            ),
            ("Nah cant we use a differnt provider then.", "no standing"),
            (
                "Should we use Redis for sessions in this repo.",
                "a question",
            ),
            (
                "But if the client is asking for the legacy name rather than the new one.",
                "a condition",
            ),
            (
                "Unless the nightly job is moved to 02:00 instead of 01:00.",
                "a condition",
            ),
            (
                "The deploy goes through the staging cluster rather than prod...",
                "a fragment",
            ),
            ("Which is the older name of the gate…", "a fragment"),
            // A personal assistant's chats (real Hermes Agent sessions): a plan that waits on
            // an event, the speaker's own mind, the moment they are about to act.
            (
                "About the sensor, I received the parts for the prototype we will build, so once we build the prototype we will resume logging data to ThingSpeak.",
                "a plan that waits",
            ),
            (
                "I always think of errands to run outside but it's hard to remember them.",
                "describes the speaker",
            ),
            (
                "The soil is already humid but I will spray the beds with nutrients now.",
                "no standing instruction",
            ),
            (
                "Let me know when you are done as we will close the week now.",
                "a request",
            ),
        ];
        for (sentence, why) in cases {
            let reason = skip_reason(sentence);
            assert!(
                reason.is_some_and(|r| r.starts_with(why)),
                "{sentence:?}: {reason:?}"
            );
        }
        for (sentence, class) in [
            ("We moved the idle timeout to 10 minutes.", Class::Fact),
            ("We use Postgres for the audit log.", Class::Fact),
            ("We shouldn't use cuFFT anymore.", Class::Preference),
            (
                "If the build fails, never retry more than twice.",
                Class::Preference,
            ),
        ] {
            assert_eq!(
                kept(sentence).map(|(c, _)| c),
                Some(class),
                "{sentence:?}: {:?}",
                skip_reason(sentence)
            );
        }
        // A use ended "anymore" is standing only when it names what ended.
        assert_eq!(
            kept("We shouldn't use cuFFT anymore."),
            Some((Class::Preference, Support::Marked))
        );
        assert_eq!(
            kept("I don't need the repos anymore."),
            Some((Class::Preference, Support::Repeated))
        );
        // An instruction, or a waiver, that ends a practice "anymore" is standing whatever
        // follows the name; what the speaker no longer wants ("I don't want …") is not.
        for sentence in [
            "Don't use yarn for installs anymore.",
            "No need to ask before committing anymore.",
            "You don't have to run the full suite any longer.",
            "Don't put secrets in .env files anymore; use Vault.",
        ] {
            assert_eq!(
                kept(sentence).map(|(_, support)| support),
                Some(Support::Marked),
                "{sentence:?}: {:?}",
                skip_reason(sentence)
            );
        }
        assert!(
            kept("I don't want this button anymore.").is_none_or(|(_, s)| s != Support::Marked)
        );
    }

    /// A value said with "now" and no "is": quoted code, a channel, a name written inside the
    /// sentence. Not a story of the speaker's own life, not the listener told what they want,
    /// and not words in capitals.
    #[test]
    fn a_new_value_said_with_now_is_a_fact() {
        for sentence in [
            "Migrations now run with `just migrate`.",
            "The frontend build uses Vite now.",
            "The test command is now `pnpm test`.",
            "Incidents go to #incidents now.",
            // A plural noun that reads like a reporting verb is the subject here.
            "Quarterly reports are now due on the 10th.",
            "Insurance claims are now processed within 30 days.",
            // Leaving a tool behind is a change of the project's facts.
            "We're moving off Firebase entirely.",
        ] {
            assert_eq!(
                kept(sentence).map(|(class, _)| class),
                Some(Class::Fact),
                "{sentence:?}: {:?}",
                skip_reason(sentence)
            );
        }
        // What each of some things has, and what someone else likes, are no rules.
        for sentence in ["Each photo has an amazing moment.", "She prefers tea."] {
            assert!(kept(sentence).is_none(), "{sentence:?}");
        }
        for sentence in [
            "It's part of my daily routine now.",
            "Losing my job was hard, but I'm living my dreams now.",
            "You now want spectral precision using Koopman operator theory.",
            "Start now by reading the file structure. USE ANY SKILLS AND MCP YOU FOUND.",
            // … and a reporting verb still reports, also after a lead-in the gate strips
            // (the cues are found in the whole sentence, the verb in what follows it).
            "The customer now reports that the export works.",
            "Yesterday I went bowling and got 2 strikes.",
        ] {
            assert!(kept(sentence).is_none(), "{sentence:?}");
        }
    }

    /// From the specs, bug reports and task lists people type (Claude Code and Gemini CLI
    /// sessions of unseen real transcripts): a problem described, a task for one file, the
    /// default of the product being built, a change asked for, an expectation, code, a check —
    /// none is a memory; the rules next to them still are.
    #[test]
    fn requests_after_praise_or_a_connective_and_edits_with_a_purpose_are_requests() {
        // Real SpecStory exports (Copilot Chat, Cursor): praise or "Moreover," before the next
        // request, a standing marker inside what the edit is for, a quantifier pointing back.
        for sentence in [
            "phenomenal, now find a more descriptive workflow name for main.yml instead of \"CI\"",
            "Moreover, update the tasks in tasks.json so that instead of running each 10 seconds, we run the script whenever a user saves a .md file.",
            "Furthermore, rename the helper to parse_config.",
            // A real Copilot CLI task brief: the "never" says what follows from the strategy.
            "Recommend a merge strategy per artifact family (e.g. union/`-X ours`/jsonl-aware merge driver) so most merges are automatic and force-push is never needed.",
        ] {
            assert_eq!(
                kept(sentence),
                None,
                "{sentence:?}: {:?}",
                verdict(sentence)
            );
        }
        assert!(!marked("Use fs.writeFileSync for each."));
        // A rule keeps its markers before the purpose, and a quantifier with its noun.
        assert!(marked(
            "Always run the linter so that CI never fails on style."
        ));
        assert!(marked(
            "Always rebase before pushing so the history stays linear."
        ));
        assert!(marked("Use UTC for every timestamp."));
    }

    #[test]
    fn the_fences_and_steps_of_one_edit_are_the_task_at_hand() {
        // A real aider history, written as structured task prompts.
        for sentence in [
            "Do NOT change anything else (labels, buttons, layout, classes on Input itself, etc.).",
            "Do NOT touch any other files (page.tsx, layout, etc.)",
            "Do not touch other folders/files like booking, favicon.ico, globals.css.",
            "Do NOT change layout, existing logic, or other cards.",
            "Increase overall padding: change outer div to p-6, inner sections mb-6 instead of mb-4.",
            "Toggle works – now add shadcn/ui components (Card, Button, Input) for nicer look.",
            "New feature: Add broker selector (local Mosquitto, HiveMQ public, EMQX public)",
            "Review code of page and machinecard and find problem why the output text is always white.",
        ] {
            assert_eq!(
                kept(sentence),
                None,
                "{sentence:?}: {:?}",
                verdict(sentence)
            );
        }
        // Whose things are fenced off for good stays a rule; a lead-in is no request.
        assert!(marked("Never touch other people's branches."));
        assert!(marked("Update: the staging host is now db-2."));
    }

    #[test]
    fn a_task_given_under_a_label_is_the_task_at_hand() {
        // Task templates open with a label; "dropping" there announces no change.
        for sentence in [
            "Task: Fix the CSV export dropping the last row.",
            "Goal: make the build green.",
            "Objective: migrate the settings page to the new form library.",
            "TODO: rename the config loader.",
            // Finishing work asked for, under a condition or not.
            "Complete milestone 6 when milestone 5 is satisfied.",
            "Wrap up the importer docs before the release.",
        ] {
            assert_eq!(
                kept(sentence),
                None,
                "{sentence:?}: {:?}",
                verdict(sentence)
            );
        }
        // A rule under a label still stands.
        assert!(marked("Goal: always keep the main branch green."));
    }

    #[test]
    fn bug_reports_task_items_and_product_specs_are_skipped() {
        for sentence in [
            "Problem: on mobile the app opens the latest detail view by default and hides the list.",
            "Error 2: All CTA buttons link to /dashboard instead of /login.",
            "Root cause: the wrapper div has no explicit height.",
            "The issue is that the landing page should always show the sign-in button.",
            "src/app/api/analysis/route.ts: remove the mock metrics so analysis is real by default.",
            "Progress Bar UI: The boxes in the progress bar should glow in their level colours by default.",
            "The Service Receipt form needs to be updated to match the attached PDF exactly.",
            "The page should now load quickly without the AbortError.",
            "typescript<Canvas frameloop=\"always\"> {/* Not demand */}.",
            "The select package is imported but never used.",
            // "should" over every case is as often this task's goal.
            "All tests should pass before we merge this.",
            // "we use" in a relative clause names a thing; it states no choice (a real Claude
            // Code session's design feedback).
            "You can say the same for the color and gradient we use in the shell segment in the R prompt because that's also pretty harsh.",
            // A verdict on the work is no new value, nor is a "new" that names none (real
            // Claude Code sessions).
            "Tables are good now.",
            "New keys are added.",
            // A wish about definite things of this work (a real Claude Code session).
            "I would prefer that the sharing flows are actually tested properly, with multiple accounts.",
            // "always" saying how a thing behaves is no rule: a fact said once, like any other
            // (the first from a real Claude Code session).
            "working in claude, hitting /clear always create file in same directory, however multiple tabs can work in the same folder.",
            "The nightly build always fails on the first run after a deploy.",
            "The CI pipeline never runs on forks.",
            // How the work stands is no value to remember.
            "The build is green now.",
            "Ok, the API is faster now.",
            "The staging deploy is fixed now.",
        ] {
            assert!(
                !marked(sentence),
                "{sentence:?} was kept: {:?}",
                verdict(sentence)
            );
        }
        assert_eq!(
            kept("Ensure we are using signInWithPopup(auth, googleProvider)."),
            Some((Class::Preference, Support::Repeated))
        );
        for sentence in [
            "Command-line software which adds ANSI color to its output by default should check for a NO_COLOR environment variable.",
            "By default, use pnpm for every package script.",
            "We use `signInWithPopup` for Google sign-in.",
            "In this repo we use pnpm, not npm.",
            "The deploy job has been moved to 02:00 UTC.",
            "Never quote `<div class=\"x\">` markup in commit messages.",
            // A passive in the present sets a rule (a real Copilot CLI session): "preferred"
            // ends in -ed like a past tense, but "are always" rules every case.
            "Off-the-shelf tools that we can install for free are always preferred.",
            "I'd prefer that you always run the linter before committing.",
            // A person, the team's own thing, a modal or a joint to an instruction before
            // "always" keeps it a rule.
            "Our team always squashes pull requests.",
            "Tests should always pass before merging.",
            "Run the linter and always fix its warnings.",
            // A value the subject now has, not how the work stands.
            "The default branch is main now.",
            // A label before a rule over every case (a real Claude Code session).
            "Code standard: every new addition to the code base, including new files, needs a comment citing the ticket number.",
            // "todo" as a noun is no work-in-progress marker: the rule stands going forward.
            "From now on, create a gsd todo for every finding that can wait.",
        ] {
            assert!(marked(sentence), "{sentence:?}: {:?}", verdict(sentence));
        }
        for temporary in [
            "TODO: always use the new client.",
            "Always keep the retry shim (FIXME).",
        ] {
            assert!(
                !marked(temporary),
                "{temporary:?}: {:?}",
                verdict(temporary)
            );
        }
    }

    /// "Too big", "way too slow": a complaint about how the work is now, said to have it
    /// changed, not a fact to keep. A rule about a degree stays a rule.
    #[test]
    fn complaints_of_degree_are_skipped() {
        for sentence in [
            "The text is too big now, Please revert to earlier.",
            "The sidebar looks way too cramped on phones now.",
            "The header is much too tall on the settings page.",
        ] {
            assert_eq!(
                skip_reason(sentence),
                Some("a complaint about how something is (\"too big\"), not a fact or a rule"),
                "{sentence:?}"
            );
        }
        for sentence in [
            "Never let a function grow too long; split it past 50 lines.",
            "The default timeout is now 30 seconds.",
        ] {
            assert!(
                kept(sentence).is_some(),
                "{sentence:?}: {:?}",
                verdict(sentence)
            );
        }
    }

    /// How something strikes the speaker ("looks ambitious", "sounds solid") is no fact; a value
    /// after the verb, or "looks like", is read as before.
    #[test]
    fn impressions_are_skipped() {
        for sentence in [
            "Good luck—your Phase-3 alpha now looks both ambitious and buttoned-up.",
            "The new Billing page seems really polished now.",
            "Your Q3 plan sounds solid.",
        ] {
            assert_eq!(
                skip_reason(sentence),
                Some("an impression (\"looks ambitious\"), not a fact or a rule"),
                "{sentence:?}"
            );
        }
        for sentence in [
            "The staging database now appears in `hosts.toml`.",
            "Always make sure the dashboard looks right on phones before merging.",
        ] {
            assert_ne!(
                skip_reason(sentence),
                Some("an impression (\"looks ambitious\"), not a fact or a rule"),
                "{sentence:?}"
            );
        }
    }

    /// From real SpecStory sessions: "No, tasks.md should always use that normal format." — the
    /// format was shown earlier in the chat; the sentence alone names none. A rule that says
    /// its own order ("in that order") still stands.
    #[test]
    fn a_rule_ending_on_a_thing_pointed_at_names_nothing() {
        for sentence in [
            "No, tasks.md should always use that normal format.",
            "From now on, always base the commit message on that template.",
        ] {
            assert_eq!(
                skip_reason(sentence),
                Some(
                    "ends on what was shown before (\"… use that format\"): a memory names what \
                     it is about"
                ),
                "{sentence:?}"
            );
        }
        for sentence in [
            "Always run lint, test and build in that order.",
            "Always make sure that tests pass.",
            "Never merge a branch that fails CI.",
        ] {
            assert!(kept(sentence).is_some(), "{sentence:?}");
        }
    }

    /// A clause of time or condition before the comma is no question ("When you add a
    /// dependency, pin its version."), and a wish after it is how to work then (a real
    /// SpecStory session: "Before writing any code, I'd like to see your plans and confirm them
    /// each time."). A question's "when" takes an auxiliary next.
    #[test]
    fn a_clause_before_the_rule_is_no_question() {
        assert_eq!(
            kept("Before writing any code, I'd like to see your plans and confirm them each time."),
            Some((Class::Preference, Support::Marked))
        );
        for sentence in [
            "When you add a dependency, pin its version.",
            "Once the build is green, I want you to tag the release.",
        ] {
            assert_ne!(
                skip_reason(sentence),
                Some("a question, not a statement"),
                "{sentence:?}"
            );
        }
        // What to do whenever the condition holds is an instruction, though without a standing
        // marker ("when you're done, push" is as often for this task): a second session keeps
        // it (a real SpecStory session: "Before you do any changes or if I say "cleanup", run
        // the `./cleanup.py …` script in the main folder.").
        for sentence in [
            "When you add a dependency, pin its version.",
            "Before you make any changes, run `make check`.",
            "Before pushing, run the linter.",
        ] {
            assert_eq!(
                kept(sentence),
                Some((Class::Preference, Support::Repeated)),
                "{sentence:?}"
            );
        }
        // An auxiliary before its subject asks, with or without a question mark (a real
        // SpecStory session: "Should the import * as helpers be a part of the main codebase,
        // thus always available …"); "Should the build fail, …" is a condition.
        assert_eq!(
            kept("Should the build fail, always roll back the deploy."),
            Some((Class::Preference, Support::Marked))
        );
        // "Do the …" opens a request or a rule, never a question.
        assert!(kept("Do the database migrations in a separate pull request, always.").is_some());
        for sentence in [
            "When do we deploy, before or after the freeze.",
            "Where is the config",
            "Should the helpers be part of the main package, thus always available to the CLI.",
            "Is the cache always cleared before a release",
        ] {
            assert_eq!(
                skip_reason(sentence),
                Some("a question, not a statement"),
                "{sentence:?}"
            );
        }
    }

    #[test]
    fn bare_facts_may_only_update() {
        assert_eq!(
            kept("The staging database host is db-2.internal."),
            Some((Class::Fact, Support::UpdateOnly))
        );
    }

    #[test]
    fn an_it_from_before_is_no_subject_but_an_extraposed_rule_is_a_rule() {
        assert_eq!(
            kept("It is the fallback for every client older than 2.0."),
            None
        );
        // A reflection is not made a standing rule by the opening (at most an unmarked one,
        // which needs a second session).
        assert!(!matches!(
            kept("It's important to remember that progress takes time."),
            Some((_, Support::Marked))
        ));
        for sentence in [
            "It's a standalone script and we don't need the old exporter anymore.",
            "It's the only place where we keep release notes anymore.",
            // An answer whose condition is the question before it.
            "If not I prefer previous look, but if you could make the text taller that would be great.",
            "Otherwise, always keep the old header on the settings page.",
        ] {
            assert_eq!(
                skip_reason(sentence),
                Some(
                    "refers back to something said before (\"it\"): a memory names what it is about"
                ),
                "{sentence}"
            );
        }
        for sentence in [
            "It's important to always run the linter before committing.",
            "It is best to never deploy on Fridays.",
            "It’s essential to always pin the Node version in CI.",
        ] {
            assert_eq!(
                kept(sentence),
                Some((Class::Preference, Support::Marked)),
                "{sentence}: {:?}",
                verdict(sentence)
            );
        }
    }

    #[test]
    fn planned_in_the_future_is_no_rule_scope() {
        assert_eq!(
            kept(
                "`status` takes booleans, which initially will just be booleans but in the future may support richer values."
            ),
            None
        );
        assert_eq!(
            kept("In the future, add an entry to CHANGELOG.md for every user-visible change."),
            Some((Class::Preference, Support::Marked))
        );
    }

    /// A request that ends with a standing rule gives the rule alone; a sentence that does not
    /// open as a request, or whose later clause is no strong standing marker, stays whole.
    #[test]
    fn a_request_ending_with_a_rule_gives_the_rule() {
        let cases = [
            (
                "Fix the login page, and never use eval in the frontend code.",
                Some("never use eval in the frontend code."),
            ),
            (
                "please push it; from now on squash-merge every PR.",
                Some("from now on squash-merge every PR."),
            ),
            ("Use pnpm, never npm.", None),
            ("We deploy on Fridays, always after the standup.", None),
            ("Fix the login page, and then run the tests.", None),
            ("Always fix lint errors first, never skip them.", None),
            (
                "also, from now on, never ask me questions like \"Shall I go on?\"",
                None,
            ),
        ];
        for (sentence, expected) in cases {
            assert_eq!(standing_clause(sentence), expected, "{sentence}");
        }
        assert_eq!(
            kept("never use eval in the frontend code."),
            Some((Class::Preference, Support::Marked))
        );
    }

    /// An imperative that asks for work now is a request, whatever its verb, even when its
    /// purpose clause says how the team works ("so that we'll use …"); a standing marker makes
    /// it a rule.
    #[test]
    fn imperatives_with_a_purpose_are_requests() {
        for sentence in [
            "Get latest updates on the framework from its docs and update the @CLAUDE.md file accordingly, so that we can ensure we'll use correct practices for the project.",
            "Fetch the nightly logs so that we can see why the import stalls.",
            "Port the parser to Rust so we use one language for the CLI.",
            "nice now update the readme file https://example.vercel.app/",
            "Perfect, push it to the staging branch.",
            "modify agent to prevent same issue in the future.",
            "Add a regression test so that this is caught in the future.",
        ] {
            assert_eq!(
                skip_reason(sentence),
                Some("a request about the task at hand"),
                "{sentence}"
            );
        }
        assert_eq!(
            kept("Always fetch the latest docs before changing the build setup."),
            Some((Class::Preference, Support::Marked))
        );
        // The future of the rule itself, not of a purpose, still makes it standing.
        assert_eq!(
            kept("In the future, run the migrations before the seed script."),
            Some((Class::Preference, Support::Marked))
        );
        assert_eq!(
            kept("Use const instead of let in future code."),
            Some((Class::Preference, Support::Marked))
        );
        // "in future days" names days of the domain, not every later session.
        assert_ne!(
            kept("Increase text size in future days by 50%."),
            Some((Class::Preference, Support::Marked))
        );
        // A hyphen continues the word: "Read-only" opens no request.
        assert_ne!(
            skip_reason("Read-only access is required for the CI deploy token."),
            Some("a request about the task at hand")
        );
    }

    #[test]
    fn an_opening_mention_is_not_how_the_sentence_opens() {
        assert_eq!(
            without_mentions("@AGENTS.md @docs/log.md add a note on the log format"),
            "add a note on the log format"
        );
        assert_eq!(without_mentions("@gitter"), "@gitter");
        assert_eq!(
            without_mentions("Use @scope/pkg for it"),
            "Use @scope/pkg for it"
        );
        assert_eq!(
            skip_reason("@AGENTS.md add a note to use the gitter format for log lines."),
            Some("a request about the task at hand")
        );
    }

    #[test]
    fn sentences_in_another_language_are_told_apart() {
        for text in [
            "Měla by tam být URL: `https://localhost:3000/account/authorize`",
            "Всегда запускай тесты перед коммитом.",
            "Nie używaj tej biblioteki w żadnym projekcie.",
            "总是在提交之前运行测试。",
        ] {
            assert!(written_in_another_language(text), "{text:?}");
        }
        for text in [
            "Always run the tests before committing.",
            "Ask José about the VPN before you change the firewall rules.",
            "Use `naïve_bayes_fit` from `src/model.py`, never the copy in `notebooks/`.",
            "The café's Wi-Fi blocks SSH.",
            "Store dates as ISO 8601 — never as “today”.",
        ] {
            assert!(!written_in_another_language(text), "{text:?}");
        }
        assert_eq!(
            skip_reason("Měla by tam být URL: `https://localhost:3000/account/authorize`"),
            Some("not in English: the built-in rules read English only")
        );
    }

    #[test]
    fn fragments_and_code_are_not_well_formed() {
        let limits = Thresholds::default();
        for text in [
            "the `foo",
            "Run the (first step",
            "Configure the proxy so that",
            "<task_progress>",
            "x",
            // Pieces of a shell line or a table, and text cut into pieces.
            "cd /app && npm ci && npm test",
            "Name | Owner | Status",
            ") instead fixing e-mail ( instead the bug moved",
            "token : the deploy key was replaced by the new one",
            // A heading set in bold throughout.
            "**Task 5 (Housekeeping): Remove Deprecated Files**.",
            // What Claude Code puts in place of a pasted screenshot (a real SpecStory export).
            "[Image: source: /var/folders/jc/T/Xnapper-2026-06-18-17.29.44.png].",
            // A quotation cut open (a real aider history).
            "/instructions \"Always respond in Thai language.",
            "Release notes\t✅ drafted for the 2.3 release\tReady for review by the team",
        ] {
            assert!(well_formed(text, &limits).is_err(), "{text:?}");
        }
        // Dashes, arrows and an ampersand are prose.
        for text in [
            "Use pnpm — not npm — for installs.",
            "Rename the setting old_name -> new_name in every config.",
            "The R & D team owns the billing service.",
        ] {
            assert!(well_formed(text, &limits).is_ok(), "{text:?}");
        }
        assert!(well_formed("Run `make test` before committing.", &limits).is_ok());
        // Particles and idioms end whole sentences; a preposition with nothing after does not.
        for text in [
            "Let's use pnpm instead of npm from now on.",
            "Leave the feature flag for search turned on.",
            "Keep the staging VPN switched on.",
        ] {
            assert!(well_formed(text, &limits).is_ok(), "{text:?}");
        }
        assert!(well_formed("The exports are written to a bucket in.", &limits).is_err());
        assert!(well_formed("Deploy the service to the cluster on.", &limits).is_err());
    }
}
