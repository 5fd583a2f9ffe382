//! Generating one session: turns of neutral conversation with the planted units spread among
//! them, tool names chosen so that no unplanned call sequence recurs, then rendering and
//! padding to the configured size.

use super::content;
use super::json::J;
use super::phrases::{self, fill};
use super::plan::{MAX_STEP_MS, Plan, Unit};
use super::render::{self, Ctx, Ev};
use super::rng::Rng;
use super::time::rfc3339_ms;
use super::triples::{Bits, triples_of, triples_through};
use super::vocab::{self, Domain, Out, TOOLS};
use crate::truth::Truth;

/// A call position in a turn.
#[derive(Debug, Clone, Copy)]
enum Slot {
    Filler,
    /// Index into the session's units.
    Content(usize),
    Pitfall(usize),
    Noise(usize),
    Workflow(usize),
}

impl Slot {
    /// Planted slots whose tool names are fixed.
    fn fixed(self) -> bool {
        matches!(self, Slot::Pitfall(_) | Slot::Noise(_) | Slot::Workflow(_))
    }
}

struct Turn {
    says: Vec<String>,
    slots: Vec<Slot>,
}

#[derive(Clone, Copy)]
enum Pool {
    Domain,
    Content,
    Config,
}

pub(crate) struct Rendered {
    pub(crate) path: String,
    pub(crate) bytes: Vec<u8>,
    pub(crate) end_ms: i64,
}

pub(crate) struct Generator<'p> {
    plan: &'p Plan,
    /// Call triples already used by some session (outside planted workflows).
    used: Bits,
    /// How many used triples start with each pair of tools: a pair whose continuations are
    /// nearly all used is avoided, so that later choices do not run out of options.
    pair_use: Vec<u16>,
    truth: Truth,
    /// A domain's tools, and those plus the generic ones.
    own: [Vec<usize>; 4],
    preferred: [Vec<usize>; 4],
    all: Vec<usize>,
    content_tools: Vec<usize>,
    config_tools: Vec<usize>,
    /// Fallbacks: every tool whose output could carry fetched content / configuration.
    content_wide: Vec<usize>,
    config_wide: Vec<usize>,
    transcript_bytes: u64,
    /// Filler choices that could only avoid repeating contiguous triples (0 in practice).
    pub(crate) near_collisions: usize,
    /// Filler choices that could not avoid repeating a triple (0 in practice).
    pub(crate) collisions: usize,
}

impl<'p> Generator<'p> {
    pub(crate) fn new(plan: &'p Plan) -> Self {
        let preferred = std::array::from_fn(|d| {
            (0..TOOLS.len())
                .filter(|&t| TOOLS[t].domain.is_none_or(|x| x == Domain::ALL[d]))
                .collect()
        });
        let own = std::array::from_fn(|d| vocab::domain_tools(Domain::ALL[d]));
        let names = |list: &[&str]| list.iter().filter_map(|n| vocab::tool_index(n)).collect();
        Generator {
            plan,
            used: Bits::new(),
            pair_use: vec![0; TOOLS.len() * TOOLS.len()],
            truth: plan.truth.clone(),
            own,
            preferred,
            all: (0..TOOLS.len()).collect(),
            content_tools: names(vocab::CONTENT_TOOLS),
            config_tools: names(vocab::CONFIG_TOOLS),
            content_wide: (0..TOOLS.len())
                .filter(|&t| matches!(TOOLS[t].out, Out::Page | Out::Doc | Out::Code | Out::Json))
                .collect(),
            config_wide: (0..TOOLS.len())
                .filter(|&t| matches!(TOOLS[t].out, Out::Logs | Out::Code))
                .collect(),
            transcript_bytes: 0,
            near_collisions: 0,
            collisions: 0,
        }
    }

    /// The truth, once every session has been generated.
    pub(crate) fn finish(mut self) -> Truth {
        self.truth.transcript_bytes = self.transcript_bytes;
        self.truth
    }

