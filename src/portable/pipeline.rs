//! The stages of a run beside the store's thread: writing (redacting and rendering the rows of
//! a report into its files) and committing (syncing, renaming and re-reading them).
//!
//! The store's thread reads rows and records outcomes; the other two keep the second core busy
//! and hide the waits on the disk. Work flows one way through bounded channels (rows in small
//! batches, a few reports in flight), so memory stays flat, and reports come back in the order
//! they went in. If a thread cannot be started, its stage runs on the thread that feeds it.

use std::collections::VecDeque;
use std::sync::mpsc::{Receiver, Sender, SyncSender, channel, sync_channel};
use std::thread::{Builder, Scope};

use super::PortableRow;
use super::export::{ExportOptions, FileRecord, ReportResult, Target};
use super::files::{ReportSet, SealedReport};
use crate::store::PortableSource;

/// Rows a batch carries: enough that the hand-over costs little per row.
pub(super) const ROWS_PER_BATCH: usize = 64;
/// Batches in flight to the writing stage (a few hundred rows).
const BATCHES_IN_FLIGHT: usize = 8;
/// Sealed reports waiting for the committing stage; each holds its files open.
const REPORTS_IN_FLIGHT: usize = 2;

/// What the writing stage is fed: some rows of a report, in order.
pub(super) struct Batch {
    pub(super) rows: Vec<PortableSource>,
    /// The report's last row is in this batch (or was in an earlier one).
    pub(super) end: bool,
}

/// A report put in place (or that failed), with every file to show for it.
pub(super) type Done = (ReportResult, Vec<FileRecord>);

/// Rows in, sealed reports out: one report's writers are open at a time.
pub(super) struct Writer<'a> {
    target: Target<'a>,
    opts: &'a ExportOptions<'a>,
    label_columns: usize,
    current: Option<ReportSet>,
}

impl Writer<'_> {
    fn feed(&mut self, batch: Batch, mut sealed: impl FnMut(SealedReport)) {
        for source in batch.rows {
            let report = &source.report.report_id;
            if self.current.as_ref().map(|c| &c.report_id) != Some(report) {
                if let Some(done) = self.current.take() {
                    sealed(done.seal(self.opts));
                }
                self.current = Some(ReportSet::open(
                    self.target,
                    &source.report,
                    self.opts,
                    self.label_columns,
                ));
            }
            let row = PortableRow::new(source, self.opts.shapes);
            if let Some(set) = self.current.as_mut() {
                set.row(&row, self.opts);
            }
        }
        if batch.end
            && let Some(done) = self.current.take()
        {
            sealed(done.seal(self.opts));
        }
    }
}

/// The writing and committing stages, on their threads or (when none could be started) here.
pub(super) enum Stages<'a> {
    Threads {
        feed: Option<SyncSender<Batch>>,
        done: Receiver<Done>,
    },
    Here {
        writer: Box<Writer<'a>>,
        done: VecDeque<Done>,
    },
}

