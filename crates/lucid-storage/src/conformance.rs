//! The conformance suite: behaviour every [`Storage`] backend must have.
//!
//! A backend's tests call [`conformance_tests!`](crate::conformance_tests) with a function
//! that runs one check on a fresh, empty storage (a new SQLite file in a temporary folder; a new
//! PostgreSQL database): it expands to one `#[test]` per check, so every check passes or fails
//! on its own and the first failure hides nothing. [`run_all`] runs them all in one call (for
//! tools). Each check is also a public function. Checks panic with a message on failure, like
//! assertions in a test.
//!
//! A new check is a `pub fn name(storage: &dyn Storage)` here plus its name in the list of
//! [`conformance_tests!`](crate::conformance_tests); `every_check_is_listed` fails otherwise.

#![expect(
    clippy::expect_used,
    reason = "a test suite: a check that cannot take its next step fails, like an assertion"
)]

use serde_json::{Map, Value, json};

use crate::*;

/// One `#[test]` per conformance check, each calling `$with(check)`, where `$with` is a
/// `fn(fn(&dyn Storage))` of the backend's tests that makes a fresh storage, runs the check on
/// it and cleans up (or skips, saying why, when the backend is not available):
///
/// ```ignore
/// fn with_storage(check: fn(&dyn lucid_storage::Storage)) { check(&open_fresh()) }
/// lucid_storage::conformance_tests!(tests with_storage);
/// ```
///
/// `conformance_tests!(list)` is the list itself, as `&[(name, check)]`.
#[macro_export]
macro_rules! conformance_tests {
    (@each [tests $with:path] $($check:ident),*) => {
        $(
            #[test]
            fn $check() {
                $with($crate::conformance::$check)
            }
        )*
    };
    (@each [list] $($check:ident),*) => {
        &[$((stringify!($check), $crate::conformance::$check as $crate::conformance::Check)),*]
    };
    ($($mode:tt)*) => {
        $crate::conformance_tests! { @each [$($mode)*]
            api_keys,
            stores,
            workspaces_are_isolated,
            memories,
            memory_validation,
            memory_listing,
            memory_versions,
            memory_search,
            agents,
            sessions_reference_agent_versions,
            sessions_and_events,
            dream_validation,
            dream_lifecycle,
            dream_cancel_and_archive,
            dream_failure_and_recovery,
            dream_update_existing,
            promotion,
            reviewed_promotion,
            agents_never_end_up_on_archived_stores,
            schedules,
            session_trust,
            session_users,
            flagged_dreams_need_acknowledgement,
            flagged_update_existing_is_held,
            model_response_cache,
            flagged_scheduled_dreams_stay_unpromoted
        }
    };
}

/// A conformance check: panics with a message when the storage misbehaves.
pub type Check = fn(&dyn Storage);

/// Every check's name and function, in the order the tests are generated.
pub fn checks() -> &'static [(&'static str, Check)] {
    crate::conformance_tests!(list)
}

/// Runs every check, each on a fresh storage from `make`, and fails listing every check that
/// failed.
pub fn run_all<S: Storage>(make: &dyn Fn() -> S) {
    // Every check runs even when one fails, so the first failure does not hide the rest; the
    // panic names each failed check with its message.
    let mut failed = Vec::new();
    for (name, check) in checks() {
        let storage = make();
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| check(&storage)));
        if let Err(panic) = outcome {
            let message = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            failed.push(format!("{name}: {message}"));
        }
    }
    assert!(
        failed.is_empty(),
        "{} conformance check(s) failed:\n  {}",
        failed.len(),
        failed.join("\n  ")
    );
}

fn ws(storage: &dyn Storage, name: &str) -> String {
    storage.ensure_workspace(name).expect("workspace").id
}

fn store(storage: &dyn Storage, ws: &str, name: &str) -> MemoryStore {
    storage
        .create_store(
            ws,
            NewStore {
                name: name.into(),
                ..NewStore::default()
            },
        )
        .expect("create store")
}

fn api(key: &str) -> Actor {
    Actor::ApiActor {
        api_key_id: key.into(),
    }
}

fn agent(storage: &dyn Storage, ws: &str, name: &str, store: Option<&str>) -> Agent {
    storage
        .create_agent(
            ws,
            NewAgent {
                name: name.into(),
                model: json!({"id": "claude-test"}),
                memory_store_id: store.map(str::to_string),
                ..NewAgent::default()
            },
        )
        .expect("create agent")
}

fn event(kind: &str, text: &str) -> NewEvent {
    let mut event = Map::new();
    event.insert("type".into(), json!(kind));
    event.insert("content".into(), json!([{"type": "text", "text": text}]));
    event
}

fn session(storage: &dyn Storage, ws: &str, agent: &str, store: Option<&str>) -> Session {
    storage
        .create_session(
            ws,
            NewSession {
                agent_id: Some(agent.into()),
                environment_id: None,
                title: Some("t".into()),
                metadata: Metadata::new(),
                resources: store
                    .map(|s| json!({"type": "memory_store", "memory_store_id": s}))
                    .into_iter()
                    .collect(),
                source: None,
                events: vec![event(
                    "user.message",
                    "Remember: the staging database is on port 5433.",
                )],
                trust: SessionTrust::Default,
                users: SessionUsers::Team,
            },
        )
        .expect("create session")
}

fn new_dream(store: &str, sessions: &[String]) -> NewDream {
    NewDream {
        memory_store_id: store.into(),
        session_ids: sessions.to_vec(),
        model: DreamModel {
            id: "lucid-builtin".into(),
            speed: None,
        },
        instructions: None,
        output_behavior: OutputBehavior::CreateNew,
        schedule_id: None,
        trusted_only: false,
    }
}

fn is_not_found<T: std::fmt::Debug>(result: Result<T>) -> bool {
    matches!(result, Err(StorageError::NotFound { .. }))
}

fn is_invalid<T: std::fmt::Debug>(result: Result<T>) -> bool {
    matches!(result, Err(StorageError::Invalid(_)))
}

fn is_conflict<T: std::fmt::Debug>(result: Result<T>) -> bool {
    matches!(result, Err(StorageError::Conflict(_)))
}

fn completion(documents: &[(&str, &str)]) -> DreamCompletion {
    DreamCompletion {
        documents: documents
            .iter()
            .map(|(p, c)| (p.to_string(), c.to_string()))
            .collect(),
        report: json!({"status": "completed", "curator": "builtin", "changes": []}),
        diff: json!({"data": []}),
        usage: DreamUsage::default(),
        curator: "builtin".into(),
        events: vec![event("agent.message", "Writing.")],
    }
}

/// A completion whose report has `flags` flag changes.
fn flagged_completion(documents: &[(&str, &str)], flags: usize) -> DreamCompletion {
    let mut done = completion(documents);
    let changes: Vec<Value> = (0..flags)
        .map(|n| json!({"op": "flag", "text": format!("refused {n}"), "evidence": []}))
        .chain([json!({"op": "add", "text": "kept", "evidence": []})])
        .collect();
    done.report["changes"] = json!(changes);
    done
}

/// Keys are stored hashed, authenticate by secret, and can be revoked.
pub fn api_keys(storage: &dyn Storage) {
    assert_eq!(storage.count_api_keys().expect("count"), 0);
    let (key, secret) = storage.create_api_key("team", Some("ci")).expect("key");
    assert!(key.id.starts_with("apikey_"));
    assert_eq!(key.workspace_name, "team");
    assert!(secret.starts_with("sk-lucid-"));
    let found = storage.authenticate(&secret).expect("auth").expect("found");
    assert_eq!(found.id, key.id);
    assert_eq!(found.workspace_id, ws(storage, "team"));
    assert!(
        storage
            .authenticate("sk-lucid-wrong")
            .expect("auth")
            .is_none()
    );
    assert_eq!(storage.count_api_keys().expect("count"), 1);
    assert!(
        !storage
            .list_api_keys()
            .expect("list")
            .iter()
            .any(|k| k.hint == secret),
        "the secret itself is never listed"
    );
    storage.revoke_api_key(&key.id).expect("revoke");
    assert!(storage.authenticate(&secret).expect("auth").is_none());
    assert_eq!(storage.count_api_keys().expect("count"), 0);
}

/// Store CRUD, paging, metadata patches, and one-way archiving.
pub fn stores(storage: &dyn Storage) {
    let w = ws(storage, "w");
    let a = store(storage, &w, "a");
    let b = store(storage, &w, "b");
    assert!(a.id.starts_with("memstore_"));
    assert_eq!(storage.get_store(&w, &a.id).expect("get"), a);
    let first = storage
        .list_stores(&w, &StoreFilter::default(), &PageRequest::first(1))
        .expect("list");
    assert_eq!(first.data.len(), 1);
    assert_eq!(first.data[0].id, a.id);
    let second = storage
        .list_stores(
            &w,
            &StoreFilter::default(),
            &PageRequest {
                limit: 1,
                page: first.next_page.clone(),
            },
        )
        .expect("list page 2");
    assert_eq!(second.data[0].id, b.id);
    assert!(second.next_page.is_none());
    assert!(is_invalid(storage.list_stores(
        &w,
        &StoreFilter::default(),
        &PageRequest {
            limit: 1,
            page: Some("garbage".into())
        }
    )));

    let mut metadata = std::collections::BTreeMap::new();
    metadata.insert("team".to_string(), Some("support".to_string()));
    let updated = storage
        .update_store(
            &w,
            &a.id,
            StorePatch {
                description: Some("d".into()),
                metadata: Some(metadata),
                ..StorePatch::default()
            },
        )
        .expect("update");
    assert_eq!(updated.description, "d");
    assert_eq!(
        updated.metadata.get("team").map(String::as_str),
        Some("support")
    );
    let mut removal = std::collections::BTreeMap::new();
    removal.insert("team".to_string(), None);
    let updated = storage
        .update_store(
            &w,
            &a.id,
            StorePatch {
                metadata: Some(removal),
                ..StorePatch::default()
            },
        )
        .expect("update");
    assert!(updated.metadata.is_empty());
    let too_many: std::collections::BTreeMap<String, Option<String>> = (0..17)
        .map(|i| (format!("k{i}"), Some("v".to_string())))
        .collect();
    assert!(is_invalid(storage.update_store(
        &w,
        &a.id,
        StorePatch {
            metadata: Some(too_many),
            ..StorePatch::default()
        }
    )));
    assert!(is_invalid(storage.create_store(
        &w,
        NewStore {
            name: "x".repeat(256),
            ..NewStore::default()
        }
    )));

    let archived = storage.archive_store(&w, &a.id).expect("archive");
    assert!(archived.archived_at.is_some());
    assert_eq!(
        storage.archive_store(&w, &a.id).expect("again").archived_at,
        archived.archived_at
    );
    assert!(is_invalid(storage.update_store(
        &w,
        &a.id,
        StorePatch {
            name: Some("n".into()),
            ..StorePatch::default()
        }
    )));
    assert!(is_invalid(
        storage.create_memory(&w, &a.id, "/x.md", "x", None)
    ));
    let listed = storage
        .list_stores(&w, &StoreFilter::default(), &PageRequest::first(20))
        .expect("list");
    assert_eq!(listed.data.len(), 1);
    let all = storage
        .list_stores(
            &w,
            &StoreFilter {
                include_archived: true,
                ..StoreFilter::default()
            },
            &PageRequest::first(20),
        )
        .expect("list");
    assert_eq!(all.data.len(), 2);

    storage
        .create_memory(&w, &b.id, "/m.md", "m", None)
        .expect("memory");
    storage.delete_store(&w, &b.id).expect("delete");
    assert!(is_not_found(storage.get_store(&w, &b.id)));
}

