// The IPC payloads, generated from the Rust types by ts-rs: do not edit.
// After changing a payload type: UPDATE_IPC_TYPES=1 cargo test --test ipc_types

export type AppError = { code: ErrorCode, message: string, details?: string | null, 
/**
 * For `rate_limited`: seconds until a retry may work, when the server said.
 */
retryAfterSecs?: number | null, 
/**
 * For `forbidden`: the Yespo right that would allow the call (what to tick in Yespo).
 */
missingRight?: string | null, };

export type ErrorCode = "validation" | "network" | "auth_required" | "auth_expired" | "forbidden" | "rate_limited" | "duplicate_request" | "keychain_unavailable" | "not_found" | "cancelled" | "internal";

export type FileView = { id: number, path: string, name: string, size: number, detected: Detected, 
/**
 * What the user chose over the detection (`None`: detected).
 */
readOptions: ReadOptions, 
/**
 * A table's columns (or flat JSON objects' keys); `None` for Yespo's own contacts.
 */
columns: Array<ColumnView> | null, mapping: Mapping, 
/**
 * The provider whose export this looks like.
 */
preset: Preset | null, 
/**
 * The mapping came from an earlier file with the same header.
 */
mappingRemembered: boolean, dedupeOn: string, 
/**
 * The account's custom fields, when an account was at hand.
 */
accountFields: Array<AccountField>, preview: Array<RowView>, 
/**
 * The full check, once the file was checked with the current choices.
 */
check: CheckView | null, };

export type ColumnView = { name: string, 
/**
 * The first distinct values among the preview rows.
 */
samples: Array<string>, target: string | null, };

export type Detected = { format: Format, 
/**
 * The encoding's name (`UTF-8`, `UTF-16LE`, `windows-1251`); `None` for XLSX.
 */
encoding: string | null, 
/**
 * The file starts with a byte-order mark.
 */
bom: boolean, 
/**
 * CSV/TSV only.
 */
delimiter: string | null, 
/**
 * The file starts with Excel's `sep=` line.
 */
excelSepLine: boolean, 
/**
 * XLSX: the sheet read and how many the workbook has.
 */
sheet: string | null, sheets: number | null, };

export type Format = "yespo-json" | "json-array" | "ndjson" | "csv" | "xlsx";

export type ReadOptions = { format: Format | null, 
/**
 * An encoding label (`utf-8`, `windows-1251`, `utf-16le`, `cp1251`...).
 */
encoding: string | null, delimiter: string | null, };

export type Mapping = { preset: Preset | null, 
/**
 * Tabular files and JSON objects that are not Yespo contacts; empty for Yespo's own shape.
 */
columns: Array<ColumnMapping>, 
/**
 * The Yespo app id for push tokens without one (no other provider's export carries it).
 */
appId: string | null, 
/**
 * Per platform (`iOS`, `Android`, `HarmonyOS`) when the apps differ; wins over `app_id`.
 */
appIds: { [key in string]: string }, unsubscribed: Unsubscribed, };

export type ColumnMapping = { column: string, 
/**
 * `pushToken`, `field:123`... (`Target`'s text form).
 */
target: string | null, };

export type Preset = "onesignal" | "braze";

export type Unsubscribed = "skip" | "inactive";

export type AccountField = { id: number, name: string, 
/**
 * `TEXTFIELD`, `NUMBER`, `DECIMAL`, `DATE`, `COMBOBOX`… (upper case), when Yespo says.
 */
kind: string | null, 
/**
 * A combobox's values.
 */
allowed: Array<string>, };

export type ChoicesInput = { mapping: Mapping | null, 
/**
 * Yespo's `dedupeOn` name (`email`, `push`, `externalCustomerId`...).
 */
dedupeOn: string | null, fieldId: number | null, 
/**
 * Keep this mapping for files with the same header.
 */
remember: boolean, };

export type Progress = { rows: number, bytes: number, totalBytes: number, };

export type CheckView = { summary: Summary, counts: FilterCounts, };

