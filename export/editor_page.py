"""The web latent editor served at `/`: one self-contained page (no external scripts, works offline).

Pick a model, upload an image (or draw a random code): the page shows the input, its reconstruction and a
decode of the code held by one slider per latent dimension; moving a slider re-decodes through the REST API
(`:predict` with signature `decode`). Pictures are drawn from the JSON outputs into <canvas> elements.
Models with `sample`/`inpaint` signatures (Lr/Li-VAE) also get class sampling and a mask brush for inpainting.
"""

import json

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>tfdis latent editor</title>
<style>
body { font: 14px system-ui, sans-serif; margin: 1.5em; max-width: 60em; color: #222; }
canvas { width: 192px; height: 192px; image-rendering: pixelated; border: 1px solid #ccc; background: #eee; }
figure { display: inline-block; margin: 0 1em 1em 0; } figcaption { text-align: center; }
.slider { display: flex; align-items: center; gap: .5em; } .slider input { flex: 1; }
.slider output { width: 4em; text-align: right; font-variant-numeric: tabular-nums; }
#error { color: #b00; min-height: 1.2em; }
</style></head><body>
<h1>tfdis latent editor</h1>
<p><label>Model <select id="model"></select></label>
  <label id="upload">Image <input type="file" id="file" accept="image/*"></label>
  <button id="random">Random code</button> <button id="zero">Zero code</button></p>
<p id="info"></p><p id="error" role="alert"></p>
<figure><canvas id="input"></canvas><figcaption>input</figcaption></figure>
<figure><canvas id="reconstruction"></canvas><figcaption>reconstruction</figcaption></figure>
<figure><canvas id="edited"></canvas><figcaption>decoded from the sliders</figcaption></figure>
<div id="sliders"></div>
<div id="transferedits" hidden><h2>Class/content transfer</h2>
<p><label>Class sources <input type="file" id="classfiles" accept="image/*" multiple></label>
  <label>Content sources <input type="file" id="contentfiles" accept="image/*" multiple></label></p>
<div id="transfergrid"></div><p>Rows keep the class of each class source; columns take the content of each
content source.</p></div>
<div id="classedits" hidden><h2>Class sampling and inpainting</h2>
<p><label>Class <select id="class"></select></label> <button id="sample">Sample this class</button>
  <button id="inpaint">Inpaint the painted mask</button> <button id="clearmask">Clear mask</button></p>
<figure><canvas id="sampled"></canvas><figcaption>sample of the class</figcaption></figure>
<figure><canvas id="mask"></canvas><figcaption>paint the mask on the input</figcaption></figure>
<figure><canvas id="inpainted"></canvas><figcaption>inpainted</figcaption></figure></div>
<script>
"use strict";
const MODELS = __MODELS__;
const $ = (id) => document.getElementById(id);
let model = null, meta = null, busy = false, pending = false;

async function predict(signature, inputs) {
  const r = await fetch(`/v1/models/${encodeURIComponent(model)}:predict`, {method: "POST",
      headers: {"Content-Type": "application/json"},
      body: JSON.stringify({signature_name: signature, inputs})});
  const body = await r.json();
  if (!r.ok) throw new Error(body.error || r.statusText);
  return body.outputs;
}

function draw(canvas, image) {  // image: [h][w][c] in [0, 1]
  const h = image.length, w = image[0].length, ctx = canvas.getContext("2d");
  canvas.width = w; canvas.height = h;
  const data = ctx.createImageData(w, h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    const p = image[y][x], i = 4 * (y * w + x);
    for (let k = 0; k < 3; k++) data.data[i + k] = 255 * Math.min(1, Math.max(0, p[p.length === 1 ? 0 : k]));
    data.data[i + 3] = 255;
  }
  ctx.putImageData(data, 0, 0);
}

const sliders = () => [...$("sliders").querySelectorAll("input")];
const report = (message) => { $("error").textContent = message; };

function setCode(code) {
  sliders().forEach((s, i) => {
    const v = code[i];
    if (v > +s.max) s.max = Math.ceil(v);  // widen the slider to show the value, keeping its other end
    if (v < +s.min) s.min = Math.floor(v);
    s.value = v; s.nextElementSibling.value = v.toFixed(2);
  });
  redecode();
}

async function redecode() {  // one request in flight; the latest slider state wins.
  if (busy) { pending = true; return; }
  busy = true;
  try {
    draw($("edited"), (await predict("decode", {codes: [sliders().map((s) => +s.value)]}))[0]);
    report("");
  }
  catch (e) { report(e.message); }
  busy = false;
  if (pending) { pending = false; redecode(); }
}

function buildSliders() {
  const box = $("sliders"); box.textContent = "";
  for (const segment of meta.latent_layout) for (let j = 0; j < segment.size; j++) {
    const row = document.createElement("label"), s = document.createElement("input");
    const out = document.createElement("output");
    row.className = "slider";  // named segments (mddAE attributes/classes) label each slider by name
    row.append(segment.names ? `${segment.name}: ${segment.names[j]}` : `${segment.name}[${j}]`);
    Object.assign(s, {type: "range", min: segment.range[0], max: segment.range[1], value: 0,
                      step: (segment.range[1] - segment.range[0]) / 200});
    s.addEventListener("input", () => { out.value = (+s.value).toFixed(2); redecode(); });
    row.append(s, out); box.append(row);
  }
}

async function encodeImage(image) {
  draw($("input"), image);
  if (meta.signatures.inpaint) { edits.image = image; resetMask(); }
  try {
    draw($("reconstruction"), (await predict("reconstruct", {images: [image]}))[0]);
    const encoded = await predict("encode", {images: [image]});  // one output, or {codes, ...}
    setCode((encoded.codes || encoded)[0]);
  } catch (e) { report(e.message); }
}

async function readImage(file) {  // -> [h][w][c] at the model's size, in [0, 1]
  const [h, w, c] = meta.image_shape, canvas = document.createElement("canvas");
  canvas.width = w; canvas.height = h;
  const ctx = canvas.getContext("2d");
  ctx.drawImage(await createImageBitmap(file), 0, 0, w, h);
  const px = ctx.getImageData(0, 0, w, h).data, image = [];
  for (let y = 0; y < h; y++) {
    const row = [];
    for (let x = 0; x < w; x++) {
      const i = 4 * (y * w + x), rgb = [px[i] / 255, px[i + 1] / 255, px[i + 2] / 255];
      row.push(c === 1 ? [(rgb[0] + rgb[1] + rgb[2]) / 3] : rgb.slice(0, c));
    }
    image.push(row);
  }
  return image;
}

function gaussian() {  // Box–Muller
  return Math.sqrt(-2 * Math.log(1 - Math.random())) * Math.cos(2 * Math.PI * Math.random());
}

function randomCode() {  // a code like those the decoder saw in training, segment by segment
  return meta.latent_layout.flatMap((segment) => {
    const k = Math.floor(Math.random() * segment.size);
    return [...Array(segment.size)].map((_, j) =>
        segment.kind === "class_probability" ? +(j === k) :  // mddAE ŷ of one class: one-hot
        segment.kind === "attribute_intensity" ? +(Math.random() < 0.5) : gaussian());  // attributes on/off
  });
}

async function loadModel(name) {
  model = name;
  const r = await fetch(`/v1/models/${encodeURIComponent(name)}/metadata`), body = await r.json();
  meta = body.metadata && body.metadata.tfdis;
  if (!r.ok || !meta || !meta.latent_layout) {
    report(body.error || `${name} has no tfdis metadata.`);
    return;
  }
  $("info").textContent = `${meta.family}, images ${meta.image_shape.join("×")}, ` +
      `${meta.latent_dim} latents, version ${body.model_spec.version}`;
  // Generators (GAN families) have no `encode`: codes come from the sliders and the random button only.
  $("upload").hidden = !("encode" in (meta.signatures || {}));
  buildSliders();
  setupClassEdits();
  $("transferedits").hidden = !("transfer_grid" in (meta.signatures || {}));  // LORD
  setCode(randomCode());
}

for (const name of MODELS) $("model").append(new Option(name, name));
$("model").addEventListener("change", (e) => loadModel(e.target.value));
$("file").addEventListener("change", async (e) => {
  if (e.target.files[0]) encodeImage(await readImage(e.target.files[0]));
});
$("random").addEventListener("click", () => setCode(randomCode()));
$("zero").addEventListener("click", () => setCode(sliders().map(() => 0)));
// Class-conditional sampling (`sample`) and a mask brush for `inpaint` (Lr/Li-VAE), when the model has them.
const edits = {image: null, mask: null, painting: false};

function setupClassEdits() {
  const sig = meta.signatures || {};
  $("classedits").hidden = !(sig.sample || sig.inpaint);
  if ($("classedits").hidden) return;
  $("class").textContent = "";
  meta.class_names.forEach((name, k) => $("class").append(new Option(name, k)));
  const [h, w, c] = meta.image_shape, image = edits.image;  // an image uploaded for another model may not fit
  const fits = image && image.length === h && image[0].length === w && image[0][0].length === c;
  edits.image = fits ? image : [...Array(h)].map(() => [...Array(w)].map(() => Array(c).fill(0)));
  resetMask();
}

function resetMask() {
  const [h, w] = meta.image_shape;
  edits.mask = [...Array(h)].map(() => [...Array(w)].map(() => [0]));
  drawMask();
}

function drawMask() {  // the input with masked pixels shown in red
  if (!edits.image) return;
  draw($("mask"), edits.image.map((row, y) => row.map((p, x) =>
      edits.mask[y][x][0] ? [1, 0, 0] : (p.length === 1 ? [p[0], p[0], p[0]] : p))));
}

function paint(event) {
  if (!edits.painting || !edits.mask) return;
  const canvas = $("mask"), rect = canvas.getBoundingClientRect(), [h, w] = meta.image_shape;
  const cx = Math.floor((event.clientX - rect.left) / rect.width * w);
  const cy = Math.floor((event.clientY - rect.top) / rect.height * h), r = Math.max(1, Math.round(w / 16));
  for (let y = cy - r; y <= cy + r; y++) for (let x = cx - r; x <= cx + r; x++)
    if (y >= 0 && y < h && x >= 0 && x < w) edits.mask[y][x] = [1];
  drawMask();
}

$("mask").addEventListener("mousedown", (e) => { edits.painting = true; paint(e); });
$("mask").addEventListener("mousemove", paint);
for (const type of ["mouseup", "mouseleave"]) $("mask").addEventListener(type, () => { edits.painting = false; });
$("clearmask").addEventListener("click", resetMask);
$("sample").addEventListener("click", async () => {
  try {
    const noise = [sliders().map(gaussian)];
    draw($("sampled"), (await predict("sample", {labels: [+$("class").value], noise}))[0]);
    report("");
  } catch (e) { report(e.message); }
});
$("inpaint").addEventListener("click", async () => {
  try {
    draw($("inpainted"), (await predict("inpaint", {images: [edits.image], masks: [edits.mask]}))[0]);
    report("");
  } catch (e) { report(e.message); }
});
// Transfer grid (LORD): images giving the class x images giving the content, through `transfer_grid`.
async function showTransfer() {
  const classFiles = [...$("classfiles").files], contentFiles = [...$("contentfiles").files];
  if (!classFiles.length || !contentFiles.length) return;
  try {
    const class_images = await Promise.all(classFiles.map(readImage));
    const content_images = await Promise.all(contentFiles.map(readImage));
    const grid = await predict("transfer_grid", {class_images, content_images});  // [n][m][h][w][c]
    const box = $("transfergrid"); box.textContent = "";
    const row = () => { const div = document.createElement("div"); box.append(div); return div; };
    const cell = (div, image) => { const c = document.createElement("canvas"); div.append(c); draw(c, image); };
    const header = row(); cell(header, content_images[0].map((r) => r.map((p) => p.map(() => 1))));
    content_images.forEach((image) => cell(header, image));
    class_images.forEach((image, i) => {
      const div = row(); cell(div, image);
      grid[i].forEach((out) => cell(div, out));
    });
    report("");
  } catch (e) { report(e.message); }
}
$("classfiles").addEventListener("change", showTransfer);
$("contentfiles").addEventListener("change", showTransfer);
if (MODELS.length) loadModel(MODELS[0]); else report("No model is served.");
</script></body></html>
"""


def render(model_names):
  """The editor page listing `model_names` (JSON-escaped so a name cannot close the script)."""
  names = json.dumps(list(model_names)).replace("<", "\\u003c").replace(">", "\\u003e")
  return _PAGE.replace("__MODELS__", names)
