//! Planning a fleet: agents, sessions, the store, and where every planted thing goes. The plan is
//! small (no transcript content), so a 10,000-session fleet plans in milliseconds and
//! transcripts can then be generated one at a time.

use std::collections::{BTreeMap, HashSet};

use super::FleetConfig;
use super::SessionFormat;
use super::json::J;
use super::phrases::{self, capitalise, fill};
use super::rng::Rng;
use super::triples::{Bits, triples_of};
use super::vocab::{self, Domain, Jv, RECIPES, TOOLS, Val};
use crate::truth::{
    DuplicateGroup, Injection, LookAlike, Pitfall, Preference, RetryNoise, Scope, Secret,
    SessionInfo, StableFact, Supersession, TemporaryNote, Truth, Workflow,
};

/// 2025-01-06T09:00:00Z
const BASE_MS: i64 = 1_736_154_000_000;
/// Longest gap between two events of a session.
pub(crate) const MAX_STEP_MS: i64 = 12_000;

pub(crate) struct Agent {
    pub(crate) name: String,
    pub(crate) domain: Domain,
    pub(crate) cwd: String,
}

/// Something planted in one session.
#[derive(Debug, Clone)]
pub(crate) enum Unit {
    Pitfall(usize),
    Noise(usize),
    Workflow(usize),
    /// A sentence in a user message.
    Say(String),
    /// Text inside the result of a content tool (an injection, with its index in the truth) or
    /// of a config tool (a secret).
    Content {
        text: String,
        config: bool,
        injection: Option<usize>,
    },
}

pub(crate) struct SessionPlan {
    pub(crate) id: String,
    pub(crate) agent: usize,
    pub(crate) format: SessionFormat,
    /// Managed Agents only: written as a list-endpoint page.
    pub(crate) page: bool,
    pub(crate) start_ms: i64,
    /// Time available before the next session starts.
    pub(crate) budget_ms: i64,
    pub(crate) path: String,
    pub(crate) units: Vec<Unit>,
}

pub(crate) struct PitfallSpec {
    pub(crate) tool: usize,
    pub(crate) param: &'static str,
    pub(crate) good: J<'static>,
    pub(crate) bad: Option<J<'static>>,
    pub(crate) error: String,
    /// (parameter, extension) of the file the failure is specific to.
    pub(crate) file: Option<(&'static str, &'static str)>,
}

pub(crate) struct NoiseSpec {
    pub(crate) tool: usize,
    pub(crate) error: String,
}

pub(crate) struct Plan {
    pub(crate) config: FleetConfig,
    pub(crate) agents: Vec<Agent>,
    pub(crate) sessions: Vec<SessionPlan>,
    pub(crate) pitfalls: Vec<PitfallSpec>,
    pub(crate) noises: Vec<NoiseSpec>,
    pub(crate) workflows: Vec<Vec<usize>>,
    /// Call triples of the planted workflows (see [`super::triples`]).
    pub(crate) reserved: Bits,
    /// Pairs of tools (both orders, index `a * TOOLS.len() + b`) that are steps at most one
    /// call apart in a planted workflow: other calls never put them that close, so a
    /// workflow's steps meet only in its planted occurrences.
    pub(crate) reserved_pairs: Vec<bool>,
    pub(crate) store: Vec<(String, String)>,
    /// Complete except for `transcript_bytes` and the session times.
    pub(crate) truth: Truth,
}

/// How much of everything a fleet of `sessions` gets, relative to a 40-session fleet: linear up
/// to 200 sessions, then with the square root (a real fleet of 10,000 sessions does not have 250
/// times as many conventions as one of 40).
fn scale(sessions: usize) -> f64 {
    let s = sessions as f64;
    if s <= 200.0 {
        s / 40.0
    } else {
        5.0 * (s / 200.0).sqrt()
    }
}

fn amount(rng: &mut Rng, mid: f64, scale: f64) -> usize {
    if scale <= 0.0 {
        return 0;
    }
    let x = mid * scale * (0.8 + 0.4 * rng.unit());
    (x.round() as usize).max(1)
}

/// Strings that must each identify one planted thing: no one may contain another.
#[derive(Default)]
struct Anchors {
    all: Vec<String>,
    set: HashSet<String>,
}

impl Anchors {
    fn free(&self, candidate: &str) -> bool {
        let lower = candidate.to_lowercase();
        !self.set.contains(&lower)
            && !self
                .all
                .iter()
                .any(|a| a.contains(lower.as_str()) || lower.contains(a.as_str()))
    }

    fn take(&mut self, candidate: &str) {
        let lower = candidate.to_lowercase();
        self.set.insert(lower.clone());
        self.all.push(lower);
    }

    /// Takes all candidates when all are free (and distinct from each other).
    fn take_all(&mut self, candidates: &[&str]) -> bool {
        for (i, c) in candidates.iter().enumerate() {
            if !self.free(c) {
                return false;
            }
            for other in &candidates[i + 1..] {
                let (a, b) = (c.to_lowercase(), other.to_lowercase());
                if a.contains(&b) || b.contains(&a) {
                    return false;
                }
            }
        }
        for c in candidates {
            self.take(c);
        }
        true
    }
}

struct StoreItem {
    path: &'static str,
    section: &'static str,
    text: String,
}

/// Where a domain's rules, facts and notes are kept.
fn rule_doc(domain: Domain) -> (&'static str, &'static [&'static str]) {
    match domain {
        Domain::Coding => ("/conventions.md", &["Workflow", "Code review", "Releases"]),
        Domain::Support => (
            "/support/policies.md",
            &["Refunds and credits", "Replies", "Escalations"],
        ),
        Domain::Docs => (
            "/docs/style-guide.md",
            &["Templates", "Citations and sources", "Formatting"],
        ),
        Domain::Data => ("/data/pipelines.md", &["Tables", "Jobs", "Quality"]),
    }
}

fn fact_doc(domain: Domain) -> (&'static str, &'static [&'static str]) {
    match domain {
        Domain::Coding => ("/infra.md", &["Hosts and endpoints", "Versions"]),
        Domain::Support => ("/support/contacts.md", &["Contacts", "Systems"]),
        Domain::Docs => ("/docs/tooling.md", &["Services", "Versions"]),
        Domain::Data => (
            "/data/connections.md",
            &["Warehouses and hosts", "Versions"],
        ),
    }
}

/// Versions go under the last section of a fact document, everything else under the first.
fn fact_section(sections: &'static [&'static str], subject: &str) -> &'static str {
    if subject.ends_with("version") {
        sections[sections.len() - 1]
    } else {
        sections[0]
    }
}

fn note_doc(domain: Domain) -> (&'static str, &'static str) {
    match domain {
        Domain::Coding => ("/infra.md", "Operations"),
        Domain::Support => ("/support/policies.md", "Operations"),
        Domain::Docs => ("/docs/style-guide.md", "Tooling"),
        Domain::Data => ("/data/pipelines.md", "Operations"),
    }
}

const SHARED_DOC: (&str, &str) = ("/team-notes.md", "Notes");

fn doc_title(path: &str) -> &'static str {
    match path {
        "/conventions.md" => "Engineering conventions",
        "/infra.md" => "Infrastructure",
        "/support/policies.md" => "Support policies",
        "/support/contacts.md" => "Support contacts",
        "/docs/style-guide.md" => "Document style guide",
        "/docs/tooling.md" => "Drafting tools",
        "/data/pipelines.md" => "Data pipelines",
        "/data/connections.md" => "Connections",
        _ => "Team notes",
    }
}

const AGENT_NAMES: [&[&str]; 4] = [
    &["code-assistant", "ci-fixer", "repo-bot", "release-helper"],
    &["support-desk", "helpdesk-bot", "refund-agent", "triage-bot"],
    &[
        "doc-drafter",
        "legal-writer",
        "report-builder",
        "proposal-bot",
    ],
    &[
        "etl-runner",
        "pipeline-bot",
        "warehouse-agent",
        "analytics-agent",
    ],
];