export type Summary = { rows: number, valid: number, invalid: number, 
/**
 * Rows with at least one warning.
 */
warnings: number, 
/**
 * Rows whose dedupe key repeats an earlier row's.
 */
duplicates: number, 
/**
 * Valid rows that will be sent (the last of each group of duplicates).
 */
ready: number, 
/**
 * Rows per reason (a row with two reasons counts under both).
 */
reasons: { [key in Reason]?: number }, 
/**
 * The first groups of duplicates (at most 100), with the line that wins.
 */
duplicateGroups: Array<DuplicateGroup>, 
/**
 * Columns (or JSON keys) not mapped to anything.
 */
unmapped: Array<string>, dedupeOn: string, 
/**
 * The import settings: the file's own (Yespo's body) or the defaults for this file.
 */
settings: ImportSettings, 
/**
 * Notes about the settings (e.g. the file left `contactFields` empty).
 */
notes: Array<string>, 
/**
 * What must be fixed before an upload may start (e.g. push tokens without a Yespo app id).
 */
blockers: Array<string>, format: Format, 
/**
 * The encoding's name (`UTF-8`, `UTF-16LE`, `windows-1251`); `None` for XLSX.
 */
encoding: string | null, 
/**
 * The file starts with a byte-order mark.
 */
bom: boolean, 
/**
 * CSV/TSV only.
 */
delimiter: string | null, 
/**
 * The file starts with Excel's `sep=` line.
 */
excelSepLine: boolean, 
/**
 * XLSX: the sheet read and how many the workbook has.
 */
sheet: string | null, sheets: number | null, };

export type FilterCounts = { all: number, valid: number, invalid: number, warnings: number, 
/**
 * Every row of a group with one dedupe key (the one sent and those it supersedes).
 */
duplicates: number, problems: number, };

export type DuplicateGroup = { lines: Array<number>, winner: number, };

export type ImportSettings = { dedupeOn: string, fieldId: number | null, 
/**
 * Exactly the standard fields to update.
 */
contactFields: Array<string>, 
/**
 * Send no `contactFields`: Yespo then updates every field and nulls those without data.
 */
updateAllFields: boolean, customFieldsIDs: Array<number>, groupNames: Array<string>, groupNamesExclude: Array<string>, restoreDeleted: boolean, eventKeyForNewContacts: string | null, };

export type RowFilter = "all" | "valid" | "invalid" | "warnings" | "duplicates" | "problems";

export type RowsPage = { total: number, start: number, rows: Array<RowView>, };

export type RowView = { index: number, line: number, valid: boolean, 
/**
 * Not sent because a later row with the same key wins (that row's line).
 */
supersededBy: number | null, problems: Array<Problem>, 
/**
 * The file's cells (tables and flat JSON objects), in the file's column order.
 */
cells: Array<string> | null, 
/**
 * The contact as it would be sent (when the row could be read).
 */
contact: Contact | null, };

export type Problem = { reason: Reason, severity: Severity, 
/**
 * The contact field (`device.appId`) or the file's column the problem is in, when there is one.
 */
field: string | null, message: string, };

export type Reason = "unreadable" | "no_channel" | "no_dedupe_key" | "empty_token" | "bad_token" | "bad_app_id" | "bad_email" | "bad_phone" | "too_long" | "too_many_channels" | "same_channel_twice" | "unknown_channel_type" | "unknown_field" | "bad_field_value" | "bad_os" | "bad_client_version" | "not_mobile_push" | "unsubscribed" | "token_shape" | "excel_number" | "shared_token" | "missing_device_fields" | "no_app_id" | "extra_tokens";

export type Severity = "invalid" | "warning";

export type Targets = { 
/**
 * Every standard target, in the order the Columns step lists them.
 */
targets: Array<TargetView>, 
/**
 * The standard fields an upload may update (`contactFields`).
 */
contactFields: Array<string>, };

