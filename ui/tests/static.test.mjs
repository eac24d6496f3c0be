// Checks without a browser: the production build has no mock and nothing the CSP forbids; the catalogs match and cover every key.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { UI } from "./harness.mjs";

function files(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) files(path, out);
    else out.push(path);
  }
  return out;
}

test("the production build has no mocked IPC and no inline script or style", () => {
  const dist = join(UI, "dist");
  const all = files(dist);
  assert.ok(all.some((f) => f.endsWith(".js")), "ui/dist has the app");
  for (const f of all.filter((f) => /\.(js|html)$/.test(f))) {
    const text = readFileSync(f, "utf8");
    for (const marker of ["__clinicMock", "installMockBackend", "__CLINIC_MOCK__", "mockIPC"]) {
      assert.ok(!text.includes(marker), `${f} contains ${marker}`);
    }
    assert.ok(!/\beval\(|new Function\(/.test(text), `${f} uses eval`);
  }
  const html = readFileSync(join(dist, "index.html"), "utf8");
  assert.ok(!/<script(?![^>]*\bsrc=)[^>]*>/.test(html), "no inline <script> in index.html");
  assert.ok(!/<style|style="/.test(html), "no inline styles in index.html");
  assert.ok(!/https?:\/\//.test(html.replace(/http:\/\/www\.w3\.org[^"]*/g, "")), "no remote resources");
});

function flatKeys(obj, prefix = "") {
  return Object.entries(obj).flatMap(([k, v]) => (typeof v === "object" ? flatKeys(v, `${prefix}${k}.`) : [`${prefix}${k}`]));
}
const base = (k) => k.replace(/_(zero|one|two|few|many|other)$/, "");

test("English and French catalogs have the same keys", () => {
  const en = new Set(flatKeys(JSON.parse(readFileSync(join(UI, "src/i18n/en.json"), "utf8"))).map(base));
  const fr = new Set(flatKeys(JSON.parse(readFileSync(join(UI, "src/i18n/fr.json"), "utf8"))).map(base));
  assert.deepEqual([...en].filter((k) => !fr.has(k)), [], "missing in fr.json");
  assert.deepEqual([...fr].filter((k) => !en.has(k)), [], "missing in en.json");
});

test("every literal translation key in the code is in the catalogs", () => {
  const en = new Set(flatKeys(JSON.parse(readFileSync(join(UI, "src/i18n/en.json"), "utf8"))).map(base));
  const sources = files(join(UI, "src")).filter((f) => /\.tsx?$/.test(f) && !f.includes("testing"));
  const missing = [];
  for (const f of sources) {
    const text = readFileSync(f, "utf8");
    for (const m of text.matchAll(/\bt\(\s*"([a-zA-Z_.]+)"/g)) if (!en.has(m[1])) missing.push(`${m[1]} (${f})`);
    for (const m of text.matchAll(/\bt\(\s*\w+\s*\?\s*"([a-zA-Z_.]+)"\s*:\s*"([a-zA-Z_.]+)"/g))
      for (const k of [m[1], m[2]]) if (!en.has(k)) missing.push(`${k} (${f})`);
  }
  assert.deepEqual(missing, []);
});

test("every error code has a translated title", () => {
  const bindings = readFileSync(join(UI, "src/bindings.ts"), "utf8").replace(/\/\*[\s\S]*?\*\//g, "");
  const block = /export type ErrorCode =([\s\S]*?);/.exec(bindings)?.[1] ?? "";
  const codes = [...block.matchAll(/"([a-z_]+)"/g)].map((m) => m[1]);
  assert.ok(codes.length >= 11, "ErrorCode found in the bindings");
  for (const lang of ["en", "fr"]) {
    const catalog = JSON.parse(readFileSync(join(UI, `src/i18n/${lang}.json`), "utf8"));
    for (const code of codes) assert.ok(catalog.errors[code], `${lang}.json has errors.${code}`);
  }
});
