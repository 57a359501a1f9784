// The latent editor's core: REST calls, drawing, the model picker (and ?model=) and the grouped sliders.
// editor_views.js adds the traversal grid, the PNG download, LORD's transfer grid and Lr/Li-VAE's class edits.
// Both run as one script after `const MODELS = [...]` (tfdis/export/editor_page.py inlines them into index.html).
const $ = (id) => document.getElementById(id);
// model: the picked name; meta: its tfdis metadata; code: the exact code the sliders show (a slider snaps to
// its step, the code does not); generation: counts model switches, so that a late answer for the previous
// model is dropped; examples: the images given for this model, whose codes' variance orders the sliders.
const state = {model: null, meta: null, code: [], generation: 0, busy: false, pending: false, examples: [],
               activity: null, notice: ""};
const PANES = ["input", "reconstruction", "edited", "sampled", "mask", "inpainted"];
const FILE_INPUTS = ["file", "classfiles", "contentfiles"];
const CLEARED = ["transfergrid", "traversalgrid", "sliders", "info", "order"];

class Stale extends Error {}  // an answer meant for a model that is no longer picked

async function predict(signature, inputs) {
  const generation = state.generation;
  const r = await fetch(`/v1/models/${encodeURIComponent(state.model)}:predict`, {method: "POST",
      headers: {"Content-Type": "application/json"},
      body: JSON.stringify({signature_name: signature, inputs})});
  const body = await r.json();
  if (generation !== state.generation) throw new Stale(`an answer for a previous model (${signature})`);
  if (!r.ok) throw new Error(body.error || r.statusText);
  return body.outputs;
}

// An error replaces the page's standing notice (an unknown ?model=) until the next success clears it.
const report = (message) => { $("error").textContent = message || state.notice; };
const fail = (e) => { if (!(e instanceof Stale)) report(e.message); };
const signatures = () => (state.meta && state.meta.signatures) || {};

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

function blank(canvas) {  // an empty (transparent) canvas: resizing a canvas clears it
  canvas.width = 1; canvas.height = 1;
}

const sliders = () => [...$("sliders").querySelectorAll("input")];

function segmentOf(i) {
  return state.meta.latent_layout.find((s) => i >= s.start && i < s.start + s.size);
}

function latentLabel(i) {  // "class[3]", or "y[0] eyeglasses" where the segment names its latents
  const segment = segmentOf(i), j = i - segment.start;
  return segment.names ? `${segment.name}[${j}] ${segment.names[j]}` : `${segment.name}[${j}]`;
}

function latentOrder(segment) {  // the segment's latents, most active first when an activity is known
  const order = [...Array(segment.size)].map((_, j) => segment.start + j);
  return state.activity ? order.sort((a, b) => state.activity[b] - state.activity[a]) : order;
}

function sliderRow(i) {
  const segment = segmentOf(i), [low, high] = segment.range;
  const row = document.createElement("label"), s = document.createElement("input");
  const out = document.createElement("output");
  row.className = "slider";
  row.append(latentLabel(i));
  Object.assign(s, {type: "range", min: Math.min(low, Math.floor(state.code[i])),
                    max: Math.max(high, Math.ceil(state.code[i])), step: (high - low) / 200});
  s.value = state.code[i]; s.latent = i; out.value = state.code[i].toFixed(2);
  s.addEventListener("input", () => {
    state.code[i] = +s.value; out.value = state.code[i].toFixed(2); redecode();
  });
  row.append(s, out);
  return row;
}

function buildSliders() {  // one collapsible section per latent_layout segment; LORD's start collapsed
  const box = $("sliders"); box.textContent = "";
  for (const segment of state.meta.latent_layout) {
    const section = document.createElement("details"), summary = document.createElement("summary");
    section.className = "group"; section.open = state.meta.family !== "lord";
    summary.textContent = `${segment.name}: ${segment.size} latent${segment.size === 1 ? "" : "s"} (${segment.kind})`;
    section.append(summary);
    for (const i of latentOrder(segment)) section.append(sliderRow(i));
    box.append(section);
  }
}

function setCode(code) {
  state.code = code.map(Number);
  for (const s of sliders()) {
    const v = state.code[s.latent];
    if (v > +s.max) s.max = Math.ceil(v);  // widen the slider to show the value, keeping its other end
    if (v < +s.min) s.min = Math.floor(v);
    s.value = v; s.nextElementSibling.value = v.toFixed(2);
  }
  redecode();
}

async function redecode() {  // one request in flight; the latest code wins.
  if (state.busy) { state.pending = true; return; }
  const generation = state.generation;
  state.busy = true;
  try {
    draw($("edited"), (await predict("decode", {codes: [state.code]}))[0]);
    report("");
  } catch (e) { fail(e); }
  if (generation !== state.generation) return;  // a model switch has freed the slot for the new model
  state.busy = false;
  if (state.pending) { state.pending = false; redecode(); }
}

