//! The fleet's vocabulary: domains, tools with their parameters, entity names, and the fix
//! recipes pitfalls are made of.

use super::rng::Rng;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Domain {
    Coding,
    Support,
    Docs,
    Data,
}

impl Domain {
    pub(crate) const ALL: [Domain; 4] =
        [Domain::Coding, Domain::Support, Domain::Docs, Domain::Data];

    pub(crate) fn index(self) -> usize {
        match self {
            Domain::Coding => 0,
            Domain::Support => 1,
            Domain::Docs => 2,
            Domain::Data => 3,
        }
    }
}

use Domain::{Coding, Data, Docs, Support};

/// How a parameter value is made.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Val {
    /// `/files/<name>.<ext>` with one of the extensions.
    File(&'static [&'static str]),
    SrcFile,
    Dir,
    Branch,
    Service,
    Env,
    Repo,
    Pr,
    Commit,
    Version,
    OrderId,
    TicketId,
    CustomerEmail,
    Amount,
    Sku,
    Invoice,
    PaymentId,
    Serial,
    Tracking,
    Table,
    Column,
    Sql,
    Model,
    Dag,
    Job,
    JobId,
    Bucket,
    Int(i64, i64),
    Bool,
    Pick(&'static [&'static str]),
    Url,
    Date,
    Cron,
    Title,
    Message,
    Query,
    Person,
    Channel,
    Doi,
    Shell,
    /// `<prefix>_<digits>`: a resource id.
    Ref(&'static str),
}

/// What a successful result looks like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Out {
    Tests,
    Lint,
    Json,
    Rows,
    Code,
    Doc,
    Ack,
    Logs,
    Page,
    Diff,
}

pub(crate) struct Tool {
    pub(crate) name: &'static str,
    pub(crate) domain: Option<Domain>,
    pub(crate) params: &'static [(&'static str, Val)],
    pub(crate) out: Out,
}

const fn tool(
    name: &'static str,
    domain: Option<Domain>,
    params: &'static [(&'static str, Val)],
    out: Out,
) -> Tool {
    Tool {
        name,
        domain,
        params,
        out,
    }
}

const C: Option<Domain> = Some(Coding);
const S: Option<Domain> = Some(Support);
const D: Option<Domain> = Some(Docs);
const A: Option<Domain> = Some(Data);
const G: Option<Domain> = None;

const DOCX: &[&str] = &["docx"];
const PDF: &[&str] = &["pdf"];

