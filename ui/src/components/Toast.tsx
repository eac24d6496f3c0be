// Toasts: short success and error messages in a live region at the corner of the window, dismissable.
import { createContext, useCallback, useContext, useMemo, useRef, useState, type ReactNode } from "react";
import { useTranslation } from "react-i18next";

export type ToastKind = "success" | "error" | "info";
type ToastItem = { id: number; kind: ToastKind; title: string; message?: string | undefined };
type ToastApi = { show: (kind: ToastKind, title: string, message?: string) => void };

const ToastContext = createContext<ToastApi>({ show: () => undefined });

export function useToast(): ToastApi {
  return useContext(ToastContext);
}

export function ToastProvider({ children }: { children: ReactNode }) {
  const { t } = useTranslation();
  const [items, setItems] = useState<ToastItem[]>([]);
  const next = useRef(1);

  const dismiss = useCallback((id: number) => setItems((all) => all.filter((i) => i.id !== id)), []);
  const show = useCallback(
    (kind: ToastKind, title: string, message?: string) => {
      const id = next.current++;
      setItems((all) => [...all.slice(-3), { id, kind, title, message }]);
      // Errors stay until dismissed (or replaced); the rest fade after a while.
      if (kind !== "error") window.setTimeout(() => dismiss(id), 6000);
    },
    [dismiss],
  );
  const value = useMemo(() => ({ show }), [show]);

  return (
    <ToastContext.Provider value={value}>
      {children}
      <div className="toasts" aria-live="polite" aria-relevant="additions">
        {items.map((item) => (
          <div key={item.id} className={`toast toast-${item.kind}`} role={item.kind === "error" ? "alert" : "status"}>
            <div className="toast-text">
              <p className="toast-title">{item.title}</p>
              {item.message && <p className="toast-message">{item.message}</p>}
            </div>
            <button type="button" className="toast-close" onClick={() => dismiss(item.id)} aria-label={t("common.dismiss")}>
              ×
            </button>
          </div>
        ))}
      </div>
    </ToastContext.Provider>
  );
}