    pub(crate) fn session(&mut self, i: usize) -> Rendered {
        let plan = self.plan;
        let sp = &plan.sessions[i];
        let agent = &plan.agents[sp.agent];
        let domain = agent.domain;
        let mut rng = Rng::derive(plan.config.seed, 2, i as u64);
        let target = plan.config.events_per_session.max(6);

        // ---- Skeleton: turns, with planted sentences and calls spread over them.
        let mut says: Vec<String> = Vec::new();
        let mut planted: Vec<Slot> = Vec::new();
        for (u, unit) in sp.units.iter().enumerate() {
            match unit {
                Unit::Say(text) => says.push(text.clone()),
                Unit::Pitfall(p) => planted.push(Slot::Pitfall(*p)),
                Unit::Noise(n) => planted.push(Slot::Noise(*n)),
                Unit::Workflow(w) => planted.push(Slot::Workflow(*w)),
                Unit::Content { .. } => planted.push(Slot::Content(u)),
            }
        }
        rng.shuffle(&mut says);
        rng.shuffle(&mut planted);
        let base_turns = (target / 7)
            .max(1)
            .max(says.len())
            .max(planted.len().div_ceil(2));
        let mut turn_order: Vec<usize> = (0..base_turns).collect();
        rng.shuffle(&mut turn_order);
        let mut say_turn: Vec<Vec<String>> = vec![Vec::new(); base_turns];
        for (k, text) in says.into_iter().enumerate() {
            say_turn[turn_order[k % base_turns]].push(text);
        }
        let mut slot_turn: Vec<Vec<Slot>> = vec![Vec::new(); base_turns];
        for slot in planted {
            slot_turn[rng.below(base_turns)].push(slot);
        }
        let mut turns: Vec<Turn> = Vec::new();
        let mut estimate = 0usize;
        let mut since_fixed: Option<usize> = None;
        let mut t = 0;
        loop {
            if t >= base_turns && estimate + 5 >= target {
                break;
            }
            let (says, mut own) = if t < base_turns {
                (
                    std::mem::take(&mut say_turn[t]),
                    std::mem::take(&mut slot_turn[t]),
                )
            } else {
                (Vec::new(), Vec::new())
            };
            let fillers = if estimate >= target {
                0
            } else {
                rng.range(1, 3)
            };
            for _ in 0..fillers {
                let at = rng.below(own.len() + 1);
                own.insert(at, Slot::Filler);
            }
            // Two fillers between any two planted calls, so that no call triple (with at most
            // one call skipped) is made of planted calls only.
            let mut slots = Vec::with_capacity(own.len() + 4);
            for slot in own {
                if slot.fixed() {
                    if let Some(gap) = since_fixed {
                        for _ in gap..2 {
                            slots.push(Slot::Filler);
                        }
                    }
                    since_fixed = Some(0);
                } else if let Some(gap) = since_fixed.as_mut() {
                    *gap += 1;
                }
                slots.push(slot);
            }
            estimate += 2 + slots.iter().map(|s| self.slot_events(*s)).sum::<usize>();
            turns.push(Turn { says, slots });
            t += 1;
        }

        // ---- Tool names.
        let mut seq: Vec<Option<usize>> = Vec::new();
        let mut pools: Vec<Pool> = Vec::new();
        for turn in &turns {
            for slot in &turn.slots {
                match *slot {
                    Slot::Filler => {
                        seq.push(None);
                        pools.push(Pool::Domain);
                    }
                    Slot::Content(u) => {
                        let config = matches!(sp.units[u], Unit::Content { config: true, .. });
                        seq.push(None);
                        pools.push(if config { Pool::Config } else { Pool::Content });
                    }
                    Slot::Pitfall(p) => {
                        seq.push(Some(plan.pitfalls[p].tool));
                        pools.push(Pool::Domain);
                    }
                    Slot::Noise(n) => {
                        seq.push(Some(plan.noises[n].tool));
                        pools.push(Pool::Domain);
                    }
                    Slot::Workflow(w) => {
                        for &step in &plan.workflows[w] {
                            seq.push(Some(step));
                            pools.push(Pool::Domain);
                        }
                    }
                }
            }
        }
        for idx in 0..seq.len() {
            if seq[idx].is_none() {
                let chosen = self.choose(&mut rng, &seq, idx, pools[idx], domain);
                seq[idx] = Some(chosen);
            }
        }
        let names: Vec<usize> = seq.iter().map(|t| t.unwrap_or(0)).collect();
        for (p, t) in triples_of(&names) {
            if !plan.reserved.contains(t) && self.used.insert(t) {
                let slot = &mut self.pair_use[pair(names[p], names[p + 1])];
                *slot = slot.saturating_add(1);
            }
        }

        // ---- Events.
        let mut events: Vec<Ev> = Vec::with_capacity(target + 16);
        let mut padable: Vec<(usize, Out)> = Vec::new();
        let mut cursor = 0usize;
        for (ti, turn) in turns.iter().enumerate() {
            let request = phrases::request(&mut rng, domain);
            let user = if turn.says.is_empty() {
                request
            } else {
                let said = turn.says.join("\n\n");
                match rng.below(4) {
                    0 => format!("{request}\n\n{said}"),
                    1 => format!("{said}\n\n{request}"),
                    _ => said,
                }
            };
            events.push(Ev::User(user));
            if ti == 0 || rng.chance(0.8) {
                events.push(Ev::Agent(rng.pick(phrases::AGENT_OPENERS).to_string()));
            }
            for slot in &turn.slots {
                // Roughly when the call happens (times are assigned once all events exist).
                let at_hint = sp.start_ms + events.len() as i64 * 5_000;
                match *slot {
                    Slot::Filler => {
                        let tool = &TOOLS[names[cursor]];
                        cursor += 1;
                        if rng.chance(0.2) {
                            events.push(Ev::Agent(rng.pick(phrases::AGENT_BETWEEN).to_string()));
                        }
                        self.ok_call(&mut rng, tool, &mut events, &mut padable, at_hint);
                    }
                    Slot::Content(u) => {
                        let tool_index = names[cursor];
                        let tool = &TOOLS[tool_index];
                        cursor += 1;
                        let Unit::Content {
                            text, injection, ..
                        } = &sp.units[u]
                        else {
                            continue;
                        };
                        let mut input = content::input(&mut rng, tool);
                        let result = match injection {
                            Some(k) => {
                                self.truth.injections[*k].tool = tool.name.to_string();
                                content::embed(&mut rng, tool, &input, at_hint, text)
                            }
                            None => {
                                match tool.name {
                                    "read_file" => content::set(&mut input, "path", J::s(".env")),
                                    "run_shell" => {
                                        content::set(&mut input, "command", J::s("printenv"))
                                    }
                                    _ => {}
                                }
                                text.clone()
                            }
                        };
                        events.push(Ev::Call {
                            name: tool.name,
                            input,
                        });
                        events.push(Ev::Result {
                            text: result,
                            error: false,
                        });
                        if injection.is_some() && rng.chance(0.5) {
                            events.push(Ev::Agent(
                                "The fetched content contains instructions addressed to AI assistants; I'm ignoring them."
                                    .to_string(),
                            ));
                        }
                    }
                    Slot::Pitfall(p) => {
                        cursor += 1;
                        let spec = &plan.pitfalls[p];
                        let tool = &TOOLS[spec.tool];
                        let mut failing = content::input(&mut rng, tool);
                        if let Some((param, ext)) = spec.file {
                            content::set(
                                &mut failing,
                                param,
                                J::owned(format!("/files/{}.{ext}", rng.pick(vocab::DOC_NAMES))),
                            );
                        }
                        content::remove(&mut failing, spec.param);
                        if let Some(bad) = &spec.bad {
                            content::set(&mut failing, spec.param, bad.clone());
                        }
                        let mut fixed = failing.clone();
                        content::set(&mut fixed, spec.param, spec.good.clone());
                        if rng.chance(0.3) {
                            events.push(Ev::Agent(rng.pick(phrases::AGENT_BETWEEN).to_string()));
                        }
                        events.push(Ev::Call {
                            name: tool.name,
                            input: failing,
                        });
                        events.push(Ev::Result {
                            text: spec.error.clone(),
                            error: true,
                        });
                        let value = spec.good.plain();
                        events.push(Ev::Agent(fill(
                            rng.pick_str(phrases::AGENT_RETRY_FIX),
                            &[("param", spec.param), ("value", &value)],
                        )));
                        let result = content::output(&mut rng, tool, &fixed, at_hint);
                        events.push(Ev::Call {
                            name: tool.name,
                            input: fixed,
                        });
                        events.push(Ev::Result {
                            text: result,
                            error: false,
                        });
                    }
                    Slot::Noise(n) => {
                        cursor += 1;
                        let spec = &plan.noises[n];
                        let tool = &TOOLS[spec.tool];
                        let input = content::input(&mut rng, tool);
                        events.push(Ev::Call {
                            name: tool.name,
                            input: input.clone(),
                        });
                        events.push(Ev::Result {
                            text: spec.error.clone(),
                            error: true,
                        });
                        if rng.chance(0.6) {
                            events.push(Ev::Agent(
                                rng.pick(phrases::AGENT_RETRY_TRANSIENT).to_string(),
                            ));
                        }
                        let result = content::output(&mut rng, tool, &input, at_hint);
                        events.push(Ev::Call {
                            name: tool.name,
                            input,
                        });
                        events.push(Ev::Result {
                            text: result,
                            error: false,
                        });
                    }
                    Slot::Workflow(w) => {
                        for (k, &step) in plan.workflows[w].iter().enumerate() {
                            cursor += 1;
                            if k > 0 && rng.chance(0.3) {
                                events
                                    .push(Ev::Agent(rng.pick(phrases::AGENT_BETWEEN).to_string()));
                            }
                            self.ok_call(
                                &mut rng,
                                &TOOLS[step],
                                &mut events,
                                &mut padable,
                                at_hint,
                            );
                        }
                    }
                }
            }
            if ti + 1 == turns.len() || rng.chance(0.6) {
                events.push(Ev::Agent(rng.pick(phrases::AGENT_CLOSERS).to_string()));
            }
        }

        // ---- Times: increasing, a few seconds apart, within the session's budget.
        let step_max = (sp.budget_ms / (events.len() as i64 + 1)).clamp(1_500, MAX_STEP_MS);
        let mut times = Vec::with_capacity(events.len());
        let mut at = sp.start_ms;
        for (k, ev) in events.iter().enumerate() {
            if k > 0 {
                let base = match ev {
                    Ev::User(_) => step_max / 2,
                    _ => 300,
                };
                at += rng.range_i64(base.min(step_max - 1), step_max);
            }
            times.push(at);
        }

        // ---- Render, then pad to the configured size and render again.
        let ctx = Ctx {
            format: sp.format,
            id: &sp.id,
            cwd: &agent.cwd,
            domain_prompt: system_prompt(domain),
            page: sp.page,
            queue_op: i.is_multiple_of(2),
            id_seed: rng.next_u64(),
        };
        let mut bytes = render::render(&ctx, &events, &times);
        let wanted = plan.config.filler_bytes_per_session;
        if wanted > bytes.len() + 256 && !padable.is_empty() {
            let missing = wanted - bytes.len();
            let parts = (missing / 40_000).clamp(1, padable.len().min(8));
            let chosen = rng.sample(padable.len(), parts);
            let share = missing / parts;
            let layers = render::result_layers(sp.format);
            for c in chosen {
                let (event, kind) = padable[c];
                let bulk = content::bulk(&mut rng, kind, share, layers, times[event]);
                if let Ev::Result { text, .. } = &mut events[event] {
                    text.push('\n');
                    text.push_str(&bulk);
                }
            }
            bytes = render::render(&ctx, &events, &times);
        }

        let end_ms = times.last().copied().unwrap_or(sp.start_ms);
        let info = &mut self.truth.session_list[i];
        info.started_at = rfc3339_ms(times.first().copied().unwrap_or(sp.start_ms));
        info.ended_at = rfc3339_ms(end_ms);
        info.ended_at_ms = end_ms;
        self.transcript_bytes += bytes.len() as u64;
        Rendered {
            path: sp.path.clone(),
            bytes,
            end_ms,
        }
    }

