/* eslint-disable */
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
export type Maybe<T> = T | null;
export type InputMaybe<T> = T | null | undefined;
export type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
export type MakeOptional<T, K extends keyof T> = Omit<T, K> & { [SubKey in K]?: Maybe<T[SubKey]> };
export type MakeMaybe<T, K extends keyof T> = Omit<T, K> & { [SubKey in K]: Maybe<T[SubKey]> };
export type MakeEmpty<T extends { [key: string]: unknown }, K extends keyof T> = { [_ in K]?: never };
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
/** All built-in and custom scalars, mapped to their actual values */
export type Scalars = {
  ID: { input: string; output: string; }
  String: { input: string; output: string; }
  Boolean: { input: boolean; output: boolean; }
  Int: { input: number; output: number; }
  Float: { input: number; output: number; }
  /** Date (isoformat) */
  Date: { input: string; output: string; }
  /** Date with time (isoformat) */
  DateTime: { input: string; output: string; }
  /** The `JSON` scalar type represents JSON values as specified by [ECMA-404](https://ecma-international.org/wp-content/uploads/ECMA-404_2nd_edition_december_2017.pdf). */
  JSON: { input: unknown; output: unknown; }
};

/** What someone did with the patient's data (Min Log). */
export type AccessAction =
  /** Created a block. */
  | 'BLOCK'
  /** A calendar app read a relative's iCalendar feed. */
  | 'CALENDAR_FEED'
  /** Edited the stamkort. */
  | 'EDIT'
  /** Confirmed an iCalendar feed. */
  | 'FEED_CONFIRM'
  /** Revoked an iCalendar feed. */
  | 'FEED_REVOKE'
  /** Made or replaced an iCalendar feed URL. */
  | 'FEED_ROTATE'
  /** Overrode the patient's blocks (værdispring), with a reason. */
  | 'OVERRIDE'
  /** Asked for the patient's data and was turned away; saw nothing. */
  | 'REFUSED'
  /** Ended a block. */
  | 'UNBLOCK'
  /** Read the overview. */
  | 'VIEW';

/** A page of the access log, newest first. */
export type AccessLogConnection = {
  __typename?: 'AccessLogConnection';
  /** Entries of this page, each with its cursor. */
  edges: Array<AccessLogEdge>;
  /** Entries of this page (`edges` without cursors). */
  nodes: Array<AccessLogItem>;
  /** Where this page sits in the log. */
  pageInfo: PageInfo;
  /** All entries for the patient. */
  totalCount: Scalars['Int']['output'];
};

/** An access-log entry with its place in the log. */
export type AccessLogEdge = {
  __typename?: 'AccessLogEdge';
  /** Opaque: pass it as `after` or `before` to page from here. */
  cursor: Scalars['String']['output'];
  /** The entry. */
  node: AccessLogItem;
};

/** One lookup of the patient's data (Min Log). */
export type AccessLogItem = {
  __typename?: 'AccessLogItem';
  /** What was done. */
  action: AccessAction;
  /** When. */
  at: Scalars['DateTime']['output'];
  /** The clinician's authorisation id. */
  authorisationId?: Maybe<Scalars['String']['output']>;
  /** Data categories that were returned. */
  categories: Array<DataCategory>;
  /** The viewer's organisation. */
  organization?: Maybe<Organization>;
  /** The override's reason. */
  overrideReason?: Maybe<Scalars['String']['output']>;
  /** An override was in force. */
  overrideUsed: Scalars['Boolean']['output'];
  /** A refused attempt: someone outside the patient's circle (another patient's clinician, a relative whose fuldmagt does not cover her now, another citizen) asked for her data and was turned away. Nothing was shown; `categories` is empty. */
  refused: Scalars['Boolean']['output'];
  /** Correlation id of the request. */
  requestId: Scalars['String']['output'];
  /** Who looked. */
  viewerName: Scalars['String']['output'];
  /** CLINICIAN or RELATIVE; CITIZEN only on a refused attempt. */
  viewerRole: Role;
};

/** One planned activity of a care plan. */
export type Activity = {
  __typename?: 'Activity';
  /** Ids of the appointments (`Appointment.id`) this activity planned. */
  appointmentIds: Array<Scalars['ID']['output']>;
  /** Planned end. */
  scheduledEnd?: Maybe<Scalars['DateTime']['output']>;
  /** Planned start. */
  scheduledStart?: Maybe<Scalars['DateTime']['output']>;
  /** Where the activity stands; null when the source does not say (or sends a code outside FHIR's value set). */
  status?: Maybe<ActivityStatus>;
  /** What is planned. */
  title: Scalars['String']['output'];
};

/** Status of a planned activity (FHIR R4 CarePlanActivityStatus). */
export type ActivityStatus =
  /** Will not be done. */
  | 'CANCELLED'
  /** Done. */
  | 'COMPLETED'
  /** Made by mistake; disregard it. */
  | 'ENTERED_IN_ERROR'
  /** Under way. */
  | 'IN_PROGRESS'
  /** Not started yet. */
  | 'NOT_STARTED'
  /** Paused for now. */
  | 'ON_HOLD'
  /** Has a time. */
  | 'SCHEDULED'
  /** Stopped before it was done. */
  | 'STOPPED'
  /** The source does not know. */
  | 'UNKNOWN';

/** A postal address. */
export type Address = {
  __typename?: 'Address';
  /** City (by). */
  city?: Maybe<Scalars['String']['output']>;
  /** Street lines. */
  lines: Array<Scalars['String']['output']>;
  /** Postcode (postnummer). */
  postcode?: Maybe<Scalars['String']['output']>;
};

/** One appointment (aftale), in its current version. Read-only. */
export type Appointment = {
  __typename?: 'Appointment';
  /** The source set no time of day, only the day(s) (APD-DK 'no time'): show `startDate` to `endDate`, not `start`'s 00:00. */
  allDay: Scalars['Boolean']['output'];
  /** End; null when the source gives none. For an all-day appointment: 00:00 local time on the day after `endDate` (the span is half-open, `[start, end)`). */
  end?: Maybe<Scalars['DateTime']['output']>;
  /** For an all-day appointment, its last day, inclusive (Europe/Copenhagen): equal to `startDate` for one day; else null. */
  endDate?: Maybe<Scalars['Date']['output']>;
  /** Stable id: `<source>:<id in source>`. */
  id: Scalars['ID']['output'];
  /** The source says the time is only a guide ('tidspunktet er vejledende'): the visit may come earlier or later. */
  indicativeTime: Scalars['Boolean']['output'];
  /** ISO week of the start in Europe/Copenhagen, e.g. `2026-W53`. */
  isoWeek?: Maybe<Scalars['String']['output']>;
  /** The local date (Europe/Copenhagen) the appointment starts on. */
  localDate?: Maybe<Scalars['Date']['output']>;
  /** The organisation (SOR unit) that owns the appointment. */
  organization?: Maybe<Organization>;
  /** The patient's other active appointments that overlap this one in time (for coordination, e.g. a home-care visit during a hospital appointment). All-day appointments have no time of day, so they overlap nothing and are never listed. */
  overlapsWith: Array<Appointment>;
  /** Who performs it, when known. */
  performer?: Maybe<Scalars['String']['output']>;
  /** Where it takes place. */
  place?: Maybe<Place>;
  /** Why; never given for GP appointments. */
  reason?: Maybe<Scalars['String']['output']>;
  /** Hospital, municipality or GP. */
  sector: Sector;
  /** The system that owns the appointment. */
  source: Source;
  /** Start, with offset (Europe/Copenhagen). For an all-day appointment: 00:00 local time on `startDate`. */
  start?: Maybe<Scalars['DateTime']['output']>;
  /** For an all-day appointment, its first day (Europe/Copenhagen); else null. */
  startDate?: Maybe<Scalars['Date']['output']>;
  /** Current status. */
  status: AppointmentStatus;
  /** What the appointment is. GP appointments always read 'Aftale hos praktiserende læge'. */
  title: Scalars['String']['output'];
};

/** A page of appointments in a stable order (start, source, id). */
export type AppointmentConnection = {
  __typename?: 'AppointmentConnection';
  /** The appointments of this page, each with its cursor. */
  edges: Array<AppointmentEdge>;
  /** The appointments of this page (`edges` without cursors). */
  nodes: Array<Appointment>;
  /** Where this page sits in the list. */
  pageInfo: PageInfo;
  /** How many appointments match, over all pages. */
  totalCount: Scalars['Int']['output'];
};

/** An appointment with its place in the list. */
export type AppointmentEdge = {
  __typename?: 'AppointmentEdge';
  /** Opaque: pass it as `after` or `before` to page from here. */
  cursor: Scalars['String']['output'];
  /** The appointment. */
  node: Appointment;
};

