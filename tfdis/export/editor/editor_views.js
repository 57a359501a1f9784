// The editor's views over the core (editor.js): traversal grid, PNG download, LORD's transfer grid with its
// edit by example, Lr/Li-VAE's class sampling and mask brush for inpainting.

function setupViews() {  // each section shows when the picked model has the signatures it calls
  const sig = signatures();
  $("transferedits").hidden = !("transfer_grid" in sig);  // LORD
  $("classedits").hidden = !(sig.sample || sig.inpaint);  // Lr/Li-VAE
  $("traversalsource").textContent = traversalSignature() ? `the export's ${traversalSignature()} signature`
                                                          : "decode (this family has no traverse signature)";
  if (!$("classedits").hidden) setupClassEdits();
}

// Traversal grid: rows = latents (most active first), columns = values across each latent's slider range.
function traversalSignature() {  // a traverse signature that takes codes, if the family has one
  const sig = signatures();
  if (sig.traverse_code) return "traverse_code";  // β-VAE, JL1-VAE (their `traverse` takes images)
  return sig.traverse && "codes" in sig.traverse.inputs ? "traverse" : null;  // GANs
}

function traversalRows() {  // latents to sweep: by recorded/measured activity, else in the sliders' order
  const order = state.activity ? [...state.code.keys()].sort((a, b) => state.activity[b] - state.activity[a])
                               : sliders().map((s) => s.latent);
  return order.slice(0, Math.max(1, +$("rows").value));
}

function sweepValues(i, count) {
  const [low, high] = segmentOf(i).range;
  return [...Array(count)].map((_, k) => (count === 1 ? (low + high) / 2 : low + k * (high - low) / (count - 1)));
}

async function traverse(dims, values) {  // -> images [rows][columns][h][w][c] from the current code
  const codes = dims.map(() => state.code), name = traversalSignature();
  if (name) return predict(name, {codes, dims, values});
  const moved = dims.flatMap((d, r) => values[r].map((v) => state.code.map((x, k) => (k === d ? v : x))));
  const images = await predict("decode", {codes: moved}), columns = values[0].length;
  return dims.map((_, r) => images.slice(r * columns, (r + 1) * columns));
}

function cell(parent, tag, text) {
  const element = document.createElement(tag);
  if (text !== undefined) element.textContent = text;
  parent.append(element);
  return element;
}

async function showTraversal() {
  const dims = traversalRows(), count = Math.max(1, +$("columns").value);
  const values = dims.map((i) => sweepValues(i, count));
  try {
    const grid = await traverse(dims, values), table = $("traversalgrid");
    table.textContent = "";
    const header = cell(table, "tr"), shared = values.every((v) => v.join() === values[0].join());
    cell(header, "th", "latent (range)");  // columns are headed by their values where every row shares them
    values[0].forEach((v, k) => cell(header, "th", shared ? v.toFixed(2) : `value ${k + 1}`));
    dims.forEach((d, r) => {
      const row = cell(table, "tr"), v = values[r];
      cell(row, "th", `${latentLabel(d)} (${v[0].toFixed(2)} … ${v[count - 1].toFixed(2)})`);
      grid[r].forEach((image, k) => {
        const canvas = cell(cell(row, "td"), "canvas");
        canvas.title = `${latentLabel(d)} = ${v[k].toFixed(2)}`;
        draw(canvas, image);
      });
    });
    report("");
  } catch (e) { fail(e); }
}

$("traverse").addEventListener("click", showTraversal);

// Download PNG: the image decoded from the sliders, at the model's resolution.
$("download").addEventListener("click", () => {
  const link = document.createElement("a");
  link.href = $("edited").toDataURL("image/png");
  link.download = `${state.model}_edited.png`;
  document.body.append(link);
  link.click();
  link.remove();
});

// Transfer grid (LORD): images giving the class x images giving the content, through `transfer_grid`. Edit
// by example: a class source sets the class sliders to its class code (encode_class), a content source the
// content sliders (encode_content), a cell both; the edited image is then decode([class, content]).
async function takeCodes(classImage, contentImage) {
  const [classes, contents] = state.meta.latent_layout, code = state.code.slice();
  try {
    if (classImage) {
      code.splice(classes.start, classes.size, ...(await predict("encode_class", {images: [classImage]}))[0]);
    }
    if (contentImage) {
      code.splice(contents.start, contents.size, ...(await predict("encode_content", {images: [contentImage]}))[0]);
    }
    setCode(code);
  } catch (e) { fail(e); }
}

function gridCell(div, image, onclick, title) {
  const canvas = document.createElement("canvas");
  div.append(canvas);
  draw(canvas, image);
  if (onclick) { canvas.addEventListener("click", onclick); canvas.title = title; canvas.className = "pick"; }
}

async function showTransfer() {
  const classFiles = [...$("classfiles").files], contentFiles = [...$("contentfiles").files];
  if (!classFiles.length || !contentFiles.length) return;
  try {
    const class_images = await Promise.all(classFiles.map(readImage));
    const content_images = await Promise.all(contentFiles.map(readImage));
    const grid = await predict("transfer_grid", {class_images, content_images});  // [n][m][h][w][c]
    const box = $("transfergrid"); box.textContent = "";
    const row = () => { const div = document.createElement("div"); box.append(div); return div; };
    const header = row();
    gridCell(header, content_images[0].map((r) => r.map((p) => p.map(() => 1))));
    content_images.forEach((image, j) => gridCell(header, image, () => takeCodes(null, image),
                                                  `content source ${j + 1}: take its content code`));
    class_images.forEach((image, i) => {
      const div = row();
      gridCell(div, image, () => takeCodes(image, null), `class source ${i + 1}: take its class code`);
      grid[i].forEach((out, j) => gridCell(div, out, () => takeCodes(image, content_images[j]),
                                           `class of source ${i + 1}, content of source ${j + 1}: edit it`));
    });
    report("");
    addExamples([...class_images, ...content_images]);
  } catch (e) { fail(e); }
}
$("classfiles").addEventListener("change", showTransfer);
$("contentfiles").addEventListener("change", showTransfer);

// Class-conditional sampling (`sample`) and a mask brush for `inpaint` (Lr/Li-VAE), when the model has them.
const edits = {image: null, mask: null, painting: false};

function setupClassEdits() {  // a blank image of the model's size until one is uploaded
  $("class").textContent = "";
  state.meta.class_names.forEach((name, k) => $("class").append(new Option(name, k)));
  const [h, w, c] = state.meta.image_shape;
  edits.image = [...Array(h)].map(() => [...Array(w)].map(() => Array(c).fill(0)));
  resetMask();
}

function resetMask() {
  const [h, w] = state.meta.image_shape;
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
  const canvas = $("mask"), rect = canvas.getBoundingClientRect(), [h, w] = state.meta.image_shape;
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
    const noise = [state.code.map(gaussian)];
    draw($("sampled"), (await predict("sample", {labels: [+$("class").value], noise}))[0]);
    report("");
  } catch (e) { fail(e); }
});
$("inpaint").addEventListener("click", async () => {
  try {
    draw($("inpainted"), (await predict("inpaint", {images: [edits.image], masks: [edits.mask]}))[0]);
    report("");
  } catch (e) { fail(e); }
});
