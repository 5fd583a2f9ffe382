// Building the page: elements are made with textContent only (never parsed as markup), so text from
// the API — transcripts, memories, reasons — can never become markup or script.

/** An element: h("button", {type: "button", onclick: f, "aria-label": "…"}, "text", child…). */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") {
      element.addEventListener(name.slice(2), value);
    } else if (name === "class") {
      element.className = value;
    } else if (name === "dataset") {
      Object.assign(element.dataset, value);
    } else if (value === true) {
      element.setAttribute(name, "");
    } else {
      element.setAttribute(name, String(value));
    }
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    if (Array.isArray(child)) append(element, child);
    else element.append(child instanceof Node ? child : String(child));
  }
}

/** Replaces an element's children. */
export function fill(element, ...children) {
  element.replaceChildren();
  append(element, children);
  return element;
}

/** Text with secret redactions (`…[redacted]`, `[redacted: …]`) shown as marked spans. */
export function withRedactions(text) {
  const parts = [];
  const pattern = /\S*\[redacted[^\]]*\]/g;
  let last = 0;
  for (const match of String(text ?? "").matchAll(pattern)) {
    if (match.index > last) parts.push(text.slice(last, match.index));
    parts.push(h("mark", { class: "redacted", title: "redacted secret" }, match[0]));
    last = match.index + match[0].length;
  }
  if (last < String(text ?? "").length) parts.push(String(text).slice(last));
  return parts;
}

export function formatTime(text) {
  if (!text) return "—";
  const date = new Date(text);
  if (Number.isNaN(date.getTime())) return text;
  return date.toISOString().replace("T", " ").replace(/\.\d+Z$/, "Z");
}

export function formatNumber(value) {
  return Number(value ?? 0).toLocaleString("en");
}

/** A dollar amount, or a dash when unknown. */
export function formatCost(value) {
  if (value === undefined || value === null || Number.isNaN(Number(value))) return "—";
  return `$${Number(value).toFixed(Number(value) < 1 ? 4 : 2)}`;
}

/** A status line that screen readers announce. */
export function notice(element, text, kind = "info") {
  fill(element, text ? h("p", { class: `notice ${kind}`, role: kind === "error" ? "alert" : "status" }, text) : null);
}

/** Asks before an irreversible step; resolves true when confirmed. Uses a modal <dialog>. */
export function confirmDialog(question, confirmLabel) {
  return new Promise((resolve) => {
    const dialog = h("dialog", { class: "confirm", "aria-labelledby": "confirm-question" });
    const done = (answer) => {
      dialog.close();
      dialog.remove();
      resolve(answer);
    };
    dialog.append(
      h("p", { id: "confirm-question" }, question),
      h(
        "div",
        { class: "actions" },
        h("button", { type: "button", class: "secondary", id: "confirm-cancel", onclick: () => done(false) }, "Cancel"),
        h("button", { type: "button", class: "primary", id: "confirm-ok", onclick: () => done(true) }, confirmLabel),
      ),
    );
    dialog.addEventListener("cancel", (event) => {
      event.preventDefault();
      done(false);
    });
    document.body.append(dialog);
    dialog.showModal();
    dialog.querySelector("#confirm-ok").focus();
  });
}
