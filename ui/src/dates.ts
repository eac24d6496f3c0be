// Calendar dates as the clinic types them (its DMY / MDY / YMD setting) and as core stores them (ISO YYYY-MM-DD).
import type { DateFormat } from "./api";

const ISO = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Whether `text` is a real ISO calendar date (no 31 February). */
export function isIsoDate(text: string): boolean {
  const m = ISO.exec(text);
  return m !== null && isRealDate(Number(m[1]), Number(m[2]), Number(m[3]));
}

function isRealDate(y: number, m: number, d: number): boolean {
  if (y < 1000 || m < 1 || m > 12 || d < 1) return false;
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

/** An ISO date written the clinic's way, e.g. "31/12/1980"; anything else is returned unchanged. */
export function isoToTyped(iso: string, format: DateFormat): string {
  const m = ISO.exec(iso);
  if (!m) return iso;
  const [y, mo, d] = [m[1], m[2], m[3]];
  if (format === "DMY") return `${d}/${mo}/${y}`;
  if (format === "MDY") return `${mo}/${d}/${y}`;
  return `${y}-${mo}-${d}`;
}

/**
 * A typed date read the clinic's way: "" for nothing typed, the ISO date when it is a real date, or null
 * when it is not one. Day and month may have one digit; `/`, `.`, `-` and spaces all separate; the year
 * needs four digits (a two-digit year is ambiguous for a date of birth). ISO is always accepted too.
 */
export function typedToIso(text: string, format: DateFormat): string | null {
  const trimmed = text.trim();
  if (trimmed === "") return "";
  if (isIsoDate(trimmed)) return trimmed;
  const parts = trimmed.split(/[\s/.-]+/);
  if (parts.length !== 3 || !parts.every((p) => /^\d+$/.test(p))) return null;
  const [a, b, c] = parts.map(Number) as [number, number, number];
  const yearPart = format === "YMD" ? parts[0]! : parts[2]!;
  if (yearPart.length !== 4) return null;
  const [y, m, d] = format === "DMY" ? [c, b, a] : format === "MDY" ? [c, a, b] : [a, b, c];
  return isRealDate(y, m, d) ? `${y}-${pad(m)}-${pad(d)}` : null;
}
