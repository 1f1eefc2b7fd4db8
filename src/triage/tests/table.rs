//! The decision table of design.md section 4 as data: one case per condition, top to bottom.
//! Each case tweaks the default fixture (a 503 delivery failure on an owned, safe provider) and
//! names the expected state, action, guide and a fact that `why` and `next_step` must state.

use super::*;
use crate::model::SyncStatus;

struct Case {
    name: &'static str,
    setup: fn(&mut Fixture),
    expect: (State, Action, Guide),
    why: &'static str,
    next: &'static str,
}

fn case(
    name: &'static str,
    setup: fn(&mut Fixture),
    expect: (State, Action, Guide),
    why: &'static str,
    next: &'static str,
) -> Case {
    Case {
        name,
        setup,
        expect,
        why,
        next,
    }
}

/// The rows, laid out one per case so the table reads like the design's.
#[rustfmt::skip]
fn cases() -> Vec<Case> {
    use Action::*;
    use FailureCode as C;
    use Guide::*;
    use State::*;
    const RETRY: &str = "`ticket-export retry tex_9001`";
    const FALLBACK: &str = "`ticket-export fallback tex_9001`";
    const CHECK: &str = "`ticket-export settings check jira-sec`";
    const UNUSABLE: &str = "acme.example/browse/SEC-42 is not on acme.atlassian.net";
    vec![
        // Row 1: not owned or unsafe base URL -> stop, whatever else.
        case("1 destination not owned", |f| f.provider_mut().destination_owned = false,
             (Stop, DoNotSend, ProviderOverview), "not in providers.jira-sec.owned", "nothing is sent"),
        case("1 base URL unsafe", |f| f.provider_mut().unsafe_base_url = Some("http is refused in cloud mode".into()),
             (Stop, DoNotSend, ProviderOverview), "base URL of providers.jira-sec is unsafe: http is refused", "providers.jira-sec.base_url"),
        case("1 not owned names ownership first", |f| { f.provider_mut().destination_owned = false; f.provider_mut().unsafe_base_url = Some("loopback".into()) },
             (Stop, DoNotSend, ProviderOverview), "not in providers.jira-sec.owned, and its base URL is unsafe: loopback", "owned only if the customer owns it"),
        case("1 beats a pending attempt", |f| { f.no_code(ExportStatus::Pending); f.provider_mut().destination_owned = false },
             (Stop, DoNotSend, ProviderOverview), "not in providers.jira-sec.owned", "nothing is sent"),
        case("1 beats a changed auth owner", |f| { f.code(C::ProviderAuthFailed); f.owner(OwnerKind::Connection, "settings.cred-0"); f.provider_mut().unsafe_base_url = Some("private address".into()) },
             (Stop, DoNotSend, ProviderOverview), "private address", "nothing is sent"),
        // Row 2: provider not in the config.
        case("2 provider missing", |f| f.provider = None,
             (Blocked, AddProvider, ProviderOverview), "providers.jira-sec is not in the config", "add [providers.jira-sec] to the config"),
        // Row 3: no code.
        case("3 exported, sync ok", |f| { f.no_code(ExportStatus::Exported); f.link(); f.attempt.status_sync_status = Some(SyncStatus::Ok) },
             (Ready, Nothing, StatusSyncAndDuplicates), "SEC-42 is linked", "nothing to do"),
        case("3 linked, no sync yet", |f| { f.no_code(ExportStatus::Linked); f.attempt.external_ticket_id = Some("SEC-7".into()) },
             (Ready, Nothing, StatusSyncAndDuplicates), "SEC-7 is linked", "nothing to do"),
        case("3 portable file present", |f| { f.no_code(ExportStatus::FallbackWritten); f.attempt.portable_export_path = Some("out/rep_1042.csv".into()) },
             (Ready, Nothing, PortableExportFallbacks), "portable files are at out/rep_1042.csv", "nothing to do"),
        case("3 exported, sync failed, link kept", |f| { f.no_code(ExportStatus::Exported); f.link(); f.attempt.status_sync_status = Some(SyncStatus::Failed) },
             (Ready, Sync, StatusSyncAndDuplicates), "link to https://acme.atlassian.net/browse/SEC-42 is kept", "`ticket-export sync tex_9001`; never re-create"),
        case("3 exported, sync failed, cooldown", |f| { f.no_code(ExportStatus::Exported); f.link(); f.attempt.status_sync_status = Some(SyncStatus::Failed); f.attempt.retry_after = Some(future()) },
             (Cooldown, Wait, StatusSyncAndDuplicates), "wait until 2026-11-29T11:00:00Z (retry_after)", "then run `ticket-export sync tex_9001`"),
        case("3 exported, sync pending", |f| { f.no_code(ExportStatus::Exported); f.link(); f.attempt.status_sync_status = Some(SyncStatus::Pending) },
             (Ready, Sync, StatusSyncAndDuplicates), "status sync has not run yet", "`ticket-export sync tex_9001`"),
        case("3 pending", |f| f.no_code(ExportStatus::Pending),
             (Ready, Retry, ProviderOverview), "never attempted", RETRY),
        case("3 pending, cooldown ahead", |f| { f.no_code(ExportStatus::Pending); f.attempt.retry_after = Some(future()) },
             (Cooldown, Wait, WebhookRetries), "retry_after", RETRY),
        case("3 in flight", |f| f.no_code(ExportStatus::InFlight),
             (Ready, LookupThenRetry, StatusSyncAndDuplicates), "looks the ticket up by fingerprint before creating", RETRY),
        case("3 uncertain", |f| f.no_code(ExportStatus::Uncertain),
             (Ready, LookupThenRetry, StatusSyncAndDuplicates), "outcome of the last request is unknown", RETRY),
        case("3 stopped", |f| f.no_code(ExportStatus::Stopped),
             (Stop, DoNotSend, ProviderOverview), "stopped by an earlier decision", "nothing is sent"),
        case("3 failed without a code", |f| f.no_code(ExportStatus::Failed),
             (Blocked, ManualReview, ProviderOverview), "failed with no provider_error_code (HTTP 503); shown raw", "`ticket-export inspect tex_9001`"),
        // Row 4: TICKET_EXPORT_DELIVERY_FAILED.
        case("4 HTTP 401 blocks", |f| f.attempt.provider_response_code = Some(401),
             (Blocked, FixSettings, ProviderConnectionErrors), "HTTP 401", CHECK),
        case("4 HTTP 403 blocks", |f| f.attempt.provider_response_code = Some(403),
             (Blocked, FixSettings, ProviderConnectionErrors), "HTTP 403, which points at the credentials or their scope", RETRY),
        case("4 HTTP 407 blocks", |f| f.attempt.provider_response_code = Some(407),
             (Blocked, FixSettings, ProviderConnectionErrors), "HTTP 407, which points at a proxy", "providers.jira-sec"),
        case("4 HTTP 302 blocks", |f| f.attempt.provider_response_code = Some(302),
             (Blocked, FixSettings, ProviderConnectionErrors), "wrong base_url", "base_url, auth or scope"),
        case("4 check failed auth since", |f| f.health = auth_failed(after_failure()),
             (Blocked, FixSettings, ProviderConnectionErrors), "2026-11-29T09:30:00Z failed authentication: 401 token expired", CHECK),
        case("4 check unreachable since", |f| f.health = unreachable(after_failure()),
             (Blocked, FixSettings, ProviderConnectionErrors), "could not reach the provider: connection refused", CHECK),
        case("4 check failed before failure", |f| f.health = auth_failed(before_failure()),
             (Ready, Retry, ProviderConnectionErrors), "HTTP 503; nothing points at the connection", RETRY),
        case("4 401, owner changed", |f| { f.attempt.provider_response_code = Some(401); f.owner(OwnerKind::Connection, "settings.cred-0") },
             (Ready, Retry, ProviderConnectionErrors), "connection settings of providers.jira-sec changed", RETRY),
        case("4 401, owner unchanged", |f| { f.attempt.provider_response_code = Some(401); f.owner(OwnerKind::Connection, "settings.cred-1") },
             (Blocked, FixSettings, ProviderConnectionErrors), "HTTP 401", CHECK),
        case("4 401, check passed since", |f| { f.attempt.provider_response_code = Some(401); f.health = ProviderHealth::Ok { checked_at: after_failure() } },
             (Ready, Retry, ProviderConnectionErrors), "passed at 2026-11-29T09:30:00Z, after the failure at 2026-11-28T12:00:00Z", RETRY),
        case("4 401, check passed before", |f| { f.attempt.provider_response_code = Some(401); f.health = ProviderHealth::Ok { checked_at: before_failure() } },
             (Blocked, FixSettings, ProviderConnectionErrors), "HTTP 401", CHECK),
        case("4 401, check passed, no failing_since", |f| { f.attempt.provider_response_code = Some(401); f.attempt.failing_since = None; f.health = ProviderHealth::Ok { checked_at: before_failure() } },
             (Ready, Retry, ProviderConnectionErrors), "passed at 2026-11-28T11:00:00Z", RETRY),
        case("4 401 changed, cooldown ahead", |f| { f.attempt.provider_response_code = Some(401); f.owner(OwnerKind::Connection, "settings.cred-0"); f.attempt.retry_after = Some(future()) },
             (Cooldown, Wait, WebhookRetries), "wait until 2026-11-29T11:00:00Z", "wait until 2026-11-29T11:00:00Z, then run `ticket-export retry tex_9001`"),
        case("4 401 unchanged, cooldown ahead", |f| { f.attempt.provider_response_code = Some(401); f.attempt.retry_after = Some(future()) },
             (Blocked, FixSettings, ProviderConnectionErrors), "HTTP 401", CHECK),
        case("4 cooldown ahead", |f| f.attempt.retry_after = Some(future()),
             (Cooldown, Wait, WebhookRetries), "retry_after", RETRY),
        case("4 cooldown passed", |f| f.attempt.retry_after = Some(past()),
             (Ready, Retry, ProviderConnectionErrors), "HTTP 503", RETRY),
        case("4 no HTTP status", |f| f.attempt.provider_response_code = None,
             (Ready, Retry, ProviderConnectionErrors), "without an HTTP status", RETRY),
        case("4 uncertain outcome", |f| f.attempt.export_status = ExportStatus::Uncertain,
             (Ready, LookupThenRetry, ProviderConnectionErrors), "looks the ticket up by fingerprint before creating", RETRY),
        case("4 in flight outcome", |f| f.attempt.export_status = ExportStatus::InFlight,
             (Ready, LookupThenRetry, ProviderConnectionErrors), "outcome of the last request is unknown", RETRY),
        // Row 5: TICKET_EXPORT_MAPPING_REQUIRED.
        case("5 field still unsupplied", |f| { mapping(f, &[("customfield_10951", false), ("labels", true)]) },
             (Blocked, FixMapping, WorkManagementExport), "still lacks customfield_10951 (providers.jira-sec.mapping.fields.customfield_10951)", "set providers.jira-sec.mapping.fields.customfield_10951, then run `ticket-export retry tex_9001`"),
        case("5 two fields unsupplied", |f| { mapping(f, &[("customfield_10951", false), ("labels", false)]) },
             (Blocked, FixMapping, WorkManagementExport), "customfield_10951 (providers.jira-sec.mapping.fields.customfield_10951), labels (providers.jira-sec.mapping.labels)", "providers.jira-sec.mapping.labels"),
        case("5 field without supply entry", |f| { mapping(f, &[]); f.attempt.mapping_missing = vec!["assignee".into()] },
             (Blocked, FixMapping, WorkManagementExport), "assignee (providers.jira-sec.mapping.fields.assignee)", "set providers.jira-sec.mapping.fields.assignee"),
        case("5 every field now supplied", |f| { mapping(f, &[("customfield_10951", true), ("labels", true)]) },
             (Ready, Retry, WorkManagementExport), "now supplies customfield_10951, labels", RETRY),
        case("5 supplied, cooldown ahead", |f| { mapping(f, &[("customfield_10951", true)]); f.attempt.retry_after = Some(future()) },
             (Cooldown, Wait, WebhookRetries), "retry_after", RETRY),
        case("5 unnamed, mapping unchanged", |f| { unnamed(f); f.owner(OwnerKind::Mapping, "map-1") },
             (Blocked, FixMapping, WorkManagementExport), "did not name the missing fields and providers.jira-sec.mapping is unchanged since the failure", "compare providers.jira-sec.mapping"),
        case("5 unnamed, no owner recorded", unnamed,
             (Blocked, FixMapping, WorkManagementExport), "did not name the missing fields and nothing shows providers.jira-sec.mapping changed since the failure", RETRY),
        case("5 unnamed, mapping status unknown", |f| { unnamed(f); f.attempt.mapping_status = MappingStatus::Unknown },
             (Blocked, FixMapping, WorkManagementExport), "did not name the missing fields", RETRY),
        case("5 unnamed, mapping changed", |f| { unnamed(f); f.owner(OwnerKind::Mapping, "map-0") },
             (Ready, Retry, WorkManagementExport), "providers.jira-sec.mapping changed since the failure", RETRY),
        // Row 5, "mapping now complete": the platform's mapping_status says so.
        case("5 mapping now complete", |f| f.code(C::MappingRequired),
             (Ready, Retry, WorkManagementExport), "reports the mapping complete (mapping_status complete)", RETRY),
        case("5 now complete, owner unchanged", |f| { f.code(C::MappingRequired); f.owner(OwnerKind::Mapping, "map-1") },
             (Ready, Retry, WorkManagementExport), "reports the mapping complete", RETRY),
        case("5 now complete, cooldown ahead", |f| { f.code(C::MappingRequired); f.attempt.retry_after = Some(future()) },
             (Cooldown, Wait, WebhookRetries), "retry_after", RETRY),
        case("5 now complete, outcome unknown", |f| { f.code(C::MappingRequired); f.attempt.export_status = ExportStatus::Uncertain },
             (Ready, LookupThenRetry, WorkManagementExport), "looks the ticket up by fingerprint before creating", RETRY),
        case("5 complete, but a named field is unsupplied", |f| { mapping(f, &[("customfield_10951", false)]); f.attempt.mapping_status = MappingStatus::Complete },
             (Blocked, FixMapping, WorkManagementExport), "still lacks customfield_10951", "set providers.jira-sec.mapping.fields.customfield_10951"),
        // Row 6: TICKET_EXPORT_DUPLICATE_BLOCKED.
        case("6 existing URL known", |f| { f.code(C::DuplicateBlocked); f.link() },
             (Stop, UpdateExisting, StatusSyncAndDuplicates), "fp1-3f9a already exists at https://acme.atlassian.net/browse/SEC-42", "retry tex_9001` updates it, never creates"),
        case("6 existing URL known and addressed", |f| { f.code(C::DuplicateBlocked); f.link(); f.provider_mut().ticket = Some(Ok("SEC-42".into())) },
             (Stop, UpdateExisting, StatusSyncAndDuplicates), "already exists at https://acme.atlassian.net/browse/SEC-42", "updates it, never creates"),
        case("6 existing URL cannot be addressed", |f| { f.code(C::DuplicateBlocked); f.link(); f.provider_mut().ticket = Some(Err(UNUSABLE.into())) },
             (Blocked, ManualReview, StatusSyncAndDuplicates), "the recorded ticket cannot be addressed: acme.example/browse/SEC-42 is not on", "`ticket-export link tex_9001 URL`"),
        case("6 unusable ticket beats a cooldown", |f| { f.code(C::DuplicateBlocked); f.link(); f.provider_mut().ticket = Some(Err(UNUSABLE.into())); f.attempt.retry_after = Some(future()) },
             (Blocked, ManualReview, StatusSyncAndDuplicates), "cannot be addressed", "nothing is sent for it"),
        case("6 existing URL unknown", |f| f.code(C::DuplicateBlocked),
             (Blocked, LookupAndLink, StatusSyncAndDuplicates), "fp1-3f9a but its URL is unknown", "looks the ticket up by fingerprint and links it"),
        // Row 6 after a failure: the guard stays; what only a person can decide blocks.
        case("6 known ticket answered 404", |f| { f.code(C::DuplicateBlocked); f.link(); f.owner(OwnerKind::Person, "https://acme.atlassian.net/browse/SEC-42") },
             (Blocked, ManualReview, StatusSyncAndDuplicates), "the known ticket https://acme.atlassian.net/browse/SEC-42 for duplicate_fingerprint fp1-3f9a answered 404", "`ticket-export link tex_9001 URL`"),
        case("6 404 names the override", |f| { f.code(C::DuplicateBlocked); f.link(); f.owner(OwnerKind::Person, "https://acme.atlassian.net/browse/SEC-42") },
             (Blocked, ManualReview, StatusSyncAndDuplicates), "nothing was created", "`ticket-export retry tex_9001 --allow-create` (it still looks the ticket up first)"),
        case("6 no ticket carries the fingerprint", |f| { f.code(C::DuplicateBlocked); f.owner(OwnerKind::Person, "fp1-3f9a") },
             (Blocked, ManualReview, StatusSyncAndDuplicates), "no ticket at the provider carries it", "`ticket-export link tex_9001 URL`"),
        case("6 found ticket linked to another attempt", |f| { f.code(C::DuplicateBlocked); f.owner(OwnerKind::Person, "taken tex_8000 SEC-7") },
             (Blocked, ManualReview, StatusSyncAndDuplicates), "found the ticket SEC-7, which is linked to tex_8000", "--allow-create"),
        case("6 known, update failed with a wait", |f| { f.code(C::DuplicateBlocked); f.link(); f.attempt.retry_after = Some(future()) },
             (Cooldown, Wait, WebhookRetries), "retry_after", "then open or update https://acme.atlassian.net/browse/SEC-42"),
        case("6 known, connection owner after a 503 keeps the stop", |f| { f.code(C::DuplicateBlocked); f.link(); f.owner(OwnerKind::Connection, "conn-1") },
             (Stop, UpdateExisting, StatusSyncAndDuplicates), "already exists at https://acme.atlassian.net/browse/SEC-42", "updates it, never creates"),
        // Row 7: TICKET_STATUS_SYNC_FAILED.
        case("7 link kept", |f| { f.code(C::StatusSyncFailed); f.link() },
             (Ready, Sync, StatusSyncAndDuplicates), "link to https://acme.atlassian.net/browse/SEC-42 is kept", "run `ticket-export sync tex_9001`; never re-create"),
        case("7 link kept by id only", |f| { f.code(C::StatusSyncFailed); f.attempt.external_ticket_id = Some("SEC-9".into()) },
             (Ready, Sync, StatusSyncAndDuplicates), "link to SEC-9 is kept", "never re-create"),
        case("7 link kept, cooldown ahead", |f| { f.code(C::StatusSyncFailed); f.link(); f.attempt.retry_after = Some(future()) },
             (Cooldown, Wait, StatusSyncAndDuplicates), "2026-11-29T11:00:00Z (retry_after)", "`ticket-export sync tex_9001`"),
        case("7 link kept, cannot be addressed", |f| { f.code(C::StatusSyncFailed); f.link(); f.provider_mut().ticket = Some(Err(UNUSABLE.into())) },
             (Blocked, ManualReview, StatusSyncAndDuplicates), "cannot be addressed", "`ticket-export link tex_9001 URL`"),
        case("3 sync pending, link cannot be addressed", |f| { f.no_code(ExportStatus::Exported); f.link(); f.attempt.status_sync_status = Some(SyncStatus::Pending); f.provider_mut().ticket = Some(Err(UNUSABLE.into())) },
             (Blocked, ManualReview, StatusSyncAndDuplicates), "cannot be addressed", "`ticket-export link tex_9001 URL`"),
        case("3 sync ok, an unusable link needs nothing", |f| { f.no_code(ExportStatus::Exported); f.link(); f.attempt.status_sync_status = Some(SyncStatus::Ok); f.provider_mut().ticket = Some(Err(UNUSABLE.into())) },
             (Ready, Nothing, StatusSyncAndDuplicates), "SEC-42 is linked", "nothing to do"),
        case("7 link kept, sync conflict", |f| { f.code(C::StatusSyncFailed); f.link(); f.attempt.sync_conflict = true },
             (Blocked, ManualReview, StatusSyncAndDuplicates), "both the finding and ticket https://acme.atlassian.net/browse/SEC-42 changed, differently",
             "`ticket-export sync tex_9001 --prefer local` pushes the finding's state to the ticket, `ticket-export sync tex_9001 --prefer remote` keeps the ticket's state"),
        // A wait does not hide the conflict: only a person's choice moves it.
        case("7 sync conflict, cooldown ahead", |f| { f.code(C::StatusSyncFailed); f.link(); f.attempt.sync_conflict = true; f.attempt.retry_after = Some(future()) },
             (Blocked, ManualReview, StatusSyncAndDuplicates), "changed, differently", "--prefer local"),
        case("7 no link", |f| f.code(C::StatusSyncFailed),
             (Blocked, LookupAndLink, StatusSyncAndDuplicates), "no ticket link is recorded", RETRY),
        // Row 8: TICKET_EXPORT_PROVIDER_UNAVAILABLE.
        case("8 cooldown ahead", |f| { f.code(C::ProviderUnavailable); f.attempt.retry_after = Some(future()) },
             (Cooldown, Wait, WebhookRetries), "until 2026-11-29T11:00:00Z (retry_after)", RETRY),
        case("8 past threshold, cooldown ahead", |f| { f.code(C::ProviderUnavailable); f.attempt.failing_since = Some(ts("2026-11-20T00:00:00Z")); f.attempt.retry_after = Some(future()) },
             (Cooldown, Wait, WebhookRetries), "retry_after", RETRY),
        case("8 past threshold", |f| { f.code(C::ProviderUnavailable); f.attempt.failing_since = Some(ts("2026-11-27T10:00:00Z")) },
             (Ready, Fallback, PortableExportFallbacks), "unavailable since 2026-11-27T10:00:00Z, longer than the fallback threshold (24h)", FALLBACK),
        case("8 exactly at threshold", |f| { f.code(C::ProviderUnavailable); f.attempt.failing_since = Some(ts("2026-11-28T10:00:00Z")) },
             (Ready, Fallback, PortableExportFallbacks), "longer than the fallback threshold", FALLBACK),
        case("8 past a shorter threshold", |f| { f.code(C::ProviderUnavailable); f.fallback_after = SignedDuration::from_hours(2) },
             (Ready, Fallback, PortableExportFallbacks), "threshold (2h)", FALLBACK),
        case("8 past threshold, output unusable", |f| { f.code(C::ProviderUnavailable); f.attempt.failing_since = Some(ts("2026-11-27T10:00:00Z")); f.output_usable = Some(false) },
             (Blocked, FixOutputPath, PortableExportFallbacks), "output folder (fallback.out_dir) is not usable", "fallback.out_dir"),
        case("8 within threshold", |f| f.code(C::ProviderUnavailable),
             (Ready, Retry, ProviderOverview), "since 2026-11-28T12:00:00Z, less than the fallback threshold (24h)", RETRY),
        case("8 outage start unknown", |f| { f.code(C::ProviderUnavailable); f.attempt.failing_since = None },
             (Ready, Retry, ProviderOverview), "no start of the outage is recorded", RETRY),
        // Row 9: PROVIDER_AUTH_FAILED.
        case("9 unchanged, never checked", |f| f.code(C::ProviderAuthFailed),
             (Blocked, FixSettings, ProviderConnectionErrors), "no `settings check` has run since the failure", "fix the credentials named in providers.jira-sec.auth, run `ticket-export settings check jira-sec`"),
        case("9 unchanged owner, never checked", |f| { f.code(C::ProviderAuthFailed); f.owner(OwnerKind::Connection, "settings.cred-1") },
             (Blocked, FixSettings, ProviderConnectionErrors), "providers.jira-sec are unchanged since the failure", CHECK),
        case("9 check passed before failure", |f| { f.code(C::ProviderAuthFailed); f.health = ProviderHealth::Ok { checked_at: before_failure() } },
             (Blocked, FixSettings, ProviderConnectionErrors), "last passing `settings check` (2026-11-28T11:00:00Z) was before the failure", CHECK),
        case("9 check still fails", |f| { f.code(C::ProviderAuthFailed); f.health = auth_failed(after_failure()) },
             (Blocked, FixSettings, ProviderConnectionErrors), "still fails authentication: 401 token expired", CHECK),
        case("9 old check failed", |f| { f.code(C::ProviderAuthFailed); f.health = unreachable(before_failure()) },
             (Blocked, FixSettings, ProviderConnectionErrors), "no `settings check` has run since the failure (the last, at 2026-11-28T11:00:00Z, failed", CHECK),
        case("9 check passes now", |f| { f.code(C::ProviderAuthFailed); f.health = ProviderHealth::Ok { checked_at: after_failure() } },
             (Ready, Retry, ProviderConnectionErrors), "`settings check` passed at 2026-11-29T09:30:00Z", RETRY),
        case("9 credentials changed", |f| { f.code(C::ProviderAuthFailed); f.owner(OwnerKind::Connection, "settings.cred-0") },
             (Ready, Retry, ProviderConnectionErrors), "connection settings of providers.jira-sec changed since the failure", RETRY),
        case("9 other owner kind is no change", |f| { f.code(C::ProviderAuthFailed); f.owner(OwnerKind::Mapping, "map-0") },
             (Blocked, FixSettings, ProviderConnectionErrors), "nothing shows the credentials of providers.jira-sec changed", CHECK),
        case("9 changed, cooldown ahead", |f| { f.code(C::ProviderAuthFailed); f.owner(OwnerKind::Connection, "settings.cred-0"); f.attempt.retry_after = Some(future()) },
             (Cooldown, Wait, WebhookRetries), "retry_after", RETRY),
        case("9 unchanged, cooldown ahead", |f| { f.code(C::ProviderAuthFailed); f.attempt.retry_after = Some(future()) },
             (Blocked, FixSettings, ProviderConnectionErrors), "no `settings check` has run", CHECK),
        // Row 10: PORTABLE_EXPORT_FAILED.
        case("10 output usable now", |f| { f.code(C::PortableExportFailed); f.output_usable = Some(true) },
             (Ready, Fallback, PortableExportFallbacks), "(fallback.out_dir) is usable now", "run `ticket-export fallback tex_9001` again"),
        case("10 output still unusable", |f| { f.code(C::PortableExportFailed); f.output_usable = Some(false); f.owner(OwnerKind::OutputPath, "out-0") },
             (Blocked, FixOutputPath, PortableExportFallbacks), "still not usable", "make fallback.out_dir an existing, writable folder"),
        case("10 unchecked, path changed", |f| { f.code(C::PortableExportFailed); f.owner(OwnerKind::OutputPath, "out-0") },
             (Ready, Fallback, PortableExportFallbacks), "fallback.out_dir changed since the failure", FALLBACK),
        case("10 unchecked, path unchanged", |f| { f.code(C::PortableExportFailed); f.owner(OwnerKind::OutputPath, "out-1") },
             (Blocked, FixOutputPath, PortableExportFallbacks), "unchanged since the failure and not checked", "fallback.out_dir"),
        case("10 usable, provider cooldown ignored", |f| { f.code(C::PortableExportFailed); f.output_usable = Some(true); f.attempt.retry_after = Some(future()) },
             (Ready, Fallback, PortableExportFallbacks), "usable now", FALLBACK),
        // Across rows: the provider's stored cooldown holds every row that calls it, as `retry`
        // and `sync` do (design section 5: stored cooldowns are honoured by every run).
        case("P provider cooldown holds a retry", |f| provider_wait(f, future()),
             (Cooldown, Wait, WebhookRetries), "providers.jira-sec asked every run to wait until 2026-11-29T11:00:00Z (rate limited (HTTP 429))", "wait until 2026-11-29T11:00:00Z, then run `ticket-export retry tex_9001`"),
        case("P provider cooldown holds a pending attempt", |f| { f.no_code(ExportStatus::Pending); provider_wait(f, future()) },
             (Cooldown, Wait, WebhookRetries), "asked every run to wait", RETRY),
        case("P provider cooldown holds a sync", |f| { f.no_code(ExportStatus::Exported); f.link(); f.attempt.status_sync_status = Some(SyncStatus::Failed); provider_wait(f, future()) },
             (Cooldown, Wait, StatusSyncAndDuplicates), "asked every run to wait", "then run `ticket-export sync tex_9001`"),
        case("P provider cooldown holds a lookup", |f| { f.code(C::DuplicateBlocked); provider_wait(f, future()) },
             (Cooldown, Wait, WebhookRetries), "asked every run to wait", RETRY),
        case("P provider cooldown keeps a block", |f| { f.attempt.provider_response_code = Some(401); provider_wait(f, future()) },
             (Blocked, FixSettings, ProviderConnectionErrors), "HTTP 401", CHECK),
        // The one stop that calls the provider (the update of the known ticket) waits too.
        case("P provider cooldown holds the update of a known ticket", |f| { f.code(C::DuplicateBlocked); f.link(); provider_wait(f, future()) },
             (Cooldown, Wait, WebhookRetries), "asked every run to wait", "updates it, never creates"),
        case("P provider cooldown leaves fallback", |f| { f.code(C::PortableExportFailed); f.output_usable = Some(true); provider_wait(f, future()) },
             (Ready, Fallback, PortableExportFallbacks), "usable now", FALLBACK),
        case("P provider cooldown passed", |f| provider_wait(f, past()),
             (Ready, Retry, ProviderConnectionErrors), "HTTP 503", RETRY),
        case("P the later wait wins: provider", |f| { f.attempt.retry_after = Some(future()); provider_wait(f, ts("2026-11-29T11:30:00Z")) },
             (Cooldown, Wait, WebhookRetries), "wait until 2026-11-29T11:30:00Z (rate limited", "wait until 2026-11-29T11:30:00Z"),
        case("P the later wait wins: attempt", |f| { f.attempt.retry_after = Some(ts("2026-11-29T11:30:00Z")); provider_wait(f, future()) },
             (Cooldown, Wait, WebhookRetries), "wait until 2026-11-29T11:30:00Z (retry_after)", "wait until 2026-11-29T11:30:00Z"),
        // Clocks: a stored wait further ahead than 24 h is honoured for 24 h from now, and says so.
        case("C retry_after years ahead is capped", |f| f.attempt.retry_after = Some(ts("2036-01-01T00:00:00Z")),
             (Cooldown, Wait, WebhookRetries), "wait until 2026-11-30T10:00:00Z (retry_after); the stored wait until 2036-01-01T00:00:00Z is more than 24 h ahead", "wait until 2026-11-30T10:00:00Z"),
        case("C provider cooldown years ahead is capped", |f| provider_wait(f, ts("2036-01-01T00:00:00Z")),
             (Cooldown, Wait, WebhookRetries), "until 2026-11-30T10:00:00Z (rate limited (HTTP 429)); the stored wait until 2036-01-01T00:00:00Z is more than 24 h ahead", "wait until 2026-11-30T10:00:00Z"),
        case("C unavailable, retry_after years ahead is capped", |f| { f.code(C::ProviderUnavailable); f.attempt.retry_after = Some(ts("2036-01-01T00:00:00Z")) },
             (Cooldown, Wait, WebhookRetries), "capped at 2026-11-30T10:00:00Z", "wait until 2026-11-30T10:00:00Z"),
        case("C a wait of exactly a day is kept", |f| f.attempt.retry_after = Some(ts("2026-11-30T10:00:00Z")),
             (Cooldown, Wait, WebhookRetries), "wait until 2026-11-30T10:00:00Z (retry_after)", RETRY),
        // Row 11: unknown code.
        case("11 unknown code", |f| f.code(C::Other("TICKET_EXPORT_NEW_THING".into())),
             (Blocked, ManualReview, ProviderOverview), "unknown code TICKET_EXPORT_NEW_THING (shown raw for manual review; never retried automatically)", "`ticket-export inspect tex_9001`"),
        case("11 unknown code, check passes", |f| { f.code(C::Other("X_NEW".into())); f.health = ProviderHealth::Ok { checked_at: after_failure() } },
             (Blocked, ManualReview, ProviderOverview), "unknown code X_NEW", "inspect"),
    ]
}

