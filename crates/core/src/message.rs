//! Messages for people, as data: a stable [`MessageCode`] and typed parameters, so that the UI
//! can say each in the user's language (Chinese first, English second). The engine keeps its
//! English sentences for logs and the CLI ([`Reason::text`], the errors' `Display`); the UI renders
//! from the code and the parameters only (`ui/src/messages.ts` holds the Chinese and English text
//! of every code and every [`Term`]).
//!
//! Parameter kinds say how a value is shown: [`Param::Text`] as given (codes, names, logins,
//! file names), numbers formatted by kind (an area in m² with two decimals), [`Param::Term`] a
//! word the UI translates (`role.dispatcher` → 派遣员 / dispatcher), [`Param::List`] joined
//! with the language's separator, [`Param::Message`] a nested message (the reason of a refused
//! edit, the first problem of a refused import).

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

macro_rules! message_codes {
    ($($(#[$m:meta])* $v:ident = $key:literal [$($p:ident),*],)+) => {
        /// What a message says; the UI holds a Chinese and an English text for each.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[cfg_attr(feature = "ts", derive(ts_rs::TS))]
        pub enum MessageCode {
            $($(#[$m])* #[serde(rename = $key)] $v,)+
        }

        impl MessageCode {
            /// Every code.
            pub const ALL: &'static [MessageCode] = &[$(MessageCode::$v),+];

            /// The stable kebab-case key (what the UI's tables are keyed by).
            pub fn key(self) -> &'static str {
                match self { $(MessageCode::$v => $key),+ }
            }

            /// The names of the parameters a message of this code may carry.
            pub fn params(self) -> &'static [&'static str] {
                match self { $(MessageCode::$v => &[$(stringify!($p)),*]),+ }
            }
        }
    };
}

message_codes! {
    // ---- the store and the system ----
    /// The store file does not exist.
    StoreNotFound = "store-not-found" [path],
    /// Not a GridDesk store, or damaged.
    StoreCorrupt = "store-corrupt" [path],
    /// Written by a newer GridDesk.
    StoreTooNew = "store-too-new" [path, found, supported],
    /// Another process holds the store.
    StoreLocked = "store-locked" [path],
    /// The store is open read-only.
    StoreReadOnly = "store-read-only" [path],
    /// The store's first start did not finish.
    StoreIncomplete = "store-incomplete" [path],
    /// An SQLite failure.
    DatabaseError = "database-error" [],
    /// A file could not be read or written; `reason` is an `io.*` term.
    IoError = "io-error" [path, reason],
    /// A fault inside the program (stored data unreadable, an encoder failed); the log has the
    /// detail.
    InternalError = "internal-error" [],
    /// Geometry that could not be encoded or decoded.
    GeometryError = "geometry-error" [],
    /// A tile address out of range.
    BadTile = "bad-tile" [z, x, y],
    /// `thing` (a `thing.*` term) `key` does not exist.
    NotFound = "not-found" [thing, key],
    /// `thing` `key` already exists.
    AlreadyExists = "already-exists" [thing, key],
    /// A bad code; `reason` says why.
    InvalidCode = "invalid-code" [code, reason],
    /// A code of the wrong length or with other characters than digits.
    CodeDigits = "code-digits" [thing, digits],
    /// A unit grid code that is neither 15 nor 14 (legacy) digits.
    GridCodeDigits = "grid-code-digits" [],
    /// A component sequence number out of range.
    ComponentSequenceRange = "component-sequence-range" [],
    /// A number out of its range (`thing` is a `thing.*` term).
    NumberRange = "number-range" [thing, value, min, max],

    // ---- where in a file ----
    /// The whole file.
    AtFile = "at-file" [file],
    /// A field of the whole file (a header column).
    AtFileField = "at-file-field" [file, field],
    /// A line (CSV rows, JSON syntax errors).
    AtLine = "at-line" [file, line],
    /// A field on a line.
    AtLineField = "at-line-field" [file, line, field],
    /// A feature of a GeoJSON file (0-based).
    AtFeature = "at-feature" [file, feature],
    /// A field of a feature.
    AtFeatureField = "at-feature-field" [file, feature, field],
    /// A record of a Shapefile or GeoPackage.
    AtRecord = "at-record" [file, record],
    /// A field of a record.
    AtRecordField = "at-record-field" [file, record, field],
    /// A problem at a place in an input file: `at` is an `at-*` message.
    InputError = "input-error" [at, reason],
    /// A unit grid already belongs to a zone of the layer.
    ZoneConflict = "zone-conflict" [grid, zone, layer],
    /// Rows were refused, nothing imported; `first` is the first problem (an `input-error`).
    ImportRejected = "import-rejected" [file, count, first],

    // ---- reading files (import) ----
    /// The file's extension names no format GridDesk reads or writes.
    UnknownFileType = "unknown-file-type" [file, expected],
    /// The dataset cannot be read from this format.
    DatasetNotInFormat = "dataset-not-in-format" [file, dataset, format],
    /// The dataset must be imported from another format.
    DatasetNeedsFormat = "dataset-needs-format" [dataset, format],
    /// The dataset cannot be exported in this format.
    DatasetNotAsFormat = "dataset-not-as-format" [dataset, format],
    /// An unknown dataset name.
    UnknownDataset = "unknown-dataset" [value],
    /// Writing an export failed.
    ExportWriteFailed = "export-write-failed" [],
    /// A required field is missing or empty.
    RequiredMissing = "required-missing" [],
    /// A value is not valid UTF-8.
    ValueNotUtf8 = "value-not-utf8" [],
    /// A value is not a number.
    NotANumber = "not-a-number" [value],
    /// A value is not true or false.
    NotTrueFalse = "not-true-false" [value],
    /// A record with no usable value.
    InvalidRecord = "invalid-record" [],
    /// A coordinate is not a finite number.
    CoordinateNotFinite = "coordinate-not-finite" [lon, lat],
    /// A longitude outside [-180, 180].
    LongitudeRange = "longitude-range" [lon],
    /// A latitude outside [-90, 90].
    LatitudeRange = "latitude-range" [lat],
    /// Coordinates out of range in a file read as lon/lat: the file's CRS is needed.
    NotLonLatGiveCrs = "not-lon-lat-give-crs" [reason],
    /// A point outside the area a CRS covers.
    OutsideCrs = "outside-crs" [x, y, crs],
    /// An unknown CRS name.
    UnknownCrs = "unknown-crs" [value],
    /// The file names a CRS GridDesk does not convert.
    CrsUnknownInFile = "crs-unknown-in-file" [crs],
    /// The file is on an old datum (Beijing 1954, Xian 1980): give the local transformation.
    OldDatumNeedsTowgs84 = "old-datum-needs-towgs84" [datum, ellipsoid],
    /// A seven-parameter transformation that cannot be read.
    Towgs84Invalid = "towgs84-invalid" [value],
    /// A seven-parameter transformation given for a file not on an old datum.
    Towgs84NotOldDatum = "towgs84-not-old-datum" [crs],
    /// Coordinates read as lon/lat look like projected metres.
    LooksProjected = "looks-projected" [x, y],
    /// Coordinates read as lon/lat look like Gauss-Krüger metres with the zone in the easting.
    LooksProjectedGk = "looks-projected-gk" [x, y, zone, epsg],
    /// CSV rows carry no polygons.
    CsvNoPolygons = "csv-no-polygons" [],
    /// The CSV header row cannot be read.
    CsvHeaderUnreadable = "csv-header-unreadable" [],
    /// The CSV file has no header row.
    CsvNoHeader = "csv-no-header" [],
    /// Two columns give the same field.
    CsvColumnsClash = "csv-columns-clash" [a, b, field],
    /// Required columns are missing.
    CsvMissingColumns = "csv-missing-columns" [columns],
    /// Required columns are missing, and the header has columns GridDesk does not know.
    CsvHeaderNotUnderstood = "csv-header-not-understood" [columns, unknown, expected],
    /// A CSV row cannot be read.
    CsvRowUnreadable = "csv-row-unreadable" [],
    /// A CSV row has another number of fields than the header.
    CsvRowWidth = "csv-row-width" [count, width],
    /// Malformed JSON.
    JsonMalformed = "json-malformed" [line, column],
    /// A FeatureCollection without `features`.
    GeojsonNoFeatures = "geojson-no-features" [],
    /// Not a FeatureCollection.
    GeojsonNotCollection = "geojson-not-collection" [found],
    /// Not a Feature.
    GeojsonNotFeature = "geojson-not-feature" [found],
    /// Not a JSON object.
    NotAnObject = "not-an-object" [],
    /// Coordinates that should be an array are not.
    NotAnArray = "not-an-array" [],
    /// `properties` is not an object.
    PropertiesNotObject = "properties-not-object" [],
    /// A record without geometry.
    NoGeometry = "no-geometry" [],
    /// A geometry without `type`.
    GeometryNoType = "geometry-no-type" [],
    /// A geometry without `coordinates`.
    GeometryNoCoordinates = "geometry-no-coordinates" [type],
    /// A geometry that cannot be read.
    GeometryUnreadable = "geometry-unreadable" [],
    /// A value that should be text is an array or object.
    ValueNotText = "value-not-text" [],
    /// Another geometry type than expected (`expected`: `geom.*` terms).
    ExpectedGeometry = "expected-geometry" [expected, found],
    /// A MultiPolygon without polygons.
    MultipolygonEmpty = "multipolygon-empty" [],
    /// An invalid polygon (`reason`: a `polygon.*` term).
    InvalidPolygon = "invalid-polygon" [reason],
    /// A position that is not an array of numbers.
    PositionNotNumbers = "position-not-numbers" [],
    /// A position with fewer than 2 numbers.
    PositionTooShort = "position-too-short" [count],
    /// A ring that is not an array.
    RingNotArray = "ring-not-array" [],
    /// A ring with too few positions.
    RingTooShort = "ring-too-short" [count],
    /// A ring that is not closed.
    RingNotClosed = "ring-not-closed" [],
    /// A polygon without rings.
    PolygonNoRings = "polygon-no-rings" [],
    /// The district is not in the boundary file.
    DistrictNotInFile = "district-not-in-file" [district, gb],
    /// A road line of several parts.
    RoadLineOneLine = "road-line-one-line" [count],
    /// Not a readable GeoPackage.
    NotAGeopackage = "not-a-geopackage" [],
    /// The GeoPackage has no such feature table.
    GpkgNoTable = "gpkg-no-table" [table, tables],
    /// The Shapefile's `.dbf` is missing.
    ShpNoDbf = "shp-no-dbf" [],
    /// The Shapefile cannot be read.
    ShpUnreadable = "shp-unreadable" [],
    /// A record cannot be read.
    RecordUnreadable = "record-unreadable" [],
    /// A text longer than a Shapefile field holds.
    ShpTextTooLong = "shp-text-too-long" [record, field, bytes],
    /// A key seen earlier in the file (`first`: where, an `at-*` message).
    DuplicateKey = "duplicate-key" [field, key, first],
    /// A key already in the store.
    KeyExists = "key-exists" [field, key],
    /// The store has no district yet.
    NoDistrict = "no-district" [],
    /// The street is not in the district.
    StreetNotInDistrict = "street-not-in-district" [street, district],
    /// The street is not in the store.
    StreetNotInStore = "street-not-in-store" [street],
    /// The community is not in the store.
    CommunityNotInStore = "community-not-in-store" [community],
    /// Not a date.
    NotADate = "not-a-date" [value],
    /// Not a date-time.
    NotADatetime = "not-a-datetime" [value],
    /// The end date is before the start date.
    EndBeforeStart = "end-before-start" [end, start],
    /// A grid of several polygons.
    GridOnePolygon = "grid-one-polygon" [count],
    /// A grid outside its community.
    GridOutsideCommunity = "grid-outside-community" [community],
    /// A unit grid not in the store.
    GridNotInStore = "grid-not-in-store" [grid],
    /// A unit grid already in a duty grid.
    GridInDutyGrid = "grid-in-duty-grid" [grid, duty],
    /// A unit grid listed twice.
    GridListedTwice = "grid-listed-twice" [grid],
    /// No unit grids listed.
    NoGridsListed = "no-grids-listed" [],
    /// A unit grid claimed by an earlier row (`at`: an `at-*` message).
    GridInEarlierDutyGrid = "grid-in-earlier-duty-grid" [grid, at],
    /// A component outside the district.
    ComponentNotInDistrict = "component-not-in-district" [component, district],
    /// A class code that does not match the component code.
    ClassMismatch = "class-mismatch" [class, expected],
    /// A component of another class than the case's.
    ComponentClassMismatch = "component-class-mismatch" [component, class, expected],
    /// Not a component state.
    NotAState = "not-a-state" [value],
    /// Not a case kind.
    NotACaseKind = "not-a-case-kind" [value],
    /// Not a case source.
    NotASource = "not-a-source" [value],
    /// Not a case status.
    NotAStatus = "not-a-status" [value],

    // ---- users, departments, routing, calendar, filing standard ----
    /// A department code of the wrong form.
    DepartmentCodeInvalid = "department-code-invalid" [code],
    /// A department without a name.
    DepartmentNameEmpty = "department-name-empty" [code],
    /// A user without a name.
    UserNameEmpty = "user-name-empty" [login],
    /// A user without a role.
    UserNeedsRole = "user-needs-role" [login],
    /// A 专业部门 user without a department.
    DepartmentUserNeedsDepartment = "department-user-needs-department" [login],
    /// A login of the wrong form.
    LoginInvalid = "login-invalid" [login],
    /// A password that is too short.
    PasswordTooShort = "password-too-short" [login, min],
    /// A routing rule's class pattern is invalid.
    RoutingClassInvalid = "routing-class-invalid" [class],
    /// A routing rule without a department.
    RoutingNoDepartment = "routing-no-department" [],
    /// An office period of the wrong form.
    OfficePeriodInvalid = "office-period-invalid" [value],
    /// No office periods.
    OfficeHoursEmpty = "office-hours-empty" [],
    /// Two office periods overlap.
    OfficeHoursOverlap = "office-hours-overlap" [a, b],
    /// A time limit that is not positive.
    TimeLimitNotPositive = "time-limit-not-positive" [amount, unit],
    /// A filing condition's class code is not 4 digits.
    FilingClassDigits = "filing-class-digits" [kind, class, condition],
    /// A filing condition without an id.
    FilingConditionEmpty = "filing-condition-empty" [class],
    /// A filing condition without its filing and closing texts.
    FilingTextsMissing = "filing-texts-missing" [class, condition],
    /// A filing condition lacks a time limit for a stage and area.
    FilingLimitMissing = "filing-limit-missing" [class, condition, stage, area],
    /// A filing condition has two time limits for a stage and area.
    FilingLimitTwice = "filing-limit-twice" [class, condition, stage, area],
    /// A date out of the supported range.
    DateOutOfRange = "date-out-of-range" [date],

    /// A major class code that is not 2 digits.
    MajorCodeInvalid = "major-code-invalid" [value],
    /// A minor class code that is not 4 digits starting with its major code.
    MinorCodeInvalid = "minor-code-invalid" [value, major],
    /// A class code listed twice in a code table.
    DuplicateClass = "duplicate-class" [class],
    /// A code table without classes.
    TableNoClasses = "table-no-classes" [],
    /// Not `holiday` or `workday`.
    NotADayKind = "not-a-day-kind" [value],
    /// A date listed twice in a calendar.
    DateListedTwice = "date-listed-twice" [date, line],
    /// Not a time unit.
    NotATimeUnit = "not-a-time-unit" [value],
    /// Not a stage.
    NotAStage = "not-a-stage" [value],
    /// Not an urgency.
    NotAnUrgency = "not-an-urgency" [value],
    /// A case closed before it was reported.
    ClosedBeforeReported = "closed-before-reported" [],
    /// A key twice in one file.
    KeyTwiceInFile = "key-twice-in-file" [field, key],
    /// A value that is not valid (files the CLI reads; the English text says why).
    ValueInvalid = "value-invalid" [],

    // ---- components register and QR plates ----
    /// No free component codes left for the class.
    ComponentCodesExhausted = "component-codes-exhausted" [district, class],
    /// A component code of another district or class.
    ComponentCodeMismatch = "component-code-mismatch" [code, district, class],
    /// Not a GridDesk plate.
    QrNotPlate = "qr-not-plate" [payload],
    /// No QR code in the image.
    NoQrFound = "no-qr-found" [],
    /// Not a readable image.
    NotAnImage = "not-an-image" [],
    /// A font file that cannot be used.
    FontUnusable = "font-unusable" [path],
    /// No components selected for a plate sheet.
    NoComponentsSelected = "no-components-selected" [],

    // ---- zones ----
    /// A unit needs a code and a name.
    UnitNeedsCodeName = "unit-needs-code-name" [],
    /// A person needs an id and a name.
    PersonNeedsIdName = "person-needs-id-name" [],
    /// A zone needs a name.
    ZoneNeedsName = "zone-needs-name" [zone],
    /// A zone needs a code.
    ZoneNeedsCode = "zone-needs-code" [],
    /// The drawn polygon holds no unit grid.
    PolygonHoldsNoGrid = "polygon-holds-no-grid" [],
    /// A road line needs a code and a name.
    RoadLineNeedsCodeName = "road-line-needs-code-name" [],
    /// A road line needs two distinct points.
    RoadLineTooShort = "road-line-too-short" [code],
    /// A zone row refers to something missing, or is still referred to.
    ZoneReferenceMissing = "zone-reference-missing" [thing, key],
    /// A unit cannot be its own parent.
    UnitOwnParent = "unit-own-parent" [unit],
    /// A person still responsible for zones.
    PersonStillResponsible = "person-still-responsible" [person, zones],
    /// Only the built-in duty layer is of kind duty.
    DutyLayerKind = "duty-layer-kind" [layer],
    /// The duty layer belongs to the management network.
    DutyLayerNetwork = "duty-layer-network" [],
    /// The duty layer cannot be deleted.
    DutyLayerUndeletable = "duty-layer-undeletable" [],
    /// A unit grid claimed by an earlier zone in the file (`at`: an `at-*` message).
    GridClaimedInFile = "grid-claimed-in-file" [grid, zone, at],
    /// Not a road class.
    NotARoadClass = "not-a-road-class" [value],
    /// No task numbers left for the year.
    TaskNumbersExhausted = "task-numbers-exhausted" [year],
    /// A person listed twice for a zone.
    PersonListedTwice = "person-listed-twice" [person, zone],

    // ---- analytics ----
    /// A filter value that is not valid.
    FilterValueInvalid = "filter-value-invalid" [field, value],
    /// A heatmap size out of range.
    HeatmapSize = "heatmap-size" [width, height],
    /// A heatmap bandwidth that is not positive.
    HeatmapBandwidth = "heatmap-bandwidth" [bandwidth],
    /// A heatmap box that is not west < east, south < north.
    HeatmapBbox = "heatmap-bbox" [],
    /// The evaluation configuration cannot be read.
    EvaluationConfigUnreadable = "evaluation-config-unreadable" [file],
    /// The evaluation configuration has no grades.
    EvaluationGradesEmpty = "evaluation-grades-empty" [file],

    // ---- the desktop shell (src-tauri) ----
    /// The store is still opening, or failed to open.
    NotReady = "not-ready" [],
    /// A window, menu or dialog operation failed.
    WindowFailed = "window-failed" [],
    /// The station's network service (设置 ▸ 局域网服务) cannot listen at that address.
    LanListenFailed = "lan-listen-failed" [addr],
    /// The station's certificate authority (HTTPS for the phones) cannot be read or made in
    /// that folder.
    LanCertificateFailed = "lan-certificate-failed" [dir],
    /// The station's certificate is in that folder without its key: refused, not replaced
    /// (the phones that installed it would need a new one).
    LanCertificateKeyMissing = "lan-certificate-key-missing" [file, key],
    /// Nobody is signed in.
    NotSignedIn = "not-signed-in" [],
    /// A file name that cannot be used.
    BadFileName = "bad-file-name" [name],
    /// Too many components for one plate sheet.
    TooManyPlates = "too-many-plates" [count, max],
    /// A heatmap view box that is not west < east, south < north in degrees.
    BadViewBounds = "bad-view-bounds" [],
    /// A heatmap bandwidth outside 10–5000 m.
    BandwidthRange = "bandwidth-range" [bandwidth, min, max],
    /// Nothing to export.
    NothingToExport = "nothing-to-export" [],
    /// The map image did not arrive as a PNG.
    NotAPng = "not-a-png" [],
    /// Not a month `YYYY-MM`.
    NotAMonth = "not-a-month" [value],
    /// An unknown evaluation table.
    UnknownEvaluationTable = "unknown-evaluation-table" [value],
    /// An unknown indicator.
    UnknownIndicator = "unknown-indicator" [value],
    /// The evaluation's grade bands are empty.
    GradeBandsEmpty = "grade-bands-empty" [],
    /// A weight is negative or not a number.
    WeightInvalid = "weight-invalid" [],
    /// A grade band without a name or lower bound.
    GradeBandIncomplete = "grade-band-incomplete" [],
    /// An unknown text encoding.
    UnknownEncoding = "unknown-encoding" [value],

    // ---- sign-in and permissions ----
    /// Unknown login or wrong password.
    SignInBadCredentials = "sign-in-bad-credentials" [],
    /// The account is disabled.
    SignInInactive = "sign-in-inactive" [login],
    /// The user does not hold the role asked for.
    SignInRoleNotHeld = "sign-in-role-not-held" [login, role],
    /// Too many failed sign-ins in a row: wait before trying again.
    SignInWait = "sign-in-wait" [login, seconds],
    /// A phone's session expired, was signed out or is unknown: sign in again.
    SignInSessionEnded = "sign-in-session-ended" [],
    /// Grid planning needs the planner or administrator role.
    NotPermittedPlanning = "not-permitted-planning" [login, role],
    NotPermittedEvaluation = "not-permitted-evaluation" [login, role],
    NotPermittedImportCases = "not-permitted-import-cases" [login, role],
    /// Only administrators back up a store (the copy holds everyone's data).
    NotPermittedBackup = "not-permitted-backup" [login, role],
    NotPermittedImport = "not-permitted-import" [login, role],
    /// A component edit based on values someone else has changed since.
    ComponentChangedSince = "component-changed-since" [component],
    /// The file read for an import differed between its check and its write.
    FileChangedDuringImport = "file-changed-during-import" [file],
    /// Someone else changed what an edit was based on since it was read.
    ChangedSince = "changed-since" [thing, key],
    /// An export path the user did not choose in the Save dialog.
    ExportPathNotChosen = "export-path-not-chosen" [path],
    /// Only administrators and leaders read the audit log.
    NotPermittedAudit = "not-permitted-audit" [login, role],
    NotPermittedPersonalData = "not-permitted-personal-data" [login, role],
    /// Street-register edits need a desk, inspector or administrator role.
    NotPermittedRegisters = "not-permitted-registers" [login, role],
    /// Only planners and administrators install or remove basemaps.
    NotPermittedBasemaps = "not-permitted-basemaps" [login, role],
    /// Patrol tracks are read by the inspector themselves, 值班长, 派遣员, 领导 and 系统管理员.
    NotPermittedTracks = "not-permitted-tracks" [login, role],
    /// Syncing with the city centre and settling sync conflicts are for administrators.
    NotPermittedSync = "not-permitted-sync" [login, role],
    /// Exports of personal data (phones, ID numbers) are for administrators.
    NotPermittedExportPersonal = "not-permitted-export-personal" [login, role],
    /// The last active administrator cannot lose the role or be disabled.
    LastAdministrator = "last-administrator" [login],
    /// The first user of a store must be an administrator.
    FirstUserAdmin = "first-user-admin" [login],

    // ---- workflow refusals ----
    /// A report time later than now (beyond a few minutes of clock skew).
    ReportedInFuture = "reported-in-future" [at, now],
    /// A report time before digital urban management began (October 2004).
    ReportedTooEarly = "reported-too-early" [at],
    /// The role may not take the action; `allowed` lists the roles that may.
    RefusedRole = "refused-role" [action, role, allowed],
    /// The case's status does not allow the action.
    RefusedStatus = "refused-status" [action, status, allowed],
    /// An input the action needs is missing (`field` is a `field.*` term).
    RefusedMissingInput = "refused-missing-input" [action, field],
    /// An input is invalid; `reason` says why.
    RefusedInvalidInput = "refused-invalid-input" [action, field, reason],
    /// The case is with another department.
    RefusedNotYourDepartment = "refused-not-your-department" [case_department, your_department],
    /// The department does not exist or is disabled.
    RefusedUnknownDepartment = "refused-unknown-department" [code],
    /// A request is waiting for approval.
    RefusedRequestPending = "refused-request-pending" [action, pending],
    /// No request of the expected kind is waiting.
    RefusedNoPendingRequest = "refused-no-pending-request" [action, expected],
    /// The user may not act in this role; `reason` says why.
    RefusedNotAuthorised = "refused-not-authorised" [login, role, reason],
    /// Why: the login is unknown.
    UnknownUser = "unknown-user" [],
    /// Why: the account is disabled.
    AccountDisabled = "account-disabled" [],
    /// Why: the user does not hold the role.
    RoleNotHeld = "role-not-held" [],
    /// Why: the session's department is not the user's.
    DepartmentMismatch = "department-mismatch" [],
    /// Why: only administrators and inspectors edit the components register.
    RegisterEditorsOnly = "register-editors-only" [],
    /// Why: only an administrator changes users, departments, routing, calendar or limits.
    AdministratorOnly = "administrator-only" [],
    /// A number that must be positive is not.
    MustBePositive = "must-be-positive" [],
    /// The time given is before the case's last change.
    TimeBeforeLastChange = "time-before-last-change" [at, last],
    /// Not a filing condition of the class.
    NotAFilingCondition = "not-a-filing-condition" [condition, class],
    /// The time unit is not measured on the running clock.
    UnitNotOnClock = "unit-not-on-clock" [unit, clock],
    /// A photo is empty.
    PhotoEmpty = "photo-empty" [],
    /// A photo is too large.
    PhotoTooLarge = "photo-too-large" [size_mb, max_mb],
    /// A photo is neither JPEG nor PNG.
    PhotoNotImage = "photo-not-image" [],
    /// A photo cannot be decoded.
    PhotoUndecodable = "photo-undecodable" [],
    /// A component code that is not in the register.
    ComponentNotRegistered = "component-not-registered" [code],
    /// A class not in the event or component code table (`kind` is a `kind.*` term).
    ClassNotInTable = "class-not-in-table" [class, kind],
    /// A location that is not a longitude/latitude.
    NotLonLat = "not-lon-lat" [],
    /// A location outside every active unit grid.
    OutsideGrids = "outside-grids" [lon, lat],
    /// A text longer than allowed.
    TooLong = "too-long" [max],
    /// Not a phone number.
    NotAPhone = "not-a-phone" [value],

    // ---- grid planning ----
    /// A grid edit cannot be made (`op` is an `edit.*` term); `reason` says why.
    EditRefused = "edit-refused" [op, reason],
    /// The topology guard refused an edit: `errors` errors of the `rules` (`rule.*` terms),
    /// `warnings` warnings; the report lists each problem.
    TopologyRefused = "topology-refused" [errors, rules, warnings],
    /// A row the edit was prepared against changed since (`thing` `key`).
    PlanStale = "plan-stale" [thing, key],
    /// Nothing to undo.
    NothingToUndo = "nothing-to-undo" [],
    /// Nothing to redo.
    NothingToRedo = "nothing-to-redo" [],
    /// An edit cannot be undone / redone: a row changed outside grid planning.
    UndoBlocked = "undo-blocked" [edit, thing, key],
    /// An edit cannot be redone: a row changed outside grid planning.
    RedoBlocked = "redo-blocked" [edit, thing, key],
    /// The grid is retired.
    GridRetired = "grid-retired" [grid],
    /// A coordinate is not a number.
    CoordinateNotNumber = "coordinate-not-number" [],
    /// No grid vertex near the point.
    NoVertexNear = "no-vertex-near" [tolerance, lon, lat],
    /// The vertex lies on a community boundary.
    VertexOnCommunityBoundary = "vertex-on-community-boundary" [lon, lat],
    /// No grid edge near the point.
    NoEdgeNear = "no-edge-near" [tolerance, lon, lat],
    /// There is already a vertex there.
    VertexAlreadyThere = "vertex-already-there" [],
    /// The edge belongs to no active grid.
    EdgeOfNoGrid = "edge-of-no-grid" [],
    /// Deleting the vertex would leave fewer than three.
    TooFewVertices = "too-few-vertices" [grid],
    /// The point is not on the grid's boundary.
    NotOnBoundary = "not-on-boundary" [grid],
    /// The community's sequence numbers would run out.
    SequenceExhausted = "sequence-exhausted" [community, top, count, max],
    /// Renumbering needs more free sequence numbers.
    RenumberNoRoom = "renumber-no-room" [community, active, free],
    /// The edit changes nothing.
    EditChangesNothing = "edit-changes-nothing" [],
    /// File ▸ New: a file is already there.
    StoreExists = "store-exists" [path],
    /// Every community already has grids, and none was chosen.
    NoCommunityToPropose = "no-community-to-propose" [],
    /// The district proposal to accept is no longer held.
    ProposalGone = "proposal-gone" [],
    /// A drawn street or community without a name.
    BoundaryNeedsName = "boundary-needs-name" [],
    /// A drawn outline reaches outside the district or street it must lie in.
    BoundaryOutside = "boundary-outside" [what, code, area],
    /// A drawn outline overlaps another street or community.
    BoundaryOverlap = "boundary-overlap" [code, area],
    /// A drawn community lies in no street.
    BoundaryNoStreet = "boundary-no-street" [],
    /// Proposal: the target area is not positive.
    TargetAreaNotPositive = "target-area-not-positive" [area],
    /// The community has no outline.
    CommunityNoOutline = "community-no-outline" [],
    /// A coordinate cannot be triangulated.
    BadCoordinate = "bad-coordinate" [lon, lat],
    /// The community outline encloses no area.
    OutlineNoArea = "outline-no-area" [],
    /// A proposed grid does not close.
    ProposalNotClosed = "proposal-not-closed" [],
    /// A drawn grid needs three distinct vertices.
    GridNeedsThreeVertices = "grid-needs-three-vertices" [],
    /// The drawn polygon has no interior.
    PolygonNoInterior = "polygon-no-interior" [],
    /// The drawn grid lies in no community.
    GridInNoCommunity = "grid-in-no-community" [],
    /// A line needs at least two points.
    LineNeedsTwoPoints = "line-needs-two-points" [],
    /// The line does not cross the grid.
    LineMissesGrid = "line-misses-grid" [grid],
    /// The line crosses the grid several times.
    LineCrossesManyTimes = "line-crosses-many-times" [grid, count],
    /// The cut's end points could not be placed on the boundary.
    CutEndsOffBoundary = "cut-ends-off-boundary" [],
    /// The line touches a hole of the grid.
    LineTouchesHole = "line-touches-hole" [],
    /// Merge needs two different grids.
    MergeNeedsTwo = "merge-needs-two" [],
    /// The grids belong to different communities.
    DifferentCommunities = "different-communities" [grid, other],
    /// The grids' boundaries do not close up.
    BoundariesDoNotClose = "boundaries-do-not-close" [],
    /// The grids form separate areas.
    SeparateAreas = "separate-areas" [count],
    /// The grid to keep is not among those merged.
    NotAmongMerged = "not-among-merged" [grid],
    /// The path must start and end on the grid's boundary.
    PathEndsOffBoundary = "path-ends-off-boundary" [grid, tolerance],
    /// The path starts and ends at the same point.
    PathClosed = "path-closed" [],
    /// Neither section of the boundary borders a single neighbouring grid.
    NoSingleNeighbour = "no-single-neighbour" [grid],
    /// Planning settings: areas must be positive.
    AreasNotPositive = "areas-not-positive" [],
    /// Planning settings: the minimum is not below the maximum.
    MinNotBelowMax = "min-not-below-max" [min, max],
    /// Planning settings: the tolerance is out of range.
    ToleranceRange = "tolerance-range" [tolerance],

    // ---- topology problems (the guard and the district check) ----
    /// Shared edges not split at the same vertices.
    TopoEdgeMismatch = "topo-edge-mismatch" [count],
    /// Two grids overlap (district check).
    TopoOverlapFound = "topo-overlap-found" [grid, other, area],
    /// A grid would overlap another.
    TopoOverlap = "topo-overlap" [grid, other, area],
    /// Part of the community is covered by no grid (district check).
    TopoGapFound = "topo-gap-found" [community, area],
    /// Part of the community would be left uncovered.
    TopoGap = "topo-gap" [community, area],
    /// A community without any grid.
    TopoCommunityEmpty = "topo-community-empty" [community],
    /// Part of a grid lies outside its community (district check).
    TopoOutsideFound = "topo-outside-found" [grid, community, area],
    /// Part of a grid would lie outside its community.
    TopoOutside = "topo-outside" [grid, community, area],
    /// A new code is already used.
    TopoCodeUsed = "topo-code-used" [code],
    /// The grid is not an active grid.
    TopoGridNotActive = "topo-grid-not-active" [grid],
    /// A grid's polygon is invalid (`reason` is a `polygon.*` term).
    TopoInvalidPolygon = "topo-invalid-polygon" [grid, reason],
    /// A grid's area is outside the configured range.
    TopoAreaRange = "topo-area-range" [grid, area, min, max],
    /// The community does not exist.
    TopoUnknownCommunity = "topo-unknown-community" [community],
    /// A grid's code names a community that does not exist.
    TopoGridUnknownCommunity = "topo-grid-unknown-community" [grid, community],
    /// The community already had unmatched segments before the change.
    TopoPreExisting = "topo-pre-existing" [community, count],
    /// Two communities overlap.
    TopoCommunityOverlap = "topo-community-overlap" [community, other, area],
    /// A street's communities do not match its outline.
    TopoStreetCoverage = "topo-street-coverage" [street, count],

    // ---- street registers (docs/registers.md) ----
    /// A credit code that is not 18 characters.
    CreditCodeLength = "credit-code-length" [code, length],
    /// A credit code with a character outside its set.
    CreditCodeChar = "credit-code-char" [code, position, char],
    /// Characters 3–8 of a credit code are not digits.
    CreditCodeDivision = "credit-code-division" [code],
    /// A credit code whose check character is wrong.
    CreditCodeCheck = "credit-code-check" [code, expected],
    /// Not a GB/T 4754-2017 section.
    IndustrySectionUnknown = "industry-section-unknown" [section],
    /// Not in the city's sub-class table.
    SubclassUnknown = "subclass-unknown" [value],
    /// A sub-class of another section than the one given.
    SubclassSection = "subclass-section" [value, section],
    /// A grid set by hand without a reason.
    GridReasonRequired = "grid-reason-required" [],
    /// A value that is none of the allowed ones.
    UnknownValue = "unknown-value" [value],
    /// A bad colour ladder.
    LadderInvalid = "ladder-invalid" [],
    /// A vending zone's hours are not times, or empty.
    ZoneHoursInvalid = "zone-hours-invalid" [zone, value],
    /// A vending zone's days are not 1–7.
    ZoneDaysInvalid = "zone-days-invalid" [zone],
    /// A vending zone's outline is not a valid polygon.
    VendingZoneShape = "vending-zone-shape" [zone],
    /// A vendor admitted with a trade the zone does not allow.
    ZoneTradeRefused = "zone-trade-refused" [zone, trade],
    /// The zone is full.
    ZoneFull = "zone-full" [zone, capacity],
    /// The vendor already holds an admission to the zone.
    AlreadyAdmitted = "already-admitted" [zone, vendor],
    /// The admission cannot take this step from where it stands.
    AdmissionStep = "admission-step" [status],
    /// Not a licence plate.
    PlateInvalid = "plate-invalid" [value],
    /// A location outside the district.
    OutsideDistrict = "outside-district" [lon, lat],
    /// A notice reaches nobody.
    NoticeNoRecipients = "notice-no-recipients" [],
    /// A notice without a text.
    NoticeEmpty = "notice-empty" [],

    // ---- basemaps (docs/basemap.md) ----
    /// Not a PMTiles, MBTiles or OSM PBF file.
    BasemapUnknownFormat = "basemap-unknown-format" [file],
    /// A package or extract that cannot be read (`detail`: what the reader said).
    BasemapCorrupt = "basemap-corrupt" [file, detail],
    /// A package or extract with no tiles or nothing to draw.
    BasemapEmpty = "basemap-empty" [file],
    /// A package whose tiles are of a kind the map cannot draw.
    BasemapTileType = "basemap-tile-type" [file, kind],
    /// A package in GCJ-02, which GridDesk does not draw (`offset`: metres off near the district).
    BasemapGcj02 = "basemap-gcj02" [file, offset],
    /// A datum that is not WGS84, CGCS2000 or GCJ-02.
    BasemapDatumUnknown = "basemap-datum-unknown" [value],
    /// A basemap build stopped by the user; nothing was installed.
    BasemapCancelled = "basemap-cancelled" [],
    /// A package that lies nowhere near the district.
    BasemapElsewhere = "basemap-elsewhere" [file],

    // ---- the station service (docs/station.md) ----
    /// A client app's name for its API key is empty or too long.
    StationAppName = "station-app-name" [max],
    /// The account a key's reports are filed as cannot report.
    StationActingUser = "station-acting-user" [login],
    /// A service code that names no class of the code tables.
    StationServiceUnknown = "station-service-unknown" [code],
    /// A field of a phone's request is missing or not what it should be.
    StationBadField = "station-bad-field" [field],
    /// A phone's request or photo is over the station's size limit (`max` in MB).
    StationTooLarge = "station-too-large" [max],
    /// Too many reports from one phone or address: try again after `seconds`.
    StationRateLimited = "station-rate-limited" [seconds],
    /// The citizen page (随手拍) is not switched on at this station.
    StationCitizenOff = "station-citizen-off" [],
    /// A 核实/核查 result that is not one of the task's choices.
    StationTaskVerdict = "station-task-verdict" [verdict],

    // ---- patrol tracks (巡查轨迹, docs/station.md) ----
    /// A batch of track points larger than the station takes at once.
    TrackBatchTooLarge = "track-batch-too-large" [max],
    /// Point `index` of a batch lies outside the district.
    TrackPointOutside = "track-point-outside" [index, lon, lat],
    /// Point `index` of a batch was recorded later than now (the phone's clock is ahead).
    TrackPointFuture = "track-point-future" [index, time],
    /// Point `index` of a batch has a missing or bad field (id, time, accuracy …).
    TrackPointBad = "track-point-bad" [index, field],
    /// A phone may record only its signed-in inspector's own track.
    TrackNotOwn = "track-not-own" [login],

    // ---- the city view of a centre (docs/centre.md, "The city view") ----
    /// The centre at `target` (its connection string without the password) could not be
    /// reached or refused the login.
    CentreUnreachable = "centre-unreachable" [target],
    /// The database at `target` holds no GridDesk centre of this build's schema version.
    CentreSchema = "centre-schema" [target, found, supported],
}

/// One parameter of a [`Message`]; the kind says how the UI shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "kebab-case")]
pub enum Param {
    /// Shown as given: codes, names, logins, file names, the user's own text.
    Text(String),
    /// A count or another whole number.
    Int(i64),
    /// A plain number (shown with at most two decimals).
    Num(f64),
    /// An area in square metres (two decimals and `m²`).
    Area(f64),
    /// A length in metres (`m`).
    Length(f64),
    /// A word the UI translates, `vocabulary.key` (see [`all_terms`]).
    Term(String),
    /// Several values, joined with the language's list separator.
    List(Vec<Param>),
    /// A message inside a message.
    Message(Box<Message>),
}

/// A message: a code and its parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Message {
    pub code: MessageCode,
    #[serde(default)]
    pub params: BTreeMap<String, Param>,
}

impl Message {
    /// A message without parameters yet.
    pub fn new(code: MessageCode) -> Self {
        Message {
            code,
            params: BTreeMap::new(),
        }
    }

    /// Adds a parameter (it must be one the code names: checked in debug builds).
    pub fn with(mut self, key: &'static str, value: Param) -> Self {
        debug_assert!(
            self.code.params().contains(&key),
            "message {} has no parameter `{key}`",
            self.code.key()
        );
        self.params.insert(key.to_string(), value);
        self
    }

    /// A parameter shown as given.
    pub fn text(self, key: &'static str, value: impl fmt::Display) -> Self {
        self.with(key, Param::Text(value.to_string()))
    }

    /// A whole number.
    pub fn int(self, key: &'static str, value: impl TryInto<i64>) -> Self {
        self.with(key, Param::Int(value.try_into().unwrap_or(i64::MAX)))
    }

    /// A plain number.
    pub fn num(self, key: &'static str, value: f64) -> Self {
        self.with(key, Param::Num(value))
    }

    /// An area, m².
    pub fn area(self, key: &'static str, m2: f64) -> Self {
        self.with(key, Param::Area(m2))
    }

    /// A length, m.
    pub fn length(self, key: &'static str, m: f64) -> Self {
        self.with(key, Param::Length(m))
    }

    /// A word the UI translates.
    pub fn term(self, key: &'static str, value: impl Term) -> Self {
        self.with(key, value.param())
    }

    /// Several words the UI translates.
    pub fn terms<T: Term>(self, key: &'static str, values: impl IntoIterator<Item = T>) -> Self {
        self.with(
            key,
            Param::List(values.into_iter().map(|t| t.param()).collect()),
        )
    }

    /// Several values shown as given.
    pub fn texts<T: fmt::Display>(
        self,
        key: &'static str,
        values: impl IntoIterator<Item = T>,
    ) -> Self {
        self.with(
            key,
            Param::List(
                values
                    .into_iter()
                    .map(|t| Param::Text(t.to_string()))
                    .collect(),
            ),
        )
    }

    /// A nested message.
    pub fn nested(self, key: &'static str, m: Message) -> Self {
        self.with(key, Param::Message(Box::new(m)))
    }

    /// This message together with its English sentence (for logs and the CLI).
    pub fn en(self, text: impl Into<String>) -> Reason {
        Reason {
            text: text.into(),
            message: self,
        }
    }

    /// A parameter by name.
    pub fn param(&self, key: &str) -> Option<&Param> {
        self.params.get(key)
    }
}

impl From<MessageCode> for Message {
    fn from(code: MessageCode) -> Self {
        Message::new(code)
    }
}

/// Words for a person: the English sentence (logs, the CLI, `Display`) and the [`Message`]
/// the UI renders in the user's language.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reason {
    pub text: String,
    pub message: Message,
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl Reason {
    /// The same message with its English text prefixed (the English sentence grows; the
    /// message does not).
    pub fn prefixed(self, prefix: impl fmt::Display) -> Reason {
        Reason {
            text: format!("{prefix}{}", self.text),
            message: self.message,
        }
    }
}

/// A value the UI names in the user's language: `vocabulary.key`.
pub trait Term {
    /// The vocabulary (`role`, `action`, …).
    const VOCAB: &'static str;
    /// The key within the vocabulary.
    fn term_key(&self) -> &str;
    /// The parameter.
    fn param(&self) -> Param {
        Param::Term(format!("{}.{}", Self::VOCAB, self.term_key()))
    }
}

impl<T: Term> Term for &T {
    const VOCAB: &'static str = T::VOCAB;
    fn term_key(&self) -> &str {
        (*self).term_key()
    }
}

macro_rules! keyed_terms {
    ($($ty:ty => $vocab:literal),+ $(,)?) => {
        $(impl Term for $ty {
            const VOCAB: &'static str = $vocab;
            fn term_key(&self) -> &str { self.key() }
        })+

        /// Every term of the keyed vocabularies.
        fn keyed_terms() -> Vec<String> {
            let mut out = Vec::new();
            $(out.extend(<$ty>::ALL.iter().map(|v| format!("{}.{}", $vocab, v.key())));)+
            out
        }
    };
}

keyed_terms! {
    crate::users::Role => "role",
    crate::flow::ActionKind => "action",
    crate::model::CaseStatus => "status",
    crate::flow::RequestKind => "request",
    crate::clock::TimeUnit => "unit",
    EditOp => "edit",
    Thing => "thing",
    Field => "field",
    IoKind => "io",
    PolygonProblem => "polygon",
    Geom => "geom",
    Operation => "operation",
}

impl Term for crate::topology::Rule {
    const VOCAB: &'static str = "rule";
    fn term_key(&self) -> &str {
        self.id()
    }
}

impl Term for crate::model::CaseKind {
    const VOCAB: &'static str = "kind";
    fn term_key(&self) -> &str {
        self.key()
    }
}

/// Every term of the core vocabularies, `vocabulary.key` (the API crate adds the import
/// datasets).
pub fn all_terms() -> Vec<String> {
    let mut out = keyed_terms();
    out.extend(
        crate::topology::Rule::ALL
            .iter()
            .map(|r| format!("rule.{}", r.id())),
    );
    out.extend(
        [
            crate::model::CaseKind::Event,
            crate::model::CaseKind::Component,
        ]
        .iter()
        .map(|k| format!("kind.{}", k.key())),
    );
    out
}

macro_rules! vocabulary {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $v:ident = $key:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($(#[$vm])* $v),+ }

        impl $name {
            /// Every value.
            pub const ALL: &'static [$name] = &[$($name::$v),+];
            /// The key.
            pub fn key(self) -> &'static str { match self { $($name::$v => $key),+ } }
            /// The value with this key.
            pub fn from_key(k: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|v| v.key() == k)
            }
        }
    };
}

vocabulary!(
    /// A grid edit, as the `edit-refused` message names it.
    EditOp {
        Propose = "propose",
        Add = "add",
        Split = "split",
        Merge = "merge",
        Reshape = "reshape",
        MoveVertex = "move-vertex",
        DeleteVertex = "delete-vertex",
        InsertVertex = "insert-vertex",
        PlaceVertex = "place-vertex",
        AllocateCodes = "allocate-codes",
        Renumber = "renumber",
        Apply = "apply",
    }
);

impl EditOp {
    /// The English words of the engine's sentences (`cannot {op}: …`).
    pub fn en(self) -> &'static str {
        match self {
            EditOp::Propose => "propose grids",
            EditOp::Add => "add the grid",
            EditOp::Split => "split",
            EditOp::Merge => "merge",
            EditOp::Reshape => "reshape",
            EditOp::MoveVertex => "move the vertex",
            EditOp::DeleteVertex => "delete the vertex",
            EditOp::InsertVertex => "insert a vertex",
            EditOp::PlaceVertex => "place a vertex",
            EditOp::AllocateCodes => "allocate grid codes",
            EditOp::Renumber => "renumber",
            EditOp::Apply => "apply the edit",
        }
    }
}

