//! What a tool call *did*, comparable across sessions and harnesses.
//!
//! Agents run most of their work through one general tool (`Bash`, `exec_command`,
//! `execute_command`, a bare `bash` block): comparing calls by tool name would make every
//! session's every step "the same". A call's **identity** is its tool for specific tools
//! (`Read`, `Edit`, `str_replace_editor view`) and its *command head* for shell tools — the
//! program and its subcommand, after `cd …&&`, environment assignments and wrappers like `sudo`
//! or `timeout 60`: `git push`, `mise run lint`, `python -m pytest`, `python reproduce.py`.

use serde_json::Value;

/// Tool names that run a shell command.
const SHELL_TOOLS: &[&str] = &[
    "bash",
    "shell",
    "sh",
    "zsh",
    "exec_command",
    "execute_command",
    "run_command",
    "run_shell_command",
    // Codex CLI's shell tool since 0.7x (`{"command": "…", "workdir": "…"}`).
    "shell_command",
    "run_terminal_cmd",
    "run_in_terminal",
    "terminal",
    "local_shell",
    "container.exec",
    "cmd",
    "powershell",
    "command",
    "execute_bash",
    "cmd_run",
    "run",
];

/// Tools that change files, lower case, across harnesses: Claude Code (`Edit`, `MultiEdit`,
/// `Write`, `NotebookEdit`), Codex (`apply_patch`), Cline and Roo Code (`replace_in_file`,
/// `write_to_file`, `insert_content`, `search_and_replace`), OpenHands and SWE-agent editors
/// (`str_replace`, `create`, `insert`, `edit_file`), Gemini CLI (`replace`, `write_file`),
/// Google Antigravity (`replace_file_content`, `multi_replace_file_content`), Cline's UI log
/// (`editedExistingFile`, `newFileCreated`).
const FILE_EDIT_TOOLS: &[&str] = &[
    "edit",
    "multiedit",
    "write",
    "notebookedit",
    "apply_patch",
    "replace_in_file",
    "write_to_file",
    "insert_content",
    "search_and_replace",
    "create",
    "insert",
    "str_replace",
    "edit_file",
    "create_file",
    "write_file",
    "replace",
    "replace_file_content",
    "multi_replace_file_content",
    "patch",
    // Cline's UI log, read when a task has no API history.
    "editedexistingfile",
    "newfilecreated",
];

/// Whether a tool (its name, in any case) changes files.
pub fn is_file_edit_tool(name: &str) -> bool {
    FILE_EDIT_TOOLS.contains(&name.to_ascii_lowercase().as_str())
}

/// Whether a tool runs shell commands.
pub fn is_shell_tool(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let last = lower.rsplit(['.', ':', '/']).next().unwrap_or(&lower);
    SHELL_TOOLS.contains(&lower.as_str()) || SHELL_TOOLS.contains(&last)
}

/// The command line of a shell tool call, from the parameter shapes harnesses use: `command`
/// (a string, or an argv list like `["bash", "-lc", "…"]`), `cmd`, `commands`, `script`.
pub fn command_text(input: &Value) -> Option<String> {
    let object = input.as_object()?;
    for key in ["command", "cmd", "commands", "script", "code"] {
        match object.get(key) {
            Some(Value::String(text)) if !text.trim().is_empty() => {
                return Some(text.trim().to_string());
            }
            Some(Value::Array(items)) => {
                let parts: Vec<&str> = items.iter().filter_map(Value::as_str).collect();
                if parts.is_empty() {
                    continue;
                }
                // `["bash", "-lc", "git status"]`: the script is the last argument.
                if parts.len() >= 3
                    && matches!(parts[0], "bash" | "sh" | "zsh" | "/bin/bash" | "/bin/sh")
                    && parts[1].starts_with('-')
                {
                    return Some(parts[parts.len() - 1].trim().to_string());
                }
                return Some(parts.join(" "));
            }
            _ => {}
        }
    }
    None
}

/// Programs whose first argument names what they do (`git push`, `npm test`, `cargo build`).
const SUBCOMMAND_PROGRAMS: &[&str] = &[
    "git",
    "npm",
    "pnpm",
    "yarn",
    "bun",
    "cargo",
    "go",
    "mise",
    "docker",
    "kubectl",
    "gh",
    "pip",
    "pip3",
    "uv",
    "poetry",
    "make",
    "just",
    "npx",
    "bunx",
    "dotnet",
    "terraform",
    "helm",
    "brew",
    "apt",
    "apt-get",
    "rustup",
    "deno",
    "node",
    "conda",
    "pipx",
    "tox",
    "nox",
    "hatch",
    "pdm",
    "gradle",
    "mvn",
    "bazel",
    "systemctl",
    "journalctl",
    "aws",
    "gcloud",
    "az",
    "flyctl",
    "bd",
    "prek",
    "pre-commit",
    "composer",
    "swift",
    "zig",
    "dune",
    "opam",
    "mix",
    "rake",
    "bundle",
];

/// Options that programs with subcommands take before the subcommand, each with a value in the
/// next word: where to run (`git -C repo`, `make -C dir`, `npm --prefix app`, `yarn --cwd app`,
/// `uv --directory app`), which package (`pnpm --filter web`), which file, repository or
/// namespace (`just -f ci.just`, `gh -R owner/repo`, `kubectl -n prod`), which setting
/// (`git -c key=value`).
const GLOBAL_OPTIONS_WITH_VALUE: &[&str] = &[
    "-C",
    "--filter",
    "-F",
    "--dir",
    "--prefix",
    "--cwd",
    "--directory",
    "--project",
    "--manifest-path",
    "-f",
    "--file",
    "--justfile",
    "-R",
    "--repo",
    "-n",
    "--namespace",
    "--context",
    "-c",
    "--config",
    "--workspace",
];

/// Whether a word names a program this module knows (`yarn`, `poetry`, `kubectl`): a tool's
/// name even written in lower case ("we no longer use yarn").
pub fn is_known_program(word: &str) -> bool {
    let word = word.to_ascii_lowercase();
    SUBCOMMAND_PROGRAMS.contains(&word.as_str()) || INTERPRETERS.contains(&word.as_str())
}

/// Whether a tool call runs code written into its input (a Node or Python REPL tool called with
/// `{"code": "…"}`, a browser tool's script), not a command line: like `python3 -c '…'`, what
/// it did is in the code, which its name (`js`, `python`) does not say.
pub fn runs_code_it_is_given(name: &str, input: &Value) -> bool {
    let Some(object) = input.as_object() else {
        return false;
    };
    // Cheapest first: most calls have no `code` at all.
    object
        .get("code")
        .is_some_and(|code| code.as_str().is_some_and(|text| !text.trim().is_empty()))
        && !["command", "cmd", "commands", "script"]
            .iter()
            .any(|key| object.contains_key(*key))
        && !is_shell_tool(name)
}

/// Whether a program runs a script or module it is given (`python`, `node`, `bash`): its name
/// says nothing of what the command works on.
pub fn is_interpreter(word: &str) -> bool {
    INTERPRETERS.contains(&word.to_ascii_lowercase().as_str())
}

/// Whether a command installs something (`pip install pytest`, `npm install`, `uv add httpx`):
/// it prepares another command, it does not do that command's work.
pub fn installs(command: &str) -> bool {
    let words: Vec<&str> = command.split_whitespace().collect();
    words.iter().enumerate().any(|(at, word)| {
        *word == "install"
            || (*word == "add"
                && at > 0
                && matches!(
                    file_name(words[at - 1]),
                    "uv" | "poetry" | "yarn" | "pnpm" | "cargo" | "bun"
                ))
    })
}

/// Whether a word is the shell's plumbing (`echo`, `sleep`, `true`, `then`, `/dev/null`'s
/// `null`): it joins commands or prints around them, so two commands sharing it share nothing
/// they work on.
pub fn is_shell_plumbing(word: &str) -> bool {
    SHELL_PLUMBING.contains(&word.to_ascii_lowercase().as_str())
}

const SHELL_PLUMBING: &[&str] = &[
    "echo", "printf", "sleep", "true", "false", "exit", "wait", "then", "else", "elif", "done",
    "null", "mktemp", "read", "2>&1",
];

/// Programs that take a script or module: the script is part of what they do.
const INTERPRETERS: &[&str] = &[
    "python", "python3", "python2", "node", "ruby", "perl", "bash", "sh", "deno", "tsx", "ts-node",
];

/// Wrappers that run another command.
const WRAPPERS: &[&str] = &[
    "sudo", "time", "nohup", "env", "exec", "command", "builtin", "nice", "stdbuf", "xargs",
];

