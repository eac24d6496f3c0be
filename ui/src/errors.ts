// Error helpers: translated titles per error code, and the inline field error a form shows.
import type { TFunction } from "i18next";
import type { ErrorCode, IpcError } from "./api";

/** The translated toast title for an error code ("Not allowed", "Someone else changed this"…). */
export function errorTitle(t: TFunction, code: ErrorCode): string {
  return t(`errors.${code}`);
}

/** One field's error, as core reports it (`phones[1].number` + message). */
export type FieldError = { field: string; message: string } | null;

export function fieldErrorOf(error: IpcError): FieldError {
  return error.code === "validation" && error.field ? { field: error.field, message: error.message } : null;
}

/** The message for `field` if the current error points at it. */
export function errorFor(current: FieldError, field: string): string | null {
  return current && current.field === field ? current.message : null;
}
