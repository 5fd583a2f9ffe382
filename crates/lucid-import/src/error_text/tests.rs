//! The failure detector against real tool output: lines taken from Claude Code, Codex, Cline and
//! SWE-agent transcripts (paths shortened), and look-alikes that must stay clean.

use super::looks_like_error;

/// Outputs that report a failure, a rejection or a refusal.
const ERRORS: &[&str] = &[
    // Errors announced on the first line.
    "Error: file not found",
    "error: could not compile `x`",
    "error[E0308]: mismatched types",
    "ERROR: relation does not exist",
    "ERROR 1045 (28000): Access denied",
    "  ValueError: invalid literal for int()",
    "TypeError: x is not a function",
    "java.lang.NullPointerException: boom",
    "Uncaught ReferenceError: foo is not defined",
    "HTTP 409 Conflict",
    "HTTP/1.1 503 Service Unavailable",
    "HTTP/2 404",
    "HTTP Error 500: Internal Server Error",
    "409 Conflict",
    "404 Not Found: /api/x",
    "500 Internal Server Error",
    "Traceback (most recent call last):\n  File \"x.py\"",
    "fatal: not a git repository (or any of the parent directories): .git",
    "<tool_use_error>File does not exist.</tool_use_error>",
    "{\"error\": {\"type\": \"not_found\", \"message\": \"no\"}}",
    "{\"error\":\"rate limited\",\"retry\":3}",
    "panic: runtime error: index out of range",
    "thread 'main' panicked at src/main.rs:2:5:",
    "npm ERR! code ENOENT",
    "Exit code: 1\nWall time: 0.2 seconds\nOutput:\nboom",
    "exit status 2",
    // Real tool output (Claude Code, Codex).
    "Exit code 127\n/bin/bash: line 1: sqlite3: command not found",
    "Exit code 1\n/bin/bash: line 1: cd: /tmp/review-tool: No such file or directory",
    "ls: cannot access '.venv': No such file or directory",
    "error: Broken virtual environment `/home/u/review-tool/.venv`: `pyvenv.cfg` is missing",
    "Using CPython 3.10.20\nerror: failed to remove file `/home/u/.venv/lib64`: Value too large for defined data type",
    "<tool_use_error>File has not been read yet. Read it first before writing to it.</tool_use_error>",
    "Found 2 matches of the string to replace, but replace_all is false. To replace all occurrences, set replace_all to true.",
    "The user doesn't want to proceed with this tool use. The tool use was rejected (eg. if it was a file edit, the new_string was NOT written to the file).",
    "Exit code 1\n[lint] $ golangci-lint run ./...\n[lint] ERROR task failed\n\ncmd/entire/main.go:19:13: G304: Potential file inclusion",
    "=== RUN   TestHasUncommittedChanges\n    git_operations_test.go:357: HasUncommittedChanges() = true, want false\n--- FAIL: TestHasUncommittedChanges (0.04s)\nFAIL\nFAIL\tentire.io/cli\t0.2s",
    "exit code: 1",
    // Copilot CLI when its shell cannot start: a symbolic exit code.
    "<exited with exit code ERR_DLOPEN_FAILED>",
    "Exit code 1\nAuto-merging cmd/a.go\nCONFLICT (content): Merge conflict in cmd/a.go",
    "Exit code 1\n(eval):1: parse error near `('",
    "File content (33635 tokens) exceeds maximum allowed tokens (25000). Use offset and limit parameters.",
    "go: cannot find main module, but found .git/config in /Users/s/entire.io",
    "Traceback (most recent call last):\n  File \"<string>\", line 4, in <module>\nRuntimeError: test crash for bug reporting",
    "Process exited with code 2\nOutput:\nwarning: unused import",
    // Errors a few lines in.
    "Command executed.\nOutput:\nnpm ERR! Missing script: \"test\"",
    "   Compiling lucid v0.1.0 (/r)\nerror[E0425]: cannot find value `x` in this scope",
    "src/lib.rs:3:5: error: expected `;`, found `}`",
    "src/app.ts(12,7): error TS2304: Cannot find name 'foo'.",
    "mypy.py:12: error: Incompatible return value type (got \"int\", expected \"str\")",
    "a.c:1:10: fatal error: stdio.h: No such file or directory",
    "usage: manage.py [-h]\nmanage.py: error: the following arguments are required: command",
    "Checking ruff...\n./src/app.py:3:1: E999 IndentationError: unexpected indent",
    // SWE-agent and mini-swe-agent observations.
    "Your proposed edit has introduced new syntax error(s). Please read this error message carefully and then retry editing the file.\n\nERRORS:\n- E999 IndentationError: unexpected indent",
    "ERRORS:\n- E111 indentation is not a multiple of 4\n- F821 undefined name 'unquote'",
    "File reproduce.py not found",
    "Usage: edit <start_line>:<end_line>",
    "Usage: open \"<file>\" [<line_number>]\nError: <line_number> must be a number",
    "No file open. Use the `open` command first.",
    "Your bash command contained syntax errors and was NOT executed. Please fix the syntax errors and try again.",
    "The command 'pytest' was cancelled because it took more than 300 seconds. Please try a different command that completes more quickly.",
    "rm: cannot remove 'default.sqlite3': No such file or directory",
    "Exception in thread \"main\" java.lang.IllegalStateException: closed",
    "subprocess.CalledProcessError: Command '['git', 'apply']' returned non-zero exit status 1.",
    "ModuleNotFoundError: No module named 'astropy'",
    "============================= FAILURES =============================\n___ test_rename ___",
    "tests/test_a.py::test_rename FAILED                         [100%]",
    "========================= 1 failed, 12 passed in 0.41s =========================",
    "FAILED (failures=1)",
    "test result: FAILED. 11 passed; 1 failed; 0 ignored",
    "Segmentation fault (core dumped)",
    // Cline results.
    "The user denied this operation.",
    "The tool execution failed with the following error:\n<error>\nError reading file: ENOENT\n</error>",
    "Missing value for required parameter 'path'. Please retry with complete response.",
    "Access to .env is blocked by the .clineignore file settings.",
    "Command executed.\nOutput:\nFAIL src/app.test.ts\n  ● renders",
    "'foo' is not recognized as an internal or external command,\noperable program or batch file.",
    "Error: Cannot find module 'express'",
    "Command failed with exit code 1: npm run build",
    "yarn run v1.22.19\nerror Command failed with exit code 1.",
    "Failed to connect to localhost port 5432: Connection refused",
    "Permission denied (publickey).\nfatal: Could not read from remote repository.",
    "node:internal/modules/cjs/loader:671\n      throw e;\n      ^\n\nError [ERR_PACKAGE_PATH_NOT_EXPORTED]: Package subpath './package.json' is not defined by \"exports\"",
    "\n❌ Refusing to publish prerelease @agentv/core@4.40.1-next.1 to latest\n",
    "npm error code E404\nnpm error 404 No match found for version 4.40.1",
    // Failures of common tools that neither start like an error nor carry an exit code, as a
    // Cline `execute_command` result shows them.
    "Command executed.\nOutput:\n[pre-commit] check yaml.........Failed\n- hook id: check-yaml",
    "unknown shorthand flag: 'd' in -d\nSee 'docker --help'.",
    "ls: invalid option -- 'z'\nTry 'ls --help' for more information.",
    "ls: illegal option -- z\nusage: ls [-ABCFGHLOPRSTUWabcdefghiklmnopqrstuwx1] [file ...]",
    "grep: unrecognized option '--foo'",
    "make: *** [Makefile:12: lint] Error 1",
    "/bin/sh: 1: pytest: not found",
    "Killed",
    " ERR_PNPM_OUTDATED_LOCKFILE  Cannot install with \"frozen-lockfile\" because pnpm-lock.yaml is not up to date",
    "To github.com:acme/shop.git\n ! [rejected]        main -> main (fetch first)",
    "Tests:       2 failed, 14 passed, 16 total",
    " Test Files  1 failed | 3 passed (4)",
    "1 failed, 3 passed in 0.42s",
    "docker: Error response from daemon: pull access denied for acme/api",
    "✘ [ERROR] Could not resolve \"lodash\"\n\n1 error\nBuild failed with 1 error:",
    "Timed out after 120 seconds waiting for the server",
    // An uncaught exception and its stack, after a page of a dev server's progress (a real
    // Cline result of `yarn dev:client`, control characters included).
    "Command executed.\nOutput:\ni ｢wds｣: Project is running at http://192.168.1.116/\ni ｢wds｣: \
     webpack output is served from\ni ｢wds｣: 404s will fallback to /\nStarting the development \
     server...\n\n\n\n\n\n;Windows PowerShell\u{7}Error: error:0308010C:digital envelope \
     routines::unsupported\n    at new Hash (node:internal/crypto/hash:68:19)\n    at \
     Object.createHash (node:crypto:138:10)\n",
    "collecting\nstep 1\nstep 2\nstep 3\nstep 4\nstep 5\nTraceback (most recent call last):\n  \
     File \"app.py\", line 3, in <module>\n    main()\nKeyError: 'user'",
];