/// A shell command without its prose: the text of a message option (`git commit -m "…"`, `gh
/// pr create --title "…" --body "…"`, a message written through `-m "$(cat <<'EOF' … EOF)"`),
/// whose words say what the work was about, not what the command works on. A here-document
/// fed to a program (`python3 - <<'EOF'`) is its input and stays.
pub fn without_prose(command: &str) -> String {
    const MESSAGE_OPTIONS: &[&str] = &["-m", "--message", "--title", "--body"];
    let opens_message = |before: &str| {
        before
            .split_whitespace()
            .rev()
            .nth(1)
            .is_some_and(|option| MESSAGE_OPTIONS.contains(&option.split('=').next().unwrap_or("")))
            || MESSAGE_OPTIONS
                .iter()
                .any(|option| before.contains(&format!("{option}=\"$(cat")))
    };
    let commands = lines_without_heredocs_opened(command, opens_message)
        .collect::<Vec<_>>()
        .join("\n");
    let mut out = String::with_capacity(commands.len());
    let mut rest = commands.as_str();
    while let Some(at) = MESSAGE_OPTIONS
        .iter()
        .filter_map(|option| {
            rest.match_indices(option)
                .find(|(at, _)| {
                    rest[..*at].ends_with(char::is_whitespace)
                        && rest[at + option.len()..]
                            .strip_prefix([' ', '='])
                            .is_some_and(|value| value.starts_with(['"', '\'']))
                })
                .map(|(at, _)| (at, option.len()))
        })
        .min()
    {
        let (start, len) = at;
        let value = &rest[start + len + 1..];
        let quote = value.chars().next().unwrap_or('"');
        out.push_str(&rest[..start + len]);
        // The closing quote, or the end of the command when it is missing.
        rest = match value[1..].find(quote) {
            Some(end) => &value[end + 2..],
            None => "",
        };
    }
    out.push_str(rest);
    out
}

/// The lines of a shell command that are commands: the body of a here-document (`cat <<'EOF'`
/// … `EOF`) is data, and is left out.
pub fn lines_outside_heredocs(command: &str) -> impl Iterator<Item = &str> {
    lines_without_heredocs_opened(command, |_| true)
}

/// The lines of a shell command without the bodies of the here-documents whose line, before
/// its `<<`, `opened_by` accepts.
fn lines_without_heredocs_opened<'c>(
    command: &'c str,
    opened_by: impl Fn(&str) -> bool + 'c,
) -> impl Iterator<Item = &'c str> {
    let mut heredoc_end: Option<&str> = None;
    command.lines().filter(move |line| {
        if let Some(end) = heredoc_end {
            if line.trim() == end {
                heredoc_end = None;
            }
            return false;
        }
        if let Some((before, after)) = line.split_once("<<")
            && opened_by(before)
        {
            heredoc_end = heredoc_delimiter(after);
        }
        true
    })
}

/// The word that ends a here-document, from what follows its `<<` (`'EOF'`, `-EOF`); `None` for
/// a here-string (`<<<`).
fn heredoc_delimiter(after: &str) -> Option<&str> {
    let delimiter = after
        .trim_start_matches(['-', '~'])
        .split_whitespace()
        .next()
        .unwrap_or("")
        .trim_matches(['\'', '"']);
    (!delimiter.is_empty() && !delimiter.starts_with('<')).then_some(delimiter)
}

/// Every program a command line runs, by name: the first word of each segment of a chain or
/// pipeline on any of its first lines, and what a wrapper runs (`sudo tee` runs `sudo` and
/// `tee`). `cat <<EOF | sudo tee /etc/x` runs `cat`, `sudo` and `tee`. A program's own
/// complaint (`sudo: a terminal is required …`) names one of these.
pub fn programs_of(command: &str) -> Vec<String> {
    const MAX_LINES: usize = 40;
    let mut programs: Vec<String> = Vec::new();
    let mut add = |word: &str| {
        let name = file_name(word);
        if plain_word(name)
            && name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
            && !programs.iter().any(|p| p == name)
        {
            programs.push(name.to_string());
        }
    };
    for line in lines_outside_heredocs(command).take(MAX_LINES) {
        for segment in line
            .split("&&")
            .flat_map(|s| s.split("||"))
            .flat_map(|s| s.split([';', '|']))
            .flat_map(|s| s.split("$("))
        {
            let Some(segment) = shell_command_of(segment.trim_start_matches(['(', '`', ' ']))
            else {
                continue;
            };
            for word in without_assignments(segment).split_whitespace() {
                add(word);
                if !WRAPPERS.contains(&word) {
                    break;
                }
            }
        }
    }
    programs
}

/// Whether a program only sets the stage for the work (`cd`, `pushd`, PowerShell's
/// `Set-Location`, `source`, `export`, `set`, `pwd`, `sleep`): it changes where, with what or
/// when the next command runs, or says where that is.
pub(crate) fn sets_the_stage(program: &str) -> bool {
    const STAGING: &[&str] = &[
        "cd",
        "pushd",
        "popd",
        "set-location",
        "source",
        ".",
        "export",
        "set",
        "unset",
        "pwd",
        // Waiting for a server or a deploy to come up: `sleep 5 && curl …` is the `curl`.
        "sleep",
        "start-sleep",
    ];
    // Compared without lowercasing a copy: this runs for every segment of every command line.
    STAGING
        .iter()
        .any(|name| program.eq_ignore_ascii_case(name))
}

/// Whether a command only sets environment variables (`export A=1`, cmd.exe's `set A=1`,
/// PowerShell's `$env:A="1"`, a bare `A=1`): how a shell spells it, not work of its own.
pub(crate) fn only_sets_environment(segment: &str) -> bool {
    let rest = without_assignments(segment);
    let first = rest.split_whitespace().next().unwrap_or("");
    rest.is_empty() || ["export", "set", "setx", "unset"].contains(&first)
}

/// Whether a program only prints what it is given (`echo`, `printf`, PowerShell's `Write-Host`
/// and `Write-Output`): a banner or a value, no work.
pub(crate) fn only_prints(program: &str) -> bool {
    ["echo", "printf", "write-host", "write-output"]
        .iter()
        .any(|name| program.eq_ignore_ascii_case(name))
}

/// The programs [`clears_the_way`] knows: `rm` and `mkdir`.
pub(crate) fn may_clear_the_way(program: &str) -> bool {
    matches!(program, "rm" | "mkdir")
}

/// Whether a segment of a chain only clears the way for the next one: a forced removal or a
/// `mkdir -p` (`rm -rf out && bun cli.ts run --output out`), which succeed whatever is there.
fn clears_the_way(segment: &str) -> bool {
    let mut words = segment.split_whitespace();
    let program = words.next().unwrap_or("");
    let flags: Vec<&str> = words.take_while(|w| w.starts_with('-')).collect();
    match program {
        "rm" => {
            flags
                .iter()
                .any(|f| !f.starts_with("--") && f.contains('f'))
                || flags.contains(&"--force")
        }
        "mkdir" => flags.iter().any(|f| *f == "-p" || *f == "--parents"),
        _ => false,
    }
}

/// The commands of a chain on one line (`a && b; c || d | e` → `a`, `b`, `c`, `d`): each
/// segment up to its first pipe, as [`shell_command_of`] reads it.
fn chained_commands(line: &str) -> impl Iterator<Item = &str> {
    line.split("&&")
        .flat_map(|s| s.split(';'))
        .flat_map(|s| s.split("||"))
        .map(|s| s.split('|').next().unwrap_or(s).trim())
        .filter_map(shell_command_of)
}