/// Curated workflows per domain, used before random ones.
const WORKFLOWS: [&[&[&str]]; 4] = [
    &[
        &["checkout_branch", "run_tests", "lint", "open_pr"],
        &["build_image", "deploy_service", "tail_logs"],
        &[
            "create_branch",
            "apply_patch",
            "run_tests",
            "git_commit",
            "git_push",
        ],
        &["bump_version", "tag_release", "publish_package"],
        &["fetch_ci_status", "review_pr", "merge_pr"],
    ],
    &[
        &[
            "lookup_order",
            "check_refund_eligibility",
            "issue_refund",
            "send_reply",
        ],
        &["fetch_ticket", "lookup_customer", "escalate_ticket"],
        &["verify_identity", "update_address", "add_internal_note"],
        &["lookup_shipment", "create_return_label", "close_ticket"],
    ],
    &[
        &["open_document", "redline", "accept_changes", "render_pdf"],
        &[
            "create_draft",
            "apply_template",
            "insert_citation",
            "update_bibliography",
        ],
        &["convert_document", "check_style", "export_docx"],
        &["compare_versions", "request_review", "sign_document"],
    ],
    &[
        &["run_query", "load_table", "export_csv"],
        &[
            "describe_table",
            "validate_schema",
            "backfill_table",
            "check_freshness",
        ],
        &["run_dbt_model", "run_quality_checks", "publish_dashboard"],
        &["trigger_dag", "fetch_job_logs", "schedule_job"],
    ],
];

/// Chooses sessions for planted things, spreading the load.
struct Picker {
    load: Vec<usize>,
    by_domain: [Vec<usize>; 4],
    agent_sessions: Vec<Vec<usize>>,
    agent_domain: Vec<Domain>,
    session_agent: Vec<usize>,
}

impl Picker {
    fn pool(&self, domain: Domain, k: usize) -> Vec<usize> {
        let own = &self.by_domain[domain.index()];
        if own.len() >= k {
            own.clone()
        } else {
            (0..self.load.len()).collect()
        }
    }

    /// `k` distinct sessions from `pool`, lightly loaded ones first; sorted.
    fn choose_from(&mut self, rng: &mut Rng, pool: &[usize], k: usize) -> Vec<usize> {
        let k = k.min(pool.len());
        let mut chosen: Vec<usize> = Vec::with_capacity(k);
        while chosen.len() < k {
            let mut best: Option<usize> = None;
            for _ in 0..4 {
                let candidate = *rng.pick(pool);
                if chosen.contains(&candidate) {
                    continue;
                }
                if best.is_none_or(|b| self.load[candidate] < self.load[b]) {
                    best = Some(candidate);
                }
            }
            let pick = match best {
                Some(p) => p,
                None => match pool.iter().find(|s| !chosen.contains(s)) {
                    Some(&p) => p,
                    None => break,
                },
            };
            chosen.push(pick);
        }
        for &s in &chosen {
            self.load[s] += 1;
        }
        chosen.sort_unstable();
        chosen
    }

    fn pick(&mut self, rng: &mut Rng, domain: Domain, k: usize) -> Vec<usize> {
        let pool = self.pool(domain, k);
        self.choose_from(rng, &pool, k)
    }

    /// Agents with sessions, of `domain` when there are at least `k`.
    fn agents(&self, domain: Domain, k: usize) -> Vec<usize> {
        let with_sessions: Vec<usize> = (0..self.agent_sessions.len())
            .filter(|&a| !self.agent_sessions[a].is_empty())
            .collect();
        let own: Vec<usize> = with_sessions
            .iter()
            .copied()
            .filter(|&a| self.agent_domain[a] == domain)
            .collect();
        if own.len() >= k { own } else { with_sessions }
    }
}

