//! How framed scripts reach the remote `sh` on one connection, and the one
//! place that remembers it: the connection's facts (`ssh::Facts`), so a
//! reconnect learns afresh.

use crate::ssh::Link;

/// How a script is delivered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// Nothing learned yet on this connection.
    Unknown,
    /// `sh` is exec'd and the script written at once (the fast path).
    Pipelined,
    /// The login profile reads standard input: the bootstrap runs first and
    /// the script follows its ready marker ([`super::bootstrap`]). `lines`:
    /// how many empty lines the profile read last time, fed at once.
    Careful { lines: u32 },
}

/// How the next command is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plan {
    /// Pipelined; if the script turns out eaten, careful with one line.
    Pipelined,
    /// Careful, feeding `lines` empty lines at once.
    Careful { lines: u32 },
}

impl Delivery {
    /// How to send a command on a connection in this state. `keeps_input`:
    /// the command reads what is written after it starts (the SCP driver).
    /// A script eaten by the profile shows only when the command's input
    /// ends (it then exits without the marker); a command that keeps its
    /// input open would wait for it forever. So those go careful until the
    /// connection is known.
    pub fn plan(self, keeps_input: bool) -> Plan {
        match self {
            Delivery::Careful { lines } => Plan::Careful { lines },
            Delivery::Unknown if keeps_input => Plan::Careful { lines: 1 },
            Delivery::Unknown | Delivery::Pipelined => Plan::Pipelined,
        }
    }

    /// What a careful start showed: `fed` empty lines were sent, of which
    /// the bootstrap `discarded` some (None: it did not say); the profile
    /// read the rest.
    pub fn after_careful(fed: u32, discarded: Option<u32>) -> Delivery {
        match discarded {
            Some(discarded) if discarded >= fed => Delivery::Pipelined,
            Some(discarded) => Delivery::Careful { lines: fed - discarded },
            None => Delivery::Careful { lines: fed },
        }
    }
}

/// What is known about the connection under `link`.
pub fn recall(link: Link<'_>) -> Delivery {
    link.facts().get::<Delivery>().map_or(Delivery::Unknown, |known| *known)
}

/// Remembers how scripts reach the shell on the connection under `link`.
pub fn learn(link: Link<'_>, delivery: Delivery) {
    link.facts().set(delivery);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_connections_pipeline_only_commands_whose_input_ends() {
        assert_eq!(Delivery::Unknown.plan(false), Plan::Pipelined);
        assert_eq!(Delivery::Unknown.plan(true), Plan::Careful { lines: 1 });
        assert_eq!(Delivery::Pipelined.plan(true), Plan::Pipelined);
        assert_eq!(Delivery::Careful { lines: 3 }.plan(false), Plan::Careful { lines: 3 });
    }

    #[test]
    fn a_careful_start_learns_how_many_lines_the_profile_reads() {
        assert_eq!(Delivery::after_careful(1, Some(1)), Delivery::Pipelined);
        assert_eq!(Delivery::after_careful(1, Some(0)), Delivery::Careful { lines: 1 });
        assert_eq!(Delivery::after_careful(5, Some(3)), Delivery::Careful { lines: 2 });
        assert_eq!(Delivery::after_careful(2, None), Delivery::Careful { lines: 2 });
    }
}