/// The head of a command line: the program and what it was asked to do.
pub fn command_head(command: &str) -> String {
    let line = first_command_line(command);
    let line = line.as_str();
    // The first segment of a chain that does real work: `cd x && …`, `source venv/bin/activate;
    // …`, `export A=1 && …` only set the stage.
    let segments = chained_commands(line);
    let mut chosen = "";
    // `created=$(grep -m1 created "$f")` runs what it assigns from: the command's name when no
    // segment does other work.
    let mut assigned_from = "";
    for segment in segments {
        let whole = segment;
        let segment = without_assignments(segment);
        if segment.is_empty() && assigned_from.is_empty() {
            assigned_from = whole
                .split_once("$(")
                .map_or("", |(_, inner)| inner.trim_start());
        }
        let first = segment.split_whitespace().next().unwrap_or("");
        // `pwd && ls -la x`: saying where it is sets the stage too.
        if first.is_empty()
            || sets_the_stage(first)
            || TESTS.contains(&first)
            || clears_the_way(segment)
        {
            if chosen.is_empty() {
                chosen = segment;
            }
            continue;
        }
        chosen = segment;
        break;
    }
    if chosen.trim().is_empty() {
        chosen = assigned_from;
    }
    let mut words = chosen.split_whitespace().peekable();
    // Environment assignments and wrappers (`FOO=1 timeout 30 sudo cmd`).
    while let Some(word) = words.peek() {
        let assignment = word.contains('=')
            && word.split('=').next().is_some_and(|k| {
                !k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            });
        if assignment || WRAPPERS.contains(word) {
            words.next();
            continue;
        }
        if matches!(*word, "timeout" | "nice") {
            words.next();
            // `timeout 60 cmd`: skip the duration.
            if words
                .peek()
                .is_some_and(|w| w.chars().any(|c| c.is_ascii_digit()))
            {
                words.next();
            }
            continue;
        }
        break;
    }
    let Some(program_word) = words.next() else {
        return line.trim().chars().take(40).collect();
    };
    // Setting up the environment is named with what it sets: `source .venv/bin/activate`,
    // `export PATH` (only chosen when nothing else in the chain does the work). A `cd` stays
    // `cd`: where it goes differs from one checkout to the next.
    if matches!(program_word, "source" | "." | "export")
        && let Some(argument) = words.next()
    {
        let argument = argument.split('=').next().unwrap_or(argument);
        return format!("{program_word} {}", argument.trim_matches(['"', '\'']));
    }
    let program = file_name(program_word).trim_matches(['"', '\'']);
    let rest: Vec<&str> = words.collect();
    let mut head = program.to_string();
    // The subcommand: the first word that is neither an option nor the value of a global
    // option that takes one (`pnpm --filter web build` builds; `git -C repo status`).
    let first_arg = rest
        .iter()
        .enumerate()
        .find(|(at, w)| {
            let option_value = *at > 0 && GLOBAL_OPTIONS_WITH_VALUE.contains(&rest[*at - 1]);
            !w.starts_with('-') && !option_value
        })
        .map(|(_, w)| *w);
    if SUBCOMMAND_PROGRAMS.contains(&program) {
        if let Some(arg) = first_arg.filter(|a| plain_word(a)) {
            // `node --run typecheck`: Node's task runner runs a package.json script, which
            // `node typecheck` (a file) would not.
            let after_run = rest
                .iter()
                .position(|w| *w == arg)
                .and_then(|at| at.checked_sub(1))
                .is_some_and(|before| rest[before] == "--run");
            if after_run {
                head.push_str(" --run");
            }
            head.push(' ');
            head.push_str(arg);
            // `npm run build`, `mise run lint`, `uv run pytest`: the task is what runs.
            // A word right after an option is likely that option's value (`dotnet run
            // --configuration Release`), not the task.
            let after_run: Vec<&str> = rest
                .iter()
                .skip_while(|w| **w != arg)
                .skip(1)
                .copied()
                .collect();
            let task = after_run.iter().enumerate().find_map(|(i, w)| {
                let after_option = i > 0 && {
                    let before = after_run[i - 1];
                    before.starts_with('-') && !before.contains('=')
                };
                (!w.starts_with('-') && !after_option).then_some(*w)
            });
            if matches!(arg, "run" | "exec" | "x" | "tool")
                && let Some(task) = task.filter(|w| plain_word(w))
            {
                head.push(' ');
                head.push_str(task);
            }
        }
    } else if INTERPRETERS.contains(&program) {
        // `python -m pytest`, `python reproduce.py`.
        if let Some(position) = rest.iter().position(|w| *w == "-m")
            && let Some(module) = rest.get(position + 1)
        {
            head.push_str(" -m ");
            head.push_str(module);
        } else if let Some(script) = rest.first().filter(|w| !w.starts_with('-')) {
            // The script by its file name: where the checkout lives differs between machines
            // (`python3 /Users/a/repo/scripts/export.py` and `python3 scripts/export.py` are one
            // step), and a bare `python3` says nothing of what ran.
            let script = script.trim_matches(['"', '\'']);
            head.push(' ');
            head.push_str(file_name(script));
        }
    } else if program == "sed" && rest.iter().any(|w| w.starts_with("-i")) {
        // `sed -i` edits files; `sed -n` only reads them.
        head.push_str(" -i");
    } else if program == "cat" && rest.iter().any(|w| w.starts_with('>')) {
        // `cat > file` and `cat <<'EOF' > file` write a file; `cat file` reads one.
        head = "cat >".to_string();
    } else if program == "echo"
        && let Some(arg) = first_arg
        && arg.len() > 3
        && arg.chars().all(|c| c.is_ascii_uppercase() || c == '_')
    {
        // A sentinel a harness waits for (`echo COMPLETE_TASK_AND_SUBMIT_FINAL_OUTPUT`).
        head.push(' ');
        head.push_str(arg);
    }
    head
}

/// Lines of a script read at most to find its first command.
const MAX_JOINED_LINES: usize = 16;

/// The first line of a script that runs something: comment lines (`# check the hook spec`)
/// skipped, a line continued with `\` joined to the next, and a line that is only a loop's
/// or condition's syntax (`for f in *.go; do`) joined to the body that follows it.
fn first_command_line(command: &str) -> String {
    // A few lines are enough to find what a script starts with; a bound keeps a pathological
    // script (thousands of lines of loop syntax) from costing time.
    let lines = command
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .take(MAX_JOINED_LINES);
    let mut joined = String::new();
    // A script's first lines often only set the stage or print a banner (`cd C:\repo`, `Write-Host
    // "=== log ==="`, `$f = "out.txt"`): the first line that does work names the script, and
    // the first line that runs anything only when none does.
    let mut first_running: Option<String> = None;
    let segments_of = |text: &str| -> Vec<String> {
        text.split("&&")
            .flat_map(|s| s.split(';'))
            .flat_map(|s| s.split("||"))
            .filter_map(shell_command_of)
            .map(str::to_string)
            .collect()
    };
    for line in lines {
        if let Some(continued) = line.strip_suffix('\\') {
            joined.push_str(continued);
            joined.push(' ');
            continue;
        }
        joined.push_str(line);
        let segments = segments_of(&joined);
        if segments.iter().any(|segment| does_work(segment)) {
            return joined.trim().trim_end_matches(';').trim().to_string();
        }
        if segments.is_empty() {
            joined.push_str("; ");
            continue;
        }
        // Runs something, but only staging or printing: remembered, and the search goes on.
        if first_running.is_none() {
            first_running = Some(joined.trim().trim_end_matches(';').trim().to_string());
        }
        joined.clear();
    }
    first_running.unwrap_or_else(|| joined.trim().trim_end_matches(';').trim().to_string())
}

/// Whether a command of a script does work, rather than set the stage (`cd`, `export`, a
/// PowerShell `$x = …` assignment) or print (`echo`, `Write-Host`).
fn does_work(segment: &str) -> bool {
    let segment = without_assignments(segment);
    let first = segment.split_whitespace().next().unwrap_or("");
    // A value (`1`, `"text"`, `@()`) is no program.
    let names_a_program = first
        .chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() || matches!(c, '.' | '/' | '_' | '~'));
    names_a_program && !TESTS.contains(&first) && !sets_the_stage(first) && !only_prints(first)
}

/// A command without the variable assignments before it (`GOMODCACHE=$(go env GOMODCACHE)`,
/// `FOO="a b" cmd`): a value runs to the first space outside quotes and `$( )`. Empty when the
/// segment only assigns.
fn without_assignments(segment: &str) -> &str {
    let mut rest = segment.trim_start();
    // PowerShell assigns what a command returns: `$fi = Get-Item $f` runs `Get-Item`. A
    // quoted value is no command: `$env:NODE_OPTIONS="--openssl-legacy-provider"` only sets
    // the environment, as `export` does (a scope such as `env:` may lead the name).
    if let Some(variable) = rest.strip_prefix('$') {
        let scoped = variable
            .get(..4)
            .is_some_and(|scope| scope.eq_ignore_ascii_case("env:"));
        let name = if scoped { &variable[4..] } else { variable };
        let name_end = name
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(name.len());
        if name_end > 0
            && let Some(value) = name[name_end..].trim_start().strip_prefix('=')
            && !value.starts_with('=')
        {
            let value = value.trim_start();
            let quoted = value.starts_with(['"', '\'']);
            return if quoted { "" } else { value };
        }
    }
    loop {
        let name_end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        if name_end == 0 || !rest[name_end..].starts_with('=') {
            return rest;
        }
        let mut depth = 0usize;
        let mut quote: Option<char> = None;
        let mut end = rest.len();
        let value = &rest[name_end + 1..];
        let mut chars = value.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            match (quote, c) {
                (Some(q), c) if c == q => quote = None,
                (Some(_), _) => {}
                (None, '\'' | '"' | '`') => quote = Some(c),
                (None, '$') if chars.peek().is_some_and(|(_, n)| *n == '(') => {
                    depth += 1;
                    chars.next();
                }
                (None, ')') if depth > 0 => depth -= 1,
                (None, c) if c.is_whitespace() && depth == 0 => {
                    end = name_end + 1 + i;
                    break;
                }
                _ => {}
            }
        }
        rest = rest[end..].trim_start();
    }
}

/// The directory a command line changes into before its work (`cd "/repo/app" && npm test`,
/// `cd app; make`): the first segment's `cd` target, quotes dropped, when another command
/// follows it. `None` for a bare `cd`, `cd -`, `cd ~` or a target built from a variable.
pub fn working_dir(command: &str) -> Option<String> {
    let line = first_command_line(command);
    let rest = line.trim_start().strip_prefix("cd ")?.trim_start();
    // cmd.exe's drive switch (`cd /d C:\repo && …`) is no directory.
    let rest = rest
        .strip_prefix("/d ")
        .or_else(|| rest.strip_prefix("/D "))
        .map_or(rest, str::trim_start);
    let (target, after) = match rest.chars().next()? {
        quote @ ('"' | '\'') => {
            let end = rest[1..].find(quote)? + 1;
            (&rest[1..end], &rest[end + 1..])
        }
        _ => {
            let end = rest
                .find(|c: char| c.is_whitespace() || c == ';' || c == '&')
                .unwrap_or(rest.len());
            (&rest[..end], &rest[end..])
        }
    };
    let after = after.trim_start();
    let continues = after.starts_with("&&") || after.starts_with(';');
    let usable = !target.is_empty()
        && !matches!(target, "-" | "~" | "." | "..")
        && !target.contains('$')
        && !target.contains('`');
    (continues && usable).then(|| target.to_string())
}

