// The Unlearn console: a page over the documented JSON API (/openapi.json), nothing else.
// The token lives in this tab's sessionStorage and is sent only as a bearer header. Everything the
// server returns is put on the page as text (textContent), never as markup.
"use strict";

const tokenKey = "unlearn.token";
const auditPage = 20;
let auditOffset = 0; // pages back from the newest entry

function token() { return sessionStorage.getItem(tokenKey); }

async function api(method, path, body) {
  const headers = { "Authorization": "Bearer " + token() };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch (_) { json = null; }
  if (!response.ok) {
    const message = json && json.error && json.error.message ? json.error.message : text || response.statusText;
    const error = new Error(message);
    error.status = response.status;
    throw error;
  }
  return json;
}

function element(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (className) node.className = className;
  return node;
}

function row(cells) {
  const tr = document.createElement("tr");
  for (const cell of cells) {
    const td = document.createElement("td");
    if (cell instanceof Node) td.appendChild(cell); else td.textContent = cell === null || cell === undefined ? "" : String(cell);
    tr.appendChild(td);
  }
  return tr;
}

function replaceRows(table, rows) {
  const body = document.querySelector("#" + table + " tbody");
  body.replaceChildren(...rows);
}

function svg(tag, attributes) {
  const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [name, value] of Object.entries(attributes || {})) node.setAttribute(name, String(value));
  return node;
}

function budgetBar(figures) {
  const spent = figures.budget_spent, left = figures.budget_remaining;
  if (spent === undefined || left === undefined) return "–";
  const total = spent + left;
  const share = total > 0 ? Math.min(1, Math.max(0, spent / total)) : 0;
  const chart = svg("svg", { width: 120, height: 14, viewBox: "0 0 120 14", role: "img" });
  chart.appendChild(svg("rect", { x: 0, y: 2, width: 120, height: 10, class: "bar-track" }));
  chart.appendChild(svg("rect", { x: 0, y: 2, width: (120 * share).toFixed(1), height: 10, class: "bar-fill" }));
  const title = svg("title");
  title.textContent = `${spent.toPrecision(3)} of ${total.toPrecision(3)} spent`;
  chart.appendChild(title);
  const wrapper = element("span");
  wrapper.appendChild(chart);
  wrapper.appendChild(element("span", ` ${(100 * share).toFixed(0)}%`, "muted"));
  return wrapper;
}

// The last deletion's figures, a few of them, with their names.
function lastFigures(figures) {
  const entries = Object.entries(figures).filter(([name]) => !name.startsWith("budget_")).sort();
  if (entries.length === 0) return "–";
  const shown = entries.slice(0, 3).map(([name, value]) => `${name} ${Number(value).toPrecision(3)}`).join(", ");
  return entries.length > 3 ? `${shown}, … (${entries.length})` : shown;
}

async function loadModels() {
  const models = await api("GET", "/v1/models");
  replaceRows("models", models.map(m => row([
    m.name, m.strategy, m.version, m.exact ? "exact" : "approximate", m.remaining_samples, m.pending_requests,
    lastFigures(m.last_figures || {}),
    budgetBar(m.last_figures || {}),
  ])));
  const select = document.getElementById("delete-model");
  const chosen = select.value;
  select.replaceChildren(...models.map(m => { const o = element("option", m.name); o.value = m.name; return o; }));
  if (chosen) select.value = chosen;
}

// The receipts' download URLs of the rows on the page; revoked when the rows are replaced, so a
// console left open does not keep every receipt it ever listed in memory.
let receiptURLs = [];

function receiptLink(request) {
  if (!request.receipt) return "–";
  const link = element("a", "receipt.json");
  link.href = URL.createObjectURL(new Blob([JSON.stringify(request.receipt, null, 2)], { type: "application/json" }));
  receiptURLs.push(link.href);
  link.download = `receipt-${request.id}.json`;
  return link;
}

function decision(request) {
  if (request.receipt) return `${request.receipt.decision}: ${request.receipt.reason}`;
  return request.error || "–";
}

function latencyChart(requests) {
  const points = requests.filter(r => r.status === "done" && r.report).map(r => r.report.seconds * 1000).reverse();
  const container = document.getElementById("latency-chart");
  if (points.length === 0) { container.replaceChildren(element("p", "no finished deletions yet", "muted")); return; }
  const width = 640, height = 160, left = 62, bottom = 20;
  const top = Math.max(...points) * 1.1 || 1;
  const chart = svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": "deletion latency in milliseconds" });
  chart.appendChild(svg("line", { x1: left, y1: height - bottom, x2: width, y2: height - bottom, class: "axis" }));
  chart.appendChild(svg("line", { x1: left, y1: 0, x2: left, y2: height - bottom, class: "axis" }));
  const label = svg("text", { x: 2, y: 12, class: "label" }); label.textContent = `${top.toPrecision(3)} ms`; chart.appendChild(label);
  const zero = svg("text", { x: 2, y: height - bottom, class: "label" }); zero.textContent = "0"; chart.appendChild(zero);
  const step = (width - left - 10) / Math.max(1, points.length - 1);
  points.forEach((value, index) => {
    const x = left + 5 + index * step, y = (height - bottom) * (1 - value / top);
    const dot = svg("circle", { cx: x.toFixed(1), cy: y.toFixed(1), r: 3, class: "point" });
    const title = svg("title"); title.textContent = `${value.toFixed(2)} ms`; dot.appendChild(title);
    chart.appendChild(dot);
  });
  const caption = svg("text", { x: left + 5, y: height - 4, class: "label" });
  caption.textContent = `last ${points.length} finished deletions, oldest left`;
  chart.appendChild(caption);
  container.replaceChildren(chart);
}

