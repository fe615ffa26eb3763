// The review page: the source text with every drafted item highlighted, the list of items to
// accept, reject or edit, and the one write API (POST /api/records/KEY with the page's token).
// Offsets in the page are code points of the clean text (Array.from), as Python counts them;
// the server turns a selection into the quote and offset of the source file.
"use strict";

const data = JSON.parse(document.getElementById("review-data").textContent);
const chars = Array.from(data.text);
const KIND = {mentions: "mention", citations: "citation", events: "event", claims: "claim",
  figures: "figure", related: "related"};
const ADDABLE = ["mentions", "citations", "events", "claims", "figures"];
const labels = Object.fromEntries(data.entities.map((e) => [e.key, e.label]));
const items = data.items;
const rejectedEntities = new Set();
const promoted = new Set();
let problems = {};
let current = null;
let lastSelection = null;
let added = 0;
let unsaved = false; // decisions and edits not saved yet: leaving the page asks first

const $ = (selector) => document.querySelector(selector);
const textEl = $("#text");

function kindOf(item) {
  return item.section === "citations" && item.fields.rule != null ? "rule" : KIND[item.section];
}
const index = new Map(items.map((item) => [item.id, item]));
function byId(id) { return index.get(id); }
function ordered() {
  const at = (item) => (item.span ? item.span[0] : Infinity);
  return items.slice().sort((a, b) => at(a) - at(b) || a.id.localeCompare(b.id));
}
function short(text) {
  const flat = String(text || "").replace(/\s+/g, " ");
  return flat.length > 70 ? flat.slice(0, 67) + "…" : flat;
}
function label(key) { return labels[key] || key || "?"; }
function summary(item) {
  const f = item.fields;
  switch (item.section) {
    case "mentions": return `${label(f.entity)} “${short(f.quote)}”`;
    case "figures":
      return `${f.qualifier ? f.qualifier + " " : ""}${f.value ?? f.value_text} · ${f.measure || "?"}`;
    case "claims": return `${label(f.claimant)}: ${short(f.claim)}`;
    case "events": return `${f.type || "?"}: ${short(f.name)}`;
    case "citations":
      return f.symbol || (f.rule != null ? `IHL rule ${f.rule}` : "") || label(f.entity) ||
        f.document || short(f.work);
    default: return `${f.relation} ${f.document}`;
  }
}
function say(text, isError) {
  const el = $("#message");
  el.textContent = text;
  el.className = isError ? "error" : "";
}

function renderLegend() {
  for (const kind of ["mention", "citation", "rule", "event", "claim", "figure"]) {
    const span = document.createElement("span");
    span.className = `k-${kind}`;
    span.textContent = kind;
    $("#legend").appendChild(span);
  }
  for (const section of ADDABLE) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = `add k-${KIND[section]}`;
    button.dataset.section = section;
    button.textContent = KIND[section];
    button.addEventListener("click", () => addFromSelection(section));
    $("#add-buttons").appendChild(button);
  }
  for (const entity of data.entities) {
    const option = document.createElement("option");
    option.value = entity.key;
    option.label = `${entity.label} (${entity.section})`;
    $("#entities").appendChild(option);
  }
}

function renderText() {
  textEl.textContent = "";
  const cuts = new Set([0, chars.length]);
  for (const item of items) if (item.span) { cuts.add(item.span[0]); cuts.add(item.span[1]); }
  const points = [...cuts].sort((a, b) => a - b);
  for (let i = 0; i + 1 < points.length; i++) {
    const [start, end] = [points[i], points[i + 1]];
    const segment = document.createElement("span");
    segment.dataset.at = start;
    segment.textContent = chars.slice(start, end).join("");
    const covering = items.filter((it) => it.span && it.span[0] <= start && end <= it.span[1]);
    if (covering.length) {
      covering.sort((a, b) => (a.span[1] - a.span[0]) - (b.span[1] - b.span[0]));
      segment.dataset.items = covering.map((it) => it.id).join(" ");
      segment.title = covering.map((it) => `${kindOf(it)}: ${summary(it)}`).join("\n");
    }
    textEl.appendChild(segment);
  }
  restyle();
}

// Each highlighted segment shows its innermost item: its kind, whether it is rejected, and
// whether the current item covers it. A decision restyles the segments, it does not rebuild them.
function restyle() {
  for (const segment of textEl.querySelectorAll("[data-items]")) {
    const ids = segment.dataset.items.split(" ");
    const top = byId(ids[0]);
    segment.className = `hl k-${kindOf(top)}` + (top.decision === "rejected" ? " rejected" : "") +
      (ids.includes(current) ? " current" : "");
  }
}