/// The provider's stored cooldown until `until`, as a 429 records it.
fn provider_wait(f: &mut Fixture, until: Timestamp) {
    f.provider_cooldown = Some(ProviderCooldown {
        until,
        reason: "rate limited (HTTP 429)".to_owned(),
    });
}

/// Mapping failure naming no field, the mapping still incomplete (as a failed retry records).
fn unnamed(f: &mut Fixture) {
    f.code(FailureCode::MappingRequired);
    f.attempt.mapping_status = MappingStatus::Incomplete;
}

/// Mapping failure naming the given fields; the bool says whether the mapping now supplies it.
fn mapping(f: &mut Fixture, fields: &[(&str, bool)]) {
    f.code(FailureCode::MappingRequired);
    f.attempt.mapping_status = MappingStatus::Incomplete;
    f.attempt.mapping_missing = fields.iter().map(|(name, _)| (*name).to_owned()).collect();
    f.provider_mut().field_supply = fields
        .iter()
        .map(|(name, supplied)| FieldSupply {
            field: (*name).to_owned(),
            // Jira's built-in fields have their own key; custom fields go under `fields`.
            config_key: match *name {
                "labels" => "providers.jira-sec.mapping.labels".to_owned(),
                _ => format!("providers.jira-sec.mapping.fields.{name}"),
            },
            supplied: *supplied,
        })
        .collect();
}