export type TargetView = { target: string, 
/**
 * The standard field `contactFields` names for it.
 */
contactField: string | null, };

export type Contact = { id?: number | null, firstName?: string | null, lastName?: string | null, channels: Array<Channel>, address?: Address | null, fields?: Array<ContactField>, addressBookId?: number | null, externalCustomerId?: string | null, contactKey?: string | null, 
/**
 * Static segments the contact is in ("used only when receiving contacts").
 */
groups?: Array<Group>, languageCode?: string | null, timeZone?: string | null, };

export type Channel = { 
/**
 * `email`, `sms`, `viber`, `mobilepush`, `webpush`, `appinbox`, `widget`, `inapp`.
 */
type: string | null, value: string | null, device?: Device | null, webPushSubscription?: WebPushSubscription | null, };

export type Device = { appId?: string | null, deviceModel?: string | null, os?: string | null, locale?: string | null, 
/**
 * `native` or `esputnik-1`.
 */
clientVersion?: string | null, appVersion?: string | null, active?: boolean | null, };

export type WebPushSubscription = { appId?: number | null, userAgent?: string | null, userAgentVersion?: string | null, userAgentLanguage?: string | null, os?: string | null, ip?: string | null, subscriptionPage?: string | null, swActiveVersion?: string | null, };

export type Address = { region?: string | null, town?: string | null, address?: string | null, postcode?: string | null, };

export type ContactField = { id: number, value: string | null, };

export type Group = { id: number | null, name: string | null, type: string | null, };

export type DryRun = { rows: number, 
/**
 * Contacts that will be sent (valid, the last of each group of duplicates).
 */
contacts: number, rejected: number, superseded: number, 
/**
 * `ceil(contacts / 3000)`.
 */
requests: number, dedupeOn: string, 
/**
 * Standard fields the upload overwrites.
 */
overwritten: Array<string>, 
/**
 * Standard fields it leaves as they are.
 */
kept: Array<string>, 
/**
 * Custom fields (by id) it overwrites.
 */
customFields: Array<number>, updateAllFields: boolean, addToSegments: Array<string>, removeFromSegments: Array<string>, restoreDeleted: boolean, eventKeyForNewContacts: string | null, sideEffects: Array<string>, 
/**
 * What the user should know (e.g. "update all fields" nulls missing data).
 */
warnings: Array<string>, 
/**
 * What must be fixed before the upload may start.
 */
blockers: Array<string>, 
/**
 * The rights check, once made.
 */
rights: string | null, };

export type UploadEvent = { "kind": "checking", job: number, bytes: number, total_bytes: number, } | { "kind": "progress" } & UploadProgress | { "kind": "ended" } & RunReport | { "kind": "failed", job: number, error: AppError, };

export type UploadProgress = { job: number, state: JobState, 
/**
 * Rows in the file.
 */
rows: number, 
/**
 * Rows read into batches (or set aside) so far.
 */
read: number, 
/**
 * Rows that will be sent in all (valid, not superseded).
 */
ready: number, 
/**
 * Rows in requests Yespo accepted.
 */
sent: number, confirmed: number, failed: number, rejected: number, superseded: number, notSent: number, unconfirmed: number, inFlight: number, 
/**
 * Requests made by this run (re-sends included).
 */
requests: number, 
/**
 * Rows confirmed per second in this run.
 */
rate: number, etaSecs: number | null, batch: BatchChange | null, };

export type BatchChange = { index: number, state: BatchState, contacts: number, };

export type BatchState = "queued" | "sending" | "sent" | "confirmed" | "failed" | "unknown";

export type JobState = "planned" | "running" | "cancelled" | "finished" | "failed" | "interrupted" | "discarded";

export type RunReport = { job: number, state: JobState, 
/**
 * Requests this run made (re-sends included).
 */
requests: number, batches: number, elapsedSecs: number, 
/**
 * Why the run stopped early (interrupted), if it did.
 */
error: AppError | null, rows: number, confirmed: number, rejected: number, failed: number, superseded: number, not_sent: number, unconfirmed: number, unaccounted: number, };

