# scpdeck: the host part of an operand (web<TAB> -> web1:) and -J's hosts,
# from ssh_config's host aliases (`scpdeck complete-hosts`, reading the -F
# file when the command line has one).
_scpdeck_host_aliases() {
    local -a config
    local i=${words[(i)-F]}
    (( i + 1 < CURRENT )) && config=(-F ${words[i+1]})
    reply=(${(f)"$(command scpdeck complete-hosts $config 2>/dev/null)"})
}

_scpdeck_operand() {
    local -a reply
    local ret=1
    if [[ $PREFIX == */* || $PREFIX == -* ]]; then
        _files
        return
    fi
    if [[ $PREFIX == *:* ]]; then
        _message 'a path on the host'
        return 1
    fi
    _scpdeck_host_aliases
    if compset -P '*@'; then
        compadd -S ':' -- $reply && ret=0
    else
        _files && ret=0
        compadd -S ':' -- $reply && ret=0
    fi
    return ret
}

_scpdeck_jump_hosts() {
    local -a reply
    _scpdeck_host_aliases
    compset -P '*,'
    compset -P '*@'
    compadd -- $reply
}

