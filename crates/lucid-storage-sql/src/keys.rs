//! Workspaces and API keys (stored as SHA-256 hashes of the secret).

use crate::params;
use crate::seam::{Row, Transaction};
use lucid_storage::{ApiKey, ObjectKind, Result, StorageError, Workspace, ids};

/// The workspace named `name` (trimmed), created when none has it; `Invalid` for an empty
/// name, one over 255 characters, or control characters.
pub fn ensure_workspace(conn: &dyn Transaction, name: &str) -> Result<Workspace> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 255 || name.chars().any(char::is_control) {
        return Err(StorageError::Invalid(
            "a workspace name is 1 to 255 characters without control characters".into(),
        ));
    }
    let found = conn.optional(
        "SELECT id, name, created_at FROM workspaces WHERE name = ?1",
        params![name],
        |row| {
            Ok(Workspace {
                id: row.get(0)?,
                name: row.get(1)?,
                created_at: row.get(2)?,
            })
        },
    )?;
    if let Some(workspace) = found {
        return Ok(workspace);
    }
    let workspace = Workspace {
        id: ids::new_id(ids::prefix::WORKSPACE),
        name: name.to_string(),
        created_at: ids::now(),
    };
    conn.execute(
        "INSERT INTO workspaces (id, name, created_at) VALUES (?1, ?2, ?3)",
        params![workspace.id, workspace.name, workspace.created_at],
    )?;
    Ok(workspace)
}

const KEY_COLUMNS: &str =
    "k.id, k.workspace_id, w.name, k.name, k.hint, k.created_at, k.revoked_at";

fn key_row(row: &Row) -> Result<ApiKey> {
    Ok(ApiKey {
        id: row.get(0)?,
        workspace_id: row.get(1)?,
        workspace_name: row.get(2)?,
        name: row.get(3)?,
        hint: row.get(4)?,
        created_at: row.get(5)?,
        revoked_at: row.get(6)?,
    })
}

/// A new key of workspace `workspace_name` (created if needed) and its secret, of which only
/// the SHA-256 hash and the first 13 characters (`hint`) are stored.
pub fn create_key(
    conn: &dyn Transaction,
    workspace_name: &str,
    key_name: Option<&str>,
) -> Result<(ApiKey, String)> {
    let workspace = ensure_workspace(conn, workspace_name)?;
    let secret = ids::new_secret();
    let id = ids::new_id(ids::prefix::API_KEY);
    let hint: String = secret.chars().take(13).collect();
    conn.execute(
        "INSERT INTO api_keys (id, workspace_id, name, key_hash, hint, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            id,
            workspace.id,
            key_name,
            ids::sha256_hex(secret.as_bytes()),
            hint,
            ids::now()
        ],
    )?;
    let key = get(conn, &id)?;
    Ok((key, secret))
}

fn get(conn: &dyn Transaction, id: &str) -> Result<ApiKey> {
    conn.optional(
        &format!(
            "SELECT {KEY_COLUMNS} FROM api_keys k JOIN workspaces w ON w.id = k.workspace_id
             WHERE k.id = ?1"
        ),
        params![id],
        key_row,
    )?
    .ok_or_else(|| StorageError::not_found(ObjectKind::ApiKey, id))
}

/// The key whose stored hash is the secret's SHA-256, unless it is revoked.
pub fn authenticate(conn: &dyn Transaction, secret: &str) -> Result<Option<ApiKey>> {
    conn.optional(
        &format!(
            "SELECT {KEY_COLUMNS} FROM api_keys k JOIN workspaces w ON w.id = k.workspace_id
             WHERE k.key_hash = ?1 AND k.revoked_at IS NULL"
        ),
        params![ids::sha256_hex(secret.as_bytes())],
        key_row,
    )
}

/// How many keys of every workspace are not revoked.
pub fn count(conn: &dyn Transaction) -> Result<u64> {
    conn.one(
        "SELECT COUNT(*) FROM api_keys WHERE revoked_at IS NULL",
        params![],
        |row| row.get::<i64>(0),
    )
    .map(|n| n.max(0) as u64)
}

/// Every key of every workspace, revoked ones too, oldest first.
pub fn list(conn: &dyn Transaction) -> Result<Vec<ApiKey>> {
    conn.all(
        &format!(
            "SELECT {KEY_COLUMNS} FROM api_keys k JOIN workspaces w ON w.id = k.workspace_id
             ORDER BY k.created_at, k.id"
        ),
        params![],
        key_row,
    )
}

/// Sets `revoked_at` once (a revoked key is returned unchanged); `NotFound` for an unknown
/// id.
pub fn revoke(conn: &dyn Transaction, id: &str) -> Result<ApiKey> {
    let key = get(conn, id)?;
    if key.revoked_at.is_none() {
        conn.execute(
            "UPDATE api_keys SET revoked_at = ?2 WHERE id = ?1",
            params![id, ids::now()],
        )?;
    }
    get(conn, id)
}