export type Counts = { rows: number, confirmed: number, rejected: number, failed: number, superseded: number, not_sent: number, unconfirmed: number, unaccounted: number, };

export type JobView = { fileName: string, 
/**
 * Running in this app now.
 */
running: boolean, job: number, state: JobState, createdAt: string, updatedAt: string, file: string, account: string, batches: BatchCounts, 
/**
 * Requests sent, re-sends included.
 */
requests: number, 
/**
 * Import sessions whose status was never known: re-check them later.
 */
checkLater: Array<string>, rows: number, confirmed: number, rejected: number, failed: number, superseded: number, not_sent: number, unconfirmed: number, unaccounted: number, };

export type JobSummary = { job: number, state: JobState, createdAt: string, updatedAt: string, file: string, account: string, batches: BatchCounts, 
/**
 * Requests sent, re-sends included.
 */
requests: number, 
/**
 * Import sessions whose status was never known: re-check them later.
 */
checkLater: Array<string>, rows: number, confirmed: number, rejected: number, failed: number, superseded: number, not_sent: number, unconfirmed: number, unaccounted: number, };

export type BatchCounts = { total: number, queued: number, sending: number, sent: number, confirmed: number, failed: number, unknown: number, };

export type Written = { path: string, rows: number, };

export type DropEvent = { "kind": "enter", paths: Array<string>, } | { "kind": "drop", paths: Array<string>, } | { "kind": "leave" };

export type AccountOverview = { asOf: string, organisation: Part<Organisation>, balance: Part<BalanceView>, subscriptions: Part<Array<SubscriptionView>>, 
/**
 * Every custom field of every address book (id, name, type, a combobox's values).
 */
fields: Part<Array<AccountField>>, emailSenders: Part<Array<string>>, smsSenders: Part<Array<string>>, };

export type Part<T> = { value: T | null, error: AppError | null, };

export type Organisation = { name: string | null, 
/**
 * The user the API key or login belongs to.
 */
userEmail: string | null, orgId: number | null, };

export type BalanceView = { current: number | null, creditLimit: number | null, currency: string | null, bonusEmails: number | null, bonusSms: number | null, 
/**
 * Balance set aside per channel and sender (`sms`, `viber`...).
 */
reserved: Array<ReservedBalance>, };

export type ReservedBalance = { channel: string, sender: string | null, balance: number | null, };

export type SubscriptionView = { id: number | null, key: string | null, name: string | null, contacts: number | null, };

export type ContactQuery = { email: string | null, phone: string | null, externalId: string | null, firstName: string | null, lastName: string | null, };

export type ContactSource = { "search": ContactQuery } | { "segment": number };

export type ContactPage = { 
/**
 * 0-based index of the first row.
 */
start: number, rows: Array<ContactRow>, 
/**
 * Every matching contact (Yespo's `TotalCount`), when it said.
 */
total: number | null, 
/**
 * The page ended the list (fewer rows than asked for).
 */
last: boolean, 
/**
 * When Yespo answered (UTC, RFC 3339).
 */
asOf: string, };

export type ContactRow = { id: number | null, firstName: string | null, lastName: string | null, email: string | null, phone: string | null, externalId: string | null, 
/**
 * Mobile-push devices on the contact.
 */
pushDevices: number, };

export type ContactDetail = { contact: Contact, fields: Array<FieldValue>, 
/**
 * Subscription categories the contact is subscribed to, or why Yespo did not say.
 */
subscriptions: Part<Array<SubscriptionView>>, asOf: string, };

export type FieldValue = { id: number, name: string | null, kind: string | null, value: string | null, };

export type SegmentKind = "static" | "dynamic" | "combined" | "other";

export type SegmentRow = { id: number, name: string, kind: SegmentKind, 
/**
 * The type as Yespo wrote it.
 */
kindText: string | null, };