pub(crate) static TOOLS: &[Tool] = &[
    // Coding.
    tool(
        "run_tests",
        C,
        &[
            ("path", Val::Dir),
            ("filter", Val::Query),
            ("workers", Val::Int(2, 16)),
        ],
        Out::Tests,
    ),
    tool(
        "open_pr",
        C,
        &[
            ("repo", Val::Repo),
            ("head", Val::Branch),
            ("base", Val::Pick(&["main", "develop"])),
            ("title", Val::Title),
        ],
        Out::Json,
    ),
    tool(
        "checkout_branch",
        C,
        &[("repo", Val::Repo), ("branch", Val::Branch)],
        Out::Ack,
    ),
    tool(
        "lint",
        C,
        &[("path", Val::Dir), ("fix", Val::Bool)],
        Out::Lint,
    ),
    tool(
        "deploy_service",
        C,
        &[
            ("service", Val::Service),
            ("env", Val::Env),
            ("version", Val::Version),
        ],
        Out::Logs,
    ),
    tool(
        "build_image",
        C,
        &[
            ("service", Val::Service),
            ("tag", Val::Version),
            (
                "dockerfile",
                Val::Pick(&["Dockerfile", "docker/Dockerfile.prod", "deploy/Dockerfile"]),
            ),
        ],
        Out::Logs,
    ),
    tool(
        "merge_pr",
        C,
        &[("repo", Val::Repo), ("number", Val::Pr)],
        Out::Json,
    ),
    tool(
        "review_pr",
        C,
        &[("repo", Val::Repo), ("number", Val::Pr)],
        Out::Diff,
    ),
    tool(
        "create_branch",
        C,
        &[
            ("repo", Val::Repo),
            ("name", Val::Branch),
            ("from", Val::Pick(&["main", "develop", "release/2025.03"])),
        ],
        Out::Ack,
    ),
    tool(
        "git_commit",
        C,
        &[("message", Val::Commit), ("all", Val::Bool)],
        Out::Ack,
    ),
    tool(
        "git_push",
        C,
        &[
            ("remote", Val::Pick(&["origin", "upstream"])),
            ("branch", Val::Branch),
        ],
        Out::Ack,
    ),
    tool(
        "git_log",
        C,
        &[("limit", Val::Int(5, 40)), ("path", Val::Dir)],
        Out::Logs,
    ),
    tool(
        "git_diff",
        C,
        &[
            ("base", Val::Pick(&["main", "HEAD~1", "origin/main"])),
            ("path", Val::Dir),
        ],
        Out::Diff,
    ),
    tool(
        "run_migration",
        C,
        &[
            ("service", Val::Service),
            ("env", Val::Env),
            ("direction", Val::Pick(&["up"])),
        ],
        Out::Logs,
    ),
    tool(
        "rollback_deploy",
        C,
        &[
            ("service", Val::Service),
            ("env", Val::Env),
            ("to_version", Val::Version),
        ],
        Out::Logs,
    ),
    tool(
        "tail_logs",
        C,
        &[
            ("service", Val::Service),
            ("env", Val::Env),
            ("lines", Val::Int(50, 500)),
        ],
        Out::Logs,
    ),
    tool(
        "restart_service",
        C,
        &[("service", Val::Service), ("env", Val::Env)],
        Out::Ack,
    ),
    tool(
        "bump_version",
        C,
        &[
            ("package", Val::Service),
            ("level", Val::Pick(&["patch", "minor"])),
        ],
        Out::Ack,
    ),
    tool(
        "tag_release",
        C,
        &[("repo", Val::Repo), ("tag", Val::Version)],
        Out::Ack,
    ),
    tool(
        "publish_package",
        C,
        &[
            ("package", Val::Service),
            (
                "registry",
                Val::Pick(&["npm", "crates.io", "internal-pypi"]),
            ),
        ],
        Out::Logs,
    ),
    tool(
        "run_benchmark",
        C,
        &[
            (
                "suite",
                Val::Pick(&["parser", "checkout-path", "serializer", "cold-start"]),
            ),
            ("iterations", Val::Int(3, 20)),
        ],
        Out::Rows,
    ),
    tool("format_code", C, &[("path", Val::Dir)], Out::Lint),
    tool("type_check", C, &[("project", Val::Repo)], Out::Lint),
    tool(
        "run_script",
        C,
        &[
            (
                "script",
                Val::Pick(&[
                    "scripts/seed-db.sh",
                    "scripts/gen-fixtures.py",
                    "scripts/check-links.sh",
                    "scripts/sync-schemas.ts",
                ]),
            ),
            (
                "args",
                Val::Pick(&["--quiet", "--env staging", "--limit 100", "--verbose"]),
            ),
        ],
        Out::Logs,
    ),
    tool(
        "install_deps",
        C,
        &[
            ("manager", Val::Pick(&["npm", "pnpm", "cargo", "pip"])),
            ("frozen", Val::Bool),
        ],
        Out::Logs,
    ),
    tool(
        "update_lockfile",
        C,
        &[("package", Val::Service)],
        Out::Diff,
    ),
    tool(
        "scan_dependencies",
        C,
        &[
            ("repo", Val::Repo),
            ("severity", Val::Pick(&["high", "critical"])),
        ],
        Out::Json,
    ),
    tool(
        "create_issue",
        C,
        &[
            ("repo", Val::Repo),
            ("title", Val::Title),
            ("label", Val::Pick(&["bug", "tech-debt", "ci", "flaky"])),
        ],
        Out::Json,
    ),
    tool(
        "close_issue",
        C,
        &[("repo", Val::Repo), ("number", Val::Pr)],
        Out::Ack,
    ),
    tool(
        "comment_on_pr",
        C,
        &[
            ("repo", Val::Repo),
            ("number", Val::Pr),
            ("body", Val::Message),
        ],
        Out::Ack,
    ),
    tool(
        "trigger_ci",
        C,
        &[
            ("repo", Val::Repo),
            ("branch", Val::Branch),
            (
                "workflow",
                Val::Pick(&["ci.yml", "nightly.yml", "release.yml"]),
            ),
        ],
        Out::Json,
    ),
    tool(
        "fetch_ci_status",
        C,
        &[("repo", Val::Repo), ("run_id", Val::Int(100_000, 999_999))],
        Out::Json,
    ),
    tool(
        "search_code",
        C,
        &[("query", Val::Query), ("repo", Val::Repo)],
        Out::Rows,
    ),
    tool("read_source", C, &[("path", Val::SrcFile)], Out::Code),
    tool(
        "apply_patch",
        C,
        &[("path", Val::SrcFile), ("hunks", Val::Int(1, 6))],
        Out::Ack,
    ),
    tool(
        "generate_docs",
        C,
        &[("package", Val::Service), ("open", Val::Bool)],
        Out::Logs,
    ),
    // Support desk.
    tool("lookup_order", S, &[("order_id", Val::OrderId)], Out::Json),
    tool(
        "issue_refund",
        S,
        &[
            ("order_id", Val::OrderId),
            ("amount", Val::Amount),
            ("currency", Val::Pick(&["USD", "EUR", "GBP"])),
        ],
        Out::Json,
    ),
    tool(
        "send_reply",
        S,
        &[("ticket_id", Val::TicketId), ("body", Val::Message)],
        Out::Ack,
    ),
    tool(
        "escalate_ticket",
        S,
        &[
            ("ticket_id", Val::TicketId),
            (
                "team",
                Val::Pick(&["billing", "logistics", "trust-and-safety", "product"]),
            ),
        ],
        Out::Ack,
    ),
    tool(
        "lookup_customer",
        S,
        &[("email", Val::CustomerEmail)],
        Out::Json,
    ),
    tool(
        "update_ticket",
        S,
        &[
            ("ticket_id", Val::TicketId),
            ("status", Val::Pick(&["pending", "open", "on-hold"])),
        ],
        Out::Ack,
    ),
    tool(
        "assign_ticket",
        S,
        &[("ticket_id", Val::TicketId), ("assignee", Val::Person)],
        Out::Ack,
    ),
    tool(
        "close_ticket",
        S,
        &[
            ("ticket_id", Val::TicketId),
            (
                "resolution",
                Val::Pick(&["solved", "duplicate", "no-response"]),
            ),
        ],
        Out::Ack,
    ),
    tool(
        "merge_tickets",
        S,
        &[("primary", Val::TicketId), ("secondary", Val::TicketId)],
        Out::Ack,
    ),
    tool(
        "add_internal_note",
        S,
        &[("ticket_id", Val::TicketId), ("note", Val::Message)],
        Out::Ack,
    ),
    tool(
        "check_refund_eligibility",
        S,
        &[("order_id", Val::OrderId)],
        Out::Json,
    ),
    tool(
        "create_return_label",
        S,
        &[
            ("order_id", Val::OrderId),
            ("carrier", Val::Pick(&["UPS", "DHL", "USPS", "PostNL"])),
        ],
        Out::Json,
    ),
    tool(
        "cancel_order",
        S,
        &[
            ("order_id", Val::OrderId),
            (
                "reason",
                Val::Pick(&["customer-request", "fraud-check", "out-of-stock"]),
            ),
        ],
        Out::Json,
    ),
    tool(
        "reship_order",
        S,
        &[("order_id", Val::OrderId), ("sku", Val::Sku)],
        Out::Json,
    ),
    tool(
        "apply_discount",
        S,
        &[("order_id", Val::OrderId), ("percent", Val::Int(5, 25))],
        Out::Ack,
    ),
    tool(
        "issue_store_credit",
        S,
        &[("customer", Val::CustomerEmail), ("amount", Val::Amount)],
        Out::Json,
    ),
    tool(
        "lookup_shipment",
        S,
        &[("tracking", Val::Tracking)],
        Out::Json,
    ),
    tool("search_kb", S, &[("query", Val::Query)], Out::Page),
    tool(
        "create_macro",
        S,
        &[("name", Val::Title), ("body", Val::Message)],
        Out::Ack,
    ),
    tool(
        "tag_ticket",
        S,
        &[
            ("ticket_id", Val::TicketId),
            (
                "tag",
                Val::Pick(&["shipping", "billing", "vip", "bug-report", "feedback"]),
            ),
        ],
        Out::Ack,
    ),
    tool(
        "schedule_callback",
        S,
        &[("customer", Val::CustomerEmail), ("slot", Val::Date)],
        Out::Ack,
    ),
    tool(
        "verify_identity",
        S,
        &[
            ("customer", Val::CustomerEmail),
            ("method", Val::Pick(&["last4", "dob", "email-link"])),
        ],
        Out::Json,
    ),
    tool(
        "update_address",
        S,
        &[
            ("order_id", Val::OrderId),
            (
                "postcode",
                Val::Pick(&["10115", "SW1A 1AA", "94107", "1012 AB", "75011"]),
            ),
        ],
        Out::Ack,
    ),
    tool(
        "check_inventory",
        S,
        &[
            ("sku", Val::Sku),
            ("warehouse", Val::Pick(&["AMS-1", "RNO-2", "LHR-3"])),
        ],
        Out::Json,
    ),
    tool(
        "lookup_invoice",
        S,
        &[("invoice_id", Val::Invoice)],
        Out::Json,
    ),
    tool(
        "resend_invoice",
        S,
        &[("invoice_id", Val::Invoice), ("email", Val::CustomerEmail)],
        Out::Ack,
    ),
    tool(
        "void_payment",
        S,
        &[("payment_id", Val::PaymentId)],
        Out::Json,
    ),
    tool(
        "list_open_tickets",
        S,
        &[
            (
                "queue",
                Val::Pick(&["billing", "general", "returns", "vip"]),
            ),
            ("limit", Val::Int(10, 50)),
        ],
        Out::Rows,
    ),
    tool(
        "fetch_ticket",
        S,
        &[("ticket_id", Val::TicketId)],
        Out::Page,
    ),
    tool(
        "translate_message",
        S,
        &[
            ("ticket_id", Val::TicketId),
            ("target", Val::Pick(&["de", "fr", "es", "nl"])),
        ],
        Out::Doc,
    ),
    tool(
        "survey_customer",
        S,
        &[
            ("ticket_id", Val::TicketId),
            ("template", Val::Pick(&["csat-short", "nps"])),
        ],
        Out::Ack,
    ),
    tool(
        "log_complaint",
        S,
        &[
            ("customer", Val::CustomerEmail),
            (
                "category",
                Val::Pick(&["delivery", "quality", "billing", "staff"]),
            ),
        ],
        Out::Ack,
    ),
    tool(
        "update_subscription",
        S,
        &[
            ("customer", Val::CustomerEmail),
            ("plan", Val::Pick(&["basic", "plus", "pro"])),
        ],
        Out::Json,
    ),
    tool(
        "pause_subscription",
        S,
        &[("customer", Val::CustomerEmail), ("weeks", Val::Int(1, 8))],
        Out::Ack,
    ),
    tool(
        "lookup_warranty",
        S,
        &[("sku", Val::Sku), ("serial", Val::Serial)],
        Out::Json,
    ),
    // Document drafting.
    tool(
        "convert_document",
        D,
        &[
            ("path", Val::File(&["docx", "odt", "md", "rtf", "pptx"])),
            ("to", Val::Pick(&["pdf", "docx", "html"])),
        ],
        Out::Ack,
    ),
    tool(
        "insert_citation",
        D,
        &[
            ("document", Val::File(DOCX)),
            ("doi", Val::Doi),
            ("page", Val::Int(1, 400)),
        ],
        Out::Ack,
    ),
    tool(
        "render_pdf",
        D,
        &[
            ("source", Val::File(&["docx", "md", "html"])),
            ("paper", Val::Pick(&["A4", "Letter"])),
        ],
        Out::Logs,
    ),
    tool(
        "redline",
        D,
        &[("original", Val::File(DOCX)), ("revised", Val::File(DOCX))],
        Out::Diff,
    ),
    tool(
        "create_draft",
        D,
        &[
            ("title", Val::Title),
            ("kind", Val::Pick(&["memo", "proposal", "brief", "report"])),
        ],
        Out::Json,
    ),
    tool(
        "open_document",
        D,
        &[("path", Val::File(&["docx", "md", "odt"]))],
        Out::Doc,
    ),
    tool(
        "save_document",
        D,
        &[
            ("path", Val::File(&["docx", "md"])),
            ("version_note", Val::Message),
        ],
        Out::Ack,
    ),
    tool(
        "apply_template",
        D,
        &[
            ("document", Val::File(DOCX)),
            (
                "template",
                Val::Pick(&["letterhead", "board-pack", "client-report", "legal-memo"]),
            ),
        ],
        Out::Ack,
    ),
    tool(
        "check_spelling",
        D,
        &[
            ("document", Val::File(&["docx", "md"])),
            ("language", Val::Pick(&["en-US", "en-GB", "de-DE"])),
        ],
        Out::Lint,
    ),
    tool(
        "check_style",
        D,
        &[
            ("document", Val::File(&["docx", "md"])),
            ("guide", Val::Pick(&["house", "plain-language"])),
        ],
        Out::Lint,
    ),
    tool(
        "insert_table",
        D,
        &[
            ("document", Val::File(DOCX)),
            ("rows", Val::Int(2, 20)),
            ("columns", Val::Int(2, 8)),
        ],
        Out::Ack,
    ),
    tool(
        "insert_figure",
        D,
        &[
            ("document", Val::File(DOCX)),
            ("image", Val::File(&["png", "svg"])),
            ("caption", Val::Title),
        ],
        Out::Ack,
    ),
    tool(
        "add_footnote",
        D,
        &[("document", Val::File(DOCX)), ("text", Val::Message)],
        Out::Ack,
    ),
    tool(
        "compare_versions",
        D,
        &[("left", Val::File(DOCX)), ("right", Val::File(DOCX))],
        Out::Diff,
    ),
    tool(
        "accept_changes",
        D,
        &[("document", Val::File(DOCX)), ("author", Val::Person)],
        Out::Ack,
    ),
    tool(
        "export_docx",
        D,
        &[("source", Val::File(&["md", "html", "odt"]))],
        Out::Ack,
    ),
    tool(
        "merge_documents",
        D,
        &[("first", Val::File(DOCX)), ("second", Val::File(DOCX))],
        Out::Ack,
    ),
    tool(
        "split_document",
        D,
        &[
            ("document", Val::File(&["pdf", "docx"])),
            ("level", Val::Int(1, 3)),
        ],
        Out::Json,
    ),
    tool(
        "generate_toc",
        D,
        &[
            ("document", Val::File(&["docx", "md"])),
            ("depth", Val::Int(2, 4)),
        ],
        Out::Doc,
    ),
    tool(
        "update_bibliography",
        D,
        &[
            ("document", Val::File(DOCX)),
            ("style", Val::Pick(&["apa7", "chicago", "ieee"])),
        ],
        Out::Ack,
    ),
    tool("lookup_reference", D, &[("query", Val::Query)], Out::Json),
    tool(
        "translate_document",
        D,
        &[
            ("document", Val::File(DOCX)),
            ("target", Val::Pick(&["de", "fr", "es"])),
        ],
        Out::Ack,
    ),
    tool(
        "summarize_document",
        D,
        &[
            ("document", Val::File(&["pdf", "docx"])),
            ("words", Val::Int(100, 400)),
        ],
        Out::Doc,
    ),
    tool(
        "extract_text",
        D,
        &[("path", Val::File(&["pdf", "pptx", "docx"]))],
        Out::Doc,
    ),
    tool(
        "add_watermark",
        D,
        &[
            ("document", Val::File(PDF)),
            ("text", Val::Pick(&["DRAFT", "CONFIDENTIAL", "INTERNAL"])),
        ],
        Out::Ack,
    ),
    tool(
        "set_metadata",
        D,
        &[
            ("document", Val::File(&["pdf", "docx"])),
            ("author", Val::Person),
        ],
        Out::Ack,
    ),
    tool(
        "share_document",
        D,
        &[
            ("document", Val::File(&["pdf", "docx"])),
            ("with", Val::Person),
        ],
        Out::Ack,
    ),
    tool(
        "request_review",
        D,
        &[("document", Val::File(DOCX)), ("reviewer", Val::Person)],
        Out::Ack,
    ),
    tool(
        "word_count",
        D,
        &[("document", Val::File(&["docx", "md"]))],
        Out::Json,
    ),
    tool(
        "find_replace",
        D,
        &[
            ("document", Val::File(&["docx", "md"])),
            ("find", Val::Query),
            ("replace", Val::Query),
        ],
        Out::Json,
    ),
    tool(
        "number_headings",
        D,
        &[
            ("document", Val::File(DOCX)),
            ("scheme", Val::Pick(&["1.1", "I.A"])),
        ],
        Out::Ack,
    ),
    tool("embed_fonts", D, &[("document", Val::File(PDF))], Out::Ack),
    tool(
        "compress_pdf",
        D,
        &[
            ("document", Val::File(PDF)),
            ("quality", Val::Pick(&["screen", "ebook", "printer"])),
        ],
        Out::Json,
    ),
    tool(
        "sign_document",
        D,
        &[("document", Val::File(PDF)), ("signer", Val::Person)],
        Out::Json,
    ),
    tool(
        "archive_document",
        D,
        &[
            ("document", Val::File(&["pdf", "docx"])),
            ("folder", Val::Pick(&["/archive/2024", "/archive/clients"])),
        ],
        Out::Ack,
    ),
    // Data pipelines.
    tool(
        "run_query",
        A,
        &[
            ("sql", Val::Sql),
            ("warehouse", Val::Pick(&["analytics", "reporting"])),
        ],
        Out::Rows,
    ),
    tool(
        "load_table",
        A,
        &[
            ("table", Val::Table),
            ("source", Val::Bucket),
            ("format", Val::Pick(&["parquet", "jsonl"])),
        ],
        Out::Json,
    ),
    tool(
        "export_csv",
        A,
        &[("sql", Val::Sql), ("destination", Val::File(&["csv"]))],
        Out::Json,
    ),
    tool(
        "schedule_job",
        A,
        &[("job", Val::Job), ("cron", Val::Cron)],
        Out::Json,
    ),
    tool("describe_table", A, &[("table", Val::Table)], Out::Rows),
    tool(
        "create_table",
        A,
        &[
            ("table", Val::Table),
            ("schema_file", Val::File(&["json", "yaml"])),
        ],
        Out::Ack,
    ),
    tool(
        "drop_partition",
        A,
        &[("table", Val::Table), ("partition", Val::Date)],
        Out::Ack,
    ),
    tool(
        "backfill_table",
        A,
        &[
            ("table", Val::Table),
            ("start", Val::Date),
            ("days", Val::Int(1, 30)),
        ],
        Out::Logs,
    ),
    tool(
        "run_dbt_model",
        A,
        &[
            ("model", Val::Model),
            ("target", Val::Pick(&["dev", "prod"])),
        ],
        Out::Logs,
    ),
    tool(
        "validate_schema",
        A,
        &[("table", Val::Table), ("contract", Val::File(&["yaml"]))],
        Out::Lint,
    ),
    tool(
        "profile_table",
        A,
        &[("table", Val::Table), ("columns", Val::Int(3, 30))],
        Out::Rows,
    ),
    tool(
        "sample_rows",
        A,
        &[("table", Val::Table), ("n", Val::Int(5, 50))],
        Out::Rows,
    ),
    tool(
        "copy_table",
        A,
        &[("from", Val::Table), ("to", Val::Table)],
        Out::Json,
    ),
    tool("vacuum_table", A, &[("table", Val::Table)], Out::Logs),
    tool("refresh_view", A, &[("view", Val::Table)], Out::Ack),
    tool(
        "list_jobs",
        A,
        &[
            ("state", Val::Pick(&["running", "queued", "succeeded"])),
            ("limit", Val::Int(5, 30)),
        ],
        Out::Rows,
    ),
    tool("cancel_job", A, &[("job_id", Val::JobId)], Out::Ack),
    tool("fetch_job_logs", A, &[("job_id", Val::JobId)], Out::Logs),
    tool(
        "trigger_dag",
        A,
        &[("dag", Val::Dag), ("run_date", Val::Date)],
        Out::Json,
    ),
    tool("pause_dag", A, &[("dag", Val::Dag)], Out::Ack),
    tool(
        "check_freshness",
        A,
        &[("table", Val::Table), ("max_age_hours", Val::Int(1, 48))],
        Out::Json,
    ),
    tool(
        "compute_stats",
        A,
        &[("table", Val::Table), ("column", Val::Column)],
        Out::Json,
    ),
    tool(
        "join_preview",
        A,
        &[
            ("left", Val::Table),
            ("right", Val::Table),
            ("key", Val::Column),
        ],
        Out::Rows,
    ),
    tool(
        "dedupe_table",
        A,
        &[("table", Val::Table), ("key", Val::Column)],
        Out::Json,
    ),
    tool(
        "upload_to_bucket",
        A,
        &[
            ("path", Val::File(&["csv", "parquet"])),
            ("bucket", Val::Bucket),
        ],
        Out::Ack,
    ),
    tool(
        "download_from_bucket",
        A,
        &[
            ("bucket", Val::Bucket),
            ("object", Val::File(&["parquet", "csv"])),
        ],
        Out::Ack,
    ),
    tool(
        "grant_access",
        A,
        &[("table", Val::Table), ("principal", Val::Person)],
        Out::Ack,
    ),
    tool(
        "rotate_partitions",
        A,
        &[("table", Val::Table), ("keep_days", Val::Int(30, 400))],
        Out::Ack,
    ),
    tool("explain_query", A, &[("sql", Val::Sql)], Out::Rows),
    tool(
        "materialize_view",
        A,
        &[("view", Val::Table), ("incremental", Val::Bool)],
        Out::Logs,
    ),
    tool("snapshot_table", A, &[("table", Val::Table)], Out::Json),
    tool(
        "restore_snapshot",
        A,
        &[("table", Val::Table), ("snapshot_id", Val::JobId)],
        Out::Json,
    ),
    tool(
        "publish_dashboard",
        A,
        &[
            ("dashboard", Val::Title),
            ("workspace", Val::Pick(&["finance", "growth", "ops"])),
        ],
        Out::Json,
    ),
    tool(
        "register_dataset",
        A,
        &[("name", Val::Table), ("owner", Val::Person)],
        Out::Ack,
    ),
    tool(
        "run_quality_checks",
        A,
        &[
            ("table", Val::Table),
            ("suite", Val::Pick(&["not_null", "uniqueness", "freshness"])),
        ],
        Out::Lint,
    ),
    // Resource tools (coding).
    tool(
        "get_deployment",
        C,
        &[("deployment_id", Val::Ref("dep"))],
        Out::Json,
    ),
    tool(
        "list_deployments",
        C,
        &[("limit", Val::Int(10, 100)), ("query", Val::Query)],
        Out::Rows,
    ),
    tool(
        "update_deployment",
        C,
        &[("deployment_id", Val::Ref("dep")), ("note", Val::Message)],
        Out::Ack,
    ),
    tool(
        "archive_deployment",
        C,
        &[
            ("deployment_id", Val::Ref("dep")),
            (
                "reason",
                Val::Pick(&["obsolete", "duplicate", "superseded"]),
            ),
        ],
        Out::Ack,
    ),
    tool(
        "get_pipeline",
        C,
        &[("pipeline_id", Val::Ref("pl"))],
        Out::Json,
    ),
    tool(
        "list_pipelines",
        C,
        &[("limit", Val::Int(10, 100)), ("query", Val::Query)],
        Out::Rows,
    ),
    tool(
        "update_pipeline",
        C,
        &[("pipeline_id", Val::Ref("pl")), ("note", Val::Message)],
        Out::Ack,
    ),
    tool(
        "archive_pipeline",
        C,
        &[
            ("pipeline_id", Val::Ref("pl")),
            (
                "reason",
                Val::Pick(&["obsolete", "duplicate", "superseded"]),
            ),
        ],
        Out::Ack,
    ),
    tool(
        "get_runner",
        C,
        &[("runner_id", Val::Ref("run"))],
        Out::Json,
    ),
    tool(
        "list_runners",
        C,
        &[("limit", Val::Int(10, 100)), ("query", Val::Query)],
        Out::Rows,
    ),
    tool(
        "update_runner",
        C,
        &[("runner_id", Val::Ref("run")), ("note", Val::Message)],
        Out::Ack,
    ),
    tool(
        "archive_runner",
        C,
        &[
            ("runner_id", Val::Ref("run")),
            (
                "reason",
                Val::Pick(&["obsolete", "duplicate", "superseded"]),
            ),
        ],
        Out::Ack,
    ),
    tool(
        "get_environment",
        C,
        &[("environment_id", Val::Ref("env"))],
        Out::Json,
    ),
    tool(
        "list_environments",
        C,
        &[("limit", Val::Int(10, 100)), ("query", Val::Query)],
        Out::Rows,
    ),
    tool(
        "update_environment",
        C,
        &[("environment_id", Val::Ref("env")), ("note", Val::Message)],
        Out::Ack,
    ),
    tool(
        "archive_environment",
        C,
        &[
            ("environment_id", Val::Ref("env")),
            (
                "reason",
                Val::Pick(&["obsolete", "duplicate", "superseded"]),
            ),
        ],
        Out::Ack,
    ),
    tool(
        "get_feature_flag",
        C,
        &[("feature_flag_id", Val::Ref("ff"))],
        Out::Json,
    ),
    tool(
        "list_feature_flags",
        C,
        &[("limit", Val::Int(10, 100)), ("query", Val::Query)],
        Out::Rows,
    ),
    tool(
        "update_feature_flag",
        C,
        &[("feature_flag_id", Val::Ref("ff")), ("note", Val::Message)],
        Out::Ack,
    ),
    tool(
        "archive_feature_flag",
        C,
        &[
            ("feature_flag_id", Val::Ref("ff")),
            (
                "reason",
                Val::Pick(&["obsolete", "duplicate", "superseded"]),
            ),
        ],
        Out::Ack,
    ),
    tool(
        "get_release",
        C,
        &[("release_id", Val::Ref("rel"))],
        Out::Json,
    ),
    tool(
        "list_releases",
        C,
        &[("limit", Val::Int(10, 100)), ("query", Val::Query)],
        Out::Rows,
    ),
    tool(
        "update_release",
        C,
        &[("release_id", Val::Ref("rel")), ("note", Val::Message)],
        Out::Ack,
    ),
    tool(
        "archive_release",
        C,
        &[
            ("release_id", Val::Ref("rel")),
            (
                "reason",
                Val::Pick(&["obsolete", "duplicate", "superseded"]),
            ),
        ],
        Out::Ack,
    ),
    tool(
        "get_container",
        C,
        &[("container_id", Val::Ref("ctr"))],
        Out::Json,
    ),
    tool(
        "list_containers",
        C,
        &[("limit", Val::Int(10, 100)), ("query", Val::Query)],
        Out::Rows,
    ),
    tool(
        "update_container",
        C,
        &[("container_id", Val::Ref("ctr")), ("note", Val::Message)],
        Out::Ack,
    ),
    tool(
        "archive_container",
        C,
        &[
            ("container_id", Val::Ref("ctr")),
            (
                "reason",
                Val::Pick(&["obsolete", "duplicate", "superseded"]),
            ),
        ],
        Out::Ack,
    ),
    tool(
        "get_webhook",
        C,
        &[("webhook_id", Val::Ref("wh"))],
        Out::Json,
    ),
    tool(
        "list_webhooks",
        C,
        &[("limit", Val::Int(10, 100)), ("query", Val::Query)],
        Out::Rows,
    ),
    tool(
        "update_webhook",
        C,
        &[("webhook_id", Val::Ref("wh")), ("note", Val::Message)],
        Out::Ack,
    ),
    tool(
        "archive_webhook",
        C,
        &[
            ("webhook_id", Val::Ref("wh")),
            (
                "reason",
                Val::Pick(&["obsolete", "duplicate", "superseded"]),
            ),
        ],
        Out::Ack,
    ),
    // Resource tools (support).
    tool(
        "get_refund_request",
        S,
        &[("refund_request_id", Val::Ref("rr"))],
        Out::Json,
    ),
    tool(
        "list_refund_requests",
        S,
        &[("limit", Val::Int(10, 100)), ("query", Val::Query)],
        Out::Rows,
    ),
    tool(
        "update_refund_request",
        S,
        &[
            ("refund_request_id", Val::Ref("rr")),
            ("note", Val::Message),
        ],
        Out::Ack,
    ),
    tool(
        "archive_refund_request",
        S,
        &[
            ("refund_request_id", Val::Ref("rr")),
            (
                "reason",
                Val::Pick(&["obsolete", "duplicate", "superseded"]),
            ),
        ],
        Out::Ack,
    ),
    tool(
        "get_return_case",
        S,
        &[("return_case_id", Val::Ref("rc"))],
        Out::Json,
    ),
    tool(
        "list_return_cases",
        S,
        &[("limit", Val::Int(10, 100)), ("query", Val::Query)],
        Out::Rows,
    ),
    tool(
        "update_return_case",
        S,
        &[("return_case_id", Val::Ref("rc")), ("note", Val::Message)],
        Out::Ack,
    ),
    tool(
        "archive_return_case",
        S,
        &[
            ("return_case_id", Val::Ref("rc")),
            (
                "reason",
                Val::Pick(&["obsolete", "duplicate", "superseded"]),
            ),
        ],
        Out::Ack,
    ),
    tool(
        "get_customer_note",
        S,
        &[("customer_note_id", Val::Ref("cn"))],
        Out::Json,
    ),
    tool(
        "list_customer_notes",
        S,
        &[("limit", Val::Int(10, 100)), ("query", Val::Query)],
        Out::Rows,
    ),
    tool(
        "update_customer_note",
        S,
        &[("customer_note_id", Val::Ref("cn")), ("note", Val::Message)],
        Out::Ack,
    ),
    tool(
        "archive_customer_note",
        S,
        &[
            ("customer_note_id", Val::Ref("cn")),
            (
                "reason",
                Val::Pick(&["obsolete", "duplicate", "superseded"]),
            ),
        ],
        Out::Ack,
    ),
    tool(
        "get_sla_policy",
        S,
        &[("sla_policy_id", Val::Ref("sla"))],
        Out::Json,
    ),
    tool(
        "list_sla_policies",
        S,
        &[("limit", Val::Int(10, 100)), ("query", Val::Query)],
        Out::Rows,
    ),
    tool(
        "update_sla_policy",
        S,
        &[("sla_policy_id", Val::Ref("sla")), ("note", Val::Message)],
        Out::Ack,
    ),
    tool(
        "archive_sla_policy",
        S,
        &[
            ("sla_policy_id", Val::Ref("sla")),
            (
                "reason",
                Val::Pick(&["obsolete", "duplicate", "superseded"]),
            ),
        ],
        Out::Ack,
    ),
    tool(
        "get_voucher",
        S,
        &[("voucher_id", Val::Ref("vch"))],
        Out::Json,
    ),
    tool(
        "list_vouchers",
        S,
        &[("limit", Val::Int(10, 100)), ("query", Val::Query)],
        Out::Rows,
    ),
    tool(
        "update_voucher",
        S,
        &[("voucher_id", Val::Ref("vch")), ("note", Val::Message)],
        Out::Ack,
    ),
    tool(
        "archive_voucher",
        S,
        &[
            ("voucher_id", Val::Ref("vch")),
            (
                "reason",
                Val::Pick(&["obsolete", "duplicate", "superseded"]),
            ),
        ],
        Out::Ack,
    ),
    tool(
        "get_agent_shift",
        S,
        &[("agent_shift_id", Val::Ref("sh"))],
        Out::Json,
    ),
    tool(
        "list_agent_shifts",
        S,
        &[("limit", Val::Int(10, 100)), ("query", Val::Query)],
        Out::Rows,
    ),
    tool(
        "update_agent_shift",
        S,
        &[("agent_shift_id", Val::Ref("sh")), ("note", Val::Message)],
        Out::Ack,
    ),
    tool(
        "archive_agent_shift",
        S,
        &[
            ("agent_shift_id", Val::Ref("sh")),
            (
                "reason",
                Val::Pick(&["obsolete", "duplicate", "superseded"]),
            ),
        ],
        Out::Ack,
    ),
    tool(
        "get_carrier_claim",
        S,
        &[("carrier_claim_id", Val::Ref("cc"))],
        Out::Json,
    ),
    tool(
        "list_carrier_claims",
        S,
        &[("limit", Val::Int(10, 100)), ("query", Val::Query)],
        Out::Rows,
    ),
    tool(
        "update_carrier_claim",
        S,
        &[("carrier_claim_id", Val::Ref("cc")), ("note", Val::Message)],
        Out::Ack,
    ),
    tool(
        "archive_carrier_claim",
        S,
        &[
            ("carrier_claim_id", Val::Ref("cc")),
            (
                "reason",
                Val::Pick(&["obsolete", "duplicate", "superseded"]),
            ),
        ],
        Out::Ack,
    ),
    tool(
        "get_survey_response",
        S,
        &[("survey_response_id", Val::Ref("sr"))],
        Out::Json,
    ),
    tool(
        "list_survey_responses",
        S,
        &[("limit", Val::Int(10, 100)), ("query", Val::Query)],
        Out::Rows,
    ),
    tool(
        "update_survey_response",
        S,
        &[
            ("survey_response_id", Val::Ref("sr")),
            ("note", Val::Message),
        ],
        Out::Ack,
    ),
    tool(
        "archive_survey_response",
        S,
        &[
            ("survey_response_id", Val::Ref("sr")),
            (
                "reason",
                Val::Pick(&["obsolete", "duplicate", "superseded"]),
            ),
        ],
        Out::Ack,
    ),
    // Resource tools (documents).
    tool(
        "get_template",
        D,
        &[("template_id", Val::Ref("tpl"))],
        Out::Json,
    ),
    tool(
        "list_templates",
        D,
        &[("limit", Val::Int(10, 100)), ("query", Val::Query)],
        Out::Rows,
    ),
    tool(
        "update_template",
        D,
        &[("template_id", Val::Ref("tpl")), ("note", Val::Message)],
        Out::Ack,
    ),
    tool(
        "archive_template",
        D,
        &[
            ("template_id", Val::Ref("tpl")),
            (
                "reason",
                Val::Pick(&["obsolete", "duplicate", "superseded"]),
            ),
        ],
        Out::Ack,
    ),
    tool("get_clause", D, &[("clause_id", Val::Ref("cl"))], Out::Json),
    tool(
        "list_clauses",
        D,
        &[("limit", Val::Int(10, 100)), ("query", Val::Query)],
        Out::Rows,
    ),
    tool(
        "update_clause",
        D,
        &[("clause_id", Val::Ref("cl")), ("note", Val::Message)],
        Out::Ack,
    ),
    tool(
        "archive_clause",
        D,
        &[
            ("clause_id", Val::Ref("cl")),
            (
                "reason",
                Val::Pick(&["obsolete", "duplicate", "superseded"]),
            ),
        ],
        Out::Ack,
    ),
    tool(
        "get_glossary_term",
        D,
        &[("glossary_term_id", Val::Ref("gt"))],
        Out::Json,
    ),
    tool(
        "list_glossary_terms",
        D,
        &[("limit", Val::Int(10, 100)), ("query", Val::Query)],
        Out::Rows,
    ),
    tool(
        "update_glossary_term",
        D,
        &[("glossary_term_id", Val::Ref("gt")), ("note", Val::Message)],
        Out::Ack,
    ),
    tool(
        "archive_glossary_term",
        D,
        &[
            ("glossary_term_id", Val::Ref("gt")),
            (
                "reason",
                Val::Pick(&["obsolete", "duplicate", "superseded"]),
            ),
        ],
        Out::Ack,
    ),
    tool(
        "get_style_rule",
        D,
        &[("style_rule_id", Val::Ref("rule"))],
        Out::Json,
    ),
    tool(
        "list_style_rules",
        D,
        &[("limit", Val::Int(10, 100)), ("query", Val::Query)],
        Out::Rows,
    ),
    tool(
        "update_style_rule",
        D,
        &[("style_rule_id", Val::Ref("rule")), ("note", Val::Message)],
        Out::Ack,
    ),
    tool(
        "archive_style_rule",
        D,
        &[
            ("style_rule_id", Val::Ref("rule")),
            (
                "reason",
                Val::Pick(&["obsolete", "duplicate", "superseded"]),
            ),
        ],
        Out::Ack,
    ),
    tool(
        "get_comment_thread",
        D,
        &[("comment_thread_id", Val::Ref("ct"))],
        Out::Json,
    ),
    tool(
        "list_comment_threads",
        D,
        &[("limit", Val::Int(10, 100)), ("query", Val::Query)],
        Out::Rows,
    ),
    tool(
        "update_comment_thread",
        D,
        &[
            ("comment_thread_id", Val::Ref("ct")),
            ("note", Val::Message),
        ],
        Out::Ack,
    ),
    tool(
        "archive_comment_thread",
        D,
        &[
            ("comment_thread_id", Val::Ref("ct")),
            (
                "reason",
                Val::Pick(&["obsolete", "duplicate", "superseded"]),
            ),
        ],
        Out::Ack,
    ),
    tool(
        "get_attachment",
        D,
        &[("attachment_id", Val::Ref("att"))],
        Out::Json,
    ),
    tool(
        "list_attachments",
        D,
        &[("limit", Val::Int(10, 100)), ("query", Val::Query)],
        Out::Rows,
    ),
    tool(
        "update_attachment",
        D,
        &[("attachment_id", Val::Ref("att")), ("note", Val::Message)],
        Out::Ack,
    ),
    tool(
        "archive_attachment",
        D,
        &[
            ("attachment_id", Val::Ref("att")),
            (
                "reason",
                Val::Pick(&["obsolete", "duplicate", "superseded"]),
            ),
        ],
        Out::Ack,
    ),
    tool(
        "get_signature_request",
        D,
        &[("signature_request_id", Val::Ref("sig"))],
        Out::Json,
    ),
    tool(
        "list_signature_requests",
        D,
        &[("limit", Val::Int(10, 100)), ("query", Val::Query)],
        Out::Rows,
    ),
    tool(
        "update_signature_request",
        D,
        &[
            ("signature_request_id", Val::Ref("sig")),
            ("note", Val::Message),
        ],
        Out::Ack,
    ),
    tool(
        "archive_signature_request",
        D,
        &[
            ("signature_request_id", Val::Ref("sig")),
            (
                "reason",
                Val::Pick(&["obsolete", "duplicate", "superseded"]),
            ),
        ],
        Out::Ack,
    ),
    tool(
        "get_revision",
        D,
        &[("revision_id", Val::Ref("rev"))],
        Out::Json,
    ),
    tool(
        "list_revisions",
        D,
        &[("limit", Val::Int(10, 100)), ("query", Val::Query)],
        Out::Rows,
    ),
    tool(
        "update_revision",
        D,
        &[("revision_id", Val::Ref("rev")), ("note", Val::Message)],
        Out::Ack,
    ),
    tool(
        "archive_revision",
        D,
        &[
            ("revision_id", Val::Ref("rev")),
            (
                "reason",
                Val::Pick(&["obsolete", "duplicate", "superseded"]),
            ),
        ],
        Out::Ack,
    ),
    // Resource tools (data).
    tool(
        "get_dataset",
        A,
        &[("dataset_id", Val::Ref("ds"))],
        Out::Json,
    ),
    tool(
        "list_datasets",
        A,
        &[("limit", Val::Int(10, 100)), ("query", Val::Query)],
        Out::Rows,
    ),
    tool(
        "update_dataset",
        A,
        &[("dataset_id", Val::Ref("ds")), ("note", Val::Message)],
        Out::Ack,
    ),
    tool(
        "archive_dataset",
        A,
        &[
            ("dataset_id", Val::Ref("ds")),
            (
                "reason",
                Val::Pick(&["obsolete", "duplicate", "superseded"]),
            ),
        ],
        Out::Ack,
    ),
    tool(
        "get_connector",
        A,
        &[("connector_id", Val::Ref("conn"))],
        Out::Json,
    ),
    tool(
        "list_connectors",
        A,
        &[("limit", Val::Int(10, 100)), ("query", Val::Query)],
        Out::Rows,
    ),
    tool(
        "update_connector",
        A,
        &[("connector_id", Val::Ref("conn")), ("note", Val::Message)],
        Out::Ack,
    ),
    tool(
        "archive_connector",
        A,
        &[
            ("connector_id", Val::Ref("conn")),
            (
                "reason",
                Val::Pick(&["obsolete", "duplicate", "superseded"]),
            ),
        ],
        Out::Ack,
    ),
    tool(
        "get_pipeline_run",
        A,
        &[("pipeline_run_id", Val::Ref("prun"))],
        Out::Json,
    ),
    tool(
        "list_pipeline_runs",
        A,
        &[("limit", Val::Int(10, 100)), ("query", Val::Query)],
        Out::Rows,
    ),
    tool(
        "update_pipeline_run",
        A,
        &[
            ("pipeline_run_id", Val::Ref("prun")),
            ("note", Val::Message),
        ],
        Out::Ack,
    ),
    tool(
        "archive_pipeline_run",
        A,
        &[
            ("pipeline_run_id", Val::Ref("prun")),
            (
                "reason",
                Val::Pick(&["obsolete", "duplicate", "superseded"]),
            ),
        ],
        Out::Ack,
    ),
    tool(
        "get_schema_version",
        A,
        &[("schema_version_id", Val::Ref("sv"))],
        Out::Json,
    ),
    tool(
        "list_schema_versions",
        A,
        &[("limit", Val::Int(10, 100)), ("query", Val::Query)],
        Out::Rows,
    ),
    tool(
        "update_schema_version",
        A,
        &[
            ("schema_version_id", Val::Ref("sv")),
            ("note", Val::Message),
        ],
        Out::Ack,
    ),
    tool(
        "archive_schema_version",
        A,
        &[
            ("schema_version_id", Val::Ref("sv")),
            (
                "reason",
                Val::Pick(&["obsolete", "duplicate", "superseded"]),
            ),
        ],
        Out::Ack,
    ),
    tool(
        "get_dashboard",
        A,
        &[("dashboard_id", Val::Ref("dash"))],
        Out::Json,
    ),
    tool(
        "list_dashboards",
        A,
        &[("limit", Val::Int(10, 100)), ("query", Val::Query)],
        Out::Rows,
    ),
    tool(
        "update_dashboard",
        A,
        &[("dashboard_id", Val::Ref("dash")), ("note", Val::Message)],
        Out::Ack,
    ),
    tool(
        "archive_dashboard",
        A,
        &[
            ("dashboard_id", Val::Ref("dash")),
            (
                "reason",
                Val::Pick(&["obsolete", "duplicate", "superseded"]),
            ),
        ],
        Out::Ack,
    ),
    tool(
        "get_metric",
        A,
        &[("metric_id", Val::Ref("met"))],
        Out::Json,
    ),
    tool(
        "list_metrics",
        A,
        &[("limit", Val::Int(10, 100)), ("query", Val::Query)],
        Out::Rows,
    ),
    tool(
        "update_metric",
        A,
        &[("metric_id", Val::Ref("met")), ("note", Val::Message)],
        Out::Ack,
    ),
    tool(
        "archive_metric",
        A,
        &[
            ("metric_id", Val::Ref("met")),
            (
                "reason",
                Val::Pick(&["obsolete", "duplicate", "superseded"]),
            ),
        ],
        Out::Ack,
    ),
    tool("get_quota", A, &[("quota_id", Val::Ref("q"))], Out::Json),
    tool(
        "list_quotas",
        A,
        &[("limit", Val::Int(10, 100)), ("query", Val::Query)],
        Out::Rows,
    ),
    tool(
        "update_quota",
        A,
        &[("quota_id", Val::Ref("q")), ("note", Val::Message)],
        Out::Ack,
    ),
    tool(
        "archive_quota",
        A,
        &[
            ("quota_id", Val::Ref("q")),
            (
                "reason",
                Val::Pick(&["obsolete", "duplicate", "superseded"]),
            ),
        ],
        Out::Ack,
    ),
    tool(
        "get_lineage_node",
        A,
        &[("lineage_node_id", Val::Ref("ln"))],
        Out::Json,
    ),
    tool(
        "list_lineage_nodes",
        A,
        &[("limit", Val::Int(10, 100)), ("query", Val::Query)],
        Out::Rows,
    ),
    tool(
        "update_lineage_node",
        A,
        &[("lineage_node_id", Val::Ref("ln")), ("note", Val::Message)],
        Out::Ack,
    ),
    tool(
        "archive_lineage_node",
        A,
        &[
            ("lineage_node_id", Val::Ref("ln")),
            (
                "reason",
                Val::Pick(&["obsolete", "duplicate", "superseded"]),
            ),
        ],
        Out::Ack,
    ),
    // Generic.
    tool("read_file", G, &[("path", Val::SrcFile)], Out::Code),
    tool(
        "write_file",
        G,
        &[("path", Val::SrcFile), ("content", Val::Message)],
        Out::Ack,
    ),
    tool(
        "edit_file",
        G,
        &[
            ("path", Val::SrcFile),
            ("old", Val::Query),
            ("new", Val::Query),
        ],
        Out::Ack,
    ),
    tool("list_dir", G, &[("path", Val::Dir)], Out::Rows),
    tool(
        "grep_files",
        G,
        &[("pattern", Val::Query), ("path", Val::Dir)],
        Out::Rows,
    ),
    tool("http_get", G, &[("url", Val::Url)], Out::Json),
    tool("fetch_page", G, &[("url", Val::Url)], Out::Page),
    tool("run_shell", G, &[("command", Val::Shell)], Out::Logs),
    tool("search_docs", G, &[("query", Val::Query)], Out::Page),
    tool(
        "post_slack_message",
        G,
        &[("channel", Val::Channel), ("text", Val::Message)],
        Out::Ack,
    ),
    tool(
        "send_email",
        G,
        &[("to", Val::Person), ("subject", Val::Title)],
        Out::Ack,
    ),
    tool(
        "get_time",
        G,
        &[(
            "timezone",
            Val::Pick(&["UTC", "Europe/Berlin", "America/New_York"]),
        )],
        Out::Json,
    ),
    tool(
        "diff_files",
        G,
        &[("left", Val::SrcFile), ("right", Val::SrcFile)],
        Out::Diff,
    ),
    tool(
        "zip_files",
        G,
        &[("path", Val::Dir), ("output", Val::File(&["zip"]))],
        Out::Ack,
    ),
    tool(
        "unzip_archive",
        G,
        &[("path", Val::File(&["zip"])), ("dest", Val::Dir)],
        Out::Rows,
    ),
    tool(
        "checksum_file",
        G,
        &[
            ("path", Val::SrcFile),
            ("algorithm", Val::Pick(&["sha256"])),
        ],
        Out::Ack,
    ),
];

