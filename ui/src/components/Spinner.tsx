// Spinner, and a hook that says "show progress" only once something has taken longer than ~300 ms.
import { useEffect, useState } from "react";

export function Spinner({ size = "medium", label, decorative = false }: { size?: "small" | "medium"; label?: string; decorative?: boolean }) {
  if (decorative) return <span className={`spinner spinner-${size}`} aria-hidden="true" />;
  return (
    <span className="spinner-wrap" role="status">
      <span className={`spinner spinner-${size}`} aria-hidden="true" />
      {label && <span className="spinner-label">{label}</span>}
    </span>
  );
}

/** True once `busy` has stayed true for `delayMs` (so quick operations never flash a spinner). */
export function useDelayedBusy(busy: boolean, delayMs = 300): boolean {
  const [show, setShow] = useState(false);
  useEffect(() => {
    if (!busy) {
      setShow(false);
      return;
    }
    const timer = window.setTimeout(() => setShow(true), delayMs);
    return () => window.clearTimeout(timer);
  }, [busy, delayMs]);
  return show;
}