export type SegmentList = { rows: Array<SegmentRow>, 
/**
 * Segments of each type in the whole account, for the type filter's labels.
 */
counts: { [key in SegmentKind]?: number }, 
/**
 * Every segment of the account.
 */
total: number, 
/**
 * When Yespo answered (UTC, RFC 3339).
 */
asOf: string, };

export type SegmentQuery = { name: string, kinds: Array<SegmentKind>, };

export type MessageKind = "email" | "sms" | "push";

export type MessageRow = { id: number, kind: MessageKind, name: string | null, 
/**
 * The email's subject, the SMS's text, the push's title.
 */
summary: string | null, from: string | null, tags: Array<string>, language: string | null, languages: Array<string>, };

export type ReadBudget = { limit: number, used: number, remaining: number, 
/**
 * Few reads left: the screens say so.
 */
low: boolean, 
/**
 * Yespo refused a read for the limit: none is sent before this time (UTC, RFC 3339).
 */
blockedUntil: string | null, };

export type MessagePage = { start: number, rows: Array<MessageRow>, total: number | null, last: boolean, asOf: string, budget: ReadBudget, };

export type EmailVersion = { language: string | null, subject: string | null, from: string | null, };

export type EmailPreview = { id: number, name: string | null, subject: string | null, from: string | null, language: string | null, versions: Array<EmailVersion>, tags: Array<string>, subscriptionsKeys: Array<string>, 
/**
 * The sanitised HTML document for the preview frame, remote images held back.
 */
prepared: PreparedEmail, 
/**
 * The message has no HTML (an AMP-only or empty template).
 */
empty: boolean, asOf: string, budget: ReadBudget, };

export type PreparedEmail = { 
/**
 * A complete HTML document for the frame's `srcdoc`.
 */
document: string, 
/**
 * The distinct absolute http(s) addresses of the images the document holds back, in order.
 */
remoteImages: Array<string>, 
/**
 * What was taken out.
 */
removed: Removed, };

export type Removed = { 
/**
 * `<script>` elements, with their code.
 */
scripts: number, 
/**
 * `on…` attributes (`onclick`, `onerror`, `onload`…).
 */
eventHandlers: number, 
/**
 * Links and image sources with a scheme other than http, https, mailto or tel
 * (`javascript:`, `vbscript:`, `data:` that is not a raster image…).
 */
unsafeUrls: number, 
/**
 * Relative links and image sources: the preview has no address to resolve them against.
 */
relativeUrls: number, 
/**
 * `<form>`, `<input>`, `<button>`, `<select>` and `<textarea>` (a button's text stays).
 */
forms: number, 
/**
 * `<iframe>`, `<frame>`, `<frameset>`, `<object>`, `<embed>`, `<applet>`, `<video>`, `<audio>`.
 */
embeds: number, 
/**
 * `<svg>` and `<math>` elements, with their content.
 */
svgAndMath: number, 
/**
 * `<meta http-equiv="refresh">`.
 */
metaRefresh: number, 
/**
 * `<base>` elements.
 */
baseElements: number, 
/**
 * `<link>` elements: external stylesheets, icons, preloads.
 */
linkElements: number, 
/**
 * `srcset` and `background` attributes: only `<img src>` images can be loaded.
 */
imageAttributes: number, 
/**
 * CSS `@import` rules.
 */
cssImports: number, 
/**
 * CSS `url()`s (and `image-set()` strings) to anything but an inline `data:` image or font.
 */
cssUrls: number, 
/**
 * CSS that runs code in old browsers: `expression()`, `behavior`, `-moz-binding`.
 */
cssScripts: number, 
/**
 * Other CSS at-rules the preview does not keep (`@namespace`, `@-moz-document`…).
 */
cssAtRules: number, };

export type EmailWithImages = { document: string, loaded: number, failures: Array<ImageFailure>, };

export type ImageFailure = { url: string, reason: string, };

export type SmsEncoding = "gsm7" | "ucs2";

