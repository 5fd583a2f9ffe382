// One dream: its status and narration while it runs, then its changes for review — grouped
// by operation and kind, each with its result, what it replaces (a word diff), its reason and
// its evidence as excerpts — the flags apart, accept/reject per change, per group and all,
// and promote (exactly the accepted changes) or discard.

import { ApiError, get, listAll, post, streamEvents } from "./api.js";
import { wordDiff } from "./diff.js";
import {
  confirmDialog,
  fill,
  formatCost,
  formatNumber,
  formatTime,
  h,
  notice,
  withRedactions,
} from "./dom.js";

const OPS = [
  ["merge", "Merges", "duplicates joined into one item"],
  ["supersede", "Supersedes", "an item's older value replaced by a newer one"],
  ["add", "Additions", "new items"],
  ["remove", "Removals", "items left out of the store"],
];
const REVIEWED_OPS = new Set(OPS.map(([op]) => op));

/** The dream page; `ctx.stop` collects cleanups run when the page is left. */
export async function dreamPage(root, id, ctx) {
  const dream = await get(`/v1/dreams/${encodeURIComponent(id)}`);
  fill(root, h("h1", {}, "Dream ", h("code", {}, dream.id)));
  const head = h("section", { class: "dream-head", "aria-label": "Dream details" });
  root.append(head);
  renderHead(head, dream, null);
  if (!isFinal(dream.status)) {
    const live = h("section", { class: "narration", "aria-label": "Narration", "aria-live": "polite" },
      h("h2", {}, "Narration"));
    const list = h("ol", { class: "events", id: "narration" });
    live.append(list);
    root.append(live);
    await followNarration(dream, list, ctx);
    // The dream ended: show what it became.
    return dreamPage(root, id, ctx);
  }
  if (dream.status !== "completed") {
    root.append(h("p", { class: "notice error", role: "alert" },
      `This dream ${dream.status}${dream.error ? `: ${dream.error.message ?? ""}` : ""}.`));
    return;
  }
  const report = await get(`/v1/dreams/${encodeURIComponent(id)}/report`);
  renderHead(head, dream, report);
  const review = new Review(dream, report);
  root.append(await review.render());
  ctx.onKey = (event) => review.onKey(event);
}

function isFinal(status) {
  return status === "completed" || status === "failed" || status === "canceled";
}

function sessionsOf(dream) {
  const input = (dream.inputs ?? []).find((i) => i.type === "sessions");
  return input ? input.session_ids ?? [] : [];
}

function storeOf(dream) {
  return (dream.inputs ?? []).find((i) => i.type === "memory_store")?.memory_store_id;
}

function outputOf(dream) {
  return (dream.outputs ?? [])[0]?.memory_store_id;
}

function storeLink(id) {
  return id ? h("a", { href: `#/stores/${encodeURIComponent(id)}` }, h("code", {}, id)) : "—";
}

function renderHead(head, dream, report) {
  const usage = dream.usage ?? {};
  const rows = [
    ["Status", h("span", { class: `status ${dream.status}`, id: "dream-status" }, dream.status)],
    ["Model", dream.model?.id ?? "—"],
    ["Curator", dream.curator ?? report?.curator ?? "—"],
    ["Sessions", formatNumber(sessionsOf(dream).length)],
    ["Input store", storeLink(storeOf(dream))],
    ["Output store", storeLink(outputOf(dream))],
    ["Usage", `${formatNumber(usage.input_tokens)} in / ${formatNumber(usage.output_tokens)} out tokens` +
      (usage.cache_read_input_tokens ? `, ${formatNumber(usage.cache_read_input_tokens)} cache reads` : "")],
    ["Estimated cost", formatCost(report?.estimated_cost_usd ?? dream.estimated_cost_usd)],
    ["Created", formatTime(dream.created_at)],
    ["Ended", formatTime(dream.ended_at)],
  ];
  if (dream.instructions) rows.push(["Instructions", dream.instructions]);
  fill(head, h("dl", { class: "facts" }, rows.map(([name, value]) => [h("dt", {}, name), h("dd", {}, value)])));
}

