//! `lucid keys`: API keys, managed directly on the database (works while servers run: SQLite's
//! write lock, or PostgreSQL's, serialises them).

use std::path::PathBuf;

use crate::serve::{open_storage, postgres_url};
use anyhow::Context;
use clap::{Args, Subcommand};

/// Manage API keys. A key belongs to one workspace and sees only that workspace's objects.
#[derive(Debug, Args)]
pub struct KeysArgs {
    #[command(subcommand)]
    command: KeysCommand,

    /// The SQLite database file the server uses, or its PostgreSQL URL (`postgres://…`).
    #[arg(long, env = "LUCID_DB", default_value = "lucid.db", global = true)]
    db: PathBuf,
}

#[derive(Debug, Subcommand)]
enum KeysCommand {
    /// Create a key (and the workspace, if new). The secret is printed once, on stdout; only
    /// its SHA-256 hash is stored. A server running without keys requires them from then on
    /// (it notices within seconds).
    Create {
        /// The workspace the key acts in.
        #[arg(long)]
        workspace: String,
        /// A name to recognise the key by.
        #[arg(long)]
        name: Option<String>,
    },
    /// List keys (id, workspace, first characters of the secret, state).
    List,
    /// Revoke a key by id (`apikey_…`); servers stop accepting it within 10 seconds (at once on
    /// PostgreSQL, where the revocation is pushed to every node).
    Revoke {
        /// The key's id (`apikey_…`, from `lucid keys list`).
        id: String,
    },
}

pub fn run(args: KeysArgs) -> anyhow::Result<u8> {
    // Opening creates the file; only `create` may do that. `list` and `revoke` run outside the
    // project folder would otherwise leave an empty `lucid.db` behind and list nothing.
    if !matches!(args.command, KeysCommand::Create { .. })
        && postgres_url(&args.db).is_none()
        && !args.db.exists()
    {
        eprintln!(
            "error: there is no database at {} (pass --db or set LUCID_DB to the file `lucid \
             serve` uses; `lucid keys create` makes a new one)",
            args.db.display()
        );
        return Ok(crate::EXIT_REFUSED);
    }
    let storage = open_storage(&args.db, Default::default())?;
    match args.command {
        KeysCommand::Create { workspace, name } => {
            let (key, secret) = storage
                .create_api_key(&workspace, name.as_deref())
                .context("creating the key")?;
            eprintln!(
                "created key {} for workspace {} ({}); store the secret now, it is not shown again:",
                key.id, key.workspace_name, key.workspace_id
            );
            println!("{secret}");
        }
        KeysCommand::List => {
            for key in storage.list_api_keys().context("listing keys")? {
                println!(
                    "{}\t{}\t{}…\t{}\t{}",
                    key.id,
                    key.workspace_name,
                    key.hint,
                    key.name.unwrap_or_default(),
                    key.revoked_at
                        .map(|at| format!("revoked {at}"))
                        .unwrap_or_else(|| "active".into())
                );
            }
        }
        KeysCommand::Revoke { id } => {
            let key = storage.revoke_api_key(&id).context("revoking the key")?;
            eprintln!("revoked {} ({})", key.id, key.workspace_name);
        }
    }
    Ok(0)
}
