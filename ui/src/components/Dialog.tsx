// Dialog: a modal built on the native <dialog> (focus trapped, Escape closes), which gives focus back where it was.
import { useEffect, useId, useRef, type ReactNode } from "react";

type Props = {
  open: boolean;
  title: string;
  onClose: () => void;
  children: ReactNode;
  /** Buttons, right-aligned under the body. */
  actions?: ReactNode;
  /** Which element gets the focus when the dialog opens (default: the first field or button). */
  initialFocusSelector?: string;
  /** When given, the body and actions form one form: Enter in a field submits (use a type="submit" action). */
  onSubmit?: () => void;
};

export function Dialog({ open, title, onClose, children, actions, initialFocusSelector, onSubmit }: Props) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const returnFocus = useRef<HTMLElement | null>(null);

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) {
      returnFocus.current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
      dialog.showModal();
      const target = initialFocusSelector
        ? dialog.querySelector<HTMLElement>(initialFocusSelector)
        : dialog.querySelector<HTMLElement>("input, select, textarea, button:not(.dialog-close)");
      target?.focus();
    } else if (!open && dialog.open) {
      dialog.close();
      returnFocus.current?.focus();
    }
  }, [open, initialFocusSelector]);

  useEffect(
    () => () => {
      if (ref.current?.open) returnFocus.current?.focus();
    },
    [],
  );

  return (
    <dialog
      ref={ref}
      className="dialog"
      aria-labelledby={titleId}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
    >
      {open && (
        <>
          <h2 id={titleId} className="dialog-title">
            {title}
          </h2>
          {onSubmit ? (
            <form
              noValidate
              onSubmit={(e) => {
                e.preventDefault();
                onSubmit();
              }}
            >
              <div className="dialog-body">{children}</div>
              {actions && <div className="dialog-actions">{actions}</div>}
            </form>
          ) : (
            <>
              <div className="dialog-body">{children}</div>
              {actions && <div className="dialog-actions">{actions}</div>}
            </>
          )}
        </>
      )}
    </dialog>
  );
}