/// Another workspace's objects are `NotFound`, for every kind of object.
pub fn workspaces_are_isolated(storage: &dyn Storage) {
    let mine = ws(storage, "mine");
    let theirs = ws(storage, "theirs");
    let s = store(storage, &mine, "s");
    let m = storage
        .create_memory(&mine, &s.id, "/a.md", "a", None)
        .expect("memory");
    let a = agent(storage, &mine, "bot", Some(&s.id));
    let sess = session(storage, &mine, &a.id, Some(&s.id));
    let d = storage
        .create_dream(&mine, new_dream(&s.id, std::slice::from_ref(&sess.id)))
        .expect("dream");

    assert!(is_not_found(storage.get_store(&theirs, &s.id)));
    assert!(is_not_found(storage.archive_store(&theirs, &s.id)));
    assert!(is_not_found(storage.delete_store(&theirs, &s.id)));
    assert!(is_not_found(
        storage.get_memory(&theirs, &s.id, &m.id, true)
    ));
    assert!(is_not_found(
        storage.create_memory(&theirs, &s.id, "/b.md", "b", None)
    ));
    assert!(is_not_found(storage.list_memory_versions(
        &theirs,
        &s.id,
        &VersionFilter::default(),
        &PageRequest::first(10)
    )));
    assert!(is_not_found(storage.get_agent(&theirs, &a.id)));
    assert!(is_not_found(storage.get_session(&theirs, &sess.id)));
    assert!(is_not_found(storage.append_events(
        &theirs,
        &sess.id,
        vec![event("user.message", "x")]
    )));
    assert!(is_not_found(storage.get_dream(&theirs, &d.id)));
    assert!(is_not_found(storage.cancel_dream(&theirs, &d.id)));
    // Using another workspace's objects as inputs is NotFound too.
    let their_agent = agent(storage, &theirs, "bot", None);
    assert!(is_not_found(storage.create_session(
        &theirs,
        NewSession {
            agent_id: Some(their_agent.id.clone()),
            environment_id: None,
            title: None,
            metadata: Metadata::new(),
            resources: vec![json!({"type": "memory_store", "memory_store_id": s.id})],
            source: None,
            events: vec![],
            trust: SessionTrust::Default,
            users: SessionUsers::External,
        }
    )));
    let their_store = store(storage, &theirs, "t");
    assert!(is_not_found(storage.create_dream(
        &theirs,
        new_dream(&their_store.id, std::slice::from_ref(&sess.id))
    )));
    assert!(
        storage
            .list_stores(&theirs, &StoreFilter::default(), &PageRequest::first(100))
            .expect("list")
            .data
            .iter()
            .all(|x| x.id != s.id)
    );
    assert!(
        storage
            .list_dreams(&theirs, &DreamFilter::default(), &PageRequest::first(100))
            .expect("list")
            .data
            .is_empty()
    );
}

/// Create never overwrites; updates take preconditions; deletes keep the history.
pub fn memories(storage: &dyn Storage) {
    let w = ws(storage, "w");
    let s = store(storage, &w, "s");
    let actor = api("apikey_1");
    let m = storage
        .create_memory(&w, &s.id, "/notes/a.md", "hello", Some(&actor))
        .expect("create");
    assert!(m.id.starts_with("mem_"));
    assert!(m.memory_version_id.starts_with("memver_"));
    assert_eq!(m.content_size_bytes, 5);
    assert_eq!(m.content_sha256, ids::sha256_hex(b"hello"));
    assert!(is_conflict(storage.create_memory(
        &w,
        &s.id,
        "/notes/a.md",
        "other",
        None
    )));
    assert_eq!(
        storage
            .get_memory(&w, &s.id, &m.id, true)
            .expect("get")
            .content
            .as_deref(),
        Some("hello")
    );
    assert_eq!(
        storage
            .get_memory(&w, &s.id, &m.id, false)
            .expect("get")
            .content,
        None
    );
    assert!(is_conflict(storage.update_memory(
        &w,
        &s.id,
        &m.id,
        MemoryPatch {
            content: Some("x".into()),
            expected_sha256: Some(ids::sha256_hex(b"not it")),
            ..MemoryPatch::default()
        },
        None
    )));
    let updated = storage
        .update_memory(
            &w,
            &s.id,
            &m.id,
            MemoryPatch {
                content: Some("hello, world".into()),
                expected_sha256: Some(m.content_sha256.clone()),
                ..MemoryPatch::default()
            },
            Some(&actor),
        )
        .expect("update");
    assert_ne!(updated.memory_version_id, m.memory_version_id);
    assert_eq!(updated.id, m.id);
    // No change: no new version.
    let same = storage
        .update_memory(
            &w,
            &s.id,
            &m.id,
            MemoryPatch {
                content: Some("hello, world".into()),
                ..MemoryPatch::default()
            },
            None,
        )
        .expect("no-op");
    assert_eq!(same.memory_version_id, updated.memory_version_id);
    let other = storage
        .create_memory(&w, &s.id, "/b.md", "b", None)
        .expect("create b");
    assert!(is_conflict(storage.update_memory(
        &w,
        &s.id,
        &m.id,
        MemoryPatch {
            path: Some("/b.md".into()),
            ..MemoryPatch::default()
        },
        None
    )));
    let renamed = storage
        .update_memory(
            &w,
            &s.id,
            &m.id,
            MemoryPatch {
                path: Some("/notes/renamed.md".into()),
                ..MemoryPatch::default()
            },
            None,
        )
        .expect("rename");
    assert_eq!(renamed.path, "/notes/renamed.md");
    assert!(is_conflict(storage.delete_memory(
        &w,
        &s.id,
        &other.id,
        Some(&ids::sha256_hex(b"wrong")),
        None
    )));
    storage
        .delete_memory(&w, &s.id, &other.id, Some(&other.content_sha256), None)
        .expect("delete");
    assert!(is_not_found(storage.get_memory(&w, &s.id, &other.id, true)));
    let versions = storage
        .list_memory_versions(
            &w,
            &s.id,
            &VersionFilter {
                memory_id: Some(other.id.clone()),
                ..VersionFilter::default()
            },
            &PageRequest::first(10),
        )
        .expect("versions");
    let operations: Vec<Operation> = versions.data.iter().map(|v| v.operation).collect();
    assert_eq!(operations, vec![Operation::Deleted, Operation::Created]);
    assert!(versions.data[0].content.is_none());
    let documents = storage.store_documents(&w, &s.id).expect("documents");
    assert_eq!(documents.len(), 1);
    assert_eq!(documents[0].path, "/notes/renamed.md");
    assert!(is_not_found(storage.get_memory(
        &w,
        &s.id,
        "mem_missing",
        true
    )));
}

/// Search follows every write (create, modify, rename, delete, store deletion), finds
/// identifiers whole and by part, and never reaches another store or workspace.
pub fn memory_search(storage: &dyn Storage) {
    let w = ws(storage, "w");
    let s = store(storage, &w, "s");
    let other = store(storage, &w, "other");
    let m = storage
        .create_memory(
            &w,
            &s.id,
            "/infra.md",
            "# Infra\n\n- Deploys go to db-2.internal\n- Use --force-with-lease\n",
            None,
        )
        .expect("create");
    storage
        .create_memory(&w, &other.id, "/x.md", "- db-2.internal is also here", None)
        .expect("create");
    let hits = storage
        .search_memories(&w, &s.id, "db-2.internal", 10)
        .expect("search");
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert_eq!((hits[0].path.as_str(), hits[0].line), ("/infra.md", 3));
    assert_eq!(hits[0].text, "Deploys go to db-2.internal");
    assert_eq!(hits[0].memory_id, m.id);
    assert!(hits[0].score > 0.0);
    // A part of an identifier, and a stem ("deploying" → "deploy").
    assert_eq!(
        storage
            .search_memories(&w, &s.id, "lease", 10)
            .expect("search")[0]
            .line,
        4
    );
    assert_eq!(
        storage
            .search_memories(&w, &s.id, "deploying", 10)
            .expect("search")[0]
            .line,
        3
    );
    // FTS syntax in a query is only words.
    assert!(
        storage
            .search_memories(&w, &s.id, "\"NEAR( AND * -", 10)
            .expect("search")
            .is_empty()
    );
    // Modify, rename, delete.
    storage
        .update_memory(
            &w,
            &s.id,
            &m.id,
            MemoryPatch {
                content: Some("- Deploys go to db-3.internal\n".into()),
                path: Some("/ops/infra.md".into()),
                expected_sha256: None,
            },
            None,
        )
        .expect("update");
    assert!(
        storage
            .search_memories(&w, &s.id, "db-2.internal", 10)
            .expect("search")
            .iter()
            .all(|h| !h.text.contains("db-2"))
    );
    let hits = storage
        .search_memories(&w, &s.id, "db-3.internal", 10)
        .expect("search");
    assert_eq!(hits[0].path, "/ops/infra.md");
    assert_eq!(
        storage
            .memory_at_path(&w, &s.id, "/ops/infra.md")
            .expect("at path")
            .map(|m| m.id),
        Some(m.id.clone())
    );
    assert_eq!(
        storage
            .memory_at_path(&w, &s.id, "/infra.md")
            .expect("at path"),
        None
    );
    storage
        .delete_memory(&w, &s.id, &m.id, None, None)
        .expect("delete");
    assert!(
        storage
            .search_memories(&w, &s.id, "deploys", 10)
            .expect("search")
            .is_empty()
    );
    // Another workspace sees nothing of this one.
    let w2 = ws(storage, "w2");
    assert!(matches!(
        storage.search_memories(&w2, &other.id, "internal", 10),
        Err(StorageError::NotFound { .. })
    ));
    storage.delete_store(&w, &other.id).expect("delete store");
    assert!(matches!(
        storage.search_memories(&w, &other.id, "internal", 10),
        Err(StorageError::NotFound { .. })
    ));
}

