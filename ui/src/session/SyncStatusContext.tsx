// The sync status every signed-in screen can show: polled quietly, refreshed at once after a sync action.
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import { api, type SyncStatus } from "../api";
import { useSession } from "./SessionContext";

/** How often the status is read while signed in (reading it is not activity, so the idle lock still works). */
export const SYNC_STATUS_POLL_MS = 15_000;

type SyncStatusApi = { status: SyncStatus | null; refresh: () => Promise<void> };

const SyncStatusContext = createContext<SyncStatusApi>({ status: null, refresh: async () => undefined });

export function useSyncStatus(): SyncStatusApi {
  return useContext(SyncStatusContext);
}

export function SyncStatusProvider({ children }: { children: ReactNode }) {
  const { info, locked } = useSession();
  const [status, setStatus] = useState<SyncStatus | null>(null);

  // Straight to the command, not through `run`: a background read shows no progress bar and no toast.
  const refresh = useCallback(async () => {
    try {
      const r = await api.syncStatus(info.session_id);
      if (r.status === "ok") setStatus(r.data);
    } catch {
      // The next poll tries again.
    }
  }, [info.session_id]);

  useEffect(() => {
    if (locked) return;
    void refresh();
    const timer = window.setInterval(() => void refresh(), SYNC_STATUS_POLL_MS);
    return () => window.clearInterval(timer);
  }, [locked, refresh]);

  const value = useMemo(() => ({ status, refresh }), [status, refresh]);
  return <SyncStatusContext.Provider value={value}>{children}</SyncStatusContext.Provider>;
}

/** How many things wait for a person: open review items and refused changes. */
export function attentionCount(status: SyncStatus | null): number {
  return status ? status.open_review_items + status.rejected.length : 0;
}
