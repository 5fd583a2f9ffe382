//! Personal data: e-mail addresses of people.
//!
//! An address like `jane.doe@gmail.com` is not a credential, so the default
//! redaction leaves it alone (a memory that says "reports go to
//! `ops@acme.io`" is useful). It is personal data all the same, and a
//! caller that must not keep any opts in: [`personal_emails`] lists the
//! addresses, and a [`crate::Redactor`] built with
//! [`crate::Redactor::redact_personal_data`] replaces them, reported as
//! `personal_email`.
//!
//! Not personal, and never reported:
//!
//! * **role and bot mailboxes**: `noreply@…`, `support@…`, `security@…`,
//!   `git@github.com`, `dependabot[bot]@…`, `*bot@…`;
//! * **no-reply domains**: `*@users.noreply.github.com`, any domain with a
//!   `noreply` label;
//! * **documentation domains**: `example.com`, `example.org`, `example.net`
//!   and their subdomains, the reserved `.test` / `.example` / `.invalid` /
//!   `.localhost` names, and placeholders (`you@yourcompany.com`,
//!   `user@domain.com`);
//! * **things shaped like an address that are not one**: the user part of a
//!   URL (`https://alice@host/…`), retina asset names (`icon@2x.png`),
//!   package versions (`lodash@4.17.21`), matrix products in code
//!   (`q@k.transpose`), which the top-level-domain check rules out.
//!
//! The top-level domain must be a two-letter country code (minus those that
//! are also common file extensions: `.rs`, `.py`, `.md`, `.sh`, …) or one of
//! the generic domains people actually use for mail ([`GENERIC_TLDS`]). An
//! address at an exotic generic TLD is therefore missed; that trade keeps
//! code and file names out.

use std::sync::LazyLock;

use regex::Regex;
use serde::Serialize;

/// A byte range `start..end` in the text that was searched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Span {
    /// Byte offset (inclusive).
    pub start: usize,
    /// Byte offset (exclusive).
    pub end: usize,
}

impl Span {
    /// The spanned text, or `""` if the span does not fit `text`.
    pub fn text<'a>(&self, text: &'a str) -> &'a str {
        text.get(self.start..self.end).unwrap_or("")
    }
}

/// Kind reported for a personal e-mail address by a redactor that redacts
/// personal data.
pub(crate) const PERSONAL_EMAIL: &str = "personal_email";

/// Every personal e-mail address in `text`, in order.
///
/// "Personal" means an address that reaches a person: role mailboxes
/// (`support@acme.io`), bots and no-reply senders (`noreply@anthropic.com`,
/// `*@users.noreply.github.com`) and documentation addresses
/// (`alice@example.com`) are left out; see the module documentation for
/// the full rules. The curator calls this to ask whether a statement it is
/// about to keep names somebody:
///
/// ```
/// let text = "Send the invoice to jane.roe@gmail.com, cc billing@acme.io.";
/// let found = lucid_safety::personal_emails(text);
/// assert_eq!(found.len(), 1);
/// assert_eq!(found[0].text(text), "jane.roe@gmail.com");
/// assert!(lucid_safety::personal_emails("Co-Authored-By: Claude <noreply@anthropic.com>").is_empty());
/// ```
///
/// Linear in the text and allocation-free when the text holds no `@`.
pub fn personal_emails(text: &str) -> Vec<Span> {
    let mut out = Vec::new();
    for_each_personal_email(text, |start, end| out.push(Span { start, end }));
    out
}

/// Whether `text` contains a personal e-mail address ([`personal_emails`]
/// is non-empty), without collecting them.
pub fn contains_personal_email(text: &str) -> bool {
    let mut found = false;
    for_each_personal_email(text, |_, _| found = true);
    found
}

/// An address: local part, `@`, dotted domain ending in letters. The
/// pattern runs over an ASCII-lower-cased copy (same offsets).
static EMAIL: LazyLock<Regex> = LazyLock::new(|| {
    #[expect(clippy::expect_used, reason = "a constant pattern: the crate's tests compile every built-in one")]
    Regex::new(
        r"[a-z0-9_%+\-][a-z0-9._%+\-]{0,63}@(?:[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?\.)+[a-z]{2,24}",
    )
    .expect("constant e-mail pattern must compile")
});

pub(crate) fn for_each_personal_email(text: &str, mut emit: impl FnMut(usize, usize)) {
    if !text.as_bytes().contains(&b'@') {
        return;
    }
    let lower = text.to_ascii_lowercase();
    let bytes = lower.as_bytes();
    for m in EMAIL.find_iter(&lower) {
        let (start, end) = (m.start(), m.end());
        // Starts in the middle of a longer token, or is glued to a word
        // after the domain (`a@b.cd_x`): not an address boundary.
        let glued_before = start > 0 && is_local_byte(bytes[start - 1]);
        let glued_after = bytes
            .get(end)
            .is_some_and(|&b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'@'));
        if glued_before || glued_after || in_url_authority(bytes, start) {
            continue;
        }
        // A call or index right after it is code (`q@k.transpose(`).
        if matches!(bytes.get(end), Some(b'(' | b'[')) {
            continue;
        }
        let address = &lower[start..end];
        let Some((local, domain)) = address.rsplit_once('@') else {
            continue;
        };
        if personal(local, domain) {
            emit(start, end);
        }
    }
}

