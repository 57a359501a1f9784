// Runs the editor page's script in Node with a minimal DOM against a live server, then plays a scenario.
// Usage: node editor_driver.js BASE_URL PAGE_FILE [SCENARIO [INPUT_JSON_FILE]]. PAGE_FILE holds the page's
// script, or the whole page (then the elements it marks `hidden` start hidden, as in a browser). Each scenario
// prints one JSON state per line:
//   sliders (default): after loading the model (random code) and after setting slider 0 to 1.5, with the last
//     decode request and its answer.
//   transfer: picks INPUT.class_images, then INPUT.content_images in the transfer section (LORD); the state
//     after the grid is drawn holds the transfer_grid request, its answer and the RGBA of every grid canvas.
//   class_edits (Lr/Li-VAE): uploads INPUT.image, samples class INPUT.label, plays INPUT.strokes ([type,
//     clientX, clientY] mouse events) on the mask canvas laid out at INPUT.rect, then inpaints; one state
//     after each step, with the step's request, its answer and the RGBA of the canvas it drew.
// Images in INPUT are files as the browser's createImageBitmap would decode them: {width, height, data:
// [RGBA bytes, row-major]}.
"use strict";
const fs = require("fs"), vm = require("vm");
const [base, pageFile, scenario = "sliders", inputFile] = process.argv.slice(2);

class Element {
  constructor(tag) {
    Object.assign(this, {tag, children: [], listeners: {}, parent: null, value: "", text: "", hidden: false,
                         files: [], width: 300, height: 150});
  }
  append(...items) { for (const x of items) if (typeof x === "object") { x.parent = this; this.children.push(x); } }
  addEventListener(type, fn) {  // listeners[type](event) calls every listener of that type, in order.
    const before = this.listeners[type];
    this.listeners[type] = before ? (e) => Promise.all([before(e), fn(e)]) : fn;
  }
  dispatch(type, event = {}) { if (this.listeners[type]) this.listeners[type]({target: this, ...event}); }
  querySelectorAll(tag) {
    const found = [], walk = (e) => e.children.forEach((c) => { if (c.tag === tag) found.push(c); walk(c); });
    walk(this);
    return found;
  }
  get nextElementSibling() { const s = this.parent.children; return s[s.indexOf(this) + 1]; }
  set textContent(text) { this.text = text; if (text === "") this.children = []; }
  get textContent() { return this.text; }
  getBoundingClientRect() { return this.rect || {left: 0, top: 0, width: this.width, height: this.height}; }
  getContext() {  // a 2D context over `pixels` (RGBA bytes, row-major); `draws` counts putImageData calls.
    const whole = (x, y, w, h) => {
      if (x || y || w !== this.width || h !== this.height) throw new Error("mini-DOM: whole canvas only");
    };
    return {createImageData: (w, h) => ({width: w, height: h, data: new Uint8ClampedArray(4 * w * h)}),
            putImageData: (d) => { this.pixels = Array.from(d.data); this.draws = (this.draws || 0) + 1; },
            drawImage: (image, x, y, w, h) => {  // scaled to the canvas, nearest neighbour
              whole(x, y, w, h);
              this.pixels = [];
              for (let i = 0; i < h; i++) for (let j = 0; j < w; j++) {
                const k = 4 * (Math.floor(i * image.height / h) * image.width + Math.floor(j * image.width / w));
                this.pixels.push(...image.data.slice(k, k + 4));
              }
            },
            getImageData: (x, y, w, h) => {
              whole(x, y, w, h);
              return {data: Uint8ClampedArray.from(this.pixels)};
            }};
  }
}

const byId = {};
const $ = (id) => byId[id] || (byId[id] = new Element(id));
globalThis.document = {getElementById: $, createElement: (tag) => new Element(tag), body: new Element("body")};
globalThis.location = {search: ""};  // the page picks its first model (no ?model=)
globalThis.history = {replaceState(state, title, url) { globalThis.location.search = url; }};
globalThis.Option = class { constructor(text, value) { this.text = text; this.value = String(value); } };
globalThis.createImageBitmap = async (file) => file;  // INPUT's files are already decoded.
const realFetch = globalThis.fetch, requests = {};
globalThis.fetch = async (url, options) => {  // records each signature's latest request and its answer.
  const response = await realFetch(base + url, options), request = options && JSON.parse(options.body);
  if (request) {
    requests[request.signature_name] = {inputs: request.inputs, outputs: (await response.clone().json()).outputs};
  }
  return response;
};

