//! Neutral content: what successful tool calls return, and bulk text (logs, code, tables,
//! prose) to bring sessions to the configured size. Nothing here starts like an error, names a
//! credential or addresses the AI.

use std::fmt::Write;

use super::json::{self, J, obj};
use super::rng::Rng;
use super::time;
use super::vocab::{self, Out, Tool};

pub(crate) type Input = Vec<(&'static str, J<'static>)>;

/// A random input for a tool.
pub(crate) fn input(rng: &mut Rng, tool: &Tool) -> Input {
    tool.params
        .iter()
        .map(|(name, val)| (*name, vocab::value(rng, *val)))
        .collect()
}

/// Sets a parameter, replacing an existing one in place.
pub(crate) fn set(input: &mut Input, key: &'static str, value: J<'static>) {
    match input.iter_mut().find(|(k, _)| *k == key) {
        Some(slot) => slot.1 = value,
        None => input.push((key, value)),
    }
}

pub(crate) fn remove(input: &mut Input, key: &str) {
    input.retain(|(k, _)| *k != key);
}

fn first_value(input: &Input) -> String {
    input.first().map(|(_, v)| v.plain()).unwrap_or_default()
}

const LOG_COMPONENTS: &[&str] = &[
    "worker",
    "scheduler",
    "api",
    "sync",
    "indexer",
    "gateway",
    "loader",
];
const LOG_MESSAGES: &[&str] = &[
    "processed batch",
    "flushed buffer",
    "checkpoint written",
    "request completed",
    "cache warmed",
    "partition committed",
    "health check passed",
    "connection pool resized",
    "rotated segment",
    "acknowledged offset",
];
const PROSE_OPENERS: &[&str] = &[
    "The parties agree that",
    "In the reporting period,",
    "As outlined in section",
    "For the avoidance of doubt,",
    "Our analysis shows that",
    "Following the review,",
    "Subject to the terms below,",
    "Compared with the prior quarter,",
];
const PROSE_MIDDLES: &[&str] = &[
    "the delivery schedule remains unchanged",
    "revenue grew across most regions",
    "the supplier will provide monthly updates",
    "customer satisfaction improved slightly",
    "the retention period is twelve months",
    "all deliverables are subject to acceptance",
    "processing volumes stayed within forecast",
    "the board approved the revised budget",
    "support response times were stable",
    "the migration completed without data loss",
];
const PROSE_CLOSERS: &[&str] = &[
    "as agreed with the project sponsor.",
    "according to the attached schedule.",
    "unless otherwise stated in writing.",
    "which we will revisit next quarter.",
    "in line with the approved plan.",
    "pending final sign-off.",
];
const IDENTS: &[&str] = &[
    "total", "items", "client", "config", "retries", "buffer", "order", "cursor", "batch",
    "handle", "payload", "deadline", "result", "offset", "span",
];
const FUNCS: &[&str] = &[
    "compute_total",
    "load_config",
    "send_batch",
    "parse_header",
    "with_retry",
    "flush",
    "validate",
    "encode_row",
    "next_page",
    "apply_discount",
    "resolve_host",
    "record_metric",
];

fn sentence(rng: &mut Rng, out: &mut String) {
    let _ = write!(
        out,
        "{} {} {}",
        rng.pick(PROSE_OPENERS),
        rng.pick(PROSE_MIDDLES),
        rng.pick(PROSE_CLOSERS)
    );
}

fn paragraph(rng: &mut Rng, out: &mut String) {
    for k in 0..rng.range(2, 4) {
        if k > 0 {
            out.push(' ');
        }
        sentence(rng, out);
    }
}

fn log_line(rng: &mut Rng, ms: &mut i64, out: &mut String) {
    *ms += rng.range_i64(3, 900);
    let _ = write!(
        out,
        "{} {} [{}-{}] {} {} in {} ms (rows={})",
        time::rfc3339_ms(*ms),
        rng.pick(&["INFO", "INFO", "INFO", "DEBUG", "WARN"]),
        rng.pick(LOG_COMPONENTS),
        rng.range(1, 12),
        rng.pick(LOG_MESSAGES),
        rng.range(1, 99_999),
        rng.range(2, 2_400),
        rng.range(0, 50_000)
    );
}

fn code_line(rng: &mut Rng, out: &mut String) {
    let ident = rng.pick(IDENTS);
    let func = rng.pick(FUNCS);
    match rng.below(7) {
        0 => {
            let _ = write!(
                out,
                "    let {ident} = {func}(&{}, {});",
                rng.pick(IDENTS),
                rng.range(1, 500)
            );
        }
        1 => {
            let _ = write!(out, "    if {ident}.len() > {} {{", rng.range(2, 1000));
        }
        2 => out.push_str("    }"),
        3 => {
            let _ = write!(
                out,
                "    // {} {}",
                rng.pick(&["keep", "note:", "see", "update"]),
                rng.pick(PROSE_MIDDLES)
            );
        }
        4 => {
            let _ = write!(
                out,
                "fn {func}_{}({ident}: &mut State) -> usize {{",
                rng.range(1, 99)
            );
        }
        5 => {
            let _ = write!(out, "    {ident}.push({func}({}));", rng.range(0, 64));
        }
        _ => {
            let _ = write!(
                out,
                "    return {ident}.{}();",
                rng.pick(&["len", "clone", "finish", "total"])
            );
        }
    }
}