fn is_local_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'%' | b'+' | b'-')
}

/// `https://alice@host/` and `ssh://git:pw@host`: the user of a URL.
fn in_url_authority(bytes: &[u8], start: usize) -> bool {
    let mut j = start;
    while j > 0 {
        let b = bytes[j - 1];
        if b == b'/' {
            return j >= 2 && bytes[j - 2] == b'/';
        }
        if b.is_ascii_whitespace() || matches!(b, b'"' | b'\'' | b'<' | b'>' | b'(' | b'`') {
            return false;
        }
        j -= 1;
    }
    false
}

/// Mailboxes of a function, a team or a program, not of a person
/// (compared without a `+tag`).
const ROLE_LOCAL_PARTS: &[&str] = &[
    "abuse",
    "accounts",
    "accounting",
    "admin",
    "administrator",
    "alerts",
    "announce",
    "billing",
    "bot",
    "bounce",
    "bounces",
    "build",
    "builds",
    "careers",
    "ci",
    "community",
    "compliance",
    "contact",
    "daemon",
    "dev",
    "developers",
    "devops",
    "dmca",
    "docs",
    "donotreply",
    "do-not-reply",
    "enquiries",
    "feedback",
    "finance",
    "git",
    "github-actions",
    "hello",
    "help",
    "helpdesk",
    "hostmaster",
    "hr",
    "info",
    "inquiries",
    "it",
    "jobs",
    "legal",
    "license",
    "licensing",
    "mail",
    "mailer-daemon",
    "maintainers",
    "marketing",
    "media",
    "news",
    "newsletter",
    "no-reply",
    "no_reply",
    "nobody",
    "noc",
    "noreply",
    "notifications",
    "notification",
    "notify",
    "office",
    "ops",
    "opensource",
    "orders",
    "partners",
    "payments",
    "postmaster",
    "press",
    "privacy",
    "qa",
    "receipts",
    "recruiting",
    "release",
    "releases",
    "reply",
    "root",
    "sales",
    "security",
    "service",
    "services",
    "staff",
    "support",
    "sysadmin",
    "team",
    "updates",
    "webmaster",
    "www",
    // Projects, lists and functions seen in real package metadata.
    "author",
    "authors",
    "board",
    "coc",
    "conduct",
    "contributors",
    "core",
    "data",
    "design",
    "developer",
    "engineering",
    "events",
    "infra",
    "infrastructure",
    "list",
    "lists",
    "maintainer",
    "moderators",
    "oncall",
    "owner",
    "owners",
    "platform",
    "product",
    "report",
    "reports",
    "research",
    "sponsors",
    "sre",
    "steering",
];

/// Suffixes of mailing-list addresses (`openssl-dev@`, `tokio-users@`).
const LIST_SUFFIXES: &[&str] = &[
    "-dev",
    "-devel",
    "-users",
    "-announce",
    "-discuss",
    "-help",
    "-owner",
    "-request",
    "-bugs",
    "-security",
    "-team",
    "-core",
    "-maintainers",
    "-admin",
    "-commits",
    "-notifications",
];

/// Domains whose addresses name no person: SSH algorithm names
/// (`chacha20-poly1305@openssh.com`) and mailing-list hosts.
const NON_PERSONAL_DOMAINS: &[&str] = &["openssh.com", "libssh.org", "googlegroups.com"];

/// Local parts written in documentation instead of a real person's.
const PLACEHOLDER_LOCAL_PARTS: &[&str] = &[
    "user",
    "username",
    "name",
    "email",
    "e-mail",
    "you",
    "your",
    "yourname",
    "your.name",
    "your-name",
    "your_name",
    "youremail",
    "your.email",
    "your-email",
    "your_email",
    "me",
    "someone",
    "somebody",
    "firstname.lastname",
    "first.last",
    "firstname",
    "test",
    "foo",
    "bar",
];

