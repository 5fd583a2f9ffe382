//! Schedules: dreams on a cron expression and/or after N new sessions.

use crate::params;
use crate::seam::{Row, Transaction};
use lucid_storage::{
    Dream, DreamModel, NewDream, NewSchedule, ObjectKind, OutputBehavior, Page, PageRequest,
    Result, Schedule, ScheduleTrigger, ScheduleType, StorageError, ids, validate,
};

use crate::query::{self as db, Query, to_json};
use crate::{agents, dreams, stores};

const COLUMNS: &str = "seq, id, store_id, cron, after_sessions, instructions, model, \
                       auto_promote, agent_ids, next_run_at, last_run_at, last_dream_id, \
                       created_at, updated_at, workspace_id, last_run_note";

fn row_to_schedule(row: &Row) -> Result<(i64, Schedule, String)> {
    Ok((
        row.get(0)?,
        Schedule {
            object: ScheduleType::Value,
            id: row.get(1)?,
            memory_store_id: row.get(2)?,
            cron: row.get(3)?,
            after_sessions: row
                .get::<Option<i64>>(4)?
                .map(|n| n.clamp(0, u32::MAX as i64) as u32),
            instructions: row.get(5)?,
            model: row.json::<DreamModel>(6)?,
            auto_promote: row.get(7)?,
            agent_ids: row.json(8)?,
            next_run_at: row.get(9)?,
            last_run_at: row.get(10)?,
            last_dream_id: row.get(11)?,
            last_run_note: row.get(15)?,
            created_at: row.get(12)?,
            updated_at: row.get(13)?,
        },
        row.get(14)?,
    ))
}

/// Checks the trigger (`cron`, `after_sessions` of 1 to 100, or both), the instructions, the
/// store (not archived) and the agents, then inserts the schedule.
pub fn create(conn: &dyn Transaction, ws: &str, new: NewSchedule) -> Result<Schedule> {
    if new.cron.is_none() && new.after_sessions.is_none() {
        return Err(StorageError::Invalid(
            "a schedule needs a cron expression, after_sessions, or both".into(),
        ));
    }
    if let Some(n) = new.after_sessions
        && (n == 0 || n as usize > validate::MAX_DREAM_SESSIONS)
    {
        return Err(StorageError::Invalid(format!(
            "after_sessions must be 1 to {}",
            validate::MAX_DREAM_SESSIONS
        )));
    }
    if let Some(text) = &new.instructions {
        validate::instructions(text)?;
    }
    let store = stores::get_store(conn, ws, &new.memory_store_id)?;
    if store.archived_at.is_some() {
        return Err(StorageError::Invalid(format!(
            "memory store {} is archived",
            store.id
        )));
    }
    for agent in &new.agent_ids {
        agents::get(conn, ws, agent)?;
    }
    let id = ids::new_id(ids::prefix::SCHEDULE);
    let now = ids::now();
    conn.execute(
        "INSERT INTO schedules (id, workspace_id, store_id, cron, after_sessions, instructions,
                                model, auto_promote, agent_ids, next_run_at, created_at,
                                updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11)",
        params![
            id,
            ws,
            store.id,
            new.cron,
            new.after_sessions.map(i64::from),
            new.instructions,
            to_json(&new.model),
            new.auto_promote,
            to_json(&new.agent_ids),
            new.next_run_at,
            now
        ],
    )?;
    get(conn, ws, &id)
}

fn find(conn: &dyn Transaction, id: &str) -> Result<Option<(Schedule, String)>> {
    conn.optional(
        &format!("SELECT {COLUMNS} FROM schedules WHERE id = ?1"),
        params![id],
        row_to_schedule,
    )
    .map(|found| found.map(|(_, schedule, ws)| (schedule, ws)))
}

/// The schedule if it belongs to `ws`; `NotFound` otherwise.
pub fn get(conn: &dyn Transaction, ws: &str, id: &str) -> Result<Schedule> {
    match find(conn, id)? {
        Some((schedule, owner)) if owner == ws => Ok(schedule),
        _ => Err(StorageError::not_found(ObjectKind::Schedule, id)),
    }
}

/// A page of the workspace's schedules, oldest first; the cursor is the sequence number.
pub fn list(conn: &dyn Transaction, ws: &str, page: &PageRequest) -> Result<Page<Schedule>> {
    let limit = db::limit(page);
    let mut query = Query::new(&format!(
        "SELECT {COLUMNS} FROM schedules WHERE workspace_id = ?"
    ));
    query.params.push(ws.to_string().into());
    if let Some(after) = db::cursor_seq(page)? {
        query.and("seq > ?", after);
    }
    query.tail(&format!("ORDER BY seq LIMIT {}", limit + 1));
    let rows = query.fetch(conn, row_to_schedule)?;
    Ok(db::paged(
        rows.into_iter().map(|(seq, s, _)| (seq, s)).collect(),
        limit,
    ))
}

