//! Writing a session's events in one of the five transcript formats.

use super::SessionFormat;
use super::content::{self, Input};
use super::json::{self, J, obj};
use super::rng::Rng;
use super::time::{rfc3339, rfc3339_ms};

/// One event of a session, format-neutral. A `Result` answers the `Call` just before it.
#[derive(Debug, Clone)]
pub(crate) enum Ev {
    User(String),
    Agent(String),
    Call { name: &'static str, input: Input },
    Result { text: String, error: bool },
}

pub(crate) struct Ctx<'a> {
    pub(crate) format: SessionFormat,
    pub(crate) id: &'a str,
    pub(crate) cwd: &'a str,
    pub(crate) domain_prompt: &'a str,
    pub(crate) page: bool,
    /// Claude Code: start with a `queue-operation` record.
    pub(crate) queue_op: bool,
    /// Seed of the ids made while rendering (the same for every rendering of a session).
    pub(crate) id_seed: u64,
}

/// Bytes one level of JSON string encoding adds around tool-result text in this format.
pub(crate) fn result_layers(format: SessionFormat) -> usize {
    match format {
        SessionFormat::Codex => 2,
        _ => 1,
    }
}

pub(crate) fn render(ctx: &Ctx<'_>, events: &[Ev], times: &[i64]) -> Vec<u8> {
    let mut rng = Rng::new(ctx.id_seed);
    let mut out = Vec::with_capacity(events.iter().map(ev_len).sum::<usize>() * 5 / 4 + 4096);
    match ctx.format {
        SessionFormat::ClaudeCode => claude_code(ctx, events, times, &mut rng, &mut out),
        SessionFormat::ManagedAgents => managed_agents(ctx, events, times, &mut rng, &mut out),
        SessionFormat::AnthropicMessages => {
            anthropic_messages(ctx, events, times, &mut rng, &mut out)
        }
        SessionFormat::OpenaiChat => openai_chat(ctx, events, times, &mut rng, &mut out),
        SessionFormat::Codex => codex(ctx, events, times, &mut rng, &mut out),
    }
    out
}

fn ev_len(ev: &Ev) -> usize {
    match ev {
        Ev::User(text) | Ev::Agent(text) | Ev::Result { text, .. } => text.len() + 200,
        Ev::Call { .. } => 300,
    }
}

fn line(out: &mut Vec<u8>, value: &J<'_>) {
    json::write(out, value);
    out.push(b'\n');
}

fn text_block(text: &str) -> J<'_> {
    obj(vec![("type", J::s("text")), ("text", J::s(text))])
}

fn input_obj(input: &Input) -> J<'static> {
    obj(input.clone())
}

fn uuid(rng: &mut Rng) -> String {
    format!(
        "{}-{}-4{}-{}{}-{}",
        rng.hex(8),
        rng.hex(4),
        rng.hex(3),
        rng.pick(&["8", "9", "a", "b"]),
        rng.hex(3),
        rng.hex(12)
    )
}

fn tool_result_block<'a>(call_id: &str, text: &'a str, error: bool) -> J<'a> {
    let mut fields = vec![
        ("type", J::s("tool_result")),
        ("tool_use_id", J::owned(call_id.to_string())),
        ("content", J::s(text)),
    ];
    if error {
        fields.push(("is_error", J::Bool(true)));
    }
    obj(fields)
}