/// Generic top-level domains used for mail. Two-letter country codes are
/// accepted separately.
const GENERIC_TLDS: &[&str] = &[
    "com",
    "org",
    "net",
    "edu",
    "gov",
    "mil",
    "int",
    "info",
    "biz",
    "name",
    "pro",
    "dev",
    "app",
    "xyz",
    "tech",
    "cloud",
    "online",
    "site",
    "email",
    "mail",
    "page",
    "blog",
    "shop",
    "store",
    "live",
    "life",
    "world",
    "space",
    "today",
    "team",
    "works",
    "systems",
    "solutions",
    "company",
    "group",
    "agency",
    "studio",
    "digital",
    "network",
    "services",
    "software",
    "codes",
    "engineering",
    "consulting",
    "family",
    "club",
    "one",
    "top",
    "design",
    "media",
    "news",
    "academy",
    "school",
    "university",
    "ltd",
    "llc",
    "inc",
    "gmbh",
    "coop",
    "museum",
    "aero",
    "jobs",
    "travel",
    "social",
    "zone",
    "work",
    "expert",
    "global",
    "ninja",
    "rocks",
    "photo",
    "photography",
    "art",
    "health",
    "law",
    "capital",
    "finance",
    "fund",
    "money",
];

/// Country codes that are also common file extensions: `main@v2.rs`,
/// `run@home.sh` are names of files, not addresses.
const FILE_LIKE_CC_TLDS: &[&str] = &[
    "rs", "md", "py", "sh", "cc", "so", "rb", "hs", "ml", "ps", "mk", "gz", "js", "ts", "cs", "go",
    "kt", "tf",
];

/// Placeholder domains of documentation (beyond the reserved ones).
fn placeholder_domain(domain: &str) -> bool {
    let first = domain.split('.').next().unwrap_or("");
    matches!(
        first,
        "domain"
            | "yourdomain"
            | "your-domain"
            | "mydomain"
            | "yourcompany"
            | "your-company"
            | "company"
            | "email"
            | "somewhere"
            | "foo"
            | "bar"
            | "baz"
    ) && domain.matches('.').count() == 1
}

fn personal(local: &str, domain: &str) -> bool {
    let tld = domain.rsplit('.').next().unwrap_or("");
    let tld_ok = if tld.len() == 2 {
        !FILE_LIKE_CC_TLDS.contains(&tld)
    } else {
        GENERIC_TLDS.contains(&tld)
    };
    if !tld_ok {
        return false;
    }
    // Documentation and reserved names (RFC 2606 / 6761).
    let reserved = ["example.com", "example.org", "example.net"]
        .iter()
        .any(|d| domain == *d || domain.ends_with(&format!(".{d}")))
        || domain.split('.').any(|l| {
            matches!(
                l,
                "example" | "test" | "invalid" | "localhost" | "noreply" | "no-reply"
            )
        });
    let non_personal = NON_PERSONAL_DOMAINS.contains(&domain)
        || domain
            .split('.')
            .any(|l| matches!(l, "lists" | "list" | "groups"));
    if reserved || non_personal || placeholder_domain(domain) {
        return false;
    }
    let local = local.split('+').next().unwrap_or(local);
    if local.is_empty()
        || ROLE_LOCAL_PARTS.contains(&local)
        || PLACEHOLDER_LOCAL_PARTS.contains(&local)
    {
        return false;
    }
    // `noreply-builds@`, `no-reply.alerts@`, `renovatebot@`,
    // `dependabot[bot]` (GitHub writes `…[bot]@users.noreply…`, caught above).
    let role_prefix = [
        "noreply",
        "no-reply",
        "no_reply",
        "donotreply",
        "do-not-reply",
    ]
    .iter()
    .any(|p| local.contains(p))
        || local.starts_with("bounce");
    // Test fixtures and templates: `t@t.com`, gettext's `LL@li.org`.
    let label = domain.split('.').next().unwrap_or("");
    if (local.len() <= 2 && label.len() <= 2) || domain == "li.org" {
        return false;
    }
    let bot = local.ends_with("bot");
    let list = LIST_SUFFIXES.iter().any(|s| local.ends_with(s));
    // Message ids (`20200505095915.11275-7-jdoe@…`, `TYCPR01MB…@…outlook.com`)
    // are long and full of digits; they reference a mail, not a mailbox.
    let digits = local.bytes().filter(u8::is_ascii_digit).count();
    let message_id = local.len() > 24 && digits >= 8;
    !(role_prefix || bot || list || message_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_and_rules() {
        let text = "ping Jane.Roe+lists@Gmail.com or ops@acme.io";
        let found = personal_emails(text);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].text(text), "Jane.Roe+lists@Gmail.com");
        for not_personal in [
            "noreply@anthropic.com",
            "12345+octocat@users.noreply.github.com",
            "dependabot[bot]@users.noreply.github.com",
            "alice@example.com",
            "bob@mail.example.org",
            "git@github.com:org/repo.git",
            "https://alice@github.com/org/repo",
            "icon@2x.png",
            "lodash@4.17.21",
            "you@yourcompany.com",
            "renovatebot@gmail.com",
            "carol@build.test",
        ] {
            assert!(personal_emails(not_personal).is_empty(), "{not_personal}");
        }
        assert!(contains_personal_email(
            "mailto:k.tanaka@tanaka-shoji.co.jp"
        ));
        assert!(!contains_personal_email("no at sign here"));
    }
}
