
use builtin;
use str;

set edit:completion:arg-completer[ticket-export] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'ticket-export'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'ticket-export'= {
            cand --store 'The SQLite store [default: store.sqlite3 in the user''s data folder]'
            cand --config 'The TOML config [default: config.toml in the user''s config folder]'
            cand --color 'When to colour terminal output (NO_COLOR is honoured)'
            cand --json 'Print JSON (one document for inspect, JSON Lines for batches)'
            cand -q 'Print results only: no hints or progress on stderr'
            cand --quiet 'Print results only: no hints or progress on stderr'
            cand -v 'Explain more on stderr'
            cand --verbose 'Explain more on stderr'
            cand --no-progress 'Never draw progress bars'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand import 'Load reports, findings and export attempts (JSON) into the store, in one transaction'
            cand inspect 'Triage: decode each failure code into a decision (ready, blocked, cooldown, stop) and say why'
            cand retry 'Re-deliver attempts: look the ticket up by fingerprint first, create only when none exists'
            cand sync 'Sync ticket status both ways for linked tickets; conflicts are reported, never guessed'
            cand fallback 'Write portable CSV, Markdown and JSON files a customer can import without provider credentials'
            cand link 'Record that an attempt''s ticket is the one at URL (a ticket you found); nothing is sent'
            cand settings 'Inspect and check the configuration'
            cand demo 'Build a demo store and config and show the whole flow, with no account anywhere'
            cand completions 'Print a shell completion script'
            cand man 'Print the man page (roff)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'ticket-export;import'= {
            cand --store 'The SQLite store [default: store.sqlite3 in the user''s data folder]'
            cand --config 'The TOML config [default: config.toml in the user''s config folder]'
            cand --color 'When to colour terminal output (NO_COLOR is honoured)'
            cand --json 'Print JSON (one document for inspect, JSON Lines for batches)'
            cand -q 'Print results only: no hints or progress on stderr'
            cand --quiet 'Print results only: no hints or progress on stderr'
            cand -v 'Explain more on stderr'
            cand --verbose 'Explain more on stderr'
            cand --no-progress 'Never draw progress bars'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'ticket-export;inspect'= {
            cand --report 'Only attempts of this report'
            cand --provider 'Only attempts for this provider key'
            cand --code 'Only attempts with this failure code (`none` for attempts without one)'
            cand --state 'Only attempts in this triage state'
            cand --limit 'Show at most this many attempts'
            cand --store 'The SQLite store [default: store.sqlite3 in the user''s data folder]'
            cand --config 'The TOML config [default: config.toml in the user''s config folder]'
            cand --color 'When to colour terminal output (NO_COLOR is honoured)'
            cand --summary 'Counts by failure code, state and provider instead of a list'
            cand --json 'Print JSON (one document for inspect, JSON Lines for batches)'
            cand -q 'Print results only: no hints or progress on stderr'
            cand --quiet 'Print results only: no hints or progress on stderr'
            cand -v 'Explain more on stderr'
            cand --verbose 'Explain more on stderr'
            cand --no-progress 'Never draw progress bars'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'ticket-export;retry'= {
            cand --report 'Every attempt of this report that has work to do'
            cand --concurrency 'Requests in flight at once per provider'
            cand --store 'The SQLite store [default: store.sqlite3 in the user''s data folder]'
            cand --config 'The TOML config [default: config.toml in the user''s config folder]'
            cand --color 'When to colour terminal output (NO_COLOR is honoured)'
            cand --all 'Every attempt in the store that has work to do'
            cand --dry-run 'Print the calls that would be made, to which destination, and change nothing'
            cand --json 'Print JSON (one document for inspect, JSON Lines for batches)'
            cand -q 'Print results only: no hints or progress on stderr'
            cand --quiet 'Print results only: no hints or progress on stderr'
            cand -v 'Explain more on stderr'
            cand --verbose 'Explain more on stderr'
            cand --no-progress 'Never draw progress bars'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'ticket-export;sync'= {
            cand --report 'Every linked ticket of this report'
            cand --direction 'Which sides may change'
            cand --concurrency 'Requests in flight at once per provider'
            cand --store 'The SQLite store [default: store.sqlite3 in the user''s data folder]'
            cand --config 'The TOML config [default: config.toml in the user''s config folder]'
            cand --color 'When to colour terminal output (NO_COLOR is honoured)'
            cand --all 'Every linked ticket in the store'
            cand --dry-run 'Read the tickets and print what would change on each side; write nothing'
            cand --json 'Print JSON (one document for inspect, JSON Lines for batches)'
            cand -q 'Print results only: no hints or progress on stderr'
            cand --quiet 'Print results only: no hints or progress on stderr'
            cand -v 'Explain more on stderr'
            cand --verbose 'Explain more on stderr'
            cand --no-progress 'Never draw progress bars'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'ticket-export;fallback'= {
            cand --report 'Every attempt of this report (with --all-blocked: those of this report whose next step is fallback)'
            cand --format 'The formats to write, comma-separated'
            cand --preset 'The CSV columns: generic, or those of a provider''s own CSV importer'
            cand --out 'The output folder [default: fallback.out_dir of the config]'
            cand --store 'The SQLite store [default: store.sqlite3 in the user''s data folder]'
            cand --config 'The TOML config [default: config.toml in the user''s config folder]'
            cand --color 'When to colour terminal output (NO_COLOR is honoured)'
            cand --all-blocked 'Every attempt whose triage says fallback (`ticket-export inspect` shows NEXT = fallback)'
            cand --dry-run 'Show the files that would be written; write and record nothing'
            cand --schema 'Print the JSON Schema of the JSON file and exit'
            cand --json 'Print JSON (one document for inspect, JSON Lines for batches)'
            cand -q 'Print results only: no hints or progress on stderr'
            cand --quiet 'Print results only: no hints or progress on stderr'
            cand -v 'Explain more on stderr'
            cand --verbose 'Explain more on stderr'
            cand --no-progress 'Never draw progress bars'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'ticket-export;link'= {
            cand --store 'The SQLite store [default: store.sqlite3 in the user''s data folder]'
            cand --config 'The TOML config [default: config.toml in the user''s config folder]'
            cand --color 'When to colour terminal output (NO_COLOR is honoured)'
            cand --json 'Print JSON (one document for inspect, JSON Lines for batches)'
            cand -q 'Print results only: no hints or progress on stderr'
            cand --quiet 'Print results only: no hints or progress on stderr'
            cand -v 'Explain more on stderr'
            cand --verbose 'Explain more on stderr'
            cand --no-progress 'Never draw progress bars'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'ticket-export;settings'= {
            cand --store 'The SQLite store [default: store.sqlite3 in the user''s data folder]'
            cand --config 'The TOML config [default: config.toml in the user''s config folder]'
            cand --color 'When to colour terminal output (NO_COLOR is honoured)'
            cand --json 'Print JSON (one document for inspect, JSON Lines for batches)'
            cand -q 'Print results only: no hints or progress on stderr'
            cand --quiet 'Print results only: no hints or progress on stderr'
            cand -v 'Explain more on stderr'
            cand --verbose 'Explain more on stderr'
            cand --no-progress 'Never draw progress bars'
            cand -h 'Print help'
            cand --help 'Print help'
            cand check 'Check each provider: config, base-URL safety, ownership, credentials, and a live read-only probe'
            cand path 'Print the config, store and fallback folder paths in use'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'ticket-export;settings;check'= {
            cand --store 'The SQLite store [default: store.sqlite3 in the user''s data folder]'
            cand --config 'The TOML config [default: config.toml in the user''s config folder]'
            cand --color 'When to colour terminal output (NO_COLOR is honoured)'
            cand --json 'Print JSON (one document for inspect, JSON Lines for batches)'
            cand -q 'Print results only: no hints or progress on stderr'
            cand --quiet 'Print results only: no hints or progress on stderr'
            cand -v 'Explain more on stderr'
            cand --verbose 'Explain more on stderr'
            cand --no-progress 'Never draw progress bars'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'ticket-export;settings;path'= {
            cand --store 'The SQLite store [default: store.sqlite3 in the user''s data folder]'
            cand --config 'The TOML config [default: config.toml in the user''s config folder]'
            cand --color 'When to colour terminal output (NO_COLOR is honoured)'
            cand --json 'Print JSON (one document for inspect, JSON Lines for batches)'
            cand -q 'Print results only: no hints or progress on stderr'
            cand --quiet 'Print results only: no hints or progress on stderr'
            cand -v 'Explain more on stderr'
            cand --verbose 'Explain more on stderr'
            cand --no-progress 'Never draw progress bars'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'ticket-export;settings;help'= {
            cand check 'Check each provider: config, base-URL safety, ownership, credentials, and a live read-only probe'
            cand path 'Print the config, store and fallback folder paths in use'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'ticket-export;settings;help;check'= {
        }
        &'ticket-export;settings;help;path'= {
        }
        &'ticket-export;settings;help;help'= {
        }
        &'ticket-export;demo'= {
            cand --dir 'Where to write the demo config, store and files [default: demo/ in the user''s data folder]'
            cand --store 'The SQLite store [default: store.sqlite3 in the user''s data folder]'
            cand --config 'The TOML config [default: config.toml in the user''s config folder]'
            cand --color 'When to colour terminal output (NO_COLOR is honoured)'
            cand --json 'Print JSON (one document for inspect, JSON Lines for batches)'
            cand -q 'Print results only: no hints or progress on stderr'
            cand --quiet 'Print results only: no hints or progress on stderr'
            cand -v 'Explain more on stderr'
            cand --verbose 'Explain more on stderr'
            cand --no-progress 'Never draw progress bars'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'ticket-export;completions'= {
            cand --store 'The SQLite store [default: store.sqlite3 in the user''s data folder]'
            cand --config 'The TOML config [default: config.toml in the user''s config folder]'
            cand --color 'When to colour terminal output (NO_COLOR is honoured)'
            cand --json 'Print JSON (one document for inspect, JSON Lines for batches)'
            cand -q 'Print results only: no hints or progress on stderr'
            cand --quiet 'Print results only: no hints or progress on stderr'
            cand -v 'Explain more on stderr'
            cand --verbose 'Explain more on stderr'
            cand --no-progress 'Never draw progress bars'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'ticket-export;man'= {
            cand --store 'The SQLite store [default: store.sqlite3 in the user''s data folder]'
            cand --config 'The TOML config [default: config.toml in the user''s config folder]'
            cand --color 'When to colour terminal output (NO_COLOR is honoured)'
            cand --json 'Print JSON (one document for inspect, JSON Lines for batches)'
            cand -q 'Print results only: no hints or progress on stderr'
            cand --quiet 'Print results only: no hints or progress on stderr'
            cand -v 'Explain more on stderr'
            cand --verbose 'Explain more on stderr'
            cand --no-progress 'Never draw progress bars'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'ticket-export;help'= {
            cand import 'Load reports, findings and export attempts (JSON) into the store, in one transaction'
            cand inspect 'Triage: decode each failure code into a decision (ready, blocked, cooldown, stop) and say why'
            cand retry 'Re-deliver attempts: look the ticket up by fingerprint first, create only when none exists'
            cand sync 'Sync ticket status both ways for linked tickets; conflicts are reported, never guessed'
            cand fallback 'Write portable CSV, Markdown and JSON files a customer can import without provider credentials'
            cand link 'Record that an attempt''s ticket is the one at URL (a ticket you found); nothing is sent'
            cand settings 'Inspect and check the configuration'
            cand demo 'Build a demo store and config and show the whole flow, with no account anywhere'
            cand completions 'Print a shell completion script'
            cand man 'Print the man page (roff)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'ticket-export;help;import'= {
        }
        &'ticket-export;help;inspect'= {
        }
        &'ticket-export;help;retry'= {
        }
        &'ticket-export;help;sync'= {
        }
        &'ticket-export;help;fallback'= {
        }
        &'ticket-export;help;link'= {
        }
        &'ticket-export;help;settings'= {
            cand check 'Check each provider: config, base-URL safety, ownership, credentials, and a live read-only probe'
            cand path 'Print the config, store and fallback folder paths in use'
        }
        &'ticket-export;help;settings;check'= {
        }
        &'ticket-export;help;settings;path'= {
        }
        &'ticket-export;help;demo'= {
        }
        &'ticket-export;help;completions'= {
        }
        &'ticket-export;help;man'= {
        }
        &'ticket-export;help;help'= {
        }
    ]
    $completions[$command]
}