fn row_line(rng: &mut Rng, out: &mut String) {
    let _ = write!(
        out,
        "| {} | 2025-{:02}-{:02} | {} | {} | {}.{:02} |",
        rng.range(10_000, 999_999),
        rng.range(1, 12),
        rng.range(1, 28),
        rng.pick(vocab::ENTITIES),
        rng.pick(&["paid", "open", "shipped", "refunded", "pending"]),
        rng.range(1, 9_999),
        rng.range(0, 99)
    );
}

fn diff_line(rng: &mut Rng, out: &mut String) {
    let sign = rng.pick(&["+", "-", " ", " "]);
    out.push_str(sign);
    code_line(rng, out);
}

fn test_line(rng: &mut Rng, out: &mut String) {
    let _ = write!(
        out,
        "test {}::{}_{} ... ok",
        rng.pick(vocab::MODULES),
        rng.pick(FUNCS),
        rng.range(1, 400)
    );
}

fn json_line(rng: &mut Rng, out: &mut String) {
    let _ = write!(
        out,
        "{{\"id\": {}, \"status\": \"{}\", \"ms\": {}, \"region\": \"{}\"}}",
        rng.range(1000, 999_999),
        rng.pick(&["ok", "done", "queued", "skipped"]),
        rng.range(1, 5000),
        rng.pick(&["eu-west-1", "us-east-2", "ap-south-1"])
    );
}

/// One line of bulk content of the kind a tool returns.
fn bulk_line(rng: &mut Rng, out_kind: Out, ms: &mut i64, out: &mut String) {
    match out_kind {
        Out::Logs | Out::Ack | Out::Lint => log_line(rng, ms, out),
        Out::Code => code_line(rng, out),
        Out::Rows => row_line(rng, out),
        Out::Doc | Out::Page => paragraph(rng, out),
        Out::Diff => diff_line(rng, out),
        Out::Tests => test_line(rng, out),
        Out::Json => json_line(rng, out),
    }
}

/// Bulk text whose JSON-encoded size (inside `layers` levels of string encoding) is about
/// `target` bytes.
pub(crate) fn bulk(
    rng: &mut Rng,
    out_kind: Out,
    target: usize,
    layers: usize,
    start_ms: i64,
) -> String {
    let mut out = String::with_capacity(target + 256);
    let mut encoded = 0usize;
    let mut ms = start_ms;
    while encoded < target {
        let before = out.len();
        bulk_line(rng, out_kind, &mut ms, &mut out);
        out.push('\n');
        encoded += encoded_len(&out[before..], layers);
    }
    out
}

/// Bytes `text` takes inside `layers` levels of JSON string encoding (ASCII text).
pub(crate) fn encoded_len(text: &str, layers: usize) -> usize {
    let special = text
        .bytes()
        .filter(|b| matches!(b, b'\n' | b'"' | b'\\'))
        .count();
    let newlines = text.bytes().filter(|&b| b == b'\n').count();
    match layers {
        0 | 1 => text.len() + special,
        // newline → \\n (3 bytes), quote or backslash → 4 bytes.
        _ => text.len() + 2 * special + (special - newlines),
    }
}