    fn slot_events(&self, slot: Slot) -> usize {
        match slot {
            Slot::Filler | Slot::Content(_) => 2,
            Slot::Pitfall(_) | Slot::Noise(_) => 5,
            Slot::Workflow(w) => 2 * self.plan.workflows[w].len() + 1,
        }
    }

    /// A successful call with an ordinary result (which may later carry bulk content).
    fn ok_call(
        &self,
        rng: &mut Rng,
        tool: &'static vocab::Tool,
        events: &mut Vec<Ev>,
        padable: &mut Vec<(usize, Out)>,
        at_hint: i64,
    ) {
        let input = content::input(rng, tool);
        let result = content::output(rng, tool, &input, at_hint);
        events.push(Ev::Call {
            name: tool.name,
            input,
        });
        padable.push((events.len(), tool.out));
        events.push(Ev::Result {
            text: result,
            error: false,
        });
    }

    /// A tool for position `idx` that differs from its neighbours and completes no trigram that
    /// another session (or a planted workflow) already has.
    fn choose(
        &mut self,
        rng: &mut Rng,
        seq: &[Option<usize>],
        idx: usize,
        pool: Pool,
        domain: Domain,
    ) -> usize {
        let prev1 = idx.checked_sub(1).and_then(|j| seq[j]);
        let next1 = seq.get(idx + 1).copied().flatten();
        let reserved = &self.plan.reserved;
        let reserved_pairs = &self.plan.reserved_pairs;
        let used = &self.used;
        let pair_use = &self.pair_use;
        // Level 0: no triple repeats, and the new pair still has room; 1: no triple repeats;
        // 2: no contiguous triple repeats.
        let valid = |c: usize, level: u8| {
            if Some(c) == prev1 || Some(c) == next1 {
                return false;
            }
            if level == 0
                && next1.is_none()
                && prev1.is_some_and(|b| usize::from(pair_use[pair(b, c)]) + 24 > TOOLS.len())
            {
                return false;
            }
            if level < 2 {
                let near = [
                    idx.checked_sub(2),
                    idx.checked_sub(1),
                    Some(idx + 1),
                    Some(idx + 2),
                ];
                let close_to_workflow_step = near.into_iter().flatten().any(|pos| {
                    seq.get(pos)
                        .copied()
                        .flatten()
                        .is_some_and(|other| reserved_pairs[pair(other, c)])
                });
                if close_to_workflow_step {
                    return false;
                }
            }
            triples_through(seq, idx, c, level == 2)
                .all(|t| !used.contains(t) && !reserved.contains(t))
        };
        let (first, second): (&[usize], &[usize]) = match pool {
            // Mostly the domain's own tools; generic tools (shared by every domain) less often.
            Pool::Domain if rng.chance(0.8) => {
                (&self.own[domain.index()], &self.preferred[domain.index()])
            }
            Pool::Domain => (&self.preferred[domain.index()], &self.all),
            Pool::Content => (&self.content_tools, &self.content_wide),
            Pool::Config => (&self.config_tools, &self.config_wide),
        };
        for _ in 0..24 {
            let c = *rng.pick(first);
            if valid(c, 0) {
                return c;
            }
        }
        for _ in 0..48 {
            let c = *rng.pick(second);
            if valid(c, 0) {
                return c;
            }
        }
        let everything: &[usize] = if matches!(pool, Pool::Domain) {
            &self.all
        } else {
            second
        };
        let offset = rng.below(everything.len());
        for level in 0..3 {
            for k in 0..everything.len() {
                let c = everything[(offset + k) % everything.len()];
                if valid(c, level) {
                    if level == 2 {
                        self.near_collisions += 1;
                    }
                    return c;
                }
            }
        }
        self.collisions += 1;
        let offset = rng.below(first.len());
        (0..first.len())
            .map(|k| first[(offset + k) % first.len()])
            .find(|&c| Some(c) != prev1 && Some(c) != next1)
            .unwrap_or(first[offset])
    }
}