/// Paths and sizes are checked by the backend too: a malformed path or content one byte over
/// the limit is `Invalid`, content of exactly the limit is stored.
pub fn memory_validation(storage: &dyn Storage) {
    let w = ws(storage, "w");
    let s = store(storage, &w, "s");
    for bad in ["/a/../b.md", "relative.md", "/a//b", "/", "/./a"] {
        assert!(
            is_invalid(storage.create_memory(&w, &s.id, bad, "x", None)),
            "{bad}"
        );
    }
    let big = "x".repeat(validate::MAX_CONTENT_BYTES + 1);
    assert!(is_invalid(
        storage.create_memory(&w, &s.id, "/big.md", &big, None)
    ));
    let fits = "x".repeat(validate::MAX_CONTENT_BYTES);
    storage
        .create_memory(&w, &s.id, "/fits.md", &fits, None)
        .expect("exactly the limit");
}

/// Listing by prefix and depth, with prefixes rolled up, and paging across them.
pub fn memory_listing(storage: &dyn Storage) {
    let w = ws(storage, "w");
    let s = store(storage, &w, "s");
    for path in [
        "/a.md",
        "/notes/one.md",
        "/notes/two.md",
        "/notes/deep/x.md",
        "/notes/deep/y.md",
        "/notes-archive/z.md",
        "/team/p.md",
    ] {
        storage
            .create_memory(&w, &s.id, path, path, None)
            .expect("create");
    }
    let list = |filter: MemoryFilter, page: PageRequest| {
        storage
            .list_memories(&w, &s.id, &filter, &page)
            .expect("list")
    };
    let key = |item: &MemoryListItem| match item {
        MemoryListItem::Memory(m) => m.path.clone(),
        MemoryListItem::Prefix(p) => format!("prefix:{}", p.path),
    };
    let all = list(MemoryFilter::default(), PageRequest::first(100));
    assert_eq!(all.data.len(), 7);
    let notes = list(
        MemoryFilter {
            path_prefix: Some("/notes/".into()),
            ..MemoryFilter::default()
        },
        PageRequest::first(100),
    );
    let paths: Vec<String> = notes.data.iter().map(key).collect();
    assert_eq!(
        paths,
        vec![
            "/notes/deep/x.md",
            "/notes/deep/y.md",
            "/notes/one.md",
            "/notes/two.md"
        ]
    );
    let top = list(
        MemoryFilter {
            depth: 1,
            ..MemoryFilter::default()
        },
        PageRequest::first(100),
    );
    let keys: Vec<String> = top.data.iter().map(key).collect();
    assert_eq!(
        keys,
        vec![
            "/a.md",
            "prefix:/notes-archive/",
            "prefix:/notes/",
            "prefix:/team/"
        ]
    );
    // Page through the depth-1 listing of /notes/ one item at a time.
    let mut seen = Vec::new();
    let mut page = PageRequest::first(1);
    loop {
        let result = list(
            MemoryFilter {
                path_prefix: Some("/notes/".into()),
                depth: 1,
                full: true,
            },
            page.clone(),
        );
        seen.extend(result.data.iter().map(key));
        match result.next_page {
            Some(next) => page.page = Some(next),
            None => break,
        }
    }
    assert_eq!(
        seen,
        vec!["prefix:/notes/deep/", "/notes/one.md", "/notes/two.md"]
    );
    // Full views carry content.
    let full = list(
        MemoryFilter {
            full: true,
            ..MemoryFilter::default()
        },
        PageRequest::first(1),
    );
    match &full.data[0] {
        MemoryListItem::Memory(m) => assert_eq!(m.content.as_deref(), Some("/a.md")),
        MemoryListItem::Prefix(_) => panic!("expected a memory"),
    }
}

/// Versions: newest first, filters, actors, redaction.
pub fn memory_versions(storage: &dyn Storage) {
    let w = ws(storage, "w");
    let s = store(storage, &w, "s");
    let key = api("apikey_k");
    let by_session = Actor::SessionActor {
        session_id: "sesn_x".into(),
    };
    let m = storage
        .create_memory(&w, &s.id, "/a.md", "one", Some(&key))
        .expect("create");
    let m2 = storage
        .update_memory(
            &w,
            &s.id,
            &m.id,
            MemoryPatch {
                content: Some("two".into()),
                ..MemoryPatch::default()
            },
            Some(&by_session),
        )
        .expect("update");
    let all = storage
        .list_memory_versions(
            &w,
            &s.id,
            &VersionFilter {
                full: true,
                ..VersionFilter::default()
            },
            &PageRequest::first(10),
        )
        .expect("list");
    assert_eq!(all.data.len(), 2);
    assert_eq!(all.data[0].operation, Operation::Modified);
    assert_eq!(all.data[0].content.as_deref(), Some("two"));
    assert_eq!(all.data[0].created_by, Some(by_session.clone()));
    assert_eq!(all.data[1].created_by, Some(key.clone()));
    let basic = storage
        .get_memory_version(&w, &s.id, &all.data[1].id, false)
        .expect("get");
    assert_eq!(basic.content, None);
    assert_eq!(basic.content_sha256, Some(ids::sha256_hex(b"one")));
    let from_key = storage
        .list_memory_versions(
            &w,
            &s.id,
            &VersionFilter {
                api_key_id: Some("apikey_k".into()),
                ..VersionFilter::default()
            },
            &PageRequest::first(10),
        )
        .expect("filter");
    assert_eq!(from_key.data.len(), 1);
    let created = storage
        .list_memory_versions(
            &w,
            &s.id,
            &VersionFilter {
                operation: Some(Operation::Created),
                ..VersionFilter::default()
            },
            &PageRequest::first(1),
        )
        .expect("filter");
    assert_eq!(created.data.len(), 1);
    assert!(created.next_page.is_none());
    // The current version cannot be redacted; an older one can.
    assert!(is_invalid(storage.redact_memory_version(
        &w,
        &s.id,
        &m2.memory_version_id,
        Some(&key)
    )));
    let redacted = storage
        .redact_memory_version(&w, &s.id, &m.memory_version_id, Some(&key))
        .expect("redact");
    assert!(redacted.redacted_at.is_some());
    assert!(redacted.content.is_none() && redacted.path.is_none());
}

/// Agents: versions, optimistic concurrency, rollback needs a previous store.
pub fn agents(storage: &dyn Storage) {
    let w = ws(storage, "w");
    let s = store(storage, &w, "s");
    let a = agent(storage, &w, "support-bot", Some(&s.id));
    assert!(a.id.starts_with("agent_"));
    assert_eq!(a.version, 1);
    assert_eq!(a.memory_store_id.as_deref(), Some(s.id.as_str()));
    let found = storage
        .find_agent_by_name(&w, "support-bot")
        .expect("find")
        .expect("found");
    assert_eq!(found.id, a.id);
    assert!(is_conflict(storage.update_agent(
        &w,
        &a.id,
        AgentPatch {
            name: Some("x".into()),
            expected_version: Some(7),
            ..AgentPatch::default()
        }
    )));
    let mut extra = Map::new();
    extra.insert("custom".into(), json!({"k": 1}));
    let updated = storage
        .update_agent(
            &w,
            &a.id,
            AgentPatch {
                system: Some(Some("be brief".into())),
                expected_version: Some(1),
                extra,
                ..AgentPatch::default()
            },
        )
        .expect("update");
    assert_eq!(updated.version, 2);
    assert_eq!(updated.extra.get("custom"), Some(&json!({"k": 1})));
    assert!(is_invalid(storage.rollback_agent(&w, &a.id)));
    assert!(is_not_found(storage.create_agent(
        &w,
        NewAgent {
            name: "x".into(),
            model: json!({"id": "m"}),
            memory_store_id: Some("memstore_missing".into()),
            ..NewAgent::default()
        }
    )));
    let archived = storage.archive_agent(&w, &a.id).expect("archive");
    assert!(archived.archived_at.is_some());
    assert!(
        storage
            .list_agents(&w, &AgentFilter::default(), &PageRequest::first(10))
            .expect("list")
            .data
            .is_empty()
    );
}

/// A session reports the agent as it was when the session started, through the version it
/// references; the versions list holds each version once, newest first.
pub fn sessions_reference_agent_versions(storage: &dyn Storage) {
    let w = ws(storage, "w");
    let a = storage
        .create_agent(
            &w,
            NewAgent {
                name: "a".into(),
                model: json!({"id": "m"}),
                system: Some("first prompt".into()),
                ..NewAgent::default()
            },
        )
        .expect("agent");
    let first = session(storage, &w, &a.id, None);
    assert_eq!(first.agent["system"], "first prompt");
    assert_eq!(first.agent["version"], 1);
    assert_eq!(first.agent["id"], json!(a.id));
    storage
        .update_agent(
            &w,
            &a.id,
            AgentPatch {
                system: Some(Some("second prompt".into())),
                ..AgentPatch::default()
            },
        )
        .expect("update");
    let second = session(storage, &w, &a.id, None);
    assert_eq!(second.agent["system"], "second prompt");
    assert_eq!(second.agent["version"], 2);
    let again = storage.get_session(&w, &first.id).expect("first again");
    assert_eq!(
        again.agent["system"], "first prompt",
        "a session keeps its version"
    );
    let versions = storage
        .list_agent_versions(&w, &a.id, &PageRequest::first(1))
        .expect("versions");
    assert_eq!(versions.data.len(), 1);
    assert_eq!(versions.data[0]["version"], 2);
    assert!(versions.data[0]["created_at"].is_string());
    let rest = storage
        .list_agent_versions(
            &w,
            &a.id,
            &PageRequest {
                limit: 10,
                page: versions.next_page.clone(),
            },
        )
        .expect("next page");
    assert_eq!(rest.data.len(), 1);
    assert_eq!(rest.data[0]["system"], "first prompt");
    assert_eq!(rest.next_page, None);
    let other = ws(storage, "other");
    assert!(is_not_found(storage.list_agent_versions(
        &other,
        &a.id,
        &PageRequest::first(10)
    )));
}