/** Streams the narration of a running dream into `list` until the dream ends. */
async function followNarration(dream, list, ctx) {
  const controller = new AbortController();
  ctx.stop.push(() => controller.abort());
  let current = dream;
  // A pending dream has no narration session yet: wait for a worker to start it.
  while (!current.session_id && !isFinal(current.status)) {
    await sleep(500, controller.signal);
    current = await get(`/v1/dreams/${encodeURIComponent(dream.id)}`);
  }
  if (current.session_id) {
    try {
      await streamEvents(current.session_id, (type, event) => {
        const text = (event.content ?? []).map((block) => block.text ?? "").join(" ").trim();
        if (!text) return;
        list.append(h("li", {}, event.lucid_stage ? h("span", { class: "stage" }, event.lucid_stage) : null, " ", text));
      }, controller.signal);
    } catch (error) {
      if (controller.signal.aborted) throw error;
    }
  }
  // The stream ends with the dream; its status is written in the same transaction.
  for (;;) {
    current = await get(`/v1/dreams/${encodeURIComponent(dream.id)}`);
    if (isFinal(current.status)) return;
    await sleep(300, controller.signal);
  }
}

function sleep(ms, signal) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(timer);
      reject(new DOMException("left the page", "AbortError"));
    });
  });
}

/**
 * Which changes must follow which: a change that consumes the text another one writes (a
 * supersede of an item a merge produced, the removal of an added item) depends on it, as the
 * server decides (lucid-core's selection).
 */
export function dependencies(changes) {
  const byText = new Map();
  for (const change of changes) {
    if (change.op !== "remove" && change.op !== "flag" && change.op !== "keep") {
      const list = byText.get(change.text) ?? [];
      list.push(change.id);
      byText.set(change.text, list);
    }
  }
  const parents = new Map();
  for (const change of changes) {
    const consumed = change.op === "remove" ? [change.text] : change.replaces ?? [];
    const found = new Set();
    for (const text of consumed) {
      for (const parent of byText.get(text) ?? []) if (parent !== change.id) found.add(parent);
    }
    parents.set(change.id, [...found]);
  }
  return parents;
}

class Review {
  constructor(dream, report) {
    this.dream = dream;
    this.report = report;
    const changes = report.changes ?? [];
    this.changes = changes.filter((c) => REVIEWED_OPS.has(c.op) && c.id);
    this.flags = changes.filter((c) => c.op === "flag");
    this.kept = changes.filter((c) => c.op === "keep").length;
    this.parents = dependencies(this.changes);
    this.decisions = new Map(this.changes.map((c) => [c.id, "accept"]));
    this.cards = new Map();
    this.current = -1;
    this.evidence = new Evidence(dream);
    // A dream reviewed before opens with the decisions it was promoted with.
    for (const id of dream.review?.rejected ?? []) {
      if (this.decisions.has(id)) this.decisions.set(id, "reject");
    }
  }

  async render() {
    const page = h("div", { class: "review" });
    if (this.dream.review) page.append(this.renderDecided(this.dream.review));
    if (this.flags.length) page.append(this.renderFlags());
    const toolbar = h("div", { class: "toolbar", role: "toolbar", "aria-label": "Decide every change" },
      h("button", { type: "button", id: "accept-all", onclick: () => this.decideAll("accept") }, "Accept all"),
      h("button", { type: "button", id: "reject-all", onclick: () => this.decideAll("reject") }, "Reject all"),
      h("button", { type: "button", id: "to-promote", onclick: () => {
        this.summary.scrollIntoView({ block: "start" });
        this.promoteButton.focus({ preventScroll: true });
      } }, "Go to promote"),
      h("p", { class: "hint", id: "shortcuts" },
        "Keys: ", h("kbd", {}, "j"), "/", h("kbd", {}, "k"), " move, ", h("kbd", {}, "a"), " accept, ",
        h("kbd", {}, "r"), " reject."));
    page.append(h("h2", {}, `Changes (${this.changes.length})`));
    if (this.changes.length === 0) {
      page.append(h("p", {}, "This dream proposes no change to review."));
    } else {
      page.append(toolbar);
    }
    const list = h("div", { class: "groups" });
    for (const [op, title, meaning] of OPS) {
      const ofOp = this.changes.filter((c) => c.op === op);
      if (!ofOp.length) continue;
      const kinds = [...new Set(ofOp.map((c) => c.kind))].sort();
      for (const kind of kinds) {
        const group = ofOp.filter((c) => c.kind === kind);
        list.append(this.renderGroup(op, title, meaning, kind, group));
      }
    }
    page.append(list);
    this.order = [...list.querySelectorAll("article.change")];
    this.summary = h("section", { class: "summary", id: "summary", "aria-label": "What promote will do", "aria-live": "polite" });
    page.append(this.summary);
    page.append(await this.renderActions());
    this.refresh();
    return page;
  }

