// "Your patient has arrived": for a signed-in clinician, asks every few seconds whether any of today's patients
// has checked in (here or at reception, brought by sync). The shell also shows a desktop notification; this shows
// the in-app message with the patient's name, which the desktop notification leaves out.
import { useEffect } from "react";
import { useTranslation } from "react-i18next";
import { api } from "../api";
import { useToast } from "../components/Toast";
import { useSession } from "./SessionContext";

/** How often arrivals are asked for (a read: it does not count as activity for the idle lock). */
export const ARRIVALS_POLL_MS = 10_000;

export function ArrivalWatcher() {
  const { t } = useTranslation();
  const toast = useToast();
  const { info, locked, can } = useSession();
  const watches = can("appointment_write") && (info.role === "doctor" || info.role === "nurse");

  useEffect(() => {
    if (!watches || locked) return;
    let stopped = false;
    const check = async () => {
      try {
        const r = await api.checkArrivals(info.session_id);
        if (stopped || r.status !== "ok") return;
        for (const card of r.data) {
          toast.show(
            "info",
            t("schedule.arrived.title", { name: card.patient_name }),
            t("schedule.arrived.message", { time: card.local_start.slice(11, 16), type: card.type_name }),
          );
        }
      } catch {
        // The next look tries again.
      }
    };
    void check();
    const timer = window.setInterval(() => void check(), ARRIVALS_POLL_MS);
    return () => {
      stopped = true;
      window.clearInterval(timer);
    };
  }, [watches, locked, info.session_id, t, toast]);

  return null;
}