/// Whose words a session's user messages are: kept as given, changed by an update.
pub fn session_users(storage: &dyn Storage) {
    let w = ws(storage, "w");
    let a = agent(storage, &w, "a", None);
    let team = session(storage, &w, &a.id, None);
    assert_eq!(team.users, SessionUsers::Team);
    let external = storage
        .create_session(
            &w,
            NewSession {
                agent_id: Some(a.id.clone()),
                environment_id: None,
                title: None,
                metadata: Metadata::new(),
                resources: vec![],
                source: None,
                events: vec![],
                trust: SessionTrust::Default,
                users: SessionUsers::External,
            },
        )
        .expect("session");
    assert_eq!(external.users, SessionUsers::External);
    assert_eq!(
        storage.get_session(&w, &external.id).expect("get").users,
        SessionUsers::External
    );
    let updated = storage
        .update_session(
            &w,
            &external.id,
            SessionPatch {
                users: Some(SessionUsers::Team),
                ..SessionPatch::default()
            },
        )
        .expect("update");
    assert_eq!(updated.users, SessionUsers::Team);
}

/// Sessions: resources, filters, events with caller ids, ordering, streaming positions.
pub fn sessions_and_events(storage: &dyn Storage) {
    let w = ws(storage, "w");
    let s = store(storage, &w, "Team Memory");
    let a = agent(storage, &w, "bot", None);
    let b = agent(storage, &w, "other", None);
    let one = session(storage, &w, &a.id, Some(&s.id));
    let two = session(storage, &w, &b.id, None);
    assert!(one.id.starts_with("sesn_"));
    assert_eq!(one.event_count, 1);
    assert_eq!(
        one.agent.get("id").and_then(Value::as_str),
        Some(a.id.as_str())
    );
    assert_eq!(
        one.resources[0].get("mount_path").and_then(Value::as_str),
        Some("/mnt/memory/team-memory")
    );
    let by_store = storage
        .list_sessions(
            &w,
            &SessionFilter {
                memory_store_id: Some(s.id.clone()),
                ..SessionFilter::default()
            },
            &PageRequest::first(10),
        )
        .expect("list");
    assert_eq!(by_store.data.len(), 1);
    assert_eq!(by_store.data[0].id, one.id);
    let newest_first = storage
        .list_sessions(
            &w,
            &SessionFilter {
                order: Order::Desc,
                ..SessionFilter::default()
            },
            &PageRequest::first(1),
        )
        .expect("list");
    assert_eq!(newest_first.data[0].id, two.id);
    assert!(newest_first.next_page.is_some());
    let by_agent = storage
        .list_sessions(
            &w,
            &SessionFilter {
                agent_id: Some(b.id.clone()),
                ..SessionFilter::default()
            },
            &PageRequest::first(10),
        )
        .expect("list");
    assert_eq!(by_agent.data.len(), 1);

    let mut tool_use = Map::new();
    tool_use.insert("type".into(), json!("agent.tool_use"));
    tool_use.insert("id".into(), json!("toolu_1"));
    tool_use.insert("name".into(), json!("bash"));
    tool_use.insert("input".into(), json!({"command": "ls"}));
    tool_use.insert("processed_at".into(), json!("2026-01-01T00:00:00Z"));
    let stored = storage
        .append_events(
            &w,
            &one.id,
            vec![tool_use.clone(), event("agent.message", "done")],
        )
        .expect("append");
    assert_eq!(stored[0].id, "toolu_1");
    assert_eq!(stored[0].processed_at, "2026-01-01T00:00:00.000000Z");
    assert!(stored[1].id.starts_with("sevt_"));
    assert!(is_conflict(storage.append_events(
        &w,
        &one.id,
        vec![tool_use]
    )));
    let mut untyped = Map::new();
    untyped.insert("content".into(), json!("x"));
    assert!(is_invalid(storage.append_events(
        &w,
        &one.id,
        vec![untyped]
    )));

    let messages = storage
        .list_events(
            &w,
            &one.id,
            &EventFilter {
                types: vec!["agent.message".into(), "user.message".into()],
                ..EventFilter::default()
            },
            &PageRequest::first(10),
        )
        .expect("events");
    assert_eq!(messages.data.len(), 2);
    let desc = storage
        .list_events(
            &w,
            &one.id,
            &EventFilter {
                order: Order::Desc,
                ..EventFilter::default()
            },
            &PageRequest::first(2),
        )
        .expect("events");
    assert_eq!(desc.data[0].event_type, "agent.message");
    let rest = storage
        .list_events(
            &w,
            &one.id,
            &EventFilter {
                order: Order::Desc,
                ..EventFilter::default()
            },
            &PageRequest {
                limit: 2,
                page: desc.next_page.clone(),
            },
        )
        .expect("events");
    assert_eq!(rest.data.len(), 1);
    assert_eq!(rest.data[0].event_type, "user.message");

    let (first, open) = storage.events_after(&w, &one.id, 0, 2).expect("after");
    assert!(open);
    assert_eq!(first.len(), 2);
    let (more, _) = storage
        .events_after(&w, &one.id, first[1].seq, 10)
        .expect("after");
    assert_eq!(more.len(), 1);
    assert_eq!(
        storage
            .event_position(&w, &one.id, &first[1].id)
            .expect("position"),
        Some(first[1].seq)
    );

    let title = SessionPatch {
        title: Some(Some("renamed".into())),
        ..SessionPatch::default()
    };
    assert_eq!(
        storage
            .update_session(&w, &one.id, title)
            .expect("update")
            .title
            .as_deref(),
        Some("renamed")
    );
    storage.archive_session(&w, &one.id).expect("archive");
    assert!(is_invalid(storage.append_events(
        &w,
        &one.id,
        vec![event("user.message", "late")]
    )));
    let (_, open) = storage.events_after(&w, &one.id, 0, 10).expect("after");
    assert!(!open, "an archived session's stream ends");
    storage.delete_session(&w, &two.id).expect("delete");
    assert!(is_not_found(storage.get_session(&w, &two.id)));
}

/// The rules of a dream's inputs.
pub fn dream_validation(storage: &dyn Storage) {
    let w = ws(storage, "w");
    let s = store(storage, &w, "s");
    let a = agent(storage, &w, "bot", None);
    let sess = session(storage, &w, &a.id, None);
    let ids: Vec<String> = (0..101).map(|i| format!("sesn_{i}")).collect();
    assert!(is_invalid(storage.create_dream(&w, new_dream(&s.id, &ids))));
    assert!(is_invalid(storage.create_dream(
        &w,
        new_dream(&s.id, &[sess.id.clone(), sess.id.clone()])
    )));
    assert!(is_invalid(storage.create_dream(&w, new_dream(&s.id, &[]))));
    assert!(is_not_found(storage.create_dream(
        &w,
        new_dream(&s.id, &["sesn_missing".to_string()])
    )));
    assert!(is_not_found(storage.create_dream(
        &w,
        new_dream("memstore_missing", std::slice::from_ref(&sess.id))
    )));
    let mut long = new_dream(&s.id, std::slice::from_ref(&sess.id));
    long.instructions = Some("x".repeat(4097));
    assert!(is_invalid(storage.create_dream(&w, long)));
    let archived = store(storage, &w, "old");
    storage.archive_store(&w, &archived.id).expect("archive");
    assert!(is_invalid(storage.create_dream(
        &w,
        new_dream(&archived.id, std::slice::from_ref(&sess.id))
    )));
}

/// pending → running → completed: the output is a new store, the input is untouched.
pub fn dream_lifecycle(storage: &dyn Storage) {
    let w = ws(storage, "w");
    let s = store(storage, &w, "s");
    storage
        .create_memory(&w, &s.id, "/keep.md", "- keep\n", None)
        .expect("m1");
    storage
        .create_memory(&w, &s.id, "/drop.md", "- drop\n", None)
        .expect("m2");
    let versions_before = storage
        .list_memory_versions(
            &w,
            &s.id,
            &VersionFilter::default(),
            &PageRequest::first(100),
        )
        .expect("versions");
    let a = agent(storage, &w, "bot", Some(&s.id));
    let sess = session(storage, &w, &a.id, Some(&s.id));
    let dream = storage
        .create_dream(&w, new_dream(&s.id, std::slice::from_ref(&sess.id)))
        .expect("dream");
    assert_eq!(dream.status, DreamStatus::Pending);
    assert!(dream.outputs.is_empty());
    assert!(dream.id.starts_with("drm_"));

    let claimed = storage.claim_dream().expect("claim").expect("a dream");
    assert_eq!(claimed.id, dream.id);
    assert_eq!(claimed.status, DreamStatus::Running);
    assert!(storage.claim_dream().expect("claim").is_none());
    let started = storage.start_dream(&dream.id).expect("start");
    assert_eq!(started.documents.len(), 2);
    assert_ne!(started.output_store_id, s.id);
    let running = storage.get_dream(&w, &dream.id).expect("get");
    assert_eq!(
        running.session_id.as_deref(),
        Some(started.session_id.as_str())
    );
    assert_eq!(
        running.output_store_id(),
        Some(started.output_store_id.as_str())
    );
    // The clone holds the input's documents.
    assert_eq!(
        storage
            .store_documents(&w, &started.output_store_id)
            .expect("docs")
            .len(),
        2
    );
    let inputs = storage.dream_sessions(&dream.id).expect("sessions");
    assert_eq!(inputs.len(), 1);
    assert_eq!(inputs[0].agent_name, "bot");
    assert_eq!(inputs[0].events.len(), 1);
    storage
        .narrate(&dream.id, vec![event("agent.message", "Merging.")])
        .expect("narrate");
    let narration = storage
        .get_session(&w, &started.session_id)
        .expect("session");
    assert_eq!(narration.kind, SessionKind::Dream);
    assert!(is_invalid(storage.append_events(
        &w,
        &started.session_id,
        vec![event("user.message", "x")]
    )));

    assert!(
        storage
            .complete_dream(
                &dream.id,
                completion(&[("/keep.md", "- keep\n- new\n"), ("/added.md", "- added\n")])
            )
            .expect("complete")
    );
    let done = storage.get_dream(&w, &dream.id).expect("get");
    assert_eq!(done.status, DreamStatus::Completed);
    assert!(done.ended_at.is_some());
    assert_eq!(done.curator.as_deref(), Some("builtin"));
    let output: Vec<(String, String)> = storage
        .store_documents(&w, &started.output_store_id)
        .expect("docs")
        .into_iter()
        .map(|d| (d.path, d.content))
        .collect();
    assert_eq!(
        output,
        vec![
            ("/added.md".to_string(), "- added\n".to_string()),
            ("/keep.md".to_string(), "- keep\n- new\n".to_string())
        ]
    );
    let dream_versions = storage
        .list_memory_versions(
            &w,
            &started.output_store_id,
            &VersionFilter {
                dream_id: Some(dream.id.clone()),
                ..VersionFilter::default()
            },
            &PageRequest::first(100),
        )
        .expect("versions");
    assert!(dream_versions.data.iter().all(|v| v.created_by
        == Some(Actor::DreamActor {
            dream_id: dream.id.clone()
        })));
    let versions_after = storage
        .list_memory_versions(
            &w,
            &s.id,
            &VersionFilter::default(),
            &PageRequest::first(100),
        )
        .expect("versions");
    assert_eq!(
        versions_before, versions_after,
        "the input store is untouched"
    );
    assert!(
        storage
            .dream_report(&w, &dream.id)
            .expect("report")
            .is_some()
    );
    assert!(storage.dream_diff(&w, &dream.id).expect("diff").is_some());
    let (events, open) = storage
        .events_after(&w, &started.session_id, 0, 100)
        .expect("events");
    assert!(!open, "a finished dream's narration ends");
    let types: Vec<&str> = events.iter().map(|e| e.event_type.as_str()).collect();
    assert_eq!(types.first(), Some(&"session.status_running"));
    assert_eq!(types.last(), Some(&"session.status_terminated"));
    assert!(types.contains(&"session.status_idle"));
    // Completing twice changes nothing.
    assert!(
        !storage
            .complete_dream(&dream.id, completion(&[]))
            .expect("again")
    );
    let listed = storage
        .list_dreams(
            &w,
            &DreamFilter {
                statuses: vec![DreamStatus::Completed],
                ..DreamFilter::default()
            },
            &PageRequest::first(10),
        )
        .expect("list");
    assert_eq!(listed.data.len(), 1);
}