  renderDecided(review) {
    const ids = (list) => (list?.length ? list.map((id) => h("code", {}, id)).reduce((all, code) => [...all, all.length ? ", " : "", code], []) : "none");
    const rows = [
      ["Reviewed by", describeActor(review.reviewed_by)],
      ["When", formatTime(review.reviewed_at)],
      ["Accepted", ids(review.accepted)],
      ["Rejected", ids(review.rejected)],
      ["Left out with their parent", (review.rejected_as_dependents ?? []).length ?
        review.rejected_as_dependents.map((d) => `${d.id} (with ${d.parent})`).join(", ") : "none"],
      ["Promoted store", storeLink(review.memory_store_id)],
      ["Agents", (review.agent_ids ?? []).join(", ") || "—"],
    ];
    return h("section", { class: "decided", id: "review-decisions", "aria-labelledby": "review-title" },
      h("h2", { id: "review-title" }, "Review decisions"),
      h("dl", { class: "facts" }, rows.map(([name, value]) => [h("dt", {}, name), h("dd", {}, value)])));
  }

  renderFlags() {
    const box = h("input", { type: "checkbox", id: "ack-flags", onchange: () => this.refresh() });
    this.flagBox = box;
    return h("section", { class: "flags", id: "flags", "aria-labelledby": "flags-title" },
      h("h2", { id: "flags-title" }, `Flags (${this.flags.length})`),
      h("p", {}, "Text the dream refused — possible injected instructions or secrets. None of it is in the output; read it before promoting."),
      h("ul", {}, this.flags.map((flag) => h("li", { class: "flag" },
        h("p", { class: "flag-text" }, withRedactions(flag.text)),
        h("p", { class: "reason" }, flag.reason),
        this.evidence.render(flag)))),
      h("p", { class: "ack" }, box, " ",
        h("label", { for: "ack-flags" }, "I have read these flags; promote without them.")));
  }

  renderGroup(op, title, meaning, kind, group) {
    const headingId = `group-${op}-${kind}`;
    const section = h("section", { class: `group op-${op}`, "aria-labelledby": headingId },
      h("header", {},
        h("h3", { id: headingId }, `${title} · ${kind} (${group.length})`),
        h("span", { class: "meaning" }, meaning),
        h("span", { class: "group-actions" },
          h("button", { type: "button", "aria-label": `Accept all ${title.toLowerCase()} of ${kind}`,
            onclick: () => this.decideMany(group, "accept") }, "Accept group"),
          h("button", { type: "button", "aria-label": `Reject all ${title.toLowerCase()} of ${kind}`,
            onclick: () => this.decideMany(group, "reject") }, "Reject group"))));
    for (const change of group) section.append(this.renderChange(change));
    return section;
  }

