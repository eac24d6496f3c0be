// Moves the keyboard focus to an element when a screen appears (its heading or its first field).
import { useEffect, useRef } from "react";

export function useFocusOnMount<T extends HTMLElement>(deps: unknown[] = []) {
  const ref = useRef<T>(null);
  useEffect(() => {
    ref.current?.focus();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);
  return ref;
}
