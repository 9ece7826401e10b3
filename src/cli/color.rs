//! Colour and terminal conventions: `--color auto|always|never`, `NO_COLOR`
//! (no-color.org: set and not empty turns colour off; a flag given on the
//! command line overrides it) and a standard error that is not a terminal
//! (no colour, no progress bar: it is a file or a pipe).

use std::ffi::OsStr;
use std::io::IsTerminal;

/// `--color`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorWhen {
    // Colour when standard error is a terminal and NO_COLOR is not set (a
    // doc comment here would make clap's short help list the values).
    #[default]
    Auto,
    Always,
    Never,
}

impl ColorWhen {
    /// Whether to colour, given NO_COLOR's value and whether the stream is
    /// a terminal.
    pub fn decide(self, no_color: Option<&OsStr>, terminal: bool) -> bool {
        match self {
            ColorWhen::Always => true,
            ColorWhen::Never => false,
            ColorWhen::Auto => terminal && no_color.is_none_or(OsStr::is_empty),
        }
    }

    /// [`ColorWhen::decide`] for this process's standard error.
    pub fn for_stderr(self) -> bool {
        self.decide(std::env::var_os("NO_COLOR").as_deref(), std::io::stderr().is_terminal())
    }

    /// The same choice for clap's help and usage errors.
    pub fn clap(self) -> clap::ColorChoice {
        match self {
            ColorWhen::Always => clap::ColorChoice::Always,
            ColorWhen::Never => clap::ColorChoice::Never,
            // clap's own auto also honours NO_COLOR and the stream's kind.
            ColorWhen::Auto => clap::ColorChoice::Auto,
        }
    }

    /// `--color` as given on the command line (the last one wins), read
    /// before clap parses it so that clap's own messages follow it.
    pub fn from_args<I: IntoIterator<Item = S>, S: AsRef<OsStr>>(args: I) -> ColorWhen {
        use clap::ValueEnum;
        let mut when = ColorWhen::Auto;
        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            let Some(arg) = arg.as_ref().to_str() else { continue };
            if arg == "--" {
                break;
            }
            let value = match arg.strip_prefix("--color") {
                Some("") => args.next().and_then(|v| v.as_ref().to_str().map(str::to_owned)),
                Some(rest) => rest.strip_prefix('=').map(str::to_owned),
                None => None,
            };
            if let Some(parsed) = value.and_then(|v| ColorWhen::from_str(&v, false).ok()) {
                when = parsed;
            }
        }
        when
    }
}

/// Whether a progress bar is drawn: not with -q, and only on a terminal.
pub(super) fn progress_bar(quiet: bool) -> bool {
    !quiet && std::io::stderr().is_terminal()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_color_and_terminals() {
        let set = Some(OsStr::new("1"));
        let empty = Some(OsStr::new(""));
        assert!(ColorWhen::Auto.decide(None, true));
        assert!(ColorWhen::Auto.decide(empty, true), "an empty NO_COLOR is not set");
        assert!(!ColorWhen::Auto.decide(set, true));
        assert!(!ColorWhen::Auto.decide(None, false), "a file or a pipe");
        assert!(ColorWhen::Always.decide(set, false), "the flag overrides NO_COLOR");
        assert!(!ColorWhen::Never.decide(None, true));
    }

    #[test]
    fn color_flag_read_before_clap() {
        let when = |args: &[&str]| ColorWhen::from_args(args.iter().copied());
        assert_eq!(when(&["scpdeck", "cp", "--color", "never", "a", "b"]), ColorWhen::Never);
        assert_eq!(when(&["scpdeck", "--color=always", "ls", "x"]), ColorWhen::Always);
        assert_eq!(when(&["scpdeck", "--color=never", "--color=auto"]), ColorWhen::Auto);
        assert_eq!(when(&["scpdeck", "cp", "--", "--color=never", "b"]), ColorWhen::Auto);
        assert_eq!(when(&["scpdeck", "--color=bogus"]), ColorWhen::Auto);
    }
}
