// The page of `transcribe serve`: record or upload, live pitch, result, player, overrides, downloads.
// Plain JS, no libraries, nothing from the network but this server.
"use strict";

const $ = (s) => document.querySelector(s);
const NAMES = ["C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B"];
const noteName = (m) => NAMES[((m % 12) + 12) % 12] + (Math.floor(m / 12) - 1);
const fmtTime = (s, tenths) => {
  const m = Math.floor(s / 60), r = s - 60 * m;
  return `${m}:${tenths ? r.toFixed(1).padStart(4, "0") : String(Math.floor(r)).padStart(2, "0")}`;
};

let config = { max_upload_bytes: 60 * 1024 * 1024, max_duration_s: 600 };
let ctx = null;            // one AudioContext, made on the first click
let current = null;        // the result shown (the server's JSON)
let recBuffer = null;      // the recording, decoded, for the player
let busy = false;

function audioCtx() {
  if (!ctx) ctx = new AudioContext();
  if (ctx.state === "suspended") ctx.resume();
  return ctx;
}

fetch("/api/config").then((r) => r.json()).then((c) => {
  config = c;
  const sel = $("#pitch");
  sel.value = c.default_backend;
}).catch(() => {});

// ---------- status and errors ----------
function setStatus(text) { $("#status").textContent = text || ""; }
function showError(line) {
  const el = $("#error");
  el.textContent = line;
  el.hidden = !line;
}
function setBusy(on, text) {
  busy = on;
  $("#record").disabled = on && !recorder;
  $("#rerender").disabled = on || !current;
  $("#drop").classList.toggle("disabled", on);
  setStatus(on ? text : "");
}

// ---------- options ----------
function optionParams() {
  const p = new URLSearchParams();
  for (const el of $("#options").elements) {
    if (el.name && el.value.trim() !== "") p.set(el.name, el.value.trim());
  }
  return p;
}

// ---------- sending audio ----------
async function send(blob, name) {
  if (busy) return;
  showError("");
  if (blob.size > config.max_upload_bytes) {
    showError(`transcribe: error: ${name}: the file is larger than ${Math.round(config.max_upload_bytes / 1048576)} MB, this page's limit: trim it, or save it compressed (FLAC, MP3), or use the command line`);
    return;
  }
  const params = optionParams();
  params.set("name", name);
  setBusy(true, `Transcribing ${name}…`);
  try {
    const resp = await fetch(`/api/transcribe?${params}`, { method: "POST", body: blob, headers: { "Content-Type": "application/octet-stream" } });
    const data = await resp.json();
    if (!resp.ok) { showError(data.error || `transcribe: error: ${name}: the server answered ${resp.status}`); return; }
    recBuffer = null;
    try { recBuffer = await audioCtx().decodeAudioData(await blob.arrayBuffer()); } catch (e) { recBuffer = null; }
    showResult(data);
  } catch (e) {
    showError(`transcribe: error: ${name}: the server could not be reached (${e.message}): is transcribe serve still running?`);
  } finally {
    setBusy(false);
  }
}

async function rerender(ev) {
  ev.preventDefault();
  if (!current || busy) return;
  showError("");
  stopPlayback();
  setBusy(true, `Re-rendering ${current.name}…`);
  try {
    const resp = await fetch(`/api/result/${current.id}/rerender?${optionParams()}`, { method: "POST" });
    const data = await resp.json();
    if (!resp.ok) { showError(data.error); return; }
    showResult(data);
  } catch (e) {
    showError(`transcribe: error: the server could not be reached (${e.message}): is transcribe serve still running?`);
  } finally {
    setBusy(false);
  }
}
$("#options").addEventListener("submit", rerender);

// ---------- file input and drop ----------
$("#file").addEventListener("change", (ev) => {
  const f = ev.target.files[0];
  if (f) send(f, f.name);
  ev.target.value = "";
});
const drop = $("#drop");
drop.addEventListener("dragover", (ev) => { ev.preventDefault(); drop.classList.add("over"); });
drop.addEventListener("dragleave", () => drop.classList.remove("over"));
drop.addEventListener("drop", (ev) => {
  ev.preventDefault();
  drop.classList.remove("over");
  const f = ev.dataTransfer.files[0];
  if (f) send(f, f.name);
});

// ---------- recording ----------
let recorder = null, stream = null, chunks = [], recStart = 0, liveTimer = null, clickTimer = null, autoStop = null;
const trace = [];          // {t, midi} of the live pitch, midi null when unvoiced
const tuningSum = { c: 0, s: 0, w: 0 };  // circular mean of the sung pitches' offsets from the semitones