  renderChange(change) {
    const accept = h("button", { type: "button", class: "accept", "aria-pressed": "true",
      "aria-label": `Accept ${change.op} ${change.id}`, onclick: () => this.decide(change.id, "accept") }, "Accept");
    const reject = h("button", { type: "button", class: "reject", "aria-pressed": "false",
      "aria-label": `Reject ${change.op} ${change.id}`, onclick: () => this.decide(change.id, "reject") }, "Reject");
    const note = h("p", { class: "dependency" });
    const card = h("article", {
      class: "change", tabindex: "0", "aria-label": `${change.op} ${change.kind}: ${change.text}`,
      dataset: { changeId: change.id, op: change.op },
      onfocusin: () => { this.current = this.order.indexOf(card); },
    },
      h("div", { class: "badges" },
        h("span", { class: `badge op ${change.op}` }, change.op),
        h("span", { class: "badge" }, change.kind),
        h("span", { class: "badge" }, change.scope + (change.agent ? `: ${change.agent}` : "")),
        change.path ? h("code", { class: "path" }, change.path) : null,
        h("code", { class: "id" }, change.id)),
      this.renderText(change),
      h("p", { class: "reason" }, h("span", { class: "label" }, "Why: "), change.reason),
      this.evidence.render(change),
      note,
      h("div", { class: "decision" }, accept, reject));
    this.cards.set(change.id, { card, accept, reject, note });
    return card;
  }

  renderText(change) {
    if (change.op === "remove") {
      return h("div", { class: "text" }, h("span", { class: "label" }, "Removes: "),
        h("del", {}, withRedactions(change.text)));
    }
    const parts = [h("div", { class: "text" }, h("span", { class: "label" }, "Result: "),
      h("span", { class: "result" }, withRedactions(change.text)))];
    const replaced = change.replaces ?? [];
    if (replaced.length) {
      parts.push(h("div", { class: "replaces" }, h("span", { class: "label" },
        change.op === "supersede" ? "Replaces the older value:" : "Replaces:"),
        h("ul", {}, replaced.map((old) => h("li", {}, renderDiff(old, change.text))))));
    }
    return parts;
  }

  decide(id, decision) {
    this.decisions.set(id, decision);
    this.refresh();
  }

  decideMany(changes, decision) {
    for (const change of changes) this.decisions.set(change.id, decision);
    this.refresh();
  }

  decideAll(decision) {
    this.decideMany(this.changes, decision);
  }

  /** Rejections flow to dependents, as the server applies them. */
  effective() {
    const rejected = new Set([...this.decisions].filter(([, d]) => d === "reject").map(([id]) => id));
    const byDependency = new Map();
    let grew = true;
    while (grew) {
      grew = false;
      for (const change of this.changes) {
        if (rejected.has(change.id)) continue;
        const parent = (this.parents.get(change.id) ?? []).find((p) => rejected.has(p));
        if (parent) {
          rejected.add(change.id);
          byDependency.set(change.id, parent);
          grew = true;
        }
      }
    }
    return { rejected, byDependency };
  }

  refresh() {
    const { rejected, byDependency } = this.effective();
    for (const change of this.changes) {
      const view = this.cards.get(change.id);
      const chosen = this.decisions.get(change.id);
      const out = rejected.has(change.id);
      view.card.classList.toggle("rejected", out);
      view.card.classList.toggle("accepted", !out);
      view.accept.setAttribute("aria-pressed", String(chosen === "accept"));
      view.reject.setAttribute("aria-pressed", String(chosen === "reject"));
      const parent = byDependency.get(change.id);
      fill(view.note, parent ? `Left out with ${parent}, which it depends on.` : null);
    }
    const counts = {};
    for (const change of this.changes) {
      if (!rejected.has(change.id)) counts[change.op] = (counts[change.op] ?? 0) + 1;
    }
    const plural = (n, one, many) => `${n} ${n === 1 ? one : many}`;
    const phrases = {
      add: (n) => `Add ${plural(n, "item", "items")}`,
      merge: (n) => `Merge duplicates into ${plural(n, "item", "items")}`,
      supersede: (n) => `Replace ${plural(n, "older value", "older values")} with newer ones`,
      remove: (n) => `Remove ${plural(n, "item", "items")}`,
    };
    const accepted = this.changes.length - rejected.size;
    const lines = OPS.filter(([op]) => counts[op]).map(([op]) =>
      h("li", {}, phrases[op](counts[op])));
    fill(this.summary,
      h("h2", {}, "What promote will do"),
      h("p", { id: "summary-text" },
        `Apply ${accepted} of ${this.changes.length} changes to the input store` +
        (rejected.size ? ` and leave out ${rejected.size} rejected` +
          (byDependency.size ? ` (${byDependency.size} with the change they depend on)` : "") : "") +
        (this.kept ? `; ${this.kept} items stay as they are` : "") +
        (this.flags.length ? `; ${this.flags.length} flagged texts stay out` : "") + "."),
      lines.length ? h("ul", {}, lines) : null);
    if (this.promoteButton) {
      const needsAck = this.flags.length > 0 && !(this.flagBox && this.flagBox.checked);
      this.promoteButton.disabled = needsAck || this.done;
      fill(this.promoteHint, needsAck ? "Acknowledge the flags above to promote." : null);
    }
  }

