// The one door to the Rust commands: wraps the generated `commands`, with the app-side names of their types.
import { commands } from "./bindings";
import type {
  AppStatus,
  AuditEntry_Serialize,
  AuditFilter_Deserialize,
  BackupDone_Serialize,
  ChainReport,
  ClinicSettings,
  ExportDone,
  FirstAdministrator,
  IpcError_Serialize,
  NewStaff,
  PatientDraft_Serialize,
  PatientSummary_Serialize,
  Patient_Serialize,
  RegisterOutcome_Serialize,
  RejectedMutation_Serialize,
  ReviewDecision,
  ReviewItemView_Serialize,
  Role,
  SessionInfo,
  StaffMember,
  SyncReport_Serialize,
  SyncStatus_Serialize,
} from "./bindings";

export type { AppStatus, ChainReport, ClinicSettings, FirstAdministrator, NewStaff, Role, SessionInfo, StaffMember };
export type {
  Address_Serialize as Address,
  AuditAction,
  DateFormat,
  EmergencyContact,
  ErrorCode,
  Identifier,
  Insurance_Serialize as Insurance,
  MatchKind,
  Permission,
  Phone,
  PhoneKind,
  Sex,
  ClockSkew,
  ConnectionState,
  Enrollment,
  FieldClashView,
  ReviewDecision,
  ReviewItemKind,
  ReviewItemStatus,
  SyncProblem,
  SyncProblemCode,
} from "./bindings";

/** What the app receives: the generated `_Serialize` shapes (every field present). */
export type IpcError = IpcError_Serialize;
export type AuditEntry = AuditEntry_Serialize;
export type AuditFilter = AuditFilter_Deserialize;
export type PatientDraft = PatientDraft_Serialize;
export type Patient = Patient_Serialize;
export type PatientSummary = PatientSummary_Serialize;
export type RegisterOutcome = RegisterOutcome_Serialize;
export type SyncStatus = SyncStatus_Serialize;
export type SyncReport = SyncReport_Serialize;
export type ReviewItem = ReviewItemView_Serialize;
export type RejectedChange = RejectedMutation_Serialize;

/** What every command resolves to. */
export type Result<T> = { status: "ok"; data: T } | { status: "error"; error: IpcError };

export type BackupDone = BackupDone_Serialize;
export type AuditExport = ExportDone;

type Session = string;

