// The sidebar's sync line: online or offline, when last synced, what waits to be sent, what needs a person.
import { useTranslation } from "react-i18next";
import type { SyncStatus } from "../../api";
import { clock } from "../../clock";
import { formatRelative } from "../../format";
import { attentionCount, useSyncStatus } from "../../session/SyncStatusContext";
import { useNavigate } from "../routes";

type Tone = "ok" | "offline" | "problem" | "idle";

/** The one-line state and its tone, for the sidebar and the sync screen's heading. */
export function syncHeadline(t: (key: string, options?: Record<string, unknown>) => string, status: SyncStatus): { tone: Tone; text: string } {
  if (!status.enrolled) return { tone: "idle", text: t("sync.notConnected") };
  const problem = status.last_error;
  if (problem && problem.code === "offline") return { tone: "offline", text: t("sync.offline") };
  if (problem) return { tone: "problem", text: t(`sync.problem.${problem.code}`) };
  if (!status.last_synced_at) return { tone: "idle", text: t("sync.notYet") };
  return { tone: "ok", text: t("sync.syncedAgo", { ago: formatRelative(status.last_synced_at, clock.now()) }) };
}

export function SyncIndicator() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const { status } = useSyncStatus();
  if (!status) return null;
  const { tone, text } = syncHeadline(t, status);
  const attention = attentionCount(status);
  return (
    <button type="button" className={`sync-indicator sync-${tone}`} onClick={() => navigate({ name: "sync" })} data-testid="sync-indicator">
      <span className="sync-dot" aria-hidden="true" />
      <span className="sync-text">
        <span>{text}</span>
        {status.pending_count > 0 && <span className="muted">{t("sync.pending", { count: status.pending_count })}</span>}
        {attention > 0 && <span className="sync-attention">{t("sync.attention", { count: attention })}</span>}
      </span>
    </button>
  );
}