/// Cancel and archive rules, and a cancel racing the worker.
pub fn dream_cancel_and_archive(storage: &dyn Storage) {
    let w = ws(storage, "w");
    let s = store(storage, &w, "s");
    let a = agent(storage, &w, "bot", None);
    let sess = session(storage, &w, &a.id, None);
    let pending = storage
        .create_dream(&w, new_dream(&s.id, std::slice::from_ref(&sess.id)))
        .expect("dream");
    assert!(is_invalid(storage.archive_dream(&w, &pending.id)));
    let canceled = storage.cancel_dream(&w, &pending.id).expect("cancel");
    assert_eq!(canceled.status, DreamStatus::Canceled);
    assert!(canceled.ended_at.is_some());
    let again = storage.cancel_dream(&w, &pending.id).expect("no-op");
    assert_eq!(again, canceled);
    assert!(storage.claim_dream().expect("claim").is_none());
    let archived = storage.archive_dream(&w, &pending.id).expect("archive");
    assert!(archived.archived_at.is_some());
    assert!(
        storage
            .list_dreams(&w, &DreamFilter::default(), &PageRequest::first(10))
            .expect("list")
            .data
            .is_empty()
    );
    assert_eq!(
        storage
            .list_dreams(
                &w,
                &DreamFilter {
                    include_archived: true,
                    ..DreamFilter::default()
                },
                &PageRequest::first(10)
            )
            .expect("list")
            .data
            .len(),
        1
    );

    // A running dream canceled mid-way: the worker's completion is refused, nothing written.
    let running = storage
        .create_dream(&w, new_dream(&s.id, std::slice::from_ref(&sess.id)))
        .expect("dream");
    storage.claim_dream().expect("claim").expect("claimed");
    let started = storage.start_dream(&running.id).expect("start");
    assert!(is_invalid(storage.archive_dream(&w, &running.id)));
    storage.cancel_dream(&w, &running.id).expect("cancel");
    assert!(
        !storage
            .complete_dream(&running.id, completion(&[("/x.md", "x")]))
            .expect("complete")
    );
    assert_eq!(
        storage.dream_status(&running.id).expect("status"),
        DreamStatus::Canceled
    );
    assert!(
        storage
            .store_documents(&w, &started.output_store_id)
            .expect("docs")
            .is_empty()
    );
    assert!(
        storage
            .get_store(&w, &started.output_store_id)
            .expect("output")
            .archived_at
            .is_some()
    );
    assert!(is_invalid(storage.start_dream(&running.id)));

    // Completed dreams cannot be canceled.
    let done = storage
        .create_dream(&w, new_dream(&s.id, std::slice::from_ref(&sess.id)))
        .expect("dream");
    storage.claim_dream().expect("claim");
    storage.start_dream(&done.id).expect("start");
    storage
        .complete_dream(&done.id, completion(&[]))
        .expect("complete");
    assert!(is_invalid(storage.cancel_dream(&w, &done.id)));
}

/// Failures carry an error type; a crash leaves no dream running.
pub fn dream_failure_and_recovery(storage: &dyn Storage) {
    let w = ws(storage, "w");
    let s = store(storage, &w, "s");
    let a = agent(storage, &w, "bot", None);
    let sess = session(storage, &w, &a.id, None);
    let gone = session(storage, &w, &a.id, None);
    let dream = storage
        .create_dream(&w, new_dream(&s.id, &[sess.id.clone(), gone.id.clone()]))
        .expect("dream");
    storage.delete_session(&w, &gone.id).expect("delete");
    storage.claim_dream().expect("claim");
    match storage.start_dream(&dream.id) {
        Err(StorageError::NotFound { kind, .. }) => assert_eq!(kind, ObjectKind::Session),
        other => panic!("expected a missing session, got {other:?}"),
    }
    assert!(
        storage
            .fail_dream(
                &dream.id,
                DreamErrorObject {
                    kind: "input_session_unavailable".into(),
                    message: "gone".into()
                }
            )
            .expect("fail")
    );
    let failed = storage.get_dream(&w, &dream.id).expect("get");
    assert_eq!(failed.status, DreamStatus::Failed);
    assert_eq!(
        failed.error.as_ref().map(|e| e.kind.as_str()),
        Some("input_session_unavailable")
    );
    assert!(is_invalid(storage.cancel_dream(&w, &dream.id)));

    let crashed = storage
        .create_dream(&w, new_dream(&s.id, std::slice::from_ref(&sess.id)))
        .expect("dream");
    let waiting = storage
        .create_dream(&w, new_dream(&s.id, std::slice::from_ref(&sess.id)))
        .expect("dream");
    storage.claim_dream().expect("claim");
    storage.start_dream(&crashed.id).expect("start");
    assert_eq!(
        storage.recover_dreams().expect("recover"),
        vec![crashed.id.clone()]
    );
    let recovered = storage.get_dream(&w, &crashed.id).expect("get");
    assert_eq!(recovered.status, DreamStatus::Failed);
    assert_eq!(
        recovered.error.as_ref().map(|e| e.kind.as_str()),
        Some("internal_error")
    );
    assert_eq!(
        storage.get_dream(&w, &waiting.id).expect("get").status,
        DreamStatus::Pending,
        "pending dreams stay pending"
    );
}

/// `update_existing` needs the store's auto-apply policy, and writes into the input store.
pub fn dream_update_existing(storage: &dyn Storage) {
    let w = ws(storage, "w");
    let s = store(storage, &w, "s");
    storage
        .create_memory(&w, &s.id, "/a.md", "- a\n", None)
        .expect("m");
    let a = agent(storage, &w, "bot", None);
    let sess = session(storage, &w, &a.id, None);
    let mut request = new_dream(&s.id, std::slice::from_ref(&sess.id));
    request.output_behavior = OutputBehavior::UpdateExisting {
        memory_store_id: s.id.clone(),
    };
    assert!(is_invalid(storage.create_dream(&w, request.clone())));
    storage
        .update_store(
            &w,
            &s.id,
            StorePatch {
                auto_apply: Some(true),
                ..StorePatch::default()
            },
        )
        .expect("policy");
    let dream = storage
        .create_dream(&w, request.clone())
        .expect("allowed now");
    assert!(is_conflict(storage.create_dream(&w, request)));
    storage.claim_dream().expect("claim");
    let started = storage.start_dream(&dream.id).expect("start");
    assert_eq!(started.output_store_id, s.id);
    storage
        .complete_dream(&dream.id, completion(&[("/a.md", "- a\n- b\n")]))
        .expect("complete");
    assert_eq!(
        storage.store_documents(&w, &s.id).expect("docs")[0].content,
        "- a\n- b\n"
    );
}

/// Promotion switches agents atomically; rollback switches back; discard archives the output.
pub fn promotion(storage: &dyn Storage) {
    let w = ws(storage, "w");
    let s = store(storage, &w, "s");
    let a = agent(storage, &w, "a", Some(&s.id));
    let b = agent(storage, &w, "b", Some(&s.id));
    let sess = session(storage, &w, &a.id, None);
    let dream = storage
        .create_dream(&w, new_dream(&s.id, std::slice::from_ref(&sess.id)))
        .expect("dream");
    assert!(is_invalid(storage.promote_dream(
        &w,
        &dream.id,
        std::slice::from_ref(&a.id),
        false
    )));
    storage.claim_dream().expect("claim");
    let started = storage.start_dream(&dream.id).expect("start");
    storage
        .complete_dream(&dream.id, completion(&[]))
        .expect("complete");
    // One unknown agent: nothing is switched.
    assert!(is_not_found(storage.promote_dream(
        &w,
        &dream.id,
        &[a.id.clone(), "agent_missing".into()],
        false
    )));
    assert_eq!(
        storage.get_agent(&w, &a.id).expect("a").memory_store_id,
        Some(s.id.clone())
    );
    let promotion = storage
        .promote_dream(&w, &dream.id, &[a.id.clone(), b.id.clone()], false)
        .expect("promote");
    assert_eq!(promotion.memory_store_id, started.output_store_id);
    for agent in &promotion.agents {
        assert_eq!(
            agent.memory_store_id.as_deref(),
            Some(started.output_store_id.as_str())
        );
        assert_eq!(
            agent.previous_memory_store_id.as_deref(),
            Some(s.id.as_str())
        );
    }
    assert!(is_conflict(storage.discard_dream(&w, &dream.id)));
    let rolled = storage.rollback_agent(&w, &a.id).expect("rollback");
    assert_eq!(rolled.memory_store_id.as_deref(), Some(s.id.as_str()));
    // A second rollback undoes the first; an agent that had no store goes back to none.
    let redone = storage.rollback_agent(&w, &a.id).expect("rollback twice");
    assert_eq!(
        redone.memory_store_id.as_deref(),
        Some(started.output_store_id.as_str())
    );
    storage.rollback_agent(&w, &a.id).expect("rollback again");
    let storeless = agent(storage, &w, "c", None);
    storage
        .promote_dream(&w, &dream.id, std::slice::from_ref(&storeless.id), false)
        .expect("promote");
    let back = storage.rollback_agent(&w, &storeless.id).expect("rollback");
    assert_eq!(back.memory_store_id, None);
    storage.rollback_agent(&w, &b.id).expect("rollback");
    let discarded = storage.discard_dream(&w, &dream.id).expect("discard");
    assert_eq!(discarded.status, DreamStatus::Completed);
    assert!(
        storage
            .get_store(&w, &started.output_store_id)
            .expect("output")
            .archived_at
            .is_some()
    );
    assert!(is_conflict(storage.promote_dream(
        &w,
        &dream.id,
        std::slice::from_ref(&a.id),
        false
    )));
}

