// French: a French system shows French text (and French dates); the language can be switched on the sign-in screen.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { ADMIN, assertNoProblems, checkA11y, field, screenshot, startApp } from "./harness.mjs";

let app;
before(async () => {
  app = await startApp();
});
after(async () => {
  await app?.close();
});

test("a French system gets French screens, messages and dates", async () => {
  const page = await app.open({ locale: "fr-FR" });
  await page.getByRole("heading", { name: "Connexion" }).waitFor();
  assert.equal(await page.evaluate(() => document.documentElement.lang), "fr");
  await field(page, "Nom d'utilisateur").fill(ADMIN.username);
  await field(page, "Mot de passe").fill("faux");
  await page.getByRole("button", { name: "Se connecter" }).click();
  await page.getByText("Échec de la connexion").waitFor();
  await field(page, "Mot de passe").fill(ADMIN.password);
  await page.getByRole("button", { name: "Se connecter" }).click();

  const nav = page.getByRole("navigation", { name: "Menu principal" });
  await nav.getByRole("button", { name: "Enregistrer un patient" }).waitFor();
  await page.getByRole("combobox", { name: "Rechercher un patient" }).fill("garcia");
  await page.getByRole("option", { name: /García, María José/ }).waitFor();
  assert.match(await page.getByRole("option", { name: /García/ }).textContent(), /12 mars 1980/);
  await page.getByText("1 patient trouvé.").waitFor();
  await checkA11y(page, "patients (French)");
  await screenshot(page, "11-patients-fr");

  await page.getByRole("option", { name: /García/ }).click();
  await page.getByRole("heading", { name: "Allergies" }).waitFor();
  await page.getByText("Coordonnées").waitFor();
  await page.getByRole("button", { name: "Modifier", exact: true }).click();
  assert.equal(await field(page, "Date de naissance").inputValue(), "12/03/1980");
  await field(page, "Date de naissance").fill(`01/01/${new Date().getFullYear() + 2}`);
  await page.getByRole("button", { name: "Enregistrer les modifications" }).click();
  await page.locator("#field-date_of_birth-error").waitFor();
  assertNoProblems(page);
});

test("the language can be switched before signing in, and the choice is kept", async () => {
  const page = await app.open({ locale: "en-GB" });
  await page.getByRole("heading", { name: "Sign in" }).waitFor();
  await page.getByLabel("Language").selectOption("fr");
  await page.getByRole("heading", { name: "Connexion" }).waitFor();
  await page.reload();
  await page.getByRole("heading", { name: "Connexion" }).waitFor();
  await page.getByLabel("Langue").selectOption("en");
  await page.getByRole("heading", { name: "Sign in" }).waitFor();
  assertNoProblems(page);
});