impl fmt::Display for EditOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.en())
    }
}

vocabulary!(
    /// The grid-planning operations a change-set and the edit history name (`ChangeSet::operation`,
    /// `EditSummary::operation`); the UI names them with these terms.
    Operation {
        AddGrid = "add_grid",
        DeleteVertex = "delete_vertex",
        InsertVertex = "insert_vertex",
        Merge = "merge",
        MoveVertex = "move_vertex",
        Proposal = "proposal",
        Renumber = "renumber",
        Reshape = "reshape",
        Split = "split",
    }
);

vocabulary!(
    /// The things `not-found` and `already-exists` name; the keys are the engine's English
    /// words with `-` for spaces.
    Thing {
        Case = "case",
        Community = "community",
        Component = "component",
        Department = "department",
        DutyGrid = "duty-grid",
        FilingCondition = "filing-condition",
        Grid = "grid",
        Layer = "layer",
        Person = "person",
        Photo = "photo",
        RoutingRule = "routing-rule",
        StoreFile = "store-file",
        User = "user",
        Zone = "zone",
        Unit = "unit",
        RoadLine = "road-line",
        Street = "street",
        District = "district",
        Class = "class",
        DutyGridMember = "duty-grid-member",
        ZoneMember = "zone-member",
        ZonePerson = "zone-person",
        StreetNumber = "street-number",
        CommunityNumber = "community-number",
        GridSequence = "grid-sequence",
        EvaluationSettings = "evaluation-settings",
        TimeLimit = "time-limit",
        CalendarDay = "calendar-day",
        ServiceObject = "service-object",
        Subclass = "subclass",
        Vendor = "vendor",
        VendingZone = "vending-zone",
        Admission = "admission",
        Notice = "notice",
        Basemap = "basemap",
        StationKey = "station-key",
        Edit = "edit",
        Inspector = "inspector",
        PlanningSetting = "planning-setting",
        Station = "station",
        CaseFlow = "case-flow",
        Table = "table",
        Column = "column",
        Row = "row",
        Value = "value",
        SyncBatch = "sync-batch",
        SyncConflict = "sync-conflict",
    }
);