pub(crate) fn plan(config: &FleetConfig) -> Plan {
    let mut rng = Rng::derive(config.seed, 1, 0);
    let n = config.sessions;
    let agent_count = config.agents.max(1);

    // Agents: domains rotate from a random offset; names from the domain's list.
    let offset = rng.below(4);
    let mut name_order: [Vec<usize>; 4] = std::array::from_fn(|_| (0..4).collect());
    for order in &mut name_order {
        rng.shuffle(order);
    }
    let mut per_domain = [0usize; 4];
    let agents: Vec<Agent> = (0..agent_count)
        .map(|k| {
            let domain = Domain::ALL[(k + offset) % 4];
            let d = domain.index();
            let nth = per_domain[d];
            per_domain[d] += 1;
            let base = AGENT_NAMES[d][name_order[d][nth % 4]];
            let name = if nth < 4 {
                base.to_string()
            } else {
                format!("{base}-{}", nth / 4 + 1)
            };
            let cwd = match domain {
                Domain::Coding => {
                    format!("/home/dev/{}", rng.pick(vocab::REPOS).replace("acme/", ""))
                }
                _ => format!("/srv/agents/{name}"),
            };
            Agent { name, domain, cwd }
        })
        .collect();

    // Sessions → agents: every agent gets sessions when there are enough.
    let mut session_agent: Vec<usize> = (0..n).map(|i| i % agent_count).collect();
    rng.shuffle(&mut session_agent);

    // Times: sessions never overlap and each is newer than the one before.
    let cap_events = (config.events_per_session.max(8) * 2 + 80) as i64;
    let min_gap = cap_events * MAX_STEP_MS + 10 * 60_000;
    let mut start = BASE_MS + rng.range_i64(0, 6 * 3_600_000);
    let mut sessions: Vec<SessionPlan> = Vec::with_capacity(n);
    for (i, &agent) in session_agent.iter().enumerate() {
        let format = SessionFormat::ALL[i % 5];
        let page = format == SessionFormat::ManagedAgents && (i / 5) % 2 == 1;
        let uuid = format!(
            "{:08x}-{:04x}-4{:03x}-{:04x}-{:06x}{:06x}",
            rng.next_u64() as u32,
            rng.next_u64() as u16,
            rng.next_u64() & 0xfff,
            0x8000 | (rng.next_u64() & 0x3fff),
            rng.next_u64() & 0xff_ffff,
            i & 0xff_ffff
        );
        let (id, file) = match format {
            SessionFormat::ManagedAgents => {
                let id = format!("sesn_{}{:05}", rng.alnum(19), i);
                let ext = if page { "json" } else { "jsonl" };
                (id.clone(), format!("{id}.{ext}"))
            }
            SessionFormat::ClaudeCode => (uuid.clone(), format!("{uuid}.jsonl")),
            SessionFormat::Codex => (
                uuid.clone(),
                format!("rollout-{}-{uuid}.jsonl", super::time::file_stamp(start)),
            ),
            SessionFormat::AnthropicMessages | SessionFormat::OpenaiChat => {
                (uuid.clone(), format!("{uuid}.json"))
            }
        };
        let gap = min_gap + rng.range_i64(0, 3 * 3_600_000);
        sessions.push(SessionPlan {
            id,
            agent,
            format,
            page,
            start_ms: start,
            budget_ms: gap - 5 * 60_000,
            path: format!("sessions/{}/{file}", agents[agent].name),
            units: Vec::new(),
        });
        start += gap;
    }

    let mut agent_sessions: Vec<Vec<usize>> = vec![Vec::new(); agent_count];
    let mut by_domain: [Vec<usize>; 4] = Default::default();
    for (i, &a) in session_agent.iter().enumerate() {
        agent_sessions[a].push(i);
        by_domain[agents[a].domain.index()].push(i);
    }
    let active_domains: Vec<Domain> = Domain::ALL
        .iter()
        .copied()
        .filter(|d| !by_domain[d.index()].is_empty())
        .collect();
    let active_domains = if active_domains.is_empty() {
        vec![agents[0].domain]
    } else {
        active_domains
    };
    let mut picker = Picker {
        load: vec![0; n],
        by_domain,
        agent_sessions,
        agent_domain: agents.iter().map(|a| a.domain).collect(),
        session_agent: session_agent.clone(),
    };

    let f = scale(n);
    let mut anchors = Anchors::default();
    let mut items: Vec<StoreItem> = Vec::new();
    let mut builder = Builder {
        rng: &mut rng,
        anchors: &mut anchors,
        subjects: HashSet::new(),
    };

    // ---- Store: duplicates and look-alikes.
    let mut duplicates = Vec::new();
    let dup_count = amount(builder.rng, 8.0, f);
    for g in 0..dup_count {
        let domain = *builder.rng.pick(&active_domains);
        let size = if builder.rng.chance(0.3) { 3 } else { 2 };
        let Some((texts, anchor)) = builder.duplicate(domain, size) else {
            continue;
        };
        let (doc, sections) = rule_doc(domain);
        let section = *builder.rng.pick(sections);
        let mut paths = Vec::new();
        for (k, text) in texts.iter().enumerate() {
            let (path, section) = if k > 0 && builder.rng.chance(0.3) {
                SHARED_DOC
            } else {
                (doc, section)
            };
            paths.push(path.to_string());
            items.push(StoreItem {
                path,
                section,
                text: text.clone(),
            });
        }
        duplicates.push(DuplicateGroup {
            group: format!("dup-{}", g + 1),
            texts,
            paths,
            anchors: vec![anchor],
        });
    }
    // Renumber in case a group could not be made.
    for (g, group) in duplicates.iter_mut().enumerate() {
        group.group = format!("dup-{}", g + 1);
    }

    let mut distinct = Vec::new();
    for _ in 0..amount(builder.rng, 6.0, f) {
        let domain = *builder.rng.pick(&active_domains);
        let Some((texts, pair_anchors, fact)) = builder.lookalike(domain) else {
            continue;
        };
        let (doc, section) = if fact {
            let (doc, sections) = fact_doc(domain);
            (doc, sections[0])
        } else {
            let (doc, sections) = rule_doc(domain);
            (doc, *builder.rng.pick(sections))
        };
        for text in &texts {
            items.push(StoreItem {
                path: doc,
                section,
                text: text.clone(),
            });
        }
        distinct.push(LookAlike {
            texts,
            anchors: pair_anchors.into_iter().map(|a| vec![a]).collect(),
        });
    }

    // ---- Facts: superseded and stable.
    struct FactPlan {
        subject: String,
        store_text: String,
        values: Vec<String>,
        plain: bool,
        domain: Domain,
    }
    let mut fact_plans: Vec<FactPlan> = Vec::new();
    let sup_count = if n == 0 {
        0
    } else {
        amount(builder.rng, 6.0, f)
    };
    let stable_count = amount(builder.rng, 6.0, f);
    let mut stable_facts = Vec::new();
    // Alternate, so that a large fleet that runs short of subjects is short of both alike.
    for k in 0..sup_count.max(stable_count) {
        for stable in [false, true] {
            if (!stable && k >= sup_count) || (stable && k >= stable_count) {
                continue;
            }
            let domain = *builder.rng.pick(&active_domains);
            let updates = if stable {
                0
            } else if n >= 2 && builder.rng.chance(0.35) {
                2
            } else {
                1
            };
            let Some((subject, values, plain)) = builder.fact(1 + updates) else {
                continue;
            };
            let store_text = builder.fact_text(&subject, &values[0], plain);
            let (doc, sections) = fact_doc(domain);
            items.push(StoreItem {
                path: doc,
                section: fact_section(sections, &subject),
                text: store_text.clone(),
            });
            if stable {
                stable_facts.push(StableFact {
                    store_text,
                    value: values[0].clone(),
                });
            } else {
                fact_plans.push(FactPlan {
                    subject,
                    store_text,
                    values,
                    plain,
                    domain,
                });
            }
        }
    }

    // ---- Temporary notes.
    let mut temporary = Vec::new();
    let mut note_templates: Vec<usize> = (0..phrases::TEMPORARY.len()).collect();
    builder.rng.shuffle(&mut note_templates);
    for k in 0..amount(builder.rng, 3.0, f) {
        let domain = *builder.rng.pick(&active_domains);
        let Some((text, marker)) = builder.temporary(note_templates[k % note_templates.len()])
        else {
            continue;
        };
        let (path, section) = if builder.rng.chance(0.25) {
            SHARED_DOC
        } else {
            note_doc(domain)
        };
        items.push(StoreItem {
            path,
            section,
            text: text.clone(),
        });
        temporary.push(TemporaryNote { text, marker });
    }

    // ---- Session-borne truth.
    let mut units: Vec<Vec<Unit>> = vec![Vec::new(); n];
    let ids: Vec<String> = sessions.iter().map(|s| s.id.clone()).collect();
    let names = |list: &[usize]| -> Vec<String> { list.iter().map(|&s| ids[s].clone()).collect() };

    // Supersessions: updates in later sessions, the newest last.
    let mut supersessions = Vec::new();
    for fp in &fact_plans {
        let updates = fp.values.len() - 1;
        let chosen = picker.pick(builder.rng, fp.domain, updates);
        if chosen.len() < updates {
            continue;
        }
        let mut texts = Vec::new();
        for (k, &s) in chosen.iter().enumerate() {
            let text = builder.update_text(&fp.subject, &fp.values[k + 1], fp.plain);
            units[s].push(Unit::Say(text.clone()));
            texts.push(text);
        }
        let newest = chosen[chosen.len() - 1];
        supersessions.push(Supersession {
            subject: fp.subject.clone(),
            store_text: fp.store_text.clone(),
            old: fp.values[0].clone(),
            intermediate: fp.values[1..fp.values.len() - 1].to_vec(),
            new: fp.values[fp.values.len() - 1].clone(),
            new_session: ids[newest].clone(),
            intermediate_sessions: names(&chosen[..chosen.len() - 1]),
            update_texts: texts,
        });
    }

    // Pitfalls.
    let mut pitfall_specs: Vec<PitfallSpec> = Vec::new();
    let mut pitfalls = Vec::new();
    let mut used_tool_params: HashSet<(usize, &'static str)> = HashSet::new();
    let mut errors_used: HashSet<String> = vocab::TRANSIENT.iter().map(|e| e.to_string()).collect();
    if n > 0 {
        let count = amount(builder.rng, 8.0, f);
        let one_offs = if n < 2 {
            count
        } else {
            builder.rng.range(count / 5, count / 3)
        };
        let file_pitfalls = (count / 4).max(usize::from(count >= 4));
        for p in 0..count {
            let recurring = p >= one_offs;
            let wants_file = p >= count - file_pitfalls;
            let domain = if wants_file {
                // File-type recipes exist for documents and data.
                let candidates: Vec<Domain> = active_domains
                    .iter()
                    .copied()
                    .filter(|d| matches!(d, Domain::Docs | Domain::Data))
                    .collect();
                if candidates.is_empty() {
                    *builder.rng.pick(&active_domains)
                } else {
                    *builder.rng.pick(&candidates)
                }
            } else {
                *builder.rng.pick(&active_domains)
            };
            let Some(spec) = builder.pitfall(
                domain,
                wants_file,
                &pitfall_specs,
                &mut used_tool_params,
                &mut errors_used,
            ) else {
                continue;
            };
            let k = if recurring {
                builder.rng.range(2, 5)
            } else {
                1
            };
            let chosen = picker.pick(builder.rng, domain, k);
            let recurring = chosen.len() >= 2;
            for &s in &chosen {
                units[s].push(Unit::Pitfall(pitfall_specs.len()));
            }
            pitfalls.push(Pitfall {
                tool: TOOLS[spec.tool].name.to_string(),
                param: spec.param.to_string(),
                value: spec.good.plain(),
                error: spec.error.clone(),
                file_type: spec.file.map(|(_, ext)| ext.to_string()),
                sessions: names(&chosen),
                recurring,
            });
            pitfall_specs.push(spec);
        }
    }

    // Identical-retry noise.
    let pitfall_tools: HashSet<usize> = pitfall_specs.iter().map(|p| p.tool).collect();
    let mut noise_specs: Vec<NoiseSpec> = Vec::new();
    let mut retry_noise = Vec::new();
    if n >= 2 {
        let mut transient: Vec<usize> = (0..vocab::TRANSIENT.len()).collect();
        builder.rng.shuffle(&mut transient);
        for k in 0..amount(builder.rng, 3.0, f) {
            let domain = *builder.rng.pick(&active_domains);
            let mut pool = vocab::domain_tools(domain);
            pool.retain(|t| {
                !pitfall_tools.contains(t) && !noise_specs.iter().any(|n| n.tool == *t)
            });
            if pool.is_empty() {
                pool = vocab::domain_tools(domain);
            }
            let tool = *builder.rng.pick(&pool);
            let error = vocab::TRANSIENT[transient[k % transient.len()]].to_string();
            let count = builder.rng.range(2, 3);
            let chosen = picker.pick(builder.rng, domain, count);
            if chosen.len() < 2 {
                continue;
            }
            for &s in &chosen {
                units[s].push(Unit::Noise(noise_specs.len()));
            }
            retry_noise.push(RetryNoise {
                tool: TOOLS[tool].name.to_string(),
                error: error.clone(),
                sessions: names(&chosen),
            });
            noise_specs.push(NoiseSpec { tool, error });
        }
    }

    // Workflows.
    let mut reserved = Bits::new();
    let mut reserved_pairs = vec![false; TOOLS.len() * TOOLS.len()];
    let mut workflow_steps: Vec<Vec<usize>> = Vec::new();
    let mut workflows = Vec::new();
    if n >= 3 {
        let mut curated: [Vec<usize>; 4] =
            std::array::from_fn(|d| (0..WORKFLOWS[d].len()).collect());
        for list in &mut curated {
            builder.rng.shuffle(list);
        }
        for _ in 0..amount(builder.rng, 3.0, f) {
            let domain = *builder.rng.pick(&active_domains);
            let d = domain.index();
            let mut steps: Option<Vec<usize>> = None;
            while let Some(c) = curated[d].pop() {
                let candidate: Vec<usize> = WORKFLOWS[d][c]
                    .iter()
                    .filter_map(|name| vocab::tool_index(name))
                    .collect();
                if workflow_free(&candidate, &reserved) {
                    steps = Some(candidate);
                    break;
                }
            }
            if steps.is_none() {
                let pool = vocab::domain_tools(domain);
                for _ in 0..50 {
                    let len = builder.rng.range(3, 5);
                    let candidate: Vec<usize> = builder
                        .rng
                        .sample(pool.len(), len)
                        .into_iter()
                        .map(|i| pool[i])
                        .collect();
                    if workflow_free(&candidate, &reserved) {
                        steps = Some(candidate);
                        break;
                    }
                }
            }
            let Some(steps) = steps else { continue };
            let count = builder.rng.range(3, 5);
            let chosen = picker.pick(builder.rng, domain, count);
            if chosen.len() < 3 {
                continue;
            }
            for (_, t) in triples_of(&steps) {
                reserved.insert(t);
            }
            for (i, &a) in steps.iter().enumerate() {
                for &b in steps.iter().skip(i + 1).take(2) {
                    reserved_pairs[a * TOOLS.len() + b] = true;
                    reserved_pairs[b * TOOLS.len() + a] = true;
                }
            }
            for &s in &chosen {
                units[s].push(Unit::Workflow(workflow_steps.len()));
            }
            workflows.push(Workflow {
                steps: steps.iter().map(|&t| TOOLS[t].name.to_string()).collect(),
                sessions: names(&chosen),
            });
            workflow_steps.push(steps);
        }
    }

    // Preferences. A key term must identify its preference: it may not occur in the store or
    // in what the pitfalls and noise would add to a draft.
    let elsewhere: Vec<String> = items
        .iter()
        .map(|i| i.text.to_lowercase())
        .chain(
            pitfall_specs
                .iter()
                .map(|p| format!("{} {} {}", p.error, p.param, p.good.plain()).to_lowercase()),
        )
        .chain(noise_specs.iter().map(|n| n.error.to_lowercase()))
        .collect();
    let mentioned = |key: &str| {
        let key = key.to_lowercase();
        elsewhere.iter().any(|text| text.contains(&key))
    };
    let mut preferences = Vec::new();
    if n > 0 {
        let mut pref_order: Vec<usize> = (0..phrases::PREFERENCES.len()).collect();
        builder.rng.shuffle(&mut pref_order);
        let count = amount(builder.rng, 8.0, f);
        let multi_agent = picker.agents(Domain::Coding, 2).len() >= 2;
        for p in 0..count {
            // Alternate scopes (the first two preferences have one of each), with some noise.
            let team = multi_agent
                && match p {
                    0 => true,
                    1 => false,
                    _ => (p % 2 == 0) != builder.rng.chance(0.2),
                };
            // A curated preference of an active domain, else a generated one.
            let fits = |domain: Domain| {
                active_domains.contains(&domain)
                    && (!team
                        || picker
                            .agents(domain, 2)
                            .iter()
                            .filter(|&&a| agents[a].domain == domain)
                            .count()
                            >= 2)
            };
            let spec_index = pref_order
                .iter()
                .position(|&i| fits(phrases::PREFERENCES[i].domain))
                .or_else(|| {
                    pref_order
                        .iter()
                        .position(|&i| active_domains.contains(&phrases::PREFERENCES[i].domain))
                });
            let (domain, key, vps, negative): (Domain, String, Vec<String>, bool) = match spec_index
            {
                Some(pos) => {
                    let spec = &phrases::PREFERENCES[pref_order.remove(pos)];
                    if !builder.anchors.free(spec.key) || mentioned(spec.key) {
                        continue;
                    }
                    builder.anchors.take(spec.key);
                    (
                        spec.domain,
                        spec.key.to_string(),
                        spec.vps.iter().map(|v| v.to_string()).collect(),
                        spec.negative,
                    )
                }
                None => {
                    let domain = *builder.rng.pick(&active_domains);
                    let Some((key, vps)) = builder.synthetic_preference(domain) else {
                        continue;
                    };
                    (domain, key, vps, false)
                }
            };
            let (chosen, scope, agent): (Vec<usize>, Scope, Option<String>) = if team {
                let pool = picker.agents(domain, 2);
                let k = if pool.len() >= 3 && builder.rng.chance(0.35) {
                    3
                } else {
                    2
                };
                let agents_chosen: Vec<usize> = builder
                    .rng
                    .sample(pool.len(), k)
                    .into_iter()
                    .map(|i| pool[i])
                    .collect();
                let mut chosen = Vec::new();
                for a in agents_chosen {
                    let own = picker.agent_sessions[a].clone();
                    chosen.extend(picker.choose_from(builder.rng, &own, 1));
                }
                chosen.sort_unstable();
                (chosen, Scope::Team, None)
            } else {
                let pool = picker.agents(domain, 1);
                let a = *builder.rng.pick(&pool);
                let own = picker.agent_sessions[a].clone();
                let k = builder.rng.range(1, 3).min(own.len());
                let chosen = picker.choose_from(builder.rng, &own, k);
                (chosen, Scope::Agent, Some(agents[a].name.clone()))
            };
            if chosen.is_empty() {
                continue;
            }
            let mut texts = Vec::new();
            for &s in &chosen {
                let templates = if negative {
                    phrases::PREF_NEGATIVE
                } else {
                    phrases::PREF_POSITIVE
                };
                let text = fill(
                    builder.rng.pick_str(templates),
                    &[("vp", builder.rng.pick(&vps).as_str())],
                );
                units[s].push(Unit::Say(text.clone()));
                texts.push(text);
            }
            let mut pref_agents: Vec<String> = chosen
                .iter()
                .map(|&s| agents[picker.session_agent[s]].name.clone())
                .collect();
            pref_agents.sort();
            pref_agents.dedup();
            preferences.push(Preference {
                id: format!("pref-{}", preferences.len() + 1),
                key_terms: vec![key],
                scope,
                agent,
                texts,
                sessions: names(&chosen),
                agents: pref_agents,
                negative,
            });
        }
    }

    // Injections.
    let mut injections = Vec::new();
    if n > 0 {
        for _ in 0..amount(builder.rng, 4.5, f) {
            let domain = *builder.rng.pick(&active_domains);
            let Some((text, marker)) = builder.injection() else {
                continue;
            };
            let chosen = picker.pick(builder.rng, domain, 1);
            let Some(&s) = chosen.first() else { continue };
            units[s].push(Unit::Content {
                text: text.clone(),
                config: false,
                injection: Some(injections.len()),
            });
            injections.push(Injection {
                marker,
                session: ids[s].clone(),
                tool: String::new(),
                text,
            });
        }
    }

    // Secrets.
    let mut secrets = Vec::new();
    if n > 0 {
        for k in 0..amount(builder.rng, 4.5, f) {
            let domain = *builder.rng.pick(&active_domains);
            let kind = phrases::SECRET_KINDS[k % phrases::SECRET_KINDS.len()];
            let value = builder.secret(kind);
            let chosen = picker.pick(builder.rng, domain, 1);
            let Some(&s) = chosen.first() else { continue };
            let in_user = builder.rng.chance(0.5);
            if in_user {
                let (literal, what) = secret_literal(kind, &value);
                let text = fill(
                    builder.rng.pick_str(phrases::SECRET_SENTENCES),
                    &[("secret", &literal), ("what", what)],
                );
                units[s].push(Unit::Say(text));
            } else {
                let text = secret_context(builder.rng, kind, &value);
                units[s].push(Unit::Content {
                    text,
                    config: true,
                    injection: None,
                });
            }
            secrets.push(Secret {
                value,
                kind: kind.to_string(),
                session: ids[s].clone(),
                location: if in_user {
                    "user_message"
                } else {
                    "tool_result"
                }
                .to_string(),
            });
        }
    }

    for (s, list) in units.into_iter().enumerate() {
        sessions[s].units = list;
    }

    // ---- Store documents.
    let store_items = items.len();
    let mut docs: BTreeMap<&str, BTreeMap<&str, Vec<String>>> = BTreeMap::new();
    for item in items {
        docs.entry(item.path)
            .or_default()
            .entry(item.section)
            .or_default()
            .push(item.text);
    }
    let mut store = Vec::new();
    for (path, sections) in docs {
        let mut content = format!("# {}\n", doc_title(path));
        let mut section_names: Vec<&str> = sections.keys().copied().collect();
        builder.rng.shuffle(&mut section_names);
        for name in section_names {
            let mut texts = sections[name].clone();
            builder.rng.shuffle(&mut texts);
            content.push_str(&format!("\n## {name}\n\n"));
            for text in texts {
                content.push_str("- ");
                content.push_str(&text);
                content.push('\n');
            }
        }
        store.push((path.to_string(), content));
    }

    let instructions = phrases::INSTRUCTIONS
        [(config.seed % phrases::INSTRUCTIONS.len() as u64) as usize]
        .to_string();
    let session_list = sessions
        .iter()
        .map(|s| SessionInfo {
            id: s.id.clone(),
            agent: agents[s.agent].name.clone(),
            format: s.format.as_str().to_string(),
            path: s.path.clone(),
            started_at: String::new(),
            ended_at: String::new(),
            ended_at_ms: 0,
        })
        .collect();
    let truth = Truth {
        seed: config.seed,
        sessions: n,
        agents: agent_count,
        store_items,
        transcript_bytes: 0,
        instructions,
        duplicates,
        distinct,
        supersessions,
        stable_facts,
        pitfalls,
        retry_noise,
        workflows,
        preferences,
        injections,
        secrets,
        temporary,
        session_list,
    };
    Plan {
        config: config.clone(),
        agents,
        sessions,
        pitfalls: pitfall_specs,
        noises: noise_specs,
        workflows: workflow_steps,
        reserved,
        reserved_pairs,
        store,
        truth,
    }
}

/// The rule families that suit a domain: 0 commands, 1 thresholds, 2 tables, 3 tools,
/// 4 document templates.
fn family_for(domain: Domain, choice: usize) -> usize {
    let families: &[usize] = match domain {
        Domain::Coding => &[0, 0, 3],
        Domain::Support => &[1, 1, 3],
        Domain::Docs => &[0, 3, 4, 4],
        Domain::Data => &[0, 2, 2, 3],
    };
    families[choice % families.len()]
}

/// A workflow's steps are distinct and share no call triple with planted ones.
fn workflow_free(steps: &[usize], reserved: &Bits) -> bool {
    let distinct: HashSet<usize> = steps.iter().copied().collect();
    distinct.len() == steps.len()
        && steps.len() >= 3
        && triples_of(steps).all(|(_, t)| !reserved.contains(t))
}

/// How a secret is pasted in a sentence, and what it is called.
fn secret_literal(kind: &str, value: &str) -> (String, &'static str) {
    match kind {
        "anthropic_api_key" => (value.to_string(), "Anthropic API key"),
        "aws_access_key_id" => (value.to_string(), "AWS access key"),
        "github_token" => (format!("token {value}"), "GitHub token"),
        "slack_bot_token" => (value.to_string(), "Slack bot token"),
        "password" => (format!("password={value}"), "service password"),
        _ => (value.to_string(), "API JWT"),
    }
}

/// Configuration text that shows a secret, as a tool would print it.
fn secret_context(rng: &mut Rng, kind: &str, value: &str) -> String {
    let env = match kind {
        "anthropic_api_key" => format!("ANTHROPIC_API_KEY={value}"),
        "aws_access_key_id" => format!("AWS_ACCESS_KEY_ID={value}"),
        "github_token" => format!("GITHUB_TOKEN={value}"),
        "slack_bot_token" => format!("SLACK_BOT_TOKEN={value}"),
        "password" => format!("DB_PASSWORD={value}"),
        _ => format!("Authorization: Bearer {value}"),
    };
    match rng.below(3) {
        0 => {
            format!("# .env\nAPP_ENV=staging\nLOG_LEVEL=info\n{env}\nFEATURE_NEW_CHECKOUT=false\n")
        }
        1 => format!("HOME=/home/runner\nPATH=/usr/local/bin:/usr/bin\nCI=true\n{env}\nTZ=UTC\n"),
        _ => match kind {
            "password" => format!(
                "[database]\nhost = pg-primary.corp.lan\nuser = app\npassword={value}\npool = 20\n"
            ),
            "jwt" => format!(
                "GET /v1/exports HTTP/1.1\nHost: api.acme.io\n{env}\nAccept: application/json\n"
            ),
            _ => format!(
                "settings:\n  region: eu-west-1\n  credentials: \"{value}\"\n  retries: 3\n"
            ),
        },
    }
}

/// Draws planted content, keeping anchors unique.
struct Builder<'a> {
    rng: &'a mut Rng,
    anchors: &'a mut Anchors,
    /// What threshold, table and template rules are about (one rule per subject, so that two
    /// rules never disagree about the same thing).
    subjects: HashSet<String>,
}