impl<'a> Stages<'a> {
    /// Starts the stages inside `scope`. A report whose last row never arrives (the run
    /// stopped) is dropped with its temporary files, never committed.
    pub(super) fn start<'scope>(
        scope: &'scope Scope<'scope, '_>,
        target: Target<'a>,
        opts: &'a ExportOptions<'a>,
        label_columns: usize,
    ) -> Stages<'a>
    where
        'a: 'scope,
    {
        let mut writer = Writer {
            target,
            opts,
            label_columns,
            current: None,
        };
        let (done_tx, done_rx) = channel::<Done>();
        let (sealed_tx, sealed_rx) = sync_channel::<SealedReport>(REPORTS_IN_FLIGHT);
        let committer = Builder::new()
            .name("fallback-commit".into())
            .spawn_scoped(scope, {
                let done_tx = done_tx.clone();
                move || commit_loop(sealed_rx, done_tx)
            })
            .is_ok();
        // Without a committing thread, the writing thread commits.
        let hand_over = move |sealed: SealedReport| -> bool {
            if committer {
                sealed_tx.send(sealed).is_ok()
            } else {
                done_tx.send(sealed.commit()).is_ok()
            }
        };
        let (feed_tx, feed_rx) = sync_channel::<Batch>(BATCHES_IN_FLIGHT);
        let started = Builder::new()
            .name("fallback-write".into())
            .spawn_scoped(scope, move || {
                let mut open = true;
                for batch in feed_rx {
                    writer.feed(batch, |sealed| open = open && hand_over(sealed));
                    if !open {
                        return;
                    }
                }
            });
        match started {
            Ok(_) => Stages::Threads {
                feed: Some(feed_tx),
                done: done_rx,
            },
            Err(_) => Stages::Here {
                writer: Box::new(Writer {
                    target,
                    opts,
                    label_columns,
                    current: None,
                }),
                done: VecDeque::new(),
            },
        }
    }

    /// Hands a batch over; false when the stages stopped (a thread panicked).
    pub(super) fn send(&mut self, batch: Batch) -> bool {
        match self {
            Stages::Threads { feed, .. } => feed.as_ref().is_some_and(|f| f.send(batch).is_ok()),
            Stages::Here { writer, done } => {
                writer.feed(batch, |sealed| done.push_back(sealed.commit()));
                true
            }
        }
    }

    /// A report that is done, if one is, without waiting.
    pub(super) fn try_done(&mut self) -> Option<Done> {
        match self {
            Stages::Threads { done, .. } => done.try_recv().ok(),
            Stages::Here { done, .. } => done.pop_front(),
        }
    }

    /// Ends the feed and waits for every report still in the stages.
    pub(super) fn rest(mut self) -> Vec<Done> {
        match &mut self {
            Stages::Threads { feed, done } => {
                feed.take();
                done.iter().collect()
            }
            Stages::Here { done, .. } => done.drain(..).collect(),
        }
    }
}

fn commit_loop(sealed: Receiver<SealedReport>, done: Sender<Done>) {
    for report in sealed {
        if done.send(report.commit()).is_err() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::model::{Finding, FindingStatus, Report, Severity};
    use crate::portable::PortableFormat;
    use crate::portable::write::OutDir;

    fn source(report: &str, n: usize) -> PortableSource {
        PortableSource {
            ticket_export_id: format!("tex_{n}"),
            provider_key: "p".into(),
            fingerprint: format!("fp1:{n:064x}"),
            finding: Finding {
                report_id: report.into(),
                finding_id: format!("f{n}"),
                rule_id: "r".into(),
                title: format!("Finding {n}"),
                severity: Severity::High,
                url: "https://a.example/".into(),
                parameter: None,
                description: "d".into(),
                evidence: "Authorization: Bearer abc".into(),
                remediation: "m".into(),
                status: FindingStatus::Open,
            },
            report: Report {
                report_id: report.into(),
                title: "T".into(),
                target: "https://a.example".into(),
            },
        }
    }

    /// Two reports, the first split over batches, through `stages`; the manifest of each.
    fn run(mut stages: Stages<'_>) -> Vec<String> {
        let batches = [
            ("r1", 0..100, false),
            ("r1", 100..150, true),
            ("r2", 0..3, true),
        ];
        for (report, range, end) in batches {
            let rows = range.map(|n| source(report, n)).collect();
            assert!(stages.send(Batch { rows, end }));
        }
        let mut done = Vec::new();
        while let Some(d) = stages.try_done() {
            done.push(d);
        }
        done.extend(stages.rest());
        done.into_iter()
            .map(|(result, files)| {
                assert_eq!(files.len(), 4);
                let value = result.outcome.unwrap();
                value.rsplit_once("sha256:").unwrap().1.to_owned()
            })
            .collect()
    }

    #[test]
    fn threads_and_here_write_the_same_files_report_by_report() {
        let shapes = BTreeMap::new();
        let opts = ExportOptions {
            formats: &PortableFormat::ALL,
            preset: Default::default(),
            dry_run: false,
            shapes: &shapes,
        };
        let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let (out_a, out_b) = (
            OutDir::prepare(a.path()).unwrap(),
            OutDir::prepare(b.path()).unwrap(),
        );
        let threaded = std::thread::scope(|s| {
            let stages = Stages::start(s, Ok(&out_a), &opts, 1);
            assert!(matches!(stages, Stages::Threads { .. }));
            run(stages)
        });
        let here = Stages::Here {
            writer: Box::new(Writer {
                target: Ok(&out_b),
                opts: &opts,
                label_columns: 1,
                current: None,
            }),
            done: VecDeque::new(),
        };
        assert_eq!(threaded, run(here));
        assert_eq!(threaded.len(), 2);
    }
}
