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
  Appointment_Serialize,
  AppointmentCard_Serialize,
  BookOutcome_Serialize,
  BookingDraft_Serialize,
  CalendarFeed_Serialize,
  Clash_Serialize,
  OccurrenceClashes_Serialize,
  DayView_Serialize,
  FeedLink_Serialize,
  LeaveApproval_Serialize,
  LeaveDraft as LeaveDraftShape,
  LeaveRequest_Serialize,
  PatientAppointments_Serialize,
  RescheduleDraft_Serialize,
  RescheduleOutcome_Serialize,
  ScheduleDay_Serialize,
  SchedulingPolicy_Serialize,
  SeriesOutcome_Serialize,
  SlotQuery_Serialize,
  SpecialNeeds_Serialize,
  StatusChange_Serialize,
  WaitingPatient_Serialize,
  WaitlistDraft_Serialize,
  WaitlistEntry_Serialize,
  AppointmentTypeDraft,
  ClinicianProfile,
  LeaveStatus,
  Recurrence,
  WorkingPeriod,
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

// Scheduling: the app-side names of the generated shapes (every field present).
export type {
  AffectedAppointment,
  AppointmentStatus,
  AppointmentType,
  AppointmentTypeDraft,
  ClashKind,
  Clinician,
  ClinicianProfile,
  Closure,
  ClosureAdded,
  DayCount,
  ExtraSession,
  FreeSlot,
  Frequency,
  LeaveStatus,
  LocalPeriod,
  PeriodKind,
  RecordedSession,
  Recurrence,
  TimeOfDay,
  WaitlistOffer,
  WaitlistStatus,
  WeeklyTemplate,
  WorkingPeriod,
} from "./bindings";
export type Appointment = Appointment_Serialize;
export type AppointmentCard = AppointmentCard_Serialize;
export type BookOutcome = BookOutcome_Serialize;
export type BookingDraft = BookingDraft_Serialize;
export type CalendarFeed = CalendarFeed_Serialize;
export type Clash = Clash_Serialize;
export type OccurrenceClashesView = OccurrenceClashes_Serialize;
export type DayView = DayView_Serialize;
export type FeedLink = FeedLink_Serialize;
export type LeaveApproval = LeaveApproval_Serialize;
export type LeaveDraft = LeaveDraftShape;
export type LeaveRequest = LeaveRequest_Serialize;
export type PatientAppointments = PatientAppointments_Serialize;
export type RescheduleDraft = RescheduleDraft_Serialize;
export type RescheduleOutcome = RescheduleOutcome_Serialize;
export type ScheduleDay = ScheduleDay_Serialize;
export type SchedulingPolicy = SchedulingPolicy_Serialize;
export type SeriesOutcome = SeriesOutcome_Serialize;
export type SlotQuery = SlotQuery_Serialize;
export type SpecialNeeds = SpecialNeeds_Serialize;
export type StatusChange = StatusChange_Serialize;
export type WaitingPatient = WaitingPatient_Serialize;
export type WaitlistDraft = WaitlistDraft_Serialize;
export type WaitlistEntry = WaitlistEntry_Serialize;

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
  // Scheduling: calendars and the day
  scheduleDay: (session: Session, date: string): Promise<Result<DayView>> => commands.scheduleDay(session, date),
  scheduleWeek: (session: Session, clinicianId: string, date: string): Promise<Result<ScheduleDay[]>> => commands.scheduleWeek(session, clinicianId, date),
  scheduleMonth: (session: Session, year: number, month: number, clinicianId: string | null) => commands.scheduleMonth(session, year, month, clinicianId),
  waitingRoom: (session: Session): Promise<Result<WaitingPatient[]>> => commands.waitingRoom(session),
  myDay: (session: Session): Promise<Result<AppointmentCard[]>> => commands.myDay(session),
  checkArrivals: (session: Session): Promise<Result<AppointmentCard[]>> => commands.checkArrivals(session),
  patientAppointments: (session: Session, patientId: string): Promise<Result<PatientAppointments>> => commands.patientAppointments(session, patientId),
  findFreeSlots: (session: Session, query: SlotQuery) => commands.findFreeSlots(session, query),
  appointmentAlternatives: (session: Session, appointmentId: string, limit: number) => commands.appointmentAlternatives(session, appointmentId, limit),
  listClinicians: (session: Session) => commands.listClinicians(session),
  schedulingPolicy: (session: Session): Promise<Result<SchedulingPolicy>> => commands.schedulingPolicy(session),

  // Scheduling: one appointment
  bookAppointment: (session: Session, draft: BookingDraft, confirmOverbooking: boolean): Promise<Result<BookOutcome>> =>
    commands.bookAppointment(session, draft, confirmOverbooking),
  bookAppointmentSeries: (session: Session, draft: BookingDraft, recurrence: Recurrence, confirmOverbooking: boolean): Promise<Result<SeriesOutcome>> =>
    commands.bookAppointmentSeries(session, draft, recurrence, confirmOverbooking),
  rescheduleAppointment: (session: Session, appointmentId: string, draft: RescheduleDraft, confirmOverbooking: boolean): Promise<Result<RescheduleOutcome>> =>
    commands.rescheduleAppointment(session, appointmentId, draft, confirmOverbooking),
  getAppointment: (session: Session, appointmentId: string): Promise<Result<Appointment>> => commands.getAppointment(session, appointmentId),
  checkInAppointment: (session: Session, appointmentId: string): Promise<Result<Appointment>> => commands.checkInAppointment(session, appointmentId),
  startConsultation: (session: Session, appointmentId: string): Promise<Result<Appointment>> => commands.startConsultation(session, appointmentId),
  completeAppointment: (session: Session, appointmentId: string): Promise<Result<Appointment>> => commands.completeAppointment(session, appointmentId),
  markNoShow: (session: Session, appointmentId: string): Promise<Result<Appointment>> => commands.markNoShow(session, appointmentId),
  cancelAppointment: (session: Session, appointmentId: string, reason: string): Promise<Result<StatusChange>> =>
    commands.cancelAppointment(session, appointmentId, reason),
  setRecordingConsent: (session: Session, appointmentId: string, consent: boolean): Promise<Result<Appointment>> =>
    commands.setRecordingConsent(session, appointmentId, consent),
  startRecordedSession: (session: Session, appointmentId: string) => commands.startRecordedSession(session, appointmentId),

  // Scheduling: the waitlist
  listWaitlist: (session: Session): Promise<Result<WaitlistEntry[]>> => commands.listWaitlist(session),
  addToWaitlist: (session: Session, draft: WaitlistDraft): Promise<Result<WaitlistEntry>> => commands.addToWaitlist(session, draft),
  removeFromWaitlist: (session: Session, id: string): Promise<Result<WaitlistEntry>> => commands.removeFromWaitlist(session, id),
  skipWaitlistOffer: (session: Session, id: string): Promise<Result<WaitlistEntry>> => commands.skipWaitlistOffer(session, id),
  bookFromWaitlist: (session: Session, id: string, clinicianId: string, start: string, confirmOverbooking: boolean): Promise<Result<BookOutcome>> =>
    commands.bookFromWaitlist(session, id, clinicianId, start, confirmOverbooking),

  // Scheduling: administration
  listAppointmentTypes: (session: Session, includeInactive: boolean) => commands.listAppointmentTypes(session, includeInactive),
  createAppointmentType: (session: Session, draft: AppointmentTypeDraft) => commands.createAppointmentType(session, draft),
  createStarterAppointmentTypes: (session: Session) => commands.createStarterAppointmentTypes(session),
  updateAppointmentType: (session: Session, typeId: string, expectedRowVersion: number, draft: AppointmentTypeDraft) =>
    commands.updateAppointmentType(session, typeId, expectedRowVersion, draft),
  setAppointmentTypeActive: (session: Session, typeId: string, active: boolean) => commands.setAppointmentTypeActive(session, typeId, active),
  setClinicianProfile: (session: Session, staffId: string, profile: ClinicianProfile) => commands.setClinicianProfile(session, staffId, profile),
  updateSchedulingPolicy: (session: Session, policy: SchedulingPolicy): Promise<Result<SchedulingPolicy>> => commands.updateSchedulingPolicy(session, policy),
  getWeeklyTemplate: (session: Session, clinicianId: string) => commands.getWeeklyTemplate(session, clinicianId),
  setWeeklyTemplate: (session: Session, clinicianId: string, periods: WorkingPeriod[]) => commands.setWeeklyTemplate(session, clinicianId, periods),
  listExtraSessions: (session: Session, clinicianId: string, from: string, to: string) => commands.listExtraSessions(session, clinicianId, from, to),
  addExtraSession: (session: Session, clinicianId: string, start: string, end: string, note: string) =>
    commands.addExtraSession(session, clinicianId, start, end, note),
  removeExtraSession: (session: Session, id: string) => commands.removeExtraSession(session, id),
  listClosures: (session: Session, from: string, to: string) => commands.listClosures(session, from, to),
  addClosure: (session: Session, day: string, name: string) => commands.addClosure(session, day, name),
  removeClosure: (session: Session, id: string) => commands.removeClosure(session, id),
  requestLeave: (session: Session, draft: LeaveDraft): Promise<Result<LeaveRequest>> => commands.requestLeave(session, draft),
  approveLeave: (session: Session, id: string, note: string): Promise<Result<LeaveApproval>> => commands.approveLeave(session, id, note),
  rejectLeave: (session: Session, id: string, note: string): Promise<Result<LeaveRequest>> => commands.rejectLeave(session, id, note),
  listLeave: (session: Session, status: LeaveStatus | null, clinicianId: string | null): Promise<Result<LeaveRequest[]>> =>
    commands.listLeave(session, status, clinicianId),
  affectedByLeave: (session: Session, id: string) => commands.affectedByLeave(session, id),
  /** The saved path, or `null` if the person cancelled the save dialog (Rust opens it). */
  exportCalendar: (session: Session, clinicianId: string, from: string, to: string): Promise<Result<string | null>> =>
    commands.exportCalendar(session, clinicianId, from, to),

  // Scheduling: calendar subscription links (administrators for any doctor or nurse, a clinician for themselves)
  /** A new secret link for the clinician; their previous one stops working. */
  issueCalendarFeed: (session: Session, clinicianId: string): Promise<Result<FeedLink>> => commands.issueCalendarFeed(session, clinicianId),
  /** The clinician's live link if it was made on this computer, else `null`. */
  calendarFeedLink: (session: Session, clinicianId: string): Promise<Result<FeedLink | null>> => commands.calendarFeedLink(session, clinicianId),
  revokeCalendarFeed: (session: Session, clinicianId: string): Promise<Result<null>> => commands.revokeCalendarFeed(session, clinicianId),
  /** Links made on this computer, newest first: everyone's for an administrator, one's own for a clinician. */
  listCalendarFeeds: (session: Session): Promise<Result<CalendarFeed[]>> => commands.listCalendarFeeds(session),
};
