// Opens a committee member's sealed share in the browser (tendering/share_delivery.py):
// X25519 with the member's key, HKDF-SHA256 (salt = ephemeral || member public key),
// AES-256-GCM with the associated data "gateway opening share v1".
"use strict";

const INFO = new TextEncoder().encode("gateway opening share v1");
// PKCS#8 wrapping of a raw X25519 private key (RFC 8410): WebCrypto imports no raw private keys.
const PKCS8_PREFIX = [0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x04, 0x22, 0x04, 0x20];

const unb64 = (t) => Uint8Array.from(atob(t), (c) => c.charCodeAt(0));
const unhex = (h) => Uint8Array.from(h.match(/../g), (b) => parseInt(b, 16));
const unb64url = (t) => unb64(t.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((t.length + 3) % 4));

function concat(a, b) { const o = new Uint8Array(a.length + b.length); o.set(a); o.set(b, a.length); return o; }

async function openShare(sealedText, keyText) {
  const raw = unb64(keyText.trim());
  if (raw.length !== 32) throw new Error("key");
  const priv = await crypto.subtle.importKey(
    "pkcs8", concat(new Uint8Array(PKCS8_PREFIX), raw), { name: "X25519" }, true, ["deriveBits"]);
  const mine = unb64url((await crypto.subtle.exportKey("jwk", priv)).x);
  const doc = JSON.parse(sealedText);
  const epk = unhex(doc.epk);
  const peer = await crypto.subtle.importKey("raw", epk, { name: "X25519" }, false, []);
  const shared = await crypto.subtle.deriveBits({ name: "X25519", public: peer }, priv, 256);
  const hkdf = await crypto.subtle.importKey("raw", shared, "HKDF", false, ["deriveKey"]);
  const key = await crypto.subtle.deriveKey(
    { name: "HKDF", hash: "SHA-256", salt: concat(epk, mine), info: INFO },
    hkdf, { name: "AES-GCM", length: 256 }, false, ["decrypt"]);
  const plain = await crypto.subtle.decrypt(
    { name: "AES-GCM", iv: unhex(doc.nonce), additionalData: INFO }, key, unb64(doc.ct));
  return new TextDecoder().decode(plain);
}

document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("share-form");
  if (!form) return;
  document.getElementById("share-noscript").hidden = true;
  form.hidden = false;
  let ready = false;
  form.addEventListener("submit", async (event) => {
    if (ready) return;
    event.preventDefault();
    const errors = document.getElementById("share-errors");
    const file = document.getElementById("member-key").files[0];
    try {
      form.elements.share.value = await openShare(form.dataset.sealed, await file.text());
    } catch (e) {
      document.getElementById("member-key").setAttribute("aria-invalid", "true");
      errors.hidden = false;
      errors.focus();
      return;
    }
    ready = true;
    form.requestSubmit();
  });
});
