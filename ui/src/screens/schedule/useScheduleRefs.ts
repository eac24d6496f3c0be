// What every scheduling screen needs to draw and fill forms: active appointment types, clinicians, the policy.
import { useEffect, useState } from "react";
import { api, type AppointmentType, type Clinician, type SchedulingPolicy } from "../../api";
import { useSession } from "../../session/SessionContext";

export type ScheduleRefs = { types: AppointmentType[]; clinicians: Clinician[]; policy: SchedulingPolicy | null; loaded: boolean };

export function useScheduleRefs(): ScheduleRefs {
  const { run } = useSession();
  const [refs, setRefs] = useState<ScheduleRefs>({ types: [], clinicians: [], policy: null, loaded: false });
  useEffect(() => {
    let live = true;
    void Promise.all([run((s) => api.listAppointmentTypes(s, false)), run((s) => api.listClinicians(s)), run((s) => api.schedulingPolicy(s), { quiet: true })]).then(([types, clinicians, policy]) => {
      if (!live) return;
      setRefs({
        types: types.status === "ok" ? types.data : [],
        clinicians: clinicians.status === "ok" ? clinicians.data.filter((c) => c.active) : [],
        policy: policy.status === "ok" ? policy.data : null,
        loaded: true,
      });
    });
    return () => {
      live = false;
    };
  }, [run]);
  return refs;
}
