// Runs the editor page's script in Node with a minimal DOM against a live server, then moves slider 0.
// Usage: node editor_driver.js BASE_URL SCRIPT_FILE. Prints one JSON state per line: after loading the
// model (random code) and after setting slider 0 to 1.5, with the last decode request and its answer.
"use strict";
const fs = require("fs"), vm = require("vm");
const [base, scriptFile] = process.argv.slice(2);

class Element {
  constructor(tag) { Object.assign(this, {tag, children: [], listeners: {}, parent: null, value: "", text: ""}); }
  append(...items) { for (const x of items) if (typeof x === "object") { x.parent = this; this.children.push(x); } }
  addEventListener(type, fn) { this.listeners[type] = fn; }
  querySelectorAll(tag) {
    const found = [], walk = (e) => e.children.forEach((c) => { if (c.tag === tag) found.push(c); walk(c); });
    walk(this);
    return found;
  }
  get nextElementSibling() { const s = this.parent.children; return s[s.indexOf(this) + 1]; }
  set textContent(text) { this.text = text; if (text === "") this.children = []; }
  get textContent() { return this.text; }
  getContext() {
    return {createImageData: (w, h) => ({data: new Uint8ClampedArray(4 * w * h)}),
            putImageData: (d) => { this.pixels = Array.from(d.data); this.draws = (this.draws || 0) + 1; }};
  }
}

const byId = {};
globalThis.document = {getElementById: (id) => byId[id] || (byId[id] = new Element(id)),
                       createElement: (tag) => new Element(tag)};
globalThis.Option = class { constructor(text, value) { this.text = text; this.value = value; } };
const realFetch = globalThis.fetch, lastDecode = {};
globalThis.fetch = async (url, options) => {  // records the latest decode request and its answer.
  const response = await realFetch(base + url, options), request = options && JSON.parse(options.body);
  if (request && request.signature_name === "decode") {
    lastDecode.codes = request.inputs.codes;
    lastDecode.images = (await response.clone().json()).outputs;
  }
  return response;
};

async function until(done) {
  for (let i = 0; i < 3000 && !done(); i++) await new Promise((r) => setTimeout(r, 20));
  if (!done()) throw new Error("timed out: " + document.getElementById("error").textContent);
}

function state() {
  const edited = document.getElementById("edited");
  return {options: document.getElementById("model").children.map((o) => o.value),
          error: document.getElementById("error").textContent,
          sliders: document.getElementById("sliders").querySelectorAll("input").map((s) => +s.value),
          upload_hidden: document.getElementById("upload").hidden,
          pixels: edited.pixels.filter((_, i) => i % 4 === 0),  // red channel (grey images)
          decode: {...lastDecode}};
}

(async () => {
  vm.runInThisContext(fs.readFileSync(scriptFile, "utf8"));
  const edited = document.getElementById("edited");
  await until(() => edited.draws === 1);
  console.log(JSON.stringify(state()));
  const slider = document.getElementById("sliders").querySelectorAll("input")[0];
  slider.value = "1.5";
  slider.listeners.input();
  await until(() => edited.draws === 2);
  console.log(JSON.stringify(state()));
})().catch((e) => { console.error(e); process.exit(1); });