fn pair(a: usize, b: usize) -> usize {
    a * TOOLS.len() + b
}

fn system_prompt(domain: Domain) -> &'static str {
    match domain {
        Domain::Coding => {
            "You are a coding agent working in the company's repositories. Use the tools to inspect, test and ship changes."
        }
        Domain::Support => {
            "You are a customer support agent. Use the helpdesk tools to look up orders and resolve tickets."
        }
        Domain::Docs => {
            "You are a document drafting assistant. Use the document tools to edit, cite and render documents."
        }
        Domain::Data => {
            "You are a data engineering agent. Use the warehouse tools to query, load and schedule data jobs."
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Generator;
    use crate::FleetConfig;
    use crate::fleet::plan;

    /// (choices that could only avoid contiguous repeats, choices that repeated a triple).
    fn collisions(sessions: usize, agents: usize, events: usize) -> (usize, usize) {
        let config = FleetConfig {
            sessions,
            agents,
            seed: 3,
            events_per_session: events,
            filler_bytes_per_session: 0,
        };
        let plan = plan::plan(&config);
        let mut generator = Generator::new(&plan);
        for i in 0..plan.sessions.len() {
            generator.session(i);
        }
        (generator.near_collisions, generator.collisions)
    }

    /// `LUCID_EVAL_SESSIONS` / `LUCID_EVAL_AGENTS` run this at other sizes (e.g. 10,000 sessions
    /// in release mode).
    #[test]
    fn fleets_need_no_repeated_call_sequences() {
        let env = |name: &str, default: usize| {
            std::env::var(name)
                .ok()
                .and_then(|s| s.parse().ok())
                .unwrap_or(default)
        };
        let sessions = env("LUCID_EVAL_SESSIONS", 600);
        let agents = env("LUCID_EVAL_AGENTS", 12);
        assert_eq!(collisions(sessions, agents, 220), (0, 0));
        assert_eq!(collisions(150, 1, 220), (0, 0));
    }
}
