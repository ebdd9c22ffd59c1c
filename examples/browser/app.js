// The browser example: draw a digit, turn it into an MNIST-style 28x28 row (pixel / 255, digit
// scaled into a 20x20 box and centred by its centre of mass, as MNIST digits are), feed the
// exported model what its manifest says (all 784 raw pixels, or only the kept ones for a
// compact-input model), and show the class probabilities. Needs only onnxruntime-web.
/* global ort, document, location, URL, URLSearchParams, requestAnimationFrame, performance, fetch */
'use strict';

const params = new URLSearchParams(location.search);
const MODEL = params.get('model') || 'model.onnx';
const MANIFEST = MODEL.replace(/\.onnx$/i, '') + '.manifest.json';

ort.env.wasm.wasmPaths = new URL('ort/', location.href).href;
ort.env.wasm.numThreads = 1;

const pad = document.getElementById('pad');
const ctx = pad.getContext('2d', { willReadFrequently: true });
const small = document.getElementById('small');
const sctx = small.getContext('2d');
const bars = document.getElementById('bars');
const guess = document.getElementById('guess');
const info = document.getElementById('info');

let session = null;
let manifest = null;
let drawing = false;
let last = null;
let pending = false;

function clearPad() {
  ctx.fillStyle = '#000';
  ctx.fillRect(0, 0, pad.width, pad.height);
  sctx.fillStyle = '#000';
  sctx.fillRect(0, 0, 28, 28);
  guess.textContent = '?';
  renderBars(null);
}

function point(e) {
  const r = pad.getBoundingClientRect();
  return { x: ((e.clientX - r.left) * pad.width) / r.width, y: ((e.clientY - r.top) * pad.height) / r.height };
}

pad.addEventListener('pointerdown', (e) => {
  drawing = true;
  last = point(e);
  pad.setPointerCapture(e.pointerId);
  stroke(last, last);
});
pad.addEventListener('pointermove', (e) => {
  if (!drawing) return;
  const p = point(e);
  stroke(last, p);
  last = p;
  schedule();
});
pad.addEventListener('pointerup', () => {
  drawing = false;
  schedule();
});
document.getElementById('clear').addEventListener('click', clearPad);

function stroke(a, b) {
  ctx.strokeStyle = '#fff';
  ctx.lineWidth = 18;
  ctx.lineCap = 'round';
  ctx.lineJoin = 'round';
  ctx.beginPath();
  ctx.moveTo(a.x, a.y);
  ctx.lineTo(b.x, b.y);
  ctx.stroke();
}

/** The drawing as 784 values in [0, 1], MNIST style; null when the pad is empty. */
function mnistPixels() {
  const { width: w, height: h } = pad;
  const img = ctx.getImageData(0, 0, w, h).data;
  let x0 = w,
    y0 = h,
    x1 = -1,
    y1 = -1;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (img[(y * w + x) * 4] > 20) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
  }
  if (x1 < 0) return null;
  // scale the bounding box into 20x20 (aspect kept), then shift the centre of mass to (14, 14)
  const bw = x1 - x0 + 1,
    bh = y1 - y0 + 1;
  const s = 20 / Math.max(bw, bh);
  const tmp = document.createElement('canvas');
  tmp.width = 28;
  tmp.height = 28;
  const t = tmp.getContext('2d', { willReadFrequently: true });
  t.fillStyle = '#000';
  t.fillRect(0, 0, 28, 28);
  t.imageSmoothingEnabled = true;
  t.imageSmoothingQuality = 'high';
  const dw = bw * s,
    dh = bh * s;
  t.drawImage(pad, x0, y0, bw, bh, (28 - dw) / 2, (28 - dh) / 2, dw, dh);
  const px = t.getImageData(0, 0, 28, 28).data;
  const v = new Float32Array(784);
  let m = 0,
    cx = 0,
    cy = 0;
  for (let i = 0; i < 784; i++) {
    v[i] = px[i * 4] / 255;
    m += v[i];
    cx += v[i] * (i % 28);
    cy += v[i] * Math.floor(i / 28);
  }
  const dx = Math.round(14 - cx / m - 0.5),
    dy = Math.round(14 - cy / m - 0.5);
  const out = new Float32Array(784);
  for (let y = 0; y < 28; y++) {
    for (let x = 0; x < 28; x++) {
      const sx = x - dx,
        sy = y - dy;
      if (sx >= 0 && sx < 28 && sy >= 0 && sy < 28) out[y * 28 + x] = v[sy * 28 + sx];
    }
  }
  return out;
}

function showSmall(v) {
  const img = sctx.createImageData(28, 28);
  for (let i = 0; i < 784; i++) {
    const g = Math.round(v[i] * 255);
    img.data.set([g, g, g, 255], i * 4);
  }
  sctx.putImageData(img, 0, 0);
}

function renderBars(p) {
  const labels = manifest ? manifest.output.classLabels : [];
  const top = p ? p.indexOf(Math.max(...p)) : -1;
  bars.innerHTML = labels
    .map((l, i) => {
      const pct = p ? 100 * p[i] : 0;
      return `<div class="bar${i === top ? ' top' : ''}"><span>${l}</span><div style="width:${(2.4 * pct).toFixed(1)}px"></div><em>${pct.toFixed(1)}%</em></div>`;
    })
    .join('');
}

function schedule() {
  if (pending || !session) return;
  pending = true;
  requestAnimationFrame(async () => {
    pending = false;
    await predict();
  });
}

async function predict() {
  const v = mnistPixels();
  if (!v) return;
  showSmall(v);
  const cols = manifest.input.kind === 'kept-columns' ? manifest.input.columns.map((c) => c.index) : null;
  const row = cols ? Float32Array.from(cols, (c) => v[c]) : v;
  const t0 = performance.now();
  // flat rows [1, 784], or a convolutional model's images [1, 1, 28, 28], as the manifest says
  const dims = manifest.input.shape ?? [row.length];
  const out = await session.run({ [manifest.input.name]: new ort.Tensor('float32', row, [1, ...dims]) });
  const ms = performance.now() - t0;
  const p = Array.from(out[manifest.output.probabilities].data);
  guess.textContent = manifest.output.classLabels[Number(out[manifest.output.label].data[0])];
  renderBars(p);
  info.dataset.ms = ms.toFixed(2);
  document.body.dataset.prediction = guess.textContent;
}

async function main() {
  clearPad();
  try {
    const [m, bytes] = await Promise.all([
      fetch(MANIFEST).then((r) => (r.ok ? r.json() : Promise.reject(new Error(`${MANIFEST}: HTTP ${r.status}`)))),
      fetch(MODEL).then((r) => (r.ok ? r.arrayBuffer() : Promise.reject(new Error(`${MODEL}: HTTP ${r.status}`)))),
    ]);
    manifest = m;
    session = await ort.InferenceSession.create(new Uint8Array(bytes));
    renderBars(null);
    info.textContent =
      `${MODEL}: ${(bytes.byteLength / 1024).toFixed(1)} KB, reads ${manifest.input.columns.length} of 784 pixels ` +
      `(${manifest.input.kind === 'kept-columns' ? 'compact input' : 'raw 28x28 input'}), ` +
      `weights ${manifest.quantization === 'none' ? 'float32' : manifest.quantization}; onnxruntime-web ${ort.env.versions.web}.`;
    document.body.dataset.ready = 'true';
  } catch (e) {
    info.textContent = `could not load the model: ${e.message}`;
    document.body.dataset.ready = 'error';
  }
}

main();