function click(at, accent) {
  const c = audioCtx(), o = c.createOscillator(), g = c.createGain();
  o.frequency.value = accent ? 1760 : 1320;
  g.gain.setValueAtTime(0.0001, at);
  g.gain.exponentialRampToValueAtTime(0.5, at + 0.002);
  g.gain.exponentialRampToValueAtTime(0.0001, at + 0.06);
  o.connect(g).connect(c.destination);
  o.start(at); o.stop(at + 0.07);
}

function beatLength() { return 60 / Math.min(240, Math.max(30, Number($("#click-bpm").value) || 100)); }

async function startRecording() {
  showError("");
  try {
    stream = await navigator.mediaDevices.getUserMedia({ audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false } });
  } catch (e) {
    showError(`transcribe: error: the microphone is not available (${e.name}): allow this page to use it, or drop a file instead`);
    return;
  }
  const c = audioCtx();
  const beats = Number($("#click-beats").value), beat = beatLength();
  const rec = $("#record");
  recorder = new MediaRecorder(stream, MediaRecorder.isTypeSupported("audio/webm;codecs=opus") ? { mimeType: "audio/webm;codecs=opus" } : {});
  rec.classList.add("recording");
  rec.textContent = "■ Stop";
  if ($("#count-in").checked) {
    setStatus("Count-in…");
    const t0 = c.currentTime + 0.1;
    for (let i = 0; i < beats; i++) click(t0 + i * beat, i === 0);
    await new Promise((r) => setTimeout(r, (0.1 + beats * beat) * 1000));
    if (!recorder) return;  // stopped during the count-in
  }
  chunks = [];
  recorder.ondataavailable = (ev) => { if (ev.data.size) chunks.push(ev.data); };
  recorder.onstop = finishRecording;
  recorder.start(250);
  recStart = performance.now();
  trace.length = 0;
  tuningSum.c = tuningSum.s = tuningSum.w = 0;
  setStatus("Recording… press Stop when done.");
  if ($("#metronome").checked) {
    let next = c.currentTime + 0.05, n = 0;
    clickTimer = setInterval(() => {
      while (next < c.currentTime + 0.2) { click(next, n % beats === 0); next += beat; n++; }
    }, 50);
  }
  const src = c.createMediaStreamSource(stream);
  const analyser = c.createAnalyser();
  analyser.fftSize = 2048;
  src.connect(analyser);
  const buf = new Float32Array(analyser.fftSize);
  liveTimer = setInterval(() => liveStep(analyser, buf, c.sampleRate), 40);
  autoStop = setTimeout(stopRecording, config.max_duration_s * 1000);
}

function stopRecording() {
  const r = recorder;
  recorder = null;
  clearInterval(liveTimer); clearInterval(clickTimer); clearTimeout(autoStop);
  const rec = $("#record");
  rec.classList.remove("recording");
  rec.innerHTML = "&#9679; Record";
  $("#level").style.width = "0";
  if (r && r.state !== "inactive") r.stop();
  else if (stream) { stream.getTracks().forEach((t) => t.stop()); stream = null; setStatus(""); }
}

function finishRecording() {
  if (stream) stream.getTracks().forEach((t) => t.stop());
  stream = null;
  const type = (chunks[0] && chunks[0].type) || "audio/webm";
  const blob = new Blob(chunks, { type });
  if (!blob.size) { showError("transcribe: error: recording: nothing was recorded: check the microphone and record again"); setStatus(""); return; }
  send(blob, "recording.webm");
}

$("#record").addEventListener("click", () => { if (recorder) stopRecording(); else startRecording(); });

// YIN (de Cheveigné and Kawahara 2002) on one block: the f0 in Hz and how clear it is (0-1).
function yin(x, sr) {
  const W = x.length >> 1, tauMin = Math.floor(sr / 1500), tauMax = Math.min(W - 1, Math.floor(sr / 60));
  const d = new Float32Array(tauMax + 2);
  for (let tau = 1; tau <= tauMax + 1; tau++) {
    let s = 0;
    for (let i = 0; i < W; i++) { const v = x[i] - x[i + tau]; s += v * v; }
    d[tau] = s;
  }
  let run = 0;
  const cm = new Float32Array(tauMax + 2);
  cm[0] = 1;
  for (let tau = 1; tau <= tauMax + 1; tau++) { run += d[tau]; cm[tau] = run > 0 ? d[tau] * tau / run : 1; }
  let best = -1;
  for (let tau = tauMin; tau <= tauMax; tau++) {
    if (cm[tau] < 0.15) { while (tau + 1 <= tauMax && cm[tau + 1] < cm[tau]) tau++; best = tau; break; }
  }
  if (best < 0) return { hz: 0, clarity: 0 };
  const a = cm[best - 1], b = cm[best], c = cm[best + 1];
  const shift = (a - 2 * b + c) !== 0 ? 0.5 * (a - c) / (a - 2 * b + c) : 0;
  return { hz: sr / (best + shift), clarity: 1 - b };
}