/// The documents of a store as (path, content) pairs, sorted by path.
fn document_pairs(storage: &dyn Storage, ws: &str, store: &str) -> Vec<(String, String)> {
    storage
        .store_documents(ws, store)
        .expect("documents")
        .into_iter()
        .map(|d| (d.path, d.content))
        .collect()
}

fn pairs(documents: &[(&str, &str)]) -> Vec<(String, String)> {
    documents
        .iter()
        .map(|(p, c)| (p.to_string(), c.to_string()))
        .collect()
}

/// Issue 14: a dream keeps the input documents it read when it started; promoting part of it
/// builds a new store from them plus the accepted changes' documents (each a version by the
/// reviewer), records the review on the dream (kept after later promotions) and switches the
/// agents, leaving the dream's own output as it is. The checks of a whole promotion apply, and
/// nothing is written when one fails.
pub fn reviewed_promotion(storage: &dyn Storage) {
    let w = ws(storage, "w");
    let s = store(storage, &w, "s");
    storage
        .create_memory(&w, &s.id, "/facts.md", "- a\n- b\n", None)
        .expect("memory");
    let a = agent(storage, &w, "a", Some(&s.id));
    let sess = session(storage, &w, &a.id, None);
    let dream = storage
        .create_dream(&w, new_dream(&s.id, std::slice::from_ref(&sess.id)))
        .expect("dream");
    assert_eq!(
        storage.dream_input_documents(&w, &dream.id).expect("input"),
        None
    );
    storage.claim_dream().expect("claim");
    let started = storage.start_dream(&dream.id).expect("start");
    // A write to the input after the start is not what the dream read.
    storage
        .create_memory(&w, &s.id, "/later.md", "- later\n", None)
        .expect("later");
    assert_eq!(
        storage.dream_input_documents(&w, &dream.id).expect("input"),
        Some(pairs(&[("/facts.md", "- a\n- b\n")]))
    );
    assert!(is_not_found(
        storage.dream_input_documents("other", &dream.id)
    ));
    storage
        .complete_dream(
            &dream.id,
            flagged_completion(&[("/facts.md", "- a\n- c\n")], 1),
        )
        .expect("complete");
    let reviewed = |accept_flags: bool, agent_ids: Vec<String>| ReviewedPromotion {
        agent_ids,
        accept_flags,
        reviewer: Some(api("apikey_reviewer")),
        accepted: vec!["chg_1".into(), "chg_4".into()],
        rejected: vec!["chg_2".into(), "chg_3".into()],
        rejected_as_dependents: vec![RejectedDependent {
            id: "chg_3".into(),
            parent: "chg_2".into(),
        }],
        base: pairs(&[("/facts.md", "- a\n- b\n"), ("/old.md", "- old\n")]),
        steps: vec![
            ChangeEdits {
                change_id: "chg_1".into(),
                documents: vec![
                    ("/facts.md".into(), Some("- a\n- b\n- c\n".into())),
                    ("/new.md".into(), Some("- d\n".into())),
                ],
            },
            ChangeEdits {
                change_id: "chg_4".into(),
                documents: vec![("/old.md".into(), None)],
            },
        ],
    };
    let store_count = |storage: &dyn Storage| {
        storage
            .list_stores(&w, &StoreFilter::default(), &PageRequest::first(100))
            .expect("stores")
            .data
            .len()
    };
    let stores_before = store_count(storage);
    // Flags not acknowledged, or an unknown agent: refused, nothing written.
    assert!(is_conflict(storage.promote_reviewed_dream(
        &w,
        &dream.id,
        reviewed(false, vec![a.id.clone()])
    )));
    assert!(is_not_found(storage.promote_reviewed_dream(
        &w,
        &dream.id,
        reviewed(true, vec![a.id.clone(), "agent_missing".into()])
    )));
    assert!(is_not_found(storage.promote_reviewed_dream(
        "other",
        &dream.id,
        reviewed(true, vec![a.id.clone()])
    )));
    assert_eq!(store_count(storage), stores_before);
    assert_eq!(
        storage.get_dream(&w, &dream.id).expect("dream").review,
        None
    );
    assert_eq!(
        storage.get_agent(&w, &a.id).expect("agent").memory_store_id,
        Some(s.id.clone())
    );

    let promotion = storage
        .promote_reviewed_dream(&w, &dream.id, reviewed(true, vec![a.id.clone()]))
        .expect("promote part");
    let new_store = promotion.memory_store_id.clone();
    assert_ne!(new_store, s.id);
    assert_ne!(new_store, started.output_store_id);
    assert_eq!(store_count(storage), stores_before + 1);
    assert_eq!(
        document_pairs(storage, &w, &new_store),
        pairs(&[("/facts.md", "- a\n- b\n- c\n"), ("/new.md", "- d\n")])
    );
    // The dream's own output and the input are untouched.
    assert_eq!(
        document_pairs(storage, &w, &started.output_store_id),
        pairs(&[("/facts.md", "- a\n- c\n")])
    );
    assert_eq!(document_pairs(storage, &w, &s.id).len(), 2);
    // The base is the dream's; each accepted change's documents are the reviewer's.
    let versions = |filter: VersionFilter| -> Vec<(Operation, Option<String>)> {
        let mut found: Vec<(Operation, Option<String>)> = storage
            .list_memory_versions(&w, &new_store, &filter, &PageRequest::first(100))
            .expect("versions")
            .data
            .into_iter()
            .map(|v| (v.operation, v.path))
            .collect();
        found.sort_by(|x, y| x.1.cmp(&y.1).then(x.0.as_str().cmp(y.0.as_str())));
        found
    };
    assert_eq!(
        versions(VersionFilter {
            api_key_id: Some("apikey_reviewer".into()),
            ..VersionFilter::default()
        }),
        vec![
            (Operation::Modified, Some("/facts.md".into())),
            (Operation::Created, Some("/new.md".into())),
            (Operation::Deleted, Some("/old.md".into())),
        ]
    );
    assert_eq!(
        versions(VersionFilter {
            dream_id: Some(dream.id.clone()),
            ..VersionFilter::default()
        }),
        vec![
            (Operation::Created, Some("/facts.md".into())),
            (Operation::Created, Some("/old.md".into())),
        ]
    );
    let agent_now = storage.get_agent(&w, &a.id).expect("agent");
    assert_eq!(
        agent_now.memory_store_id.as_deref(),
        Some(new_store.as_str())
    );
    assert_eq!(
        agent_now.previous_memory_store_id.as_deref(),
        Some(s.id.as_str())
    );
    let review = promotion.review.clone().expect("the promotion's review");
    assert_eq!(review.reviewed_by, Some(api("apikey_reviewer")));
    assert_eq!(review.accepted, vec!["chg_1", "chg_4"]);
    assert_eq!(review.rejected, vec!["chg_2", "chg_3"]);
    assert_eq!(
        review.rejected_as_dependents,
        vec![RejectedDependent {
            id: "chg_3".into(),
            parent: "chg_2".into()
        }]
    );
    assert_eq!(review.memory_store_id, new_store);
    assert_eq!(review.agent_ids, vec![a.id.clone()]);
    assert!(!review.reviewed_at.is_empty());
    assert_eq!(
        storage.get_dream(&w, &dream.id).expect("dream").review,
        Some(review.clone())
    );
    let listed = storage
        .list_dreams(&w, &DreamFilter::default(), &PageRequest::first(10))
        .expect("list");
    assert_eq!(listed.data[0].review, Some(review.clone()));
    // A later whole promotion keeps the review; the agent rolls back to the input.
    let b = agent(storage, &w, "b", Some(&s.id));
    storage
        .promote_dream(&w, &dream.id, std::slice::from_ref(&b.id), true)
        .expect("promote whole");
    assert_eq!(
        storage.get_dream(&w, &dream.id).expect("dream").review,
        Some(review)
    );
    let rolled = storage.rollback_agent(&w, &a.id).expect("rollback");
    assert_eq!(rolled.memory_store_id.as_deref(), Some(s.id.as_str()));
}

