//! `lucid-dev eval locomo`: dream each LoCoMo conversation into a store and measure how well
//! retrieval over the store finds the evidence turns of the benchmark's questions.
//!
//! Each conversation is a fleet: every dated session is a transcript of two speakers (each turn
//! a message "Speaker: text", with the shared photo's caption when there is one). The dream runs
//! the built-in curator with conversation episodes on. For every question of categories 1–4, the
//! top-k store items by BM25 are retrieved and the evidence turns (`D<session>:<turn>`) covered
//! by their evidence are counted: evidence-turn recall@k. The same BM25 over the raw turns is the
//! baseline, and the LoCoMo paper's dense retriever (DRAGON) figures are printed for reference.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, bail};
use clap::Args;
use lucid_core::report::{Evidence, Op};
use lucid_core::{
    DigestOptions, DreamOptions, Event, EventKind, Session, SessionTrust, Store, TranscriptFormat,
};
use serde_json::Value;

/// Evidence-turn recall on LoCoMo from a dreamed store vs raw turns.
#[derive(Debug, Args)]
pub struct LocomoArgs {
    /// Path to locomo10.json.
    #[arg(
        long,
        value_name = "FILE",
        default_value = "../shared/data/locomo/locomo10.json"
    )]
    data: PathBuf,
    /// Print tables as Markdown.
    #[arg(long)]
    markdown: bool,
    /// Also write the per-question results as JSON here.
    #[arg(long, value_name = "FILE")]
    details: Option<PathBuf>,
}

const KS: [usize; 3] = [5, 10, 50];

/// Context budgets in words: recall@k compares ten passages with ten single turns, so recall is
/// also measured with the retrieved text capped at the same number of words for both.
const BUDGETS: [usize; 3] = [150, 300, 600];

/// Recall sums per category for one retriever.
#[derive(Default, Clone)]
struct RecallSums {
    by_category: BTreeMap<u64, (usize, [f64; 3])>,
    query_seconds: f64,
    queries: usize,
}

impl RecallSums {
    fn add(&mut self, category: u64, recalls: [f64; 3]) {
        let entry = self.by_category.entry(category).or_default();
        entry.0 += 1;
        for (sum, recall) in entry.1.iter_mut().zip(recalls) {
            *sum += recall;
        }
    }

    fn overall(&self) -> (usize, [f64; 3]) {
        let mut n = 0;
        let mut sums = [0.0; 3];
        for (count, s) in self.by_category.values() {
            n += count;
            for (sum, value) in sums.iter_mut().zip(s) {
                *sum += value;
            }
        }
        (n, sums)
    }
}

/// The measured results, also used by `lucid-dev bench --markdown`.
pub struct LocomoResult {
    store: RecallSums,
    raw: RecallSums,
    /// Recall with the retrieved words capped at each of [`BUDGETS`]: whole items only, and
    /// with the item that reaches the cap cut there and counted (`_cut`).
    store_budget: RecallSums,
    raw_budget: RecallSums,
    store_budget_cut: RecallSums,
    raw_budget_cut: RecallSums,
    turns: usize,
    items: usize,
    turn_bytes: usize,
    item_bytes: usize,
    conversations: usize,
}

pub fn run(args: LocomoArgs) -> anyhow::Result<u8> {
    // Missing data is a failure, not a pass: a script or CI step running this must notice.
    if !args.data.is_file() {
        eprintln!(
            "error: the LoCoMo data file {} is absent (the public LoCoMo data lives in \
             ../shared/data/locomo/ beside the repository; --data FILE names another)",
            args.data.display()
        );
        return Ok(crate::EXIT_REFUSED);
    }
    let result = evaluate(&args.data, args.details.as_deref())?;
    print!("{}", render(&result, args.markdown));
    Ok(0)
}

struct Turn {
    dia_id: String,
    text: String,
}