function liveStep(analyser, buf, sr) {
  analyser.getFloatTimeDomainData(buf);
  let e = 0;
  for (let i = 0; i < buf.length; i++) e += buf[i] * buf[i];
  const db = 10 * Math.log10(e / buf.length + 1e-12);
  $("#level").style.width = `${Math.max(0, Math.min(100, (db + 60) / 60 * 100))}%`;
  const t = (performance.now() - recStart) / 1000;
  $("#rec-time").textContent = fmtTime(t);
  let midi = null;
  if (db > -50) {
    const p = yin(buf, sr);
    if (p.hz > 0 && p.clarity > 0.8) {
      midi = 69 + 12 * Math.log2(p.hz / 440);
      const ang = 2 * Math.PI * (midi - Math.round(midi)), w = p.clarity;
      tuningSum.c += w * Math.cos(ang); tuningSum.s += w * Math.sin(ang); tuningSum.w += w;
    }
  }
  trace.push({ t, midi });
  while (trace.length && trace[0].t < t - 8) trace.shift();
  drawLive(t);
}

// The singer's own tuning: the mean offset of what they sang from the A440 semitones, in semitones.
function singerTuning() {
  return tuningSum.w > 0 ? Math.atan2(tuningSum.s, tuningSum.c) / (2 * Math.PI) : 0;
}

function sizeCanvas(cv) {
  const w = cv.clientWidth * devicePixelRatio, h = cv.clientHeight * devicePixelRatio;
  if (cv.width !== w || cv.height !== h) { cv.width = w; cv.height = h; }
  const g = cv.getContext("2d");
  g.setTransform(devicePixelRatio, 0, 0, devicePixelRatio, 0, 0);
  return [g, cv.clientWidth, cv.clientHeight];
}

// One line per semitone from lo to hi (in the singer's tuning), natural notes darker; the
// names of the semitones `named(m, natural)` picks, at the left margin.
function semitoneLines(g, { lo, hi, L, W, y, tune, sharp, named }) {
  for (let m = lo; m <= hi; m++) {
    const natural = !NAMES[((m % 12) + 12) % 12].includes("#");
    g.strokeStyle = natural ? "#e3e8ee" : sharp;
    g.beginPath(); g.moveTo(L, y(m + tune)); g.lineTo(W, y(m + tune)); g.stroke();
    if (named(m, natural)) { g.fillStyle = "#8c959f"; g.fillText(noteName(m), 4, y(m + tune) + 4); }
  }
}

function drawLive(now) {
  const [g, W, H] = sizeCanvas($("#live"));
  g.clearRect(0, 0, W, H);
  const tune = singerTuning();
  const voiced = trace.filter((p) => p.midi !== null);
  const centre = voiced.length ? voiced.slice(-25).reduce((a, p) => a + p.midi, 0) / Math.min(25, voiced.length) : 64;
  const lo = Math.round(centre) - 7, hi = Math.round(centre) + 7, L = 44;
  const y = (m) => H - 8 - ((m - lo) / (hi - lo)) * (H - 18);
  g.font = "11px sans-serif";
  semitoneLines(g, { lo, hi, L, W, y, tune, sharp: "#f1f3f5", named: (m, natural) => natural });
  const x = (t) => L + (W - L - 120) * (1 - (now - t) / 8);  // "now" left of the note name
  g.fillStyle = "#0b5cad";
  for (const p of voiced) g.fillRect(x(p.t) - 1.5, y(p.midi) - 1.5, 3, 3);
  const last = trace.length ? trace[trace.length - 1] : null;
  if (last && last.midi !== null) {
    const m = last.midi - tune, r = Math.round(m), cents = Math.round((m - r) * 100);
    $("#live-note").classList.remove("idle");
    $("#live-name").textContent = noteName(r);
    $("#live-cents").textContent = `${cents >= 0 ? "+" : ""}${cents} cents`;
  } else {
    $("#live-note").classList.add("idle");
    $("#live-name").textContent = "–";
    $("#live-cents").textContent = "";
  }
  const tc = Math.round(tune * 100);
  $("#live-tuning").textContent = tuningSum.w > 0 ? `Your tuning: ${tc >= 0 ? "+" : ""}${tc} cents from A440; notes are named in it.` : "Sing: the trace shows your note, named in your own tuning.";
}

