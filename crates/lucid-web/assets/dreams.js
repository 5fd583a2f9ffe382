// The dreams list (live status from each running dream's narration stream) and the form that
// starts a dream, showing the server's dry-run estimate before "Start dream".

import { get, listAll, post, streamEvents, withQuery } from "./api.js";
import { fill, formatCost, formatNumber, formatTime, h, notice } from "./dom.js";

export async function dreamsPage(root, ctx) {
  const controller = new AbortController();
  ctx.stop.push(() => controller.abort());
  const table = h("table", { class: "dreams", id: "dreams-table", "aria-describedby": "dreams-caption" });
  fill(root,
    h("h1", {}, "Dreams"),
    h("p", {}, h("a", { href: "#/new", class: "button primary", id: "new-dream" }, "New dream")),
    h("p", { id: "dreams-caption", class: "hint" }, "Newest first; running dreams update live."),
    h("div", { class: "scroll" }, table));
  const answer = await get(withQuery("/v1/dreams", { limit: 50 }));
  const dreams = answer.data ?? [];
  fill(table,
    h("thead", {}, h("tr", {}, ["Dream", "Status", "Model", "Sessions", "Usage (in / out)", "Est. cost", "Created", "Now"]
      .map((name) => h("th", { scope: "col" }, name)))),
    h("tbody", {}, dreams.map((dream) => row(dream, controller.signal))));
  if (!dreams.length) root.append(h("p", {}, "No dreams yet."));
}

function row(dream, signal) {
  const status = h("span", { class: `status ${dream.status}` }, dream.status);
  const now = h("td", { class: "now" });
  const cost = h("td", {}, formatCost(dream.estimated_cost_usd));
  const usage = h("td", {});
  const showUsage = (d) => fill(usage, `${formatNumber(d.usage?.input_tokens)} / ${formatNumber(d.usage?.output_tokens)}`);
  showUsage(dream);
  const sessions = (dream.inputs ?? []).find((i) => i.type === "sessions")?.session_ids?.length ?? 0;
  const tr = h("tr", { dataset: { dreamId: dream.id } },
    h("th", { scope: "row" }, h("a", { href: `#/dreams/${encodeURIComponent(dream.id)}` }, h("code", {}, dream.id))),
    h("td", {}, status),
    h("td", {}, dream.model?.id ?? "—"),
    h("td", {}, formatNumber(sessions)),
    usage, cost,
    h("td", {}, formatTime(dream.created_at)),
    now);
  const update = (d) => {
    status.className = `status ${d.status}`;
    status.textContent = d.review ? `${d.status} · reviewed` : d.status;
    showUsage(d);
  };
  update(dream);
  if (dream.status === "completed" && dream.estimated_cost_usd === undefined) {
    get(`/v1/dreams/${encodeURIComponent(dream.id)}/report`)
      .then((report) => fill(cost, formatCost(report.estimated_cost_usd)), () => {});
  }
  if (dream.status === "pending" || dream.status === "running") follow(dream, update, now, signal);
  return tr;
}

