//! Attempts counted by triage state over the store's summary groups, for `inspect --summary`
//! and `reports`: each group is triaged once, exactly as `inspect` decides its attempts.

use std::collections::BTreeMap;

use crate::assess::Assessor;
use crate::error::{ExitStatus, StoreError};
use crate::model::State;
use crate::store::Store;

/// Attempts per state, in the order states are shown.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct StateCounts {
    pub ready: u64,
    pub blocked: u64,
    pub cooldown: u64,
    pub stop: u64,
    pub total: u64,
}

impl StateCounts {
    /// Counts `n` attempts in `state`.
    pub fn add(&mut self, state: State, n: u64) {
        match state {
            State::Ready => self.ready += n,
            State::Blocked => self.blocked += n,
            State::Cooldown => self.cooldown += n,
            State::Stop => self.stop += n,
        }
        self.total += n;
    }

    /// Adds another set of counts to these.
    pub fn merge(&mut self, other: &StateCounts) {
        self.ready += other.ready;
        self.blocked += other.blocked;
        self.cooldown += other.cooldown;
        self.stop += other.stop;
        self.total += other.total;
    }

    /// Ready, blocked, cooldown, stop and total, in that order.
    pub fn values(&self) -> [u64; 5] {
        [
            self.ready,
            self.blocked,
            self.cooldown,
            self.stop,
            self.total,
        ]
    }

    /// The exit code of these attempts: their most severe state.
    pub fn exit_status(&self) -> ExitStatus {
        [
            (self.blocked, ExitStatus::Blocked),
            (self.stop, ExitStatus::Stop),
            (self.cooldown, ExitStatus::Cooldown),
        ]
        .into_iter()
        .filter(|(n, _)| *n > 0)
        .fold(ExitStatus::Ok, |acc, (_, s)| acc.worst(s))
    }
}

/// A report with its attempts counted by state.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ReportCounts {
    pub report_id: String,
    pub title: String,
    pub target: String,
    pub attempts: StateCounts,
}

/// Every report of the store, in id order, with its attempts counted by state; a report without
/// attempts counts zero.
pub fn by_report(
    store: &Store,
    assessor: &mut Assessor<'_>,
) -> Result<Vec<ReportCounts>, StoreError> {
    let mut counts: BTreeMap<String, StateCounts> = BTreeMap::new();
    for group in store.report_summary_groups(assessor.now())? {
        let state = assessor.decide(&group.representative).state;
        counts
            .entry(group.representative.report_id)
            .or_default()
            .add(state, group.count);
    }
    Ok(store
        .reports()?
        .into_iter()
        .map(|r| ReportCounts {
            attempts: counts.remove(&r.report_id).unwrap_or_default(),
            report_id: r.report_id,
            title: r.title,
            target: r.target,
        })
        .collect())
}
