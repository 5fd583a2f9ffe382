// Stores: the list with the agents and which store each uses (rollback switches an agent back
// to the store it used before its last promotion), and one store's documents, version history
// (with the actor of every version) and search.

import { get, listAll, post, withQuery } from "./api.js";
import { confirmDialog, fill, formatTime, h, notice, withRedactions } from "./dom.js";

export async function storesPage(root) {
  const [stores, agents] = await Promise.all([listAll("/v1/memory_stores"), listAll("/v1/agents")]);
  const status = h("div", { id: "agents-status" });
  fill(root,
    h("h1", {}, "Stores"),
    h("ul", { class: "cards", id: "stores-list" }, stores.map((store) => h("li", {},
      h("a", { href: `#/stores/${encodeURIComponent(store.id)}` }, store.name),
      " ", h("code", { class: "muted" }, store.id),
      store.description ? h("p", {}, store.description) : null))),
    stores.length ? null : h("p", {}, "No memory stores yet."),
    h("h2", {}, "Agents"),
    status,
    agentsTable(agents, status, () => storesPage(root)));
}

function agentsTable(agents, status, reload) {
  if (!agents.length) return h("p", {}, "No agents yet.");
  return h("div", { class: "scroll" }, h("table", { id: "agents-table" },
    h("thead", {}, h("tr", {}, ["Agent", "Uses store", "Before the last promotion", ""].map((n) => h("th", { scope: "col" }, n)))),
    h("tbody", {}, agents.map((agent) => h("tr", {},
      h("th", { scope: "row" }, agent.name, " ", h("code", { class: "muted" }, agent.id)),
      h("td", {}, storeLink(agent.memory_store_id)),
      h("td", {}, storeLink(agent.previous_memory_store_id)),
      h("td", {}, agent.previous_memory_store_id ? h("button", {
        type: "button", "aria-label": `Roll ${agent.name} back to ${agent.previous_memory_store_id}`,
        onclick: async () => {
          if (!(await confirmDialog(`Switch ${agent.name} back to store ${agent.previous_memory_store_id}?`, "Roll back"))) return;
          try {
            await post(`/v1/agents/${encodeURIComponent(agent.id)}/rollback`);
            await reload();
          } catch (error) {
            notice(status, `Rollback failed: ${error.message}`, "error");
          }
        },
      }, "Roll back") : null))))));
}

function storeLink(id) {
  return id ? h("a", { href: `#/stores/${encodeURIComponent(id)}` }, h("code", {}, id)) : "—";
}

function actor(created) {
  if (!created) return "—";
  switch (created.type) {
    case "api_actor": return `API key ${created.api_key_id}`;
    case "session_actor": return `session ${created.session_id}`;
    case "dream_actor": return `dream ${created.dream_id}`;
    case "mcp_actor": return `MCP ${created.client_name}${created.api_key_id ? ` (key ${created.api_key_id})` : ""}`;
    default: return JSON.stringify(created);
  }
}

export async function storePage(root, id) {
  const base = `/v1/memory_stores/${encodeURIComponent(id)}`;
  const [store, memories, versions, agents] = await Promise.all([
    get(base),
    listAll(`${base}/memories`, { view: "full" }),
    listAll(`${base}/memory_versions`, {}, 300),
    listAll("/v1/agents"),
  ]);
  const documents = memories.filter((m) => m.type === "memory").sort((a, b) => a.path.localeCompare(b.path));
  const query = h("input", { type: "search", id: "search-query", name: "q", required: true, maxlength: "4096" });
  const results = h("div", { id: "search-results", "aria-live": "polite" });
  const search = h("form", { role: "search", class: "search", "aria-label": "Search this store" },
    h("label", { for: "search-query" }, "Search"), query,
    h("button", { type: "submit" }, "Search"));
  search.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const answer = await get(withQuery(`${base}/search`, { q: query.value, limit: 20 }));
      const hits = answer.data ?? [];
      fill(results, hits.length ? h("ol", { class: "hits" }, hits.map((hit) => h("li", {},
        h("code", {}, `${hit.path}:${hit.line}`), " ", withRedactions(hit.text),
        hit.evidence ? h("p", { class: "muted" }, `written by ${hit.evidence.op} ${hit.evidence.change_id}: ${hit.evidence.reason}`) : null)))
        : h("p", {}, "No match."));
    } catch (error) {
      notice(results, `Search failed: ${error.message}`, "error");
    }
  });
  const using = agents.filter((a) => a.memory_store_id === id || a.previous_memory_store_id === id);
  const status = h("div", { id: "agents-status" });
  fill(root,
    h("h1", {}, store.name, " ", h("code", { class: "muted" }, store.id)),
    store.archived_at ? h("p", { class: "notice" }, `Archived ${formatTime(store.archived_at)}.`) : null,
    search, results,
    h("h2", {}, `Documents (${documents.length})`),
    h("div", { class: "documents", id: "documents" }, documents.map((doc) => h("details", { class: "document" },
      h("summary", {}, h("code", {}, doc.path), " ", h("span", { class: "muted" }, `${doc.content_size_bytes} bytes · ${formatTime(doc.updated_at)}`)),
      h("pre", {}, withRedactions(doc.content ?? ""))))),
    h("h2", {}, "Agents on this store"),
    status,
    agentsTable(using, status, () => storePage(root, id)),
    h("h2", {}, `History (${versions.length} versions)`),
    h("div", { class: "scroll" }, h("table", { id: "versions-table" },
      h("thead", {}, h("tr", {}, ["When", "Operation", "Document", "By"].map((n) => h("th", { scope: "col" }, n)))),
      h("tbody", {}, versions.map((v) => h("tr", {},
        h("td", {}, formatTime(v.created_at)),
        h("td", {}, v.operation + (v.redacted_at ? " (redacted)" : "")),
        h("td", {}, h("code", {}, v.path ?? v.memory_id)),
        h("td", { class: "actor" }, actor(v.created_by))))))));
}