/// What a successful call returns.
pub(crate) fn output(rng: &mut Rng, tool: &Tool, input: &Input, at_ms: i64) -> String {
    let mut out = String::new();
    let first = first_value(input);
    match tool.out {
        Out::Tests => {
            let n = rng.range(12, 240);
            let _ = writeln!(out, "running {n} tests");
            for _ in 0..rng.range(3, 7) {
                test_line(rng, &mut out);
                out.push('\n');
            }
            let _ = write!(
                out,
                "\ntest result: ok. {n} passed; 0 failed; {} ignored; finished in {}.{:02}s",
                rng.range(0, 4),
                rng.range(1, 90),
                rng.range(0, 99)
            );
        }
        Out::Lint => {
            let n = rng.range(4, 400);
            let _ = write!(
                out,
                "{}",
                match rng.below(3) {
                    0 => format!(
                        "Checked {n} files in {} ms. No issues found.",
                        rng.range(40, 4000)
                    ),
                    1 => format!("All {n} files pass."),
                    _ => format!("{n} files checked, 0 warnings."),
                }
            );
        }
        Out::Json => {
            let mut fields: Vec<(&'static str, J<'static>)> = vec![("status", J::s("ok"))];
            for (k, v) in input.iter().take(2) {
                fields.push((k, v.clone()));
            }
            fields.push((
                "id",
                J::owned(format!(
                    "{}_{}",
                    &tool.name[..3.min(tool.name.len())],
                    rng.digits(8)
                )),
            ));
            fields.push((
                "updated_at",
                J::owned(time::rfc3339(at_ms - rng.range_i64(60_000, 86_400_000))),
            ));
            fields.push(("items", J::Int(rng.range_i64(1, 40))));
            out = serde_json::to_string_pretty(&obj(fields)).unwrap_or_default();
        }
        Out::Rows => {
            out.push_str("| id | date | entity | status | amount |\n|---|---|---|---|---|\n");
            for _ in 0..rng.range(3, 8) {
                row_line(rng, &mut out);
                out.push('\n');
            }
            let _ = write!(out, "({} rows)", rng.range(3, 5000));
        }
        Out::Code => {
            let _ = writeln!(out, "// {first}");
            for _ in 0..rng.range(6, 16) {
                code_line(rng, &mut out);
                out.push('\n');
            }
        }
        Out::Doc => {
            for k in 0..rng.range(1, 3) {
                if k > 0 {
                    out.push_str("\n\n");
                }
                paragraph(rng, &mut out);
            }
        }
        Out::Ack => {
            let _ = write!(
                out,
                "{}",
                match rng.below(4) {
                    0 => format!("Done: {} {first}.", tool.name.replace('_', " ")),
                    1 => format!("OK ({first})"),
                    2 => format!("Completed {} for {first}.", tool.name),
                    _ => format!(
                        "Success. {} updated.",
                        if first.is_empty() { "Record" } else { &first }
                    ),
                }
            );
        }
        Out::Logs => {
            let mut ms = at_ms - 60_000;
            for k in 0..rng.range(3, 9) {
                if k > 0 {
                    out.push('\n');
                }
                log_line(rng, &mut ms, &mut out);
            }
        }
        Out::Page => {
            let _ = write!(
                out,
                "# {}\n\n",
                vocab::TITLES[rng.below(vocab::TITLES.len())]
            );
            for _ in 0..rng.range(1, 3) {
                paragraph(rng, &mut out);
                out.push_str("\n\n");
            }
            let _ = write!(out, "Last updated {}.", time::date(at_ms));
        }
        Out::Diff => {
            let file = input
                .iter()
                .map(|(_, v)| v.plain())
                .find(|v| v.contains('/') && v.contains('.') && !v.contains(' '))
                .unwrap_or_else(|| {
                    format!(
                        "src/{}/{}.rs",
                        rng.pick(vocab::MODULES),
                        rng.pick(vocab::SRC_NAMES)
                    )
                });
            let _ = writeln!(
                out,
                "diff --git a/{file} b/{file}\n@@ -{0},7 +{0},8 @@",
                rng.range(1, 400)
            );
            for _ in 0..rng.range(4, 10) {
                diff_line(rng, &mut out);
                out.push('\n');
            }
        }
    }
    out
}

/// A result carrying `text` among ordinary content (injections hide in pages and documents).
pub(crate) fn embed(rng: &mut Rng, tool: &Tool, input: &Input, at_ms: i64, text: &str) -> String {
    // JSON output would escape the text; pages and documents carry it verbatim.
    let base = if tool.out == Out::Json {
        let mut page = String::new();
        let _ = write!(
            page,
            "<html><head><title>{}</title></head><body>\n<p>",
            vocab::TITLES[rng.below(vocab::TITLES.len())]
        );
        paragraph(rng, &mut page);
        page.push_str("</p>\n<p>");
        paragraph(rng, &mut page);
        page.push_str("</p>\n</body></html>");
        page
    } else {
        output(rng, tool, input, at_ms)
    };
    let mut lines: Vec<&str> = base.lines().collect();
    let position = 1 + rng.below(lines.len().max(1));
    let position = position.min(lines.len());
    lines.insert(position, text);
    lines.join("\n")
}

/// Compact JSON of a tool input (for formats that pass arguments as a string).
pub(crate) fn arguments(input: &Input) -> String {
    json::to_string(&obj(input.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoded_length_matches_serde_json() {
        let text = "a\"b\\c\nd\n";
        let one = serde_json::to_string(text).unwrap_or_default();
        assert_eq!(encoded_len(text, 1), one.len() - 2);
        let inner = serde_json::to_string(text).unwrap_or_default();
        let two = serde_json::to_string(&inner).unwrap_or_default();
        // Two layers: the inner quotes are not part of the text's share.
        assert_eq!(encoded_len(text, 2), two.len() - 2 - 4);
    }

    #[test]
    fn bulk_reaches_its_target() {
        let mut rng = Rng::new(3);
        for kind in [
            Out::Logs,
            Out::Code,
            Out::Rows,
            Out::Doc,
            Out::Diff,
            Out::Tests,
            Out::Json,
        ] {
            let text = bulk(&mut rng, kind, 5000, 1, 0);
            let size = encoded_len(&text, 1);
            assert!((5000..5600).contains(&size), "{kind:?}: {size}");
        }
    }
}