/// Issue 11, item 6: an agent never ends up on a discarded or archived store, and never skips
/// the review gate by being pointed at a dream's output directly. Each refusal is a `Conflict`.
pub fn agents_never_end_up_on_archived_stores(storage: &dyn Storage) {
    let w = ws(storage, "w");
    let s = store(storage, &w, "s");
    let a = agent(storage, &w, "a", Some(&s.id));
    let sess = session(storage, &w, &a.id, None);
    let conflict_says = |result: Result<Agent>, words: &[&str]| match result {
        Err(StorageError::Conflict(message)) => {
            for word in words {
                assert!(message.contains(word), "{word:?} in {message}");
            }
        }
        other => panic!("expected a conflict naming {words:?}: {other:?}"),
    };

    // promote → rollback → discard → rollback: the second rollback is refused.
    let dream = storage
        .create_dream(&w, new_dream(&s.id, std::slice::from_ref(&sess.id)))
        .expect("dream");
    storage.claim_dream().expect("claim");
    let started = storage.start_dream(&dream.id).expect("start");
    let output = started.output_store_id.clone();
    storage
        .complete_dream(&dream.id, completion(&[]))
        .expect("complete");
    storage
        .promote_dream(&w, &dream.id, std::slice::from_ref(&a.id), false)
        .expect("promote");
    storage.rollback_agent(&w, &a.id).expect("rollback");
    storage.discard_dream(&w, &dream.id).expect("discard");
    conflict_says(storage.rollback_agent(&w, &a.id), &["archived", &output]);
    assert_eq!(
        storage.get_agent(&w, &a.id).expect("a").memory_store_id,
        Some(s.id.clone()),
        "the agent stays on its live store"
    );

    // Archiving a store an agent uses is refused; once nobody uses it, it can be archived.
    match storage.archive_store(&w, &s.id) {
        Err(StorageError::Conflict(message)) => assert!(message.contains(&a.id), "{message}"),
        other => panic!("archiving a store in use: {other:?}"),
    }
    assert!(
        storage
            .get_store(&w, &s.id)
            .expect("s")
            .archived_at
            .is_none()
    );

    // Pointing an agent at an archived store, directly, is refused.
    conflict_says(
        storage.update_agent(
            &w,
            &a.id,
            AgentPatch {
                memory_store_id: Some(Some(output.clone())),
                ..AgentPatch::default()
            },
        ),
        &["archived"],
    );
    conflict_says(
        storage.create_agent(
            &w,
            NewAgent {
                name: "late".into(),
                model: json!({"id": "m"}),
                memory_store_id: Some(output.clone()),
                ..NewAgent::default()
            },
        ),
        &["archived"],
    );

    // A flagged dream's output is reached through promotion with accept_flags, never by
    // pointing the agent at it; an unfinished dream's output not at all.
    let flagged = storage
        .create_dream(&w, new_dream(&s.id, std::slice::from_ref(&sess.id)))
        .expect("dream");
    storage.claim_dream().expect("claim");
    let held = storage
        .start_dream(&flagged.id)
        .expect("start")
        .output_store_id;
    conflict_says(
        storage.update_agent(
            &w,
            &a.id,
            AgentPatch {
                memory_store_id: Some(Some(held.clone())),
                ..AgentPatch::default()
            },
        ),
        &["running", &flagged.id],
    );
    storage
        .complete_dream(&flagged.id, flagged_completion(&[("/a.md", "- a\n")], 1))
        .expect("complete");
    conflict_says(
        storage.update_agent(
            &w,
            &a.id,
            AgentPatch {
                memory_store_id: Some(Some(held.clone())),
                ..AgentPatch::default()
            },
        ),
        &["flagged", "accept_flags", "--accept-flags"],
    );
    assert_eq!(
        storage.get_agent(&w, &a.id).expect("a").memory_store_id,
        Some(s.id.clone())
    );
    storage
        .promote_dream(&w, &flagged.id, std::slice::from_ref(&a.id), true)
        .expect("acknowledged promotion");
    // A clean, completed dream's output may be used directly; so may the store again.
    let b = agent(storage, &w, "b", Some(&s.id));
    let clean = storage
        .create_dream(&w, new_dream(&s.id, std::slice::from_ref(&sess.id)))
        .expect("dream");
    storage.claim_dream().expect("claim");
    let clean_output = storage
        .start_dream(&clean.id)
        .expect("start")
        .output_store_id;
    storage
        .complete_dream(&clean.id, completion(&[]))
        .expect("complete");
    storage
        .update_agent(
            &w,
            &b.id,
            AgentPatch {
                memory_store_id: Some(Some(clean_output)),
                ..AgentPatch::default()
            },
        )
        .expect("a clean output may be used directly");
    // Nobody is on s now: it can be archived.
    storage
        .archive_store(&w, &s.id)
        .expect("archive an unused store");
}

/// Schedules fire over the sessions they have not dreamed, once per trigger.
pub fn schedules(storage: &dyn Storage) {
    let w = ws(storage, "w");
    let s = store(storage, &w, "s");
    let a = agent(storage, &w, "bot", Some(&s.id));
    let new_schedule = |cron: Option<&str>, after: Option<u32>, auto: bool| NewSchedule {
        memory_store_id: s.id.clone(),
        cron: cron.map(str::to_string),
        after_sessions: after,
        instructions: None,
        model: DreamModel {
            id: "lucid-builtin".into(),
            speed: None,
        },
        auto_promote: auto,
        agent_ids: vec![],
        next_run_at: cron.map(|_| "2026-01-01T00:00:00.000000Z".to_string()),
    };
    assert!(is_invalid(
        storage.create_schedule(&w, new_schedule(None, None, false))
    ));
    let by_count = storage
        .create_schedule(&w, new_schedule(None, Some(2), true))
        .expect("schedule");
    assert!(by_count.id.starts_with("sched_"));
    session(storage, &w, &a.id, Some(&s.id));
    assert!(
        storage
            .fire_schedule(&by_count.id, ScheduleTrigger::Sessions)
            .expect("fire")
            .is_none(),
        "one session is not enough"
    );
    session(storage, &w, &a.id, Some(&s.id));
    session(storage, &w, &a.id, None); // not attached: never picked
    let dream = storage
        .fire_schedule(&by_count.id, ScheduleTrigger::Sessions)
        .expect("fire")
        .expect("a dream");
    assert_eq!(dream.session_ids().len(), 2);
    assert_eq!(dream.schedule_id.as_deref(), Some(by_count.id.as_str()));
    assert!(
        storage
            .fire_schedule(&by_count.id, ScheduleTrigger::Sessions)
            .expect("fire")
            .is_none(),
        "the same sessions are not dreamed twice"
    );
    // Auto-promote on completion moves the agents and the schedule to the output store.
    storage.claim_dream().expect("claim");
    let started = storage.start_dream(&dream.id).expect("start");
    storage
        .complete_dream(&dream.id, completion(&[]))
        .expect("complete");
    assert_eq!(
        storage.get_agent(&w, &a.id).expect("agent").memory_store_id,
        Some(started.output_store_id.clone())
    );
    assert_eq!(
        storage
            .get_schedule(&w, &by_count.id)
            .expect("schedule")
            .memory_store_id,
        started.output_store_id
    );

    // At most 100 sessions per run, the newest first.
    let many_store = store(storage, &w, "many");
    let many = storage
        .create_schedule(
            &w,
            NewSchedule {
                memory_store_id: many_store.id.clone(),
                ..new_schedule(None, Some(1), false)
            },
        )
        .expect("schedule");
    let attached: Vec<String> = (0..101)
        .map(|_| session(storage, &w, &a.id, Some(&many_store.id)).id)
        .collect();
    let big = storage
        .fire_schedule(&many.id, ScheduleTrigger::Sessions)
        .expect("fire")
        .expect("a dream");
    assert_eq!(big.session_ids().len(), 100);
    assert!(
        !big.session_ids().contains(&attached[0]),
        "the oldest session waits for the next run"
    );
    storage.cancel_dream(&w, &big.id).expect("cancel");
    let rest = storage
        .fire_schedule(&many.id, ScheduleTrigger::Sessions)
        .expect("fire")
        .expect("the next run");
    assert_eq!(rest.session_ids(), std::slice::from_ref(&attached[0]));
    storage.cancel_dream(&w, &rest.id).expect("cancel");
    storage.delete_schedule(&w, &many.id).expect("delete");

    let cron = storage
        .create_schedule(&w, new_schedule(Some("0 3 * * *"), None, false))
        .expect("cron");
    let due = cron.next_run_at.clone().expect("next run");
    let fired = storage
        .fire_schedule(
            &cron.id,
            ScheduleTrigger::Cron {
                due: due.clone(),
                next: Some("2026-01-02T00:00:00.000000Z".into()),
            },
        )
        .expect("fire");
    assert!(
        fired.is_some(),
        "sessions attached to the store are waiting"
    );
    assert!(
        storage
            .fire_schedule(
                &cron.id,
                ScheduleTrigger::Cron {
                    due,
                    next: Some("2026-01-03T00:00:00.000000Z".into()),
                }
            )
            .expect("fire")
            .is_none(),
        "a due time fires once"
    );
    assert_eq!(
        storage
            .get_schedule(&w, &cron.id)
            .expect("get")
            .next_run_at
            .as_deref(),
        Some("2026-01-02T00:00:00.000000Z")
    );
    assert_eq!(
        storage
            .list_schedules(&w, &PageRequest::first(10))
            .expect("list")
            .data
            .len(),
        2
    );
    storage.delete_schedule(&w, &cron.id).expect("delete");
    assert!(is_not_found(storage.get_schedule(&w, &cron.id)));
    assert_eq!(storage.all_schedules().expect("all").len(), 1);
}

/// A session's trust is stored, filtered on, changed (even once archived), and a dream can be
/// restricted to trusted sessions.
pub fn session_trust(storage: &dyn Storage) {
    let w = ws(storage, "w");
    let s = store(storage, &w, "s");
    let a = agent(storage, &w, "bot", None);
    let plain = session(storage, &w, &a.id, None);
    assert_eq!(plain.trust, SessionTrust::Default);
    let pinned = storage
        .create_session(
            &w,
            NewSession {
                agent_id: Some(a.id.clone()),
                environment_id: None,
                title: None,
                metadata: Metadata::new(),
                resources: vec![],
                source: None,
                events: vec![event("user.message", "Always use UTC.")],
                trust: SessionTrust::Trusted,
                users: SessionUsers::External,
            },
        )
        .expect("create");
    assert_eq!(pinned.trust, SessionTrust::Trusted);
    assert_eq!(
        storage.get_session(&w, &pinned.id).expect("get").trust,
        SessionTrust::Trusted
    );
    let quarantine = SessionPatch {
        trust: Some(SessionTrust::Quarantined),
        ..SessionPatch::default()
    };
    storage.archive_session(&w, &plain.id).expect("archive");
    assert!(is_invalid(storage.update_session(
        &w,
        &plain.id,
        SessionPatch {
            title: Some(Some("late".into())),
            ..SessionPatch::default()
        }
    )));
    let quarantined = storage
        .update_session(&w, &plain.id, quarantine)
        .expect("quarantine an archived session");
    assert_eq!(quarantined.trust, SessionTrust::Quarantined);
    let only = |trust: Vec<SessionTrust>| -> Vec<String> {
        storage
            .list_sessions(
                &w,
                &SessionFilter {
                    trust,
                    include_archived: true,
                    ..SessionFilter::default()
                },
                &PageRequest::first(10),
            )
            .expect("list")
            .data
            .into_iter()
            .map(|s| s.id)
            .collect()
    };
    assert_eq!(
        only(vec![SessionTrust::Quarantined]),
        vec![plain.id.clone()]
    );
    assert_eq!(only(vec![SessionTrust::Trusted]), vec![pinned.id.clone()]);
    assert_eq!(only(vec![SessionTrust::Untrusted]), Vec::<String>::new());
    assert_eq!(only(vec![]).len(), 2);

    let mut request = new_dream(&s.id, &[plain.id.clone(), pinned.id.clone()]);
    request.trusted_only = true;
    let dream = storage.create_dream(&w, request).expect("dream");
    assert!(dream.trusted_only());
    assert!(
        storage
            .get_dream(&w, &dream.id)
            .expect("get")
            .trusted_only()
    );
    let wire = serde_json::to_value(&dream).expect("json");
    assert_eq!(wire["inputs"][1]["trusted_only"], json!(true));
    let plain_dream = storage
        .create_dream(&w, new_dream(&s.id, std::slice::from_ref(&pinned.id)))
        .expect("dream");
    assert!(!plain_dream.trusted_only());
    let wire = serde_json::to_value(&plain_dream).expect("json");
    assert!(wire["inputs"][1].get("trusted_only").is_none());
    // The dream reads each session with its trust.
    storage.claim_dream().expect("claim");
    storage.start_dream(&dream.id).expect("start");
    let inputs = storage.dream_sessions(&dream.id).expect("inputs");
    let trusts: Vec<SessionTrust> = inputs.iter().map(|i| i.session.trust).collect();
    assert!(trusts.contains(&SessionTrust::Quarantined) && trusts.contains(&SessionTrust::Trusted));
    // A dream's narration has no trust to set.
    let narration = storage
        .get_dream(&w, &dream.id)
        .expect("get")
        .session_id
        .expect("narration");
    assert!(is_invalid(storage.update_session(
        &w,
        &narration,
        SessionPatch {
            trust: Some(SessionTrust::Trusted),
            ..SessionPatch::default()
        }
    )));
}