/** Filters on appointments; all given filters must match. */
export type AppointmentFilter = {
  /** Show cancelled appointments. Default: shown when no `view` is given (the full record), hidden in the DAY, WEEK and LIST views. */
  includeCancelled?: InputMaybe<Scalars['Boolean']['input']>;
  /** Let `organizations` match any unit below them in SOR. */
  includeSubUnits?: Scalars['Boolean']['input'];
  /** SOR ids of the owning organisation or the place. */
  organizations?: InputMaybe<Array<Scalars['String']['input']>>;
  /** Sectors. */
  sectors?: InputMaybe<Array<Sector>>;
  /** Source ids. */
  sources?: InputMaybe<Array<Scalars['String']['input']>>;
  /** Statuses to show (overrides `includeCancelled`). */
  statuses?: InputMaybe<Array<AppointmentStatus>>;
  /** Case-insensitive text to find in the title or the place. */
  text?: InputMaybe<Scalars['String']['input']>;
};

/** Status of an appointment, as FHIR R4 defines it. */
export type AppointmentStatus =
  /** The patient has arrived. */
  | 'ARRIVED'
  /** Agreed and booked. */
  | 'BOOKED'
  /** Cancelled (aflyst). */
  | 'CANCELLED'
  /** The patient has checked in. */
  | 'CHECKED_IN'
  /** Made by mistake; not shown. */
  | 'ENTERED_IN_ERROR'
  /** Took place. */
  | 'FULFILLED'
  /** The patient did not come. */
  | 'NOSHOW'
  /** Waiting for someone to accept. */
  | 'PENDING'
  /** Suggested; no time agreed yet. */
  | 'PROPOSED'
  /** On a waiting list; no time yet. */
  | 'WAITLIST';

/** Which window of appointments to show. */
export type AppointmentView =
  /** One day in Europe/Copenhagen (`date`, default today). */
  | 'DAY'
  /** Every appointment in order, cancelled ones hidden unless asked for. */
  | 'LIST'
  /** One ISO week, Monday first, in Europe/Copenhagen (the week of `date`). */
  | 'WEEK';

/** A block (spærring / negativt samtykke) set by the patient. */
export type Block = {
  __typename?: 'Block';
  /** In force now. */
  active: Scalars['Boolean']['output'];
  /** Blocked professional. */
  authorisationId?: Maybe<Scalars['String']['output']>;
  /** When it was created. */
  createdAt: Scalars['DateTime']['output'];
  /** Who made it: the patient (CITIZEN) or a fuldmagt relative (RELATIVE). */
  createdByRole: Role;
  /** When it was ended, if it was. */
  endedAt?: Maybe<Scalars['DateTime']['output']>;
  /** Block id. */
  id: Scalars['ID']['output'];
  /** Also every unit below `sor`. */
  includeSubUnits: Scalars['Boolean']['output'];
  /** Health professional, treatment place or period. */
  kind: BlockKind;
  /** Blocked period: end (open if null). */
  periodEnd?: Maybe<Scalars['DateTime']['output']>;
  /** Blocked period: start. */
  periodStart?: Maybe<Scalars['DateTime']['output']>;
  /** Blocked treatment place (SOR id). */
  sor?: Maybe<Scalars['String']['output']>;
  /** The block applies from. */
  validFrom: Scalars['DateTime']['output'];
  /** The block applies until. */
  validTo?: Maybe<Scalars['DateTime']['output']>;
};

/** What a block filters by. */
export type BlockKind =
  /** A time span: appointments, plans and goals in it (never the stamkort). */
  | 'PERIOD'
  /** One health professional, by authorisation id: everything. */
  | 'PROFESSIONAL'
  /** One SOR unit (optionally with its sub-units): what it owns. */
  | 'TREATMENT_PLACE';

/** A secret calendar-subscription URL (iCalendar, RFC 5545). */
export type CalendarFeed = {
  __typename?: 'CalendarFeed';
  /** When you last confirmed the feed (made it, rotated it, looked at it here or called `confirmCalendarFeed`). */
  confirmedAt: Scalars['DateTime']['output'];
  /** When this URL was made. */
  createdAt: Scalars['DateTime']['output'];
  /** When the URL stops working unless you confirm it again before then: a relative's feed lives a set number of days after each confirmation and never past the fuldmagt's end. Null: no end. */
  expiresAt?: Maybe<Scalars['DateTime']['output']>;
  /** Subscribe to this URL in a calendar app. Anyone with it can read the appointments: rotate or revoke it if it leaks. */
  url: Scalars['String']['output'];
};

/** A calendar feed on the patient's data, as the patient sees it (never its URL). */
export type CalendarFeedEntry = {
  __typename?: 'CalendarFeedEntry';
  /** Whether it serves the calendar now. */
  active: Scalars['Boolean']['output'];
  /** When its owner last confirmed it. */
  confirmedAt: Scalars['DateTime']['output'];
  /** When its current URL was made. */
  createdAt: Scalars['DateTime']['output'];
  /** When it stops working unless its owner confirms it again; null: no end. */
  expiresAt?: Maybe<Scalars['DateTime']['output']>;
  /** Revoke it with `revokeCalendarFeed(id:)`. */
  id: Scalars['ID']['output'];
  /** It is the patient's own feed. */
  own: Scalars['Boolean']['output'];
  /** Whose feed it is. */
  ownerName: Scalars['String']['output'];
  /** CITIZEN (the patient's own) or RELATIVE (a fuldmagt relative's). */
  ownerRole: Role;
};

/** How a measured value relates to the stated one (FHIR R4). */
export type Comparator =
  /** At least it (`>=`). */
  | 'GREATER_OR_EQUAL'
  /** Above it (`>`). */
  | 'GREATER_THAN'
  /** At most it (`<=`). */
  | 'LESS_OR_EQUAL'
  /** Below it (`<`). */
  | 'LESS_THAN';

/** A new block. Give the field that matches `kind`. */
export type CreateBlockInput = {
  /** PROFESSIONAL: the professional's authorisation id (5 chars). */
  authorisationId?: InputMaybe<Scalars['String']['input']>;
  /** The patient. */
  cpr: Scalars['String']['input'];
  /** TREATMENT_PLACE: also every unit below it in SOR. */
  includeSubUnits?: Scalars['Boolean']['input'];
  /** What to block by. */
  kind: BlockKind;
  /** PERIOD: end. */
  periodEnd?: InputMaybe<Scalars['DateTime']['input']>;
  /** PERIOD: start. */
  periodStart?: InputMaybe<Scalars['DateTime']['input']>;
  /** TREATMENT_PLACE: the SOR id of the unit. */
  sor?: InputMaybe<Scalars['String']['input']>;
  /** When the block starts to apply (default: now). */
  validFrom?: InputMaybe<Scalars['DateTime']['input']>;
  /** When it stops applying (default: until ended). */
  validTo?: InputMaybe<Scalars['DateTime']['input']>;
};

/** A category of patient data, as blocks and the access log speak of it. */
export type DataCategory =
  /** Appointments (aftaler). */
  | 'APPOINTMENTS'
  /** Care plans and goals (planer og mål). */
  | 'PLANS'
  /** The stamkort and the patient's identity. */
  | 'STAMKORT';

/** The patient's dentist. */
export type DentistInput = {
  /** Address, one line. */
  address?: InputMaybe<Scalars['String']['input']>;
  /** Name of the dentist or clinic. */
  name: Scalars['String']['input'];
  /** Phone number. */
  phone?: InputMaybe<Scalars['String']['input']>;
};

/** A self-entered stamkort value with its provenance. */
export type EnteredValue = {
  __typename?: 'EnteredValue';
  /** Who entered it, in which role, when. */
  provenance: Provenance;
  /** The value, shaped per field (see `updateStamkort`). Null only in `Stamkort.history`, where it records that the field was cleared. */
  value?: Maybe<Scalars['JSON']['output']>;
  /** Stamkort version in which it was entered. */
  version: Scalars['Int']['output'];
};

/** The patient's GP (egen læge) from Yderregisteret and SOR. */
export type GeneralPractitioner = {
  __typename?: 'GeneralPractitioner';
  /** Address of the practice. */
  address?: Maybe<Address>;
  /** Doctors of the practice. */
  doctors: Array<Scalars['String']['output']>;
  /** Name of the practice. */
  name: Scalars['String']['output'];
  /** Phone number of the practice. */
  phone?: Maybe<Scalars['String']['output']>;
  /** SOR id of the practice. */
  sor?: Maybe<Scalars['String']['output']>;
  /** Ydernummer of the practice. */
  ydernummer: Scalars['String']['output'];
};

/** A goal (mål) of the patient's care. */
export type Goal = {
  __typename?: 'Goal';
  /** Progress, when known. */
  achievementStatus?: Maybe<Scalars['String']['output']>;
  /** The goal in words. */
  description: Scalars['String']['output'];
  /** Stable id: `<source>:<id in source>`. */
  id: Scalars['ID']['output'];
  /** Where the goal is in its life. */
  lifecycleStatus: GoalLifecycleStatus;
  /** Who set the goal. */
  organization?: Maybe<Organization>;
  /** The system that owns the goal. */
  source: Source;
  /** When work on the goal began. */
  startDate?: Maybe<Scalars['Date']['output']>;
  /** Targets with due dates. */
  targets: Array<Target>;
};