  async renderActions() {
    const section = h("section", { class: "actions-panel", "aria-labelledby": "promote-title" },
      h("h2", { id: "promote-title" }, "Promote or discard"));
    const agents = await listAll("/v1/agents").catch(() => []);
    const input = storeOf(this.dream);
    const fieldset = h("fieldset", { class: "agents" }, h("legend", {}, "Agents to switch to the promoted store"));
    this.agentBoxes = [];
    if (!agents.length) fieldset.append(h("p", {}, "No agents in this workspace."));
    for (const agent of agents) {
      const boxId = `agent-${agent.id}`;
      const box = h("input", { type: "checkbox", id: boxId, value: agent.id,
        checked: agent.memory_store_id === input });
      this.agentBoxes.push(box);
      fieldset.append(h("div", { class: "agent" }, box, " ",
        h("label", { for: boxId }, agent.name, " ", h("span", { class: "muted" },
          agent.memory_store_id ? `(now on ${agent.memory_store_id})` : "(no store)"))));
    }
    this.promoteButton = h("button", { type: "button", class: "primary", id: "promote",
      onclick: () => this.promote() }, "Promote accepted changes");
    this.promoteHint = h("p", { class: "hint", id: "promote-hint" });
    const discard = h("button", { type: "button", class: "danger", id: "discard",
      onclick: () => this.discard() }, "Discard dream output");
    this.status = h("div", { id: "promote-status" });
    section.append(fieldset, h("div", { class: "actions" }, this.promoteButton, discard), this.promoteHint, this.status);
    return section;
  }

  async promote() {
    const agents = this.agentBoxes.filter((box) => box.checked).map((box) => box.value);
    if (!agents.length) {
      notice(this.status, "Choose at least one agent to switch to the promoted store.", "error");
      return;
    }
    const { rejected } = this.effective();
    const chosen = [...this.decisions].filter(([, d]) => d === "reject").map(([id]) => id);
    const question = `Promote ${this.changes.length - rejected.size} accepted changes` +
      (rejected.size ? ` (leaving out ${rejected.size})` : "") + ` and switch ${agents.length} ` +
      `agent${agents.length === 1 ? "" : "s"} to the result?`;
    if (!(await confirmDialog(question, "Promote"))) return;
    // Always a selection (even an empty one), so the decisions are recorded with the dream.
    const body = { agent_ids: agents, reject: chosen };
    if (this.flags.length) body.accept_flags = true;
    try {
      const result = await post(`/v1/dreams/${encodeURIComponent(this.dream.id)}/promote`, body);
      this.done = true;
      this.refresh();
      const dependents = result?.review?.rejected_as_dependents ?? [];
      notice(this.status, `Promoted: ${agents.length} agent${agents.length === 1 ? "" : "s"} now use${agents.length === 1 ? "s" : ""} store ` +
        `${result?.memory_store_id ?? "the promoted store"}` +
        (dependents.length ? `; also left out with the change they build on: ${dependents.map((d) => d.id).join(", ")}` : "") + ".",
      "success");
      if (result?.review) this.status.append(this.renderDecided(result.review));
    } catch (error) {
      notice(this.status, `Promote failed: ${error.message}`, "error");
    }
  }

  async discard() {
    if (!(await confirmDialog("Discard this dream's output store? Agents keep the store they use now.", "Discard"))) return;
    try {
      await post(`/v1/dreams/${encodeURIComponent(this.dream.id)}/discard`);
      this.done = true;
      this.refresh();
      notice(this.status, "Discarded: the output store is archived.", "success");
    } catch (error) {
      notice(this.status, `Discard failed: ${error.message}`, "error");
    }
  }