/// The target of a command line that only changes into a directory below the current one (`cd
/// client`, `cd "web app"`, `Set-Location src`): one line, one command, a relative path that
/// does not climb (`..`), start from home or a drive, or use a variable. `None` otherwise.
pub fn bare_relative_cd(command: &str) -> Option<&str> {
    let line = command.trim();
    if line.contains(['\n', ';', '&', '|']) {
        return None;
    }
    let (program, target) = line.split_once(char::is_whitespace)?;
    if !["cd", "chdir", "set-location"]
        .iter()
        .any(|cd| program.eq_ignore_ascii_case(cd))
    {
        return None;
    }
    let target = target.trim();
    let target = match target.chars().next()? {
        quote @ ('"' | '\'') => target.strip_prefix(quote)?.strip_suffix(quote)?,
        _ if target.contains(char::is_whitespace) => return None,
        _ => target,
    };
    let climbs = target
        .split(['/', '\\'])
        .any(|part| matches!(part, ".." | "." | "~" | "-"));
    let anchored = target.starts_with(['/', '\\', '~', '-', '$']) || target.contains([':', '`']);
    (!target.is_empty() && !climbs && !anchored).then_some(target)
}

/// Whether a command line changes directory in any of its commands (`cd ..`, `cd app && make`,
/// `pushd src`, PowerShell's `Set-Location`).
pub fn changes_directory(command: &str) -> bool {
    command
        .split(['\n', ';', '&', '|', '(', ')', '{', '}'])
        .filter_map(|segment| segment.split_whitespace().next())
        .any(|program| {
            [
                "cd",
                "chdir",
                "pushd",
                "popd",
                "set-location",
                "push-location",
                "pop-location",
            ]
            .iter()
            .any(|cd| program.eq_ignore_ascii_case(cd))
        })
}

/// The sub-directory a shell call names as its working directory by a parameter (Gemini CLI's
/// `dir_path: "app"`), with the parameter's name: only a relative path below where the session
/// runs counts. An absolute one (Codex's `workdir`, set on every call to where the session
/// started) says nothing of where the project lives.
pub fn working_dir_parameter(input: &Value) -> Option<(&'static str, String)> {
    ["dir_path", "directory", "workdir", "cwd"]
        .into_iter()
        .find_map(|key| {
            let dir = input
                .get(key)?
                .as_str()?
                .trim()
                .trim_end_matches(['/', '\\']);
            let dir = dir.strip_prefix("./").unwrap_or(dir);
            let relative = !dir.is_empty()
                && !dir.starts_with(['/', '\\', '~', '$', '.'])
                && dir.get(1..2) != Some(":");
            relative.then(|| (key, dir.to_string()))
        })
}

/// The command a segment of a shell line runs, without the keywords of a loop or condition
/// around it (`do echo x` → `echo x`, `if ! cargo test` → `cargo test`); `None` for a segment
/// that is only syntax (`for f in *.cs`, `done`, `fi`). A loop's header names no program: the
/// work is in its body.
fn shell_command_of(segment: &str) -> Option<&str> {
    let mut rest = segment.trim();
    loop {
        let first = rest.split_whitespace().next()?;
        match first {
            "for" | "select" | "case" | "done" | "fi" | "esac" | "}" | ")" | ";;" => return None,
            "do" | "then" | "else" | "elif" | "if" | "while" | "until" | "!" | "{" | "(" => {
                rest = rest[first.len()..].trim_start();
            }
            _ => return Some(rest),
        }
    }
}

/// Commands that only test a condition (`[ -f x ]`, `read line`): the work is elsewhere on
/// the line when there is any.
const TESTS: &[&str] = &["[", "[[", "test", "read", "true", "false", ":"];

fn plain_word(word: &str) -> bool {
    !word.is_empty()
        && word.len() <= 40
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | ':' | '.'))
        && !word.contains("..")
}

/// A tool call's identity: the command head for shell tools, else the tool name (with an editor
/// sub-command such as `str_replace_editor view` when the input names one).
pub fn identity(tool: &str, input: &Value) -> String {
    // Harnesses that name the call after its program (`python`, `/usr/bin/python3`, `ls`) run
    // a command line too.
    let named_after_program = |command: &str| {
        let program = command.split_whitespace().next().unwrap_or("");
        !program.is_empty() && (program == tool || file_name(program) == tool)
    };
    if let Some(command) = command_text(input)
        && (is_shell_tool(tool) || named_after_program(&command))
    {
        return command_head(&command);
    }
    if let Some(sub) = input.get("command").and_then(Value::as_str)
        && !sub.contains(char::is_whitespace)
        && sub.len() <= 24
        && sub.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    {
        return format!("{tool} {sub}");
    }
    tool.to_string()
}

/// The start of a command line that runs `program` through another one, up to that program
/// (`corepack pnpm exec vitest run` → `corepack pnpm exec vitest`, `npx --yes node@20 --check
/// a.js` → `npx --yes node@20`): after `vitest: command not found`, the launcher is what made it work. `None`
/// when no segment of the first line runs `program` within its first few words, or runs it
/// itself.
pub fn launched_through(program: &str, command: &str) -> Option<String> {
    const MAX_LAUNCHER_WORDS: usize = 5;
    chained_commands(&first_command_line(command)).find_map(|segment| {
        let words: Vec<&str> = without_assignments(segment).split_whitespace().collect();
        let at = words.iter().take(MAX_LAUNCHER_WORDS + 1).position(|word| {
            // A package runner names a version too: `npx node@20`.
            let name = file_name(word);
            let name = name.split_once('@').map_or(name, |(name, _)| name);
            name.eq_ignore_ascii_case(program)
        })?;
        let plain = words[..at]
            .iter()
            .all(|word| !word.contains(['$', '`', '"', '\'', '(', ')']));
        (at > 0 && plain).then(|| words[..=at].join(" "))
    })
}

/// Whether an identity is a command line (as opposed to a named tool).
pub fn is_command(tool: &str) -> bool {
    is_shell_tool(tool)
}

/// The last component of a path, split at `/` or `\` (`src/app/page.tsx` → `page.tsx`,
/// `C:\repo\main.rs` → `main.rs`); the whole text when it has no separator.
pub fn file_name(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

/// A tool's own name: lowercased, without an MCP `mcp__server__` or `functions.` prefix.
pub fn base_name(tool: &str) -> String {
    let name = tool.trim();
    let name = name.rsplit("__").next().unwrap_or(name);
    let name = name.strip_prefix("functions.").unwrap_or(name);
    name.to_ascii_lowercase()
}

/// What each command of a chain does (`git add -A && git commit -m x` → `git add`, `git
/// commit`): the [`command_head`] of every `&&`, `;` or `||` segment of the first line, without
/// the ones that only set the stage (`cd`, `export`, `source`).
pub fn chain_heads(command: &str) -> Vec<String> {
    let line = first_command_line(command);
    let mut heads: Vec<String> = Vec::new();
    for segment in chained_commands(&line) {
        let head = command_head(segment);
        let first = head.split_whitespace().next().unwrap_or("");
        let stage = sets_the_stage(first) || TESTS.contains(&first);
        // A line continuation (`&& \`) or a stray operator is no command.
        let named = first
            .chars()
            .next()
            .is_some_and(|c| c.is_alphanumeric() || matches!(c, '.' | '/' | '_'));
        if named && !stage && !heads.contains(&head) {
            heads.push(head);
        }
    }
    heads
}

/// Flags that make a formatter or linter report what it would change instead of changing it
/// (`cargo fmt --check`, `prettier --list-different`, `terraform apply --dry-run`).
const CHECK_MODE_FLAGS: &[&str] = &[
    "--check",
    "--dry-run",
    "--diff",
    "--list-different",
    "--check-only",
];

/// Whether a flag puts a command in check mode (`CHECK_MODE_FLAGS`): dropping it after the
/// check reported something stops checking and starts changing, which works around nothing.
pub fn is_check_mode_flag(flag: &str) -> bool {
    CHECK_MODE_FLAGS.contains(&flag)
}

/// Programs that search files for lines and exit with status 1 when no line matches.
const LINE_SEARCHES: &[&str] = &["grep", "egrep", "fgrep", "rg", "ag", "ack"];

/// Whether a command line searches for lines (`LINE_SEARCHES`, or `git grep`): its exit
/// status 1 with nothing printed means it found nothing, not that it failed.
pub fn searches_lines(identity: &str) -> bool {
    let program = identity.split_whitespace().next().unwrap_or("");
    LINE_SEARCHES.contains(&program) || identity.starts_with("git grep")
}

/// Programs that only shape what a command prints when they end a pipeline (`| head -50`,
/// `| tail`, `| sed -n '1,80p'`, `| grep error`): the command before them is what ran.
const OUTPUT_FILTERS: &[&str] = &[
    "head", "tail", "less", "more", "cat", "nl", "cut", "grep", "rg", "wc", "sort", "uniq", "tee",
    "column", "jq",
];

/// What a command that worked ran, in the same line, before the command that had failed, left
/// unchanged: `source .venv/bin/activate` of `source .venv/bin/activate && pytest -q` after
/// `pytest -q` failed, `ruff check --fix src` of `ruff check --fix src && make lint` after
/// `make lint`. That is what the failed call needed first. Not a change of directory or an
/// environment setting alone: those have their own wording ("`cd` to its own directory first",
/// "set its environment first"), and the folder differs from one session to the next.
pub(crate) fn chained_prefix<'w>(failed: &str, worked: &'w str) -> Option<&'w str> {
    let failed = without_output_filters(failed);
    let worked = without_output_filters(worked);
    if failed.is_empty() || failed.contains('\n') || worked.contains('\n') {
        return None;
    }
    let before = worked.strip_suffix(failed)?.trim_end();
    let before = before
        .strip_suffix("&&")
        .or_else(|| before.strip_suffix(';'))?
        .trim_end();
    let does_work = chained_commands(before).any(|segment| {
        let first = without_assignments(segment)
            .split_whitespace()
            .next()
            .unwrap_or("");
        !first.is_empty() && (matches!(first, "source" | ".") || !sets_the_stage(first))
    });
    (does_work && before.chars().count() <= 120).then_some(before)
}