impl Thing {
    /// The thing an engine word names (`"duty grid"` → [`Thing::DutyGrid`]).
    pub fn from_en(what: &str) -> Option<Self> {
        let k = what.trim().replace([' ', '_'], "-");
        match k.as_str() {
            "unit-grid" => Some(Thing::Grid),
            "duty-member" => Some(Thing::DutyGridMember),
            _ => Self::from_key(&k),
        }
    }
}

/// A thing the engine names in English: a [`Thing`] term when the word is known, else the
/// word itself (a test checks that every word the engine uses is known).
pub fn thing(what: &str) -> Param {
    match Thing::from_en(what) {
        Some(t) => t.param(),
        None => Param::Text(what.to_string()),
    }
}

vocabulary!(
    /// Inputs of a workflow action or a new report, as refusals name them.
    Field {
        Reason = "reason",
        Note = "note",
        Department = "department",
        AfterPhoto = "after_photo",
        Amount = "amount",
        Unit = "unit",
        At = "at",
        Condition = "condition",
        Photos = "photos",
        Component = "component",
        ClassCode = "class_code",
        Location = "location",
        Description = "description",
        Address = "address",
        Reporter = "reporter",
        ReporterPhone = "reporter_phone",
    }
);

/// A refusal's field: a [`Field`] term when known (`photos[2]` is `photos`), else as given.
pub fn field(name: &str) -> Param {
    let base = name.split('[').next().unwrap_or(name);
    match Field::from_key(base) {
        Some(f) => f.param(),
        None => Param::Text(name.to_string()),
    }
}

