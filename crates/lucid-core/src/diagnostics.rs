//! Findings of code checkers (linters, static analysers) in command output and pasted text.
//!
//! A finding names the rule it breaks: golangci-lint ends a line with the linter
//! (`… make it a constant (goconst)`), ruff, flake8, pylint and staticcheck start the message
//! with a code (`E501`, `C0114:`, `SA5011:`), ESLint ends its line with the rule
//! (`no-unused-vars`). The same rule breaking in several sessions is a mistake the agents keep
//! making in this project, whatever file or line it was on. Compiler errors and failing tests
//! name no rule and are not findings: they are the work itself.

/// One finding: the rule it names and what the checker said, without the file and line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Finding {
    /// The rule as the checker names it (`goconst`, `SA5011`, `no-unused-vars`).
    pub(crate) rule: String,
    /// The checker's message, without the location and the rule.
    pub(crate) message: String,
    /// The file the finding is in, as the checker printed it (`cmd/cli/a_test.go`), when the
    /// line or an ESLint header above it names one: where the fix for it was made.
    pub(crate) file: Option<String>,
}

/// Lines of one text read at most: a checker prints its findings first.
const MAX_LINES: usize = 400;
/// Findings kept from one text at most.
const MAX_FINDINGS: usize = 40;

/// Rule names that report something other than a style rule: golangci-lint's `typecheck` is the
/// compiler's error, not a linter's finding.
const NOT_RULES: &[&str] = &["typecheck"];

/// The findings in a text, in order, one per line that has one.
pub(crate) fn findings(text: &str) -> Vec<Finding> {
    let mut found = Vec::new();
    // ESLint's stylish output names the file once, on a line of its own above its findings.
    let mut header_file: Option<&str> = None;
    for line in text.lines().take(MAX_LINES) {
        if found.len() >= MAX_FINDINGS {
            break;
        }
        let line = line.trim();
        // staticcheck's pointer to where a finding started is a second line about the same one.
        if line.contains("(related information)") {
            continue;
        }
        if looks_like_path(line) {
            header_file = Some(line);
            continue;
        }
        let located = split_location(line);
        let finding = match located {
            Some((path, rest)) => finding_in(rest).map(|f| Finding {
                file: Some(path.to_string()),
                ..f
            }),
            None => eslint_finding(line).map(|f| Finding {
                file: header_file.map(str::to_string),
                ..f
            }),
        };
        if let Some(finding) = finding {
            found.push(finding);
        }
    }
    found
}

/// Whether a word is a file path (`src/App.jsx`, `/home/dev/a.py`): no spaces, a slash or a
/// dot, no URL scheme.
fn looks_like_path(word: &str) -> bool {
    !word.is_empty()
        && !word.contains(char::is_whitespace)
        && (word.contains('/') || word.contains('.'))
        && !word.contains("://")
        && !word.contains(':')
}

/// What follows a `path:line:` or `path:line:col:` location, when the line starts with one
/// (`src/a.rs:12:5: error …`, `a.py:3: E999 …`): also how `channels` knows a pasted diagnostic.
pub(crate) fn after_location(line: &str) -> Option<&str> {
    split_location(line)
        .map(|(_, rest)| rest)
        .or_else(|| after_compiler_location(line))
}

/// What follows the location MSBuild, the C# and TypeScript compilers print, when a line opens
/// with one and a severity follows (`Program.cs(41,14): warning ASP0011: …`,
/// `src/routes/agent.ts(8,33): error TS6133: …`, also after a Windows path with spaces).
fn after_compiler_location(line: &str) -> Option<&str> {
    let close = line.find("): ")?;
    let open = line[..close].rfind('(')?;
    let position = &line[open + 1..close];
    let numbers = position.split(',').collect::<Vec<_>>();
    let file = &line[..open];
    let rest = line[close + 3..].trim_start();
    let is_number = |n: &&str| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit());
    let name = crate::tools::file_name(file);
    let named_file = name.contains('.') && !name.contains(' ') && !name.ends_with('.');
    let severity = ["error", "warning", "info", "note"]
        .iter()
        .any(|level| rest.starts_with(level));
    ((1..=2).contains(&numbers.len()) && numbers.iter().all(is_number) && named_file && severity)
        .then_some(rest)
}

