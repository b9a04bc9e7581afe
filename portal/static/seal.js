// Seals a bid in the browser: the gateway never sees the plaintext.
// The envelope is the one `gateway bid seal` makes (tendering/sealing.py): an Ed25519
// signature over the domain-separated bid, inside AES-256-GCM under a key from
// HKDF-SHA256 over an ephemeral X25519 exchange with the tender's opening key.
"use strict";

const enc = new TextEncoder();

function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

function b64(bytes) {
  const u8 = new Uint8Array(bytes);
  let s = "";
  for (let i = 0; i < u8.length; i += 0x8000) s += String.fromCharCode(...u8.subarray(i, i + 0x8000));
  return btoa(s);
}

function unb64(text) { return Uint8Array.from(atob(text), (c) => c.charCodeAt(0)); }

function hex(bytes) { return Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, "0")).join(""); }

function pemBody(pem, label) {
  const m = pem.match(new RegExp(`-----BEGIN ${label}-----([^-]+)-----END ${label}-----`));
  if (!m) throw new Error("nopem");
  return unb64(m[1].replace(/\s+/g, ""));
}

// JSON with sorted keys and no spaces: Python's json.dumps(sort_keys=True, separators=(",", ":")).
function canonical(obj) {
  const sorted = {};
  for (const k of Object.keys(obj).sort()) sorted[k] = obj[k];
  return JSON.stringify(sorted);
}

async function sealBid({ plaintext, tenderId, supplierId, bidId, tenderKey, fingerprint, signingKeyPem }) {
  const signKey = await crypto.subtle.importKey(
    "pkcs8", pemBody(signingKeyPem, "PRIVATE KEY"), { name: "Ed25519" }, false, ["sign"]);
  const head = enc.encode("gateway sealed bid v1\n" + JSON.stringify([tenderId, supplierId, bidId]) + "\n");
  const signature = new Uint8Array(await crypto.subtle.sign({ name: "Ed25519" }, signKey, concat(head, plaintext)));

  const tpk = unb64(tenderKey);
  if (hex(await crypto.subtle.digest("SHA-256", tpk)) !== fingerprint) throw new Error("fingerprint");
  const tenderPublic = await crypto.subtle.importKey("raw", tpk, { name: "X25519" }, false, []);
  const ephemeral = await crypto.subtle.generateKey({ name: "X25519" }, true, ["deriveBits"]);
  const epk = new Uint8Array(await crypto.subtle.exportKey("raw", ephemeral.publicKey));
  const shared = await crypto.subtle.deriveBits({ name: "X25519", public: tenderPublic }, ephemeral.privateKey, 256);
  const hkdf = await crypto.subtle.importKey("raw", shared, "HKDF", false, ["deriveKey"]);
  const aesKey = await crypto.subtle.deriveKey(
    { name: "HKDF", hash: "SHA-256", salt: concat(epk, tpk), info: enc.encode("gateway sealed bid v1|tender=" + tenderId) },
    hkdf, { name: "AES-GCM", length: 256 }, false, ["encrypt"]);

  const header = {
    v: 1, kem: "X25519", kdf: "HKDF-SHA256", aead: "AES-256-GCM", sig: "Ed25519",
    tender_id: tenderId, supplier_id: supplierId, bid_id: bidId, kfp: fingerprint, epk: b64(epk),
  };
  const nonce = crypto.getRandomValues(new Uint8Array(12));
  const inner = concat(enc.encode("GWB1"), signature, plaintext);
  const ct = await crypto.subtle.encrypt({ name: "AES-GCM", iv: nonce, additionalData: enc.encode(canonical(header)) }, aesKey, inner);
  return canonical({ ...header, nonce: b64(nonce), ct: b64(ct) });
}

// Danish or plain notation to a plain decimal: "1.234,50" and "1234.50" are both 1234.50.
function parseAmount(text) {
  let t = text.trim().replace(/\s/g, "");
  if (t.includes(",") || /^\d{1,3}(\.\d{3})+$/.test(t)) t = t.replace(/\./g, "").replace(",", ".");
  return /^\d+(\.\d{1,2})?$/.test(t) ? t : null;
}

function showErrors(form, errors) {
  const box = document.getElementById("bid-errors");
  const list = box.querySelector("ul");
  list.replaceChildren();
  for (const [field, message] of errors) {
    const li = document.createElement("li");
    const a = document.createElement("a");
    a.href = "#" + field;
    a.textContent = message;
    li.append(a);
    list.append(li);
    document.getElementById(field).setAttribute("aria-invalid", "true");
  }
  box.hidden = errors.length === 0;
  if (errors.length) box.focus();
}

function setup() {
  const form = document.getElementById("bid-form");
  if (!form) return;
  const d = form.dataset;
  const t = { price: d.msgPrice, lots: d.msgLots, key: d.msgKey, badkey: d.msgBadkey };
  document.getElementById("bid-noscript").hidden = true;
  document.getElementById("bid-prepare").hidden = false;
  document.getElementById("seal-button").addEventListener("click", async () => {
    form.querySelectorAll("[aria-invalid]").forEach((el) => el.removeAttribute("aria-invalid"));
    const errors = [];
    const lots = {};
    for (const box of form.querySelectorAll("input[name=lot_ids]:checked")) {
      const field = "price-" + box.value;
      const price = parseAmount(document.getElementById(field).value);
      if (price === null) errors.push([field, t.price.replace("%s", box.value)]);
      else lots[box.value] = { price };
    }
    if (!form.querySelector("input[name=lot_ids]:checked")) errors.push(["lots", t.lots]);
    const file = document.getElementById("signing-key").files[0];
    if (!file) errors.push(["signing-key", t.key]);
    if (errors.length) return showErrors(form, errors);
    const bidId = crypto.randomUUID();
    const note = document.getElementById("bid-note").value.trim();
    const plaintext = enc.encode(JSON.stringify(note ? { lots, note } : { lots }));
    let envelope;
    try {
      envelope = await sealBid({
        plaintext, tenderId: d.tenderId, supplierId: d.supplierId, bidId,
        tenderKey: d.tenderKey, fingerprint: d.fingerprint, signingKeyPem: await file.text(),
      });
    } catch (e) {
      return showErrors(form, [["signing-key", t.badkey]]);
    }
    showErrors(form, []);
    form.elements.envelope.value = envelope;
    const summary = document.getElementById("bid-summary");
    const rows = summary.querySelector("tbody");
    rows.replaceChildren();
    for (const [lot, v] of Object.entries(lots)) {
      const tr = document.createElement("tr");
      for (const text of [lot, v.price]) { const td = document.createElement("td"); td.textContent = text; tr.append(td); }
      rows.append(tr);
    }
    document.getElementById("summary-bid-id").textContent = bidId;
    document.getElementById("summary-sha256").textContent = hex(await crypto.subtle.digest("SHA-256", enc.encode(envelope)));
    summary.hidden = false;
    document.getElementById("summary-heading").focus();
  });
}

document.addEventListener("DOMContentLoaded", setup);
