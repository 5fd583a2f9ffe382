//! `lucid db check|migrate`: a database's schema version against this binary's, and bringing
//! it up to date before servers start (SQLite file or PostgreSQL URL, as `--db` everywhere).

use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, Subcommand};

use crate::serve::{database_label, open_storage, postgres_url};

/// Check or migrate the service's database schema.
#[derive(Debug, Args)]
pub struct DbArgs {
    #[command(subcommand)]
    command: DbCommand,

    /// The SQLite database file, or a PostgreSQL URL (`postgres://…`).
    #[arg(long, env = "LUCID_DB", default_value = "lucid.db", global = true)]
    db: PathBuf,
}

#[derive(Debug, Subcommand)]
enum DbCommand {
    /// Print the schema version; exit 0 when it is this lucid's, 1 when it is older (run `lucid
    /// db migrate`) or newer (upgrade lucid). Changes nothing.
    Check,
    /// Apply the migrations this lucid has and the database lacks (servers also do it at start;
    /// on PostgreSQL, under a lock, so one node does it).
    Migrate,
}

pub fn run(args: DbArgs) -> anyhow::Result<u8> {
    let label = database_label(&args.db);
    match args.command {
        DbCommand::Check => {
            let (applied, newest) = match postgres_url(&args.db) {
                Some(url) => lucid_storage_postgres::PostgresStorage::schema_version(url),
                None => lucid_storage_sqlite::SqliteStorage::schema_version(&args.db),
            }
            .with_context(|| format!("reading the schema version of {label}"))?;
            if applied == newest {
                println!("{label}: schema {applied}, up to date");
                Ok(0)
            } else if applied < newest {
                println!(
                    "{label}: schema {applied}, this lucid's is {newest}: run `lucid db migrate`"
                );
                Ok(1)
            } else {
                println!(
                    "{label}: schema {applied}, newer than this lucid's ({newest}): upgrade lucid"
                );
                Ok(1)
            }
        }
        DbCommand::Migrate => {
            open_storage(&args.db, Default::default())?;
            println!("{label}: migrated, up to date");
            Ok(0)
        }
    }
}