/** Where a goal is in its life (FHIR R4 GoalLifecycleStatus). */
export type GoalLifecycleStatus =
  /** Accepted by the patient. */
  | 'ACCEPTED'
  /** Being worked on. */
  | 'ACTIVE'
  /** Given up. */
  | 'CANCELLED'
  /** No longer being worked on. */
  | 'COMPLETED'
  /** Made by mistake; disregard it. */
  | 'ENTERED_IN_ERROR'
  /** Paused for now. */
  | 'ON_HOLD'
  /** Agreed, not started. */
  | 'PLANNED'
  /** Suggested. */
  | 'PROPOSED'
  /** Turned down. */
  | 'REJECTED';

/** Change what the gateway itself owns: blocks, overrides, stamkort. */
export type Mutation = {
  __typename?: 'Mutation';
  /** Confirm your iCalendar feed with your token as it is now, keeping its URL: a relative's feed stops `policy.feed_confirm_days` days after its last confirmation (and at the fuldmagt's end). Null when you have no feed. */
  confirmCalendarFeed?: Maybe<CalendarFeed>;
  /** Create a block (spærring) for a patient. Patient or fuldmagt relative only. It hides data from health professionals from the next request on; never from the patient or a fuldmagt relative. PROFESSIONAL: everything, from the professional with that authorisation id. TREATMENT_PLACE: data owned by that SOR unit (with `includeSubUnits`, by any unit below it); a record that names no organisation is owned by its source. PERIOD: appointments, plans and goals whose time span overlaps the period, never the stamkort. Spans are half-open, `[start, end)`: an appointment ending exactly when the period starts, or starting exactly when it ends, is outside it; one without an end is the instant it starts; a plan without an end is ongoing; a goal runs from its start date to the end of its last target's due date, or is ongoing; data with only an end has run up to it; undated data is in no period. */
  createBlock: Block;
  /** End a block now; it stays in the block history. */
  endBlock: Block;
  /** Override (værdispring) the patient's blocks for a short window. Clinicians only, for the patient in context, with a basis and a reason; logged and shown to the patient. */
  overrideBlocks: Override;
  /** Revoke your iCalendar feed URL, or (the patient, with `id`) any feed on her data. Returns whether there was one. */
  revokeCalendarFeed: Scalars['Boolean']['output'];
  /** Create or replace the secret iCalendar feed URL (the old URL stops working). */
  rotateCalendarFeed: CalendarFeed;
  /** Edit the patient's self-entered stamkort fields (`*`), based on `expectedVersion`. */
  updateStamkort: StamkortEditResult;
};


/** Change what the gateway itself owns: blocks, overrides, stamkort. */
export type MutationConfirmCalendarFeedArgs = {
  cpr: Scalars['String']['input'];
};


/** Change what the gateway itself owns: blocks, overrides, stamkort. */
export type MutationCreateBlockArgs = {
  input: CreateBlockInput;
};


/** Change what the gateway itself owns: blocks, overrides, stamkort. */
export type MutationEndBlockArgs = {
  cpr: Scalars['String']['input'];
  id: Scalars['ID']['input'];
};


/** Change what the gateway itself owns: blocks, overrides, stamkort. */
export type MutationOverrideBlocksArgs = {
  input: OverrideInput;
};


/** Change what the gateway itself owns: blocks, overrides, stamkort. */
export type MutationRevokeCalendarFeedArgs = {
  cpr: Scalars['String']['input'];
  id?: InputMaybe<Scalars['ID']['input']>;
};


/** Change what the gateway itself owns: blocks, overrides, stamkort. */
export type MutationRotateCalendarFeedArgs = {
  cpr: Scalars['String']['input'];
};


/** Change what the gateway itself owns: blocks, overrides, stamkort. */
export type MutationUpdateStamkortArgs = {
  input: UpdateStamkortInput;
};

/** Something the viewer should know about this overview. */
export type Notice = {
  __typename?: 'Notice';
  /** What the notice is about. */
  code: NoticeCode;
  /** Text for the user. */
  message: Scalars['String']['output'];
};

/** What a notice is about. */
export type NoticeCode =
  /** Some information is withheld at the patient's request (never which). */
  | 'BLOCKED_BY_PATIENT';

/** A health-care organisation or unit, identified by its SOR id. */
export type Organization = {
  __typename?: 'Organization';
  /** Name of the organisation or unit. */
  name?: Maybe<Scalars['String']['output']>;
  /** SOR id (urn:oid:1.2.208.176.1.1), or a ydernummer for some GP documents. */
  sor?: Maybe<Scalars['String']['output']>;
};

/** Where a unit sits in the SOR tree. */
export type OrganizationLevel =
  /** An institution: a hospital, a practice, a care service. */
  | 'INSTITUTION'
  /** An owner: a region, a municipality. */
  | 'OWNER'
  /** A unit of an institution: a department. */
  | 'UNIT';

/** A unit in SOR (Sundhedsvæsenets Organisationsregister). */
export type OrganizationUnit = {
  __typename?: 'OrganizationUnit';
  /** Owner, institution or unit. */
  level: OrganizationLevel;
  /** Name of the unit. */
  name: Scalars['String']['output'];
  /** SOR id of the unit above it; null for an owner. */
  parentSor?: Maybe<Scalars['String']['output']>;
  /** SOR id. */
  sor: Scalars['String']['output'];
};

/** A clinician's time-limited override of the patient's blocks. */
export type Override = {
  __typename?: 'Override';
  /** Consent now, or patient unreachable. */
  basis: OverrideBasis;
  /** When it lapses. */
  expiresAt: Scalars['DateTime']['output'];
  /** When it was granted. */
  grantedAt: Scalars['DateTime']['output'];
  /** Override id. */
  id: Scalars['ID']['output'];
  /** The clinician's reason. */
  reason: Scalars['String']['output'];
};

/** Why a clinician may override the patient's blocks. */
export type OverrideBasis =
  /** The patient consents now, in the situation. */
  | 'CONSENT_NOW'
  /** The patient cannot be asked, and the information is needed to treat her. */
  | 'PATIENT_UNREACHABLE';

/** An override request. */
export type OverrideInput = {
  /** Why an override is allowed now. */
  basis: OverrideBasis;
  /** The patient in your EPJ context. */
  cpr: Scalars['String']['input'];
  /** Why you need the withheld information. */
  reason: Scalars['String']['input'];
};

/** Where a page sits in its list (Relay connections). */
export type PageInfo = {
  __typename?: 'PageInfo';
  /** The last item's cursor: pass it as `after` (with `first`) for the next page. Null on an empty page. */
  endCursor?: Maybe<Scalars['String']['output']>;
  /** More items follow this page. */
  hasNextPage: Scalars['Boolean']['output'];
  /** More items come before this page. */
  hasPreviousPage: Scalars['Boolean']['output'];
  /** The first item's cursor: pass it as `before` (with `last`) for the page before. Null on an empty page. */
  startCursor?: Maybe<Scalars['String']['output']>;
};

/** Who the overview is about. */
export type Patient = {
  __typename?: 'Patient';
  /** CPR number. */
  cpr: Scalars['String']['output'];
  /** Name from CPR (null if CPR is unavailable). */
  name?: Maybe<Scalars['String']['output']>;
};

/** One patient's overview: appointments, stamkort, plans and goals. */
export type PatientOverview = {
  __typename?: 'PatientOverview';
  /** Min Log: who looked at the patient's data, newest first. Patient and fuldmagt relatives only. */
  accessLog: AccessLogConnection;
  /** Appointments from every source, each once in its current version, in a stable order (start, source, id). `view` + `date` pick a day or ISO week in Europe/Copenhagen; `from`/`to` pick an explicit window instead. */
  appointments?: Maybe<AppointmentConnection>;
  /** The patient's blocks, active and ended. Patient and fuldmagt relatives only. */
  blocks: Array<Block>;
  /** The viewer's secret iCalendar subscription URL, if they have one. Asking for it confirms the feed (see `confirmCalendarFeed`). */
  calendarFeed?: Maybe<CalendarFeed>;
  /** Every calendar feed on the patient's data, hers and her relatives', live or lapsed (never another owner's URL). The patient only (null with FORBIDDEN else). */
  calendarFeeds?: Maybe<Array<CalendarFeedEntry>>;
  /** The patient's CPR number. */
  cpr: Scalars['String']['output'];
  /** Goals of the patient's care. */
  goals?: Maybe<Array<Goal>>;
  /** Notices for the viewer, e.g. that some information is withheld at the patient's request (never which, how much, or by which block). */
  notices: Array<Notice>;
  /** The patient's identity (CPR number and name). */
  patient?: Maybe<Patient>;
  /** Care plans from hospitals, municipalities and the GP. */
  plans?: Maybe<Array<Plan>>;
  /** How every source answered for the data this query asked for. */
  sources: Array<SourceState>;
  /** The stamkort (master card). */
  stamkort?: Maybe<Stamkort>;
};


/** One patient's overview: appointments, stamkort, plans and goals. */
export type PatientOverviewAccessLogArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  before?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  last?: InputMaybe<Scalars['Int']['input']>;
};


/** One patient's overview: appointments, stamkort, plans and goals. */
export type PatientOverviewAppointmentsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  before?: InputMaybe<Scalars['String']['input']>;
  date?: InputMaybe<Scalars['Date']['input']>;
  filter?: InputMaybe<AppointmentFilter>;
  first?: InputMaybe<Scalars['Int']['input']>;
  from?: InputMaybe<Scalars['DateTime']['input']>;
  last?: InputMaybe<Scalars['Int']['input']>;
  to?: InputMaybe<Scalars['DateTime']['input']>;
  view?: InputMaybe<AppointmentView>;
};