/// A command line without the output filters and redirections that end it: `cargo test 2>&1 |
/// tail -20` is `cargo test`. An agent that re-runs a failed command with `| head` added has
/// retried the same command, not changed how it calls it. `sed` counts as a filter only with
/// `-n` (it edits files with `-i`).
pub fn without_output_filters(command: &str) -> &str {
    let mut rest = command.trim();
    loop {
        let before = rest;
        for redirection in ["2>&1", "2>/dev/null", ">/dev/null"] {
            if let Some(stripped) = rest.strip_suffix(redirection) {
                rest = stripped.trim_end();
            }
        }
        if let Some(pipe) = last_top_level_pipe(rest) {
            let stage = shell_words(&rest[pipe + 1..]);
            let head = stage.first().map(String::as_str).unwrap_or("");
            let filter = OUTPUT_FILTERS.contains(&head)
                || (head == "sed" && stage.get(1).is_some_and(|flag| flag == "-n"));
            if filter {
                rest = rest[..pipe].trim_end();
            }
        }
        if rest == before || rest.is_empty() {
            return if rest.is_empty() {
                command.trim()
            } else {
                rest
            };
        }
    }
}

/// The byte offset of the last `|` of a command line that separates pipeline stages: outside
/// quotes, and not half of `||`.
fn last_top_level_pipe(command: &str) -> Option<usize> {
    let bytes = command.as_bytes();
    let mut quote: Option<u8> = None;
    let mut last = None;
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == b'\\' => i += 1,
            None if c == b'\'' || c == b'"' => quote = Some(c),
            None if c == b'|' => {
                if bytes.get(i + 1) == Some(&b'|') {
                    i += 1;
                } else if i == 0 || bytes[i - 1] != b'>' {
                    last = Some(i);
                }
            }
            None => {}
        }
        i += 1;
    }
    last
}

/// The simple commands of a command line, split at line breaks, `;`, `&&`, `||`, `|` and `&`,
/// each as its words with quotes removed (`'a b'` is one word). A word with an unclosed quote
/// is dropped (the command was cut off there).
pub fn simple_commands(command: &str) -> Vec<Vec<String>> {
    command
        .split(['\n', ';', '|', '&'])
        .map(shell_words)
        .filter(|words| !words.is_empty())
        .collect()
}

fn shell_words(command: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quote: Option<char> = None;
    let mut in_word = false;
    for c in command.chars() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => word.push(c),
            None if c == '"' || c == '\'' => {
                quote = Some(c);
                in_word = true;
            }
            None if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            None => {
                word.push(c);
                in_word = true;
            }
        }
    }
    if in_word && quote.is_none() {
        words.push(word);
    }
    words
}

/// An operand that names one path: no glob, variable, redirection or home shorthand.
fn one_path(word: &str) -> bool {
    !word.is_empty()
        && !word.starts_with('-')
        && !word.contains(['*', '?', '[', '$', '`', '>', '<', '~'])
}

/// What a shell command line does to files, for the curator's updates.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct FileCommands {
    /// Operands of `rm` and `git rm` (not `git rm --cached`, which keeps the file), each with
    /// whether it was `git rm`.
    pub removed: Vec<(String, bool)>,
    /// `mv A B` and `git mv A B` with one source (a target ending in `/` is a folder the file
    /// keeps its name in).
    pub moved: Vec<(String, String)>,
    /// It makes a commit (`git commit`, also after `git add … &&`).
    pub commits: bool,
}

/// Files a command line writes by redirecting `cat`, `echo` or `printf` into them, or with
/// `tee` (`cat > reproduce.py <<'EOF'`, `echo x >> notes.txt`).
pub fn written_by_redirect(command: &str) -> Vec<String> {
    let mut out = Vec::new();
    for words in simple_commands(command) {
        let words: Vec<&str> = words.iter().map(String::as_str).collect();
        match words.as_slice() {
            ["cat" | "echo" | "printf", args @ ..] => {
                let mut args = args.iter();
                while let Some(arg) = args.next() {
                    let target = match *arg {
                        ">" | ">>" => args.next().copied(),
                        other => other
                            .strip_prefix(">>")
                            .or_else(|| other.strip_prefix('>'))
                            .filter(|rest| !rest.is_empty() && !rest.starts_with('&')),
                    };
                    if let Some(target) = target.filter(|t| one_path(t)) {
                        out.push(target.to_string());
                    }
                }
            }
            ["tee", args @ ..] => out.extend(
                args.iter()
                    .filter(|a| !a.starts_with('-') && one_path(a))
                    .map(|a| a.to_string()),
            ),
            _ => {}
        }
    }
    out
}

/// Reads [`FileCommands`] from a command line, one simple command at a time.
pub fn file_commands(command: &str) -> FileCommands {
    let mut out = FileCommands::default();
    for words in simple_commands(command) {
        let words: Vec<&str> = words.iter().map(String::as_str).collect();
        match words.as_slice() {
            ["git", "commit", ..] => out.commits = true,
            ["git", "rm", args @ ..] if !args.contains(&"--cached") => out.removed.extend(
                args.iter()
                    .filter(|a| one_path(a))
                    .map(|a| (a.trim_end_matches('/').to_string(), true)),
            ),
            ["rm", args @ ..] | ["sudo", "rm", args @ ..] => out.removed.extend(
                args.iter()
                    .filter(|a| one_path(a))
                    .map(|a| (a.trim_end_matches('/').to_string(), false)),
            ),
            ["mv", args @ ..] | ["git", "mv", args @ ..] => {
                let operands: Vec<&str> = args
                    .iter()
                    .copied()
                    .filter(|a| !a.starts_with('-'))
                    .collect();
                if let [from, to] = operands.as_slice()
                    && one_path(from)
                    && one_path(to)
                {
                    let to = match to.strip_suffix('/') {
                        Some(folder) => {
                            let name = file_name(from.trim_end_matches('/'));
                            format!("{folder}/{name}")
                        }
                        None => to.to_string(),
                    };
                    out.moved.push((from.trim_end_matches('/').to_string(), to));
                }
            }
            _ => {}
        }
    }
    out
}

/// The patch text a call applies in the `apply_patch` format: the `apply_patch` tool's input
/// (Codex's custom tool: the input itself, or its `input`/`patch` field, or the second element
/// of a `command` array; OpenCode's: `patchText`), or a shell command that runs `apply_patch` (an argv list or a
/// heredoc script), from its `*** Begin Patch` on.
pub fn applied_patch<'a>(tool: &str, input: &'a Value) -> Option<&'a str> {
    let base = base_name(tool);
    if base == "apply_patch" || base == "applypatch" {
        return match input {
            Value::String(text) => Some(text),
            Value::Object(object) => ["input", "patch", "patchText"]
                .iter()
                .find_map(|k| object.get(*k).and_then(Value::as_str))
                .or_else(|| {
                    object
                        .get("command")
                        .and_then(Value::as_array)
                        .and_then(|command| command.iter().filter_map(Value::as_str).nth(1))
                }),
            _ => None,
        };
    }
    if !is_shell_tool(&base) {
        return None;
    }
    let object = input.as_object()?;
    let parts: Vec<&str> = match object.get("command").or_else(|| object.get("cmd"))? {
        Value::Array(parts) => parts.iter().filter_map(Value::as_str).collect(),
        Value::String(text) => vec![text.as_str()],
        _ => return None,
    };
    if !parts.iter().any(|part| part.contains("apply_patch")) {
        return None;
    }
    parts.iter().find_map(|part| {
        let start = part.find("*** Begin Patch")?;
        part.get(start..)
    })
}

