
# scpdeck: the host part of an operand (web<TAB> -> web1:) and -J's hosts,
# from ssh_config's host aliases (`scpdeck complete-hosts`).
function __fish_scpdeck_operand_hosts
    set -l token (commandline -ct)
    string match -q -- '-*' $token; and return
    string match -q -- '*/*' $token; and return
    string match -q -- '*:*' $token; and return
    set -l user (string match -r -- '^[^@]*@' $token)
    for alias in (command scpdeck complete-hosts 2>/dev/null)
        printf '%s%s:\tssh host\n' "$user" $alias
    end
end
complete -c scpdeck -n "__fish_scpdeck_needs_command; or __fish_scpdeck_using_subcommand cp ls" -a "(__fish_scpdeck_operand_hosts)"
complete -c scpdeck -n "__fish_scpdeck_needs_command; or __fish_scpdeck_using_subcommand cp ls" -s J -x -a "(command scpdeck complete-hosts 2>/dev/null)"