/** Follows a dream until it ends: its narration as it streams, then its final state. */
async function follow(dream, update, now, signal) {
  try {
    let current = dream;
    while (!current.session_id && (current.status === "pending" || current.status === "running")) {
      await new Promise((resolve) => setTimeout(resolve, 700));
      if (signal.aborted) return;
      current = await get(`/v1/dreams/${encodeURIComponent(dream.id)}`);
      update(current);
    }
    if (current.session_id) {
      await streamEvents(current.session_id, (type, event) => {
        const text = (event.content ?? []).map((b) => b.text ?? "").join(" ").trim();
        if (text) fill(now, text);
        if (current.status === "pending") update(Object.assign({}, current, { status: "running" }));
      }, signal);
    }
    for (let tries = 0; tries < 50 && !signal.aborted; tries++) {
      current = await get(`/v1/dreams/${encodeURIComponent(dream.id)}`);
      update(current);
      if (!["pending", "running"].includes(current.status)) return;
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
  } catch (error) {
    if (!signal.aborted) fill(now, `live status stopped: ${error.message}`);
  }
}

/** Whether this server answers "dry_run" with an estimate (its OpenAPI document says so). */
async function serverEstimates() {
  try {
    const response = await fetch("/openapi.json", { credentials: "omit", cache: "no-store" });
    const spec = await response.json();
    return Boolean(spec?.components?.schemas?.CreateDream?.properties?.dry_run);
  } catch {
    return false;
  }
}

export async function newDreamPage(root) {
  const [stores, sessions, estimates] = await Promise.all([
    listAll("/v1/memory_stores"),
    listAll("/v1/sessions", {}, 500),
    serverEstimates(),
  ]);
  const logged = sessions.filter((s) => s.kind !== "dream");
  const storeSelect = h("select", { id: "dream-store", name: "store", required: true },
    stores.map((s) => h("option", { value: s.id }, `${s.name} (${s.id})`)));
  const model = h("input", { id: "dream-model", name: "model", value: "lucid-builtin", required: true });
  const instructions = h("textarea", { id: "dream-instructions", name: "instructions", rows: "3", maxlength: "4096" });
  const trusted = h("input", { type: "checkbox", id: "dream-trusted-only", name: "trusted_only" });
  const all = h("input", { type: "checkbox", id: "sessions-all", checked: true });
  const boxes = logged.map((s) => h("input", { type: "checkbox", id: `session-${s.id}`, value: s.id, checked: true }));
  all.addEventListener("change", () => { for (const box of boxes) box.checked = all.checked; changed(); });
  const estimate = h("section", { id: "estimate", "aria-live": "polite", "aria-label": "Estimate" });
  const status = h("div", { id: "new-dream-status" });
  const start = h("button", { type: "submit", class: "primary", id: "start-dream" }, "Start dream");
  const form = h("form", { class: "new-dream", id: "new-dream-form" },
    h("div", { class: "field" }, h("label", { for: "dream-store" }, "Memory store"), storeSelect),
    h("fieldset", {}, h("legend", {}, `Sessions (${logged.length})`),
      h("div", {}, all, " ", h("label", { for: "sessions-all" }, "All sessions")),
      h("div", { class: "session-list" }, logged.map((s, i) => h("div", {}, boxes[i], " ",
        h("label", { for: `session-${s.id}` }, s.title || s.id, " ",
          h("span", { class: "muted" }, `${s.agent?.name ?? ""} · ${formatTime(s.created_at)}`)))))),
    h("div", { class: "field" }, h("label", { for: "dream-model" }, "Model"), model,
      h("p", { class: "hint" }, "lucid-builtin needs no model; other names come from the server's [models].")),
    h("div", { class: "field" }, h("label", { for: "dream-instructions" }, "Instructions (optional)"), instructions),
    h("div", {}, trusted, " ", h("label", { for: "dream-trusted-only" }, "Only sessions pinned trusted")),
    estimate,
    h("div", { class: "actions" }, start),
    status);
  const body = (dryRun) => {
    const request = {
      inputs: [
        { type: "memory_store", memory_store_id: storeSelect.value },
        { type: "sessions", session_ids: boxes.filter((b) => b.checked).map((b) => b.value) },
      ],
      model: model.value.trim(),
    };
    if (instructions.value.trim()) request.instructions = instructions.value.trim();
    if (trusted.checked) request.trusted_only = true;
    if (dryRun) request.dry_run = true;
    return request;
  };
  let asked = 0;
  async function changed() {
    if (!estimates) {
      fill(estimate, h("p", { class: "hint" }, "This server gives no estimate before a dream."));
      return;
    }
    const ticket = ++asked;
    fill(estimate, h("p", { class: "hint" }, "Estimating…"));
    try {
      const answer = await post("/v1/dreams", body(true));
      if (ticket !== asked) return;
      fill(estimate, renderEstimate(answer));
      // A dream the server would refuse is not started; the estimate says why.
      start.disabled = answer.would_run === false;
    } catch (error) {
      if (ticket === asked) fill(estimate, h("p", { class: "notice error", role: "alert" }, `Estimate: ${error.message}`));
    }
  }
  let timer;
  const soon = () => { clearTimeout(timer); timer = setTimeout(changed, 250); };
  form.addEventListener("input", soon);
  form.addEventListener("change", soon);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    start.disabled = true;
    try {
      const dream = await post("/v1/dreams", body(false));
      location.hash = `#/dreams/${encodeURIComponent(dream.id)}`;
    } catch (error) {
      notice(status, `Cannot start the dream: ${error.message}`, "error");
      start.disabled = false;
    }
  });
  fill(root, h("h1", {}, "New dream"), stores.length ? form :
    h("p", {}, "Create a memory store first (the API's POST /v1/memory_stores or lucid stores create)."));
  if (stores.length) changed();
}

/** The server's dry-run answer (a `dream_estimate`): what the dream would read and cost. */
function renderEstimate(estimate) {
  const plural = (n, one, many) => `${formatNumber(n)} ${n === 1 ? one : many}`;
  const rows = [
    ["Sessions read", `${formatNumber(estimate.sessions_read)} of ${plural(estimate.sessions, "session", "sessions")}` +
      (estimate.sessions_already_dreamed ? ` (${formatNumber(estimate.sessions_already_dreamed)} already dreamed)` : "")],
    ["Events", formatNumber(estimate.events)],
    ["Store documents", formatNumber(estimate.store_documents)],
    ["Curator", estimate.curator ?? "—"],
  ];
  const model = estimate.model_pass;
  if (model) {
    rows.push(
      ["Model requests", `${formatNumber(model.requests)} of ${plural(model.work_units, "work unit", "work units")}` +
        (model.cached_units ? `, ${formatNumber(model.cached_units)} answered from the cache` : "") +
        (model.over_budget_units ? `, ${formatNumber(model.over_budget_units)} past the token budget` : "")],
      ["Model tokens", `about ${formatNumber(model.input_tokens)} in, at most ${formatNumber(model.output_tokens)} out`],
    );
  }
  rows.push(["Estimated cost", estimate.estimated_cost_usd === null || estimate.estimated_cost_usd === undefined
    ? "unknown (no price for this model in [prices])"
    : estimate.estimated_cost_usd === 0 ? "$0 (no model calls)" : `at most ${formatCost(estimate.estimated_cost_usd)}`]);
  const skipped = estimate.sessions_skipped ?? [];
  const refusals = estimate.refusals ?? [];
  return [
    h("h2", {}, "Estimate"),
    h("p", { id: "estimate-verdict", class: estimate.would_run === false ? "notice error" : "notice" },
      estimate.would_run === false ? "This dream would be refused:" : "This dream would run; nothing has been started yet."),
    refusals.length ? h("ul", { class: "refusals" }, refusals.map((r) => h("li", {}, h("code", {}, r.limit), " ", r.message))) : null,
    h("dl", { class: "facts", id: "estimate-facts" }, rows.map(([name, value]) => [h("dt", {}, name), h("dd", {}, value)])),
    skipped.length ? h("details", {}, h("summary", {}, `Sessions skipped (${skipped.length})`),
      h("ul", {}, skipped.map((s) => h("li", {}, h("code", {}, s.path), " ", s.reason)))) : null,
  ];
}