/// Index of a tool by name.
pub(crate) fn tool_index(name: &str) -> Option<usize> {
    TOOLS.iter().position(|t| t.name == name)
}

/// Tools of a domain (without the generic ones).
pub(crate) fn domain_tools(domain: Domain) -> Vec<usize> {
    (0..TOOLS.len())
        .filter(|&i| TOOLS[i].domain == Some(domain))
        .collect()
}

/// Tools whose results can carry pasted or fetched content (injections, secrets).
pub(crate) const CONTENT_TOOLS: &[&str] = &[
    "fetch_page",
    "http_get",
    "search_docs",
    "search_kb",
    "fetch_ticket",
    "open_document",
    "extract_text",
    "read_file",
    "lookup_reference",
];

/// Tools whose results can show configuration (secrets).
pub(crate) const CONFIG_TOOLS: &[&str] = &[
    "read_file",
    "run_shell",
    "http_get",
    "fetch_job_logs",
    "tail_logs",
];

// Entities.
pub(crate) const SERVICES: &[&str] = &[
    "billing-api",
    "checkout-web",
    "auth-service",
    "search-indexer",
    "notifications",
    "inventory-svc",
    "ledger",
    "payments-gateway",
    "catalog-api",
    "user-profile",
    "shipping-rates",
    "reporting-api",
    "webhooks",
    "media-resizer",
    "feature-flags",
    "rate-limiter",
];
pub(crate) const REPOS: &[&str] = &[
    "acme/platform",
    "acme/storefront",
    "acme/infra",
    "acme/mobile-app",
    "acme/data-tools",
    "acme/docs-site",
];
pub(crate) const ENVS: &[&str] = &["staging", "production", "qa", "sandbox", "preview"];
pub(crate) const WORDS: &[&str] = &[
    "retry",
    "cache",
    "timeout",
    "pagination",
    "login",
    "invoice",
    "export",
    "webhook",
    "schema",
    "flaky-test",
    "rate-limit",
    "null-check",
    "i18n",
    "cleanup",
    "upgrade",
    "metrics",
    "billing",
    "search",
    "onboarding",
    "checkout",
];
pub(crate) const MODULES: &[&str] = &[
    "orders", "billing", "auth", "search", "cart", "users", "reports", "sync", "api", "worker",
];
pub(crate) const SRC_NAMES: &[&str] = &[
    "handler", "client", "config", "service", "models", "routes", "utils", "retry", "schema",
    "queue",
];
pub(crate) const SRC_EXTS: &[&str] = &["rs", "ts", "py", "go"];
pub(crate) const PEOPLE: &[&str] = &[
    "maria.k",
    "j.okafor",
    "li.wei",
    "sam.p",
    "r.haddad",
    "n.ivanova",
    "tom.b",
    "a.silva",
    "k.tanaka",
    "d.mensah",
];
pub(crate) const FIRST_NAMES: &[&str] = &[
    "Alice", "Bram", "Chloe", "Diego", "Emma", "Farah", "Gus", "Hana", "Ivan", "Julia", "Kofi",
    "Lena", "Marco", "Nina", "Omar", "Priya",
];
pub(crate) const LAST_NAMES: &[&str] = &[
    "Meyer", "Okafor", "Rossi", "Tanaka", "Novak", "Silva", "Berg", "Haddad", "Lund", "Costa",
];
pub(crate) const CUSTOMER_DOMAINS: &[&str] =
    &["example.com", "example.org", "example.net", "mail.test"];