/// Evaluates every conversation of the file.
pub fn evaluate(
    path: &std::path::Path,
    details: Option<&std::path::Path>,
) -> anyhow::Result<LocomoResult> {
    let data: Value = serde_json::from_slice(
        &std::fs::read(path).with_context(|| format!("reading {}", path.display()))?,
    )
    .with_context(|| format!("parsing {}", path.display()))?;
    let Some(conversations) = data.as_array() else {
        bail!("{} is not a list of LoCoMo conversations", path.display());
    };
    let mut result = LocomoResult {
        store: RecallSums::default(),
        raw: RecallSums::default(),
        store_budget: RecallSums::default(),
        raw_budget: RecallSums::default(),
        store_budget_cut: RecallSums::default(),
        raw_budget_cut: RecallSums::default(),
        turns: 0,
        items: 0,
        turn_bytes: 0,
        item_bytes: 0,
        conversations: conversations.len(),
    };
    let mut detail_rows = Vec::new();
    for conversation in conversations {
        let sample = conversation["sample_id"]
            .as_str()
            .unwrap_or("conversation")
            .to_string();
        let (sessions, turns) = sessions_of(&sample, &conversation["conversation"]);
        result.turns += turns.len();
        result.turn_bytes += turns.iter().map(|t| t.text.len()).sum::<usize>();

        // Dream the conversation.
        let digests = sessions
            .iter()
            .map(|(session, _)| {
                lucid_core::digest_session_with(
                    session,
                    &DigestOptions {
                        episodes: true,
                        ..DigestOptions::default()
                    },
                )
            })
            .collect();
        let output = lucid_core::dream(
            &Store::default(),
            digests,
            Vec::new(),
            &DreamOptions::default(),
        )?;
        let dia_of: HashMap<(&str, usize), &str> = sessions
            .iter()
            .flat_map(|(session, ids)| {
                ids.iter()
                    .enumerate()
                    .map(move |(i, id)| ((session.id.as_str(), i), id.as_str()))
            })
            .collect();
        let items: Vec<(String, BTreeSet<String>)> = output
            .report
            .changes
            .iter()
            .filter(|c| matches!(c.op, Op::Add | Op::Merge | Op::Supersede | Op::Keep))
            .map(|c| {
                let evidence = c
                    .evidence
                    .iter()
                    .filter_map(|e| match e {
                        Evidence::Event { session, event, .. } => dia_of
                            .get(&(session.as_str(), *event))
                            .map(|d| d.to_string()),
                        Evidence::Store { .. } => None,
                    })
                    .collect();
                (c.text.clone(), evidence)
            })
            .collect();
        result.items += items.len();
        result.item_bytes += items.iter().map(|(t, _)| t.len()).sum::<usize>();

        let store_index =
            lucid_search::Index::new(&items.iter().map(|(t, _)| t.as_str()).collect::<Vec<_>>());
        let raw_index =
            lucid_search::Index::new(&turns.iter().map(|t| t.text.as_str()).collect::<Vec<_>>());
        for qa in conversation["qa"].as_array().into_iter().flatten() {
            let category = qa["category"].as_u64().unwrap_or(0);
            if !(1..=4).contains(&category) {
                continue;
            }
            let question = qa["question"].as_str().unwrap_or("");
            let evidence: BTreeSet<String> = qa["evidence"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .flat_map(normalize_dia_ids)
                .collect();
            if evidence.is_empty() {
                continue;
            }
            let started = Instant::now();
            let hits = store_index.search(question, 50);
            result.store.query_seconds += started.elapsed().as_secs_f64();
            result.store.queries += 1;
            let store_recall = recall_at(&evidence, |k| {
                hits.iter()
                    .take(k)
                    .flat_map(|(doc, _)| items[*doc].1.iter().cloned())
                    .collect()
            });
            let started = Instant::now();
            let raw_hits = raw_index.search(question, 50);
            result.raw.query_seconds += started.elapsed().as_secs_f64();
            result.raw.queries += 1;
            let raw_recall = recall_at(&evidence, |k| {
                raw_hits
                    .iter()
                    .take(k)
                    .map(|(doc, _)| turns[*doc].dia_id.clone())
                    .collect()
            });
            result.store.add(category, store_recall);
            result.raw.add(category, raw_recall);
            let store_item = |doc: usize| {
                (
                    items[doc].0.as_str(),
                    items[doc].1.iter().cloned().collect(),
                )
            };
            let raw_turn = |doc: usize| (turns[doc].text.as_str(), vec![turns[doc].dia_id.clone()]);
            for (cut_last, store_sums, raw_sums) in [
                (false, &mut result.store_budget, &mut result.raw_budget),
                (
                    true,
                    &mut result.store_budget_cut,
                    &mut result.raw_budget_cut,
                ),
            ] {
                store_sums.add(
                    category,
                    recall_within(&evidence, &hits, cut_last, store_item),
                );
                raw_sums.add(
                    category,
                    recall_within(&evidence, &raw_hits, cut_last, raw_turn),
                );
            }
            if details.is_some() {
                detail_rows.push(serde_json::json!({
                    "conversation": sample, "category": category, "question": question,
                    "evidence": evidence, "store_recall": store_recall, "raw_recall": raw_recall,
                }));
            }
        }
    }
    if let Some(path) = details {
        std::fs::write(path, serde_json::to_string_pretty(&detail_rows)?)?;
    }
    Ok(result)
}

/// "D1:3" stays; "D30:05" becomes "D30:5"; several ids in one string ("D8:6; D9:17") split.
fn normalize_dia_ids(raw: &str) -> Vec<String> {
    raw.split([';', ',', ' '])
        .filter_map(|part| {
            let part = part.trim();
            let (session, turn) = part.strip_prefix('D')?.split_once(':')?;
            let session: u32 = session.trim().parse().ok()?;
            let turn: u32 = turn.trim().parse().ok()?;
            Some(format!("D{session}:{turn}"))
        })
        .collect()
}

/// Recall when the retrieved text, in rank order, may hold at most each budget's words: the
/// item that would pass the budget ends the list — left out, or (`cut_last`) cut at the budget
/// and counted with all its evidence. The same rule for store items and turns; the two bound
/// the figure from below and from above.
fn recall_within<'a>(
    evidence: &BTreeSet<String>,
    hits: &[(usize, f32)],
    cut_last: bool,
    item: impl Fn(usize) -> (&'a str, Vec<String>),
) -> [f64; 3] {
    let mut out = [0.0; 3];
    for (i, budget) in BUDGETS.iter().enumerate() {
        let mut words = 0;
        let mut got = BTreeSet::new();
        for (doc, _) in hits {
            let (text, ids) = item(*doc);
            words += text.split_whitespace().count();
            if words > *budget {
                if cut_last {
                    got.extend(ids);
                }
                break;
            }
            got.extend(ids);
        }
        out[i] =
            evidence.iter().filter(|e| got.contains(*e)).count() as f64 / evidence.len() as f64;
    }
    out
}

fn recall_at(
    evidence: &BTreeSet<String>,
    retrieved: impl Fn(usize) -> BTreeSet<String>,
) -> [f64; 3] {
    let mut out = [0.0; 3];
    for (i, k) in KS.iter().enumerate() {
        let got = retrieved(*k);
        out[i] =
            evidence.iter().filter(|e| got.contains(*e)).count() as f64 / evidence.len() as f64;
    }
    out
}

/// Builds one lucid session per dated LoCoMo session, with the dialogue ids of its turns.
fn sessions_of(sample: &str, conversation: &Value) -> (Vec<(Session, Vec<String>)>, Vec<Turn>) {
    let mut sessions = Vec::new();
    let mut turns = Vec::new();
    let mut numbers: Vec<u32> = conversation
        .as_object()
        .into_iter()
        .flatten()
        .filter_map(|(key, value)| {
            let n = key.strip_prefix("session_")?.parse::<u32>().ok()?;
            value.is_array().then_some(n)
        })
        .collect();
    numbers.sort_unstable();
    for n in numbers {
        let at = conversation[format!("session_{n}_date_time")]
            .as_str()
            .and_then(parse_locomo_time);
        let mut events = Vec::new();
        let mut ids = Vec::new();
        for turn in conversation[format!("session_{n}")]
            .as_array()
            .into_iter()
            .flatten()
        {
            let speaker = turn["speaker"].as_str().unwrap_or("someone");
            let mut text = format!("{speaker}: {}", turn["text"].as_str().unwrap_or(""));
            if let Some(caption) = turn["blip_caption"].as_str() {
                text.push_str(&format!(" [shares a photo of {caption}]"));
            }
            let dia_id = turn["dia_id"]
                .as_str()
                .map(normalize_dia_ids)
                .and_then(|v| v.into_iter().next())
                .unwrap_or_default();
            events.push(Event::new(
                events.len(),
                at,
                Some(dia_id.clone()),
                EventKind::UserMessage { text: text.clone() },
            ));
            ids.push(dia_id.clone());
            turns.push(Turn { dia_id, text });
        }
        sessions.push((
            Session {
                id: format!("{sample}-session-{n}"),
                agent: sample.to_string(),
                source: format!("locomo10.json#{sample}/session_{n}"),
                format: TranscriptFormat::AnthropicMessages,
                trust: SessionTrust::Default,
                events,
                started_in: None,
                part_of: None,
            },
            ids,
        ));
    }
    (sessions, turns)
}

/// "1:56 pm on 8 May, 2023" → 2023-05-08T13:56:00Z.
fn parse_locomo_time(text: &str) -> Option<lucid_core::Timestamp> {
    let normalized = text.trim().to_uppercase();
    chrono::NaiveDateTime::parse_from_str(&normalized, "%I:%M %p ON %d %B, %Y")
        .ok()
        .map(|t| t.and_utc())
}

/// Questions, ms per query and R@10 of BM25 over raw turns (for the peer comparison).
pub fn raw_summary(result: &LocomoResult) -> (usize, f64, f64) {
    let (n, sums) = result.raw.overall();
    let ms = result.raw.query_seconds * 1000.0 / result.raw.queries.max(1) as f64;
    (n, ms, sums[1] / n.max(1) as f64)
}

pub fn render(result: &LocomoResult, markdown: bool) -> String {
    let mut out = String::new();
    let row = |cells: Vec<String>| -> String {
        if markdown {
            format!("| {} |\n", cells.join(" | "))
        } else {
            // The first column holds the longest labels ("lucid store (BM25 over items)"):
            // wide enough that no label runs into the numbers; a space always separates.
            let line: Vec<String> = cells
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    if i == 0 {
                        format!("{c:<34}")
                    } else {
                        format!("{c:<12}")
                    }
                })
                .collect();
            format!("{}\n", line.join(" ").trim_end())
        }
    };
    out.push_str(&row(vec![
        "retrieval (LoCoMo, cat. 1–4)".into(),
        "n".into(),
        "R@5".into(),
        "R@10".into(),
        "R@50".into(),
        "ms / query".into(),
    ]));
    if markdown {
        out.push_str("|---|---|---|---|---|---|\n");
    }
    let line = |name: &str, sums: &RecallSums, category: Option<u64>| -> String {
        let (n, s) = match category {
            Some(c) => sums.by_category.get(&c).copied().unwrap_or((0, [0.0; 3])),
            None => sums.overall(),
        };
        let f = |x: f64| {
            if n == 0 {
                "-".to_string()
            } else {
                format!("{:.3}", x / n as f64)
            }
        };
        // Recall-only sums (the budget rows) time no queries: their cell stays empty.
        let ms = if sums.queries == 0 {
            String::new()
        } else {
            format!("{:.3}", sums.query_seconds * 1000.0 / sums.queries as f64)
        };
        row(vec![
            name.to_string(),
            n.to_string(),
            f(s[0]),
            f(s[1]),
            f(s[2]),
            if category.is_none() {
                ms
            } else {
                String::new()
            },
        ])
    };
    out.push_str(&line("lucid store (BM25 over items)", &result.store, None));
    out.push_str(&line("raw turns (BM25)", &result.raw, None));
    out.push_str(&row(vec![
        "published: DRAGON over turns".into(),
        "".into(),
        "0.588".into(),
        "0.675".into(),
        "0.848".into(),
        "".into(),
    ]));
    out.push_str(&row(vec![
        "published: BM25 over turns".into(),
        "1531".into(),
        "0.500".into(),
        "0.575".into(),
        "0.699".into(),
        "".into(),
    ]));
    for (category, name) in [
        (1, "multi-hop"),
        (2, "temporal"),
        (3, "open-domain"),
        (4, "single-hop"),
    ] {
        out.push_str(&line(
            &format!("  store, cat. {category} {name}"),
            &result.store,
            Some(category),
        ));
        out.push_str(&line(
            &format!("  raw, cat. {category} {name}"),
            &result.raw,
            Some(category),
        ));
    }
    out.push('\n');
    out.push_str(&row(vec![
        "at an equal budget".into(),
        "n".into(),
        format!("≤ {} words", BUDGETS[0]),
        format!("≤ {} words", BUDGETS[1]),
        format!("≤ {} words", BUDGETS[2]),
        "".into(),
    ]));
    if markdown {
        out.push_str("|---|---|---|---|---|---|\n");
    }
    out.push_str(&line(
        "lucid store, whole items",
        &result.store_budget,
        None,
    ));
    out.push_str(&line("raw turns, whole turns", &result.raw_budget, None));
    out.push_str(&line(
        "lucid store, last item cut",
        &result.store_budget_cut,
        None,
    ));
    out.push_str(&line(
        "raw turns, last turn cut",
        &result.raw_budget_cut,
        None,
    ));
    out.push('\n');
    out.push_str(&format!(
        "{} conversations: {} raw turns ({:.0} kB) → {} store items ({:.0} kB): {:.1}× fewer items\n",
        result.conversations,
        result.turns,
        result.turn_bytes as f64 / 1000.0,
        result.items,
        result.item_bytes as f64 / 1000.0,
        result.turns as f64 / result.items.max(1) as f64
    ));
    out
}

#[cfg(test)]
mod budget_tests {
    use super::*;

    #[test]
    fn recall_within_a_budget_stops_at_the_item_that_passes_it() {
        let evidence: BTreeSet<String> = ["D1:1", "D1:2"].iter().map(|s| s.to_string()).collect();
        // Ranked: a 100-word item with D1:1, a 100-word item with D1:2, a 500-word item.
        let texts = ["w ".repeat(100), "w ".repeat(100), "w ".repeat(500)];
        let ids = [vec!["D1:1".to_string()], vec!["D1:2".to_string()], vec![]];
        let hits = [(0, 3.0), (1, 2.0), (2, 1.0)];
        let item = |doc: usize| (texts[doc].as_str(), ids[doc].clone());
        // 150 words: only the first item fits; 300: both; 600: both (the third passes it).
        assert_eq!(
            recall_within(&evidence, &hits, false, item),
            [0.5, 1.0, 1.0]
        );
        // Cut at the budget, the item that reaches it counts: at 150 the second one too.
        assert_eq!(recall_within(&evidence, &hits, true, item), [1.0, 1.0, 1.0]);
    }
}
