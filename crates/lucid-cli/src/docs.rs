//! `lucid completions SHELL` and `lucid man`: generated from the same clap tree as `--help`, so
//! they never drift from the commands.

use anyhow::Context;
use clap::Args;
use clap_complete::Shell;

/// Print a shell completion script.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  lucid completions bash > ~/.local/share/bash-completion/completions/lucid
  lucid completions zsh > ~/.zfunc/_lucid   # with fpath+=~/.zfunc before compinit
  lucid completions fish > ~/.config/fish/completions/lucid.fish")]
pub struct CompletionsArgs {
    /// The shell: bash, zsh, fish, elvish or powershell.
    shell: Shell,
}

/// Print the man page of `lucid` (roff), or write one page per command with --dir.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  lucid man | man -l -
  lucid man --dir ~/.local/share/man/man1   # lucid.1, lucid-dream.1, lucid-stores-create.1, …")]
pub struct ManArgs {
    /// Write lucid.1 and a page for every command (lucid-dream.1, …) into this folder.
    #[arg(long, value_name = "DIR")]
    dir: Option<std::path::PathBuf>,
}

pub fn completions(args: CompletionsArgs, mut command: clap::Command) -> anyhow::Result<u8> {
    clap_complete::generate(args.shell, &mut command, "lucid", &mut std::io::stdout());
    Ok(0)
}

pub fn man(args: ManArgs, command: clap::Command) -> anyhow::Result<u8> {
    match args.dir {
        Some(dir) => {
            std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
            clap_mangen::generate_to(command, &dir)
                .with_context(|| format!("writing the man pages to {}", dir.display()))?;
            eprintln!("man pages written to {}", dir.display());
        }
        None => {
            let command = command.disable_help_subcommand(true);
            clap_mangen::Man::new(command).render(&mut std::io::stdout().lock())?;
        }
    }
    Ok(0)
}