async function loadRequests() {
  const requests = await api("GET", "/v1/deletions?limit=50");
  const stale = receiptURLs;
  receiptURLs = [];
  replaceRows("requests", requests.map(r => row([
    r.request_id || r.id, r.model, element("span", r.status, "status-" + r.status), r.id_count,
    r.received_at, r.finished_at || "–", decision(r), receiptLink(r),
  ])));
  stale.forEach(url => URL.revokeObjectURL(url));
  latencyChart(requests);
}

async function loadAudit() {
  const verification = await api("GET", "/v1/audit/verify");
  const status = document.getElementById("audit-status");
  status.textContent = verification.intact ? "intact" : `broken at entry ${verification.broken_at}: ${verification.reason}`;
  status.className = verification.intact ? "ok" : "error";
  const newest = verification.entries;
  const after = Math.max(0, newest - auditPage * (auditOffset + 1));
  const limit = Math.min(auditPage, newest - auditPage * auditOffset - after);
  const entries = limit > 0 ? await api("GET", `/v1/audit?after=${after}&limit=${limit}`) : [];
  replaceRows("audit", entries.reverse().map(e => row([e.seq, e.at, e.event, e.model || "–", e.request_id || "–", e.hash.slice(0, 16) + "…"])));
  document.getElementById("audit-newer").disabled = auditOffset === 0;
  document.getElementById("audit-older").disabled = after === 0;
}

async function refresh() {
  try {
    await Promise.all([loadModels(), loadRequests(), loadAudit()]);
    document.getElementById("status").textContent = "signed in · updated " + new Date().toLocaleTimeString();
  } catch (error) {
    if (error.status === 401) { signOut("the token was refused: sign in again"); return; }
    document.getElementById("status").textContent = "error: " + error.message;
  }
}

function signOut(message) {
  sessionStorage.removeItem(tokenKey);
  document.getElementById("console").hidden = true;
  document.getElementById("sign-in-form").hidden = false;
  const error = document.getElementById("sign-in-error");
  error.textContent = message || "";
  error.hidden = !message;
  document.getElementById("status").textContent = "signed out";
}

async function signIn(event) {
  event.preventDefault();
  sessionStorage.setItem(tokenKey, document.getElementById("token").value);
  document.getElementById("token").value = "";
  try {
    await api("GET", "/v1/models");
  } catch (error) {
    signOut(error.status === 401 ? "wrong token" : "cannot reach the server: " + error.message);
    return;
  }
  document.getElementById("sign-in-form").hidden = true;
  document.getElementById("console").hidden = false;
  await refresh();
}

async function submitDeletion(event) {
  event.preventDefault();
  const ids = document.getElementById("delete-ids").value.split(/[\s,]+/).filter(id => id.length > 0);
  const requestID = document.getElementById("delete-request-id").value.trim();
  const model = document.getElementById("delete-model").value;
  const answer = document.getElementById("delete-answer");
  answer.hidden = false;
  try {
    const body = { ids };
    if (requestID) body.request_id = requestID;
    const accepted = await api("POST", `/v1/models/${encodeURIComponent(model)}/deletions`, body);
    answer.textContent = `accepted: request ${accepted.id}, ${accepted.status}`;
    answer.className = "ok";
    followRequest(accepted.id);
  } catch (error) {
    answer.textContent = `refused (${error.status}): ${error.message}`;
    answer.className = "error";
  }
  await refresh();
}

async function followRequest(id) {
  for (let attempt = 0; attempt < 120; attempt++) {
    const request = await api("GET", `/v1/deletions/${encodeURIComponent(id)}`);
    if (["done", "failed", "rejected"].includes(request.status)) {
      const answer = document.getElementById("delete-answer");
      answer.textContent = `request ${id}: ${request.status}` + (request.receipt ? ` (${request.receipt.decision}, version ${request.receipt.version_before} → ${request.receipt.version_after})` : request.error ? `: ${request.error}` : "");
      await refresh();
      return;
    }
    await new Promise(resolve => setTimeout(resolve, 500));
  }
}

document.addEventListener("DOMContentLoaded", () => {
  document.getElementById("sign-in-fields").addEventListener("submit", signIn);
  document.getElementById("delete-form").addEventListener("submit", submitDeletion);
  document.getElementById("audit-newer").addEventListener("click", () => { auditOffset = Math.max(0, auditOffset - 1); loadAudit(); });
  document.getElementById("audit-older").addEventListener("click", () => { auditOffset += 1; loadAudit(); });
  if (token()) {
    document.getElementById("sign-in-form").hidden = true;
    document.getElementById("console").hidden = false;
    refresh();
  }
  setInterval(() => { if (token()) refresh(); }, 5000);
});