// ---------- result ----------
function showResult(data) {
  stopPlayback();
  current = data;
  playFrom = 0;
  $("#result").hidden = false;
  $("#report").textContent = data.report;
  const ul = $("#warnings");
  ul.innerHTML = "";
  for (const w of data.warnings) { const li = document.createElement("li"); li.textContent = w; ul.appendChild(li); }
  const form = $("#options");
  form.tempo.placeholder = `${Math.round(data.tempo_bpm)} BPM`;
  form.time_signature.placeholder = data.time_signature;
  form.key.placeholder = data.key;
  form.title.placeholder = data.title;
  form.pitch.value = data.options.pitch;
  $("#note-list").textContent = data.notes.length ? `${data.notes.length} ${data.notes.length === 1 ? "note" : "notes"}: ${data.notes.map((n) => n.name).join(" ")}` : "No notes found.";
  const pages = $("#pages");
  pages.innerHTML = "";
  data.pages.forEach((svg, i) => {
    const div = document.createElement("div");
    div.className = "page";
    div.setAttribute("aria-label", `score page ${i + 1}`);
    div.innerHTML = svg;
    pages.appendChild(div);
  });
  const dl = $("#downloads");
  dl.innerHTML = "<span class='small'>Download:</span>";
  const base = `/api/result/${data.id}`;
  const links = [["musicxml", "MusicXML"], ["midi", "MIDI"], ["pdf", "PDF"]];
  data.pages.forEach((_, i) => links.push([`png?page=${i + 1}`, data.pages.length > 1 ? `PNG page ${i + 1}` : "PNG"]));
  links.push(["csv", "CSV"], ["plot", "Plot PNG"]);
  for (const [what, label] of links) {
    const a = document.createElement("a");
    a.href = `${base}/${what}`;
    a.textContent = label;
    a.setAttribute("download", "");
    a.dataset.what = what.split("?")[0];
    dl.appendChild(a);
  }
  const plot = $("#plot");
  plot.removeAttribute("src");
  if ($("#plot-box").open) plot.src = `${base}/plot?inline=1`;
  $("#rerender").disabled = false;
  $("#play-rec").disabled = !recBuffer;
  drawRoll(0);
  $("#play-time").textContent = fmtTime(0, true);
  $("#now-note").textContent = "";
}
$("#plot-box").addEventListener("toggle", () => {
  if ($("#plot-box").open && current && !$("#plot").getAttribute("src")) $("#plot").src = `/api/result/${current.id}/plot?inline=1`;
});

function noteAt(t) {
  if (!current) return -1;
  const ns = current.notes;
  for (let i = 0; i < ns.length; i++) if (ns[i].on <= t && t < ns[i].off) return i;
  return -1;
}

// The piano roll: pitch track (grey), notes (blue bars with names), the current note and the playhead.
function drawRoll(t) {
  if (!current) return;
  const cv = $("#roll");
  const [g, W, H] = sizeCanvas(cv);
  g.clearRect(0, 0, W, H);
  const ns = current.notes, tr = current.track, tune = current.tuning_cents / 100;
  const ms = ns.map((n) => n.midi).concat(tr.midi.filter((m) => m !== null));
  const lo = Math.floor(Math.min(...(ms.length ? ms : [60])) - 2), hi = Math.ceil(Math.max(...(ms.length ? ms : [72])) + 2);
  const L = 40, dur = Math.max(current.duration_s, 0.1);
  const x = (s) => L + (W - L - 6) * (s / dur);
  const y = (m) => H - 16 - ((m - lo) / (hi - lo)) * (H - 28);
  g.font = "11px sans-serif";
  semitoneLines(g, { lo, hi, L, W, y, tune, sharp: "#f3f5f7", named: (m, natural) => m % 12 === 0 || (hi - lo <= 20 && natural) });
  g.fillStyle = "#8c959f";
  for (let s = 0; s <= dur; s += dur > 60 ? 10 : dur > 20 ? 5 : 1) g.fillText(`${s}s`, x(s) - 6, H - 2);
  const now = noteAt(t), bar = Math.max(4, (H - 28) / (hi - lo) * 0.8);
  ns.forEach((n, i) => {
    g.fillStyle = i === now ? "rgba(194,65,12,.85)" : "rgba(11,92,173,.45)";
    g.fillRect(x(n.on), y(n.midi + tune) - bar / 2, Math.max(2, x(n.off) - x(n.on)), bar);
    if (x(n.off) - x(n.on) > 16 || i === now) {
      g.fillStyle = i === now ? "#c2410c" : "#1f2328";
      g.fillText(n.name, x(n.on), y(n.midi + tune) - bar / 2 - 2);
    }
  });
  g.fillStyle = "rgba(40,48,56,.7)";
  for (let i = 0; i < tr.t.length; i++) if (tr.midi[i] !== null) g.fillRect(x(tr.t[i]) - 0.75, y(tr.midi[i]) - 0.75, 1.5, 1.5);
  if (t > 0) { g.strokeStyle = "#c2410c"; g.beginPath(); g.moveTo(x(t), 0); g.lineTo(x(t), H - 12); g.stroke(); }
  highlightScore(now);
}

