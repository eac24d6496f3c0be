// The signed-in frame: sidebar navigation (by permission), the current screen, the progress bar and the idle lock.
import { useCallback, useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import type { Permission } from "../api";
import { Button } from "../components/Button";
import { LanguageSelect } from "../components/LanguageSelect";
import { useDelayedBusy } from "../components/Spinner";
import { useSession } from "../session/SessionContext";
import { ArrivalWatcher } from "../session/ArrivalWatcher";
import { attentionCount, SyncStatusProvider, useSyncStatus } from "../session/SyncStatusContext";
import { AuditScreen } from "./admin/AuditScreen";
import { BackupScreen } from "./admin/BackupScreen";
import { SettingsScreen } from "./admin/SettingsScreen";
import { StaffScreen } from "./admin/StaffScreen";
import { LockScreen } from "./LockScreen";
import { PatientEditScreen, PatientNewScreen } from "./patients/PatientFormScreens";
import { PatientListScreen } from "./patients/PatientListScreen";
import { PatientOverviewScreen } from "./patients/PatientOverviewScreen";
import { NavigateContext, type Route } from "./routes";
import { SyncIndicator } from "./sync/SyncIndicator";
import { ScheduleScreen } from "./schedule/ScheduleScreen";
import { SchedulingAdminScreen } from "./admin/SchedulingAdminScreen";
import { SyncScreen } from "./sync/SyncScreen";

type NavItem = { route: Route; label: string; permission: Permission; matches: Route["name"][]; badge?: number };

export function Shell() {
  return (
    <SyncStatusProvider>
      <ArrivalWatcher />
      <ShellFrame />
    </SyncStatusProvider>
  );
}

function ShellFrame() {
  const { t } = useTranslation();
  const { status: syncStatus } = useSyncStatus();
  const { info, settings, locked, pending, can, lockNow, signOut } = useSession();
  // Those who book or see patients all day start on the schedule; the others on the patient list.
  const [route, setRoute] = useState<Route>(() => (can("appointment_write") ? { name: "schedule" } : { name: "patients" }));
  const [query, setQuery] = useState("");
  const showProgress = useDelayedBusy(pending > 0);
  const mainRef = useRef<HTMLElement>(null);

  const navigate = useCallback((next: Route) => setRoute(next), []);

  // Focus: a new screen's heading gets the focus (the patient list focuses its search box itself).
  useEffect(() => {
    if (route.name === "patients") return;
    const heading = mainRef.current?.querySelector<HTMLElement>("h1");
    heading?.focus();
  }, [route]);

  const items: NavItem[] = [
    { route: { name: "schedule" }, label: t("nav.schedule"), permission: "appointment_read", matches: ["schedule"] },
    { route: { name: "patients" }, label: t("nav.patients"), permission: "patient_read", matches: ["patients", "patient", "patient-edit"] },
    { route: { name: "patient-new" }, label: t("nav.newPatient"), permission: "patient_write", matches: ["patient-new"] },
    { route: { name: "scheduling-admin" }, label: t("nav.schedulingAdmin"), permission: "schedule_manage", matches: ["scheduling-admin"] },
    { route: { name: "staff" }, label: t("nav.staff"), permission: "staff_manage", matches: ["staff"] },
    { route: { name: "audit" }, label: t("nav.audit"), permission: "audit_read", matches: ["audit"] },
    { route: { name: "settings" }, label: t("nav.settings"), permission: "settings_manage", matches: ["settings"] },
    { route: { name: "backup" }, label: t("nav.backup"), permission: "backup_restore", matches: ["backup"] },
    { route: { name: "sync" }, label: t("nav.sync"), permission: "sync_run", matches: ["sync"], badge: attentionCount(syncStatus) },
  ];

  return (
    <NavigateContext.Provider value={navigate}>
      {locked && <LockScreen />}
      <div className="shell" hidden={locked} inert={locked}>
        <a className="skip-link" href="#main">
          {t("nav.skipToContent")}
        </a>
        {showProgress && <div className="progress-bar" role="progressbar" aria-label={t("common.working")} />}
        <aside className="sidebar">
          <div className="sidebar-brand">
            <span className="brand-mark" aria-hidden="true">+</span>
            <div>
              <p className="brand-name">{t("app.name")}</p>
              {settings && <p className="sidebar-clinic">{settings.name}</p>}
            </div>
          </div>
          <nav aria-label={t("nav.label")}>
            <ul className="nav-list">
              {items
                .filter((i) => can(i.permission))
                .map((i) => {
                  const current = i.matches.includes(route.name);
                  return (
                    <li key={i.route.name}>
                      <button type="button" className={`nav-item${current ? " nav-item-current" : ""}`} aria-current={current ? "page" : undefined} onClick={() => navigate(i.route)}>
                        {i.label}
                        {i.badge ? (
                          <span className="nav-badge" aria-label={t("sync.attention", { count: i.badge })}>
                            {i.badge}
                          </span>
                        ) : null}
                      </button>
                    </li>
                  );
                })}
            </ul>
          </nav>
          <div className="sidebar-footer">
            <SyncIndicator />
            <p className="signed-in-as">
              <span className="muted">{t("nav.signedInAs")}</span>
              <strong data-testid="signed-in-name">{info.display_name}</strong>
              <span className="muted">{t(`roles.${info.role}`)}</span>
            </p>
            <div className="sidebar-actions">
              <Button onClick={lockNow}>{t("nav.lock")}</Button>
              <Button variant="ghost" onClick={signOut}>
                {t("nav.signOut")}
              </Button>
            </div>
            <LanguageSelect className="language-inline" />
          </div>
        </aside>
        <main id="main" ref={mainRef} tabIndex={-1} className="content" aria-busy={pending > 0}>
          <CurrentScreen route={route} query={query} setQuery={setQuery} />
        </main>
      </div>
    </NavigateContext.Provider>
  );
}

function CurrentScreen({ route, query, setQuery }: { route: Route; query: string; setQuery: (q: string) => void }) {
  switch (route.name) {
    case "schedule":
      return <ScheduleScreen key={route.bookFor?.id ?? ""} bookFor={route.bookFor} />;
    case "scheduling-admin":
      return <SchedulingAdminScreen />;
    case "patients":
      return <PatientListScreen query={query} setQuery={setQuery} />;
    case "patient":
      return <PatientOverviewScreen key={route.id} id={route.id} />;
    case "patient-new":
      return <PatientNewScreen />;
    case "patient-edit":
      return <PatientEditScreen key={route.id} id={route.id} />;
    case "staff":
      return <StaffScreen />;
    case "audit":
      return <AuditScreen />;
    case "settings":
      return <SettingsScreen />;
    case "backup":
      return <BackupScreen />;
    case "sync":
      return <SyncScreen />;
  }
}