  onKey(event) {
    if (!this.order || !this.order.length) return;
    const index = this.current >= 0 ? this.current : -1;
    const move = (to) => {
      this.current = Math.max(0, Math.min(this.order.length - 1, to));
      this.order[this.current].focus();
      this.order[this.current].scrollIntoView({ block: "nearest" });
    };
    if (event.key === "j") move(index + 1);
    else if (event.key === "k") move(index < 0 ? 0 : index - 1);
    else if ((event.key === "a" || event.key === "r") && index >= 0) {
      this.decide(this.order[index].dataset.changeId, event.key === "a" ? "accept" : "reject");
    } else return;
    event.preventDefault();
  }
}

function describeActor(actor) {
  if (!actor) return "—";
  if (actor.type === "api_actor") return `API key ${actor.api_key_id}`;
  if (actor.type === "dream_actor") return `dream ${actor.dream_id}`;
  if (actor.type === "session_actor") return `session ${actor.session_id}`;
  if (actor.type === "mcp_actor") return `MCP client ${actor.client_name}`;
  return JSON.stringify(actor);
}

function renderDiff(before, after) {
  return h("span", { class: "diff" }, wordDiff(before, after).map((piece) =>
    piece.kind === "same" ? piece.text :
      h(piece.kind === "removed" ? "del" : "ins", {}, withRedactions(piece.text))));
}

/**
 * Evidence as excerpts: a transcript event (who said it, where, when, the text around the
 * change's words) or the input store document it came from. Loaded when opened.
 */
class Evidence {
  constructor(dream) {
    this.dream = dream;
    this.sessions = new Map();
    this.store = null;
  }

  render(change) {
    const items = change.evidence ?? [];
    const details = h("details", { class: "evidence" },
      h("summary", {}, `Evidence (${items.length})`));
    const list = h("ul", {});
    details.append(list);
    let loaded = false;
    details.addEventListener("toggle", () => {
      if (!details.open || loaded) return;
      loaded = true;
      for (const item of items) {
        const entry = h("li", {}, "loading…");
        list.append(entry);
        this.excerpt(item, change).then((parts) => fill(entry, parts),
          (error) => fill(entry, `cannot load: ${error.message}`));
      }
    });
    return details;
  }

  async events(sessionId) {
    if (!this.sessions.has(sessionId)) {
      this.sessions.set(sessionId, listAll(`/v1/sessions/${encodeURIComponent(sessionId)}/events`, {}, 5000));
    }
    return this.sessions.get(sessionId);
  }

  async storeDocuments() {
    if (!this.store) {
      const store = storeOf(this.dream);
      this.store = store ? listAll(`/v1/memory_stores/${encodeURIComponent(store)}/memories`, { view: "full" }) : Promise.resolve([]);
    }
    return this.store;
  }

  async excerpt(item, change) {
    const words = wordsOf([change.text, ...(change.replaces ?? [])].join(" "));
    if (item.store_path !== undefined) {
      // The store document says where; the text shown is the report's, which is redacted (a
      // store may hold a secret the dream flagged, and the excerpt must not show it again).
      const documents = await this.storeDocuments().catch(() => []);
      const doc = documents.find((d) => d.path === item.store_path);
      const found = doc ? locate(doc.content ?? "", [change.text, ...(change.replaces ?? [])]) : null;
      return [h("span", { class: "source" }, "input store ",
        h("code", {}, found ? `${item.store_path}:${found.line}` : item.store_path)),
        found ? h("blockquote", {}, highlighted(found.text, words)) : null];
    }
    const header = [
      h("span", { class: `trust ${item.trust ?? ""}` }, item.trust ?? "unknown trust"),
      " ", h("span", { class: "source" }, "session ", h("code", {}, item.session ?? "?"),
        item.event !== undefined ? ` · event ${item.event}` : ""),
      item.at ? h("time", { datetime: item.at }, ` · ${formatTime(item.at)}`) : null,
    ];
    let events = [];
    try {
      events = item.session ? await this.events(item.session) : [];
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
    }
    const found = matchEvent(events, item, words);
    if (!found) return [...header, h("p", { class: "muted" }, "The event is no longer stored.")];
    return [...header, " · ", h("span", { class: "speaker" }, speaker(found.event)),
      h("blockquote", {}, highlighted(found.excerpt, words))];
  }
}

