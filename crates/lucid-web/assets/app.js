// The page's entry point: sign-in, navigation between views (the URL's fragment, which never
// holds the key), and the keyboard shortcuts of the review view.

import { ApiError, apiKey, forgetKey, get, rememberKey, withQuery } from "./api.js";
import { dreamsPage, newDreamPage } from "./dreams.js";
import { fill, h } from "./dom.js";
import { dreamPage } from "./review.js";
import { storePage, storesPage } from "./stores.js";

const main = document.getElementById("main");
const nav = document.getElementById("nav");
let context = { stop: [], onKey: null };

function signInForm(message) {
  const key = h("input", { type: "password", id: "api-key", name: "api-key", autocomplete: "off", required: true, spellcheck: "false" });
  const status = h("div", { id: "signin-status" },
    message ? h("p", { class: "notice error", role: "alert" }, message) : null);
  const form = h("form", { class: "signin", id: "signin-form" },
    h("h1", {}, "Sign in"),
    h("p", {}, "Paste an API key of this server (", h("code", {}, "lucid keys create"),
      "). It stays in this tab only and is sent with each request to this server."),
    h("div", { class: "field" }, h("label", { for: "api-key" }, "API key"), key),
    h("button", { type: "submit", class: "primary", id: "signin" }, "Sign in"),
    status);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    rememberKey(key.value.trim());
    try {
      await get(withQuery("/v1/memory_stores", { limit: 1 }));
      key.value = "";
      if (!location.hash || location.hash === "#/signin") location.hash = "#/dreams";
      else route();
    } catch (error) {
      forgetKey();
      key.select();
      fill(status, h("p", { class: "notice error", role: "alert" },
        error instanceof ApiError && error.status === 401 ? "That key is not valid here." : error.message));
    }
  });
  fill(nav);
  fill(main, form);
  key.focus();
}

function navigation() {
  const here = location.hash.split("/")[1] ?? "dreams";
  const link = (href, name, section) => h("a", { href, "aria-current": here === section ? "page" : false }, name);
  fill(nav,
    link("#/dreams", "Dreams", "dreams"),
    link("#/new", "New dream", "new"),
    link("#/stores", "Stores", "stores"),
    h("button", { type: "button", id: "signout", class: "secondary", onclick: () => { forgetKey(); location.hash = "#/signin"; signInForm(); } }, "Sign out"));
}

async function route() {
  for (const stop of context.stop) stop();
  context = { stop: [], onKey: null };
  if (!apiKey()) return signInForm();
  navigation();
  const [, section, id] = location.hash.split("/").map(decodeURIComponent);
  fill(main, h("p", { class: "hint" }, "Loading…"));
  try {
    if (section === "dreams" && id) await dreamPage(main, id, context);
    else if (section === "new") await newDreamPage(main, context);
    else if (section === "stores" && id) await storePage(main, id, context);
    else if (section === "stores") await storesPage(main, context);
    else await dreamsPage(main, context);
  } catch (error) {
    if (error.name === "AbortError") return;
    if (error instanceof ApiError && error.status === 401) {
      forgetKey();
      return signInForm("The key was refused; sign in again.");
    }
    main.append(h("p", { class: "notice error", role: "alert" }, error.message));
  }
  const heading = main.querySelector("h1");
  if (heading) {
    heading.tabIndex = -1;
    heading.focus({ preventScroll: true });
  }
}

document.addEventListener("keydown", (event) => {
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  const target = event.target;
  if (target.closest && target.closest("input, textarea, select, dialog")) return;
  if (context.onKey) context.onKey(event);
});

// "#main" (the skip link) is a place on the page, not a view.
window.addEventListener("hashchange", () => {
  if (!location.hash || location.hash.startsWith("#/")) route();
});
route();