/** Civil status in the CPR register. */
export type PersonStatus =
  /** Alive. */
  | 'ALIVE'
  /** Deceased. */
  | 'DECEASED'
  /** Emigrated. */
  | 'EMIGRATED';

/** Where an appointment takes place. */
export type Place = {
  __typename?: 'Place';
  /** Address of the site. Null for a home visit shown to a health professional when the patient has name and address protection (as on the stamkort). */
  address?: Maybe<Address>;
  /** The appointment is in the patient's home. */
  isHome: Scalars['Boolean']['output'];
  /** Name of the site, or 'Borgers Hjemmeadresse'. */
  name?: Maybe<Scalars['String']['output']>;
  /** SOR id of the site, if it has one. */
  sor?: Maybe<Scalars['String']['output']>;
};

/** A care plan (plan): discharge, treatment, municipal or GP plan. */
export type Plan = {
  __typename?: 'Plan';
  /** Planned activities. */
  activities: Array<Activity>;
  /** The person (or team) who wrote the plan, by name, when the source says. */
  author?: Maybe<Scalars['String']['output']>;
  /** Kind of plan, e.g. `discharge`. */
  category?: Maybe<Scalars['String']['output']>;
  /** Summary of the plan. */
  description?: Maybe<Scalars['String']['output']>;
  /** Ids of the plan's goals. */
  goalIds: Array<Scalars['ID']['output']>;
  /** Stable id: `<source>:<id in source>`. */
  id: Scalars['ID']['output'];
  /** What the plan is; null when the source does not say (or sends a code outside FHIR's value set). */
  intent?: Maybe<PlanIntent>;
  /** The organisation responsible for the plan (only an organisation: a person who wrote it is `author`). */
  organization?: Maybe<Organization>;
  /** End of the plan's period. */
  periodEnd?: Maybe<Scalars['DateTime']['output']>;
  /** Start of the plan's period. */
  periodStart?: Maybe<Scalars['DateTime']['output']>;
  /** The system that owns the plan. */
  source: Source;
  /** Whether the plan is in force. */
  status: PlanStatus;
  /** Title of the plan. */
  title: Scalars['String']['output'];
};

/** What a care plan is (FHIR R4 CarePlanIntent). */
export type PlanIntent =
  /** A directive given by the patient or on her behalf. */
  | 'DIRECTIVE'
  /** One of several options. */
  | 'OPTION'
  /** A request to act. */
  | 'ORDER'
  /** An intention to act. */
  | 'PLAN'
  /** A suggestion. */
  | 'PROPOSAL';

/** Status of a care plan (FHIR R4 RequestStatus). */
export type PlanStatus =
  /** In force. */
  | 'ACTIVE'
  /** Carried out. */
  | 'COMPLETED'
  /** Being written; not in force yet. */
  | 'DRAFT'
  /** Made by mistake; disregard it. */
  | 'ENTERED_IN_ERROR'
  /** Paused for now. */
  | 'ON_HOLD'
  /** Stopped before it was completed. */
  | 'REVOKED'
  /** The source does not know. */
  | 'UNKNOWN';

/** Where a stamkort value comes from: which source, who, when. */
export type Provenance = {
  __typename?: 'Provenance';
  /** When it was entered. */
  enteredAt?: Maybe<Scalars['DateTime']['output']>;
  /** The clinician's authorisation id, when a clinician entered it. */
  enteredByAuthorisationId?: Maybe<Scalars['String']['output']>;
  /** Who entered it. */
  enteredByName?: Maybe<Scalars['String']['output']>;
  /** The role they entered it in; null for register data. */
  enteredByRole?: Maybe<Role>;
  /** The clinician's organisation, when a clinician entered it. */
  organization?: Maybe<Organization>;
  /** The register, or the overview. */
  source: ProvenanceSource;
};

/** Where a stamkort value comes from. */
export type ProvenanceSource =
  /** The CPR register. */
  | 'CPR'
  /** Entered in the overview by the patient, a relative or a clinician. */
  | 'STAMKORT';

/** A measured amount (FHIR R4 Quantity). */
export type Quantity = {
  __typename?: 'Quantity';
  /** The coded unit (usually UCUM). */
  code?: Maybe<Scalars['String']['output']>;
  /** How the real value relates to `value`; null: equal. */
  comparator?: Maybe<Comparator>;
  /** The code system of `code`. */
  system?: Maybe<Scalars['String']['output']>;
  /** The unit as written, e.g. `mmol/mol`. */
  unit?: Maybe<Scalars['String']['output']>;
  /** The number. */
  value?: Maybe<Scalars['Float']['output']>;
};

/** Read the unified patient overview. */
export type Query = {
  __typename?: 'Query';
  /** Search SOR for health-care units by name, e.g. to choose a treatment place to block. Any signed-in user; no patient data is involved, and nothing is logged. */
  organizations: Array<OrganizationUnit>;
  /** One patient's overview. Citizens see themselves, relatives the patient their fuldmagt covers (while valid), clinicians the patient in EPJ launch context. `cpr` is `DDMMYY-SSSS` (hyphen optional). */
  patientOverview: PatientOverview;
};


/** Read the unified patient overview. */
export type QueryOrganizationsArgs = {
  first?: Scalars['Int']['input'];
  search: Scalars['String']['input'];
};


/** Read the unified patient overview. */
export type QueryPatientOverviewArgs = {
  cpr: Scalars['String']['input'];
};

/** How a relative is related to the patient: DK Core's binding for `RelatedPerson.relationship` (HL7 v3 RoleCode personal relationships, and DK Core's own). */
export type RelationshipCode =
  /** Barn (child). */
  | 'CHILD'
  /** Svigerbarn (child-in-law). */
  | 'CHLDINLAW'
  /** Datter (daughter). */
  | 'DAUC'
  /** Registreret partner (domestic partner). */
  | 'DOMPART'
  /** Primær kontakt (emergency contact). */
  | 'ECON'
  /** Familiemedlem (family member). */
  | 'FAMMEMB'
  /** Ven (ikke-beslægtet) (unrelated friend). */
  | 'FRND'
  /** Far (father). */
  | 'FTH'
  /** Barnebarn (grandchild). */
  | 'GRNDCHILD'
  /** Værge (guardian). */
  | 'GUARD'
  /** Mor (mother). */
  | 'MTH'
  /** Nabo (neighbor). */
  | 'NBOR'
  /** Pårørende (next of kin). */
  | 'NOK'
  /** Forældremyndighedsindehaver (parental authority). */
  | 'PARAUTH'
  /** Fuldmagtshaver (power of attorney). */
  | 'POWATT'
  /** Primær omsorgsperson (primary caretaker). */
  | 'PRICARE'
  /** Forælder (parent). */
  | 'PRN'
  /** Professionel kontakt (professional contact). */
  | 'PROCON'
  /** Samboende (roommate). */
  | 'ROOM'
  /** Søskende (sibling). */
  | 'SIB'
  /** Søn (son). */
  | 'SONC'
  /** Ægtefælle (spouse). */
  | 'SPS';

/** A relative (pårørende) to contact. */
export type RelativeInput = {
  /** Name. */
  name: Scalars['String']['input'];
  /** Phone number. */
  phone: Scalars['String']['input'];
  /** How the relative is related to the patient. */
  relation: RelationshipCode;
};

/** The role someone acts in toward the patient. */
export type Role =
  /** The patient herself. */
  | 'CITIZEN'
  /** A health professional, from an EPJ launch context. */
  | 'CLINICIAN'
  /** A relative (pårørende) with fuldmagt for the patient. */
  | 'RELATIVE';

/** The part of the health service a source is in. */
export type Sector =
  /** General practice (almen praksis). */
  | 'GP'
  /** The regions' hospitals. */
  | 'HOSPITAL'
  /** The municipalities' health and care services. */
  | 'MUNICIPALITY';

/** A source system that contributes to the overview. */
export type Source = {
  __typename?: 'Source';
  /** Configured source id, e.g. `rm`, `aarhus`, `gp-jml`. */
  id: Scalars['String']['output'];
  /** Region, municipality, GP or register. */
  kind: SourceKind;
  /** Display name of the source. */
  name: Scalars['String']['output'];
};

/** What kind of system a source is. */
export type SourceKind =
  /** A GP practice (MedCom APD-DK). */
  | 'GP'
  /** A municipality's health and care services (MedCom APD-DK). */
  | 'MUNICIPALITY'
  /** A region's hospitals (FHIR R4). */
  | 'REGION'
  /** A national register: CPR, SOR or Yderregisteret. */
  | 'REGISTER';