fn claude_code(ctx: &Ctx<'_>, events: &[Ev], times: &[i64], rng: &mut Rng, out: &mut Vec<u8>) {
    let start = times.first().copied().unwrap_or(0);
    if ctx.queue_op {
        line(
            out,
            &obj(vec![
                ("type", J::s("queue-operation")),
                ("operation", J::s("dequeue")),
                ("timestamp", J::owned(rfc3339_ms(start))),
                ("sessionId", J::s(ctx.id)),
            ]),
        );
    }
    let mut parent: Option<String> = None;
    let mut call_id = String::new();
    for (ev, &at) in events.iter().zip(times) {
        let (kind, message) = match ev {
            Ev::User(text) => (
                "user",
                obj(vec![("role", J::s("user")), ("content", J::s(text))]),
            ),
            Ev::Agent(text) => (
                "assistant",
                obj(vec![
                    ("id", J::owned(format!("msg_01{}", rng.alnum(22)))),
                    ("type", J::s("message")),
                    ("role", J::s("assistant")),
                    ("model", J::s("claude-sonnet-4-6")),
                    ("content", J::Arr(vec![text_block(text)])),
                ]),
            ),
            Ev::Call { name, input } => {
                call_id = format!("toolu_01{}", rng.alnum(22));
                (
                    "assistant",
                    obj(vec![
                        ("id", J::owned(format!("msg_01{}", rng.alnum(22)))),
                        ("type", J::s("message")),
                        ("role", J::s("assistant")),
                        ("model", J::s("claude-sonnet-4-6")),
                        (
                            "content",
                            J::Arr(vec![obj(vec![
                                ("type", J::s("tool_use")),
                                ("id", J::owned(call_id.clone())),
                                ("name", J::s(name)),
                                ("input", input_obj(input)),
                            ])]),
                        ),
                    ]),
                )
            }
            Ev::Result { text, error } => (
                "user",
                obj(vec![
                    ("role", J::s("user")),
                    (
                        "content",
                        J::Arr(vec![tool_result_block(&call_id, text, *error)]),
                    ),
                ]),
            ),
        };
        let id = uuid(rng);
        line(
            out,
            &obj(vec![
                (
                    "parentUuid",
                    parent
                        .as_deref()
                        .map_or(J::Null, |p| J::owned(p.to_string())),
                ),
                ("isSidechain", J::Bool(false)),
                ("userType", J::s("external")),
                ("cwd", J::s(ctx.cwd)),
                ("sessionId", J::s(ctx.id)),
                ("version", J::s("2.0.14")),
                ("gitBranch", J::s("main")),
                ("type", J::s(kind)),
                ("message", message),
                ("uuid", J::owned(id.clone())),
                ("timestamp", J::owned(rfc3339_ms(at))),
            ]),
        );
        parent = Some(id);
    }
}

fn sevt(rng: &mut Rng) -> J<'static> {
    J::owned(format!("sevt_{}", rng.alnum(24)))
}

fn managed_agents(ctx: &Ctx<'_>, events: &[Ev], times: &[i64], rng: &mut Rng, out: &mut Vec<u8>) {
    let start = times.first().copied().unwrap_or(0);
    let end = times.last().copied().unwrap_or(start);
    let status = |rng: &mut Rng, kind: &'static str, at: i64| {
        obj(vec![
            ("id", sevt(rng)),
            ("type", J::s(kind)),
            ("processed_at", J::owned(rfc3339_ms(at))),
        ])
    };
    let mut records: Vec<J<'_>> = Vec::with_capacity(events.len() + 2);
    records.push(status(rng, "session.status_running", start));
    let mut call_id = String::new();
    for (ev, &at) in events.iter().zip(times) {
        let at = J::owned(rfc3339_ms(at));
        let record = match ev {
            Ev::User(text) => obj(vec![
                ("id", sevt(rng)),
                ("type", J::s("user.message")),
                ("content", J::Arr(vec![text_block(text)])),
                ("processed_at", at),
            ]),
            Ev::Agent(text) => obj(vec![
                ("id", sevt(rng)),
                ("type", J::s("agent.message")),
                ("content", J::Arr(vec![text_block(text)])),
                ("processed_at", at),
            ]),
            Ev::Call { name, input } => {
                call_id = format!("sevt_{}", rng.alnum(24));
                obj(vec![
                    ("id", J::owned(call_id.clone())),
                    ("type", J::s("agent.tool_use")),
                    ("name", J::s(name)),
                    ("input", input_obj(input)),
                    ("processed_at", at),
                ])
            }
            Ev::Result { text, error } => obj(vec![
                ("id", sevt(rng)),
                ("type", J::s("agent.tool_result")),
                ("tool_use_id", J::owned(call_id.clone())),
                ("content", J::Arr(vec![text_block(text)])),
                ("is_error", J::Bool(*error)),
                ("processed_at", at),
            ]),
        };
        records.push(record);
    }
    records.push(status(rng, "session.status_idle", end));
    if ctx.page {
        line(
            out,
            &obj(vec![("data", J::Arr(records)), ("next_page", J::Null)]),
        );
    } else {
        for record in &records {
            line(out, record);
        }
    }
}