vocabulary!(
    /// Why a file could not be read or written.
    IoKind {
        NotFound = "not-found",
        PermissionDenied = "permission-denied",
        AlreadyExists = "already-exists",
        InvalidData = "invalid-data",
        DiskFull = "disk-full",
        Other = "other",
    }
);

impl IoKind {
    /// The kind of an I/O error.
    pub fn of(e: &std::io::Error) -> Self {
        use std::io::ErrorKind as K;
        match e.kind() {
            K::NotFound => IoKind::NotFound,
            K::PermissionDenied | K::ReadOnlyFilesystem => IoKind::PermissionDenied,
            K::AlreadyExists => IoKind::AlreadyExists,
            K::InvalidData | K::UnexpectedEof => IoKind::InvalidData,
            K::StorageFull | K::QuotaExceeded => IoKind::DiskFull,
            _ => IoKind::Other,
        }
    }
}

vocabulary!(
    /// Why a polygon is not valid.
    PolygonProblem {
        NonFinite = "non-finite",
        TooFewPoints = "too-few-points",
        SelfIntersection = "self-intersection",
        HoleOutside = "hole-outside",
        RingsCross = "rings-cross",
        PartsOverlap = "parts-overlap",
    }
);

impl PolygonProblem {
    /// The problem geo's validation found.
    pub fn of(e: &geo::algorithm::validation::InvalidPolygon) -> Self {
        use geo::algorithm::validation::InvalidPolygon as P;
        match e {
            P::TooFewPointsInRing(_) => PolygonProblem::TooFewPoints,
            P::SelfIntersection(_) => PolygonProblem::SelfIntersection,
            P::NonFiniteCoord(..) => PolygonProblem::NonFinite,
            P::InteriorRingNotContainedInExteriorRing(_) => PolygonProblem::HoleOutside,
            P::IntersectingRingsOnALine(..) | P::IntersectingRingsOnAnArea(..) => {
                PolygonProblem::RingsCross
            }
        }
    }
}