/** An excerpt with the change's own words emphasised and redactions marked. */
function highlighted(text, words) {
  return withRedactions(text).map((piece) => {
    if (typeof piece !== "string") return piece;
    const parts = [];
    let last = 0;
    for (const match of piece.matchAll(/[\p{L}\p{N}_.-]{3,}/gu)) {
      // Short words (the, and, for) would light up every line.
      if (match[0].length < 4 || !words.has(match[0].toLowerCase())) continue;
      if (match.index > last) parts.push(piece.slice(last, match.index));
      parts.push(h("strong", { class: "hit" }, match[0]));
      last = match.index + match[0].length;
    }
    if (last < piece.length) parts.push(piece.slice(last));
    return parts;
  });
}

function wordsOf(text) {
  return new Set((String(text).toLowerCase().match(/[\p{L}\p{N}_.-]{3,}/gu) ?? []));
}

function eventText(event) {
  const pieces = [];
  const walk = (value) => {
    if (typeof value === "string") pieces.push(value);
    else if (Array.isArray(value)) value.forEach(walk);
    else if (value && typeof value === "object") {
      if (typeof value.text === "string") pieces.push(value.text);
      else if (value.content !== undefined) walk(value.content);
      else if (value.input !== undefined) pieces.push(JSON.stringify(value.input));
    }
  };
  walk(event.content ?? event.input ?? "");
  return pieces.join("\n");
}

function speaker(event) {
  const type = event.type ?? "";
  if (event.channel) return `${type} (${event.channel})`;
  if (type === "user.message") return "person (user.message)";
  if (type === "system.message") return `harness${event.label ? ` (${event.label})` : ""}`;
  if (type.includes("tool_result")) return `tool output (${type})`;
  if (type.includes("tool_use")) return `tool call (${type})`;
  return type;
}

/** The stored event the evidence names: same time when the events have times, most shared words. */
function matchEvent(events, item, words) {
  if (!events.length) return null;
  const sameTime = item.at ? events.filter((e) => e.processed_at && Date.parse(e.processed_at) === Date.parse(item.at)) : [];
  const pool = sameTime.length ? sameTime : events;
  let best = null;
  for (const [index, event] of pool.entries()) {
    const text = eventText(event);
    const shared = [...wordsOf(text)].filter((w) => words.has(w)).length;
    // Without times, the event's position breaks ties (the importer numbers events in order).
    const near = item.event !== undefined ? -Math.abs(events.indexOf(event) - item.event) / 1000 : 0;
    const score = shared + near;
    if (!best || score > best.score) best = { event, text, score, index };
  }
  return { event: best.event, excerpt: around(best.text, words) };
}

/** At most ~300 characters of `text` around the densest run of `words`. */
function around(text, words) {
  if (text.length <= 300) return text;
  const tokens = [...text.matchAll(/[\p{L}\p{N}_.-]{3,}/gu)];
  let bestAt = 0;
  let bestScore = -1;
  for (const token of tokens) {
    const start = token.index;
    const score = tokens.filter((t) => t.index >= start && t.index < start + 300 && words.has(t[0].toLowerCase())).length;
    if (score > bestScore) {
      bestScore = score;
      bestAt = start;
    }
  }
  const start = Math.max(0, bestAt - 60);
  return (start > 0 ? "…" : "") + text.slice(start, start + 300) + (start + 300 < text.length ? "…" : "");
}

/** The line of `content` that best matches one of `texts`: its number and that text. */
function locate(content, texts) {
  let best = null;
  content.split("\n").forEach((line, index) => {
    const have = wordsOf(line);
    for (const text of texts) {
      const shared = [...wordsOf(text)].filter((w) => have.has(w)).length;
      if (shared && (!best || shared > best.shared)) best = { line: index + 1, text, shared };
    }
  });
  return best;
}