function renderItems() {
  const list = $("#items");
  list.textContent = "";
  for (const item of ordered()) list.appendChild(itemElement(item));
  progress();
}

function itemElement(item) {
  const li = document.createElement("li");
  li.dataset.id = item.id;
  li.className = `${item.decision || "undecided"}${item.id === current ? " current" : ""}`;
  const line = document.createElement("div");
  line.className = "line";
  const badge = document.createElement("span");
  badge.className = `badge k-${kindOf(item)}`;
  badge.textContent = kindOf(item);
  const what = document.createElement("span");
  what.className = "summary";
  what.textContent = summary(item);
  const decision = document.createElement("span");
  decision.className = "decision";
  for (const [value, text, title] of [["accepted", "✓", "accept (a)"], ["rejected", "✗", "reject (r)"]]) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = value === "accepted" ? "accept" : "reject";
    if (item.decision === value) button.classList.add("on");
    button.textContent = text;
    button.title = title;
    button.addEventListener("click", (event) => { event.stopPropagation(); select(item.id); decide(value); });
    decision.appendChild(button);
  }
  line.append(badge, " ", what, decision);
  line.addEventListener("click", () => select(item.id, true));
  li.appendChild(line);
  if (problems[item.id]) {
    const problem = document.createElement("p");
    problem.className = "problem";
    problem.textContent = problems[item.id].join("; ");
    li.appendChild(problem);
  }
  if (item.id === current) li.appendChild(form(item));
  return li;
}

function refreshItem(id) {
  const old = $(`#items li[data-id="${CSS.escape(id)}"]`);
  const item = byId(id);
  if (old && item) old.replaceWith(itemElement(item));
  progress();
}

function form(item) {
  return fieldsForm(item.fields, data.forms[item.section], "f", () => {
    item.decision = "accepted"; // an edited item is the reviewer's: it stands as edited
    renderText();
    refreshItem(item.id);
  });
}

function fieldsForm(fields, spec, prefix, changed) {
  const el = document.createElement("form");
  el.addEventListener("submit", (event) => event.preventDefault());
  for (const field of spec) {
    const id = `${prefix}-${field.name}`;
    const name = document.createElement("label");
    name.htmlFor = id;
    name.textContent = field.name;
    const input = widget(field, fields[field.name]);
    input.id = id;
    input.name = field.name;
    if (field.name === "quote" || field.name === "at") input.readOnly = true;
    input.addEventListener("change", () => {
      const value = valueOf(field, input);
      if (value === undefined) delete fields[field.name];
      else fields[field.name] = value;
      unsaved = true;
      changed();
    });
    el.append(name, input);
  }
  return el;
}

function renderDocument() {
  const box = $("#document");
  box.textContent = "";
  if (problems.document) {
    const problem = document.createElement("p");
    problem.className = "problem";
    problem.textContent = problems.document.join("; ");
    box.appendChild(problem);
  }
  box.appendChild(fieldsForm(data.document, data.forms.document, "d", () => {}));
}

function widget(field, value) {
  let input;
  if (field.widget === "choice" || field.widget === "measure") {
    input = document.createElement("select");
    const options = field.widget === "measure" ? data.measures : field.choices;
    for (const choice of ["", ...options]) {
      const option = document.createElement("option");
      option.value = choice;
      option.textContent = choice || "—";
      input.appendChild(option);
    }
    if (value != null && !options.includes(value)) {
      const option = document.createElement("option");
      option.value = option.textContent = value;
      input.appendChild(option);
    }
    input.value = value ?? "";
  } else if (field.widget === "bool") {
    input = document.createElement("input");
    input.type = "checkbox";
    input.checked = Boolean(value);
  } else {
    input = document.createElement(field.name === "quote" || field.name === "claim" ? "textarea" : "input");
    if (field.widget === "entity" || field.widget === "entities") input.setAttribute("list", "entities");
    if (field.widget === "int") input.type = "number";
    input.value = Array.isArray(value) ? value.join(", ") : (value ?? "");
  }
  return input;
}

function valueOf(field, input) {
  if (field.widget === "bool") return input.checked ? true : undefined;
  const text = input.value.trim();
  if (!text) return undefined;
  if (field.widget === "int") return Number.parseInt(text, 10);
  if (field.widget === "entities") return text.split(/[,\s]+/).filter(Boolean);
  if (field.widget === "ints") return text.split(/[,\s]+/).filter(Boolean).map(Number);
  return text;
}