function variances(codes) {  // per column of codes [n][d]
  const n = codes.length;
  return codes[0].map((_, k) => {
    const mean = codes.reduce((sum, c) => sum + c[k], 0) / n;
    return codes.reduce((sum, c) => sum + (c[k] - mean) ** 2, 0) / n;
  });
}

async function orderByActivity() {  // the export's recorded activity, else the variance over the examples
  const recorded = state.meta.latent_activity, n = state.examples.length;  // recorded: [latent_dim] numbers
  if (Array.isArray(recorded) && recorded.length === state.meta.latent_dim) {
    state.activity = recorded;
    $("order").textContent = "Sliders: most active latents first (activity recorded in the export).";
  } else if ("encode" in signatures() && n >= 2) {
    const encoded = await predict("encode", {images: state.examples});
    state.activity = variances(encoded.codes || encoded);
    $("order").textContent = `Sliders: most active latents first (variance of the codes of the ${n} images ` +
        "given so far).";
  } else {
    state.activity = null;
    $("order").textContent = "Sliders: in latent order (no activity known" +
        ("encode" in signatures() ? "; give two or more images to order them by the variance of their codes)."
                                  : "; this family has no encoder).");
  }
  buildSliders();
}

async function addExamples(images) {
  state.examples.push(...images);
  state.examples.splice(0, state.examples.length - 64);  // the newest 64
  try { await orderByActivity(); } catch (e) { fail(e); }
}

async function encodeImage(image) {
  draw($("input"), image);
  if (signatures().inpaint) { edits.image = image; resetMask(); }
  try {
    draw($("reconstruction"), (await predict("reconstruct", {images: [image]}))[0]);
    const encoded = await predict("encode", {images: [image]});  // one output, or {codes, ...}
    setCode((encoded.codes || encoded)[0]);
  } catch (e) { fail(e); }
}

async function readImage(file) {  // -> [h][w][c] at the model's size, in [0, 1]
  const [h, w, c] = state.meta.image_shape, canvas = document.createElement("canvas");
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
  return state.meta.latent_layout.flatMap((segment) => {
    const k = Math.floor(Math.random() * segment.size);
    return [...Array(segment.size)].map((_, j) =>
        segment.kind === "class_probability" ? +(j === k) :  // mddAE ŷ of one class: one-hot
        segment.kind === "attribute_intensity" ? +(Math.random() < 0.5) : gaussian());  // attributes on/off
  });
}

function resetPanes() {  // nothing of the previous model stays: images, grids, picked files, examples
  state.generation += 1; state.busy = false; state.pending = false;
  state.meta = null; state.examples = []; state.activity = null; edits.image = null;
  PANES.forEach((id) => blank($(id)));
  CLEARED.forEach((id) => { $(id).textContent = ""; });
  FILE_INPUTS.forEach((id) => { $(id).value = ""; });
  report("");
}

async function loadModel(name, notice = "") {
  state.notice = notice;
  resetPanes();
  state.model = name;
  const generation = state.generation;
  const r = await fetch(`/v1/models/${encodeURIComponent(name)}/metadata`), body = await r.json();
  if (generation !== state.generation) return;  // another model was picked meanwhile
  state.meta = body.metadata && body.metadata.tfdis;
  if (!r.ok || !state.meta || !state.meta.latent_layout) {
    report(body.error || `${name} has no tfdis metadata.`);
    return;
  }
  $("info").textContent = `${state.meta.family}, images ${state.meta.image_shape.join("×")}, ` +
      `${state.meta.latent_dim} latents, version ${body.model_spec.version}`;
  // Generators (GAN families) have no `encode`: codes come from the sliders and the random button only.
  for (const id of ["upload", "inputfigure", "reconstructionfigure"]) $(id).hidden = !("encode" in signatures());
  state.code = randomCode();
  await orderByActivity();
  setupViews();
  setCode(state.code);
}

function pick(name, notice = "") {  // the picker, the URL (?model=NAME) and the panes follow
  $("model").value = name;
  history.replaceState(null, "", `?model=${encodeURIComponent(name)}`);
  return loadModel(name, notice);
}

function start() {
  for (const name of MODELS) $("model").append(new Option(name, name));
  if (!MODELS.length) { report("No model is served."); return; }
  const asked = new URLSearchParams(location.search).get("model");
  if (asked === null || MODELS.includes(asked)) { pick(asked === null ? MODELS[0] : asked); return; }
  pick(MODELS[0], `No model named "${asked}" is served (?model=); showing ${MODELS[0]}. Served: ` +
       `${MODELS.join(", ")}.`);
}

$("model").addEventListener("change", (e) => pick(e.target.value));
$("file").addEventListener("change", async (e) => {
  const generation = state.generation, images = await Promise.all([...e.target.files].map(readImage));
  if (!images.length || generation !== state.generation) return;  // read for a model no longer picked
  encodeImage(images[0]);  // the first image is edited; all of them order the sliders
  addExamples(images);
});
$("random").addEventListener("click", () => setCode(randomCode()));
$("zero").addEventListener("click", () => setCode(state.code.map(() => 0)));