/// Normal output that mentions errors, fails or exits without reporting a failure.
const CLEAN: &[&str] = &[
    "",
    "   ",
    // An exception named in prose or a log line without the frames of a thrown one.
    "step 1\nstep 2\nstep 3\nstep 4\nstep 5\nstep 6\nTypeError: handled and retried\nretry ok",
    "step 1\nstep 2\nstep 3\nstep 4\nstep 5\nstep 6\nError: at least one flag is needed\nat \
     the top of the file",
    "No errors found",
    "0 errors, 2 warnings",
    "Errors: 0",
    "ERRORS: none",
    "Error handling in Rust uses Result.",
    "errors.rs compiled",
    "The ValueError: part is explained below",
    "404 files processed",
    "200 OK",
    "HTTP/1.1 200 OK",
    "HTTPS is enabled",
    "{\"error\": null, \"result\": 3}",
    "{\"errors\": []}",
    "{\"ok\": true}",
    "{not json",
    "Exit code: 0\nOutput:\nfine",
    "File created successfully at: /tmp/x",
    "Everything is fine. Error: none of the above was unexpected.",
    "MyErrorHandler: registered",
    // Real outputs that mention errors.
    "9 files reformatted, 2 files left unchanged\nFound 2 errors (2 fixed, 0 remaining).",
    "src/error.rs\nsrc/lib.rs\nsrc/main.rs",
    "test validation::tests::test_is_valid_email_no_at ... ok\ntest errors::tests::test_error_display ... ok",
    "tests/test_errors.py::test_value_error_is_raised PASSED                [ 50%]",
    "running 12 tests\ntest result: ok. 12 passed; 0 failed; 0 ignored",
    "========================= 12 passed, 0 failed in 0.41s =========================",
    "   255→    cursor = conn.execute(\"SELECT id FROM findings WHERE id = ?\", [finding_id])\n   256→    if not cursor.fetchone():\n   257→        click.echo(f\"Finding {finding_id} not found.\")",
    "106-except ChangeError as e:\n107-    logger.warning(\"Failed to restart: %s\", e)\n108-    event.defer()",
    "52:**Description:** Calls lack try/except blocks. The charm enters error state when the resource is unavailable",
    "cmd/entire/cli/strategy/common_test.go:84:func TestOpenRepositoryError(t *testing.T) {",
    "cmd/entire/cli/git_operations.go:20:func openRepository() (*git.Repository, error) {",
    "     1→package cli\n     2→\n     3→import (\n     4→\t\"context\"\n     5→\t\"errors\"",
    "   130→\tif loaded.Enabled {\n   132→\t\tt.Error(\"Enabled should be false after saving as false\")",
    "posthog 2026/01/16 10:01:08 WARN: shutdown timeout: 1 batches still in flight",
    "Usage: review-tool [OPTIONS] COMMAND [ARGS]...\n\n  Charm bug finding review tool.\n\nOptions:\n  --help  Show this message and exit.\n\nCommands:\n  import-all\n  serve",
    "On branch master\nnothing to commit, working tree clean",
    "[master 6322cf4] Add multiply_numbers function with test\n 2 files changed, 13 insertions(+), 1 deletion(-)",
    "warning: Failed to hardlink files; falling back to full copy.",
    "Todos have been modified successfully. Ensure that you continue to use the todo list to track your progress.",
    "Found 3 matches for \"Permission denied\" in /repo:\n/repo/a.py (2 matches)\n/repo/b.py (1 matches)",
    "Line 27: raise OSError('No such file or directory')",
    "src/a.py:12:    raise PermissionError('Permission denied')",
    "[File: /django/reproduce.py (4 lines total)]\n1:from faker import Faker\n2:fake = Faker('cs_CZ')\n3:print(fake.name_male())\n4:print(\"Script completed successfully, no errors.\")",
    "Your command ran successfully and did not produce any output.",
    "use std::error::Error;\n\npub enum Error {\n    Io(std::io::Error),\n}",
    "Error::new(ErrorKind::Other, \"boom\")",
    "error: null\nretries: 3",
    "ERROR = 3\nWARNING = 2",
    "def test_error_handling():\n    \"\"\"Raises:\n        ValueError: if the input is invalid.\n    \"\"\"",
    "exit code 0",
    "Set the exit code to OK when done.",
    "The process exited with code 0.",
    "--exit-code  Make the program exit with codes similar to diff(1)",
    "Tests: 42 passed, 0 FAILED",
    "Command executed.\nOutput:\n> jest\n PASS src/app.test.ts\nTests: 3 passed, 3 total",
    "The content was successfully saved to src/error.ts.",
    "No syntax errors detected in index.php",
    "Found 0 errors in 12 files",
    "E2E tests passed",
    "ls: listing 3 files\nsrc/errors/mod.rs\nsrc/errors/http.rs",
    "                  max_calls: proxyUsage.maxCalls,\n                },\n              }\n            : {}),\n          error: message,\n        },",
    "✓ 12 tests passed\n✓ lint clean",
    // Look-alikes of the shapes above.
    "check yaml...............................................................Passed",
    "Tests:       0 failed, 16 passed, 16 total",
    " Test Files  4 passed (4)",
    "3 passed, 0 failed in 0.42s",
    "Killed 3 stale workers",
    "make: Nothing to be done for 'all'.",
    "Build finished in 2.1s",
    "Terminated workers are restarted by the supervisor.",
];

#[test]
fn errors_are_recognised() {
    let missed: Vec<&&str> = ERRORS
        .iter()
        .filter(|text| !looks_like_error(text))
        .collect();
    assert!(missed.is_empty(), "not recognised as errors: {missed:#?}");
    assert!(ERRORS.len() >= 40, "{} positives", ERRORS.len());
}

#[test]
fn look_alikes_stay_clean() {
    let flagged: Vec<&&str> = CLEAN.iter().filter(|text| looks_like_error(text)).collect();
    assert!(flagged.is_empty(), "wrongly taken for errors: {flagged:#?}");
    assert!(CLEAN.len() >= 40, "{} negatives", CLEAN.len());
}

#[test]
fn only_the_first_lines_are_read() {
    let mut text = String::from("building\n");
    for line in 0..super::LINES {
        text.push_str(&format!("step {line} ok\n"));
    }
    assert!(!looks_like_error(&text));
    text.push_str("error: late failure\n");
    assert!(
        !looks_like_error(&text),
        "an error after the first lines is not this call's report"
    );
    assert!(looks_like_error("building\nerror: early failure\n"));
}
