// Banner: a block message (information, success, warning, danger) at the top of a screen or form.
import type { ReactNode } from "react";

type Props = { kind: "info" | "success" | "warning" | "danger"; title?: string; children?: ReactNode; className?: string; id?: string };

export function Banner({ kind, title, children, className, id }: Props) {
  const urgent = kind === "danger" || kind === "warning";
  return (
    <div id={id} className={`banner banner-${kind}${className ? ` ${className}` : ""}`} role={urgent ? "alert" : "status"}>
      {title && <p className="banner-title">{title}</p>}
      {children && <div className="banner-body">{children}</div>}
    </div>
  );
}