/// The subject of a rule that must be unique in the store, if its family has one.
fn rule_subject(family: usize, vars: &[(&'static str, String)]) -> Option<String> {
    let key = match family {
        1 => "action",
        2 => "dataset",
        4 => "doctype",
        _ => return None,
    };
    vars.iter().find(|(k, _)| *k == key).map(|(_, v)| v.clone())
}

impl Builder<'_> {
    /// A duplicate group of `size` paraphrases sharing one anchor.
    fn duplicate(&mut self, domain: Domain, size: usize) -> Option<(Vec<String>, String)> {
        for _ in 0..40 {
            let family = family_for(domain, self.rng.below(5));
            let Some((templates, vars, anchor)) = self.rule(domain, family, false) else {
                continue;
            };
            let picks = self.rng.sample(templates.len(), size);
            let texts: Vec<String> = picks
                .iter()
                .map(|&i| {
                    let pairs: Vec<(&str, &str)> =
                        vars.iter().map(|(k, v)| (*k, v.as_str())).collect();
                    fill(templates[i], &pairs)
                })
                .collect();
            self.anchors.take(&anchor);
            self.subjects.extend(rule_subject(family, &vars));
            return Some((texts, anchor));
        }
        None
    }

    /// Two items in one frame about different things; the bool is true for facts.
    fn lookalike(&mut self, domain: Domain) -> Option<(Vec<String>, Vec<String>, bool)> {
        for _ in 0..40 {
            let family = self.rng.below(6);
            if family == 5 {
                // Host facts differing in environment.
                let (component, prefix) = *self.rng.pick(phrases::HOST_COMPONENTS);
                let envs = self.rng.sample(phrases::FACT_ENVS.len(), 2);
                let frame = *self.rng.pick(&phrases::FACT_FRAMES[..2]);
                let zone = *self.rng.pick(phrases::HOST_ZONES);
                let mut texts = Vec::new();
                let mut values = Vec::new();
                for &e in &envs {
                    let subject = format!("{} {component} host", phrases::FACT_ENVS[e]);
                    let value = format!("{prefix}-{}.{zone}", self.rng.range(2, 99));
                    texts.push(fill(
                        frame,
                        &[
                            ("subject", &subject),
                            ("Subject", &phrases::capitalise_subject(&subject)),
                            ("value", &value),
                        ],
                    ));
                    values.push(value);
                }
                let subjects: Vec<String> = envs
                    .iter()
                    .map(|&e| format!("{} {component} host", phrases::FACT_ENVS[e]))
                    .collect();
                let all: Vec<&str> = values
                    .iter()
                    .chain(subjects.iter())
                    .map(String::as_str)
                    .collect();
                if !self.anchors.take_all(&all) {
                    continue;
                }
                return Some((texts, values, true));
            }
            let family = family_for(domain, family);
            let Some(first) = self.rule(domain, family, true) else {
                continue;
            };
            // The subject must differ, or the pair would be a contradiction, not a look-alike.
            let subject_key = ["cmd", "action", "dataset", "tool", "doctype"][family];
            let var = |vars: &[(&'static str, String)], key: &str| {
                vars.iter().find(|(k, _)| *k == key).map(|(_, v)| v.clone())
            };
            let mut second = None;
            for _ in 0..20 {
                if let Some(candidate) = self.rule(domain, family, true)
                    && candidate.2 != first.2
                    && var(&candidate.1, subject_key) != var(&first.1, subject_key)
                {
                    second = Some(candidate);
                    break;
                }
            }
            let Some(second) = second else { continue };
            if !self
                .anchors
                .take_all(&[first.2.as_str(), second.2.as_str()])
            {
                continue;
            }
            // Same frame: the first item's template, with the second's variables except the
            // shared context (the event of command rules).
            let template = first.0[self.rng.below(first.0.len())];
            let render = |vars: &Vec<(&'static str, String)>| {
                let pairs: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (*k, v.as_str())).collect();
                fill(template, &pairs)
            };
            let mut second_vars = second.1.clone();
            for (key, value) in &mut second_vars {
                if (*key == "event" || *key == "approver")
                    && let Some((_, v)) = first.1.iter().find(|(k, _)| k == key)
                {
                    *value = v.clone();
                }
            }
            let texts = vec![render(&first.1), render(&second_vars)];
            if texts[0] == texts[1] {
                continue;
            }
            self.subjects.extend(rule_subject(family, &first.1));
            self.subjects.extend(rule_subject(family, &second.1));
            return Some((texts, vec![first.2, second.2], false));
        }
        None
    }

    /// A rule of one family: (templates, variables, anchor). The anchor is free but not taken.
    #[expect(
        clippy::type_complexity,
        reason = "a one-off tuple of the generator's own parts, read right below"
    )]
    fn rule(
        &mut self,
        domain: Domain,
        family: usize,
        lookalike: bool,
    ) -> Option<(&'static [&'static str], Vec<(&'static str, String)>, String)> {
        for attempt in 0..30 {
            let result: (&'static [&'static str], Vec<(&'static str, String)>, String) =
                match family {
                    0 => {
                        let own = |d: &Domain| *d == domain || domain == Domain::Support;
                        let cmds: Vec<&str> = phrases::COMMANDS
                            .iter()
                            .filter(|(d, _)| own(d))
                            .map(|(_, c)| *c)
                            .collect();
                        let events: Vec<&str> = phrases::CMD_EVENTS
                            .iter()
                            .filter(|(d, _)| own(d))
                            .map(|(_, e)| *e)
                            .collect();
                        let cmd = if attempt >= 8 || self.rng.chance(0.25) {
                            let dir = match domain {
                                Domain::Data => "./bin",
                                Domain::Docs => "./tools",
                                _ => "./scripts",
                            };
                            format!(
                                "{dir}/{}-{}.sh",
                                self.rng.pick(phrases::SCRIPT_VERBS),
                                self.rng.pick(vocab::WORDS)
                            )
                        } else {
                            self.rng.pick(&cmds).to_string()
                        };
                        let event = self.rng.pick(&events).to_string();
                        let templates = if lookalike {
                            phrases::CMD_LOOKALIKE
                        } else {
                            phrases::CMD_RULES
                        };
                        (templates, vec![("cmd", cmd.clone()), ("event", event)], cmd)
                    }
                    1 => {
                        let (action, one) = *self.rng.pick(phrases::THRESHOLD_ACTIONS);
                        let approver = *self.rng.pick(phrases::APPROVERS);
                        let amount = format!("${}", 100 + 5 * self.rng.below(180));
                        let templates = if lookalike {
                            phrases::THRESHOLD_LOOKALIKE
                        } else {
                            phrases::THRESHOLD_RULES
                        };
                        (
                            templates,
                            vec![
                                ("Action", capitalise(action)),
                                ("action", action.to_string()),
                                ("one", one.to_string()),
                                ("Approver", capitalise(approver)),
                                ("approver", approver.to_string()),
                                ("amount", amount.clone()),
                            ],
                            amount,
                        )
                    }
                    2 => {
                        let dataset = *self.rng.pick(phrases::DATASETS);
                        let table = format!(
                            "{}.{}_{}",
                            self.rng.pick(vocab::SCHEMAS),
                            self.rng.pick(vocab::ENTITIES),
                            self.rng.pick(phrases::TABLE_SUFFIXES)
                        );
                        let templates = if lookalike {
                            phrases::TABLE_LOOKALIKE
                        } else {
                            phrases::TABLE_RULES
                        };
                        (
                            templates,
                            vec![
                                ("Dataset", capitalise(dataset)),
                                ("dataset", dataset.to_string()),
                                ("table", table.clone()),
                            ],
                            table,
                        )
                    }
                    3 => {
                        let own: Vec<&(Domain, &str, &str)> = phrases::TOOL_PURPOSES
                            .iter()
                            .filter(|(d, ..)| *d == domain)
                            .collect();
                        let &&(_, tool, purpose) = self.rng.pick(&own);
                        let templates = if lookalike {
                            phrases::TOOL_LOOKALIKE
                        } else {
                            phrases::TOOL_RULES
                        };
                        (
                            templates,
                            vec![("tool", tool.to_string()), ("purpose", purpose.to_string())],
                            tool.to_string(),
                        )
                    }
                    _ => {
                        let doctype = *self.rng.pick(phrases::DOCTYPES);
                        let template = format!(
                            "{}-v{}",
                            self.rng.pick(phrases::TEMPLATE_BASES),
                            self.rng.range(2, 9)
                        );
                        let templates = if lookalike {
                            phrases::TEMPLATE_LOOKALIKE
                        } else {
                            phrases::TEMPLATE_RULES
                        };
                        (
                            templates,
                            vec![
                                ("Doctype", capitalise(doctype)),
                                ("doctype", doctype.to_string()),
                                ("template", template.clone()),
                            ],
                            template,
                        )
                    }
                };
            let subject_free = rule_subject(family, &result.1)
                .is_none_or(|subject| !self.subjects.contains(&subject));
            if self.anchors.free(&result.2) && subject_free {
                return Some(result);
            }
        }
        None
    }

    /// A subject and `count` distinct values (old first); the bool is true for plain values
    /// (ports, versions, ids) that are not locations.
    fn fact(&mut self, count: usize) -> Option<(String, Vec<String>, bool)> {
        for _ in 0..200 {
            let kind = self.rng.below(6);
            let (subject, plain): (String, bool) = match kind {
                0 | 1 => {
                    let (component, _) = *self.rng.pick(phrases::HOST_COMPONENTS);
                    (
                        format!("{} {component} host", self.rng.pick(phrases::FACT_ENVS)),
                        false,
                    )
                }
                2 => (
                    format!(
                        "{} {}",
                        self.rng.pick(vocab::SERVICES),
                        self.rng.pick(phrases::URL_SUBJECTS)
                    ),
                    false,
                ),
                3 => (
                    format!(
                        "{} {}",
                        self.rng.pick(vocab::SERVICES),
                        self.rng.pick(phrases::PORT_COMPONENTS)
                    ),
                    true,
                ),
                4 => (
                    format!(
                        "{} {} version",
                        self.rng.pick_str(&["pinned", "minimum supported"]),
                        self.rng.pick(phrases::RUNTIMES).0
                    ),
                    true,
                ),
                _ => {
                    let team = *self.rng.pick(phrases::TEAMS);
                    if self.rng.chance(0.5) {
                        (
                            format!("{team} {}", self.rng.pick(phrases::EMAIL_SUBJECTS)),
                            false,
                        )
                    } else {
                        (
                            format!("{team} {}", self.rng.pick(phrases::ID_SUBJECTS)),
                            true,
                        )
                    }
                }
            };
            if !self.anchors.free(&subject) {
                continue;
            }
            let mut values: Vec<String> = Vec::new();
            for _ in 0..count * 10 {
                if values.len() == count {
                    break;
                }
                let value = self.fact_value(&subject, kind);
                if values.contains(&value) || !self.anchors.free(&value) {
                    continue;
                }
                if values
                    .iter()
                    .any(|v| v.contains(&value) || value.contains(v.as_str()))
                {
                    continue;
                }
                values.push(value);
            }
            if values.len() < count {
                continue;
            }
            let mut all: Vec<&str> = values.iter().map(String::as_str).collect();
            all.push(&subject);
            if !self.anchors.take_all(&all) {
                continue;
            }
            return Some((subject, values, plain));
        }
        None
    }

    fn fact_value(&mut self, subject: &str, kind: usize) -> String {
        match kind {
            0 | 1 => {
                let prefix = phrases::HOST_COMPONENTS
                    .iter()
                    .find(|(c, _)| subject.contains(c))
                    .map_or("host", |(_, p)| *p);
                format!(
                    "{prefix}-{}.{}",
                    self.rng.range(2, 99),
                    self.rng.pick(phrases::HOST_ZONES)
                )
            }
            2 => {
                let service = subject.split(' ').next().unwrap_or("api");
                format!(
                    "https://{service}.{}/v{}",
                    self.rng.pick(phrases::URL_DOMAINS),
                    self.rng.range(2, 9)
                )
            }
            3 => format!("{}", self.rng.range(10_000, 65_000)),
            4 => {
                let runtime = phrases::RUNTIMES
                    .iter()
                    .find(|(r, _)| subject.contains(r))
                    .map_or(1, |(_, major)| *major);
                format!(
                    "{}.{}.{}",
                    runtime as usize + self.rng.below(2),
                    self.rng.range(1, 29),
                    self.rng.range(0, 15)
                )
            }
            _ => {
                let team = subject.split(' ').next().unwrap_or("team");
                if subject.ends_with("channel") {
                    format!("#oncall-{team}-{}", self.rng.range(2, 99))
                } else if subject.ends_with("project") {
                    format!("acme-{team}-{}", self.rng.range(100, 999))
                } else if subject.ends_with("rotation") {
                    format!("rot-{team}-{}", self.rng.range(10, 99))
                } else if subject.ends_with("center") {
                    format!("CC-{}", self.rng.range(1000, 9999))
                } else {
                    format!(
                        "{team}-{}@acme.io",
                        self.rng.pick(&[
                            "escalations",
                            "tier2",
                            "urgent",
                            "desk",
                            "approvals",
                            "ops"
                        ])
                    )
                }
            }
        }
    }

    fn fact_text(&mut self, subject: &str, value: &str, plain: bool) -> String {
        let frames = if plain {
            phrases::FACT_FRAMES_PLAIN
        } else {
            phrases::FACT_FRAMES
        };
        fill(
            self.rng.pick_str(frames),
            &[
                ("subject", subject),
                ("Subject", &phrases::capitalise_subject(subject)),
                ("value", value),
            ],
        )
    }

    fn update_text(&mut self, subject: &str, value: &str, plain: bool) -> String {
        let frames = if plain {
            phrases::UPDATE_FRAMES_PLAIN
        } else {
            phrases::UPDATE_FRAMES
        };
        fill(
            self.rng.pick_str(frames),
            &[("subject", subject), ("value", value)],
        )
    }

    fn temporary(&mut self, template: usize) -> Option<(String, String)> {
        for attempt in 0..60 {
            // Another template when this one's markers keep clashing.
            let t = (template + attempt / 10) % phrases::TEMPORARY.len();
            let word = |rng: &mut Rng| rng.pick(vocab::WORDS).replace('-', "_").to_uppercase();
            let marker = match t {
                0 | 6 => format!("{}_{}_RETRIES=0", word(self.rng), word(self.rng)),
                1 => format!(
                    "{}=={}.{}.{}",
                    self.rng.pick(&[
                        "urllib3", "grpcio", "pydantic", "boto3", "psycopg2", "openpyxl"
                    ]),
                    self.rng.range(1, 4),
                    self.rng.range(0, 30),
                    self.rng.range(0, 9)
                ),
                2 => format!(
                    "test_{}_{}",
                    self.rng.pick(vocab::MODULES),
                    self.rng.pick(vocab::WORDS).replace('-', "_")
                ),
                3 => format!("{}_{}_TRACE", word(self.rng), word(self.rng)),
                4 => format!("relay-{}.internal", self.rng.range(2, 99)),
                _ => format!("./scripts/flush-{}-cache.sh", self.rng.pick(vocab::WORDS)),
            };
            if !self.anchors.free(&marker) {
                continue;
            }
            self.anchors.take(&marker);
            let host = format!(
                "worker-{}.{}",
                self.rng.range(2, 40),
                self.rng.pick(phrases::HOST_ZONES)
            );
            let text = fill(
                phrases::TEMPORARY[t],
                &[
                    ("marker", &marker),
                    ("job", &self.rng.pick(vocab::DAGS).replace('_', "-")),
                    ("issue", *self.rng.pick(vocab::WORDS)),
                    ("host", &host),
                ],
            );
            return Some((text, marker));
        }
        None
    }

    fn injection(&mut self) -> Option<(String, String)> {
        for _ in 0..40 {
            let template = self.rng.pick(phrases::INJECTIONS);
            let marker = match template.marker {
                phrases::MarkerKind::Email => format!(
                    "{}{}@{}",
                    self.rng
                        .pick(&["ops", "backup", "audit", "sync", "archive", "relay"]),
                    self.rng.range(10, 9999),
                    self.rng.pick(phrases::EVIL_MAIL_DOMAINS)
                ),
                phrases::MarkerKind::Url => format!(
                    "https://{}-{}.{}/{}",
                    self.rng.pick(&["cdn", "mirror", "get", "panel", "update"]),
                    self.rng.range(10, 9999),
                    self.rng.pick(phrases::EVIL_URL_DOMAINS),
                    self.rng.pick(&["install.sh", "admin", "v2", "bootstrap"])
                ),
                phrases::MarkerKind::Account => format!("ACCT-{}", self.rng.digits(7)),
                phrases::MarkerKind::Phrase => format!(
                    "{} protocol {}",
                    self.rng.pick(phrases::PHRASE_WORDS),
                    self.rng.range(100, 9999)
                ),
                phrases::MarkerKind::Iban => format!("DE{}", self.rng.digits(20)),
            };
            if !self.anchors.free(&marker) {
                continue;
            }
            self.anchors.take(&marker);
            let text = fill(
                template.text,
                &[
                    ("marker", &marker),
                    ("things", *self.rng.pick(phrases::INJECTION_THINGS)),
                ],
            );
            return Some((text, marker));
        }
        None
    }

    fn secret(&mut self, kind: &str) -> String {
        loop {
            let value = match kind {
                "anthropic_api_key" => format!(
                    "sk-ant-api03-{}AA",
                    self.rng.chars(
                        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-",
                        93
                    )
                ),
                "aws_access_key_id" => format!(
                    "AKIA{}",
                    self.rng.chars(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16)
                ),
                "github_token" => format!("ghp_{}", self.rng.alnum(36)),
                "slack_bot_token" => format!(
                    "xoxb-{}-{}-{}",
                    self.rng.digits(12),
                    self.rng.digits(13),
                    self.rng.alnum(24)
                ),
                "password" => format!(
                    "{}{}!{}#{}",
                    self.rng.pick(&["Vq", "Lm", "Tz", "Rk", "Hx"]),
                    self.rng.digits(3),
                    self.rng.alnum(6),
                    self.rng.alnum(4)
                ),
                _ => jwt(self.rng),
            };
            if self.anchors.free(&value) {
                self.anchors.take(&value);
                return value;
            }
        }
    }

    fn synthetic_preference(&mut self, domain: Domain) -> Option<(String, Vec<String>)> {
        for _ in 0..40 {
            let own: Vec<&str> = phrases::ARTIFACTS
                .iter()
                .filter(|(d, _)| *d == domain)
                .map(|(_, a)| *a)
                .collect();
            let artifact = *self.rng.pick(&own);
            let label = format!(
                "{}-{}-{}",
                self.rng.pick(&["team", "area", "stream", "cell", "squad"]),
                self.rng.pick(vocab::WORDS),
                self.rng.range(2, 99)
            );
            if !self.anchors.free(&label) {
                continue;
            }
            self.anchors.take(&label);
            let vps = self
                .rng
                .pick(phrases::SYNTH_PREF_VPS)
                .iter()
                .map(|vp| fill(vp, &[("artifact", artifact), ("label", &label)]))
                .collect();
            return Some((label, vps));
        }
        None
    }

    fn pitfall(
        &mut self,
        domain: Domain,
        wants_file: bool,
        existing: &[PitfallSpec],
        used: &mut HashSet<(usize, &'static str)>,
        errors_used: &mut HashSet<String>,
    ) -> Option<PitfallSpec> {
        let used_tools: HashSet<usize> = existing.iter().map(|p| p.tool).collect();
        let recipes: Vec<&'static vocab::Recipe> = RECIPES
            .iter()
            .filter(|r| r.domains.contains(&domain) && r.file_exts.is_empty() != wants_file)
            .collect();
        if recipes.is_empty() {
            return if wants_file {
                self.pitfall(domain, false, existing, used, errors_used)
            } else {
                None
            };
        }
        for attempt in 0..60 {
            let recipe = *self.rng.pick(&recipes);
            // Preferred tools of the recipe first, then any tool of the domain.
            let mut candidates: Vec<usize> = recipe
                .tools
                .iter()
                .filter_map(|t| vocab::tool_index(t))
                .filter(|&t| TOOLS[t].domain == Some(domain) || TOOLS[t].domain.is_none())
                .collect();
            if candidates.is_empty() || attempt > 20 {
                candidates = (0..TOOLS.len())
                    .filter(|&t| TOOLS[t].domain.is_none_or(|d| d == domain))
                    .collect();
            }
            if wants_file {
                candidates.retain(|&t| {
                    TOOLS[t]
                        .params
                        .iter()
                        .any(|(_, v)| matches!(v, Val::File(_)))
                });
            }
            candidates.retain(|&t| !used.contains(&(t, recipe.param)));
            if attempt < 30 {
                let fresh: Vec<usize> = candidates
                    .iter()
                    .copied()
                    .filter(|t| !used_tools.contains(t))
                    .collect();
                if !fresh.is_empty() {
                    candidates = fresh;
                }
            }
            if candidates.is_empty() {
                continue;
            }
            let tool = *self.rng.pick(&candidates);
            let good = jv(*self.rng.pick(recipe.good));
            let bad = if recipe.bad.is_empty() {
                None
            } else {
                Some(jv(*self.rng.pick(recipe.bad)))
            };
            let file = if wants_file {
                let param = TOOLS[tool]
                    .params
                    .iter()
                    .find(|(_, v)| matches!(v, Val::File(_)))
                    .map_or("path", |(p, _)| *p);
                Some((param, *self.rng.pick(recipe.file_exts)))
            } else {
                None
            };
            let template = *self.rng.pick(recipe.errors);
            let n = self.rng.range(3, 48) * if template.contains("${n}") { 25 } else { 1 };
            let mut error = fill(
                template,
                &[
                    ("ext", file.map_or("", |(_, e)| e)),
                    ("bad", &bad.as_ref().map(J::plain).unwrap_or_default()),
                    ("good", &good.plain()),
                    ("n", &n.to_string()),
                    ("field", *self.rng.pick(vocab::ERROR_FIELDS)),
                    ("font", *self.rng.pick(vocab::FONTS)),
                    ("tool", TOOLS[tool].name),
                ],
            );
            if errors_used.contains(&error) {
                if attempt < 40 {
                    continue;
                }
                error = format!("{error} (code E{})", self.rng.range(1000, 9999));
                if errors_used.contains(&error) {
                    continue;
                }
            }
            errors_used.insert(error.clone());
            used.insert((tool, recipe.param));
            return Some(PitfallSpec {
                tool,
                param: recipe.param,
                good,
                bad,
                error,
                file,
            });
        }
        None
    }
}

fn jv(value: Jv) -> J<'static> {
    match value {
        Jv::S(text) => J::s(text),
        Jv::I(n) => J::Int(n),
        Jv::B(b) => J::Bool(b),
    }
}