/// The path of a `path:line:` or `path:line:col:` location and what follows it.
fn split_location(line: &str) -> Option<(&str, &str)> {
    // A Windows path opens with its drive (`D:\code\probe.py:90: FutureWarning: …`): the
    // location's first colon is the one after it.
    let drive = line.len() > 3
        && line.as_bytes()[0].is_ascii_alphabetic()
        && line.as_bytes()[1] == b':'
        && matches!(line.as_bytes()[2], b'\\' | b'/');
    let skip = if drive { 2 } else { 0 };
    let colon = skip + line[skip..].find(':')?;
    let (path, rest) = (&line[..colon], &line[colon + 1..]);
    if !looks_like_path(&path[skip..]) {
        return None;
    }
    let (line_number, rest) = rest.split_once(':')?;
    if line_number.is_empty() || !line_number.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    // An optional column.
    let rest = match rest.split_once(':') {
        Some((column, after))
            if !column.is_empty() && column.chars().all(|c| c.is_ascii_digit()) =>
        {
            after
        }
        _ => rest,
    };
    Some((path, rest.trim()))
}

/// The rule and message of what follows a location: a leading code (`SA5011: …`, `E501 …`) or
/// a trailing `(linter)`.
fn finding_in(rest: &str) -> Option<Finding> {
    let (first, after_first) = rest.split_once(' ').unwrap_or((rest, ""));
    let code = first.strip_suffix(':').unwrap_or(first);
    if is_rule_code(code) {
        // ruff marks a finding it can fix itself with `[*]`.
        let message = without_trailing_rule(after_first.trim().trim_start_matches("[*]").trim());
        return (!message.is_empty()).then(|| Finding {
            rule: code.to_string(),
            message: message.to_string(),
            file: None,
        });
    }
    let body = rest.strip_suffix(')')?;
    let open = body.rfind('(')?;
    let name = &body[open + 1..];
    if !is_rule_name(name) || NOT_RULES.contains(&name) {
        return None;
    }
    let message = body[..open].trim();
    (message.split_whitespace().count() >= 2).then(|| Finding {
        rule: name.to_string(),
        message: message.to_string(),
        file: None,
    })
}

/// A checker's rule code: one to four capitals and two to five digits (`E501`, `SA5011`,
/// `C0114`). TypeScript's `TS2345` is the compiler's, not a rule's.
fn is_rule_code(word: &str) -> bool {
    let letters = word.chars().take_while(char::is_ascii_uppercase).count();
    let digits = word.len() - letters;
    (1..=4).contains(&letters)
        && (2..=5).contains(&digits)
        && word[letters..].chars().all(|c| c.is_ascii_digit())
        && !word.starts_with("TS")
}

/// A linter's name or a rule's (`goconst`, `missing-module-docstring`): lower case, no spaces.
fn is_rule_name(word: &str) -> bool {
    (3..=40).contains(&word.len())
        && word.starts_with(|c: char| c.is_ascii_lowercase())
        && word
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '_'))
}

/// A message without the `(staticcheck)` or `(missing-module-docstring)` that repeats its rule.
fn without_trailing_rule(message: &str) -> &str {
    if let Some(body) = message.strip_suffix(')')
        && let Some(open) = body.rfind('(')
        && is_rule_name(&body[open + 1..])
    {
        return body[..open].trim_end();
    }
    message
}