export const api = {
  // Before sign-in
  appStatus: (): Promise<Result<AppStatus>> => commands.appStatus(),
  setupClinic: (settings: ClinicSettings, administrator: FirstAdministrator, deviceCode: string) =>
    commands.setupClinic(settings, administrator, deviceCode),
  unlockWithRecoveryKey: (recoveryKey: string): Promise<Result<AppStatus>> => commands.unlockWithRecoveryKey(recoveryKey),
  /** Joins a clinic that already syncs (instead of setup): the new database's recovery key and the status. */
  joinClinic: (serverUrl: string, code: string, deviceName: string, deviceCode: string): Promise<Result<{ recovery_key: string; status: AppStatus }>> =>
    commands.joinClinic(serverUrl, code, deviceName, deviceCode),
  continueJoin: (): Promise<Result<AppStatus>> => commands.continueJoin(),
  /** `null`: the person cancelled the file dialog. */
  restoreBackup: (session: Session | null, backupKey: string | null): Promise<Result<AppStatus | null>> =>
    commands.restoreBackup(session, backupKey),

  // Sessions
  login: (username: string, password: string): Promise<Result<SessionInfo>> => commands.login(username, password),
  logout: (session: Session) => commands.logout(session),
  lockSession: (session: Session) => commands.lockSession(session),
  unlockSession: (session: Session, password: string) => commands.unlockSession(session, password),
  touchSession: (session: Session) => commands.touchSession(session),
  changeOwnPassword: (session: Session, currentPassword: string, newPassword: string) =>
    commands.changeOwnPassword(session, currentPassword, newPassword),

  // Staff
  listStaff: (session: Session): Promise<Result<StaffMember[]>> => commands.listStaff(session),
  createStaff: (session: Session, staff: NewStaff): Promise<Result<StaffMember>> => commands.createStaff(session, staff),
  changeStaffRole: (session: Session, staffId: string, role: Role): Promise<Result<StaffMember>> =>
    commands.changeStaffRole(session, staffId, role),
  deactivateStaff: (session: Session, staffId: string): Promise<Result<StaffMember>> =>
    commands.deactivateStaff(session, staffId),
  reactivateStaff: (session: Session, staffId: string): Promise<Result<StaffMember>> =>
    commands.reactivateStaff(session, staffId),
  resetStaffPassword: (session: Session, staffId: string, temporaryPassword: string): Promise<Result<StaffMember>> =>
    commands.resetStaffPassword(session, staffId, temporaryPassword),

  // Settings and audit
  getSettings: (session: Session): Promise<Result<ClinicSettings>> => commands.getSettings(session),
  updateSettings: (session: Session, settings: ClinicSettings): Promise<Result<ClinicSettings>> =>
    commands.updateSettings(session, settings),
  listAudit: (session: Session, filter: AuditFilter): Promise<Result<AuditEntry[]>> => commands.listAudit(session, filter),
  verifyAudit: (session: Session): Promise<Result<ChainReport>> => commands.verifyAudit(session),
  /** `null`: the person cancelled the save dialog. */
  exportAuditCsv: (session: Session, filter: AuditFilter): Promise<Result<AuditExport | null>> => commands.exportAuditCsv(session, filter),

  // Patients
  searchPatients: (session: Session, query: string, limit: number): Promise<Result<PatientSummary[]>> =>
    commands.searchPatients(session, query, limit),
  checkDuplicates: (session: Session, draft: PatientDraft): Promise<Result<PatientSummary[]>> => commands.checkDuplicates(session, draft),
  registerPatient: (session: Session, draft: PatientDraft, confirmNotDuplicate: boolean): Promise<Result<RegisterOutcome>> =>
    commands.registerPatient(session, draft, confirmNotDuplicate),
  getPatient: (session: Session, patientId: string): Promise<Result<Patient>> => commands.getPatient(session, patientId),
  updatePatient: (session: Session, patientId: string, expectedRowVersion: number, draft: PatientDraft): Promise<Result<Patient>> =>
    commands.updatePatient(session, patientId, expectedRowVersion, draft),
  deletePatient: (session: Session, patientId: string, reason: string): Promise<Result<Patient>> =>
    commands.deletePatient(session, patientId, reason),
  mergePatients: (session: Session, survivorId: string, duplicateId: string, reason: string): Promise<Result<Patient>> =>
    commands.mergePatients(session, survivorId, duplicateId, reason),

  // Sync with the clinic server
  syncStatus: (session: Session): Promise<Result<SyncStatus>> => commands.syncStatus(session),
  syncNow: (session: Session): Promise<Result<SyncReport>> => commands.syncNow(session),
  enrollDevice: (session: Session, serverUrl: string, code: string, deviceName: string) =>
    commands.enrollDevice(session, serverUrl, code, deviceName),
  listReviewItems: (session: Session, includeClosed: boolean): Promise<Result<ReviewItem[]>> =>
    commands.listReviewItems(session, includeClosed),
  resolveReviewItem: (session: Session, id: string, decision: ReviewDecision, resolution: string): Promise<Result<ReviewItem>> =>
    commands.resolveReviewItem(session, id, decision, resolution),
  listRejectedChanges: (session: Session): Promise<Result<RejectedChange[]>> => commands.listRejectedChanges(session),
  retryRejectedChange: (session: Session, deviceSeq: number) => commands.retryRejectedChange(session, deviceSeq),
  discardRejectedChange: (session: Session, deviceSeq: number, reason: string) => commands.discardRejectedChange(session, deviceSeq, reason),

  // Backups and recovery
  /** `null`: the person cancelled the save dialog (Rust opens it). */
  createBackup: (session: Session, newKey: boolean): Promise<Result<BackupDone | null>> => commands.createBackup(session, newKey),
  /** The saved PDF's path, or `null` if the person cancelled. */
  exportRecoverySheet: (session: Session): Promise<Result<string | null>> => commands.exportRecoverySheet(session),
};
