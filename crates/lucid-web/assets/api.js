// The only module that talks to the server: every request goes to this page's own origin,
// to lucid's /v1 API, with the API key from the tab's sessionStorage in the x-api-key header.
// The key is never put in a URL, a cookie or the persistent local storage.

const KEY_NAME = "lucid.apiKey";

export function apiKey() {
  return sessionStorage.getItem(KEY_NAME);
}

export function rememberKey(key) {
  sessionStorage.setItem(KEY_NAME, key);
}

export function forgetKey() {
  sessionStorage.removeItem(KEY_NAME);
}

/** An error answer of the API: its HTTP status and the envelope's type and message. */
export class ApiError extends Error {
  constructor(status, type, message) {
    super(message);
    this.status = status;
    this.type = type;
  }
}

function headers(extra) {
  return Object.assign({ "x-api-key": apiKey() ?? "" }, extra);
}

/** One API call; resolves to the parsed JSON body, rejects with an ApiError. */
export async function call(method, path, body) {
  const init = {
    method,
    headers: headers(body === undefined ? {} : { "content-type": "application/json" }),
    credentials: "omit",
    cache: "no-store",
    referrerPolicy: "no-referrer",
  };
  if (body !== undefined) init.body = JSON.stringify(body);
  let response;
  try {
    response = await fetch(path, init);
  } catch (error) {
    throw new ApiError(0, "network_error", `cannot reach the server (${error.message})`);
  }
  const text = await response.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (!response.ok) {
    const envelope = data && data.error;
    throw new ApiError(
      response.status,
      envelope?.type ?? "error",
      envelope?.message ?? `${response.status} ${response.statusText}`,
    );
  }
  return data;
}

export const get = (path) => call("GET", path);
export const post = (path, body) => call("POST", path, body ?? {});

/** A path with a query string built from an object (undefined values left out). */
export function withQuery(path, query) {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== "") params.append(name, String(value));
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

/** Every item of a list endpoint, following next_page (at most `max` items). */
export async function listAll(path, query = {}, max = 1000) {
  const items = [];
  let page;
  do {
    const answer = await get(withQuery(path, Object.assign({}, query, { limit: 100, page })));
    items.push(...(answer.data ?? []));
    page = answer.next_page;
  } while (page && items.length < max);
  return items;
}

/**
 * Reads a session's Server-Sent Events stream with fetch (EventSource cannot send the key
 * header). Calls onEvent(type, data) for each event; resolves when the stream ends (a dream's
 * narration ends with the dream) or `signal` aborts it.
 */
export async function streamEvents(sessionId, onEvent, signal) {
  const response = await fetch(
    `/v1/sessions/${encodeURIComponent(sessionId)}/events/stream`,
    {
      headers: headers({ accept: "text/event-stream" }),
      credentials: "omit",
      cache: "no-store",
      signal,
    },
  );
  if (!response.ok || !response.body) {
    throw new ApiError(response.status, "stream_error", `the event stream answered ${response.status}`);
  }
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value.replace(/\r\n?/g, "\n");
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let type = "message";
      const data = [];
      for (const line of block.split("\n")) {
        if (line.startsWith(":")) continue;
        const colon = line.indexOf(":");
        const field = colon < 0 ? line : line.slice(0, colon);
        const rest = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
        if (field === "event") type = rest;
        else if (field === "data") data.push(rest);
      }
      if (data.length === 0) continue;
      let parsed;
      try {
        parsed = JSON.parse(data.join("\n"));
      } catch {
        parsed = data.join("\n");
      }
      onEvent(type, parsed);
    }
  }
}