/// An ESLint line: "stylish" (`12:5  error  'x' is defined but never used  no-unused-vars`) or
/// as Create React App and webpack print it (`Line 8:29:  'x' is assigned a value but never
/// used  no-unused-vars`).
fn eslint_finding(line: &str) -> Option<Finding> {
    let (stylish, line) = match line.strip_prefix("Line ") {
        Some(rest) => (false, rest),
        None => (true, line),
    };
    let (position, rest) = line.split_once(char::is_whitespace)?;
    let position = position.strip_suffix(':').unwrap_or(position);
    let (row, column) = position.split_once(':')?;
    if row.is_empty()
        || column.is_empty()
        || !row
            .chars()
            .chain(column.chars())
            .all(|c| c.is_ascii_digit())
    {
        return None;
    }
    let rest = rest.trim_start();
    let rest = if stylish {
        rest.strip_prefix("error")
            .or_else(|| rest.strip_prefix("warning"))?
    } else {
        rest
    };
    let (message, rule) = rest.trim().rsplit_once("  ")?;
    let rule = rule.trim();
    // Rule names have a dash or a plugin's slash (`no-unused-vars`, `react/jsx-key`).
    let named = rule.contains(['-', '/'])
        && rule
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '/' | '@'));
    let message = message.trim();
    (named && !message.is_empty()).then(|| Finding {
        rule: rule.to_string(),
        message: message.to_string(),
        file: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(text: &str) -> Vec<(String, String)> {
        findings(text)
            .into_iter()
            .map(|f| (f.rule, f.message))
            .collect()
    }

    #[test]
    fn checkers_name_their_rules() {
        let output = "\
[lint] $ golangci-lint run ./...
cmd/cli/transcript.go:95:24: string `user` has 5 occurrences, but such constant `typeUser` already exists (goconst)
\t\tif role == \"user\" {
  cmd/cli/detached_test.go:96:5: SA5011(related information): this check suggests that the pointer can be nil (staticcheck)
  cmd/cli/detached_test.go:100:23: SA5011: possible nil pointer dereference (staticcheck)
app/models.py:12:80: E501 Line too long (101 > 88)
app/views.py:3:8: F401 [*] `os` imported but unused
app/__init__.py:1:0: C0114: Missing module docstring (missing-module-docstring)
/home/dev/web/src/App.jsx
  12:5  error    'user' is assigned a value but never used  no-unused-vars
  30:9  warning  Missing \"key\" prop for element in iterator  react/jsx-key
Line 8:29:  'setAnimationDuration' is assigned a value but never used  no-unused-vars
";
        assert_eq!(
            rules(output),
            [
                (
                    "goconst",
                    "string `user` has 5 occurrences, but such constant `typeUser` already exists"
                ),
                ("SA5011", "possible nil pointer dereference"),
                ("E501", "Line too long (101 > 88)"),
                ("F401", "`os` imported but unused"),
                ("C0114", "Missing module docstring"),
                (
                    "no-unused-vars",
                    "'user' is assigned a value but never used"
                ),
                (
                    "react/jsx-key",
                    "Missing \"key\" prop for element in iterator"
                ),
                (
                    "no-unused-vars",
                    "'setAnimationDuration' is assigned a value but never used"
                ),
            ]
            .map(|(rule, message)| (rule.to_string(), message.to_string()))
        );
        // Where each finding is: its location, or for ESLint the file header above it (the
        // Create React App line has no header of its own and keeps the last one).
        let files: Vec<Option<String>> = findings(output).into_iter().map(|f| f.file).collect();
        let file = |path: &str| Some(path.to_string());
        assert_eq!(
            files,
            [
                file("cmd/cli/transcript.go"),
                file("cmd/cli/detached_test.go"),
                file("app/models.py"),
                file("app/views.py"),
                file("app/__init__.py"),
                file("/home/dev/web/src/App.jsx"),
                file("/home/dev/web/src/App.jsx"),
                file("/home/dev/web/src/App.jsx"),
            ]
        );
    }

    /// Compiler errors, failing tests and prose name no rule: they are the work, not a habit.
    #[test]
    fn errors_without_a_rule_are_not_findings() {
        let output = "\
main.go:10:2: undefined: foo (typecheck)
src/app.ts(12,5): error TS2345: Argument of type 'string' is not assignable.
src/main.rs:3:5: error[E0308]: mismatched types
tests/test_api.py:42: AssertionError: expected 3 (got 4)
--- FAIL: TestParse (0.00s)
    parse_test.go:17: got \"a\", want \"b\"
See https://example.com:443/docs (manual)
Note: the build took 3.2s (cached)
";
        assert!(findings(output).is_empty(), "{:?}", findings(output));
    }
}
