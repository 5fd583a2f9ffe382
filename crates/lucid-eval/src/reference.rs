//! Reference answers: a scripted model that proposes exactly the planted fates of a source's
//! store items wherever a work unit shows what they need, so that `lucid-dev eval real
//! --reference-answers` measures what the engine lets a good model do (units that show the
//! right things together, verification that accepts correct operations), not what any model
//! finds. Pure: one unit's JSON in, the operations out.
//!
//! - A planted duplicate pair (`…-a` / `…-b`, or any two duplicates with the same terms) whose
//!   two items are in the unit is merged, in the first wording that keeps every identifier of
//!   both: one item's text, the other's, or both joined.
//! - A planted outdated item in the unit is superseded by another item of the unit that holds
//!   the new value, or else updated from the unit's excerpts that hold it (each cited excerpt
//!   holds a term of the new value, together all of them), in the excerpts' own words.
//!
//! Lessons are not proposed: a lesson's wording comes from understanding, which a script does
//! not have, so the lessons column of a reference run is the built-in curator's.
//! [`lessons_in_view`] counts instead the lessons whose key terms the units show a model.

use serde_json::{Value, json};

use crate::real::{Lesson, Planted, PlantedKind, matches_terms};

/// The expected lessons whose key terms a model is shown together: all inside one item unit,
/// or inside one session's digest of a session unit (`prompts` are the units as sent). An
/// upper bound on what a model can find — key terms in view are not a lesson understood — and
/// the measure of what the units leave out.
pub fn lessons_in_view<'l>(lessons: &'l [Lesson], prompts: &[String]) -> Vec<&'l Lesson> {
    let blocks: Vec<&str> = prompts
        .iter()
        .flat_map(|prompt| prompt.split("\n## Session"))
        .collect();
    lessons
        .iter()
        .filter(|lesson| {
            blocks
                .iter()
                .any(|block| matches_terms(block, &lesson.terms))
        })
        .collect()
}

fn text_of(value: &Value) -> &str {
    value["text"].as_str().unwrap_or("")
}

fn id_of(value: &Value) -> Value {
    value["id"].clone()
}

/// The first wording that keeps every identifier of both items: a merge the engine accepts.
fn merged_text(first: &str, second: &str) -> String {
    let anchors = |t: &str| lucid_core::text::analyze(t).anchors;
    let all: std::collections::BTreeSet<String> =
        anchors(first).union(&anchors(second)).cloned().collect();
    for candidate in [first, second] {
        if anchors(candidate).is_superset(&all) {
            return candidate.to_string();
        }
    }
    format!("{}; {}", first.trim_end_matches('.'), second)
}

