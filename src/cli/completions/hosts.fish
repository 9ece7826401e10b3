
# scpdeck: the host part of an operand (web<TAB> -> web1:) and -J's hosts,
# from ssh_config's host aliases (`scpdeck complete-hosts`, reading the -F
# file when the command line has one).
function __fish_scpdeck_host_aliases
    set -l words (commandline -opc)
    set -l config
    if set -l i (contains -i -- -F $words)
        set config -F $words[(math $i + 1)]
    end
    command scpdeck complete-hosts $config 2>/dev/null
end

function __fish_scpdeck_operand_hosts
    set -l token (commandline -ct)
    string match -q -- '-*' $token; and return
    string match -q -- '*/*' $token; and return
    string match -q -- '*:*' $token; and return
    set -l user (string match -r -- '^[^@]*@' $token)
    for alias in (__fish_scpdeck_host_aliases)
        printf '%s%s:\tssh host\n' "$user" $alias
    end
end
complete -c scpdeck -n "__fish_scpdeck_needs_command; or __fish_scpdeck_using_subcommand cp ls" -a "(__fish_scpdeck_operand_hosts)"
complete -c scpdeck -n "__fish_scpdeck_needs_command; or __fish_scpdeck_using_subcommand cp ls" -s J -x -a "(__fish_scpdeck_host_aliases)"
