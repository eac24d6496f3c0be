// A clinician's calendar subscription link (ADR 12): make it, show and copy it, make a new one, stop it, and the
// links made on this computer. Administrators choose the doctor or nurse; a clinician manages their own.
import { useEffect, useId, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { api, type CalendarFeed, type FeedLink } from "../../api";
import { Banner } from "../../components/Banner";
import { Button } from "../../components/Button";
import { Dialog } from "../../components/Dialog";
import { Select, type Option } from "../../components/Select";
import { TextField } from "../../components/TextField";
import { useToast } from "../../components/Toast";
import { formatDateTime } from "../../format";
import { useSession } from "../../session/SessionContext";
import { useFieldErrors } from "./useFieldErrors";

type Props = {
  /** Administrators: the doctors and nurses to choose from. Absent: the signed-in clinician's own link. */
  clinicians?: Option[];
};

export function CalendarFeedCard({ clinicians }: Props) {
  const { t } = useTranslation();
  const { run, info } = useSession();
  const toast = useToast();
  const fe = useFieldErrors({ clinician_id: "feed_clinician" });
  const titleId = useId();
  const urlField = useRef<HTMLInputElement>(null);
  const [chosen, setChosen] = useState("");
  const [feeds, setFeeds] = useState<CalendarFeed[] | null>(null);
  // The link shown, with whose it is, so another clinician's never shows while theirs loads.
  const [shown, setShown] = useState<{ who: string; link: FeedLink | null } | null>(null);
  const [names, setNames] = useState<Map<string, string>>(new Map());
  const [version, setVersion] = useState(0);
  const [confirm, setConfirm] = useState<"replace" | "stop" | null>(null);
  const [busy, setBusy] = useState(false);

  const own = clinicians === undefined;
  const who = own ? info.staff_id : chosen || clinicians[0]?.value || "";
  const whoName = own ? info.display_name : (clinicians.find((c) => c.value === who)?.label ?? "");
  const { clear, show } = fe;
  const link = shown?.who === who ? shown.link : null;

  useEffect(() => {
    let live = true;
    void run((s) => api.listCalendarFeeds(s), { quiet: true }).then((r) => {
      if (!live) return;
      if (r.status === "ok") setFeeds(r.data);
      else show(r.error);
    });
    return () => {
      live = false;
    };
  }, [run, show, version]);

  useEffect(() => {
    let live = true;
    if (!who) return;
    void run((s) => api.calendarFeedLink(s, who), { quiet: true }).then((r) => {
      if (!live) return;
      if (r.status === "ok") setShown({ who, link: r.data });
      else show(r.error);
    });
    return () => {
      live = false;
    };
  }, [run, show, who, version]);

  // Who made or stopped a link: administrators see every name; a clinician knows only their own, and only an
  // administrator can act on their link besides them.
  useEffect(() => {
    if (own) return;
    void run((s) => api.listStaff(s), { quiet: true }).then((r) => r.status === "ok" && setNames(new Map(r.data.map((m) => [m.id, m.display_name]))));
  }, [run, own]);
  const person = (id: string | null) => (id === info.staff_id ? info.display_name : ((id && names.get(id)) ?? t("schedule.feed.anAdministrator")));

  const issue = async () => {
    clear();
    setBusy(true);
    const r = await run((s) => api.issueCalendarFeed(s, who), { quiet: true });
    setBusy(false);
    setConfirm(null);
    if (r.status === "error") return show(r.error);
    setShown({ who, link: r.data });
    toast.show("success", t("schedule.feed.made", { who: whoName }));
    setVersion((v) => v + 1);
  };

  const stop = async () => {
    clear();
    setBusy(true);
    const r = await run((s) => api.revokeCalendarFeed(s, who), { quiet: true });
    setBusy(false);
    setConfirm(null);
    if (r.status === "error") return show(r.error);
    setShown({ who, link: null });
    toast.show("success", t("schedule.feed.stopped", { who: whoName }));
    setVersion((v) => v + 1);
  };

  const copy = async (url: string) => {
    try {
      await navigator.clipboard.writeText(url);
      toast.show("success", t("schedule.feed.copied"));
    } catch {
      // The clipboard may be refused (no permission): leave the link selected for Ctrl+C.
      urlField.current?.focus();
      urlField.current?.select();
      toast.show("error", t("schedule.feed.copyFailed"));
    }
  };

  // Inside the "My day" panel the card is a sub-section; on the setup screen, one of the page's cards.
  const [Heading, Subheading] = own ? (["h3", "h4"] as const) : (["h2", "h3"] as const);
  return (
    <section className={own ? "feed-own" : "card admin-section"} aria-labelledby={titleId} data-testid="calendar-feed">
      <Heading className={own ? "card-subtitle" : "card-title"} id={titleId}>
        {t("schedule.feed.title")}
      </Heading>
      <p className="muted">{t("schedule.feed.lead")}</p>
      <p className="muted">{t("schedule.feed.names")}</p>
      {fe.general && <Banner kind="danger" title={fe.general} />}
      {!own && <Select label={t("schedule.clinician")} field="feed_clinician" value={who} onChange={(v) => {
            clear();
            setChosen(v);
          }} options={clinicians} error={fe.err("feed_clinician")} />}

      {link ? (
        <div>
          <TextField
            label={t("schedule.feed.link")}
            field="feed_url"
            className="field-mono"
            value={link.url}
            onChange={() => undefined}
            readOnly
            ref={urlField}
            onFocus={(e) => e.currentTarget.select()}
            hint={t("schedule.feed.howTo")}
          />
          <p className="muted">{t("schedule.feed.entry", { when: formatDateTime(link.feed.issued_at), by: person(link.feed.issued_by) })}</p>
          <div className="row-actions">
            <Button variant="primary" onClick={() => void copy(link.url)}>
              {t("schedule.feed.copy")}
            </Button>
            <Button onClick={() => setConfirm("replace")}>{t("schedule.feed.makeNew")}</Button>
            <Button variant="danger" onClick={() => setConfirm("stop")}>
              {t("schedule.feed.stop")}
            </Button>
          </div>
        </div>
      ) : (
        who && (
          <div>
            <p>{own ? t("schedule.feed.noLinkOwn") : t("schedule.feed.noLink", { who: whoName })}</p>
            <p className="muted">{t("schedule.feed.elsewhere")}</p>
            <Button variant="primary" busy={busy} onClick={() => void issue()}>
              {t("schedule.feed.make")}
            </Button>
          </div>
        )
      )}

      <Subheading className="card-subtitle">{t("schedule.feed.history")}</Subheading>
      {feeds && feeds.length === 0 && <p className="muted">{t("schedule.feed.historyNone")}</p>}
      {feeds && feeds.length > 0 && (
        <ul className="plain-list" aria-label={t("schedule.feed.history")} data-testid="calendar-feed-history">
          {feeds.map((f) => (
            <li key={f.id} className="queue-row">
              <strong>{f.clinician_name}</strong>{" "}
              <span className="muted">{t("schedule.feed.entry", { when: formatDateTime(f.issued_at), by: person(f.issued_by) })}</span>{" "}
              {f.revoked_at ? (
                <span className="status-pill status-off">{t("schedule.feed.revoked", { when: formatDateTime(f.revoked_at), by: person(f.revoked_by) })}</span>
              ) : (
                <span className="status-pill status-ok">{t("schedule.feed.live")}</span>
              )}
            </li>
          ))}
        </ul>
      )}

      <Dialog
        open={confirm === "replace"}
        title={t("schedule.feed.replaceTitle")}
        onClose={() => setConfirm(null)}
        actions={
          <>
            <Button onClick={() => setConfirm(null)}>{t("common.cancel")}</Button>
            <Button variant="primary" busy={busy} onClick={() => void issue()}>
              {t("schedule.feed.makeNew")}
            </Button>
          </>
        }
      >
        <p>{t("schedule.feed.replaceBody", { who: whoName })}</p>
      </Dialog>
      <Dialog
        open={confirm === "stop"}
        title={t("schedule.feed.stopTitle")}
        onClose={() => setConfirm(null)}
        actions={
          <>
            <Button onClick={() => setConfirm(null)}>{t("common.cancel")}</Button>
            <Button variant="danger" busy={busy} onClick={() => void stop()}>
              {t("schedule.feed.stop")}
            </Button>
          </>
        }
      >
        <p>{t("schedule.feed.stopBody", { who: whoName })}</p>
      </Dialog>
    </section>
  );
}