pub(crate) const SCHEMAS: &[&str] = &["analytics", "raw", "staging", "finance", "marketing", "ops"];
pub(crate) const ENTITIES: &[&str] = &[
    "orders",
    "events",
    "sessions",
    "customers",
    "invoices",
    "refunds",
    "shipments",
    "payments",
    "subscriptions",
    "page_views",
    "signups",
    "tickets",
    "inventory",
    "campaigns",
    "returns",
];
pub(crate) const COLUMNS: &[&str] = &[
    "customer_id",
    "order_id",
    "event_date",
    "created_at",
    "amount",
    "country",
    "status",
    "sku",
    "session_id",
    "campaign_id",
];
pub(crate) const DAGS: &[&str] = &[
    "orders_daily",
    "billing_rollup",
    "marketing_attribution",
    "inventory_sync",
    "ticket_metrics",
    "finance_close",
];
pub(crate) const DBT_MODELS: &[&str] = &[
    "stg_orders",
    "fct_revenue",
    "dim_customers",
    "int_refunds",
    "fct_sessions",
];
pub(crate) const URL_HOSTS: &[&str] = &[
    "docs.acme.dev",
    "status.vendorhub.io",
    "api.shipfast.example",
    "wiki.acme.internal",
    "support.paylane.example",
    "developer.mapkit.example",
];
pub(crate) const URL_PATHS: &[&str] = &[
    "guides/retries",
    "v2/status",
    "reference/rate-limits",
    "changelog",
    "kb/refund-policy",
    "api/webhooks",
    "faq/shipping",
    "docs/export-formats",
];
pub(crate) const DOC_NAMES: &[&str] = &[
    "q3-board-deck",
    "msa-acme-2025",
    "sow-northwind",
    "proposal-globex",
    "policy-handbook",
    "rfp-response",
    "brand-guidelines",
    "annual-report",
    "nda-initech",
    "release-notes",
    "grant-application",
    "pricing-memo",
];
pub(crate) const TITLES: &[&str] = &[
    "Q3 board update",
    "Retry fix for billing webhooks",
    "Pricing proposal for Globex",
    "Data retention policy",
    "Weekly revenue dashboard",
    "Refund macro for late deliveries",
    "Migration plan for the ledger",
    "Onboarding checklist",
    "Incident review 2025-02",
    "Churn analysis by cohort",
];
pub(crate) const QUERIES: &[&str] = &[
    "retry policy",
    "timeout",
    "refund window",
    "citation style",
    "partition filter",
    "rate limit",
    "invoice template",
    "webhook signature",
    "shipping delay",
    "null pointer",
    "deprecated flag",
    "page break",
];
pub(crate) const CRONS: &[&str] = &[
    "0 3 * * *",
    "*/15 * * * *",
    "30 6 * * 1-5",
    "0 */4 * * *",
    "15 2 * * 0",
];
pub(crate) const CHANNELS: &[&str] = &[
    "#eng-alerts",
    "#support-escalations",
    "#docs-review",
    "#data-eng",
    "#deploys",
];
pub(crate) const SHELL: &[&str] = &[
    "ls -la build",
    "cargo build --release",
    "du -sh data",
    "git status --short",
    "python -m pytest -q tests/unit",
    "make -n deploy",
    "df -h /var",
    "wc -l logs/app.log",
];
pub(crate) const MESSAGES: &[&str] = &[
    "Thanks for your patience, we are looking into this.",
    "Updated the retry logic and added a regression test.",
    "Customer confirmed the new address by phone.",
    "Second reviewer requested for the pricing section.",
    "Replacement shipped with express delivery.",
    "Linked the incident report for context.",
    "Numbers reconciled against the finance export.",
    "Draft ready for legal review.",
];
pub(crate) const TASK_TOPICS: &[&str] = &[
    "the new retention policy",
    "vendor onboarding",
    "the Q3 pricing change",
    "remote work expenses",
    "the data processing addendum",
    "the incident on Tuesday",
];