export type SmsLength = { encoding: SmsEncoding, 
/**
 * Septets for GSM-7 (an extension-table character is two), UTF-16 code units for UCS-2.
 */
units: number, 
/**
 * Parts the text is sent in (1 for the empty text).
 */
parts: number, 
/**
 * Units one part holds: 160 or 70 for a one-part text, 153 or 67 for each part of a longer one.
 */
perPart: number, 
/**
 * Units still free in the last part.
 */
leftInPart: number, };

export type SmsVersion = { language: string | null, from: string | null, text: string, length: SmsLength, };

export type SmsView = { id: number, name: string | null, tags: Array<string>, 
/**
 * Links in the text are replaced by tracked ones when sent.
 */
trackUrls: boolean, versions: Array<SmsVersion>, asOf: string, budget: ReadBudget, };

export type PushButtonView = { label: string | null, link: string | null, };

export type PushVersion = { language: string | null, title: string | null, subtitle: string | null, text: string | null, link: string | null, 
/**
 * `web` (opens the browser) or `deep` (opens the app), when there is a link.
 */
linkKind: string | null, 
/**
 * Image URLs (the image, then a carousel's): not loaded until the user asks.
 */
images: Array<string>, buttons: Array<PushButtonView>, customData: string | null, };

export type PushView = { id: number, name: string | null, tags: Array<string>, versions: Array<PushVersion>, ttlSec: number | null, sound: boolean | null, badge: number | null, asOf: string, budget: ReadBudget, };

export type LoadedImages = { images: { [key in string]: string }, failures: Array<ImageFailure>, };

export type ExportSource = { "contacts": ContactSource } | { "messages": { kind: MessageKind, search: string, } } | { "segments": SegmentQuery };

export type ExportState = "running" | "done" | "cancelled" | "failed";

export type ExportProgress = { state: ExportState, rows: number, 
/**
 * Rows Yespo said there are, when it said.
 */
total: number | null, requests: number, path: string, error: AppError | null, };

export type RegistrationSetup = { endpoints: Endpoints, 
/**
 * The Callback URL new accounts get.
 */
defaultCallbackUrl: string, };

export type CheckInput = { 
/**
 * An OAuth account of the app: its endpoints, its Callback URL (what the app sends), its
 * client authentication, and its Client Secret from the keychain unless one is typed in.
 */
accountId: string | null, clientId: string, 
/**
 * Typed in; kept in memory for the check only.
 */
clientSecret: string | null, 
/**
 * The Callback URL as registered in Yespo.
 */
callbackUrl: string, 
/**
 * The logo file to check, if any.
 */
logoPath: string | null, };

export type Endpoints = { authorizeUrl: string, tokenUrl: string, apiBaseUrl: string, };

export type Report = { subject: Subject, 
/**
 * UTC, RFC 3339.
 */
checkedAt: string, 
/**
 * The worst verdict of the checks that ran.
 */
verdict: Verdict, 
/**
 * In [`CheckId::ALL`] order.
 */
checks: Array<CheckResult>, 
/**
 * The client authentication that worked (for "Save as account").
 */
workingClientAuth: ClientAuthStyle | null, 
/**
 * Whether the login round trip ran.
 */
roundTripDone: boolean, };

export type Subject = { clientId: string, 
/**
 * The Callback URL as registered.
 */
callbackUrl: string, 
/**
 * What the app sends (the account's Callback URL, or the same).
 */
appSends: string, accountId: string | null, accountName: string | null, endpoints: Endpoints, 
/**
 * Whether a Client Secret was at hand (typed in, or in the keychain).
 */
secretGiven: boolean, logoFile: string | null, };

export type Verdict = "skipped" | "pass" | "warn" | "fail";

export type CheckId = "callback_url" | "credentials" | "round_trip" | "rights" | "logo" | "usage";

