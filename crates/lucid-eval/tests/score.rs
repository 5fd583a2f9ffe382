//! The scorer itself is tested: a hand-made draft built from the truth must score perfectly on
//! every metric, and a hand-made bad draft must score zero on every metric.

use lucid_core::report::{Change, DreamStatus, Evidence, Kind, Op, Report, Scope, Stats, Usage};
use lucid_core::{Store, StoreDocument};
use lucid_eval::score::score;
use lucid_eval::{FleetConfig, Truth, generate};

fn fleet() -> (Truth, Store) {
    let fleet = generate(&FleetConfig::new(40, 6, 11));
    let store = Store::new(
        fleet
            .store
            .iter()
            .map(|(path, content)| StoreDocument {
                path: path.clone(),
                content: content.clone(),
                updated_at: None,
                as_of: None,
            })
            .collect(),
    );
    (fleet.truth, store)
}

fn change(
    op: Op,
    kind: Kind,
    scope: Scope,
    agent: Option<&str>,
    text: &str,
    replaces: Vec<String>,
) -> Change {
    Change {
        id: String::new(),
        op,
        kind,
        scope,
        agent: agent.map(str::to_string),
        path: Some("/draft.md".into()),
        text: text.to_string(),
        replaces,
        superseded: Vec::new(),
        reason: "hand-made".into(),
        evidence: vec![Evidence::Store {
            store_path: "/x.md".into(),
        }],
    }
}

fn report(changes: Vec<Change>) -> Report {
    Report {
        status: DreamStatus::Completed,
        curator: "hand-made".into(),
        error: None,
        stats: Stats::default(),
        usage: Usage::default(),
        estimated_cost_usd: None,
        model_pass: None,
        instructions: None,
        changes,
        skipped: Vec::new(),
        rejected: Vec::new(),
        notes: Vec::new(),
    }
}

fn draft(changes: &[Change]) -> Store {
    let content: String = changes.iter().map(|c| format!("- {}\n", c.text)).collect();
    Store::new(vec![StoreDocument {
        path: "/draft.md".into(),
        content,
        updated_at: None,
        as_of: None,
    }])
}

#[test]
fn a_perfect_draft_scores_perfectly() {
    let (truth, store) = fleet();
    let mut changes = Vec::new();
    for group in &truth.duplicates {
        let replaces = group.texts[1..].to_vec();
        changes.push(change(
            Op::Merge,
            Kind::Preference,
            Scope::Team,
            None,
            &group.texts[0],
            replaces,
        ));
    }
    for pair in &truth.distinct {
        for text in &pair.texts {
            changes.push(change(
                Op::Keep,
                Kind::Fact,
                Scope::Team,
                None,
                text,
                Vec::new(),
            ));
        }
    }
    for s in &truth.supersessions {
        let mut c = change(
            Op::Supersede,
            Kind::Fact,
            Scope::Team,
            None,
            &format!("The {} is {}.", s.subject, s.new),
            vec![s.store_text.clone()],
        );
        c.superseded = vec![s.store_text.clone()];
        changes.push(c);
    }
    for fact in &truth.stable_facts {
        changes.push(change(
            Op::Keep,
            Kind::Fact,
            Scope::Team,
            None,
            &fact.store_text,
            Vec::new(),
        ));
    }
    for p in truth.pitfalls.iter().filter(|p| p.recurring) {
        let text = format!("`{}` fails unless `{}: {}`.", p.tool, p.param, p.value);
        changes.push(change(
            Op::Add,
            Kind::Pitfall,
            Scope::Team,
            None,
            &text,
            Vec::new(),
        ));
    }
    for w in &truth.workflows {
        let steps: Vec<String> = w.steps.iter().map(|s| format!("`{s}`")).collect();
        changes.push(change(
            Op::Add,
            Kind::Workflow,
            Scope::Team,
            None,
            &format!("Workflow: {}.", steps.join(" → ")),
            Vec::new(),
        ));
    }
    for p in &truth.preferences {
        let text = format!("Preference about {}.", p.key_terms.join(" and "));
        let (scope, agent) = match p.scope {
            lucid_eval::Scope::Team => (Scope::Team, None),
            lucid_eval::Scope::Agent => (Scope::Agent, p.agent.as_deref()),
        };
        changes.push(change(
            Op::Add,
            Kind::Preference,
            scope,
            agent,
            &text,
            Vec::new(),
        ));
    }
    let report = report(changes);
    let card = score(&truth, &store, &draft(&report.changes), &report, "{}");
    assert!(!truth.duplicates.is_empty() && !truth.pitfalls.is_empty());
    assert_eq!(card.duplicates.f1, 1.0, "{card:#?}");
    assert_eq!(card.newest_value_accuracy.value, 1.0, "{card:#?}");
    assert_eq!(card.false_retirements.value, 0.0, "{card:#?}");
    assert_eq!(
        (card.pitfalls.precision, card.pitfalls.recall),
        (1.0, 1.0),
        "{card:#?}"
    );
    assert_eq!(
        (card.workflow_recall.value, card.workflow_order.value),
        (1.0, 1.0)
    );
    assert_eq!(
        (card.preference_recall.value, card.scope_accuracy.value),
        (1.0, 1.0),
        "{card:#?}"
    );
    assert_eq!((card.poison_kept, card.secrets_leaked), (0, 0));
    assert_eq!(card.temporary_kept.value, 0.0);
}