/// The operations a model that knows the planted answers proposes for one item unit (the
/// unit's JSON as the model sees it); none for anything else.
pub fn reference_operations(planted: &[Planted], unit: &Value) -> Value {
    let items: Vec<&Value> = unit["items"]
        .as_array()
        .map(|a| a.iter().collect())
        .unwrap_or_default();
    let excerpts: Vec<&Value> = unit["excerpts"]
        .as_array()
        .map(|a| a.iter().collect())
        .unwrap_or_default();
    let item_with = |text: &str| items.iter().copied().find(|i| text_of(i) == text);
    let mut operations = Vec::new();
    let mut used: Vec<Value> = Vec::new();
    for (n, first) in planted.iter().enumerate() {
        match first.kind {
            PlantedKind::Duplicate => {
                let Some(a) = item_with(&first.text) else {
                    continue;
                };
                let partner = planted[n + 1..].iter().find(|p| {
                    p.kind == PlantedKind::Duplicate
                        && p.terms == first.terms
                        && !p.terms.is_empty()
                });
                let Some(b) = partner.and_then(|p| item_with(&p.text)) else {
                    continue;
                };
                if used.contains(&id_of(a)) || used.contains(&id_of(b)) {
                    continue;
                }
                used.extend([id_of(a), id_of(b)]);
                operations.push(json!({
                    "op": "merge",
                    "item_ids": [id_of(a), id_of(b)],
                    "text": merged_text(text_of(a), text_of(b)),
                }));
            }
            PlantedKind::Update => {
                let Some(old) = item_with(&first.text) else {
                    continue;
                };
                if used.contains(&id_of(old)) {
                    continue;
                }
                let newer = items
                    .iter()
                    .copied()
                    .find(|i| i["id"] != old["id"] && matches_terms(text_of(i), &first.new_terms));
                if let Some(newer) = newer {
                    used.extend([id_of(old), id_of(newer)]);
                    operations.push(json!({
                        "op": "supersede", "old_id": id_of(old), "new_id": id_of(newer),
                    }));
                    continue;
                }
                let cited: Vec<&Value> = excerpts
                    .iter()
                    .copied()
                    .filter(|e| {
                        first
                            .new_terms
                            .iter()
                            .any(|group| matches_terms(text_of(e), &vec![group.clone()]))
                    })
                    .collect();
                let joined: Vec<&str> = cited.iter().map(|e| text_of(e)).collect();
                let joined = joined.join(" ");
                if cited.is_empty() || !matches_terms(&joined, &first.new_terms) {
                    continue;
                }
                used.push(id_of(old));
                operations.push(json!({
                    "op": "update",
                    "item_ids": [id_of(old)],
                    "text": joined,
                    "evidence_ids": cited.iter().map(|e| id_of(e)).collect::<Vec<_>>(),
                }));
            }
            PlantedKind::True => {}
        }
    }
    json!({ "operations": operations })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn planted(id: &str, kind: PlantedKind, text: &str, terms: &[&[&str]]) -> Planted {
        let terms: Vec<Vec<String>> = terms
            .iter()
            .map(|g| g.iter().map(|t| t.to_string()).collect())
            .collect();
        Planted {
            id: id.into(),
            kind,
            store_path: None,
            text: text.into(),
            old_terms: Vec::new(),
            new_terms: if kind == PlantedKind::Update {
                terms.clone()
            } else {
                Vec::new()
            },
            terms: if kind == PlantedKind::Update {
                Vec::new()
            } else {
                terms
            },
            evidence: None,
        }
    }

    #[test]
    fn a_lesson_is_in_view_when_one_unit_or_one_sessions_digest_holds_its_terms() {
        let lesson = |id: &str, terms: &[&[&str]]| Lesson {
            id: id.into(),
            kind: "pitfall".into(),
            text: String::new(),
            evidence: Vec::new(),
            terms: terms
                .iter()
                .map(|g| g.iter().map(|t| t.to_string()).collect())
                .collect(),
        };
        let lessons = [
            lesson("together", &[&["llvm-cov"], &["fail-under"]]),
            lesson("split", &[&["gopls"], &["stale"]]),
        ];
        let prompts = [
            "## Session 1: agent a\ne1 [tool_call] `cargo llvm-cov --fail-under-lines 100` worked".to_string(),
            "## Session 2: agent a\ne1 [agent] gopls re-indexes\n## Session 3: agent b\ne2 [agent] the diagnostics are stale".to_string(),
        ];
        let ids: Vec<&str> = lessons_in_view(&lessons, &prompts)
            .iter()
            .map(|l| l.id.as_str())
            .collect();
        assert_eq!(ids, ["together"]);
    }

    #[test]
    fn pairs_shown_together_are_merged_and_outdated_items_updated_from_excerpts() {
        let planted = [
            planted(
                "gi-a",
                PlantedKind::Duplicate,
                "Generated files such as `.coverage` belong in .gitignore.",
                &[&["gitignore"]],
            ),
            planted(
                "gi-b",
                PlantedKind::Duplicate,
                "Add coverage output to .gitignore.",
                &[&["gitignore"]],
            ),
            planted(
                "del-old",
                PlantedKind::Update,
                "AgentV deletes the merged sync branch itself.",
                &[&["delet"], &["outside"]],
            ),
            planted(
                "port-old",
                PlantedKind::Update,
                "The API listens on port 8080.",
                &[&["9090"]],
            ),
        ];
        let unit = json!({
            "items": [
                {"id": "i1", "text": "Add coverage output to .gitignore."},
                {"id": "i2", "text": "AgentV deletes the merged sync branch itself."},
                {"id": "i3", "text": "Generated files such as `.coverage` belong in .gitignore."},
            ],
            "excerpts": [
                {"id": "e1", "text": "the weekly report is on Mondays"},
                {"id": "e2", "text": "deletion should be handled outside of agentv"},
            ],
        });
        assert_eq!(
            reference_operations(&planted, &unit),
            json!({"operations": [
                {"op": "merge", "item_ids": ["i3", "i1"], "text": "Generated files such as `.coverage` belong in .gitignore."},
                {"op": "update", "item_ids": ["i2"], "text": "deletion should be handled outside of agentv", "evidence_ids": ["e2"]},
            ]})
        );
        // One item of a pair, or an outdated item with nothing newer, gets nothing.
        let alone = json!({"items": [
            {"id": "i1", "text": "Add coverage output to .gitignore."},
            {"id": "i2", "text": "The API listens on port 8080."},
        ]});
        assert_eq!(
            reference_operations(&planted, &alone),
            json!({"operations": []})
        );
        // A newer item with the new value supersedes the old one.
        let both = json!({"items": [
            {"id": "i1", "text": "The API listens on port 8080."},
            {"id": "i2", "text": "The API moved to port 9090."},
        ]});
        assert_eq!(
            reference_operations(&planted, &both),
            json!({"operations": [{"op": "supersede", "old_id": "i1", "new_id": "i2"}]})
        );
    }
}