fn base64url(bytes: &[u8]) -> String {
    const TABLE: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        let chars = chunk.len() + 1;
        for k in 0..chars {
            out.push(char::from(TABLE[((n >> (18 - 6 * k)) & 63) as usize]));
        }
    }
    out
}

fn jwt(rng: &mut Rng) -> String {
    let header = base64url(br#"{"alg":"HS256","typ":"JWT"}"#);
    let payload = format!(
        r#"{{"sub":"svc-{}","iat":{},"scope":"exports:read"}}"#,
        rng.pick(vocab::SERVICES),
        1_736_000_000 + rng.range(0, 9_999_999)
    );
    let signature: Vec<u8> = (0..32).map(|_| rng.next_u64() as u8).collect();
    format!(
        "{header}.{}.{}",
        base64url(payload.as_bytes()),
        base64url(&signature)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64url_matches_known_values() {
        assert_eq!(
            base64url(b"{\"alg\":\"HS256\",\"typ\":\"JWT\"}"),
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"
        );
        assert_eq!(base64url(b"f"), "Zg");
        assert_eq!(base64url(b"fo"), "Zm8");
        assert_eq!(base64url(b"foo"), "Zm9v");
    }

    #[test]
    fn anchors_refuse_overlaps() {
        let mut anchors = Anchors::default();
        assert!(anchors.take_all(&["db-4.internal"]));
        assert!(!anchors.free("db-4.internal"));
        assert!(!anchors.free("4.internal"));
        assert!(anchors.free("db-41.internal"));
        assert!(!anchors.take_all(&["$150", "$1500"]));
    }
}