function select(id, scrollText) {
  const previous = current;
  current = id;
  if (previous) refreshItem(previous);
  refreshItem(id);
  restyle();
  const li = $(`#items li[data-id="${CSS.escape(id)}"]`);
  if (li) li.scrollIntoView({block: "nearest"});
  if (scrollText) {
    const segment = textEl.querySelector(".current");
    if (segment) segment.scrollIntoView({block: "center"});
  }
}

function move(step) {
  const list = ordered();
  const index = list.findIndex((item) => item.id === current);
  const next = list[Math.min(Math.max(index + step, 0), list.length - 1)];
  if (next) select(next.id, true);
}

function decide(decision) {
  const item = byId(current);
  if (!item) return;
  item.decision = decision;
  unsaved = true;
  restyle();
  refreshItem(item.id);
  move(1);
}

function progress() {
  const undecided = items.filter((item) => !item.decision).length;
  const entities = data.proposed.filter((e) => !promoted.has(e.key) && !rejectedEntities.has(e.key)).length;
  $("#progress").textContent = undecided || entities
    ? `${undecided} item(s) and ${entities} proposed entity(ies) to decide`
    : "every item decided: saving makes the record reviewed";
}

// --- adding from a selection --------------------------------------------------------------

function pointOf(node, offset) {
  if (node.nodeType === Node.TEXT_NODE) {
    const segment = node.parentElement.closest("[data-at]");
    return Number(segment.dataset.at) + Array.from(node.data.slice(0, offset)).length;
  }
  if (node === textEl) {
    const child = textEl.childNodes[offset];
    return child ? Number(child.dataset.at) : chars.length;
  }
  const segment = node.closest("[data-at]");
  return Number(segment.dataset.at) + (offset ? Array.from(segment.textContent).length : 0);
}

function rememberSelection() {
  const selection = window.getSelection();
  if (!selection.rangeCount || selection.isCollapsed) return;
  const range = selection.getRangeAt(0);
  if (!textEl.contains(range.commonAncestorContainer)) return;
  lastSelection = [pointOf(range.startContainer, range.startOffset),
    pointOf(range.endContainer, range.endOffset)];
}

async function addFromSelection(section) {
  if (!lastSelection) { say("select some of the text first", true); return; }
  const [start, end] = lastSelection;
  const response = await fetch(
    `/api/records/${encodeURIComponent(data.key)}/quote?start=${start}&end=${end}`);
  const answer = await response.json();
  if (!response.ok) { say(answer.error, true); return; }
  const fields = {
    claims: {claim: answer.text},
    events: {name: answer.text},
    citations: {work: answer.text},
    mentions: {},
    figures: {value_text: answer.text},
  }[section];
  fields.quote = answer.quote;
  fields.at = answer.at;
  const item = {id: `new/${++added}`, section, origin: null, decision: "accepted", fields,
    span: [answer.start, answer.end]};
  items.push(item);
  index.set(item.id, item);
  unsaved = true;
  lastSelection = null;
  window.getSelection().removeAllRanges();
  renderText();
  renderItems();
  select(item.id);
  say(`added a ${KIND[section]} at ${answer.at}: fill in its fields`);
}

// --- proposed entities ----------------------------------------------------------------------

const DETAILS = {organization: ["type", "country"], place: ["type", "within"],
  person: ["nationality"], state: []};

function renderProposed() {
  const list = $("#proposed");
  list.textContent = "";
  for (const entity of data.proposed) {
    const li = document.createElement("li");
    li.dataset.key = entity.key;
    li.className = promoted.has(entity.key) ? "promoted" : rejectedEntities.has(entity.key) ? "rejected" : "";
    li.append(`${entity.label} (${entity.type}, ${entity.key}${entity.identifier ? ", " + entity.identifier : ""}) `);
    if (!promoted.has(entity.key)) {
      const inputs = {};
      for (const name of [...DETAILS[entity.type], "as"]) {
        const input = name === "type"
          ? widget({widget: "choice", choices: data.kinds[entity.type]}, null)
          : document.createElement("input");
        input.name = name;
        input.placeholder = name;
        input.title = name === "as" ? "another key for it in the reference data" : name;
        if (name !== "type" && name !== "as") input.setAttribute("list", "entities");
        inputs[name] = input;
        li.append(input, " ");
      }
      const promote = document.createElement("button");
      promote.type = "button";
      promote.className = "promote";
      promote.textContent = "promote";
      promote.addEventListener("click", () => promoteEntity(entity, inputs));
      const reject = document.createElement("button");
      reject.type = "button";
      reject.className = "reject-entity";
      reject.textContent = rejectedEntities.has(entity.key) ? "keep" : "reject";
      reject.addEventListener("click", () => rejectEntity(entity.key));
      li.append(promote, " ", reject);
    }
    list.appendChild(li);
  }
  progress();
}