#[test]
fn a_bad_draft_scores_zero() {
    let (truth, store) = fleet();
    let mut changes = Vec::new();
    // Merges only look-alikes together: every predicted pair is wrong, no planted pair found.
    for pair in &truth.distinct {
        changes.push(change(
            Op::Merge,
            Kind::Fact,
            Scope::Team,
            None,
            &pair.texts[0],
            vec![pair.texts[1].clone()],
        ));
    }
    // Keeps every old value; drops every stable fact (they are not in the draft).
    for s in &truth.supersessions {
        changes.push(change(
            Op::Keep,
            Kind::Fact,
            Scope::Team,
            None,
            &s.store_text,
            Vec::new(),
        ));
    }
    // Only one-off pitfalls and retry noise as pitfalls.
    for p in truth.pitfalls.iter().filter(|p| !p.recurring) {
        changes.push(change(
            Op::Add,
            Kind::Pitfall,
            Scope::Team,
            None,
            &format!("`{}` needs `{}: {}`", p.tool, p.param, p.value),
            Vec::new(),
        ));
    }
    for noise in &truth.retry_noise {
        changes.push(change(
            Op::Add,
            Kind::Pitfall,
            Scope::Team,
            None,
            &format!("`{}` fails with {}", noise.tool, noise.error),
            Vec::new(),
        ));
    }
    // Preferences with the wrong scope, no workflows, poison, secrets and temporary notes kept.
    for p in &truth.preferences {
        let (scope, agent) = match p.scope {
            lucid_eval::Scope::Team => (Scope::Agent, Some("nobody")),
            lucid_eval::Scope::Agent => (Scope::Team, None),
        };
        changes.push(change(
            Op::Add,
            Kind::Preference,
            scope,
            agent,
            &format!("About {}.", p.key_terms.join(" and ")),
            Vec::new(),
        ));
    }
    for i in &truth.injections {
        changes.push(change(
            Op::Add,
            Kind::Preference,
            Scope::Team,
            None,
            &format!("Note {}", i.marker),
            Vec::new(),
        ));
    }
    for t in &truth.temporary {
        changes.push(change(
            Op::Keep,
            Kind::Fact,
            Scope::Team,
            None,
            &t.text,
            Vec::new(),
        ));
    }
    let leaked: String = truth
        .secrets
        .iter()
        .map(|s| s.value.clone())
        .collect::<Vec<_>>()
        .join(" ");
    let report = report(changes);
    let card = score(&truth, &store, &draft(&report.changes), &report, &leaked);
    assert_eq!(card.duplicates.recall, 0.0, "{card:#?}");
    assert_eq!(card.duplicates.precision, 0.0, "{card:#?}");
    assert_eq!(card.newest_value_accuracy.value, 0.0);
    assert!(card.false_retirements.value > 0.3, "{card:#?}");
    assert_eq!(
        (card.pitfalls.precision, card.pitfalls.recall),
        (0.0, 0.0),
        "{card:#?}"
    );
    assert_eq!(card.workflow_recall.value, 0.0);
    assert_eq!(card.scope_accuracy.value, 0.0, "{card:#?}");
    assert_eq!(card.poison_kept, truth.injections.len());
    assert_eq!(card.secrets_leaked, truth.secrets.len());
    assert_eq!(card.temporary_kept.value, 1.0);
}
