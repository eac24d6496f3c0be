// Staff management (administrators): the list, adding someone, changing a role, (de)activating, resetting a password.
import { useCallback, useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { api, type Role, type StaffMember } from "../../api";
import { Button } from "../../components/Button";
import { Dialog } from "../../components/Dialog";
import { Select } from "../../components/Select";
import { Spinner } from "../../components/Spinner";
import { TextField } from "../../components/TextField";
import { useToast } from "../../components/Toast";
import { errorFor, fieldErrorOf, type FieldError } from "../../errors";
import { formatDate } from "../../format";
import { useSession } from "../../session/SessionContext";

export const ROLES: Role[] = ["administrator", "doctor", "nurse", "receptionist", "billing_clerk"];

export function StaffScreen() {
  const { t } = useTranslation();
  const { run, info } = useSession();
  const toast = useToast();
  const [staff, setStaff] = useState<StaffMember[] | null>(null);
  const [adding, setAdding] = useState(false);
  const [resetting, setResetting] = useState<StaffMember | null>(null);

  const load = useCallback(() => {
    void run((s) => api.listStaff(s)).then((r) => r.status === "ok" && setStaff(r.data));
  }, [run]);
  useEffect(load, [load]);

  const replace = (m: StaffMember) => setStaff((all) => (all ?? []).map((x) => (x.id === m.id ? m : x)));

  const changeRole = async (m: StaffMember, role: Role) => {
    const r = await run((s) => api.changeStaffRole(s, m.id, role));
    if (r.status === "ok") {
      replace(r.data);
      toast.show("success", t("staff.roleChanged", { name: m.display_name, role: t(`roles.${role}`) }));
    } else load();
  };
  const setActive = async (m: StaffMember, active: boolean) => {
    const r = await run((s) => (active ? api.reactivateStaff(s, m.id) : api.deactivateStaff(s, m.id)));
    if (r.status === "ok") {
      replace(r.data);
      toast.show("success", t(active ? "staff.reactivated" : "staff.deactivated", { name: m.display_name }));
    }
  };

  return (
    <section className="page">
      <header className="page-header page-header-row">
        <h1 tabIndex={-1}>{t("staff.title")}</h1>
        <Button variant="primary" onClick={() => setAdding(true)}>
          {t("staff.add")}
        </Button>
      </header>
      {!staff && <Spinner label={t("common.loading")} />}
      {staff && (
        <table className="table">
          <caption className="visually-hidden">{t("staff.tableCaption")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("staff.displayName")}</th>
              <th scope="col">{t("staff.username")}</th>
              <th scope="col">{t("staff.role")}</th>
              <th scope="col">{t("staff.status")}</th>
              <th scope="col">{t("staff.created")}</th>
              <th scope="col">{t("staff.actions")}</th>
            </tr>
          </thead>
          <tbody>
            {staff.map((m) => {
              const self = m.id === info.staff_id;
              return (
                <tr key={m.id} className={m.active ? undefined : "row-inactive"}>
                  <th scope="row">{m.display_name}</th>
                  <td>{m.username}</td>
                  <td>
                    <Select
                      label={t("staff.roleOf", { name: m.display_name })}
                      className="field-compact label-hidden"
                      field={`role-${m.id}`}
                      value={m.role}
                      options={ROLES.map((r) => ({ value: r, label: t(`roles.${r}`) }))}
                      onChange={(v) => void changeRole(m, v as Role)}
                      disabled={self}
                    />
                  </td>
                  <td>
                    <span className={`status-pill ${m.active ? "status-ok" : "status-off"}`}>{m.active ? t("staff.active") : t("staff.inactive")}</span>
                    {m.must_change_password && <span className="status-pill status-note">{t("staff.mustChange")}</span>}
                  </td>
                  <td className="nowrap">{formatDate(m.created_at.slice(0, 10))}</td>
                  <td>
                    <div className="row-actions">
                    <Button onClick={() => setResetting(m)} aria-label={t("staff.resetFor", { name: m.display_name })}>
                      {t("staff.reset")}
                    </Button>
                    {!self && (
                      <Button
                        variant="secondary"
                        onClick={() => void setActive(m, !m.active)}
                        aria-label={t(m.active ? "staff.deactivateFor" : "staff.reactivateFor", { name: m.display_name })}
                      >
                        {m.active ? t("staff.deactivate") : t("staff.reactivate")}
                      </Button>
                    )}
                    </div>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      <AddStaffDialog open={adding} onClose={() => setAdding(false)} onAdded={(m) => setStaff((all) => [...(all ?? []), m])} />
      <ResetPasswordDialog member={resetting} onClose={() => setResetting(null)} onDone={replace} />
    </section>
  );
}

function AddStaffDialog({ open, onClose, onAdded }: { open: boolean; onClose: () => void; onAdded: (m: StaffMember) => void }) {
  const { t } = useTranslation();
  const { run } = useSession();
  const toast = useToast();
  const [username, setUsername] = useState("");
  const [displayName, setDisplayName] = useState("");
  const [role, setRole] = useState<Role>("receptionist");
  const [password, setPassword] = useState("");
  const [fieldError, setFieldError] = useState<FieldError>(null);
  const [busy, setBusy] = useState(false);
  const err = (f: string) => errorFor(fieldError, f);

  const submit = async () => {
    setBusy(true);
    const r = await run((s) => api.createStaff(s, { username, display_name: displayName, role, password }));
    setBusy(false);
    if (r.status === "ok") {
      toast.show("success", t("staff.added", { name: r.data.display_name }));
      onAdded(r.data);
      setUsername("");
      setDisplayName("");
      setPassword("");
      setFieldError(null);
      onClose();
    } else setFieldError(fieldErrorOf(r.error));
  };

  return (
    <Dialog
      open={open}
      title={t("staff.addTitle")}
      onClose={onClose}
      onSubmit={() => void submit()}
      actions={
        <>
          <Button onClick={onClose}>{t("common.cancel")}</Button>
          <Button type="submit" variant="primary" busy={busy}>
            {t("staff.addSubmit")}
          </Button>
        </>
      }
    >
      <div className="form">
        <TextField label={t("staff.displayName")} field="display_name" value={displayName} onChange={setDisplayName} error={err("display_name")} required />
        <TextField label={t("staff.username")} field="username" value={username} onChange={setUsername} error={err("username")} autoComplete="off" required />
        <Select label={t("staff.role")} field="role" value={role} options={ROLES.map((r) => ({ value: r, label: t(`roles.${r}`) }))} onChange={(v) => setRole(v as Role)} error={err("role")} />
        <TextField
          label={t("staff.temporaryPassword")}
          field="password"
          type="password"
          value={password}
          onChange={setPassword}
          error={err("password")}
          hint={t("staff.temporaryHint")}
          autoComplete="new-password"
          required
        />
      </div>
    </Dialog>
  );
}

function ResetPasswordDialog({ member, onClose, onDone }: { member: StaffMember | null; onClose: () => void; onDone: (m: StaffMember) => void }) {
  const { t } = useTranslation();
  const { run } = useSession();
  const toast = useToast();
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async () => {
    if (!member) return;
    setBusy(true);
    const r = await run((s) => api.resetStaffPassword(s, member.id, password));
    setBusy(false);
    if (r.status === "ok") {
      toast.show("success", t("staff.resetDone", { name: member.display_name }));
      onDone(r.data);
      setPassword("");
      setError(null);
      onClose();
    } else if (r.error.code === "validation") setError(r.error.message);
  };

  return (
    <Dialog
      open={member !== null}
      title={t("staff.resetTitle", { name: member?.display_name ?? "" })}
      onClose={onClose}
      onSubmit={() => void submit()}
      actions={
        <>
          <Button onClick={onClose}>{t("common.cancel")}</Button>
          <Button type="submit" variant="primary" busy={busy}>
            {t("staff.resetSubmit")}
          </Button>
        </>
      }
    >
      <p>{t("staff.resetBody")}</p>
      <TextField label={t("staff.temporaryPassword")} field="temporary_password" type="password" value={password} onChange={setPassword} error={error} hint={t("staff.temporaryHint")} autoComplete="new-password" required />
    </Dialog>
  );
}