/** How one source answered for this overview. */
export type SourceState = {
  __typename?: 'SourceState';
  /** When the data shown from this source was fetched (older when STALE). */
  fetchedAt?: Maybe<Scalars['DateTime']['output']>;
  /** Configured source id. */
  id: Scalars['String']['output'];
  /** Region, municipality, GP or register. */
  kind: SourceKind;
  /** Display name of the source. */
  name: Scalars['String']['output'];
  /** How many documents this source sent that break their format's rules (APD-DK 2.0.1, FHIR R4) and are therefore not shown; the rest of its data is. Each rule broken is named in an error with code `DOCUMENT_REFUSED`. Told to the patient and their relatives; always 0 for a clinician (unless overriding blocks), since a refused document may be one a block withholds. */
  refusedDocuments: Scalars['Int']['output'];
  /** OK, or why its data is absent or old. */
  status: SourceStatus;
};

/** How a source answered in this request. */
export type SourceStatus =
  /** Answered with something that is not its format. */
  | 'BAD_RESPONSE'
  /** Failing lately: not asked for a while. */
  | 'CIRCUIT_OPEN'
  /** Not asked: the patient has not consented to it. */
  | 'NOT_CONSENTED'
  /** Not asked: the query wanted nothing from it. */
  | 'NOT_REQUESTED'
  /** Answered now. */
  | 'OK'
  /** Did not answer in time; its data is from `fetchedAt`. */
  | 'STALE'
  /** Did not answer in time, and no earlier data is kept. */
  | 'TIMEOUT'
  /** Could not be reached. */
  | 'UNAVAILABLE';

/** The patient's stamkort (shared master card). */
export type Stamkort = {
  __typename?: 'Stamkort';
  /** The patient has name and address protection (navne- og adressebeskyttelse). */
  addressProtected: Scalars['Boolean']['output'];
  /** CPR number (from CPR). */
  cpr: Scalars['String']['output'];
  /** Dentist `*`: {name, phone, address}. */
  dentist?: Maybe<EnteredValue>;
  /** The patient's GP. Null for group 2 (no fixed GP) — see `gpNote`. */
  gp?: Maybe<GeneralPractitioner>;
  /** Why there is no GP, when there is none. */
  gpNote?: Maybe<Scalars['String']['output']>;
  /** Sygesikringsgruppe 1 or 2. */
  healthInsuranceGroup?: Maybe<Scalars['Int']['output']>;
  /** Every value ever entered in one editable field, newest first: earlier values are kept, each with its provenance; a clearing shows as a null `value`. */
  history?: Maybe<Array<EnteredValue>>;
  /** Preferred communication language `*`: {code (ISO 639), name}. */
  language?: Maybe<EnteredValue>;
  /** Name (from CPR). */
  name?: Maybe<Scalars['String']['output']>;
  /** Phone number `*` (E.164). */
  phone?: Maybe<EnteredValue>;
  /** Provenance of the CPR fields. */
  provenance: Provenance;
  /** Folkeregisteradresse. Null for others than the patient and their relatives when the patient has name and address protection. */
  registeredAddress?: Maybe<Address>;
  /** Relatives `*`: a list of {name, phone, relation, relation_display}. */
  relatives?: Maybe<EnteredValue>;
  /** Alive, deceased or emigrated. */
  status?: Maybe<PersonStatus>;
  /** Temporary address `*`: {lines, postcode, city, valid_from, valid_to}. */
  temporaryAddress?: Maybe<EnteredValue>;
  /** Version of the self-entered fields, counting the edits the viewer can see; pass it as `expectedVersion` to edit. */
  version: Scalars['Int']['output'];
};


/** The patient's stamkort (shared master card). */
export type StamkortHistoryArgs = {
  field: StamkortField;
};

/** The self-entered stamkort fields after an edit. */
export type StamkortEditResult = {
  __typename?: 'StamkortEditResult';
  /** Dentist. */
  dentist?: Maybe<EnteredValue>;
  /** Preferred language. */
  language?: Maybe<EnteredValue>;
  /** Phone number. */
  phone?: Maybe<EnteredValue>;
  /** Relatives. */
  relatives?: Maybe<EnteredValue>;
  /** Temporary address. */
  temporaryAddress?: Maybe<EnteredValue>;
  /** The new version. */
  version: Scalars['Int']['output'];
};

/** An editable (`*`) stamkort field. */
export type StamkortField =
  /** The patient's dentist. */
  | 'DENTIST'
  /** Preferred language. */
  | 'LANGUAGE'
  /** Phone number. */
  | 'PHONE'
  /** Relatives to contact. */
  | 'RELATIVES'
  /** Temporary address with its validity. */
  | 'TEMPORARY_ADDRESS';

/** A measurable target of a goal. */
export type Target = {
  __typename?: 'Target';
  /** The target value in words, whatever its form: `< 53 mmol/mol`, `4-7 mmol/L` (a range), a coded value's text, `Ja`/`Nej`, a ratio. */
  detail?: Maybe<Scalars['String']['output']>;
  /** When it should be reached. */
  dueDate?: Maybe<Scalars['Date']['output']>;
  /** When given as a range: its upper end, inclusive (null: no upper end). */
  high?: Maybe<Quantity>;
  /** When given as a range: its lower end, inclusive (null: no lower end). */
  low?: Maybe<Quantity>;
  /** What is measured. */
  measure?: Maybe<Scalars['String']['output']>;
  /** The target as a quantity, when given as one. */
  quantity?: Maybe<Quantity>;
};

/** A temporary address with its validity. */
export type TemporaryAddressInput = {
  /** City. */
  city: Scalars['String']['input'];
  /** 1-3 street lines. */
  lines: Array<Scalars['String']['input']>;
  /** Danish postcode (4 digits). */
  postcode: Scalars['String']['input'];
  /** From (inclusive). */
  validFrom: Scalars['Date']['input'];
  /** Until (inclusive). */
  validTo?: InputMaybe<Scalars['Date']['input']>;
};

/** Changes to the stamkort. Omitted fields stay as they are. */
export type UpdateStamkortInput = {
  /** Fields to clear. */
  clear?: InputMaybe<Array<StamkortField>>;
  /** The patient. */
  cpr: Scalars['String']['input'];
  /** New dentist. */
  dentist?: InputMaybe<DentistInput>;
  /** The `Stamkort.version` the edit is based on; a stale version is refused. */
  expectedVersion: Scalars['Int']['input'];
  /** Preferred language, ISO 639 code (e.g. `da`, `en`, `ar`). */
  language?: InputMaybe<Scalars['String']['input']>;
  /** New phone number. */
  phone?: InputMaybe<Scalars['String']['input']>;
  /** The full new list of relatives. */
  relatives?: InputMaybe<Array<RelativeInput>>;
  /** New temporary address. */
  temporaryAddress?: InputMaybe<TemporaryAddressInput>;
};

export type AppointmentsQueryVariables = Exact<{
  cpr: Scalars['String']['input'];
  view?: InputMaybe<AppointmentView>;
  date?: InputMaybe<Scalars['Date']['input']>;
  filter?: InputMaybe<AppointmentFilter>;
  first?: InputMaybe<Scalars['Int']['input']>;
  after?: InputMaybe<Scalars['String']['input']>;
  last?: InputMaybe<Scalars['Int']['input']>;
  before?: InputMaybe<Scalars['String']['input']>;
}>;


export type AppointmentsQuery = { __typename?: 'Query', patientOverview: { __typename?: 'PatientOverview', cpr: string, appointments?: { __typename?: 'AppointmentConnection', totalCount: number, pageInfo: { __typename?: 'PageInfo', hasNextPage: boolean, hasPreviousPage: boolean, startCursor?: string | null, endCursor?: string | null }, nodes: Array<{ __typename?: 'Appointment', id: string, status: AppointmentStatus, title: string, start?: string | null, end?: string | null, allDay: boolean, startDate?: string | null, endDate?: string | null, indicativeTime: boolean, sector: Sector, localDate?: string | null, isoWeek?: string | null, performer?: string | null, reason?: string | null, source: { __typename?: 'Source', id: string, name: string }, organization?: { __typename?: 'Organization', sor?: string | null, name?: string | null } | null, place?: { __typename?: 'Place', name?: string | null, isHome: boolean, address?: { __typename?: 'Address', lines: Array<string>, postcode?: string | null, city?: string | null } | null } | null, overlapsWith: Array<{ __typename?: 'Appointment', id: string, title: string, start?: string | null }> }> } | null, sources: Array<{ __typename?: 'SourceState', id: string, name: string, kind: SourceKind, status: SourceStatus, fetchedAt?: string | null, refusedDocuments: number }>, notices: Array<{ __typename?: 'Notice', code: NoticeCode, message: string }> } };

export type StamkortQueryVariables = Exact<{
  cpr: Scalars['String']['input'];
}>;