/// A parameter value of a tool call.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Jv {
    S(&'static str),
    I(i64),
    B(bool),
}

/// A way a tool call fails until one parameter is set or changed.
pub(crate) struct Recipe {
    pub(crate) param: &'static str,
    /// Candidate values that work (one is chosen per pitfall).
    pub(crate) good: &'static [Jv],
    /// Candidate values that fail; empty when the failing call lacks the parameter.
    pub(crate) bad: &'static [Jv],
    /// Error texts: `{ext}` the file extension, `{bad}` the bad value, `{good}` the good value,
    /// `{n}` a number, `{field}`, `{font}`, `{tool}` words chosen per pitfall.
    pub(crate) errors: &'static [&'static str],
    pub(crate) domains: &'static [Domain],
    /// Tools the recipe fits best (tried first).
    pub(crate) tools: &'static [&'static str],
    /// Non-empty: the failure is specific to files with one of these extensions.
    pub(crate) file_exts: &'static [&'static str],
}

const ALL_DOMAINS: &[Domain] = &[Coding, Support, Docs, Data];

pub(crate) static RECIPES: &[Recipe] = &[
    Recipe {
        param: "mode",
        good: &[Jv::S("legacy")],
        bad: &[],
        errors: &[
            "Error: unsupported layout in .{ext}",
            "Error: cannot read .{ext} master slide {n}: unsupported layout",
        ],
        domains: &[Docs],
        tools: &[
            "convert_document",
            "extract_text",
            "render_pdf",
            "export_docx",
            "summarize_document",
            "split_document",
        ],
        file_exts: &["pptx", "key", "odp"],
    },
    Recipe {
        param: "encoding",
        good: &[Jv::S("latin-1"), Jv::S("cp1252")],
        bad: &[],
        errors: &[
            "Error: invalid UTF-8 sequence at byte {n}",
            "Error: stream did not contain valid UTF-8 (offset {n})",
        ],
        domains: &[Data, Docs],
        tools: &[
            "upload_to_bucket",
            "export_csv",
            "download_from_bucket",
            "convert_document",
            "export_docx",
        ],
        file_exts: &["csv", "txt"],
    },
    Recipe {
        param: "delimiter",
        good: &[Jv::S(";"), Jv::S("|")],
        bad: &[],
        errors: &["Error: expected {n} columns, found 1 on line 2"],
        domains: &[Data],
        tools: &["upload_to_bucket", "download_from_bucket", "export_csv"],
        file_exts: &["csv"],
    },
    Recipe {
        param: "embed_fonts",
        good: &[Jv::B(true)],
        bad: &[],
        errors: &[
            "Error: font '{font}' is not embedded in the .{ext} file",
            "Error: missing glyphs for font '{font}'",
        ],
        domains: &[Docs],
        tools: &[
            "render_pdf",
            "convert_document",
            "sign_document",
            "compress_pdf",
            "share_document",
        ],
        file_exts: &["docx", "odt"],
    },
    Recipe {
        param: "zip64",
        good: &[Jv::B(true)],
        bad: &[],
        errors: &[
            "Error: archive too large for the classic .{ext} format ({n}k entries)",
            "Error: .{ext} central directory exceeds 65535 entries",
        ],
        domains: ALL_DOMAINS,
        tools: &["unzip_archive", "zip_files"],
        file_exts: &["zip"],
    },
    Recipe {
        param: "timeout_s",
        good: &[Jv::I(300), Jv::I(600), Jv::I(900)],
        bad: &[Jv::I(30), Jv::I(45), Jv::I(60)],
        errors: &[
            "Error: operation timed out after {bad}s",
            "Error: deadline exceeded after {bad}s waiting for {tool}",
            "HTTP 408 Request Timeout: {tool} did not finish within {bad}s",
        ],
        domains: ALL_DOMAINS,
        tools: &[
            "run_tests",
            "backfill_table",
            "render_pdf",
            "run_query",
            "build_image",
            "translate_document",
        ],
        file_exts: &[],
    },
    Recipe {
        param: "region",
        good: &[
            Jv::S("eu-west-1"),
            Jv::S("eu-central-1"),
            Jv::S("us-west-2"),
        ],
        bad: &[],
        errors: &[
            "Error: bucket not found in us-east-1 (NoSuchBucket)",
            "Error: resource {field}-{n} does not exist in region us-east-1",
        ],
        domains: &[Data, Coding],
        tools: &[
            "load_table",
            "upload_to_bucket",
            "download_from_bucket",
            "deploy_service",
            "snapshot_table",
        ],
        file_exts: &[],
    },
    Recipe {
        param: "api_version",
        good: &[Jv::S("2024-06-01"), Jv::S("2025-01-15")],
        bad: &[],
        errors: &["HTTP 400 Bad Request: field '{field}' requires api_version >= {good}"],
        domains: &[Support, Coding],
        tools: &[
            "lookup_order",
            "issue_refund",
            "update_subscription",
            "create_return_label",
            "open_pr",
            "trigger_ci",
        ],
        file_exts: &[],
    },
    Recipe {
        param: "dialect",
        good: &[Jv::S("bigquery"), Jv::S("snowflake")],
        bad: &[],
        errors: &[
            "Error: syntax error at or near \"QUALIFY\" (line {n})",
            "Error: function DATE_TRUNC expects 2 arguments, got 3 (line {n})",
        ],
        domains: &[Data],
        tools: &[
            "run_query",
            "explain_query",
            "export_csv",
            "materialize_view",
        ],
        file_exts: &[],
    },
    Recipe {
        param: "force",
        good: &[Jv::B(true)],
        bad: &[],
        errors: &[
            "Error: branch has diverged from origin ({n} local commits); refusing to update",
            "Error: tag already exists on a different commit",
        ],
        domains: &[Coding],
        tools: &[
            "git_push",
            "checkout_branch",
            "tag_release",
            "create_branch",
        ],
        file_exts: &[],
    },
    Recipe {
        param: "page_size",
        good: &[Jv::I(100), Jv::I(200)],
        bad: &[Jv::I(1000), Jv::I(5000)],
        errors: &[
            "HTTP 413 Payload Too Large: response exceeds {n} MB",
            "Error: result set too large ({n} MB); reduce page_size",
        ],
        domains: &[Support, Data],
        tools: &[
            "list_open_tickets",
            "list_jobs",
            "sample_rows",
            "search_kb",
            "lookup_customer",
        ],
        file_exts: &[],
    },
    Recipe {
        param: "reason_code",
        good: &[
            Jv::S("damaged_item"),
            Jv::S("late_delivery"),
            Jv::S("goodwill"),
        ],
        bad: &[],
        errors: &["HTTP 422 Unprocessable Entity: reason_code is required for amounts over ${n}"],
        domains: &[Support],
        tools: &[
            "issue_refund",
            "cancel_order",
            "issue_store_credit",
            "void_payment",
            "apply_discount",
        ],
        file_exts: &[],
    },
    Recipe {
        param: "channel",
        good: &[Jv::S("portal"), Jv::S("sms")],
        bad: &[Jv::S("email")],
        errors: &[
            "Error: customer has opted out of email contact",
            "HTTP 403 Forbidden: email channel disabled for this account",
        ],
        domains: &[Support],
        tools: &[
            "send_reply",
            "survey_customer",
            "schedule_callback",
            "resend_invoice",
        ],
        file_exts: &[],
    },
    Recipe {
        param: "locale",
        good: &[Jv::S("en-GB"), Jv::S("de-DE"), Jv::S("fr-FR")],
        bad: &[],
        errors: &["Error: no template found for locale 'en-US' ({n} templates checked)"],
        domains: &[Support, Docs],
        tools: &[
            "send_reply",
            "create_macro",
            "apply_template",
            "create_draft",
            "translate_message",
        ],
        file_exts: &[],
    },
    Recipe {
        param: "style",
        good: &[Jv::S("apa7"), Jv::S("chicago-17")],
        bad: &[Jv::S("apa6"), Jv::S("chicago-16")],
        errors: &["Error: citation style '{bad}' is deprecated"],
        domains: &[Docs],
        tools: &["insert_citation", "update_bibliography", "lookup_reference"],
        file_exts: &[],
    },
    Recipe {
        param: "dpi",
        good: &[Jv::I(300), Jv::I(150)],
        bad: &[Jv::I(600), Jv::I(1200)],
        errors: &["Error: rendered output exceeds the {n} MB page limit"],
        domains: &[Docs],
        tools: &[
            "render_pdf",
            "insert_figure",
            "compress_pdf",
            "add_watermark",
        ],
        file_exts: &[],
    },
    Recipe {
        param: "use_partition_filter",
        good: &[Jv::B(true)],
        bad: &[],
        errors: &["Error: query would scan {n}.4 TB without a partition filter"],
        domains: &[Data],
        tools: &[
            "run_query",
            "export_csv",
            "profile_table",
            "compute_stats",
            "join_preview",
        ],
        file_exts: &[],
    },
    Recipe {
        param: "write_disposition",
        good: &[Jv::S("WRITE_TRUNCATE"), Jv::S("WRITE_APPEND")],
        bad: &[Jv::S("WRITE_EMPTY")],
        errors: &[
            "Error: destination table is not empty ({n} rows) and write_disposition is WRITE_EMPTY",
        ],
        domains: &[Data],
        tools: &[
            "load_table",
            "copy_table",
            "backfill_table",
            "materialize_view",
        ],
        file_exts: &[],
    },
    Recipe {
        param: "schema_version",
        good: &[Jv::S("v2"), Jv::S("v3")],
        bad: &[],
        errors: &["Error: schema mismatch: column '{field}' is INT64 in source, STRING in target"],
        domains: &[Data],
        tools: &[
            "load_table",
            "validate_schema",
            "register_dataset",
            "create_table",
        ],
        file_exts: &[],
    },
    Recipe {
        param: "workers",
        good: &[Jv::I(4), Jv::I(2)],
        bad: &[Jv::I(16), Jv::I(32)],
        errors: &[
            "Error: out of memory (exit 137) with {bad} workers",
            "Error: worker pool exhausted: {bad} workers exceed the {n} MB memory limit",
        ],
        domains: &[Coding, Data],
        tools: &[
            "run_tests",
            "run_benchmark",
            "backfill_table",
            "run_dbt_model",
            "build_image",
        ],
        file_exts: &[],
    },
    Recipe {
        param: "no_cache",
        good: &[Jv::B(true)],
        bad: &[],
        errors: &["Error: cache checksum mismatch on layer {n}"],
        domains: &[Coding],
        tools: &["build_image", "install_deps", "generate_docs"],
        file_exts: &[],
    },
    Recipe {
        param: "platform",
        good: &[Jv::S("linux/amd64")],
        bad: &[],
        errors: &[
            "Error: no matching manifest for linux/arm64 in the manifest list entries",
            "Error: exec format error (image built for arm64, node pool {n} is amd64)",
        ],
        domains: &[Coding],
        tools: &[
            "deploy_service",
            "build_image",
            "run_migration",
            "rollback_deploy",
        ],
        file_exts: &[],
    },
    Recipe {
        param: "strategy",
        good: &[Jv::S("rebase"), Jv::S("fast-forward")],
        bad: &[Jv::S("merge")],
        errors: &["HTTP 405 Method Not Allowed: merge commits are not allowed on this repository"],
        domains: &[Coding],
        tools: &["merge_pr"],
        file_exts: &[],
    },
    Recipe {
        param: "tier",
        good: &[Jv::S("tier2"), Jv::S("tier3")],
        bad: &[],
        errors: &["HTTP 409 Conflict: ticket already has a pending escalation at tier1"],
        domains: &[Support],
        tools: &["escalate_ticket", "assign_ticket"],
        file_exts: &[],
    },
    Recipe {
        param: "timezone",
        good: &[Jv::S("UTC"), Jv::S("Europe/Berlin")],
        bad: &[],
        errors: &[
            "Error: ambiguous local time during the DST change on 2025-03-30 ({n} runs affected)",
        ],
        domains: &[Data, Support],
        tools: &["schedule_job", "trigger_dag", "schedule_callback"],
        file_exts: &[],
    },
    Recipe {
        param: "auth",
        good: &[Jv::S("service-account"), Jv::S("workload-identity")],
        bad: &[],
        errors: &["HTTP 401 Unauthorized: user credentials cannot access project acme-{field}-{n}"],
        domains: &[Data, Coding],
        tools: &[
            "run_query",
            "load_table",
            "grant_access",
            "deploy_service",
            "publish_package",
        ],
        file_exts: &[],
    },
    Recipe {
        param: "format",
        good: &[Jv::S("csv"), Jv::S("parquet")],
        bad: &[Jv::S("xlsx")],
        errors: &["Error: xlsx cannot hold {n} rows (limit 1048576)"],
        domains: &[Data],
        tools: &["export_csv", "run_query", "sample_rows"],
        file_exts: &[],
    },
    Recipe {
        param: "batch_size",
        good: &[Jv::I(500), Jv::I(1000)],
        bad: &[Jv::I(5000), Jv::I(10000)],
        errors: &["Error: batch of {bad} rows exceeds the per-request limit of {n}"],
        domains: &[Data, Support],
        tools: &["load_table", "dedupe_table", "merge_tickets", "tag_ticket"],
        file_exts: &[],
    },
    Recipe {
        param: "confirm",
        good: &[Jv::B(true)],
        bad: &[],
        errors: &[
            "Error: destructive operation requires confirmation ({tool})",
            "HTTP 428 Precondition Required: confirm the {tool} request",
        ],
        domains: &[Data, Support, Coding],
        tools: &[
            "drop_partition",
            "vacuum_table",
            "rotate_partitions",
            "cancel_order",
            "void_payment",
            "rollback_deploy",
        ],
        file_exts: &[],
    },
    Recipe {
        param: "include_attachments",
        good: &[Jv::B(false)],
        bad: &[],
        errors: &["HTTP 413 Payload Too Large: attachments exceed {n} MB"],
        domains: &[Support],
        tools: &[
            "send_reply",
            "fetch_ticket",
            "merge_tickets",
            "add_internal_note",
        ],
        file_exts: &[],
    },
    Recipe {
        param: "template_version",
        good: &[Jv::S("2025-02"), Jv::S("2025-03")],
        bad: &[],
        errors: &["Error: template version 1 has been retired ({n} documents still use it)"],
        domains: &[Docs],
        tools: &[
            "apply_template",
            "create_draft",
            "number_headings",
            "generate_toc",
        ],
        file_exts: &[],
    },
    Recipe {
        param: "track_changes",
        good: &[Jv::B(false)],
        bad: &[],
        errors: &["Error: document has {n} unresolved tracked changes"],
        domains: &[Docs],
        tools: &[
            "sign_document",
            "share_document",
            "render_pdf",
            "archive_document",
        ],
        file_exts: &[],
    },
];

