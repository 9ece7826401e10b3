//! The exit statuses of every scpdeck command, in one place: `cp`, `ls`,
//! the commander, and any command added later (a `sync` will use these
//! same four). docs/user-guide.md ("Exit status") lists them.

use std::process::ExitCode;

/// How a command ended, as the shell sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Everything asked for was done.
    Success,
    /// Some file (or the listing) failed; the reasons were printed.
    Failed,
    /// The command line was wrong: nothing was tried. clap exits with this
    /// status for the errors it finds itself.
    Usage,
    /// A host could not be reached or would not let us log in, before any
    /// file moved: ssh's own status for the same failures (255).
    Connection,
}

impl Status {
    /// The number the process exits with.
    pub const fn code(self) -> u8 {
        match self {
            Status::Success => 0,
            Status::Failed => 1,
            Status::Usage => 2,
            Status::Connection => 255,
        }
    }
}

impl From<Status> for ExitCode {
    fn from(status: Status) -> ExitCode {
        ExitCode::from(status.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_distinct_and_usage_matches_clap() {
        let all = [Status::Success, Status::Failed, Status::Usage, Status::Connection];
        let codes: std::collections::HashSet<u8> = all.iter().map(|s| s.code()).collect();
        assert_eq!(codes.len(), all.len());
        let clap =
            clap::Command::new("x").arg(clap::Arg::new("a").required(true)).try_get_matches_from(["x"]);
        assert_eq!(clap.map(|_| ()).unwrap_err().exit_code(), i32::from(Status::Usage.code()));
    }
}
