//! Every `--help` that shows a cron line shows the README's (issue 12, point 1): the lines are
//! read from README.md, so the help and the README cannot drift apart.

use std::process::Command;

use ticket_export::simulator::Simulator;

use crate::cron::{CronHome, job};

#[test]
fn every_help_that_shows_a_cron_line_shows_the_readmes() {
    let home = CronHome::new(&Simulator::start().unwrap());
    for command in ["sync", "retry"] {
        let help = Command::new(assert_cmd::cargo::cargo_bin("ticket-export"))
            .args([command, "--help"])
            .output()
            .unwrap();
        let help = String::from_utf8_lossy(&help.stdout);
        let line = job(&home.tab, &format!("{command} --all"));
        assert!(
            help.contains(line),
            "`{command} --help` shows the README's line {line:?}:\n{help}"
        );
        assert_eq!(
            help.matches("$?").count(),
            1,
            "one recipe, no other: {help}"
        );
    }
    // Every other command's help (one man page each) shows no cron line of its own.
    let pages = tempfile::tempdir().unwrap();
    let bin = assert_cmd::cargo::cargo_bin("ticket-export");
    let made = Command::new(&bin)
        .arg("man")
        .arg("--out")
        .arg(pages.path())
        .output()
        .unwrap();
    assert!(made.status.success());
    let mut seen = 0;
    for page in std::fs::read_dir(pages.path()).unwrap() {
        let name = page.unwrap().file_name().into_string().unwrap();
        let words: Vec<&str> = name.trim_end_matches(".1").split('-').skip(2).collect();
        let help = Command::new(&bin)
            .args(&words)
            .arg("--help")
            .output()
            .unwrap();
        let help = String::from_utf8_lossy(&help.stdout);
        for line in help
            .lines()
            .filter(|l| l.contains("$?") || l.contains("* * *"))
        {
            seen += 1;
            assert!(
                home.tab.jobs.iter().any(|j| line.trim() == j),
                "`{} --help` shows a cron line that is not the README's: {line}",
                words.join(" ")
            );
        }
    }
    assert_eq!(seen, 2, "the sync and retry lines, and no other");
}