function rejectEntity(key) {
  // Rejecting an entity rejects the mentions of it; other fields naming it must be changed.
  const rejecting = !rejectedEntities.has(key);
  if (rejecting) rejectedEntities.add(key); else rejectedEntities.delete(key);
  for (const item of items) {
    if (item.section === "mentions" && item.fields.entity === key) {
      item.decision = rejecting ? "rejected" : null;
    }
  }
  unsaved = true;
  restyle();
  renderItems();
  renderProposed();
}

async function promoteEntity(entity, inputs) {
  const asked = {key: entity.key};
  for (const [name, input] of Object.entries(inputs)) if (input.value.trim()) asked[name] = input.value.trim();
  const answer = await write({digest: data.digest, promote: asked});
  if (!answer) return;
  data.digest = answer.digest;
  promoted.add(entity.key);
  labels[answer.key] = answer.label;
  if (answer.key !== answer.was) {
    for (const item of items) {
      for (const field of data.forms[item.section]) {
        const value = item.fields[field.name];
        if (field.widget === "entity" && value === answer.was) item.fields[field.name] = answer.key;
        if (field.widget === "entities" && Array.isArray(value)) {
          item.fields[field.name] = value.map((key) => (key === answer.was ? answer.key : key));
        }
      }
    }
  }
  renderProposed();
  renderItems();
  say(`${answer.label} promoted into ${answer.file}`);
}

// --- saving ---------------------------------------------------------------------------------

async function write(body) {
  const response = await fetch(`/api/records/${encodeURIComponent(data.key)}`, {
    method: "POST",
    headers: {"Content-Type": "application/json", "X-Review-Token": data.token},
    body: JSON.stringify(body),
  });
  const answer = await response.json();
  if (response.ok) return answer;
  problems = {};
  const general = [];
  for (const problem of answer.problems || []) {
    if (problem.item && (byId(problem.item) || problem.item === "document")) {
      (problems[problem.item] ||= []).push(problem.message);
    }
    else general.push(problem.message);
  }
  say([answer.error, ...general].join(": "), true);
  renderItems();
  renderDocument();
  if (problems.document) {
    $("#document-fields").open = true;
    $("#document").scrollIntoView({block: "nearest"});
  }
  const first = Object.keys(problems).find((id) => id !== "document");
  if (first) select(first, true);
  return null;
}

async function save() {
  if ($("#save").disabled) return;
  $("#save").disabled = true; // the build's checks take a few seconds on a long document
  say("checking the record as the build would, then saving…");
  const answer = await write({
    digest: data.digest,
    rejected_entities: [...rejectedEntities],
    document: data.document,
    items: items.map(({id, section, origin, decision, fields}) => ({id, section, origin, decision, fields})),
  });
  $("#save").disabled = false;
  if (!answer) return;
  sessionStorage.setItem("minekg-review-message", answer.message);
  unsaved = false;
  window.location.reload();
}

document.addEventListener("keydown", (event) => {
  if ((event.ctrlKey || event.metaKey) && event.key === "s") { event.preventDefault(); save(); return; }
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  if (event.target.closest && event.target.closest("input, select, textarea")) return;
  const action = {a: () => decide("accepted"), r: () => decide("rejected"), n: () => move(1),
    j: () => move(1), p: () => move(-1), k: () => move(-1), s: save}[event.key];
  if (!action) return;
  event.preventDefault();
  action();
});

textEl.addEventListener("mouseup", rememberSelection);
textEl.addEventListener("keyup", rememberSelection);
textEl.addEventListener("click", (event) => {
  const segment = event.target.closest("[data-items]");
  if (segment && window.getSelection().isCollapsed) select(segment.dataset.items.split(" ")[0]);
});
$("#save").addEventListener("click", save);
window.addEventListener("beforeunload", (event) => { if (unsaved) event.preventDefault(); });

renderLegend();
renderDocument();
renderText();
renderItems();
renderProposed();
const saved = sessionStorage.getItem("minekg-review-message");
sessionStorage.removeItem("minekg-review-message");
const reviewed = `${data.key} is reviewed: only drafts are edited here`;
say([saved, data.review === "draft" ? "" : reviewed].filter(Boolean).join("; "));
document.body.dataset.ready = "true";