vocabulary!(
    /// Geometry types, as "expected a point, found a line" names them.
    Geom {
        Point = "point",
        MultiPoint = "multipoint",
        Line = "line",
        MultiLine = "multiline",
        Polygon = "polygon",
        MultiPolygon = "multipolygon",
        Collection = "collection",
    }
);

impl Geom {
    /// The type of a geometry.
    pub fn of(g: &geo_types::Geometry<f64>) -> Self {
        use geo_types::Geometry as G;
        match g {
            G::Point(_) => Geom::Point,
            G::MultiPoint(_) => Geom::MultiPoint,
            G::Line(_) | G::LineString(_) => Geom::Line,
            G::MultiLineString(_) => Geom::MultiLine,
            G::Polygon(_) | G::Rect(_) | G::Triangle(_) => Geom::Polygon,
            G::MultiPolygon(_) => Geom::MultiPolygon,
            G::GeometryCollection(_) => Geom::Collection,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_kebab_case_and_unique() {
        let mut seen = std::collections::BTreeSet::new();
        for c in MessageCode::ALL {
            let k = c.key();
            assert!(
                k.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
                "{k}"
            );
            assert!(seen.insert(k), "{k} twice");
            let json = serde_json::to_value(c).unwrap_or_default();
            assert_eq!(json, k, "serde name of {c:?}");
        }
    }

    #[test]
    fn a_message_serialises_as_code_and_typed_params() {
        let m = Message::new(MessageCode::TopoOverlap)
            .text("grid", "331003003002050")
            .text("other", "331003003002049")
            .area("area", 1656.16);
        let v = serde_json::to_value(&m).unwrap_or_default();
        assert_eq!(v["code"], "topo-overlap");
        assert_eq!(v["params"]["grid"]["text"], "331003003002050");
        assert_eq!(v["params"]["area"]["area"], 1656.16);
        let back: Message =
            serde_json::from_value(v).unwrap_or_else(|_| Message::new(MessageCode::InternalError));
        assert_eq!(back, m);
    }

    /// Every word the engine passes as a `thing` (not-found, already-exists, …) is a known
    /// [`Thing`], and every [`Thing`] is used: read from the sources.
    #[test]
    fn every_thing_the_engine_names_is_a_term() {
        let mut words: std::collections::BTreeSet<String> = [
            // fixed_code! and check_range in code.rs, snapshot kinds in planning/history.rs
            "district",
            "street",
            "community",
            "unit grid",
            "class",
            "component",
            "street number",
            "community number",
            "grid sequence",
            "grid",
            "case",
            "duty_member",
            "zone_member",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let mut direct = std::collections::BTreeSet::new();
        let prefixes = [
            "what: \"",
            "not_found(\"",
            "constraint(e, \"",
            "found(n, \"",
            "dup(e, \"",
            "missing_ref(\"",
            "thing(\"",
            "stale(\"",
        ];
        // The sources of every crate of the workspace (`crates/*/src`).
        let crates = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."));
        let mut stack: Vec<std::path::PathBuf> = std::fs::read_dir(crates)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path().join("src"))
            .filter(|p| p.is_dir())
            .collect();
        assert!(stack.len() > 5, "the crates' sources are found");
        while let Some(dir) = stack.pop() {
            for e in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
                let p = e.path();
                if p.is_dir() {
                    stack.push(p);
                } else if p.extension().is_some_and(|x| x == "rs") && !p.ends_with("message.rs") {
                    let text = std::fs::read_to_string(&p).unwrap_or_default();
                    // A thing named directly (`Thing::TimeLimit`) counts as used.
                    for (i, _) in text.match_indices("Thing::") {
                        let rest = &text[i + "Thing::".len()..];
                        let end = rest
                            .find(|c: char| !c.is_ascii_alphanumeric())
                            .unwrap_or(rest.len());
                        direct.insert(rest[..end].to_string());
                    }
                    for pre in prefixes {
                        for (i, _) in text.match_indices(pre) {
                            let rest = &text[i + pre.len()..];
                            if let Some(end) = rest.find('"') {
                                words.insert(rest[..end].to_string());
                            }
                        }
                    }
                }
            }
        }
        let unknown: Vec<&String> = words
            .iter()
            .filter(|w| Thing::from_en(w).is_none())
            .collect();
        assert!(
            unknown.is_empty(),
            "words without a Thing term: {unknown:?}"
        );
        let used: std::collections::BTreeSet<Thing> =
            words.iter().filter_map(|w| Thing::from_en(w)).collect();
        let unused: Vec<&Thing> = Thing::ALL
            .iter()
            .filter(|t| !used.contains(t) && !direct.contains(&format!("{t:?}")))
            .collect();
        assert!(
            unused.is_empty(),
            "Thing terms the engine never uses: {unused:?}"
        );
    }

    /// Every operation name a change-set is built with is an [`Operation`] term, and each is
    /// used.
    #[test]
    fn every_planning_operation_is_a_term() {
        let pre = "ChangeSet::new(\"";
        let mut found = std::collections::BTreeSet::new();
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../planning/src/planning");
        for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let text = std::fs::read_to_string(e.path()).unwrap_or_default();
            for (i, _) in text.match_indices(pre) {
                let rest = &text[i + pre.len()..];
                if let Some(end) = rest.find('"') {
                    found.insert(rest[..end].to_string());
                }
            }
        }
        let known: std::collections::BTreeSet<String> =
            Operation::ALL.iter().map(|o| o.key().to_string()).collect();
        assert_eq!(found, known);
    }

    #[test]
    fn terms_are_unique_and_well_formed() {
        let all = all_terms();
        let set: std::collections::BTreeSet<&String> = all.iter().collect();
        assert_eq!(set.len(), all.len());
        for t in &all {
            let (v, k) = t.split_once('.').unwrap_or_default();
            assert!(!v.is_empty() && !k.is_empty(), "{t}");
        }
        assert!(all.contains(&"role.shift_leader".to_string()));
        assert_eq!(thing("duty grid"), Param::Term("thing.duty-grid".into()));
        assert_eq!(field("photos[2]"), Param::Term("field.photos".into()));
    }
}
