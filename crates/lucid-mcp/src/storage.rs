//! A store of a lucid server's storage as the tools' backend (`lucid serve`'s `/mcp`).
//!
//! Every write is one storage call, so it is a memory version like any API write; its actor is
//! the MCP client (`mcp_actor` with the client's name and the key it used). Search uses the
//! storage's persistent index. Dreams are queued like `POST /v1/dreams` over the store's most
//! recent sessions.

use std::sync::Arc;

use lucid_storage::{
    Actor, DreamModel, MemoryFilter, MemoryListItem, MemoryPatch, NewDream, Order, OutputBehavior,
    PageRequest, SessionFilter, Storage,
};
use serde_json::Value;

use crate::{FileEntry, Hit, MemoryBackend, ToolError};

/// What the server does around a dream the storage cannot: check the model, wake a worker.
pub trait DreamHooks: Send + Sync {
    /// `Err(message)` when this server cannot run `model`.
    fn check_model(&self, model: &str) -> Result<(), String>;
    /// Called after a dream was queued.
    fn queued(&self);
}

/// One store of one workspace, acting for one MCP client.
pub struct StorageBackend {
    /// The service's storage.
    pub storage: Arc<dyn Storage>,
    /// The workspace the client's key belongs to.
    pub workspace_id: String,
    /// The store the tools read and write.
    pub store_id: String,
    /// Who the writes are recorded as (the key and the client), if known.
    pub actor: Option<Actor>,
    /// How the dream tools start and read dreams, when they are offered.
    pub dreams: Option<Arc<dyn DreamHooks>>,
}

impl StorageBackend {
    fn memory_id(&self, path: &str) -> Result<String, ToolError> {
        self.storage
            .memory_at_path(&self.workspace_id, &self.store_id, path)?
            .map(|m| m.id)
            .ok_or_else(|| ToolError::NotFound(format!("{path} does not exist")))
    }
}

impl MemoryBackend for StorageBackend {
    fn describe(&self) -> String {
        format!("the memory store {}", self.store_id)
    }

    fn list(&self, prefix: &str) -> Result<Vec<FileEntry>, ToolError> {
        let filter = MemoryFilter {
            path_prefix: (prefix != "/").then(|| prefix.to_string()),
            depth: 0,
            full: false,
        };
        let mut out = Vec::new();
        let mut page = PageRequest::first(100);
        loop {
            let listed =
                self.storage
                    .list_memories(&self.workspace_id, &self.store_id, &filter, &page)?;
            for item in listed.data {
                if let MemoryListItem::Memory(memory) = item {
                    out.push(FileEntry {
                        path: memory.path,
                        size: memory.content_size_bytes,
                    });
                }
            }
            match listed.next_page {
                Some(next) => page.page = Some(next),
                None => break,
            }
        }
        Ok(out)
    }

    fn read(&self, path: &str) -> Result<Option<String>, ToolError> {
        Ok(self
            .storage
            .memory_at_path(&self.workspace_id, &self.store_id, path)?
            .and_then(|m| m.content))
    }

    fn create(&self, path: &str, content: &str) -> Result<(), ToolError> {
        self.storage.create_memory(
            &self.workspace_id,
            &self.store_id,
            path,
            content,
            self.actor.as_ref(),
        )?;
        Ok(())
    }

    fn update(&self, path: &str, expected: &str, content: &str) -> Result<(), ToolError> {
        let id = self.memory_id(path)?;
        self.storage
            .update_memory(
                &self.workspace_id,
                &self.store_id,
                &id,
                MemoryPatch {
                    content: Some(content.to_string()),
                    path: None,
                    expected_sha256: Some(lucid_storage::ids::sha256_hex(expected.as_bytes())),
                },
                self.actor.as_ref(),
            )
            .map_err(|error| match error {
                lucid_storage::StorageError::Conflict(_) => ToolError::Conflict(format!(
                    "{path} changed while it was being edited; memory_view it and try again"
                )),
                other => other.into(),
            })?;
        Ok(())
    }

    fn delete(&self, path: &str) -> Result<(), ToolError> {
        let id = self.memory_id(path)?;
        self.storage.delete_memory(
            &self.workspace_id,
            &self.store_id,
            &id,
            None,
            self.actor.as_ref(),
        )?;
        Ok(())
    }

    fn rename(&self, from: &str, to: &str) -> Result<(), ToolError> {
        let id = self.memory_id(from)?;
        self.storage.update_memory(
            &self.workspace_id,
            &self.store_id,
            &id,
            MemoryPatch {
                content: None,
                path: Some(to.to_string()),
                expected_sha256: None,
            },
            self.actor.as_ref(),
        )?;
        Ok(())
    }

    fn search(&self, query: &str, limit: usize) -> Result<Vec<Hit>, ToolError> {
        Ok(self
            .storage
            .search_memories(&self.workspace_id, &self.store_id, query, limit)?
            .into_iter()
            .map(|h| Hit {
                path: h.path,
                line: h.line as usize,
                text: h.text,
                score: h.score as f32,
            })
            .collect())
    }

    fn dreams(&self) -> bool {
        self.dreams.is_some()
    }

    fn dream_create(&self, sessions: usize, model: Option<&str>) -> Result<Value, ToolError> {
        let Some(hooks) = &self.dreams else {
            return Err(ToolError::Unsupported("this server runs no dreams".into()));
        };
        let model = model.unwrap_or("lucid-builtin");
        hooks.check_model(model).map_err(ToolError::Invalid)?;
        let filter = SessionFilter {
            memory_store_id: Some(self.store_id.clone()),
            order: Order::Desc,
            ..SessionFilter::default()
        };
        let page = PageRequest::first(sessions);
        let session_ids: Vec<String> = self
            .storage
            .list_sessions(&self.workspace_id, &filter, &page)?
            .data
            .into_iter()
            .map(|s| s.id)
            .collect();
        if session_ids.is_empty() {
            return Err(ToolError::Invalid(format!(
                "the memory store {} has no sessions yet; a dream reads sessions that used it",
                self.store_id
            )));
        }
        let dream = self.storage.create_dream(
            &self.workspace_id,
            NewDream {
                memory_store_id: self.store_id.clone(),
                session_ids,
                model: DreamModel {
                    id: model.to_string(),
                    speed: None,
                },
                instructions: None,
                output_behavior: OutputBehavior::CreateNew,
                schedule_id: None,
                trusted_only: false,
            },
        )?;
        hooks.queued();
        serde_json::to_value(&dream).map_err(|e| ToolError::Backend(e.to_string()))
    }

    fn dream_status(&self, dream_id: &str) -> Result<Value, ToolError> {
        let dream = self.storage.get_dream(&self.workspace_id, dream_id)?;
        serde_json::to_value(&dream).map_err(|e| ToolError::Backend(e.to_string()))
    }
}
