//! The OpenAPI document, generated from the handlers' annotations and the wire types (served
//! at `/openapi.json`, checked in as `openapi.json` at the repository root).

use axum::http::header;
use axum::response::IntoResponse;
use utoipa::OpenApi;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};

use crate::routes::{agents, dreams, schedules, sessions, stores};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "lucid",
        description = "The lucid dream service. Memory stores, memories, memory versions, agents, \
                       sessions and dreams follow Anthropic's Managed Agents API shapes (the \
                       official SDK works with only base_url changed); transcript import, \
                       reports, diffs, promotion, rollback and schedules are lucid's extensions. \
                       Errors: {\"type\":\"error\",\"error\":{\"type\":…,\"message\":…}}. Lists: \
                       {\"data\":[…],\"next_page\":…} with limit (1–100, default 20) and page."
    ),
    paths(
        stores::create_store, stores::list_stores, stores::get_store, stores::update_store,
        stores::delete_store, stores::archive_store,
        stores::create_memory, stores::list_memories, stores::get_memory, stores::update_memory,
        stores::delete_memory, stores::search_memories, stores::list_versions, stores::get_version,
        stores::redact_version,
        agents::create_agent, agents::list_agents, agents::get_agent, agents::update_agent,
        agents::archive_agent, agents::rollback_agent, agents::list_agent_versions,
        sessions::create_session, sessions::list_sessions, sessions::get_session,
        sessions::update_session, sessions::delete_session, sessions::archive_session,
        sessions::send_events, sessions::list_events, sessions::stream_events,
        sessions::import_session, sessions::list_resources, sessions::list_threads,
        dreams::create_dream, dreams::list_dreams, dreams::get_dream, dreams::cancel_dream,
        dreams::archive_dream, dreams::dream_report, dreams::dream_diff, dreams::promote_dream,
        dreams::discard_dream,
        schedules::create_schedule, schedules::list_schedules, schedules::get_schedule,
        schedules::delete_schedule,
    ),
    modifiers(&Security),
    security(("api_key" = []), ("bearer" = [])),
    tags(
        (name = "memory_stores"), (name = "memories"), (name = "memory_versions"),
        (name = "agents"), (name = "sessions"), (name = "dreams"), (name = "schedules"),
    )
)]
pub(crate) struct ApiDoc;

struct Security;

impl utoipa::Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "api_key",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::new("x-api-key"))),
        );
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The document as pretty JSON with a final newline (what `openapi.json` holds).
pub fn openapi_json() -> String {
    let mut text = ApiDoc::openapi()
        .to_pretty_json()
        .unwrap_or_else(|_| "{}".to_string());
    text.push('\n');
    text
}

pub(crate) async fn serve_openapi() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], openapi_json())
}
