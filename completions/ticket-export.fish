# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_ticket_export_global_optspecs
    string join \n store= config= json color= q/quiet v/verbose no-progress h/help V/version
end

function __fish_ticket_export_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_ticket_export_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_ticket_export_using_subcommand
    set -l cmd (__fish_ticket_export_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c ticket-export -n "__fish_ticket_export_needs_command" -l store -d 'The SQLite store [default: store.sqlite3 in the user\'s data folder]' -r -F
complete -c ticket-export -n "__fish_ticket_export_needs_command" -l config -d 'The TOML config [default: config.toml in the user\'s config folder]' -r -F
complete -c ticket-export -n "__fish_ticket_export_needs_command" -l color -d 'When to colour terminal output (NO_COLOR is honoured)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c ticket-export -n "__fish_ticket_export_needs_command" -l json -d 'Print JSON (one document for inspect, JSON Lines for batches)'
complete -c ticket-export -n "__fish_ticket_export_needs_command" -s q -l quiet -d 'Print results only: no hints or progress on stderr'
complete -c ticket-export -n "__fish_ticket_export_needs_command" -s v -l verbose -d 'Explain more on stderr'
complete -c ticket-export -n "__fish_ticket_export_needs_command" -l no-progress -d 'Never draw progress bars'
complete -c ticket-export -n "__fish_ticket_export_needs_command" -s h -l help -d 'Print help'
complete -c ticket-export -n "__fish_ticket_export_needs_command" -s V -l version -d 'Print version'
complete -c ticket-export -n "__fish_ticket_export_needs_command" -f -a "import" -d 'Load reports, findings and export attempts (JSON) into the store, in one transaction'
complete -c ticket-export -n "__fish_ticket_export_needs_command" -f -a "inspect" -d 'Triage: decode each failure code into a decision (ready, blocked, cooldown, stop) and say why'
complete -c ticket-export -n "__fish_ticket_export_needs_command" -f -a "retry" -d 'Re-deliver attempts: look the ticket up by fingerprint first, create only when none exists'
complete -c ticket-export -n "__fish_ticket_export_needs_command" -f -a "sync" -d 'Sync ticket status both ways for linked tickets; conflicts are reported, never guessed'
complete -c ticket-export -n "__fish_ticket_export_needs_command" -f -a "fallback" -d 'Write portable CSV, Markdown and JSON files a customer can import without provider credentials'
complete -c ticket-export -n "__fish_ticket_export_needs_command" -f -a "link" -d 'Record that an attempt\'s ticket is the one at URL (a ticket you found); nothing is sent'
complete -c ticket-export -n "__fish_ticket_export_needs_command" -f -a "settings" -d 'Inspect and check the configuration'
complete -c ticket-export -n "__fish_ticket_export_needs_command" -f -a "demo" -d 'Build a demo store and config and show the whole flow, with no account anywhere'
complete -c ticket-export -n "__fish_ticket_export_needs_command" -f -a "completions" -d 'Print a shell completion script'
complete -c ticket-export -n "__fish_ticket_export_needs_command" -f -a "man" -d 'Print the man page (roff)'
complete -c ticket-export -n "__fish_ticket_export_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c ticket-export -n "__fish_ticket_export_using_subcommand import" -l store -d 'The SQLite store [default: store.sqlite3 in the user\'s data folder]' -r -F
complete -c ticket-export -n "__fish_ticket_export_using_subcommand import" -l config -d 'The TOML config [default: config.toml in the user\'s config folder]' -r -F
complete -c ticket-export -n "__fish_ticket_export_using_subcommand import" -l color -d 'When to colour terminal output (NO_COLOR is honoured)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c ticket-export -n "__fish_ticket_export_using_subcommand import" -l json -d 'Print JSON (one document for inspect, JSON Lines for batches)'
complete -c ticket-export -n "__fish_ticket_export_using_subcommand import" -s q -l quiet -d 'Print results only: no hints or progress on stderr'
complete -c ticket-export -n "__fish_ticket_export_using_subcommand import" -s v -l verbose -d 'Explain more on stderr'
complete -c ticket-export -n "__fish_ticket_export_using_subcommand import" -l no-progress -d 'Never draw progress bars'
complete -c ticket-export -n "__fish_ticket_export_using_subcommand import" -s h -l help -d 'Print help'
complete -c ticket-export -n "__fish_ticket_export_using_subcommand inspect" -l report -d 'Only attempts of this report' -r
complete -c ticket-export -n "__fish_ticket_export_using_subcommand inspect" -l provider -d 'Only attempts for this provider key' -r
complete -c ticket-export -n "__fish_ticket_export_using_subcommand inspect" -l code -d 'Only attempts with this failure code (`none` for attempts without one)' -r
complete -c ticket-export -n "__fish_ticket_export_using_subcommand inspect" -l state -d 'Only attempts in this triage state' -r -f -a "ready\t''
blocked\t''
cooldown\t''
stop\t''"
complete -c ticket-export -n "__fish_ticket_export_using_subcommand inspect" -l limit -d 'Show at most this many attempts' -r
complete -c ticket-export -n "__fish_ticket_export_using_subcommand inspect" -l store -d 'The SQLite store [default: store.sqlite3 in the user\'s data folder]' -r -F
complete -c ticket-export -n "__fish_ticket_export_using_subcommand inspect" -l config -d 'The TOML config [default: config.toml in the user\'s config folder]' -r -F
complete -c ticket-export -n "__fish_ticket_export_using_subcommand inspect" -l color -d 'When to colour terminal output (NO_COLOR is honoured)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c ticket-export -n "__fish_ticket_export_using_subcommand inspect" -l summary -d 'Counts by failure code, state and provider instead of a list'
complete -c ticket-export -n "__fish_ticket_export_using_subcommand inspect" -l json -d 'Print JSON (one document for inspect, JSON Lines for batches)'
complete -c ticket-export -n "__fish_ticket_export_using_subcommand inspect" -s q -l quiet -d 'Print results only: no hints or progress on stderr'
complete -c ticket-export -n "__fish_ticket_export_using_subcommand inspect" -s v -l verbose -d 'Explain more on stderr'
complete -c ticket-export -n "__fish_ticket_export_using_subcommand inspect" -l no-progress -d 'Never draw progress bars'
complete -c ticket-export -n "__fish_ticket_export_using_subcommand inspect" -s h -l help -d 'Print help'
complete -c ticket-export -n "__fish_ticket_export_using_subcommand retry" -l report -d 'Every attempt of this report that has work to do' -r
complete -c ticket-export -n "__fish_ticket_export_using_subcommand retry" -l concurrency -d 'Requests in flight at once per provider' -r
complete -c ticket-export -n "__fish_ticket_export_using_subcommand retry" -l store -d 'The SQLite store [default: store.sqlite3 in the user\'s data folder]' -r -F
complete -c ticket-export -n "__fish_ticket_export_using_subcommand retry" -l config -d 'The TOML config [default: config.toml in the user\'s config folder]' -r -F
complete -c ticket-export -n "__fish_ticket_export_using_subcommand retry" -l color -d 'When to colour terminal output (NO_COLOR is honoured)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c ticket-export -n "__fish_ticket_export_using_subcommand retry" -l all -d 'Every attempt in the store that has work to do'
complete -c ticket-export -n "__fish_ticket_export_using_subcommand retry" -l dry-run -d 'Print the calls that would be made, to which destination, and change nothing'
complete -c ticket-export -n "__fish_ticket_export_using_subcommand retry" -l json -d 'Print JSON (one document for inspect, JSON Lines for batches)'
complete -c ticket-export -n "__fish_ticket_export_using_subcommand retry" -s q -l quiet -d 'Print results only: no hints or progress on stderr'
complete -c ticket-export -n "__fish_ticket_export_using_subcommand retry" -s v -l verbose -d 'Explain more on stderr'
complete -c ticket-export -n "__fish_ticket_export_using_subcommand retry" -l no-progress -d 'Never draw progress bars'
complete -c ticket-export -n "__fish_ticket_export_using_subcommand retry" -s h -l help -d 'Print help'
complete -c ticket-export -n "__fish_ticket_export_using_subcommand sync" -l report -d 'Every linked ticket of this report' -r
complete -c ticket-export -n "__fish_ticket_export_using_subcommand sync" -l direction -d 'Which sides may change' -r -f -a "pull\t'Remote changes are recorded locally; the provider is never written'
push\t'Local changes are written to the provider'
both\t'Both'"
complete -c ticket-export -n "__fish_ticket_export_using_subcommand sync" -l concurrency -d 'Requests in flight at once per provider' -r
complete -c ticket-export -n "__fish_ticket_export_using_subcommand sync" -l store -d 'The SQLite store [default: store.sqlite3 in the user\'s data folder]' -r -F
complete -c ticket-export -n "__fish_ticket_export_using_subcommand sync" -l config -d 'The TOML config [default: config.toml in the user\'s config folder]' -r -F
complete -c ticket-export -n "__fish_ticket_export_using_subcommand sync" -l color -d 'When to colour terminal output (NO_COLOR is honoured)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c ticket-export -n "__fish_ticket_export_using_subcommand sync" -l all -d 'Every linked ticket in the store'
complete -c ticket-export -n "__fish_ticket_export_using_subcommand sync" -l dry-run -d 'Read the tickets and print what would change on each side; write nothing'
complete -c ticket-export -n "__fish_ticket_export_using_subcommand sync" -l json -d 'Print JSON (one document for inspect, JSON Lines for batches)'
complete -c ticket-export -n "__fish_ticket_export_using_subcommand sync" -s q -l quiet -d 'Print results only: no hints or progress on stderr'
complete -c ticket-export -n "__fish_ticket_export_using_subcommand sync" -s v -l verbose -d 'Explain more on stderr'
complete -c ticket-export -n "__fish_ticket_export_using_subcommand sync" -l no-progress -d 'Never draw progress bars'
complete -c ticket-export -n "__fish_ticket_export_using_subcommand sync" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ticket-export -n "__fish_ticket_export_using_subcommand fallback" -l report -d 'Every attempt of this report (with --all-blocked: those of this report whose next step is fallback)' -r
complete -c ticket-export -n "__fish_ticket_export_using_subcommand fallback" -l format -d 'The formats to write, comma-separated' -r -f -a "csv\t'CSV, with the columns of `--preset`'
md\t'One Markdown document per report'
json\t'JSON with `schema_version` 1 (see `--schema`)'"
complete -c ticket-export -n "__fish_ticket_export_using_subcommand fallback" -l preset -d 'The CSV columns: generic, or those of a provider\'s own CSV importer' -r -f -a "generic\t'Stable columns for any tool: ids, fingerprint, finding fields, labels, status'
jira\t'Jira\'s CSV importer: Summary, Issue Type, Description, Priority, one Labels column per label'
gitlab\t'GitLab\'s issue import: title, description'
azure-devops\t'Azure Boards import: Work Item Type, Title, Description, Tags; at most 1,000 rows a file'
asana\t'Asana\'s CSV importer: Name, Description, Section'"
complete -c ticket-export -n "__fish_ticket_export_using_subcommand fallback" -l out -d 'The output folder [default: fallback.out_dir of the config]' -r -F
complete -c ticket-export -n "__fish_ticket_export_using_subcommand fallback" -l store -d 'The SQLite store [default: store.sqlite3 in the user\'s data folder]' -r -F
complete -c ticket-export -n "__fish_ticket_export_using_subcommand fallback" -l config -d 'The TOML config [default: config.toml in the user\'s config folder]' -r -F
complete -c ticket-export -n "__fish_ticket_export_using_subcommand fallback" -l color -d 'When to colour terminal output (NO_COLOR is honoured)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c ticket-export -n "__fish_ticket_export_using_subcommand fallback" -l all-blocked -d 'Every attempt whose triage says fallback (`ticket-export inspect` shows NEXT = fallback)'
complete -c ticket-export -n "__fish_ticket_export_using_subcommand fallback" -l dry-run -d 'Show the files that would be written; write and record nothing'
complete -c ticket-export -n "__fish_ticket_export_using_subcommand fallback" -l schema -d 'Print the JSON Schema of the JSON file and exit'
complete -c ticket-export -n "__fish_ticket_export_using_subcommand fallback" -l json -d 'Print JSON (one document for inspect, JSON Lines for batches)'
complete -c ticket-export -n "__fish_ticket_export_using_subcommand fallback" -s q -l quiet -d 'Print results only: no hints or progress on stderr'
complete -c ticket-export -n "__fish_ticket_export_using_subcommand fallback" -s v -l verbose -d 'Explain more on stderr'
complete -c ticket-export -n "__fish_ticket_export_using_subcommand fallback" -l no-progress -d 'Never draw progress bars'
complete -c ticket-export -n "__fish_ticket_export_using_subcommand fallback" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ticket-export -n "__fish_ticket_export_using_subcommand link" -l store -d 'The SQLite store [default: store.sqlite3 in the user\'s data folder]' -r -F
complete -c ticket-export -n "__fish_ticket_export_using_subcommand link" -l config -d 'The TOML config [default: config.toml in the user\'s config folder]' -r -F
complete -c ticket-export -n "__fish_ticket_export_using_subcommand link" -l color -d 'When to colour terminal output (NO_COLOR is honoured)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c ticket-export -n "__fish_ticket_export_using_subcommand link" -l json -d 'Print JSON (one document for inspect, JSON Lines for batches)'
complete -c ticket-export -n "__fish_ticket_export_using_subcommand link" -s q -l quiet -d 'Print results only: no hints or progress on stderr'
complete -c ticket-export -n "__fish_ticket_export_using_subcommand link" -s v -l verbose -d 'Explain more on stderr'
complete -c ticket-export -n "__fish_ticket_export_using_subcommand link" -l no-progress -d 'Never draw progress bars'
complete -c ticket-export -n "__fish_ticket_export_using_subcommand link" -s h -l help -d 'Print help'
complete -c ticket-export -n "__fish_ticket_export_using_subcommand settings; and not __fish_seen_subcommand_from check path help" -l store -d 'The SQLite store [default: store.sqlite3 in the user\'s data folder]' -r -F
complete -c ticket-export -n "__fish_ticket_export_using_subcommand settings; and not __fish_seen_subcommand_from check path help" -l config -d 'The TOML config [default: config.toml in the user\'s config folder]' -r -F
complete -c ticket-export -n "__fish_ticket_export_using_subcommand settings; and not __fish_seen_subcommand_from check path help" -l color -d 'When to colour terminal output (NO_COLOR is honoured)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c ticket-export -n "__fish_ticket_export_using_subcommand settings; and not __fish_seen_subcommand_from check path help" -l json -d 'Print JSON (one document for inspect, JSON Lines for batches)'
complete -c ticket-export -n "__fish_ticket_export_using_subcommand settings; and not __fish_seen_subcommand_from check path help" -s q -l quiet -d 'Print results only: no hints or progress on stderr'
complete -c ticket-export -n "__fish_ticket_export_using_subcommand settings; and not __fish_seen_subcommand_from check path help" -s v -l verbose -d 'Explain more on stderr'
complete -c ticket-export -n "__fish_ticket_export_using_subcommand settings; and not __fish_seen_subcommand_from check path help" -l no-progress -d 'Never draw progress bars'
complete -c ticket-export -n "__fish_ticket_export_using_subcommand settings; and not __fish_seen_subcommand_from check path help" -s h -l help -d 'Print help'
complete -c ticket-export -n "__fish_ticket_export_using_subcommand settings; and not __fish_seen_subcommand_from check path help" -f -a "check" -d 'Check each provider: config, base-URL safety, ownership, credentials, and a live read-only probe'
complete -c ticket-export -n "__fish_ticket_export_using_subcommand settings; and not __fish_seen_subcommand_from check path help" -f -a "path" -d 'Print the config, store and fallback folder paths in use'
complete -c ticket-export -n "__fish_ticket_export_using_subcommand settings; and not __fish_seen_subcommand_from check path help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c ticket-export -n "__fish_ticket_export_using_subcommand settings; and __fish_seen_subcommand_from check" -l store -d 'The SQLite store [default: store.sqlite3 in the user\'s data folder]' -r -F
complete -c ticket-export -n "__fish_ticket_export_using_subcommand settings; and __fish_seen_subcommand_from check" -l config -d 'The TOML config [default: config.toml in the user\'s config folder]' -r -F
complete -c ticket-export -n "__fish_ticket_export_using_subcommand settings; and __fish_seen_subcommand_from check" -l color -d 'When to colour terminal output (NO_COLOR is honoured)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c ticket-export -n "__fish_ticket_export_using_subcommand settings; and __fish_seen_subcommand_from check" -l json -d 'Print JSON (one document for inspect, JSON Lines for batches)'
complete -c ticket-export -n "__fish_ticket_export_using_subcommand settings; and __fish_seen_subcommand_from check" -s q -l quiet -d 'Print results only: no hints or progress on stderr'
complete -c ticket-export -n "__fish_ticket_export_using_subcommand settings; and __fish_seen_subcommand_from check" -s v -l verbose -d 'Explain more on stderr'
complete -c ticket-export -n "__fish_ticket_export_using_subcommand settings; and __fish_seen_subcommand_from check" -l no-progress -d 'Never draw progress bars'
complete -c ticket-export -n "__fish_ticket_export_using_subcommand settings; and __fish_seen_subcommand_from check" -s h -l help -d 'Print help'
complete -c ticket-export -n "__fish_ticket_export_using_subcommand settings; and __fish_seen_subcommand_from path" -l store -d 'The SQLite store [default: store.sqlite3 in the user\'s data folder]' -r -F
complete -c ticket-export -n "__fish_ticket_export_using_subcommand settings; and __fish_seen_subcommand_from path" -l config -d 'The TOML config [default: config.toml in the user\'s config folder]' -r -F
complete -c ticket-export -n "__fish_ticket_export_using_subcommand settings; and __fish_seen_subcommand_from path" -l color -d 'When to colour terminal output (NO_COLOR is honoured)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c ticket-export -n "__fish_ticket_export_using_subcommand settings; and __fish_seen_subcommand_from path" -l json -d 'Print JSON (one document for inspect, JSON Lines for batches)'
complete -c ticket-export -n "__fish_ticket_export_using_subcommand settings; and __fish_seen_subcommand_from path" -s q -l quiet -d 'Print results only: no hints or progress on stderr'
complete -c ticket-export -n "__fish_ticket_export_using_subcommand settings; and __fish_seen_subcommand_from path" -s v -l verbose -d 'Explain more on stderr'
complete -c ticket-export -n "__fish_ticket_export_using_subcommand settings; and __fish_seen_subcommand_from path" -l no-progress -d 'Never draw progress bars'
complete -c ticket-export -n "__fish_ticket_export_using_subcommand settings; and __fish_seen_subcommand_from path" -s h -l help -d 'Print help'
complete -c ticket-export -n "__fish_ticket_export_using_subcommand settings; and __fish_seen_subcommand_from help" -f -a "check" -d 'Check each provider: config, base-URL safety, ownership, credentials, and a live read-only probe'
complete -c ticket-export -n "__fish_ticket_export_using_subcommand settings; and __fish_seen_subcommand_from help" -f -a "path" -d 'Print the config, store and fallback folder paths in use'
complete -c ticket-export -n "__fish_ticket_export_using_subcommand settings; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c ticket-export -n "__fish_ticket_export_using_subcommand demo" -l dir -d 'Where to write the demo config, store and files [default: demo/ in the user\'s data folder]' -r -F
complete -c ticket-export -n "__fish_ticket_export_using_subcommand demo" -l store -d 'The SQLite store [default: store.sqlite3 in the user\'s data folder]' -r -F
complete -c ticket-export -n "__fish_ticket_export_using_subcommand demo" -l config -d 'The TOML config [default: config.toml in the user\'s config folder]' -r -F
complete -c ticket-export -n "__fish_ticket_export_using_subcommand demo" -l color -d 'When to colour terminal output (NO_COLOR is honoured)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c ticket-export -n "__fish_ticket_export_using_subcommand demo" -l json -d 'Print JSON (one document for inspect, JSON Lines for batches)'
complete -c ticket-export -n "__fish_ticket_export_using_subcommand demo" -s q -l quiet -d 'Print results only: no hints or progress on stderr'
complete -c ticket-export -n "__fish_ticket_export_using_subcommand demo" -s v -l verbose -d 'Explain more on stderr'
complete -c ticket-export -n "__fish_ticket_export_using_subcommand demo" -l no-progress -d 'Never draw progress bars'
complete -c ticket-export -n "__fish_ticket_export_using_subcommand demo" -s h -l help -d 'Print help'
complete -c ticket-export -n "__fish_ticket_export_using_subcommand completions" -l store -d 'The SQLite store [default: store.sqlite3 in the user\'s data folder]' -r -F
complete -c ticket-export -n "__fish_ticket_export_using_subcommand completions" -l config -d 'The TOML config [default: config.toml in the user\'s config folder]' -r -F
complete -c ticket-export -n "__fish_ticket_export_using_subcommand completions" -l color -d 'When to colour terminal output (NO_COLOR is honoured)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c ticket-export -n "__fish_ticket_export_using_subcommand completions" -l json -d 'Print JSON (one document for inspect, JSON Lines for batches)'
complete -c ticket-export -n "__fish_ticket_export_using_subcommand completions" -s q -l quiet -d 'Print results only: no hints or progress on stderr'
complete -c ticket-export -n "__fish_ticket_export_using_subcommand completions" -s v -l verbose -d 'Explain more on stderr'
complete -c ticket-export -n "__fish_ticket_export_using_subcommand completions" -l no-progress -d 'Never draw progress bars'
complete -c ticket-export -n "__fish_ticket_export_using_subcommand completions" -s h -l help -d 'Print help'
complete -c ticket-export -n "__fish_ticket_export_using_subcommand man" -l store -d 'The SQLite store [default: store.sqlite3 in the user\'s data folder]' -r -F
complete -c ticket-export -n "__fish_ticket_export_using_subcommand man" -l config -d 'The TOML config [default: config.toml in the user\'s config folder]' -r -F
complete -c ticket-export -n "__fish_ticket_export_using_subcommand man" -l color -d 'When to colour terminal output (NO_COLOR is honoured)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c ticket-export -n "__fish_ticket_export_using_subcommand man" -l json -d 'Print JSON (one document for inspect, JSON Lines for batches)'
complete -c ticket-export -n "__fish_ticket_export_using_subcommand man" -s q -l quiet -d 'Print results only: no hints or progress on stderr'
complete -c ticket-export -n "__fish_ticket_export_using_subcommand man" -s v -l verbose -d 'Explain more on stderr'
complete -c ticket-export -n "__fish_ticket_export_using_subcommand man" -l no-progress -d 'Never draw progress bars'
complete -c ticket-export -n "__fish_ticket_export_using_subcommand man" -s h -l help -d 'Print help'
complete -c ticket-export -n "__fish_ticket_export_using_subcommand help; and not __fish_seen_subcommand_from import inspect retry sync fallback link settings demo completions man help" -f -a "import" -d 'Load reports, findings and export attempts (JSON) into the store, in one transaction'
complete -c ticket-export -n "__fish_ticket_export_using_subcommand help; and not __fish_seen_subcommand_from import inspect retry sync fallback link settings demo completions man help" -f -a "inspect" -d 'Triage: decode each failure code into a decision (ready, blocked, cooldown, stop) and say why'
complete -c ticket-export -n "__fish_ticket_export_using_subcommand help; and not __fish_seen_subcommand_from import inspect retry sync fallback link settings demo completions man help" -f -a "retry" -d 'Re-deliver attempts: look the ticket up by fingerprint first, create only when none exists'
complete -c ticket-export -n "__fish_ticket_export_using_subcommand help; and not __fish_seen_subcommand_from import inspect retry sync fallback link settings demo completions man help" -f -a "sync" -d 'Sync ticket status both ways for linked tickets; conflicts are reported, never guessed'
complete -c ticket-export -n "__fish_ticket_export_using_subcommand help; and not __fish_seen_subcommand_from import inspect retry sync fallback link settings demo completions man help" -f -a "fallback" -d 'Write portable CSV, Markdown and JSON files a customer can import without provider credentials'
complete -c ticket-export -n "__fish_ticket_export_using_subcommand help; and not __fish_seen_subcommand_from import inspect retry sync fallback link settings demo completions man help" -f -a "link" -d 'Record that an attempt\'s ticket is the one at URL (a ticket you found); nothing is sent'
complete -c ticket-export -n "__fish_ticket_export_using_subcommand help; and not __fish_seen_subcommand_from import inspect retry sync fallback link settings demo completions man help" -f -a "settings" -d 'Inspect and check the configuration'
complete -c ticket-export -n "__fish_ticket_export_using_subcommand help; and not __fish_seen_subcommand_from import inspect retry sync fallback link settings demo completions man help" -f -a "demo" -d 'Build a demo store and config and show the whole flow, with no account anywhere'
complete -c ticket-export -n "__fish_ticket_export_using_subcommand help; and not __fish_seen_subcommand_from import inspect retry sync fallback link settings demo completions man help" -f -a "completions" -d 'Print a shell completion script'
complete -c ticket-export -n "__fish_ticket_export_using_subcommand help; and not __fish_seen_subcommand_from import inspect retry sync fallback link settings demo completions man help" -f -a "man" -d 'Print the man page (roff)'
complete -c ticket-export -n "__fish_ticket_export_using_subcommand help; and not __fish_seen_subcommand_from import inspect retry sync fallback link settings demo completions man help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c ticket-export -n "__fish_ticket_export_using_subcommand help; and __fish_seen_subcommand_from settings" -f -a "check" -d 'Check each provider: config, base-URL safety, ownership, credentials, and a live read-only probe'
complete -c ticket-export -n "__fish_ticket_export_using_subcommand help; and __fish_seen_subcommand_from settings" -f -a "path" -d 'Print the config, store and fallback folder paths in use'
