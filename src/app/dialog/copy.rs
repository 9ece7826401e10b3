//! The copy/move dialog (F5/F6): what will be copied, the target (editable)
//! and the options. Counting directory contents happens in the background.

use super::Counts;
use super::input::LineInput;
use crate::app::effect::Effect;
use crate::app::side::Side;
use crate::choices::OverwritePolicy;
use crate::fs::Location;
use crate::jobs::{Mode, Options};

/// The dialog's rows that take the focus, in Tab order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CopyField {
    Target,
    Preserve,
    Overwrite,
    Verify,
    Direct,
    Start,
    /// Follow symbolic links (copy what they point to) instead of copying
    /// them as links.
    FollowLinks,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyDialog {
    pub mode: Mode,
    pub side: Side,
    pub sources: Vec<Location>,
    /// Files and directories among the sources, and the files' sizes, known
    /// from the listing; `counts` adds what is inside the directories.
    pub files: u64,
    pub dirs: u64,
    pub listed_bytes: u64,
    pub token: u64,
    pub counts: Option<Result<Counts, String>>,
    /// The other pane's directory, as it was when the dialog opened.
    pub target: Location,
    pub input: LineInput,
    pub options: Options,
    /// Direct mode is offered when both ends are remote, on different hosts,
    /// and the destination's login shell is not known to print text on
    /// standard output.
    pub direct_possible: bool,
    pub field: CopyField,
    pub error: Option<String>,
}

impl CopyDialog {
    pub fn title(&self) -> &'static str {
        match self.mode {
            Mode::Copy => "Copy",
            Mode::Move => "Move",
        }
    }

    pub fn fields(&self) -> Vec<CopyField> {
        let mut fields =
            vec![CopyField::Target, CopyField::Preserve, CopyField::Overwrite, CopyField::Verify];
        if self.direct_possible {
            fields.push(CopyField::Direct);
        }
        fields.push(CopyField::FollowLinks);
        fields.push(CopyField::Start);
        fields
    }

    /// Moves the focus by `step` fields, wrapping.
    pub fn move_focus(&mut self, step: isize) {
        self.field = super::cycle(&self.fields(), self.field, step);
    }

    /// Toggles or cycles the focused option (`step` for the policy).
    pub fn change(&mut self, step: isize) {
        let options = &mut self.options;
        match self.field {
            CopyField::Preserve => options.preserve = !options.preserve,
            CopyField::Verify => options.verify = !options.verify,
            CopyField::Direct => options.direct = !options.direct,
            CopyField::FollowLinks => options.follow_links = !options.follow_links,
            CopyField::Overwrite => {
                let all = OverwritePolicy::ALL;
                let at = all.iter().position(|p| *p == options.overwrite).unwrap_or(0) as isize;
                options.overwrite = all[((at + step).rem_euclid(all.len() as isize)) as usize];
            }
            CopyField::Target | CopyField::Start => {}
        }
    }

    /// Counting what the copy will really copy: the walk it will make,
    /// links followed or not as the option says (asked again when the
    /// option changes, under a new token).
    pub fn count(&self) -> Effect {
        Effect::CountCopy {
            token: self.token,
            targets: self.sources.clone(),
            follow: self.options.follow_links,
        }
    }

    /// Links and skipped entries found by the count (none until then).
    pub fn extras(&self) -> (u64, u64) {
        match &self.counts {
            Some(Ok(c)) => (c.links, c.skipped),
            _ => (0, 0),
        }
    }

    /// Totals for the summary line: files, directories, bytes; `None` for
    /// the bytes while directories are still being counted.
    pub fn totals(&self) -> (u64, u64, Option<u64>) {
        match &self.counts {
            Some(Ok(c)) => (c.files, c.dirs, Some(c.bytes)),
            Some(Err(_)) | None if self.dirs == 0 => (self.files, 0, Some(self.listed_bytes)),
            _ => (self.files, self.dirs, None),
        }
    }
}