#[test]
fn every_row_of_the_design_table() {
    let cases = cases();
    let mut failures = Vec::new();
    for c in &cases {
        let mut f = Fixture::new();
        (c.setup)(&mut f);
        let d = f.decide();
        let got = (d.state, d.action, d.guide);
        let mut wrong = Vec::new();
        if got != c.expect {
            wrong.push(format!("got {got:?}, want {:?}", c.expect));
        }
        if !d.why.contains(c.why) {
            wrong.push(format!("why {:?} lacks {:?}", d.why, c.why));
        }
        if !d.next_step.contains(c.next) {
            wrong.push(format!("next_step {:?} lacks {:?}", d.next_step, c.next));
        }
        if (d.state == State::Cooldown) != d.wait_until.is_some() {
            wrong.push(format!(
                "wait_until {:?} with state {}",
                d.wait_until, d.state
            ));
        }
        if !wrong.is_empty() {
            failures.push(format!("{}: {}", c.name, wrong.join("; ")));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} rows wrong:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
    // Names identify rows in failure messages, so they must be unique.
    let mut names: Vec<&str> = cases.iter().map(|c| c.name).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), cases.len(), "duplicate case names");
}

#[test]
fn cooldown_waits_until_retry_after() {
    let mut f = Fixture::new();
    f.attempt.retry_after = Some(future());
    assert_eq!(f.decide().wait_until, Some(future()));
    f.attempt.retry_after = Some(f.now);
    // `retry_after` equal to now has cleared: the provider said "not before", not "after".
    assert_eq!(f.decide().state, State::Ready);
}

#[test]
fn reason_decodes_the_code_or_the_status() {
    let mut f = Fixture::new();
    f.code(FailureCode::MappingRequired);
    assert!(
        f.decide()
            .reason
            .starts_with("required provider fields, project, board")
    );
    f.no_code(ExportStatus::Pending);
    assert_eq!(f.decide().reason, "pending: the export was never attempted");
}
