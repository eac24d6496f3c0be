// Button: the app's one button, in primary / secondary / danger / ghost styles, with a busy state.
import type { ButtonHTMLAttributes, Ref } from "react";
import { Spinner } from "./Spinner";

type Props = ButtonHTMLAttributes<HTMLButtonElement> & {
  variant?: "primary" | "secondary" | "danger" | "ghost";
  busy?: boolean;
  ref?: Ref<HTMLButtonElement>;
};

export function Button({ variant = "secondary", busy = false, className, children, disabled, type, ...rest }: Props) {
  return (
    <button
      {...rest}
      type={type ?? "button"}
      className={`btn btn-${variant}${className ? ` ${className}` : ""}`}
      disabled={disabled || busy}
      aria-busy={busy || undefined}
    >
      {busy && <Spinner size="small" decorative />}
      <span>{children}</span>
    </button>
  );
}