/// A completed dream records its flag count; with flags it is promoted only with an
/// acknowledgement (a conflict naming the number otherwise).
pub fn flagged_dreams_need_acknowledgement(storage: &dyn Storage) {
    let w = ws(storage, "w");
    let s = store(storage, &w, "s");
    let a = agent(storage, &w, "a", Some(&s.id));
    let sess = session(storage, &w, &a.id, None);
    let flagged = storage
        .create_dream(&w, new_dream(&s.id, std::slice::from_ref(&sess.id)))
        .expect("dream");
    assert_eq!(flagged.flag_count, None);
    storage.claim_dream().expect("claim");
    let started = storage.start_dream(&flagged.id).expect("start");
    storage
        .complete_dream(&flagged.id, flagged_completion(&[("/a.md", "- a\n")], 2))
        .expect("complete");
    assert_eq!(
        storage.get_dream(&w, &flagged.id).expect("get").flag_count,
        Some(2)
    );
    match storage.promote_dream(&w, &flagged.id, std::slice::from_ref(&a.id), false) {
        Err(StorageError::Conflict(message)) => {
            assert!(
                message.contains('2') && message.contains("accept_flags"),
                "{message}"
            )
        }
        other => panic!("a flagged dream needs accept_flags: {other:?}"),
    }
    assert_eq!(
        storage.get_agent(&w, &a.id).expect("a").memory_store_id,
        Some(s.id.clone()),
        "nothing switched"
    );
    let promotion = storage
        .promote_dream(&w, &flagged.id, std::slice::from_ref(&a.id), true)
        .expect("acknowledged");
    assert_eq!(promotion.memory_store_id, started.output_store_id);

    let clean = storage
        .create_dream(&w, new_dream(&s.id, std::slice::from_ref(&sess.id)))
        .expect("dream");
    storage.claim_dream().expect("claim");
    storage.start_dream(&clean.id).expect("start");
    storage
        .complete_dream(&clean.id, completion(&[]))
        .expect("complete");
    assert_eq!(
        storage.get_dream(&w, &clean.id).expect("get").flag_count,
        Some(0)
    );
    storage
        .promote_dream(&w, &clean.id, std::slice::from_ref(&a.id), false)
        .expect("no flags: no acknowledgement needed");
}

/// An `update_existing` dream whose report has flags is not applied in place: its result goes
/// to a new store, which is promoted (with the acknowledgement) or discarded like a draft.
pub fn flagged_update_existing_is_held(storage: &dyn Storage) {
    let w = ws(storage, "w");
    let s = storage
        .create_store(
            &w,
            NewStore {
                name: "auto".into(),
                auto_apply: true,
                ..NewStore::default()
            },
        )
        .expect("store");
    storage
        .create_memory(&w, &s.id, "/a.md", "- a\n", None)
        .expect("m");
    let a = agent(storage, &w, "bot", Some(&s.id));
    let sess = session(storage, &w, &a.id, None);
    let mut request = new_dream(&s.id, std::slice::from_ref(&sess.id));
    request.output_behavior = OutputBehavior::UpdateExisting {
        memory_store_id: s.id.clone(),
    };
    let dream = storage.create_dream(&w, request).expect("dream");
    storage.claim_dream().expect("claim");
    storage.start_dream(&dream.id).expect("start");
    storage
        .complete_dream(&dream.id, flagged_completion(&[("/a.md", "- a\n- b\n")], 1))
        .expect("complete");
    assert_eq!(
        storage.store_documents(&w, &s.id).expect("docs")[0].content,
        "- a\n",
        "the input store is untouched"
    );
    let held = storage.get_dream(&w, &dream.id).expect("get");
    assert_eq!(held.status, DreamStatus::Completed);
    assert_eq!(held.flag_count, Some(1));
    let output = held.output_store_id().expect("held output").to_string();
    assert_ne!(output, s.id);
    assert_eq!(
        storage.store_documents(&w, &output).expect("docs")[0].content,
        "- a\n- b\n"
    );
    let diff = storage
        .dream_diff(&w, &dream.id)
        .expect("diff")
        .expect("a diff");
    assert_eq!(diff["output_memory_store_id"], json!(output));
    assert!(is_conflict(storage.promote_dream(
        &w,
        &dream.id,
        std::slice::from_ref(&a.id),
        false
    )));
    storage
        .discard_dream(&w, &dream.id)
        .expect("a held result can be discarded");
    assert!(
        storage
            .get_store(&w, &output)
            .expect("output")
            .archived_at
            .is_some()
    );
}

/// A scheduled dream with flags is not promoted automatically, and its schedule says why.
pub fn flagged_scheduled_dreams_stay_unpromoted(storage: &dyn Storage) {
    let w = ws(storage, "w");
    let s = store(storage, &w, "s");
    let a = agent(storage, &w, "bot", Some(&s.id));
    let schedule = storage
        .create_schedule(
            &w,
            NewSchedule {
                memory_store_id: s.id.clone(),
                cron: None,
                after_sessions: Some(1),
                instructions: None,
                model: DreamModel {
                    id: "lucid-builtin".into(),
                    speed: None,
                },
                auto_promote: true,
                agent_ids: vec![],
                next_run_at: None,
            },
        )
        .expect("schedule");
    assert_eq!(schedule.last_run_note, None);
    session(storage, &w, &a.id, Some(&s.id));
    let dream = storage
        .fire_schedule(&schedule.id, ScheduleTrigger::Sessions)
        .expect("fire")
        .expect("a dream");
    storage.claim_dream().expect("claim");
    storage.start_dream(&dream.id).expect("start");
    storage
        .complete_dream(&dream.id, flagged_completion(&[], 3))
        .expect("complete");
    let done = storage.get_dream(&w, &dream.id).expect("get");
    assert_eq!(done.status, DreamStatus::Completed);
    assert_eq!(done.flag_count, Some(3));
    assert_eq!(
        storage.get_agent(&w, &a.id).expect("agent").memory_store_id,
        Some(s.id.clone()),
        "not promoted"
    );
    let after = storage.get_schedule(&w, &schedule.id).expect("schedule");
    assert_eq!(
        after.memory_store_id, s.id,
        "the schedule stays on its store"
    );
    let note = after.last_run_note.expect("a note");
    assert!(
        note.contains("3 flagged") && note.contains(&dream.id),
        "{note}"
    );

    // The next, clean run is promoted, and the note says so.
    session(storage, &w, &a.id, Some(&s.id));
    let next = storage
        .fire_schedule(&schedule.id, ScheduleTrigger::Sessions)
        .expect("fire")
        .expect("a dream");
    assert_eq!(
        storage
            .get_schedule(&w, &schedule.id)
            .expect("schedule")
            .last_run_note,
        None,
        "a new run clears the note"
    );
    storage.claim_dream().expect("claim");
    let started = storage.start_dream(&next.id).expect("start");
    storage
        .complete_dream(&next.id, completion(&[]))
        .expect("complete");
    assert_eq!(
        storage.get_agent(&w, &a.id).expect("agent").memory_store_id,
        Some(started.output_store_id.clone())
    );
    let note = storage
        .get_schedule(&w, &schedule.id)
        .expect("schedule")
        .last_run_note
        .expect("a note");
    assert!(note.contains("promoted"), "{note}");
}

/// The model response cache: a miss, a hit after a put, a replacement, and keys kept apart.
pub fn model_response_cache(storage: &dyn Storage) {
    let key = "0f".repeat(32);
    assert_eq!(storage.cached_model_response(&key).expect("read"), None);
    storage
        .cache_model_response(&key, r#"{"operations":[]}"#)
        .expect("write");
    assert_eq!(
        storage
            .cached_model_response(&key)
            .expect("read")
            .as_deref(),
        Some(r#"{"operations":[]}"#)
    );
    storage
        .cache_model_response(&key, r#"{"operations":[{"op":"keep","item_id":"i1"}]}"#)
        .expect("replace");
    assert_eq!(
        storage
            .cached_model_response(&key)
            .expect("read")
            .as_deref(),
        Some(r#"{"operations":[{"op":"keep","item_id":"i1"}]}"#)
    );
    assert_eq!(
        storage
            .cached_model_response(&"a1".repeat(32))
            .expect("read"),
        None
    );
}

#[cfg(test)]
mod tests {
    /// Every public check of this file is in the macro's list (a check left out would never
    /// run on any backend).
    #[test]
    fn every_check_is_listed() {
        let source = include_str!("conformance.rs");
        let mut defined: Vec<&str> = source
            .lines()
            .filter_map(|line| line.strip_prefix("pub fn "))
            .filter_map(|rest| rest.split_once("(storage: &dyn Storage)"))
            .map(|(name, _)| name)
            .collect();
        let mut listed: Vec<&str> = super::checks().iter().map(|(name, _)| *name).collect();
        defined.sort_unstable();
        listed.sort_unstable();
        assert_eq!(defined, listed);
    }
}