// The current note in the score: its measure, and the note itself where the measure's
// notes match the note list one for one (no ties across the barline).
let lit = [];
function highlightScore(i) {
  for (const el of lit) el.classList.remove("now");
  lit = [];
  if (i < 0 || !current) return;
  const n = current.notes[i];
  const measures = document.querySelectorAll("#pages g.measure");
  const m = measures[n.measure - (current.pickup_q > 0 ? 0 : 1)];
  if (!m) return;
  const same = current.notes.filter((o) => o.measure === n.measure);
  const drawn = m.querySelectorAll("g.note");
  const el = drawn.length === same.length ? drawn[same.indexOf(n)] : m;
  el.classList.add("now");
  lit.push(el);
  $("#now-note").textContent = `${n.name}  (bar ${n.measure}, beat ${Math.round(n.beat * 100) / 100})`;
}

// ---------- player: the recording and a synthesised transcription on one clock ----------
let playing = null, playFrom = 0;

function startPlayback(from) {
  stopPlayback();
  if (!current) return;
  const c = audioCtx(), at = c.currentTime + 0.08, out = c.createGain();
  out.connect(c.destination);
  const sources = [];
  if (recBuffer && $("#play-rec").checked) {
    const s = c.createBufferSource();
    s.buffer = recBuffer;
    s.connect(out);
    s.start(at, from);
    sources.push(s);
  }
  if ($("#play-synth").checked) {
    const tune = current.tuning_cents / 100;
    for (const n of current.notes) {
      if (n.off <= from) continue;
      const on = Math.max(n.on, from), t0 = at + on - from, t1 = at + n.off - from;
      const o = c.createOscillator(), g = c.createGain();
      o.type = "triangle";
      o.frequency.value = 440 * Math.pow(2, (n.midi + tune - 69) / 12);
      g.gain.setValueAtTime(0, t0);
      g.gain.linearRampToValueAtTime(0.25, t0 + 0.015);
      g.gain.setValueAtTime(0.25, Math.max(t0 + 0.015, t1 - 0.04));
      g.gain.linearRampToValueAtTime(0, t1);
      o.connect(g).connect(out);
      o.start(t0); o.stop(t1 + 0.01);
      sources.push(o);
    }
  }
  playing = { at, from, out, sources };
  $("#play").innerHTML = "&#10074;&#10074; Pause";
  requestAnimationFrame(tick);
}

function stopPlayback() {
  if (!playing) return;
  playFrom = Math.min(current ? current.duration_s : 0, playing.from + (ctx.currentTime - playing.at));
  playing.out.disconnect();
  for (const s of playing.sources) { try { s.stop(); } catch (e) { /* already stopped */ } }
  playing = null;
  $("#play").innerHTML = "&#9654; Play";
}

function tick() {
  if (!playing) return;
  const t = Math.max(playing.from, playing.from + (ctx.currentTime - playing.at));
  $("#play-time").textContent = fmtTime(t, true);
  drawRoll(t);
  if (t >= current.duration_s) { stopPlayback(); playFrom = 0; return; }
  requestAnimationFrame(tick);
}

$("#play").addEventListener("click", () => {
  if (playing) stopPlayback();
  else startPlayback(playFrom >= (current ? current.duration_s - 0.05 : 0) ? 0 : playFrom);
});
$("#roll").addEventListener("click", (ev) => {
  if (!current) return;
  const cv = $("#roll"), r = cv.getBoundingClientRect(), L = 40;
  const s = Math.max(0, Math.min(current.duration_s, ((ev.clientX - r.left - L) / (r.width - L - 6)) * current.duration_s));
  playFrom = s;
  if (playing) startPlayback(s);
  else { drawRoll(s); $("#play-time").textContent = fmtTime(s, true); }
});
window.addEventListener("resize", () => { if (current) drawRoll(playing ? playFrom : playFrom); });
drawLive(0);