export type CheckResult = { id: CheckId, title: string, verdict: Verdict, 
/**
 * What was seen, in one sentence.
 */
summary: string, 
/**
 * What to do about it, in one sentence (`None` when nothing needs doing).
 */
fix: string | null, 
/**
 * Every line the check saw.
 */
findings: Array<Finding>, 
/**
 * A value the user may want to copy (the exact Callback URL to register).
 */
copy: string | null, 
/**
 * Data of this check for the screen (the rights matrix, the logo's preview...).
 */
data: CheckData | null, };

export type Finding = { verdict: Verdict, text: string, };

export type CheckData = { "kind": "rights" } & RightsMatrix | { "kind": "logo" } & LogoFacts | { "kind": "round_trip" } & RoundTripFacts;

export type RightsMatrix = { probes: Array<ProbeResult>, 
/**
 * The right of seed 000 the allowed groups match, or `None` for a custom or unknown set.
 */
right: Right | null, 
/**
 * The right's name, or "custom/unknown".
 */
rightLabel: string, features: Array<FeatureAccess>, 
/**
 * Where the token came from ("the account's login", "the round trip's login").
 */
tokenFrom: string, };

export type ProbeResult = { group: MethodGroup, groupLabel: string, request: string, harmless: string, access: Access, 
/**
 * The HTTP status Yespo answered, when it answered.
 */
status: number | null, 
/**
 * What the answer means, in words.
 */
note: string, };

export type Access = "allowed" | "denied" | "unknown";

export type FeatureAccess = { feature: string, works: boolean, 
/**
 * The groups it needs, by name.
 */
needs: Array<string>, };

export type MethodGroup = "general" | "update_contacts" | "read_contacts" | "contact_activity" | "events" | "send_messages" | "other";

export type Right = "full_access" | "events" | "events_and_contacts" | "messages";

export type LogoFacts = { fileName: string, 
/**
 * The file's length.
 */
bytes: number, 
/**
 * The format by the content ("PNG", "JPEG", "GIF", or another's name such as "WEBP").
 */
format: string | null, 
/**
 * As shown, after a JPEG's EXIF orientation (as browsers show it).
 */
width: number | null, height: number | null, 
/**
 * `data:image/png;base64,...`: the logo as Yespo's form shows it (96×96).
 */
preview: string | null, 
/**
 * The name's extension agrees with the content (false when the content is not PNG, JPEG or
 * GIF).
 */
extensionMatches: boolean, };

export type RoundTripFacts = { 
/**
 * The Callback URL the login used.
 */
callbackUrl: string, clientAuth: string, version: string | null, protocolVersion: string | null, 
/**
 * `expires_in` of the token answer.
 */
accessLifetimeSecs: number | null, scope: string | null, 
/**
 * The refresh answer carried a new refresh token.
 */
rotates: boolean | null, 
/**
 * Offering the old refresh token again was refused (it is single use).
 */
oldRefreshRefused: boolean | null, };

export type RoundTripEvent = { "kind": "browser", authorizeUrl: string, };

export type ReportFormat = "markdown" | "json";

export type ClientAuthStyle = "basic" | "params" | "unknown";

export type Settings = { theme: Theme, 
/**
 * Upload requests in flight at once (1 to [`MAX_UPLOAD_CONCURRENCY`]).
 */
uploadConcurrency: number, logLevel: LogLevel, };

export type SettingsView = { settings: Settings, 
/**
 * Set when `settings.json` was damaged this run: where the old file was kept.
 */
damagedFileKeptAt: string | null, 
/**
 * The file's path.
 */
path: string, };

export type Theme = "system" | "light" | "dark";

export type LogLevel = "error" | "warn" | "info" | "debug";

export type ForgetPreview = { 
/**
 * The accounts' names; their Client Secrets, API keys and tokens go from the keychain too.
 */
accounts: Array<string>, 
/**
 * Upload jobs in the history.
 */
uploads: number, 
/**
 * The files removed (those that exist now).
 */
files: Array<string>, 
/**
 * An upload is running: forgetting is refused until it is cancelled.
 */
uploadRunning: boolean, 
/**
 * What stays.
 */
logsKeptIn: string, };
