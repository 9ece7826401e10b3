
# scpdeck: the host part of an operand (web<TAB> -> web1:) and -J's hosts,
# from ssh_config's host aliases (`scpdeck complete-hosts`, reading the -F
# file when the command line has one).
_scpdeck_hosts() {
    local cur="$1" suffix="$2" user="" host alias i
    local config=()
    for ((i = 1; i + 1 < COMP_CWORD; i++)); do
        [[ ${COMP_WORDS[i]} == -F ]] && config=(-F "${COMP_WORDS[i + 1]}")
    done
    host="$cur"
    if [[ $cur == *@* ]]; then
        user="${cur%%@*}@"
        host="${cur#*@}"
    fi
    while IFS= read -r alias; do
        [[ -n $alias && $alias == "$host"* ]] && COMPREPLY+=("$user$alias$suffix")
    done < <(command scpdeck complete-hosts "${config[@]}" 2>/dev/null)
}

_scpdeck_operands() {
    local cur="${COMP_WORDS[COMP_CWORD]}" prev="" word before
    ((COMP_CWORD > 0)) && prev="${COMP_WORDS[COMP_CWORD - 1]}"
    _scpdeck "$@"
    for word in "${COMP_WORDS[@]:1:COMP_CWORD-1}"; do
        case "$word" in completions | man | complete-hosts | help) return 0 ;; esac
    done
    if [[ $prev == -J ]]; then
        COMPREPLY=()
        _scpdeck_hosts "$cur" ""
        return 0
    fi
    case "$prev" in -F | -o | -P | -i | -j | -l | --overwrite | --color | --theme | : | =) return 0 ;; esac
    case "$cur" in -* | */* | *:*) return 0 ;; esac
    before=${#COMPREPLY[@]}
    _scpdeck_hosts "$cur" ":"
    if ((${#COMPREPLY[@]} > before)); then
        # A host goes on with its path: no space after the colon. Local
        # files stay offered beside the hosts.
        compopt -o nospace 2>/dev/null
        local file
        while IFS= read -r file; do COMPREPLY+=("$file"); done < <(compgen -f -- "$cur")
    fi
    return 0
}

if [[ "${BASH_VERSINFO[0]}" -eq 4 && "${BASH_VERSINFO[1]}" -ge 4 || "${BASH_VERSINFO[0]}" -gt 4 ]]; then
    complete -F _scpdeck_operands -o nosort -o bashdefault -o default scpdeck
else
    complete -F _scpdeck_operands -o bashdefault -o default scpdeck
fi
