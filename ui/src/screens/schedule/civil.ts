// Clinic-local civil dates and times as core sends them (`2026-03-30`, `2026-03-30T09:00:00`): arithmetic on the
// calendar itself (never the computer's time zone), the clinic's "now" through Intl, and display through Intl.
import { locale } from "../../format";

const pad = (n: number) => String(n).padStart(2, "0");

/** `YYYY-MM-DD` of a civil date. */
export function dateOf(localDateTime: string): string {
  return localDateTime.slice(0, 10);
}

/** Minutes since local midnight of `…THH:MM…`. */
export function minutesOf(localDateTime: string): number {
  const m = /T(\d{2}):(\d{2})/.exec(localDateTime);
  return m ? Number(m[1]) * 60 + Number(m[2]) : 0;
}

/** `HH:MM` of a civil date-time or time. */
export function hm(localDateTimeOrTime: string): string {
  const m = /(?:T|^)(\d{2}:\d{2})/.exec(localDateTimeOrTime);
  return m ? m[1]! : localDateTimeOrTime;
}

/** The civil date-time `date` + `minutes` after its midnight, as core reads it (`2026-03-30T09:15`). */
export function at(date: string, minutes: number): string {
  return `${date}T${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)}`;
}

function utcOf(date: string): Date {
  const [y, m, d] = date.split("-").map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d));
}

function isoOf(d: Date): string {
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

export function addDays(date: string, days: number): string {
  const d = utcOf(date);
  d.setUTCDate(d.getUTCDate() + days);
  return isoOf(d);
}

/** ISO weekday: 1 Monday … 7 Sunday. */
export function weekday(date: string): number {
  return ((utcOf(date).getUTCDay() + 6) % 7) + 1;
}

export function mondayOf(date: string): string {
  return addDays(date, 1 - weekday(date));
}

export function addMonths(date: string, months: number): string {
  const d = utcOf(date);
  return isoOf(new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months, 1)));
}

/** The clinic's civil date and minutes now, in its IANA zone (the computer may be elsewhere). */
export function clinicNow(zone: string, nowMs: number): { date: string; minutes: number } {
  let parts: Intl.DateTimeFormatPart[];
  try {
    parts = new Intl.DateTimeFormat("en-GB", { timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).formatToParts(nowMs);
  } catch {
    parts = new Intl.DateTimeFormat("en-GB", { year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).formatToParts(nowMs);
  }
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? "00";
  return { date: `${get("year")}-${get("month")}-${get("day")}`, minutes: Number(get("hour")) * 60 + Number(get("minute")) };
}

/** A civil date for people, e.g. "Monday 30 March 2026" (`style` long) or "Mon 30 Mar". */
export function formatDay(date: string, style: "long" | "short" = "long"): string {
  const options: Intl.DateTimeFormatOptions =
    style === "long" ? { weekday: "long", day: "numeric", month: "long", year: "numeric", timeZone: "UTC" } : { weekday: "short", day: "numeric", month: "short", timeZone: "UTC" };
  return new Intl.DateTimeFormat(locale(), options).format(utcOf(date));
}

export function formatMonth(date: string): string {
  return new Intl.DateTimeFormat(locale(), { month: "long", year: "numeric", timeZone: "UTC" }).format(utcOf(date));
}

/** A civil date-time for people, e.g. "Mon 30 Mar, 09:15". */
export function formatLocal(localDateTime: string): string {
  return `${formatDay(dateOf(localDateTime), "short")}, ${hm(localDateTime)}`;
}

/** Minutes as "09:15". */
export function clockText(minutes: number): string {
  return `${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)}`;
}

/** Minor units of money in a currency, through Intl. */
export function formatMoney(minor: number, currency: string): string {
  try {
    const f = new Intl.NumberFormat(locale(), { style: "currency", currency });
    const digits = f.resolvedOptions().maximumFractionDigits ?? 2;
    return f.format(minor / 10 ** digits);
  } catch {
    return String(minor);
  }
}