export type StamkortQuery = { __typename?: 'Query', patientOverview: { __typename?: 'PatientOverview', cpr: string, stamkort?: { __typename?: 'Stamkort', cpr: string, name?: string | null, status?: PersonStatus | null, addressProtected: boolean, healthInsuranceGroup?: number | null, gpNote?: string | null, version: number, registeredAddress?: { __typename?: 'Address', lines: Array<string>, postcode?: string | null, city?: string | null } | null, gp?: { __typename?: 'GeneralPractitioner', name: string, ydernummer: string, phone?: string | null, doctors: Array<string>, address?: { __typename?: 'Address', lines: Array<string>, postcode?: string | null, city?: string | null } | null } | null, provenance: { __typename?: 'Provenance', source: ProvenanceSource, enteredAt?: string | null }, phone?: { __typename?: 'EnteredValue', value?: unknown | null, version: number, provenance: { __typename?: 'Provenance', source: ProvenanceSource, enteredByName?: string | null, enteredByRole?: Role | null, enteredByAuthorisationId?: string | null, enteredAt?: string | null, organization?: { __typename?: 'Organization', name?: string | null } | null } } | null, temporaryAddress?: { __typename?: 'EnteredValue', value?: unknown | null, version: number, provenance: { __typename?: 'Provenance', source: ProvenanceSource, enteredByName?: string | null, enteredByRole?: Role | null, enteredByAuthorisationId?: string | null, enteredAt?: string | null, organization?: { __typename?: 'Organization', name?: string | null } | null } } | null, dentist?: { __typename?: 'EnteredValue', value?: unknown | null, version: number, provenance: { __typename?: 'Provenance', source: ProvenanceSource, enteredByName?: string | null, enteredByRole?: Role | null, enteredByAuthorisationId?: string | null, enteredAt?: string | null, organization?: { __typename?: 'Organization', name?: string | null } | null } } | null, language?: { __typename?: 'EnteredValue', value?: unknown | null, version: number, provenance: { __typename?: 'Provenance', source: ProvenanceSource, enteredByName?: string | null, enteredByRole?: Role | null, enteredByAuthorisationId?: string | null, enteredAt?: string | null, organization?: { __typename?: 'Organization', name?: string | null } | null } } | null, relatives?: { __typename?: 'EnteredValue', value?: unknown | null, version: number, provenance: { __typename?: 'Provenance', source: ProvenanceSource, enteredByName?: string | null, enteredByRole?: Role | null, enteredByAuthorisationId?: string | null, enteredAt?: string | null, organization?: { __typename?: 'Organization', name?: string | null } | null } } | null } | null, sources: Array<{ __typename?: 'SourceState', id: string, name: string, kind: SourceKind, status: SourceStatus, fetchedAt?: string | null, refusedDocuments: number }>, notices: Array<{ __typename?: 'Notice', code: NoticeCode, message: string }> } };

export type ToldFragment = { __typename?: 'PatientOverview', sources: Array<{ __typename?: 'SourceState', id: string, name: string, kind: SourceKind, status: SourceStatus, fetchedAt?: string | null, refusedDocuments: number }>, notices: Array<{ __typename?: 'Notice', code: NoticeCode, message: string }> };

export type EnteredFragment = { __typename?: 'EnteredValue', value?: unknown | null, version: number, provenance: { __typename?: 'Provenance', source: ProvenanceSource, enteredByName?: string | null, enteredByRole?: Role | null, enteredByAuthorisationId?: string | null, enteredAt?: string | null, organization?: { __typename?: 'Organization', name?: string | null } | null } };

export type StamkortHistoryQueryVariables = Exact<{
  cpr: Scalars['String']['input'];
  field: StamkortField;
}>;


export type StamkortHistoryQuery = { __typename?: 'Query', patientOverview: { __typename?: 'PatientOverview', cpr: string, stamkort?: { __typename?: 'Stamkort', cpr: string, history?: Array<{ __typename?: 'EnteredValue', value?: unknown | null, version: number, provenance: { __typename?: 'Provenance', source: ProvenanceSource, enteredByName?: string | null, enteredByRole?: Role | null, enteredByAuthorisationId?: string | null, enteredAt?: string | null, organization?: { __typename?: 'Organization', name?: string | null } | null } }> | null } | null } };

export type UpdateStamkortMutationVariables = Exact<{
  input: UpdateStamkortInput;
}>;


export type UpdateStamkortMutation = { __typename?: 'Mutation', updateStamkort: { __typename?: 'StamkortEditResult', version: number } };

export type PlansQueryVariables = Exact<{
  cpr: Scalars['String']['input'];
}>;


export type PlansQuery = { __typename?: 'Query', patientOverview: { __typename?: 'PatientOverview', cpr: string, plans?: Array<{ __typename?: 'Plan', id: string, title: string, category?: string | null, status: PlanStatus, intent?: PlanIntent | null, description?: string | null, periodStart?: string | null, periodEnd?: string | null, author?: string | null, goalIds: Array<string>, source: { __typename?: 'Source', id: string, name: string }, organization?: { __typename?: 'Organization', name?: string | null } | null, activities: Array<{ __typename?: 'Activity', title: string, status?: ActivityStatus | null, scheduledStart?: string | null, scheduledEnd?: string | null, appointmentIds: Array<string> }> }> | null, goals?: Array<{ __typename?: 'Goal', id: string, description: string, lifecycleStatus: GoalLifecycleStatus, achievementStatus?: string | null, startDate?: string | null, source: { __typename?: 'Source', name: string }, organization?: { __typename?: 'Organization', name?: string | null } | null, targets: Array<{ __typename?: 'Target', measure?: string | null, detail?: string | null, dueDate?: string | null }> }> | null, appointments?: { __typename?: 'AppointmentConnection', nodes: Array<{ __typename?: 'Appointment', id: string, title: string, start?: string | null, allDay: boolean, startDate?: string | null, status: AppointmentStatus }> } | null, sources: Array<{ __typename?: 'SourceState', id: string, name: string, kind: SourceKind, status: SourceStatus, fetchedAt?: string | null, refusedDocuments: number }>, notices: Array<{ __typename?: 'Notice', code: NoticeCode, message: string }> } };

export type BlocksQueryVariables = Exact<{
  cpr: Scalars['String']['input'];
}>;


export type BlocksQuery = { __typename?: 'Query', patientOverview: { __typename?: 'PatientOverview', cpr: string, blocks: Array<{ __typename?: 'Block', id: string, kind: BlockKind, authorisationId?: string | null, sor?: string | null, includeSubUnits: boolean, periodStart?: string | null, periodEnd?: string | null, validFrom: string, validTo?: string | null, createdAt: string, createdByRole: Role, endedAt?: string | null, active: boolean }> } };

export type CreateBlockMutationVariables = Exact<{
  input: CreateBlockInput;
}>;


export type CreateBlockMutation = { __typename?: 'Mutation', createBlock: { __typename?: 'Block', id: string, active: boolean } };

export type EndBlockMutationVariables = Exact<{
  cpr: Scalars['String']['input'];
  id: Scalars['ID']['input'];
}>;


export type EndBlockMutation = { __typename?: 'Mutation', endBlock: { __typename?: 'Block', id: string, active: boolean, endedAt?: string | null } };

export type AccessLogQueryVariables = Exact<{
  cpr: Scalars['String']['input'];
  first?: InputMaybe<Scalars['Int']['input']>;
  after?: InputMaybe<Scalars['String']['input']>;
  last?: InputMaybe<Scalars['Int']['input']>;
  before?: InputMaybe<Scalars['String']['input']>;
}>;


export type AccessLogQuery = { __typename?: 'Query', patientOverview: { __typename?: 'PatientOverview', cpr: string, accessLog: { __typename?: 'AccessLogConnection', totalCount: number, pageInfo: { __typename?: 'PageInfo', hasNextPage: boolean, hasPreviousPage: boolean, startCursor?: string | null, endCursor?: string | null }, nodes: Array<{ __typename?: 'AccessLogItem', at: string, viewerName: string, viewerRole: Role, authorisationId?: string | null, action: AccessAction, refused: boolean, categories: Array<DataCategory>, overrideUsed: boolean, overrideReason?: string | null, requestId: string, organization?: { __typename?: 'Organization', sor?: string | null, name?: string | null } | null }> } } };

export type CalendarQueryVariables = Exact<{
  cpr: Scalars['String']['input'];
  patient: Scalars['Boolean']['input'];
}>;


export type CalendarQuery = { __typename?: 'Query', patientOverview: { __typename?: 'PatientOverview', cpr: string, calendarFeed?: { __typename?: 'CalendarFeed', url: string, createdAt: string, confirmedAt: string, expiresAt?: string | null } | null, calendarFeeds?: Array<{ __typename?: 'CalendarFeedEntry', id: string, ownerName: string, ownerRole: Role, own: boolean, createdAt: string, confirmedAt: string, expiresAt?: string | null, active: boolean }> | null } };

export type RotateFeedMutationVariables = Exact<{
  cpr: Scalars['String']['input'];
}>;


export type RotateFeedMutation = { __typename?: 'Mutation', rotateCalendarFeed: { __typename?: 'CalendarFeed', url: string, expiresAt?: string | null } };

export type RevokeFeedMutationVariables = Exact<{
  cpr: Scalars['String']['input'];
  id?: InputMaybe<Scalars['ID']['input']>;
}>;


export type RevokeFeedMutation = { __typename?: 'Mutation', revokeCalendarFeed: boolean };

export type OverrideBlocksMutationVariables = Exact<{
  input: OverrideInput;
}>;


export type OverrideBlocksMutation = { __typename?: 'Mutation', overrideBlocks: { __typename?: 'Override', id: string, basis: OverrideBasis, reason: string, grantedAt: string, expiresAt: string } };

export type OrganizationsQueryVariables = Exact<{
  search: Scalars['String']['input'];
  first: Scalars['Int']['input'];
}>;


