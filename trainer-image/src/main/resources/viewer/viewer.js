// The viewer page of `mdt serve`: asks the server for a shape as glTF (POST /v1/generate with
// "format": "glb") and shows it with three.js; orbit with the mouse, zoom with the wheel.
// Every failure is shown on the page with the server's message, never a blank screen.
import * as THREE from 'three';
import { OrbitControls } from 'three/addons/controls/OrbitControls.js';
import { GLTFLoader } from 'three/addons/loaders/GLTFLoader.js';

const $ = (id) => document.getElementById(id);
const canvas = $('canvas');
// preserveDrawingBuffer: screenshots (and the browser test's pixel check) see the last frame.
const renderer = new THREE.WebGLRenderer({ canvas, antialias: true, preserveDrawingBuffer: true });
renderer.setPixelRatio(window.devicePixelRatio);
const scene = new THREE.Scene();
scene.background = new THREE.Color(0xeef0f4);
scene.add(new THREE.HemisphereLight(0xffffff, 0x667088, 2.0));
const sun = new THREE.DirectionalLight(0xffffff, 2.0);
sun.position.set(2, 3, 1.5);
scene.add(sun);
scene.add(new THREE.GridHelper(1.5, 12, 0xb8bfcc, 0xd5dae3).translateY(-0.5));
const camera = new THREE.PerspectiveCamera(40, 1, 0.01, 100);
camera.position.set(1.3, 1.0, 1.6);
const controls = new OrbitControls(camera, canvas);
controls.addEventListener('change', render);
let shape = null;

function render() {
  renderer.render(scene, camera);
}

function resize() {
  const { clientWidth: w, clientHeight: h } = canvas.parentElement;
  renderer.setSize(w, h, false);
  camera.aspect = w / Math.max(h, 1);
  camera.updateProjectionMatrix();
  render();
}
window.addEventListener('resize', resize);

function showError(message) {
  $('error').textContent = message;
  $('error').hidden = false;
  document.body.dataset.state = 'error';
}

async function errorOf(response) {
  try {
    const body = await response.json();
    return `${response.status}: ${body.error}`;
  } catch {
    return `${response.status} ${response.statusText}`;
  }
}

async function loadModel() {
  const response = await fetch('./v1/model');
  if (!response.ok) {
    throw new Error(await errorOf(response));
  }
  const model = await response.json();
  $('role').textContent = `${model.role ?? ''} ${model.kind ?? ''}`.trim();
  $('digest').textContent = model.digest;
  for (const name of model.classes ?? []) {
    $('class').add(new Option(name, name));
  }
  const allowed = model.steps?.allowed ?? [model.steps?.default ?? 1];
  for (const s of allowed) {
    $('steps').add(new Option(String(s), String(s), s === model.steps?.default, s === model.steps?.default));
  }
  if ((model.channels ?? 1) !== 1) {
    $('note').textContent = 'This model generates multi-channel latents; only occupancy models can be shown.';
  }
}

async function generate() {
  $('error').hidden = true;
  $('note').textContent = '';
  $('generate').disabled = true;
  document.body.dataset.state = 'generating';
  const started = performance.now();
  try {
    const response = await fetch('./v1/generate', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        class: $('class').value,
        steps: Number($('steps').value),
        seed: Number($('seed').value),
        format: 'glb',
      }),
    });
    if (!response.ok) {
      showError(await errorOf(response));
      return;
    }
    const bytes = await response.arrayBuffer();
    $('latency').textContent = `${Math.round(performance.now() - started)} ms`;
    $('model-ms').textContent = `${response.headers.get('X-Generation-Ms') ?? '–'} ms`;
    $('digest').textContent = response.headers.get('X-Model-Digest') ?? $('digest').textContent;
    const gltf = await new GLTFLoader().parseAsync(bytes, '');
    if (shape) {
      scene.remove(shape);
    }
    shape = gltf.scene;
    scene.add(shape);
    let triangles = 0;
    shape.traverse((o) => {
      if (o.isMesh) triangles += o.geometry.index ? o.geometry.index.count / 3 : 0;
    });
    const empty = Number(response.headers.get('X-Empty-Samples') ?? '0');
    $('filled').textContent = triangles === 0 ? 'none' : `${triangles} triangles`;
    if (empty > 0 || triangles === 0) {
      $('note').textContent = 'The model generated an empty shape (no voxel filled) for this seed.';
    }
    render();
    document.body.dataset.state = 'shown';
  } catch (e) {
    showError(`request failed: ${e.message}`);
  } finally {
    $('generate').disabled = false;
  }
}

$('generate').addEventListener('click', generate);
resize();
loadModel()
  .then(() => {
    $('generate').disabled = false;
    document.body.dataset.state = 'ready';
  })
  .catch((e) => showError(`cannot read the model: ${e.message}`));
