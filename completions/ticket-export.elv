
set edit:completion:arg-completer[ticket-export] = { |@words|
    var index = (count $words)
    set index = (- $index 1)

    put (env _CLAP_IFS="\n" _CLAP_COMPLETE_INDEX=(to-string $index) TICKET_EXPORT_COMPLETE="elvish" ticket-export -- $@words) | to-lines
}