fn flush_blocks<'a>(role: &str, blocks: &mut Vec<J<'a>>, messages: &mut Vec<J<'a>>) {
    if !blocks.is_empty() {
        messages.push(obj(vec![
            ("role", J::owned(role.to_string())),
            ("content", J::Arr(std::mem::take(blocks))),
        ]));
    }
}

fn flush_assistant<'a>(
    texts: &mut Vec<&'a str>,
    calls: &mut Vec<J<'a>>,
    messages: &mut Vec<J<'a>>,
) {
    if texts.is_empty() && calls.is_empty() {
        return;
    }
    let content = if texts.is_empty() {
        J::Null
    } else {
        J::owned(texts.join("\n\n"))
    };
    let mut fields = vec![("role", J::s("assistant")), ("content", content)];
    if !calls.is_empty() {
        fields.push(("tool_calls", J::Arr(std::mem::take(calls))));
    }
    texts.clear();
    messages.push(obj(fields));
}

fn anthropic_messages(
    ctx: &Ctx<'_>,
    events: &[Ev],
    times: &[i64],
    rng: &mut Rng,
    out: &mut Vec<u8>,
) {
    let start = times.first().copied().unwrap_or(0);
    let mut messages: Vec<J<'_>> = Vec::new();
    let mut role = "";
    let mut blocks: Vec<J<'_>> = Vec::new();
    let mut call_id = String::new();
    for ev in events {
        let (ev_role, block) = match ev {
            Ev::User(text) => ("user", text_block(text)),
            Ev::Agent(text) => ("assistant", text_block(text)),
            Ev::Call { name, input } => {
                call_id = format!("toolu_01{}", rng.alnum(22));
                (
                    "assistant",
                    obj(vec![
                        ("type", J::s("tool_use")),
                        ("id", J::owned(call_id.clone())),
                        ("name", J::s(name)),
                        ("input", input_obj(input)),
                    ]),
                )
            }
            Ev::Result { text, error } => ("user", tool_result_block(&call_id, text, *error)),
        };
        if ev_role != role {
            flush_blocks(role, &mut blocks, &mut messages);
            role = ev_role;
        }
        blocks.push(block);
    }
    flush_blocks(role, &mut blocks, &mut messages);
    line(
        out,
        &obj(vec![
            ("model", J::s("claude-sonnet-4-6")),
            ("max_tokens", J::Int(1024)),
            ("created_at", J::owned(rfc3339(start))),
            ("system", J::s(ctx.domain_prompt)),
            ("messages", J::Arr(messages)),
        ]),
    );
}

