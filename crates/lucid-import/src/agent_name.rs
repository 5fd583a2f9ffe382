//! Which folder names a session's agent. A folder a harness files sessions by says nothing of
//! who worked, and neither does a git worktree's own folder: the project above it does.

/// Whether a folder's name can name an agent. A folder a harness files sessions by says
/// nothing of who worked: a date (Codex's `sessions/2025/08/22/`), an index or a checkpoint id
/// (Entire's `57/e8437ebd48/0/full.jsonl`), a session's UUID, or the harness's own store
/// (`sessions`, Cline's `tasks`, Copilot CLI's `session-state`, Gemini CLI's `tmp/<hash>/chats`,
/// a hidden `.codex`).
pub fn folder_names_an_agent(name: &str) -> bool {
    let checkpoint_id = name.len() >= 8
        && name.chars().all(|c| c.is_ascii_hexdigit())
        && name.chars().any(|c| c.is_ascii_digit());
    let number = name.chars().all(|c| c.is_ascii_digit());
    let harness_store = matches!(
        name.to_ascii_lowercase().as_str(),
        "sessions" | "tasks" | "session-state" | "chats" | "history" | "transcripts" | "tmp"
    );
    // A hidden folder is a tool's own (`.codex`, `.copilot`, `.gemini`, `.worktrees`).
    let hidden = name.starts_with('.');
    !(name.trim().is_empty() || number || checkpoint_id || is_uuid(name) || harness_store || hidden)
}

/// Whether a name is a UUID (`5b1e0c2a-7d3f-4e8a-9c61-2f0d8a4b7e19`): a session's id.
pub fn is_uuid(name: &str) -> bool {
    let groups: Vec<&str> = name.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(group, len)| group.len() == len && group.chars().all(|c| c.is_ascii_hexdigit()))
}

/// The project a session worked in, named by the directory it started in: its last folder that
/// names an agent. A git worktree is its project's, whichever layout keeps it
/// (`cli/.worktrees/2`, `app/.claude/worktrees/fix-login`, `agentv__worktrees/sync`): the
/// worktree's own folder is a branch or a number, and every worktree of one project is one
/// agent's work.
pub(crate) fn project_of(started_in: &str) -> Option<&str> {
    let folders: Vec<&str> = started_in
        .split(['/', '\\'])
        .map(str::trim)
        .filter(|folder| !folder.is_empty())
        .collect();
    for at in (0..folders.len()).rev() {
        let folder = folders[at];
        let lower = folder.to_ascii_lowercase();
        // `cli/.worktrees/2`, `app/.claude/worktrees/fix-login`: the project is above.
        let hidden_store = lower == ".worktrees"
            || (lower == "worktrees" && at > 0 && folders[at - 1].starts_with('.'));
        if hidden_store {
            return last_naming(&folders[..at]);
        }
        // `agentv__worktrees/sync`: the store names its project.
        if let Some(stem) = lower.strip_suffix("worktrees") {
            let project = &folder[..stem.trim_end_matches(['_', '-', '.']).len()];
            if project.len() < stem.len() && folder_names_an_agent(project) {
                return Some(project);
            }
        }
    }
    last_naming(&folders)
}

/// The last of `folders` that names an agent.
fn last_naming<'a>(folders: &[&'a str]) -> Option<&'a str> {
    folders
        .iter()
        .rev()
        .copied()
        .find(|folder| folder_names_an_agent(folder))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_belongs_to_the_project_it_worked_in_not_to_a_worktree_folder() {
        for (started_in, project) in [
            ("/Users/ana/src/cli", Some("cli")),
            ("/Users/ana/src/cli/", Some("cli")),
            ("C:\\Users\\ana\\repos\\shop", Some("shop")),
            ("/Users/alex/workspace/cli/.worktrees/2", Some("cli")),
            ("/home/bo/app/.claude/worktrees/fix-login", Some("app")),
            (
                "/home/bo/code/agentv__worktrees/results-sync",
                Some("agentv"),
            ),
            ("/home/bo/code/shop-worktrees/feature-x", Some("shop")),
            ("/home/bo/worktrees/feature-x", Some("feature-x")),
            // A folder named by a number or an id is not the project; the one above it is.
            ("/tmp/runs/3", Some("runs")),
            (
                "/srv/tasks/5b1e0c2a-7d3f-4e8a-9c61-2f0d8a4b7e19",
                Some("srv"),
            ),
            ("/", None),
            ("", None),
        ] {
            assert_eq!(project_of(started_in), project, "{started_in}");
        }
    }

    #[test]
    fn folders_a_harness_files_sessions_by_name_no_agent() {
        for name in [
            "2025",
            "08",
            "e8437ebd48",
            "sessions",
            "Tasks",
            ".codex",
            " ",
            "tmp",
        ] {
            assert!(!folder_names_an_agent(name), "{name:?}");
        }
        for name in ["support-bot", "cli", "deadbeef", "v2", "abcdefab"] {
            assert!(folder_names_an_agent(name), "{name:?}");
        }
    }
}