export type OrganizationsQuery = { __typename?: 'Query', organizations: Array<{ __typename?: 'OrganizationUnit', sor: string, name: string, level: OrganizationLevel, parentSor?: string | null }> };

export const ToldFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"Told"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"PatientOverview"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"sources"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"fetchedAt"}},{"kind":"Field","name":{"kind":"Name","value":"refusedDocuments"}}]}},{"kind":"Field","name":{"kind":"Name","value":"notices"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}}]} as unknown as DocumentNode<ToldFragment, unknown>;
export const EnteredFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"Entered"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"EnteredValue"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"value"}},{"kind":"Field","name":{"kind":"Name","value":"version"}},{"kind":"Field","name":{"kind":"Name","value":"provenance"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"source"}},{"kind":"Field","name":{"kind":"Name","value":"enteredByName"}},{"kind":"Field","name":{"kind":"Name","value":"enteredByRole"}},{"kind":"Field","name":{"kind":"Name","value":"enteredByAuthorisationId"}},{"kind":"Field","name":{"kind":"Name","value":"enteredAt"}},{"kind":"Field","name":{"kind":"Name","value":"organization"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}}]}}]} as unknown as DocumentNode<EnteredFragment, unknown>;
export const AppointmentsDocument = {"__meta__":{"hash":"59778e639786eb159b4ff9117c38ff2c19bda1e5d43d0aa55364ea32089b772d"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Appointments"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"cpr"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"view"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"AppointmentView"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"date"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Date"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"filter"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"AppointmentFilter"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"last"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"before"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"patientOverview"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"cpr"},"value":{"kind":"Variable","name":{"kind":"Name","value":"cpr"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cpr"}},{"kind":"Field","name":{"kind":"Name","value":"appointments"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"view"},"value":{"kind":"Variable","name":{"kind":"Name","value":"view"}}},{"kind":"Argument","name":{"kind":"Name","value":"date"},"value":{"kind":"Variable","name":{"kind":"Name","value":"date"}}},{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"Variable","name":{"kind":"Name","value":"filter"}}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}},{"kind":"Argument","name":{"kind":"Name","value":"last"},"value":{"kind":"Variable","name":{"kind":"Name","value":"last"}}},{"kind":"Argument","name":{"kind":"Name","value":"before"},"value":{"kind":"Variable","name":{"kind":"Name","value":"before"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"hasPreviousPage"}},{"kind":"Field","name":{"kind":"Name","value":"startCursor"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}},{"kind":"Field","name":{"kind":"Name","value":"nodes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"title"}},{"kind":"Field","name":{"kind":"Name","value":"start"}},{"kind":"Field","name":{"kind":"Name","value":"end"}},{"kind":"Field","name":{"kind":"Name","value":"allDay"}},{"kind":"Field","name":{"kind":"Name","value":"startDate"}},{"kind":"Field","name":{"kind":"Name","value":"endDate"}},{"kind":"Field","name":{"kind":"Name","value":"indicativeTime"}},{"kind":"Field","name":{"kind":"Name","value":"sector"}},{"kind":"Field","name":{"kind":"Name","value":"localDate"}},{"kind":"Field","name":{"kind":"Name","value":"isoWeek"}},{"kind":"Field","name":{"kind":"Name","value":"performer"}},{"kind":"Field","name":{"kind":"Name","value":"reason"}},{"kind":"Field","name":{"kind":"Name","value":"source"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"organization"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"sor"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"place"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"isHome"}},{"kind":"Field","name":{"kind":"Name","value":"address"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"lines"}},{"kind":"Field","name":{"kind":"Name","value":"postcode"}},{"kind":"Field","name":{"kind":"Name","value":"city"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"overlapsWith"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"title"}},{"kind":"Field","name":{"kind":"Name","value":"start"}}]}}]}}]}},{"kind":"FragmentSpread","name":{"kind":"Name","value":"Told"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"Told"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"PatientOverview"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"sources"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"fetchedAt"}},{"kind":"Field","name":{"kind":"Name","value":"refusedDocuments"}}]}},{"kind":"Field","name":{"kind":"Name","value":"notices"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}}]} as unknown as DocumentNode<AppointmentsQuery, AppointmentsQueryVariables>;
export const StamkortDocument = {"__meta__":{"hash":"ccd7e27e7eaffd8b9128259ff4128cb522a1e4dc73ee4f0d923e5ac34535ca17"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Stamkort"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"cpr"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"patientOverview"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"cpr"},"value":{"kind":"Variable","name":{"kind":"Name","value":"cpr"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cpr"}},{"kind":"Field","name":{"kind":"Name","value":"stamkort"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cpr"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"addressProtected"}},{"kind":"Field","name":{"kind":"Name","value":"healthInsuranceGroup"}},{"kind":"Field","name":{"kind":"Name","value":"gpNote"}},{"kind":"Field","name":{"kind":"Name","value":"version"}},{"kind":"Field","name":{"kind":"Name","value":"registeredAddress"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"lines"}},{"kind":"Field","name":{"kind":"Name","value":"postcode"}},{"kind":"Field","name":{"kind":"Name","value":"city"}}]}},{"kind":"Field","name":{"kind":"Name","value":"gp"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"ydernummer"}},{"kind":"Field","name":{"kind":"Name","value":"phone"}},{"kind":"Field","name":{"kind":"Name","value":"doctors"}},{"kind":"Field","name":{"kind":"Name","value":"address"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"lines"}},{"kind":"Field","name":{"kind":"Name","value":"postcode"}},{"kind":"Field","name":{"kind":"Name","value":"city"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"provenance"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"source"}},{"kind":"Field","name":{"kind":"Name","value":"enteredAt"}}]}},{"kind":"Field","name":{"kind":"Name","value":"phone"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"Entered"}}]}},{"kind":"Field","name":{"kind":"Name","value":"temporaryAddress"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"Entered"}}]}},{"kind":"Field","name":{"kind":"Name","value":"dentist"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"Entered"}}]}},{"kind":"Field","name":{"kind":"Name","value":"language"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"Entered"}}]}},{"kind":"Field","name":{"kind":"Name","value":"relatives"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"Entered"}}]}}]}},{"kind":"FragmentSpread","name":{"kind":"Name","value":"Told"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"Entered"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"EnteredValue"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"value"}},{"kind":"Field","name":{"kind":"Name","value":"version"}},{"kind":"Field","name":{"kind":"Name","value":"provenance"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"source"}},{"kind":"Field","name":{"kind":"Name","value":"enteredByName"}},{"kind":"Field","name":{"kind":"Name","value":"enteredByRole"}},{"kind":"Field","name":{"kind":"Name","value":"enteredByAuthorisationId"}},{"kind":"Field","name":{"kind":"Name","value":"enteredAt"}},{"kind":"Field","name":{"kind":"Name","value":"organization"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"Told"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"PatientOverview"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"sources"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"fetchedAt"}},{"kind":"Field","name":{"kind":"Name","value":"refusedDocuments"}}]}},{"kind":"Field","name":{"kind":"Name","value":"notices"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}}]} as unknown as DocumentNode<StamkortQuery, StamkortQueryVariables>;
export const StamkortHistoryDocument = {"__meta__":{"hash":"d5ba9faa6a27ff92779d380c795af8b7811059ea7a1dfebf4027e34140299a1e"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"StamkortHistory"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"cpr"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"field"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"StamkortField"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"patientOverview"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"cpr"},"value":{"kind":"Variable","name":{"kind":"Name","value":"cpr"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cpr"}},{"kind":"Field","name":{"kind":"Name","value":"stamkort"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cpr"}},{"kind":"Field","name":{"kind":"Name","value":"history"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"field"},"value":{"kind":"Variable","name":{"kind":"Name","value":"field"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"Entered"}}]}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"Entered"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"EnteredValue"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"value"}},{"kind":"Field","name":{"kind":"Name","value":"version"}},{"kind":"Field","name":{"kind":"Name","value":"provenance"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"source"}},{"kind":"Field","name":{"kind":"Name","value":"enteredByName"}},{"kind":"Field","name":{"kind":"Name","value":"enteredByRole"}},{"kind":"Field","name":{"kind":"Name","value":"enteredByAuthorisationId"}},{"kind":"Field","name":{"kind":"Name","value":"enteredAt"}},{"kind":"Field","name":{"kind":"Name","value":"organization"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}}]}}]} as unknown as DocumentNode<StamkortHistoryQuery, StamkortHistoryQueryVariables>;
export const UpdateStamkortDocument = {"__meta__":{"hash":"8c82ab25b540bde389fc48b1fe8a11a10c1db6b69fc9849ec698fac8c7ce06d3"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"UpdateStamkort"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"UpdateStamkortInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"updateStamkort"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"version"}}]}}]}}]} as unknown as DocumentNode<UpdateStamkortMutation, UpdateStamkortMutationVariables>;
export const PlansDocument = {"__meta__":{"hash":"a684d0d2fd4e2d944ac168db4571b736b22d72a4f015cc6a733e2baecf9d0e1a"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Plans"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"cpr"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"patientOverview"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"cpr"},"value":{"kind":"Variable","name":{"kind":"Name","value":"cpr"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cpr"}},{"kind":"Field","name":{"kind":"Name","value":"plans"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"title"}},{"kind":"Field","name":{"kind":"Name","value":"category"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"intent"}},{"kind":"Field","name":{"kind":"Name","value":"description"}},{"kind":"Field","name":{"kind":"Name","value":"periodStart"}},{"kind":"Field","name":{"kind":"Name","value":"periodEnd"}},{"kind":"Field","name":{"kind":"Name","value":"author"}},{"kind":"Field","name":{"kind":"Name","value":"goalIds"}},{"kind":"Field","name":{"kind":"Name","value":"source"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"organization"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"activities"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"title"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"scheduledStart"}},{"kind":"Field","name":{"kind":"Name","value":"scheduledEnd"}},{"kind":"Field","name":{"kind":"Name","value":"appointmentIds"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"goals"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"description"}},{"kind":"Field","name":{"kind":"Name","value":"lifecycleStatus"}},{"kind":"Field","name":{"kind":"Name","value":"achievementStatus"}},{"kind":"Field","name":{"kind":"Name","value":"startDate"}},{"kind":"Field","name":{"kind":"Name","value":"source"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"organization"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"targets"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"measure"}},{"kind":"Field","name":{"kind":"Name","value":"detail"}},{"kind":"Field","name":{"kind":"Name","value":"dueDate"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"appointments"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"500"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"nodes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"title"}},{"kind":"Field","name":{"kind":"Name","value":"start"}},{"kind":"Field","name":{"kind":"Name","value":"allDay"}},{"kind":"Field","name":{"kind":"Name","value":"startDate"}},{"kind":"Field","name":{"kind":"Name","value":"status"}}]}}]}},{"kind":"FragmentSpread","name":{"kind":"Name","value":"Told"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"Told"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"PatientOverview"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"sources"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"fetchedAt"}},{"kind":"Field","name":{"kind":"Name","value":"refusedDocuments"}}]}},{"kind":"Field","name":{"kind":"Name","value":"notices"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}}]} as unknown as DocumentNode<PlansQuery, PlansQueryVariables>;
export const BlocksDocument = {"__meta__":{"hash":"fcbb5d06828ebac6e8fb30d1dcacee91113b4b531e9d4f9a53adcd07b283d367"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Blocks"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"cpr"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"patientOverview"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"cpr"},"value":{"kind":"Variable","name":{"kind":"Name","value":"cpr"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cpr"}},{"kind":"Field","name":{"kind":"Name","value":"blocks"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"authorisationId"}},{"kind":"Field","name":{"kind":"Name","value":"sor"}},{"kind":"Field","name":{"kind":"Name","value":"includeSubUnits"}},{"kind":"Field","name":{"kind":"Name","value":"periodStart"}},{"kind":"Field","name":{"kind":"Name","value":"periodEnd"}},{"kind":"Field","name":{"kind":"Name","value":"validFrom"}},{"kind":"Field","name":{"kind":"Name","value":"validTo"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"createdByRole"}},{"kind":"Field","name":{"kind":"Name","value":"endedAt"}},{"kind":"Field","name":{"kind":"Name","value":"active"}}]}}]}}]}}]} as unknown as DocumentNode<BlocksQuery, BlocksQueryVariables>;
export const CreateBlockDocument = {"__meta__":{"hash":"d019d3cc7ecc9521a9b48b15a5a32e6893e111ad8aeb250faafb3dd59926b760"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"CreateBlock"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"CreateBlockInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"createBlock"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"active"}}]}}]}}]} as unknown as DocumentNode<CreateBlockMutation, CreateBlockMutationVariables>;
export const EndBlockDocument = {"__meta__":{"hash":"866d38b9715ac5f247c42c51f1bbdcc23bdc45ae7de02602a2568ef01fe885f0"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"EndBlock"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"cpr"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"endBlock"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"cpr"},"value":{"kind":"Variable","name":{"kind":"Name","value":"cpr"}}},{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"active"}},{"kind":"Field","name":{"kind":"Name","value":"endedAt"}}]}}]}}]} as unknown as DocumentNode<EndBlockMutation, EndBlockMutationVariables>;
export const AccessLogDocument = {"__meta__":{"hash":"9b0c992c711269f309005d354afe8c13cc4fa87ea998fcf5242b10a488665d84"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"AccessLog"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"cpr"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"last"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"before"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"patientOverview"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"cpr"},"value":{"kind":"Variable","name":{"kind":"Name","value":"cpr"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cpr"}},{"kind":"Field","name":{"kind":"Name","value":"accessLog"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}},{"kind":"Argument","name":{"kind":"Name","value":"last"},"value":{"kind":"Variable","name":{"kind":"Name","value":"last"}}},{"kind":"Argument","name":{"kind":"Name","value":"before"},"value":{"kind":"Variable","name":{"kind":"Name","value":"before"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"hasPreviousPage"}},{"kind":"Field","name":{"kind":"Name","value":"startCursor"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}},{"kind":"Field","name":{"kind":"Name","value":"nodes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"at"}},{"kind":"Field","name":{"kind":"Name","value":"viewerName"}},{"kind":"Field","name":{"kind":"Name","value":"viewerRole"}},{"kind":"Field","name":{"kind":"Name","value":"authorisationId"}},{"kind":"Field","name":{"kind":"Name","value":"action"}},{"kind":"Field","name":{"kind":"Name","value":"refused"}},{"kind":"Field","name":{"kind":"Name","value":"categories"}},{"kind":"Field","name":{"kind":"Name","value":"overrideUsed"}},{"kind":"Field","name":{"kind":"Name","value":"overrideReason"}},{"kind":"Field","name":{"kind":"Name","value":"requestId"}},{"kind":"Field","name":{"kind":"Name","value":"organization"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"sor"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}}]}}]}}]}}]} as unknown as DocumentNode<AccessLogQuery, AccessLogQueryVariables>;
export const CalendarDocument = {"__meta__":{"hash":"c8e3779565fbb0d26ec14ac7a5acbca19d9f19043b2f7da429d6f304bb977a85"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Calendar"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"cpr"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"patient"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Boolean"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"patientOverview"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"cpr"},"value":{"kind":"Variable","name":{"kind":"Name","value":"cpr"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cpr"}},{"kind":"Field","name":{"kind":"Name","value":"calendarFeed"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"url"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"confirmedAt"}},{"kind":"Field","name":{"kind":"Name","value":"expiresAt"}}]}},{"kind":"Field","name":{"kind":"Name","value":"calendarFeeds"},"directives":[{"kind":"Directive","name":{"kind":"Name","value":"include"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"if"},"value":{"kind":"Variable","name":{"kind":"Name","value":"patient"}}}]}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"ownerName"}},{"kind":"Field","name":{"kind":"Name","value":"ownerRole"}},{"kind":"Field","name":{"kind":"Name","value":"own"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"confirmedAt"}},{"kind":"Field","name":{"kind":"Name","value":"expiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"active"}}]}}]}}]}}]} as unknown as DocumentNode<CalendarQuery, CalendarQueryVariables>;
export const RotateFeedDocument = {"__meta__":{"hash":"b064e301445cafe80edd1872b4f339892d9bad2fe0bed252889b84ca36aceaec"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"RotateFeed"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"cpr"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"rotateCalendarFeed"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"cpr"},"value":{"kind":"Variable","name":{"kind":"Name","value":"cpr"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"url"}},{"kind":"Field","name":{"kind":"Name","value":"expiresAt"}}]}}]}}]} as unknown as DocumentNode<RotateFeedMutation, RotateFeedMutationVariables>;
export const RevokeFeedDocument = {"__meta__":{"hash":"24798463923b8c7c95a3a07ea3ad358c1ec47ec87d695d35a64d8cc85bebd8c8"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"RevokeFeed"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"cpr"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"revokeCalendarFeed"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"cpr"},"value":{"kind":"Variable","name":{"kind":"Name","value":"cpr"}}},{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}]}]}}]} as unknown as DocumentNode<RevokeFeedMutation, RevokeFeedMutationVariables>;
export const OverrideBlocksDocument = {"__meta__":{"hash":"06e00e720cd4c100dfda5b6130ba4f27b9a59d14a68e98152c3bf1eb1769191b"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"OverrideBlocks"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"OverrideInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"overrideBlocks"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"basis"}},{"kind":"Field","name":{"kind":"Name","value":"reason"}},{"kind":"Field","name":{"kind":"Name","value":"grantedAt"}},{"kind":"Field","name":{"kind":"Name","value":"expiresAt"}}]}}]}}]} as unknown as DocumentNode<OverrideBlocksMutation, OverrideBlocksMutationVariables>;
export const OrganizationsDocument = {"__meta__":{"hash":"84c2be1fcf8567ace6816621dfc0001e15798fc1cd6a658972870baccd12ab34"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Organizations"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"search"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"organizations"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"search"},"value":{"kind":"Variable","name":{"kind":"Name","value":"search"}}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"sor"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"level"}},{"kind":"Field","name":{"kind":"Name","value":"parentSor"}}]}}]}}]} as unknown as DocumentNode<OrganizationsQuery, OrganizationsQueryVariables>;