fn openai_chat(ctx: &Ctx<'_>, events: &[Ev], times: &[i64], rng: &mut Rng, out: &mut Vec<u8>) {
    let start = times.first().copied().unwrap_or(0);
    let mut messages: Vec<J<'_>> = vec![obj(vec![
        ("role", J::s("system")),
        ("content", J::s(ctx.domain_prompt)),
    ])];
    let mut texts: Vec<&str> = Vec::new();
    let mut calls: Vec<J<'_>> = Vec::new();
    let mut call_id = String::new();
    for ev in events {
        match ev {
            Ev::User(text) => {
                flush_assistant(&mut texts, &mut calls, &mut messages);
                messages.push(obj(vec![("role", J::s("user")), ("content", J::s(text))]));
            }
            Ev::Agent(text) => {
                if !calls.is_empty() {
                    flush_assistant(&mut texts, &mut calls, &mut messages);
                }
                texts.push(text);
            }
            Ev::Call { name, input } => {
                call_id = format!("call_{}", rng.alnum(24));
                calls.push(obj(vec![
                    ("id", J::owned(call_id.clone())),
                    ("type", J::s("function")),
                    (
                        "function",
                        obj(vec![
                            ("name", J::s(name)),
                            ("arguments", J::owned(content::arguments(input))),
                        ]),
                    ),
                ]));
            }
            Ev::Result { text, .. } => {
                flush_assistant(&mut texts, &mut calls, &mut messages);
                messages.push(obj(vec![
                    ("role", J::s("tool")),
                    ("tool_call_id", J::owned(call_id.clone())),
                    ("content", J::s(text)),
                ]));
            }
        }
    }
    flush_assistant(&mut texts, &mut calls, &mut messages);
    line(
        out,
        &obj(vec![
            ("model", J::s("gpt-4.1")),
            ("created", J::Int(start.div_euclid(1000))),
            ("messages", J::Arr(messages)),
        ]),
    );
}

fn response_item<'a>(at: &str, payload: J<'a>) -> J<'a> {
    obj(vec![
        ("timestamp", J::owned(at.to_string())),
        ("type", J::s("response_item")),
        ("payload", payload),
    ])
}

fn codex(ctx: &Ctx<'_>, events: &[Ev], times: &[i64], rng: &mut Rng, out: &mut Vec<u8>) {
    let start = times.first().copied().unwrap_or(0);
    let t0 = rfc3339_ms(start);
    line(
        out,
        &obj(vec![
            ("timestamp", J::s(&t0)),
            ("type", J::s("session_meta")),
            (
                "payload",
                obj(vec![
                    ("id", J::s(ctx.id)),
                    ("timestamp", J::s(&t0)),
                    ("cwd", J::s(ctx.cwd)),
                    ("originator", J::s("codex_cli_rs")),
                    ("cli_version", J::s("0.46.0")),
                    ("instructions", J::Null),
                ]),
            ),
        ]),
    );
    let environment = format!(
        "<environment_context>\n  <cwd>{}</cwd>\n  <approval_policy>on-request</approval_policy>\n  <sandbox_mode>workspace-write</sandbox_mode>\n</environment_context>",
        ctx.cwd
    );
    let message = |role: &'static str, kind: &'static str, text: &str| -> J<'static> {
        obj(vec![
            ("type", J::s("message")),
            ("role", J::s(role)),
            (
                "content",
                J::Arr(vec![obj(vec![
                    ("type", J::s(kind)),
                    ("text", J::owned(text.to_string())),
                ])]),
            ),
        ])
    };
    line(
        out,
        &response_item(&t0, message("user", "input_text", &environment)),
    );
    let mut call_id = String::new();
    for (ev, &at) in events.iter().zip(times) {
        let at = rfc3339_ms(at);
        let payload = match ev {
            Ev::User(text) => message("user", "input_text", text),
            Ev::Agent(text) => message("assistant", "output_text", text),
            Ev::Call { name, input } => {
                call_id = format!("call_{}", rng.alnum(24));
                obj(vec![
                    ("type", J::s("function_call")),
                    ("name", J::s(name)),
                    ("arguments", J::owned(content::arguments(input))),
                    ("call_id", J::owned(call_id.clone())),
                ])
            }
            Ev::Result { text, error } => {
                let exec = obj(vec![
                    ("output", J::s(text)),
                    (
                        "metadata",
                        obj(vec![
                            ("exit_code", J::Int(i64::from(*error))),
                            (
                                "duration_seconds",
                                J::Float(f64::from(rng.range(1, 90) as u32) / 10.0),
                            ),
                        ]),
                    ),
                ]);
                obj(vec![
                    ("type", J::s("function_call_output")),
                    ("call_id", J::owned(call_id.clone())),
                    ("output", J::owned(json::to_string(&exec))),
                ])
            }
        };
        line(out, &response_item(&at, payload));
    }
}
