//! `lucid db check|migrate|copy`: a database's schema version against this binary's, bringing
//! it up to date before servers start (SQLite file or PostgreSQL URL, as `--db` everywhere), and
//! moving a SQLite installation to PostgreSQL, verified by counts and hashes.

use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::{Args, Subcommand};

use crate::serve::{database_label, open_storage, postgres_url};

/// Check or migrate the service's database schema, or copy a SQLite installation to PostgreSQL.
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
    /// Copy everything in a SQLite database (workspaces and keys, stores, memories and every
    /// version, agents, sessions and every event, dreams, reviews, schedules, cached model
    /// answers) into a new, empty PostgreSQL database, in one transaction, and verify each
    /// table by its row count and a hash of its rows before committing. The source is only
    /// read; stop the server using it first. A dream that was running is run again by the
    /// first worker. Exit 0 when copied and verified; nothing is written otherwise.
    #[command(
        after_help = "Example:\n  lucid db copy --from sqlite://lucid.db --to postgres://lucid@db.internal/lucid"
    )]
    Copy {
        /// The SQLite database file (`sqlite://PATH` or a plain path).
        #[arg(long, value_name = "SQLITE")]
        from: String,
        /// The PostgreSQL database (`postgres://user:pass@host/db`); created tables must be
        /// empty. Its password is never printed.
        #[arg(long, value_name = "POSTGRES_URL")]
        to: String,
    },
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
        DbCommand::Copy { from, to } => copy(&from, &to),
    }
}

/// `lucid db copy`: SQLite → PostgreSQL.
fn copy(from: &str, to: &str) -> anyhow::Result<u8> {
    if lucid_storage_postgres::is_postgres_url(from) {
        anyhow::bail!("--from must be a SQLite database (copy goes from SQLite to PostgreSQL)");
    }
    if !lucid_storage_postgres::is_postgres_url(to) {
        anyhow::bail!("--to must be a PostgreSQL URL (postgres://user:pass@host/db), not {to:?}");
    }
    let source = Path::new(from.strip_prefix("sqlite://").unwrap_or(from));
    let target = lucid_storage_postgres::redact_url(to);
    let (applied, newest) = lucid_storage_sqlite::SqliteStorage::schema_version(source)
        .with_context(|| format!("reading {}", source.display()))?;
    if applied != newest {
        anyhow::bail!(
            "{} has schema {applied}, this lucid's is {newest}: run `lucid db migrate --db {}` \
             first (or use the lucid that wrote it)",
            source.display(),
            source.display()
        );
    }
    // Held for the whole copy: no server can start on the source meanwhile.
    let _lock = match lucid_storage_sqlite::DatabaseLock::try_acquire(source)
        .with_context(|| format!("locking {}", source.display()))?
    {
        Ok(lock) => lock,
        Err(held) => anyhow::bail!(
            "a lucid serve ({}) is using {}: stop it first, so the copy is complete",
            held.holder.as_deref().unwrap_or("holder unknown"),
            source.display()
        ),
    };
    // Creates the tables (or checks a newer schema is not there) before anything is copied.
    drop(
        lucid_storage_postgres::PostgresStorage::open(to)
            .with_context(|| format!("opening {target}"))?,
    );
    eprintln!("copying {} to {target}", source.display());
    let started = std::time::Instant::now();
    let copied = lucid_storage_postgres::copy_from_sqlite(source, to, |table| {
        eprintln!("  {:<20} {:>9} rows  verified", table.table, table.rows);
    })
    .with_context(|| format!("copying {} to {target}", source.display()))?;
    println!(
        "{:<20} {:>9}  sha256 of the rows (same on both sides)",
        "table", "rows"
    );
    for table in &copied {
        println!("{:<20} {:>9}  {}", table.table, table.rows, table.hash);
    }
    let rows: u64 = copied.iter().map(|table| table.rows).sum();
    println!(
        "copied {rows} rows in {} tables to {target} in {:.1} s; every table's count and hash \
         match the source",
        copied.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(0)
}