async function until(done) {
  for (let i = 0; i < 3000 && !done(); i++) await new Promise((r) => setTimeout(r, 20));
  if (!done()) throw new Error("timed out: " + $("error").textContent);
}

const print = (state) => console.log(JSON.stringify({error: $("error").textContent, ...state}));
const sections = () => ({upload_hidden: $("upload").hidden, transfer_hidden: $("transferedits").hidden,
                         class_edits_hidden: $("classedits").hidden});
const canvas = (c) => ({width: c.width, height: c.height, rgba: c.pixels});

function state() {
  const decode = requests.decode ? {codes: requests.decode.inputs.codes, images: requests.decode.outputs} : {};
  return {options: $("model").children.map((o) => o.value),
          sliders: $("sliders").querySelectorAll("input").map((s) => +s.value),
          ...sections(),
          pixels: $("edited").pixels.filter((_, i) => i % 4 === 0),  // red channel (grey images)
          decode};
}

const SCENARIOS = {
  async sliders() {
    await until(() => $("edited").draws === 1);
    print(state());
    const slider = $("sliders").querySelectorAll("input")[0];
    slider.value = "1.5";
    slider.listeners.input();
    await until(() => $("edited").draws === 2);
    print(state());
  },

  async transfer(input) {
    await until(() => $("edited").draws === 1);
    print(sections());
    $("classfiles").files = input.class_images;
    $("classfiles").dispatch("change");
    $("contentfiles").files = input.content_images;
    $("contentfiles").dispatch("change");
    const rows = () => $("transfergrid").children;
    await until(() => rows().length === input.class_images.length + 1 &&
                      rows().every((row) => row.children.length === input.content_images.length + 1 &&
                                            row.children.every((c) => c.draws === 1)));
    print({...sections(), request: requests.transfer_grid,
           grid: rows().map((row) => row.children.map(canvas))});  // header row, then [class image, outputs...]
  },

  async class_edits(input) {
    await until(() => $("edited").draws === 1);
    print({...sections(), classes: $("class").children.map((o) => o.value), mask: canvas($("mask"))});
    $("file").files = [input.image];
    $("file").dispatch("change");
    await until(() => $("reconstruction").draws === 1 && $("edited").draws === 2);
    print({step: "upload", input: canvas($("input")), mask: canvas($("mask"))});
    $("class").value = String(input.label);
    $("sample").dispatch("click");
    await until(() => $("sampled").draws === 1);
    print({step: "sample", request: requests.sample, sampled: canvas($("sampled"))});
    $("mask").rect = input.rect;
    for (const [type, clientX, clientY] of input.strokes) $("mask").dispatch(type, {clientX, clientY});
    print({step: "paint", mask: canvas($("mask"))});
    $("inpaint").dispatch("click");
    await until(() => $("inpainted").draws === 1);
    print({step: "inpaint", request: requests.inpaint, inpainted: canvas($("inpainted"))});
  },
};

(async () => {
  let source = fs.readFileSync(pageFile, "utf8");
  if (source.includes("<script>")) {  // the whole page: honour its `hidden` attributes, run its script.
    for (const m of source.matchAll(/<\w+ id="([\w-]+)"[^>]*\shidden[\s>]/g)) $(m[1]).hidden = true;
    source = source.split("<script>")[1].split("</script>")[0];
  }
  if (!SCENARIOS[scenario]) throw new Error(`unknown scenario ${scenario}; known: ${Object.keys(SCENARIOS)}`);
  const input = inputFile ? JSON.parse(fs.readFileSync(inputFile, "utf8")) : {};
  vm.runInThisContext(source);
  await SCENARIOS[scenario](input);
})().catch((e) => { console.error(e); process.exit(1); });