/// Whether a line is a marker of a SEARCH/REPLACE edit block: a run of 5 to 9 `mark`
/// characters, then one of `words` (`<<<<<<< SEARCH`, `+++++++ REPLACE`), or nothing when
/// `words` is empty (the `=======` divider). Aider's importer cuts blocks out of its Markdown
/// with it; [`search_replace_pairs`] reads Cline's and Roo Code's.
pub fn edit_block_marker(line: &str, mark: char, words: &[&str]) -> bool {
    let line = line.trim();
    let run = line.chars().take_while(|c| *c == mark).count();
    if !(5..=9).contains(&run) {
        return false;
    }
    let rest = line.get(run..).unwrap_or("").trim();
    if words.is_empty() {
        return rest.is_empty();
    }
    let rest = rest.trim_end_matches('>').trim();
    words.contains(&rest)
}

/// The (search, replace) pairs of a diff in the SEARCH/REPLACE block format that Cline's
/// `replace_in_file`, Roo Code's `apply_diff` and aider write: a block opens with `<<<<<<<
/// SEARCH` (or Cline's `------- SEARCH`), Roo Code's `:start_line:` lines and a `-------`
/// line may follow, `=======` divides the text searched for from its replacement, and
/// `>>>>>>> REPLACE` (or `+++++++ REPLACE`) closes it. An unclosed block counts for nothing:
/// half an edit says nothing about what the file holds now.
pub fn search_replace_pairs(diff: &str) -> Vec<(String, String)> {
    let marker = |line: &str, mark: char, word: &str| {
        let words: &[&str] = if word.is_empty() { &[] } else { &[word] };
        edit_block_marker(line, mark, words)
    };
    enum State {
        Outside,
        Search { header: bool },
        Replace,
    }
    let mut pairs = Vec::new();
    let (mut search, mut replace): (Vec<&str>, Vec<&str>) = (Vec::new(), Vec::new());
    let mut state = State::Outside;
    for line in diff.lines() {
        state = match state {
            State::Outside => {
                if marker(line, '<', "SEARCH") || marker(line, '-', "SEARCH") {
                    search.clear();
                    replace.clear();
                    State::Search { header: true }
                } else {
                    State::Outside
                }
            }
            State::Search { header } => {
                let trimmed = line.trim();
                if header
                    && (trimmed.starts_with(":start_line:") || trimmed.starts_with(":end_line:"))
                {
                    State::Search { header: true }
                } else if header && marker(line, '-', "") && search.is_empty() {
                    // Roo Code's `-------` after its line numbers ends the block's header.
                    State::Search { header: false }
                } else if marker(line, '=', "") {
                    State::Replace
                } else {
                    search.push(line);
                    State::Search { header: false }
                }
            }
            State::Replace => {
                if marker(line, '>', "REPLACE") || marker(line, '+', "REPLACE") {
                    pairs.push((search.join("\n"), replace.join("\n")));
                    State::Outside
                } else {
                    replace.push(line);
                    State::Replace
                }
            }
        };
    }
    pairs
}

/// What a patch in the `apply_patch` format changes: whole files, and the hunks of updated ones.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct PatchFiles {
    /// `*** Delete File: …`
    pub deleted: Vec<String>,
    /// `*** Add File: …`
    pub added: Vec<String>,
    /// `*** Update File: A` then `*** Move to: B`.
    pub moved: Vec<(String, String)>,
    /// The hunks of `*** Update File: …` sections, each as the text it replaces and the text
    /// it writes (context lines in both), so a patch updates values like an edit does.
    pub updated: Vec<PatchHunk>,
}

/// One hunk of an updated file: the lines before and after, context included.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct PatchHunk {
    /// The file as the patch names it.
    pub file: String,
    /// Context and removed lines (`' '` and `'-'`), without their markers.
    pub old: String,
    /// Context and added lines (`' '` and `'+'`), without their markers.
    pub new: String,
}

