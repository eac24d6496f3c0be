// The signed-in screens and how to go from one to another (a tiny in-memory router).
import { createContext, useContext } from "react";

export type Route =
  | { name: "schedule"; bookFor?: { id: string; name: string } }
  | { name: "scheduling-admin" }
  | { name: "patients" }
  | { name: "patient"; id: string }
  | { name: "patient-new" }
  | { name: "patient-edit"; id: string }
  | { name: "staff" }
  | { name: "audit" }
  | { name: "settings" }
  | { name: "backup" }
  | { name: "sync" };

export const NavigateContext = createContext<(route: Route) => void>(() => undefined);

export function useNavigate(): (route: Route) => void {
  return useContext(NavigateContext);
}