/// Deletes the schedule and its record of sessions already dreamed; its dreams stay.
pub fn delete(conn: &dyn Transaction, ws: &str, id: &str) -> Result<()> {
    get(conn, ws, id)?;
    conn.execute(
        "DELETE FROM schedule_sessions WHERE schedule_id = ?1",
        params![id],
    )?;
    conn.execute("DELETE FROM schedules WHERE id = ?1", params![id])?;
    Ok(())
}

/// Every schedule of every workspace, oldest first.
pub fn all(conn: &dyn Transaction) -> Result<Vec<Schedule>> {
    let mut query = Query::new(&format!("SELECT {COLUMNS} FROM schedules WHERE 1 = 1"));
    query.tail("ORDER BY seq");
    Ok(query
        .fetch(conn, row_to_schedule)?
        .into_iter()
        .map(|(_, s, _)| s)
        .collect())
}

/// Sessions attached to the schedule's store that it has not dreamed yet, newest first.
fn waiting_sessions(
    conn: &dyn Transaction,
    schedule: &Schedule,
    limit: usize,
) -> Result<Vec<String>> {
    conn.all(
        "SELECT s.id FROM session_stores ss JOIN sessions s ON s.id = ss.session_id
         WHERE ss.store_id = ?1 AND s.kind = 'agent'
           AND s.id NOT IN (SELECT session_id FROM schedule_sessions WHERE schedule_id = ?2)
         ORDER BY s.seq DESC LIMIT ?3",
        params![schedule.memory_store_id, schedule.id, limit as i64],
        |row| row.get(0),
    )
}

/// Creates the dream `trigger` calls for, over up to 100 waiting sessions (newest first), and
/// records them as dreamed. `None` when another caller already took this cron time, the last
/// dream is unfinished, the store is gone or archived, or too few sessions wait.
pub fn fire(
    conn: &dyn Transaction,
    schedule_id: &str,
    trigger: ScheduleTrigger,
) -> Result<Option<Dream>> {
    let Some((schedule, ws)) = find(conn, schedule_id)? else {
        return Err(StorageError::not_found(ObjectKind::Schedule, schedule_id));
    };
    let now = ids::now();
    if let ScheduleTrigger::Cron { due, next } = &trigger {
        // Compare-and-set: only the caller that saw this `next_run_at` moves it on.
        let moved = conn.execute(
            "UPDATE schedules SET next_run_at = ?3, updated_at = ?4
                 WHERE id = ?1 AND next_run_at = ?2",
            params![schedule_id, due, next, now],
        )?;
        if moved == 0 {
            return Ok(None);
        }
    }
    // One dream at a time per schedule.
    if let Some(last) = &schedule.last_dream_id {
        let active: Option<String> = conn.optional(
            "SELECT status FROM dreams WHERE id = ?1 AND status IN ('pending', 'running')",
            params![last],
            |row| row.get(0),
        )?;
        if active.is_some() {
            return Ok(None);
        }
    }
    match stores::get_store(conn, &ws, &schedule.memory_store_id) {
        Ok(store) if store.archived_at.is_none() => {}
        _ => return Ok(None),
    }
    let waiting = waiting_sessions(conn, &schedule, validate::MAX_DREAM_SESSIONS)?;
    if waiting.is_empty() {
        return Ok(None);
    }
    if trigger == ScheduleTrigger::Sessions {
        match schedule.after_sessions {
            Some(n) if waiting.len() >= n as usize => {}
            _ => return Ok(None),
        }
    }
    let dream = dreams::insert(
        conn,
        &ws,
        NewDream {
            memory_store_id: schedule.memory_store_id.clone(),
            session_ids: waiting.clone(),
            model: schedule.model.clone(),
            instructions: schedule.instructions.clone(),
            output_behavior: OutputBehavior::CreateNew,
            schedule_id: Some(schedule.id.clone()),
            trusted_only: false,
        },
    )?;
    for session in &waiting {
        conn.execute(
            "INSERT INTO schedule_sessions (schedule_id, session_id, dream_id)
             VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
            params![schedule.id, session, dream.id],
        )?;
    }
    conn.execute(
        "UPDATE schedules SET last_run_at = ?2, last_dream_id = ?3, last_run_note = NULL,
                              updated_at = ?2
         WHERE id = ?1",
        params![schedule.id, now, dream.id],
    )?;
    Ok(Some(dream))
}