/// The files a patch (see [`applied_patch`]) deletes, adds and moves, and its hunks.
pub fn patch_files(patch: &str) -> PatchFiles {
    let mut files = PatchFiles::default();
    // The `*** Update File:` section being read (its hunks, and a `*** Move to:` naming where it
    // goes), and the hunk being read.
    let mut updating: Option<&str> = None;
    let mut hunk = PatchHunk::default();
    let finish_hunk = |hunk: &mut PatchHunk, files: &mut PatchFiles| {
        let hunk = std::mem::take(hunk);
        if hunk.old != hunk.new {
            files.updated.push(hunk);
        }
    };
    for raw in patch.lines() {
        let line = raw.trim();
        if line.starts_with("@@") {
            finish_hunk(&mut hunk, &mut files);
        } else if let Some(header) = line.strip_prefix("*** ") {
            finish_hunk(&mut hunk, &mut files);
            if let Some(path) = header.strip_prefix("Delete File:") {
                files.deleted.push(path.trim().to_string());
            } else if let Some(path) = header.strip_prefix("Add File:") {
                files.added.push(path.trim().to_string());
            } else if let Some(path) = header.strip_prefix("Move to:") {
                if let Some(from) = updating {
                    files
                        .moved
                        .push((from.to_string(), path.trim().to_string()));
                }
                continue;
            }
            updating = header.strip_prefix("Update File:").map(str::trim);
        } else if let Some(file) = updating {
            let (marker, text) = match raw.chars().next() {
                Some(marker @ ('+' | '-' | ' ')) => (marker, &raw[1..]),
                _ => (' ', raw),
            };
            if hunk.file.is_empty() {
                hunk.file = file.to_string();
            }
            for (side, wanted) in [
                (&mut hunk.old, marker != '+'),
                (&mut hunk.new, marker != '-'),
            ] {
                if wanted {
                    side.push_str(text);
                    side.push('\n');
                }
            }
        }
    }
    finish_hunk(&mut hunk, &mut files);
    files
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prose_a_command_carries_is_left_out() {
        let cases: &[(&str, &str)] = &[
            (
                "git commit -m \"fix the mock server\" && git push",
                "git commit -m && git push",
            ),
            (
                "gh pr create --title 'Mock server' --body=\"tests\"",
                "gh pr create --title --body",
            ),
            (
                "git commit -m \"$(cat <<'EOF'\ntest: mock server\nEOF\n)\"",
                "git commit -m",
            ),
            // An unclosed quote ends the command; a word that only contains the option stays.
            ("git commit -m \"half", "git commit -m"),
            ("python3 -m pytest tests/", "python3 -m pytest tests/"),
            ("make --message-format json", "make --message-format json"),
            // A here-document fed to a program is its input.
            (
                "python3 - <<'EOF'\nimport mock_server\nEOF",
                "python3 - <<'EOF'\nimport mock_server\nEOF",
            ),
        ];
        for (command, left) in cases {
            assert_eq!(without_prose(command), *left, "{command}");
        }
    }

    #[test]
    fn a_cd_of_its_own_and_commands_that_change_directory() {
        let bare: &[(&str, Option<&str>)] = &[
            ("cd client", Some("client")),
            ("  cd client/src  ", Some("client/src")),
            ("cd \"web app\"", Some("web app")),
            ("Set-Location src", Some("src")),
            ("cd client && npm start", None),
            ("cd client; npm start", None),
            ("cd ..", None),
            ("cd ../other", None),
            ("cd /repo/client", None),
            ("cd C:\\repo", None),
            ("cd ~/repo", None),
            ("cd $HOME", None),
            ("cd", None),
            ("cd -", None),
            ("ls client", None),
        ];
        for (command, dir) in bare {
            assert_eq!(bare_relative_cd(command), *dir, "{command}");
        }
        for command in [
            "cd ..",
            "cd app && make",
            "pushd src",
            "npm test; Set-Location ..",
            "(cd x; ls)",
        ] {
            assert!(changes_directory(command), "{command}");
        }
        for command in ["npm start", "ls cd-notes", "echo cdrom"] {
            assert!(!changes_directory(command), "{command}");
        }
    }

    #[test]
    fn a_launcher_is_the_start_of_the_command_up_to_what_it_runs() {
        assert_eq!(
            launched_through("vitest", "corepack pnpm exec vitest run --reporter dot").as_deref(),
            Some("corepack pnpm exec vitest")
        );
        assert_eq!(
            launched_through("tsc", "cd web && npx --yes tsc -p .").as_deref(),
            Some("npx --yes tsc")
        );
        // The program run itself, run too deep in the line, or not at all: no launcher.
        assert_eq!(
            launched_through("node", "npx --yes node@20 --check a.js && echo OK").as_deref(),
            Some("npx --yes node@20")
        );
        assert_eq!(launched_through("vitest", "vitest run"), None);
        assert_eq!(launched_through("vitest", "a b c d e f vitest"), None);
        assert_eq!(launched_through("vitest", "pnpm test"), None);
        assert_eq!(launched_through("jest", "echo \"$(which jest)\""), None);
    }

    #[test]
    fn code_given_to_a_repl_tool_is_no_command() {
        let repl = serde_json::json!({"code": "const tab = await browser.tabs.new();"});
        assert!(runs_code_it_is_given("js", &repl));
        let shell = serde_json::json!({"command": "npm test"});
        assert!(!runs_code_it_is_given("Bash", &shell));
        assert!(!runs_code_it_is_given(
            "run_tests",
            &serde_json::json!({"path": "tests/"})
        ));
        // A tool that runs a command line and also takes code is a command.
        let both = serde_json::json!({"cmd": "node", "code": "1 + 1"});
        assert!(!runs_code_it_is_given("exec", &both));
    }

    #[test]
    fn a_file_name_is_the_last_component_of_either_separator() {
        for (path, name) in [
            ("src/app/page.tsx", "page.tsx"),
            ("C:\\repo\\src\\main.rs", "main.rs"),
            ("/usr/bin/python3", "python3"),
            ("Makefile", "Makefile"),
            // A folder's trailing separator is the caller's to trim.
            ("docs/", ""),
        ] {
            assert_eq!(file_name(path), name, "{path}");
        }
    }

    #[test]
    fn the_directory_a_command_line_works_in() {
        for (command, dir) in [
            ("cd \"/repo/app\" && npm test", Some("/repo/app")),
            ("cd app; make", Some("app")),
            ("cd 'C:\\work\\shop' && dir", Some("C:\\work\\shop")),
            ("  cd web && npm run build 2>&1 | tail -5", Some("web")),
            ("cd /d C:\\repo\\src && dir", Some("C:\\repo\\src")),
            // Nothing follows, or the target is no directory one can name.
            ("cd app", None),
            ("cd - && ls", None),
            ("cd $HOME/app && ls", None),
            ("ls && cd app && make", None),
        ] {
            assert_eq!(working_dir(command).as_deref(), dir, "{command}");
        }
        for (input, dir) in [
            (
                serde_json::json!({"command": "npm test", "dir_path": "TP-Tutor/"}),
                Some("TP-Tutor"),
            ),
            (
                serde_json::json!({"command": "ls", "dir_path": "./web"}),
                Some("web"),
            ),
            // Where the session runs, or an absolute path, is no sub-directory.
            (
                serde_json::json!({"cmd": "ls", "workdir": "/home/dev/shop"}),
                None,
            ),
            (serde_json::json!({"command": "ls", "dir_path": "."}), None),
            (serde_json::json!({"command": "ls"}), None),
        ] {
            assert_eq!(
                working_dir_parameter(&input).map(|(_, dir)| dir).as_deref(),
                dir,
                "{input}"
            );
        }
    }
    use serde_json::json;

    #[test]
    fn the_programs_a_command_line_runs() {
        let cases: &[(&str, &[&str])] = &[
            ("cargo test", &["cargo"]),
            (
                "cd app && FOO=1 npm test 2>&1 | tail -5",
                &["cd", "npm", "tail"],
            ),
            ("sudo cp a /etc/b", &["sudo", "cp"]),
            (
                "cat << 'EOF' | sudo tee /etc/nginx/x\nserver {\n  listen 80;\n}\nEOF\nsudo nginx -t",
                &["cat", "sudo", "tee", "nginx"],
            ),
            ("echo $(git rev-parse HEAD)", &["echo", "git"]),
            ("/usr/bin/python3 -m pytest; ls", &["python3", "ls"]),
        ];
        for (command, programs) in cases {
            assert_eq!(programs_of(command), *programs, "{command}");
        }
    }

    #[test]
    fn files_written_by_redirection() {
        for (command, written) in [
            (
                "cat > reproduce.py <<'EOF'\nprint(1)\nEOF",
                vec!["reproduce.py"],
            ),
            (
                "cat <<'EOF' > tests/repro.py\nx\nEOF",
                vec!["tests/repro.py"],
            ),
            (
                "echo 'a' >> notes.txt && git add notes.txt",
                vec!["notes.txt"],
            ),
            ("make 2>&1 | tee build.log", vec!["build.log"]),
            ("cat README.md", vec![]),
            ("echo hi >&2", vec![]),
        ] {
            assert_eq!(written_by_redirect(command), written, "{command}");
        }
    }

    #[test]
    fn command_heads() {
        let cases = [
            ("git push origin main", "git push"),
            ("cd /repo && git commit -m 'x'", "git commit"),
            ("mise run test:ci", "mise run test:ci"),
            ("npm run build -- --watch", "npm run build"),
            (
                "FOO=1 timeout 60 python -m pytest tests/",
                "python -m pytest",
            ),
            ("python reproduce.py", "python reproduce.py"),
            (
                "python3 /Users/jo/log_viewer/scripts/export_log.py --with-html",
                "python3 export_log.py",
            ),
            ("python3 scripts/export_log.py", "python3 export_log.py"),
            ("/usr/bin/python3 -m pytest -x", "python3 -m pytest"),
            // Node's task runner runs a package.json script by name.
            ("node --run format:check", "node --run format:check"),
            ("source .venv/bin/activate && pytest -q", "pytest"),
            ("sed -i 's/a/b/' x.py", "sed -i"),
            ("sed -n '1,20p' x.py", "sed"),
            ("cat <<'EOF' > reproduce.py\nprint(1)\nEOF", "cat >"),
            ("cat > notes.md", "cat >"),
            ("cat src/app.py", "cat"),
            (
                "echo COMPLETE_TASK_AND_SUBMIT_FINAL_OUTPUT",
                "echo COMPLETE_TASK_AND_SUBMIT_FINAL_OUTPUT",
            ),
            ("grep -rn foo src | head -20", "grep"),
            ("cd /repo", "cd"),
            ("source .venv/bin/activate", "source .venv/bin/activate"),
            ("export PATH=$HOME/.local/bin:$PATH", "export PATH"),
            ("uv run review-tool serve", "uv run review-tool"),
            ("go test ./...", "go test"),
            ("dotnet run --configuration Release", "dotnet run"),
            (
                "GOMODCACHE=$(go env GOMODCACHE) && grep -A 30 Close x.go",
                "grep",
            ),
            ("MSG=\"a b c\" git commit -m \"$MSG\"", "git commit"),
            ("# look for hook logs\nls /tmp/entire-*.out", "ls"),
            ("for f in *.go; do\n  gofmt -l \"$f\"\ndone", "gofmt"),
            ("cd /repo && \\\n  bd dep add a-1 b-2", "bd dep"),
            ("uv run --with rich pytest -q", "uv run pytest"),
            // A global option's value is not the subcommand.
            ("pnpm --filter web build 2>&1 | tail -10", "pnpm build"),
            ("git -C ../other-repo status --short", "git status"),
            ("npm --prefix app run lint", "npm run lint"),
            ("kubectl -n prod get pods", "kubectl get"),
            // A loop or condition names no program: the work is in its body.
            (
                "cd /repo && for f in a.cs b.cs; do echo x > \"$f.meta\"; done",
                "echo",
            ),
            ("if ! cargo test; then echo failed; fi", "cargo test"),
            ("[ -f go.mod ] && go vet ./...", "go vet"),
            ("while read f; do gofmt -l \"$f\"; done < files", "gofmt"),
            // Clearing the way for a run is not what the command does…
            (
                "rm -rf /tmp/out && bun cli.ts eval run --output /tmp/out",
                "bun cli.ts",
            ),
            ("mkdir -p build && cmake ..", "cmake"),
            ("pwd && ls -la go/cmd/main.go", "ls"),
            ("sleep 20 && curl -s https://example.test/health", "curl"),
            ("pwd", "pwd"),
            // A script's banner, variables and `cd` lines are not what it does (real PowerShell
            // scripts of a Claude Code session on Windows)…
            (
                "cd 'C:/repo'\nWrite-Host \"=== log ===\"\n$out = 1\ngit log --oneline -5",
                "git log",
            ),
            ("$f = \"C:\\tmp\\a.output\"\n$fi = Get-Item $f", "Get-Item"),
            // PowerShell's environment setting only sets the stage, as `export` does.
            ("$Env:CI = 'true'; npm test", "npm test"),
            (
                "cd client; $env:NODE_OPTIONS=\"--openssl-legacy-provider\"; npm run build",
                "npm run build",
            ),
            // …but a script of banners alone is named by its first.
            ("echo one\necho two", "echo"),
            // A loop whose body first assigns from a command names that command.
            (
                "for f in todos/*.md; do\n  created=$(grep -m1 created \"$f\")\n  echo \"$created\"\ndone",
                "grep",
            ),
            // …unless nothing else runs.
            ("rm -rf node_modules", "rm"),
            ("rm notes.txt && git add -A", "rm"),
        ];
        for (command, head) in cases {
            assert_eq!(command_head(command), head, "{command:?}");
        }
    }

    #[test]
    fn every_command_of_a_chain_is_named() {
        assert_eq!(
            chain_heads("cd /repo && git add -A && git commit -m 'x' && git push"),
            ["git add", "git commit", "git push"]
        );
        assert_eq!(chain_heads("pytest -q; echo done"), ["pytest", "echo"]);
        assert_eq!(chain_heads("sed -i 's/a/b/' x.py && \\"), ["sed -i"]);
        assert_eq!(chain_heads("export A=1"), Vec::<String>::new());
        assert_eq!(
            chain_heads("for p in a b; do go test ./$p; done && git status"),
            ["go test", "git status"]
        );
    }

    #[test]
    fn output_filters_at_the_end_of_a_command_are_not_the_command() {
        let cases = [
            ("cargo test 2>&1 | tail -20", "cargo test"),
            ("bun cli.ts get x | sed -n '1,220p'", "bun cli.ts get x"),
            ("npm test | grep -v warn | head", "npm test"),
            ("make check >/dev/null", "make check"),
            // Not filters: an edit, a pipeline into a program that does the work, `||`.
            ("sed -i 's/a/b/' x.py", "sed -i 's/a/b/' x.py"),
            (
                "cat data.csv | python load.py",
                "cat data.csv | python load.py",
            ),
            ("make || make clean", "make || make clean"),
            ("grep 'a|b' f", "grep 'a|b' f"),
            ("| head", "| head"),
        ];
        for (command, what_ran) in cases {
            assert_eq!(without_output_filters(command), what_ran, "{command:?}");
        }
    }

    #[test]
    fn a_step_chained_before_the_failed_command_is_what_it_needed_first() {
        let cases: &[(&str, &str, Option<&str>)] = &[
            (
                "pytest -q",
                "source .venv/bin/activate && pytest -q",
                Some("source .venv/bin/activate"),
            ),
            (
                "make lint",
                "ruff check --fix src && make lint 2>&1 | tail -5",
                Some("ruff check --fix src"),
            ),
            (
                "git commit -m 'wip'",
                "git add -A; git commit -m 'wip'",
                Some("git add -A"),
            ),
            // A directory or an environment setting alone has its own wording.
            ("npm test", "cd web && npm test", None),
            (
                "golangci-lint run",
                "export GOFLAGS=-mod=mod && golangci-lint run",
                None,
            ),
            // Not the failed command unchanged, or not a chain.
            ("npm test", "npm test -- --runInBand", None),
            ("test", "npm test", None),
            ("pytest -q", "pytest -q", None),
        ];
        for (failed, worked, needed) in cases {
            assert_eq!(
                chained_prefix(failed, worked),
                *needed,
                "{failed:?} → {worked:?}"
            );
        }
    }

    #[test]
    fn identities_by_tool_shape() {
        assert_eq!(
            identity("Bash", &json!({"command": "git status"})),
            "git status"
        );
        assert_eq!(
            identity("exec_command", &json!({"cmd": "bun run build"})),
            "bun run build"
        );
        assert_eq!(
            identity(
                "shell",
                &json!({"command": ["bash", "-lc", "cargo test -q"]})
            ),
            "cargo test"
        );
        assert_eq!(
            identity(
                "str_replace_editor",
                &json!({"command": "view", "path": "/a.py"})
            ),
            "str_replace_editor view"
        );
        assert_eq!(identity("Read", &json!({"file_path": "/a.py"})), "Read");
    }

    /// Cline's `replace_in_file` (`------- SEARCH` … `+++++++ REPLACE`), Roo Code's
    /// `apply_diff` (with `:start_line:` and `-------`) and aider's blocks give their pairs; a
    /// block left open gives none.
    #[test]
    fn search_replace_blocks_give_their_pairs() {
        let roo = "<<<<<<< SEARCH\n:start_line:7\n-------\nversion = \"0.3.1\"\n=======\nversion = \"0.3.2\"\n>>>>>>> REPLACE";
        assert_eq!(
            search_replace_pairs(roo),
            vec![(
                "version = \"0.3.1\"".to_string(),
                "version = \"0.3.2\"".to_string()
            )]
        );
        let cline = "------- SEARCH\nport = 8080\nhost = a\n=======\nport = 9090\nhost = a\n+++++++ REPLACE\n\n------- SEARCH\nx\n=======\ny\n+++++++ REPLACE\n";
        assert_eq!(
            search_replace_pairs(cline),
            vec![
                (
                    "port = 8080\nhost = a".to_string(),
                    "port = 9090\nhost = a".to_string()
                ),
                ("x".to_string(), "y".to_string()),
            ]
        );
        // A line of dashes inside the searched text is text, not a header.
        let aider = "<<<<<<< SEARCH\ntitle\n-----\n=======\nTitle\n-----\n>>>>>>> REPLACE";
        assert_eq!(
            search_replace_pairs(aider),
            vec![("title\n-----".to_string(), "Title\n-----".to_string())]
        );
        assert!(search_replace_pairs("<<<<<<< SEARCH\na\n=======\nb\n").is_empty());
        assert!(search_replace_pairs("plain text, no blocks").is_empty());
    }

    #[test]
    fn file_commands_read_removals_moves_and_commits() {
        let removed = |command: &str| file_commands(command).removed;
        assert_eq!(
            removed("rm /repo/pyproject.toml /repo/uv.lock && git status"),
            vec![
                ("/repo/pyproject.toml".to_string(), false),
                ("/repo/uv.lock".to_string(), false)
            ]
        );
        assert_eq!(
            removed("cd /repo; git rm -q 'docs/old guide.md' notes.txt"),
            vec![
                ("docs/old guide.md".to_string(), true),
                ("notes.txt".to_string(), true)
            ]
        );
        assert_eq!(
            removed("rm -r /repo/tests/"),
            vec![("/repo/tests".to_string(), false)]
        );
        // Kept files, globs and variables name no deleted file; other commands delete nothing.
        assert!(removed("git rm --cached .env").is_empty());
        assert!(removed("rm -rf build/*.o $TMPDIR/x").is_empty());
        assert!(removed("npm run rm-cache && echo rm").is_empty());
        assert!(file_commands("git add -A && git commit -m 'Port to Rust'").commits);
        assert!(!file_commands("git commit-tree x; echo git commit").commits);
        let moved = |command: &str| file_commands(command).moved;
        assert_eq!(
            moved("git mv docs/setup.md docs/install.md && git commit -m x"),
            vec![("docs/setup.md".to_string(), "docs/install.md".to_string())]
        );
        assert_eq!(
            moved("mv -v notes.txt archive/"),
            vec![("notes.txt".to_string(), "archive/notes.txt".to_string())]
        );
        assert!(moved("mv *.log logs/").is_empty());
        assert!(moved("mv a b c/").is_empty());
    }

    #[test]
    fn patches_are_read_only_where_a_call_applies_one() {
        let patch = "*** Begin Patch\n*** Delete File: .github/workflows/release.yml\n*** Add File: docs/new.md\n+hi\n*** Update File: src/old.rs\n*** Move to: src/new.rs\n@@\n-a\n+b\n*** End Patch";
        let files = patch_files(applied_patch("apply_patch", &json!(patch)).expect("a patch"));
        assert_eq!(
            files,
            PatchFiles {
                deleted: vec![".github/workflows/release.yml".to_string()],
                added: vec!["docs/new.md".to_string()],
                moved: vec![("src/old.rs".to_string(), "src/new.rs".to_string())],
                updated: vec![PatchHunk {
                    file: "src/old.rs".to_string(),
                    old: "a\n".to_string(),
                    new: "b\n".to_string(),
                }],
            }
        );
        // Hunks keep their context on both sides; each `@@` starts a new one.
        let settings = "*** Begin Patch\n*** Update File: .entire/settings.json\n@@\n {\n-  \"push_sessions\": false\n+  \"strategy\": \"manual\"\n }\n@@ second\n-x = 1\n+x = 2\n*** End Patch";
        let hunks = patch_files(settings).updated;
        assert_eq!(hunks.len(), 2);
        assert_eq!(hunks[0].old, "{\n  \"push_sessions\": false\n}\n");
        assert_eq!(hunks[0].new, "{\n  \"strategy\": \"manual\"\n}\n");
        assert_eq!(
            (hunks[1].old.as_str(), hunks[1].new.as_str()),
            ("x = 1\n", "x = 2\n")
        );
        assert!(hunks.iter().all(|h| h.file == ".entire/settings.json"));
        let heredoc = format!("apply_patch <<'EOF'\n{patch}\nEOF");
        assert!(applied_patch("exec_command", &json!({"cmd": heredoc})).is_some());
        assert!(applied_patch("mcp__codex__apply_patch", &json!({"input": patch})).is_some());
        assert!(applied_patch("apply_patch", &json!({"patchText": patch})).is_some());
        // A file whose content shows a patch is written, not applied.
        assert!(applied_patch("Write", &json!({"file_path": "a.md", "content": patch})).is_none());
        assert!(
            applied_patch(
                "exec_command",
                &json!({"cmd": format!("cat > a.md <<'EOF'\n{patch}\nEOF")})
            )
            .is_none()
        );
    }
}
