// The signed-in session: permissions, the idle lock (local timer + touch_session), and `run`, which every session call goes through.
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { api, type ClinicSettings, type DateFormat, type IpcError, type Permission, type Result, type SessionInfo } from "../api";
import { clock } from "../clock";
import { useToast } from "../components/Toast";
import { errorTitle } from "../errors";

/** Activity is reported to core at most this often. */
export const TOUCH_INTERVAL_MS = 30_000;

export type RunOptions = {
  /** The caller shows `unauthenticated` itself (a wrong password), instead of signing out. */
  ownUnauthenticated?: boolean;
  /** No toast for errors (the caller shows them); `locked` and sign-out still apply. */
  quiet?: boolean;
};

type SessionApi = {
  info: SessionInfo;
  settings: ClinicSettings | null;
  setSettings: (s: ClinicSettings) => void;
  locked: boolean;
  /** How many calls are under way (for the progress bar). */
  pending: number;
  can: (p: Permission) => boolean;
  run: <T>(call: (session: string) => Promise<Result<T>>, options?: RunOptions) => Promise<Result<T>>;
  lockNow: () => void;
  unlocked: () => void;
  signOut: () => void;
};

const SessionContext = createContext<SessionApi | null>(null);

/** How this clinic types dates (its setting; day-month-year until the settings have loaded). */
export function useDateFormat(): DateFormat {
  return useSession().settings?.date_format ?? "DMY";
}

export function useSession(): SessionApi {
  const value = useContext(SessionContext);
  if (!value) throw new Error("useSession outside a signed-in screen");
  return value;
}

type Props = { info: SessionInfo; onSignedOut: (expired: boolean) => void; children: ReactNode };

export function SessionProvider({ info, onSignedOut, children }: Props) {
  const { t } = useTranslation();
  const toast = useToast();
  const [locked, setLocked] = useState(false);
  const [pending, setPending] = useState(0);
  const [settings, setSettings] = useState<ClinicSettings | null>(null);
  const lastActivity = useRef(clock.now());
  const lastTouch = useRef(clock.now());
  const lockedRef = useRef(false);
  const session = info.session_id;

  const markLocked = useCallback(() => {
    lockedRef.current = true;
    setLocked(true);
  }, []);

  const run = useCallback(
    async <T,>(call: (session: string) => Promise<Result<T>>, options: RunOptions = {}): Promise<Result<T>> => {
      setPending((n) => n + 1);
      let result: Result<T>;
      try {
        result = await call(session);
      } catch (e) {
        const error: IpcError = { code: "internal", message: e instanceof Error ? e.message : String(e), field: null };
        result = { status: "error", error };
      } finally {
        setPending((n) => n - 1);
      }
      if (result.status === "error") {
        const { code, message, field } = result.error;
        if (code === "locked") {
          markLocked();
        } else if (code === "unauthenticated" && !options.ownUnauthenticated) {
          toast.show("error", t("session.ended"), message);
          onSignedOut(true);
        } else if (!options.quiet && !(code === "validation" && field) && !(code === "unauthenticated")) {
          toast.show("error", errorTitle(t, code), message);
        }
      }
      return result;
    },
    [session, markLocked, onSignedOut, toast, t],
  );

  const lockNow = useCallback(() => {
    if (lockedRef.current) return;
    markLocked();
    void api.lockSession(session).catch(() => undefined);
  }, [session, markLocked]);

  const unlocked = useCallback(() => {
    lockedRef.current = false;
    lastActivity.current = clock.now();
    lastTouch.current = clock.now();
    setLocked(false);
  }, []);

  const signOut = useCallback(() => {
    void api.logout(session).catch(() => undefined);
    onSignedOut(false);
  }, [session, onSignedOut]);

  // Activity: keeps the local timer fresh and tells core, at most once every 30 s.
  useEffect(() => {
    const onActivity = () => {
      if (lockedRef.current) return;
      const now = clock.now();
      lastActivity.current = now;
      if (now - lastTouch.current >= TOUCH_INTERVAL_MS) {
        lastTouch.current = now;
        void api
          .touchSession(session)
          .then((r) => {
            if (r.status === "error" && r.error.code === "locked") markLocked();
            if (r.status === "error" && r.error.code === "unauthenticated") onSignedOut(true);
          })
          .catch(() => undefined);
      }
    };
    const events = ["keydown", "pointerdown", "mousemove", "wheel", "touchstart"] as const;
    for (const e of events) window.addEventListener(e, onActivity, { capture: true, passive: true });
    return () => {
      for (const e of events) window.removeEventListener(e, onActivity, { capture: true });
    };
  }, [session, markLocked, onSignedOut]);

  // The local idle timer: locks at idle_lock_minutes without waiting for core to refuse a call.
  const idleMs = (settings?.idle_lock_minutes ?? info.idle_lock_minutes) * 60_000;
  useEffect(() => {
    const timer = window.setInterval(() => {
      if (!lockedRef.current && clock.now() - lastActivity.current >= idleMs) lockNow();
    }, 1000);
    return () => window.clearInterval(timer);
  }, [idleMs, lockNow]);

  // The clinic's settings (name, date format, idle lock) for every screen.
  useEffect(() => {
    let live = true;
    void api.getSettings(session).then((r) => {
      if (live && r.status === "ok") setSettings(r.data);
    });
    return () => {
      live = false;
    };
  }, [session]);

  const permissions = info.permissions;
  const can = useCallback((p: Permission) => permissions.includes(p), [permissions]);

  const value = useMemo<SessionApi>(
    () => ({ info, settings, setSettings, locked, pending, can, run, lockNow, unlocked, signOut }),
    [info, settings, locked, pending, can, run, lockNow, unlocked, signOut],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}
