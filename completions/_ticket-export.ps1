
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'ticket-export' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'ticket-export'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'ticket-export' {
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The SQLite store [default: store.sqlite3 in the user''s data folder]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The TOML config [default: config.toml in the user''s config folder]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour terminal output (NO_COLOR is honoured)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON (one document for inspect, JSON Lines for batches)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print results only: no hints or progress on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print results only: no hints or progress on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Explain more on stderr')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Explain more on stderr')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw progress bars')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('import', 'import', [CompletionResultType]::ParameterValue, 'Load reports, findings and export attempts (JSON) into the store, in one transaction')
            [CompletionResult]::new('inspect', 'inspect', [CompletionResultType]::ParameterValue, 'Triage: decode each failure code into a decision (ready, blocked, cooldown, stop) and say why')
            [CompletionResult]::new('retry', 'retry', [CompletionResultType]::ParameterValue, 'Re-deliver attempts: look the ticket up by fingerprint first, create only when none exists')
            [CompletionResult]::new('sync', 'sync', [CompletionResultType]::ParameterValue, 'Sync ticket status both ways for linked tickets; conflicts are reported, never guessed')
            [CompletionResult]::new('fallback', 'fallback', [CompletionResultType]::ParameterValue, 'Write portable CSV, Markdown and JSON files a customer can import without provider credentials')
            [CompletionResult]::new('link', 'link', [CompletionResultType]::ParameterValue, 'Record that an attempt''s ticket is the one at URL (a ticket you found); nothing is sent')
            [CompletionResult]::new('settings', 'settings', [CompletionResultType]::ParameterValue, 'Inspect and check the configuration')
            [CompletionResult]::new('demo', 'demo', [CompletionResultType]::ParameterValue, 'Build a demo store and config and show the whole flow, with no account anywhere')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print the man page (roff)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'ticket-export;import' {
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The SQLite store [default: store.sqlite3 in the user''s data folder]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The TOML config [default: config.toml in the user''s config folder]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour terminal output (NO_COLOR is honoured)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON (one document for inspect, JSON Lines for batches)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print results only: no hints or progress on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print results only: no hints or progress on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Explain more on stderr')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Explain more on stderr')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw progress bars')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'ticket-export;inspect' {
            [CompletionResult]::new('--report', '--report', [CompletionResultType]::ParameterName, 'Only attempts of this report')
            [CompletionResult]::new('--provider', '--provider', [CompletionResultType]::ParameterName, 'Only attempts for this provider key')
            [CompletionResult]::new('--code', '--code', [CompletionResultType]::ParameterName, 'Only attempts with this failure code (`none` for attempts without one)')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'Only attempts in this triage state')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'Show at most this many attempts')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The SQLite store [default: store.sqlite3 in the user''s data folder]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The TOML config [default: config.toml in the user''s config folder]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour terminal output (NO_COLOR is honoured)')
            [CompletionResult]::new('--summary', '--summary', [CompletionResultType]::ParameterName, 'Counts by failure code, state and provider instead of a list')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON (one document for inspect, JSON Lines for batches)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print results only: no hints or progress on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print results only: no hints or progress on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Explain more on stderr')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Explain more on stderr')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw progress bars')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'ticket-export;retry' {
            [CompletionResult]::new('--report', '--report', [CompletionResultType]::ParameterName, 'Every attempt of this report that has work to do')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'Requests in flight at once per provider')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The SQLite store [default: store.sqlite3 in the user''s data folder]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The TOML config [default: config.toml in the user''s config folder]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour terminal output (NO_COLOR is honoured)')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Every attempt in the store that has work to do')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the calls that would be made, to which destination, and change nothing')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON (one document for inspect, JSON Lines for batches)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print results only: no hints or progress on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print results only: no hints or progress on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Explain more on stderr')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Explain more on stderr')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw progress bars')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'ticket-export;sync' {
            [CompletionResult]::new('--report', '--report', [CompletionResultType]::ParameterName, 'Every linked ticket of this report')
            [CompletionResult]::new('--direction', '--direction', [CompletionResultType]::ParameterName, 'Which sides may change')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'Requests in flight at once per provider')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The SQLite store [default: store.sqlite3 in the user''s data folder]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The TOML config [default: config.toml in the user''s config folder]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour terminal output (NO_COLOR is honoured)')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Every linked ticket in the store')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Read the tickets and print what would change on each side; write nothing')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON (one document for inspect, JSON Lines for batches)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print results only: no hints or progress on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print results only: no hints or progress on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Explain more on stderr')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Explain more on stderr')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw progress bars')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'ticket-export;fallback' {
            [CompletionResult]::new('--report', '--report', [CompletionResultType]::ParameterName, 'Every attempt of this report (with --all-blocked: those of this report whose next step is fallback)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'The formats to write, comma-separated')
            [CompletionResult]::new('--preset', '--preset', [CompletionResultType]::ParameterName, 'The CSV columns: generic, or those of a provider''s own CSV importer')
            [CompletionResult]::new('--out', '--out', [CompletionResultType]::ParameterName, 'The output folder [default: fallback.out_dir of the config]')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The SQLite store [default: store.sqlite3 in the user''s data folder]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The TOML config [default: config.toml in the user''s config folder]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour terminal output (NO_COLOR is honoured)')
            [CompletionResult]::new('--all-blocked', '--all-blocked', [CompletionResultType]::ParameterName, 'Every attempt whose triage says fallback (`ticket-export inspect` shows NEXT = fallback)')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show the files that would be written; write and record nothing')
            [CompletionResult]::new('--schema', '--schema', [CompletionResultType]::ParameterName, 'Print the JSON Schema of the JSON file and exit')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON (one document for inspect, JSON Lines for batches)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print results only: no hints or progress on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print results only: no hints or progress on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Explain more on stderr')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Explain more on stderr')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw progress bars')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'ticket-export;link' {
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The SQLite store [default: store.sqlite3 in the user''s data folder]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The TOML config [default: config.toml in the user''s config folder]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour terminal output (NO_COLOR is honoured)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON (one document for inspect, JSON Lines for batches)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print results only: no hints or progress on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print results only: no hints or progress on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Explain more on stderr')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Explain more on stderr')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw progress bars')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'ticket-export;settings' {
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The SQLite store [default: store.sqlite3 in the user''s data folder]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The TOML config [default: config.toml in the user''s config folder]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour terminal output (NO_COLOR is honoured)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON (one document for inspect, JSON Lines for batches)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print results only: no hints or progress on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print results only: no hints or progress on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Explain more on stderr')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Explain more on stderr')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw progress bars')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Check each provider: config, base-URL safety, ownership, credentials, and a live read-only probe')
            [CompletionResult]::new('path', 'path', [CompletionResultType]::ParameterValue, 'Print the config, store and fallback folder paths in use')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'ticket-export;settings;check' {
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The SQLite store [default: store.sqlite3 in the user''s data folder]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The TOML config [default: config.toml in the user''s config folder]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour terminal output (NO_COLOR is honoured)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON (one document for inspect, JSON Lines for batches)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print results only: no hints or progress on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print results only: no hints or progress on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Explain more on stderr')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Explain more on stderr')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw progress bars')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'ticket-export;settings;path' {
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The SQLite store [default: store.sqlite3 in the user''s data folder]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The TOML config [default: config.toml in the user''s config folder]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour terminal output (NO_COLOR is honoured)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON (one document for inspect, JSON Lines for batches)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print results only: no hints or progress on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print results only: no hints or progress on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Explain more on stderr')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Explain more on stderr')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw progress bars')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'ticket-export;settings;help' {
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Check each provider: config, base-URL safety, ownership, credentials, and a live read-only probe')
            [CompletionResult]::new('path', 'path', [CompletionResultType]::ParameterValue, 'Print the config, store and fallback folder paths in use')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'ticket-export;settings;help;check' {
            break
        }
        'ticket-export;settings;help;path' {
            break
        }
        'ticket-export;settings;help;help' {
            break
        }
        'ticket-export;demo' {
            [CompletionResult]::new('--dir', '--dir', [CompletionResultType]::ParameterName, 'Where to write the demo config, store and files [default: demo/ in the user''s data folder]')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The SQLite store [default: store.sqlite3 in the user''s data folder]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The TOML config [default: config.toml in the user''s config folder]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour terminal output (NO_COLOR is honoured)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON (one document for inspect, JSON Lines for batches)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print results only: no hints or progress on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print results only: no hints or progress on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Explain more on stderr')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Explain more on stderr')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw progress bars')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'ticket-export;completions' {
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The SQLite store [default: store.sqlite3 in the user''s data folder]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The TOML config [default: config.toml in the user''s config folder]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour terminal output (NO_COLOR is honoured)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON (one document for inspect, JSON Lines for batches)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print results only: no hints or progress on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print results only: no hints or progress on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Explain more on stderr')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Explain more on stderr')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw progress bars')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'ticket-export;man' {
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The SQLite store [default: store.sqlite3 in the user''s data folder]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The TOML config [default: config.toml in the user''s config folder]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour terminal output (NO_COLOR is honoured)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON (one document for inspect, JSON Lines for batches)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print results only: no hints or progress on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print results only: no hints or progress on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Explain more on stderr')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Explain more on stderr')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw progress bars')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'ticket-export;help' {
            [CompletionResult]::new('import', 'import', [CompletionResultType]::ParameterValue, 'Load reports, findings and export attempts (JSON) into the store, in one transaction')
            [CompletionResult]::new('inspect', 'inspect', [CompletionResultType]::ParameterValue, 'Triage: decode each failure code into a decision (ready, blocked, cooldown, stop) and say why')
            [CompletionResult]::new('retry', 'retry', [CompletionResultType]::ParameterValue, 'Re-deliver attempts: look the ticket up by fingerprint first, create only when none exists')
            [CompletionResult]::new('sync', 'sync', [CompletionResultType]::ParameterValue, 'Sync ticket status both ways for linked tickets; conflicts are reported, never guessed')
            [CompletionResult]::new('fallback', 'fallback', [CompletionResultType]::ParameterValue, 'Write portable CSV, Markdown and JSON files a customer can import without provider credentials')
            [CompletionResult]::new('link', 'link', [CompletionResultType]::ParameterValue, 'Record that an attempt''s ticket is the one at URL (a ticket you found); nothing is sent')
            [CompletionResult]::new('settings', 'settings', [CompletionResultType]::ParameterValue, 'Inspect and check the configuration')
            [CompletionResult]::new('demo', 'demo', [CompletionResultType]::ParameterValue, 'Build a demo store and config and show the whole flow, with no account anywhere')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print the man page (roff)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'ticket-export;help;import' {
            break
        }
        'ticket-export;help;inspect' {
            break
        }
        'ticket-export;help;retry' {
            break
        }
        'ticket-export;help;sync' {
            break
        }
        'ticket-export;help;fallback' {
            break
        }
        'ticket-export;help;link' {
            break
        }
        'ticket-export;help;settings' {
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Check each provider: config, base-URL safety, ownership, credentials, and a live read-only probe')
            [CompletionResult]::new('path', 'path', [CompletionResultType]::ParameterValue, 'Print the config, store and fallback folder paths in use')
            break
        }
        'ticket-export;help;settings;check' {
            break
        }
        'ticket-export;help;settings;path' {
            break
        }
        'ticket-export;help;demo' {
            break
        }
        'ticket-export;help;completions' {
            break
        }
        'ticket-export;help;man' {
            break
        }
        'ticket-export;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