pub(crate) const ERROR_FIELDS: &[&str] = &[
    "priority",
    "shipping_method",
    "customer_ref",
    "line_items",
    "labels",
    "draft",
    "tax_code",
    "ledger",
    "cohort",
    "region_code",
];
pub(crate) const FONTS: &[&str] = &[
    "Calibri",
    "Garamond Premier",
    "Helvetica Neue",
    "Source Serif",
    "Avenir Next",
];

/// Transient failures for identical-retry noise.
pub(crate) const TRANSIENT: &[&str] = &[
    "HTTP 503 Service Unavailable",
    "HTTP 502 Bad Gateway: upstream connect error",
    "Error: connection reset by peer",
    "HTTP 429 Too Many Requests: rate limit exceeded, retry after 2s",
    "Error: temporary failure in name resolution",
    "HTTP 504 Gateway Timeout",
    "Error: lock wait timeout exceeded; try restarting transaction",
    "Error: ECONNRESET while reading response body",
    "HTTP 500 Internal Server Error: please retry",
    "Error: socket hang up",
];

/// A random value for a parameter.
pub(crate) fn value(rng: &mut Rng, val: Val) -> super::json::J<'static> {
    use super::json::J;
    let s = |text: String| J::owned(text);
    match val {
        Val::File(exts) => s(format!("/files/{}.{}", rng.pick(DOC_NAMES), rng.pick(exts))),
        Val::SrcFile => s(format!(
            "src/{}/{}.{}",
            rng.pick(MODULES),
            rng.pick(SRC_NAMES),
            rng.pick(SRC_EXTS)
        )),
        Val::Dir => s(match rng.below(3) {
            0 => format!("services/{}", rng.pick(SERVICES)),
            1 => format!("tests/{}", rng.pick(MODULES)),
            _ => format!("src/{}", rng.pick(MODULES)),
        }),
        Val::Branch => s(match rng.below(3) {
            0 => format!("feature/{}-{}", rng.pick(WORDS), rng.pick(WORDS)),
            1 => format!("fix/{}-{}", rng.pick(WORDS), rng.range(100, 999)),
            _ => format!("chore/{}", rng.pick(WORDS)),
        }),
        Val::Service => J::s(rng.pick_str(SERVICES)),
        Val::Env => J::s(rng.pick_str(&ENVS[..3])),
        Val::Repo => J::s(rng.pick_str(REPOS)),
        Val::Pr => J::Int(rng.range_i64(1200, 4800)),
        Val::Commit => s(format!(
            "{} {} in {}",
            rng.pick(&["Fix", "Handle", "Refactor", "Test", "Document"]),
            rng.pick(WORDS),
            rng.pick(MODULES)
        )),
        Val::Version => s(format!(
            "v{}.{}.{}",
            rng.range(1, 4),
            rng.range(0, 30),
            rng.range(0, 12)
        )),
        Val::OrderId => s(format!("ORD-{}", rng.digits(6))),
        Val::TicketId => s(format!("TCK-{}", rng.digits(5))),
        Val::CustomerEmail => s(customer_email(rng)),
        Val::Amount => J::Float((rng.range_i64(500, 40_000) as f64) / 100.0),
        Val::Sku => s(format!(
            "SKU-{}-{}",
            rng.chars(b"ABCDEFGHJKLMNPRSTUVWXYZ", 2),
            rng.digits(3)
        )),
        Val::Invoice => s(format!("INV-2025-{}", rng.digits(5))),
        Val::PaymentId => s(format!("pay_{}", rng.digits(10))),
        Val::Serial => s(format!("SN{}", rng.digits(8))),
        Val::Tracking => s(format!("1Z{}", rng.digits(16))),
        Val::Table => s(format!("{}.{}", rng.pick(SCHEMAS), rng.pick(ENTITIES))),
        Val::Column => J::s(rng.pick_str(COLUMNS)),
        Val::Sql => s(sql(rng)),
        Val::Model => J::s(rng.pick_str(DBT_MODELS)),
        Val::Dag => J::s(rng.pick_str(DAGS)),
        Val::Job => s(format!(
            "{}-{}",
            rng.pick(DAGS).replace('_', "-"),
            rng.pick(&["export", "refresh", "sync"])
        )),
        Val::JobId => s(format!("job_{}", rng.digits(6))),
        Val::Bucket => s(format!(
            "gs://acme-{}-{}/{}/",
            rng.pick(&["lake", "exports", "raw"]),
            rng.pick(&ENVS[..2]),
            rng.pick(ENTITIES)
        )),
        Val::Int(lo, hi) => J::Int(rng.range_i64(lo, hi)),
        Val::Bool => J::Bool(rng.chance(0.5)),
        Val::Pick(options) => J::s(rng.pick_str(options)),
        Val::Url => s(format!(
            "https://{}/{}",
            rng.pick(URL_HOSTS),
            rng.pick(URL_PATHS)
        )),
        Val::Date => s(format!(
            "2025-{:02}-{:02}",
            rng.range(1, 12),
            rng.range(1, 28)
        )),
        Val::Cron => J::s(rng.pick_str(CRONS)),
        Val::Title => J::s(rng.pick_str(TITLES)),
        Val::Message => J::s(rng.pick_str(MESSAGES)),
        Val::Query => J::s(rng.pick_str(QUERIES)),
        Val::Person => s(format!("{}@acme.io", rng.pick(PEOPLE))),
        Val::Channel => J::s(rng.pick_str(CHANNELS)),
        Val::Doi => s(format!(
            "10.{}/{}.{}.{}",
            rng.range(1000, 9999),
            rng.pick(WORDS),
            rng.range(2015, 2024),
            rng.range(10, 999)
        )),
        Val::Shell => J::s(rng.pick_str(SHELL)),
        Val::Ref(prefix) => s(format!("{prefix}_{}", rng.digits(6))),
    }
}

pub(crate) fn customer_email(rng: &mut Rng) -> String {
    format!(
        "{}.{}@{}",
        rng.pick(FIRST_NAMES).to_lowercase(),
        rng.pick(LAST_NAMES).to_lowercase(),
        rng.pick(CUSTOMER_DOMAINS)
    )
}

pub(crate) fn sql(rng: &mut Rng) -> String {
    let table = format!("{}.{}", rng.pick(SCHEMAS), rng.pick(ENTITIES));
    match rng.below(3) {
        0 => format!(
            "SELECT {}, count(*) AS n FROM {table} WHERE event_date >= '2025-{:02}-01' GROUP BY 1 ORDER BY 2 DESC LIMIT {}",
            rng.pick(COLUMNS),
            rng.range(1, 12),
            rng.range(10, 200)
        ),
        1 => format!(
            "SELECT sum(amount) FROM {table} WHERE status = '{}'",
            rng.pick(&["paid", "refunded", "open", "shipped"])
        ),
        _ => format!(
            "SELECT {}, {} FROM {table} LIMIT {}",
            rng.pick(COLUMNS),
            rng.pick(COLUMNS),
            rng.range(5, 100)
        ),
    }
}
